package analysis

import (
	"errors"
	"fmt"
	"loralab/model/target"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"loralab/datasets"
	"loralab/experiments"
)

// Spec is what a sweep asks the analysis to produce. It is embedded in the sweep file under
// `analysis:`; every field is optional and the zero Spec asks for the comparison table and
// every plot that the runs support. A full example:
//
//	analysis:
//	  table: {metric: accuracy, split: test}   # metric "" = each task's main metric
//	  tables:                                  # one task, several metrics (paper Table 3)
//	    - {name: e2e, task: embedded-d2t, metrics: [bleu, nist, meteor, rouge_l, cider]}
//	  subspace:                                # paper Figure 3: r=8 vs r=64
//	    - {a: {rank: 8}, b: {rank: 64}, layers: [0, 3], matrices: [q, v]}
//	  seed_pairs:                              # paper Figure 4: same setting, two seeds
//	    - {setting: {rank: 64}, seeds: [1, 2], matrices: [q]}
//	  amplification:                           # paper Table 7
//	    ranks: [4, 64]
//	    layers: [2]
//	    matrices: [q]
//	    base: pretrained/model.safetensors     # relative to the sweep folder
//	  forgetting: {}                           # held-out pretraining loss after - before (train.forgetting_tokens)
//	  update_rank: {energy: 0.9}               # effective rank of ΔW, per layer and matrix
//	  intruders: {k: 10, epsilon: 0.5}         # intruder dimensions of W + ΔW
//	  amplification_steps: {ranks: [1, 4, 16]} # Table 7 at each kept step (train.save_steps)
//	  cost: {}                                 # seconds per step and memory per setting and task
//	  base_strength: {lora: "lora r=8 q,v", ft: ft} # metric, LoRA − FT gap vs pretraining tokens
//	  plots: [heatmaps, rank, params, curves]
//	  seed: 1                                  # seed of the random baselines
type Spec struct {
	Table TableSpec `yaml:"table" json:"table"`
	// Tables are further tables, each one task under several metrics (MetricTableSpec).
	Tables        []MetricTableSpec  `yaml:"tables,omitempty" json:"tables,omitempty"`
	Subspace      []SubspacePair     `yaml:"subspace,omitempty" json:"subspace,omitempty"`
	SeedPairs     []SeedPair         `yaml:"seed_pairs,omitempty" json:"seed_pairs,omitempty"`
	Amplification *AmplificationSpec `yaml:"amplification,omitempty" json:"amplification,omitempty"`
	// The analyses of the update (spec_update.go): forgetting, effective rank of ΔW,
	// intruder dimensions, and Table 7 at each kept step of training.
	Forgetting         *ForgettingSpec    `yaml:"forgetting,omitempty" json:"forgetting,omitempty"`
	UpdateRank         *UpdateRankSpec    `yaml:"update_rank,omitempty" json:"update_rank,omitempty"`
	Intruders          *IntrudersSpec     `yaml:"intruders,omitempty" json:"intruders,omitempty"`
	AmplificationSteps *AmplificationSpec `yaml:"amplification_steps,omitempty" json:"amplification_steps,omitempty"`
	// Cost asks for the seconds per step and the memory of each setting (report_cost.go).
	Cost *CostSpec `yaml:"cost,omitempty" json:"cost,omitempty"`
	// BaseStrength asks for the base-strength study of a sweep on the base axis.
	BaseStrength *BaseStrengthSpec `yaml:"base_strength,omitempty" json:"base_strength,omitempty"`
	// Plots lists the figures to draw, among PlotHeatmaps, PlotRank, PlotParams and
	// PlotCurves. Absent (nil) means all of them; an empty list means none.
	Plots []string `yaml:"plots,omitempty" json:"plots,omitempty"`
	// HeatmapScale is the colour scale of the heat maps: ScaleFixed ("" too) maps phi's
	// range [0, 1], for comparing figures; ScaleAuto maps the figure's own range.
	HeatmapScale string `yaml:"heatmap_scale,omitempty" json:"heatmap_scale,omitempty"`
	// Seed seeds the random baselines of the subspace and amplification studies (0 = 1).
	Seed uint64 `yaml:"seed,omitempty" json:"seed,omitempty"`
}

