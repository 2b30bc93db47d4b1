package experiments

import (
	"os"
	"strings"
	"testing"
)

// TestDocExampleParses keeps the package documentation honest: its full example must load
// against the built-in tasks and expand.
func TestDocExampleParses(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	start := strings.Index(text, "//\tname: table6_rank")
	end := strings.Index(text, "// The fields of a method entry")
	if start < 0 || end < start {
		t.Fatal("doc.go: example not found")
	}
	var lines []string
	for _, l := range strings.Split(text[start:end], "\n") {
		if l = strings.TrimPrefix(l, "//"); strings.HasPrefix(l, "\t") {
			lines = append(lines, l[1:])
		} else {
			lines = append(lines, "")
		}
	}
	sw, err := Parse("doc.go example", []byte(strings.Join(lines, "\n")), ParseOptions{})
	if err != nil {
		t.Fatalf("the documented example does not load:\n%v", err)
	}
	runs, err := sw.Expand()
	if err != nil {
		t.Fatal(err)
	}
	// 2 tasks x 3 seeds x (2 lora learning rates x (15 + 1 + 7 budgeted) lora + 2 adapter_h
	// + 1 adapter_d + 2 prefix + ft + fttop2 + bitfit)
	if want := 2 * 3 * (2*(15+1+7) + 2 + 1 + 2 + 1 + 1 + 1); len(runs) != want {
		t.Errorf("%d runs, want %d", len(runs), want)
	}
}
