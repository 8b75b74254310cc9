package ghostapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"masthead/internal/api"
)

// nodeModules finds the npm packages .ci/run installs (npm ci in
// clienttest/). Locally a test that needs them is skipped with how to get
// them; under CI it fails, so the check never silently goes away.
func nodeModules(t *testing.T) (node, dir string) {
	t.Helper()
	dir, _ = filepath.Abs("clienttest")
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "node_modules", "@tryghost", "content-api"))
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("Ghost's client is not installed (%v): .ci/run runs npm ci in %s", err, dir)
		}
		t.Skipf("Ghost's client is not installed: run `npm ci` in %s (needs Node 18+); %v", dir, err)
	}
	return node, dir
}

// ghostOut is what clienttest/ghost-client.mjs prints.
type ghostList struct {
	Items []map[string]any `json:"items"`
	Meta  struct {
		Pagination struct {
			Page, Pages, Total int
			Limit              any
			Next, Prev         *int
		} `json:"pagination"`
	} `json:"meta"`
}

type ghostErr struct {
	Name, Message, Type string
	Status              int
}

type ghostOut struct {
	Filtered, Either, Featured, Page2, Pages, PagesFiltered, Tags, Authors, V3, V4 ghostList
	BySlug, ByID, Tag, Author, Settings, PageBySlug, PageByID                      map[string]any
	UnknownKey, NotFound, BadFilter, PageDraft                                     *ghostErr
}

