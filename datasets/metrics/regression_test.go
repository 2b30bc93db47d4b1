package metrics

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestCorrelations(t *testing.T) {
	tests := []struct {
		name              string
		x, y              []float64
		pearson, spearman float64
	}{
		{
			// Pearson: means 3 and 4; deviations x (-2,-1,0,1,2), y (-2,0,1,0,1);
			// sum dx*dy = 4+0+0+0+2 = 6, sum dx^2 = 10, sum dy^2 = 6: r = 6/sqrt(60).
			// Spearman with ties: y = 2,4,5,4,5 ranks 1, 2.5, 4.5, 2.5, 4.5 (the two 4s share
			// ranks 2 and 3, the two 5s ranks 4 and 5); rank deviations (-2,-0.5,1.5,-0.5,1.5);
			// sum dx*dy = 4+0.5+0-0.5+3 = 7, sum dy^2 = 4+0.25+2.25+0.25+2.25 = 9: rho = 7/sqrt(90).
			name: "ties", x: []float64{1, 2, 3, 4, 5}, y: []float64{2, 4, 5, 4, 5},
			pearson: 6 / math.Sqrt(60), spearman: 7 / math.Sqrt(90),
		},
		{
			// Monotone but not linear: ranks agree exactly. Pearson: dy = (-11/3, -2/3, 13/3),
			// sum dx*dy = 11/3 + 13/3 = 8, sum dy^2 = 294/9: r = 8/sqrt(2*294/9) = 24/sqrt(588).
			name: "monotone", x: []float64{1, 2, 3}, y: []float64{1, 4, 9},
			pearson: 24 / math.Sqrt(588), spearman: 1,
		},
		{
			name: "reversed", x: []float64{0.5, 1.5, 2.5, 10}, y: []float64{3, 2, 1, -7},
			// Pearson: dx = (-3.125,-2.125,-1.125,6.375), dy = (3.25,2.25,1.25,-6.75);
			// sum dx*dy = -10.15625-4.78125-1.40625-43.03125 = -59.375,
			// sum dx^2 = 9.765625+4.515625+1.265625+40.640625 = 56.1875,
			// sum dy^2 = 10.5625+5.0625+1.5625+45.5625 = 62.75.
			pearson: -59.375 / math.Sqrt(56.1875*62.75), spearman: -1,
		},
		{
			// A constant prediction has no variance: both correlations are defined as 0.
			name: "constant prediction", x: []float64{2, 2, 2}, y: []float64{1, 2, 3},
			pearson: 0, spearman: 0,
		},
		{
			name: "constant gold", x: []float64{1, 2, 3}, y: []float64{5, 5, 5},
			pearson: 0, spearman: 0,
		},
		{
			name: "single example", x: []float64{1}, y: []float64{2},
			pearson: 0, spearman: 0,
		},
		{
			name: "perfect", x: []float64{-1, 0.25, 7}, y: []float64{-1, 0.25, 7},
			pearson: 1, spearman: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Pearson(tt.x, tt.y)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "Pearson", p, tt.pearson)
			s, err := Spearman(tt.x, tt.y)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "Spearman", s, tt.spearman)
		})
	}
}

func TestAverageRanks(t *testing.T) {
	tests := []struct {
		x, want []float64
	}{
		{[]float64{5, 7, 7, 9}, []float64{1, 2.5, 2.5, 4}},
		{[]float64{3, 1, 2}, []float64{3, 1, 2}},
		{[]float64{4, 4, 4}, []float64{2, 2, 2}},
		{[]float64{0, -1, 0, -1, 8}, []float64{3.5, 1.5, 3.5, 1.5, 5}},
	}
	for _, tt := range tests {
		got := averageRanks(tt.x)
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("averageRanks(%v) = %v, want %v", tt.x, got, tt.want)
				break
			}
		}
	}
}

func TestCorrelationBadInput(t *testing.T) {
	tests := []struct {
		name    string
		x, y    []float64
		want    error
		message string
	}{
		{"lengths differ", []float64{1, 2}, []float64{1, 2, 3}, ErrLengthMismatch, "2 predictions but 3 gold values"},
		{"empty", nil, []float64{}, ErrEmpty, ""},
		{"NaN prediction", []float64{1, math.NaN()}, []float64{1, 2}, ErrInvalid, "prediction 1 is NaN"},
		{"infinite gold", []float64{1, 2}, []float64{math.Inf(-1), 2}, ErrInvalid, "gold value 0 is -Inf"},
	}
	for _, tt := range tests {
		for name, metric := range map[string]func(x, y []float64) (float64, error){"Pearson": Pearson, "Spearman": Spearman} {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				_, err := metric(tt.x, tt.y)
				if !errors.Is(err, tt.want) {
					t.Fatalf("error %v, want %v", err, tt.want)
				}
				if !strings.Contains(err.Error(), tt.message) {
					t.Errorf("error %q does not say %q", err, tt.message)
				}
			})
		}
	}
}
