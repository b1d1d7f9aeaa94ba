// Readable renders: Markdown (sanitised), Mermaid diagrams (loaded only when
// a diagram is shown), and highlighted source files.

import DOMPurify from "dompurify";
import { marked } from "marked";
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import css from "highlight.js/lib/languages/css";
import ini from "highlight.js/lib/languages/ini";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import markdown from "highlight.js/lib/languages/markdown";
import sql from "highlight.js/lib/languages/sql";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";
import { h } from "./dom";

for (const [name, lang] of Object.entries({ bash, css, ini, javascript, json, markdown, sql, typescript, xml, yaml })) {
  hljs.registerLanguage(name, lang);
}

export function markdownView(text: string): HTMLElement {
  const div = h("div", { class: "markdown" });
  div.innerHTML = DOMPurify.sanitize(marked.parse(text, { async: false }) as string);
  // The page already has its h1-h3: a document's headings start at h4.
  for (const heading of div.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
    const level = Math.min(6, Number(heading.tagName[1]) + 3);
    const demoted = document.createElement(`h${level}`);
    demoted.replaceChildren(...heading.childNodes);
    heading.replaceWith(demoted);
  }
  // Mermaid blocks are drawn where they stand, captioned by their section.
  for (const code of div.querySelectorAll<HTMLElement>("pre > code.language-mermaid")) {
    const pre = code.parentElement!;
    let heading: Element | null = pre.previousElementSibling;
    while (heading && !/^H[1-6]$/.test(heading.tagName)) heading = heading.previousElementSibling;
    pre.replaceWith(diagramView(code.textContent ?? "", heading?.textContent?.trim() || "Diagram"));
  }
  // Task-list items ("- [ ] …") become read-only checkboxes: name each by its item.
  for (const box of div.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')) {
    box.setAttribute("aria-label", box.closest("li")?.textContent?.trim() || "Task");
  }
  return div;
}

const LANGUAGES: Record<string, string> = {
  ts: "typescript",
  tsx: "typescript",
  js: "javascript",
  mjs: "javascript",
  json: "json",
  css: "css",
  html: "xml",
  svg: "xml",
  sql: "sql",
  toml: "ini",
  ini: "ini",
  yml: "yaml",
  yaml: "yaml",
  md: "markdown",
  sh: "bash",
};

function languageOf(path: string): string | null {
  const ext = path.split(".").pop()?.toLowerCase() ?? "";
  return LANGUAGES[ext] ?? null;
}

/** A read-only code block with syntax highlighting (escaped by highlight.js). */
export function codeView(text: string, path: string, label?: string): HTMLElement {
  const code = h("code", { class: "hljs" });
  const lang = languageOf(path);
  if (lang) {
    code.innerHTML = hljs.highlight(text, { language: lang, ignoreIllegals: true }).value;
    code.dataset.language = lang;
  } else {
    code.textContent = text;
  }
  return h("pre", { class: "code", tabindex: 0, "aria-label": label ?? `Source of ${path}` }, code);
}

let mermaidReady: Promise<typeof import("mermaid").default> | null = null;
let diagramCount = 0;

function mermaid() {
  mermaidReady ??= import("mermaid").then(({ default: m }) => {
    m.initialize({ startOnLoad: false, securityLevel: "strict", theme: "neutral", fontFamily: "system-ui, sans-serif" });
    return m;
  });
  return mermaidReady;
}

/** Renders Mermaid source to an SVG figure; on a syntax error shows the source and the error. */
export function diagramView(source: string, caption: string): HTMLElement {
  const figure = h("figure", { class: "diagram", "aria-busy": "true" });
  const holder = h("div", { class: "diagram-svg", role: "img", "aria-label": caption });
  figure.append(holder, h("figcaption", null, caption));
  holder.append(h("p", { class: "loading" }, "Drawing the diagram…"));
  void (async () => {
    try {
      const m = await mermaid();
      const { svg } = await m.render(`diagram-${++diagramCount}`, source);
      holder.innerHTML = svg;
    } catch (e) {
      holder.replaceChildren(
        h("p", { class: "error", role: "alert" }, `This diagram could not be drawn: ${(e as Error).message}`),
        codeView(source, "diagram.mmd", `Mermaid source of ${caption}`),
      );
    } finally {
      figure.removeAttribute("aria-busy");
      figure.dataset.rendered = "true";
    }
  })();
  return figure;
}
