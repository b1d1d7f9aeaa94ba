// The Artifacts tab: per stage, a readable render (Markdown, diagrams, tables,
// swatches, a file tree), the raw JSON, the version history with diffs, an
// editor that shows the API's schema problems on their lines, and
// regenerate-with-feedback. After an edit or a regeneration the stages built
// from this one show stale.

import { diffLines, diffWordsWithSpace } from "diff";
import { api, getBlob, STAGE_NAMES, STAGES, type ArtifactBody, type Stage, type VersionMeta } from "./api";
import { empty, fill, fmt, h, loading } from "./dom";
import { JsonSyntaxError, lineOfProblem, parseLocated } from "./jsonpos";
import { codeView, diagramView, markdownView } from "./render";
import type { ProjectState, Tab } from "./tab";
import { busy, capitalise, errorBox, saveBlob, table, toast } from "./ui";

type Mode = "view" | "json" | "history" | "edit" | "regenerate";
const MODES: [Mode, string][] = [
  ["view", "Readable"],
  ["json", "JSON"],
  ["history", "History"],
  ["edit", "Edit"],
  ["regenerate", "Regenerate"],
];

export function artifactsTab(body: HTMLElement, state: ProjectState, requested: Stage | null): Tab {
  const stage: Stage = requested && STAGES.includes(requested) ? requested : "prd";
  let mode: Mode = "view";
  let version: number | null = null; // null: the newest
  // The newest version when the panel was last (re)loaded: a live update
  // reloads it only when a newer one has arrived since.
  let shownVersion: number | null = null;
  const stageNav = h("nav", { class: "stage-nav", "aria-label": "Stages" });
  const head = h("div", { class: "artifact-head" });
  const modeBar = h("div", { class: "modes", role: "tablist", "aria-label": "Ways to look at this artifact" });
  const panel = h("div", { class: "artifact-panel", role: "tabpanel", id: "artifact-panel" });
  const notice = h("div", { "aria-live": "polite" });
  fill(body, h("h2", { class: "sr-only" }, "Artifacts"), stageNav, head, notice, modeBar, panel);

  const current = () => state.project.stages.find((s) => s.stage === stage)!;

  const renderNav = () =>
    fill(
      stageNav,
      h(
        "ul",
        null,
        state.project.stages.map((s) =>
          h(
            "li",
            null,
            h(
              "a",
              {
                href: `#/projects/${state.id}/artifacts/${s.stage}`,
                "aria-current": s.stage === stage ? "page" : null,
                "data-stage": s.stage,
                "data-status": s.status,
                class: `status-${s.status}`,
              },
              h("span", { class: "dot", "aria-hidden": "true" }),
              STAGE_NAMES[s.stage],
              h("span", { class: "sr-only" }, ` (${s.status})`),
            ),
          ),
        ),
      ),
    );

  const renderModes = () =>
    fill(
      modeBar,
      MODES.map(([m, label]) =>
        h(
          "button",
          {
            role: "tab",
            class: "mode",
            "aria-selected": String(m === mode),
            "aria-controls": "artifact-panel",
            tabindex: m === mode ? 0 : -1,
            onclick: () => {
              mode = m;
              void show();
            },
            onkeydown: (ev: KeyboardEvent) => {
              const i = MODES.findIndex(([x]) => x === mode);
              const step = ev.key === "ArrowRight" ? 1 : ev.key === "ArrowLeft" ? -1 : 0;
              if (!step) return;
              mode = MODES[(i + step + MODES.length) % MODES.length][0];
              void show().then(() => modeBar.querySelector<HTMLButtonElement>('[aria-selected="true"]')?.focus());
            },
          },
          label,
        ),
      ),
    );

  // Each show() supersedes the last: an answer that arrives after the user
  // moved on is dropped, not painted over what they chose.
  let showing = 0;
  const show = async () => {
    const turn = ++showing;
    renderModes();
    const s = current();
    shownVersion = s.version;
    if (s.version === null && mode !== "regenerate") {
      fill(head, h("h3", null, STAGE_NAMES[stage]));
      fill(panel, empty(`No ${STAGE_NAMES[stage]} yet`, s.status === "failed" ? `The last attempt failed: ${s.error?.message ?? "see Activity"}` : "Run the pipeline; this stage’s artifact appears here when its agent finishes."));
      return;
    }
    fill(panel, loading(STAGE_NAMES[stage]));
    try {
      const [art, versions] = await Promise.all([
        s.version === null ? Promise.resolve(null) : api.artifact(state.id, stage, version ?? undefined),
        api.versions(state.id),
      ]);
      if (turn !== showing) return;
      const mine = versions.versions.filter((v) => v.stage === stage);
      renderHead(art, mine);
      if (!art) {
        fill(panel, regeneratePanel(state, stage, afterChange));
        return;
      }
      const content =
        mode === "view"
          ? await readable(state, stage, art)
          : mode === "json"
            ? codeView(JSON.stringify(art.artifact, null, 2), "artifact.json", `${STAGE_NAMES[stage]} as JSON`)
            : mode === "history"
              ? history(state.id, mine, art.version)
              : mode === "edit"
                ? editor(state, stage, art, afterChange)
                : regeneratePanel(state, stage, afterChange);
      if (turn === showing) fill(panel, content);
    } catch (e) {
      if (turn === showing) fill(panel, errorBox(e, `The ${STAGE_NAMES[stage]} could not be loaded`, () => void show()));
    }
  };

  const renderHead = (art: ArtifactBody | null, mine: VersionMeta[]) => {
    const s = current();
    const select = h(
      "select",
      {
        id: "version-select",
        onchange: (ev: Event) => {
          const v = Number((ev.target as HTMLSelectElement).value);
          version = v === s.version ? null : v;
          void show();
        },
      },
      [...mine].reverse().map((v) =>
        h("option", { value: v.version, selected: v.version === art?.version }, `v${v.version} · ${v.source}${v.version === s.version ? " (newest)" : ""}`),
      ),
    );
    fill(
      head,
      h(
        "div",
        { class: "row spread" },
        h("h3", null, `${STAGE_NAMES[stage]} `, h("span", { class: `badge status-${s.status}`, "data-testid": "stage-status" }, s.status)),
        mine.length ? h("div", { class: "row" }, h("label", { for: "version-select" }, "Version"), select) : null,
      ),
      art
        ? h("p", { class: "muted small" }, `v${art.version} by ${art.source}${art.model ? ` (${art.model})` : ""} · ${fmt.time(art.createdAt)} · ${fmt.int(art.sizeBytes)} bytes · ${art.contentHash.slice(0, 12)}`)
        : null,
    );
  };

  const afterChange = async (what: string) => {
    await state.refresh();
    const stale = state.project.stages.filter((s) => s.status === "stale").map((s) => STAGE_NAMES[s.stage]);
    fill(
      notice,
      h(
        "div",
        { class: "ok-box", "data-testid": "change-notice" },
        h("p", null, `${what} as version ${current().version}.`),
        stale.length
          ? h("p", null, `Built from it and now stale: ${stale.join(", ")}. `, h("a", { href: `#/projects/${state.id}/pipeline` }, "Open the pipeline to re-run them."))
          : h("p", null, "No other stage depends on it."),
      ),
    );
    version = null;
    mode = "view";
    await show();
  };

  renderNav();
  void show();
  return {
    update() {
      renderNav();
      // A new version arrived (a run finished this stage): show it, unless
      // the user is editing or looking at an older version on purpose.
      const newest = current().version;
      if (newest !== shownVersion && version === null && (mode === "view" || mode === "json" || mode === "history")) void show();
    },
  };
}

