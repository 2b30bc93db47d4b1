package datasets

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"loralab/internal/jsonpos"
)

// spamFolders are the SpamAssassin corpus folders and their spam3 class.
var spamFolders = []struct {
	dir   string
	class int // index into spam3Labels
}{
	{"easy-ham-1", 0}, {"easy-ham-2", 0}, {"hard-ham-1", 1}, {"spam-1", 2}, {"spam-2", 2},
}

var spam3Labels = []string{"easy-ham", "hard-ham", "spam"}

// spamMaxWords caps an e-mail body: longer ones are cut, which a CPU model would do anyway.
const spamMaxWords = 300

// email is one SpamAssassin message reduced to what the tasks use.
type email struct {
	body    string // decoded text parts, headers and markup stripped
	subject string // normalised thread subject, "" if none
	class   int
}

// readEmails reads every spam-assassin/data/<folder>/*.json under root. Messages whose
// body is empty after stripping are skipped.
func readEmails(root string) ([]email, error) {
	var out []email
	for _, folder := range spamFolders {
		dir := filepath.Join(root, "spam-assassin", "data", folder.dir)
		files, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("no e-mails in %s", dir)
		}
		slices.Sort(files)
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			var rec struct {
				Text string `json:"text"`
			}
			if err := jsonpos.Unmarshal(raw, &rec); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			body, subject := parseEmail(rec.Text)
			if body == "" {
				continue
			}
			out = append(out, email{body: body, subject: subject, class: folder.class})
		}
	}
	return out, nil
}

var threadPrefix = regexp.MustCompile(`^\s*((re|fwd?|aw)(\[\d+\])?\s*:\s*|\[[^\]]*\]\s*)*`)

// parseEmail strips the headers of a raw message, decodes its text parts (quoted-printable,
// base64, multipart, HTML) and returns the body as one line of at most spamMaxWords words,
// with the subject normalised for thread grouping. A message that does not parse as RFC 5322
// falls back to everything after the first blank line.
func parseEmail(raw string) (body, subject string) {
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		if _, after, ok := strings.Cut(raw, "\n\n"); ok {
			return truncateWords(collapseSpace(after), spamMaxWords), ""
		}
		return "", ""
	}
	subject = strings.ToLower(collapseSpace(msg.Header.Get("Subject")))
	subject = threadPrefix.ReplaceAllString(subject, "")
	text := decodePart(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, 0)
	return truncateWords(collapseSpace(html.UnescapeString(text)), spamMaxWords), subject
}

// decodePart returns the readable text of one MIME part: text/plain as is, text/html with
// the markup stripped, multipart by its first part that yields text (all parts for
// multipart/mixed). Attachments yield nothing.
func decodePart(contentType, encoding string, r io.Reader, depth int) string {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil || contentType == "" {
		mediaType = "text/plain"
	}
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, &lineStripper{r: r})
	}
	if strings.HasPrefix(mediaType, "multipart/") && depth < 5 {
		mr := multipart.NewReader(r, params["boundary"])
		var texts []string
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			t := decodePart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, depth+1)
			if strings.TrimSpace(t) != "" {
				texts = append(texts, t)
				if mediaType != "multipart/mixed" {
					break
				}
			}
		}
		return strings.Join(texts, "\n")
	}
	b, _ := io.ReadAll(io.LimitReader(r, 1<<20)) // keep what decodes; spam is often malformed
	switch mediaType {
	case "text/plain":
		return string(b)
	case "text/html":
		return stripHTML(string(b))
	}
	return ""
}

// lineStripper drops CR and LF so that base64 bodies wrapped at 76 columns decode.
type lineStripper struct{ r io.Reader }

func (l *lineStripper) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	k := 0
	for _, c := range p[:n] {
		if c != '\r' && c != '\n' {
			p[k] = c
			k++
		}
	}
	return k, err
}

// emailGroups joins messages that share a thread subject or an identical body into one group
// (union-find), so neither a thread nor a duplicated message spans two splits.
func emailGroups(emails []email) []string {
	parent := make([]int, len(emails))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		if parent[i] != i {
			parent[i] = find(parent[i])
		}
		return parent[i]
	}
	first := map[string]int{}
	join := func(key string, i int) {
		if j, ok := first[key]; ok {
			parent[find(i)] = find(j)
		} else {
			first[key] = i
		}
	}
	for i, e := range emails {
		join("body:"+e.body, i)
		if e.subject != "" {
			join("subject:"+e.subject, i)
		}
	}
	groups := make([]string, len(emails))
	for i := range emails {
		sum := sha256.Sum256([]byte(emails[find(i)].body))
		groups[i] = "mail-" + hex.EncodeToString(sum[:8])
	}
	return groups
}

// spamTask builds spam (labels ham, spam) or spam3 (easy-ham, hard-ham, spam).
func spamTask(root string, o Options, three bool) (*Task, error) {
	emails, err := readEmails(root)
	if err != nil {
		return nil, err
	}
	groups := emailGroups(emails)
	all := make([]Example, len(emails))
	for i, e := range emails {
		label := e.class
		if !three {
			label = max(0, e.class-1) // easy-ham, hard-ham -> ham (0); spam -> 1
		}
		all[i] = Example{Text: e.body, Label: label, Group: groups[i]}
	}
	t := &Task{
		Name:        "spam",
		Description: "SpamAssassin e-mail bodies (headers stripped), ham vs spam",
		Kind:        Classification, Labels: []string{"ham", "spam"},
		MainMetric: MetricF1, Metrics: []string{MetricF1, MetricAccuracy, MetricMCC},
	}
	if three {
		t.Name, t.Labels = "spam3", slices.Clone(spam3Labels)
		t.Description = "SpamAssassin e-mail bodies (headers stripped), easy ham vs hard ham vs spam"
		t.MainMetric, t.Metrics = MetricAccuracy, []string{MetricAccuracy, MetricF1, MetricMCC}
	}
	train, val, test := splitByGroup(all, defaultFractions, o.Seed, func(ex Example) int { return ex.Label })
	caps := o.caps(realTaskSizes)
	t.Train = subsample(train, caps[0], o.Seed, true)
	t.Validation = subsample(val, caps[1], o.Seed, true)
	t.Test = subsample(test, caps[2], o.Seed, true)
	return t, nil
}
