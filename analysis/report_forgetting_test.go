package analysis

import (
	"slices"
	"testing"

	"loralab/experiments/record"
)

// TestUnmeasuredListsTheRunsTheTableLeavesOut: done runs without held-out losses are named
// once per setting and task; measured, failed and other-task runs are not.
func TestUnmeasuredListsTheRunsTheTableLeavesOut(t *testing.T) {
	measured := map[string]map[string]float64{record.ForgettingSplit: {record.NLLBase: 5}}
	results := []record.Result{
		{Setting: "lora r=4", Task: "spam", Status: record.StatusDone, Metrics: measured},
		{Setting: "prefix_embed l=8", Task: "spam", Status: record.StatusDone},
		{Setting: "prefix_embed l=8", Task: "spam", Status: record.StatusDone},
		{Setting: "ft", Task: "spam", Status: record.StatusFailed},
		{Setting: "ft", Task: "sotu-era", Status: record.StatusDone},
	}
	for _, c := range []struct {
		task string
		want []string
	}{
		{"", []string{"prefix_embed l=8 on spam", "ft on sotu-era"}},
		{"spam", []string{"prefix_embed l=8 on spam"}},
		{"embedded-cls", nil},
	} {
		if got := unmeasured(results, c.task); !slices.Equal(got, c.want) {
			t.Errorf("task %q: unmeasured %q, want %q", c.task, got, c.want)
		}
	}
}
