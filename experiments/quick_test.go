package experiments

import (
	"context"
	"strings"
	"testing"
)

// TestQuickSweepLoads checks that the README's sweep file parses from the repository root
// (where its base, models/encoder, resolves) and expands to the runs it promises: FT and LoRA
// r=8 each searching two learning rates on the first seed, and the head-only control, over
// three seeds: 2 x 2 + 1 runs on seed 1, then 3 x 2 on seeds 2 and 3.
func TestQuickSweepLoads(t *testing.T) {
	t.Chdir("..")
	sw, err := Load("experiments/quick.yaml")
	if err != nil {
		t.Fatal(err)
	}
	runs, err := sw.Expand()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(runs), 2*2*3+1*3; got != want { // the full grid; first_seed runs fewer
		t.Fatalf("quick.yaml expands to %d runs, want %d", got, want)
	}
	for _, r := range runs {
		if r.Pretrain.From != "models/encoder" || r.Pretrain.Steps != 0 {
			t.Fatalf("run %s starts from %+v, want the shipped models/encoder and no pretraining", r.ID, r.Pretrain)
		}
	}
	var out strings.Builder
	if err := DryRun(context.Background(), &out, sw, Shard{}, nil); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"lora r=8 q,v", "ft", "head_only", "2 learning-rate searches", "sweep quick: 11 runs"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("dry run lacks %q:\n%s", want, out.String())
		}
	}
	t.Log("\n" + out.String())
}
