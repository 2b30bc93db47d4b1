package datasets

import (
	"fmt"
	"strings"
)

// EmbeddedCorpus builds embedded-corpus: about 300 KB of generated documents for
// pretraining, one Example per document. Four genres share the embedded vocabulary:
// stories (a protagonist, pronouns that agree, places, times and weather), reviews written
// like embedded-cls, scenes described like embedded-reg, and town guides whose entries read
// like embedded-d2t references. A model pretrained on it has learnt the words and phrasings
// of the embedded tasks, but never their labels.
func EmbeddedCorpus(o Options) *Task {
	sizes := embeddedSizes(o, embeddedCorpusSizes)
	g := newGenerator(o.Seed, streamCorpus)
	exs := generateUnique(total(sizes), "doc", func() Example {
		return Example{Text: g.document()}
	}, func(ex Example) string { return ex.Text })
	t := &Task{
		Name:        "embedded-corpus",
		Description: "generated English-like documents for pretraining",
		Kind:        Corpus,
	}
	dealSplits(t, exs, sizes)
	return t
}

// document writes one document of a random genre.
func (g *generator) document() string {
	var sentences []string
	switch g.rng.IntN(6) {
	case 0, 1, 2:
		sentences = g.story(g.between(6, 14))
	case 3:
		who := pick(g, personNames)
		sentences = append(sentences, sentence(who+" wrote about a dinner in town"))
		for range g.between(2, 4) {
			r, _ := g.review()
			sentences = append(sentences, r)
		}
	case 4:
		who := pick(g, personNames)
		sentences = append(sentences, sentence(who+" looked out of the window "+pick(g, times)))
		for range g.between(3, 6) {
			sentences = append(sentences, g.describe(g.scene()))
		}
	default:
		sentences = append(sentences, sentence("here are some places to eat in town"))
		for range g.between(2, 4) {
			sentences = append(sentences, g.realize(g.venue()))
		}
	}
	return strings.Join(sentences, " ")
}

// story writes n sentences about one protagonist, with agreeing pronouns.
func (g *generator) story(n int) []string {
	i := g.rng.IntN(len(personNames))
	name := personNames[i]
	subj, obj := "she", "her" // even indices of personNames are women's names
	if i%2 == 1 {
		subj, obj = "he", "him"
	}
	who := func() string {
		if g.chance(0.5) {
			return name
		}
		return subj
	}
	out := make([]string, 0, n)
	for range n {
		var s string
		switch g.rng.IntN(9) {
		case 0:
			s = fmt.Sprintf("%s %s the %s near %s", who(), pick(g, transitiveVerbs), pick(g, things), pick(g, places))
		case 1:
			s = fmt.Sprintf("%s %s %s", pick(g, people), pick(g, intransitiveVerbs), pick(g, times))
		case 2:
			s = fmt.Sprintf("%s, %s went to %s", pick(g, times), who(), pick(g, places))
		case 3:
			s = fmt.Sprintf("%s was %s because %s", who(), pick(g, moods), pick(g, weathers))
		case 4:
			s = fmt.Sprintf("when %s came to %s, %s %s the %s", pick(g, people), pick(g, places), subj, pick(g, transitiveVerbs), pick(g, things))
		case 5:
			color := pick(g, sceneColors)[0]
			s = fmt.Sprintf("%s %s %s %s %s and gave it to %s", who(), pick(g, transitiveVerbs), article(color), color, pick(g, things), pick(g, people))
		case 6:
			s = fmt.Sprintf("%s told %s that %s", pick(g, people), obj, pick(g, weathers))
		case 7:
			s = fmt.Sprintf("%s %s with %s at %s", who(), pick(g, intransitiveVerbs), pick(g, people), pick(g, places))
		default:
			s = pick(g, weathers)
		}
		out = append(out, sentence(s))
	}
	return out
}
