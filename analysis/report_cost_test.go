package analysis

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"loralab/experiments/record"
)

// TestCostTable: two settings on one task, lora over two learning rates (the better one on
// validation is kept) and ft without a recorded memory (an older run): seconds per step,
// tokens/s and memory are means over the seeds of the kept rate, computed by hand.
func TestCostTable(t *testing.T) {
	dir := t.TempDir()
	write := func(setting, method string, lr float64, seed int, trainSeconds, tokens float64, memory int64, val float64) {
		id := fmt.Sprintf("%s-%g-%d", slug(setting), lr, seed)
		runDir := filepath.Join(dir, "runs", id)
		mustMkdir(t, runDir)
		writeJSON(t, filepath.Join(runDir, record.ResultFile), record.Result{
			RunID: id, Status: record.StatusDone, Sweep: "cost", Method: method, Setting: setting, Task: "cls", Seed: seed,
			Config:     map[string]any{"train": map[string]any{"steps": 200.0, "lr": lr}, "method": map[string]any{"name": method}},
			MainMetric: "accuracy", TrainableParams: 100,
			Metrics:      map[string]map[string]float64{"validation": {"accuracy": val}, "test": {"accuracy": val}},
			TrainSeconds: trainSeconds, TokensPerSecond: tokens, MemoryBytes: memory,
		})
	}
	write("lora r=8 q,v", "lora", 1e-3, 1, 20, 1000, 3<<20, 0.6)
	write("lora r=8 q,v", "lora", 1e-3, 2, 30, 2000, 5<<20, 0.6)
	write("lora r=8 q,v", "lora", 3e-3, 1, 400, 1, 100<<20, 0.5) // the worse rate: left out
	write("ft", "ft", 1e-4, 1, 50, 500, 0, 0.7)
	spec, err := ParseSpec([]byte("plots: []\ncost: {}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := WriteReport(dir, spec, Options{}); err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, filepath.Join(dir, TablesDir, "cost.csv"))
	if len(rows) != 2 || rows[0]["setting"] != "ft" || rows[1]["setting"] != "lora r=8 q,v" {
		t.Fatalf("cost rows %v, want ft then lora", rows)
	}
	ft, lora := rows[0], rows[1]
	if num(t, ft["step_seconds_mean"]) != 0.25 || ft["memory_mb_mean"] != "" {
		t.Errorf("ft row %v, want 50 s / 200 steps = 0.25 and no memory", ft)
	}
	if lora["seeds"] != "2" || math.Abs(num(t, lora["step_seconds_mean"])-0.125) > 1e-12 ||
		math.Abs(num(t, lora["step_seconds_std"])-math.Sqrt(0.00125)) > 1e-12 ||
		num(t, lora["tokens_per_s_mean"]) != 1500 || num(t, lora["memory_mb_mean"]) != 4 || math.Abs(num(t, lora["memory_mb_std"])-math.Sqrt2) > 1e-12 {
		t.Errorf("lora row %v, want 2 seeds, 0.125 ± 0.0354 s/step, 1500 tokens/s, 4 ± 1.414 MB", lora)
	}
	md := readFile(t, filepath.Join(dir, TablesDir, "cost.md"))
	if !strings.Contains(md, "| ft | cls | 100 | 0.25 | 500 | – |") || !strings.Contains(md, "| lora r=8 q,v | cls | 100 | 0.125 ± 0.035 | 1500 ± 707 | 4 ± 1.4 |") {
		t.Errorf("cost.md:\n%s", md)
	}
}
