package tokenizer

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestTrainByHand checks training on a corpus small enough to follow by hand. With no
// specials, byte b has id b. Words: "abab", " abab", " cd", once each. Pair counts:
// (a,b) 4, (b,a) 2, (Ġ,a) 1, (Ġ,c) 1, (c,d) 1.
//
//	merge 1: a b   -> "ab" (256); words [ab ab] [Ġ ab ab] [Ġ c d]; (ab,ab) 2, others 1
//	merge 2: ab ab -> "abab" (257); now (Ġ,abab), (Ġ,c) and (c,d) all count 1
//	merge 3: the tie goes to the smallest left id, Ġ (32), then the smallest right id,
//	         c (99) before abab (257): Ġ c -> "Ġc" (258)
func TestTrainByHand(t *testing.T) {
	corpus := []string{"abab abab cd"}
	tests := []struct {
		name    string
		cfg     TrainConfig
		merges  [][2]string
		encoded []int32 // the corpus, encoded
	}{
		{"three merges", TrainConfig{VocabSize: 259, Specials: []string{}, MinFrequency: 1},
			[][2]string{{"a", "b"}, {"ab", "ab"}, {"Ġ", "c"}}, []int32{257, ' ', 257, 258, 'd'}},
		{"min frequency 2 stops after two", TrainConfig{VocabSize: 300, Specials: []string{}},
			[][2]string{{"a", "b"}, {"ab", "ab"}}, []int32{257, ' ', 257, ' ', 'c', 'd'}},
		{"vocabulary full after one", TrainConfig{VocabSize: 257, Specials: []string{}, MinFrequency: 1},
			[][2]string{{"a", "b"}}, []int32{256, 256, ' ', 256, 256, ' ', 'c', 'd'}},
	}
	for _, tc := range tests {
		tok, err := Train(corpus, tc.cfg)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := tok.Merges(); !slices.Equal(got, tc.merges) {
			t.Errorf("%s: merges %q, want %q", tc.name, got, tc.merges)
		}
		if got := tok.VocabSize(); got != 256+len(tc.merges) {
			t.Errorf("%s: vocabulary %d, want %d", tc.name, got, 256+len(tc.merges))
		}
		if got := tok.Encode(corpus[0]); !slices.Equal(got, tc.encoded) {
			t.Errorf("%s: Encode = %v, want %v", tc.name, got, tc.encoded)
		}
	}
}

// TestTrainSpecials checks that specials take the first ids and their roles.
func TestTrainSpecials(t *testing.T) {
	tok, err := Train([]string{"the cat the hat the"}, TrainConfig{VocabSize: 270})
	if err != nil {
		t.Fatal(err)
	}
	want := Specials{BOS: 0, PAD: 1, EOS: 2, MASK: 3, CLS: 0, SEP: 2}
	if got := tok.Specials(); got != want {
		t.Errorf("Specials() = %+v, want %+v", got, want)
	}
	for id, name := range DefaultSpecials() {
		if got, _ := tok.Token(int32(id)); got != name || !tok.IsAdded(int32(id)) {
			t.Errorf("token %d = %q (added %v), want special %q", id, got, tok.IsAdded(int32(id)), name)
		}
	}
	if id, _ := tok.ID("a"); id != 4+'a' {
		t.Errorf(`ID("a") = %d, want %d: bytes follow the 4 specials`, id, 4+'a')
	}
	if got := tok.Encode(" the"); len(got) != 1 {
		t.Errorf(`Encode(" the") = %v, want one token for a word seen twice`, got)
	}
}

func TestTrainConfigErrors(t *testing.T) {
	tests := []struct {
		cfg  TrainConfig
		want string
	}{
		{TrainConfig{VocabSize: 259}, "vocabulary size 259 is below 260"},
		{TrainConfig{VocabSize: 300, Specials: []string{"<s>", "<s>"}}, `special token "<s>" given twice`},
		{TrainConfig{VocabSize: 300, Specials: []string{""}}, "must be non-empty UTF-8"},
		{TrainConfig{VocabSize: 300, Specials: []string{"<\xff>"}}, "must be non-empty UTF-8"},
		{TrainConfig{VocabSize: 300, Specials: []string{"Ġ"}}, "would hide a byte token"},
	}
	for _, tc := range tests {
		_, err := Train([]string{"text"}, tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Train(%+v) error %v, want %q", tc.cfg, err, tc.want)
		}
	}
}

