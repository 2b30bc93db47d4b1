package datasets

import (
	"math"
	"strings"
	"testing"
)

// glueFiles writes a GLUE task folder from file name -> content.
func glueFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		writeFile(t, dir, name, content)
	}
	return dir
}

func TestLoadGLUE(t *testing.T) {
	tests := []struct {
		name       string
		files      map[string]string
		wantTrain  Example
		wantLabels int
		wantTest   int
	}{
		{
			name: "CoLA",
			files: map[string]string{
				"train.tsv": "gj04\t1\t\tOur friends won't buy this analysis.\ngj04\t0\t*\tThey drank the pub.\n",
				"dev.tsv":   "gj04\t1\t\tThe sailors rode the breeze.\n",
				"test.tsv":  "index\tsentence\n0\tBill whistled past the house.\n",
			},
			wantTrain: Example{Text: "Our friends won't buy this analysis.", Label: 1}, wantLabels: 2, wantTest: 1,
		},
		{
			name: "SST-2",
			files: map[string]string{
				"train.tsv": "sentence\tlabel\nhide new secretions \t0\n\"a quote\" never closed\t1\n",
				"dev.tsv":   "sentence\tlabel\nit 's a charming journey . \t1\n",
			},
			wantTrain: Example{Text: "hide new secretions ", Label: 0}, wantLabels: 2,
		},
		{
			name: "MRPC",
			files: map[string]string{
				"train.tsv": "\ufeffQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\n1\t702876\t702977\tAmrozi accused.\tHe accused.\n",
				"dev.tsv":   "Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\n0\t1\t2\tA.\tB.\n",
				"test.tsv":  "index\t#1 ID\t#2 ID\t#1 String\t#2 String\n0\t1\t2\tC.\tD.\n1\t3\t4\tE.\tF.\n",
			},
			wantTrain: Example{Text: "Amrozi accused.", Text2: "He accused.", Label: 1}, wantLabels: 2, wantTest: 2,
		},
		{
			name: "STS-B",
			files: map[string]string{
				"train.tsv": "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n0\tmain\tf\t2012\t1\tnone\tnone\tA plane.\tAn air plane.\t5.000\n",
				"dev.tsv":   "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n0\tmain\tf\t2012\t1\tnone\tnone\tA man.\tA dog.\t0.5\n",
			},
			wantTrain: Example{Text: "A plane.", Text2: "An air plane.", Target: 5},
		},
		{
			name: "MNLI",
			files: map[string]string{
				"train.tsv":       "index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse\tsentence2_parse\tsentence1\tsentence2\tlabel1\tgold_label\n0\t1\t1e\tgov\t(\t(\t(\t(\tConceptually cream.\tProduct and geography.\tneutral\tneutral\n",
				"dev_matched.tsv": "index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse\tsentence2_parse\tsentence1\tsentence2\tlabel1\tlabel2\tlabel3\tlabel4\tlabel5\tgold_label\n0\t1\t1e\tgov\t(\t(\t(\t(\tA.\tB.\tneutral\tneutral\tneutral\tneutral\tneutral\tcontradiction\n",
			},
			wantTrain: Example{Text: "Conceptually cream.", Text2: "Product and geography.", Label: 1}, wantLabels: 3,
		},
		{
			name: "RTE",
			files: map[string]string{
				"train.tsv": "index\tsentence1\tsentence2\tlabel\n0\tNo weapons.\tWeapons found.\tnot_entailment\n",
				"dev.tsv":   "index\tsentence1\tsentence2\tlabel\n0\tA.\tB.\tentailment\n",
			},
			wantTrain: Example{Text: "No weapons.", Text2: "Weapons found.", Label: 1}, wantLabels: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			task, err := LoadGLUE(glueFiles(t, tt.files), tt.name, false, 0)
			if err != nil {
				t.Fatal(err)
			}
			got := task.Train[0]
			if got.Text != tt.wantTrain.Text || got.Text2 != tt.wantTrain.Text2 || got.Label != tt.wantTrain.Label && task.Kind == Classification ||
				task.Kind == Regression && got.Target != tt.wantTrain.Target {
				t.Errorf("first train example %+v, want %+v", got, tt.wantTrain)
			}
			if len(task.Labels) != tt.wantLabels {
				t.Errorf("labels %q, want %d", task.Labels, tt.wantLabels)
			}
			if len(task.Test) != tt.wantTest {
				t.Errorf("%d test examples, want %d", len(task.Test), tt.wantTest)
			}
			for _, ex := range task.Test {
				if ex.Label != NoLabel || !math.IsNaN(ex.Target) {
					t.Errorf("test example %+v has a label", ex)
				}
			}
		})
	}
}

