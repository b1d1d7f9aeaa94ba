// Readable views of each stage's artifact: Markdown, diagrams, tables,
// swatches, the screen flow, the endpoints and a file tree, built from the
// artifact JSON and the supervisor's renders.

import { api, getBlob, type ArtifactBody } from "./api";
import type { ApiArtifact, DeploymentArtifact, DesignArtifact, FrontendArtifact, NavigationLink, QueryParam, Screen, SourceFile } from "./artifact-types";
import { empty, fill, h } from "./dom";
import { codeView, diagramView, markdownView } from "./render";
import type { ProjectState } from "./tab";
import { busy, saveBlob, table, toast } from "./ui";

export async function readable(state: ProjectState, art: ArtifactBody): Promise<HTMLElement> {
  const v = art.version;
  const view = (name: string) => api.view(state.id, art.stage, name, v);
  switch (art.stage) {
    case "prd":
      return markdownView(await view("prd.md"));
    case "data": {
      const [erd, sql] = await Promise.all([view("erd.mmd"), view("schema.sqlite.sql")]);
      return h(
        "div",
        { class: "stack" },
        diagramView(erd, "Entity–relationship diagram of the data model"),
        ...art.artifact.entities.map((e) =>
          table(
            `${e.name} (table ${e.table}${e.primaryKey && e.primaryKey.length > 1 ? `, key ${e.primaryKey.join(" + ")}` : ""}): ${e.description}`,
            ["Field", "Type", "Required", "Unique", "References", "Description"],
            e.fields.map((f) => [f.name, f.fieldType, f.required ? "yes" : "no", f.unique ? "yes" : "no", f.references ?? "—", f.description]),
          ),
        ),
        h("details", null, h("summary", null, "SQL schema (SQLite / D1)"), codeView(sql, "schema.sql")),
      );
    }
    case "design":
      return designView(art.artifact);
    case "logic":
      // logic.md carries each state machine as a Mermaid block: drawn in place.
      return markdownView(await view("logic.md"));
    case "api":
      return apiView(state, art.artifact, v);
    case "frontend":
    case "deployment":
      return filesView(art.artifact);
  }
}

function designView(a: DesignArtifact): HTMLElement {
  const tokens = a.tokens;
  return h(
    "div",
    { class: "stack" },
    h("h4", null, "Colours"),
    h(
      "ul",
      { class: "swatches" },
      tokens.colors.map((c) =>
        h("li", { class: "swatch", "data-token": c.name }, h("span", { class: "chip", style: `background:${safeColor(c.value)}` }), h("span", null, h("strong", null, c.name), h("code", null, c.value))),
      ),
    ),
    h("h4", null, "Type"),
    h(
      "ul",
      { class: "type-samples" },
      tokens.typography.map((t) =>
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
      [...tokens.spacing.map((s) => ["spacing", s] as const), ...tokens.radius.map((s) => ["radius", s] as const)].map(([kind, s]) =>
        h("li", null, h("span", { class: "bar", style: kind === "spacing" ? `width:${Number(s.px)}px` : `border-radius:${Number(s.px)}px` }), `${kind} ${s.name}: ${s.px}px`),
      ),
    ),
    h("h4", null, "Screens and how they connect"),
    navigation(a.screens, a.navigation),
    table(
      "Screens",
      ["Screen", "Route", "Purpose", "Components", "Stories"],
      a.screens.map((s) => [`${s.id} ${s.name}`, s.route, s.purpose, s.components.join(", "), s.userStories.join(", ") || "—"]),
    ),
  );
}

/** The screen flow as a Mermaid flowchart, from the design's navigation. */
function navigation(screens: Screen[], links: NavigationLink[]): HTMLElement {
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

function apiView(state: ProjectState, a: ApiArtifact, version: number): HTMLElement {
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
  const endpoints = a.endpoints;
  return h(
    "div",
    { class: "stack" },
    h("div", { class: "row spread" }, h("p", null, `${endpoints.length} endpoints · auth: ${a.authScheme}`), download),
    table(
      "Endpoints",
      ["Id", "Method", "Path", "Query", "Summary", "Entity", "Auth", "Stories"],
      endpoints.map((e) => [
        e.id,
        h("span", { class: `method method-${String(e.method).toLowerCase()}` }, e.method),
        h("code", null, e.path),
        queryCell(e.queryParams ?? []),
        e.summary,
        e.entity ?? "—",
        e.authRequired ? "required" : "public",
        e.userStories.join(", "),
      ]),
      "endpoints",
    ),
  );
}

/** An endpoint's query parameters, one `name?: type` each (an enum as its
 * values, `?` when optional), the description as a tooltip; "—" for none. An
 * API artifact stored before query parameters existed has none. */
function queryCell(params: QueryParam[]): HTMLElement | string {
  if (params.length === 0) return "—";
  return h(
    "span",
    { class: "query-params" },
    params.map((q) =>
      h(
        "code",
        { title: q.description },
        `${q.name}${q.required ? "" : "?"}: ${q.paramType === "enum" ? q.values.join(" | ") : q.paramType}`,
      ),
    ),
  );
}

interface TreeNode {
  name: string;
  path: string;
  children: Map<string, TreeNode>;
  file?: SourceFile;
}

function filesView(a: FrontendArtifact | DeploymentArtifact): HTMLElement {
  const files = a.files;
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
  const open = (f: SourceFile, button: HTMLElement) => {
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
  if ("platform" in a) {
    extra.push(
      h("p", null, `Platform: ${a.platform}`),
      table("Environment variables", ["Name", "Secret", "Description"], a.envVars.map((e) => [e.name, e.secret ? "secret" : "plain", e.description])),
      h("h4", null, "Steps"),
      h("ol", null, a.steps.map((s) => h("li", null, s))),
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
