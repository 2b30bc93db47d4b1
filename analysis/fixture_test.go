package analysis

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"loralab/experiments/record"
	"loralab/model/safetensors"
)

// fixtureDims are the model sizes of the fake sweep: 2 blocks, d_model 16.
const fixtureLayers, fixtureD = 2, 16

// fixtureSetting is one method setting of the fake sweep.
type fixtureSetting struct {
	method string
	rank   int     // LoRA rank, 0 for other methods
	params int     // trainable parameters
	acc    float64 // accuracy on task cls for seed 1; seed 2 adds 0.02
}

var fixtureSettings = []fixtureSetting{
	{"ft", 0, 9000, 0.80},
	{"bitfit", 0, 300, 0.70},
	{"adapter_h", 0, 1200, 0.76},
	{"lora", 2, 128, 0.74},
	{"lora", 8, 512, 0.82},
}

// writeFixtureSweep writes a sweep folder as the runner leaves it: run folders with
// result.json, metrics.jsonl and, for LoRA, adapter_model.safetensors; a pretrained base
// checkpoint; one failed run, one run without a result and one unreadable result.
func writeFixtureSweep(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	base := map[string][]float32{}
	rng := newRand(11, 0)
	for l := range fixtureLayers {
		for _, m := range []string{"q", "v"} {
			base[fmt.Sprintf("blocks.%d.attn.%s", l, m)] = gaussian32(rng.NormFloat64, fixtureD*fixtureD)
		}
	}
	var baseTensors []safetensors.Named
	for _, name := range sortedKeys(base) {
		baseTensors = append(baseTensors, safetensors.Named{Name: name + ".weight", Shape: []int{fixtureD, fixtureD}, Data: base[name]})
	}
	mustMkdir(t, filepath.Join(dir, "base"))
	if err := safetensors.WriteFile(filepath.Join(dir, "base", "model.safetensors"), baseTensors, nil); err != nil {
		t.Fatal(err)
	}
	shared := gaussian32(rng.NormFloat64, 8*fixtureD) // rows shared by r=2 and r=8 runs
	for _, s := range fixtureSettings {
		for _, task := range []string{"cls", "err"} {
			for seed := 1; seed <= 2; seed++ {
				writeFixtureRun(t, dir, s, task, seed, shared)
			}
		}
	}
	failed := filepath.Join(dir, "runs", "zz-failed")
	mustMkdir(t, failed)
	writeJSON(t, filepath.Join(failed, record.ResultFile), record.Result{RunID: "zz-failed", Status: record.StatusFailed,
		Reason: "NaN loss\nat step 12", Sweep: "fixture", Method: "ft", Setting: "ft", Task: "cls", Seed: 3})
	missing := filepath.Join(dir, "runs", "zz-missing")
	mustMkdir(t, missing)
	writeJSON(t, filepath.Join(missing, record.ConfigFile), map[string]any{"seed": 4})
	broken := filepath.Join(dir, "runs", "zz-broken")
	mustMkdir(t, broken)
	if err := os.WriteFile(filepath.Join(broken, record.ResultFile), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// writeFixtureRun writes one done run folder.
func writeFixtureRun(t *testing.T, dir string, s fixtureSetting, task string, seed int, shared []float32) {
	t.Helper()
	setting := s.method
	spec := map[string]any{"name": s.method}
	if s.rank > 0 {
		setting = fmt.Sprintf("lora r=%d q,v", s.rank)
		spec = map[string]any{"name": "lora", "rank": s.rank, "alpha": float64(s.rank), "targets": []string{"q", "v"}}
	}
	id := fmt.Sprintf("%s-%s-%d", slug(setting), task, seed)
	runDir := filepath.Join(dir, "runs", id)
	mustMkdir(t, runDir)
	metric, value := "accuracy", s.acc+0.02*float64(seed-1)
	if task == "err" {
		metric, value = "error_rate", 1-value
	}
	writeJSON(t, filepath.Join(runDir, record.ResultFile), record.Result{
		RunID: id, Status: record.StatusDone, Sweep: "fixture", Method: s.method, Setting: setting,
		Task: task, Seed: seed, Config: map[string]any{"method": spec},
		TrainableParams: s.params, PaperFormulaParams: s.params, MainMetric: metric,
		Metrics: map[string]map[string]float64{"test": {metric: value}, "validation": {metric: value}},
	})
	var lines []byte
	for step := 0; step <= 40; step += 5 {
		p := record.Point{Step: step, Loss: 2.5*math.Exp(-float64(step)/(10+float64(s.params%7))) + 0.3 + 0.01*float64(seed)}
		b, _ := json.Marshal(p)
		lines = append(append(lines, b...), '\n')
	}
	eval, _ := json.Marshal(record.Point{Step: 40, Loss: 0.5, Split: "validation", Metrics: map[string]float64{metric: value}})
	lines = append(append(lines, eval...), '\n')
	if err := os.WriteFile(filepath.Join(runDir, record.MetricsFile), lines, 0o644); err != nil {
		t.Fatal(err)
	}
	if s.rank > 0 {
		writeFixtureAdapter(t, runDir, s.rank, seed, shared)
	}
}

// writeFixtureAdapter writes LoRA factors whose A matrices start with the shared rows, so
// that runs of different ranks share their top directions.
func writeFixtureAdapter(t *testing.T, runDir string, rank, seed int, shared []float32) {
	t.Helper()
	rng := newRand(uint64(100*rank+seed), 1)
	var tensors []safetensors.Named
	for l := range fixtureLayers {
		for _, m := range []string{"q", "v"} {
			a := gaussian32(rng.NormFloat64, rank*fixtureD)
			for i := range min(rank, 2) * fixtureD {
				a[i] = 3*shared[i] + a[i]/2
			}
			prefix := fmt.Sprintf("base_model.model.blocks.%d.attn.%s", l, m)
			tensors = append(tensors,
				safetensors.Named{Name: prefix + ".lora_A.weight", Shape: []int{rank, fixtureD}, Data: a},
				safetensors.Named{Name: prefix + ".lora_B.weight", Shape: []int{fixtureD, rank}, Data: gaussian32(rng.NormFloat64, fixtureD*rank)})
		}
	}
	if err := safetensors.WriteFile(filepath.Join(runDir, record.AdapterFile), tensors, nil); err != nil {
		t.Fatal(err)
	}
}

func gaussian32(norm func() float64, n int) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(norm())
	}
	return out
}

func sortedKeys(m map[string][]float32) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if keys[j] < keys[i] {
				keys[i], keys[j] = keys[j], keys[i]
			}
		}
	}
	return keys
}

func mustMkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	if err := record.WriteJSON(path, v); err != nil {
		t.Fatal(err)
	}
}
