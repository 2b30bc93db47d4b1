package lora_test

import (
	"fmt"
	"log"
	"os"

	"loralab/lora"
	"loralab/method"
	"loralab/model"
	"loralab/nn"
	"loralab/tuner"
)

// Adapt a decoder with LoRA r=8 on Wq and Wv, count its parameters, merge it for inference
// and export it in PEFT's format.
func Example() {
	cfg, err := model.Preset("tiny", model.Decoder, 4096)
	if err != nil {
		log.Fatal(err)
	}
	m, err := model.NewModel(cfg, 1)
	if err != nil {
		log.Fatal(err)
	}
	l, err := lora.New(method.Spec{Name: method.LoRA, Rank: 8, Alpha: 16, Targets: []string{"q", "v"}})
	if err != nil {
		log.Fatal(err)
	}
	if err := l.Apply(m, 42); err != nil { // freezes m, adds A (random) and B (zero)
		log.Fatal(err)
	}
	counts, err := tuner.Count(l, m)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("trainable %d (paper formula %d), scale %g\n", counts.Trainable, counts.Paper, l.Scale())

	// ... train l.Trainable() with nn.AdamW ...
	opt := nn.NewAdamW([]nn.ParamGroup{{Name: "lora", Params: l.Trainable()}})
	_ = opt

	if err := l.Merge(); err != nil { // W <- W + s B A: inference at the base model's cost
		log.Fatal(err)
	}
	fmt.Println("deltas on blocks.0.attn.q while merged:", len(m.Blocks[0].Q.Deltas))
	if err := l.Unmerge(); err != nil { // W back to W0, bit for bit
		log.Fatal(err)
	}

	dir, err := os.MkdirTemp("", "adapter")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := l.ExportPEFT(dir, lora.ExportOptions{BaseModel: "tiny-decoder"}); err != nil {
		log.Fatal(err)
	}
	fresh, err := model.NewModel(cfg, 1)
	if err != nil {
		log.Fatal(err)
	}
	back, err := lora.ImportPEFT(dir, fresh)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("imported:", back.Spec().Label())
	// Output:
	// trainable 16384 (paper formula 16384), scale 2
	// deltas on blocks.0.attn.q while merged: 0
	// imported: lora r=8 q,v
}

// Serve two adapters from one base model, in one batch.
func ExampleBank() {
	cfg, err := model.Preset("tiny", model.Decoder, 4096)
	if err != nil {
		log.Fatal(err)
	}
	m, err := model.NewModel(cfg, 1)
	if err != nil {
		log.Fatal(err)
	}
	bank, err := lora.NewBank(m)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := bank.Add("sentiment", method.Spec{Name: method.LoRA, Rank: 4, Targets: []string{"q", "v"}}, 1); err != nil {
		log.Fatal(err)
	}
	if _, err := bank.Add("topic", method.Spec{Name: method.LoRA, Rank: 8, Targets: []string{"q", "k", "v", "o"}}, 2); err != nil {
		log.Fatal(err)
	}
	if err := bank.Activate("topic"); err != nil { // serve one adapter to whole batches
		log.Fatal(err)
	}

	// A mixed batch: sequence 0 uses "sentiment", 1 the base model, 2 "topic".
	batch := &model.Batch{B: 3, T: 4, IDs: make([]int32, 12), AdapterIDs: []int{0, lora.NoAdapter, 1}}
	tp := nn.NewTape(1)
	tp.SetTrain(false)
	h := m.Forward(tp, batch, &model.Context{Batch: batch})
	fmt.Println(bank.Names(), bank.Active(), h.Shape)
	// Output:
	// [sentiment topic] topic [12 128]
}
