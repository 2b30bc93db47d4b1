package datasets

import (
	"os"
	"path/filepath"
)

// EnvDataDir is the environment variable that overrides the default cache folder.
const EnvDataDir = "LORALAB_DATA"

// DefaultCacheDir is where fetched data lives unless Options.CacheDir says otherwise:
// $LORALAB_DATA if set, else $XDG_CACHE_HOME/loralab, else ~/.cache/loralab (falling back
// to the system temporary folder when there is no home).
func DefaultCacheDir() string {
	if d := os.Getenv(EnvDataDir); d != "" {
		return d
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "loralab")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".cache", "loralab")
	}
	return filepath.Join(os.TempDir(), "loralab")
}
