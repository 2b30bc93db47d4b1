package analysis

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"

	"loralab/experiments"
	"loralab/model"
)

// TestBaseStrengthStudyFile loads experiments/base_strength.yaml with its analysis checked,
// its model folders stood in by small encoders of the shipped shape laid out as runexp
// pretrain lays out its output (kept checkpoints with stats.json under checkpoints/, the
// finished folder's stats.json with tokens_seen): five bases in order of tokens, 230 runs,
// the base-strength study asked for with the settings the file runs.
func TestBaseStrengthStudyFile(t *testing.T) {
	src, err := os.ReadFile("../experiments/base_strength.yaml")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	cfg, err := model.Preset("tiny", model.Encoder, 512)
	if err != nil {
		t.Fatal(err)
	}
	kept := []struct {
		step   int
		tokens int64
	}{{0, 0}, {916, 3751936}, {1831, 7499776}, {3663, 15003648}}
	for i, k := range kept {
		dir := filepath.Join(root, "models/encoder/checkpoints", fmt.Sprintf("step-%06d", k.step))
		saveStudyBase(t, dir, cfg, uint64(i+1), fmt.Sprintf(`{"fraction": 0.125, "step": %d, "tokens": %d}`, k.step, k.tokens))
	}
	saveStudyBase(t, filepath.Join(root, "models/encoder"), cfg, 9, `{"steps": 7325, "tokens_seen": 30003200}`)
	t.Chdir(root)
	var spec Spec
	sw, err := experiments.Parse("base_strength.yaml", src, experiments.ParseOptions{CheckAnalysis: func(n *yaml.Node) error {
		var err error
		spec, err = ParseSpecNode(n)
		return err
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !sw.BaseAxis || len(sw.Bases) != 5 || *sw.Bases[4].Tokens != 30003200 || *sw.Bases[1].Tokens != 3751936 {
		t.Fatalf("bases %+v", sw.Bases)
	}
	runs, err := sw.Expand()
	if err != nil {
		t.Fatal(err)
	}
	// per base and task: ft, lora, adapter_h, bitfit at 3 rates on 3 seeds (the grid; the
	// first_seed search runs 3 + 2 of each) and head_only on 3 seeds.
	if want := 5 * 2 * (4*3*3 + 3); len(runs) != want {
		t.Errorf("%d runs in the grid, want %d", len(runs), want)
	}
	if b := spec.BaseStrength; b == nil || b.LoRA != "lora r=8 q,v" || b.FT != "ft" {
		t.Errorf("base_strength spec %+v", spec.BaseStrength)
	}
	labels := map[string]bool{}
	for _, r := range runs {
		labels[r.Method.Label()] = true
	}
	if !labels["lora r=8 q,v"] || !labels["ft"] {
		t.Errorf("the settings of the gap are not run: %v", labels)
	}
}

// saveStudyBase writes an encoder of cfg with the given stats.json into dir.
func saveStudyBase(t *testing.T, dir string, cfg model.Config, seed uint64, stats string) {
	t.Helper()
	m, err := model.NewModel(cfg, seed)
	if err != nil {
		t.Fatal(err)
	}
	if err := model.Save(dir, m, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, experiments.StatsFile), []byte(stats), 0o644); err != nil {
		t.Fatal(err)
	}
}
