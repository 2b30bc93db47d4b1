package metrics

import (
	"fmt"
	"math"
	"slices"
)

// confusion is a confusion matrix over the classes seen in a pair of label slices.
// counts[g][p] is the number of examples of gold class classes[g] predicted as classes[p].
type confusion struct {
	classes []int
	counts  [][]float64
	total   float64
}

// newConfusion validates pred and gold (same non-zero length, no negative label) and counts
// them into a confusion matrix over the union of their classes, in increasing order.
func newConfusion(metric string, pred, gold []int) (*confusion, error) {
	if err := checkPaired(metric, "predictions", len(pred), "gold labels", len(gold)); err != nil {
		return nil, err
	}
	if err := checkLabels(metric, "prediction", pred); err != nil {
		return nil, err
	}
	if err := checkLabels(metric, "gold label", gold); err != nil {
		return nil, err
	}
	classes := slices.Concat(pred, gold)
	slices.Sort(classes)
	classes = slices.Compact(classes)
	index := make(map[int]int, len(classes))
	for i, c := range classes {
		index[c] = i
	}
	counts := make([][]float64, len(classes))
	for i := range counts {
		counts[i] = make([]float64, len(classes))
	}
	for i := range pred {
		counts[index[gold[i]]][index[pred[i]]]++
	}
	return &confusion{classes: classes, counts: counts, total: float64(len(pred))}, nil
}

// checkLabels rejects negative labels: they mark unlabelled examples (datasets.NoLabel) and
// scoring them would be a bug in the caller.
func checkLabels(metric, what string, labels []int) error {
	for i, l := range labels {
		if l < 0 {
			return fmt.Errorf("%s: %s %d is %d, want a class index >= 0 (unlabelled example?): %w",
				metric, what, i, l, ErrInvalid)
		}
	}
	return nil
}

// classF1 is the F1 score of class k treated as the positive class:
// 2TP / (2TP + FP + FN), defined as 0 when the class is neither predicted nor present.
func (c *confusion) classF1(k int) float64 {
	tp := c.counts[k][k]
	var fp, fn float64
	for j := range c.classes {
		if j != k {
			fp += c.counts[j][k]
			fn += c.counts[k][j]
		}
	}
	if tp == 0 {
		return 0
	}
	return 2 * tp / (2*tp + fp + fn)
}

// Accuracy is the fraction of examples whose predicted class equals the gold class:
// (1/N) sum_i [pred_i = gold_i]. GLUE reports it for SST-2, MNLI, QNLI, RTE (LoRA Table 2).
func Accuracy(pred, gold []int) (float64, error) {
	c, err := newConfusion("accuracy", pred, gold)
	if err != nil {
		return 0, err
	}
	var correct float64
	for k := range c.classes {
		correct += c.counts[k][k]
	}
	return correct / c.total, nil
}

// F1 is the binary F1 score with positive the positive class: the harmonic mean of
// precision TP/(TP+FP) and recall TP/(TP+FN), computed as 2TP / (2TP + FP + FN).
// It is 0 when there is no true positive, including when the positive class is neither
// predicted nor present (where precision and recall are 0/0). GLUE reports it for MRPC and QQP.
func F1(pred, gold []int, positive int) (float64, error) {
	c, err := newConfusion("f1", pred, gold)
	if err != nil {
		return 0, err
	}
	k, found := slices.BinarySearch(c.classes, positive)
	if !found {
		return 0, nil
	}
	return c.classF1(k), nil
}

// MacroF1 is the unweighted mean, over every class that occurs in pred or gold, of the F1
// score of that class against all others. Unlike accuracy it gives a rare class as much
// weight as a frequent one.
func MacroF1(pred, gold []int) (float64, error) {
	c, err := newConfusion("macro f1", pred, gold)
	if err != nil {
		return 0, err
	}
	var sum float64
	for k := range c.classes {
		sum += c.classF1(k)
	}
	return sum / float64(len(c.classes)), nil
}

// MatthewsCorr is the Matthews correlation coefficient, which GLUE reports for CoLA
// (LoRA Table 2). For two classes it is
//
//	MCC = (TP*TN - FP*FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN)),
//
// and for K classes it is Gorodkin's generalisation over the confusion matrix C, with
// c = sum_k C_kk correct predictions, s examples, p_k predictions of class k and t_k gold
// examples of class k:
//
//	MCC = (c*s - sum_k p_k t_k) / sqrt((s^2 - sum_k p_k^2) (s^2 - sum_k t_k^2)),
//
// which equals the binary formula when K = 2. MCC lies in [-1, 1]; it is defined here as 0
// when the denominator is 0, that is when only one class is predicted or only one class is
// present, since such a classifier carries no information about the labels.
func MatthewsCorr(pred, gold []int) (float64, error) {
	c, err := newConfusion("mcc", pred, gold)
	if err != nil {
		return 0, err
	}
	s := c.total
	var correct, predSq, goldSq, crossed float64
	for k := range c.classes {
		var predicted, present float64
		for j := range c.classes {
			predicted += c.counts[j][k]
			present += c.counts[k][j]
		}
		correct += c.counts[k][k]
		crossed += predicted * present
		predSq += predicted * predicted
		goldSq += present * present
	}
	denominator := math.Sqrt((s*s - predSq) * (s*s - goldSq))
	if denominator == 0 {
		return 0, nil
	}
	return (correct*s - crossed) / denominator, nil
}
