package experiments

import (
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"

	"loralab/experiments/record"
)

// provenance says which code and machine produce a sweep's results: the VCS stamp of the
// binary when it has one, else what git says about the working tree.
func provenance() record.Provenance {
	p := record.Provenance{GoVersion: runtime.Version()}
	p.Host, _ = os.Hostname()
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				p.GitCommit = s.Value
			case "vcs.modified":
				p.GitDirty = s.Value == "true"
			}
		}
	}
	if p.GitCommit == "" {
		if out, err := exec.Command("git", "rev-parse", "HEAD").Output(); err == nil {
			p.GitCommit = strings.TrimSpace(string(out))
			if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil {
				p.GitDirty = len(strings.TrimSpace(string(st))) > 0
			}
		}
	}
	return p
}
