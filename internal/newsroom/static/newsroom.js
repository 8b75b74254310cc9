// Newsroom pages' small helpers. Every page works without this script.
(function () {
  "use strict";
  var form = document.getElementById("story-form");
  var csrfInput = document.querySelector("input[name=csrf]");
  var csrf = csrfInput ? csrfInput.value : "";

  // The lead photo form is sent in the background, so that text typed in
  // the story form and not saved yet stays on the page (the form post
  // reloaded the page and lost it). The story form then carries the
  // story's new version, so saving it is not taken for a stale save.
  var pf = document.querySelector("form.photo-form");
  var status = document.querySelector(".photo-status");
  if (pf && window.fetch && window.FormData) {
    var say = function (msg, bad) {
      if (!status) { return; }
      status.textContent = msg;
      status.className = "photo-status " + (bad ? "error" : "flash");
    };
    pf.addEventListener("submit", function (e) {
      e.preventDefault();
      var data = new FormData(pf);
      if (e.submitter && e.submitter.name) { data.set(e.submitter.name, e.submitter.value); }
      say("Saving the photo…");
      fetch(pf.action, {
        method: "POST", credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf, "X-Requested-With": "fetch" }, body: data
      }).then(function (r) {
        return r.json().then(function (j) { return { ok: r.ok, j: j }; });
      }).then(function (res) {
        if (!res.ok) { say(res.j.error || "The photo was not saved.", true); return; }
        var up = form && form.querySelector("input[name=version]");
        if (up && res.j.version) { up.value = String(res.j.version); }
        var box = document.querySelector(".lead-photo-box");
        if (box) {
          box.textContent = "";
          var p = res.j.photo;
          if (p) {
            var fig = document.createElement("figure");
            fig.className = "lead-photo";
            var img = document.createElement("img");
            img.src = p.src;
            img.alt = p.alt || "";
            var cap = document.createElement("figcaption");
            cap.textContent = (p.caption || "") + " ";
            if (p.credit) {
              var cr = document.createElement("span");
              cr.className = "credit";
              cr.textContent = p.credit;
              cap.appendChild(cr);
            }
            fig.appendChild(img);
            fig.appendChild(cap);
            box.appendChild(fig);
          }
        }
        var file = pf.querySelector("input[type=file]");
        if (file) { file.value = ""; }
        say(res.j.message || "Photo saved.");
      }).catch(function () { say("The photo was not saved: the newsroom did not answer.", true); });
    });
  }

  // Autosave: the story's fields go to the working copy every few seconds
  // while they change, when the editor loses the focus and when the tab is
  // hidden, never as a revision or to readers. The same requests tell who
  // else has the story open. Leaving with changes not yet autosaved asks
  // first.
  if (form && form.getAttribute("data-autosave") && window.fetch) {
    var url = form.getAttribute("data-autosave");
    var fieldsOf = function () {
      var d = new URLSearchParams();
      ["headline", "deck", "body_html"].forEach(function (n) {
        var el = form.elements[n];
        d.set(n, el ? el.value : "");
      });
      return d;
    };
    var last = fieldsOf().toString();
    var submitting = false;
    var astatus = form.querySelector(".autosave-status");
    var presence = document.getElementById("presence");
    var send = function (ping) {
      var data = ping ? new URLSearchParams("ping=1") : fieldsOf();
      var snapshot = data.toString();
      return fetch(url, {
        method: "POST", credentials: "same-origin", keepalive: true,
        headers: { "X-CSRF-Token": csrf, "X-Requested-With": "fetch" }, body: data
      }).then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
        .then(function (res) {
          if (!res.ok) { if (astatus) { astatus.textContent = res.j.error || "Autosave failed."; } return; }
          if (!ping) {
            last = snapshot;
            if (astatus) { astatus.textContent = "Autosaved at " + res.j.saved + " (not published)"; }
          }
          if (presence && presence.textContent !== (res.j.presence || "")) { presence.textContent = res.j.presence || ""; }
        }).catch(function () { if (astatus) { astatus.textContent = "Autosave failed: the newsroom did not answer."; } });
    };
    var dirty = function () { return fieldsOf().toString() !== last; };
    var beats = 0;
    setInterval(function () {
      beats++;
      if (dirty()) { send(false); } else if (beats % 2 === 0) { send(true); }
    }, 5000);
    send(true);
    form.addEventListener("editor-blur", function () { if (dirty()) { send(false); } });
    form.addEventListener("focusout", function (e) {
      if (e.target && (e.target.name === "headline" || e.target.name === "deck") && dirty()) { send(false); }
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden" && dirty()) { send(false); }
    });
    form.addEventListener("submit", function () { submitting = true; });
    window.addEventListener("beforeunload", function (e) {
      if (!submitting && dirty()) { send(false); e.preventDefault(); e.returnValue = ""; }
    });
  }

  // A newsletter send in progress: the counts of the "Sent and sending"
  // table follow it every few seconds, until nothing is sending.
  var prog = document.querySelector("table.send-progress[data-progress]");
  if (prog && window.fetch) {
    var poll = function () {
      fetch(prog.getAttribute("data-progress"), { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { return r.json(); })
        .then(function (j) {
          (j.issues || []).forEach(function (is) {
            var tr = prog.querySelector('tr[data-issue="' + is.id + '"]');
            if (!tr) { return; }
            var bar = tr.querySelector("progress");
            if (bar) { bar.max = is.total || 1; bar.value = is.sent + is.failed; }
            var txt = tr.querySelector(".progress-text");
            if (txt && txt.textContent !== is.text) { txt.textContent = is.text; }
          });
          if (j.sending) { setTimeout(poll, 3000); } else {
            var note = document.getElementById("progress-note");
            if (note) { note.textContent = "Every send has finished."; }
          }
        }).catch(function () { setTimeout(poll, 10000); });
    };
    setTimeout(poll, 3000);
  }
})();
