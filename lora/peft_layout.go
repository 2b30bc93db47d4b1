package lora

import (
	"fmt"

	"loralab/model"
	"loralab/model/target"
)

// peftModule is one adapted module of the PEFT file: its lora_A and lora_B tensors and the
// LoRA updates they hold. A module holds one update, except GPT-2's fused attn.c_attn, which
// holds those of q, k and v that are adapted: its A stacks theirs (update i in rows
// col[i]..col[i]+r) and its B is block-structured (update i's B at rows row[i], columns
// col[i]), so that B·A is their updates side by side. A general c_attn LoRA (B dense, rank
// r) is held the same way with every col 0: q, k and v share its A.
type peftModule struct {
	path     string // module path under base_model.model., e.g. transformer.h.3.attn.c_attn
	in, out  int    // the module's full shape
	rank     int    // the rank of the file's tensors
	updates  []*Linear
	row, col []int
}

// familyOf is the Hugging Face family of the model l is applied to, "" for loralab's own.
func familyOf(m *model.Model) string {
	if m == nil || m.Origin == nil {
		return ""
	}
	return m.Origin.Family
}

// peftModules groups l's Linear updates by the module of the PEFT file that holds them, in
// model order. general says how a GPT-2 c_attn holding q, k and v is laid out: rank r with
// a shared A (an imported general LoRA) rather than rank 3r block-structured.
func (l *LoRA) peftModules(general bool) []*peftModule {
	family := familyOf(l.model)
	var mods []*peftModule
	byPath := map[string]*peftModule{}
	for _, d := range l.linears {
		b, t := l.blockAndTarget(d)
		path := pathIn(t, family, b)
		p, ok := byPath[path]
		if !ok {
			p = &peftModule{path: path, in: d.Target.In()}
			byPath[path] = p
			mods = append(mods, p)
		}
		p.updates = append(p.updates, d)
		p.row = append(p.row, p.out)
		p.out += d.Target.Out()
		if !(family == model.FamilyGPT2 && t.FusedInGPT2()) {
			continue
		}
		// c_attn: rows at GPT2Part, whatever is adapted; the full output is 3 d.
		p.row[len(p.row)-1], p.out = t.GPT2Part*d.Target.Out(), 3*d.Target.Out()
	}
	for _, p := range mods {
		r := l.spec.Rank
		p.rank = r * len(p.updates)
		for i := range p.updates {
			p.col = append(p.col, i*r)
		}
		if general && len(p.updates) == 3 && p.out == 3*p.updates[0].Target.Out() {
			p.rank, p.col = r, []int{0, 0, 0}
		}
	}
	return mods
}

// blockAndTarget finds the block index and the target of update d.
func (l *LoRA) blockAndTarget(d *Linear) (int, target.Matrix) {
	for _, b := range l.model.Blocks {
		for _, t := range target.All() {
			if lin, err := b.Matrix(t.Name); err == nil && lin == d.Target {
				return b.Index, t
			}
		}
	}
	panic(fmt.Sprintf("lora: update of %s is on no block of its model", d.Target.Name)) // built by build: cannot happen
}

// pack writes the module's A [rank, in] and B [out, rank] from its updates.
func (p *peftModule) pack() (a, b []float32) {
	a, b = make([]float32, p.rank*p.in), make([]float32, p.out*p.rank)
	for i, d := range p.updates {
		r := d.A.Shape[0]
		copy(a[p.col[i]*p.in:], d.A.Data[:r*p.in])
		for o := range d.Target.Out() {
			copy(b[(p.row[i]+o)*p.rank+p.col[i]:], d.B.Data[o*r:(o+1)*r])
		}
	}
	return a, b
}

// unpack fills the module's updates from A and B as pack writes them, and refuses a B with
// values outside the updates' blocks (a fused c_attn LoRA that is not block-structured).
func (p *peftModule) unpack(a, b []float32, key string) error {
	covered := make([]bool, len(b))
	for i, d := range p.updates {
		r := d.A.Shape[0]
		copy(d.A.Data, a[p.col[i]*p.in:(p.col[i]+r)*p.in])
		for o := range d.Target.Out() {
			at := (p.row[i]+o)*p.rank + p.col[i]
			copy(d.B.Data[o*r:(o+1)*r], b[at:at+r])
			for k := range r {
				covered[at+k] = true
			}
		}
	}
	for i, v := range b {
		if v != 0 && !covered[i] {
			return fmt.Errorf("%s: element [%d, %d] is %g outside the blocks of %s: a LoRA on GPT-2's fused c_attn must be block-structured (each rank-%d block of columns nonzero in the rows of one of q, k, v)",
				key, i/p.rank, i%p.rank, v, p.label(), p.updates[0].A.Shape[0])
		}
	}
	return nil
}

// label names the matrices the module holds: "[blocks.3.attn.q blocks.3.attn.v]".
func (p *peftModule) label() string {
	var names []string
	for _, d := range p.updates {
		names = append(names, d.Target.Name)
	}
	return fmt.Sprint(names)
}
