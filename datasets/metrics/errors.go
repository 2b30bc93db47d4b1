package metrics

import (
	"errors"
	"fmt"
	"strings"
)

// ErrLengthMismatch is wrapped by every error about inputs of different lengths, such as
// predictions and gold labels, or hypotheses and reference sets.
var ErrLengthMismatch = errors.New("inputs differ in length")

// ErrEmpty is wrapped by every error about an empty input: a metric over no examples is
// undefined, and returning 0 would hide an evaluation that silently saw no data.
var ErrEmpty = errors.New("no examples")

// ErrInvalid is wrapped by every error about a value a metric cannot score, such as a
// negative class label, a NaN, or an example without references.
var ErrInvalid = errors.New("invalid input")

// checkPaired reports an error unless the two inputs of metric have the same, non-zero,
// length. The names say what each input holds, so the message reads
// "bleu: 3 hypotheses but 2 reference sets".
func checkPaired(metric string, firstName string, firstLen int, secondName string, secondLen int) error {
	if firstLen != secondLen {
		return fmt.Errorf("%s: %d %s but %d %s: %w",
			metric, firstLen, firstName, secondLen, secondName, ErrLengthMismatch)
	}
	if firstLen == 0 {
		return fmt.Errorf("%s: %w", metric, ErrEmpty)
	}
	return nil
}

// checkCorpus validates the input of a generation metric: one reference set per
// hypothesis, at least one example, at least one reference in every set, and tokens that
// are non-empty and free of the NUL character that joins n-grams into keys.
func checkCorpus(metric string, hyps [][]string, refs [][][]string) error {
	if err := checkPaired(metric, "hypotheses", len(hyps), "reference sets", len(refs)); err != nil {
		return err
	}
	for i, set := range refs {
		if len(set) == 0 {
			return fmt.Errorf("%s: example %d has no references: %w", metric, i, ErrInvalid)
		}
		if err := checkTokens(hyps[i]); err != nil {
			return fmt.Errorf("%s: hypothesis %d: %w", metric, i, err)
		}
		for j, ref := range set {
			if err := checkTokens(ref); err != nil {
				return fmt.Errorf("%s: reference %d of example %d: %w", metric, j, i, err)
			}
		}
	}
	return nil
}

// checkTokens rejects empty tokens and tokens containing NUL: the first cannot come from a
// tokenizer, the second would make two different n-grams share a key.
func checkTokens(tokens []string) error {
	for k, tok := range tokens {
		switch {
		case tok == "":
			return fmt.Errorf("token %d is empty: %w", k, ErrInvalid)
		case strings.Contains(tok, ngramSeparator):
			return fmt.Errorf("token %d is %q, which contains NUL: %w", k, tok, ErrInvalid)
		}
	}
	return nil
}
