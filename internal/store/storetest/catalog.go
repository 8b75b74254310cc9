package storetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"masthead/internal/news"
)

// testCatalog covers sections, authors, tags and photos.
func testCatalog(t *testing.T, open func(t *testing.T) news.Store) {
	t.Run("Sections", func(t *testing.T) {
		f := newFixture(t, open)
		biz := f.section("business", "Business", 2)
		nk := f.section("north-korea", "North Korea", 1)
		f.section("culture", "Culture", 2)
		wantErr(t, "duplicate section slug", f.s.CreateSection(f.ctx, &news.Section{Slug: "business", Name: "Biz"}), news.ErrConflict)

		got, err := f.s.FindSectionBySlug(f.ctx, "north-korea")
		noErr(t, "FindSectionBySlug", err)
		if *got != *nk {
			t.Errorf("FindSectionBySlug = %+v, want %+v", got, nk)
		}
		got, err = f.s.FindSectionByID(f.ctx, biz.ID)
		noErr(t, "FindSectionByID", err)
		if *got != *biz {
			t.Errorf("FindSectionByID = %+v, want %+v", got, biz)
		}
		list, err := f.s.ListSections(f.ctx)
		noErr(t, "ListSections", err)
		var names []string
		for _, s := range list {
			names = append(names, s.Name)
		}
		if strings.Join(names, ",") != "North Korea,Business,Culture" {
			t.Errorf("ListSections = %v, want by position then name", names)
		}

		biz.Name, biz.Description, biz.Position = "Economy", "Money", 0
		noErr(t, "UpdateSection", f.s.UpdateSection(f.ctx, biz))
		got, err = f.s.FindSectionByID(f.ctx, biz.ID)
		noErr(t, "FindSectionByID", err)
		if *got != *biz {
			t.Errorf("after update = %+v, want %+v", got, biz)
		}
		nk.Slug = "culture"
		wantErr(t, "UpdateSection to a taken slug", f.s.UpdateSection(f.ctx, nk), news.ErrConflict)
		wantErr(t, "UpdateSection(missing)", f.s.UpdateSection(f.ctx, &news.Section{ID: 999999, Slug: "zz", Name: "zz"}), news.ErrNotFound)
		_, err = f.s.FindSectionBySlug(f.ctx, "nope")
		wantErr(t, "FindSectionBySlug(missing)", err, news.ErrNotFound)
		_, err = f.s.FindSectionByID(f.ctx, 999999)
		wantErr(t, "FindSectionByID(missing)", err, news.ErrNotFound)
	})

	t.Run("SectionTree", func(t *testing.T) {
		// Sub-sections and layouts (issue 15): stored, read back, one
		// level deep, no cycles; a refused write changes nothing.
		f := newFixture(t, open)
		nat := f.section("national", "National", 1)
		world := f.section("world", "World", 2)
		pol := &news.Section{Slug: "politics", Name: "Politics", Position: 3, ParentID: nat.ID, Layout: news.LayoutList}
		noErr(t, "CreateSection(sub-section)", f.s.CreateSection(f.ctx, pol))
		got, err := f.s.FindSectionBySlug(f.ctx, "politics")
		noErr(t, "FindSectionBySlug", err)
		if got.ParentID != nat.ID || got.Layout != news.LayoutList {
			t.Errorf("stored sub-section = parent %d layout %q, want %d %q", got.ParentID, got.Layout, nat.ID, news.LayoutList)
		}
		wantErr(t, "unknown layout", f.s.CreateSection(f.ctx, &news.Section{Slug: "x1", Name: "X", Layout: "magazine"}), news.ErrInvalid)
		wantErr(t, "missing parent", f.s.CreateSection(f.ctx, &news.Section{Slug: "x2", Name: "X", ParentID: 999999}), news.ErrInvalid)
		wantErr(t, "two levels", f.s.CreateSection(f.ctx, &news.Section{Slug: "x3", Name: "X", ParentID: pol.ID}), news.ErrInvalid)
		// National has a sub-section: putting it under World would make
		// two levels; putting it under Politics, a cycle.
		nat.ParentID = world.ID
		wantErr(t, "parent with sub-sections", f.s.UpdateSection(f.ctx, nat), news.ErrInvalid)
		nat.ParentID = pol.ID
		wantErr(t, "cycle", f.s.UpdateSection(f.ctx, nat), news.ErrInvalid)
		nat.ParentID = nat.ID
		wantErr(t, "own parent", f.s.UpdateSection(f.ctx, nat), news.ErrInvalid)
		got, err = f.s.FindSectionByID(f.ctx, nat.ID)
		noErr(t, "FindSectionByID", err)
		if got.ParentID != 0 || got.Version != nat.Version {
			t.Errorf("refused updates changed National: parent %d version %d, want 0 %d", got.ParentID, got.Version, nat.Version)
		}
		// A section page lists its sub-sections' stories (SectionIDs).
		a1 := f.article(func(a *news.Article) { a.SectionID = nat.ID })
		a2 := f.article(func(a *news.Article) { a.SectionID = pol.ID; a.PublishedAt = T0.Add(time.Minute) })
		f.article(func(a *news.Article) { a.SectionID = world.ID })
		ids, total := f.ids(news.ArticleFilter{SectionIDs: []int64{nat.ID, pol.ID}})
		if fmt.Sprint(ids) != fmt.Sprint([]int64{a2.ID, a1.ID}) || total != 2 {
			t.Errorf("SectionIDs national+politics = %v (total %d), want [%d %d]", ids, total, a2.ID, a1.ID)
		}
	})
	t.Run("Authors", func(t *testing.T) {
		f := newFixture(t, open)
		ph := f.photo("portrait")
		kang := &news.Author{Slug: "kang-seung-woo", Name: "Kang Seung-woo", Email: "ksw@koreatimes.co.kr", Bio: "Covers North Korea.", Title: "Staff reporter", PhotoID: ph.ID, Position: 1}
		noErr(t, "CreateAuthor", f.s.CreateAuthor(f.ctx, kang))
		ahn := f.author("ahn", "Ahn")
		wantErr(t, "duplicate author slug", f.s.CreateAuthor(f.ctx, &news.Author{Slug: "ahn", Name: "Other"}), news.ErrConflict)

		for name, find := range map[string]func() (*news.Author, error){
			"byID":    func() (*news.Author, error) { return f.s.FindAuthorByID(f.ctx, kang.ID) },
			"bySlug":  func() (*news.Author, error) { return f.s.FindAuthorBySlug(f.ctx, "kang-seung-woo") },
			"byEmail": func() (*news.Author, error) { return f.s.FindAuthorByEmail(f.ctx, "KSW@KoreaTimes.co.kr") },
		} {
			got, err := find()
			noErr(t, name, err)
			if got.ID != kang.ID || got.Name != kang.Name || got.Email != kang.Email || got.Bio != kang.Bio || got.Title != kang.Title || got.PhotoID != ph.ID || got.Position != 1 {
				t.Errorf("%s = %+v, want %+v", name, got, kang)
			}
			if got.Photo == nil || got.Photo.ID != ph.ID || got.Photo.Caption != "portrait" {
				t.Errorf("%s: Photo = %+v, want the portrait loaded", name, got.Photo)
			}
		}
		list, err := f.s.ListAuthors(f.ctx)
		noErr(t, "ListAuthors", err)
		if len(list) != 2 || list[0].ID != ahn.ID || list[1].ID != kang.ID {
			t.Errorf("ListAuthors = %v, want ahn (position 0) then kang", list)
		}

		kang.Bio, kang.PhotoID, kang.Title = "New bio", 0, "Senior reporter"
		noErr(t, "UpdateAuthor", f.s.UpdateAuthor(f.ctx, kang))
		got, err := f.s.FindAuthorByID(f.ctx, kang.ID)
		noErr(t, "FindAuthorByID", err)
		if got.Bio != "New bio" || got.Title != "Senior reporter" || got.PhotoID != 0 || got.Photo != nil {
			t.Errorf("after update = %+v", got)
		}
		kang.Slug = "ahn"
		wantErr(t, "UpdateAuthor to a taken slug", f.s.UpdateAuthor(f.ctx, kang), news.ErrConflict)
		wantErr(t, "UpdateAuthor(missing)", f.s.UpdateAuthor(f.ctx, &news.Author{ID: 999999, Slug: "q", Name: "q"}), news.ErrNotFound)
		_, err = f.s.FindAuthorByEmail(f.ctx, "nobody@example.com")
		wantErr(t, "FindAuthorByEmail(missing)", err, news.ErrNotFound)
		_, err = f.s.FindAuthorBySlug(f.ctx, "nobody")
		wantErr(t, "FindAuthorBySlug(missing)", err, news.ErrNotFound)
	})

	t.Run("Tags", func(t *testing.T) {
		f := newFixture(t, open)
		b := f.tag("trade", "Trade")
		a := f.tag("nuclear", "Nuclear")
		again := &news.Tag{Slug: "trade", Name: "Trade war"}
		noErr(t, "EnsureTag(existing)", f.s.EnsureTag(f.ctx, again))
		if again.ID != b.ID {
			t.Errorf("EnsureTag(existing) ID = %d, want %d", again.ID, b.ID)
		}
		got, err := f.s.FindTagBySlug(f.ctx, "nuclear")
		noErr(t, "FindTagBySlug", err)
		if *got != *a {
			t.Errorf("FindTagBySlug = %+v, want %+v", got, a)
		}
		list, err := f.s.ListTags(f.ctx)
		noErr(t, "ListTags", err)
		if len(list) != 2 || list[0].Slug != "nuclear" || list[1].Slug != "trade" {
			t.Errorf("ListTags = %v, want nuclear, trade", list)
		}
		_, err = f.s.FindTagBySlug(f.ctx, "missing")
		wantErr(t, "FindTagBySlug(missing)", err, news.ErrNotFound)
	})

	t.Run("Photos", func(t *testing.T) {
		f := newFixture(t, open)
		p := f.photo("Kim and Trump")
		got, err := f.s.FindPhotoByID(f.ctx, p.ID)
		noErr(t, "FindPhotoByID", err)
		checkPhoto(t, got, p)
		if p.CreatedAt.IsZero() {
			t.Error("CreatePhoto did not set CreatedAt")
		}
		p.Caption, p.Credit, p.Alt, p.FocalX, p.FocalY, p.Widths = "New caption", "AP", "New alt", 0.5, 0.5, []int{160, 320, 640, 1280, 1920}
		noErr(t, "UpdatePhoto", f.s.UpdatePhoto(f.ctx, p))
		got, err = f.s.FindPhotoByID(f.ctx, p.ID)
		noErr(t, "FindPhotoByID", err)
		checkPhoto(t, got, p)
		p.Widths = nil
		noErr(t, "UpdatePhoto", f.s.UpdatePhoto(f.ctx, p))
		got, err = f.s.FindPhotoByID(f.ctx, p.ID)
		noErr(t, "FindPhotoByID", err)
		if len(got.Widths) != 0 {
			t.Errorf("Widths = %v, want none", got.Widths)
		}
		_, err = f.s.FindPhotoByID(f.ctx, 999999)
		wantErr(t, "FindPhotoByID(missing)", err, news.ErrNotFound)
		wantErr(t, "UpdatePhoto(missing)", f.s.UpdatePhoto(f.ctx, &news.Photo{ID: 999999, Key: "x"}), news.ErrNotFound)
	})
}

