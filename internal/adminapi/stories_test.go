package adminapi_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/internal/news"
)

type story struct {
	ID           int64
	Version      int64
	Status       string
	URL          string
	Slug         string
	Headline     string
	Deck         string
	BodyHTML     string `json:"body_html"`
	BodyMarkdown string `json:"body_markdown"`
	Section      *struct{ Slug string }
	Authors      []struct{ Slug string }
	Tags         []struct{ Name string }
	Photo        *struct{ ID int64 }
	EmbargoUntil *string `json:"embargo_until"`
}

func storyPath(id int64, rest string) string {
	return fmt.Sprintf("/api/admin/v1/stories/%d%s", id, rest)
}

// A key with stories:write has a reporter's rights: it makes drafts, edits
// what it made while a draft or in review, and submits; it cannot publish,
// set an embargo or touch a published story. A key with stories:publish
// has an editor's. A stale version is refused naming what changed.
func TestStoriesWorkflow(t *testing.T) {
	p := newPaper(t)
	w, ed := p.writer.AdminKey, p.editor.AdminKey
	var e apiErr
	var s story
	st := p.do(t, "POST", "/api/admin/v1/stories", w, map[string]any{"headline": "Missile launch", "deck": "Short range.",
		"body_markdown": "Seoul said **two** missiles.", "section": "world", "authors": []string{"kim-tong-hyung"}, "tags": []string{"North Korea", "Missiles"}}, &s)
	if st != 201 || s.ID == 0 || s.Version != 1 || s.Status != "draft" || s.Section == nil || s.Section.Slug != "world" ||
		len(s.Authors) != 1 || s.Authors[0].Slug != "kim-tong-hyung" || len(s.Tags) != 2 || !strings.Contains(s.BodyHTML, "<strong>two</strong>") {
		t.Fatalf("create: %d %+v", st, s)
	}
	id := s.ID
	// The integration's account made it: revisions and the audit name it.
	revs, _ := p.st.FindRevisions(context.Background(), id)
	u, _ := p.st.FindUserByID(context.Background(), revs[0].UserID)
	if u == nil || u.Name != "Wire desk (integration)" || u.Role != news.RoleReporter || u.PasswordHash != "" {
		t.Fatalf("revision by %+v", u)
	}

	// PATCH at the current version changes what it names only.
	st = p.do(t, "PATCH", storyPath(id, ""), w, map[string]any{"version": 1, "headline": "Two missiles launched"}, &s)
	if st != 200 || s.Version != 2 || s.Headline != "Two missiles launched" || s.Deck != "Short range." || len(s.Tags) != 2 {
		t.Fatalf("patch: %d %+v", st, s)
	}
	// Another write meanwhile (an editor's deck), then a PATCH at version 2.
	p.do(t, "PATCH", storyPath(id, ""), ed, map[string]any{"version": 2, "deck": "Both short range."}, &s)
	e = apiErr{}
	st = p.do(t, "PATCH", storyPath(id, ""), w, map[string]any{"version": 2, "headline": "Mine"}, &e)
	if st != 409 || e.Error.Code != "conflict" || !slices.Equal(e.Error.Fields, []string{"deck"}) {
		t.Fatalf("stale patch: %d %+v", st, e)
	}
	if cur := p.get(t, id); cur.Headline != "Two missiles launched" || cur.Version != 3 {
		t.Fatalf("a stale patch changed the story: %+v", cur)
	}

	// The reporter's key cannot publish, schedule or embargo.
	for _, tc := range []struct{ path, body string }{
		{storyPath(id, "/publish"), `{"version": 3}`},
		{storyPath(id, "/schedule"), `{"version": 3, "at": "2026-03-23T09:00:00Z"}`},
		{storyPath(id, "/unpublish"), ``},
		{storyPath(id, "/embargo"), `{"version": 3, "until": "2026-03-23T09:00:00Z"}`},
		{storyPath(id, "/corrections"), `{"kind": "correction", "text": "x"}`},
	} {
		e = apiErr{}
		if st := p.do(t, "POST", tc.path, w, tc.body, &e); st != 403 || e.Error.Code != "forbidden" {
			t.Errorf("reporter key POST %s: %d %+v", tc.path, st, e)
		}
	}
	e = apiErr{}
	if st := p.do(t, "PATCH", storyPath(id, ""), w, map[string]any{"version": 3, "embargo_until": "2026-03-23T09:00:00Z"}, &e); st != 403 || e.Error.Field != "embargo_until" {
		t.Errorf("reporter key sets an embargo: %d %+v", st, e)
	}
	if st := p.do(t, "POST", storyPath(id, "/submit"), w, nil, &s); st != 200 || s.Status != "review" {
		t.Fatalf("submit: %d %+v", st, s)
	}
	// The editor's key publishes the version it reviewed; a stale one is
	// refused.
	e = apiErr{}
	if st := p.do(t, "POST", storyPath(id, "/publish"), ed, `{"version": 2}`, &e); st != 409 || e.Error.Code != "conflict" || len(e.Error.Fields) == 0 {
		t.Fatalf("publish of an older version: %d %+v", st, e)
	}
	cur := p.get(t, id)
	if st := p.do(t, "POST", storyPath(id, "/publish"), ed, fmt.Sprintf(`{"version": %d}`, cur.Version), &s); st != 200 || s.Status != "published" || !strings.HasPrefix(s.URL, p.srv.URL+"/2026/03/22/") {
		t.Fatalf("publish: %d %+v", st, s)
	}
	// Published: the reporter's key may no longer edit it.
	e = apiErr{}
	if st := p.do(t, "PATCH", storyPath(id, ""), w, map[string]any{"version": s.Version, "headline": "Late"}, &e); st != 403 {
		t.Errorf("reporter key edits a published story: %d %+v", st, e)
	}
	// Corrections, embargo and unpublish with the editor's key.
	if st := p.do(t, "POST", storyPath(id, "/corrections"), ed, `{"kind": "correction", "text": "An earlier version gave the wrong count."}`, &s); st != 201 {
		t.Fatalf("correction: %d", st)
	}
	cur = p.get(t, id)
	if st := p.do(t, "POST", storyPath(id, "/embargo"), ed, fmt.Sprintf(`{"version": %d, "until": "2026-03-22T18:00:00Z"}`, cur.Version), &s); st != 200 || s.EmbargoUntil == nil {
		t.Fatalf("embargo: %d %+v", st, s)
	}
	if st := p.do(t, "POST", storyPath(id, "/unpublish"), ed, nil, &s); st != 200 || s.Status != "unpublished" {
		t.Fatalf("unpublish: %d %+v", st, s)
	}
	// Each move wrote its webhook event in its own transaction.
	var types []string
	recs, _ := p.st.Changes(context.Background(), 0, 100)
	for _, r := range recs {
		for _, ev := range r.Events {
			if ev.ArticleID == id {
				types = append(types, string(ev.Type))
			}
		}
	}
	for _, want := range []string{"story.published", "story.corrected", "story.unpublished"} {
		if !slices.Contains(types, want) {
			t.Errorf("change log events %v lack %s", types, want)
		}
	}

	// The reporter's key does not find a story it did not make.
	e = apiErr{}
	s2 := story{}
	p.do(t, "POST", "/api/admin/v1/stories", ed, map[string]any{"headline": "Editor's own", "authors": []string{"jane-doe"}}, &s2)
	if st := p.do(t, "GET", storyPath(s2.ID, ""), w, nil, &e); st != 404 {
		t.Errorf("reporter key reads another's draft: %d", st)
	}
}

