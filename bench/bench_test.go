package bench

import (
	"context"
	"testing"
	"time"

	_ "loralab/baselines"
	_ "loralab/lora"
	"loralab/method"
	"loralab/tuner"
)

// newMethod builds the methods the tests use (lora and the baselines, linked below).
func newMethod(s method.Spec) (tuner.Method, error) { return tuner.New(s) }

var tinyShape = Shape{Arch: "decoder", DModel: 16, Layers: 2, Heads: 2, Vocab: 50, MaxLen: 32}

func TestMedian(t *testing.T) {
	ms := time.Millisecond
	cases := []struct {
		in   []time.Duration
		want time.Duration
	}{
		{nil, 0},
		{[]time.Duration{3 * ms}, 3 * ms},
		{[]time.Duration{5 * ms, 1 * ms, 3 * ms}, 3 * ms},
		{[]time.Duration{4 * ms, 1 * ms, 3 * ms, 10 * ms}, 3500 * time.Microsecond},
	}
	for _, c := range cases {
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestTrainCounts(t *testing.T) {
	cases := []struct {
		spec      method.Spec
		trainable int
		added     int
	}{
		// LoRA r=2 on q,v: 2 blocks x 2 matrices x r(d+d) = 4 * 2 * 32 = 256, all added.
		{method.Spec{Name: method.LoRA, Rank: 2, Alpha: 2, Targets: []string{"q", "v"}}, 256, 256},
		// BitFit trains the base biases: 2 x (4*16 + 64 + 16 + 2*16) + 16 = 368, none added.
		{method.Spec{Name: method.BitFit}, 368, 0},
	}
	for _, c := range cases {
		res, err := Train(context.Background(), TrainOptions{Shape: tinyShape, Seq: 8, Batch: 2, Method: c.spec, Steps: 2, Threads: 1}, newMethod)
		if err != nil {
			t.Fatalf("%s: %v", c.spec.Label(), err)
		}
		if res.TrainableParams != c.trainable {
			t.Errorf("%s: trainable %d, want %d", c.spec.Label(), res.TrainableParams, c.trainable)
		}
		cfg := tinyShape.Config()
		base := cfg.Vocab*16 + cfg.MaxLen*16 + 2*(4*16*16+2*16*64+4*16+64+16+4*16) + 2*16
		if res.TotalParams != base+c.added {
			t.Errorf("%s: total %d, want %d", c.spec.Label(), res.TotalParams, base+c.added)
		}
		if !(res.TokensPerSecond > 0) || res.PeakRSSBytes <= 0 {
			t.Errorf("%s: tokens/s %v, peak RSS %d", c.spec.Label(), res.TokensPerSecond, res.PeakRSSBytes)
		}
	}
	if _, err := Train(context.Background(), TrainOptions{Shape: tinyShape, Seq: 64, Batch: 1, Steps: 1,
		Method: method.Spec{Name: method.FT}}, newMethod); err == nil {
		t.Error("seq 64 beyond max_len 32: no error")
	}
}

func TestLatencyRows(t *testing.T) {
	rows, err := Latency(context.Background(), LatencyOptions{Shape: tinyShape, Batch: 1, Seq: 8, Reps: 3, Threads: 1,
		Variants: DefaultVariants(2)}, newMethod)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"base", "lora merged", "lora unmerged", "adapter_h r=2", "adapter_l r=2"}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for i, r := range rows {
		if r.Variant != want[i] || !(r.MedianMillis > 0) {
			t.Errorf("row %d: %+v, want variant %q with a positive median", i, r, want[i])
		}
	}
	if rows[0].OverBasePct != 0 || rows[1].AddedParams != 2*2*2*32 {
		t.Errorf("base row %+v, lora row %+v", rows[0], rows[1])
	}
}
