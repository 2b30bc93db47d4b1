package gemm

// serialWork is the size m*n*k below which a product runs on the calling goroutine alone:
// waking a worker costs a few microseconds, which is the time of the whole product there.
// LoRA's low-rank products (e.g. 16 x 768 x 8) fall below it.
const serialWork = 1 << 18

// packingWeight is the cost, relative to one micro-tile of multiply-adds, that the
// partition heuristic charges for packing one mr-row panel of A or one nr-column panel of B.
// Each worker packs the whole depth of the A rows and B columns its block touches, so
// splitting a dimension in more pieces duplicates the packing of the other operand.
const packingWeight = 2

// partition splits the m x n output into at most threads disjoint blocks along the global
// grid of mr x nr micro-tiles, as a rows x cols grid of blocks chosen to minimise the
// estimated time of the slowest block. The split affects only which goroutine computes a
// tile, never the arithmetic of the tile, so results do not depend on it. The blocks are
// appended to dst[:0], so a caller that keeps dst allocates nothing.
func partition(dst []block, m, n, k, threads int) []block {
	if threads < 1 || m*n*k < serialWork {
		threads = 1
	}
	tilesM := (m + mr - 1) / mr
	tilesN := (n + nr - 1) / nr
	bestRows, bestCols, bestCost := 1, 1, -1
	for rows := 1; rows <= threads; rows++ {
		cols := threads / rows
		if rows > tilesM || cols > tilesN {
			continue
		}
		perM := (tilesM + rows - 1) / rows
		perN := (tilesN + cols - 1) / cols
		cost := perM*perN + packingWeight*(perM+perN)
		if bestCost < 0 || cost < bestCost || cost == bestCost && rows*cols > bestRows*bestCols {
			bestRows, bestCols, bestCost = rows, cols, cost
		}
	}
	return grid(dst[:0], m, n, tilesM, tilesN, bestRows, bestCols)
}

// grid cuts the tile grid into rows x cols blocks of near-equal numbers of tiles.
func grid(blocks []block, m, n, tilesM, tilesN, rows, cols int) []block {
	for r := range rows {
		i0 := min(m, tilesM*r/rows*mr)
		i1 := min(m, tilesM*(r+1)/rows*mr)
		for c := range cols {
			j0 := min(n, tilesN*c/cols*nr)
			j1 := min(n, tilesN*(c+1)/cols*nr)
			if i0 < i1 && j0 < j1 {
				blocks = append(blocks, block{i0: i0, i1: i1, j0: j0, j1: j1})
			}
		}
	}
	return blocks
}
