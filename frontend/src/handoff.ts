// The hand-off layouts under Export: AGENTS.md, Kiro specs, GitHub Spec Kit
// and OpenSpec, rendered by the supervisor's bridge from the artifacts. A dialog lists
// each layout with its files (readable in place) and what it could not
// render, and downloads one layout as a ZIP.

import { api, getBlob, type HandoffLayout } from "./api";
import { fill, h, loading } from "./dom";
import { codeView } from "./render";
import type { ProjectState } from "./tab";
import { busy, errorBox, saveBlob, toast } from "./ui";

/** Opens the hand-off dialog for the project. */
export function openHandoff(state: ProjectState): void {
  const body = h("div", { class: "stack handoff" }, loading("the hand-off layouts"));
  const dialog = h(
    "dialog",
    { class: "confirm handoff-dialog", "aria-labelledby": "handoff-title", "data-testid": "handoff" },
    h("h2", { id: "handoff-title" }, "Hand off to a coding agent"),
    h("p", { class: "muted small" }, "The blueprint laid out the way coding agents and spec-driven tools read a project. Every file is also in the full Export ZIP."),
    body,
    h("form", { method: "dialog", class: "row end" }, h("button", { value: "close", class: "secondary" }, "Close")),
  );
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  api
    .handoff(state.id)
    .then((answer) => fill(body, ...answer.layouts.map((l) => layoutCard(state, l))))
    .catch((e) => fill(body, errorBox(e, "The hand-off layouts could not be made")));
}

function layoutCard(state: ProjectState, layout: HandoffLayout): HTMLElement {
  const preview = h("div", { class: "handoff-preview" });
  const download: HTMLButtonElement = h(
    "button",
    {
      type: "button",
      onclick: () =>
        void busy(download, async () => {
          try {
            const { blob, filename } = await getBlob(`/api/projects/${state.id}/export?layout=${layout.name}`);
            saveBlob(blob, filename ?? `${layout.name}.zip`);
            toast(`Downloaded ${filename ?? layout.title}`);
          } catch (e) {
            toast(e instanceof Error ? e.message : String(e), "error");
          }
        }),
    },
    `Download ${layout.title}`,
  );
  return h(
    "section",
    { class: "card", "data-layout": layout.name },
    h("div", { class: "row spread" }, h("h3", null, layout.title), download),
    h("p", { class: "muted small" }, `${layout.files.length} file${layout.files.length === 1 ? "" : "s"}`),
    h(
      "ul",
      { class: "handoff-files" },
      layout.files.map((f) =>
        h("li", null, h("button", { type: "button", class: "link", onclick: () => fill(preview, codeView(f.content, f.path, f.path)) }, f.path)),
      ),
    ),
    layout.missing.length ? h("div", { class: "note", role: "note" }, h("p", null, "Not rendered:"), h("ul", null, layout.missing.map((m) => h("li", null, m)))) : null,
    preview,
  );
}
