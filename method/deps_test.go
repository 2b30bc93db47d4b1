package method

import (
	"os/exec"
	"strings"
	"testing"
)

// TestSpecSideLinksNoEngine checks that the packages that parse, count and report settings do
// not link the training engine (nn, model, the methods): they read kinds from this registry,
// configurations from model/arch and targets from model/target.
func TestSpecSideLinksNoEngine(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "loralab/method", "loralab/experiments", "loralab/analysis").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		switch dep {
		case "loralab/nn", "loralab/model", "loralab/tuner", "loralab/lora", "loralab/baselines", "loralab/train":
			t.Errorf("the spec side links %s", dep)
		}
	}
}
