package experiments_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"loralab/experiments"
	"loralab/pretrain"
)

// TestBaseTokens reads the pretraining tokens from the stats.json package pretrain writes:
// Kept in a kept checkpoint, Stats (tokens_seen, with its kept checkpoints listed) in a
// finished run's folder. A folder without one, or whose stats.json gives neither count (a
// sweep's cached base, say), is found = false; a file that is no JSON is an error.
func TestBaseTokens(t *testing.T) {
	write := func(v any) string {
		dir := t.TempDir()
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, pretrain.StatsFile), data, 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	tests := []struct {
		name   string
		dir    string
		tokens int64
		found  bool
		err    bool
	}{
		{"kept at the start", write(pretrain.Kept{Fraction: 0, Step: 0, Tokens: 0, Dir: "checkpoints/step-000000"}), 0, true, false},
		{"kept", write(pretrain.Kept{Fraction: 0.125, Step: 916, Tokens: 3751936}), 3751936, true, false},
		{"finished", write(pretrain.Stats{Steps: 7325, TokensSeen: 30003200, Kept: []pretrain.Kept{{Tokens: 5}}}), 30003200, true, false},
		{"no stats.json", t.TempDir(), 0, false, false},
		{"neither count", write(map[string]int{"steps": 3}), 0, false, false},
		{"not JSON", writeRaw(t, "{tokens"), 0, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tokens, found, err := experiments.BaseTokens(tt.dir)
			if (err != nil) != tt.err || tokens != tt.tokens || found != tt.found {
				t.Errorf("BaseTokens = %d, %v, %v; want %d, %v, error %v", tokens, found, err, tt.tokens, tt.found, tt.err)
			}
		})
	}
	if experiments.StatsFile != pretrain.StatsFile {
		t.Errorf("experiments reads %s, pretrain writes %s", experiments.StatsFile, pretrain.StatsFile)
	}
}

// writeRaw writes data as the stats.json of a new folder.
func writeRaw(t *testing.T, data string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, pretrain.StatsFile), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}
