package train

import "loralab/model"

// RunMemory estimates, in bytes, the most one fine-tuning run of a model of shape cfg on
// batches of batch sequences of seqLen tokens holds, for choosing how many runs fit in
// memory at once. It takes the worst method, FT: its own copy of every weight, a gradient
// and two AdamW moments (16 bytes per parameter), plus the activations a training step keeps
// for backward and their gradients (per token and layer about 10 d + 2 d_ff values and the
// attention probabilities of every head, the decoder's logits on top), and doubles the sum
// for the Go heap's growth between collections. The shared base is not counted.
func RunMemory(cfg model.Config, batch, seqLen int) int64 {
	d, ff, layers := int64(cfg.DModel), int64(cfg.DFF), int64(cfg.Layers)
	t := int64(min(seqLen, cfg.MaxLen))
	tokens := int64(batch) * t
	params := int64(cfg.Vocab+cfg.MaxLen)*d + layers*(4*d*d+2*d*ff)
	perToken := layers * (10*d + 2*ff + int64(cfg.Heads)*t)
	if cfg.Arch == model.Decoder {
		perToken += int64(cfg.Vocab)
	}
	return 2 * (16*params + 2*4*tokens*perToken)
}

// DefaultJobs is how many runs to train at once given the threads they share and the bytes
// of memory available (0 = unknown): one run per thread, because on models this small one
// thread per run does more work per CPU second than several threads on one run, but no
// more than the memory holds at perRun bytes each, and at least one.
func DefaultJobs(threads int, available, perRun int64) int {
	jobs := max(threads, 1)
	if available > 0 && perRun > 0 {
		jobs = min(jobs, int(available/perRun))
	}
	return max(jobs, 1)
}
