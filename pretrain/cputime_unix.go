//go:build unix

package pretrain

import "syscall"

// cpuSeconds is the CPU time (user and system) this process has used so far, or -1 if the
// system does not say. Unlike wall time it does not count the time the process was paused
// (bench-quiet.sh stops the background pretraining while a benchmark runs) or waiting for
// a busy CPU.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}
