// Passkeys on the account pages: add one (signed in), or sign in with one.
// The buttons stay hidden where the browser has no WebAuthn.
(function () {
  "use strict";
  var PKC = window.PublicKeyCredential;
  if (!PKC || !PKC.parseCreationOptionsFromJSON || !PKC.parseRequestOptionsFromJSON) return;
  function say(id, text) {
    var el = document.getElementById(id);
    if (el) el.textContent = text;
  }
  function call(path, body, csrf) {
    var headers = { "Accept": "application/json", "Content-Type": "application/json" };
    if (csrf) headers["X-CSRF-Token"] = csrf;
    return fetch(path, { method: "POST", credentials: "same-origin", headers: headers, body: body ? JSON.stringify(body) : "{}" })
      .then(function (r) {
        return r.json().then(function (j) { if (!r.ok) throw new Error(j.error || "Something went wrong."); return j; });
      });
  }
  var add = document.getElementById("passkey-add");
  if (add) {
    add.hidden = false;
    add.addEventListener("click", function () {
      var csrf = add.getAttribute("data-csrf");
      say("passkey-status", "");
      call("/account/passkeys/add/begin", null, csrf)
        .then(function (o) { return navigator.credentials.create({ publicKey: PKC.parseCreationOptionsFromJSON(o.publicKey) }); })
        .then(function (cred) { return call("/account/passkeys/add/finish", cred.toJSON(), csrf); })
        .then(function (j) { say("passkey-status", j.message); window.location.reload(); },
              function (e) { say("passkey-status", e.message || "The passkey was not added."); });
    });
  }
  var signin = document.getElementById("passkey-signin");
  if (signin) {
    signin.hidden = false;
    signin.addEventListener("click", function () {
      say("passkey-status", "");
      call("/account/passkeys/signin/begin")
        .then(function (o) { return navigator.credentials.get({ publicKey: PKC.parseRequestOptionsFromJSON(o.publicKey) }); })
        .then(function (cred) { return call("/account/passkeys/signin/finish", cred.toJSON()); })
        .then(function (j) { window.location.assign(j.location || "/account"); },
              function (e) { say("passkey-status", e.message || "Signing in with a passkey did not work."); });
    });
  }
})();
