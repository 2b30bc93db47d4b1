package experiments

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"loralab/experiments/record"
)

// Sweeps under one results root share runs: a run id hashes the run's whole resolved config
// (base, data, training, method, seed), so a run that another sweep of the root has finished
// (Table 6's LoRA r=8 on Wq, Wv is one of Table 2's and Figure 2's runs) gives exactly the
// result this sweep would compute. Such a run is adopted instead of trained again: its files
// are linked (or copied) into this sweep's run folder, config.json is this sweep's, and
// result.json keeps the measurements and provenance of the run that trained it, with this
// sweep's labels and the folder it came from (ReusedFrom).

// finishedElsewhere returns the folder of a done run with id under another sweep folder of
// root than own, or "" when there is none. Of several, the first in name order is taken.
func finishedElsewhere(root, own, id string) string {
	matches, _ := filepath.Glob(filepath.Join(root, "*", RunsDir, id))
	sort.Strings(matches)
	for _, dir := range matches {
		if filepath.Clean(filepath.Dir(filepath.Dir(dir))) == filepath.Clean(own) {
			continue
		}
		if res, err := record.ReadResult(dir); err == nil && res.Status == record.StatusDone {
			return dir
		}
	}
	return ""
}

// adopt fills the claimed, empty run folder dir from the done run folder src and returns
// the result it wrote.
func (r *runner) adopt(run RunSpec, dir, src string) (record.Result, error) {
	res, err := record.ReadResult(src)
	if err != nil {
		return record.Result{}, err
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return record.Result{}, fmt.Errorf("reuse %s: %w", src, err)
	}
	for _, e := range entries {
		switch name := e.Name(); {
		case name == claimFile || name == record.ConfigFile || name == record.ResultFile:
		case !e.Type().IsRegular():
			return record.Result{}, fmt.Errorf("reuse %s: %s is not a regular file", src, name)
		default:
			if err := linkOrCopy(filepath.Join(src, name), filepath.Join(dir, name)); err != nil {
				return record.Result{}, fmt.Errorf("reuse %s: %w", src, err)
			}
		}
	}
	if err := record.WriteJSON(filepath.Join(dir, record.ConfigFile), run); err != nil {
		return record.Result{}, err
	}
	r.label(&res, run)
	if res.ReusedFrom == "" { // src trained it (else keep the folder that did)
		res.ReusedFrom = src
	}
	if err := record.WriteJSON(filepath.Join(dir, record.ResultFile), res); err != nil {
		return record.Result{}, err
	}
	return res, nil
}

// linkOrCopy makes dst a hard link to src, or a copy of it where links are not possible
// (another file system). Run files are never written in place once a run is done (results
// are replaced by rename), so the two folders cannot change each other's files.
func linkOrCopy(src, dst string) error {
	if err := os.Remove(dst); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if os.Link(src, dst) == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
