package analysis

import "strings"

// lowerIsBetterMetrics are the metrics where a smaller value is better. Every other metric
// (accuracy, F1, Matthews correlation, BLEU, ...) is taken as higher-is-better.
var lowerIsBetterMetrics = map[string]bool{
	"error_rate": true, "error": true, "loss": true, "nll": true, "perplexity": true,
	"ppl": true, "mse": true, "rmse": true, "mae": true, "ter": true, "wer": true, "cer": true,
}

// LowerIsBetter says whether a smaller value of the named metric is better: the error rate,
// losses, perplexity and regression errors. Names ending in "_loss" or "_error" count too.
func LowerIsBetter(metric string) bool {
	m := strings.ToLower(metric)
	return lowerIsBetterMetrics[m] || strings.HasSuffix(m, "_loss") || strings.HasSuffix(m, "_error")
}

// better says whether a beats b for the metric.
func better(metric string, a, b float64) bool {
	if LowerIsBetter(metric) {
		return a < b
	}
	return a > b
}