/** Shows what changed after a save or a regeneration, and the artifact again. */
type AfterChange = (what: string) => Promise<void>;

/** The JSON editor: problems on their lines as you type (syntax) and as the
 * server reports them (schema, rules); a save is a new version. */
function editor(state: ProjectState, stage: Stage, art: ArtifactBody, afterChange: AfterChange): HTMLElement {
  const text = JSON.stringify(art.artifact, null, 2);
  const area = h("textarea", {
    id: "artifact-editor",
    class: "editor-text",
    spellcheck: "false",
    wrap: "off",
    "aria-describedby": "editor-problems",
    "aria-label": `${STAGE_NAMES[stage]} JSON`,
  });
  area.value = text;
  const gutter = h("div", { class: "gutter", "aria-hidden": "true" });
  const problemsHost = h("div", { id: "editor-problems", "aria-live": "polite" });
  const save = h("button", { type: "button" }, "Save as new version");
  let marks = new Map<number, string[]>();
  let painted = -1; // lines in the gutter; typing within a line does not repaint it
  const paintGutter = (force = true) => {
    const count = area.value.split("\n").length;
    if (!force && count === painted) return;
    painted = count;
    const frag = document.createDocumentFragment();
    for (let n = 1; n <= count; n++) {
      const m = marks.get(n);
      frag.append(h("div", { class: m ? "gutter-line bad" : "gutter-line", title: m?.join("\n") ?? null, "data-line": n }, m ? `⚠ ${n}` : String(n)));
    }
    gutter.replaceChildren(frag);
    gutter.scrollTop = area.scrollTop;
  };
  const goTo = (line: number) => {
    const lines = area.value.split("\n");
    const offset = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    area.focus();
    area.setSelectionRange(offset, offset + (lines[line - 1]?.length ?? 0));
    area.scrollTop = Math.max(0, (line - 3) * 20);
  };
  const showProblems = (title: string, problems: { line: number | null; text: string }[]) => {
    marks = new Map();
    for (const p of problems) if (p.line) marks.set(p.line, [...(marks.get(p.line) ?? []), p.text]);
    area.setAttribute("aria-invalid", problems.length ? "true" : "false");
    paintGutter();
    fill(
      problemsHost,
      problems.length
        ? h(
            "div",
            { class: "alert", role: "alert" },
            h("p", { class: "alert-title" }, title),
            h(
              "ul",
              { class: "problems" },
              problems.map((p) =>
                h(
                  "li",
                  { "data-line": p.line ?? "" },
                  p.line ? h("button", { type: "button", class: "link", onclick: () => goTo(p.line!) }, `Line ${p.line}`) : null,
                  p.line ? ": " : null,
                  p.text,
                ),
              ),
            ),
          )
        : null,
    );
  };
  const check = () => {
    try {
      return parseLocated(area.value);
    } catch (e) {
      if (e instanceof JsonSyntaxError) showProblems("This is not valid JSON yet", [{ line: e.line, text: e.message }]);
      return null;
    }
  };
  let timer = 0;
  area.addEventListener("input", () => {
    clearTimeout(timer);
    timer = window.setTimeout(() => {
      if (check()) showProblems("", []);
    }, 250);
    paintGutter(false);
  });
  area.addEventListener("scroll", () => (gutter.scrollTop = area.scrollTop));
  save.addEventListener("click", () => {
    clearTimeout(timer); // a pending re-check must not wipe what the server says
    const parsed = check();
    if (!parsed) return;
    void busy(save, async () => {
      try {
        await api.edit(state.id, stage, parsed.value);
        toast(`${STAGE_NAMES[stage]} saved`);
        await afterChange("Your edit was saved");
      } catch (e) {
        const problems = (e as { problems?: string[] }).problems ?? [];
        if (problems.length) {
          const located = problems.map((p) => ({ line: lineOfProblem(p, parsed.lines), text: p }));
          showProblems(capitalise((e as Error).message), located);
          const first = Math.min(...located.map((p) => p.line ?? Infinity));
          if (Number.isFinite(first)) area.scrollTop = Math.max(0, (first - 3) * 20);
        } else {
          fill(problemsHost, errorBox(e, "The edit was not saved"));
        }
      }
    });
  });
  paintGutter();
  return h(
    "div",
    { class: "stack" },
    h("p", { class: "muted" }, "Edit the JSON and save it as a new version. The server checks it against the stage’s schema; nothing is saved unless it passes, and every problem is shown on its line."),
    h("div", { class: "editor" }, gutter, area),
    problemsHost,
    h("div", { class: "row" }, save, h("button", { type: "button", class: "secondary", onclick: () => ((area.value = text), showProblems("", [])) }, "Undo changes")),
  );
}