func checkPhoto(t *testing.T, got, want *news.Photo) {
	t.Helper()
	if got.ID != want.ID || got.Key != want.Key || got.ContentType != want.ContentType || got.Width != want.Width || got.Height != want.Height ||
		got.Caption != want.Caption || got.Credit != want.Credit || got.Alt != want.Alt || got.FocalX != want.FocalX || got.FocalY != want.FocalY ||
		fmt.Sprint(got.Widths) != fmt.Sprint(want.Widths) {
		t.Errorf("photo = %+v, want %+v", got, want)
	}
	sameTime(t, "Photo.CreatedAt", got.CreatedAt, want.CreatedAt)
}

// testPeople covers users, sessions and the audit log.
func testPeople(t *testing.T, open func(t *testing.T) news.Store) {
	t.Run("Users", func(t *testing.T) {
		f := newFixture(t, open)
		au := f.author("kang", "Kang")
		u := &news.User{Email: "Editor@Example.com", Name: "Ed", Role: news.RoleEditor, PasswordHash: "$argon2id$v=19$m=65536,t=1,p=2$c2FsdA$aGFzaA", AuthorID: au.ID}
		noErr(t, "CreateUser", f.s.CreateUser(f.ctx, u))
		if u.ID == 0 || u.CreatedAt.IsZero() {
			t.Fatalf("CreateUser did not set ID/CreatedAt: %+v", u)
		}
		wantErr(t, "same e-mail in another case", f.s.CreateUser(f.ctx, &news.User{Email: "editor@example.COM", Name: "X", Role: news.RoleReporter}), news.ErrConflict)
		got, err := f.s.FindUserByEmail(f.ctx, "EDITOR@example.com")
		noErr(t, "FindUserByEmail", err)
		if got.ID != u.ID || got.Email != "Editor@Example.com" || got.Name != "Ed" || got.Role != news.RoleEditor || got.PasswordHash != u.PasswordHash || got.AuthorID != au.ID || got.Disabled {
			t.Errorf("FindUserByEmail = %+v, want %+v", got, u)
		}
		sameTime(t, "User.CreatedAt", got.CreatedAt, u.CreatedAt)

		r := &news.User{Email: "reporter@example.com", Name: "Rep", Role: news.RoleReporter, PasswordHash: "old"}
		noErr(t, "CreateUser", f.s.CreateUser(f.ctx, r))
		if r.Version != 1 {
			t.Errorf("new user version %d, want 1", r.Version)
		}
		role, off, name := news.RoleContributor, true, "Reporter"
		upd, err := f.s.UpdateUser(f.ctx, r.ID, news.UserUpdate{Version: 1, By: u.ID, Role: &role, Disabled: &off, Name: &name})
		noErr(t, "UpdateUser", err)
		got, err = f.s.FindUserByID(f.ctx, r.ID)
		noErr(t, "FindUserByID", err)
		if got.Role != news.RoleContributor || !got.Disabled || got.Name != "Reporter" || got.AuthorID != 0 || got.PasswordHash != "old" {
			t.Errorf("after update = %+v", got)
		}
		if got.Version != 2 || upd.Version != 2 || got.UpdatedBy != u.ID || got.UpdatedAt.IsZero() {
			t.Errorf("after update: version %d (returned %d), updated by %d at %v; want 2, 2, %d, set", got.Version, upd.Version, got.UpdatedBy, got.UpdatedAt, u.ID)
		}
		// Only the fields named are written: a password change keeps the
		// role an admin set meanwhile, and does not move the version (no
		// form shows the password).
		hash := "new"
		_, err = f.s.UpdateUser(f.ctx, r.ID, news.UserUpdate{PasswordHash: &hash})
		noErr(t, "UpdateUser(password)", err)
		got, _ = f.s.FindUserByID(f.ctx, r.ID)
		if got.PasswordHash != "new" || got.Role != news.RoleContributor || !got.Disabled || got.Version != 2 {
			t.Errorf("after a password change = %+v", got)
		}
		// A stale guarded change is refused and changes nothing.
		admin := news.RoleAdmin
		_, err = f.s.UpdateUser(f.ctx, r.ID, news.UserUpdate{Version: 1, Role: &admin})
		wantErr(t, "stale UpdateUser", err, news.ErrConflict)
		var ce *news.ConflictError
		if !errors.As(err, &ce) || ce.Base != 1 || ce.Current != 2 || len(ce.By) != 1 || ce.By[0] != u.ID {
			t.Errorf("stale UpdateUser error = %#v, want a ConflictError from version 1 to 2 by %d", err, u.ID)
		}
		if got, _ = f.s.FindUserByID(f.ctx, r.ID); got.Role != news.RoleContributor {
			t.Errorf("a stale update changed the role to %s", got.Role)
		}
		taken := "EDITOR@EXAMPLE.COM"
		_, err = f.s.UpdateUser(f.ctx, r.ID, news.UserUpdate{Email: &taken})
		wantErr(t, "UpdateUser to a taken e-mail", err, news.ErrConflict)
		_, err = f.s.UpdateUser(f.ctx, 999999, news.UserUpdate{Role: &admin})
		wantErr(t, "UpdateUser(missing)", err, news.ErrNotFound)
		bogus := news.Role("owner")
		_, err = f.s.UpdateUser(f.ctx, r.ID, news.UserUpdate{Role: &bogus})
		wantErr(t, "UpdateUser(bad role)", err, news.ErrInvalid)
		list, err := f.s.ListUsers(f.ctx)
		noErr(t, "ListUsers", err)
		if len(list) != 2 {
			t.Errorf("ListUsers = %d users, want 2", len(list))
		}
		_, err = f.s.FindUserByEmail(f.ctx, "nobody@example.com")
		wantErr(t, "FindUserByEmail(missing)", err, news.ErrNotFound)
		_, err = f.s.FindUserByID(f.ctx, 999999)
		wantErr(t, "FindUserByID(missing)", err, news.ErrNotFound)
	})

	t.Run("Sessions", func(t *testing.T) {
		f := newFixture(t, open)
		u := &news.User{Email: "a@example.com", Name: "A", Role: news.RoleAdmin}
		noErr(t, "CreateUser", f.s.CreateUser(f.ctx, u))
		mk := func(id string, created, expires time.Time) *news.Session {
			s := &news.Session{ID: id, UserID: u.ID, CSRFToken: "csrf-" + id, CreatedAt: created, ExpiresAt: expires, LastSeen: created, UserAgent: "Firefox"}
			noErr(t, "CreateSession", f.s.CreateSession(f.ctx, s))
			return s
		}
		old := mk("old", T0, T0.Add(time.Hour))
		edge := mk("edge", T0.Add(time.Minute), T0.Add(2*time.Hour))
		live := mk("live", T0.Add(2*time.Minute), T0.Add(48*time.Hour))
		wantErr(t, "duplicate session id", f.s.CreateSession(f.ctx, &news.Session{ID: "old", UserID: u.ID, CreatedAt: T0, ExpiresAt: T0}), news.ErrConflict)

		got, err := f.s.FindSession(f.ctx, "live")
		noErr(t, "FindSession", err)
		if got.UserID != u.ID || got.CSRFToken != "csrf-live" || got.UserAgent != "Firefox" {
			t.Errorf("FindSession = %+v, want %+v", got, live)
		}
		sameTime(t, "ExpiresAt", got.ExpiresAt, live.ExpiresAt)
		noErr(t, "TouchSession", f.s.TouchSession(f.ctx, "live", T0.Add(time.Hour)))
		got, err = f.s.FindSession(f.ctx, "live")
		noErr(t, "FindSession", err)
		sameTime(t, "LastSeen after touch", got.LastSeen, T0.Add(time.Hour))

		list, err := f.s.ListSessions(f.ctx, u.ID)
		noErr(t, "ListSessions", err)
		if len(list) != 3 || list[0].ID != "live" || list[2].ID != "old" {
			t.Errorf("ListSessions = %v, want newest first", list)
		}
		noErr(t, "DeleteExpiredSessions", f.s.DeleteExpiredSessions(f.ctx, edge.ExpiresAt))
		for _, id := range []string{old.ID, edge.ID} {
			_, err = f.s.FindSession(f.ctx, id)
			wantErr(t, "expired session "+id, err, news.ErrNotFound)
		}
		_, err = f.s.FindSession(f.ctx, "live")
		noErr(t, "live session survives", err)
		noErr(t, "DeleteSession", f.s.DeleteSession(f.ctx, "live"))
		_, err = f.s.FindSession(f.ctx, "live")
		wantErr(t, "deleted session", err, news.ErrNotFound)
		list, err = f.s.ListSessions(f.ctx, u.ID)
		noErr(t, "ListSessions", err)
		if len(list) != 0 {
			t.Errorf("ListSessions after deletes = %v", list)
		}
	})

	t.Run("Audit", func(t *testing.T) {
		f := newFixture(t, open)
		a := f.article(nil)
		var ids []int64
		for i, action := range []string{"publish", "correct", "signin_failed"} {
			e := &news.AuditEntry{UserID: 0, Action: action, Detail: fmt.Sprintf("d%d", i), CreatedAt: T0.Add(time.Duration(i) * time.Second)}
			if action != "signin_failed" {
				e.ArticleID = a.ID
			}
			noErr(t, "AddAudit", f.s.AddAudit(f.ctx, e))
			if e.ID == 0 {
				t.Fatal("AddAudit did not set ID")
			}
			ids = append(ids, e.ID)
		}
		list, err := f.s.ListAudit(f.ctx, 2)
		noErr(t, "ListAudit", err)
		if len(list) != 2 || list[0].ID != ids[2] || list[1].ID != ids[1] || list[1].Action != "correct" || list[1].ArticleID != a.ID || list[1].Detail != "d1" {
			t.Errorf("ListAudit(2) = %+v, want the last two, newest first", list)
		}
	})
}

