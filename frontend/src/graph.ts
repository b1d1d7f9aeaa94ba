// The pipeline graph: the seven stages laid out from their `needs` (column =
// depth), the transitive reduction of the edges, each node's status, version,
// tokens and time; given a plan, each node says what the next run does with it.

import { STAGE_NAMES, STAGES, type Activity, type Plan, type Project, type Stage, type StagePlan, type StageView } from "./api";
import { fmt, h } from "./dom";
import type { ProjectState } from "./tab";

/** What a plan does with a stage, in a few words. */
export function planWord(p: StagePlan): string {
  switch (p.action) {
    case "call":
      return `will run · ~${fmt.int(p.estimate?.tokens.low ?? 0)} tokens`;
    case "cached":
      return "from the cache · 0 tokens";
    case "reuse":
      return "kept · 0 tokens";
    case "running":
      return "running now";
    case "edited":
      return "your edit";
  }
}

/** Columns: a stage sits one column right of its deepest input. */
function layout(stages: StageView[]): Map<Stage, { col: number; row: number }> {
  const depth = new Map<Stage, number>();
  const depthOf = (s: Stage): number => {
    const known = depth.get(s);
    if (known !== undefined) return known;
    const needs = stages.find((v) => v.stage === s)?.needs ?? [];
    const d = needs.length === 0 ? 0 : 1 + Math.max(...needs.map(depthOf));
    depth.set(s, d);
    return d;
  };
  const rows = new Map<number, number>();
  const out = new Map<Stage, { col: number; row: number }>();
  for (const s of STAGES) {
    const col = depthOf(s);
    const row = rows.get(col) ?? 0;
    rows.set(col, row + 1);
    out.set(s, { col, row });
  }
  return out;
}

const NODE_W = 156;
const NODE_H = 92;
const GAP_X = 28;
const GAP_Y = 22;

/** Whether the project's run holds it (running, awaiting approval or waiting for quota). */
export function runActive(project: Project): boolean {
  const status = project.run?.status;
  return status === "running" || status === "awaiting_approval" || status === "waiting_for_quota";
}

/** Whether `stage` waits for Gemini quota in the current run (its last attempt was told to wait). */
export function waitsForQuota(stage: Stage, project: Project): boolean {
  return project.run?.status === "waiting_for_quota" && (project.run.waitingStages ?? []).includes(stage);
}

/** The status a stage is drawn with: a stage parked for quota shows as waiting, not failed. */
function shownStatus(s: StageView, project: Project): string {
  return waitsForQuota(s.stage, project) ? "waiting" : s.status;
}

function statusWord(s: StageView, project: Project): string {
  if (waitsForQuota(s.stage, project)) return "waiting for quota";
  if (s.status === "pending") return runActive(project) ? "queued" : "not started";
  return s.status;
}

/** Wall time of each stage's latest execution, from the activity events. */
function stageTimes(activity: Activity[]): Map<Stage, { ms: number; running: boolean; since: number }> {
  const out = new Map<Stage, { ms: number; running: boolean; since: number }>();
  const started = new Map<Stage, number>();
  for (const e of activity) {
    if (!e.stage) continue;
    if (e.kind === "stage_started") {
      started.set(e.stage, e.createdAt);
      out.set(e.stage, { ms: Math.max(0, Date.now() - e.createdAt), running: true, since: e.createdAt });
    } else if (e.kind === "stage_succeeded" || e.kind === "stage_failed") {
      const t0 = started.get(e.stage);
      if (t0 !== undefined) out.set(e.stage, { ms: e.createdAt - t0, running: false, since: t0 });
    }
  }
  return out;
}

/** Each graph's arrowhead has its own id: a plan dialog draws a second graph. */
let graphs = 0;

