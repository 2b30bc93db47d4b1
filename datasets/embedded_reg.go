package datasets

import (
	"math"
	"strings"
)

// scene is a choice of one value per slot; the values index the scene vocabulary.
type scene struct{ size, color, animal, action, place int }

// slots lists the slot values in a fixed order: size, colour, animal, action, place.
func (s scene) slots() [5]int { return [5]int{s.size, s.color, s.animal, s.action, s.place} }

// sceneWeights are how much agreement on each slot (in the order of scene.slots) adds to
// the similarity of two scenes about the same animal; they sum to 5, the top of the STS-B
// scale. Scenes about different animals are about different things: their agreement on the
// other slots counts only differentAnimalShare as much, so they score at most 0.875.
var sceneWeights = [5]float64{0.75, 0.75, 1.5, 1, 1}

const (
	animalSlot           = 2
	differentAnimalShare = 0.25
)

// sceneNoise is the standard deviation of the Gaussian noise on each similarity target,
// like the disagreement between STS-B annotators.
const sceneNoise = 0.25

// EmbeddedRegression builds embedded-reg: pairs of one-sentence scene descriptions and
// their similarity on [0, 5], the weighted share of slots (size, colour, animal, action,
// place) on which they agree, gated by whether they are about the same animal, plus noise.
// The two sentences use different templates and synonyms for every value ("big"/"large",
// "hare"/"rabbit") and may add an irrelevant clause, so similarity has to be read across the
// pair. A bag of words over the pair sees repeated words only, not synonyms or the gate.
func EmbeddedRegression(o Options) *Task {
	sizes := embeddedSizes(o, embeddedTaskSizes)
	g := newGenerator(o.Seed, streamReg)
	exs := generateUnique(total(sizes), "pair", func() Example {
		a := g.scene()
		keep := g.rng.Float64() // share of slots kept: spreads targets over the scale
		b := g.variant(a, keep)
		target := a.similarity(b) + sceneNoise*g.rng.NormFloat64()
		target = math.Round(100*math.Min(5, math.Max(0, target))) / 100
		return Example{Text: g.describe(a), Text2: g.describe(b), Target: target}
	}, func(ex Example) string { return ex.Text + "\x00" + ex.Text2 })
	t := &Task{
		Name:        "embedded-reg",
		Description: "generated scene-description pairs; similarity 0-5 from weighted matching attributes",
		Kind:        Regression,
		MainMetric:  MetricPearson,
		Metrics:     []string{MetricPearson, MetricSpearman},
	}
	dealSplits(t, exs, sizes)
	return t
}

func (g *generator) scene() scene {
	return scene{
		size:   g.rng.IntN(len(sceneSizes)),
		color:  g.rng.IntN(len(sceneColors)),
		animal: g.rng.IntN(len(sceneAnimals)),
		action: g.rng.IntN(len(sceneActions)),
		place:  g.rng.IntN(len(scenePlaces)),
	}
}

// variant keeps each slot of s with probability keep and redraws it (to a different value)
// otherwise.
func (g *generator) variant(s scene, keep float64) scene {
	redraw := func(v, n int) int {
		if g.chance(keep) {
			return v
		}
		return (v + 1 + g.rng.IntN(n-1)) % n
	}
	return scene{
		size:   redraw(s.size, len(sceneSizes)),
		color:  redraw(s.color, len(sceneColors)),
		animal: redraw(s.animal, len(sceneAnimals)),
		action: redraw(s.action, len(sceneActions)),
		place:  redraw(s.place, len(scenePlaces)),
	}
}

// similarity is the weighted count of agreeing slots, on [0, 5], scaled down by
// differentAnimalShare when the animals differ.
func (s scene) similarity(o scene) float64 {
	a, b := s.slots(), o.slots()
	sum := 0.0
	for i, w := range sceneWeights {
		if a[i] == b[i] {
			sum += w
		}
	}
	if a[animalSlot] != b[animalSlot] {
		sum *= differentAnimalShare
	}
	return sum
}

// describe writes the scene in one of four word orders, with random synonyms and sometimes
// an irrelevant clause.
func (g *generator) describe(s scene) string {
	size := pick(g, sceneSizes[s.size])
	color := pick(g, sceneColors[s.color])
	animal := pick(g, sceneAnimals[s.animal])
	action := pick(g, sceneActions[s.action])
	place := pick(g, scenePlaces[s.place])
	var text string
	switch g.rng.IntN(4) {
	case 0:
		text = article(size) + " " + size + " " + color + " " + animal + " is " + action + " " + place
	case 1:
		text = place + ", " + article(size) + " " + size + " " + color + " " + animal + " is " + action
	case 2:
		text = "there is " + article(color) + " " + color + " " + animal + " " + place + ", " + size + " and " + action
	default:
		text = "the " + animal + " " + action + " " + place + " is " + size + " and " + color
	}
	if g.chance(0.3) {
		text += " " + pick(g, sceneExtras)
	}
	return sentence(strings.TrimSpace(text))
}
