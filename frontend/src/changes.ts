// What changed, id by id (GET …/artifacts/:stage/changes): in the history
// view between the two versions compared (removed ids marked superseded),
// and in a stale stage's notice, for each input that changed since it was built.

import { api, STAGE_NAMES, type ChangeReport, type Stage, type StageView, type VersionMeta } from "./api";
import { h } from "./dom";

const KINDS: Record<string, string> = {
  persona: "persona",
  story: "story",
  feature: "feature",
  entity: "entity",
  field: "field",
  screen: "screen",
  rule: "rule",
  state_machine: "state machine",
  algorithm: "algorithm",
  endpoint: "endpoint",
  file: "file",
  env_var: "variable",
};

const item = (c: { kind: string; id: string }, cls: string) => h("li", { class: cls, "data-id": c.id }, `${KINDS[c.kind] ?? c.kind} `, h("code", null, c.id));

/** The report as lists: added, changed, and removed (superseded) ids, then the
 * downstream places that still use a removed or changed one. */
export function changeList(report: ChangeReport, projectId: string, reader?: Stage): HTMLElement {
  const references = reader ? report.references.filter((r) => r.stage === reader) : report.references;
  const none = !report.added.length && !report.changed.length && !report.removed.length;
  return h(
    "div",
    { class: "id-changes", "data-testid": "id-changes" },
    none
      ? h("p", null, `No id was added, removed or changed from v${report.from} to v${report.to}.`)
      : h(
          "ul",
          null,
          report.added.map((c) => item(c, "id-added")),
          report.changed.map((c) => item(c, "id-changed")),
          report.removed.map((c) => h("li", { class: "id-removed superseded", "data-id": c.id }, `${KINDS[c.kind] ?? c.kind} `, h("del", null, h("code", null, c.id)), " superseded")),
        ),
    references.length
      ? h(
          "div",
          null,
          h("p", null, reader ? "Still used here (consistency findings until this stage is rebuilt):" : "Still used downstream (consistency findings until those stages are rebuilt):"),
          h(
            "ul",
            { "data-testid": "id-references" },
            references.map((r) =>
              h("li", null, h("a", { href: `#/projects/${projectId}/artifacts/${r.stage}` }, STAGE_NAMES[r.stage]), " ", h("code", null, r.location), ` uses ${r.change} ${KINDS[r.kind] ?? r.kind} `, h("code", null, r.id)),
            ),
          ),
        )
      : null,
  );
}

/** For a stale stage's version: each input whose newest version came after
 * it, with the ids that changed since the input's version it was built from. */
export async function staleNotice(projectId: string, view: StageView, builtAt: number, versions: VersionMeta[]): Promise<HTMLElement | null> {
  const changed: { stage: Stage; from: number; to: number }[] = [];
  for (const need of view.needs) {
    const mine = versions.filter((v) => v.stage === need).sort((a, b) => a.version - b.version);
    const newest = mine.at(-1)?.version;
    const used = mine.filter((v) => v.createdAt <= builtAt).at(-1)?.version;
    if (newest && used && newest > used) changed.push({ stage: need, from: used, to: newest });
  }
  if (!changed.length) return null;
  const reports = await Promise.all(changed.map((c) => api.changes(projectId, c.stage, c.from, c.to)));
  return h(
    "div",
    { class: "note stale-notice", role: "note", "data-testid": "stale-notice" },
    h("p", { class: "alert-title" }, "Stale: its inputs changed since this version was built"),
    reports.map((r) => h("div", null, h("p", null, `${STAGE_NAMES[r.stage]} v${r.from} → v${r.to}:`), changeList(r, projectId, view.stage))),
  );
}
