package datasets

import (
	"slices"
	"strings"
)

// uncapped returns the options with every split cap lifted: the splits whose membership
// decides what a pretraining corpus may read, before any subsampling.
func (o Options) uncapped() Options {
	o.MaxTrain, o.MaxValidation, o.MaxTest = -1, -1, -1
	return o
}

// trainOnlyGroups returns the groups that are in the train split of one of tasks at least
// and in no validation or test split of any: the documents a pretraining corpus drawn from
// the tasks' source may read. Tasks that split one source differently (spam and spam3
// stratify by different labels) thus agree on what is safe, and a document a task leaves
// out altogether (sotu-party drops the addresses of third-party presidents) cannot leak
// into that task. Build the tasks uncapped, so that an example subsampled away still
// counts where it belongs.
func trainOnlyGroups(tasks ...*Task) map[string]bool {
	held := map[string]bool{}
	for _, t := range tasks {
		for _, ex := range slices.Concat(t.Validation, t.Test) {
			held[ex.Group] = true
		}
	}
	out := map[string]bool{}
	for _, t := range tasks {
		for _, ex := range t.Train {
			if !held[ex.Group] {
				out[ex.Group] = true
			}
		}
	}
	return out
}

// sotuTrainOnly returns the address files that are train documents of a sotu task and
// held-out documents of none, less those that quote a held-out passage (see quoting).
func sotuTrainOnly(root string, o Options) (map[string]bool, error) {
	var tasks []*Task
	for _, build := range []func(string, Options) (*Task, error){SotuParty, SotuEra, SotuYear} {
		t, err := build(root, o.uncapped())
		if err != nil {
			return nil, err
		}
		tasks = append(tasks, t)
	}
	safe := trainOnlyGroups(tasks...)
	addrs, err := readAddresses(root)
	if err != nil {
		return nil, err
	}
	var docs []Example
	for _, a := range addrs {
		if safe[a.file] {
			docs = append(docs, Example{Text: collapseSpace(a.Text), Group: a.file})
		}
	}
	var held []string
	for _, t := range tasks {
		held = append(held, Texts(slices.Concat(t.Validation, t.Test))...)
	}
	for g := range quoting(docs, held) {
		delete(safe, g)
	}
	return safe, nil
}

// quoteWindow is the number of words by which quoting indexes the held-out texts.
const quoteWindow = 8

// quoting returns the groups of the documents that contain one of the held-out texts
// verbatim, less its first and last words (where a quotation may cut a sentence):
// presidents quote the addresses of their predecessors, so a train address can hold a
// passage of a held-out one, and e-mails quote each other. Texts are indexed by the hash of
// their first quoteWindow inner words; a document is searched only where a window of its
// words hits the index. Texts too short to have a window are not indexed.
func quoting(docs []Example, held []string) map[string]bool {
	byWindow := map[uint64][]int{}
	inner := make([]string, len(held))
	for i, h := range held {
		words := strings.Fields(h)
		if len(words) < quoteWindow+2 {
			continue
		}
		inner[i] = strings.Join(words[1:len(words)-1], " ")
		key := windowHash(wordHashes(words[1 : 1+quoteWindow]))
		byWindow[key] = append(byWindow[key], i)
	}
	out := map[string]bool{}
	for _, d := range docs {
		hashes := wordHashes(strings.Fields(d.Text))
		for j := 0; j+quoteWindow <= len(hashes) && !out[d.Group]; j++ {
			for _, i := range byWindow[windowHash(hashes[j:j+quoteWindow])] {
				if strings.Contains(d.Text, inner[i]) {
					out[d.Group] = true
					break
				}
			}
		}
	}
	return out
}

// wordHashes is the FNV-1a hash of each word.
func wordHashes(words []string) []uint64 {
	out := make([]uint64, len(words))
	for i, w := range words {
		h := uint64(14695981039346656037)
		for j := range len(w) {
			h = (h ^ uint64(w[j])) * 1099511628211
		}
		out[i] = h
	}
	return out
}

// windowHash combines the hashes of a run of words.
func windowHash(hashes []uint64) uint64 {
	h := uint64(14695981039346656037)
	for _, w := range hashes {
		h = mix64(h ^ w)
	}
	return h
}

// spamTrainOnly returns the e-mail bodies that are train examples of spam or spam3 and
// held-out examples of neither, less those that quote a held-out body (replies quote,
// spam reuses its templates),
// one document per distinct body, in the order spam lists them.
func spamTrainOnly(root string, o Options) ([]Example, error) {
	two, err := spamTask(root, o.uncapped(), false)
	if err != nil {
		return nil, err
	}
	three, err := spamTask(root, o.uncapped(), true)
	if err != nil {
		return nil, err
	}
	safe := trainOnlyGroups(two, three)
	seen := map[string]bool{}
	var docs []Example
	for _, ex := range two.Train {
		if safe[ex.Group] && !seen[ex.Text] {
			seen[ex.Text] = true
			docs = append(docs, Example{Text: ex.Text, Group: ex.Group})
		}
	}
	quotes := quoting(docs, Texts(slices.Concat(two.Validation, two.Test, three.Validation, three.Test)))
	return slices.DeleteFunc(docs, func(ex Example) bool { return quotes[ex.Group] }), nil
}

// RealEnglish is the real-english pretraining corpus: all the real English prose the
// fetched data holds, as documents — the State of the Union addresses of the sotu corpus's
// train split, the chapters of Moby Dick in the moby-dick corpus's train split, and the
// SpamAssassin e-mail bodies that are train examples of spam or spam3 and held-out
// examples of neither.
// Its Train split is what pretraining reads; Validation and Test hold the held-out
// addresses and chapters, which no pretraining reads.
func RealEnglish(root string, o Options) (*Task, error) {
	sotu, err := SotuCorpus(root, o)
	if err != nil {
		return nil, err
	}
	moby, err := MobyDick(root, o)
	if err != nil {
		return nil, err
	}
	mail, err := spamTrainOnly(root, o)
	if err != nil {
		return nil, err
	}
	prefixed := func(prefix string, exs ...[]Example) []Example {
		var out []Example
		for _, ex := range slices.Concat(exs...) {
			out = append(out, Example{Text: ex.Text, Group: prefix + ex.Group})
		}
		return out
	}
	return &Task{
		Name:        "real-english",
		Description: "sotu train addresses, Moby Dick, spam train e-mails: all the real English here (pretraining)",
		Kind:        Corpus,
		Train:       slices.Concat(prefixed("sotu/", sotu.Train), prefixed("moby-dick/", moby.Train), prefixed("mail/", mail)),
		Validation:  slices.Concat(prefixed("sotu/", sotu.Validation), prefixed("moby-dick/", moby.Validation)),
		Test:        slices.Concat(prefixed("sotu/", sotu.Test), prefixed("moby-dick/", moby.Test)),
	}, nil
}
