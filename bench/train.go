package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"loralab/method"
	"loralab/model"
	"loralab/nn"
	"loralab/tuner"
)

// TrainOptions set a training-throughput benchmark.
type TrainOptions struct {
	Shape
	Seq, Batch int
	Method     method.Spec
	Warmup     int // untimed steps first
	Steps      int // timed steps
	Threads    int
	Seed       uint64
}

// TrainResult is one line of `runexp bench train`.
type TrainResult struct {
	Method          string  `json:"method"`
	Arch            string  `json:"arch"`
	DModel          int     `json:"d_model"`
	Layers          int     `json:"layers"`
	Vocab           int     `json:"vocab"`
	Seq             int     `json:"seq"`
	Batch           int     `json:"batch"`
	Threads         int     `json:"threads"`
	Steps           int     `json:"steps"`
	TokensPerSecond float64 `json:"tokens_per_s"`
	StepMillis      float64 `json:"step_ms"`
	// CPUStepMillis is the CPU time per timed step, all threads: on a shared machine it
	// moves much less with the load than StepMillis.
	CPUStepMillis   float64 `json:"cpu_step_ms"`
	TrainableParams int     `json:"trainable_params"`
	TotalParams     int     `json:"total_params"`
	PeakRSSBytes    int64   `json:"peak_rss_bytes"`
	// Memory is what the model, optimizer and tape hold after the timed steps.
	Memory Memory `json:"memory"`
}

// Memory is a training step's memory by use, in bytes, as the tensors, the optimizer and
// the tape account for it (Go's heap and runtime overhead come on top, in PeakRSSBytes).
type Memory struct {
	Weights         int64 `json:"weights"`          // every tensor's values, base and added
	Gradients       int64 `json:"gradients"`        // gradient buffers of trainable tensors
	OptimizerState  int64 `json:"optimizer_state"`  // AdamW moments
	Activations     int64 `json:"activations"`      // op outputs kept for backward
	ActivationGrads int64 `json:"activation_grads"` // their gradients
	Saved           int64 `json:"saved"`            // statistics, probabilities, gates kept for backward
	Workspace       int64 `json:"workspace"`        // per-op scratch
	Total           int64 `json:"total"`
}

// measureMemory fills a Memory from the tensors of a run, its optimizer and its tape.
func measureMemory(tensors []*nn.Tensor, opt *nn.AdamW, tape *nn.Tape) Memory {
	p, t := nn.ParamBytes(tensors), tape.Memory()
	m := Memory{Weights: p.Weights, Gradients: p.Gradients, OptimizerState: opt.StateBytes(),
		Activations: t.Activations, ActivationGrads: t.ActivationGrads, Saved: t.Saved, Workspace: t.Workspace}
	m.Total = m.Weights + m.Gradients + m.OptimizerState + t.Total()
	return m
}

// Train times AdamW training steps of a method on random tokens: causal-LM loss for a
// decoder, a 2-class head on the first token for an encoder.
func Train(ctx context.Context, o TrainOptions, newMethod NewMethodFunc) (TrainResult, error) {
	if o.Seq < 2 || o.Batch < 1 || o.Steps < 1 || o.Seq > o.Shape.Config().MaxLen {
		return TrainResult{}, fmt.Errorf("bench train: seq %d, batch %d, steps %d: want seq in [2, max_len], batch >= 1, steps >= 1", o.Seq, o.Batch, o.Steps)
	}
	m, meth, err := build(o.Shape, o.Method, newMethod, o.Seed)
	if err != nil {
		return TrainResult{}, err
	}
	var params []*nn.Tensor
	if meth != nil {
		params = meth.Trainable()
	}
	if o.Arch == model.Encoder {
		if err := m.AttachHead(2, o.Seed); err != nil {
			return TrainResult{}, err
		}
		params = append(params, tuner.HeadParams(m)...)
	}
	res := TrainResult{Method: o.Method.Label(), Arch: o.Arch, DModel: o.DModel, Layers: o.Layers, Vocab: o.Vocab,
		Seq: o.Seq, Batch: o.Batch, Threads: max(o.Threads, 1), Steps: o.Steps}
	for _, p := range params {
		res.TrainableParams += p.Len()
	}
	res.TotalParams = m.NumParams()
	if meth != nil {
		for _, p := range meth.Trainable() {
			if m.Param(p.Name) == nil {
				res.TotalParams += p.Len() // added by the method
			}
		}
	}
	if len(params) == 0 {
		return res, fmt.Errorf("bench train: %s trains nothing", o.Method.Label())
	}
	lp, li := 0, 0
	if meth != nil {
		lp, li = meth.Slots()
	}
	rng := rand.New(rand.NewPCG(o.Seed, 2))
	b := randomBatch(rng, o.Vocab, o.Batch, o.Seq, lp, li)
	targets := make([]int32, len(b.IDs))
	for i := range targets {
		targets[i] = b.IDs[(i+1)%len(b.IDs)]
	}
	labels := make([]int32, o.Batch)
	tape := nn.NewTape(max(o.Threads, 1))
	opt := nn.NewAdamW([]nn.ParamGroup{{Params: params, WeightDecay: 0.01}})
	step := func() {
		nn.ZeroGrads(params)
		h := m.Forward(tape, b, &model.Context{Batch: b, Train: true})
		var loss *nn.Tensor
		if o.Arch == model.Encoder {
			loss = tape.CrossEntropy(m.HeadLogits(tape, h, b.B, b.T), labels, -1, 0)
		} else {
			loss = m.LMLoss(tape, h, targets, -1, 0)
		}
		tape.Backward(loss)
		tape.Reset()
		opt.Step(1e-4)
	}
	for range o.Warmup {
		step()
	}
	start, cpu0 := time.Now(), cpuTime()
	for range o.Steps {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		step()
	}
	el := time.Since(start)
	res.StepMillis = el.Seconds() * 1000 / float64(o.Steps)
	res.CPUStepMillis = (cpuTime() - cpu0).Seconds() * 1000 / float64(o.Steps)
	res.TokensPerSecond = float64(o.Steps*o.Batch*o.Seq) / el.Seconds()
	res.PeakRSSBytes = peakRSS()
	res.Memory = measureMemory(append(m.Params(), params...), opt, tape)
	return res, nil
}
