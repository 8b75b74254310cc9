package feed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n--- got\n%s", name, got)
	}
}

// tool returns the path of an external validator, skipping the test when it
// is missing, unless CI=true, where a missing validator is a failure.
func tool(t *testing.T, path, hint string) string {
	t.Helper()
	p, err := exec.LookPath(path)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found (%s); CI=true requires it", path, hint)
		}
		t.Skipf("%s not found (%s); skipping the real-tool check", path, hint)
	}
	return p
}

func auditHome() string {
	if h := os.Getenv("MASTHEAD_AUDIT_HOME"); h != "" {
		return h
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "masthead-audit")
}

// xmllintWellFormed checks body with libxml2, a parser that shares no code
// with encoding/xml.
func xmllintWellFormed(t *testing.T, body []byte) {
	t.Helper()
	xl := tool(t, "xmllint", "apt-get install libxml2-utils")
	f := filepath.Join(t.TempDir(), "feed.xml")
	if err := os.WriteFile(f, body, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(xl, "--noout", "--nonet", f).CombinedOutput(); err != nil {
		t.Fatalf("xmllint: %v\n%s", err, out)
	}
}

// parsedFeed is what rss-parser (node) made of a feed.
type parsedFeed struct {
	Title string `json:"title"`
	Link  string `json:"link"`
	Items []struct {
		Title          string `json:"title"`
		Link           string `json:"link"`
		GUID           string `json:"guid"`
		ID             string `json:"id"`
		IsoDate        string `json:"isoDate"`
		Content        string `json:"content"`
		ContentEncoded string `json:"content:encoded"`
		Creator        string `json:"creator"`
		Enclosure      *struct {
			URL  string `json:"url"`
			Type string `json:"type"`
		} `json:"enclosure"`
	} `json:"items"`
}

// feedCheck runs the audit's feed-check (xmllint + rss-parser + item
// checks) on body and then rss-parser itself, returning its parse.
func feedCheck(t *testing.T, body []byte, minItems int) parsedFeed {
	t.Helper()
	home := auditHome()
	check := filepath.Join(home, "bin", "feed-check")
	if _, err := os.Stat(check); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("feed-check not found at %s; CI=true requires it (run ../shared/audit/install.sh)", check)
		}
		t.Skipf("feed-check not found at %s (set MASTHEAD_AUDIT_HOME or run the audit install.sh); skipping", check)
	}
	node := tool(t, "node", "Node 20+ runs the audit's feed parser")
	f := filepath.Join(t.TempDir(), "feed.xml")
	if err := os.WriteFile(f, body, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, check, f, "--min-items="+itoa(minItems)).Output()
	var res struct {
		Pass     bool     `json:"pass"`
		Items    int      `json:"items"`
		Errors   []string `json:"errors"`
		Warnings []string `json:"warnings"`
	}
	if jerr := json.Unmarshal(bytes.TrimSpace(out), &res); jerr != nil {
		t.Fatalf("feed-check: %v, output %q (%v)", err, out, jerr)
	}
	if !res.Pass || err != nil {
		t.Fatalf("feed-check failed: %v errors %q warnings %q", err, res.Errors, res.Warnings)
	}
	if len(res.Warnings) > 0 {
		t.Errorf("feed-check warnings: %q", res.Warnings)
	}

	script, _ := filepath.Abs(filepath.Join("testdata", "parse-feed.js"))
	cmd := exec.Command(node, script, filepath.Join(home, "node_modules", "rss-parser"), f)
	out, err = cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("rss-parser: %v\n%s", err, stderr)
	}
	var pf parsedFeed
	if err := json.Unmarshal(out, &pf); err != nil {
		t.Fatalf("rss-parser output: %v\n%s", err, out)
	}
	return pf
}

func itoa(n int) string { return strconv.Itoa(n) }

// encodeAll builds the paper-wide channel from public and hidden stories.
func encodeAll(t *testing.T, fullText bool) (rss, atom, jsonf []byte, ch *channel) {
	t.Helper()
	public, hidden := handStories()
	p := testPaper(fullText)
	ch = buildChannel(p, scope{Path: "/"}, append(append(hidden[:3:3], public...), hidden[3:]...), testNow)
	var err error
	if rss, err = encodeRSS(ch); err != nil {
		t.Fatal(err)
	}
	if atom, err = encodeAtom(ch); err != nil {
		t.Fatal(err)
	}
	if jsonf, err = encodeJSON(ch); err != nil {
		t.Fatal(err)
	}
	return rss, atom, jsonf, ch
}

const (
	seedURL   = "https://news.example.com/2026/11/26/is-trumps-second-letter-to-nk-leader-for-dialogue-or-status-quo"
	koreanURL = "https://news.example.com/2026/11/24/%EB%B6%81%ED%95%9C-%EB%8C%80%ED%99%94-%EC%9E%AC%EA%B0%9C"
)

