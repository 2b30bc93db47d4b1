// Package methods links every fine-tuning method loralab ships, so that a program that imports
// it (runexp, the executor's tests) can build any of them by name through tuner.New and parse
// any of them in a sweep file. Each method registers itself from its own file (see
// tuner.Register); a new method in a new package adds one import here.
package methods

import (
	_ "loralab/baselines" // ft, fttop2, bitfit, the adapters and the prefix methods
	_ "loralab/ia3"       // ia3
	_ "loralab/lora"      // lora, lora_fa
)
