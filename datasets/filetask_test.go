package datasets

import "testing"

func TestFileTask(t *testing.T) {
	cases := []struct{ name, kind, dir string }{
		{"jsonl:/data/mine", "jsonl", "/data/mine"},
		{"e2e:e2e-data", "e2e", "e2e-data"},
		{"glue:SST-2:/glue/SST-2", "glue:SST-2", "/glue/SST-2"},
		{"glue:SST-2", "", ""},
		{"glue::/x", "", ""},
		{"jsonl:", "", ""},
		{"cls-a", "", ""},
		{"csv:/x", "", ""},
	}
	for _, c := range cases {
		kind, dir, ok := FileTask(c.name)
		if kind != c.kind || dir != c.dir || ok != (c.kind != "") {
			t.Errorf("FileTask(%q) = %q, %q, %v; want %q, %q", c.name, kind, dir, ok, c.kind, c.dir)
		}
	}
}
