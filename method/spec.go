// Package method names the ways of adapting a pretrained model that loralab compares — LoRA and
// the baselines of the LoRA paper — and counts their parameters by the paper's formulas
// (Hu et al., 2021, Section 5.1).
//
// A Spec is what a sweep file says about one method setting; the implementations live in
// packages lora and baselines.
package method

import (
	"fmt"
	"slices"
	"strings"
)

// Method names, as written in sweep files.
const (
	LoRA        = "lora"
	FT          = "ft"
	FTTop2      = "fttop2"
	BitFit      = "bitfit"
	PrefixEmbed = "prefix_embed"
	PrefixLayer = "prefix_layer"
	AdapterH    = "adapter_h"
	AdapterL    = "adapter_l"
	AdapterP    = "adapter_p"
	AdapterD    = "adapter_d"
)

// Names lists every method, in the order the paper's tables use.
func Names() []string {
	return []string{FT, FTTop2, BitFit, PrefixEmbed, PrefixLayer, AdapterH, AdapterL, AdapterP, AdapterD, LoRA}
}

// Targets lists the weight matrices LoRA can adapt, as sweep files name them: attention Wq,
// Wk, Wv, Wo, the MLP's two layers and the token embedding. Each call returns a new slice.
func Targets() []string {
	return []string{"q", "k", "v", "o", "fc1", "fc2", "emb"}
}

// Spec is one method setting. Fields that do not apply to Name are zero.
type Spec struct {
	Name string `json:"name" yaml:"name"`

	// LoRA: rank r, alpha, the matrices adapted, the layers (nil = all), the scaling rule
	// ("standard": alpha/r; "rslora": alpha/sqrt(r)), the init of A ("kaiming" or
	// "gaussian") and dropout on the LoRA input.
	Rank    int      `json:"rank,omitempty" yaml:"rank,omitempty"`
	Alpha   float64  `json:"alpha,omitempty" yaml:"alpha,omitempty"`
	Targets []string `json:"targets,omitempty" yaml:"targets,omitempty"`
	Layers  []int    `json:"layers,omitempty" yaml:"layers,omitempty"`
	Scaling string   `json:"scaling,omitempty" yaml:"scaling,omitempty"`
	Init    string   `json:"init,omitempty" yaml:"init,omitempty"`
	Dropout float64  `json:"dropout,omitempty" yaml:"dropout,omitempty"`

	// Adapters: bottleneck size r; AdapterD drops the adapters of the lowest DropK blocks.
	Size  int `json:"size,omitempty" yaml:"size,omitempty"`
	DropK int `json:"drop_k,omitempty" yaml:"drop_k,omitempty"`

	// Prefix methods: l_p prefix and l_i infix tokens.
	Prefix int `json:"prefix,omitempty" yaml:"prefix,omitempty"`
	Infix  int `json:"infix,omitempty" yaml:"infix,omitempty"`

	// LR overrides the sweep's learning rate for this setting (0 = the sweep's).
	LR float64 `json:"lr,omitempty" yaml:"lr,omitempty"`
}

// Dims are the model dimensions the parameter formulas need.
type Dims struct {
	Arch                       string // "encoder" or "decoder"
	Vocab, DModel, Layers, DFF int
	MaxLen                     int
	NumLabels                  int // encoder head outputs; 0 for none
}

// Label is a short human name for the setting, e.g. "lora r=8 q,v" or "adapter_h r=16".
func (s Spec) Label() string {
	switch s.Name {
	case LoRA:
		l := fmt.Sprintf("lora r=%d %s", s.Rank, strings.Join(s.Targets, ","))
		if s.Scaling == "rslora" {
			l += " rs"
		}
		return l
	case AdapterH, AdapterL, AdapterP:
		return fmt.Sprintf("%s r=%d", s.Name, s.Size)
	case AdapterD:
		return fmt.Sprintf("%s r=%d drop=%d", s.Name, s.Size, s.DropK)
	case PrefixEmbed, PrefixLayer:
		return fmt.Sprintf("%s lp=%d li=%d", s.Name, s.Prefix, s.Infix)
	}
	return s.Name
}

