// A running stage as it happens: "thinking…" until the model writes, then
// its answer tokens so far, tokens a second and a bar with the time left
// against the plan's estimate (thinking tokens apart, never counted as
// answer), and a preview of the artifact being written, read tolerantly
// from the partial JSON. The state is progress.ts's; the pipeline and the
// artifact page draw it with these.

import { STAGE_NAMES, type Stage } from "./api";
import { fill, fmt, h } from "./dom";
import { measure, outline, tail, type Outline } from "./progress";
import type { ProjectState } from "./tab";

/** When the stage's model call began thinking: its latest start or retry. */
function thinkingSince(state: ProjectState, stage: Stage): number | null {
  for (let i = state.activity.length - 1; i >= 0; i--) {
    const e = state.activity[i];
    if (e.stage === stage && (e.kind === "stage_started" || e.kind === "stage_retried")) return e.createdAt;
  }
  return null;
}

/** "412" or "≈412" when counted from characters. */
const tokens = (n: number, estimated: boolean) => `${estimated ? "≈" : ""}${fmt.int(n)}`;

/** A field's name as words: "userStories" → "user stories". */
const words = (field: string) => field.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();

/** The progress of one running stage: its state in words, the bar, the figures. */
export function stageProgress(state: ProjectState, stage: Stage): HTMLElement {
  const p = state.live.get(stage);
  const writing = p && !p.retrying && p.ended === null;
  const done = p?.ended === "succeeded";
  const since = thinkingSince(state, stage);
  const estimate = state.live.estimate(stage);
  const title = h("h3", null, STAGE_NAMES[stage], " ", h("span", { class: "badge status-running" }, done ? "done" : writing ? "writing" : "thinking…"));
  if (!p || (!writing && !done)) {
    return h(
      "section",
      { class: "live-stage", "data-testid": "stage-progress", "data-stage": stage, "data-phase": "thinking" },
      title,
      h(
        "p",
        { class: "live-facts" },
        p?.retrying ? "Asked again; the model is thinking… " : "The model is thinking… ",
        since === null ? null : h("span", { "data-since": since }, fmt.ms(Math.max(0, Date.now() - since))),
      ),
      estimate ? h("p", { class: "muted small" }, `Expected: about ${fmt.int(estimate.outputTokens)} answer tokens.`) : null,
    );
  }
  const m = measure(p, estimate);
  const figures = [
    estimate ? `${tokens(p.outputTokens, p.estimated)} of about ${fmt.int(estimate.outputTokens)} tokens` : `${tokens(p.outputTokens, p.estimated)} tokens`,
    m.tokensPerSecond === null ? null : `${fmt.int(m.tokensPerSecond)} tokens/s`,
    done ? "done" : m.etaMs === null ? null : m.etaMs > 0 ? `about ${fmt.ms(m.etaMs)} left` : "past the estimate",
  ].filter(Boolean);
  const call = [p.attempt > 1 ? `attempt ${p.attempt}` : null, p.kind === "repair" ? "repair" : null, p.segment > 1 ? `segment ${p.segment}` : null].filter(Boolean);
  return h(
    "section",
    { class: "live-stage", "data-testid": "stage-progress", "data-stage": stage, "data-phase": done ? "done" : "writing" },
    title,
    m.fraction === null || !estimate
      ? null
      : h("progress", {
          class: "live-bar",
          max: estimate.outputTokens,
          value: Math.round(m.fraction * estimate.outputTokens),
          "aria-label": `${STAGE_NAMES[stage]}: answer written, against the plan's estimate`,
          "data-testid": "stage-progress-bar",
        }),
    h("p", { class: "live-facts", "data-testid": "stage-progress-facts" }, figures.join(" · ")),
    h(
      "p",
      { class: "muted small", "data-testid": "stage-thinking" },
      `thinking: ${tokens(p.thoughtTokens, p.estimated)} tokens`,
      call.length ? ` · ${call.join(", ")}` : "",
      p.estimated ? " · ≈: counted from characters until the model reports its usage" : "",
    ),
  );
}

