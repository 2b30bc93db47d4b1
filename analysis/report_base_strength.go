package analysis

import (
	"fmt"
	"path/filepath"
	"slices"
)

// baseStrengthStudy writes the base-strength study the spec asks for (base_strength):
// tables/base_strength.{md,csv} and figures/base_strength_<task>.{png,svg}. What the runs
// cannot give (one base, a base without tokens, no LoRA or FT setting) is a note.
func (r *reporter) baseStrengthStudy() error {
	spec := r.spec.BaseStrength
	if spec == nil {
		return nil
	}
	bs, err := BuildBaseStrength(r.summary, *spec)
	if err != nil {
		r.note("base_strength: %v", err)
		return nil
	}
	sec := Section{Title: "Base strength: " + bs.gapName() + " against the base's pretraining tokens"}
	md, err := render(bs.WriteMarkdown)
	if err != nil {
		return err
	}
	csvData, err := render(bs.WriteCSV)
	if err != nil {
		return err
	}
	mdPath, err := r.writeFile(TablesDir+"/base_strength.md", md)
	if err != nil {
		return err
	}
	csvPath, err := r.writeFile(TablesDir+"/base_strength.csv", csvData)
	if err != nil {
		return err
	}
	var tasks []string
	for _, row := range bs.Rows {
		if !slices.Contains(tasks, row.Task) {
			tasks = append(tasks, row.Task)
		}
	}
	for _, task := range tasks {
		fig := bs.Figure(task, r.summary.Chance[task])
		paths, err := fig.Save(filepath.Join(r.dir, FiguresDir, "base_strength_"+slug(task)))
		if err != nil {
			return err
		}
		art, err := r.relFigure(fmt.Sprintf("%s: the metric and %s against pretraining tokens", task, bs.gapName()), paths)
		if err != nil {
			return err
		}
		art.Data = csvPath
		sec.Files = append(sec.Files, art)
	}
	sec.Files = append(sec.Files, Artifact{Title: "Markdown", Path: mdPath}, Artifact{Title: "CSV", Path: csvPath})
	sec.Body = string(md)
	r.produced.Sections = append(r.produced.Sections, sec)
	return nil
}
