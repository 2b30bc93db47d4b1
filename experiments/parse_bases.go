package experiments

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"

	"loralab/model/arch"
)

// BaseFolder is a model folder a sweep starts from (model: {from: ...}): its path as the
// sweep names it, the digest of its contents, and the pretraining tokens it has seen.
type BaseFolder struct {
	Dir string `json:"dir"`
	// SHA256 is HashModelFolder of the folder; runs carry it in Pretrain.FromSHA256.
	SHA256 string `json:"-"`
	// Tokens are the pretraining tokens the base has seen, from its stats.json (BaseTokens);
	// nil when the folder has none, which only a single from: DIR may lack.
	Tokens *int64 `json:"tokens,omitempty"`
}

// StatsFile is the file of a model folder that records its pretraining (package pretrain
// writes it: Stats for a finished run, Kept for a kept checkpoint).
const StatsFile = "stats.json"

// BaseTokens reads the pretraining tokens a model folder has seen from its stats.json:
// "tokens" for a checkpoint kept during a run, "tokens_seen" for a finished run. found is
// false when the folder has no stats.json or one that gives neither (another kind of file).
func BaseTokens(dir string) (tokens int64, found bool, err error) {
	data, err := os.ReadFile(filepath.Join(dir, StatsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("pretraining tokens: %w", err)
	}
	var st struct {
		Tokens     *int64 `json:"tokens"`      // a kept checkpoint (pretrain.Kept)
		TokensSeen *int64 `json:"tokens_seen"` // a finished run (pretrain.Stats)
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return 0, false, fmt.Errorf("pretraining tokens: %s: %w", filepath.Join(dir, StatsFile), err)
	}
	switch {
	case st.TokensSeen != nil:
		return *st.TokensSeen, true, nil
	case st.Tokens != nil:
		return *st.Tokens, true, nil
	}
	return 0, false, nil // a stats.json of another kind (a sweep's cached base, say)
}

// base is a base folder as read by the parser, with the config it holds.
type base struct {
	BaseFolder
	cfg   arch.Config
	node  *yaml.Node
	index int // position in the list of model.from
}

// fromFolders decodes the value of model.from: one folder (a string) or the base axis, a
// list of folders that every run of the sweep is repeated on. It returns the folders that
// read well, and whether from is a list. The folders of a list must hold the same
// architecture, be distinct in path and contents, and record their pretraining tokens
// (stats.json), which reports plot the runs against; a single folder may lack stats.json
// (a Hugging Face folder has none).
func (p *parser) fromFolders(n *yaml.Node) ([]base, bool) {
	if n.Kind != yaml.SequenceNode {
		dir, ok := p.str(n, "model.from")
		if !ok {
			return nil, false
		}
		b, ok := p.readBase(n, "model.from", dir, false)
		if !ok {
			return nil, false
		}
		return []base{b}, false
	}
	items, ok := p.list(n, "model.from", "model folder")
	if !ok {
		return nil, true
	}
	var read, out []base
	for i, it := range items {
		at := fmt.Sprintf("model.from[%d]", i)
		dir, ok := p.str(it, at)
		if !ok {
			continue
		}
		b, ok := p.readBase(it, at, dir, true)
		if !ok {
			continue
		}
		b.index = i
		if p.distinctBase(b, at, read) {
			out = append(out, b)
		}
		read = append(read, b)
	}
	return out, true
}

// readBase reads the config, digest and pretraining tokens of the folder dir named at n;
// needTokens makes a folder without stats.json an error.
func (p *parser) readBase(n *yaml.Node, at, dir string, needTokens bool) (base, bool) {
	cfg, err := arch.ReadFolder(dir)
	if err != nil {
		p.errorf(n, "%s: %v", at, err)
		return base{}, false
	}
	digest, err := HashModelFolder(p.opts.CacheDir, dir)
	if err != nil {
		p.errorf(n, "%s: %v", at, err)
		return base{}, false
	}
	tokens, found, err := BaseTokens(dir)
	switch {
	case err != nil:
		p.errorf(n, "%s: %v", at, err)
		return base{}, false
	case !found && needTokens:
		p.errorf(n, "%s: %s has no %s giving tokens or tokens_seen: every base of a list needs its pretraining tokens (runexp pretrain writes them)", at, dir, StatsFile)
		return base{}, false
	}
	b := base{BaseFolder: BaseFolder{Dir: dir, SHA256: digest}, cfg: cfg, node: n}
	if found {
		b.Tokens = &tokens
	}
	return b, true
}

// distinctBase checks a base of the list against the ones read before it: neither the path
// nor the contents of another, and the architecture of the first (dropout and a head
// aside, which fine-tuning sets).
func (p *parser) distinctBase(b base, at string, before []base) bool {
	for _, o := range before {
		switch {
		case o.Dir == b.Dir:
			p.errorf(b.node, "%s: %s repeats model.from[%d]", at, b.Dir, o.index)
			return false
		case o.SHA256 == b.SHA256:
			p.errorf(b.node, "%s: %s holds the same model as model.from[%d] (%s): remove one of them", at, b.Dir, o.index, o.Dir)
			return false
		}
	}
	if len(before) == 0 {
		return true
	}
	first, cfg := before[0], b.cfg
	cfg.Dropout, cfg.NumLabels = first.cfg.Dropout, first.cfg.NumLabels
	if cfg != first.cfg {
		p.errorf(b.node, "%s: %s holds a model of shape %s, model.from[%d] (%s) one of shape %s: the bases of a sweep must share one architecture",
			at, b.Dir, shapeOf(b.cfg), first.index, first.Dir, shapeOf(first.cfg))
		return false
	}
	return true
}

// shapeOf describes a model config for messages.
func shapeOf(c arch.Config) string {
	return fmt.Sprintf("%s d=%d L=%d h=%d ff=%d vocab=%d max_len=%d %s", c.Arch, c.DModel, c.Layers, c.Heads, c.DFF, c.Vocab, c.MaxLen, c.Activation)
}
