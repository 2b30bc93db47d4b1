package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"loralab/method"
)

// variantsSweep lists a setting of every registered method on a model of d_model 16, d_ff 24,
// 2 layers.
const variantsSweep = `name: variants
model: {arch: encoder, vocab: 300, d_model: 16, layers: 2, heads: 2, d_ff: 24, max_len: 32,
  pretraining: {corpus: embedded-corpus, steps: 0}}
data: {max_train: 32, max_validation: 16, max_test: 16}
tasks: [embedded-cls]
train: {steps: 1, batch: 4, lr: 1e-3, seq_len: 16}
methods:
  - {name: lora, rank: 4, targets: [q, v]}
  - {name: lora, rank: 4, targets: [q, fc2], init: pissa}
  - {name: lora, rank: 3, targets: [fc1], init: olora}
  - {name: lora, rank: 2, targets: [v, fc1], init: milora}
  - {name: lora, rank: 4, lr_ratio: 16}
  - {name: dora, rank: 4, targets: [q, v, fc1]}
  - {name: vera, rank: 8, targets: [q, fc1, fc2], layers: [1]}
  - {name: lora, rank: 4, scaling: rslora}
  - {name: lora_fa, rank: 4, targets: [q, v]}
  - {name: ia3}
  - {name: head_only}
  - {name: ft}
  - {name: fttop2}
  - {name: bitfit}
  - {name: adapter_h, size: 4}
  - {name: adapter_l, size: 4}
  - {name: adapter_p, size: 4}
  - {name: adapter_d, size: 4, drop_k: 1}
  - {name: prefix_embed, prefix: 4, infix: 0}
  - {name: prefix_layer, prefix: 4, infix: 0}
seeds: [1]
threads: 1
`

// TestDryRunVariants: a dry run accepts a setting of every registered method (every LoRA
// variant among them) and prints, for each, the parameter count of its formula (worked out
// here by hand) and the same actual count.
func TestDryRunVariants(t *testing.T) {
	path := filepath.Join(t.TempDir(), "variants.yaml")
	if err := os.WriteFile(path, []byte(variantsSweep), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runCLI(t, "--dry-run", "--cache", filepath.Join(t.TempDir(), "cache"), path)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	out += stderr // the listing goes to stderr, beside the progress
	const d, ff, L = 16, 24, 2
	want := map[string]int{
		"lora r=4 q,v":             L * 4 * (2*d + 2*d),
		"lora r=4 q,fc2 pissa":     L * 4 * (2*d + d + ff),
		"lora r=3 fc1 olora":       L * 3 * (d + ff),
		"lora r=2 v,fc1 milora":    L * 2 * (2*d + d + ff),
		"lora r=4 q,v lr_ratio=16": L * 4 * (2*d + 2*d),
		"dora r=4 q,v,fc1":         L * (4*(2*d+2*d+d+ff) + d + d + ff),
		"vera r=8 q,fc1,fc2":       1 * (d + 8 + ff + 8 + d + 8),
		"lora r=4 q,v rs":          L * 4 * (2*d + 2*d),
		"lora_fa r=4 q,v":          L * (d*4 + d*4),  // B only: d_out·r per matrix
		"ia3":                      L * (d + d + ff), // key, value, first MLP layer
		"head_only":                0,
		// the embeddings (V d, max_len d, the embedding LayerNorm 2d) and per block Wq..Wo
		// with biases 4(d² + d), fc1 d·ff + ff, fc2 ff·d + d, two LayerNorms 4d
		"ft":     300*d + 32*d + 2*d + L*(4*(d*d+d)+d*ff+ff+ff*d+d+4*d),
		"fttop2": L * (4*(d*d+d) + d*ff + ff + ff*d + d + 4*d),
		"bitfit": L*(4*d+ff+d+2*d) + d, // per block the biases of Wq..Wo, fc1, fc2, two LayerNorms; the embedding LayerNorm's
		// an adapter is 2·d·r + r + d; AdapterH two per block and their LayerNorms, AdapterL
		// and AdapterD one LayerNorm per adapter too, AdapterP none
		"adapter_h r=4":          2*L*(2*d*4+4+d) + 2*L*2*d,
		"adapter_l r=4":          L*(2*d*4+4+d) + L*2*d,
		"adapter_p r=4":          L * (2*d*4 + 4 + d),
		"adapter_d r=4 drop=1":   2*(L-1)*(2*d*4+4+d) + 2*(L-1)*2*d,
		"prefix_embed lp=4 li=0": d * 4,
		"prefix_layer lp=4 li=0": L * d * 4,
	}
	listed := map[string]bool{} // every registered method has a setting here
	for label := range want {
		listed[strings.Fields(label)[0]] = true
	}
	for _, name := range method.Names() {
		if !listed[name] {
			t.Errorf("method %s is registered but has no setting in this test", name)
		}
	}
	seen := 0
	for _, line := range strings.Split(out, "\n") {
		for label, n := range want {
			if !strings.Contains(line, "  "+label+"  ") {
				continue
			}
			seen++
			f := strings.Fields(line[strings.Index(line, label)+len(label):])
			// seed, params (paper), params (actual), head
			if len(f) < 3 || f[1] != strconv.Itoa(n) || f[2] != strconv.Itoa(n) {
				t.Errorf("%s: listed %v, want %d by the formula and actually", label, f, n)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("%d of %d settings listed:\n%s", seen, len(want), out)
	}
}
