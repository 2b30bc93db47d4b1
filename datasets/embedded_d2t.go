package datasets

import (
	"strings"
)

// venue is one meaning representation of embedded-d2t: a restaurant's attributes, "" for an
// attribute the MR leaves out. Name is always present.
type venue struct {
	name, eatType, food, price, rating, area, family, near string
}

// mr writes the meaning representation in the E2E format, attributes in E2E order:
// "name[The Plough], eatType[pub], food[Italian], area[riverside]".
func (v venue) mr() string {
	var parts []string
	for _, a := range []struct{ key, val string }{
		{"name", v.name}, {"eatType", v.eatType}, {"food", v.food}, {"priceRange", v.price},
		{"customer rating", v.rating}, {"area", v.area}, {"familyFriendly", v.family}, {"near", v.near},
	} {
		if a.val != "" {
			parts = append(parts, a.key+"["+a.val+"]")
		}
	}
	return strings.Join(parts, ", ")
}

// EmbeddedDataToText builds embedded-d2t: E2E-style meaning representations of restaurants
// and three to five references each, written by different sentence plans (which attribute
// goes in the noun phrase, the location phrase or a clause; one sentence or two; the order of
// the clauses) and synonyms ("cheap", "low-priced", "inexpensive"). Each MR is its own group.
func EmbeddedDataToText(o Options) *Task {
	sizes := embeddedSizes(o, embeddedD2TSizes)
	g := newGenerator(o.Seed, streamD2T)
	exs := generateUnique(total(sizes), "mr", func() Example {
		v := g.venue()
		return Example{Source: v.mr(), Refs: g.references(v, g.between(3, 5))}
	}, func(ex Example) string { return ex.Source })
	for i := range exs {
		exs[i].Group = exs[i].Source
	}
	t := &Task{
		Name:        "embedded-d2t",
		Description: "generated restaurant meaning representations to sentences, 3-5 references each",
		Kind:        Generation,
		MainMetric:  MetricBLEU,
		Metrics:     []string{MetricBLEU, MetricNIST, MetricMETEOR, MetricROUGEL, MetricCIDEr},
	}
	dealSplits(t, exs, sizes)
	return t
}

// venue draws an MR with the name and at least two other attributes.
func (g *generator) venue() venue {
	for {
		v := venue{name: pick(g, venueNames)}
		opt := func(p float64, values []string) string {
			if g.chance(p) {
				return pick(g, values)
			}
			return ""
		}
		v.eatType = opt(0.8, eatTypes)
		v.food = opt(0.7, foods)
		v.price = opt(0.5, priceRanges)
		v.rating = opt(0.5, ratings)
		v.area = opt(0.6, areas)
		v.family = opt(0.5, familyValues)
		v.near = opt(0.4, landmarkNames)
		n := 0
		for _, a := range []string{v.eatType, v.food, v.price, v.rating, v.area, v.family, v.near} {
			if a != "" {
				n++
			}
		}
		if n >= 2 {
			return v
		}
	}
}

// references realises v up to n times with fresh random plans and keeps the distinct ones.
func (g *generator) references(v venue, n int) []string {
	var refs []string
	for attempt := 0; len(refs) < n && attempt < 20*n; attempt++ {
		r := g.realize(v)
		dup := false
		for _, old := range refs {
			dup = dup || old == r
		}
		if !dup {
			refs = append(refs, r)
		}
	}
	return refs
}

