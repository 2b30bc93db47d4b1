package datasets

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"os"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the compiled-in sotu-era-small file from the prepared data")

// TestSotuEraSmallMatchesSource: the compiled-in file is exactly sotu-era of data seed 0 with
// the small caps (skipped where the real data is not prepared); -update rewrites it.
func TestSotuEraSmallMatchesSource(t *testing.T) {
	reg := NewRegistry(Options{MaxTrain: sotuEraSmallSizes[0], MaxValidation: sotuEraSmallSizes[1], MaxTest: sotuEraSmallSizes[2]})
	src, err := reg.Load(context.Background(), "sotu-era")
	if errors.Is(err, ErrNoData) {
		t.Skip("real data not prepared (make data)")
	}
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		var buf bytes.Buffer
		if err := writeEraRecords(&buf, src); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("embedded/sotu-era-small.jsonl.gz", buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %d bytes; rebuild to compile them in", buf.Len())
		return
	}
	got, err := SotuEraSmall(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, pair := range [][2][]Example{{got.Train, src.Train}, {got.Validation, src.Validation}, {got.Test, src.Test}} {
		if len(pair[0]) != len(pair[1]) {
			t.Fatalf("split %d: %d compiled-in examples, the source has %d", i, len(pair[0]), len(pair[1]))
		}
		for j := range pair[0] {
			a, b := pair[0][j], pair[1][j]
			if a.Text != b.Text || a.Label != b.Label || a.Group != b.Group {
				t.Fatalf("split %d example %d differs from the source: %+v vs %+v", i, j, a, b)
			}
		}
	}
	if !reflect.DeepEqual(got.Labels, src.Labels) || !reflect.DeepEqual(got.Metrics, src.Metrics) {
		t.Fatalf("labels %v metrics %v, the source has %v %v", got.Labels, got.Metrics, src.Labels, src.Metrics)
	}
}

// TestSotuEraSmall: the compiled-in task has its sizes, all four eras in train, no address in
// two splits, and caps shorten it.
func TestSotuEraSmall(t *testing.T) {
	task, err := SotuEraSmall(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(task.Train) != 1000 || len(task.Validation) != 500 || len(task.Test) != 500 {
		t.Fatalf("sizes %d/%d/%d, want 1000/500/500", len(task.Train), len(task.Validation), len(task.Test))
	}
	seen := map[int]bool{}
	where := map[string]int{}
	for i, split := range [][]Example{task.Train, task.Validation, task.Test} {
		for _, ex := range split {
			if i == 0 {
				seen[ex.Label] = true
			}
			if s, ok := where[ex.Group]; ok && s != i {
				t.Fatalf("address %s in splits %d and %d", ex.Group, s, i)
			}
			where[ex.Group] = i
		}
	}
	if len(seen) != 4 {
		t.Fatalf("train has eras %v, want all 4", seen)
	}
	small, err := SotuEraSmall(Options{MaxTrain: 10, MaxTest: 3})
	if err != nil || len(small.Train) != 10 || len(small.Validation) != 500 || len(small.Test) != 3 {
		t.Fatalf("capped sizes %d/%d/%d (err %v), want 10/500/3", len(small.Train), len(small.Validation), len(small.Test), err)
	}
}

func TestReadEraRecordsBadInput(t *testing.T) {
	gz := func(s string) []byte {
		var buf bytes.Buffer
		if err := gzipString(&buf, s); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	cases := []struct{ data, want string }{
		{`{"split":"train","group":"a","label":0,"text":"x"}` + "\n" + `{"split":"dev","group":"a","label":0,"text":"x"}`, "line 2: split \"dev\""},
		{`{"split":"test","group":"a","label":4,"text":"x"}`, "label 4"},
		{`{"split":"test","group":"a","label":1,"text":""}`, "0 characters of text"},
		{`{"split":"test",`, "line 1:"},
	}
	for _, c := range cases {
		if _, err := readEraRecords(gz(c.data), 4); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one containing %q", c.data, err, c.want)
		}
	}
	if _, err := readEraRecords([]byte("not gzip"), 4); err == nil {
		t.Error("a file that is not gzip: no error")
	}
}

func gzipString(w *bytes.Buffer, s string) error {
	zw := gzip.NewWriter(w)
	if _, err := zw.Write([]byte(s)); err != nil {
		return err
	}
	return zw.Close()
}
