// The newsroom's rich-text editor (Tiptap, on ProseMirror). It takes over
// the story form's body field (#body_html, a textarea of the canonical body
// HTML that works without JavaScript) and keeps it in step, so saving the
// form saves what the editor shows. The server normalizes every body
// (internal/content), so nothing here is trusted; the editor only makes the
// same markup in the first place.
import { Editor } from "@tiptap/core";
import StarterKit from "@tiptap/starter-kit";
import Link from "@tiptap/extension-link";
import { CharacterCount, Placeholder } from "@tiptap/extensions";
import { Photo, Embed, Pullquote, BodyTable, BodyTableRow, BodyTableCell, BodyTableHeader, el } from "./nodes.js";

const isMac = /Mac|iPhone|iPad/.test(navigator.platform || "");
const mod = isMac ? "⌘" : "Ctrl+";
const modAria = isMac ? "Meta" : "Control";

function csrfToken(form) {
  const i = form.querySelector("input[name=csrf]");
  return i ? i.value : "";
}

// post sends a form to the newsroom the way its scripts do (CSRF header,
// X-Requested-With so errors come back as JSON).
async function post(url, form, data) {
  const r = await fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: { "X-CSRF-Token": csrfToken(form), "X-Requested-With": "fetch" },
    body: data,
  });
  const type = r.headers.get("Content-Type") || "";
  const body = type.includes("json") ? await r.json() : await r.text();
  if (!r.ok) throw new Error((body && body.error) || "The newsroom answered " + r.status + ".");
  return body;
}

