package metrics_test

import (
	"fmt"

	"loralab/datasets/metrics"
)

// Scoring generated text: tokenize outputs and references the same way, then pass one
// reference set per output.
func Example() {
	outputs := []string{"The Eagle is a cheap coffee shop near Burger King."}
	references := [][]string{{
		"The Eagle is a cheap coffee shop near Burger King.",
		"Near Burger King, The Eagle coffee shop is cheap.",
	}}
	hyps := make([][]string, len(outputs))
	refs := make([][][]string, len(references))
	for i := range outputs {
		hyps[i] = metrics.Tokenize(outputs[i])
		for _, r := range references[i] {
			refs[i] = append(refs[i], metrics.Tokenize(r))
		}
	}
	bleu, err := metrics.BLEU(hyps, refs)
	if err != nil {
		fmt.Println(err)
		return
	}
	rouge, _ := metrics.RougeL(hyps, refs)
	fmt.Printf("tokens %q\nBLEU %.3f ROUGE-L %.3f\n", hyps[0], bleu, rouge)
	// Output:
	// tokens ["the" "eagle" "is" "a" "cheap" "coffee" "shop" "near" "burger" "king" "."]
	// BLEU 1.000 ROUGE-L 1.000
}

func ExampleMatthewsCorr() {
	pred := []int{1, 0, 1, 1, 0, 1}
	gold := []int{1, 0, 0, 1, 1, 1}
	mcc, _ := metrics.MatthewsCorr(pred, gold)
	fmt.Printf("%.2f\n", mcc)
	_, err := metrics.MatthewsCorr(pred, gold[:4])
	fmt.Println(err)
	// Output:
	// 0.25
	// mcc: 6 predictions but 4 gold labels: inputs differ in length
}