func (p *paper) get(t *testing.T, id int64) story {
	t.Helper()
	var s story
	if st := p.do(t, "GET", storyPath(id, ""), p.editor.AdminKey, nil, &s); st != 200 {
		t.Fatalf("GET story %d: %d", id, st)
	}
	return s
}

// Bad bodies are refused naming the field, and change nothing.
func TestStoryRefusals(t *testing.T) {
	p := newPaper(t)
	w := p.writer.AdminKey
	for _, tc := range []struct {
		body  any
		field string
	}{
		{map[string]any{"deck": "no headline"}, "headline"},
		{map[string]any{"headline": "x", "section": "nope"}, "section"},
		{map[string]any{"headline": "x", "authors": []string{"nobody"}}, "authors"},
		{map[string]any{"headline": "x", "body_markdown": "a", "body_html": "<p>b</p>"}, "body_html"},
		{map[string]any{"headline": "x", "byline": "me"}, "byline"},
		{map[string]any{"headline": 7}, "headline"},
		{map[string]any{"headline": "x", "version": 3}, "version"},
		{map[string]any{"headline": strings.Repeat("h", 301)}, "headline"},
		{map[string]any{"headline": "x", "lang": "not a language"}, "lang"},
		{map[string]any{"headline": "x", "photo_id": 999}, "photo_id"},
	} {
		var e apiErr
		if st := p.do(t, "POST", "/api/admin/v1/stories", w, tc.body, &e); st != 400 || e.Error.Code != "invalid" || e.Error.Field != tc.field || e.Error.Message == "" {
			t.Errorf("POST %v: %d %+v, want 400 on %s", tc.body, st, e, tc.field)
		}
	}
	if _, total, _ := p.st.FindArticles(context.Background(), news.ArticleFilter{}); total != 0 {
		t.Fatalf("refused creates stored %d stories", total)
	}
	var s story
	p.do(t, "POST", "/api/admin/v1/stories", w, map[string]any{"headline": "HTML story", "body_html": `<p onclick="x()">Hi<script>alert(1)</script></p>`}, &s)
	if strings.Contains(s.BodyHTML, "script") || strings.Contains(s.BodyHTML, "onclick") || s.BodyMarkdown != "" || !strings.Contains(s.BodyHTML, "Hi") {
		t.Errorf("body_html stored as %q", s.BodyHTML)
	}
	var e apiErr
	if st := p.do(t, "PATCH", storyPath(s.ID, ""), w, map[string]any{"headline": "no version"}, &e); st != 400 || e.Error.Field != "version" {
		t.Errorf("PATCH without a version: %d %+v", st, e)
	}
}