/** A short line of what is written so far, for the pipeline's card. */
export function previewLine(state: ProjectState, stage: Stage): HTMLElement | null {
  const p = state.live.get(stage);
  if (!p?.text) return null;
  const o = outline(p.text);
  const lists = o.lists.filter((l) => l.names.length);
  if (!lists.length) return null;
  // The newest item named so far (the very last may have no name yet).
  const latest = lists[lists.length - 1].names.filter((n) => n !== "…").pop();
  return h(
    "p",
    { class: "small", "data-testid": "live-summary" },
    "So far: ",
    lists.map((l) => `${words(l.field)}: ${l.names.length}`).join(" · "),
    latest ? h("span", { class: "muted" }, ` (latest: ${latest})`) : null,
  );
}

/** The artifact being written, as far as it goes: for the PRD its stories
 * one by one; for any stage its text fields and each list's items; the raw
 * tail while nothing parses yet. */
export function livePreview(state: ProjectState, stage: Stage): HTMLElement | null {
  const p = state.live.get(stage);
  if (!p?.text) return null;
  const o = outline(p.text);
  return h(
    "section",
    { class: "live-preview", "aria-label": `${STAGE_NAMES[stage]} being written`, "data-testid": "live-preview" },
    h("h4", null, p.ended === "succeeded" ? "Written" : "Being written"),
    o.value === null
      ? h("pre", { class: "live-tail" }, tail(p.text))
      : stage === "prd"
        ? prdPreview(o)
        : outlinePreview(o),
  );
}

function texts(o: Outline): HTMLElement[] {
  return o.texts.map((t) => h("p", { class: "live-text" }, h("span", { class: "muted" }, `${words(t.field)}: `), t.text));
}

function outlinePreview(o: Outline): HTMLElement {
  return h(
    "div",
    null,
    texts(o),
    o.lists.map((l) => h("div", { class: "live-list", "data-field": l.field }, h("h5", null, `${words(l.field)}: ${l.names.length}`), h("ol", null, l.names.map((n) => h("li", null, n))))),
  );
}

function prdPreview(o: Outline): HTMLElement {
  const stories = Array.isArray(o.value?.userStories) ? (o.value.userStories as Record<string, unknown>[]) : [];
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  const others = o.lists.filter((l) => l.field !== "userStories" && l.names.length);
  return h(
    "div",
    null,
    texts(o),
    h("h5", null, `User stories so far: ${stories.length}`),
    h(
      "ol",
      { class: "live-stories", "data-testid": "live-stories" },
      stories.map((s) =>
        h(
          "li",
          { "data-story": str(s?.id) || null },
          h("strong", null, str(s?.id) || "…"),
          " ",
          str(s?.title),
          s?.priority ? h("span", { class: "badge" }, str(s.priority)) : null,
          str(s?.narrative) ? h("div", { class: "muted small" }, str(s.narrative)) : null,
        ),
      ),
    ),
    others.length ? h("p", { class: "muted small" }, "Also so far: ", others.map((l) => `${words(l.field)}: ${l.names.length}`).join(" · ")) : null,
  );
}

/** Each host's card and its rows, kept across redraws: only what changes is
 * drawn again, so a link in a row keeps the keyboard's focus. */
const cards = new WeakMap<HTMLElement, { card: HTMLElement; rows: Map<Stage, { row: HTMLElement; body: HTMLElement }> }>();

/** Draws each running stage's progress into `host` (nothing when none runs). */
export function runningStages(host: HTMLElement, state: ProjectState): void {
  const running = state.project.stages.filter((s) => s.status === "running").map((s) => s.stage);
  if (!running.length) {
    cards.delete(host);
    fill(host);
    return;
  }
  let shown = cards.get(host);
  if (!shown || !host.contains(shown.card)) {
    shown = { card: h("div", { class: "card live-card", "data-testid": "running-stages" }), rows: new Map() };
    cards.set(host, shown);
    fill(host, shown.card);
  }
  const { card, rows } = shown;
  const before = [...rows.keys()].join();
  for (const stage of [...rows.keys()]) if (!running.includes(stage)) rows.delete(stage);
  for (const stage of running) {
    if (rows.has(stage)) continue;
    const body = h("div");
    const link = h("p", { class: "small" }, h("a", { href: `#/projects/${state.id}/artifacts/${stage}` }, `Watch the ${STAGE_NAMES[stage]} being written`));
    rows.set(stage, { row: h("div", { class: "live-row" }, body, link), body });
  }
  if ([...rows.keys()].join() !== before || !card.childElementCount) {
    fill(card, h("h2", null, "Running now"), running.map((stage) => rows.get(stage)!.row));
  }
  for (const stage of running) fill(rows.get(stage)!.body, stageProgress(state, stage), previewLine(state, stage));
}
