package datasets

import (
	"context"
	"fmt"
)

// Default split sizes of the embedded tasks: small enough to fine-tune in a few minutes.
var (
	embeddedCorpusSizes = [3]int{760, 40, 40} // documents, about 300 KB in all
	embeddedTaskSizes   = [3]int{2000, 500, 500}
	embeddedD2TSizes    = [3]int{1200, 200, 200}
)

// labelNoise is the fraction of embedded classification labels flipped at random, so that
// no method can reach 100% and over-fitting shows.
const labelNoise = 0.05

func (r *Registry) registerEmbedded() {
	r.add("embedded-corpus", "generated English-like documents (stories, reviews, scenes, restaurant blurbs) for pretraining", false,
		func(_ context.Context, o Options) (*Task, error) { return EmbeddedCorpus(o), nil })
	r.add("embedded-cls", "generated restaurant reviews, positive vs negative; negation, contrast and other people's opinions decide", false,
		func(_ context.Context, o Options) (*Task, error) { return EmbeddedClassification(o), nil })
	r.add("embedded-reg", "generated pairs of scene descriptions, similarity 0-5 from matching attributes (STS-B style)", false,
		func(_ context.Context, o Options) (*Task, error) { return EmbeddedRegression(o), nil })
	r.add("embedded-d2t", "generated restaurant meaning representations to sentences, several references each (E2E NLG style)", false,
		func(_ context.Context, o Options) (*Task, error) { return EmbeddedDataToText(o), nil })
	r.add("sotu-era-small", "real State of the Union passages, period of the address (4 classes); 1000/500/500, compiled in", false,
		func(_ context.Context, o Options) (*Task, error) { return SotuEraSmall(o) })
}

// generateUnique calls next until it has n examples whose key is new, numbering their
// groups prefix-0, prefix-1, ... Generated data repeats short items, and a repeat would
// put the same text in two splits.
func generateUnique(n int, prefix string, next func() Example, key func(Example) string) []Example {
	seen := make(map[string]bool, n)
	out := make([]Example, 0, n)
	for attempts := 0; len(out) < n && attempts < 50*n+1000; attempts++ {
		ex := next()
		k := key(ex)
		if seen[k] {
			continue
		}
		seen[k] = true
		ex.Group = fmt.Sprintf("%s-%d", prefix, len(out))
		out = append(out, ex)
	}
	return out
}

// dealSplits cuts generated examples, already in random order, into splits of the given sizes.
func dealSplits(t *Task, exs []Example, sizes [3]int) {
	t.Train = exs[:sizes[0]:sizes[0]]
	t.Validation = exs[sizes[0] : sizes[0]+sizes[1] : sizes[0]+sizes[1]]
	t.Test = exs[sizes[0]+sizes[1]:]
}

// embeddedSizes resolves the split sizes of an embedded task: the defaults, overridden by
// positive caps in the options (generated data has no "everything").
func embeddedSizes(o Options, def [3]int) [3]int {
	for i, v := range [3]int{o.MaxTrain, o.MaxValidation, o.MaxTest} {
		if v > 0 {
			def[i] = v
		}
	}
	return def
}

func total(sizes [3]int) int { return sizes[0] + sizes[1] + sizes[2] }