/** Regenerate with feedback: a new version from the stage's inputs, never a
 * cached answer. */
function regeneratePanel(state: ProjectState, stage: Stage, afterChange: AfterChange): HTMLElement {
  const feedback = h("textarea", { id: "regen-feedback", rows: 4, maxlength: 8000, placeholder: "e.g. Add a persona for the clinic receptionist" });
  const go = h("button", { type: "button" }, `Regenerate ${STAGE_NAMES[stage]}`);
  const result = h("div", { "aria-live": "polite" });
  go.addEventListener("click", () => {
    go.textContent = "Regenerating…";
    void busy(go, async () => {
      try {
        await api.regenerate(state.id, stage, feedback.value);
        toast(`${STAGE_NAMES[stage]} regenerated`);
        await afterChange(feedback.value.trim() ? "Regenerated with your feedback" : "Regenerated");
      } catch (e) {
        fill(result, errorBox(e, "The stage was not regenerated"));
      }
    });
  });
  return h(
    "div",
    { class: "stack" },
    h("label", { for: "regen-feedback" }, `What should the ${STAGE_NAMES[stage]} agent change?`),
    feedback,
    h("p", { class: "muted small" }, "The agent makes a new version from its inputs and your feedback (never a cached answer). Stages built from it become stale."),
    h("div", { class: "row" }, go),
    result,
  );
}

