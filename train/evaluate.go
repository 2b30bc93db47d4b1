package train

import (
	"fmt"

	"loralab/datasets"
	"loralab/model"
)

// evalBatch is how many sequences one evaluation forward pass takes.
const evalBatch = 32

// evaluate predicts the first limit (0 = all) sequences of a split, whose examples are exs,
// and scores them with the task's metrics; it returns the predictions too.
func (tr *trainer) evaluate(seqs []Sequence, exs []datasets.Example, limit int) (map[string]float64, datasets.Predictions, error) {
	if limit > 0 && limit < len(seqs) {
		seqs, exs = seqs[:limit], exs[:limit]
	}
	p, err := tr.predict(seqs)
	if err != nil {
		return nil, p, err
	}
	ms, err := datasets.Evaluate(tr.Task, exs, p)
	if err != nil {
		return nil, p, fmt.Errorf("train: scoring %s: %w", tr.Task.Name, err)
	}
	return ms, p, nil
}

// predict runs the model without gradients over seqs.
func (tr *trainer) predict(seqs []Sequence) (datasets.Predictions, error) {
	t, m := tr.tape, tr.Model
	t.SetTrain(false)
	t.SetGrad(false)
	defer func() { t.SetTrain(true); t.SetGrad(true) }()
	var p datasets.Predictions
	if tr.Task.Kind == datasets.Generation {
		return tr.generate(seqs)
	}
	for lo := 0; lo < len(seqs); lo += evalBatch {
		part := seqs[lo:min(lo+evalBatch, len(seqs))]
		b := Collate(part, tr.pad)
		h := m.Forward(t, b, &model.Context{Batch: b})
		logits := m.HeadLogits(t, h, b.B, b.T)
		n := logits.Shape[1]
		for i := range part {
			row := logits.Data[i*n : (i+1)*n]
			if tr.Task.Kind == datasets.Regression {
				p.Values = append(p.Values, tr.scale.inverse(float64(row[0])))
			} else {
				p.Labels = append(p.Labels, argmax(row))
			}
		}
		t.Reset()
	}
	return p, nil
}

// generate decodes a continuation of every prompt with the configured beam search.
func (tr *trainer) generate(seqs []Sequence) (datasets.Predictions, error) {
	sp, err := tr.enc.specials()
	if err != nil {
		return datasets.Predictions{}, err
	}
	var p datasets.Predictions
	gc := model.GenerateConfig{MaxNew: tr.Cfg.maxNew(), Beam: tr.Cfg.Beam, LengthPenalty: tr.Cfg.LengthPenalty,
		NoRepeatNgram: tr.Cfg.NoRepeatNgram, EOS: sp.EOS, Pad: sp.PAD, Threads: tr.tape.Threads()}
	for lo := 0; lo < len(seqs); lo += evalBatch {
		part := seqs[lo:min(lo+evalBatch, len(seqs))]
		prompts := make([][]int32, len(part))
		for i, s := range part {
			prompts[i] = s.IDs[:s.Prompt:s.Prompt] // capped: the sequences may be shared
			if n := len(prompts[i]) + gc.MaxNew; n > tr.Model.Cfg.MaxLen {
				return p, fmt.Errorf("train: prompt of %d tokens plus %d new exceeds max_len %d", len(prompts[i]), gc.MaxNew, tr.Model.Cfg.MaxLen)
			}
		}
		outs, err := generateWithSlots(tr.Model, prompts, part, gc)
		if err != nil {
			return p, fmt.Errorf("train: generate: %w", err)
		}
		for _, o := range outs {
			p.Texts = append(p.Texts, tr.Tok.Decode(o))
		}
	}
	return p, nil
}

func argmax(row []float32) int {
	best := 0
	for i, v := range row {
		if v > row[best] {
			best = i
		}
	}
	return best
}

// generateWithSlots decodes prompts whose sequences may hold prefix/infix slots.
func generateWithSlots(m *model.Model, prompts [][]int32, seqs []Sequence, gc model.GenerateConfig) ([][]int32, error) {
	gc.Slots, gc.SlotIDs = nil, nil
	for _, s := range seqs {
		gc.Slots = append(gc.Slots, s.Slots)
		gc.SlotIDs = append(gc.SlotIDs, s.SlotIDs)
	}
	return m.Generate(prompts, gc)
}
