// Before anything is paid for: the plan of what a run, a regeneration or a
// saved edit will do, on the pipeline graph (stages that will run are
// highlighted, the ones kept are marked) with tokens and cost per stage, and
// a confirmation. Nothing is started unless the person confirms.

import { STAGE_NAMES, type Plan, type StagePlan } from "./api";
import { fmt, h } from "./dom";
import { graph } from "./graph";
import type { ProjectState } from "./tab";
import { table } from "./ui";

const REASONS: Record<StagePlan["reason"], string> = {
  current: "built from the current inputs",
  edited: "your edit is saved as its new version",
  regenerate: "you asked for a new version",
  missing: "never built",
  failed: "its last attempt failed",
  input_changed: "changed since it was built:",
  input_will_change: "reads what changes first (kept if that comes out identical):",
  settings_changed: "the model settings changed",
  running: "the run in flight is generating it",
  imported: "imported before its inputs existed: kept as it is, and the PRD reads it as context",
};

const ACTIONS: Record<StagePlan["action"], string> = {
  call: "Calls the model",
  cached: "From the cache",
  reuse: "Kept",
  running: "Running now",
  edited: "Your edit",
};

function why(p: StagePlan): string {
  const inputs = p.inputs.map((s) => STAGE_NAMES[s]).join(", ");
  return inputs ? `${REASONS[p.reason]} ${inputs}` : REASONS[p.reason];
}

const range = (r: { low: number; high: number }, f: (n: number) => string) => (r.low === r.high ? f(r.low) : `${f(r.low)}–${f(r.high)}`);

/** The plan as a graph, a table and its totals; `note` says what the
 * confirmed action itself does, where that is less than the whole plan. */
export function planView(state: ProjectState, plan: Plan, note?: string): HTMLElement {
  const budget = plan.budget;
  const warning = budget?.wouldExceed
    ? h("p", { class: "plan-warning", role: "alert" }, `This would exceed the token budget: ${fmt.int(budget.left)} of ${fmt.int(budget.budget)} tokens are left. The run stops before a stage that would cross it.`)
    : budget?.mayExceed
      ? h("p", { class: "plan-warning" }, `This may exceed the token budget: ${fmt.int(budget.left)} tokens are left.`)
      : null;
  return h(
    "div",
    { class: "stack plan", "data-testid": "plan" },
    h("p", { "data-testid": "plan-summary" }, plan.calls === 0
      ? "No model call: every stage is kept or answered from the cache (0 tokens)."
      : `${plan.calls} ${plan.calls === 1 ? "stage calls" : "stages call"} the model: about ${range(plan.tokens, fmt.int)} tokens, ${range(plan.costUsd, fmt.usd)}.`),
    warning,
    plan.refused ? h("p", { class: "plan-warning", role: "alert" }, `A run would be refused: ${plan.refused}`) : null,
    note ? h("p", { "data-testid": "plan-note" }, note) : null,
    h("div", { class: "graph-scroll" }, graph(state, plan)),
    table(
      "What each stage will do",
      ["Stage", "Does", "Why", "Tokens", "Cost"],
      plan.stages.map((p) => [
        STAGE_NAMES[p.stage],
        ACTIONS[p.action],
        why(p),
        p.estimate ? range(p.estimate.tokens, fmt.int) : "0",
        p.estimate ? range(p.estimate.costUsd, fmt.usd) : "—",
      ]),
      "plan-stages",
    ),
    h(
      "p",
      { class: "muted small" },
      `Estimates: the prompt it would send, ${plan.stages.some((p) => p.estimate?.promptBasis === "countTokens") ? "counted by Gemini where the agent has a key, else " : ""}at about 4 characters a token; the answer and thinking from this project's last run of the stage, else from the example products. The high end allows one repair round trip.`,
    ),
  );
}

/** Shows the plan and asks; resolves true when the person confirms. */
export function confirmPlan(state: ProjectState, title: string, plan: Plan, action: string, note?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = h(
      "dialog",
      { class: "confirm plan-dialog", "aria-labelledby": "plan-title" },
      h("h2", { id: "plan-title" }, title),
      planView(state, plan, note),
      h(
        "form",
        { method: "dialog", class: "row end" },
        h("button", { value: "cancel", class: "secondary" }, "Cancel"),
        h("button", { value: "confirm", autofocus: true }, action),
      ),
    );
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "confirm");
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}
