package nn

// Moments returns AdamW's live first- and second-moment buffers, indexed by group then
// parameter as in Groups, so that a checkpoint can save them and a resumed run can copy
// them back in place. Together with Steps and SetSteps they are the optimizer's whole state.
func (a *AdamW) Moments() (m, v [][][]float32) { return a.m, a.v }

// SetSteps sets the number of updates already applied, on which the bias corrections
// depend, when resuming from a checkpoint.
func (a *AdamW) SetSteps(n int) { a.steps = n }
