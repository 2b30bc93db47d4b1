// Package target is the table of the weight matrices a fine-tuning method can adapt: their
// names in sweep files, their module paths in loralab, Hugging Face RoBERTa and GPT-2
// checkpoints, and their shapes. It belongs to package model, which owns the matrices and
// finds them by this table (model.Block.Matrix, model.Model.Matrix); it imports nothing, so
// that the parameter formulas and the sweep parser read it without linking the engine.
//
// Every other list of targets, module paths or the default target set in loralab reads this
// one.
package target

import (
	"fmt"
	"slices"
	"strings"
)

// Dim names one dimension of a model.
type Dim int

// The dimensions a target matrix's shape is made of.
const (
	DModel Dim = iota // d_model
	DFF               // the MLP width d_ff
	Vocab             // the vocabulary size
)

// Matrix is one adaptable weight matrix, W of shape [Out, In] (the PyTorch layout).
type Matrix struct {
	// Name is how sweep files and labels write it: "q".
	Name string
	// Module is its loralab module path: inside block i ("attn.q" is blocks.<i>.attn.q), or
	// from the model's root for a matrix that is not per layer ("tok_emb").
	Module string
	// RoBERTa is its Hugging Face RoBERTa module path inside roberta.encoder.layer.<i> (from
	// roberta. for a matrix that is not per layer).
	RoBERTa string
	// GPT2 is its Hugging Face GPT-2 module path inside transformer.h.<i> (from transformer.
	// for a matrix that is not per layer). q, k and v share GPT-2's fused attn.c_attn, whose
	// columns are q, then k, then v (GPT2Part).
	GPT2     string
	GPT2Part int
	In, Out  Dim
	// PerLayer is false for the token embedding: one matrix for the whole model.
	PerLayer bool
}

// Emb is the name of the token embedding as a target.
const Emb = "emb"

// table lists the targets in model order: the embedding, then a block's matrices in the
// order the block computes them.
var table = []Matrix{
	{Name: Emb, Module: "tok_emb", RoBERTa: "embeddings.word_embeddings", GPT2: "wte", In: Vocab, Out: DModel},
	{Name: "q", Module: "attn.q", RoBERTa: "attention.self.query", GPT2: "attn.c_attn", GPT2Part: 0, In: DModel, Out: DModel, PerLayer: true},
	{Name: "k", Module: "attn.k", RoBERTa: "attention.self.key", GPT2: "attn.c_attn", GPT2Part: 1, In: DModel, Out: DModel, PerLayer: true},
	{Name: "v", Module: "attn.v", RoBERTa: "attention.self.value", GPT2: "attn.c_attn", GPT2Part: 2, In: DModel, Out: DModel, PerLayer: true},
	{Name: "o", Module: "attn.o", RoBERTa: "attention.output.dense", GPT2: "attn.c_proj", In: DModel, Out: DModel, PerLayer: true},
	{Name: "fc1", Module: "mlp.fc1", RoBERTa: "intermediate.dense", GPT2: "mlp.c_fc", In: DModel, Out: DFF, PerLayer: true},
	{Name: "fc2", Module: "mlp.fc2", RoBERTa: "output.dense", GPT2: "mlp.c_proj", In: DFF, Out: DModel, PerLayer: true},
}

// Default is the target set of a method entry that names none: Wq and Wv, the paper's choice
// (Hu et al., 2021, Section 7.1). Each call returns a new slice.
func Default() []string { return []string{"q", "v"} }

// All lists every target in model order. Each call returns a new slice.
func All() []Matrix { return slices.Clone(table) }

// Names lists the targets' names in the order sweep files document them: a block's matrices,
// then the embedding.
func Names() []string {
	var out []string
	for _, m := range table[1:] {
		out = append(out, m.Name)
	}
	return append(out, table[0].Name)
}

// Lookup returns the target named name.
func Lookup(name string) (Matrix, bool) {
	i := slices.IndexFunc(table, func(m Matrix) bool { return m.Name == name })
	if i < 0 {
		return Matrix{}, false
	}
	return table[i], true
}

// Sorted returns the names in model order (embedding first, then a block's order), dropping
// none; unknown names keep their relative order at the end.
func Sorted(names []string) []string {
	out := slices.Clone(names)
	pos := func(n string) int {
		i := slices.IndexFunc(table, func(m Matrix) bool { return m.Name == n })
		if i < 0 {
			return len(table)
		}
		return i
	}
	slices.SortStableFunc(out, func(a, b string) int { return pos(a) - pos(b) })
	return out
}

// Shape returns (in, out) of the matrix in a model of the given dimensions.
func (m Matrix) Shape(dModel, dFF, vocab int) (in, out int) {
	size := func(d Dim) int {
		switch d {
		case DFF:
			return dFF
		case Vocab:
			return vocab
		}
		return dModel
	}
	return size(m.In), size(m.Out)
}

// RoBERTaPath is the matrix's full module name in a Hugging Face RoBERTa model
// ("roberta.encoder.layer.3.attention.self.query", "roberta.embeddings.word_embeddings"), as
// PEFT writes it after base_model.model.
func (m Matrix) RoBERTaPath(layer int) string {
	if !m.PerLayer {
		return "roberta." + m.RoBERTa
	}
	return fmt.Sprintf("roberta.encoder.layer.%d.%s", layer, m.RoBERTa)
}

// GPT2Path is the matrix's full module name in a Hugging Face GPT-2 model
// ("transformer.h.3.attn.c_attn", "transformer.wte"); q, k and v share one (FusedInGPT2).
func (m Matrix) GPT2Path(layer int) string {
	if !m.PerLayer {
		return "transformer." + m.GPT2
	}
	return fmt.Sprintf("transformer.h.%d.%s", layer, m.GPT2)
}

// FusedInGPT2 says whether GPT-2 stores the matrix as a part of its fused attn.c_attn (q, k
// and v, at GPT2Part) rather than as a module of its own.
func (m Matrix) FusedInGPT2() bool { return m.GPT2 == "attn.c_attn" }

// Path is the matrix's loralab module name in block layer ("blocks.3.attn.q"), or its root
// module name when it is not per layer ("tok_emb", layer ignored).
func (m Matrix) Path(layer int) string {
	if !m.PerLayer {
		return m.Module
	}
	return fmt.Sprintf("blocks.%d.%s", layer, m.Module)
}

// ByModule returns the target whose loralab module path ends a module name: "blocks.3.attn.q",
// "attn.q", "tok_emb", or the last part of the path alone ("q", "fc1"), as PEFT's
// target_modules write it.
func ByModule(module string) (Matrix, bool) {
	for _, m := range table {
		if module == m.Module || module == m.Suffix() || hasSuffix(module, "."+m.Module) {
			return m, true
		}
	}
	return Matrix{}, false
}

// Suffix is the last part of the matrix's module path ("q", "fc1", "tok_emb"): how PEFT's
// target_modules name it.
func (m Matrix) Suffix() string { return m.Module[strings.LastIndexByte(m.Module, '.')+1:] }

func hasSuffix(s, suffix string) bool {
	return len(s) >= len(suffix) && s[len(s)-len(suffix):] == suffix
}