// A create retried with the same Idempotency-Key makes one story, however
// the retries interleave; every retry gets the first answer.
func TestIdempotentStoryCreate(t *testing.T) {
	p := newPaper(t)
	body := map[string]any{"headline": "Retried create", "body_markdown": "Once."}
	var wg sync.WaitGroup
	start := make(chan struct{})
	ids := make([]int64, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for try := 0; try < 400; try++ {
				var s story
				st, _ := p.doH(t, "POST", "/api/admin/v1/stories", p.writer.AdminKey, body, &s, "Idempotency-Key", "wire-1")
				if st == 201 {
					ids[i] = s.ID
					return
				}
				if st != 409 {
					t.Errorf("status %d", st)
					return
				}
				time.Sleep(5 * time.Millisecond)
			}
			t.Error("never answered")
		}()
	}
	close(start)
	wg.Wait()
	for _, id := range ids {
		if id == 0 || id != ids[0] {
			t.Fatalf("answers: %v", ids)
		}
	}
	if _, total, _ := p.st.FindArticles(context.Background(), news.ArticleFilter{}); total != 1 {
		t.Fatalf("%d stories made by one create retried 8 times at once", total)
	}
	// The answer was stored in the create's own transaction: it names the
	// story that transaction made.
	rec, _ := p.st.BeginIdempotent(context.Background(), &news.IdempotencyRecord{IntegrationID: p.writer.Integration.ID, Key: "wire-1", CreatedAt: now}, time.Hour)
	if rec == nil || rec.Status != 201 || !strings.Contains(string(rec.Body), fmt.Sprintf(`"id":%d`, ids[0])) {
		t.Fatalf("stored answer: %+v", rec)
	}
}

func jpegBytes(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := 0; x < 64; x++ {
		for y := 0; y < 48; y++ {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 120, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestPhotoUpload(t *testing.T) {
	p := newPaper(t)
	upload := func(key string, fields map[string]string, file []byte) (int, map[string]any) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		for k, v := range fields {
			mw.WriteField(k, v)
		}
		if file != nil {
			fw, _ := mw.CreateFormFile("file", "photo.jpg")
			fw.Write(file)
		}
		mw.Close()
		req, _ := http.NewRequest("POST", p.srv.URL+"/api/admin/v1/photos", &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		decodeJSON(res, &out)
		return res.StatusCode, out
	}
	img := jpegBytes(t)
	if st, _ := upload(p.writer.AdminKey, nil, img); st != 403 {
		t.Errorf("upload without photos:write: %d", st)
	}
	st, ph := upload(p.editor.AdminKey, map[string]string{"caption": "Seoul at night", "credit": "AP Photo", "alt": "Lights", "focal_x": "0.3", "focal_y": "0.6"}, img)
	if st != 201 || ph["caption"] != "Seoul at night" || ph["credit"] != "AP Photo" || ph["alt"] != "Lights" || ph["focal_x"] != 0.3 || ph["width"] != float64(64) {
		t.Fatalf("upload: %d %v", st, ph)
	}
	for _, tc := range []struct {
		fields map[string]string
		file   []byte
		field  string
	}{
		{map[string]string{"focal_x": "1.5"}, img, "focal_x"},
		{nil, nil, "file"},
		{nil, []byte("not an image at all"), "file"},
	} {
		st, out := upload(p.editor.AdminKey, tc.fields, tc.file)
		if er, _ := out["error"].(map[string]any); st != 400 || er == nil || er["field"] != tc.field {
			t.Errorf("upload %v: %d %v", tc.fields, st, out)
		}
	}
	id := int64(ph["id"].(float64))
	var e apiErr
	if st := p.do(t, "PATCH", fmt.Sprintf("/api/admin/v1/photos/%d", id), p.editor.AdminKey, map[string]any{"focal_x": 2}, &e); st != 400 || e.Error.Field != "focal_x" {
		t.Errorf("PATCH bad focal point: %d %+v", st, e)
	}
	var out map[string]any
	if st := p.do(t, "PATCH", fmt.Sprintf("/api/admin/v1/photos/%d", id), p.editor.AdminKey, map[string]any{"credit": "Pool photo", "focal_y": 0.2}, &out); st != 200 || out["credit"] != "Pool photo" || out["focal_y"] != 0.2 || out["caption"] != "Seoul at night" {
		t.Errorf("PATCH photo: %d %v", st, out)
	}
	// A story takes it by id.
	var s story
	if st := p.do(t, "POST", "/api/admin/v1/stories", p.editor.AdminKey, map[string]any{"headline": "With photo", "photo_id": id}, &s); st != 201 || s.Photo == nil || s.Photo.ID != id {
		t.Errorf("story with photo: %d %+v", st, s)
	}
}
