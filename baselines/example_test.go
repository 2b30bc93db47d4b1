package baselines_test

import (
	"fmt"
	"log"

	"loralab/method"
	"loralab/model"
	"loralab/tuner"
)

// Build a baseline from its setting, apply it to a model and count its parameters both
// ways: the actual trainable tensors and the paper's formula.
func Example() {
	cfg, err := model.Preset("tiny", model.Decoder, 4096)
	if err != nil {
		log.Fatal(err)
	}
	for _, spec := range []method.Spec{
		{Name: method.BitFit},
		{Name: method.PrefixLayer, Prefix: 16, Infix: 0},
		{Name: method.AdapterH, Size: 8},
		{Name: method.AdapterD, Size: 8, DropK: 2},
	} {
		m, err := model.NewModel(cfg, 1)
		if err != nil {
			log.Fatal(err)
		}
		meth, err := tuner.New(spec)
		if err != nil {
			log.Fatal(err)
		}
		if err := meth.Apply(m, 1); err != nil {
			log.Fatal(err)
		}
		c, err := tuner.Count(meth, m)
		if err != nil {
			log.Fatal(err)
		}
		lp, li := meth.Slots()
		fmt.Printf("%-24s trainable %6d  paper %6d  slots %d+%d  merge: %v\n", spec.Label(), c.Trainable, c.Paper, lp, li, meth.Merge())
	}
	// Output:
	// bitfit                   trainable   5760  paper   5760  slots 0+0  merge: <nil>
	// prefix_layer lp=16 li=0  trainable   8192  paper   8192  slots 16+0  merge: baselines: prefix_layer lp=16 li=0: method cannot be merged into the base weights
	// adapter_h r=8            trainable  19520  paper  19520  slots 0+0  merge: baselines: adapter_h r=8: method cannot be merged into the base weights
	// adapter_d r=8 drop=2     trainable   9760  paper   9760  slots 0+0  merge: baselines: adapter_d r=8 drop=2: method cannot be merged into the base weights
}
