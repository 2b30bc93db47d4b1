package metrics

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// syntheticE2ECorpus builds a corpus the size of the E2E NLG test set (630 inputs, about 7
// references each, about 20 tokens a sentence) from a Zipf-distributed vocabulary, each
// output a reference with a few random edits.
func syntheticE2ECorpus() ([][]string, [][][]string) {
	rng := rand.New(rand.NewPCG(7, 11))
	zipf := rand.NewZipf(rng, 1.2, 1, 299)
	word := func() string { return fmt.Sprintf("w%d", zipf.Uint64()) }
	hyps := make([][]string, 630)
	refs := make([][][]string, 630)
	for i := range hyps {
		refs[i] = make([][]string, 7)
		for j := range refs[i] {
			refs[i][j] = make([]string, 14+rng.IntN(14))
			for k := range refs[i][j] {
				refs[i][j][k] = word()
			}
		}
		hyp := append([]string(nil), refs[i][rng.IntN(7)]...)
		for range 4 {
			hyp[rng.IntN(len(hyp))] = word()
		}
		hyps[i] = hyp
	}
	return hyps, refs
}

func BenchmarkGenerationMetrics(b *testing.B) {
	hyps, refs := syntheticE2ECorpus()
	for name, metric := range generationMetrics() {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := metric(hyps, refs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
