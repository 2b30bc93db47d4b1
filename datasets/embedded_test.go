package datasets

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// reviewOracle re-derives the polarity of a review from its text by the rules that
// EmbeddedClassification documents, independently of the generator.
func reviewOracle(text string) bool {
	polarity := func(clause string) bool {
		positive := false
		for _, w := range words(clause) {
			if slices.Contains(positiveWords, w) {
				positive = true
			}
		}
		return positive != strings.Contains(" "+clause+" ", " not ")
	}
	var verdict string
	for _, s := range regexp.MustCompile(`[.!?]\s*`).Split(strings.ToLower(text), -1) {
		distractor := strings.Contains(s, " said that ") || strings.HasPrefix(s, "at ")
		opinion := slices.ContainsFunc(append(slices.Clone(positiveWords), negativeWords...), func(w string) bool {
			return slices.Contains(words(s), w)
		})
		if opinion && !distractor {
			verdict = s
		}
	}
	switch {
	case strings.HasPrefix(verdict, "i had hoped"):
		return false
	case strings.HasPrefix(verdict, "i was afraid"):
		return true
	case strings.Contains(verdict, ", but "):
		return polarity(verdict[strings.Index(verdict, ", but ")+6:])
	case strings.HasPrefix(verdict, "although "):
		return polarity(verdict[strings.Index(verdict, ", ")+2:])
	case strings.Contains(verdict, " and "):
		return polarity(verdict[:strings.Index(verdict, " and ")])
	}
	return polarity(verdict)
}

// TestEmbeddedClassificationLabelsFollowTheRules: the labels agree with the documented
// rules except for the flipped labelNoise share.
func TestEmbeddedClassificationLabelsFollowTheRules(t *testing.T) {
	task := EmbeddedClassification(Options{Seed: 3})
	agree := 0
	for _, ex := range task.Train {
		if reviewOracle(ex.Text) == (ex.Label == 1) {
			agree++
		}
	}
	share := float64(agree) / float64(len(task.Train))
	if math.Abs(share-(1-labelNoise)) > 0.015 {
		t.Fatalf("rules agree with %.3f of the labels, want %.3f (1 - label noise)", share, 1-labelNoise)
	}
}

// sceneOracle reads the slot values back from a scene sentence by their surface forms.
func sceneOracle(t *testing.T, text string) scene {
	t.Helper()
	text = " " + strings.ToLower(strings.TrimSuffix(text, ".")) + " "
	find := func(vocab []slotValue) int {
		found, longest := -1, 0
		for v, forms := range vocab {
			for _, f := range forms {
				if strings.Contains(text, " "+f+" ") || strings.Contains(text, " "+f+",") {
					if len(f) > longest { // "billy goat" over "goat"
						found, longest = v, len(f)
					}
				}
			}
		}
		if found < 0 {
			t.Fatalf("no slot value of %v in %q", vocab[0], text)
		}
		return found
	}
	return scene{size: find(sceneSizes), color: find(sceneColors), animal: find(sceneAnimals), action: find(sceneActions), place: find(scenePlaces)}
}

// TestEmbeddedRegressionTargetsFollowTheScenes: the target is the documented similarity of
// the two scenes read back from the text, within the noise.
func TestEmbeddedRegressionTargetsFollowTheScenes(t *testing.T) {
	task := EmbeddedRegression(Options{Seed: 5, MaxTrain: 500})
	far := 0
	for _, ex := range task.Train {
		want := sceneOracle(t, ex.Text).similarity(sceneOracle(t, ex.Text2))
		if math.Abs(ex.Target-want) > 4*sceneNoise {
			far++
		}
	}
	if far > 2 {
		t.Fatalf("%d of %d targets are more than 4 sigma from the scenes' similarity", far, len(task.Train))
	}
}

// TestEmbeddedDataToTextReferencesCoverTheMR: every reference names the venue and
// realises the attributes whose values appear verbatim (food, landmark), and the
// references of one MR differ.
func TestEmbeddedDataToTextReferencesCoverTheMR(t *testing.T) {
	task := EmbeddedDataToText(Options{Seed: 2})
	attr := regexp.MustCompile(`(\w[\w ]*)\[([^\]]*)\]`)
	for _, ex := range task.Train {
		if len(ex.Refs) < 2 || len(ex.Refs) > 5 {
			t.Fatalf("%s: %d references, want 2-5", ex.Source, len(ex.Refs))
		}
		seen := map[string]bool{}
		for _, ref := range ex.Refs {
			if seen[ref] {
				t.Fatalf("%s: reference %q repeated", ex.Source, ref)
			}
			seen[ref] = true
			for _, m := range attr.FindAllStringSubmatch(ex.Source, -1) {
				key, val := m[1], m[2]
				if (key == "name" || key == "food" || key == "near") && !strings.Contains(strings.ToLower(ref), strings.ToLower(val)) {
					t.Fatalf("%s: reference %q lacks %s %q", ex.Source, ref, key, val)
				}
			}
		}
	}
}

// TestEmbeddedCorpusCoversTheTaskVocabulary: pretraining on the corpus shows the model
// (nearly) every word the embedded tasks use (generation: in the references; the MR
// syntax is the task's to learn).
func TestEmbeddedCorpusCoversTheTaskVocabulary(t *testing.T) {
	o := Options{Seed: 1}
	known := map[string]bool{}
	for _, ex := range EmbeddedCorpus(o).Train {
		for _, w := range words(ex.Text) {
			known[w] = true
		}
	}
	for _, task := range []*Task{EmbeddedClassification(o), EmbeddedRegression(o), EmbeddedDataToText(o)} {
		missing := map[string]bool{}
		total := map[string]bool{}
		for _, ex := range task.Train {
			for _, w := range words(ex.Text + " " + ex.Text2 + " " + strings.Join(ex.Refs, " ")) {
				total[w] = true
				if !known[w] {
					missing[w] = true
				}
			}
		}
		if len(missing) > len(total)/100 {
			t.Errorf("%s: %d of %d words never occur in the corpus: %v", task.Name, len(missing), len(total), missing)
		}
	}
}
