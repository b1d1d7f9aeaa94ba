// One project: its header (status, export), and the Pipeline, Artifacts,
// Consistency and Activity & cost tabs, all kept live from the event stream.

import {
  api,
  follow,
  getBlob,
  STAGE_NAMES,
  STAGES,
  type Activity,
  type Project,
  type Settings,
  type Stage,
  type Thinking,
  type Traces,
} from "./api";
import { artifactsTab } from "./artifacts";
import { graph, runActive, waitsForQuota } from "./graph";
import { confirmPlan } from "./plan";
import { CATALOGUE_CHECKED_ON, CATALOGUE_STALE_AFTER_DAYS, GEMINI_BILLING_URL, MODELS, THINKING_LEVELS } from "./models";
import { empty, fill, fmt, h, loading } from "./dom";
import { busy, errorBox, field, runBadge, saveBlob, table, toast } from "./ui";
import { openHandoff } from "./handoff";
import { runningStages } from "./live";
import { LiveProgress, type ProgressEvent } from "./progress";
import type { ProjectState, Tab } from "./tab";

const TABS = [
  ["pipeline", "Pipeline"],
  ["artifacts", "Artifacts"],
  ["consistency", "Consistency"],
  ["activity", "Activity & cost"],
] as const;

export async function projectPage(main: HTMLElement, id: string, rest: string[], signal: AbortSignal): Promise<void> {
  fill(main, loading("the project"));
  let project: Project;
  let activity: Activity[];
  let traces: Traces;
  try {
    [project, { events: activity }, traces] = await Promise.all([api.project(id), api.activity(id), api.traces(id)]);
  } catch (e) {
    const retry = () => void projectPage(main, id, rest, signal);
    fill(main, h("h1", { tabindex: -1 }, "Project"), errorBox(e, "This project could not be opened", retry), h("p", null, h("a", { href: "#/" }, "Back to projects")));
    return;
  }
  if (signal.aborted) return;
  const tabName = (TABS.find(([t]) => t === rest[0])?.[0] ?? "pipeline") as (typeof TABS)[number][0];

  const header = h("div", { class: "project-head" });
  const live = h("span", { class: "live", "aria-live": "polite" }, "○ connecting");
  const verdict = verdictBadge(id);
  const body = h("section", { class: "tab-body", "aria-labelledby": `tab-${tabName}` });
  const state: ProjectState = {
    id,
    project,
    traces,
    activity: sortActivity(activity),
    live: new LiveProgress(),
    signal,
    refresh: async () => {
      const [p, t, a] = await Promise.all([api.project(id), api.traces(id), api.activity(id)]);
      state.project = p;
      state.traces = t;
      state.activity = sortActivity(a.events);
      render();
    },
  };

  const tab: Tab =
    tabName === "artifacts"
      ? artifactsTab(body, state, (rest[1] as Stage) ?? null)
      : tabName === "consistency"
        ? consistencyTab(body, state)
        : tabName === "activity"
          ? activityTab(body, state)
          : pipelineTab(body, state);

  // Progress events come many a second (and all at once on a reconnect):
  // the live parts are redrawn at most once a frame.
  let drawing = false;
  const drawProgress = () => {
    if (drawing) return;
    drawing = true;
    requestAnimationFrame(() => {
      drawing = false;
      if (signal.aborted) return;
      askEstimates();
      tab.progress?.();
    });
  };
  // A running stage's bar needs the plan's estimate of its call: a stage in
  // flight has none in the run's plan, so ask as if regenerating it (the
  // same figures: its last run's output, else the examples').
  const askEstimates = () => {
    for (const s of state.project.stages) {
      if (s.status !== "running" || !state.live.needsEstimate(s.stage)) continue;
      void api
        .plan(id, s.stage)
        .then((plan) => {
          state.live.planned(plan.stages.filter((p) => p.stage === s.stage));
          drawProgress();
        })
        .catch(() => undefined);
    }
  };

  const render = () => {
    verdict.update(state);
    renderHeader(header, state, live, verdict.el);
    askEstimates();
    tab.update();
  };

  fill(
    main,
    header,
    h(
      "nav",
      { class: "tabs", "aria-label": "Project sections" },
      TABS.map(([t, label]) =>
        h("a", { id: `tab-${t}`, href: `#/projects/${id}/${t}`, "aria-current": t === tabName ? "page" : null }, label),
      ),
    ),
    body,
  );
  render();

  // Live: every activity event refreshes the project, its traces and its
  // activity (at most one refresh in flight; a burst becomes one more).
  let inFlight: Promise<void> | null = null;
  let again = false;
  const schedule = () => {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = state
      .refresh()
      .catch(() => undefined)
      .finally(() => {
        inFlight = null;
        if (again && !signal.aborted) {
          again = false;
          schedule();
        }
      });
  };
  void follow(
    id,
    signal,
    (frame) => {
      if (frame.event === "progress") {
        state.live.apply(frame.data as ProgressEvent);
        drawProgress();
        return;
      }
      if (frame.event === "snapshot") {
        // The stream's first word on the project: refresh the rest only if it
        // moved since the page loaded (or since the stream dropped). The
        // progress of the stages in flight follows from their start.
        state.live.reset();
        drawProgress();
        const changed = JSON.stringify(frame.data) !== JSON.stringify(state.project);
        state.project = frame.data as Project;
        if (changed) {
          render();
          schedule();
        }
        return;
      }
      const event = frame.data as Activity;
      if (!state.activity.some((a) => a.createdAt === event.createdAt && a.kind === event.kind && a.stage === event.stage)) {
        state.activity.push(event);
      }
      state.live.activity(event.kind, event.stage);
      drawProgress();
      schedule();
    },
    (connected) => {
      live.textContent = connected ? "● live" : "○ reconnecting";
      live.className = connected ? "live on" : "live";
    },
  );
}

