package metrics

import "testing"

// TestPorterStem checks words from the examples of Porter (1980), step by step, through the
// whole algorithm (so "agreed" becomes "agree" in step 1b, then "agre" in step 5a).
func TestPorterStem(t *testing.T) {
	tests := []struct {
		word, want string
	}{
		// Step 1a.
		{"caresses", "caress"}, {"ponies", "poni"}, {"ties", "ti"}, {"caress", "caress"}, {"cats", "cat"},
		// Step 1b.
		{"feed", "feed"}, {"agreed", "agre"}, {"plastered", "plaster"}, {"bled", "bled"},
		{"motoring", "motor"}, {"sing", "sing"}, {"conflated", "conflat"}, {"troubled", "troubl"},
		{"sized", "size"}, {"hopping", "hop"}, {"tanned", "tan"}, {"falling", "fall"},
		{"hissing", "hiss"}, {"fizzed", "fizz"}, {"failing", "fail"}, {"filing", "file"},
		// Step 1c.
		{"happy", "happi"}, {"sky", "sky"},
		// Step 2 (and what later steps make of it).
		{"relational", "relat"}, {"conditional", "condit"}, {"rational", "ration"},
		{"valenci", "valenc"}, {"digitizer", "digit"}, {"conformabli", "conform"},
		{"radicalli", "radic"}, {"differentli", "differ"}, {"vileli", "vile"},
		{"analogousli", "analog"}, {"vietnamization", "vietnam"}, {"predication", "predic"},
		{"operator", "oper"}, {"feudalism", "feudal"}, {"decisiveness", "decis"},
		{"hopefulness", "hope"}, {"callousness", "callous"}, {"formaliti", "formal"},
		{"sensitiviti", "sensit"}, {"sensibiliti", "sensibl"},
		// Step 3.
		{"triplicate", "triplic"}, {"formative", "form"}, {"formalize", "formal"},
		{"electriciti", "electr"}, {"electrical", "electr"}, {"hopeful", "hope"}, {"goodness", "good"},
		// Step 4: a longest suffix whose condition fails blocks the shorter ones.
		{"revival", "reviv"}, {"allowance", "allow"}, {"inference", "infer"}, {"airliner", "airlin"},
		{"gyroscopic", "gyroscop"}, {"adjustable", "adjust"}, {"defensible", "defens"},
		{"irritant", "irrit"}, {"replacement", "replac"}, {"adjustment", "adjust"},
		{"dependent", "depend"}, {"adoption", "adopt"}, {"homologou", "homolog"},
		{"communism", "commun"}, {"activate", "activ"}, {"angulariti", "angular"},
		{"homologous", "homolog"}, {"effective", "effect"}, {"bowdlerize", "bowdler"},
		{"cement", "cement"},
		// Step 5.
		{"probate", "probat"}, {"rate", "rate"}, {"cease", "ceas"}, {"controll", "control"},
		{"roll", "roll"},
		// Longer chains.
		{"generalizations", "gener"}, {"oscillators", "oscil"}, {"controlling", "control"},
		{"running", "run"}, {"runs", "run"},
		// Left alone: short words, non-letters; upper case is folded.
		{"is", "is"}, {"a", "a"}, {"3.50", "3.50"}, {"£20", "£20"}, {"don't", "don't"}, {"Running", "run"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := PorterStem(tt.word); got != tt.want {
			t.Errorf("PorterStem(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

func TestPorterMeasure(t *testing.T) {
	// Porter's examples of m = 0, 1 and 2.
	tests := []struct {
		word string
		want int
	}{
		{"tr", 0}, {"ee", 0}, {"tree", 0}, {"y", 0}, {"by", 0},
		{"trouble", 1}, {"oats", 1}, {"trees", 1}, {"ivy", 1},
		{"troubles", 2}, {"private", 2}, {"oaten", 2}, {"orrery", 2},
	}
	for _, tt := range tests {
		if got := porterMeasure(tt.word); got != tt.want {
			t.Errorf("porterMeasure(%q) = %d, want %d", tt.word, got, tt.want)
		}
	}
}
