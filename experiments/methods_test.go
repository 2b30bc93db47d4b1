package experiments

// The methods the tests' sweeps use: importing their packages registers them, as the runexp
// binary does.
import _ "loralab/methods"
