package main

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// availableMemory is the memory the system can give new work without swapping, in bytes
// (MemAvailable of /proc/meminfo), or 0 where it cannot tell.
func availableMemory() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	return parseMemAvailable(bufio.NewScanner(f))
}

// parseMemAvailable reads the MemAvailable line ("MemAvailable:   123 kB") of a meminfo
// listing; 0 if there is none.
func parseMemAvailable(sc *bufio.Scanner) int64 {
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != "MemAvailable" {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil || kb < 0 {
			return 0
		}
		return kb * 1024
	}
	return 0
}
