package datasets

import (
	"maps"
	"slices"
	"testing"
)

// TestTrainOnlyGroups: a group is safe when it is in some task's train split and in no
// task's validation or test split, whatever the tasks' splits of the other groups.
func TestTrainOnlyGroups(t *testing.T) {
	ex := func(groups ...string) []Example {
		var out []Example
		for _, g := range groups {
			out = append(out, Example{Text: "t " + g, Group: g})
		}
		return out
	}
	a := &Task{Train: ex("g1", "g2", "g3"), Validation: ex("g4"), Test: ex("g5")}
	b := &Task{Train: ex("g1", "g4", "g6"), Validation: ex("g2"), Test: ex("g7")} // splits differently
	c := &Task{Train: ex("g1"), Validation: ex("g8"), Test: ex("g3")}             // drops g2, g6
	got := slices.Sorted(maps.Keys(trainOnlyGroups(a, b, c)))
	if want := []string{"g1", "g6"}; !slices.Equal(got, want) {
		t.Errorf("safe groups %v, want %v", got, want)
	}
}

// TestQuoting: a document containing a held-out text, less its first and last words, is
// flagged; one sharing only a sentence, or short texts, are not.
func TestQuoting(t *testing.T) {
	held := []string{
		"We hold these truths to be self-evident, that all men are created equal. They are endowed with rights.",
		"Too short to matter here.",
	}
	docs := []Example{
		{Group: "quotes", Text: "As was said: hold these truths to be self-evident, that all men are created equal. They are endowed with, and so on."},
		{Group: "one sentence", Text: "These truths are self-evident, that all men are created equal. They differ otherwise."},
		{Group: "plain", Text: "Nothing of the kind is said here, not a word of it, in any sentence at all."},
		{Group: "short", Text: "It is too short to matter here as well."},
	}
	got := slices.Sorted(maps.Keys(quoting(docs, held)))
	if want := []string{"quotes"}; !slices.Equal(got, want) {
		t.Errorf("quoting documents %v, want %v", got, want)
	}
}
