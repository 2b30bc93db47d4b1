package datasets

import "strings"

// EmbeddedClassification builds embedded-cls: short restaurant reviews labelled negative or
// positive. The label is a composition of cues, not a count of sentiment words:
//   - negation flips a clause ("the soup was not fresh"),
//   - after "but" or "although ..., " the second clause decides,
//   - "I had hoped that X would be good" is negative,
//   - opinions of other people and of other venues are distractors and do not count,
//
// and labelNoise of the labels are flipped. A bag of words sees the sentiment words of the
// distractors and the overruled clauses as much as the deciding ones, so it stays well below
// what a model that reads the structure can reach.
func EmbeddedClassification(o Options) *Task {
	sizes := embeddedSizes(o, embeddedTaskSizes)
	g := newGenerator(o.Seed, streamCls)
	exs := generateUnique(total(sizes), "review", func() Example {
		text, positive := g.review()
		if g.chance(labelNoise) {
			positive = !positive
		}
		label := 0
		if positive {
			label = 1
		}
		return Example{Text: text, Label: label}
	}, func(ex Example) string { return ex.Text })
	t := &Task{
		Name:        "embedded-cls",
		Description: "generated restaurant reviews; the label composes negation, contrast and distractor opinions",
		Kind:        Classification,
		Labels:      []string{"negative", "positive"},
		MainMetric:  MetricAccuracy,
		Metrics:     []string{MetricAccuracy, MetricF1, MetricMCC},
	}
	dealSplits(t, exs, sizes)
	return t
}

// opinion is a clause about an aspect and whether it praises it.
type opinion struct {
	text     string
	positive bool
}

// opinionClause writes "the staff were not very friendly" and its polarity. With want set,
// the polarity after negation is forced to *want.
func (g *generator) opinionClause(want *bool) opinion {
	a := pick(g, reviewAspects)
	negated := g.chance(0.3)
	word := g.chance(0.5)
	if want != nil {
		word = *want != negated
	}
	var b strings.Builder
	b.WriteString(a.noun + " " + a.be)
	if negated {
		b.WriteString(" not")
	}
	if g.chance(0.3) {
		b.WriteString(" " + pick(g, intensifiers))
	}
	if word {
		b.WriteString(" " + pick(g, positiveWords))
	} else {
		b.WriteString(" " + pick(g, negativeWords))
	}
	return opinion{b.String(), word != negated}
}

// review returns a review and its true polarity: optional opener, optional distractor
// sentence, the deciding sentence, optional closing.
func (g *generator) review() (string, bool) {
	var parts []string
	if g.chance(0.3) {
		parts = append(parts, sentence(pick(g, reviewOpeners)))
	}
	if g.chance(0.5) {
		parts = append(parts, g.distractor())
	}
	main, positive := g.verdict()
	parts = append(parts, main)
	if g.chance(0.25) {
		parts = append(parts, sentence(pick(g, reviewClosings)))
	}
	return strings.Join(parts, " "), positive
}

// distractor is an opinion that does not decide the label: someone else's, or about
// another venue.
func (g *generator) distractor() string {
	o := g.opinionClause(nil)
	if g.chance(0.5) {
		return sentence(pick(g, otherSpeakers) + " said that " + o.text)
	}
	return sentence("at " + pick(g, otherVenues) + " " + o.text)
}

// verdict is the sentence that decides the label, in one of five constructions.
func (g *generator) verdict() (string, bool) {
	switch g.rng.IntN(5) {
	case 0: // a single clause
		o := g.opinionClause(nil)
		return sentence(o.text), o.positive
	case 1: // "X, but Y": Y decides; usually the two disagree
		second := g.opinionClause(nil)
		first := g.opinionClause(ptr(!second.positive || g.chance(0.2)))
		return sentence(first.text + ", but " + second.text), second.positive
	case 2: // "although X, Y": Y decides
		second := g.opinionClause(nil)
		first := g.opinionClause(ptr(!second.positive))
		return sentence("although " + first.text + ", " + second.text), second.positive
	case 3: // "X and Y" agreeing
		first := g.opinionClause(nil)
		second := g.opinionClause(ptr(first.positive))
		return sentence(first.text + " and " + second.text), first.positive
	default: // disappointed expectation: praise words, negative meaning
		a := pick(g, reviewAspects)
		if g.chance(0.5) {
			return sentence("i had hoped that " + a.noun + " would be " + pick(g, positiveWords)), false
		}
		return sentence("i was afraid that " + a.noun + " would be " + pick(g, negativeWords) + ", but it was fine"), true
	}
}

func ptr[T any](v T) *T { return &v }
