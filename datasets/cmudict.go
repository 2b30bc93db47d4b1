package datasets

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// pronunciation is one dictionary entry: a spelling and its pronunciations, primary first.
type pronunciation struct {
	word     string
	phonemes []string
}

// readCMUDict parses cmudict/data/dict.txt under root: lines "WORD  PH O N EMES" where a
// variant pronunciation is written "WORD(1)". Lines starting with ";;;" are comments. Only
// words of letters and apostrophes are kept (the dictionary also spells punctuation).
func readCMUDict(root string) ([]pronunciation, error) {
	file := filepath.Join(root, "cmudict", "data", "dict.txt")
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseCMUDict(f.Name(), bufio.NewScanner(f))
}

func parseCMUDict(name string, sc *bufio.Scanner) ([]pronunciation, error) {
	var out []pronunciation
	index := map[string]int{}
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, ";;;") {
			continue
		}
		fields := strings.Fields(text)
		if len(fields) < 2 {
			return nil, fmt.Errorf("%s:%d: want a word and its phonemes, found %q", name, line, text)
		}
		word := fields[0]
		if i := strings.IndexByte(word, '('); i > 0 && strings.HasSuffix(word, ")") {
			word = word[:i]
		}
		if !isSpelling(word) {
			continue
		}
		word = strings.ToLower(word)
		pron := strings.Join(fields[1:], " ")
		if i, ok := index[word]; ok {
			out[i].phonemes = append(out[i].phonemes, pron)
			continue
		}
		index[word] = len(out)
		out = append(out, pronunciation{word: word, phonemes: []string{pron}})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, line, err)
	}
	return out, nil
}

// isSpelling reports whether w is an ordinary word: letters with at most inner apostrophes.
func isSpelling(w string) bool {
	if w == "" || w[0] == '\'' {
		return false
	}
	for _, c := range w {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '\'') {
			return false
		}
	}
	return true
}

// CMUDictG2P is cmudict-g2p: spell a word (Source, lower case) -> its ARPAbet phonemes with
// stress digits (Refs: every listed pronunciation, primary first). A word and its
// possessive ("aaron", "aaron's") share a group, so neither is tested on after training on
// the other.
func CMUDictG2P(root string, o Options) (*Task, error) {
	entries, err := readCMUDict(root)
	if err != nil {
		return nil, err
	}
	all := make([]Example, len(entries))
	for i, e := range entries {
		all[i] = Example{Source: e.word, Refs: e.phonemes, Group: strings.TrimSuffix(e.word, "'s")}
	}
	t := &Task{
		Name:        "cmudict-g2p",
		Description: "CMU Pronouncing Dictionary: spelling to phonemes (generation)",
		Kind:        Generation,
		MainMetric:  MetricExactMatch,
		Metrics:     []string{MetricExactMatch, MetricErrorRate, MetricBLEU},
	}
	train, val, test := splitByGroup(all, defaultFractions, o.Seed, nil)
	caps := o.caps(realTaskSizes)
	t.Train = subsample(train, caps[0], o.Seed, false)
	t.Validation = subsample(val, caps[1], o.Seed, false)
	t.Test = subsample(test, caps[2], o.Seed, false)
	return t, nil
}
