package analysis

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"loralab/experiments/record"
)

// HTMLFile is the report as one self-contained page: tables that sort and filter, every
// figure inline, and an interactive Pareto view of the runs.
const HTMLFile = "report.html"

var (
	//go:embed html/report.html.tmpl
	htmlTemplateText string
	//go:embed html/report.css
	htmlCSS string
	//go:embed html/report.js
	htmlJS string

	htmlTemplate = template.Must(template.New("report").Parse(htmlTemplateText))
)

// htmlPage is what the page template shows.
type htmlPage struct {
	Sweep, Command string
	Counts         string
	CSS            template.CSS
	JS             template.JS
	Methods        []string
	Sections       []htmlSection
	Pareto         paretoData
	Failed         []string
	Notes          []string
}

// htmlSection is one section of the report: its body's blocks, its figures inline and
// links to its files.
type htmlSection struct {
	Title   string
	ID      string
	Blocks  []mdBlock
	Figures []htmlFigure
	Links   []htmlLink
}

// htmlFigure is one figure: its title and its SVG, inline.
type htmlFigure struct {
	Title string
	SVG   template.HTML
	Links []htmlLink
}

// htmlLink is a link to a file of the sweep folder, relative to it.
type htmlLink struct{ Title, Href string }

// paretoData is the data of the Pareto view: every done run as a point, and the x axes the
// runs have values for.
type paretoData struct {
	Axes   []paretoAxis  `json:"axes"`
	Points []paretoPoint `json:"points"`
	Split  string        `json:"split"`
}

// paretoAxis is one cost a run can be placed by. Log says the page draws it on a log scale.
type paretoAxis struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Log   bool   `json:"log"`
}

// paretoPoint is one done run: its quality (the table's metric on the table's split) and
// its costs by axis key, straight from result.json.
type paretoPoint struct {
	Run     string             `json:"run"`
	Task    string             `json:"task"`
	Method  string             `json:"method"`
	Setting string             `json:"setting"`
	Seed    int                `json:"seed"`
	Metric  string             `json:"metric"`
	Lower   bool               `json:"lower_is_better"`
	Value   float64            `json:"value"`
	X       map[string]float64 `json:"x"`
}

// paretoAxes are the costs the Pareto view offers, each read from a result; a value <= 0
// means the result does not have it.
var paretoAxes = []struct {
	axis paretoAxis
	get  func(record.Result) float64
}{
	{paretoAxis{"trainable_params", "trainable parameters", true}, func(r record.Result) float64 { return float64(r.TrainableParams) }},
	{paretoAxis{"step_seconds", "seconds per training step", true}, stepSeconds},
	{paretoAxis{"train_seconds", "training time (s)", true}, func(r record.Result) float64 { return r.TrainSeconds }},
	{paretoAxis{"checkpoint_bytes", "checkpoint bytes", true}, func(r record.Result) float64 { return float64(r.CheckpointBytes) }},
	{paretoAxis{"memory_bytes", "run memory (bytes)", true}, func(r record.Result) float64 { return float64(r.MemoryBytes) }},
}

// stepSeconds is a run's training time over its optimizer steps (0 when the config does not
// give the steps).
func stepSeconds(r record.Result) float64 {
	train, _ := r.Config["train"].(map[string]any)
	steps, _ := train["steps"].(float64)
	if steps <= 0 || r.TrainSeconds <= 0 {
		return 0
	}
	return r.TrainSeconds / steps
}

