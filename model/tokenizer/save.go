package tokenizer

import (
	"bytes"
	"encoding/json"
	"fmt"

	"loralab/internal/atomicfile"
)

// Save writes the tokenizer to path as a Hugging Face tokenizer.json (byte-level
// pre-tokenizer and decoder, BPE model), one vocabulary entry and one merge per line so
// that the file diffs well. The write is atomic: a temporary file renamed over path.
func (t *Tokenizer) Save(path string) error {
	data, err := t.MarshalJSON()
	if err != nil {
		return fmt.Errorf("tokenizer: save %s: %w", path, err)
	}
	if err := atomicfile.WriteFile(path, data); err != nil {
		return fmt.Errorf("tokenizer: save %s: %w", path, err)
	}
	return nil
}

// byteLevelOptions are the pre-tokenizer and decoder settings of GPT-2, which this
// package implements: no prefix space, the GPT-2 regular expression.
const byteLevelOptions = `"add_prefix_space": false, "trim_offsets": true, "use_regex": true`

// MarshalJSON renders the tokenizer in the tokenizer.json layout that LoadFile reads.
func (t *Tokenizer) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n")
	b.WriteString("  \"added_tokens\": [")
	for i, id := range t.added {
		b.WriteString(separator(i, "    "))
		fmt.Fprintf(&b, `{"id": %d, "content": %s, "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}`,
			id, quote(t.tokens[id]))
	}
	b.WriteString(closing(len(t.added), "  ") + "],\n")
	b.WriteString("  \"normalizer\": null,\n")
	b.WriteString("  \"pre_tokenizer\": {\"type\": \"ByteLevel\", " + byteLevelOptions + "},\n")
	b.WriteString("  \"post_processor\": null,\n")
	b.WriteString("  \"decoder\": {\"type\": \"ByteLevel\", " + byteLevelOptions + "},\n")
	b.WriteString("  \"model\": {\n    \"type\": \"BPE\",\n    \"dropout\": null,\n    \"unk_token\": null,\n")
	b.WriteString("    \"continuing_subword_prefix\": null,\n    \"end_of_word_suffix\": null,\n")
	b.WriteString("    \"fuse_unk\": false,\n    \"byte_fallback\": false,\n")
	b.WriteString("    \"vocab\": {")
	for id, tok := range t.tokens {
		b.WriteString(separator(id, "      "))
		fmt.Fprintf(&b, "%s: %d", quote(tok), id)
	}
	b.WriteString(closing(len(t.tokens), "    ") + "},\n")
	b.WriteString("    \"merges\": [")
	for i, m := range t.mergeOrder {
		b.WriteString(separator(i, "      "))
		fmt.Fprintf(&b, "[%s, %s]", quote(t.tokens[m.left]), quote(t.tokens[m.right]))
	}
	b.WriteString(closing(len(t.mergeOrder), "    ") + "]\n  }\n}\n")
	return b.Bytes(), nil
}

// separator starts list element i on its own indented line.
func separator(i int, indent string) string {
	if i == 0 {
		return "\n" + indent
	}
	return ",\n" + indent
}

// closing puts the closing bracket of a non-empty list on its own line.
func closing(n int, indent string) string {
	if n == 0 {
		return ""
	}
	return "\n" + indent
}

// quote renders s as a JSON string, leaving <, > and & readable.
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		panic(err) // encoding a string cannot fail
	}
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}
