package tokenizer

import (
	"slices"
	"strings"
	"sync"
	"testing"
)

// trickyTexts are strings a tokenizer must survive: scripts, emoji sequences, every kind
// of whitespace run, numbers, control bytes and invalid UTF-8.
var trickyTexts = []string{
	"",
	" ",
	"Hello, world!",
	"naïve café résumé — “quoted” ‘text’ …",
	"日本語のテキストと中文文本 한국어 텍스트",
	"Здравствуй, мир! Γειά σου Κόσμε! مرحبا بالعالم שלום עולם",
	"emoji 😀 👍🏽 👨‍👩‍👧‍👦 🇫🇷 ❤️ ✔︎",
	"   leading and trailing   ",
	"tabs\tand\t\ttabs\n\nnew\r\nlines\r\n",
	"\n\n\n\n",
	strings.Repeat(" ", 1000) + "x" + strings.Repeat("\t", 300),
	"numbers 0 7 42 3.14159 -273.15 1e-9 1,000,000 ½ ⅔ Ⅻ ٣٤٥",
	"I'm we're they'll you've he'd it's DON'T can’t",
	"x=a+b*c/d; if (x >= 0) { return y; } // comment <tag attr=\"v\">&amp;</tag>",
	"\x00\x01\x02\x7f control \x1b[31mred\x1b[0m",
	"invalid \xff\xfe UTF-8 \xc3 truncated \xe2\x82 sequence",
	"\u00a0nbsp\u2003em space\u3000ideographic\u200bzero width",
	"<|endoftext|><s></s><pad><mask>",
	strings.Repeat("abc", 2000),
	strings.Repeat("ab", 3) + strings.Repeat("l", 101),
}

// tokenizersForTest returns a trained tokenizer and the tiny GPT-2 one.
func tokenizersForTest(t *testing.T) map[string]*Tokenizer {
	t.Helper()
	trained, err := Train(append(syntheticCorpus(100, 3), trickyTexts...), TrainConfig{VocabSize: 500, MinFrequency: 1})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]*Tokenizer{"trained": trained, "gpt2 files": loadTinyGPT2(t)}
}

func TestRoundTrip(t *testing.T) {
	for name, tok := range tokenizersForTest(t) {
		for _, text := range trickyTexts {
			ids := tok.Encode(text)
			if got := tok.Decode(ids); got != text {
				t.Errorf("%s: Decode(Encode(%q)) = %q", name, text, got)
			}
			if got := tok.Decode(tok.EncodeSpecial(text)); got != text {
				t.Errorf("%s: Decode(EncodeSpecial(%q)) = %q", name, text, got)
			}
			for _, id := range ids {
				if id < 0 || int(id) >= tok.VocabSize() || tok.IsAdded(id) {
					t.Errorf("%s: Encode(%q) produced id %d", name, text, id)
				}
			}
		}
	}
}

// TestEncodeCacheConsistent encodes the same texts from several goroutines, through the
// cache, and compares with direct BPE on each word: the cache must not change results.
func TestEncodeCacheConsistent(t *testing.T) {
	tok := tokenizersForTest(t)["trained"]
	var want [][]int32
	for _, text := range trickyTexts {
		var ids []int32
		for _, w := range splitWords(text) {
			ids = append(ids, tok.bpe(w)...)
		}
		want = append(want, ids)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4*len(trickyTexts))
	for range 4 {
		wg.Go(func() {
			for i, text := range trickyTexts {
				if got := tok.Encode(text); !slices.Equal(got, want[i]) && !(len(got) == 0 && len(want[i]) == 0) {
					errs <- text
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for text := range errs {
		t.Errorf("cached Encode(%q) differs from direct BPE", text)
	}
}

// TestEncodeCacheBounded fills the cache past its limit and checks that it was emptied
// rather than grown, and that encoding still round-trips.
func TestEncodeCacheBounded(t *testing.T) {
	tok := loadTinyGPT2(t)
	var b strings.Builder
	for i := range maxCachedWords + 10 {
		b.WriteString(" w")
		for n := i; n > 0; n /= 26 {
			b.WriteByte(byte('a' + n%26))
		}
	}
	text := b.String()
	if got := tok.Decode(tok.Encode(text)); got != text {
		t.Fatal("round trip failed while the cache overflowed")
	}
	if n := len(tok.cache.words); n > maxCachedWords || n == 0 {
		t.Errorf("cache holds %d words, want between 1 and %d", n, maxCachedWords)
	}
	long := strings.Repeat("x", maxCachedWordLen+1)
	if got := tok.Decode(tok.Encode(long)); got != long {
		t.Fatal("round trip of a long word failed")
	}
	if _, cached := tok.cache.get(long); cached {
		t.Errorf("a %d-byte word was cached", len(long))
	}
}

// FuzzRoundTrip checks Decode(Encode(s)) == s for arbitrary bytes.
func FuzzRoundTrip(f *testing.F) {
	for _, text := range trickyTexts {
		f.Add(text)
	}
	tok, err := Train(syntheticCorpus(50, 4), TrainConfig{VocabSize: 400})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if got := tok.Decode(tok.Encode(text)); got != text {
			t.Errorf("Decode(Encode(%q)) = %q", text, got)
		}
		if strings.Join(splitWords(text), "") != text {
			t.Errorf("splitWords(%q) does not cover the text", text)
		}
	})
}

func BenchmarkTrain(b *testing.B) {
	corpus := syntheticCorpus(2000, 5) // about 0.6 MB
	size := 0
	for _, doc := range corpus {
		size += len(doc)
	}
	b.SetBytes(int64(size))
	for b.Loop() {
		if _, err := Train(corpus, TrainConfig{VocabSize: 2000}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	corpus := syntheticCorpus(500, 6)
	tok, err := Train(corpus, TrainConfig{VocabSize: 1000})
	if err != nil {
		b.Fatal(err)
	}
	text := strings.Join(corpus, "\n")
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		tok.Encode(text)
	}
}
