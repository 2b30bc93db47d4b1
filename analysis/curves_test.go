package analysis

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"loralab/experiments/record"
)

func TestReadPoints(t *testing.T) {
	dir := t.TempDir()
	text := `{"step": 0, "loss": 2.0, "lr": 0.001}

{"step": 10, "loss": 1.0}
{"step": 10, "loss": 0.9, "split": "validation", "metrics": {"accuracy": 0.5}}
{"step": 10, "loss": 0.8}
`
	os.WriteFile(filepath.Join(dir, record.MetricsFile), []byte(text), 0o644)
	points, err := ReadPoints(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(points) != 4 || points[2].Metrics["accuracy"] != 0.5 {
		t.Fatalf("points = %+v", points)
	}
	curve := LossCurve(points)
	// The evaluation line is not training loss; the repeated step 10 keeps its last value.
	if len(curve) != 2 || curve[0] != 2.0 || curve[10] != 0.8 {
		t.Errorf("loss curve = %v, want {0: 2, 10: 0.8}", curve)
	}
}

func TestReadPointsErrors(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"not json", "{\"step\": 1, \"loss\": 1}\nloss=3\n", "metrics.jsonl:2: want a JSON object"},
		{"wrong type", "{\"step\": \"one\", \"loss\": 1}\n", "metrics.jsonl:1:"},
		{"unknown field", "{\"step\": 1, \"los\": 1}\n", `metrics.jsonl:1: want a JSON object {step, loss, ...}: json: unknown field "los"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, record.MetricsFile), []byte(tc.text), 0o644)
			if _, err := ReadPoints(dir); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestMeanCurve(t *testing.T) {
	s := MeanCurve("x", []map[int]float64{{0: 2, 10: 1}, {0: 4, 10: 3, 20: 1}})
	// Step 20 is logged by one seed only: its mean is that seed's value.
	if !slices.Equal(s.X, []float64{0, 10, 20}) || !slices.Equal(s.Y, []float64{3, 2, 1}) {
		t.Errorf("mean curve x=%v y=%v, want x=[0 10 20] y=[3 2 1]", s.X, s.Y)
	}
}

func TestSeries(t *testing.T) {
	rs := []record.Result{
		result("lora r=64 q,v", "lora", 64, "cls", 1, "accuracy", 0.80),
		result("lora r=8 q,v", "lora", 8, "cls", 1, "accuracy", 0.90),
		result("lora r=8 q,v", "lora", 8, "cls", 2, "accuracy", 0.86),
		result("ft", "ft", 0, "cls", 1, "accuracy", 0.85),
		result("lora r=8 q,v", "lora", 8, "other", 1, "accuracy", 0.1),
	}
	s := Aggregate(rs, "test", "")
	rank := RankSeries(s, "cls")
	if len(rank) != 1 || rank[0].Name != "lora q,v" || !slices.Equal(rank[0].X, []float64{8, 64}) ||
		!closeAll(rank[0].Y, []float64{0.88, 0.80}) || rank[0].Err[1] != 0 {
		t.Errorf("rank series = %+v", rank)
	}
	params := ParamsSeries(s, "cls")
	if len(params) != 2 || params[0].Name != "ft" || params[1].Name != "lora" ||
		!slices.Equal(params[1].X, []float64{900, 6500}) {
		t.Errorf("params series = %+v", params)
	}
}

func closeAll(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if d := a[i] - b[i]; d > 1e-12 || d < -1e-12 {
			return false
		}
	}
	return true
}
