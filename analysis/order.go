package analysis

import (
	"cmp"
	"slices"
	"strings"

	"loralab/method"
)

// methodRank is the position of a method in the paper's table order (method.Names());
// unknown methods come last.
func methodRank(name string) int {
	if i := slices.Index(method.Names(), name); i >= 0 {
		return i
	}
	return len(method.Names())
}

// compareSettings orders method settings as the paper's tables do: by method in the order
// of method.Names(), then by size (rank, adapter size, prefix length), then by label in
// natural order ("r=8" before "r=64").
func compareSettings(a method.Spec, aLabel string, b method.Spec, bLabel string) int {
	return cmp.Or(
		cmp.Compare(methodRank(a.Name), methodRank(b.Name)),
		cmp.Compare(a.Name, b.Name),
		cmp.Compare(settingSize(a), settingSize(b)),
		naturalCompare(aLabel, bLabel),
	)
}

// settingSize is the size knob of a setting: LoRA rank, adapter size or prefix length.
func settingSize(s method.Spec) int { return s.Rank + s.Size + s.Prefix + s.Infix }

// naturalCompare compares strings with runs of digits compared as numbers.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digitPrefix(a), digitPrefix(b)
		if da != "" && db != "" {
			na, nb := strings.TrimLeft(da, "0"), strings.TrimLeft(db, "0")
			if c := cmp.Or(cmp.Compare(len(na), len(nb)), cmp.Compare(na, nb)); c != 0 {
				return c
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

// digitPrefix is the leading run of ASCII digits of s.
func digitPrefix(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}