function sortActivity(events: Activity[]): Activity[] {
  return [...events].sort((a, b) => a.createdAt - b.createdAt);
}

/** The ready verdict in the header: asked again only when a stage's status
 * or version changed (it reads every artifact). */
function verdictBadge(id: string): { el: HTMLElement; update: (state: ProjectState) => void } {
  const el = h("a", { class: "badge verdict", href: `#/projects/${id}/consistency`, "data-testid": "verdict-badge" }, "…");
  let lastKey = "";
  return {
    el,
    update(state) {
      const key = state.project.stages.map((s) => `${s.stage}${s.version}${s.status}`).join();
      if (key === lastKey) return;
      lastKey = key;
      void api
        .consistency(id)
        .then((r) => {
          el.textContent = r.ready.ready ? "ready" : `not ready · ${r.ready.gaps.length} gap${r.ready.gaps.length === 1 ? "" : "s"}`;
          el.dataset.ready = String(r.ready.ready);
          el.title = r.ready.ready ? "Every artifact is current, consistent and covers every Must story" : r.ready.gaps.map((g) => g.message).join("\n");
        })
        .catch(() => (el.textContent = "verdict unavailable"));
    },
  };
}

function renderHeader(header: HTMLElement, state: ProjectState, live: HTMLElement, verdict: HTMLElement): void {
  const { project } = state;
  const exportButton: HTMLButtonElement = h(
    "button",
    {
      class: "secondary",
      disabled: !project.stages.some((s) => s.version !== null),
      onclick: () => void exportZip(state, exportButton),
    },
    "Export ZIP",
  );
  const handoffButton = h(
    "button",
    { class: "secondary", disabled: !project.stages.some((s) => s.version !== null), onclick: () => openHandoff(state) },
    "Hand-off",
  );
  fill(
    header,
    h(
      "div",
      { class: "row spread" },
      h("div", null, h("p", { class: "crumbs" }, h("a", { href: "#/" }, "Projects"), " / "), h("h1", { tabindex: -1 }, project.name)),
      h("div", { class: "row" }, live, runBadge(project.run?.status ?? "new"), verdict, exportButton, handoffButton),
    ),
    h("p", { class: "idea" }, project.idea),
    project.run?.message ? h("p", { class: "muted run-message", "data-testid": "run-message" }, project.run.message) : null,
    (project.modelWarnings ?? []).length
      ? h(
          "div",
          { class: "note model-warnings", role: "note", "data-testid": "model-warnings" },
          h("p", { class: "alert-title" }, "A model this project runs on is going away"),
          h("ul", null, (project.modelWarnings ?? []).map((w) => h("li", null, w))),
          h("p", { class: "muted small" }, "It still answers; choose its replacement in Settings before Google shuts it down."),
        )
      : null,
  );
}

