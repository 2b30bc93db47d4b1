package lora

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"loralab/method"
	"loralab/model"
	"loralab/model/safetensors"
	"loralab/model/target"
)

// hfModules lists the module paths of a model of the family that PEFT's target_modules
// could match, in the given layers: every target's and the classification head's, each
// with the targets it holds (q, k and v share GPT-2's c_attn; none for the head).
func hfModules(m *model.Model, family string, layers []int) map[string][]string {
	paths := map[string][]string{}
	for _, t := range target.All() {
		if !t.PerLayer {
			paths[pathIn(t, family, 0)] = []string{t.Name}
			continue
		}
		for _, layer := range layers {
			path := pathIn(t, family, layer)
			paths[path] = append(paths[path], t.Name)
		}
	}
	if m.Head != nil {
		h := headNamesOf(family)
		paths[h.module+"."+h.dense], paths[h.module+"."+h.out] = nil, nil
	}
	return paths
}

// matches reports whether a target_modules entry names the module path, as PEFT matches
// them: the whole path or its last dot-separated parts.
func matches(path, entry string) bool {
	return path == entry || strings.HasSuffix(path, "."+entry)
}

// adaptedLayers are the block indices the setting adapts in m.
func adaptedLayers(s method.Spec, m *model.Model) []int {
	if len(s.Layers) > 0 {
		return slices.Sorted(slices.Values(s.Layers))
	}
	var all []int
	for _, b := range m.Blocks {
		all = append(all, b.Index)
	}
	return all
}

// hfFields rewrites the configuration's module names for a model imported from Hugging
// Face: target_modules as the shortest suffixes of the model's module paths that match the
// adapted modules and no other (full paths where none does, as for RoBERTa's output.dense
// without attention.output.dense), layers_pattern, fan_in_fan_out for GPT-2's Conv1D, and
// the rank and alpha of GPT-2's fused c_attn when it holds several of q, k, v.
func (l *LoRA) hfFields(c *PEFTConfig) {
	family, s := familyOf(l.model), l.spec
	layers := adaptedLayers(s, l.model)
	paths := hfModules(l.model, family, layers)
	adapted := func(path string) bool {
		return slices.ContainsFunc(paths[path], func(t string) bool { return slices.Contains(s.Targets, t) })
	}
	c.TargetModules = nil
	add := func(entry string) {
		if !slices.Contains(c.TargetModules, entry) {
			c.TargetModules = append(c.TargetModules, entry)
		}
	}
	for _, t := range target.All() {
		if !slices.Contains(s.Targets, t.Name) {
			continue
		}
		own := pathIn(t, family, layers[0])
		if !t.PerLayer {
			own = pathIn(t, family, 0)
		}
		parts := strings.Split(own, ".")
		found := false
		for n := 1; n <= len(parts) && !found; n++ {
			entry := strings.Join(parts[len(parts)-n:], ".")
			if strings.IndexFunc(entry, func(r rune) bool { return r >= '0' && r <= '9' }) >= 0 {
				break // a layer number: the entry would name one layer only
			}
			clash := false
			for path := range paths {
				clash = clash || (matches(path, entry) && !adapted(path))
			}
			if !clash {
				add(entry)
				found = true
			}
		}
		if !found {
			for _, layer := range layers {
				add(pathIn(t, family, layer))
			}
		}
	}
	if len(s.Layers) > 0 {
		c.LayersPattern = layersPattern(family)
	}
	c.FanInFanOut = family == model.FamilyGPT2
	if n := fusedCount(s, family); n > 1 {
		c.RankPattern = map[string]int{cAttn: n * s.Rank}
		c.AlphaPattern = map[string]float64{cAttn: fusedAlpha(s, n)}
	}
}

// cAttn is the last part of GPT-2's fused attention projection's module path.
const cAttn = "c_attn"

// fusedCount is how many of GPT-2's fused q, k, v the setting adapts (0 on other families).
func fusedCount(s method.Spec, family string) int {
	if family != model.FamilyGPT2 {
		return 0
	}
	n := 0
	for _, t := range target.All() {
		if t.FusedInGPT2() && slices.Contains(s.Targets, t.Name) {
			n++
		}
	}
	return n
}

// fusedAlpha is the lora_alpha that gives a c_attn LoRA of rank n·r the scale of the
// setting's rank-r updates: α·n, or α·√n with rsLoRA's α/√r.
func fusedAlpha(s method.Spec, n int) float64 {
	if s.Scaling == ScalingRSLoRA {
		return alphaOf(s) * math.Sqrt(float64(n))
	}
	return alphaOf(s) * float64(n)
}

