package gemm

import (
	"fmt"
	"testing"
)

// TestPartition checks that the blocks tile C exactly once, start on the micro-tile grid,
// number at most threads, and that small products are not split.
func TestPartition(t *testing.T) {
	tests := []struct {
		m, n, k, threads int
		wantBlocks       int // 0: only check the invariants
	}{
		{16, 768, 8, 2, 1},     // LoRA shape: below serialWork
		{1024, 768, 768, 2, 2}, // large: split
		{1024, 768, 768, 1, 1},
		{1, 1000, 1000, 4, 0}, // one row of tiles: split by columns only
		{1000, 3, 1000, 4, 0}, // one column of tiles: split by rows only
		{97, 203, 300, 3, 3},
		{97, 203, 300, 7, 0},
		{5, 5, 1 << 20, 8, 1}, // a single tile cannot be split
		{0, 10, 10, 2, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%dx%dx%d/threads=%d", tt.m, tt.n, tt.k, tt.threads), func(t *testing.T) {
			blocks := partition(nil, tt.m, tt.n, tt.k, tt.threads)
			if len(blocks) > max(tt.threads, 1) {
				t.Fatalf("%d blocks for %d threads", len(blocks), tt.threads)
			}
			if tt.wantBlocks > 0 && len(blocks) != tt.wantBlocks {
				t.Fatalf("%d blocks, want %d: %v", len(blocks), tt.wantBlocks, blocks)
			}
			owner := make([]int, tt.m*tt.n)
			for bi, blk := range blocks {
				if blk.i0%mr != 0 || blk.j0%nr != 0 {
					t.Fatalf("block %v is off the %dx%d tile grid", blk, mr, nr)
				}
				if blk.i1 > tt.m || blk.j1 > tt.n || blk.i0 >= blk.i1 || blk.j0 >= blk.j1 {
					t.Fatalf("block %v is empty or outside %dx%d", blk, tt.m, tt.n)
				}
				for i := blk.i0; i < blk.i1; i++ {
					for j := blk.j0; j < blk.j1; j++ {
						if owner[i*tt.n+j] != 0 {
							t.Fatalf("C[%d][%d] in blocks %d and %d", i, j, owner[i*tt.n+j]-1, bi)
						}
						owner[i*tt.n+j] = bi + 1
					}
				}
			}
			for i, o := range owner {
				if o == 0 {
					t.Fatalf("C[%d][%d] in no block", i/tt.n, i%tt.n)
				}
			}
		})
	}
}
