//go:build !amd64 || purego

package nn

// expImplementations lists the implementations this build has: the portable code.
func expImplementations() []expImpl { return []expImpl{{"portable", expSubGo}} }

// geluImplementations lists the GELU kernels this build has: the portable ones.
func geluImplementations() []geluImpl {
	return []geluImpl{{"portable", geluForwardGo, geluBackwardGo}}
}
