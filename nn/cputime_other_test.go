//go:build !unix

package nn

import "time"

// cpuTime cannot be measured on this system.
func cpuTime() (time.Duration, bool) { return 0, false }