// looksLikeMarkdown: plain text with Markdown's block or inline marks.
const mdRE = /(^|\n)(#{1,6}\s|[-*+]\s|\d+[.)]\s|>\s|```)|\*\*[^*\n]+\*\*|__[^_\n]+__|\[[^\]\n]+\]\([^)\s]+\)/;
const urlRE = /^https?:\/\/\S+$/;

function mount(root) {
  const form = root.closest("form");
  const field = document.getElementById(root.dataset.field);
  if (!form || !field) return;
  const live = root.querySelector(".editor-live");
  const count = root.querySelector(".word-count");
  const say = (msg) => { live.textContent = ""; setTimeout(() => { live.textContent = msg; }, 30); };

  const host = root.querySelector(".editor-host");
  const editor = new Editor({
    element: host,
    injectCSS: false,
    content: field.value,
    extensions: [
      StarterKit.configure({
        heading: { levels: [2, 3, 4] },
        underline: false,
        link: false,
      }),
      // Typing at the end of a link does not extend it.
      Link.extend({ inclusive: () => false }).configure({
        openOnClick: false, autolink: true, linkOnPaste: true, defaultProtocol: "https",
        protocols: ["mailto"], HTMLAttributes: { target: null, rel: null, class: null },
      }),
      Photo, Embed, Pullquote, BodyTable, BodyTableRow, BodyTableCell, BodyTableHeader,
      CharacterCount,
      Placeholder.configure({ placeholder: "Write the story…" }),
    ],
    editorProps: {
      attributes: {
        class: "story-body editable", role: "textbox", "aria-multiline": "true",
        "aria-labelledby": root.dataset.label, "aria-describedby": root.id + "-help",
        id: root.id + "-editable", spellcheck: "true",
      },
      handlePaste(view, event) {
        const dt = event.clipboardData;
        if (!dt) return false;
        const files = [...dt.files].filter((f) => f.type.startsWith("image/"));
        if (files.length) { files.forEach((f) => upload(f)); return true; }
        if (dt.types.includes("text/html")) return false;
        const text = dt.getData("text/plain");
        if (urlRE.test(text.trim()) && view.state.selection.empty) { pasteURL(text.trim()); return true; }
        if (mdRE.test(text)) { pasteMarkdown(text); return true; }
        return false;
      },
      handleDrop(view, event, _slice, moved) {
        if (moved || !event.dataTransfer) return false;
        const files = [...event.dataTransfer.files].filter((f) => f.type.startsWith("image/"));
        if (!files.length) return false;
        event.preventDefault();
        const at = view.posAtCoords({ left: event.clientX, top: event.clientY });
        files.forEach((f) => upload(f, at ? at.pos : null));
        return true;
      },
    },
  });

  // The textarea is the form's field: the editor writes into it on every
  // change, and the form (and autosave) read it.
  let lastHTML = editor.getHTML();
  const sync = () => {
    const h = editor.isEmpty ? "" : editor.getHTML();
    if (h !== lastHTML) {
      lastHTML = h;
      field.value = h;
      field.dispatchEvent(new Event("input", { bubbles: true }));
    }
  };
  field.hidden = true;
  root.hidden = false;
  const noJS = document.getElementById(root.dataset.field + "-nojs");
  if (noJS) noJS.hidden = true;

  // The toolbar: a WAI-ARIA toolbar (one tab stop, arrow keys between
  // buttons), each button labelled, toggles with aria-pressed.
  const bar = root.querySelector("[role=toolbar]");
  const buttons = [];
  const tools = [
    { id: "bold", text: "B", label: "Bold", keys: "B", run: (c) => c.toggleBold(), on: () => editor.isActive("bold") },
    { id: "italic", text: "I", label: "Italic", keys: "I", run: (c) => c.toggleItalic(), on: () => editor.isActive("italic") },
    { id: "strike", text: "S", label: "Strikethrough", keys: "Shift+S", run: (c) => c.toggleStrike(), on: () => editor.isActive("strike") },
    { id: "code", text: "</>", label: "Code", keys: "E", run: (c) => c.toggleCode(), on: () => editor.isActive("code") },
    { id: "link", text: "Link", label: "Link", keys: "K", run: () => linkDialog(), on: () => editor.isActive("link") },
    "|",
    { id: "h2", text: "H2", label: "H2 heading", keys: "Alt+2", run: (c) => c.toggleHeading({ level: 2 }), on: () => editor.isActive("heading", { level: 2 }) },
    { id: "h3", text: "H3", label: "H3 subheading", keys: "Alt+3", run: (c) => c.toggleHeading({ level: 3 }), on: () => editor.isActive("heading", { level: 3 }) },
    { id: "h4", text: "H4", label: "H4 minor heading", keys: "Alt+4", run: (c) => c.toggleHeading({ level: 4 }), on: () => editor.isActive("heading", { level: 4 }) },
    { id: "ul", text: "• List", label: "Bulleted list", keys: "Shift+8", run: (c) => c.toggleBulletList(), on: () => editor.isActive("bulletList") },
    { id: "ol", text: "1. List", label: "1. List (numbered)", keys: "Shift+7", run: (c) => c.toggleOrderedList(), on: () => editor.isActive("orderedList") },
    { id: "quote", text: "“ ”", label: "Quote", keys: "Shift+B", run: (c) => c.toggleBlockquote(), on: () => editor.isActive("blockquote") },
    { id: "pullquote", text: "Pull quote", label: "Pull quote", keys: "Alt+P", run: (c) => c.togglePullquote(), on: () => editor.isActive("pullquote") },
    "|",
    { id: "photo", text: "Photo", label: "Insert photo", run: () => picker.click() },
    { id: "library", text: "Library", label: "Photo from the media Library", run: () => libraryDialog() },
    { id: "embed", text: "Embed", label: "Embed YouTube, X or Instagram", run: () => embedDialog() },
    { id: "table", text: "Table", label: "Insert table", run: (c) => c.insertTable({ rows: 3, cols: 3, withHeaderRow: true }) },
    { id: "hr", text: "―", label: "Section break", run: (c) => c.setHorizontalRule() },
    { id: "markdown", text: "Markdown", label: "Paste Markdown", run: () => markdownDialog() },
    "|",
    { id: "undo", text: "↶", label: "Undo", keys: "Z", run: (c) => c.undo() },
    { id: "redo", text: "↷", label: "Redo", keys: "Shift+Z", run: (c) => c.redo() },
  ];
  for (const t of tools) {
    if (t === "|") { bar.append(el("span", { class: "sep", role: "separator", "aria-orientation": "vertical" })); continue; }
    const shortcut = t.keys ? mod + t.keys.replace("Shift+", isMac ? "⇧" : "Shift+").replace("Alt+", isMac ? "⌥" : "Alt+") : "";
    const b = el("button", {
      type: "button", class: "tool tool-" + t.id, "data-tool": t.id, tabindex: "-1",
      "aria-label": t.label, title: t.label + (shortcut ? " (" + shortcut + ")" : ""),
      "aria-keyshortcuts": t.keys ? modAria + "+" + t.keys : null,
      "aria-pressed": t.on ? "false" : null, text: t.text,
    });
    b.addEventListener("mousedown", (e) => e.preventDefault()); // keep the selection
    b.addEventListener("click", () => {
      const r = t.run(editor.chain().focus());
      if (r && r.run) r.run();
    });
    bar.append(b);
    buttons.push([b, t]);
  }
  buttons[0][0].tabIndex = 0;
  bar.addEventListener("keydown", (e) => {
    const list = buttons.map(([b]) => b);
    const i = list.indexOf(document.activeElement);
    if (i < 0) return;
    let j = -1;
    if (e.key === "ArrowRight") j = (i + 1) % list.length;
    else if (e.key === "ArrowLeft") j = (i - 1 + list.length) % list.length;
    else if (e.key === "Home") j = 0;
    else if (e.key === "End") j = list.length - 1;
    else if (e.key === "Escape") { editor.commands.focus(); return; }
    if (j < 0) return;
    e.preventDefault();
    list[i].tabIndex = -1;
    list[j].tabIndex = 0;
    list[j].focus();
  });
  // Alt+F10 moves from the text to the toolbar, as in most editors.
  host.addEventListener("keydown", (e) => {
    if (e.altKey && e.key === "F10") {
      e.preventDefault();
      (buttons.find(([b]) => b.tabIndex === 0) || buttons[0])[0].focus();
    }
  });

  const refresh = () => {
    for (const [b, t] of buttons) if (t.on) b.setAttribute("aria-pressed", t.on() ? "true" : "false");
    const words = editor.storage.characterCount.words();
    count.textContent = words.toLocaleString() + (words === 1 ? " word" : " words");
  };
  editor.on("transaction", refresh);
  editor.on("update", sync);
  editor.on("blur", () => form.dispatchEvent(new CustomEvent("editor-blur")));
  refresh();

  // Mod-K opens the link dialog.
  host.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.shiftKey && !e.altKey && e.key.toLowerCase() === "k") {
      e.preventDefault();
      linkDialog();
    }
  });

  // dialog builds a modal with one field; Esc or Cancel returns focus to
  // the text.
  function dialog(title, label, value, submitText, extra) {
    return new Promise((resolve) => {
      const id = root.id + "-dlg-" + Math.random().toString(36).slice(2);
      const input = label === "textarea"
        ? el("textarea", { id, rows: "10" })
        : el("input", { id, type: "text", value: value || "", autocomplete: "off" });
      if (label === "textarea") input.value = value || "";
      const err = el("p", { class: "error", role: "alert", hidden: true });
      const ok = el("button", { type: "submit", text: submitText });
      const cancel = el("button", { type: "button", class: "secondary", text: "Cancel" });
      const actions = el("div", { class: "actions" }, ok, cancel);
      if (extra) actions.append(extra.button);
      const f = el("form", { method: "dialog" },
        el("h2", { id: id + "-t", text: title }),
        el("label", { for: id, text: label === "textarea" ? "Markdown" : label }), input, err, actions);
      const d = el("dialog", { class: "editor-dialog", "aria-labelledby": id + "-t" }, f);
      document.body.append(d);
      let done = false;
      const finish = (v) => {
        if (done) return;
        done = true;
        d.close();
        d.remove();
        editor.commands.focus();
        resolve(v);
      };
      f.addEventListener("submit", async (e) => {
        e.preventDefault();
        finish(input.value);
      });
      cancel.addEventListener("click", () => finish(null));
      if (extra) extra.button.addEventListener("click", () => finish(extra.value));
      d.addEventListener("cancel", (e) => { e.preventDefault(); finish(null); });
      d.showModal();
      input.focus();
      if (input.select) input.select();
    });
  }

  async function linkDialog() {
    const prev = editor.getAttributes("link").href || "";
    const remove = prev ? { button: el("button", { type: "button", class: "danger", text: "Remove link" }), value: "" } : null;
    const href = await dialog(prev ? "Edit link" : "Add link", "Address (https://…, mailto:…, or /a/page)", prev, "Apply", remove);
    if (href === null) return;
    if (href.trim() === "") { editor.chain().focus().extendMarkRange("link").unsetLink().run(); say("Link removed."); return; }
    let h = href.trim();
    if (!/^(https?:|mailto:|\/|#)/i.test(h)) h = "https://" + h;
    if (editor.state.selection.empty && !editor.isActive("link")) {
      editor.chain().focus().insertContent({ type: "text", text: h, marks: [{ type: "link", attrs: { href: h } }] }).run();
    } else {
      editor.chain().focus().extendMarkRange("link").setLink({ href: h }).run();
    }
    say("Link set.");
  }

  async function embedFor(url) {
    const data = new URLSearchParams();
    data.set("url", url);
    return post("/newsroom/embed", form, data);
  }

  // insertBlock puts a photo or an embed at the cursor (or at), with a
  // paragraph after it for the cursor, so that what is typed next, or
  // inserted next, does not replace it.
  function insertBlock(node, at) {
    const content = [node, { type: "paragraph" }];
    const chain = editor.chain().focus();
    (at == null ? chain.insertContent(content) : chain.insertContentAt(at, content)).run();
  }

  function insertEmbed(e, at) {
    insertBlock({ type: "embed", attrs: { provider: e.provider, id: e.id, url: e.url, caption: "" } }, at);
    say(e.label + " embedded. Readers see a link card until they choose to load it.");
  }

  async function embedDialog() {
    const url = await dialog("Embed a post", "Address of a YouTube video, an X post or an Instagram post", "", "Embed");
    if (!url) return;
    try {
      insertEmbed(await embedFor(url.trim()));
    } catch (err) {
      say(err.message);
      window.alert(err.message);
    }
  }

  async function pasteURL(url) {
    try {
      insertEmbed(await embedFor(url));
    } catch {
      editor.chain().focus().insertContent({ type: "text", text: url, marks: [{ type: "link", attrs: { href: url } }] }).run();
    }
  }

  async function pasteMarkdown(md) {
    const data = new URLSearchParams();
    data.set("body", md);
    try {
      const html = await post("/newsroom/preview", form, data);
      editor.chain().focus().insertContent(html).run();
      say("Markdown pasted as formatted text.");
    } catch (err) {
      editor.chain().focus().insertContent(md).run();
      say(err.message);
    }
  }

  async function markdownDialog() {
    const md = await dialog("Paste Markdown", "textarea", "", "Insert");
    if (md) pasteMarkdown(md);
  }

  // Photos go through the photo desk (the same checks, stripping and
  // renditions as a lead photo) and come back as a figure to caption.
  const picker = el("input", { type: "file", accept: "image/jpeg,image/png,image/webp", hidden: true, multiple: true, "aria-label": "Photo to insert" });
  root.append(picker);
  picker.addEventListener("change", () => {
    [...picker.files].forEach((f) => upload(f));
    picker.value = "";
  });
  async function upload(file, at) {
    const data = new FormData();
    data.set("file", file);
    say("Uploading " + file.name + "…");
    root.setAttribute("aria-busy", "true");
    try {
      const p = await post("/newsroom/photos", form, data);
      const node = { type: "photo", attrs: { src: p.src, alt: p.alt || "", width: p.width || null, height: p.height || null, caption: p.caption || "", credit: p.credit || "" } };
      insertBlock(node, at);
      say("Photo added. Give it a caption, a credit and alt text.");
      // Focus the new photo's caption: the next thing to write.
      const figs = host.querySelectorAll("figure.photo.nv");
      for (const f of figs) {
        const img = f.querySelector("img");
        if (img && img.getAttribute("src") === p.src) { const c = f.querySelector("input"); if (c) c.focus(); }
      }
    } catch (err) {
      say("The photo was not added: " + err.message);
    } finally {
      root.removeAttribute("aria-busy");
    }
  }

  // The media library: reuse a photo already on the desk.
  function libraryDialog() {
    const id = root.id + "-lib";
    const q = el("input", { id: id + "-q", type: "search", autocomplete: "off" });
    const list = el("ul", { class: "lib-grid", "aria-live": "polite" });
    const status = el("p", { class: "hint", role: "status" });
    const close = el("button", { type: "button", class: "secondary", text: "Close" });
    const d = el("dialog", { class: "editor-dialog lib", "aria-labelledby": id + "-t" },
      el("h2", { id: id + "-t", text: "Photo from the media library" }),
      el("label", { for: id + "-q", text: "Search captions, credits and alt text" }), q, status, list,
      el("div", { class: "actions" }, close));
    document.body.append(d);
    const done = () => { d.close(); d.remove(); editor.commands.focus(); };
    close.addEventListener("click", done);
    d.addEventListener("cancel", (e) => { e.preventDefault(); done(); });
    let seq = 0;
    const load = async () => {
      const mine = ++seq;
      status.textContent = "Loading…";
      try {
        const r = await fetch("/newsroom/media.json?q=" + encodeURIComponent(q.value.trim()), { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } });
        const items = await r.json();
        if (mine !== seq) return;
        list.textContent = "";
        for (const it of items) {
          const p = it.photo;
          const b = el("button", { type: "button", class: "lib-item", "aria-label": "Insert: " + (p.caption || p.alt || "photo " + p.id) },
            el("img", { src: it.thumb, alt: "" }), el("span", { text: p.caption || "(no caption)" }));
          b.addEventListener("click", () => {
            done();
            insertBlock({ type: "photo", attrs: { src: p.src, alt: p.alt || "", width: p.width || null, height: p.height || null, caption: p.caption || "", credit: p.credit || "" } });
            say("Photo from the library added.");
          });
          list.append(el("li", {}, b));
        }
        status.textContent = items.length ? items.length + " photos." : "No photos match.";
      } catch {
        status.textContent = "The library could not be loaded.";
      }
    };
    let t = 0;
    q.addEventListener("input", () => { clearTimeout(t); t = setTimeout(load, 250); });
    d.showModal();
    q.focus();
    load();
  }

  root.editor = editor;
  window.mastheadEditor = editor;
}

document.querySelectorAll("[data-rich-editor]").forEach(mount);