// realize writes one reference. The eat type heads a noun phrase that may also carry the
// price and the food as adjectives; area and near become a location phrase; everything
// else becomes a clause about "it".
func (g *generator) realize(v venue) string {
	var adjectives, clauses []string
	if v.price != "" {
		if g.chance(0.5) {
			adjectives = append(adjectives, pick(g, priceAdjectives[v.price]))
		} else {
			clauses = append(clauses, pick(g, priceClauses[v.price]))
		}
	}
	if v.food != "" {
		if g.chance(0.5) {
			adjectives = append(adjectives, v.food)
		} else {
			clauses = append(clauses, pick(g, []string{"serves ", "offers ", "has "})+v.food+" food")
		}
	}
	head := v.eatType
	if head == "" {
		head = pick(g, []string{"place", "venue", "restaurant"})
	}
	np := strings.Join(append(adjectives, head), " ")
	np = article(np) + " " + np
	if v.rating != "" {
		clauses = append(clauses, pick(g, ratingClauses[v.rating]))
	}
	if v.family != "" {
		clauses = append(clauses, pick(g, familyClauses[v.family]))
	}
	g.rng.Shuffle(len(clauses), func(i, j int) { clauses[i], clauses[j] = clauses[j], clauses[i] })
	loc := g.location(v)

	var intro string
	switch k := g.rng.IntN(4); {
	case k == 1 && loc != "":
		intro = sentence(pick(g, []string{"located ", ""})+loc+", "+v.name+" is "+np) + " "
	case k == 2:
		intro = sentence("there is "+np+" called "+v.name+spaced(loc)) + " "
	case k == 3 && len(clauses) > 0:
		// the clauses join the intro: "X, a cheap pub by the river, serves Italian food."
		return sentence(v.name + ", " + np + spaced(loc) + ", " + joinClauses(clauses))
	default:
		intro = sentence(v.name+" is "+np+spaced(loc)) + " "
	}
	if len(clauses) == 0 {
		return strings.TrimSpace(intro)
	}
	if len(clauses) >= 3 && g.chance(0.5) {
		return intro + sentence("it "+clauses[0]) + " " + sentence("it also "+joinClauses(clauses[1:]))
	}
	return intro + sentence("it "+joinClauses(clauses))
}

// location is the area and near phrases in random order, or "".
func (g *generator) location(v venue) string {
	var pps []string
	if v.area != "" {
		pps = append(pps, pick(g, areaPhrases[v.area]))
	}
	if v.near != "" {
		pps = append(pps, pick(g, []string{"near ", "close to ", "not far from "})+v.near)
	}
	if len(pps) == 2 && g.chance(0.5) {
		pps[0], pps[1] = pps[1], pps[0]
	}
	return strings.Join(pps, " ")
}

// spaced prefixes a non-empty phrase with a space.
func spaced(s string) string {
	if s == "" {
		return ""
	}
	return " " + s
}

// joinClauses writes "a", "a and b", "a, b and c".
func joinClauses(cs []string) string {
	if len(cs) == 1 {
		return cs[0]
	}
	return strings.Join(cs[:len(cs)-1], ", ") + " and " + cs[len(cs)-1]
}

// Surface forms of the attribute values.
var (
	priceAdjectives = map[string][]string{
		"cheap": {"cheap", "low-priced", "inexpensive"}, "moderate": {"moderately priced", "mid-priced"},
		"high": {"expensive", "high-priced", "pricey"},
	}
	priceClauses = map[string][]string{
		"cheap": {"is cheap", "has low prices", "is inexpensive"}, "moderate": {"has moderate prices", "is moderately priced"},
		"high": {"is expensive", "has high prices", "is pricey"},
	}
	ratingClauses = map[string][]string{
		"low":     {"has a low customer rating", "is rated poorly by customers", "gets low ratings"},
		"average": {"has an average customer rating", "is rated average by customers", "gets average ratings"},
		"high":    {"has a high customer rating", "is rated highly by customers", "gets excellent ratings"},
	}
	familyClauses = map[string][]string{
		"yes": {"is family friendly", "welcomes children", "is good for families"},
		"no":  {"is not family friendly", "does not welcome children", "is not suitable for children"},
	}
	areaPhrases = map[string][]string{
		"city centre": {"in the city centre", "in the centre of town", "in the centre of the city"},
		"riverside":   {"by the riverside", "on the riverside", "in the riverside area"},
	}
)
