package analysis

import (
	"html"
	"html/template"
	"regexp"
	"strconv"
	"strings"
)

// The report's sections carry Markdown bodies (paragraphs, lists, pipe tables). report.html
// shows the same bodies: mdBlocks splits one into blocks, and tables become htmlTables that
// the page sorts and filters.

// mdBlock is one block of a Markdown body: a paragraph, a list or a table.
type mdBlock struct {
	Para  template.HTML
	List  []template.HTML
	Table *htmlTable
}

// htmlTable is a table of report.html: a header and rows of cells, each cell with the key
// the page sorts its column by.
type htmlTable struct {
	Head  []htmlCell
	Rows  []htmlRow
	Align []string // "left" or "right", per column
}

// htmlRow is one table row; Method is the method name of the setting the row is about ("" if
// it is about none), for the page's method filter.
type htmlRow struct {
	Method string
	Cells  []htmlCell
}

// htmlCell is one cell: its text as HTML, and its sort key, a number when the text starts with
// one ("0.615 ± 0.064", "16.4k", "1.07M") else the text.
type htmlCell struct {
	HTML  template.HTML
	Sort  string
	Align string // "left" or "right"
}

// mdBlocks splits a Markdown body into blocks; methodOf maps the setting labels and method
// names a table row may start with to their method.
func mdBlocks(md string, methodOf map[string]string) []mdBlock {
	var blocks []mdBlock
	var para, table []string
	var list []template.HTML
	flush := func() {
		if len(para) > 0 {
			blocks = append(blocks, mdBlock{Para: mdInline(strings.Join(para, " "))})
		}
		if len(list) > 0 {
			blocks = append(blocks, mdBlock{List: list})
		}
		if len(table) > 0 {
			blocks = append(blocks, mdBlock{Table: mdTable(table, methodOf)})
		}
		para, table, list = nil, nil, nil
	}
	for _, line := range strings.Split(md, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			flush()
		case strings.HasPrefix(trimmed, "|"):
			if len(table) == 0 {
				flush()
			}
			table = append(table, trimmed)
		case strings.HasPrefix(trimmed, "- "):
			if len(list) == 0 {
				flush()
			}
			list = append(list, mdInline(strings.TrimPrefix(trimmed, "- ")))
		default:
			if len(table) > 0 || len(list) > 0 {
				flush()
			}
			para = append(para, trimmed)
		}
	}
	flush()
	return blocks
}

// mdTable reads a pipe table: a header row, the alignment row, then the body rows.
func mdTable(lines []string, methodOf map[string]string) *htmlTable {
	t := &htmlTable{}
	for i, line := range lines {
		cells := splitRow(line)
		switch {
		case i == 0:
			for _, c := range cells {
				t.Head = append(t.Head, htmlCell{HTML: mdInline(c)})
			}
		case i == 1 && isAlignRow(cells):
			for _, c := range cells {
				align := "left"
				if strings.HasSuffix(c, ":") && !strings.HasPrefix(c, ":") {
					align = "right"
				}
				t.Align = append(t.Align, align)
			}
		default:
			row := htmlRow{Method: rowMethod(cells, methodOf)}
			for _, c := range cells {
				row.Cells = append(row.Cells, htmlCell{HTML: mdInline(c), Sort: sortKey(c)})
			}
			t.Rows = append(t.Rows, row)
		}
	}
	for _, row := range t.Rows {
		for i := range row.Cells {
			row.Cells[i].Align = "left"
			if i < len(t.Align) {
				row.Cells[i].Align = t.Align[i]
			}
		}
	}
	for i := range t.Head {
		t.Head[i].Align = "left"
		if i < len(t.Align) {
			t.Head[i].Align = t.Align[i]
		}
	}
	return t
}

// splitRow splits "| a | b |" into its trimmed cells.
func splitRow(line string) []string {
	line = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(line), "|"), "|")
	cells := strings.Split(line, "|")
	for i := range cells {
		cells[i] = strings.TrimSpace(cells[i])
	}
	return cells
}

var alignCell = regexp.MustCompile(`^:?-{3,}:?$`)

// isAlignRow says whether the cells are a table's alignment row (":---", "---:").
func isAlignRow(cells []string) bool {
	for _, c := range cells {
		if !alignCell.MatchString(c) {
			return false
		}
	}
	return len(cells) > 0
}

// rowMethod is the method a row is about: that of its first cell when the cell is a setting
// label or a method name, else that of the cell's first word ("lora" of "lora r=8 (rs)").
func rowMethod(cells []string, methodOf map[string]string) string {
	if len(cells) == 0 {
		return ""
	}
	first := strings.Trim(cells[0], "*` ")
	if m, ok := methodOf[first]; ok {
		return m
	}
	word, _, _ := strings.Cut(first, " ")
	return methodOf[word]
}

var leadingNumber = regexp.MustCompile(`^[*\x60\[(]*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([kMGB]?)`)

// sortKey is the number a cell starts with (after any "**", "`", "[" or "(": a confidence
// interval "[0.55, 0.68]" sorts by its lower end), scaled by its suffix (k, M, G or B for 10^3, 10^6,
// 10^9, 10^9), written so that the page compares it as a number; else the cell's text.
func sortKey(cell string) string {
	m := leadingNumber.FindStringSubmatch(cell)
	if m == nil {
		return cell
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return cell
	}
	switch m[2] {
	case "k":
		v *= 1e3
	case "M":
		v *= 1e6
	case "G", "B":
		v *= 1e9
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

var (
	mdBold = regexp.MustCompile(`\*\*([^*]+)\*\*`)
	mdCode = regexp.MustCompile("`([^`]+)`")
	mdLink = regexp.MustCompile(`\[([^\]]+)\]\(([^)\s]+)\)`)
)

// mdInline turns the inline Markdown of the report's bodies (**bold**, `code`, [text](link))
// into HTML, escaping everything else.
func mdInline(s string) template.HTML {
	out := html.EscapeString(s)
	out = mdCode.ReplaceAllString(out, "<code>$1</code>")
	out = mdBold.ReplaceAllString(out, "<strong>$1</strong>")
	out = mdLink.ReplaceAllStringFunc(out, func(m string) string {
		parts := mdLink.FindStringSubmatch(m)
		href := parts[2]
		if strings.Contains(href, ":") { // only relative links: the page reaches no network
			return parts[1]
		}
		return `<a href="` + href + `">` + parts[1] + `</a>`
	})
	return template.HTML(out) // #nosec: built from escaped text
}