// Validate reports every problem of s for a model of dimensions d, joined in one error.
func (s Spec) Validate(d Dims) error {
	var errs []string
	bad := func(format string, a ...any) { errs = append(errs, fmt.Sprintf(format, a...)) }
	if !slices.Contains(Names(), s.Name) {
		bad("unknown method %q (want one of %s)", s.Name, strings.Join(Names(), ", "))
	}
	switch s.Name {
	case LoRA:
		if s.Rank < 1 || s.Rank > d.DModel {
			bad("lora rank %d out of range [1, d_model=%d]", s.Rank, d.DModel)
		}
		targets := Targets()
		if len(s.Targets) == 0 {
			bad("lora needs at least one target (%s)", strings.Join(targets, ", "))
		}
		for _, t := range s.Targets {
			if !slices.Contains(targets, t) {
				bad("unknown lora target %q (want %s or %s)", t, strings.Join(targets[:len(targets)-1], ", "), targets[len(targets)-1])
			}
		}
		for _, l := range s.Layers {
			if l < 0 || l >= d.Layers {
				bad("lora layer %d out of range [0, %d)", l, d.Layers)
			}
		}
		if s.Scaling != "" && s.Scaling != "standard" && s.Scaling != "rslora" {
			bad("unknown lora scaling %q (want standard or rslora)", s.Scaling)
		}
		if s.Init != "" && s.Init != "kaiming" && s.Init != "gaussian" {
			bad("unknown lora init %q (want kaiming or gaussian)", s.Init)
		}
		if s.Dropout < 0 || s.Dropout >= 1 {
			bad("lora dropout %g out of range [0, 1)", s.Dropout)
		}
	case AdapterH, AdapterL, AdapterP, AdapterD:
		if s.Size < 1 || s.Size > d.DModel {
			bad("%s size %d out of range [1, d_model=%d]", s.Name, s.Size, d.DModel)
		}
		if s.Name == AdapterD && (s.DropK < 0 || s.DropK >= d.Layers) {
			bad("adapter_d drop_k %d out of range [0, layers=%d)", s.DropK, d.Layers)
		}
	case PrefixEmbed, PrefixLayer:
		if s.Prefix < 0 || s.Infix < 0 || s.Prefix+s.Infix == 0 {
			bad("%s needs prefix >= 0, infix >= 0 and prefix+infix >= 1 (got %d, %d)", s.Name, s.Prefix, s.Infix)
		}
		if s.Prefix+s.Infix >= d.MaxLen {
			bad("%s uses %d slots, at least max_len=%d", s.Name, s.Prefix+s.Infix, d.MaxLen)
		}
	}
	if s.LR < 0 {
		bad("negative learning rate %g", s.LR)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s: %s", s.Label(), strings.Join(errs, "; "))
	}
	return nil
}

// targetShape is the (in, out) of a targetable matrix.
func targetShape(t string, d Dims) (in, out int) {
	switch t {
	case "fc1":
		return d.DModel, d.DFF
	case "fc2":
		return d.DFF, d.DModel
	case "emb":
		return d.Vocab, d.DModel
	}
	return d.DModel, d.DModel
}

// loraLayers is the number of blocks LoRA is applied in.
func (s Spec) loraLayers(d Dims) int {
	if len(s.Layers) > 0 {
		return len(s.Layers)
	}
	return d.Layers
}

// PaperParams is the trainable-parameter count by the paper's formulas (Section 5.1),
// excluding any classifier head:
//
//	PreEmbed  d (lp + li)
//	PreLayer  L d (lp + li)
//	Adapter   L_adpt (2 d r + r + d) + 2 L_LN d
//	LoRA      2 L_lora d r for square d x d targets; r (in + out) per adapted matrix in general
//	          (the token embedding, V x d, is one matrix whatever the layers)
//	BitFit    every bias (LayerNorm biases included); FT every weight; FTTop2 the last two blocks
func PaperParams(s Spec, d Dims) (int, error) {
	if err := s.Validate(d); err != nil {
		return 0, err
	}
	dm, L := d.DModel, d.Layers
	switch s.Name {
	case PrefixEmbed:
		return dm * (s.Prefix + s.Infix), nil
	case PrefixLayer:
		return L * dm * (s.Prefix + s.Infix), nil
	case AdapterH: // two adapters per block, both LayerNorms of the block trainable
		return adapterFormula(2*L, 2*L, dm, s.Size), nil
	case AdapterL: // one adapter after the MLP and one trainable LayerNorm per block
		return adapterFormula(L, L, dm, s.Size), nil
	case AdapterP: // one adapter after the MLP per block, LayerNorms frozen
		return adapterFormula(L, 0, dm, s.Size), nil
	case AdapterD: // AdapterH without the lowest DropK blocks
		k := L - s.DropK
		return adapterFormula(2*k, 2*k, dm, s.Size), nil
	case LoRA:
		perLayer, once := 0, 0
		for _, t := range s.Targets {
			in, out := targetShape(t, d)
			if t == "emb" { // the token embedding is one matrix, not one per layer
				once += s.Rank * (in + out)
			} else {
				perLayer += s.Rank * (in + out)
			}
		}
		return perLayer*s.loraLayers(d) + once, nil
	case BitFit:
		return blockBiases(d)*L + dm, nil // + the bias of the final (decoder) or embedding (encoder) LayerNorm
	case FT:
		return d.Vocab*dm + d.MaxLen*dm + blockParams(d)*L + 2*dm, nil
	case FTTop2:
		return blockParams(d) * min(2, L), nil
	}
	return 0, fmt.Errorf("method %q has no paper formula", s.Name)
}

func adapterFormula(adapters, norms, d, r int) int {
	return adapters*(2*d*r+r+d) + 2*norms*d
}

// blockBiases counts the biases of one block: q, k, v, o, fc1, fc2 and two LayerNorms.
func blockBiases(d Dims) int { return 4*d.DModel + d.DFF + d.DModel + 2*d.DModel }

// blockParams counts every parameter of one transformer block.
func blockParams(d Dims) int {
	dm := d.DModel
	return 4*dm*dm + 2*dm*d.DFF + blockBiases(d) + 2*dm // weights, biases, LayerNorm gains
}

// ParseTargets reads "q,v" into []string{"q", "v"}.
func ParseTargets(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
