package tokenizer

import "testing"

// TestFindSpecials checks the role of each special token name and the order of
// preference when a vocabulary has several candidates for one role.
func TestFindSpecials(t *testing.T) {
	const no = NoToken
	tests := []struct {
		name  string
		vocab []string // token i has id i
		want  Specials
	}{
		{"none", []string{"a", "b"}, Specials{no, no, no, no, no, no}},
		{"gpt-2", []string{"a", "<|endoftext|>"}, Specials{BOS: 1, EOS: 1, PAD: 1, MASK: no, CLS: no, SEP: no}},
		{"roberta", []string{"<s>", "<pad>", "</s>", "<unk>", "<mask>"}, Specials{BOS: 0, EOS: 2, PAD: 1, MASK: 4, CLS: 0, SEP: 2}},
		{"bert", []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}, Specials{BOS: no, EOS: no, PAD: 0, MASK: 4, CLS: 2, SEP: 3}},
		{"roberta names win over <|endoftext|>", []string{"<|endoftext|>", "<s>", "</s>", "<pad>"},
			Specials{BOS: 1, EOS: 2, PAD: 3, MASK: no, CLS: 1, SEP: 2}},
		{"<|endoftext|> fills only the roles left", []string{"<|endoftext|>", "<pad>"},
			Specials{BOS: 0, EOS: 0, PAD: 1, MASK: no, CLS: no, SEP: no}},
	}
	for _, tc := range tests {
		ids := make(map[string]int32)
		for i, tok := range tc.vocab {
			ids[tok] = int32(i)
		}
		if got := findSpecials(ids); got != tc.want {
			t.Errorf("%s: findSpecials = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
