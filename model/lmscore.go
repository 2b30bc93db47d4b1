package model

import (
	"fmt"

	"loralab/model/tokenizer"
	"loralab/nn"
)

// LMScore returns the mean next-token negative log-likelihood, in nats, of ids under the
// decoder in modelDir (a loralab checkpoint or a Hugging Face GPT-2 folder), and the number
// of tokens scored, len(ids)-1: every token but the first is predicted from those before it.
func LMScore(modelDir string, ids []int32) (meanNLL float64, n int, err error) {
	m, _, err := Open(modelDir)
	if err != nil {
		return 0, 0, err
	}
	return m.MeanNLL(ids, 1)
}

// LMScoreText is LMScore of text encoded with the folder's tokenizer, after the bos token
// when the tokenizer has one (as GPT-2 scores text after <|endoftext|>), so that every token
// of the text is scored.
func LMScoreText(modelDir, text string) (meanNLL float64, n int, err error) {
	m, tok, err := Open(modelDir)
	if err != nil {
		return 0, 0, err
	}
	if tok == nil {
		return 0, 0, fmt.Errorf("model: lm score: %s has no tokenizer to encode the text", modelDir)
	}
	var ids []int32
	if bos := tok.Specials().BOS; bos != tokenizer.NoToken {
		ids = append(ids, bos)
	}
	return m.MeanNLL(append(ids, tok.Encode(text)...), 1)
}

// MeanNLL returns the mean next-token NLL of ids under decoder m and the number of tokens
// scored (len(ids)-1). A sequence longer than MaxLen is scored in windows of MaxLen tokens
// that advance by half a window, each scoring only the tokens the previous ones did not, so
// that every token but those of the first window sees at least MaxLen/2 tokens of context.
func (m *Model) MeanNLL(ids []int32, threads int) (float64, int, error) {
	if m.Cfg.Arch != Decoder {
		return 0, 0, fmt.Errorf("model: lm score needs a decoder, not an %s", m.Cfg.Arch)
	}
	if len(ids) < 2 {
		return 0, 0, fmt.Errorf("model: lm score of %d tokens: need at least 2", len(ids))
	}
	for i, id := range ids {
		if id < 0 || int(id) >= m.Cfg.Vocab {
			return 0, 0, fmt.Errorf("model: lm score: token %d is %d, outside vocabulary [0, %d)", i, id, m.Cfg.Vocab)
		}
	}
	tape := nn.NewTape(max(threads, 1))
	tape.SetGrad(false)
	tape.SetTrain(false)
	window, stride := m.Cfg.MaxLen, max(m.Cfg.MaxLen/2, 1)
	var sum float64
	scored := 1 // ids[0] is never predicted
	for start := 0; scored < len(ids); start += stride {
		end := min(start+window, len(ids))
		seg := ids[start:end]
		targets := make([]int32, len(seg))
		n := 0
		for i := range seg {
			targets[i] = -1
			if next := start + i + 1; next >= scored && next < end {
				targets[i] = ids[next]
				n++
			}
		}
		tape.Reset()
		b := &Batch{B: 1, T: len(seg), IDs: seg}
		loss := tape.CrossEntropy(m.LMLogits(tape, m.Forward(tape, b, &Context{Batch: b})), targets, -1, 0)
		sum += float64(loss.Data[0]) * float64(n)
		scored = end
	}
	return sum / float64(len(ids)-1), len(ids) - 1, nil
}