// Plot names accepted in Spec.Plots.
const (
	PlotHeatmaps = "heatmaps" // subspace similarity heatmaps, next to their random baseline
	PlotRank     = "rank"     // main metric vs LoRA rank (log2 axis), one line per target set
	PlotParams   = "params"   // main metric vs trainable parameters (log10 axis), one line per method
	PlotCurves   = "curves"   // training loss vs step, mean over seeds, one line per setting
)

// AllPlots lists every plot name, in the order the report shows them.
func AllPlots() []string { return []string{PlotHeatmaps, PlotRank, PlotParams, PlotCurves} }

// TableSpec chooses what the comparison table shows.
type TableSpec struct {
	// Metric is the metric in every column; "" uses each task's main metric
	// (record.Result.MainMetric).
	Metric string `yaml:"metric,omitempty" json:"metric,omitempty"`
	// Split is the evaluation split read from record.Result.Metrics ("" = "test").
	Split string `yaml:"split,omitempty" json:"split,omitempty"`
}

// Selector picks runs of a sweep. Zero fields match anything. It picks among the done runs
// at the learning rate the protocol chose for their setting and task (the runs the tables
// report) the one with the lowest seed; several runs at that seed are an error, as is no run.
type Selector struct {
	Setting string   `yaml:"setting,omitempty" json:"setting,omitempty"` // exact label, e.g. "lora r=8 q,v"
	Method  string   `yaml:"method,omitempty" json:"method,omitempty"`   // "" = lora when Rank or Targets is set
	Rank    int      `yaml:"rank,omitempty" json:"rank,omitempty"`
	Targets []string `yaml:"targets,omitempty" json:"targets,omitempty"` // as a set: [v, q] matches q,v
	Task    string   `yaml:"task,omitempty" json:"task,omitempty"`
	Seed    int      `yaml:"seed,omitempty" json:"seed,omitempty"`
}

// SubspacePair compares the LoRA A matrices of two runs (paper Figure 3: r=8 vs r=64); for a
// run other than plain LoRA, the top-r right-singular vectors of its merged update ΔW.
type SubspacePair struct {
	A Selector `yaml:"a" json:"a"`
	B Selector `yaml:"b" json:"b"`
	// Layers are the block indices to compare; nil = every layer both runs adapted.
	Layers []int `yaml:"layers,omitempty" json:"layers,omitempty"`
	// Matrices are the adapted matrices to compare (q, k, v, o, fc1, fc2); nil = [q, v].
	Matrices []string `yaml:"matrices,omitempty" json:"matrices,omitempty"`
}

// SeedPair compares one setting trained from two seeds (paper Figure 4).
type SeedPair struct {
	Setting  Selector `yaml:"setting" json:"setting"`
	Seeds    [2]int   `yaml:"seeds" json:"seeds"`
	Layers   []int    `yaml:"layers,omitempty" json:"layers,omitempty"`
	Matrices []string `yaml:"matrices,omitempty" json:"matrices,omitempty"`
}

// AmplificationSpec asks for the paper's Table 7: how much ΔW amplifies directions of W.
type AmplificationSpec struct {
	// Ranks are the LoRA ranks compared (paper: 4 and 64); each picks a LoRA run of that rank
	// that adapted the matrix, and the projection uses the top-r singular directions.
	Ranks []int `yaml:"ranks" json:"ranks"`
	// Layers are block indices; nil = the middle block, as the paper's layer 48 of 96.
	Layers []int `yaml:"layers,omitempty" json:"layers,omitempty"`
	// Matrices are the adapted matrices; nil = [q].
	Matrices []string `yaml:"matrices,omitempty" json:"matrices,omitempty"`
	// Task restricts the runs to one task ("" = any).
	Task string `yaml:"task,omitempty" json:"task,omitempty"`
	// Base is the pretrained checkpoint holding W: a model.safetensors file or the folder
	// holding one, relative to the sweep folder. "" = the run config's "base" entry.
	Base string `yaml:"base,omitempty" json:"base,omitempty"`
}

// matrices are the matrices studied, with their default.
func (a AmplificationSpec) matrices() []string { return orDefault(a.Matrices, []string{"q"}) }

