package experiments

import (
	"fmt"
	"strconv"
	"strings"
)

// Shard selects the runs one worker of many runs: those whose index in the expanded sweep is
// Index modulo Count. The zero Shard selects every run.
type Shard struct {
	Index, Count int
}

// Environment variables that choose a shard for array jobs.
const (
	EnvSlurmTaskID    = "SLURM_ARRAY_TASK_ID"
	EnvSlurmTaskCount = "SLURM_ARRAY_TASK_COUNT"
	EnvSlurmTaskMin   = "SLURM_ARRAY_TASK_MIN"
	EnvJobIndex       = "JOB_COMPLETION_INDEX" // Kubernetes indexed Jobs
	EnvShardCount     = "LORALAB_SHARD_COUNT"  // the count that goes with JOB_COMPLETION_INDEX
)

// String writes the shard as i/N.
func (s Shard) String() string {
	if s.Count == 0 {
		return "0/1"
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// ParseShard reads "i/N" with 0 <= i < N.
func ParseShard(text string) (Shard, error) {
	is, ns, ok := strings.Cut(text, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(is))
	n, err2 := strconv.Atoi(strings.TrimSpace(ns))
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("shard %q: want i/N, such as 0/4", text)
	}
	return newShard(i, n, fmt.Sprintf("shard %q", text))
}

func newShard(i, n int, what string) (Shard, error) {
	if n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("%s: index %d and count %d, want 0 <= index < count", what, i, n)
	}
	return Shard{Index: i, Count: n}, nil
}

// ShardFromEnv reads the shard of a Slurm array task (SLURM_ARRAY_TASK_ID, offset by
// SLURM_ARRAY_TASK_MIN, out of SLURM_ARRAY_TASK_COUNT) or of a Kubernetes indexed Job
// (JOB_COMPLETION_INDEX out of count, or of LORALAB_SHARD_COUNT when count is 0). ok is false
// when neither is set.
func ShardFromEnv(getenv func(string) string, count int) (s Shard, ok bool, err error) {
	num := func(key string) (int, error) {
		v, err := strconv.Atoi(strings.TrimSpace(getenv(key)))
		if err != nil {
			return 0, fmt.Errorf("%s=%q: want an integer", key, getenv(key))
		}
		return v, nil
	}
	switch {
	case getenv(EnvSlurmTaskID) != "":
		id, err := num(EnvSlurmTaskID)
		if err != nil {
			return Shard{}, true, err
		}
		lo := 0
		if getenv(EnvSlurmTaskMin) != "" {
			if lo, err = num(EnvSlurmTaskMin); err != nil {
				return Shard{}, true, err
			}
		}
		n := count
		if n == 0 {
			if n, err = num(EnvSlurmTaskCount); err != nil {
				return Shard{}, true, err
			}
		}
		s, err := newShard(id-lo, n, "Slurm array task")
		return s, true, err
	case getenv(EnvJobIndex) != "":
		i, err := num(EnvJobIndex)
		if err != nil {
			return Shard{}, true, err
		}
		n := count
		if n == 0 {
			if getenv(EnvShardCount) == "" {
				return Shard{}, true, fmt.Errorf("%s is set but the shard count is not: set %s or give the count", EnvJobIndex, EnvShardCount)
			}
			if n, err = num(EnvShardCount); err != nil {
				return Shard{}, true, err
			}
		}
		s, err := newShard(i, n, "indexed job")
		return s, true, err
	}
	return Shard{}, false, nil
}

// Select returns the runs of this shard, in order.
func (s Shard) Select(runs []RunSpec) []RunSpec {
	if s.Count <= 1 {
		return runs
	}
	var out []RunSpec
	for _, r := range runs {
		if r.Index%s.Count == s.Index {
			out = append(out, r)
		}
	}
	return out
}
