package experiments

import (
	"errors"
	"strings"
	"testing"
)

// TestParseProtocolBad feeds the protocol keys (head_lr, eval_limit, per-task budgets, lr
// lists, lr_tuning) bad values and checks the exact message.
func TestParseProtocolBad(t *testing.T) {
	tests := []struct {
		name     string
		old, new string // replace old by new in baseSweep
		want     string
	}{
		{"negative head_lr", "steps: 5\n", "steps: 5\n  head_lr: -1e-3\n",
			`sweep.yaml:11:12: train.head_lr: -0.001 is out of range, want > 0`},
		{"head_lr list", "steps: 5\n", "steps: 5\n  head_lr: [1e-3]\n",
			`sweep.yaml:11:12: train.head_lr: found a list, want a number`},
		{"negative eval_limit", "steps: 5\n", "steps: 5\n  eval_limit: -3\n",
			`sweep.yaml:11:15: train.eval_limit: -3 is out of range, want >= 0 (0 = every validation example)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(baseSweep, tt.old) {
				t.Fatalf("base sweep lacks %q", tt.old)
			}
			_, err := Parse("sweep.yaml", []byte(strings.Replace(baseSweep, tt.old, tt.new, 1)), ParseOptions{Tasks: testTasks})
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("got %v, want Problems", err)
			}
			if ps.Error() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", ps.Error(), tt.want)
			}
		})
	}
}

// TestHeadLRAndEvalLimitReachRuns checks that head_lr and eval_limit are part of every run's
// resolved config (and so of its id), and absent ones leave the ids as they were.
func TestHeadLRAndEvalLimitReachRuns(t *testing.T) {
	plain, err := parseTest(t, baseSweep).Expand()
	if err != nil {
		t.Fatal(err)
	}
	withKeys, err := parseTest(t, strings.Replace(baseSweep, "steps: 5\n", "steps: 5\n  head_lr: 2e-2\n  eval_limit: 50\n", 1)).Expand()
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range withKeys {
		if r.Train.HeadLR != 2e-2 || r.Train.EvalLimit != 50 {
			t.Errorf("%s: head_lr %g, eval_limit %d", r.Label(), r.Train.HeadLR, r.Train.EvalLimit)
		}
		if r.ID == plain[i].ID {
			t.Errorf("%s: same id with and without head_lr", r.Label())
		}
	}
}
