package analysis

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"loralab/experiments/record"
	"loralab/model/arch"
	"loralab/model/safetensors"
	"loralab/model/target"
)

// PEFT key layout of a LoRA adapter file.
const (
	peftPrefix = "base_model.model."
	peftA      = ".lora_A.weight"
	peftB      = ".lora_B.weight"
)

// LoRAPair is the trained factors of one adapted matrix: ΔW = s·B·A.
type LoRAPair struct {
	Module string     // e.g. "blocks.3.attn.q"
	Layer  int        // block index parsed from Module, -1 if it names none
	Matrix string     // the last part of Module, e.g. "q"
	A      *mat.Dense // r x in
	B      *mat.Dense // out x r
}

// Rank is r, the number of rows of A.
func (p LoRAPair) Rank() int { r, _ := p.A.Dims(); return r }

// Adapter is the LoRA factors of one run, by module name.
type Adapter map[string]LoRAPair

// Find returns the factors of a matrix ("q") in a block, and whether the adapter has them.
func (a Adapter) Find(layer int, matrix string) (LoRAPair, bool) {
	for _, p := range a {
		if p.Layer == layer && p.Matrix == matrix {
			return p, true
		}
	}
	return LoRAPair{}, false
}

// Layers lists the blocks in which the adapter adapted matrix, ascending.
func (a Adapter) Layers(matrix string) []int {
	var out []int
	for _, p := range a {
		if p.Matrix == matrix && p.Layer >= 0 {
			out = append(out, p.Layer)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// LoadRunAdapter reads the LoRA factors of the run folder dir (record.AdapterFile).
func LoadRunAdapter(dir string) (Adapter, error) {
	return LoadAdapter(filepath.Join(dir, record.AdapterFile))
}

// LoadAdapter reads a PEFT-layout LoRA file: for each adapted module,
// base_model.model.<module>.lora_A.weight [r, in] and ...lora_B.weight [out, r]. Every A
// needs its B with the same r; other tensors are ignored.
func LoadAdapter(path string) (Adapter, error) {
	f, err := safetensors.Read(path)
	if err != nil {
		return nil, fmt.Errorf("analysis: adapter: %w", err)
	}
	out := Adapter{}
	for _, name := range f.Names() {
		module, ok := strings.CutSuffix(name, peftA)
		if !ok {
			continue
		}
		module = strings.TrimPrefix(module, peftPrefix)
		p, err := readPair(f, path, name, strings.TrimSuffix(name, peftA)+peftB)
		if err != nil {
			return nil, err
		}
		p.Module = module
		p.Layer, p.Matrix = parseModule(module)
		out[module] = p
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("analysis: adapter %s: no %s<module>%s tensor, want a PEFT LoRA file", path, peftPrefix, peftA)
	}
	return out, nil
}

// readPair reads the A and B tensors of one module and checks that their shapes fit.
func readPair(f *safetensors.File, path, aName, bName string) (LoRAPair, error) {
	aInfo, _ := f.Info(aName)
	bInfo, ok := f.Info(bName)
	if !ok {
		return LoRAPair{}, fmt.Errorf("analysis: adapter %s: %s has no matching %s", path, aName, bName)
	}
	if len(aInfo.Shape) != 2 || len(bInfo.Shape) != 2 {
		return LoRAPair{}, fmt.Errorf("analysis: adapter %s: %s is %v and %s is %v, want 2-D [r, in] and [out, r]",
			path, aName, aInfo.Shape, bName, bInfo.Shape)
	}
	r, in, outDim := aInfo.Shape[0], aInfo.Shape[1], bInfo.Shape[0]
	if bInfo.Shape[1] != r {
		return LoRAPair{}, fmt.Errorf("analysis: adapter %s: %s is [%d, %d] (r=%d) but %s is %v, want [out, %d]",
			path, aName, r, in, r, bName, bInfo.Shape, r)
	}
	a, err := f.Float32(aName, aInfo.Shape)
	if err != nil {
		return LoRAPair{}, fmt.Errorf("analysis: %w", err)
	}
	b, err := f.Float32(bName, bInfo.Shape)
	if err != nil {
		return LoRAPair{}, fmt.Errorf("analysis: %w", err)
	}
	return LoRAPair{A: denseFromFloat32(r, in, a), B: denseFromFloat32(outDim, r, b)}, nil
}

// parseModule reads the block index and matrix name from a module name such as
// "blocks.3.attn.q" or a Hugging Face RoBERTa "encoder.layer.3.attention.self.query" (the
// names of package target's table); the layer is -1 when no "blocks.<n>" part is present,
// and a module the table does not know is named by its last part.
func parseModule(module string) (layer int, matrix string) {
	parts := strings.Split(module, ".")
	layer = -1
	for i := 0; i+1 < len(parts); i++ {
		if parts[i] == "blocks" || parts[i] == "h" || parts[i] == "layer" {
			if n, err := strconv.Atoi(parts[i+1]); err == nil {
				layer = n
				break
			}
		}
	}
	for _, t := range target.All() {
		if m, ok := target.ByModule(module); ok && m.Name == t.Name || t.PerLayer && strings.HasSuffix(module, "."+t.RoBERTa) {
			return layer, t.Name
		}
	}
	return layer, parts[len(parts)-1]
}

// LoadBaseWeight reads the pretrained weight of a module (tensor <module>.weight, [out, in])
// from a checkpoint: a model.safetensors file or the folder holding one.
func LoadBaseWeight(path, module string) (*mat.Dense, error) {
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		path = filepath.Join(path, arch.WeightsFile)
	}
	f, err := safetensors.Read(path)
	if err != nil {
		return nil, fmt.Errorf("analysis: base weights: %w", err)
	}
	name := module + ".weight"
	info, ok := f.Info(name)
	if !ok {
		return nil, fmt.Errorf("analysis: base weights %s: no tensor %q", path, name)
	}
	if len(info.Shape) != 2 {
		return nil, fmt.Errorf("analysis: base weights %s: %s is %v, want 2-D [out, in]", path, name, info.Shape)
	}
	data, err := f.Float32(name, info.Shape)
	if err != nil {
		return nil, fmt.Errorf("analysis: %w", err)
	}
	return denseFromFloat32(info.Shape[0], info.Shape[1], data), nil
}
