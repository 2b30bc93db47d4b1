package model

import (
	"loralab/model/arch"
	"os"
	"path/filepath"
	"testing"
)

// TestFolderDigest: the digest follows the model files' contents, not the folder's path or
// the notes beside the model.
func TestFolderDigest(t *testing.T) {
	m := newTestModel(t, testConfig(Encoder), 1)
	a := filepath.Join(t.TempDir(), "a")
	if err := Save(a, m, nil, nil); err != nil {
		t.Fatal(err)
	}
	digest := func(dir string) string {
		t.Helper()
		d, err := arch.FolderDigest(dir)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	da := digest(a)
	b := filepath.Join(t.TempDir(), "elsewhere", "b")
	if err := Save(b, m, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b, "PROVENANCE.md"), []byte("notes"), 0o644); err != nil {
		t.Fatal(err)
	}
	if db := digest(b); db != da {
		t.Errorf("same model in another folder, with notes: digest %s, want %s", db, da)
	}
	m.TokEmb.Data[0] += 1
	if err := Save(b, m, nil, nil); err != nil {
		t.Fatal(err)
	}
	if db := digest(b); db == da {
		t.Error("changed weights kept the digest")
	}
	if _, err := arch.FolderDigest(t.TempDir()); err == nil {
		t.Error("an empty folder has a digest")
	}
}