async function exportZip(state: ProjectState, button: HTMLButtonElement): Promise<void> {
  await busy(button, async () => {
    try {
      const { blob, filename } = await getBlob(`/api/projects/${state.id}/export`);
      saveBlob(blob, filename ?? "parit-project.zip");
      toast(`Downloaded ${filename ?? "the ZIP"}`);
    } catch (e) {
      toast(e instanceof Error ? e.message : String(e), "error");
    }
  });
}

// ---------------------------------------------------------------- pipeline

// A running stage's clock ticks between events.
setInterval(() => {
  for (const el of document.querySelectorAll<HTMLElement>("[data-since]")) {
    el.textContent = fmt.ms(Math.max(0, Date.now() - Number(el.dataset.since)));
  }
}, 1000);

function pipelineTab(body: HTMLElement, state: ProjectState): Tab {
  const controls = h("div", { class: "controls" });
  // The scrolling frame stays; only the graph inside it is redrawn, so a
  // phone user's scroll position survives live updates.
  const graphHost = h("div", { class: "graph-scroll", tabindex: 0, role: "region", "aria-label": "Pipeline stages and their dependencies" });
  const liveHost = h("div");
  const failures = h("div");
  const recent = h("div", { class: "card" });
  const settingsHost = h("div");
  fill(body, h("h2", { class: "sr-only" }, "Pipeline"), controls, graphHost, liveHost, failures, settingsForm(settingsHost, state), recent);

  // `work` answers false when the person changed their mind: nothing to report.
  const act = (button: HTMLButtonElement, work: () => Promise<unknown>, done: string) =>
    void busy(button, async () => {
      try {
        if ((await work()) === false) return;
        toast(done);
        await state.refresh();
      } catch (e) {
        fill(failures, errorBox(e, "That did not work"));
      }
    });

  const tab: Tab = {
    progress() {
      runningStages(liveHost, state);
    },
    update() {
      const { project } = state;
      const run = project.run;
      const active = runActive(project);
      const waiting = run?.status === "waiting_for_quota";
      const allDone = project.stages.every((s) => s.status === "done");
      const label = !run ? "Start pipeline" : allDone ? "Run again" : waiting ? "Waiting for quota…" : active ? "Running…" : "Resume";
      const start: HTMLButtonElement = h(
        "button",
        {
          disabled: active,
          onclick: () =>
            act(
              start,
              async () => {
                const plan = await api.plan(state.id);
                if (!(await confirmPlan(state, `${label}: what this run will do`, plan, plan.calls ? label : `${label} (0 tokens)`))) return false;
                // What each stage's bar will be measured against.
                state.live.planned(plan.stages);
                await api.run(state.id);
                return true;
              },
              "The pipeline is running",
            ),
        },
        label,
      );
      const cancel: HTMLButtonElement = h(
        "button",
        { class: "secondary", disabled: !active, onclick: () => act(cancel, () => api.cancel(state.id), "Cancelling: running stages finish, no new ones start") },
        "Cancel",
      );
      const approvals = (run?.awaitingApproval ?? []).map((s) => {
        const b: HTMLButtonElement = h("button", { onclick: () => act(b, () => api.approve(state.id, s), `${STAGE_NAMES[s]} approved`) }, `Approve ${STAGE_NAMES[s]}`);
        return b;
      });
      const totals = state.traces?.totals;
      // A run parked on Gemini's quota resumes by itself at resumeAt; Retry now resumes it at once.
      const retryNow: HTMLButtonElement = h("button", { onclick: () => act(retryNow, () => api.run(state.id), "Retrying now") }, "Retry now");
      const quotaWait = waiting
        ? h(
            "div",
            { class: "alert quota-wait", role: "status", "data-testid": "quota-wait" },
            h(
              "p",
              { class: "alert-title" },
              `Waiting for Gemini quota until ${run.resumeAt ? fmt.clock(run.resumeAt) : "the wait Google asked for is over"}`,
            ),
            h("p", null, run.message ?? ""),
            h("p", { class: "muted small" }, "The run resumes by itself then; nothing is lost meanwhile. Retry now tries at once, which Google may refuse again."),
            h("div", { class: "row" }, retryNow),
          )
        : null;
      fill(
        controls,
        h("div", { class: "row" }, start, cancel, approvals),
        quotaWait,
        h(
          "p",
          { class: "muted" },
          `${project.stages.filter((s) => s.status === "done").length} of 7 stages done`,
          totals ? ` · ${fmt.int(totals.totalTokens)} tokens · ${fmt.usd(totals.costUsd)}` : "",
          project.settings.tokenBudget ? ` · budget ${fmt.int(project.settings.tokenBudget)} tokens` : "",
        ),
      );
      fill(graphHost, graph(state));
      runningStages(liveHost, state);
      // A run stopped by the budget: the way on is raising it, so show the field.
      if (run?.status === "budget_exceeded") settingsHost.querySelector("details")?.setAttribute("open", "");
      const failed = project.stages.filter((s) => s.status === "failed" && s.error && !waitsForQuota(s.stage, project));
      fill(
        failures,
        failed.map((s) =>
          s.error!.class === "billing"
            ? h(
                "div",
                { class: "alert", role: "alert", "data-failed-stage": s.stage, "data-testid": "billing-stop" },
                h("p", { class: "alert-title" }, `${STAGE_NAMES[s.stage]} stopped: Gemini billing`),
                h("p", null, s.error!.message),
                h(
                  "p",
                  null,
                  "Top up the key's prepayment credits or raise its spend cap in ",
                  h("a", { href: GEMINI_BILLING_URL, target: "_blank", rel: "noopener" }, "AI Studio"),
                  ", then Resume. Retrying before that cannot help; finished stages are kept.",
                ),
              )
            : h(
                "div",
                { class: "alert", role: "alert", "data-failed-stage": s.stage },
                h("p", { class: "alert-title" }, `${STAGE_NAMES[s.stage]} failed (${s.error!.class})`),
                h("p", null, s.error!.message),
                h("p", { class: "muted small" }, "Fix the cause (settings, budget or the model’s availability), then Resume: finished stages are kept."),
              ),
        ),
      );
      const last = state.activity.slice(-8).reverse();
      fill(
        recent,
        h("h2", null, "Latest activity"),
        last.length ? activityList(last) : empty("Nothing has happened yet", "Start the pipeline to see each agent at work."),
        h("p", null, h("a", { href: `#/projects/${state.id}/activity` }, "All activity, traces and cost")),
      );
    },
  };
  // Turning a phone or resizing past the breakpoint redraws the graph the other way.
  window.matchMedia("(max-width: 720px)").addEventListener("change", () => tab.update(), { signal: state.signal });
  return tab;
}