export function graph(state: ProjectState, plan?: Plan): HTMLElement {
  const arrow = `arrow-${++graphs}`;
  const { project, traces } = state;
  const pos = layout(project.stages);
  const cols = Math.max(...[...pos.values()].map((p) => p.col)) + 1;
  const rows = Math.max(...[...pos.values()].map((p) => p.row)) + 1;
  // Draw the transitive reduction: an input that is already upstream of
  // another input gets no line of its own (the node's title lists them all).
  const upstream = (stage: Stage, seen = new Set<Stage>()): Set<Stage> => {
    for (const n of project.stages.find((v) => v.stage === stage)?.needs ?? []) {
      if (!seen.has(n)) {
        seen.add(n);
        upstream(n, seen);
      }
    }
    return seen;
  };
  const direct = (s: StageView) => s.needs.filter((n) => !s.needs.some((m) => m !== n && upstream(m).has(n)));
  // Left to right on a wide screen; top to bottom on a phone, where the
  // seven stages then fit the width.
  const vertical = window.matchMedia("(max-width: 720px)").matches;
  const [across, down] = vertical ? [rows, cols] : [cols, rows];
  const [gapX, gapY] = vertical ? [GAP_Y, GAP_X] : [GAP_X, GAP_Y];
  const width = across * NODE_W + (across - 1) * gapX;
  const height = down * NODE_H + (down - 1) * gapY;
  const xy = (s: Stage) => {
    const p = pos.get(s)!;
    const [i, j] = vertical ? [p.row, p.col] : [p.col, p.row];
    return { x: i * (NODE_W + gapX), y: j * (NODE_H + gapY) };
  };
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "edges");
  svg.innerHTML =
    `<defs><marker id="${arrow}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="currentColor"/></marker></defs>`;
  for (const s of project.stages) {
    for (const n of direct(s)) {
      const a = xy(n);
      const b = xy(s.stage);
      // A curve into the target; a line that skips columns runs along its
      // own row first (the layout keeps that row free).
      let d: string;
      if (vertical) {
        const [x1, y1, x2, y2] = [a.x + NODE_W / 2, a.y + NODE_H, b.x + NODE_W / 2, b.y - 2];
        const bend = y2 - gapY;
        d = `M${x1},${y1} V${Math.max(y1, bend)} C${x1},${bend + gapY / 2} ${x2},${y2 - gapY / 2} ${x2},${y2}`;
      } else {
        const [x1, y1, x2, y2] = [a.x + NODE_W, a.y + NODE_H / 2, b.x - 2, b.y + NODE_H / 2];
        const bend = x2 - gapX;
        d = `M${x1},${y1} H${Math.max(x1, bend)} C${bend + gapX / 2},${y1} ${x2 - gapX / 2},${y2} ${x2},${y2}`;
      }
      const path = document.createElementNS(ns, "path");
      path.setAttribute("d", d);
      path.setAttribute("marker-end", `url(#${arrow})`);
      path.setAttribute("data-edge", `${n}-${s.stage}`);
      svg.append(path);
    }
  }
  const times = stageTimes(state.activity);
  const nodes = project.stages.map((s) => {
    const { x, y } = xy(s.stage);
    const word = statusWord(s, project);
    const usage = traces?.byStage[s.stage];
    const time = times.get(s.stage);
    const facts = [
      s.version ? `v${s.version}` : null,
      usage ? `${fmt.int(usage.totalTokens)} tokens` : null,
    ].filter(Boolean);
    const took = time && (s.status === "running" || !time.running) ? fmt.ms(time.ms) : null;
    const planned = plan?.stages.find((p) => p.stage === s.stage);
    return h(
      "li",
      {
        class: `node status-${shownStatus(s, project)}${planned ? ` plan-${planned.action}` : ""}`,
        "data-plan": planned?.action ?? null,
        style: `left:${x}px;top:${y}px;width:${NODE_W}px;height:${NODE_H}px`,
        "data-stage": s.stage,
        "data-status": shownStatus(s, project),
        title: s.needs.length ? `Reads ${s.needs.map((n) => STAGE_NAMES[n]).join(", ")}` : "Reads the idea",
      },
      h(
        "a",
        { href: `#/projects/${state.id}/artifacts/${s.stage}` },
        h("span", { class: "node-name" }, STAGE_NAMES[s.stage]),
        h("span", { class: "node-status" }, h("span", { class: "dot", "aria-hidden": "true" }), word),
        h("span", { class: "node-facts" }, facts.join(" · ") || "—"),
        planned
          ? h("span", { class: "node-plan" }, planWord(planned))
          : h("span", { class: "node-facts", "data-testid": "stage-time", "data-since": s.status === "running" && time?.running ? time.since : null }, took ?? ""),
      ),
    );
  });
  return h("div", { class: "graph", style: `width:${width}px;height:${height}px` }, svg, h("ol", { class: "nodes" }, nodes));
}

