package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"

	"loralab/bench"
	"loralab/method"
	"loralab/train"
)

const benchUsage = `runexp bench train [flags]    training throughput of one method, as one JSON line
runexp bench latency [flags]  forward latency of base, merged/unmerged LoRA and adapters, one JSON line each`

// runBench dispatches the throughput and latency benchmarks.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("bench: want a subcommand\n%s", benchUsage)
	}
	switch args[0] {
	case "train":
		return benchTrain(ctx, args[1:], stdout, stderr)
	case "latency":
		return benchLatency(ctx, args[1:], stdout, stderr)
	}
	return fmt.Errorf("bench: unknown subcommand %q\n%s", args[0], benchUsage)
}

// shapeFlags adds the model-shape flags to fs.
func shapeFlags(fs *flag.FlagSet, s *bench.Shape, d, layers, heads, vocab int) {
	fs.StringVar(&s.Arch, "arch", "decoder", "encoder or decoder")
	fs.IntVar(&s.DModel, "d", d, "d_model")
	fs.IntVar(&s.Layers, "layers", layers, "transformer blocks")
	fs.IntVar(&s.Heads, "heads", heads, "attention heads")
	fs.IntVar(&s.DFF, "dff", 0, "MLP width (0 = 4 d)")
	fs.IntVar(&s.Vocab, "vocab", vocab, "vocabulary size")
	fs.IntVar(&s.MaxLen, "max-len", 1024, "position-embedding rows")
}

// methodFlags adds the flags of a method setting to fs; call the returned function after
// parsing to read the setting.
func methodFlags(fs *flag.FlagSet, defaultMethod string) func() method.Spec {
	name := fs.String("method", defaultMethod, "method: "+strings.Join(method.Names(), ", "))
	rank := fs.Int("rank", 8, "LoRA rank r")
	alpha := fs.Float64("alpha", 0, "LoRA alpha (0 = r)")
	targets := fs.String("targets", "q,v", "LoRA target matrices")
	size := fs.Int("size", 8, "adapter bottleneck size")
	dropK := fs.Int("drop-k", 0, "AdapterD: blocks without adapters")
	prefix := fs.Int("prefix", 8, "prefix methods: prefix tokens l_p")
	infix := fs.Int("infix", 0, "prefix methods: infix tokens l_i")
	return func() method.Spec {
		s := method.Spec{Name: *name}
		switch *name {
		case method.LoRA:
			s.Rank, s.Alpha, s.Targets = *rank, *alpha, method.ParseTargets(*targets)
			if s.Alpha == 0 {
				s.Alpha = float64(s.Rank)
			}
		case method.AdapterH, method.AdapterL, method.AdapterP, method.AdapterD:
			s.Size, s.DropK = *size, *dropK
		case method.PrefixEmbed, method.PrefixLayer:
			s.Prefix, s.Infix = *prefix, *infix
		}
		return s
	}
}

func benchTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench train", "runexp bench train [flags]", stderr)
	var o bench.TrainOptions
	shapeFlags(fs, &o.Shape, 128, 4, 4, 4096)
	spec := methodFlags(fs, method.LoRA)
	fs.IntVar(&o.Seq, "seq", 128, "sequence length")
	fs.IntVar(&o.Batch, "batch", 16, "sequences per step")
	fs.IntVar(&o.Steps, "steps", 10, "timed steps")
	fs.IntVar(&o.Warmup, "warmup", 2, "untimed steps first")
	fs.IntVar(&o.Threads, "threads", runtime.NumCPU(), "threads")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.Threads < 1 {
		return fmt.Errorf("bench train: --threads %d: want at least 1", o.Threads)
	}
	o.Method = spec()
	if err := o.Method.Validate(method.DimsOf(o.Shape.Config())); err != nil {
		return fmt.Errorf("bench train: %w", err)
	}
	res, err := bench.Train(ctx, o, train.NewMethod)
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(res)
}

func benchLatency(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench latency", "runexp bench latency [flags]", stderr)
	var o bench.LatencyOptions
	shapeFlags(fs, &o.Shape, 768, 12, 12, 50257)
	fs.IntVar(&o.Batch, "batch", 1, "sequences per forward pass")
	fs.IntVar(&o.Seq, "seq", 128, "sequence length")
	fs.IntVar(&o.Reps, "reps", 20, "timed passes per variant (median reported)")
	fs.IntVar(&o.Warmup, "warmup", 2, "untimed passes per variant first")
	fs.IntVar(&o.Threads, "threads", runtime.NumCPU(), "threads")
	sizes := fs.String("r", "8", "comma-separated LoRA ranks / adapter bottlenecks to time")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.Threads < 1 {
		return fmt.Errorf("bench latency: --threads %d: want at least 1", o.Threads)
	}
	for _, f := range strings.Split(*sizes, ",") {
		r, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || r < 1 {
			return fmt.Errorf("bench latency: -r item %q is not a positive integer", f)
		}
		o.Variants = append(o.Variants, bench.DefaultVariants(r)...)
	}
	rows, err := bench.Latency(ctx, o, train.NewMethod)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	for _, r := range rows {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}