// ParseSpec decodes a Spec from a YAML document, rejecting unknown fields, and validates it;
// its problems are those of ParseSpecNode, in a file named "analysis spec".
func ParseSpec(data []byte) (Spec, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return Spec{}, fmt.Errorf("analysis spec: %w", err)
	}
	if len(doc.Content) == 0 { // an empty document: the defaults
		return Spec{}, nil
	}
	s, err := ParseSpecNode(doc.Content[0])
	var ps experiments.Problems
	if errors.As(err, &ps) {
		for i := range ps {
			ps[i].File = "analysis spec"
		}
		return Spec{}, ps
	}
	return s, err
}

// blockMatrices are the matrices a LoRA adapter can hold in each block: every LoRA target
// but the token embedding, which is not per block.
func blockMatrices() []string {
	var out []string
	for _, t := range target.All() {
		if t.PerLayer {
			out = append(out, t.Name)
		}
	}
	return out
}

// Validate reports every problem of s at once.
func (s Spec) Validate() error {
	if errs := s.problems(); len(errs) > 0 {
		return fmt.Errorf("analysis spec: %s", strings.Join(errs, "; "))
	}
	return nil
}

// problems lists what is wrong with s, each message starting with the path of the key it is
// about ("table.split", "plots[1]"), which ParseSpecNode turns into a position.
func (s Spec) problems() []string {
	var errs []string
	bad := func(format string, a ...any) { errs = append(errs, fmt.Sprintf(format, a...)) }
	if s.Table.Split != "" && s.Table.Split != "test" && s.Table.Split != "validation" && s.Table.Split != "train" {
		bad("table.split %q: want test, validation or train", s.Table.Split)
	}
	if m := s.Table.Metric; m != "" && !slices.Contains(datasets.MetricNames(), m) {
		bad("table.metric %q: unknown metric, want one of %s (or none: each task's main metric)", m, strings.Join(datasets.MetricNames(), ", "))
	}
	checkLayersMatrices := func(where string, layers []int, matrices []string) {
		for i, l := range layers {
			if l < 0 {
				bad("%s.layers[%d]: negative layer %d", where, i, l)
			}
		}
		valid := blockMatrices()
		for i, m := range matrices {
			if !slices.Contains(valid, m) {
				bad("%s.matrices[%d]: unknown matrix %q (want one of %s)", where, i, m, strings.Join(valid, ", "))
			}
		}
	}
	for i, p := range s.Subspace {
		checkLayersMatrices(fmt.Sprintf("subspace[%d]", i), p.Layers, p.Matrices)
	}
	for i, p := range s.SeedPairs {
		where := fmt.Sprintf("seed_pairs[%d]", i)
		if p.Seeds[0] == p.Seeds[1] {
			bad("%s: seeds must be two different seeds, found %v", where, p.Seeds)
		}
		checkLayersMatrices(where, p.Layers, p.Matrices)
	}
	if a := s.Amplification; a != nil {
		if len(a.Ranks) == 0 {
			bad("amplification: ranks is empty, want the LoRA ranks to compare, e.g. [4, 64]")
		}
		for i, r := range a.Ranks {
			if r < 1 {
				bad("amplification.ranks[%d]: rank %d, want >= 1", i, r)
			}
		}
		checkLayersMatrices("amplification", a.Layers, a.Matrices)
	}
	s.validateUpdateAnalyses(bad, checkLayersMatrices)
	s.baseStrengthProblems(bad)
	for i, p := range s.Plots {
		if !slices.Contains(AllPlots(), p) {
			bad("plots[%d]: unknown plot %q (want one of %s)", i, p, strings.Join(AllPlots(), ", "))
		}
	}
	if s.HeatmapScale != "" && !slices.Contains(HeatmapScales(), s.HeatmapScale) {
		bad("heatmap_scale: unknown scale %q (want one of %s)", s.HeatmapScale, strings.Join(HeatmapScales(), ", "))
	}
	errs = append(errs, s.metricTableProblems()...)
	return errs
}

// split is the table's split with its default.
func (t TableSpec) split() string {
	if t.Split == "" {
		return "test"
	}
	return t.Split
}

// wantsPlot says whether the spec asks for the named plot.
func (s Spec) wantsPlot(name string) bool {
	return s.Plots == nil || slices.Contains(s.Plots, name)
}

// seed is the seed of the random baselines.
func (s Spec) seed() uint64 {
	if s.Seed == 0 {
		return 1
	}
	return s.Seed
}

// orDefault returns list, or def when list is empty.
func orDefault[T any](list, def []T) []T {
	if len(list) == 0 {
		return def
	}
	return list
}