/** The model list's age: prices, limits and models change weekly, so a
 * catalogue checked long ago is said to be, beside the choice it informs. */
function catalogueAge(): HTMLElement {
  const days = Math.floor((Date.now() - Date.parse(`${CATALOGUE_CHECKED_ON}T00:00:00Z`)) / 86_400_000);
  const stale = days > CATALOGUE_STALE_AFTER_DAYS;
  return h(
    "p",
    { class: stale ? "warn small" : "muted small", "data-testid": "catalogue-age", role: stale ? "status" : null },
    stale
      ? `The model list was checked against Google's pages on ${CATALOGUE_CHECKED_ON}, ${days} days ago: prices, limits and models may have changed since.`
      : `Models, prices and thinking levels as Google's pages stood on ${CATALOGUE_CHECKED_ON}.`,
  );
}

function settingsForm(host: HTMLElement, state: ProjectState): HTMLElement {
  const s = state.project.settings;
  const model = h("input", { id: "set-model", value: s.model, required: true, autocomplete: "off" });
  const optional = (n: number | null) => (n === null ? "" : String(n));
  const temperature = h("input", { id: "set-temperature", type: "number", min: 0, max: 2, step: 0.1, value: optional(s.temperature), placeholder: "model default" });
  const maxOut = h("input", { id: "set-max", type: "number", min: 256, max: 65536, step: 256, value: optional(s.maxOutputTokens), placeholder: "sized per stage" });
  const levels: readonly Thinking[] = THINKING_LEVELS;
  const thinking = h(
    "select",
    { id: "set-thinking" },
    h("option", { value: "", selected: s.thinking === null }, "per stage (low; medium for logic and frontend)"),
    levels.map((l) => h("option", { value: l, selected: s.thinking === l }, l)),
  );
  const budget = h("input", { id: "set-budget", type: "number", min: 1000, step: 1000, value: s.tokenBudget ? String(s.tokenBudget) : "", placeholder: "no limit" });
  // A model per stage (a stronger one for the code than for the PRD, say); blank runs the project's model.
  const stageModel = new Map<Stage, HTMLSelectElement>(
    STAGES.map((stage) => {
      const chosen = s.stageModels[stage];
      const choices = chosen && !MODELS.includes(chosen) ? [...MODELS, chosen] : MODELS;
      const select: HTMLSelectElement = h(
        "select",
        { id: `set-model-${stage}`, "data-stage-model": stage },
        h("option", { value: "", selected: !chosen }, "the project's model"),
        choices.map((m) => h("option", { value: m, selected: chosen === m }, m)),
      );
      return [stage, select];
    }),
  );
  const perStage = h(
    "fieldset",
    { class: "stage-models" },
    h("legend", null, "Model per stage"),
    h("div", { class: "grid3" }, STAGES.map((stage) => field(`set-model-${stage}`, STAGE_NAMES[stage], stageModel.get(stage)!))),
  );
  const auto = h("input", { id: "set-auto", type: "checkbox", checked: s.autoAdvance });
  const result = h("div", { "aria-live": "polite" });
  const save = h("button", { type: "submit" }, "Save settings");
  const form = h(
    "form",
    { class: "stack" },
    h(
      "div",
      { class: "grid3" },
      field("set-model", "Model", model),
      field("set-temperature", "Temperature", temperature),
      field("set-max", "Max output tokens per call", maxOut),
      field("set-thinking", "Thinking", thinking, "Thinking bills as output tokens."),
      field("set-budget", "Token budget", budget, "The run stops before spending more; raise it and Resume."),
    ),
    perStage,
    catalogueAge(),
    h("div", { class: "row" }, auto, h("label", { for: "set-auto" }, "Advance automatically (untick to approve each stage)")),
    h("div", { class: "row" }, save),
    result,
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void busy(save, async () => {
      const current = state.project.settings;
      const patch: Partial<Settings> = {};
      if (model.value.trim() !== current.model) patch.model = model.value.trim();
      const entered = (input: HTMLInputElement) => (input.value.trim() ? Number(input.value) : null);
      if (entered(temperature) !== current.temperature) patch.temperature = entered(temperature);
      if (entered(maxOut) !== current.maxOutputTokens) patch.maxOutputTokens = entered(maxOut);
      const level = (thinking.value || null) as Thinking | null;
      if (level !== current.thinking) patch.thinking = level;
      const nextBudget = budget.value.trim() ? Number(budget.value) : null;
      if (nextBudget !== current.tokenBudget) patch.tokenBudget = nextBudget;
      if (auto.checked !== current.autoAdvance) patch.autoAdvance = auto.checked;
      const stageModels: Partial<Record<Stage, string | null>> = {};
      for (const [stage, select] of stageModel) {
        if ((select.value || undefined) !== current.stageModels[stage]) stageModels[stage] = select.value || null;
      }
      if (Object.keys(stageModels).length) (patch as Record<string, unknown>).stageModels = stageModels;
      if (Object.keys(patch).length === 0) {
        fill(result, h("p", { class: "muted" }, "Nothing changed."));
        return;
      }
      // The last save's message goes first, so "Settings saved." always
      // speaks of this save.
      fill(result, h("p", { class: "muted" }, "Saving…"));
      try {
        await api.settings(state.id, patch);
        fill(result, h("p", { class: "ok" }, "Settings saved."));
        await state.refresh();
      } catch (e) {
        fill(result, errorBox(e, "The settings were not saved"));
      }
    });
  });
  fill(host, h("details", { class: "card" }, h("summary", null, "Settings: model, thinking, temperature, budget"), form));
  return host;
}

