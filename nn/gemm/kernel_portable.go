package gemm

// kernelPortable is the micro-kernel in plain Go, used when the CPU lacks AVX2/FMA or under
// the purego build tag. It reads the same panels as the assembly kernel but walks
// the mr x nr tile in 2 x 4 sub-tiles: eight accumulators, two values of A and four of B
// fit the 16 floating-point registers of amd64 and arm64, so the inner loop never spills.
func kernelPortable(kc int, a []float32, aRow, aStep int, b []float32, bStep int,
	c []float32, ldc, rows int, alpha, beta float32) {
	for i := 0; i < rows; i += 2 {
		row0 := c[i*ldc : i*ldc+nr]
		for j := 0; j < nr; j += 4 {
			s := dot2x4(kc, a[i*aRow:], aRow, aStep, b[j:], bStep)
			update4(row0[j:j+4], s[0:4], alpha, beta)
			if i+1 < rows {
				update4(c[(i+1)*ldc+j:(i+1)*ldc+j+4], s[4:8], alpha, beta)
			}
		}
	}
}

// dot2x4 returns the 2 x 4 block sum_p A[r][p] * B[p][c] for r < 2, c < 4, row by row,
// with A[r][p] = a[r*aRow+p*aStep] and B[p][c] = b[p*bStep+c]. a and b start at the
// block's first row and column.
func dot2x4(kc int, a []float32, aRow, aStep int, b []float32, bStep int) [8]float32 {
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	for p := range kc {
		a0, a1 := a[p*aStep], a[p*aStep+aRow]
		bp := (*[4]float32)(b[p*bStep:])
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
	}
	return [8]float32{c00, c01, c02, c03, c10, c11, c12, c13}
}

// update4 stores alpha*s + beta*c into four elements of C, without reading C when beta is 0.
func update4(c, s []float32, alpha, beta float32) {
	c = c[:4]
	s = s[:4]
	if beta == 0 {
		for j := range c {
			c[j] = alpha * s[j]
		}
		return
	}
	for j := range c {
		c[j] = alpha*s[j] + beta*c[j]
	}
}