// specOn is the setting the configuration describes on m, whose module paths are
// loralab's or those of the Hugging Face checkpoint it came from. On GPT-2 the parts of
// the fused c_attn that are adapted are read from f: the column blocks of its B
// (fusedParts). general reports a c_attn LoRA whose q, k and v share A.
func (c PEFTConfig) specOn(m *model.Model, f *safetensors.File) (s method.Spec, general bool, err error) {
	family := familyOf(m)
	if family == "" {
		s, err = c.Spec()
		return s, false, err
	}
	if s, err = c.baseSpec(family); err != nil {
		return s, false, err
	}
	paths := hfModules(m, family, adaptedLayers(s, m))
	for _, entry := range c.TargetModules {
		var names []string
		for path, ts := range paths {
			for _, t := range ts {
				if matches(path, entry) && !slices.Contains(names, t) {
					names = append(names, t)
				}
			}
		}
		if len(names) == 0 {
			return s, false, fmt.Errorf("target_modules entry %q names no adaptable module of the %s model, want a suffix of one of %s",
				entry, family, strings.Join(familyPaths(family), ", "))
		}
		for _, n := range names {
			if !slices.Contains(s.Targets, n) {
				s.Targets = append(s.Targets, n)
			}
		}
	}
	s.Targets = inModelOrder(s.Targets)
	if fusedCount(s, family) == 0 {
		if len(c.RankPattern) > 0 || len(c.AlphaPattern) > 0 {
			return s, false, errors.New("rank_pattern or alpha_pattern set: per-module ranks and alphas are supported only for GPT-2's fused c_attn")
		}
		return s, false, nil
	}
	return c.fusedSpec(s, m, f)
}

