package experiments

// Plan is plan.json in a sweep folder: the sweep's runs in their stable order, so Status can
// tell which are missing and reports can label them without re-reading the sweep file.
type Plan struct {
	Sweep string     `json:"sweep"`
	Runs  []PlanItem `json:"runs"`
}

// PlanItem is one run of a Plan.
type PlanItem struct {
	Index       int            `json:"index"`
	ID          string         `json:"id"`
	Task        string         `json:"task"`
	Method      string         `json:"method"`
	Setting     string         `json:"setting"`
	Seed        int            `json:"seed"`
	Label       string         `json:"label"` // task, setting and seed, as RunSpec.Label
	Axes        map[string]any `json:"axes,omitempty"`
	PaperParams int            `json:"paper_params"`
}

func newPlan(sw *Sweep, runs []RunSpec) Plan {
	p := Plan{Sweep: sw.Name, Runs: make([]PlanItem, len(runs))}
	for i, r := range runs {
		p.Runs[i] = PlanItem{Index: r.Index, ID: r.ID, Task: r.Task, Method: r.Method.Name,
			Setting: r.Method.Label(), Seed: r.Seed, Label: r.Label(), Axes: r.Axes, PaperParams: r.PaperParams}
	}
	return p
}