func TestLoadGLUEDevAsTest(t *testing.T) {
	var train strings.Builder
	train.WriteString("sentence\tlabel\n")
	for i := range 200 {
		train.WriteString(strings.Repeat("x", i%7+1) + " sentence " + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "\t" + []string{"0", "1"}[i%2] + "\n")
	}
	dir := glueFiles(t, map[string]string{"train.tsv": train.String(), "dev.tsv": "sentence\tlabel\nthe dev one\t1\n"})
	task, err := LoadGLUE(dir, "sst-2", true, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(task.Test) != 1 || task.Test[0].Text != "the dev one" {
		t.Fatalf("test split %+v, want the dev file", task.Test)
	}
	if len(task.Validation) != 10 || len(task.Train) != 190 {
		t.Fatalf("train/validation sizes %d/%d, want 190/10", len(task.Train), len(task.Validation))
	}
}

// TestLoadGLUEBadInput feeds malformed files and checks the error names file, line and
// what was expected.
func TestLoadGLUEBadInput(t *testing.T) {
	const dev = "sentence\tlabel\nfine\t1\n"
	tests := []struct {
		name, task, train string
		want              []string
	}{
		{"missing column", "SST-2", "text\tlabel\nfoo\t1\n", []string{"train.tsv:1", `lacks column "sentence"`}},
		{"short row", "SST-2", "sentence\tlabel\ngood\t1\nno label here\n", []string{"train.tsv:3", "want 2 tab-separated columns, found 1"}},
		{"bad label", "SST-2", "sentence\tlabel\ngood\t1\nbad\tnegative\n", []string{"train.tsv:3", "want one of 0, 1", `found "negative"`}},
		{"bad score", "STS-B", "sentence1\tsentence2\tscore\na\tb\tfive\n", []string{"train.tsv:2", "want a number", `"five"`}},
		{"empty text", "SST-2", "sentence\tlabel\n\t1\n", []string{"train.tsv:2", `empty "sentence"`}},
		{"CoLA wrong width", "CoLA", "gj04\t1\tThey drank the pub.\n", []string{"train.tsv:1", "want 4"}},
		{"only header", "SST-2", "sentence\tlabel\n", []string{"train.tsv", "no examples"}},
		{"unknown task", "SST-3", "sentence\tlabel\na\t1\n", []string{"unknown GLUE task", "SST-2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			devFile := dev
			if tt.task == "STS-B" {
				devFile = "sentence1\tsentence2\tscore\na\tb\t1\n"
			}
			dir := glueFiles(t, map[string]string{"train.tsv": tt.train, "dev.tsv": devFile})
			_, err := LoadGLUE(dir, tt.task, false, 0)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestLoadGLUETasksOwnTheirLabels checks that a caller editing a loaded task's labels or
// metrics does not change the next task loaded: they are copies, not the package's tables.
func TestLoadGLUETasksOwnTheirLabels(t *testing.T) {
	dir := glueFiles(t, map[string]string{
		"train.tsv": "sentence\tlabel\ngood\t1\nbad\t0\n",
		"dev.tsv":   "sentence\tlabel\nfine\t1\n",
	})
	first, err := LoadGLUE(dir, "SST-2", false, 1)
	if err != nil {
		t.Fatal(err)
	}
	first.Labels[0], first.Metrics[0] = "edited", "edited"
	second, err := LoadGLUE(dir, "SST-2", false, 1)
	if err != nil {
		t.Fatal(err)
	}
	if second.Labels[0] != "0" || second.Metrics[0] != MetricAccuracy {
		t.Errorf("after editing the first task, the second has labels %q and metrics %q", second.Labels, second.Metrics)
	}
}
