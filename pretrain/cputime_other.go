//go:build !unix

package pretrain

// cpuSeconds cannot tell on this system.
func cpuSeconds() float64 { return -1 }