func TestEncodersGolden(t *testing.T) {
	for _, full := range []bool{false, true} {
		mode := "summary"
		if full {
			mode = "full"
		}
		t.Run(mode, func(t *testing.T) {
			rss, atom, jsonf, ch := encodeAll(t, full)
			if len(ch.Items) != 2 {
				t.Fatalf("got %d items, want the 2 public stories", len(ch.Items))
			}
			golden(t, "paper-"+mode+".rss.xml", rss)
			golden(t, "paper-"+mode+".atom.xml", atom)
			golden(t, "paper-"+mode+".feed.json", jsonf)
			for name, b := range map[string][]byte{"rss": rss, "atom": atom, "json": jsonf} {
				s := string(b)
				if strings.Contains(s, "secret") || strings.Contains(s, "must not appear") {
					t.Errorf("%s: a hidden story leaked:\n%s", name, s)
				}
				if !strings.Contains(s, koreanURL) {
					t.Errorf("%s: Korean story URL %s missing (not percent-encoded?)", name, koreanURL)
				}
				if strings.Contains(s, "/북한") {
					t.Errorf("%s: raw non-ASCII in a URL", name)
				}
			}
			if got := strings.Contains(string(rss), "<content:encoded>"); got != full {
				t.Errorf("content:encoded present = %v, want %v (FullTextFeeds)", got, full)
			}
		})
	}
}

func TestRSSWithRealParsers(t *testing.T) {
	for _, full := range []bool{false, true} {
		rss, atom, _, _ := encodeAll(t, full)
		xmllintWellFormed(t, rss)
		xmllintWellFormed(t, atom)

		pf := feedCheck(t, rss, 2)
		if pf.Title != "The Masthead Times" || pf.Link != "https://news.example.com/" {
			t.Errorf("rss-parser channel: %q %q", pf.Title, pf.Link)
		}
		if len(pf.Items) != 2 {
			t.Fatalf("rss-parser: %d items", len(pf.Items))
		}
		it := pf.Items[0]
		if it.Title != "Is Trump's second letter to NK leader for dialogue or status quo?" || it.Link != seedURL {
			t.Errorf("item 0: %q %q", it.Title, it.Link)
		}
		if it.GUID != "tag:news.example.com,2025-11-25:article:1" && it.GUID != "tag:news.example.com,2026-11-25:article:1" {
			t.Errorf("guid %q", it.GUID)
		}
		if it.IsoDate != "2026-11-25T23:30:00.000Z" {
			t.Errorf("isoDate %q", it.IsoDate)
		}
		if it.Enclosure == nil || it.Enclosure.URL != "https://news.example.com/media/7/"+tokenOf("2026/11/kim-trump.jpg")+"/1280.jpg" || it.Enclosure.Type != "image/jpeg" {
			t.Errorf("enclosure %+v", it.Enclosure)
		}
		if it.Creator != "Kang Seung-woo" {
			t.Errorf("creator %q", it.Creator)
		}
		// The deck's "<signals> & a summit" must reach the reader as text.
		if !strings.Contains(it.Content, "&lt;signals&gt; talks &amp; a summit") {
			t.Errorf("description as parsed: %q", it.Content)
		}
		if full && !strings.Contains(it.ContentEncoded, `<blockquote><p>"Dialogue", he said.</p></blockquote>`) {
			t.Errorf("content:encoded as parsed: %q", it.ContentEncoded)
		}
		if pf.Items[1].Link != koreanURL {
			t.Errorf("Korean link as parsed: %q", pf.Items[1].Link)
		}
		if pf.Items[1].Enclosure == nil || pf.Items[1].Enclosure.URL != "https://news.example.com/media/8/"+tokenOf("2026/11/dmz.png")+"/original" || pf.Items[1].Enclosure.Type != "image/png" {
			t.Errorf("original-photo enclosure %+v", pf.Items[1].Enclosure)
		}

		pa := feedCheck(t, atom, 2)
		if len(pa.Items) != 2 || pa.Items[0].Link != seedURL || pa.Items[1].Link != koreanURL {
			t.Errorf("atom as parsed: %+v", pa.Items)
		}
		if pa.Items[0].ID != "tag:news.example.com,2026-11-25:article:1" {
			t.Errorf("atom id %q", pa.Items[0].ID)
		}
	}
}