// syntheticCorpus returns n documents of pseudo-English from a fixed seed.
func syntheticCorpus(n int, seed uint64) []string {
	rng := rand.New(rand.NewPCG(seed, 7))
	words := strings.Fields("the whale ship sea captain Ahab white hunt boat harpoon crew deck " +
		"storm wind sail ocean deep dark Ishmael Queequeg Starbuck oil 1851 42 3.14 don't it's")
	docs := make([]string, n)
	for i := range docs {
		var b strings.Builder
		for j := range 40 + rng.IntN(40) {
			if j > 0 {
				b.WriteString([]string{" ", " ", " ", ", ", ".\n", "  "}[rng.IntN(6)])
			}
			b.WriteString(words[rng.IntN(len(words))])
		}
		docs[i] = b.String()
	}
	return docs
}

// TestTrainDeterministic trains twice on the same corpus and requires identical files,
// and checks that a saved and reloaded tokenizer saves to the same bytes again.
func TestTrainDeterministic(t *testing.T) {
	corpus := syntheticCorpus(200, 1)
	dir := t.TempDir()
	var saved [][]byte
	for run := range 2 {
		tok, err := Train(corpus, TrainConfig{VocabSize: 400})
		if err != nil {
			t.Fatal(err)
		}
		data, err := tok.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		saved = append(saved, data)
		path := filepath.Join(dir, fmt.Sprintf("run%d.json", run))
		if err := tok.Save(path); err != nil {
			t.Fatal(err)
		}
		back, err := LoadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := back.MarshalJSON()
		if !bytes.Equal(again, data) {
			t.Errorf("run %d: reloaded tokenizer saves differently", run)
		}
		if back.Specials() != tok.Specials() || !slices.Equal(back.Merges(), tok.Merges()) {
			t.Errorf("run %d: reloaded specials or merges differ", run)
		}
		for _, doc := range corpus[:20] {
			if !slices.Equal(back.Encode(doc), tok.Encode(doc)) {
				t.Fatalf("run %d: reloaded tokenizer encodes %q differently", run, doc)
			}
		}
	}
	if !bytes.Equal(saved[0], saved[1]) {
		t.Error("two trainings on the same corpus differ")
	}
}

// TestTrainMatchesRecount checks the incremental pair counts against the definition: at
// every step of a real training, the merged pair must be the most frequent pair of the
// corpus as re-encoded with the merges so far, ties broken by the smallest ids.
func TestTrainMatchesRecount(t *testing.T) {
	corpus := syntheticCorpus(30, 2)
	tok, err := Train(corpus, TrainConfig{VocabSize: 330, Specials: []string{}, MinFrequency: 1})
	if err != nil {
		t.Fatal(err)
	}
	words := countWords(corpus)
	merges := tok.mergeOrder
	for step, m := range merges {
		// Encode every word with the merges before this step, then count pairs afresh.
		partial := &Tokenizer{byteIDs: tok.byteIDs, merges: make(map[pairKey]merge)}
		for _, earlier := range merges[:step] {
			partial.merges[keyOf(earlier.left, earlier.right)] = earlier
		}
		counts := make(map[pairKey]int64)
		for w, n := range words {
			forEachPair(partial.bpe(w), func(k pairKey) { counts[k] += n })
		}
		best := pairKey(0)
		for k, n := range counts {
			if n > counts[best] || (n == counts[best] && k < best) {
				best = k
			}
		}
		if got := keyOf(m.left, m.right); got != best {
			t.Fatalf("step %d merged %q+%q (count %d), recount says %q+%q (count %d)", step,
				tok.tokens[m.left], tok.tokens[m.right], counts[got],
				tok.tokens[int32(best>>32)], tok.tokens[int32(uint32(best))], counts[best])
		}
	}
}
