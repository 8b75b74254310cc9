// Comments on a story page. The page itself is the same cached document for
// every reader; this script reads the thread from its JSON endpoint and the
// reader's own state from /account (where the reader cookie lives), and
// replaces the "Read comments" link with the thread and, for signed-in
// readers, a form. Comment bodies arrive as HTML the server escaped.
(function () {
  "use strict";
  var box = document.getElementById("comments");
  if (!box || !window.fetch) return;
  var id = box.getAttribute("data-article");
  var state = { me: { signed_in: false }, thread: null };
  // The widget's words in the story's language: the page carries them
  // from the reader site's message catalog (data-t-*); English otherwise.
  function tr(k, dflt) { return box.getAttribute("data-t-" + k) || dflt; }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function when(iso) {
    var d = new Date(iso);
    return isNaN(d) ? "" : d.toLocaleString();
  }
  function post(path, fields) {
    var body = new URLSearchParams(fields);
    body.set("csrf", state.me.csrf || "");
    return fetch(path, {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "Accept": "application/json" }
    }).then(function (r) {
      return r.json().then(function (j) { if (!r.ok) throw new Error(j.error || tr("failed", "Something went wrong.")); return j; });
    });
  }

  function form(parent, initial, onSubmit, label) {
    var f = el("form", "comment-form");
    var fid = "cf-" + (parent || "top") + "-" + Math.random().toString(36).slice(2, 8);
    var l = el("label", null, label || (parent ? tr("yourreply", "Your reply") : tr("yourcomment", "Your comment")));
    l.htmlFor = fid;
    var t = el("textarea");
    t.id = fid; t.name = "body"; t.required = true; t.maxLength = 4000; t.rows = 4;
    if (initial) t.value = initial;
    var b = el("button", null, parent ? tr("postreply", "Post reply") : tr("postcomment", "Post comment"));
    b.type = "submit";
    var msg = el("p", "form-message");
    msg.setAttribute("role", "status");
    f.append(l, t, b, msg);
    f.addEventListener("submit", function (ev) {
      ev.preventDefault();
      b.disabled = true;
      onSubmit(t.value).then(function (j) {
        msg.textContent = j.message || "";
        t.value = "";
        b.disabled = false;
        load();
      }, function (err) { msg.textContent = err.message; b.disabled = false; });
    });
    return f;
  }

  function comment(c) {
    var li = el("li", "comment" + (c.staff ? " staff" : "") + (c.pending ? " pending" : ""));
    li.id = "comment-" + c.id;
    if (c.deleted) { li.append(el("p", "removed", tr("removed", "This comment was removed."))); return li; }
    var meta = el("p", "comment-meta");
    meta.append(el("strong", "comment-author", c.author));
    if (c.staff) meta.append(" ", el("span", "badge", tr("staff", "Staff")));
    var t = el("time", null, when(c.created_at));
    t.dateTime = c.created_at;
    meta.append(" · ", t);
    if (c.edited) meta.append(" · " + tr("edited", "edited"));
    if (c.pending) meta.append(" · ", el("strong", "held", tr("held", "Waiting for review: only you can see it")));
    var body = el("div", "comment-body");
    body.innerHTML = c.html; // escaped and linkified by the server
    li.append(meta, body);
    var acts = el("p", "comment-actions");
    if (state.me.signed_in && !state.thread.closed) {
      if (!c.parent_id) {
        var rb = el("button", "link", tr("reply", "Reply"));
        rb.type = "button";
        rb.addEventListener("click", function () {
          rb.hidden = true;
          li.append(form(c.id, "", function (text) { return post("/account/comments", { article: id, parent: c.id, body: text }); }));
        });
        acts.append(rb);
      }
      var mine = (state.me.own || []).indexOf(c.id) >= 0;
      if (mine && (state.me.editable || []).indexOf(c.id) >= 0) {
        var eb = el("button", "link", tr("edit", "Edit"));
        eb.type = "button";
        eb.addEventListener("click", function () {
          eb.hidden = true;
          var text = body.textContent;
          li.append(form(c.parent_id, text, function (v) { return post("/account/comments/" + c.id + "/edit", { body: v }); }, tr("editcomment", "Edit your comment")));
        });
        acts.append(" ", eb);
      }
      if (mine) {
        var db = el("button", "link", tr("delete", "Delete"));
        db.type = "button";
        db.addEventListener("click", function () {
          if (window.confirm(tr("confirmdelete", "Delete this comment?"))) post("/account/comments/" + c.id + "/delete", {}).then(load, alertErr);
        });
        acts.append(" ", db);
      } else if (!c.staff) {
        var rp = el("button", "link", tr("report", "Report"));
        rp.type = "button";
        rp.addEventListener("click", function () {
          post("/account/comments/" + c.id + "/report", { reason: "reader report" }).then(function (j) { rp.replaceWith(el("span", null, j.message)); }, alertErr);
        });
        acts.append(" ", rp);
      }
    }
    if (acts.childNodes.length) li.append(acts);
    return li;
  }
  function alertErr(err) { window.alert(err.message); }

  function render() {
    var t = state.thread, me = state.me;
    var all = t.comments.slice();
    (me.comments || []).forEach(function (c) {
      if (!all.some(function (x) { return x.id === c.id; })) all.push(c);
    });
    all.sort(function (a, b) { return a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id - b.id; });
    var heading = box.querySelector("h2");
    box.textContent = "";
    if (heading) {
      heading.textContent = tr("count", "Comments (%s)").replace("%s", t.count);
      box.append(heading);
    }
    var list = el("ol", "comment-list");
    var byID = {};
    all.forEach(function (c) {
      if (c.parent_id) return;
      var li = comment(c);
      byID[c.id] = li;
      list.append(li);
    });
    all.forEach(function (c) {
      if (!c.parent_id || !byID[c.parent_id]) return;
      var top = byID[c.parent_id];
      var ol = top.querySelector("ol.replies");
      if (!ol) { ol = el("ol", "replies"); top.insertBefore(ol, top.querySelector(".comment-actions")); }
      ol.append(comment(c));
    });
    if (!all.length) box.append(el("p", null, tr("none", "No comments yet.")));
    box.append(list);
    if (t.closed) {
      box.append(el("p", "closed", tr("closed", "Comments are closed.")));
    } else if (!me.signed_in) {
      var p = el("p", "signin-to-comment");
      var a = el("a", null, tr("signin", "Sign in to comment"));
      a.href = "/account";
      p.append(a);
      box.append(p);
    } else if (me.banned) {
      box.append(el("p", null, tr("banned", "You can no longer comment here.")));
    } else {
      box.append(form(0, "", function (text) { return post("/account/comments", { article: id, body: text }); }));
    }
  }

  function load() {
    return Promise.all([
      fetch("/api/v1/articles/" + id + "/comments", { cache: "no-cache" }).then(function (r) { if (!r.ok) throw new Error("comments"); return r.json(); }),
      fetch("/account/comments.json?article=" + id, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : { signed_in: false }; }, function () { return { signed_in: false }; })
    ]).then(function (res) {
      state.thread = res[0];
      state.me = res[1];
      render();
      box.setAttribute("data-loaded", "true");
    }, function () { /* keep the "Read comments" link */ });
  }
  load();
})();
