package tokenizer_test

import (
	"fmt"
	"log"

	"loralab/model/tokenizer"
)

func ExampleTrain() {
	corpus := []string{
		"the whale and the ship",
		"the whale, the sea and the ship",
	}
	tok, err := tokenizer.Train(corpus, tokenizer.TrainConfig{VocabSize: 280})
	if err != nil {
		log.Fatal(err)
	}
	ids := tok.Encode("the whale")
	for _, id := range ids {
		token, _ := tok.Token(id)
		fmt.Printf("%d %q\n", id, token)
	}
	fmt.Printf("%q\n", tok.Decode(ids))
	fmt.Printf("%+v\n", tok.Specials())
	// Output:
	// 261 "the"
	// 274 "Ġwhale"
	// "the whale"
	// {BOS:0 EOS:2 PAD:1 MASK:3 CLS:0 SEP:2}
}