// TestGhostClient runs Ghost's own client, @tryghost/content-api 1.12, against
// a real server and checks that it gets what masthead's JSON API says: the
// same stories, in the same order, with the same text, bylines, tags,
// photos and addresses.
func TestGhostClient(t *testing.T) {
	node, dir := nodeModules(t)
	p := newPaper(t, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	slug := p.stories[5].Slug
	cmd := exec.CommandContext(ctx, node, filepath.Join(dir, "ghost-client.mjs"), p.srv.URL, p.key, slug, p.kang.Slug)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ghost-client.mjs: %v\n%s", err, stderr.String())
	}
	var out ghostOut
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("client output: %v\n%s", err, stdout.String())
	}

	// What masthead's own API says about every public story.
	var list api.ListResult
	p.get(t, "/api/v1/articles?per_page=100", &list)
	own := map[string]api.Article{}
	var ownOrder []string
	for _, it := range list.Items {
		var a api.Article
		p.get(t, "/api/v1/articles/"+strconv.FormatInt(it.ID, 10), &a)
		id := strconv.FormatInt(a.ID, 10)
		own[id] = a
		ownOrder = append(ownOrder, id)
	}
	if len(own) != len(p.stories) {
		t.Fatalf("the JSON API lists %d stories, the fixture has %d public", len(own), len(p.stories))
	}
	// tag:north-korea is the section or the tag of that slug.
	filed := func(a api.Article, slug string) bool {
		if a.Section != nil && strings.HasSuffix(a.Section.URL, "/section/"+slug) {
			return true
		}
		return slices.ContainsFunc(a.Tags, func(l api.Link) bool { return strings.HasSuffix(l.URL, "/tag/"+slug) })
	}
	after2020 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	var want []string
	for _, id := range ownOrder {
		a := own[id]
		pub, _ := time.Parse(time.RFC3339, a.PublishedAt)
		if filed(a, "north-korea") && pub.After(after2020) {
			want = append(want, id)
		}
	}
	if got := ids(out.Filtered.Items); !slices.Equal(got, want) {
		t.Fatalf("browse tag:north-korea+published_at:>2020 = %v, JSON API says %v", got, want)
	}
	if pg := out.Filtered.Meta.Pagination; pg.Total != len(want) || pg.Page != 1 || pg.Pages != 1 || pg.Next != nil || pg.Limit != "all" {
		t.Errorf("pagination = %+v", pg)
	}
	for _, post := range out.Filtered.Items {
		samePost(t, post, own[post["id"].(string)])
	}
	samePost(t, out.BySlug, own[out.BySlug["id"].(string)])
	if out.BySlug["slug"] != slug || out.ByID["id"] != out.BySlug["id"] || !strings.Contains(out.BySlug["plaintext"].(string), "Second paragraph.") {
		t.Errorf("read by slug / id: %v / %v", out.BySlug["slug"], out.ByID["id"])
	}
	if out.BySlug["feature_image_caption"] != "Leaders &lt;meet&gt; (Pool photo)" || out.BySlug["feature_image_alt"] != "Two men" {
		t.Errorf("photo caption/alt = %q / %q", out.BySlug["feature_image_caption"], out.BySlug["feature_image_alt"])
	}

	// author:kang,tag:economy (an or) and featured:true.
	var either []string
	for _, id := range ownOrder {
		a := own[id]
		if slices.ContainsFunc(a.Authors, func(l api.Link) bool { return strings.HasSuffix(l.URL, "/author/"+p.kang.Slug) }) || filed(a, "economy") {
			either = append(either, id)
		}
	}
	if got := ids(out.Either.Items); !slices.Equal(got, either) {
		t.Errorf("author:kang,tag:economy = %v, want %v", got, either)
	}
	if got := ids(out.Featured.Items); !slices.Equal(got, []string{strconv.FormatInt(p.stories[7].ID, 10), strconv.FormatInt(p.stories[3].ID, 10)}) {
		t.Errorf("featured = %v (the curated front page's public stories, newest first)", got)
	}
	// Page 2 of 3 a page.
	if got := ids(out.Page2.Items); !slices.Equal(got, ownOrder[3:6]) {
		t.Errorf("page 2 = %v, want %v", got, ownOrder[3:6])
	}
	if pg := out.Page2.Meta.Pagination; pg.Page != 2 || pg.Total != len(own) || pg.Pages != 5 || pg.Prev == nil || *pg.Prev != 1 || pg.Next == nil || *pg.Next != 3 {
		t.Errorf("page 2 pagination = %+v", pg)
	}
	// Pages: the published static pages, as masthead's JSON API lists
	// them, in its order, with the same text and addresses.
	var ownPages struct{ Items []api.Page }
	p.get(t, "/api/v1/pages", &ownPages)
	if len(ownPages.Items) != 2 {
		t.Fatalf("the JSON API lists %d pages, the fixture has 2 published", len(ownPages.Items))
	}
	if len(out.Pages.Items) != len(ownPages.Items) || out.Pages.Meta.Pagination.Total != len(ownPages.Items) {
		t.Fatalf("pages = %d (total %d), JSON API %d", len(out.Pages.Items), out.Pages.Meta.Pagination.Total, len(ownPages.Items))
	}
	for i, own := range ownPages.Items {
		g := out.Pages.Items[i]
		pub, _ := time.Parse(time.RFC3339, own.PublishedAt)
		gpub, _ := time.Parse(time.RFC3339, g["published_at"].(string))
		if g["id"] != strconv.FormatInt(own.ID, 10) || g["slug"] != own.Slug || g["title"] != own.Title || g["url"] != own.URL ||
			g["html"] != own.BodyHTML || !gpub.Truncate(time.Second).Equal(pub) || g["featured"] != false || g["visibility"] != "public" {
			t.Errorf("page %d: Ghost %v, JSON API %+v", i, g, own)
		}
		if d := own.Description; d != "" && (g["custom_excerpt"] != d || g["excerpt"] != d) {
			t.Errorf("page %s excerpt %v / %v, want %q", own.Slug, g["custom_excerpt"], g["excerpt"], d)
		}
	}
	if pt, _ := out.Pages.Items[0]["plaintext"].(string); !strings.Contains(pt, "An independent daily & more.") {
		t.Errorf("page plaintext %q", pt)
	}
	if got := out.PagesFiltered.Items; len(got) != 1 || got[0]["slug"] != "about" || len(got[0]) != 3 {
		t.Errorf("pages slug:[about,ethics] = %v (the draft is not a page)", got)
	}
	if out.PageBySlug["slug"] != "about" || out.PageBySlug["html"] != ownPages.Items[0].BodyHTML || out.PageByID["slug"] != "about" {
		t.Errorf("read page: %v / %v", out.PageBySlug["slug"], out.PageByID["slug"])
	}
	if out.PageDraft == nil || out.PageDraft.Status != 404 {
		t.Errorf("a draft page read: %+v", out.PageDraft)
	}

	// Tags: the sections (primary tags) and the tags, one per slug, counted.
	counts := map[string]float64{}
	for _, tg := range out.Tags.Items {
		counts[tg["slug"].(string)] = tg["count"].(map[string]any)["posts"].(float64)
	}
	wantCount := map[string]float64{}
	for _, a := range own {
		for _, s := range []string{"north-korea", "economy", "sanctions"} {
			if filed(a, s) {
				wantCount[s]++
			}
		}
	}
	if len(counts) != 3 || counts["north-korea"] != wantCount["north-korea"] || counts["economy"] != wantCount["economy"] || counts["sanctions"] != wantCount["sanctions"] {
		t.Errorf("tag counts = %v, want %v", counts, wantCount)
	}
	if out.Tag["slug"] != "north-korea" || out.Tag["name"] != "North Korea" || out.Tag["url"] != p.srv.URL+"/section/north-korea" {
		t.Errorf("read tag = %v", out.Tag)
	}
	authors := map[string]float64{}
	for _, au := range out.Authors.Items {
		authors[au["slug"].(string)] = au["count"].(map[string]any)["posts"].(float64)
	}
	if _, leaked := out.Author["email"]; leaked || out.Author["name"] != p.kang.Name || out.Author["bio"] != p.kang.Bio {
		t.Errorf("read author = %v", out.Author)
	}
	var kangs float64
	for _, a := range own {
		if slices.ContainsFunc(a.Authors, func(l api.Link) bool { return l.Name == p.kang.Name }) {
			kangs++
		}
	}
	if authors[p.kang.Slug] != kangs || len(authors) != 2 {
		t.Errorf("author counts = %v, want %s: %v", authors, p.kang.Slug, kangs)
	}
	if out.Settings["title"] != "The Masthead Times" || out.Settings["description"] != "News of the peninsula" || out.Settings["url"] != p.srv.URL+"/" {
		t.Errorf("settings = %v", out.Settings)
	}
	if len(out.V3.Items) != 2 || len(out.V4.Items) != 2 {
		t.Errorf("v3/v4 clients got %d/%d posts", len(out.V3.Items), len(out.V4.Items))
	}
	for name, e := range map[string]*ghostErr{"unknown key": out.UnknownKey, "not found": out.NotFound, "bad filter": out.BadFilter} {
		if e == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if e := out.UnknownKey; e != nil && (e.Status != 401 || e.Name != "UnauthorizedError" || e.Message != "Unknown Content API Key") {
		t.Errorf("unknown key: %+v", e)
	}
	if e := out.NotFound; e != nil && (e.Status != 404 || e.Name != "NotFoundError") {
		t.Errorf("not found: %+v", e)
	}
	if e := out.BadFilter; e != nil && (e.Status != 400 || e.Name != "BadRequestError") {
		t.Errorf("bad filter: %+v", e)
	}
}