// ---------------------------------------------------------------- activity

const KIND_WORDS: Record<string, string> = {
  stage_retried: "retry",
  stage_failed: "failed",
  stage_succeeded: "done",
  stage_started: "started",
  run_started: "run",
  run_finished: "run",
  run_waiting: "quota wait",
  run_resumed: "run",
};

function activityList(events: Activity[]): HTMLElement {
  return h(
    "ol",
    { class: "feed" },
    events.map((e) =>
      h(
        "li",
        { "data-kind": e.kind, class: `kind-${e.kind}` },
        h("time", { datetime: new Date(e.createdAt).toISOString() }, fmt.clock(e.createdAt)),
        h("span", { class: "badge" }, KIND_WORDS[e.kind] ?? e.kind.replace(/_/g, " ")),
        e.stage ? h("span", { class: "stage-tag" }, STAGE_NAMES[e.stage] ?? e.stage) : null,
        h("span", { class: "msg" }, e.message),
      ),
    ),
  );
}

function activityTab(body: HTMLElement, state: ProjectState): Tab {
  const totalsHost = h("div");
  const stagesHost = h("div");
  const estimatesHost = h("div");
  const tracesHost = h("div");
  const feedHost = h("div");
  fill(
    body,
    h("h2", null, "Cost and budget"),
    totalsHost,
    stagesHost,
    estimatesHost,
    h("h2", null, "Model calls"),
    tracesHost,
    h("h2", null, "Activity"),
    feedHost,
  );
  return {
    update() {
      const t = state.traces;
      const budget = state.project.settings.tokenBudget;
      if (!t) {
        fill(totalsHost, loading("traces"));
        return;
      }
      const used = budget ? Math.min(1, t.totals.totalTokens / budget) : null;
      fill(
        totalsHost,
        h(
          "dl",
          { class: "cards" },
          card("Model calls", fmt.int(t.totals.calls), `${t.totals.cacheHits} from cache`),
          card("Tokens", fmt.int(t.totals.totalTokens), `${fmt.int(t.totals.promptTokens)} in · ${fmt.int(t.totals.outputTokens)} out · ${fmt.int(t.totals.thoughtsTokens)} thinking`),
          card("Cost", fmt.usd(t.totals.costUsd), "at the model’s list price"),
          card(
            "Budget used",
            budget ? `${Math.round((used ?? 0) * 100)}%` : "no budget",
            budget ? `${fmt.int(t.totals.totalTokens)} of ${fmt.int(budget)} tokens` : "set one in the pipeline’s settings",
          ),
        ),
        budget
          ? h("meter", { class: "budget", min: 0, max: budget, value: Math.min(budget, t.totals.totalTokens), high: budget * 0.8, "aria-label": "Token budget used" })
          : null,
      );
      const rows = STAGES.filter((s) => t.byStage[s]);
      fill(
        stagesHost,
        rows.length
          ? table(
              "Spend per stage",
              ["Stage", "Calls", "Tokens", "Cost"],
              rows.map((s) => {
                const b = t.byStage[s]!;
                return [STAGE_NAMES[s], fmt.int(b.calls), fmt.int(b.totalTokens), fmt.usd(b.costUsd)];
              }),
            )
          : null,
      );
      // The one-call estimate is the likely case; the range's top allows a repair.
      // As docs/BENCHMARKS.md reports it: (actual − estimate) / actual, signed.
      const error = (actual: number, low: number) => {
        const pct = actual ? ((actual - low) / actual) * 100 : 0;
        return `${pct >= 0 ? "+" : "−"}${Math.abs(pct).toFixed(1)}% against one call`;
      };
      fill(
        estimatesHost,
        t.estimates.length
          ? table(
              "Estimate against actual (the latest run)",
              ["Stage", "Estimated tokens", "Actual tokens", "Estimated cost", "Actual cost", "Error"],
              t.estimates.map((e) => [
                STAGE_NAMES[e.stage],
                `${fmt.int(e.tokens.low)}–${fmt.int(e.tokens.high)}`,
                e.actualCalls ? fmt.int(e.actualTokens) : "not called",
                `${fmt.usd(e.costUsd.low)}–${fmt.usd(e.costUsd.high)}`,
                e.actualCalls ? fmt.usd(e.actualCostUsd) : "—",
                e.actualCalls ? error(e.actualTokens, e.tokens.low) : "not called: kept (an input came out identical), or the run stopped first",
              ]),
              "estimates",
            )
          : null,
      );
      fill(
        tracesHost,
        t.traces.length
          ? table(
              "Every model call",
              ["Time", "Stage", "Call", "Model", "Tokens in", "Tokens out", "Latency", "Outcome", "Cost"],
              [...t.traces].reverse().map((r) => [
                fmt.clock(r.createdAt),
                STAGE_NAMES[r.stage] ?? r.stage,
                `${r.callKind}${r.segment ? ` · segment ${r.segment}` : ""}${r.attempt > 1 ? ` #${r.attempt}` : ""}`,
                h(
                  "span",
                  null,
                  r.modelVersion && r.modelVersion !== r.model
                    ? h("span", { title: `asked for ${r.model}; priced as the model that answered` }, `${r.modelVersion} (asked ${r.model})`)
                    : r.model,
                  r.thinkingLevel ? h("span", { class: "muted small", title: "the thinking level the call sent" }, ` · thinking ${r.thinkingLevel}`) : null,
                ),
                fmt.int(r.promptTokens),
                fmt.int(r.outputTokens + r.thoughtsTokens),
                fmt.ms(r.latencyMs),
                h("span", { class: `outcome outcome-${r.outcome}`, title: r.message ?? "" }, r.cacheHit ? "cache" : r.errorClass ? `${r.outcome}: ${r.errorClass}` : r.outcome),
                r.unpriced ? h("span", { class: "unpriced", title: "no list price known for this model: costed at the dearest rates in the catalogue" }, `${fmt.usd(r.costUsd)} unpriced`) : fmt.usd(r.costUsd),
              ]),
              "traces",
            )
          : empty("No model calls yet", "Each call an agent makes appears here with its tokens, latency and outcome."),
      );
      const events = [...state.activity].reverse();
      fill(feedHost, events.length ? activityList(events) : empty("No activity yet", "Start the pipeline."));
    },
  };
}

