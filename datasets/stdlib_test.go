package datasets

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestReadAddressesBadInput feeds the State of the Union reader broken files and checks that
// each error names the file, the place and what was wrong.
func TestReadAddressesBadInput(t *testing.T) {
	cases := []struct {
		name    string
		content string // of sotu/data/1801.json; "" writes no file at all
		want    []string
	}{
		{"no files", "", []string{"no State of the Union addresses in", filepath.Join("sotu", "data")}},
		{"not JSON", "{\"year\": 1801,\n \"text\": \"x\",,}", []string{"1801.json", "line 2, column 14", "invalid JSON"}},
		{"year as text", "{\"year\": \"1801\", \"text\": \"x\"}", []string{"1801.json", "line 1, column 15", "year is a JSON string, want int"}},
		{"no text", "{\"year\": 1801, \"name\": \"T. Jefferson\"}", []string{"1801.json", "want a text and a year in 1790-2021", "found year 1801 and 0 characters"}},
		{"year out of range", "{\"year\": 1700, \"text\": \"x\"}", []string{"1801.json", "found year 1700"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			if c.content != "" {
				writeFile(t, root, filepath.Join("sotu", "data", "1801.json"), c.content)
			}
			_, err := readAddresses(root)
			checkErrorSays(t, err, c.want)
		})
	}
}

// TestReadEmailsBadInput does the same for the SpamAssassin reader.
func TestReadEmailsBadInput(t *testing.T) {
	cases := []struct {
		name    string
		content string // of every folder's 0001.json; "" leaves the first folder empty
		want    []string
	}{
		{"empty folder", "", []string{"no e-mails in", filepath.Join("spam-assassin", "data", spamFolders[0].dir)}},
		{"not JSON", "{\"text\": \"Subject: hi\n", []string{"0001.json", "invalid JSON"}},
		{"text as number", "{\"text\": 12}", []string{"0001.json", "line 1, column 11", "text is a JSON number, want string"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			for i, f := range spamFolders {
				if i == 0 && c.content == "" {
					continue
				}
				writeFile(t, root, filepath.Join("spam-assassin", "data", f.dir, "0001.json"), c.content)
			}
			_, err := readEmails(root)
			checkErrorSays(t, err, c.want)
		})
	}
}

// checkErrorSays requires err to contain every one of want.
func checkErrorSays(t *testing.T, err error, want []string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one saying %q", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
}
