package main

// runexp parses, runs and benchmarks every method loralab ships.
import _ "loralab/methods"
