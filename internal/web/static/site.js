// masthead reader site: progressive enhancement only. Every page works
// without this file; it adds the text-size setting, the panels, copying the
// link, the native share sheet, KakaoTalk (when configured), the back-to-top
// behaviour and the view beacon. The text size itself is applied before
// first paint by the inline script in <head>.
(function () {
  "use strict";
  var doc = document, root = doc.documentElement, KEY = "masthead-text-size";
  // The words this file writes, in the story's language: the server puts
  // them on the story (data-t-*, from its message catalog).
  var words = doc.querySelector("article[data-t-show]");
  function tr(k, dflt) { return (words && words.getAttribute("data-t-" + k)) || dflt; }

  // Text size: five steps, -2..+2, stored in localStorage.
  function setSize(v, save) {
    // Setting the same value again would still invalidate the whole
    // page's style; the head script has already applied the saved size.
    if (root.getAttribute("data-size") !== v) { root.setAttribute("data-size", v); }
    var bs = doc.querySelectorAll("[data-size-set]");
    for (var i = 0; i < bs.length; i++) {
      var pressed = bs[i].getAttribute("data-size-set") === v ? "true" : "false";
      if (bs[i].getAttribute("aria-pressed") !== pressed) { bs[i].setAttribute("aria-pressed", pressed); }
    }
    if (save) { try { localStorage.setItem(KEY, v); } catch (e) { /* private mode: session only */ } }
  }
  setSize(root.getAttribute("data-size") || "0", false);
  doc.addEventListener("click", function (e) {
    var b = e.target.closest("[data-size-set]");
    if (b) { setSize(b.getAttribute("data-size-set"), true); }
  });

  // Panels: a toggle button (aria-controls, aria-expanded) opens one; its
  // CLOSE button or Esc closes it and gives focus back to the toggle.
  var openPanel = null;
  function toggleFor(p) { return doc.querySelector('[data-panel][aria-controls="' + p.id + '"]'); }
  function close(p, refocus) {
    p.classList.remove("open");
    var t = toggleFor(p);
    if (t) { t.setAttribute("aria-expanded", "false"); if (refocus) { t.focus(); } }
    if (openPanel === p) { openPanel = null; }
  }
  function open(p) {
    if (openPanel && openPanel !== p) { close(openPanel, false); }
    p.classList.add("open");
    var t = toggleFor(p);
    if (t) { t.setAttribute("aria-expanded", "true"); }
    openPanel = p;
    var h = p.querySelector("h2");
    if (h) { h.setAttribute("tabindex", "-1"); h.focus(); }
  }
  doc.addEventListener("click", function (e) {
    var t = e.target.closest("[data-panel]");
    if (t) {
      var p = doc.getElementById(t.getAttribute("aria-controls"));
      if (p) { if (p.classList.contains("open")) { close(p, false); } else { open(p); } }
      return;
    }
    var c = e.target.closest("[data-close]");
    if (c) { var cp = c.closest(".panel"); if (cp) { close(cp, true); } }
  });
  doc.addEventListener("keydown", function (e) {
    if ((e.key === "Escape" || e.key === "Esc") && openPanel) { e.preventDefault(); close(openPanel, true); }
  });

  // Sharing.
  var status = doc.getElementById("share-status");
  function say(msg) {
    if (!status) { return; }
    status.textContent = "";
    // A fresh text node after a tick makes screen readers announce a
    // repeated message too.
    setTimeout(function () { status.textContent = msg; }, 50);
  }
  function copy(url) {
    if (navigator.clipboard && navigator.clipboard.writeText) {
      return navigator.clipboard.writeText(url).then(function () { return true; }, function () { return legacyCopy(url); });
    }
    return Promise.resolve(legacyCopy(url));
  }
  function legacyCopy(url) {
    var ta = doc.createElement("textarea");
    ta.value = url; ta.setAttribute("readonly", ""); ta.style.position = "fixed"; ta.style.opacity = "0";
    doc.body.appendChild(ta); ta.select();
    var ok = false;
    try { ok = doc.execCommand("copy"); } catch (e) { ok = false; }
    doc.body.removeChild(ta);
    return ok;
  }
  doc.addEventListener("click", function (e) {
    var c = e.target.closest("[data-copy]");
    if (!c) { return; }
    e.preventDefault();
    copy(c.getAttribute("data-copy")).then(function (ok) {
      say(ok ? (c.getAttribute("data-copied") || tr("copied", "Link copied")) : tr("copyfail", "Could not copy the link:") + " " + c.getAttribute("data-copy"));
    });
  });
  var native = doc.querySelector("[data-native-share]");
  if (native && navigator.share) {
    native.hidden = false;
    native.addEventListener("click", function () {
      navigator.share({ title: native.getAttribute("data-title"), url: native.getAttribute("data-url") }).catch(function () {});
    });
  }

  // KakaoTalk through Kakao's SDK, only when the paper set an app key (the
  // CSP then allows the SDK's origin). Loaded on first use, not on every page.
  var kakao = doc.querySelector("[data-kakao-key]");
  if (kakao) {
    kakao.addEventListener("click", function () {
      var url = kakao.getAttribute("data-url");
      function send() {
        if (!window.Kakao.isInitialized()) { window.Kakao.init(kakao.getAttribute("data-kakao-key")); }
        window.Kakao.Share.sendScrap({ requestUrl: url });
      }
      if (window.Kakao) { send(); return; }
      var s = doc.createElement("script");
      s.src = "https://t1.kakaocdn.net/kakao_js_sdk/2.7.4/kakao.min.js";
      s.crossOrigin = "anonymous";
      s.onload = send;
      s.onerror = function () { copy(url).then(function (ok) { if (ok) { say(tr("copied", "Link copied")); } }); };
      doc.head.appendChild(s);
    });
  }

  // Back to top: shown after some scrolling; smooth unless the reader
  // asked for reduced motion; focus goes back to the top of the page.
  var top = doc.querySelector(".to-top");
  if (top) {
    var shown = false;
    var show = function (want) {
      if (want !== shown) { shown = want; top.classList.toggle("show", want); }
    };
    // Reading scrollY at start-up forces a synchronous layout of the whole
    // page inside this script's task (the long task Lighthouse blames on
    // us); an observer of the header learns the same thing off the main
    // path. Scroll events stay as the fallback for old browsers.
    var header = doc.getElementById("top");
    if (window.IntersectionObserver && header) {
      new IntersectionObserver(function (es) { show(!es[es.length - 1].isIntersecting); },
        { rootMargin: "400px 0px 0px 0px" }).observe(header);
    } else {
      window.addEventListener("scroll", function () { show(window.scrollY > 600); }, { passive: true });
    }
    top.addEventListener("click", function (e) {
      e.preventDefault();
      var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      window.scrollTo({ top: 0, behavior: reduce ? "auto" : "smooth" });
      var t = doc.getElementById("top");
      if (t) { t.setAttribute("tabindex", "-1"); t.focus({ preventScroll: true }); }
    });
  }

  // View beacon: counted once the page is actually shown (not for
  // prerendered or background tabs). The id comes from the page, so the
  // HTML is the same for every reader.
  var art = doc.querySelector("[data-article-id]");
  if (art && navigator.sendBeacon) {
    var sent = false;
    var beacon = function () {
      if (sent || doc.visibilityState !== "visible") { return; }
      sent = true;
      navigator.sendBeacon("/api/v1/views", JSON.stringify({ article_id: Number(art.getAttribute("data-article-id")) }));
    };
    beacon();
    doc.addEventListener("visibilitychange", beacon);
  }

  // Embeds (YouTube, X, Instagram) are stored as link cards. The
  // provider's frame loads only when the reader asks for it, here or
  // always (remembered per provider in this browser); nothing of theirs
  // is on the page before that. The frame address is built from the
  // checked provider and id, never from the page's links.
  var FRAMES = {
    youtube: { re: /^[A-Za-z0-9_-]{11}$/, url: "https://www.youtube-nocookie.com/embed/", name: "YouTube" },
    x: { re: /^[0-9]{1,20}$/, url: "https://platform.twitter.com/embed/Tweet.html?id=", name: "X" },
    instagram: { re: /^[A-Za-z0-9_-]{1,64}$/, url: "https://www.instagram.com/p/", suffix: "/embed/", name: "Instagram" }
  };
  function consented(p) { try { return localStorage.getItem("masthead-embed-" + p) === "1"; } catch (e) { return false; } }
  function loadEmbed(fig, f, id) {
    var fr = doc.createElement("iframe");
    fr.src = f.url + id + (f.suffix || "");
    fr.title = fig.querySelector("a").textContent;
    fr.className = "embed-frame embed-" + fig.getAttribute("data-provider");
    fr.setAttribute("loading", "lazy");
    fr.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    fr.setAttribute("sandbox", "allow-scripts allow-same-origin allow-popups allow-presentation");
    fr.setAttribute("allow", "encrypted-media; picture-in-picture; fullscreen");
    var c = fig.querySelector(".embed-consent");
    if (c) { c.parentNode.removeChild(c); }
    fig.insertBefore(fr, fig.firstChild);
    fig.classList.add("embed-loaded");
  }
  var figs = doc.querySelectorAll(".body figure.embed[data-provider][data-id]");
  for (var k = 0; k < figs.length; k++) {
    (function (fig) {
      var p = fig.getAttribute("data-provider"), id = fig.getAttribute("data-id"), f = FRAMES[p];
      if (!f || !f.re.test(id)) { return; }
      if (consented(p)) { loadEmbed(fig, f, id); return; }
      var box = doc.createElement("p");
      box.className = "embed-consent";
      var b1 = doc.createElement("button");
      b1.type = "button";
      b1.textContent = tr("show", "Show it here");
      var b2 = doc.createElement("button");
      b2.type = "button";
      b2.textContent = tr("always", "Always show %s posts").replace("%s", f.name);
      var note = doc.createElement("span");
      note.textContent = tr("note", "This loads content from %s, which may set cookies.").replace("%s", f.name) + " ";
      box.appendChild(note); box.appendChild(b1); box.appendChild(b2);
      fig.appendChild(box);
      b1.addEventListener("click", function () { loadEmbed(fig, f, id); });
      b2.addEventListener("click", function () {
        try { localStorage.setItem("masthead-embed-" + p, "1"); } catch (e) { /* private mode: this page only */ }
        var all = doc.querySelectorAll('.body figure.embed[data-provider="' + p + '"]');
        for (var j = 0; j < all.length; j++) { if (!all[j].classList.contains("embed-loaded")) { loadEmbed(all[j], f, all[j].getAttribute("data-id")); } }
      });
    })(figs[k]);
  }
  // The contact form: the page is the same for every reader, so the
  // signed token (and its cookie) comes from a request of this reader's
  // own. Without it the server answers with the form to check and send
  // again, which is what readers without JavaScript get.
  var cf = doc.querySelector("form[data-contact]");
  if (cf && cf.elements.t && !cf.elements.t.value && window.fetch) {
    fetch("/contact-form/token", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) { if (j && j.token) { cf.elements.t.value = j.token; } })
      .catch(function () { /* the no-JS path still works */ });
  }
})();
