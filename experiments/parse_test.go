package experiments

import (
	"errors"
	"loralab/method"
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestParseBadSweeps feeds sweep files with one mistake each and checks the exact message:
// position, what was wrong, what was expected.
func TestParseBadSweeps(t *testing.T) {
	tests := []struct {
		name     string
		old, new string // replace old by new in baseSweep
		want     []string
	}{
		{"unknown top-level key", "seeds: [1, 2]\n", "seeds: [1, 2]\nepochs: 3\n",
			[]string{`sweep.yaml:16:1: sweep: unknown key "epochs", want one of name, version, model, data, tasks, train, methods, budget, seeds, threads, analysis`}},
		{"rank above d_model", "rank: [2, 4]", "rank: [2, 400]",
			[]string{`sweep.yaml:13:28: methods[0].rank[1]: 400 is out of range, want 1..128 (d_model)`}},
		{"unknown target", "targets: [q, v]", "targets: [q, x]",
			[]string{`sweep.yaml:13:45: methods[0].targets: unknown target "x", want q, k, v, o, fc1, fc2 or emb`}},
		{"unknown task", "tasks: [cls-a, reg-a]", "tasks: [cls-a, nope]",
			[]string{`sweep.yaml:8:16: tasks[1]: unknown task "nope", want one of corpus-a, cls-a, cls-b, reg-a`}},
		{"unknown GLUE task in a file task", "tasks: [cls-a, reg-a]", "tasks: [cls-a, \"glue:\"]",
			[]string{`sweep.yaml:8:16: tasks[1]: unknown task "glue:", want one of corpus-a, cls-a, cls-b, reg-a`}},
		{"unknown method", "{name: bitfit}", "{name: bitfot}",
			[]string{`sweep.yaml:14:12: methods[1].name: unknown method "bitfot", want one of {methods}`}},
		{"empty seeds", "seeds: [1, 2]", "seeds: []",
			[]string{`sweep.yaml:15:8: seeds: empty list, want at least one seed`}},
		{"empty rank list", "rank: [2, 4]", "rank: []",
			[]string{`sweep.yaml:13:24: methods[0].rank: empty list, want at least one value`}},
		{"word for a number", "steps: 5", "steps: five",
			[]string{`sweep.yaml:10:10: train.steps: found "five", want an integer`}},
		{"quoted number", "vocab: 512", `vocab: "512"`,
			[]string{`sweep.yaml:6:10: model.vocab: found "512", want an integer`}},
		{"list for a scalar", "steps: 5", "steps: [5]",
			[]string{`sweep.yaml:10:10: train.steps: found a list, want an integer`}},
		{"field of another method", "{name: bitfit}", "{name: bitfit, rank: 4}",
			[]string{`sweep.yaml:14:20: methods[1]: bitfit has no field "rank", want one of lr`}},
		{"repeated method name", "{name: bitfit}", "{name: bitfit, name: ft}",
			[]string{`sweep.yaml:14:20: methods[1]: key "name" repeated (first at line 14)`}},
		{"one target not in a list", "targets: [q, v]", "targets: q",
			[]string{`sweep.yaml:13:41: methods[0].targets: found "q", want a list of target (q, k, v, o, fc1, fc2 or emb)`}},
		{"fractional rank", "rank: [2, 4]", "rank: [2, 2.5]",
			[]string{`sweep.yaml:13:28: methods[0].rank[1]: found "2.5", want an integer`}},
		{"dropout of one", "targets: [q, v]", "targets: [q, v], dropout: 1",
			[]string{`sweep.yaml:13:58: methods[0].dropout: 1 is out of range, want [0, 1)`}},
		{"unknown method key", "{name: bitfit}", "{name: bitfit, ranks: 4}",
			[]string{`sweep.yaml:14:20: methods[1]: unknown key "ranks", want name or one of lr`}},
		{"lora without rank", "{name: lora, rank: [2, 4], targets: [q, v]}", "{name: lora, targets: [q]}",
			[]string{`sweep.yaml:13:5: methods[0]: missing key "rank" or "budget"`}},
		{"rank and budget", "rank: [2, 4]", "rank: [2, 4], budget: 4096",
			[]string{`sweep.yaml:13:5: methods[0]: both rank and budget given, want one of them (a budget solves rank)`}},
		{"steps and epochs", "steps: 5\n", "steps: 5\n  epochs: 2\n",
			[]string{`sweep.yaml:11:3: train: both steps and epochs given, want one of them`}},
		{"repeated key", "steps: 5\n", "steps: 5\n  steps: 6\n",
			[]string{`sweep.yaml:11:3: train: key "steps" repeated (first at line 10)`}},
		{"micro-batch not a divisor", "steps: 5\n", "steps: 5\n  batch: 16\n  micro_batch: 5\n",
			[]string{`sweep.yaml:12:16: train.micro_batch: 5 does not divide batch 16, want a divisor of the batch`}},
		{"prefix and infix beyond max_len", "{name: bitfit}", "{name: prefix_layer, prefix: 200, infix: 100}",
			[]string{`sweep.yaml:14:46: methods[1]: prefix_layer lp=200 li=100: prefix_layer uses 300 slots, at least max_len=256`}},
		{"no learning rate", "lr: {default: 1e-3, lora: 2e-3}", "lr: {lora: 2e-3}",
			[]string{`sweep.yaml:14:5: methods[1]: no learning rate for bitfit: want train.lr (a number, or a mapping with default, bitfit or bitfit) or the entry's lr`}},
		{"layer out of range", "targets: [q, v]", "targets: [q, v], layers: [0, 7]",
			[]string{`sweep.yaml:13:61: methods[0].layers: 7 is out of range, want 0..3 (layers - 1)`}},
		{"explicit model without dims", "preset: tiny\n", "d_model: 64\n",
			[]string{
				`sweep.yaml:4:3: model: missing key "layers" (or give a preset: tiny, small or gpt2-small)`,
				`sweep.yaml:4:3: model: missing key "heads" (or give a preset: tiny, small or gpt2-small)`,
				`sweep.yaml:4:3: model: missing key "d_ff" (or give a preset: tiny, small or gpt2-small)`,
				`sweep.yaml:4:3: model: missing key "max_len" (or give a preset: tiny, small or gpt2-small)`,
			}},
		{"unsupported version", "version: 1", "version: 2",
			[]string{`sweep.yaml:2:10: version: 2 is not supported, want 1`}},
		{"name that is a path", "name: t", "name: a/b",
			[]string{`sweep.yaml:1:7: name: "a/b" cannot name a folder, want letters, digits, '.', '_' or '-'`}},
		{"repeated seed", "seeds: [1, 2]", "seeds: [1, 1]",
			[]string{`sweep.yaml:15:12: seeds[1]: seed 1 repeated`}},
		{"sequence longer than the model", "steps: 5\n", "steps: 5\n  seq_len: 300\n",
			[]string{`sweep.yaml:11:12: train.seq_len: 300 is out of range, want 2..256 (model max_len)`}},
		{"budget for a method without a size", "seeds: [1, 2]\n", "seeds: [1, 2]\nbudget: {params: 100, method: bitfit}\n",
			[]string{`sweep.yaml:16:31: budget.method: "bitfit" has no size to solve, want {sized}`}},
		{"save steps not increasing", "steps: 5\n", "steps: 5\n  save_steps: [2, 2]\n",
			[]string{`sweep.yaml:11:19: train.save_steps: step 2 after step 2, want increasing steps`}},
		{"save step zero", "steps: 5\n", "steps: 5\n  save_steps: [0, 2]\n",
			[]string{`sweep.yaml:11:16: train.save_steps: 0 is out of range, want >= 1`}},
		{"save step after the last", "steps: 5\n", "steps: 5\n  save_steps: [2, 6]\n",
			[]string{`sweep.yaml:11:3: train.save_steps: step 6 is after the last step 5`}},
		{"save steps not a list", "steps: 5\n", "steps: 5\n  save_steps: 3\n",
			[]string{`sweep.yaml:11:15: train.save_steps: found "3", want a list of steps`}},
		{"negative forgetting tokens", "steps: 5\n", "steps: 5\n  forgetting_tokens: -1\n",
			[]string{`sweep.yaml:11:22: train.forgetting_tokens: -1 is out of range, want >= 0 (0 = not measured)`}},
		{"duplicate entry", "  - {name: bitfit}\n", "  - {name: bitfit}\n  - {name: lora, rank: 4, targets: [q, v]}\n",
			[]string{`sweep.yaml:15:5: methods[2]: lora r=4 q,v is also a setting of methods[0]: remove one of them`}},
		{"unknown schedule", "steps: 5\n", "steps: 5\n  schedule: cosin\n",
			[]string{`sweep.yaml:11:13: train.schedule: unknown value "cosin", want linear, cosine or constant`}},
		{"unknown lr family", "lora: 2e-3}", "lorra: 2e-3}",
			[]string{`sweep.yaml:11:23: train.lr: unknown key "lorra", want one of {lr keys}`}},
		{"unknown corpus", "corpus: corpus-a", "corpus: cls-z",
			[]string{`sweep.yaml:7:25: model.pretraining.corpus: unknown task "cls-z", want one of corpus-a, cls-a, cls-b, reg-a`}},
		{"invalid YAML", "tasks: [cls-a, reg-a]", "tasks: [cls-a, reg-a",
			[]string{`sweep.yaml:8:1: invalid YAML: did not find expected ',' or ']'`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(baseSweep, tt.old) {
				t.Fatalf("base sweep lacks %q", tt.old)
			}
			text := strings.Replace(baseSweep, tt.old, tt.new, 1)
			_, err := Parse("sweep.yaml", []byte(text), ParseOptions{Tasks: testTasks})
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("got %v, want Problems", err)
			}
			want := registryLists(strings.Join(tt.want, "\n"))
			if got := ps.Error(); got != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// TestParseReportsAllProblems checks that one file with many mistakes yields all of them, in
// file order, and that the good base file parses.
func TestParseReportsAllProblems(t *testing.T) {
	parseTest(t, baseSweep)
	data, err := os.ReadFile("testdata/bad.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/bad.errors")
	if err != nil {
		t.Fatal(err)
	}
	_, perr := Parse("testdata/bad.yaml", data, ParseOptions{Tasks: testTasks})
	if perr == nil {
		t.Fatal("bad.yaml parsed without error")
	}
	if got := perr.Error() + "\n"; got != registryLists(string(want)) {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestAnalysisSection checks that the analysis: section is kept as YAML, that the check
// hook's Problems are reported at their own positions and any other error at the section's.
func TestAnalysisSection(t *testing.T) {
	text := baseSweep + "analysis:\n  table: {split: test}\n"
	sw := parseTest(t, text)
	section, err := sw.AnalysisYAML()
	if err != nil || string(section) != "table: {split: test}\n" {
		t.Errorf("analysis section %q, %v", section, err)
	}
	var seen string
	check := func(n *yaml.Node) error {
		seen = n.Content[0].Value
		return errors.New("table.split \"tst\": want test")
	}
	_, err = Parse("sweep.yaml", []byte(text), ParseOptions{Tasks: testTasks, CheckAnalysis: check})
	if want := `sweep.yaml:17:3: analysis: table.split "tst": want test`; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	if seen != "table" {
		t.Errorf("hook saw %q", seen)
	}
	located := func(n *yaml.Node) error {
		split := n.Content[1].Content[1]
		return Problems{{Line: split.Line, Col: split.Column, Msg: `table.split "tst": want test`}}
	}
	_, err = Parse("sweep.yaml", []byte(text), ParseOptions{Tasks: testTasks, CheckAnalysis: located})
	if want := `sweep.yaml:17:18: analysis.table.split "tst": want test`; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	if none, _ := parseTest(t, baseSweep).AnalysisYAML(); none != nil {
		t.Errorf("no analysis section gives %q", none)
	}
}

// TestFileTasksAccepted: the user's own GLUE, E2E and JSONL files are tasks too; their
// presence is checked when a run loads them, not when the sweep is read.
func TestFileTasksAccepted(t *testing.T) {
	text := strings.Replace(baseSweep, "tasks: [cls-a, reg-a]", "tasks: [cls-a, glue:SST-2:/data/glue/SST-2, e2e:/data/e2e, jsonl:/data/mine]", 1)
	sw, err := Parse("sweep.yaml", []byte(text), ParseOptions{Tasks: testTasks})
	if err != nil {
		t.Fatal(err)
	}
	if len(sw.Tasks) != 4 || sw.Tasks[1] != "glue:SST-2:/data/glue/SST-2" {
		t.Fatalf("tasks %v", sw.Tasks)
	}
}

// registryLists fills the lists that depend on which methods are registered into an
// expected message: {methods} (every method), {sized} (those a budget sizes) and {lr keys}
// (what train.lr accepts), so that adding a method changes no test here.
func registryLists(s string) string {
	var sized []string
	for _, k := range method.Kinds() {
		if k.Size != "" {
			sized = append(sized, k.Name)
		}
	}
	return strings.NewReplacer("{methods}", strings.Join(method.Names(), ", "), "{sized}", orList(sized),
		"{lr keys}", strings.Join(append([]string{"default"}, method.Families()...), ", ")).Replace(s)
}
