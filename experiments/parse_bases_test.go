package experiments

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"loralab/model"
)

// saveStats writes a stats.json into dir: a kept checkpoint's ("tokens") or a finished
// run's ("tokens_seen", with kept checkpoints listed beside), as package pretrain does.
func saveStats(t *testing.T, dir string, tokens int64, finished bool) {
	t.Helper()
	body := fmt.Sprintf(`{"fraction": 0.25, "step": 9, "tokens": %d, "dir": "checkpoints/step-000009"}`, tokens)
	if finished {
		body = fmt.Sprintf(`{"steps": 40, "tokens_seen": %d, "kept": [{"fraction": 0.5, "tokens": 7}]}`, tokens)
	}
	if err := os.WriteFile(filepath.Join(dir, StatsFile), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// baseWithTokens writes a tiny base of the given seed with a stats.json into a new folder.
func baseWithTokens(t *testing.T, name string, seed uint64, tokens int64, finished bool) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	saveTinyBase(t, dir, seed)
	saveStats(t, dir, tokens, finished)
	return dir
}

// listSweep is baseSweep starting from the folders dirs, a list in flow style.
func listSweep(dirs ...string) string {
	return fromSweep("["+strings.Join(dirs, ", ")+"]", "")
}

// TestBaseAxis: from: [DIR, ...] repeats every run on each base, bases outermost; each run
// keeps the id it has in a sweep from that one folder, names its base in its axes and label,
// and carries the base's pretraining tokens.
func TestBaseAxis(t *testing.T) {
	dirs := []string{
		baseWithTokens(t, "step-0", 1, 0, false),
		baseWithTokens(t, "step-9", 2, 4608, false),
		baseWithTokens(t, "final", 3, 20480, true),
	}
	sw := parseTest(t, listSweep(dirs...))
	if !sw.BaseAxis || len(sw.Bases) != 3 || sw.Pretrain.From != dirs[0] {
		t.Fatalf("bases %+v, axis %v, pretraining %+v", sw.Bases, sw.BaseAxis, sw.Pretrain)
	}
	for i, want := range []int64{0, 4608, 20480} {
		if b := sw.Bases[i]; b.Dir != dirs[i] || b.Tokens == nil || *b.Tokens != want || len(b.SHA256) != 64 {
			t.Errorf("base %d: %+v (tokens %v), want %s with %d tokens", i, b, b.Tokens, dirs[i], want)
		}
	}
	runs, err := sw.Expand()
	if err != nil {
		t.Fatal(err)
	}
	var single []RunSpec
	for _, dir := range dirs {
		one, err := parseTest(t, fromSweep(dir, "")).Expand()
		if err != nil {
			t.Fatal(err)
		}
		single = append(single, one...)
	}
	if len(runs) != len(single) || len(runs) != 36 {
		t.Fatalf("%d runs on the base axis, %d from the three folders one by one; want 36", len(runs), len(single))
	}
	for i, r := range runs {
		s := single[i]
		if r.ID != s.ID || r.Index != i || r.Pretrain != s.Pretrain || r.Task != s.Task || r.Seed != s.Seed {
			t.Errorf("run %d: %s (%s) on the axis, %s (%s) from its folder alone", i, r.ID, r.Label(), s.ID, s.Label())
		}
		b := dirs[i/12]
		if r.Base == nil || r.Base.Dir != b || *r.Base.Tokens != *sw.Bases[i/12].Tokens || r.Axes[AxisBase] != b {
			t.Errorf("run %d: base %+v, axes %v; want %s", i, r.Base, r.Axes, b)
		}
		if _, ok := s.Axes[AxisBase]; ok {
			t.Errorf("run %d from one folder has a base axis: %v", i, s.Axes)
		}
		if want := s.Task + " " + s.Method.Label() + "@" + b; !strings.HasPrefix(r.Label(), want) {
			t.Errorf("run %d: label %q, want it to start with %q", i, r.Label(), want)
		}
	}
	// The axes of one setting's runs are their own: adding the base touched no other run.
	if a, b := runs[0].Axes, runs[12].Axes; maps.Equal(a, b) {
		t.Errorf("runs on two bases share axes %v", a)
	}
}

// TestBaseAxisPhases: under lr_tuning: first_seed each base searches its own learning rate:
// a search never mixes two bases.
func TestBaseAxisPhases(t *testing.T) {
	a, b := baseWithTokens(t, "a", 1, 0, false), baseWithTokens(t, "b", 2, 100, true)
	text := strings.Replace(listSweep(a, b), "lr: {default: 1e-3, lora: 2e-3}", "lr: {default: [1e-3, 3e-3], lora: 2e-3}\n  lr_tuning: first_seed", 1)
	sw := parseTest(t, text)
	runs, err := sw.Expand()
	if err != nil {
		t.Fatal(err)
	}
	ph := sw.lrPhases(runs)
	// per base: 2 tasks, bitfit searching 2 rates: 2 x 2 searches in all.
	if len(ph.searches) != 4 {
		t.Fatalf("%d searches, want 4 (bitfit on 2 tasks and 2 bases)", len(ph.searches))
	}
	for _, g := range ph.searches {
		dirs := map[string]bool{}
		for _, r := range g {
			dirs[r.Pretrain.From] = true
		}
		if len(dirs) != 1 {
			t.Errorf("a search spans the bases %v", slices.Collect(maps.Keys(dirs)))
		}
	}
}

// TestBaseAxisErrors: every base of a list must be a readable folder of the first one's
// architecture with its pretraining tokens, named once; each problem is at its item.
func TestBaseAxisErrors(t *testing.T) {
	a := baseWithTokens(t, "a", 1, 0, false)
	b := baseWithTokens(t, "b", 2, 10, false)
	copyOfA := filepath.Join(t.TempDir(), "copy")
	saveTinyBase(t, copyOfA, 1)
	saveStats(t, copyOfA, 0, false)
	noStats := filepath.Join(t.TempDir(), "no-stats")
	saveTinyBase(t, noStats, 4)
	small := filepath.Join(t.TempDir(), "small")
	cfg, err := model.Preset("small", model.Encoder, 512)
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.NewModel(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := model.Save(small, m, nil, nil); err != nil {
		t.Fatal(err)
	}
	saveStats(t, small, 5, false)
	noTokens := filepath.Join(t.TempDir(), "no-tokens")
	saveTinyBase(t, noTokens, 5)
	if err := os.WriteFile(filepath.Join(noTokens, StatsFile), []byte(`{"steps": 3}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// model.from starts at line 4, col 9; items follow after ", ".
	col := func(dirs ...string) int {
		c := 10
		for _, d := range dirs {
			c += len(d) + 2
		}
		return c
	}
	tests := []struct {
		name  string
		text  string
		wants []string
	}{
		{"mixed architectures", listSweep(a, small),
			[]string{fmt.Sprintf("sweep.yaml:4:%d: model.from[1]: %s holds a model of shape encoder d=256 L=6 h=8 ff=1024 vocab=512 max_len=512 gelu, model.from[0] (%s) one of shape encoder d=128 L=4 h=4 ff=512 vocab=512 max_len=256 gelu: the bases of a sweep must share one architecture", col(a), small, a)}},
		{"no stats.json", listSweep(a, noStats),
			[]string{fmt.Sprintf("sweep.yaml:4:%d: model.from[1]: %s has no stats.json giving tokens or tokens_seen: every base of a list needs its pretraining tokens", col(a), noStats)}},
		{"stats.json without tokens", listSweep(noTokens),
			[]string{fmt.Sprintf("sweep.yaml:4:10: model.from[0]: %s has no stats.json giving tokens or tokens_seen: every base of a list needs its pretraining tokens", noTokens)}},
		{"the same folder twice", listSweep(a, b, a),
			[]string{fmt.Sprintf("sweep.yaml:4:%d: model.from[2]: %s repeats model.from[0]", col(a, b), a)}},
		{"the same contents twice", listSweep(a, copyOfA),
			[]string{fmt.Sprintf("sweep.yaml:4:%d: model.from[1]: %s holds the same model as model.from[0] (%s): remove one of them", col(a), copyOfA, a)}},
		{"empty list", listSweep(), []string{"sweep.yaml:4:9: model.from: empty list, want at least one model folder"}},
		{"not a string", fromSweep("["+a+", [x]]", ""),
			[]string{fmt.Sprintf("sweep.yaml:4:%d: model.from[1]: found a list, want a string", col(a))}},
		{"missing folder", listSweep(a, a+"-gone"),
			[]string{fmt.Sprintf("sweep.yaml:4:%d: model.from[1]: arch: model folder: stat %s-gone", col(a), a)}},
		{"several at once", listSweep(noStats, small, b, b),
			[]string{"model.from[0]: " + noStats + " has no stats.json", "model.from[2]: " + b + " holds a model of shape encoder d=128",
				"model.from[1] (" + small + ") one of shape encoder d=256", "model.from[3]: " + b + " repeats model.from[2]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("sweep.yaml", []byte(tt.text), ParseOptions{Tasks: testTasks})
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("error %v, want Problems", err)
			}
			for _, want := range tt.wants {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error\n%v\nwant it to contain\n%s", err, want)
				}
			}
		})
	}
}

// TestSingleFromWithoutStats: a single from: DIR needs no stats.json (a Hugging Face folder
// has none): its runs carry no token count; with one, they carry it.
func TestSingleFromWithoutStats(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "base")
	saveTinyBase(t, dir, 1)
	sw := parseTest(t, fromSweep(dir, ""))
	if sw.BaseAxis || len(sw.Bases) != 1 || sw.Bases[0].Tokens != nil {
		t.Fatalf("bases %+v, axis %v", sw.Bases, sw.BaseAxis)
	}
	saveStats(t, dir, 1234, true)
	runs, err := parseTest(t, fromSweep(dir, "")).Expand()
	if err != nil {
		t.Fatal(err)
	}
	if b := runs[0].Base; b == nil || b.Tokens == nil || *b.Tokens != 1234 || b.Dir != dir {
		t.Errorf("run base %+v", b)
	}
}

// TestBaseAxisDryRun: the dry run lists each run's base on the base axis.
func TestBaseAxisDryRun(t *testing.T) {
	a, b := baseWithTokens(t, "a", 1, 0, false), baseWithTokens(t, "b", 2, 100, true)
	var out strings.Builder
	if err := DryRun(context.Background(), &out, parseTest(t, listSweep(a, b)), Shard{}, nil); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	if strings.Fields(lines[0])[2] != "base" {
		t.Fatalf("header %q, want a base column", lines[0])
	}
	if f := strings.Fields(lines[1]); f[2] != a || f[3] != "cls-a" {
		t.Errorf("first run %q, want base %s, task cls-a", lines[1], a)
	}
	if f := strings.Fields(lines[13]); f[2] != b {
		t.Errorf("13th run %q, want base %s", lines[13], b)
	}
	if !strings.Contains(out.String(), "sweep t: 24 runs") {
		t.Errorf("listing\n%s\nwant 24 runs", out.String())
	}
}
