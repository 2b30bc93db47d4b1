package analysis

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"loralab/experiments"
	"loralab/experiments/record"
)

// baseOf is the base folder a run started from, as its config records it (RunSpec.Base);
// the zero BaseFolder for a pretrained base or a result that does not say.
func baseOf(r record.Result) experiments.BaseFolder {
	var b experiments.BaseFolder
	if m, ok := r.Config["base_folder"].(map[string]any); ok {
		decodeInto(m, &b)
	}
	return b
}

// compareBases orders bases by pretraining tokens (unknown last), then by folder.
func compareBases(a, b experiments.BaseFolder) int {
	switch {
	case a.Tokens == nil && b.Tokens != nil:
		return 1
	case a.Tokens != nil && b.Tokens == nil:
		return -1
	case a.Tokens != nil && *a.Tokens != *b.Tokens:
		return cmp.Compare(*a.Tokens, *b.Tokens)
	}
	return cmp.Compare(a.Dir, b.Dir)
}

// Bases lists the base folders of the summary's groups, by pretraining tokens: one entry
// (possibly the zero BaseFolder of a pretrained base) unless the sweep ran on the base axis.
func (s Summary) Bases() []experiments.BaseFolder {
	var out []experiments.BaseFolder
	for _, g := range slices.Concat(s.Groups, s.Searches) {
		if !slices.ContainsFunc(out, func(b experiments.BaseFolder) bool { return b.Dir == g.Base.Dir }) {
			out = append(out, g.Base)
		}
	}
	slices.SortFunc(out, compareBases)
	return out
}

// OfBase is the part of the summary on the base folder dir: its groups and searches.
func (s Summary) OfBase(dir string) Summary {
	other := func(g Group) bool { return g.Base.Dir != dir }
	out := s
	out.Groups = slices.DeleteFunc(slices.Clone(s.Groups), other)
	out.Searches = slices.DeleteFunc(slices.Clone(s.Searches), other)
	out.Unchosen = slices.DeleteFunc(slices.Clone(s.Unchosen), func(u string) bool { return !strings.HasSuffix(u, onBase(dir)) })
	return out
}

// onBase is what a label of a run on the base folder dir ends with ("" for no folder).
func onBase(dir string) string {
	if dir == "" {
		return ""
	}
	return " on base " + dir
}

// baseTitle describes a base for titles: its folder and pretraining tokens.
func baseTitle(b experiments.BaseFolder) string {
	if b.Tokens == nil {
		return "base " + b.Dir
	}
	return fmt.Sprintf("base %s (%s pretraining tokens)", b.Dir, formatParams(int(*b.Tokens)))
}

// perBase runs the report steps once per base of a sweep on the base axis, each time with
// the sweep's runs and the summary cut to that base, so that no table, figure or list
// mixes bases; the files written get the base in their names (named) and the sections the
// base in their titles. A sweep with one base runs them once, as they are.
func (r *reporter) perBase(steps ...func() error) func() error {
	return func() error {
		bases := r.summary.Bases()
		if len(bases) < 2 {
			return runSteps(steps)
		}
		sweep, summary := r.sweep, r.summary
		defer func() { r.sweep, r.summary, r.base = sweep, summary, nil }()
		for _, b := range bases {
			cut := *sweep
			cut.Runs = slices.DeleteFunc(slices.Clone(sweep.Runs), func(run Run) bool { return baseOf(run.Result).Dir != b.Dir })
			r.sweep, r.summary, r.base = &cut, summary.OfBase(b.Dir), &b
			first := len(r.produced.Sections)
			if err := runSteps(steps); err != nil {
				return err
			}
			for i := first; i < len(r.produced.Sections); i++ {
				r.produced.Sections[i].Title += ": " + baseTitle(b)
			}
		}
		return nil
	}
}

// runSteps runs report steps in order, stopping at the first error.
func runSteps(steps []func() error) error {
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// named is the file name of a table or figure of the report: name itself, or, in a step
// that perBase runs for one base, name with the base's folder in it.
func (r *reporter) named(name string) string {
	if r.base == nil {
		return name
	}
	return name + "_" + slug(r.base.Dir)
}
