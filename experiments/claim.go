package experiments

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// claimFile marks a run folder as taken by one worker. Workers on many machines share one
// results folder; creating the claim with O_EXCL makes sure only one of them runs a given run.
const claimFile = ".claim"

// defaultStaleClaim is how long a claim may go without a heartbeat before another worker
// takes the run over (its worker is presumed dead).
const defaultStaleClaim = 2 * time.Minute

// claimInfo is the content of a claim file: who holds it.
type claimInfo struct {
	Host    string `json:"host"`
	PID     int    `json:"pid"`
	Started string `json:"started"`
}

func (c claimInfo) String() string {
	return fmt.Sprintf("%s pid %d since %s", c.Host, c.PID, c.Started)
}

// claim is a held claim; its heartbeat refreshes the file's modification time until release.
type claim struct {
	path string
	stop chan struct{}
	wg   sync.WaitGroup
}

// errClaimed says another live worker holds the run.
var errClaimed = errors.New("run claimed by another worker")

// claimRun takes the run folder dir for this process. It returns errClaimed (wrapped with the
// holder) when another worker holds a fresh claim; a claim older than stale, or one left by a
// dead process of this host, is taken over.
func claimRun(dir string, stale time.Duration, now time.Time) (*claim, error) {
	path := filepath.Join(dir, claimFile)
	host, _ := os.Hostname()
	info := claimInfo{Host: host, PID: os.Getpid(), Started: now.UTC().Format(time.RFC3339)}
	data, _ := json.Marshal(info)
	for attempt := 0; ; attempt++ {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			_, werr := f.Write(data)
			if cerr := f.Close(); werr == nil {
				werr = cerr
			}
			if werr != nil {
				os.Remove(path)
				return nil, fmt.Errorf("claim %s: %w", dir, werr)
			}
			c := &claim{path: path, stop: make(chan struct{})}
			c.heartbeat(stale / 4)
			return c, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("claim %s: %w", dir, err)
		}
		holder, live := claimHolder(path, stale)
		if live || attempt > 0 {
			return nil, fmt.Errorf("%w: %s", errClaimed, holder)
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("claim %s: remove stale claim: %w", dir, err)
		}
	}
}

// claimHolder reads a claim file and says whether its holder is presumed alive: its heartbeat
// is fresh, and, when it is a process of this host, that process exists.
func claimHolder(path string, stale time.Duration) (claimInfo, bool) {
	var info claimInfo
	st, err := os.Stat(path)
	if err != nil {
		return info, false
	}
	if data, err := os.ReadFile(path); err == nil {
		_ = json.Unmarshal(data, &info) // a claim being written reads as empty: still live
	}
	if time.Since(st.ModTime()) > stale {
		return info, false
	}
	host, _ := os.Hostname()
	if info.Host == host && info.PID != 0 && !processAlive(info.PID) {
		return info, false
	}
	return info, true
}

// heartbeat touches the claim file every interval so other workers see it is alive.
func (c *claim) heartbeat(interval time.Duration) {
	if interval <= 0 {
		interval = time.Second
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-c.stop:
				return
			case now := <-t.C:
				_ = os.Chtimes(c.path, now, now) // a missed beat only risks an early takeover
			}
		}
	}()
}

// release stops the heartbeat and removes the claim.
func (c *claim) release() error {
	close(c.stop)
	c.wg.Wait()
	if err := os.Remove(c.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("release claim: %w", err)
	}
	return nil
}
