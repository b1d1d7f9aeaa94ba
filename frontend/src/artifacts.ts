// The Artifacts tab: per stage, the ways to look at its artifact (a readable
// render, the raw JSON, the version history, the editor) and
// regenerate-with-feedback. After an edit or a regeneration the stages built
// from this one show stale. While the stage runs, its progress and a live
// preview of what the model has written so far sit above (live.ts's). The
// views are views.ts's, the history history.ts's, the editor editor.ts's.

import { api, STAGE_NAMES, STAGES, type ArtifactBody, type Stage, type VersionMeta } from "./api";
import { empty, fill, fmt, h, loading } from "./dom";
import { codeView } from "./render";
import type { ProjectState, Tab } from "./tab";
import { busy, errorBox, toast } from "./ui";
import { editor, type AfterChange } from "./editor";
import { history } from "./history";
import { staleNotice } from "./changes";
import { confirmPlan } from "./plan";
import { readable } from "./views";
import { importPanel, type ImportStage } from "./importer";
import { livePreview, stageProgress } from "./live";

type Mode = "view" | "json" | "history" | "edit" | "regenerate" | "import";
const MODES: [Mode, string][] = [
  ["view", "Readable"],
  ["json", "JSON"],
  ["history", "History"],
  ["edit", "Edit"],
  ["regenerate", "Regenerate"],
  ["import", "Import"],
];
/** The stages an existing schema or API document can be imported into. */
const importable = (stage: Stage): stage is ImportStage => stage === "data" || stage === "api";

export function artifactsTab(body: HTMLElement, state: ProjectState, requested: Stage | null): Tab {
  const stage: Stage = requested && STAGES.includes(requested) ? requested : "prd";
  let mode: Mode = "view";
  let version: number | null = null; // null: the newest
  // The newest version when the panel was last (re)loaded: a live update
  // reloads it only when a newer one has arrived since.
  let shownVersion: number | null = null;
  // And its status, for a stage with no version yet (its empty state says what it waits for).
  let shownStatus: string | null = null;
  const stageNav = h("nav", { class: "stage-nav", "aria-label": "Stages" });
  const head = h("div", { class: "artifact-head" });
  const modeBar = h("div", { class: "modes", role: "tablist", "aria-label": "Ways to look at this artifact" });
  const panel = h("div", { class: "artifact-panel", role: "tabpanel", id: "artifact-panel" });
  const notice = h("div", { "aria-live": "polite" });
  const liveHost = h("div");
  fill(body, h("h2", { class: "sr-only" }, "Artifacts"), stageNav, head, notice, liveHost, modeBar, panel);

  const current = () => state.project.stages.find((s) => s.stage === stage)!;

  const renderLive = () =>
    fill(
      liveHost,
      current().status === "running"
        ? h("div", { class: "card live-card" }, stageProgress(state, stage), livePreview(state, stage))
        : null,
    );

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

  const modes = () => MODES.filter(([m]) => m !== "import" || importable(stage));
  const renderModes = () =>
    fill(
      modeBar,
      modes().map(([m, label]) =>
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
              const shown = modes();
              const i = shown.findIndex(([x]) => x === mode);
              const step = ev.key === "ArrowRight" ? 1 : ev.key === "ArrowLeft" ? -1 : 0;
              if (!step) return;
              mode = shown[(i + step + shown.length) % shown.length][0];
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
    shownStatus = s.status;
    if (mode === "import" && importable(stage)) {
      // An import needs no version of this stage yet, only its inputs (the PRD for a data model).
      fill(head, h("h3", null, `Import into ${STAGE_NAMES[stage]}`));
      fill(panel, importPanel(state, stage, afterChange));
      return;
    }
    if (s.version === null && mode !== "regenerate") {
      fill(head, h("h3", null, STAGE_NAMES[stage]));
      fill(
        panel,
        empty(
          `No ${STAGE_NAMES[stage]} yet`,
          s.status === "failed"
            ? `The last attempt failed: ${s.error?.message ?? "see Activity"}`
            : s.status === "running"
              ? "Its agent is at work: what it has written so far shows above, and the artifact here when it finishes."
              : "Run the pipeline; this stage’s artifact appears here when its agent finishes.",
        ),
      );
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
      // The newest version of a stale stage: which input ids changed since it was built.
      if (art && s.status === "stale" && art.version === s.version) {
        void staleNotice(state.id, s, art.createdAt, versions.versions)
          .then((notice) => turn === showing && notice && head.append(notice))
          .catch((e) => turn === showing && head.append(errorBox(e, "The ids that changed upstream could not be loaded")));
      }
      if (!art) {
        fill(panel, regeneratePanel(state, stage, afterChange));
        return;
      }
      const content =
        mode === "view"
          ? await readable(state, art)
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

  const afterChange = async (what: string, report?: HTMLElement) => {
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
        report ?? null,
      ),
    );
    version = null;
    mode = "view";
    await show();
  };

  renderNav();
  renderLive();
  void show();
  return {
    progress: renderLive,
    update() {
      renderNav();
      renderLive();
      // A new version arrived (a run finished this stage): show it, unless
      // the user is editing or looking at an older version on purpose.
      const newest = current().version;
      const moved = newest !== shownVersion || (newest === null && current().status !== shownStatus);
      if (moved && version === null && (mode === "view" || mode === "json" || mode === "history")) void show();
    },
  };
}

/** Regenerate with feedback: a new version from the stage's inputs, never a
 * cached answer. */
function regeneratePanel(state: ProjectState, stage: Stage, afterChange: AfterChange): HTMLElement {
  const feedback = h("textarea", { id: "regen-feedback", rows: 4, maxlength: 8000, placeholder: "e.g. Add a persona for the clinic receptionist" });
  const go = h("button", { type: "button" }, `Regenerate ${STAGE_NAMES[stage]}`);
  const result = h("div", { "aria-live": "polite" });
  go.addEventListener("click", () => {
    void busy(go, async () => {
      try {
        const plan = await api.plan(state.id, stage);
        const own = plan.stages.find((p) => p.stage === stage)?.estimate;
        const note = `Regenerate calls the ${STAGE_NAMES[stage]} agent only${own ? ` (about ${fmt.int(own.tokens.low)} tokens, more with long feedback)` : ""}; the stages that read it become stale and run at your next Run or Resume.`;
        if (!(await confirmPlan(state, `Regenerate ${STAGE_NAMES[stage]}: what it and the next run will do`, plan, `Regenerate ${STAGE_NAMES[stage]}`, note))) return;
        go.textContent = "Regenerating…";
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
