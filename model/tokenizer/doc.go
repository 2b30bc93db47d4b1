// Package tokenizer implements the byte-level byte-pair-encoding (BPE) tokenizer of GPT-2
// and RoBERTa: it trains one on a corpus, loads the published file formats, and turns text
// into token ids and back.
//
// Byte-level BPE never fails on input: text is cut into words by GPT-2's pre-tokenizer
// (contractions, letter runs, number runs, symbol runs, whitespace), each word starts as its
// UTF-8 bytes, one token per byte, and learned merges join adjacent tokens, lowest rank
// first. Any string, valid UTF-8 or not, encodes, and Decode(Encode(s)) == s exactly.
//
// Three sources give the same Tokenizer type:
//
//   - Train learns merges from a []string corpus, deterministically, with incremental pair
//     counts (13 MB of English to 8,192 tokens in about 0.4 s on one core);
//   - LoadGPT2 reads the vocab.json + merges.txt pair published with GPT-2;
//   - LoadFile reads a Hugging Face tokenizer.json with a BPE model, the format Save writes.
//
// Vocabulary files spell tokens with GPT-2's printable stand-ins for bytes ('Ġ' for a
// space, 'Ċ' for a newline); ID and Token use that spelling. Special tokens (<s>, </s>,
// <pad>, <mask>, <|endoftext|>, [CLS], ...) are recognised by name and exposed by role in
// Specials. Encode treats all text as data; EncodeSpecial also maps special tokens written
// in the text to their ids.
//
// Load errors name the file and the line and column of the offending entry.
package tokenizer
