package train

// The tests train every method loralab ships.
import _ "loralab/methods"
