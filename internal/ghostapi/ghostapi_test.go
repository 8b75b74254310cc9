package ghostapi_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
)

type errBody struct {
	Errors []struct {
		Message, Type, ID string
	} `json:"errors"`
}

// The Content API's answers that Ghost's client does not exercise: every
// refusal in Ghost's error shape, parameters, prefixes and CORS.
func TestContentAPI(t *testing.T) {
	p := newPaper(t, 0)
	k := "?key=" + p.key
	get := func(path string, v any) int { t.Helper(); return p.get(t, path, v) }

	var e errBody
	if st := get("/ghost/api/content/posts/", &e); st != http.StatusUnauthorized || len(e.Errors) != 1 || e.Errors[0].Type != "UnauthorizedError" || e.Errors[0].ID == "" {
		t.Errorf("no key: %d %+v", st, e)
	}
	for _, tc := range []struct {
		path   string
		status int
		typ    string
	}{
		{"/ghost/api/content/posts/?key=0123456789abcdef0123456789", 401, "UnauthorizedError"},
		{"/ghost/api/content/posts/" + k + "&filter=" + url.QueryEscape("tag:news+"), 400, "BadRequestError"},
		{"/ghost/api/content/posts/" + k + "&filter=" + url.QueryEscape("body:x"), 400, "BadRequestError"},
		{"/ghost/api/content/posts/" + k + "&filter=" + url.QueryEscape("published_at:'2020'"), 400, "BadRequestError"},
		{"/ghost/api/content/posts/" + k + "&filter=" + url.QueryEscape("published_at:>'yesterday'"), 400, "BadRequestError"},
		{"/ghost/api/content/posts/" + k + "&order=body+desc", 400, "BadRequestError"},
		{"/ghost/api/content/posts/" + k + "&limit=0", 400, "BadRequestError"},
		{"/ghost/api/content/posts/" + k + "&page=x", 400, "BadRequestError"},
		{"/ghost/api/content/posts/" + k + "&formats=pdf", 400, "BadRequestError"},
		{"/ghost/api/content/posts/slug/" + p.hidden[0].Slug + "/" + k, 404, "NotFoundError"},
		{"/ghost/api/content/posts/" + strconv.FormatInt(p.hidden[2].ID, 10) + "/" + k, 404, "NotFoundError"},
		{"/ghost/api/content/posts/slug/nope/" + k, 404, "NotFoundError"},
		{"/ghost/api/content/tags/slug/nope/" + k, 404, "NotFoundError"},
		{"/ghost/api/content/authors/12345/" + k, 404, "NotFoundError"},
		{"/ghost/api/content/tiers/" + k, 404, "NotFoundError"},
		{"/ghost/api/content/tags/" + k + "&filter=" + url.QueryEscape("count:1"), 400, "BadRequestError"},
	} {
		var e errBody
		if st := get(tc.path, &e); st != tc.status || len(e.Errors) != 1 || e.Errors[0].Type != tc.typ || e.Errors[0].Message == "" {
			t.Errorf("GET %s: %d %+v, want %d %s", tc.path, st, e, tc.status, tc.typ)
		}
	}

	type postList struct {
		Posts []map[string]any `json:"posts"`
		Meta  struct {
			Pagination map[string]any `json:"pagination"`
		} `json:"meta"`
	}
	var pl postList
	get("/ghost/api/content/posts/"+k, &pl)
	if len(pl.Posts) != 14 || pl.Meta.Pagination["limit"] != float64(15) || pl.Meta.Pagination["total"] != float64(14) {
		t.Errorf("default page: %d posts, %v", len(pl.Posts), pl.Meta.Pagination)
	}
	if _, ok := pl.Posts[0]["tags"]; ok {
		t.Error("tags without include=tags")
	}
	if _, ok := pl.Posts[0]["plaintext"]; ok || pl.Posts[0]["html"] == nil {
		t.Error("default formats are html only")
	}
	pl = postList{}
	get("/ghost/api/content/posts/"+k+"&fields=title,slug&formats=plaintext&filter="+url.QueryEscape("tag:-[economy,sanctions]"), &pl)
	for _, post := range pl.Posts {
		if len(post) != 2 || post["title"] == nil {
			t.Errorf("fields=title,slug gave %v", post)
		}
	}
	// Not economy (section or tag) and not sanctions: nothing in the fixture.
	if len(pl.Posts) != 0 {
		t.Errorf("tag:-[economy,sanctions] = %d posts", len(pl.Posts))
	}
	// Story 7 is on the front page: featured.
	pl = postList{}
	get("/ghost/api/content/posts/"+k+"&filter="+url.QueryEscape("featured:false+primary_author:김민지")+"&order=published_at+asc&fields=id", &pl)
	if len(pl.Posts) != 4 || pl.Posts[0]["id"] != strconv.FormatInt(p.stories[1].ID, 10) {
		t.Errorf("featured:false+primary_author:김민지 oldest first = %v", pl.Posts)
	}
	pl = postList{}
	get("/ghost/api/content/posts/"+k+"&filter="+url.QueryEscape("visibility:public+feature_image:-null"), &pl)
	if len(pl.Posts) != 1 || pl.Posts[0]["id"] != strconv.FormatInt(p.stories[5].ID, 10) {
		t.Errorf("feature_image:-null = %d posts", len(pl.Posts))
	}

	// Browsers preflight Accept-Version from another origin.
	req, _ := http.NewRequest(http.MethodOptions, p.srv.URL+"/ghost/api/content/posts/", nil)
	req.Header.Set("Origin", "https://front.example")
	req.Header.Set("Access-Control-Request-Headers", "accept-version")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNoContent || res.Header.Get("Access-Control-Allow-Origin") != "*" || res.Header.Get("Access-Control-Allow-Headers") == "" {
		t.Errorf("preflight: %d %v", res.StatusCode, res.Header)
	}
}

// A key over its limit is answered 429 with Retry-After, in Ghost's shape.
func TestContentAPIRateLimit(t *testing.T) {
	p := newPaper(t, 2)
	path := "/ghost/api/content/settings/?key=" + p.key
	for i := 0; i < 2; i++ {
		if st := p.get(t, path, nil); st != http.StatusOK {
			t.Fatalf("call %d: %d", i+1, st)
		}
	}
	res, err := http.Get(p.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "30" {
		t.Fatalf("third call in a minute with a limit of 2: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
}
