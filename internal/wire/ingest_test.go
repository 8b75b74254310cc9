package wire_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"masthead/internal/integrations"
	"masthead/internal/media"
	"masthead/internal/news"
	"masthead/internal/ninjs"
	"masthead/internal/store/sqlite"
	"masthead/internal/webhooks"
	"masthead/internal/wire"
	"masthead/internal/workflow"
)

var t0 = time.Date(2026, 3, 22, 12, 0, 0, 0, time.UTC)

type harness struct {
	st    *sqlite.DB
	g     *wire.Ingester
	opt   wire.Options
	flow  *workflow.Service
	items []ninjs.Item
	pics  int
}

func jpegOf(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 96, 64))
	for x := 0; x < 96; x++ {
		for y := 0; y < 64; y++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y * 3), 90, 255})
		}
	}
	var b bytes.Buffer
	jpeg.Encode(&b, img, nil)
	return b.Bytes()
}

func newHarness(t *testing.T, scopes ...news.Scope) *harness {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "wire.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	paper := &news.Paper{Name: "P", BaseURL: "https://news.example", Location: time.UTC, Language: "en"}
	clock := news.NewFixedClock(t0)
	st.AddTxHook(webhooks.Hook(paper, clock))
	korea := &news.Section{Slug: "north-korea", Name: "North Korea"}
	for _, s := range []*news.Section{korea, {Slug: "economy", Name: "Economy"}, {Slug: "world", Name: "World"}} {
		if err := st.CreateSection(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	// The paper publishes its North Korea wire copy as it comes.
	if err := st.PutSetting(ctx, news.WireSetting, "["+itoa(korea.ID)+"]"); err != nil {
		t.Fatal(err)
	}
	cr, err := integrations.Create(ctx, st, "AP wire", scopes, 0, t0)
	if err != nil {
		t.Fatal(err)
	}
	u, err := integrations.Account(ctx, st, cr.Integration, t0)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{st: st, flow: workflow.New(st, clock)}
	// Pictures come over real HTTP from a local server standing in for
	// the agency's media host.
	img := jpegOf(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.pics++
		if strings.Contains(r.URL.Path, "/16/") {
			http.NotFound(w, r) // one picture the agency lost
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(img)
	}))
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "tcp", srv.Listener.Addr().String())
	}}}
	// The fixture's renditions are https://media.ap.example/...: fetched
	// as plain http from the local server.
	fetch := wire.HTTPFetch(client, 1<<20)
	blobs, _ := media.NewDirBlobs(filepath.Join(dir, "media"))
	lib := media.New(media.Config{Store: st, Blobs: blobs, Paper: paper, Logger: slog.New(slog.DiscardHandler)})
	h.g = &wire.Ingester{Store: st, Flow: h.flow, Clock: clock, Photos: lib,
		Fetch: func(ctx context.Context, href string) ([]byte, error) {
			return fetch(ctx, strings.Replace(href, "https://", "http://", 1))
		}}
	h.opt = wire.Options{Actor: u, IntegrationID: cr.Integration.ID, CanPublish: cr.Integration.Has(news.ScopeStoriesPublish), Section: "world"}
	f, err := os.Open("../ninjs/testdata/ap-feed-50.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if h.items, err = ninjs.Parse(f); err != nil {
		t.Fatal(err)
	}
	return h
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func (h *harness) story(t *testing.T, uri string) (*news.Article, *news.WireItem) {
	t.Helper()
	w, err := h.st.FindWireItem(context.Background(), uri)
	if err != nil {
		t.Fatalf("wire item %s: %v", uri, err)
	}
	a, err := h.st.FindArticleByID(context.Background(), w.ArticleID)
	if err != nil {
		t.Fatalf("story of %s: %v", uri, err)
	}
	return a, w
}

const base = "urn:newsml:apnews.example:20260322:story"

