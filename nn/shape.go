package nn

import (
	"fmt"
	"slices"
)

// minWork is the number of float operations below which handing a range to another
// goroutine costs more than it saves.
const minWork = 1 << 14

// rowGrain is the minimum number of rows per goroutine for a kernel that does about cols
// operations per row.
func rowGrain(cols int) int { return max(1, minWork/max(cols, 1)) }

// needTensor panics if x is nil, naming the op and the argument.
func needTensor(op, arg string, x *Tensor) {
	if x == nil {
		panic(fmt.Sprintf("%s: %s is nil", op, arg))
	}
}

// need2D panics unless x is 2-D, naming the op and the argument.
func need2D(op, arg string, x *Tensor) {
	needTensor(op, arg, x)
	if len(x.Shape) != 2 {
		panic(fmt.Sprintf("%s: %s has shape %v, want 2-D", op, arg, x.Shape))
	}
}

// needVector panics unless x has shape [n], naming the op, both shapes and the argument
// x must agree with.
func needVector(op, arg string, x *Tensor, n int, other string, otherShape []int) {
	needTensor(op, arg, x)
	if len(x.Shape) != 1 || x.Shape[0] != n {
		panic(fmt.Sprintf("%s: %s has shape %v but %s has shape %v; want %s [%d]", op, arg, x.Shape, other, otherShape, arg, n))
	}
}

// needSameShape panics unless a and b have the same shape.
func needSameShape(op string, a, b *Tensor) {
	needTensor(op, "a", a)
	needTensor(op, "b", b)
	if !slices.Equal(a.Shape, b.Shape) {
		panic(fmt.Sprintf("%s: a has shape %v but b has shape %v; want equal shapes", op, a.Shape, b.Shape))
	}
}

// needRowIndex panics unless 0 <= id < n, naming the op, the position of id and the shape
// of the tensor it indexes.
func needRowIndex(op, what string, id int32, pos, n int, shape []int) {
	if id < 0 || int(id) >= n {
		panic(fmt.Sprintf("%s: %s %d at position %d is outside [0,%d) for shape %v", op, what, id, pos, n, shape))
	}
}
