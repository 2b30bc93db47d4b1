package sweeprun

// The executor builds methods by name (tuner.New): link every method loralab ships.
import _ "loralab/methods"
