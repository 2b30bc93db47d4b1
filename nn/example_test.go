package nn_test

import (
	"fmt"

	"loralab/nn"
)

// Fit y = 2x + 1 with one Linear layer: record the forward pass on a tape, run backward,
// step the optimizer, reset the tape, repeat.
func Example() {
	w, b := nn.NewParam("w", 1, 1), nn.NewParam("b", 1)
	params := []*nn.Tensor{w, b}
	opt := nn.NewSGD([]nn.ParamGroup{{Name: "all", Params: params}}, 0.9)
	x := nn.FromData([]float32{-1, 0, 1, 2}, 4, 1)
	target := []float32{-1, 1, 3, 5}

	tape := nn.NewTape(1)
	for range 200 {
		tape.Reset()
		loss := tape.MSE(tape.Linear(x, w, b), target)
		tape.Backward(loss)
		opt.Step(0.05)
		nn.ZeroGrads(params)
	}
	fmt.Printf("w = %.3f, b = %.3f\n", w.Data[0], b.Data[0])
	// Output: w = 2.000, b = 1.000
}
