package readmetables

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the README's generated tables from their files")

const (
	beginMark = "<!-- table: "
	endMark   = "<!-- end table -->"
)

// resultSections are the README sections (by heading, each with its subsections) in which
// every table must be generated; the part before the first "## " heading (the main job) is
// one too.
var resultSections = []string{"## The paper's studies, here", "### The shipped bases"}

// block is one generated table of a document: lines [begin, end) lie between its markers.
type block struct {
	file       string // the table file, relative to the repository root
	begin, end int    // content lines, 0-based, end exclusive
	markerLine int    // the opening marker, 1-based, for messages
}

// parseBlocks finds the generated blocks of doc's lines; it reports markers that do not pair.
func parseBlocks(name string, lines []string) ([]block, error) {
	var blocks []block
	open := -1
	var file string
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, beginMark):
			if open >= 0 {
				return nil, fmt.Errorf("%s:%d: a table block opens inside the block opened at line %d", name, i+1, open+1)
			}
			rest, ok := strings.CutSuffix(strings.TrimPrefix(l, beginMark), " -->")
			if !ok || strings.TrimSpace(rest) == "" {
				return nil, fmt.Errorf("%s:%d: want %q + a file path + \" -->\", got %q", name, i+1, beginMark, l)
			}
			open, file = i, strings.TrimSpace(rest)
		case l == endMark:
			if open < 0 {
				return nil, fmt.Errorf("%s:%d: %q without an opening marker", name, i+1, endMark)
			}
			blocks = append(blocks, block{file: file, begin: open + 1, end: i, markerLine: open + 1})
			open = -1
		}
	}
	if open >= 0 {
		return nil, fmt.Errorf("%s:%d: table block of %s is never closed (%q)", name, open+1, file, endMark)
	}
	return blocks, nil
}

// handTables returns the 1-based lines that start a Markdown table inside a results section
// of lines and outside every block.
func handTables(lines []string, blocks []block) []int {
	inBlock := make([]bool, len(lines))
	for _, b := range blocks {
		for i := b.begin - 1; i <= b.end; i++ {
			inBlock[i] = true
		}
	}
	var found []int
	results := true // before the first "## " heading: the main job
	level := 0      // heading level of the results section we are in
	for i, l := range lines {
		if h := headingLevel(l); h > 1 { // the document's title (#) opens the main-job part
			switch {
			case isResultSection(l):
				results, level = true, h
			case results && (level == 0 || h <= level):
				results, level = false, 0
			}
			continue
		}
		starts := strings.HasPrefix(l, "|") && (i == 0 || !strings.HasPrefix(lines[i-1], "|"))
		if results && starts && !inBlock[i] {
			found = append(found, i+1)
		}
	}
	return found
}

func headingLevel(l string) int {
	n := len(l) - len(strings.TrimLeft(l, "#"))
	if n == 0 || n >= len(l) || l[n] != ' ' {
		return 0
	}
	return n
}

func isResultSection(l string) bool {
	for _, s := range resultSections {
		if l == s || strings.HasPrefix(l, s+" ") {
			return true
		}
	}
	return false
}

// fileLines returns a table file's content as lines, without the final newline.
func fileLines(root, file string) ([]string, error) {
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(file)))
	if err != nil {
		return nil, err
	}
	return strings.Split(strings.TrimRight(string(data), "\n"), "\n"), nil
}

const root = "../.."

// TestReadmeTables checks the README's copies and that its results sections have no table
// typed by hand.
func TestReadmeTables(t *testing.T) {
	lines, blocks := checkCopies(t, "README.md")
	if len(blocks) == 0 {
		t.Fatal("README.md has no generated table")
	}
	for _, l := range handTables(lines, blocks) {
		t.Errorf("README.md:%d: a table typed by hand in a results section; copy a generated table file between %q and %q markers", l, beginMark+"FILE -->", endMark)
	}
}

// TestReferenceReadmeTables checks the copies in the reference folders' READMEs, which may
// also hold tables of their own (the paper's numbers beside ours).
func TestReferenceReadmeTables(t *testing.T) {
	names, err := filepath.Glob(filepath.Join(root, "results", "reference", "*", "README.md"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no reference README (%v)", err)
	}
	for _, name := range names {
		rel, _ := filepath.Rel(root, name)
		checkCopies(t, filepath.ToSlash(rel))
	}
}

// checkCopies compares each generated block of the document name (relative to the
// repository root) with its file, or rewrites the blocks from their files under -update, and
// returns the document's lines and blocks.
func checkCopies(t *testing.T, name string) ([]string, []block) {
	t.Helper()
	path := filepath.Join(root, filepath.FromSlash(name))
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	blocks, err := parseBlocks(name, lines)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	last := 0
	for _, b := range blocks {
		want, err := fileLines(root, b.file)
		if err != nil {
			t.Errorf("%s:%d: %v", name, b.markerLine, err)
			continue
		}
		out = append(append(out, lines[last:b.begin]...), want...)
		last = b.end
		if got := lines[b.begin:b.end]; !*update && strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s:%d: the copy of %s differs from the file (run `go test ./internal/readmetables -update`)", name, b.markerLine, b.file)
		}
	}
	out = append(out, lines[last:]...)
	if *update && len(blocks) > 0 {
		if err := os.WriteFile(path, []byte(strings.Join(out, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return lines, blocks
}