function history(id: string, versions: VersionMeta[], shown: number): HTMLElement {
  const host = h("div", { class: "stack" });
  if (versions.length < 2) {
    fill(host, table("Versions", ["Version", "Source", "Model", "Size", "Created"], versions.map(row)), empty("Only one version", "Edit or regenerate this stage to make another; then compare them here."));
    return host;
  }
  const pick = (selectId: string, label: string, value: number) =>
    h("div", { class: "field" }, h("label", { for: selectId }, label), h("select", { id: selectId }, [...versions].reverse().map((v) => h("option", { value: v.version, selected: v.version === value }, `v${v.version} · ${v.source}`))));
  const older = Math.max(1, shown === versions[0].version ? versions[1].version : shown - 1);
  const fromField = pick("diff-from", "Compare", Math.min(older, shown));
  const toField = pick("diff-to", "with", shown === versions[0].version ? versions[1].version : shown);
  const out = h("div");
  const compare = async () => {
    const stage = versions[0].stage;
    const from = Number(fromField.querySelector("select")!.value);
    const to = Number(toField.querySelector("select")!.value);
    fill(out, loading("the diff"));
    try {
      const [a, b] = await Promise.all([api.artifact(id, stage, from), api.artifact(id, stage, to)]);
      fill(out, diffView(JSON.stringify(a.artifact, null, 2), JSON.stringify(b.artifact, null, 2), from, to));
    } catch (e) {
      fill(out, errorBox(e, "The versions could not be compared"));
    }
  };
  fromField.querySelector("select")!.addEventListener("change", () => void compare());
  toField.querySelector("select")!.addEventListener("change", () => void compare());
  fill(host, table("Versions", ["Version", "Source", "Model", "Size", "Created"], [...versions].reverse().map(row)), h("div", { class: "row" }, fromField, toField), out);
  void compare();
  return host;
}

function row(v: VersionMeta): string[] {
  return [`v${v.version}`, v.source, v.model ?? "—", `${fmt.int(v.sizeBytes)} bytes`, fmt.time(v.createdAt)];
}

function diffView(a: string, b: string, from: number, to: number): HTMLElement {
  const parts = diffLines(a, b);
  let added = 0;
  let removed = 0;
  const lines: HTMLElement[] = [];
  const split = (value: string) => value.replace(/\n$/, "").split("\n");
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const text = split(part.value);
    const next = parts[i + 1];
    if (part.removed && next?.added && split(next.value).length === text.length) {
      // A changed block: pair each old line with its new one and mark the words that differ.
      const after = split(next.value);
      removed += text.length;
      added += after.length;
      text.forEach((old, k) => {
        const words = diffWordsWithSpace(old, after[k]);
        lines.push(h("span", { class: "diff-del" }, "− ", words.filter((w) => !w.added).map((w) => (w.removed ? h("del", null, w.value) : w.value))));
        lines.push(h("span", { class: "diff-add" }, "+ ", words.filter((w) => !w.removed).map((w) => (w.added ? h("ins", null, w.value) : w.value))));
      });
      i++;
      continue;
    }
    if (part.added) added += text.length;
    if (part.removed) removed += text.length;
    const kind = part.added ? "add" : part.removed ? "del" : "same";
    const sign = part.added ? "+" : part.removed ? "−" : " ";
    if (kind === "same" && text.length > 6) {
      lines.push(...text.slice(0, 3).map((t) => h("span", { class: "diff-same" }, `  ${t}`)));
      lines.push(h("span", { class: "diff-skip" }, `  … ${text.length - 6} unchanged lines …`));
      lines.push(...text.slice(-3).map((t) => h("span", { class: "diff-same" }, `  ${t}`)));
    } else {
      lines.push(...text.map((t) => h("span", { class: `diff-${kind}` }, `${sign} ${t}`)));
    }
  }
  return h(
    "div",
    { class: "stack" },
    h("p", { "data-testid": "diff-summary" }, added || removed ? `v${from} → v${to}: ${added} line${added === 1 ? "" : "s"} added, ${removed} removed` : `v${from} and v${to} are identical`),
    h("pre", { class: "diff code", tabindex: 0, "aria-label": `Differences between version ${from} and ${to}` }, lines),
  );
}

