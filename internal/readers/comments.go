package readers

import (
	"crypto/hmac"
	"encoding/json"
	"net/http"
	"strconv"

	"masthead/internal/auth"
	"masthead/internal/comments"
	"masthead/internal/httpx"
	"masthead/internal/news"
)

// Comment writes live under /account, where the reader cookie is sent;
// the thread everyone reads is internal/comments' cached JSON.

func (rd *Readers) registerComments(mux *http.ServeMux) {
	mux.HandleFunc("GET /account/comments.json", rd.myComments)
	mux.HandleFunc("POST /account/comments", rd.postComment)
	mux.HandleFunc("POST /account/comments/{id}/edit", rd.editComment)
	mux.HandleFunc("POST /account/comments/{id}/delete", rd.deleteComment)
	mux.HandleFunc("POST /account/comments/{id}/report", rd.reportComment)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "private, no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// jsonError answers a failed comment call the way every masthead JSON
// endpoint does (httpx: {"error": message, "code": code}).
func (rd *Readers) jsonError(w http.ResponseWriter, r *http.Request, err error) {
	w.Header().Set("Cache-Control", "private, no-store")
	httpx.WriteJSONError(w, r, rd.log, err)
}

// commentCall checks a comment write: signed in, same origin, the token.
func (rd *Readers) commentCall(w http.ResponseWriter, r *http.Request) (*news.ReaderSession, *news.Reader, bool) {
	s, reader := rd.session(r)
	if s == nil {
		rd.jsonError(w, r, news.Errorf(news.EUNAUTHORIZED, "Sign in to comment."))
		return nil, nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if !auth.SameOrigin(r, rd.paper().BaseURL) || !hmac.Equal([]byte(r.PostFormValue("csrf")), []byte(rd.csrf(s))) {
		rd.jsonError(w, r, news.Errorf(news.EFORBIDDEN, "This page is out of date. Reload it and try again."))
		return nil, nil, false
	}
	return s, reader, true
}

// myComments is the reader's side of a thread: who they are, the form
// token, and their comments only they can see (held, or shadow-banned).
func (rd *Readers) myComments(w http.ResponseWriter, r *http.Request) {
	s, reader := rd.session(r)
	if s == nil {
		writeJSON(w, http.StatusOK, map[string]any{"signed_in": false})
		return
	}
	id, _ := strconv.ParseInt(r.URL.Query().Get("article"), 10, 64)
	cs, err := rd.st.ArticleComments(r.Context(), id, reader.ID)
	if err != nil {
		rd.jsonError(w, r, err)
		return
	}
	own, editable := []int64{}, []int64{}
	var private []*news.Comment
	for _, c := range cs {
		if c.ReaderID != reader.ID {
			continue
		}
		own = append(own, c.ID)
		if rd.policy.CanEdit(reader, c) == nil {
			editable = append(editable, c.ID)
		}
		if c.Status == news.CommentPending || c.Shadow {
			private = append(private, c)
		}
	}
	mine := comments.ToJSON(private, rd.paper().Name)
	for i := range mine {
		mine[i].Pending = private[i].Status == news.CommentPending
	}
	writeJSON(w, http.StatusOK, map[string]any{"signed_in": true, "name": DisplayName(reader), "csrf": rd.csrf(s),
		"banned": reader.Banned, "own": own, "editable": editable, "comments": mine})
}

func statusMessage(c *news.Comment) string {
	switch c.Status {
	case news.CommentPending:
		return "Thanks. Your comment waits for a moderator; only you can see it until then."
	case news.CommentSpam:
		return "Your comment looks like spam to our filter. A moderator will look at it."
	}
	return "Posted."
}

func (rd *Readers) postComment(w http.ResponseWriter, r *http.Request) {
	_, reader, ok := rd.commentCall(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	articleID, _ := strconv.ParseInt(r.PostFormValue("article"), 10, 64)
	parentID, _ := strconv.ParseInt(r.PostFormValue("parent"), 10, 64)
	a, err := rd.st.FindArticleByID(ctx, articleID)
	if err != nil {
		rd.jsonError(w, r, err)
		return
	}
	c := &news.Comment{ArticleID: a.ID, ParentID: parentID, ReaderID: reader.ID, AuthorName: DisplayName(reader),
		Body: r.PostFormValue("body"), CreatedAt: rd.clock.Now()}
	if err := rd.policy.Decide(ctx, a, reader, c, false); err != nil {
		rd.jsonError(w, r, err)
		return
	}
	if err := rd.st.CreateComment(ctx, c); err != nil {
		rd.jsonError(w, r, err)
		return
	}
	rd.invalidate(a.ID)
	rd.log.Info("comment posted", "comment", c.ID, "article", a.ID, "status", c.Status, "spam_score", c.SpamScore)
	writeJSON(w, http.StatusCreated, map[string]any{"comment": comments.ToJSON([]*news.Comment{c}, rd.paper().Name)[0],
		"status": c.Status, "message": statusMessage(c)})
}

func (rd *Readers) ownComment(w http.ResponseWriter, r *http.Request) (*news.Reader, *news.Comment, bool) {
	_, reader, ok := rd.commentCall(w, r)
	if !ok {
		return nil, nil, false
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	c, err := rd.st.FindComment(r.Context(), id)
	if err != nil {
		rd.jsonError(w, r, err)
		return nil, nil, false
	}
	return reader, c, true
}

func (rd *Readers) editComment(w http.ResponseWriter, r *http.Request) {
	reader, c, ok := rd.ownComment(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	if err := rd.policy.CanEdit(reader, c); err != nil {
		rd.jsonError(w, r, err)
		return
	}
	a, err := rd.st.FindArticleByID(ctx, c.ArticleID)
	if err != nil {
		rd.jsonError(w, r, err)
		return
	}
	was := c.Status
	c.Body = r.PostFormValue("body")
	if err := rd.policy.Decide(ctx, a, reader, c, true); err != nil {
		rd.jsonError(w, r, err)
		return
	}
	// An edit never publishes what a moderator has not seen: a held
	// comment stays held.
	if was == news.CommentPending && c.Status == news.CommentApproved {
		c.Status = news.CommentPending
	}
	c.EditedAt = rd.clock.Now()
	if err := rd.st.UpdateComment(ctx, c); err != nil {
		rd.jsonError(w, r, err)
		return
	}
	rd.invalidate(c.ArticleID)
	writeJSON(w, http.StatusOK, map[string]any{"status": c.Status, "message": "Saved."})
}

func (rd *Readers) deleteComment(w http.ResponseWriter, r *http.Request) {
	reader, c, ok := rd.ownComment(w, r)
	if !ok {
		return
	}
	if c.ReaderID != reader.ID {
		rd.jsonError(w, r, comments.ErrNotYours)
		return
	}
	c.Status, c.Body = news.CommentDeleted, ""
	if err := rd.st.UpdateComment(r.Context(), c); err != nil {
		rd.jsonError(w, r, err)
		return
	}
	rd.invalidate(c.ArticleID)
	writeJSON(w, http.StatusOK, map[string]any{"message": "Deleted."})
}

func (rd *Readers) reportComment(w http.ResponseWriter, r *http.Request) {
	reader, c, ok := rd.ownComment(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	if err := rd.st.ReportComment(ctx, c.ID, reader.ID, comments.Clean(r.PostFormValue("reason")), rd.clock.Now()); err != nil {
		rd.jsonError(w, r, err)
		return
	}
	// Enough readers object: the comment waits for a moderator again.
	if got, err := rd.st.FindComment(ctx, c.ID); err == nil && got.Status == news.CommentApproved && got.Reports >= comments.ReportsToHold {
		got.Status = news.CommentPending
		if err := rd.st.UpdateComment(ctx, got); err == nil {
			rd.invalidate(c.ArticleID)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"message": "Reported. Thank you."})
}

func (rd *Readers) invalidate(articleID int64) {
	if rd.cfg.Comments != nil {
		rd.cfg.Comments.Invalidate(articleID)
	}
}
