package gemm

import (
	"fmt"
	"testing"
)

// TestPlan checks that the chunks of a schedule tile C exactly once, start on the
// micro-tile grid, come slab by slab, respect the packing budget, and that small products
// are not split.
func TestPlan(t *testing.T) {
	tests := []struct {
		m, n, k, threads int
		wantWorkers      int
	}{
		{16, 768, 8, 2, 1}, // LoRA shape: below serialWork
		{1024, 768, 768, 2, 2},
		{1024, 768, 768, 1, 1},
		{1, 1000, 5000, 4, 4}, // one row of tiles: parallel over column slabs
		{1000, 3, 1000, 4, 4},
		{97, 203, 300, 3, 3},
		{97, 203, 300, 7, 7},
		{5, 5, 1 << 20, 8, 1}, // a single tile cannot be split
		{20, 300, 4000, 2, 2}, // B too big for one slab
		{0, 10, 10, 2, 1},
		{128, 128, 128, 2, 2},
		{144, 300, 700, 1, 1}, // one chunk: the shortcut
		{145, 300, 700, 1, 1},
		{24, 32, 24, 2, 1},
	}
	for _, item := range cross(cross([]int{6, 16}, []int{1, minChunkTiles}), tests) {
		mr, minTiles, tt := item.x.x, item.x.y, item.y
		t.Run(fmt.Sprintf("mr=%d/minTiles=%d/%dx%dx%d/threads=%d", mr, minTiles, tt.m, tt.n, tt.k, tt.threads), func(t *testing.T) {
			s := plan(tt.m, tt.n, tt.k, tt.threads, mr, minTiles)
			if s.workers != tt.wantWorkers {
				t.Errorf("%d workers, want %d (schedule %+v)", s.workers, tt.wantWorkers, s)
			}
			if s.chunkRows%mr != 0 || s.slabCols%nr != 0 || s.chunkRows > mc {
				t.Fatalf("chunks of %d rows x %d columns are off the %dx%d grid or taller than mc",
					s.chunkRows, s.slabCols, mr, nr)
			}
			if s.colSlabs > 1 && s.slabCols*tt.k > packedBBudget {
				t.Errorf("slab of %d x %d exceeds the packing budget", tt.k, s.slabCols)
			}
			owner := make([]int, tt.m*tt.n)
			lastSlab := 0
			for c := range s.chunks() {
				blk, slab := s.chunk(c)
				if slab < lastSlab {
					t.Fatalf("chunk %d goes back to slab %d after %d", c, slab, lastSlab)
				}
				lastSlab = slab
				if blk.i0 >= blk.i1 || blk.j0 >= blk.j1 || blk.i1 > tt.m || blk.j1 > tt.n {
					t.Fatalf("chunk %d = %+v is empty or outside %dx%d", c, blk, tt.m, tt.n)
				}
				for i := blk.i0; i < blk.i1; i++ {
					for j := blk.j0; j < blk.j1; j++ {
						if o := owner[i*tt.n+j]; o != 0 {
							t.Fatalf("C[%d][%d] in chunks %d and %d", i, j, o-1, c)
						}
						owner[i*tt.n+j] = c + 1
					}
				}
			}
			for i, o := range owner {
				if o == 0 {
					t.Fatalf("C[%d][%d] in no chunk", i/tt.n, i%tt.n)
				}
			}
		})
	}
}

// TestPlanShortcut checks that the shortcut for a product of one chunk gives the schedule
// the general steps give.
func TestPlanShortcut(t *testing.T) {
	for _, mr := range []int{6, 16} {
		for _, m := range []int{0, 1, 5, 16, 17, 143, 144} {
			for _, n := range []int{0, 1, 15, 16, 17, 300, 1365, 1366, 4000} {
				for _, k := range []int{1, 8, 768, 5000} {
					got := plan(m, n, k, 1, mr, minChunkTiles)
					s := schedule{m: m, n: n}
					s.setSlabs(ceilDiv(n, max(nr, packedBBudget/max(k, 1)/nr*nr)))
					s.chunkRows = mc / mr * mr
					s.rowChunks = ceilDiv(m, s.chunkRows)
					s.workers = 1
					if got != s {
						t.Fatalf("mr=%d %dx%dx%d: plan gives %+v, the general steps %+v", mr, m, n, k, got, s)
					}
				}
			}
		}
	}
}
