// Package spectral holds the formulas the update analyses apply to a weight matrix W and its
// fine-tuning update ΔW, each on the singular value decomposition (gonum's SVD):
//
//   - EnergyRank and EntropyRank: how many directions ΔW uses (the count of singular values
//     that hold a fraction of ||ΔW||_F^2, and Roy and Vetterli's entropy-based effective rank);
//   - MaxCosines and CountBelow: the intruder dimensions of Shuttleworth et al. (2024), the
//     top singular vectors of W + ΔW that are nearly orthogonal to every top singular vector
//     of W.
//
// The functions take gonum matrices and return plain numbers; reading checkpoints and
// choosing which matrices to measure is package analysis's job.
package spectral
