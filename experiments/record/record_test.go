package record

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestResultRoundTrip(t *testing.T) {
	dir := t.TempDir()
	want := Result{RunID: "abc", Status: StatusDone, Method: "lora", Setting: "lora r=8 q,v",
		Axes: map[string]any{"rank": float64(8)}, Task: "embedded-cls", Seed: 2,
		TrainableParams: 10, PaperFormulaParams: 10, MainMetric: "accuracy",
		Metrics: map[string]map[string]float64{"test": {"accuracy": 0.75}}}
	if err := WriteJSON(filepath.Join(dir, ResultFile), want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadResult(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip: got %+v, want %+v", got, want)
	}
	if v, ok := got.Main("test"); !ok || v != 0.75 {
		t.Fatalf("Main(test) = %v, %v", v, ok)
	}
	if _, ok := got.Main("validation"); ok {
		t.Fatal("Main(validation) found a value that is not there")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temp files left behind: %v", entries)
	}
}

// TestReadResultErrors checks that a missing, truncated or mistyped result.json gives an
// error naming the file and, for bad JSON, the line, column and what was wrong.
func TestReadResultErrors(t *testing.T) {
	cases := []struct {
		name    string
		content string // "" writes no file
		want    []string
	}{
		{"missing", "", []string{ResultFile, "no such file"}},
		{"truncated", "{\"run_id\": \"a\",\n \"seed\": 3", []string{ResultFile, "line 2, column 11", "invalid JSON", "unexpected end"}},
		{"wrong type", "{\"run_id\": \"a\",\n \"seed\": \"three\"}", []string{ResultFile, "line 2, column 16", "seed is a JSON string, want int"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if c.content != "" {
				if err := os.WriteFile(filepath.Join(dir, ResultFile), []byte(c.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := ReadResult(dir)
			if err == nil {
				t.Fatalf("no error, want one saying %q", c.want)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestWriteFileAtomicBadFolder(t *testing.T) {
	if err := WriteFileAtomic(filepath.Join(t.TempDir(), "no", "such", "x.json"), []byte("x")); err == nil {
		t.Fatal("write into a missing folder: no error")
	}
}

func TestCollapsed(t *testing.T) {
	cases := []struct {
		counts    []int
		class     int
		collapsed bool
	}{
		{[]int{0, 200}, 1, true},
		{[]int{120, 0, 0}, 0, true},
		{[]int{3, 197}, 0, false},
		{[]int{200}, 0, false}, // one class only: nothing to collapse from
		{nil, 0, false},        // not recorded (regression, generation, old results)
	}
	for _, c := range cases {
		r := Result{Predicted: map[string][]int{"test": c.counts}}
		class, collapsed := r.Collapsed("test")
		if collapsed != c.collapsed || (collapsed && class != c.class) {
			t.Errorf("counts %v: class %d collapsed %v, want %d %v", c.counts, class, collapsed, c.class, c.collapsed)
		}
	}
}
