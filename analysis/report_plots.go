package analysis

import (
	"fmt"
	"path/filepath"
)

// tasks lists the tasks of the summary, in its order.
func (r *reporter) tasks() []string {
	var out []string
	for _, g := range r.summary.Groups {
		if len(out) == 0 || out[len(out)-1] != g.Task {
			out = append(out, g.Task)
		}
	}
	return out
}

// metricOf is the metric aggregated for a task.
func (r *reporter) metricOf(task string) string {
	for _, g := range r.summary.Groups {
		if g.Task == task {
			return g.Metric
		}
	}
	return ""
}

// metricPlots draws, per task, the metric against the LoRA rank and against the number of
// trainable parameters.
func (r *reporter) metricPlots() error {
	rank := Section{Title: "Metric vs rank"}
	params := Section{Title: "Metric vs trainable parameters"}
	for _, task := range r.tasks() {
		ylabel := fmt.Sprintf("%s (%s), mean ± std over seeds", r.metricOf(task), r.summary.Split)
		if r.spec.wantsPlot(PlotRank) {
			if s := RankSeries(r.summary, task); hasPoints(s, 2) {
				s = levelLines(s, r.summary, task, r.metricOf(task))
				lp := LinePlot{Title: task + ": " + r.metricOf(task) + " vs LoRA rank", XLabel: "rank r (log2 scale)",
					YLabel: ylabel, XLog: log2Axis, Series: s}
				if err := r.saveLinePlot(&rank, "rank_"+slug(task), lp); err != nil {
					return err
				}
			}
		}
		if r.spec.wantsPlot(PlotParams) {
			if s := ParamsSeries(r.summary, task); hasPoints(s, 1) {
				s = levelLines(s, r.summary, task, r.metricOf(task))
				lp := LinePlot{Title: task + ": " + r.metricOf(task) + " vs trainable parameters",
					XLabel: "trainable parameters (log10 scale)", YLabel: ylabel, XLog: log10Axis, Series: s}
				if err := r.saveLinePlot(&params, "params_"+slug(task), lp); err != nil {
					return err
				}
			}
		}
	}
	r.addIfFiles(rank, params)
	return nil
}

// learningCurves draws, per task, the training loss against the step, one line per setting.
func (r *reporter) learningCurves() error {
	if !r.spec.wantsPlot(PlotCurves) {
		return nil
	}
	sec := Section{Title: "Learning curves", Body: "Training loss by step, mean over seeds.\n"}
	for _, task := range r.tasks() {
		series, problems := curveSeries(r.sweep.Runs, r.summary, task)
		for _, err := range problems {
			r.note("learning curves: %v", err)
		}
		if !hasPoints(series, 2) {
			continue
		}
		lp := LinePlot{Title: task + ": training loss", XLabel: "step", YLabel: "training loss", Series: series}
		if err := r.saveLinePlot(&sec, "curves_"+slug(task), lp); err != nil {
			return err
		}
	}
	r.addIfFiles(sec)
	return nil
}

// saveLinePlot saves a line plot under figures/ and links it in sec; in a step perBase runs,
// its file and title name the base.
func (r *reporter) saveLinePlot(sec *Section, name string, lp LinePlot) error {
	if r.base != nil {
		lp.Title += " (" + r.base.Dir + ")"
	}
	paths, err := lp.Save(filepath.Join(r.dir, FiguresDir, r.named(name)))
	if err != nil {
		return err
	}
	art, err := r.relFigure(lp.Title, paths)
	if err != nil {
		return err
	}
	sec.Files = append(sec.Files, art)
	return nil
}

// addIfFiles adds the sections that produced a file.
func (r *reporter) addIfFiles(secs ...Section) {
	for _, s := range secs {
		if len(s.Files) > 0 {
			r.produced.Sections = append(r.produced.Sections, s)
		}
	}
}

// hasPoints says whether some series has at least n points.
func hasPoints(series []Series, n int) bool {
	for _, s := range series {
		if len(s.X) >= n {
			return true
		}
	}
	return false
}
