package datasets

import (
	"testing"
)

func TestLoadJSONL(t *testing.T) {
	tests := []struct {
		name, train, val string
		kind             Kind
		labels           []string
		first            Example
	}{
		{"string labels", `{"text": "great", "label": "pos"}` + "\n\n" + `{"text": "awful", "label": "neg", "idx": 3}`,
			`{"text": "fine", "label": "neg"}`, Classification, []string{"pos", "neg"}, Example{Text: "great", Label: 0}},
		{"index labels with pairs", `{"text": "a", "text_pair": "b", "label": 2}` + "\n" + `{"text": "c", "text_pair": "d", "label": 0}`,
			`{"text": "e", "text_pair": "f", "label": 1}`, Classification, []string{"0", "1", "2"}, Example{Text: "a", Text2: "b", Label: 2}},
		{"regression", `{"text": "a", "text_pair": "b", "target": 3.5, "group": "g1"}`, `{"text": "c", "target": -1}`,
			Regression, nil, Example{Text: "a", Text2: "b", Target: 3.5, Group: "g1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			task, err := LoadJSONL("mine", writeFile(t, dir, "train.jsonl", tt.train), writeFile(t, dir, "val.jsonl", tt.val), "")
			if err != nil {
				t.Fatal(err)
			}
			got := task.Train[0]
			if task.Kind != tt.kind || len(task.Labels) != len(tt.labels) || got.Text != tt.first.Text || got.Text2 != tt.first.Text2 ||
				got.Label != tt.first.Label || got.Target != tt.first.Target || tt.first.Group != "" && got.Group != tt.first.Group {
				t.Fatalf("kind %v labels %q first %+v; want %v %q %+v", task.Kind, task.Labels, got, tt.kind, tt.labels, tt.first)
			}
			for i, l := range tt.labels {
				if task.Labels[i] != l {
					t.Fatalf("labels %q, want %q", task.Labels, tt.labels)
				}
			}
		})
	}
}

func TestLoadJSONLBadInput(t *testing.T) {
	const okVal = `{"text": "x", "label": "pos"}`
	tests := []struct {
		name, train, val string
		want             []string
	}{
		{"not json", `{"text": "a", "label": "pos"}` + "\n" + `{"text": "b", label: 1}`, okVal, []string{"train.jsonl:2", "want a JSON object"}},
		{"no text", `{"label": "pos"}`, okVal, []string{"train.jsonl:1", `non-empty "text"`}},
		{"label and target", `{"text": "a", "label": "pos", "target": 1}`, okVal, []string{"train.jsonl:1", "exactly one", "both"}},
		{"neither", `{"text": "a"}`, okVal, []string{"train.jsonl:1", "exactly one", "neither"}},
		{"mixed kinds", `{"text": "a", "label": "pos"}` + "\n" + `{"text": "b", "target": 2}`, okVal, []string{"train.jsonl:2", "want a classification example", "regression"}},
		{"mixed label types", `{"text": "a", "label": "pos"}` + "\n" + `{"text": "b", "label": 1}`, okVal, []string{"train.jsonl:2", "want a class name"}},
		{"negative index", `{"text": "a", "label": -1}`, okVal, []string{"train.jsonl:1", "index >= 0", "-1"}},
		{"fractional index", `{"text": "a", "label": 0.5}`, okVal, []string{"train.jsonl:1", "0.5"}},
		{"new label in validation", `{"text": "a", "label": "pos"}`, `{"text": "b", "label": "meh"}`, []string{"val.jsonl:1", `"meh"`, "does not occur in the train file"}},
		{"index beyond train", `{"text": "a", "label": 1}`, `{"text": "b", "label": 4}`, []string{"val.jsonl:1", "larger than any"}},
		{"empty file", "\n\n", okVal, []string{"train.jsonl", "no examples"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := LoadJSONL("bad", writeFile(t, dir, "train.jsonl", tt.train), writeFile(t, dir, "val.jsonl", tt.val), "")
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
