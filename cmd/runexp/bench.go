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
	"loralab/model/arch"
	"loralab/tuner"
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

// methodFlags adds the flags of a method setting to fs, one per key of the registered
// methods (see keyFlag); call the returned function after parsing to read the setting,
// which takes the keys of the chosen method only.
func methodFlags(fs *flag.FlagSet, defaultMethod string) func() (method.Spec, error) {
	name := fs.String("method", defaultMethod, "method: "+strings.Join(method.Names(), ", "))
	values := map[string]*string{}
	for _, k := range method.Kinds() {
		for _, key := range k.Keys {
			if _, done := values[key.Name]; done {
				continue
			}
			def := ""
			if isSizeKey(key.Name) {
				def = "8"
			}
			values[key.Name] = fs.String(keyFlag(fs, key.Name), def, flagDoc(key))
		}
	}
	return func() (method.Spec, error) {
		s := method.Spec{Name: *name}
		kind, ok := method.Lookup(*name)
		if !ok {
			return s, fmt.Errorf("unknown method %q (want one of %s)", *name, strings.Join(method.Names(), ", "))
		}
		for _, key := range kind.Keys {
			text := strings.TrimSpace(*values[key.Name])
			if text == "" {
				continue
			}
			v, err := parseFlagValue(key, text)
			if err != nil {
				return s, fmt.Errorf("method key %s: %w", key.Name, err)
			}
			s.Set(key, v)
		}
		return s.WithDefaults(), nil
	}
}

// keyFlag is the flag name of a method key: the key with dashes (drop_k is -drop-k), or
// -method-<key> where that name is a shape flag (-method-layers).
func keyFlag(fs *flag.FlagSet, key string) string {
	name := strings.ReplaceAll(key, "_", "-")
	if fs.Lookup(name) != nil {
		name = "method-" + name
	}
	return name
}

// isSizeKey says whether some method solves budgets on this key (its flag defaults to 8).
func isSizeKey(name string) bool {
	for _, k := range method.Kinds() {
		if k.Size == name {
			return true
		}
	}
	return false
}

// flagDoc describes a key's flag: its doc and the methods that have it.
func flagDoc(key method.Key) string {
	var users []string
	for _, k := range method.Kinds() {
		if _, ok := k.Key(key.Name); ok {
			users = append(users, k.Name)
		}
	}
	doc := key.Doc
	if doc == "" {
		doc = key.Name
	}
	if key.Type == method.String {
		doc += ": " + method.OrList(key.Choices())
	}
	if key.Type == method.Strings || key.Type == method.Ints {
		doc += ", comma-separated"
	}
	return fmt.Sprintf("%s (%s)", doc, strings.Join(users, ", "))
}

// parseFlagValue reads a flag's text as a value of the key's type.
func parseFlagValue(key method.Key, text string) (any, error) {
	switch key.Type {
	case method.Int:
		return strconv.Atoi(text)
	case method.Float:
		return strconv.ParseFloat(text, 64)
	case method.Strings:
		return method.ParseTargets(text), nil
	case method.Ints:
		var out []int
		for _, f := range method.ParseTargets(text) {
			v, err := strconv.Atoi(f)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	return text, nil
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
	var err error
	if o.Method, err = spec(); err != nil {
		return fmt.Errorf("bench train: %w", err)
	}
	if err := o.Method.Validate(arch.DimsOf(o.Shape.Config())); err != nil {
		return fmt.Errorf("bench train: %w", err)
	}
	res, err := bench.Train(ctx, o, tuner.New)
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
	rows, err := bench.Latency(ctx, o, tuner.New)
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