// familyPaths lists the module names of a family's adaptable matrices, as target_modules
// may write them.
func familyPaths(family string) []string {
	var out []string
	for _, t := range target.All() {
		if p := pathIn(t, family, 0); !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// fusedSpec replaces q, k, v of a GPT-2 setting by the parts that its c_attn LoRA holds:
// rank_pattern gives c_attn rank n·r for n of them, alpha_pattern keeps their scale, and
// the column blocks of B say which ones (fusedParts).
func (c PEFTConfig) fusedSpec(s method.Spec, m *model.Model, f *safetensors.File) (method.Spec, bool, error) {
	r, alpha := s.Rank, alphaOf(s)
	rFused, alphaFused := r, alpha
	for key, v := range c.RankPattern {
		if !matches("attn."+cAttn, key) {
			return s, false, fmt.Errorf("rank_pattern %q: per-module ranks are supported only for GPT-2's fused c_attn", key)
		}
		rFused = v
	}
	for key, v := range c.AlphaPattern {
		if !matches("attn."+cAttn, key) {
			return s, false, fmt.Errorf("alpha_pattern %q: per-module alphas are supported only for GPT-2's fused c_attn", key)
		}
		alphaFused = v
	}
	n := rFused / max(r, 1)
	if r < 1 || rFused%r != 0 || n < 1 || n > 3 {
		return s, false, fmt.Errorf("rank_pattern gives c_attn rank %d, want r (%d) times the number of q, k, v it adapts (1 to 3)", rFused, r)
	}
	if want := fusedAlpha(s, n); math.Abs(alphaFused-want) > 1e-9*want {
		return s, false, fmt.Errorf("c_attn has rank %d and lora_alpha %g: its scale differs from the other modules'; want alpha_pattern c_attn %g", rFused, alphaFused, want)
	}
	parts, general, err := fusedParts(f, m, adaptedLayers(s, m), r, n)
	if err != nil {
		return s, false, err
	}
	s.Targets = slices.DeleteFunc(s.Targets, func(name string) bool {
		t, _ := target.Lookup(name)
		return t.FusedInGPT2()
	})
	for _, t := range target.All() {
		if t.FusedInGPT2() && slices.Contains(parts, t.GPT2Part) {
			s.Targets = append(s.Targets, t.Name)
		}
	}
	s.Targets = inModelOrder(s.Targets)
	return s, general, nil
}

// fusedParts finds which of q, k, v (GPT-2 parts 0, 1, 2) a c_attn LoRA of rank n·r holds:
// column block j of B (columns j·r to (j+1)·r) must be nonzero in the rows of one part
// only, the same in every layer, and the parts ascend with j. A rank-r LoRA whose B spans
// several parts is the general case: q, k and v share A (general true). Blocks that are
// zero in every layer take the first parts that keep the order; n = 3 is q, k, v.
func fusedParts(f *safetensors.File, m *model.Model, layers []int, r, n int) (parts []int, general bool, err error) {
	if n == 3 {
		return []int{0, 1, 2}, false, nil
	}
	d := m.Cfg.DModel
	seen := make([]int, n)
	for j := range seen {
		seen[j] = -1
	}
	q, _ := target.Lookup("q")
	for _, layer := range layers {
		key := peftPrefix + pathIn(q, model.FamilyGPT2, layer) + peftB
		b, err := f.Float32(key, []int{3 * d, n * r})
		if err != nil {
			continue // the loader reports it with the other tensors
		}
		for j := range n {
			var nonzero []int
			for p := range 3 {
				if blockNonzero(b, n*r, p*d, d, j*r, r) {
					nonzero = append(nonzero, p)
				}
			}
			switch {
			case len(nonzero) > 1 && n == 1:
				return []int{0, 1, 2}, true, nil
			case len(nonzero) > 1:
				return nil, false, fmt.Errorf("%s: columns %d to %d are nonzero in the rows of %s: a LoRA on c_attn of rank %d must be block-structured (one of q, k, v per rank-%d block of columns)",
					key, j*r, (j+1)*r-1, partNames(nonzero), n*r, r)
			case len(nonzero) == 1 && seen[j] >= 0 && seen[j] != nonzero[0]:
				return nil, false, fmt.Errorf("%s: columns %d to %d hold %s, other layers %s: the adapted parts of c_attn must be the same in every layer",
					key, j*r, (j+1)*r-1, partNames(nonzero), partNames(seen[j:j+1]))
			case len(nonzero) == 1:
				seen[j] = nonzero[0]
			}
		}
	}
	if n == 1 && seen[0] < 0 {
		return []int{0, 1, 2}, true, nil
	}
	for _, cand := range ascendingSubsets(n) {
		ok := true
		for j, p := range cand {
			ok = ok && (seen[j] < 0 || seen[j] == p)
		}
		if ok {
			return cand, false, nil
		}
	}
	return nil, false, fmt.Errorf("the column blocks of c_attn's lora_B hold %s: want the parts in the order q, k, v", partNames(seen))
}

// blockNonzero reports whether the block rows [row, row+rows) × cols [col, col+cols) of
// the row-major matrix b of the given width holds a nonzero value.
func blockNonzero(b []float32, width, row, rows, col, cols int) bool {
	for i := row; i < row+rows; i++ {
		for _, v := range b[i*width+col : i*width+col+cols] {
			if v != 0 {
				return true
			}
		}
	}
	return false
}

// ascendingSubsets lists the n-element subsets of {0, 1, 2} in ascending order.
func ascendingSubsets(n int) [][]int {
	var out [][]int
	for mask := range 8 {
		var s []int
		for p := range 3 {
			if mask&(1<<p) != 0 {
				s = append(s, p)
			}
		}
		if len(s) == n {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, slices.Compare)
	return out
}

// partNames names GPT-2 c_attn parts: 0 q, 1 k, 2 v (-1, an all-zero block, "?").
func partNames(parts []int) string {
	var names []string
	for _, p := range parts {
		name := "?"
		for _, t := range target.All() {
			if t.FusedInGPT2() && t.GPT2Part == p {
				name = t.Name
			}
		}
		names = append(names, name)
	}
	return strings.Join(names, ", ")
}

// pathIn is the full module path of target t in block layer of a model of the family
// (model.Origin): Hugging Face RoBERTa's or GPT-2's, or loralab's own for "".
func pathIn(t target.Matrix, family string, layer int) string {
	switch family {
	case model.FamilyRoBERTa:
		return t.RoBERTaPath(layer)
	case model.FamilyGPT2:
		return t.GPT2Path(layer)
	}
	return t.Path(layer)
}

// layersPattern is the name of the module list holding a family's blocks: PEFT's
// layers_pattern.
func layersPattern(family string) string {
	switch family {
	case model.FamilyRoBERTa:
		return "layer"
	case model.FamilyGPT2:
		return "h"
	}
	return "blocks"
}

// inModelOrder returns the target names in model order (the embedding, then a block's).
func inModelOrder(names []string) []string {
	var out []string
	for _, t := range target.All() {
		if slices.Contains(names, t.Name) {
			out = append(out, t.Name)
		}
	}
	return out
}
