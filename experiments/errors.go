package experiments

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with a sweep file, at the position of the YAML node it is about.
type Problem struct {
	File      string
	Line, Col int
	Msg       string // what was wrong and what was expected
}

// Error formats the problem as file:line:col: message.
func (p Problem) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Msg)
}

// Problems are all the problems of one sweep file, in file order. Loading a sweep reports
// every problem at once so the author fixes them in one pass; nothing runs while any remain.
type Problems []Problem

// Error lists the problems one per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// sorted returns the problems in file order without exact duplicates (a value shared by
// several expanded runs is reported once).
func (ps Problems) sorted() Problems {
	out := make(Problems, 0, len(ps))
	seen := map[Problem]bool{}
	for _, p := range ps {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Col < out[j].Col
	})
	return out
}
