package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"syscall"
)

// Exit statuses of runexp, as `runexp --help` and the README state them: a Slurm array, a
// Kubernetes Job or a CI step reads them.
const (
	exitOK     = 0 // every run of this shard done (or the command succeeded)
	exitError  = 1 // a usage error, a sweep-file error, or any other error
	exitFailed = 2 // the sweep went through, but some runs of this shard failed
	// An interrupted command exits with 128 + the signal's number: 130 for SIGINT (Ctrl-C),
	// 143 for SIGTERM.
	exitSignalBase = 128
)

// errRunsFailed says that a sweep ended with failed runs; its message says how many and how
// to run them again.
type errRunsFailed struct{ failed, skipped int }

func (e errRunsFailed) Error() string {
	msg := fmt.Sprintf("%d of the shard's runs failed", e.failed)
	if e.skipped > 0 {
		msg += fmt.Sprintf(" (%d of them in an earlier invocation, skipped now: add --retry-failed to run them again)", e.skipped)
	}
	return msg
}

// signalCause is the cause of the context's cancellation when a signal stopped the command.
type signalCause struct{ sig os.Signal }

func (s signalCause) Error() string {
	switch s.sig {
	case syscall.SIGINT:
		return "interrupted by SIGINT (Ctrl-C)"
	case syscall.SIGTERM:
		return "interrupted by SIGTERM"
	}
	return "interrupted by " + s.sig.String()
}

// exitCode maps what run returned to the process's exit status. cause is the cause of the
// command's context (nil while it is not cancelled).
func exitCode(err, cause error) int {
	var sig signalCause
	var failed errRunsFailed
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &sig) || (errors.Is(err, context.Canceled) && errors.As(cause, &sig)):
		if n, ok := sig.sig.(syscall.Signal); ok {
			return exitSignalBase + int(n)
		}
		return exitSignalBase + int(syscall.SIGINT)
	case errors.Is(err, context.Canceled):
		return exitSignalBase + int(syscall.SIGINT)
	case errors.As(err, &failed):
		return exitFailed
	}
	return exitError
}
