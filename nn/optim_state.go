package nn

// Moments returns AdamW's first- and second-moment buffers, indexed by group then parameter
// as in Groups, so that a checkpoint can save them and a resumed run can copy them back in
// place. Together with Steps and SetSteps they are the optimizer's whole state. The buffers
// of trainable parameters not yet updated are allocated (zero) here, so that a state saved
// before the first step and one loaded into a fresh optimizer have every buffer; a frozen
// parameter's stay empty.
func (a *AdamW) Moments() (m, v [][][]float32) {
	for gi, g := range a.Groups {
		for pi, p := range g.Params {
			if p.Trainable {
				stateOf(a.m, gi, pi, p.Len())
				stateOf(a.v, gi, pi, p.Len())
			}
		}
	}
	return a.m, a.v
}

// SetSteps sets the number of updates already applied, on which the bias corrections
// depend, when resuming from a checkpoint.
func (a *AdamW) SetSteps(n int) { a.steps = n }
