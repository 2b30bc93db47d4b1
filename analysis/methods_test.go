package analysis

// The methods the tests' results use: importing their packages registers them, as the runexp
// binary does.
import _ "loralab/methods"
