package experiments

import (
	"path/filepath"
	"testing"
)

// pinnedSweep lists a setting of every method key that existed before the method registry.
const pinnedSweep = `name: pinned
version: 1
model:
  arch: encoder
  preset: tiny
  vocab: 512
  pretraining: {corpus: corpus-a, steps: 10}
tasks: [cls-a]
train:
  steps: 5
  lr: {default: 1e-3, lora: 2e-3, adapter: 3e-3, prefix: 4e-3}
methods:
  - {name: lora, rank: 8}
  - {name: lora, rank: 4, targets: [q, k, v, o], alpha: 16, layers: [0, 2], scaling: rslora, init: gaussian, dropout: 0.1}
  - {name: lora, budget: 5000, targets: [fc1, emb]}
  - {name: ft}
  - {name: fttop2, lr: 5e-4}
  - {name: bitfit}
  - {name: adapter_h, size: 8}
  - {name: adapter_l, size: 4}
  - {name: adapter_p, budget: 3000}
  - {name: adapter_d, size: 2, drop_k: 1}
  - {name: prefix_embed, prefix: 4, infix: 2}
  - {name: prefix_layer, prefix: 8}
seeds: [3]
`

// TestRunIDsPinned pins the run id of a setting of every method and key, computed before the
// method registry existed: a run id hashes the JSON of the method setting, so a change of its
// field names, order or omission rules would silently re-run every finished study.
func TestRunIDsPinned(t *testing.T) {
	want := map[string]string{
		"cls-a lora r=8 q,v seed=3":           "d0bc48a60244",
		"cls-a lora r=4 q,k,v,o rs seed=3":    "c1abf39aa9ee",
		"cls-a lora r=1 fc1,emb seed=3":       "7864628d2e89",
		"cls-a ft seed=3":                     "ecfb09215b21",
		"cls-a fttop2 seed=3":                 "4edc22d36352",
		"cls-a bitfit seed=3":                 "5ff074789c3d",
		"cls-a adapter_h r=8 seed=3":          "ab2ebe278fa1",
		"cls-a adapter_l r=4 seed=3":          "a8bd415428ee",
		"cls-a adapter_p r=2 seed=3":          "9a549e07fbdd",
		"cls-a adapter_d r=2 drop=1 seed=3":   "2173d0e553e2",
		"cls-a prefix_embed lp=4 li=2 seed=3": "0fffc9dcf287",
		"cls-a prefix_layer lp=8 li=0 seed=3": "7407b0fc543f",
	}
	runs, err := parseTest(t, pinnedSweep).Expand()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if want[r.Label()] != r.ID {
			t.Errorf("%s: id %s, want %s", r.Label(), r.ID, want[r.Label()])
		}
	}
	if len(runs) != len(want) {
		t.Errorf("%d runs, want %d", len(runs), len(want))
	}
}

// TestRunIDsPinnedFrom pins the run ids of a sweep that starts from one model folder
// (model: {from: DIR}), computed before the base axis (from: [DIR, ...]) existed, after the
// folder's content hash became HashModelFolder: the axis must leave the ids of single-base
// sweeps as they were.
func TestRunIDsPinnedFrom(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "base")
	saveTinyBase(t, dir, 1)
	want := map[string]string{
		"cls-a lora r=2 q,v seed=1": "8ad12330af0f",
		"cls-a lora r=2 q,v seed=2": "e57027c16ec7",
		"cls-a bitfit seed=1":       "69d9a8cba1a8",
		"reg-a lora r=4 q,v seed=2": "1bb81ef39f03",
	}
	runs, err := parseTest(t, fromSweep(dir, "")).Expand()
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, r := range runs {
		if id, ok := want[r.Label()]; ok {
			found++
			if r.ID != id {
				t.Errorf("%s: id %s, want %s", r.Label(), r.ID, id)
			}
		}
	}
	if found != len(want) || len(runs) != 12 {
		t.Errorf("%d runs, %d of the pinned labels; want 12 and %d", len(runs), found, len(want))
	}
}