function card(title: string, value: string, note: string): HTMLElement {
  return h("div", { class: "card stat" }, h("dt", null, title), h("dd", null, h("span", { class: "stat-value" }, value), h("span", { class: "muted small" }, note)));
}

// ------------------------------------------------------------- consistency

function consistencyTab(body: HTMLElement, state: ProjectState): Tab {
  const host = h("div", null, loading("the consistency report"));
  fill(body, h("h2", null, "Consistency"), h("p", { class: "muted" }, "Every artifact checked against the others: ids referenced across stages must exist, and every user story must reach an entity, a screen and an endpoint."), host);
  let lastKey = "";
  const load = async () => {
    try {
      const report = await api.consistency(state.id);
      const link = (stage: Stage, text: string) => h("a", { href: `#/projects/${state.id}/artifacts/${stage}` }, text);
      const verdict = report.ready;
      fill(
        host,
        h(
          "div",
          { class: verdict.ready ? "ok verdict-box" : "alert verdict-box", "data-testid": "verdict" },
          h("p", { class: "alert-title" }, verdict.ready ? "Ready to hand off" : `Not ready: ${verdict.gaps.length} gap${verdict.gaps.length === 1 ? "" : "s"}`),
          verdict.ready
            ? h("p", null, "All seven artifacts exist and are current, consistency finds no error, every Must story is served by a screen and an endpoint, and every entity is used by an endpoint.")
            : h("ul", null, verdict.gaps.map((g) => h("li", { "data-gap": g.kind }, link(g.stage, STAGE_NAMES[g.stage]), ": ", g.message))),
        ),
        h(
          "p",
          { class: report.errors ? "alert" : "ok", "data-testid": "consistency-summary" },
          `${report.errors} error${report.errors === 1 ? "" : "s"}, ${report.warnings} warning${report.warnings === 1 ? "" : "s"} across ${report.checked.length} artifact${report.checked.length === 1 ? "" : "s"}.`,
        ),
        report.checked.length === 0
          ? empty("Nothing to check yet", "Run the pipeline; the report fills in as stages finish.")
          : null,
        report.findings.length
          ? h("h3", null, "Findings")
          : report.checked.length
            ? h("p", null, "No findings: the artifacts agree.")
            : null,
        report.findings.length
          ? h(
              "ul",
              { class: "findings" },
              report.findings.map((f) =>
                h("li", { class: `sev-${f.severity}` }, h("span", { class: "badge" }, f.severity), " ", link(f.stage, STAGE_NAMES[f.stage]), " ", h("code", null, f.location), " ", f.message),
              ),
            )
          : null,
        report.matrix.length
          ? table(
              "Traceability: each user story to the entities, screens and endpoints that serve it",
              ["Story", "Entities", "Screens", "Endpoints"],
              report.matrix.map((r) => [
                h("span", null, link("prd", r.story), " ", r.title),
                h("span", null, r.entities.length ? link("data", r.entities.join(", ")) : h("span", { class: "missing" }, "none")),
                h("span", null, r.screens.length ? link("design", r.screens.join(", ")) : h("span", { class: "missing" }, "none")),
                h("span", null, r.endpoints.length ? link("api", r.endpoints.join(", ")) : h("span", { class: "missing" }, "none")),
              ]),
              "matrix",
            )
          : null,
      );
    } catch (e) {
      fill(host, errorBox(e, "The consistency report could not be loaded", () => void load()));
    }
  };
  return {
    update() {
      const key = state.project.stages.map((s) => `${s.stage}${s.version}`).join();
      if (key !== lastKey) {
        lastKey = key;
        void load();
      }
    },
  };
}
