package readmetables

import (
	"slices"
	"strings"
	"testing"
)

func TestParseBlocksBadInput(t *testing.T) {
	for _, c := range []struct{ name, doc, want string }{
		{"unclosed", "a\n<!-- table: x.md -->\n| a |", "doc.md:2: table block of x.md is never closed"},
		{"stray end", "a\n<!-- end table -->", "doc.md:2: \"<!-- end table -->\" without an opening marker"},
		{"nested", "<!-- table: x.md -->\n<!-- table: y.md -->\n<!-- end table -->", "doc.md:2: a table block opens inside the block opened at line 1"},
		{"no path", "<!-- table:  -->\n<!-- end table -->", "doc.md:1: want"},
		{"no close of marker", "<!-- table: x.md\n<!-- end table -->", "doc.md:1: want"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseBlocks("doc.md", strings.Split(c.doc, "\n"))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestParseBlocks(t *testing.T) {
	doc := "intro\n<!-- table: a/b.md -->\n| x |\n| - |\n<!-- end table -->\ntext\n<!-- table: c.md -->\n<!-- end table -->"
	got, err := parseBlocks("doc.md", strings.Split(doc, "\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []block{{file: "a/b.md", begin: 2, end: 4, markerLine: 2}, {file: "c.md", begin: 7, end: 7, markerLine: 7}}
	if !slices.Equal(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestHandTables(t *testing.T) {
	doc := strings.Join([]string{
		"# title",
		"| main job, by hand |", // 2: results (before the first ## heading)
		"| - |",
		"<!-- table: t.md -->",
		"| generated |",
		"<!-- end table -->",
		"## Running sweeps",
		"| keys, not results |", // 8: not a results section
		"## The paper's studies, here",
		"### Table 2",
		"text",
		"| by hand |", // 12: a subsection of a results section
		"## Tests",
		"### The shipped bases", // a results section below a non-results one
		"| by hand too |",       // 15
		"#### deeper",
		"| still inside |", // 17
		"### Other",
		"| outside |",
	}, "\n")
	lines := strings.Split(doc, "\n")
	blocks, err := parseBlocks("doc.md", lines)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := handTables(lines, blocks), []int{2, 12, 15, 17}; !slices.Equal(got, want) {
		t.Fatalf("hand tables at lines %v, want %v", got, want)
	}
}
