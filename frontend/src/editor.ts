// The artifact editor: the JSON with a line gutter, problems marked on their
// lines as you type (syntax, jsonpos.ts) and as the server reports them
// (schema and rules); a save is a new version.

import { api, STAGE_NAMES, type ArtifactBody, type Stage } from "./api";
import { fill, h } from "./dom";
import { JsonSyntaxError, lineOfProblem, parseLocated } from "./jsonpos";
import { confirmPlan } from "./plan";
import type { ProjectState } from "./tab";
import { busy, capitalise, errorBox, toast } from "./ui";

/** Shows what changed after a save, an import or a regeneration (with a
 * report of it, if any), and the artifact again. */
export type AfterChange = (what: string, report?: HTMLElement) => Promise<void>;

/** The JSON editor: problems on their lines as you type (syntax) and as the
 * server reports them (schema, rules); a save is a new version. */
export function editor(state: ProjectState, stage: Stage, art: ArtifactBody, afterChange: AfterChange): HTMLElement {
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
        // The plan checks the edit exactly as the save will (its problems
        // land on their lines below) and stores nothing.
        const plan = await api.planEdit(state.id, stage, parsed.value);
        if (!(await confirmPlan(state, `Save ${STAGE_NAMES[stage]}: what the next run will then do`, plan, "Save this version"))) return;
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
