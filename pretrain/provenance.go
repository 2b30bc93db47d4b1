package pretrain

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// guardedTasks are, for each corpus drawn from the source of tasks, those tasks: the
// corpus's train split (all pretraining reads) leaves out their validation and test
// documents (package datasets builds it from the documents that are train documents of one
// of them and held-out ones of none). The guarantee holds for their splits at the data
// seed the corpus was built with only: another seed splits the source differently.
var guardedTasks = map[string][]string{
	"sotu":         {"sotu-party", "sotu-era", "sotu-year", "sotu-era-small"},
	"real-english": {"sotu-party", "sotu-era", "sotu-year", "sotu-era-small", "spam", "spam3"},
}

// fixedSplitSeeds are the guarded tasks whose split does not follow the data seed: the
// compiled-in sotu-era-small is always the sotu split of data seed 0 (datasets.SotuEraSmall).
var fixedSplitSeeds = map[string]uint64{"sotu-era-small": 0}

// Provenance is what a model folder written by Run records of the text it was pretrained on.
type Provenance struct {
	Corpus   string // the corpus, a datasets task of kind corpus
	DataSeed uint64 // the seed of the corpus's split, and of the tasks' splits it keeps out
}

// Leak says why fine-tuning the base on task with data seed dataSeed may evaluate on text it
// was pretrained on, or returns nil: the task is drawn from the corpus's source, and the
// split it is evaluated on (that of dataSeed, or its fixed one) is not the one the corpus
// kept the held-out documents of.
func (p Provenance) Leak(task string, dataSeed uint64) error {
	if !slices.Contains(guardedTasks[p.Corpus], task) {
		return nil
	}
	split, fixed := fixedSplitSeeds[task]
	if !fixed {
		split = dataSeed
	}
	if split == p.DataSeed {
		return nil
	}
	kept := fmt.Sprintf("the base was pretrained on %s split with data seed %d, which keeps out the validation and test "+
		"documents of %s's split with that seed only", p.Corpus, p.DataSeed, task)
	if fixed {
		return fmt.Errorf("%s; %s is always split with data seed %d, so its held-out documents may be in the base's "+
			"pretraining text: use a base pretrained with data seed %d", kept, task, split, split)
	}
	return fmt.Errorf("%s; with data.seed %d, held-out documents of that split may be in the base's pretraining text: "+
		"use data.seed %d, or a base pretrained with data seed %d", kept, dataSeed, p.DataSeed, dataSeed)
}

// ReadProvenance reads the provenance of the model folder dir from its stats.json: the
// output folder of a finished run, or a model it kept (checkpoints/step-N; one kept by an
// earlier version, whose stats.json does not say, is read through the run's folder). ok is
// false for a folder Run did not write (no stats.json: a Hugging Face folder, a sweep's
// cached base).
func ReadProvenance(dir string) (p Provenance, ok bool, err error) {
	p, ok, err = readProvenance(dir)
	if err != nil || ok {
		return p, ok, err
	}
	dir = filepath.Clean(dir)
	if filepath.Base(filepath.Dir(dir)) != CheckpointsDir {
		return Provenance{}, false, nil
	}
	st, err := readStats(filepath.Dir(filepath.Dir(dir)))
	if err != nil || st == nil {
		return Provenance{}, false, err
	}
	rel := filepath.Join(CheckpointsDir, filepath.Base(dir))
	if !slices.ContainsFunc(st.Kept, func(k Kept) bool { return filepath.Clean(k.Dir) == rel }) {
		return Provenance{}, false, nil
	}
	return Provenance{Corpus: st.Config.Corpus, DataSeed: st.DataSeed}, true, nil
}

// readProvenance reads dir/stats.json as a finished run's (config.corpus) or as a kept
// model's (corpus); ok is false when there is no such file or it names no corpus.
func readProvenance(dir string) (Provenance, bool, error) {
	path := filepath.Join(dir, StatsFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Provenance{}, false, nil
	}
	if err != nil {
		return Provenance{}, false, fmt.Errorf("pretrain: %w", err)
	}
	var st struct {
		Corpus   string `json:"corpus"`
		DataSeed uint64 `json:"data_seed"`
		Config   struct {
			Corpus string `json:"corpus"`
		} `json:"config"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return Provenance{}, false, fmt.Errorf("pretrain: %s: %w", path, err)
	}
	corpus := st.Corpus
	if corpus == "" {
		corpus = st.Config.Corpus
	}
	return Provenance{Corpus: corpus, DataSeed: st.DataSeed}, corpus != "", nil
}
