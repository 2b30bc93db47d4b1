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

// TestParseTaskBudgetsBad checks the per-task steps and epochs.
func TestParseTaskBudgetsBad(t *testing.T) {
	tests := []struct{ name, tasks, want string }{
		{"both", "tasks: [{name: cls-a, steps: 5, epochs: 2}, reg-a]",
			`sweep.yaml:8:33: tasks[0]: both steps and epochs given, want one of them`},
		{"neither", "tasks: [{name: cls-a}, reg-a]",
			`sweep.yaml:8:9: tasks[0]: missing key "steps" or "epochs" (or write the task's name alone)`},
		{"no name", "tasks: [{steps: 5}, reg-a]",
			`sweep.yaml:8:9: tasks[0]: missing key "name"`},
		{"zero steps", "tasks: [{name: cls-a, steps: 0}, reg-a]",
			`sweep.yaml:8:30: tasks[0].steps: 0 is out of range, want >= 1`},
		{"unknown key", "tasks: [{name: cls-a, lr: 1}, reg-a]",
			"sweep.yaml:8:9: tasks[0]: missing key \"steps\" or \"epochs\" (or write the task's name alone)\n" +
				`sweep.yaml:8:23: tasks[0]: unknown key "lr", want one of name, steps, epochs`},
		{"unknown task", "tasks: [{name: cls-z, steps: 3}, reg-a]",
			`sweep.yaml:8:16: tasks[0]: unknown task "cls-z", want one of corpus-a, cls-a, cls-b, reg-a`},
		{"repeated", "tasks: [{name: reg-a, steps: 3}, reg-a]",
			`sweep.yaml:8:34: tasks[1]: task "reg-a" repeated`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("sweep.yaml", []byte(strings.Replace(baseSweep, "tasks: [cls-a, reg-a]", tt.tasks, 1)), ParseOptions{Tasks: testTasks})
			if err == nil || err.Error() != tt.want {
				t.Errorf("got\n%v\nwant\n%s", err, tt.want)
			}
		})
	}
}

// TestTaskBudgets checks that a task's own steps or epochs replace train.steps for its runs
// only, that the plain tasks keep the ids they had, and that train: may leave out steps when
// every task has its own.
func TestTaskBudgets(t *testing.T) {
	plain, err := parseTest(t, baseSweep).Expand()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(baseSweep, "tasks: [cls-a, reg-a]", "tasks: [{name: cls-a, epochs: 3}, reg-a]", 1)
	runs, err := parseTest(t, text).Expand()
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range runs {
		switch r.Task {
		case "cls-a":
			if r.Train.Steps != 0 || r.Train.Epochs != 3 || r.ID == plain[i].ID {
				t.Errorf("%s: steps %d epochs %d, id %s (plain %s)", r.Label(), r.Train.Steps, r.Train.Epochs, r.ID, plain[i].ID)
			}
		case "reg-a":
			if r.Train.Steps != 5 || r.ID != plain[i].ID {
				t.Errorf("%s: steps %d, id %s, want 5 and %s", r.Label(), r.Train.Steps, r.ID, plain[i].ID)
			}
		}
	}
	text = strings.Replace(baseSweep, "tasks: [cls-a, reg-a]", "tasks: [{name: cls-a, epochs: 3}, {name: reg-a, steps: 7}]", 1)
	sw := parseTest(t, strings.Replace(text, "  steps: 5\n", "", 1))
	if sw.Train.Steps != 0 || sw.TaskBudgets["reg-a"].Steps != 7 {
		t.Errorf("train %+v, budgets %+v", sw.Train, sw.TaskBudgets)
	}
	_, err = Parse("sweep.yaml", []byte(strings.Replace(baseSweep, "  steps: 5\n", "", 1)), ParseOptions{Tasks: testTasks})
	if want := `sweep.yaml:10:3: train: missing key "steps" or "epochs"`; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}
