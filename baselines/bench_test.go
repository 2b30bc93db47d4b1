package baselines

import (
	"math/rand/v2"
	"testing"

	"loralab/method"
	"loralab/model"
	"loralab/nn"
)

// BenchmarkForward times one no-grad forward pass (with the LM projection) of the tiny
// decoder preset (d=128, 4 blocks, vocabulary 4096) at batch 1 and sequence 128, on one
// thread, for the base model and with adapters or prefixes: the setting of the paper's
// latency study (Table 1), where adapters add latency at batch 1.
//
//	go test -run '^$' -bench Forward -benchtime 200x ./baselines/
func BenchmarkForward(b *testing.B) {
	cfg, err := model.Preset("tiny", model.Decoder, 4096)
	if err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name string
		spec *method.Spec // nil: the base model
	}{
		{"base", nil},
		{"adapter_h_r8", &method.Spec{Name: method.AdapterH, Size: 8}},
		{"adapter_l_r8", &method.Spec{Name: method.AdapterL, Size: 8}},
		{"prefix_layer_16", &method.Spec{Name: method.PrefixLayer, Prefix: 16}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			m, err := model.NewModel(cfg, 1)
			if err != nil {
				b.Fatal(err)
			}
			m.Freeze()
			lp, li := 0, 0
			if c.spec != nil {
				meth := applied(b, *c.spec, m, 1)
				lp, li = meth.Slots()
			}
			batch := slotBatch(rand.New(rand.NewPCG(1, 1)), cfg.Vocab, 1, 128, lp, li, 0)
			tp := nn.NewTape(1)
			tp.SetTrain(false)
			tp.SetGrad(false)
			forward := func() {
				m.LMLogits(tp, m.Forward(tp, batch, &model.Context{Batch: batch}))
				tp.Reset()
			}
			forward() // size the tape's buffers
			for b.Loop() {
				forward()
			}
			b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms/op")
		})
	}
}
