package experiments

import (
	"context"
	"strings"
	"testing"
)

// TestQuickSweepLoads checks that the README's sweep file parses and expands to the runs it
// promises: LoRA at two ranks, four baselines and the head-only control over three seeds,
// each but the control searching three learning rates on the first seed: 6 x 3 + 1 runs on
// seed 1, then 7 x 2 on seeds 2 and 3.
func TestQuickSweepLoads(t *testing.T) {
	sw, err := Load("quick.yaml")
	if err != nil {
		t.Fatal(err)
	}
	runs, err := sw.Expand()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(runs), 6*3*3+1*3; got != want { // the full grid; first_seed runs fewer
		t.Fatalf("quick.yaml expands to %d runs, want %d", got, want)
	}
	var out strings.Builder
	if err := DryRun(context.Background(), &out, sw, Shard{}, nil); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"lora r=2 q,v", "lora r=8 q,v", "adapter_h r=8", "prefix_layer lp=8 li=0", "head_only",
		"6 learning-rate searches", "sweep quick: 33 runs"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("dry run lacks %q:\n%s", want, out.String())
		}
	}
	t.Log("\n" + out.String())
}