// writeHTML writes report.html from what the other steps produced.
func (r *reporter) writeHTML() error {
	p := r.produced
	page := htmlPage{
		Sweep: p.Sweep, Command: r.opt.Command, CSS: template.CSS(htmlCSS), JS: template.JS(htmlJS),
		Counts: fmt.Sprintf("%d done, %d failed, %d missing", p.Done, len(p.Failed), p.Missing),
		Pareto: r.paretoData(), Notes: p.Notes,
	}
	for _, pt := range page.Pareto.Points {
		if !slices.Contains(page.Methods, pt.Method) {
			page.Methods = append(page.Methods, pt.Method)
		}
	}
	slices.SortStableFunc(page.Methods, func(a, b string) int { return methodRank(a) - methodRank(b) })
	methodOf := map[string]string{}
	for _, run := range r.sweep.Runs {
		methodOf[run.Result.Setting] = run.Result.Method
		methodOf[run.Result.Method] = run.Result.Method
	}
	for _, sec := range p.Sections {
		hs, err := r.htmlSection(sec, methodOf)
		if err != nil {
			return err
		}
		page.Sections = append(page.Sections, hs)
	}
	for _, f := range p.Failed {
		page.Failed = append(page.Failed, fmt.Sprintf("%s %s on %s, seed %d: %s", f.RunID, f.Setting, f.Task, f.Seed, oneLine(f.Reason)))
	}
	for _, err := range p.Problems {
		page.Failed = append(page.Failed, "unreadable: "+oneLine(err.Error()))
	}
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, page); err != nil {
		return fmt.Errorf("analysis: %s: %w", HTMLFile, err)
	}
	_, err := r.writeFile(HTMLFile, buf.Bytes())
	return err
}

// htmlSection turns a report section into its page form: Markdown body to blocks, figures
// to inline SVG, other files to links.
func (r *reporter) htmlSection(sec Section, methodOf map[string]string) (htmlSection, error) {
	hs := htmlSection{Title: sec.Title, ID: slug(sec.Title), Blocks: mdBlocks(sec.Body, methodOf)}
	for _, a := range sec.Files {
		if !a.Image {
			hs.Links = append(hs.Links, htmlLink{a.Title, a.Path})
			continue
		}
		svgPath := a.Alt
		if !strings.HasSuffix(svgPath, ".svg") {
			svgPath = a.Path
		}
		svg, err := inlineSVG(filepath.Join(r.dir, filepath.FromSlash(svgPath)))
		if err != nil {
			return hs, err
		}
		fig := htmlFigure{Title: a.Title, SVG: svg, Links: []htmlLink{{"PNG", a.Path}, {"SVG", a.Alt}}}
		if a.Data != "" {
			fig.Links = append(fig.Links, htmlLink{"data (CSV)", a.Data})
		}
		hs.Figures = append(hs.Figures, fig)
	}
	return hs, nil
}

// inlineSVG reads an SVG file written by package figure and returns its <svg> element, for
// embedding in the page (the XML prolog and comments before it dropped).
func inlineSVG(path string) (template.HTML, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("analysis: %s: %w", HTMLFile, err)
	}
	i := bytes.Index(data, []byte("<svg"))
	if i < 0 {
		return "", fmt.Errorf("analysis: %s: %s holds no <svg> element", HTMLFile, path)
	}
	return template.HTML(data[i:]), nil // #nosec: our own figure files
}

// paretoData collects the done runs' quality and costs for the Pareto view; the axes are
// those some run has a value for.
func (r *reporter) paretoData() paretoData {
	d := paretoData{Split: r.summary.Split, Points: []paretoPoint{}, Axes: []paretoAxis{}}
	has := make([]bool, len(paretoAxes))
	for _, run := range r.sweep.Done() {
		res := run.Result
		metric := r.spec.Table.Metric
		if metric == "" {
			metric = res.MainMetric
		}
		v, ok := res.Metrics[r.summary.Split][metric]
		if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		pt := paretoPoint{Run: res.RunID, Task: res.Task, Method: res.Method, Setting: res.Setting, Seed: res.Seed,
			Metric: metric, Lower: LowerIsBetter(metric), Value: v, X: map[string]float64{}}
		for i, a := range paretoAxes {
			if x := a.get(res); x > 0 && !math.IsInf(x, 0) {
				pt.X[a.axis.Key] = x
				has[i] = true
			}
		}
		d.Points = append(d.Points, pt)
	}
	for i, a := range paretoAxes {
		if has[i] {
			d.Axes = append(d.Axes, a.axis)
		}
	}
	return d
}
