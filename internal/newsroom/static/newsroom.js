// Newsroom live preview. The page works without this script (the Preview
// button renders on the server); with it, the preview follows typing. The
// server renders Markdown and sanitizes the HTML, so what is shown here is
// exactly what readers will get.
(function () {
  "use strict";
  var body = document.getElementById("body");
  var out = document.getElementById("preview");
  var form = document.getElementById("story-form");
  if (!body || !out || !form) return;
  var csrf = form.querySelector("input[name=csrf]");
  var timer = 0, seq = 0;
  function update() {
    var mine = ++seq;
    var data = new URLSearchParams();
    data.set("body", body.value);
    fetch("/newsroom/preview", {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf ? csrf.value : "", "X-Requested-With": "fetch" },
      body: data
    }).then(function (r) {
      if (!r.ok) throw new Error("preview " + r.status);
      return r.text();
    }).then(function (html) {
      // Only the latest request may paint: answers can arrive out of order.
      if (mine === seq) out.innerHTML = html;
    }).catch(function () { /* the Preview button still works */ });
  }
  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 300);
  });
})();
