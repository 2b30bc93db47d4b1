package analysis

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// writeMarkdown writes report.md: the sweep, its run counts, the command, then every
// section with its files linked relative to the sweep folder.
func (r *reporter) writeMarkdown() error {
	p := r.produced
	var b strings.Builder
	fmt.Fprintf(&b, "# Sweep %s\n\n", p.Sweep)
	fmt.Fprintf(&b, "%s`%s`\n\n", commandPrefix, r.opt.Command)
	fmt.Fprintf(&b, "Runs: %d done, %d failed, %d missing (not run yet, running, or killed)", p.Done, len(p.Failed), p.Missing)
	if len(p.Problems) > 0 {
		fmt.Fprintf(&b, ", %d unreadable", len(p.Problems))
	}
	if p.Stale > 0 {
		fmt.Fprintf(&b, "; %d run folders from an earlier version of the sweep file left out", p.Stale)
	}
	b.WriteString(".\n\n")
	fmt.Fprintf(&b, "The same report as one page to open in a browser, with sortable tables and a Pareto view: [%s](%s).\n\n", HTMLFile, HTMLFile)
	for _, sec := range p.Sections {
		writeSection(&b, sec)
	}
	writeFailed(&b, r)
	if len(p.Notes) > 0 {
		b.WriteString("## Notes\n\n")
		for _, n := range p.Notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
		b.WriteString("\n")
	}
	_, err := r.writeFile(ReportFile, []byte(strings.TrimRight(b.String(), "\n")+"\n"))
	return err
}

// commandPrefix starts the line of report.md that quotes the command.
const commandPrefix = "Command: "

// recordedCommand is the command quoted by the report.md in dir, or "" when there is none.
func recordedCommand(dir string) string {
	data, err := os.ReadFile(filepath.Join(dir, ReportFile))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		if cmd, ok := strings.CutPrefix(line, commandPrefix+"`"); ok && strings.HasSuffix(cmd, "`") {
			return strings.TrimSuffix(cmd, "`")
		}
	}
	return ""
}

// writeSection writes a section: its body, inline figures with their SVG, and file links.
func writeSection(b *strings.Builder, sec Section) {
	fmt.Fprintf(b, "## %s\n\n", sec.Title)
	if sec.Body != "" {
		b.WriteString(strings.TrimRight(sec.Body, "\n") + "\n\n")
	}
	var links []string
	for _, a := range sec.Files {
		if !a.Image {
			links = append(links, fmt.Sprintf("[%s](%s)", a.Title, a.Path))
			continue
		}
		fmt.Fprintf(b, "### %s\n\n![%s](%s)\n\n", a.Title, a.Title, a.Path)
		var also []string
		if a.Alt != "" {
			also = append(also, fmt.Sprintf("[SVG](%s)", a.Alt))
		}
		if a.Data != "" {
			also = append(also, fmt.Sprintf("[data (CSV)](%s)", a.Data))
		}
		if len(also) > 0 {
			b.WriteString(strings.Join(also, " · ") + "\n\n")
		}
	}
	if len(links) > 0 {
		b.WriteString("Files: " + strings.Join(links, " · ") + "\n\n")
	}
}

// writeFailed lists the failed runs with their reasons, and the unreadable run folders.
func writeFailed(b *strings.Builder, r *reporter) {
	p := r.produced
	if len(p.Failed) == 0 && len(p.Problems) == 0 {
		return
	}
	b.WriteString("## Failed runs\n\n")
	for _, f := range p.Failed {
		fmt.Fprintf(b, "- `%s` %s on %s, seed %d: %s\n", f.RunID, f.Setting, f.Task, f.Seed, oneLine(f.Reason))
	}
	for _, err := range p.Problems {
		fmt.Fprintf(b, "- unreadable: %s\n", oneLine(err.Error()))
	}
	b.WriteString("\n")
}

// oneLine keeps a reason on one Markdown list line.
func oneLine(s string) string {
	if s == "" {
		return "no reason recorded"
	}
	return strings.Join(strings.Fields(s), " ")
}