func testSettings(t *testing.T, open func(t *testing.T) news.Store) {
	f := newFixture(t, open)
	_, err := f.s.GetSetting(f.ctx, "paper.name")
	wantErr(t, "GetSetting(unset)", err, news.ErrNotFound)
	noErr(t, "PutSetting", f.s.PutSetting(f.ctx, "paper.name", "The Masthead Times"))
	noErr(t, "PutSetting", f.s.PutSetting(f.ctx, "paper.tagline", "한국 뉴스"))
	noErr(t, "PutSetting overwrite", f.s.PutSetting(f.ctx, "paper.name", "The Daily"))
	for k, want := range map[string]string{"paper.name": "The Daily", "paper.tagline": "한국 뉴스"} {
		got, err := f.s.GetSetting(f.ctx, k)
		noErr(t, "GetSetting("+k+")", err)
		if got != want {
			t.Errorf("GetSetting(%s) = %q, want %q", k, got, want)
		}
	}
	noErr(t, "PutSetting empty", f.s.PutSetting(f.ctx, "empty", ""))
	got, err := f.s.GetSetting(f.ctx, "empty")
	noErr(t, "GetSetting(empty)", err)
	if got != "" {
		t.Errorf("empty setting = %q", got)
	}
	noErr(t, "Ping", f.s.Ping(f.ctx))
}
