package bench

import (
	"fmt"
	"slices"
	"strings"

	"loralab/method"
)

// LatencyStudyKind is the value of the top-level study: key that marks a latency-study file.
const LatencyStudyKind = "latency"

// A latency study is the paper's Table 1 and Figure 5: the forward latency of a GPT-2-shaped
// decoder with LoRA (merged and unmerged) and with adapters, over a grid of batch sizes,
// sequence lengths and adapter sizes, as a percentage over the base model. Its file is one
// YAML document; every key but study, name, batch, seq and sizes is optional:
//
//	study: latency             # marks the file as a latency study (not a training sweep)
//	name: table1_latency       # names the results folder: <out>/table1_latency/
//	model:
//	  preset: gpt2-small       # tiny, small or gpt2-small (default); explicit dimensions override it
//	  arch: decoder            # decoder (default) or encoder
//	  vocab: 50257             # default 50257 for gpt2-small, else 4096; d_model, layers, heads, d_ff and max_len as in a sweep file
//	batch: [1, 4, 16]          # batch sizes
//	seq: [32, 128, 256]        # sequence lengths
//	sizes: [10, 100, 250]      # LoRA rank = adapter bottleneck = prefix length, one table each
//	variants: [lora_merged, lora_unmerged, adapter_h, adapter_l]   # the default; also prefix_layer
//	lora_targets: [q, v]       # matrices LoRA adapts (default q, v)
//	reps: 10                   # timed forward passes per variant and cell; the median is reported;
//	                           # or per batch size, e.g. {1: 20, 4: 6, 16: 3}: large batches are slow
//	warmup: 1                  # untimed passes per variant and cell first
//	estimator: median          # what tables, figure and findings report: median (default) or
//	                           # min, the fastest pass, robust to other work on a shared machine
//	threads: 2                 # 0 = every CPU (default)
//	seed: 1                    # random weights and tokens (default 1)
//
// Unknown keys are errors; ParseLatencyStudy reports every problem at once as file:line:col.
type LatencyStudy struct {
	File   string
	Source []byte // the file as read, copied into the results folder
	Name   string
	Preset string
	Shape  Shape
	// Batches, Seqs and Sizes span the grid; every size is timed on every (batch, seq) cell.
	Batches, Seqs, Sizes []int
	Variants             []string // the VariantKinds to time, in order
	LoRATargets          []string
	// Reps maps a batch size to its number of timed passes; key 0 holds the value for every
	// batch when the file gives one number.
	Reps      map[int]int
	Warmup    int
	Estimator string // EstimatorMedian or EstimatorMin: what the outputs report
	Threads   int
	Seed      uint64
}

// Variant kinds of a latency study.
const (
	VariantLoRAMerged   = "lora_merged"
	VariantLoRAUnmerged = "lora_unmerged"
	VariantAdapterH     = "adapter_h"
	VariantAdapterL     = "adapter_l"
	VariantPrefixLayer  = "prefix_layer"
)

// Estimators of a study: which statistic of the timed passes its outputs report.
const (
	EstimatorMedian = "median"
	EstimatorMin    = "min"
)

// Suffixes of the variant of a mergeable method timed merged or unmerged.
const (
	suffixMerged   = "_merged"
	suffixUnmerged = "_unmerged"
)

// VariantKinds lists every variant a study may time: each registered method with a size, a
// mergeable one twice (<name>_merged and <name>_unmerged).
func VariantKinds() []string {
	var out []string
	for _, k := range method.Kinds() {
		switch {
		case k.Size == "":
		case k.Mergeable:
			out = append(out, k.Name+suffixMerged, k.Name+suffixUnmerged)
		default:
			out = append(out, k.Name)
		}
	}
	return out
}

// defaultVariants are the rows of the paper's Table 1 and Figure 5.
var defaultVariants = []string{VariantLoRAMerged, VariantLoRAUnmerged, VariantAdapterH, VariantAdapterL}

// VariantsAt returns the variants of the study at one size: LoRA of rank size (alpha = rank,
// so the scale is 1), adapters of bottleneck size, a prefix of size tokens.
func (s *LatencyStudy) VariantsAt(size int) []Variant {
	out := make([]Variant, 0, len(s.Variants))
	for _, kind := range s.Variants {
		v := variantSpec(kind, size, s.LoRATargets)
		v.Size = size
		out = append(out, v)
	}
	return out
}

// AllVariants returns the variants at every size, size by size.
func (s *LatencyStudy) AllVariants() []Variant {
	var out []Variant
	for _, size := range s.Sizes {
		out = append(out, s.VariantsAt(size)...)
	}
	return out
}

// RepsText says how many passes are timed: "10 times", or per batch size "20 times at
// batch 1, 3 at batch 16".
func (s *LatencyStudy) RepsText() string {
	if r, ok := s.Reps[0]; ok {
		return fmt.Sprintf("%d times", r)
	}
	parts := make([]string, len(s.Batches))
	for i, b := range s.Batches {
		parts[i] = fmt.Sprintf("%d at batch %d", s.Reps[b], b)
	}
	return strings.Replace(strings.Join(parts, ", "), " at", " times at", 1)
}

// Estimate is a row's latency in milliseconds and its percentage over the base by the
// study's estimator.
func (s *LatencyStudy) Estimate(r LatencyRow) (ms, overBasePct float64) {
	if s.Estimator == EstimatorMin {
		return r.MinMillis, r.OverBaseMinPct
	}
	return r.MedianMillis, r.OverBasePct
}

// measurementKey identifies how a study measures: two studies with the same key produce
// comparable rows, whatever they report and however their files are commented.
func (s *LatencyStudy) measurementKey() string {
	reps := make([]string, 0, len(s.Reps))
	for b, r := range s.Reps {
		reps = append(reps, fmt.Sprintf("%d:%d", b, r))
	}
	slices.Sort(reps)
	return fmt.Sprintf("%+v %v %v %v %v %v %v %d %d %d", s.Shape, s.Batches, s.Seqs, s.Sizes, s.Variants, s.LoRATargets,
		reps, s.Warmup, s.Threads, s.Seed)
}

// RepsAt is the number of timed passes at a batch size.
func (s *LatencyStudy) RepsAt(batch int) int {
	if r, ok := s.Reps[batch]; ok {
		return r
	}
	return s.Reps[0]
}

// variantSpec is the variant of a kind (one of VariantKinds) at one size: the method's size
// key set to size (LoRA's rank, with alpha = rank so that the scale is 1), its targets those
// of the study when it has targets.
func variantSpec(kind string, size int, targets []string) Variant {
	v := Variant{Name: kind}
	name := strings.TrimSuffix(strings.TrimSuffix(kind, suffixUnmerged), suffixMerged)
	v.Merged = name+suffixMerged == kind
	k, _ := method.Lookup(name)
	v.Spec = method.Spec{Name: name}
	key, _ := k.Key(k.Size)
	v.Spec.Set(key, size)
	if _, ok := k.Key("alpha"); ok {
		v.Spec.Alpha = float64(size)
	}
	if _, ok := k.Key("targets"); ok {
		v.Spec.Targets = slices.Clone(targets)
	}
	v.Spec = v.Spec.WithDefaults()
	return v
}
