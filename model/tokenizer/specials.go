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

// roleNames lists, for BOS, EOS, PAD, MASK, CLS and SEP in that order, the token
// spellings that fill the role, in order of preference: RoBERTa's, then BERT's, then
// GPT-2's <|endoftext|>, which serves as beginning, end and padding where nothing else does.
func roleNames() [6][]string {
	return [6][]string{
		{"<s>", "<|endoftext|>"},
		{"</s>", "<|endoftext|>"},
		{"<pad>", "[PAD]", "<|endoftext|>"},
		{"<mask>", "[MASK]"},
		{"<s>", "[CLS]"},
		{"</s>", "[SEP]"},
	}
}

// findSpecials fills each role with the first of its names found in the vocabulary.
func findSpecials(ids map[string]int32) Specials {
	var found [6]int32
	for role, names := range roleNames() {
		found[role] = NoToken
		for _, name := range names {
			if id, ok := ids[name]; ok {
				found[role] = id
				break
			}
		}
	}
	return Specials{BOS: found[0], EOS: found[1], PAD: found[2], MASK: found[3], CLS: found[4], SEP: found[5]}
}

// specialIDs returns the ids of every vocabulary token named like a special token, whether
// or not it fills a role.
func specialIDs(ids map[string]int32) []int32 {
	var out []int32
	for _, names := range roleNames() {
		for _, name := range names {
			if id, ok := ids[name]; ok {
				out = append(out, id)
			}
		}
	}
	return out
}
