// The body schema's own blocks, as Tiptap nodes: photo figures, embeds and
// pull quotes. Each parses and renders exactly the markup that
// internal/content/body.go makes, so the editor loads and saves the same
// HTML the server stores.
import { Node } from "@tiptap/core";
import { Table, TableRow, TableCell, TableHeader } from "@tiptap/extension-table";

// el makes an element with attributes and children.
export function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const k of kids) if (k) e.append(k);
  return e;
}

let fieldSeq = 0;

// field is a labelled text input inside a node view. Its events are the
// input's own, not the editor's (stopEvent), and a change updates the node.
function field(label, value, onInput, opts = {}) {
  const id = "nv-" + ++fieldSeq;
  const input = el("input", { id, type: "text", value: value || "", placeholder: opts.placeholder || null, "aria-describedby": opts.describedby || null });
  input.addEventListener("input", () => onInput(input.value));
  const wrap = el("div", { class: "nv-field" }, el("label", { for: id, text: label }), input);
  return { wrap, input };
}

// setAttrs changes one node's attributes by its position.
function setAttrs(editor, getPos, attrs) {
  const pos = getPos();
  if (typeof pos !== "number") return;
  const node = editor.state.doc.nodeAt(pos);
  if (!node) return;
  editor.view.dispatch(editor.state.tr.setNodeMarkup(pos, undefined, { ...node.attrs, ...attrs }));
}

// A photo: an image from the photo desk with its caption, credit and alt.
export const Photo = Node.create({
  name: "photo",
  group: "block",
  atom: true,
  draggable: true,
  selectable: true,
  addAttributes() {
    return {
      src: { default: "" },
      alt: { default: "" },
      width: { default: null },
      height: { default: null },
      caption: { default: "" },
      credit: { default: "" },
    };
  },
  parseHTML() {
    return [{
      tag: "figure.photo",
      getAttrs(dom) {
        const img = dom.querySelector("img");
        if (!img) return false;
        const fc = dom.querySelector("figcaption");
        let credit = "", caption = "";
        if (fc) {
          const c = fc.cloneNode(true);
          const cr = c.querySelector(".credit");
          if (cr) { credit = cr.textContent.trim(); cr.remove(); }
          caption = c.textContent.replace(/\s+/g, " ").trim();
        }
        return {
          src: img.getAttribute("src") || "", alt: img.getAttribute("alt") || "",
          width: img.getAttribute("width"), height: img.getAttribute("height"), caption, credit,
        };
      },
    }];
  },
  renderHTML({ node }) {
    const a = node.attrs;
    const img = ["img", { src: a.src, alt: a.alt || "", width: a.width, height: a.height, loading: "lazy" }];
    if (!a.caption && !a.credit) return ["figure", { class: "photo" }, img];
    const cap = ["figcaption", {}];
    if (a.caption) cap.push(a.caption + (a.credit ? " " : ""));
    if (a.credit) cap.push(["span", { class: "credit" }, a.credit]);
    return ["figure", { class: "photo" }, img, cap];
  },
  addNodeView() {
    return ({ node, getPos, editor }) => {
      let cur = node;
      const img = el("img", { src: node.attrs.src, alt: node.attrs.alt || "", width: node.attrs.width, height: node.attrs.height });
      const cap = field("Caption", node.attrs.caption, (v) => setAttrs(editor, getPos, { caption: v }));
      const cred = field("Credit", node.attrs.credit, (v) => setAttrs(editor, getPos, { credit: v }), { placeholder: "e.g. Korea Times file" });
      const alt = field("Alt text (what the photo shows)", node.attrs.alt, (v) => setAttrs(editor, getPos, { alt: v }));
      const remove = el("button", { type: "button", class: "nv-remove", text: "Remove photo" });
      remove.addEventListener("click", () => {
        const pos = getPos();
        if (typeof pos === "number") editor.chain().focus().deleteRange({ from: pos, to: pos + cur.nodeSize }).run();
      });
      const dom = el("figure", { class: "photo nv", "aria-label": "Photo" }, img,
        el("div", { class: "nv-fields" }, cap.wrap, cred.wrap, alt.wrap, remove));
      return {
        dom,
        update(n) {
          if (n.type !== cur.type) return false;
          cur = n;
          if (img.getAttribute("src") !== n.attrs.src) img.setAttribute("src", n.attrs.src);
          img.setAttribute("alt", n.attrs.alt || "");
          for (const [f, k] of [[cap, "caption"], [cred, "credit"], [alt, "alt"]]) {
            if (f.input.value !== (n.attrs[k] || "")) f.input.value = n.attrs[k] || "";
          }
          return true;
        },
        stopEvent(e) { return e.target instanceof HTMLInputElement || e.target instanceof HTMLButtonElement; },
        ignoreMutation() { return true; },
        focusCaption() { cap.input.focus(); },
      };
    };
  },
});

