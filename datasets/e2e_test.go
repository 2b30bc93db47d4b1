package datasets

import (
	"reflect"
	"testing"
)

func TestReadE2E(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "trainset.csv", `mr,ref
"name[The Vaults], eatType[pub], priceRange[more than £30]","The Vaults is a pub, with prices over £30."
"name[The Vaults], eatType[pub], priceRange[more than £30]","An expensive pub: ""The Vaults""."
"name[Zizzi], area[riverside]",Zizzi is by the river.
`)
	got, err := ReadE2E(p)
	if err != nil {
		t.Fatal(err)
	}
	want := []Example{
		{Source: "name[The Vaults], eatType[pub], priceRange[more than £30]", Group: "name[The Vaults], eatType[pub], priceRange[more than £30]",
			Refs: []string{"The Vaults is a pub, with prices over £30.", `An expensive pub: "The Vaults".`}},
		{Source: "name[Zizzi], area[riverside]", Group: "name[Zizzi], area[riverside]", Refs: []string{"Zizzi is by the river."}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

func TestLoadE2EUnreferencedTest(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "trainset.csv", "mr,ref\n\"name[A], food[Thai]\",A serves Thai food.\n")
	writeFile(t, dir, "devset.csv", "mr,ref\n\"name[B], food[Thai]\",B serves Thai food.\n")
	writeFile(t, dir, "testset.csv", "MR\n\"name[C], food[Thai]\"\n")
	task, err := LoadE2E(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(task.Test) != 1 || task.Test[0].Source != "name[C], food[Thai]" || task.Test[0].Refs != nil {
		t.Fatalf("test split %+v, want one MR without references", task.Test)
	}
}

func TestReadE2EBadInput(t *testing.T) {
	tests := []struct {
		name, content string
		want          []string
	}{
		{"no mr column", "meaning,ref\nx,y\n", []string{"bad.csv:1", "want a header with columns mr and ref"}},
		{"unterminated quote", "mr,ref\n\"name[A], food[Thai],A serves\n", []string{"bad.csv", "line 2"}},
		{"wrong field count", "mr,ref\nname[A],A.,extra\n", []string{"bad.csv", "line 2", "wrong number of fields"}},
		{"empty ref", "mr,ref\nname[A],A.\nname[B],\n", []string{"bad.csv:3", "empty field"}},
		{"bad mr syntax", "mr,ref\nname[A],A.\n\"name[B], food=Thai\",B.\n", []string{"bad.csv:3", "want attribute[value]", `"food=Thai"`}},
		{"empty mr", "mr,ref\n,A.\n", []string{"bad.csv:2", "empty field"}},
		{"only header", "mr,ref\n", []string{"bad.csv", "no rows"}},
		{"empty file", "", []string{"bad.csv:1", "want a header"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadE2E(writeFile(t, t.TempDir(), "bad.csv", tt.content))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
