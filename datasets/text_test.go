package datasets

import (
	"bufio"
	"strings"
	"testing"
)

func TestSentences(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"One. Two? Three!", []string{"One.", "Two?", "Three!"}},
		{`He said "go." Then left.`, []string{`He said "go."`, "Then left."}},
		{"Pay 3.5 dollars. ok then.", []string{"Pay 3.5 dollars. ok then."}},
		{"In 1790. 1791 came.", []string{"In 1790.", "1791 came."}},
		{"no end", []string{"no end"}},
	}
	for _, tt := range tests {
		if got := sentences(tt.in); strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("sentences(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPassages(t *testing.T) {
	// Sentences of 3 words; minWords 6 gives passages of two sentences; the last, lone
	// 3-word sentence is exactly minWords/2 and kept.
	text := "A b c. D e f. G h i. J k l. M n o."
	got := passages(text, 6, 100)
	want := []string{"A b c. D e f.", "G h i. J k l.", "M n o."}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("passages = %q, want %q", got, want)
	}
	// maxWords cuts before a sentence that would overflow; the 2-word tail is under
	// minWords/2 and dropped.
	got = passages("A b c d e. F g h i j k l. M n.", 8, 8)
	want = []string{"A b c d e.", "F g h i j k l."}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("passages with max = %q, want %q", got, want)
	}
}

func TestParseEmail(t *testing.T) {
	tests := []struct {
		name, raw, body, subject string
	}{
		{"plain", "Subject: Re: [ILUG] Redhat 8.0\nFrom: a@b\n\nHello   there,\nfriend.\n", "Hello there, friend.", "redhat 8.0"},
		{"quoted-printable", "Subject: Fwd: hi\nContent-Transfer-Encoding: quoted-printable\n\ncaf=C3=A9 =\nsoft break\n", "café soft break", "hi"},
		{"base64", "Subject: x\nContent-Transfer-Encoding: base64\n\naGVsbG8g\nd29ybGQ=\n", "hello world", "x"},
		{"html", "Subject: RE[2]: deal\nContent-Type: text/html\n\n<html><head><style>p{}</style></head><body><p>Buy &amp; save&#33;</p></body></html>", "Buy & save!", "deal"},
		{"multipart alternative takes the first text part",
			"Subject: m\nContent-Type: multipart/alternative; boundary=XX\n\n--XX\nContent-Type: text/plain\n\nplain part\n--XX\nContent-Type: text/html\n\n<b>html part</b>\n--XX--\n",
			"plain part", "m"},
		{"attachment only yields nothing", "Subject: a\nContent-Type: application/pdf\n\n%PDF", "", "a"},
		{"not RFC 5322 falls back to the blank line", "garbage header line\n\nthe body", "the body", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, subject := parseEmail(tt.raw)
			if body != tt.body || subject != tt.subject {
				t.Fatalf("parseEmail = %q, %q; want %q, %q", body, subject, tt.body, tt.subject)
			}
		})
	}
}

func TestEmailGroupsJoinThreadsAndDuplicates(t *testing.T) {
	emails := []email{
		{body: "a", subject: "lunch"},
		{body: "b", subject: "lunch"}, // same thread as 0
		{body: "c", subject: ""},
		{body: "a", subject: "other"}, // same body as 0
		{body: "d", subject: "other"}, // same thread as 3, so as 0
		{body: "e", subject: ""},
	}
	g := emailGroups(emails)
	if g[0] != g[1] || g[0] != g[3] || g[0] != g[4] {
		t.Fatalf("groups %q: 0, 1, 3 and 4 should share one", g)
	}
	if g[2] == g[0] || g[5] == g[0] || g[2] == g[5] {
		t.Fatalf("groups %q: 2 and 5 should stand alone", g)
	}
}

func TestParseCMUDict(t *testing.T) {
	good := ";;; comment\nA  AH0\nA(1)  EY1\nAARON'S  EH1 R AH0 N Z\n!EXCLAMATION-POINT  EH2 K S\n'BOUT  B AW1 T\n"
	got, err := parseCMUDict("dict.txt", bufio.NewScanner(strings.NewReader(good)))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].word != "a" || strings.Join(got[0].phonemes, "|") != "AH0|EY1" || got[1].word != "aaron's" {
		t.Fatalf("parsed %+v", got)
	}
	_, err = parseCMUDict("dict.txt", bufio.NewScanner(strings.NewReader("A  AH0\nBROKEN\n")))
	if err == nil || !contains(err.Error(), "dict.txt:2") || !contains(err.Error(), `found "BROKEN"`) {
		t.Fatalf("got %v, want an error at dict.txt:2", err)
	}
}