// ---------------------------------------------------------------- readable

async function readable(state: ProjectState, stage: Stage, art: ArtifactBody): Promise<HTMLElement> {
  const a = art.artifact as Record<string, any>;
  const v = art.version;
  const view = (name: string) => api.view(state.id, stage, name, v);
  switch (stage) {
    case "prd":
      return markdownView(await view("prd.md"));
    case "data": {
      const [erd, sql] = await Promise.all([view("erd.mmd"), view("schema.sqlite.sql")]);
      return h(
        "div",
        { class: "stack" },
        diagramView(erd, "Entity–relationship diagram of the data model"),
        ...(a.entities as any[]).map((e) =>
          table(
            `${e.name} (table ${e.table}): ${e.description}`,
            ["Field", "Type", "Required", "Unique", "References", "Description"],
            (e.fields as any[]).map((f) => [f.name, f.fieldType, f.required ? "yes" : "no", f.unique ? "yes" : "no", f.references ?? "—", f.description]),
          ),
        ),
        h("details", null, h("summary", null, "SQL schema (SQLite / D1)"), codeView(sql, "schema.sql")),
      );
    }
    case "design":
      return designView(a);
    case "logic":
      // logic.md carries each state machine as a Mermaid block: drawn in place.
      return markdownView(await view("logic.md"));
    case "api":
      return apiView(state, a, v);
    case "frontend":
    case "deployment":
      return filesView(stage, a);
  }
}

function designView(a: Record<string, any>): HTMLElement {
  const tokens = a.tokens ?? {};
  return h(
    "div",
    { class: "stack" },
    h("h4", null, "Colours"),
    h(
      "ul",
      { class: "swatches" },
      (tokens.colors ?? []).map((c: any) =>
        h("li", { class: "swatch", "data-token": c.name }, h("span", { class: "chip", style: `background:${safeColor(c.value)}` }), h("span", null, h("strong", null, c.name), h("code", null, c.value))),
      ),
    ),
    h("h4", null, "Type"),
    h(
      "ul",
      { class: "type-samples" },
      (tokens.typography ?? []).map((t: any) =>
        h(
          "li",
          null,
          h("span", { class: "type-sample", style: `font-size:${Number(t.sizePx)}px;font-weight:${Number(t.weight)};line-height:${Number(t.lineHeight)}` }, "The quick brown fox plans the week"),
          h("span", { class: "muted small" }, `${t.name} · ${t.sizePx}px / ${t.weight} · ${t.fontFamily}`),
        ),
      ),
    ),
    h("h4", null, "Spacing and radius"),
    h(
      "ul",
      { class: "spacing" },
      [...(tokens.spacing ?? []).map((s: any) => ["spacing", s]), ...(tokens.radius ?? []).map((s: any) => ["radius", s])].map(([kind, s]) =>
        h("li", null, h("span", { class: "bar", style: kind === "spacing" ? `width:${Number(s.px)}px` : `border-radius:${Number(s.px)}px` }), `${kind} ${s.name}: ${s.px}px`),
      ),
    ),
    h("h4", null, "Screens and how they connect"),
    navigation(a.screens ?? [], a.navigation ?? []),
    table(
      "Screens",
      ["Screen", "Route", "Purpose", "Components", "Stories"],
      (a.screens ?? []).map((s: any) => [`${s.id} ${s.name}`, s.route, s.purpose, (s.components ?? []).join(", "), (s.userStories ?? []).join(", ") || "—"]),
    ),
  );
}

