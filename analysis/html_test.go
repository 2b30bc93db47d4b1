package analysis

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSortKey checks the numbers cells sort by: suffixes scale, bold and ± are ignored,
// text stays text.
func TestSortKey(t *testing.T) {
	cases := map[string]string{
		"0.615 ± 0.064":     "0.615",
		"**0.625 ± 0.007**": "0.625",
		"16.4k":             "16400",
		"1.07M":             "1.07e+06",
		"0.35B":             "3.5e+08",
		"-0.5":              "-0.5",
		"1e-3":              "0.001",
		"–":                 "–",
		"lora r=8 q,v":      "lora r=8 q,v",
		"`adapter_h` r=8":   "`adapter_h` r=8",
		"12 (r=4)":          "12",
	}
	for in, want := range cases {
		if got := sortKey(in); got != want {
			t.Errorf("sortKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMarkdownBlocks checks the Markdown the report's sections hold: a paragraph over two
// lines, a pipe table with its alignment and method rows, a list; inline code, bold and
// relative links become HTML, other text is escaped, links with a scheme stay text.
func TestMarkdownBlocks(t *testing.T) {
	md := "Title: **best** in `bold`,\n<b>not html</b> & [CSV](tables/main.csv) [web](https://x.org/a).\n\n" +
		"| Method | # params | cls (acc ↑) |\n| :--- | ---: | ---: |\n| lora r=8 q,v | 16.4k | **0.625 ± 0.007** |\n| other | 1k | – |\n| LoRA r=2 (q,v) | 4.1k | 0.5 |\n\n" +
		"- one\n- two\n"
	blocks := mdBlocks(md, map[string]string{"lora": "lora", "ft": "ft", "LoRA r=2 (q,v)": "lora"})
	if len(blocks) != 3 {
		t.Fatalf("%d blocks, want paragraph, table, list: %+v", len(blocks), blocks)
	}
	want := `Title: <strong>best</strong> in <code>bold</code>, &lt;b&gt;not html&lt;/b&gt; &amp; <a href="tables/main.csv">CSV</a> web.`
	if got := string(blocks[0].Para); got != want {
		t.Errorf("paragraph\n%s\nwant\n%s", got, want)
	}
	tb := blocks[1].Table
	if tb == nil || len(tb.Head) != 3 || len(tb.Rows) != 3 {
		t.Fatalf("table %+v", tb)
	}
	if tb.Head[0].Align != "left" || tb.Head[2].Align != "right" || tb.Rows[0].Cells[1].Align != "right" {
		t.Errorf("alignment %v", tb.Align)
	}
	if tb.Rows[0].Method != "lora" || tb.Rows[1].Method != "" || tb.Rows[2].Method != "lora" {
		t.Errorf("row methods %q, %q, %q, want lora (by its first word), none, lora (by its label)", tb.Rows[0].Method, tb.Rows[1].Method, tb.Rows[2].Method)
	}
	if c := tb.Rows[0].Cells[2]; string(c.HTML) != "<strong>0.625 ± 0.007</strong>" || c.Sort != "0.625" {
		t.Errorf("cell %+v", c)
	}
	if l := blocks[2].List; len(l) != 2 || l[1] != "two" {
		t.Errorf("list %v", l)
	}
}

// TestReportHTMLSelfContained checks report.html of the fixture sweep: one file that loads
// nothing (no src, no stylesheet link, no URL with a scheme outside the inline SVG
// namespaces), with every figure inline, the run counts, the failed run and the Pareto data.
func TestReportHTMLSelfContained(t *testing.T) {
	dir := writeFixtureSweep(t)
	p, err := WriteReport(dir, fixtureSpec(), Options{Command: "runexp fixture.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	page := string(data)
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`\ssrc=`), regexp.MustCompile(`<link\b`), regexp.MustCompile(`@import`),
		regexp.MustCompile(`(href|url)\(?=?"?(https?:|//)`),
	} {
		if m := bad.FindString(page); m != "" {
			t.Errorf("report.html loads something: %q", m)
		}
	}
	for _, u := range regexp.MustCompile(`https?://[^\s"'<>]+`).FindAllString(page, -1) {
		if u != "http://www.w3.org/2000/svg" && u != "http://www.w3.org/1999/xlink" {
			t.Errorf("report.html names the URL %s", u)
		}
	}
	figures := 0
	for _, sec := range p.Sections {
		for _, a := range sec.Files {
			if a.Image {
				figures++
			}
		}
	}
	if n := strings.Count(page, "<figure "); n != figures || n == 0 {
		t.Errorf("%d figures on the page, want %d", n, figures)
	}
	if n := strings.Count(page, "<svg"); n != figures+1 {
		t.Errorf("%d <svg> elements, want the %d figures and the Pareto plot", n, figures)
	}
	for _, want := range []string{
		"<code>runexp fixture.yaml</code>", "Runs: 20 done, 1 failed, 1 missing.", "zz-failed ft on cls, seed 3: NaN loss at step 12",
		`"key":"trainable_params"`, `"run":"lora-r8-q-v-cls-1"`, `<tr data-method="lora">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}
