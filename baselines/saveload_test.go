package baselines

import (
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"loralab/method"
	"loralab/model"
	"loralab/model/safetensors"
	"loralab/tuner"
)

// TestSaveLoadReproduces trains (randomises) each method's tensors and the head, saves
// them with tuner.Save, loads the file into the same method freshly applied with another
// seed to a fresh copy of the base model, and checks that the outputs agree bit for bit
// and that the file holds exactly the method's tensors and the head.
func TestSaveLoadReproduces(t *testing.T) {
	for _, s := range tinyShapes {
		for _, spec := range allSpecs(s.layers) {
			t.Run(s.String()+"/"+strings.ReplaceAll(spec.Label(), " ", "_"), func(t *testing.T) {
				base := newRandomModel(t, s, 3)
				m := base.Clone()
				meth := applied(t, spec, m, 5)
				head := tuner.HeadParams(m)
				randomize(append(meth.Trainable(), head...), 21)
				lp, li := meth.Slots()
				b := slotBatch(rand.New(rand.NewPCG(3, 3)), s.vocab, 2, 9, lp, li, 2)
				want := outputs(m, b)

				path := filepath.Join(t.TempDir(), "run.safetensors")
				if _, err := tuner.Save(path, meth, head); err != nil {
					t.Fatal(err)
				}
				checkFileHolds(t, path, append(names(meth.Trainable()), names(head)...))

				fresh := base.Clone()
				loaded := applied(t, spec, fresh, 99)
				if err := tuner.Load(path, loaded, tuner.HeadParams(fresh)); err != nil {
					t.Fatal(err)
				}
				if got := outputs(fresh, b); !slices.Equal(bits(got), bits(want)) {
					t.Errorf("outputs after load differ from those saved")
				}
			})
		}
	}
}

// checkFileHolds checks that the safetensors file at path holds exactly the named tensors.
func checkFileHolds(t *testing.T, path string, want []string) {
	t.Helper()
	f, err := safetensors.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(want)
	if got := f.Names(); !slices.Equal(got, want) {
		t.Errorf("file holds %v\nwant %v", got, want)
	}
}

// TestSaveFileSizes saves FT, BitFit and AdapterH (r=8) on the tiny decoder preset
// (vocabulary 4096) and checks that each file is its trainable tensors in float32 plus a
// header, logging the sizes (go test -v -run FileSizes).
func TestSaveFileSizes(t *testing.T) {
	cfg, err := model.Preset("tiny", model.Decoder, 4096)
	if err != nil {
		t.Fatal(err)
	}
	specs := []method.Spec{{Name: method.FT}, {Name: method.BitFit}, {Name: method.AdapterH, Size: 8}}
	for _, spec := range specs {
		m, err := model.NewModel(cfg, 1)
		if err != nil {
			t.Fatal(err)
		}
		meth := applied(t, spec, m, 1)
		c, err := tuner.Count(meth, m)
		if err != nil {
			t.Fatal(err)
		}
		size, err := tuner.Save(filepath.Join(t.TempDir(), "m.safetensors"), meth, nil)
		if err != nil {
			t.Fatal(err)
		}
		data := int64(4 * c.Trainable)
		if header := size - data; header < 8 || header > 100*int64(len(meth.Trainable()))+200 {
			t.Errorf("%s: file of %d bytes for %d float32 values: header of %d bytes", spec.Label(), size, c.Trainable, header)
		}
		t.Logf("%-14s %9d trainable  %10d bytes", spec.Label(), c.Trainable, size)
	}
}