/** The screen flow as a Mermaid flowchart, from the design's navigation. */
function navigation(screens: any[], links: any[]): HTMLElement {
  const id = (s: string) => "S_" + String(s).replace(/[^A-Za-z0-9]/g, "_");
  const text = (s: unknown) => String(s ?? "").replace(/[^\p{L}\p{N} .,:/()'-]/gu, " ").trim() || " ";
  const lines = ["flowchart LR"];
  for (const s of screens) lines.push(`  ${id(s.id)}["${text(s.name)}"]`);
  for (const l of links) lines.push(`  ${id(l.from)} -->|${text(l.label)}| ${id(l.to)}`);
  return diagramView(lines.join("\n"), `Navigation between the ${screens.length} screens`);
}

/** Only a colour literal reaches a style attribute. */
function safeColor(value: string): string {
  return /^(#[0-9a-fA-F]{3,8}|rgba?\([\d\s.,%]+\)|hsla?\([\d\s.,%deg]+\))$/.test(value) ? value : "transparent";
}

function apiView(state: ProjectState, a: Record<string, any>, version: number): HTMLElement {
  const download: HTMLButtonElement = h("button", { class: "secondary" }, "Download OpenAPI (openapi.json)");
  download.addEventListener("click", () =>
    void busy(download, async () => {
      try {
        const { blob } = await getBlob(`/api/projects/${state.id}/artifacts/api/views/openapi.json?version=${version}`);
        saveBlob(blob, "openapi.json");
      } catch (e) {
        toast(e instanceof Error ? e.message : String(e), "error");
      }
    }),
  );
  const endpoints = (a.endpoints as any[]) ?? [];
  return h(
    "div",
    { class: "stack" },
    h("div", { class: "row spread" }, h("p", null, `${endpoints.length} endpoints · auth: ${a.authScheme}`), download),
    table(
      "Endpoints",
      ["Id", "Method", "Path", "Summary", "Entity", "Auth", "Stories"],
      endpoints.map((e) => [
        e.id,
        h("span", { class: `method method-${String(e.method).toLowerCase()}` }, e.method),
        h("code", null, e.path),
        e.summary,
        e.entity ?? "—",
        e.authRequired ? "required" : "public",
        (e.userStories ?? []).join(", "),
      ]),
      "endpoints",
    ),
  );
}

interface TreeNode {
  name: string;
  path: string;
  children: Map<string, TreeNode>;
  file?: { path: string; content: string };
}

function filesView(stage: Stage, a: Record<string, any>): HTMLElement {
  const files = ((a.files as any[]) ?? []).map((f) => ({ path: String(f.path), content: String(f.content ?? "") }));
  const root: TreeNode = { name: "", path: "", children: new Map() };
  for (const f of files) {
    let node = root;
    const parts = f.path.split("/");
    parts.forEach((part, i) => {
      const path = parts.slice(0, i + 1).join("/");
      if (!node.children.has(part)) node.children.set(part, { name: part, path, children: new Map() });
      node = node.children.get(part)!;
    });
    node.file = f;
  }
  const viewer = h("div", { class: "file-viewer" });
  const open = (f: { path: string; content: string }, button: HTMLElement) => {
    for (const b of tree.querySelectorAll("[aria-current]")) b.removeAttribute("aria-current");
    button.setAttribute("aria-current", "true");
    fill(viewer, h("p", { class: "file-path" }, h("code", null, f.path), ` · ${f.content.split("\n").length} lines`), codeView(f.content, f.path));
  };
  const list = (node: TreeNode): HTMLElement =>
    h(
      "ul",
      null,
      [...node.children.values()]
        .sort((x, y) => Number(!!x.file) - Number(!!y.file) || x.name.localeCompare(y.name))
        .map((child) => {
          if (child.file) {
            const f = child.file;
            const b: HTMLButtonElement = h("button", { type: "button", class: "file", "data-path": f.path, onclick: () => open(f, b) }, child.name);
            return h("li", null, b);
          }
          return h("li", null, h("details", { open: true }, h("summary", null, `${child.name}/`), list(child)));
        }),
    );
  const tree = h("nav", { class: "tree", "aria-label": "Files" }, list(root));
  const extra: HTMLElement[] = [];
  if (stage === "deployment") {
    extra.push(
      h("p", null, `Platform: ${a.platform}`),
      table("Environment variables", ["Name", "Secret", "Description"], ((a.envVars as any[]) ?? []).map((e) => [e.name, e.secret ? "secret" : "plain", e.description])),
      h("h4", null, "Steps"),
      h("ol", null, ((a.steps as any[]) ?? []).map((s) => h("li", null, String(s)))),
    );
  } else {
    extra.push(h("p", null, `Framework: ${a.framework}`));
  }
  const first = tree.querySelector<HTMLButtonElement>("button.file");
  const firstFile = files.find((f) => f.path === first?.dataset.path);
  if (first && firstFile) open(firstFile, first);
  else fill(viewer, empty("No files", "This artifact lists no files."));
  return h("div", { class: "stack" }, extra, h("div", { class: "files" }, tree, viewer));
}
