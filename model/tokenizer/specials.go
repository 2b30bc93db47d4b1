package tokenizer

// NoToken marks a special token the vocabulary does not have.
const NoToken int32 = -1

// Specials holds the ids of the special tokens the models use, or NoToken for each one the
// vocabulary lacks.
type Specials struct {
	// BOS and EOS open and close a sequence for the decoder.
	BOS, EOS int32
	// PAD fills batches to a common length; MASK replaces tokens in masked-LM pretraining.
	PAD, MASK int32
	// CLS opens and SEP separates or closes an encoder input (RoBERTa uses <s> and </s>).
	CLS, SEP int32
}

// specialNames lists, for each role, the token spellings that fill it, in order of
// preference: RoBERTa's, then BERT's, then GPT-2's <|endoftext|> which serves as
// beginning, end and padding where nothing else does.
func specialNames(s *Specials) []struct {
	id    *int32
	names []string
} {
	return []struct {
		id    *int32
		names []string
	}{
		{&s.BOS, []string{"<s>", "<|endoftext|>"}},
		{&s.EOS, []string{"</s>", "<|endoftext|>"}},
		{&s.PAD, []string{"<pad>", "[PAD]", "<|endoftext|>"}},
		{&s.MASK, []string{"<mask>", "[MASK]"}},
		{&s.CLS, []string{"<s>", "[CLS]"}},
		{&s.SEP, []string{"</s>", "[SEP]"}},
	}
}

// findSpecials fills each role with the first of its names found in the vocabulary.
func findSpecials(ids map[string]int32) Specials {
	s := Specials{BOS: NoToken, EOS: NoToken, PAD: NoToken, MASK: NoToken, CLS: NoToken, SEP: NoToken}
	for _, role := range specialNames(&s) {
		for _, name := range role.names {
			if id, ok := ids[name]; ok {
				*role.id = id
				break
			}
		}
	}
	return s
}

// isSpecialName reports whether token is one of the names findSpecials looks for.
func isSpecialName(token string) bool {
	var s Specials
	for _, role := range specialNames(&s) {
		for _, name := range role.names {
			if name == token {
				return true
			}
		}
	}
	return false
}
