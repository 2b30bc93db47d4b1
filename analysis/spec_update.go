package analysis

import "slices"

// ForgettingSpec asks for the forgetting study: for each run, the held-out loss of the
// adapted model on its base's pretraining text minus the base's own (runs measure it when
// the sweep sets train.forgetting_tokens), next to the run's task metric.
type ForgettingSpec struct {
	// Task restricts the runs to one task ("" = every task).
	Task string `yaml:"task,omitempty" json:"task,omitempty"`
}

// UpdateSelection chooses the runs and weight matrices whose update ΔW an analysis reads.
// Every done run whose method changes a weight matrix takes part (LoRA, full fine-tuning
// and any method that can merge into the weights); adapters, prefixes and BitFit do not.
type UpdateSelection struct {
	// Layers are block indices; nil = every layer the run changed.
	Layers []int `yaml:"layers,omitempty" json:"layers,omitempty"`
	// Matrices are q, k, v, o, fc1, fc2; nil = every matrix the run changed.
	Matrices []string `yaml:"matrices,omitempty" json:"matrices,omitempty"`
	// Task restricts the runs to one task ("" = every task).
	Task string `yaml:"task,omitempty" json:"task,omitempty"`
	// Base is the pretrained checkpoint holding W, relative to the sweep folder; "" = the
	// run config's "base" entry.
	Base string `yaml:"base,omitempty" json:"base,omitempty"`
}

// UpdateRankSpec asks for the effective rank of every update ΔW: the number of singular
// values that hold Energy of ||ΔW||_F² (Biderman et al. 2024 use 90%) and the entropy-based
// effective rank of Roy and Vetterli (2007).
type UpdateRankSpec struct {
	UpdateSelection `yaml:",inline"`
	// Energy is the fraction of ||ΔW||_F² counted, in (0, 1]; 0 = 0.9.
	Energy float64 `yaml:"energy,omitempty" json:"energy,omitempty"`
}

// IntrudersSpec asks for the intruder dimensions of every fine-tuned matrix W + ΔW
// (Shuttleworth et al. 2024): among its top K left singular vectors, those whose largest
// absolute cosine similarity with W's top BaseK left singular vectors is below Epsilon.
type IntrudersSpec struct {
	UpdateSelection `yaml:",inline"`
	// K is the number of top singular vectors of W + ΔW examined; 0 = 10 (at most the
	// matrix's smaller dimension).
	K int `yaml:"k,omitempty" json:"k,omitempty"`
	// BaseK is the number of W's top singular vectors compared with; 0 = all of them.
	BaseK int `yaml:"base_k,omitempty" json:"base_k,omitempty"`
	// Epsilon is the threshold of the table, in (0, 1]; 0 = 0.5.
	Epsilon float64 `yaml:"epsilon,omitempty" json:"epsilon,omitempty"`
	// Epsilons are the thresholds of the figure; nil = 0.1, 0.2, ..., 0.9.
	Epsilons []float64 `yaml:"epsilons,omitempty" json:"epsilons,omitempty"`
}

// energy is the fraction of ||ΔW||_F² of the energy rank, with its default.
func (s UpdateRankSpec) energy() float64 {
	if s.Energy == 0 {
		return 0.9
	}
	return s.Energy
}

// k is the number of examined singular vectors, with its default, for a matrix whose smaller
// dimension is n.
func (s IntrudersSpec) k(n int) int {
	if s.K == 0 {
		return min(10, n)
	}
	return min(s.K, n)
}

// baseK is the number of W's singular vectors compared with, for a smaller dimension n.
func (s IntrudersSpec) baseK(n int) int {
	if s.BaseK == 0 {
		return n
	}
	return min(s.BaseK, n)
}

// epsilon is the threshold of the table, with its default.
func (s IntrudersSpec) epsilon() float64 {
	if s.Epsilon == 0 {
		return 0.5
	}
	return s.Epsilon
}

// epsilons are the thresholds of the figure, with their default.
func (s IntrudersSpec) epsilons() []float64 {
	if len(s.Epsilons) > 0 {
		return s.Epsilons
	}
	return []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}
}

// validateUpdateAnalyses reports the problems of the update analyses through bad.
func (s Spec) validateUpdateAnalyses(bad func(string, ...any), layersMatrices func(string, []int, []string)) {
	if u := s.UpdateRank; u != nil {
		layersMatrices("update_rank", u.Layers, u.Matrices)
		if u.Energy < 0 || u.Energy > 1 {
			bad("update_rank: energy %g, want a fraction in (0, 1]", u.Energy)
		}
	}
	if in := s.Intruders; in != nil {
		layersMatrices("intruders", in.Layers, in.Matrices)
		if in.K < 0 || in.BaseK < 0 {
			bad("intruders: k %d and base_k %d, want >= 1 (or 0 for the default)", in.K, in.BaseK)
		}
		if in.Epsilon < 0 || in.Epsilon > 1 {
			bad("intruders: epsilon %g, want a cosine threshold in (0, 1]", in.Epsilon)
		}
		for _, e := range in.Epsilons {
			if e <= 0 || e > 1 {
				bad("intruders: epsilons: %g, want cosine thresholds in (0, 1]", e)
			}
		}
	}
	if a := s.AmplificationSteps; a != nil {
		if len(a.Ranks) == 0 {
			bad("amplification_steps: ranks is empty, want the LoRA ranks to follow, e.g. [1, 4, 16]")
		}
		for _, r := range a.Ranks {
			if r < 1 {
				bad("amplification_steps: rank %d, want >= 1", r)
			}
		}
		layersMatrices("amplification_steps", a.Layers, a.Matrices)
	}
}

// selects says whether an update is among the layers and matrices of sel.
func (sel UpdateSelection) selects(u Update) bool {
	return (sel.Layers == nil || slices.Contains(sel.Layers, u.Layer)) && (sel.Matrices == nil || slices.Contains(sel.Matrices, u.Matrix))
}
