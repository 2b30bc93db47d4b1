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

func TestReadResultErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadResult(dir); err == nil {
		t.Fatal("missing result.json: no error")
	}
	os.WriteFile(filepath.Join(dir, ResultFile), []byte("{\"run_id\": 3"), 0o644)
	_, err := ReadResult(dir)
	if err == nil || !strings.Contains(err.Error(), ResultFile) {
		t.Fatalf("truncated result.json: error %v does not name the file", err)
	}
}

func TestWriteFileAtomicBadFolder(t *testing.T) {
	if err := WriteFileAtomic(filepath.Join(t.TempDir(), "no", "such", "x.json"), []byte("x")); err == nil {
		t.Fatal("write into a missing folder: no error")
	}
}
