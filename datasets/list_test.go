package datasets

import (
	"bytes"
	"context"
	"testing"
)

func TestListShowsEveryTask(t *testing.T) {
	r := NewRegistry(Options{CacheDir: t.TempDir(), MaxTrain: 50, MaxValidation: 10, MaxTest: 10})
	var buf bytes.Buffer
	if err := r.List(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"embedded-cls", "negative", "embedded-d2t", "references per source", "sotu-party", "not prepared"} {
		if !contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
}

func TestShow(t *testing.T) {
	tests := []struct {
		name string
		want []string
	}{
		{"embedded-cls", []string{"labels: negative, positive", "metrics: accuracy, f1, mcc (main: accuracy)", "train", "[1]", "label: "}},
		{"embedded-reg", []string{"target: ", "text2: "}},
		{"embedded-d2t", []string{"source: name[", "ref: "}},
	}
	r := NewRegistry(Options{MaxTrain: 20, MaxValidation: 5, MaxTest: 5})
	for _, tt := range tests {
		task, err := r.Load(context.Background(), tt.name)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := Show(&buf, task, 2); err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !contains(buf.String(), w) {
				t.Errorf("%s: show lacks %q:\n%s", tt.name, w, buf.String())
			}
		}
		if contains(buf.String(), "[2]") {
			t.Errorf("%s: show printed more than 2 examples", tt.name)
		}
	}
}