export const providers = { youtube: "YouTube video", x: "Post on X", instagram: "Instagram post" };

export function embedLabel(provider, url) {
  return (providers[provider] || "Link") + ": " + url.replace(/^https:\/\//, "").replace(/^www\./, "");
}

// An embed: a YouTube video or an X or Instagram post, stored as a link
// card; readers load the provider's frame only when they choose to.
export const Embed = Node.create({
  name: "embed",
  group: "block",
  atom: true,
  draggable: true,
  selectable: true,
  addAttributes() {
    return { provider: { default: "" }, id: { default: "" }, url: { default: "" }, caption: { default: "" } };
  },
  parseHTML() {
    return [{
      tag: "figure.embed",
      getAttrs(dom) {
        const a = dom.querySelector("a");
        if (!a) return false;
        const fc = dom.querySelector("figcaption");
        return {
          provider: dom.getAttribute("data-provider") || "", id: dom.getAttribute("data-id") || "",
          url: a.getAttribute("href") || "", caption: fc ? fc.textContent.trim() : "",
        };
      },
    }];
  },
  renderHTML({ node }) {
    const a = node.attrs;
    const out = ["figure", { class: "embed", "data-provider": a.provider, "data-id": a.id },
      ["a", { href: a.url, rel: "noopener nofollow" }, embedLabel(a.provider, a.url)]];
    if (a.caption) out.push(["figcaption", {}, a.caption]);
    return out;
  },
  addNodeView() {
    return ({ node, getPos, editor }) => {
      let cur = node;
      const link = el("a", { href: node.attrs.url, rel: "noopener nofollow", target: "_blank", text: embedLabel(node.attrs.provider, node.attrs.url) });
      const cap = field("Caption (optional)", node.attrs.caption, (v) => setAttrs(editor, getPos, { caption: v }));
      const remove = el("button", { type: "button", class: "nv-remove", text: "Remove embed" });
      remove.addEventListener("click", () => {
        const pos = getPos();
        if (typeof pos === "number") editor.chain().focus().deleteRange({ from: pos, to: pos + cur.nodeSize }).run();
      });
      const dom = el("figure", { class: "embed nv", "data-provider": node.attrs.provider, "aria-label": providers[node.attrs.provider] || "Embed" },
        el("p", { class: "embed-card" }, link),
        el("p", { class: "hint", text: "Readers see this card and load the post only if they choose to." }),
        el("div", { class: "nv-fields" }, cap.wrap, remove));
      return {
        dom,
        update(n) {
          if (n.type !== cur.type) return false;
          cur = n;
          if (cap.input.value !== (n.attrs.caption || "")) cap.input.value = n.attrs.caption || "";
          return true;
        },
        stopEvent(e) { return e.target instanceof HTMLInputElement || e.target instanceof HTMLButtonElement; },
        ignoreMutation() { return true; },
        focusCaption() { cap.input.focus(); },
      };
    };
  },
});

// A pull quote: a line of the story set large beside it.
export const Pullquote = Node.create({
  name: "pullquote",
  group: "block",
  content: "inline*",
  defining: true,
  parseHTML() { return [{ tag: "aside.pullquote" }]; },
  renderHTML() { return ["aside", { class: "pullquote" }, 0]; },
  addCommands() {
    return {
      togglePullquote: () => ({ commands, editor }) =>
        editor.isActive("pullquote") ? commands.setNode("paragraph") : commands.setNode("pullquote"),
    };
  },
  addKeyboardShortcuts() {
    return { "Mod-Alt-p": () => this.editor.commands.togglePullquote() };
  },
});

// Tables with one line of text per cell, as the body schema has them; no
// inline styles (the newsroom's CSP allows none) and no column widths.
function cellAttrs() {
  return {
    colspan: { default: 1, parseHTML: (e) => Number(e.getAttribute("colspan")) || 1, renderHTML: (a) => (a.colspan > 1 ? { colspan: a.colspan } : {}) },
    rowspan: { default: 1, parseHTML: (e) => Number(e.getAttribute("rowspan")) || 1, renderHTML: (a) => (a.rowspan > 1 ? { rowspan: a.rowspan } : {}) },
    colwidth: { default: null, parseHTML: () => null, renderHTML: () => ({}) },
  };
}

export const BodyTable = Table.extend({
  renderHTML() { return ["table", {}, ["tbody", 0]]; },
}).configure({ resizable: false, renderWrapper: false });
export const BodyTableRow = TableRow;
export const BodyTableCell = TableCell.extend({ content: "inline*", addAttributes: cellAttrs });
export const BodyTableHeader = TableHeader.extend({ content: "inline*", addAttributes: cellAttrs });
