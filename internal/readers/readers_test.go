package readers_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"masthead/internal/auth"
	"masthead/internal/comments"
	"masthead/internal/mail"
	"masthead/internal/mail/mailpit"
	"masthead/internal/news"
	"masthead/internal/readers"
	"masthead/internal/site"
	"masthead/internal/store/sqlite"
)

type env struct {
	t    *testing.T
	srv  *httptest.Server
	st   *sqlite.DB
	mp   *mailpit.Server
	rd   *readers.Readers
	http *http.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	mp := mailpit.FromEnv(t)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{t: t, st: st, mp: mp}
	mux := http.NewServeMux()
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	paper := &news.Paper{Name: "The Test Herald", BaseURL: e.srv.URL, Language: "en", Location: time.UTC}
	m, err := mail.New(mail.Config{URL: mp.URL(), From: "The Test Herald <news@masthead.test>", Rate: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	shell := site.New(site.Config{Paper: paper, Store: st})
	e.rd, err = readers.New(ctx, readers.Config{Paper: paper, Store: st, Mail: m, Shell: shell})
	if err != nil {
		t.Fatal(err)
	}
	e.rd.Register(mux)
	jar, _ := cookiejar.New(nil)
	e.http = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return e
}

// post sends a form as our own page would (Origin set).
func (e *env) post(path string, form url.Values) (int, string) {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.srv.URL)
	return e.do(req)
}

func (e *env) get(path string) (int, string) {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
	return e.do(req)
}

func (e *env) do(req *http.Request) (int, string) {
	e.t.Helper()
	resp, err := e.http.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var linkRE = regexp.MustCompile(`https?://\S+`)

// link reads the newest mail to addr and returns its link with path.
func (e *env) link(addr, path string, n int) *url.URL {
	e.t.Helper()
	got := e.mp.Wait(e.t, addr, n)
	m, err := e.mp.Message(context.Background(), got[len(got)-1].ID)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, l := range linkRE.FindAllString(m.Text, -1) {
		u, err := url.Parse(l)
		if err == nil && u.Path == path {
			return u
		}
	}
	e.t.Fatalf("no %s link in the mail:\n%s", path, m.Text)
	return nil
}

func TestSubscribeConfirmUnsubscribe(t *testing.T) {
	e := newEnv(t)
	addr := mailpit.Address("subscribe")
	if code, body := e.post("/newsletters/subscribe", url.Values{"email": {addr}}); code != 200 || !strings.Contains(body, "Check your inbox") {
		t.Fatalf("subscribe: %d\n%s", code, body)
	}
	ctx := context.Background()
	subs, err := e.st.SubscriptionsByEmail(ctx, addr)
	if err != nil || len(subs) != 1 || subs[0].Status != news.SubPending {
		t.Fatalf("after sign-up: %v %v", subs, err)
	}
	confirm := e.link(addr, "/newsletters/confirm", 1)
	// The link opens a page with a button: fetching it (as mail scanners
	// do) confirms nothing.
	if code, body := e.get(confirm.RequestURI()); code != 200 || !strings.Contains(body, `id="confirm-subscription"`) {
		t.Fatalf("confirm page: %d", code)
	}
	if s, _ := e.st.FindSubscription(ctx, subs[0].ID); s.Status != news.SubPending {
		t.Fatalf("GET confirmed the subscription")
	}
	if code, body := e.post("/newsletters/confirm", url.Values{"t": {confirm.Query().Get("t")}}); code != 200 || !strings.Contains(body, "You are subscribed") {
		t.Fatalf("confirm: %d\n%s", code, body)
	}
	s, _ := e.st.FindSubscription(ctx, subs[0].ID)
	if s.Status != news.SubActive || s.ReaderID == 0 {
		t.Fatalf("after confirming: %+v", s)
	}
	if code, _ := e.post("/newsletters/confirm", url.Values{"t": {confirm.Query().Get("t")}}); code != http.StatusGone {
		t.Errorf("a confirmation link used twice: %d, want 410", code)
	}

	// One-click unsubscribe as a mailbox provider does it (RFC 8058): a
	// POST from its server, no cookie, no Origin.
	u := e.rd.UnsubscribeURL(s.ID)
	if code, _ := e.get(strings.TrimPrefix(u, e.srv.URL)); code != 200 {
		t.Fatalf("unsubscribe page: %d", code)
	}
	if s, _ := e.st.FindSubscription(ctx, s.ID); s.Status != news.SubActive {
		t.Fatalf("GET unsubscribed")
	}
	bad := strings.Replace(u, "t=", "t=x", 1)
	resp, err := http.Post(bad, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if s, _ := e.st.FindSubscription(ctx, s.ID); resp.StatusCode != 404 || s.Status != news.SubActive {
		t.Errorf("a forged unsubscribe link: %d, status %s", resp.StatusCode, s.Status)
	}
	resp, err = http.Post(u, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if s, _ := e.st.FindSubscription(ctx, s.ID); resp.StatusCode != 200 || s.Status != news.SubUnsubscribed {
		t.Errorf("one-click unsubscribe: %d, status %s", resp.StatusCode, s.Status)
	}
}

func TestSignInByMagicLink(t *testing.T) {
	e := newEnv(t)
	addr := mailpit.Address("signin")
	if code, body := e.get("/account"); code != 200 || !strings.Contains(body, `action="/account/signin"`) {
		t.Fatalf("signed-out account page: %d\n%s", code, body)
	}
	if code, body := e.post("/account/signin", url.Values{"email": {"not-an-address"}}); code != 422 || !strings.Contains(body, "aria-invalid") {
		t.Errorf("bad address: %d", code)
	}
	// A cross-site form is refused before any mail goes out.
	req, _ := http.NewRequest("POST", e.srv.URL+"/account/signin", strings.NewReader(url.Values{"email": {addr}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if code, _ := e.do(req); code != 403 {
		t.Errorf("cross-site sign-in request: %d, want 403", code)
	}
	if code, _ := e.post("/account/signin", url.Values{"email": {addr}}); code != 200 {
		t.Fatalf("ask for a link: %d", code)
	}
	link := e.link(addr, "/account/signin", 1)
	tok := link.Query().Get("t")
	var plain, all int
	_, rdb := e.st.Pools()
	if err := rdb.QueryRow(`SELECT count(*) FILTER (WHERE hash = ? OR data = ?), count(*) FROM reader_tokens`, tok, tok).Scan(&plain, &all); err != nil || plain != 0 || all != 1 {
		t.Errorf("tokens: %d stored as mailed, %d in all (%v): the secret must be kept only hashed", plain, all, err)
	}
	if code, body := e.get(link.RequestURI()); code != 200 || !strings.Contains(body, `id="signin-confirm"`) {
		t.Fatalf("link page: %d", code)
	}
	if code, body := e.get("/account"); !strings.Contains(body, `action="/account/signin"`) {
		t.Fatalf("opening the link signed in already (%d)", code)
	}
	code, _ := e.post("/account/signin/confirm", url.Values{"t": {tok}})
	if code != http.StatusSeeOther {
		t.Fatalf("sign in: %d", code)
	}
	code, body := e.get("/account")
	if code != 200 || !strings.Contains(body, "Your newsletters") || strings.Contains(body, addr) {
		t.Fatalf("account page after sign-in (the address must not show): %d\n%s", code, body)
	}
	// The cookie is scoped to /account: story pages never carry it.
	u, _ := url.Parse(e.srv.URL + "/2026/01/01/story")
	if cs := e.http.Jar.Cookies(u); len(cs) != 0 {
		t.Errorf("reader cookie sent to story pages: %v", cs)
	}
	if code, body := e.get("/account/me.json"); code != 200 || !strings.Contains(body, `"signed_in":true`) {
		t.Errorf("me.json: %d %s", code, body)
	}
	if code, body := e.get("/account/export"); code != 200 || !strings.Contains(body, `"email": "`+addr+`"`) || !strings.Contains(body, `"subscriptions"`) {
		t.Errorf("export: %d\n%s", code, body)
	}
	// Deleting needs the box ticked and the form's token.
	_, page := e.get("/account")
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)[1]
	if code, _ := e.post("/account/delete", url.Values{"csrf": {"forged"}, "confirm": {"delete"}}); code != http.StatusForbidden {
		t.Errorf("delete with a forged token: %d", code)
	}
	if code, _ := e.post("/account/delete", url.Values{"csrf": {csrf}}); code != http.StatusUnprocessableEntity {
		t.Errorf("delete without the box: %d", code)
	}
	if code, _ := e.post("/account/delete", url.Values{"csrf": {csrf}, "confirm": {"delete"}}); code != 200 {
		t.Errorf("delete: %d", code)
	}
	if _, err := e.st.FindReaderByEmail(context.Background(), addr); err == nil {
		t.Error("the reader survived deleting the account")
	}
	// Single use.
	jar, _ := cookiejar.New(nil)
	e.http.Jar = jar
	if code, _ := e.post("/account/signin/confirm", url.Values{"t": {tok}}); code != http.StatusGone {
		t.Errorf("link used twice: %d, want 410", code)
	}
}

func TestBounceWebhook(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	lists, _ := e.st.ListNewsletterLists(ctx)
	var ids []int64
	for _, l := range lists {
		s, _ := e.st.Subscribe(ctx, l.ID, 0, "hard@example.org", time.Now())
		_ = e.st.SetSubscriptionStatus(ctx, s.ID, news.SubActive, time.Now())
		ids = append(ids, s.ID)
	}
	send := func(key, body string) int {
		req, _ := http.NewRequest("POST", e.srv.URL+"/newsletters/bounces", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		code, _ := e.do(req)
		return code
	}
	if code := send("x", `{"email":"hard@example.org","type":"bounce"}`); code != 404 {
		t.Errorf("without a configured key: %d, want 404", code)
	}
	_ = e.st.PutSetting(ctx, readers.KeyBounceSecret, "s3cret-key")
	if code := send("wrong", `{"email":"hard@example.org","type":"bounce"}`); code != 401 {
		t.Errorf("wrong key: %d", code)
	}
	if code := send("s3cret-key", `[{"email":"hard@example.org","type":"bounce"},{"email":"x","type":"bounce"}]`); code != 400 {
		t.Errorf("a bad report in the batch: %d, want 400", code)
	}
	if s, _ := e.st.FindSubscription(ctx, ids[0]); s.Status != news.SubActive {
		t.Errorf("a refused batch changed a subscription")
	}
	if code := send("s3cret-key", `{"email":"HARD@example.org","type":"bounce"}`); code != 200 {
		t.Errorf("hard bounce: %d", code)
	}
	for _, id := range ids {
		if s, _ := e.st.FindSubscription(ctx, id); s.Status != news.SubBounced {
			t.Errorf("subscription %d after a hard bounce: %s", id, s.Status)
		}
	}
}

// deskClient is a newsroom user of the given role, signed in.
func (e *env) deskClient(role news.Role) (*http.Client, string) {
	e.t.Helper()
	ctx := context.Background()
	u := &news.User{Email: string(role) + "@newsroom.test", Name: string(role), Role: role, PasswordHash: "x"}
	if err := e.st.CreateUser(ctx, u); err != nil {
		e.t.Fatal(err)
	}
	tok, sess, err := auth.NewSessions(e.st, nil).Create(ctx, u.ID, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	su, _ := url.Parse(e.srv.URL + "/newsroom/")
	jar.SetCookies(su, []*http.Cookie{{Name: auth.CookieName, Value: tok, Path: "/newsroom"}})
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, sess.CSRFToken
}

func TestNewsroomDesk(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sec := &news.Section{Slug: "business", Name: "Business"}
	if err := e.st.CreateSection(ctx, sec); err != nil {
		t.Fatal(err)
	}
	reporter, rcsrf := e.deskClient(news.RoleContributor)
	if resp, err := reporter.PostForm(e.srv.URL+"/newsroom/newsletters/lists", url.Values{"csrf": {rcsrf}, "name": {"X"}, "slug": {"x"}, "kind": {"digest"}}); err != nil || resp.StatusCode != 403 {
		t.Errorf("a contributor changing lists: %v %v", resp.StatusCode, err)
	}
	ed, csrf := e.deskClient(news.RoleEditor)
	post := func(path string, form url.Values) int {
		form.Set("csrf", csrf)
		resp, err := ed.PostForm(e.srv.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("/newsroom/newsletters/lists", url.Values{"name": {"Business daily"}, "slug": {"business"}, "kind": {"section"}, "section": {fmt.Sprint(sec.ID)}}); code != 303 {
		t.Fatalf("create a section list: %d", code)
	}
	if code := post("/newsroom/newsletters/lists", url.Values{"name": {"Bad"}, "slug": {"Bad Slug"}, "kind": {"digest"}}); code != 400 {
		t.Errorf("a bad short name: %d", code)
	}
	if code := post("/newsroom/newsletters/lists", url.Values{"name": {"No section"}, "slug": {"nosec"}, "kind": {"section"}}); code != 400 {
		t.Errorf("a section list without its section: %d", code)
	}
	lists, _ := e.st.ListNewsletterLists(ctx)
	var made *news.NewsletterList
	for _, l := range lists {
		if l.Slug == "business" {
			made = l
		}
	}
	if len(lists) != 3 || made == nil || made.SectionID != sec.ID || made.Kind != news.ListSection {
		t.Errorf("lists after the desk: %d, the new one %+v", len(lists), made)
	}
	if code := post("/newsroom/comments/settings", url.Values{"close_days": {"30"}, "rate": {"2"}, "blocked": {"spoiler\nidiot"}, "pre": {fmt.Sprint(sec.ID)}}); code != 303 {
		t.Fatalf("save comment rules: %d", code)
	}
	if v, _ := e.st.GetSetting(ctx, comments.KeyModeSection+fmt.Sprint(sec.ID)); v != "pre" {
		t.Errorf("section mode = %q", v)
	}
	if v, _ := e.st.GetSetting(ctx, comments.KeyBlocked); v != "spoiler\nidiot" {
		t.Errorf("blocked words = %q", v)
	}
	if code := post("/newsroom/comments/settings", url.Values{"close_days": {"-1"}, "rate": {"2"}}); code != 400 {
		t.Errorf("negative days: %d", code)
	}
	resp, err := ed.Get(e.srv.URL + "/newsroom/comments")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `id="pre-`+fmt.Sprint(sec.ID)+`" name="pre" value="`+fmt.Sprint(sec.ID)+`" checked`) {
		t.Errorf("comments page: %d", resp.StatusCode)
	}
	// No CSRF token: refused.
	resp, _ = ed.PostForm(e.srv.URL+"/newsroom/comments/settings", url.Values{"close_days": {"1"}, "rate": {"1"}})
	if resp.StatusCode != 403 {
		t.Errorf("a form without the token: %d", resp.StatusCode)
	}
}

// TestSendWhenPublished: an editor asks for a scheduled story to go out on
// publish; the publishing transaction (here the store's own, as the
// scheduler's would be) queues the issue.
func TestSendWhenPublished(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.st.AddTxHook(readers.SendOnPublish(time.Now))
	lists, _ := e.st.ListNewsletterLists(ctx)
	sub, _ := e.st.Subscribe(ctx, lists[1].ID, 0, "early@example.org", time.Now())
	_ = e.st.SetSubscriptionStatus(ctx, sub.ID, news.SubActive, time.Now())
	a := &news.Article{Slug: "later", Headline: "Coming at six", Lang: "en", Status: news.StatusScheduled, PublishedAt: time.Now().Add(time.Hour)}
	if err := e.st.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	ed, csrf := e.deskClient(news.RoleEditor)
	resp, err := ed.PostForm(e.srv.URL+"/newsroom/newsletters/onpublish", url.Values{"csrf": {csrf}, "article": {fmt.Sprint(a.ID)}, "list": {fmt.Sprint(lists[1].ID)}})
	if err != nil || resp.StatusCode != 303 {
		t.Fatalf("send when published: %v %v", resp.StatusCode, err)
	}
	if is, _ := e.st.ListIssues(ctx, 5); len(is) != 0 {
		t.Fatalf("queued before the publish: %d", len(is))
	}
	err = e.st.Update(ctx, func(tx news.Tx) error {
		cur, err := tx.FindArticleByID(ctx, a.ID)
		if err != nil {
			return err
		}
		cur.Status, cur.PublishedAt = news.StatusPublished, time.Now().Add(-time.Second)
		return tx.UpdateArticle(ctx, cur)
	})
	if err != nil {
		t.Fatal(err)
	}
	is, _ := e.st.ListIssues(ctx, 5)
	if len(is) != 1 || is[0].Total != 1 || is[0].Subject != "Coming at six" {
		t.Errorf("issues after the publish: %+v", is)
	}
}
