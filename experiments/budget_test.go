package experiments

import (
	"strings"
	"testing"

	"loralab/method"
)

// TestSolveBudget checks budget solving against counts worked out by hand from the paper's
// formulas (Section 5.1) for the tiny model (d=128, L=4) and for GPT-3 175B (d=12288, L=96).
func TestSolveBudget(t *testing.T) {
	tiny := method.Dims{Arch: "encoder", Vocab: 512, DModel: 128, Layers: 4, DFF: 512, MaxLen: 256}
	gpt3 := method.Dims{Arch: "decoder", Vocab: 50257, DModel: 12288, Layers: 96, DFF: 49152, MaxLen: 2048}
	tests := []struct {
		name   string
		spec   method.Spec
		dims   method.Dims
		budget int
		want   int // the solved rank, size or prefix length
	}{
		// LoRA on square targets: 2 L d r per matrix = 1024 r per matrix here.
		{"lora q exact", method.Spec{Name: "lora", Targets: []string{"q"}}, tiny, 8192, 8},
		{"lora q,v", method.Spec{Name: "lora", Targets: []string{"q", "v"}}, tiny, 8192, 4},
		{"lora q,k,v,o", method.Spec{Name: "lora", Targets: []string{"q", "k", "v", "o"}}, tiny, 8192, 2},
		{"lora q below a step", method.Spec{Name: "lora", Targets: []string{"q"}}, tiny, 8191, 7},
		{"lora nothing fits", method.Spec{Name: "lora", Targets: []string{"q"}}, tiny, 500, 1},
		{"lora budget above d_model", method.Spec{Name: "lora", Targets: []string{"q"}}, tiny, 1 << 30, 128},
		// fc1 is d x d_ff: r (d + d_ff) L = 2560 r.
		{"lora fc1", method.Spec{Name: "lora", Targets: []string{"fc1"}}, tiny, 10000, 3},
		// LoRA on two of four layers: 2 * 2 * 128 r = 512 r.
		{"lora two layers", method.Spec{Name: "lora", Targets: []string{"q"}, Layers: []int{0, 3}}, tiny, 2048, 4},
		// AdapterH: 2L (2 d r + r + d) + 2 (2L) d = 2056 r + 3072.
		{"adapter_h", method.Spec{Name: "adapter_h"}, tiny, 20000, 8},
		// AdapterD without the lowest 2 blocks: 4 (257 r + 128) + 2*4*128 = 1028 r + 1536.
		{"adapter_d drop 2", method.Spec{Name: "adapter_d", DropK: 2}, tiny, 10000, 8},
		// PreLayer: L d (lp + li) = 512 (lp + 2).
		{"prefix_layer with infix", method.Spec{Name: "prefix_layer", Infix: 2}, tiny, 5000, 7},
		{"prefix_layer infix alone fits", method.Spec{Name: "prefix_layer", Infix: 2}, tiny, 1024, 0},
		// PreEmbed: d lp = 128 lp; the smallest is lp = 1 when there is no infix.
		{"prefix_embed nothing fits", method.Spec{Name: "prefix_embed"}, tiny, 100, 1},
		// The paper's Table 5: 18.9 M parameters give r=8 on Wq, r=4 on Wq,Wv, r=2 on all four.
		{"gpt3 q", method.Spec{Name: "lora", Targets: []string{"q"}}, gpt3, 18874368, 8},
		{"gpt3 q,v", method.Spec{Name: "lora", Targets: []string{"q", "v"}}, gpt3, 18874368, 4},
		{"gpt3 q,k,v,o", method.Spec{Name: "lora", Targets: []string{"q", "k", "v", "o"}}, gpt3, 18874368, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SolveBudget(tt.spec, tt.dims, tt.budget)
			if err != nil {
				t.Fatal(err)
			}
			if v := method.SizeOf(got); v != tt.want {
				n, _ := method.PaperParams(got, tt.dims)
				t.Errorf("solved %d (%d params), want %d", v, n, tt.want)
			}
		})
	}
	if _, err := SolveBudget(method.Spec{Name: "bitfit"}, tiny, 100); err == nil {
		t.Error("budget for bitfit: no error")
	}
}

// TestSweepBudget checks the sweep-wide budget of the paper's Table 5 through the parser:
// each target set gets its own rank, and the runs say what was chosen.
func TestSweepBudget(t *testing.T) {
	text := strings.Replace(baseSweep, "  - {name: lora, rank: [2, 4], targets: [q, v]}\n  - {name: bitfit}\n",
		"  - {name: lora, targets: [[q], [q, v], [q, k, v, o]]}\n  - {name: adapter_h, budget: [3000, 20000]}\n", 1)
	text = strings.Replace(text, "tasks: [cls-a, reg-a]", "tasks: [cls-a]", 1)
	text += "budget: {params: 8192, method: lora}\n"
	runs, err := parseTest(t, text).Expand()
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		setting string
		budget  int
		params  int
	}
	want := []got{
		{"lora r=8 q", 8192, 8192}, {"lora r=4 q,v", 8192, 8192}, {"lora r=2 q,k,v,o", 8192, 8192},
		{"adapter_h r=1", 3000, 5128}, {"adapter_h r=8", 20000, 19520},
	}
	if len(runs) != 2*len(want) {
		t.Fatalf("%d runs, want %d", len(runs), 2*len(want))
	}
	for i, w := range want {
		r := runs[2*i]
		if g := (got{r.Method.Label(), r.Budget, r.PaperParams}); g != w {
			t.Errorf("run %d: got %+v, want %+v", i, g, w)
		}
		if r.Axes["budget"] != w.budget {
			t.Errorf("run %d: axes %v lack the budget", i, r.Axes)
		}
	}
	notes := budgetNotes(runs)
	if len(notes) != 5 || !strings.Contains(notes[1], "budget 8192 for lora: rank = 4, 8192 parameters") {
		t.Errorf("budget notes:\n%s", strings.Join(notes, "\n"))
	}
}