func TestJSONFeed(t *testing.T) {
	for _, full := range []bool{false, true} {
		_, _, b, _ := encodeAll(t, full)
		var f struct {
			Version     string `json:"version"`
			Title       string `json:"title"`
			HomePageURL string `json:"home_page_url"`
			FeedURL     string `json:"feed_url"`
			Items       []map[string]any
		}
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatal(err)
		}
		if f.Version != "https://jsonfeed.org/version/1.1" || f.Title == "" || f.FeedURL != "https://news.example.com/feed.json" || f.HomePageURL != "https://news.example.com/" {
			t.Errorf("top level: %+v", f)
		}
		if len(f.Items) != 2 {
			t.Fatalf("%d items", len(f.Items))
		}
		for i, it := range f.Items {
			id, _ := it["id"].(string)
			u, _ := it["url"].(string)
			if id == "" || u == "" {
				t.Errorf("item %d: id %q url %q", i, id, u)
			}
			html, hasHTML := it["content_html"].(string)
			text, hasText := it["content_text"].(string)
			if !hasHTML && !hasText {
				t.Errorf("item %d: neither content_html nor content_text", i)
			}
			if full != hasHTML {
				t.Errorf("item %d: content_html present = %v in full=%v", i, hasHTML, full)
			}
			if _, err := time.Parse(time.RFC3339, it["date_published"].(string)); err != nil {
				t.Errorf("item %d: %v", i, err)
			}
			if (!full && i == 0 && text != "Experts split on whether the letter <signals> talks & a summit") || (full && !strings.Contains(html, "<p>")) {
				t.Errorf("item %d: content_text %q content_html %q", i, text, html)
			}
		}
		if f.Items[1]["url"] != koreanURL {
			t.Errorf("Korean url %v", f.Items[1]["url"])
		}
	}
}

func TestEmptyFeedIsStable(t *testing.T) {
	p := testPaper(false)
	_, hidden := handStories()
	ch := buildChannel(p, scope{Name: "Tech", Path: "/section/tech"}, hidden, testNow)
	if len(ch.Items) != 0 {
		t.Fatalf("hidden stories leaked: %d", len(ch.Items))
	}
	a, err := encodeAtom(ch)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := encodeAtom(buildChannel(p, scope{Name: "Tech", Path: "/section/tech"}, nil, testNow.Add(time.Hour)))
	if !bytes.Equal(a, b) {
		t.Error("an empty feed's bytes depend on the clock; its ETag would never match")
	}
	if !strings.Contains(string(a), "<updated>1970-01-01T00:00:00Z</updated>") {
		t.Errorf("empty feed updated:\n%s", a)
	}
	xmllintWellFormed(t, a)
	r, _ := encodeRSS(ch)
	xmllintWellFormed(t, r)
	j, _ := encodeJSON(ch)
	if !strings.Contains(string(j), `"items": []`) {
		t.Errorf("JSON Feed needs items even when empty:\n%s", j)
	}
}

func TestLeadImage(t *testing.T) {
	p := testPaper(false)
	cases := []struct {
		widths    []int
		wantURL   string
		wantW     int
		wantH     int
		wantType  string
		origType  string
		hasPhotoK bool
	}{
		{[]int{320, 1280, 2048}, "https://news.example.com/media/3/" + tokenOf("k") + "/1280.jpg", 1280, 720, "image/jpeg", "image/png", true},
		{[]int{320, 640}, "https://news.example.com/media/3/" + tokenOf("k") + "/640.jpg", 640, 360, "image/jpeg", "image/png", true},
		{nil, "https://news.example.com/media/3/" + tokenOf("k") + "/original", 1600, 900, "image/png", "image/png", true},
		{nil, "https://news.example.com/media/3/" + tokenOf("k") + "/original", 1600, 900, "image/jpeg", "", true},
	}
	for _, c := range cases {
		img := leadImage(p, &newsPhoto{ID: 3, Key: "k", Width: 1600, Height: 900, Widths: c.widths, ContentType: c.origType})
		if img == nil || img.URL != c.wantURL || img.Width != c.wantW || img.Height != c.wantH || img.Type != c.wantType {
			t.Errorf("widths %v: got %+v", c.widths, img)
		}
	}
	if leadImage(p, &newsPhoto{ID: 3}) != nil || leadImage(p, nil) != nil {
		t.Error("a photo without a key has no image")
	}
}

func TestExcerpt(t *testing.T) {
	got := excerpt(htmlText("<p>alpha beta</p><p>gamma&amp;delta</p>"), 12)
	if got != "alpha beta…" {
		t.Errorf("excerpt %q", got)
	}
	if s := htmlText("<p>a</p><p>b &lt;c&gt;</p>"); s != "a b <c>" {
		t.Errorf("htmlText %q", s)
	}
	if s := excerpt("short", 10); s != "short" {
		t.Errorf("%q", s)
	}
}

// XML round trip: encoding/xml reads back exactly the strings we wrote,
// including ones that need escaping. (Not a substitute for the real parsers
// above, but it pins the escaping of hostile headlines.)
func TestHostileText(t *testing.T) {
	public, _ := handStories()
	a := *public[0]
	a.Headline = `]]> <script>alert("x")</script> & \x00 "quotes"`
	a.BodyHTML = "<p>ends with ]]> inside CDATA</p>"
	p := testPaper(true)
	ch := buildChannel(p, scope{Path: "/"}, []*newsArticle{&a}, testNow)
	b, err := encodeRSS(ch)
	if err != nil {
		t.Fatal(err)
	}
	xmllintWellFormed(t, b)
	var doc rssDoc
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Channel.Items[0].Title != a.Headline {
		t.Errorf("title round trip: %q", doc.Channel.Items[0].Title)
	}
	if !strings.Contains(string(b), "]]]]><![CDATA[>") {
		t.Errorf("CDATA terminator inside content not split:\n%s", b)
	}
}
