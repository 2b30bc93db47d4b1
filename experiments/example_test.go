package experiments_test

import (
	"fmt"

	"loralab/experiments"
	"loralab/method"
)

// A sweep file with mistakes: every one is reported, each with its position.
func ExampleParse() {
	sweep := `name: demo
model:
  arch: encoder
  preset: tiny
  pretraining: {corpus: embedded-corpus, steps: 100}
tasks: [embedded-cls]
train: {steps: 100, lr: 1e-3}
methods:
  - {name: lora, rank: [8, 512], targets: [q, w]}
  - {name: adapter, size: 8}
seeds: [1, 2]
`
	_, err := experiments.Parse("demo.yaml", []byte(sweep), experiments.ParseOptions{})
	fmt.Println(err)
	// Output:
	// demo.yaml:9:28: methods[0].rank[1]: 512 is out of range, want 1..128 (d_model)
	// demo.yaml:9:47: methods[0].targets: unknown target "w", want q, k, v, o, fc1, fc2 or emb
	// demo.yaml:10:12: methods[1].name: unknown method "adapter", want one of ft, fttop2, bitfit, prefix_embed, prefix_layer, adapter_h, adapter_l, adapter_p, adapter_d, lora, dora, vera
}

// The paper's Table 5 on the tiny model (d=128, 4 layers): one budget, three target sets.
func ExampleSolveBudget() {
	dims := method.Dims{Arch: "encoder", Vocab: 4096, DModel: 128, Layers: 4, DFF: 512, MaxLen: 256}
	for _, targets := range [][]string{{"q"}, {"q", "v"}, {"q", "k", "v", "o"}} {
		spec, _ := experiments.SolveBudget(method.Spec{Name: method.LoRA, Targets: targets}, dims, 8192)
		n, _ := method.PaperParams(spec, dims)
		fmt.Printf("%-16s %d params\n", spec.Label(), n)
	}
	// Output:
	// lora r=8 q       8192 params
	// lora r=4 q,v     8192 params
	// lora r=2 q,k,v,o 8192 params
}