func ids(items []map[string]any) []string {
	var out []string
	for _, it := range items {
		out = append(out, it["id"].(string))
	}
	return out
}

// samePost compares what Ghost's client got with the JSON API's story.
func samePost(t *testing.T, post map[string]any, a api.Article) {
	t.Helper()
	id := post["id"]
	if post["title"] != a.Headline || post["url"] != a.URL || post["html"] != a.BodyHTML || post["custom_excerpt"] != a.Deck {
		t.Errorf("post %v: title %q url %q html %q, JSON API: %q %q %q", id, post["title"], post["url"], post["html"], a.Headline, a.URL, a.BodyHTML)
	}
	for _, f := range [][2]string{{"published_at", a.PublishedAt}, {"updated_at", a.UpdatedAt}} {
		g, err1 := time.Parse(time.RFC3339, post[f[0]].(string))
		w, err2 := time.Parse(time.RFC3339, f[1])
		if err1 != nil || err2 != nil || !g.Equal(w) {
			t.Errorf("post %v: %s %v, JSON API %v", id, f[0], post[f[0]], f[1])
		}
	}
	var names, urls []string
	for _, au := range post["authors"].([]any) {
		m := au.(map[string]any)
		names, urls = append(names, m["name"].(string)), append(urls, m["url"].(string))
	}
	var wantNames, wantURLs []string
	for _, l := range a.Authors {
		wantNames, wantURLs = append(wantNames, l.Name), append(wantURLs, l.URL)
	}
	if !slices.Equal(names, wantNames) || !slices.Equal(urls, wantURLs) {
		t.Errorf("post %v: authors %v %v, JSON API %v %v", id, names, urls, wantNames, wantURLs)
	}
	if pa := post["primary_author"].(map[string]any); pa["name"] != a.Authors[0].Name {
		t.Errorf("post %v: primary author %v", id, pa["name"])
	}
	var tags []string
	for _, tg := range post["tags"].([]any) {
		tags = append(tags, tg.(map[string]any)["url"].(string))
	}
	var wantTags []string
	if a.Section != nil {
		wantTags = append(wantTags, a.Section.URL)
	}
	for _, l := range a.Tags {
		// A tag with the section's slug is the section's tag.
		if a.Section == nil || strings.TrimPrefix(l.URL, strings.Split(l.URL, "/tag/")[0]+"/tag/") != strings.TrimPrefix(a.Section.URL, strings.Split(a.Section.URL, "/section/")[0]+"/section/") {
			wantTags = append(wantTags, l.URL)
		}
	}
	if !slices.Equal(tags, wantTags) {
		t.Errorf("post %v: tags %v, JSON API section and tags %v", id, tags, wantTags)
	}
	if a.Section != nil && post["primary_tag"].(map[string]any)["name"] != a.Section.Name {
		t.Errorf("post %v: primary tag %v, section %v", id, post["primary_tag"], a.Section.Name)
	}
	if a.Photo != nil {
		if post["feature_image"] != a.Photo.URL || post["feature_image_alt"] != a.Photo.Alt {
			t.Errorf("post %v: feature image %v, JSON API %v", id, post["feature_image"], a.Photo.URL)
		}
	} else if post["feature_image"] != nil {
		t.Errorf("post %v: a feature image the JSON API does not have: %v", id, post["feature_image"])
	}
}
