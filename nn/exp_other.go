//go:build !amd64 || purego

package nn

// expSub sets dst[i] = exp(src[i] - shift) for every i < len(dst) and returns the sum of
// dst; src must be at least as long as dst and may be dst itself. This build has only the
// portable code.
func expSub(dst, src []float32, shift float32) float32 { return expSubGo(dst, src, shift) }

// softmaxVisible replaces the scores of one query row, up to its causal limit, by their
// softmax over the keys that padding (if not nil) does not hide (softmaxVisibleGo).
func softmaxVisible(row []float32, padding []bool) { softmaxVisibleGo(row, padding) }