// The 50-item feed: 36 stories, 12 updates threaded onto their stories by
// URI and version, a kill, and a late repeat of an older version; North
// Korea copy published at once, the rest in review; credits, rights and
// pictures kept. Sent twice, it changes nothing the second time.
func TestIngestFeed(t *testing.T) {
	h := newHarness(t, news.ScopeStoriesWrite)
	ctx := context.Background()
	res, err := h.g.Ingest(ctx, h.items, h.opt)
	if err != nil {
		t.Fatal(err)
	}
	count := map[ninjs.Action]int{}
	for _, r := range res {
		count[r.Action]++
	}
	if len(res) != 50 || count[ninjs.Create] != 36 || count[ninjs.Update] != 12 || count[ninjs.Kill] != 1 || count[ninjs.Stale] != 1 {
		t.Fatalf("results: %v", count)
	}
	if _, total, _ := h.st.FindArticles(ctx, news.ArticleFilter{}); total != 36 {
		t.Fatalf("%d stories for 36 URIs", total)
	}
	// Story 1: three versions, one story, the third's text.
	a, w := h.story(t, base+"01")
	if w.Version != 3 || !strings.Contains(a.BodyHTML, "LATEST: story 1 third version.") || !strings.HasSuffix(a.Headline, "— update") {
		t.Errorf("story 1 at wire v%d: %q", w.Version, a.Headline)
	}
	// North Korea copy is on the site; the rest waits in review.
	if a.Status != news.StatusPublished || a.Section == nil || a.Section.Slug != "north-korea" {
		t.Errorf("story 1 (North Korea): %s in %v", a.Status, a.Section)
	}
	if b, _ := h.story(t, base+"02"); b.Status != news.StatusReview || b.Section.Slug != "economy" {
		t.Errorf("story 2 (Economy): %s in %s", b.Status, b.Section.Slug)
	}
	// The late repeat of story 2's version 2 did not undo version 3.
	if b, w := h.story(t, base+"02"); w.Version != 3 || !strings.Contains(b.BodyHTML, "LATEST") {
		t.Errorf("story 2 after the late v2: wire v%d", w.Version)
	}
	// Story 3 (Weather, no section of ours) took the default.
	if c, _ := h.story(t, base+"03"); c.Section == nil || c.Section.Slug != "world" {
		t.Errorf("story 3 section: %v", c.Section)
	}
	// The kill took story 5 off the site.
	k, kw := h.story(t, base+"05")
	if k.Status != news.StatusUnpublished || kw.PubStatus != "canceled" || !strings.Contains(kw.EdNote, "withdrawn") {
		t.Errorf("killed story 5: %s, wire %s %q", k.Status, kw.PubStatus, kw.EdNote)
	}
	// Credits and rights.
	if a.Authors[0].Name != "Hyung-jin Kim" || w.Credit != "By HYUNG-JIN KIM, Associated Press" || w.Distributor != "The Associated Press" ||
		!strings.Contains(w.Rights, "editorial use only") || w.IntegrationID != h.opt.IntegrationID {
		t.Errorf("story 1 byline %q, wire record %+v", a.Authors[0].Name, w)
	}
	// Pictures: fetched, with the agency's caption and credit.
	p, _ := h.story(t, base+"04")
	if p.Photo == nil || p.Photo.Credit != "AHN YOUNG-JOON" || !strings.Contains(p.Photo.Caption, "news broadcast") {
		t.Errorf("story 4 photo: %+v", p.Photo)
	}
	if lost, _ := h.story(t, base+"16"); lost.Photo != nil {
		t.Errorf("story 16 has a photo the agency never served")
	}
	// The embargo was kept.
	if e, _ := h.story(t, base+"12"); e.EmbargoUntil.IsZero() {
		t.Errorf("story 12 lost its embargo")
	}
	// Webhook events went with the changes.
	var published, unpublished int
	recs, _ := h.st.Changes(ctx, 0, 1000)
	for _, r := range recs {
		for _, ev := range r.Events {
			switch ev.Type {
			case news.EventStoryPublished:
				published++
			case news.EventStoryUnpublished:
				unpublished++
			}
		}
	}
	if published != 6 || unpublished != 1 {
		t.Errorf("events: %d published (want the 6 North Korea stories), %d unpublished", published, unpublished)
	}

	// The same feed again: nothing changes.
	before := map[int64]int64{}
	all, _, _ := h.st.FindArticles(ctx, news.ArticleFilter{Limit: 100})
	for _, x := range all {
		before[x.ID] = x.Version
	}
	res, err = h.g.Ingest(ctx, h.items, h.opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Action != ninjs.Stale {
			t.Fatalf("second reading: %s %s v%d", r.Action, r.URI, r.Version)
		}
	}
	all, _, _ = h.st.FindArticles(ctx, news.ArticleFilter{Limit: 100})
	for _, x := range all {
		if before[x.ID] != x.Version {
			t.Errorf("story %d moved from v%d to v%d on a repeat", x.ID, before[x.ID], x.Version)
		}
	}
}

// A reporter-scope integration's update to a story an editor has put on
// the site (outside the auto-publish sections) is held for the newsroom;
// one with stories:publish applies it.
func TestIngestHeldUpdate(t *testing.T) {
	for _, tc := range []struct {
		scopes []news.Scope
		want   ninjs.Action
	}{
		{[]news.Scope{news.ScopeStoriesWrite}, wire.Held},
		{[]news.Scope{news.ScopeStoriesWrite, news.ScopeStoriesPublish}, ninjs.Update},
	} {
		h := newHarness(t, tc.scopes...)
		ctx := context.Background()
		v1, v2 := h.items[1], h.items[37] // story 2, versions 1 and 2
		if _, err := h.g.Ingest(ctx, []ninjs.Item{v1}, h.opt); err != nil {
			t.Fatal(err)
		}
		a, _ := h.story(t, base+"02")
		ed := editorUser(t, h)
		if err := h.flow.Publish(ctx, ed, a.ID, a.Version); err != nil {
			t.Fatal(err)
		}
		res, err := h.g.Ingest(ctx, []ninjs.Item{v2}, h.opt)
		if err != nil {
			t.Fatal(err)
		}
		a2, w := h.story(t, base+"02")
		if res[0].Action != tc.want {
			t.Errorf("scopes %v: %s", tc.scopes, res[0].Action)
		}
		if tc.want == wire.Held && (w.Version != 1 || a2.Version != a.Version+1 || strings.Contains(a2.BodyHTML, "UPDATE")) {
			t.Errorf("a held update changed something: wire v%d, story v%d", w.Version, a2.Version)
		}
		if tc.want == ninjs.Update && (w.Version != 2 || !strings.Contains(a2.BodyHTML, "UPDATE") || a2.Status != news.StatusPublished) {
			t.Errorf("update: wire v%d, %s", w.Version, a2.Status)
		}
	}
}

func editorUser(t *testing.T, h *harness) *news.User {
	t.Helper()
	u := &news.User{Email: "ed@example.com", Name: "Ed", Role: news.RoleEditor}
	if err := h.st.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}
