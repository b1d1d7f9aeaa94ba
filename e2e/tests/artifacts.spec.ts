// The Artifacts tab: each stage's readable view (diagrams really drawn),
// JSON, downloads, editing with inline schema errors, regenerate with
// feedback, version history and diffs; edits make downstream stages stale.
import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { apiCall, completedProject, expectAllDone, geminiRequests, answerPlan, nodeStatuses, open, shot } from "./helpers";

const artifact = async (id: string, stage: string, version?: number) =>
  (await apiCall("GET", `/api/projects/${id}/artifacts/${stage}${version ? `?version=${version}` : ""}`)).json;

test("the PRD is rendered Markdown", async ({ page }, info) => {
  const { id } = await completedProject("prd");
  const prd = (await artifact(id, "prd")).artifact;
  await open(page, `#/projects/${id}/artifacts/prd`);
  const md = page.locator(".markdown");
  // The document's headings sit under the page's own (its h1 becomes an h4).
  await expect(md.locator("h4")).toContainText(prd.productName);
  await expect(md.locator("h5").first()).toBeVisible();
  await expect(md.locator("h1, h2, h3")).toHaveCount(0);
  expect(await md.locator("li").count()).toBeGreaterThanOrEqual(prd.userStories.length);
  await expect(md).toContainText(prd.userStories[0].title);
  await expect(md).not.toContainText("## ");
  await shot(page, info, "artifact-prd");
});

test("the data model's ERD is drawn as a diagram with every entity", async ({ page }, info) => {
  const { id } = await completedProject("erd");
  const data = (await artifact(id, "data")).artifact;
  await open(page, `#/projects/${id}/artifacts/data`);
  const svg = page.locator(".diagram svg").first();
  await expect(svg).toBeVisible();
  for (const e of data.entities) await expect(svg).toContainText(e.name);
  expect(await svg.locator("g").count()).toBeGreaterThan(data.entities.length);
  expect(await svg.locator("path").count()).toBeGreaterThanOrEqual(data.relationships.length);
  await expect(page.locator("#artifact-panel table")).toHaveCount(data.entities.length);
  await shot(page, info, "artifact-data-erd");
});

test("business logic's state machines are drawn as diagrams", async ({ page }, info) => {
  const { id } = await completedProject("states");
  const logic = (await artifact(id, "logic")).artifact;
  await open(page, `#/projects/${id}/artifacts/logic`);
  const figures = page.locator("figure.diagram");
  await expect(figures).toHaveCount(logic.stateMachines.length);
  for (const [i, m] of logic.stateMachines.entries()) {
    const svg = figures.nth(i).locator("svg");
    await expect(svg).toBeVisible();
    for (const s of m.states) await expect(svg).toContainText(s);
    await expect(figures.nth(i).locator("figcaption")).toContainText(`${m.entity}.${m.field}`);
  }
  await shot(page, info, "artifact-logic");
});

test("the API is an endpoint table, and its OpenAPI document downloads", async ({ page }, info) => {
  const { id } = await completedProject("api");
  const api = (await artifact(id, "api")).artifact;
  await open(page, `#/projects/${id}/artifacts/api`);
  const rows = page.getByTestId("endpoints").locator("tbody tr");
  await expect(rows).toHaveCount(api.endpoints.length);
  await expect(rows.first()).toContainText(api.endpoints[0].path);
  await expect(rows.first()).toContainText(api.endpoints[0].method);
  // A list's query parameters, each as name?: type (the examples' lists page, filter and sort).
  const list = api.endpoints.findIndex((e: { queryParams?: unknown[] }) => (e.queryParams ?? []).length > 0);
  expect(list).toBeGreaterThanOrEqual(0);
  await expect(rows.nth(list)).toContainText("limit?: integer");
  await expect(rows.nth(list).locator(".query-params code")).toHaveCount(api.endpoints[list].queryParams.length);
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: /Download OpenAPI/ }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe("openapi.json");
  const doc = JSON.parse(readFileSync(await file.path(), "utf8"));
  expect(doc.openapi).toMatch(/^3\./);
  const operations = Object.values(doc.paths as Record<string, object>).reduce((n: number, p) => n + Object.keys(p).length, 0);
  expect(operations).toBe(api.endpoints.length);
  const listed = doc.paths[api.endpoints[list].path][api.endpoints[list].method.toLowerCase()];
  expect(listed.parameters.filter((p: { in: string }) => p.in === "query").map((p: { name: string }) => p.name)).toEqual(
    api.endpoints[list].queryParams.map((q: { name: string }) => q.name),
  );
  await shot(page, info, "artifact-api");
});

test("design tokens are swatches and type samples, and the screen flow is drawn", async ({ page }, info) => {
  const { id } = await completedProject("design");
  const design = (await artifact(id, "design")).artifact;
  await open(page, `#/projects/${id}/artifacts/design`);
  const swatches = page.locator(".swatch");
  await expect(swatches).toHaveCount(design.tokens.colors.length);
  for (const c of design.tokens.colors) {
    const chip = page.locator(`.swatch[data-token="${c.name}"] .chip`);
    const hex = c.value.toLowerCase();
    const rgb = `rgb(${parseInt(hex.slice(1, 3), 16)}, ${parseInt(hex.slice(3, 5), 16)}, ${parseInt(hex.slice(5, 7), 16)})`;
    await expect(chip).toHaveCSS("background-color", rgb);
  }
  const samples = page.locator(".type-sample");
  await expect(samples).toHaveCount(design.tokens.typography.length);
  await expect(samples.first()).toHaveCSS("font-size", `${design.tokens.typography[0].sizePx}px`);
  await expect(page.locator("#artifact-panel")).toContainText(design.screens[0].route);
  // The screen flow is drawn: one node per screen, one arrow per navigation link.
  const flow = page.locator("figure.diagram svg");
  await expect(flow).toBeVisible();
  await expect(flow.locator(".node")).toHaveCount(design.screens.length);
  for (const s of design.screens) await expect(flow).toContainText(s.name);
  expect(await flow.locator(".edgePaths path, path.flowchart-link").count()).toBeGreaterThanOrEqual(design.navigation.length);
  await shot(page, info, "artifact-design");
});

test("frontend code is a browsable file tree with syntax highlighting", async ({ page }, info) => {
  const { id } = await completedProject("tree");
  const fe = (await artifact(id, "frontend")).artifact;
  await open(page, `#/projects/${id}/artifacts/frontend`);
  const tree = page.getByRole("navigation", { name: "Files" });
  await expect(tree.locator("button.file")).toHaveCount(fe.files.length);
  await expect(tree.locator("summary", { hasText: "src/" })).toBeVisible();
  const main = fe.files.find((f: any) => f.path === "src/main.ts");
  await tree.locator('button[data-path="src/main.ts"]').click();
  await expect(page.locator(".file-path")).toContainText("src/main.ts");
  const code = page.locator(".file-viewer code.hljs");
  await expect(code).toHaveAttribute("data-language", "typescript");
  expect(await code.locator(".hljs-keyword").count()).toBeGreaterThan(0);
  expect((await code.textContent())?.trim()).toBe(main.content.trim());
  await shot(page, info, "artifact-frontend");
});

test("deployment shows its files, environment variables and steps", async ({ page }) => {
  const { id } = await completedProject("deploy");
  const dep = (await artifact(id, "deployment")).artifact;
  await open(page, `#/projects/${id}/artifacts/deployment`);
  await expect(page.locator("button.file")).toHaveCount(dep.files.length);
  await page.locator('button[data-path=".github/workflows/deploy.yml"]').click();
  await expect(page.locator(".file-viewer code.hljs")).toHaveAttribute("data-language", "yaml");
  await expect(page.locator("#artifact-panel table").first().locator("tbody tr")).toHaveCount(dep.envVars.length);
  await expect(page.locator("#artifact-panel ol li")).toHaveCount(dep.steps.length);
});

test("the JSON view shows exactly the stored artifact", async ({ page }) => {
  const { id } = await completedProject("json");
  const prd = (await artifact(id, "prd")).artifact;
  await open(page, `#/projects/${id}/artifacts/prd`);
  await page.getByRole("tab", { name: "JSON" }).click();
  const text = await page.locator("#artifact-panel code").textContent();
  expect(JSON.parse(text ?? "")).toEqual(prd);
});

/** Replaces the editor's text (a textarea; fill() sets its value as typing would). */
async function editJson(page: import("@playwright/test").Page, change: (v: any) => any): Promise<void> {
  const area = page.locator("#artifact-editor");
  const current = JSON.parse(await area.inputValue());
  await area.fill(JSON.stringify(change(current), null, 2));
}

test("an edit saves a new version, marks downstream stale, and Resume re-runs only those", async ({ page }, info) => {
  const { id, word } = await completedProject("edit");
  await open(page, `#/projects/${id}/artifacts/data`);
  await page.getByRole("tab", { name: "Edit" }).click();
  await editJson(page, (d) => {
    d.entities[0].description = "A person who cooks, edited in the browser.";
    return d;
  });
  await page.getByRole("button", { name: "Save as new version" }).click();
  // Before saving: the plan, on the graph. Cancelled, nothing is saved.
  const planned = { prd: "reuse", data: "edited", design: "reuse", logic: "call", api: "call", frontend: "call", deployment: "call" };
  expect(await answerPlan(page, false)).toEqual(planned);
  expect((await apiCall("GET", `/api/projects/${id}/artifacts`)).json.latest.data).toBe(1);
  await page.getByRole("button", { name: "Save as new version" }).click();
  await expect(page.getByRole("dialog").getByTestId("plan-summary")).toContainText("4 stages call the model");
  await shot(page, info, "plan-before-save");
  expect(await answerPlan(page)).toEqual(planned);
  const notice = page.getByTestId("change-notice");
  await expect(notice).toContainText("Your edit was saved as version 2.");
  await expect(notice).toContainText("Business logic, API spec, Frontend code, Deployment");
  await expect(page.locator('.stage-nav a[data-stage="logic"]')).toHaveAttribute("data-status", "stale");
  expect((await artifact(id, "data")).artifact.entities[0].description).toBe("A person who cooks, edited in the browser.");
  await shot(page, info, "artifact-edit-saved");
  await notice.getByRole("link", { name: /re-run them/ }).click();
  expect(await nodeStatuses(page)).toMatchObject({ prd: "done", data: "done", design: "done", logic: "stale", api: "stale", frontend: "stale", deployment: "stale" });
  const before = await geminiRequests(word);
  await page.getByRole("button", { name: "Resume" }).click();
  expect(await answerPlan(page)).toEqual({ ...planned, data: "reuse" });
  await expectAllDone(page);
  const after = await geminiRequests(word);
  // Inputs are compared by content: logic and the API came out the same as
  // before, so the frontend's inputs did not change and it cost nothing.
  const rerun = after.slice(before.length).map((r) => r.stage).sort();
  expect(rerun).toEqual(["api", "deployment", "logic"]);
  // Activity & cost sets what was estimated before the run against what it used.
  await page.getByRole("link", { name: "Activity & cost" }).click();
  const estimates = page.getByTestId("estimates");
  await expect(estimates.locator("tbody tr")).toHaveCount(4);
  await expect(estimates.locator("tbody tr", { hasText: "Frontend code" })).toContainText("not called");
  await expect(estimates.locator("tbody tr", { hasText: "Business logic" })).toContainText(/[+−]\d+\.\d% against one call/);
  await shot(page, info, "estimate-against-actual");
});

test("an edit that breaks the schema shows each problem on its line and saves nothing", async ({ page }, info) => {
  const { id } = await completedProject("invalid");
  await open(page, `#/projects/${id}/artifacts/data`);
  await page.getByRole("tab", { name: "Edit" }).click();
  await editJson(page, (d) => {
    d.entities[0].name = 42;
    delete d.relationships;
    return d;
  });
  await page.getByRole("button", { name: "Save as new version" }).click();
  const problems = page.locator("#editor-problems");
  await expect(problems).toContainText("nothing was saved");
  await expect(problems).toContainText("$.entities[0].name: expected a string, got a number");
  const text = await page.locator("#artifact-editor").inputValue();
  const nameLine = text.split("\n").findIndex((l) => l.includes('"name": 42')) + 1;
  await expect(problems.locator(`li[data-line="${nameLine}"]`)).toContainText(`Line ${nameLine}`);
  await expect(page.locator(`.gutter-line.bad[data-line="${nameLine}"]`)).toBeVisible();
  await expect(page.locator("#artifact-editor")).toHaveAttribute("aria-invalid", "true");
  await shot(page, info, "artifact-edit-invalid");
  await problems.getByRole("button", { name: `Line ${nameLine}` }).click();
  await expect(page.locator("#artifact-editor")).toBeFocused();
  const versions = (await apiCall("GET", `/api/projects/${id}/artifacts`)).json.versions.filter((v: any) => v.stage === "data");
  expect(versions).toHaveLength(1);
});

test("a JSON syntax error is shown with its line and column before anything is sent", async ({ page }) => {
  const { id } = await completedProject("syntax");
  await open(page, `#/projects/${id}/artifacts/prd`);
  await page.getByRole("tab", { name: "Edit" }).click();
  const area = page.locator("#artifact-editor");
  const lines = (await area.inputValue()).split("\n");
  // Drop the comma after the first one-line property: the next line is the error.
  const at = lines.findIndex((l) => /^\s*"[^"]+": ("[^"]*"|-?\d[\d.]*|true|false|null),$/.test(l));
  lines[at] = lines[at].replace(/,$/, "");
  const bad = at + 2;
  await area.fill(lines.join("\n"));
  const requests: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "PUT") requests.push(r.url());
  });
  await expect(page.locator("#editor-problems")).toContainText("This is not valid JSON yet");
  await expect(page.locator("#editor-problems")).toContainText(new RegExp(`Line ${bad}, column \\d+: expected "," or "}" after a property`));
  await expect(page.locator(`.gutter-line.bad[data-line="${bad}"]`)).toBeVisible();
  await page.getByRole("button", { name: "Save as new version" }).click();
  // Whatever the click sent left before a request the page makes after it: make one, wait for it.
  const after = page.waitForRequest((r) => r.url().endsWith("/?after-save"));
  await page.evaluate(() => void fetch("/?after-save"));
  await after;
  expect(requests).toEqual([]);
  await expect(page.locator("#editor-problems")).toContainText("This is not valid JSON yet");
});

test("regenerate with feedback sends the feedback, makes a new version and marks downstream stale", async ({ page }, info) => {
  const { id, word } = await completedProject("regen");
  await open(page, `#/projects/${id}/artifacts/design`);
  await page.getByRole("tab", { name: "Regenerate" }).click();
  const feedback = `Use a warmer palette ${word}-feedback`;
  await page.getByLabel("What should the UI design agent change?").fill(feedback);
  await page.getByRole("button", { name: "Regenerate UI design" }).click();
  await expect(page.getByRole("dialog").getByTestId("plan-note")).toContainText("Regenerate calls the UI design agent only");
  expect(await answerPlan(page)).toMatchObject({ prd: "reuse", design: "call", frontend: "call", deployment: "call" });
  const notice = page.getByTestId("change-notice");
  await expect(notice).toContainText("Regenerated with your feedback as version 2.");
  await expect(notice).toContainText("Built from it and now stale: Frontend code, Deployment.");
  const revised = (await artifact(id, "design")).artifact.screens[0].purpose;
  expect(revised).toContain(`(Revised: ${feedback})`);
  const calls = (await geminiRequests(`${word}-feedback`)).filter((r) => r.stage === "design");
  expect(calls).toHaveLength(1);
  await expect(page.locator('.stage-nav a[data-stage="frontend"]')).toHaveAttribute("data-status", "stale");
  await expect(page.locator('.stage-nav a[data-stage="data"]')).toHaveAttribute("data-status", "done");
  await shot(page, info, "artifact-regenerated");
});

test("history compares two versions as a diff, and an older version can be opened", async ({ page }, info) => {
  const { id } = await completedProject("history");
  const v1 = (await artifact(id, "prd")).artifact;
  const v2 = { ...v1, summary: `${v1.summary} Now also for school canteens.` };
  expect((await apiCall("PUT", `/api/projects/${id}/artifacts/prd`, v2)).status).toBe(201);
  await open(page, `#/projects/${id}/artifacts/prd`);
  await page.getByRole("tab", { name: "History" }).click();
  await expect(page.locator("#artifact-panel table tbody tr")).toHaveCount(2);
  await expect(page.getByTestId("diff-summary")).toHaveText("v1 → v2: 1 line added, 1 removed");
  await expect(page.locator(".diff-add")).toContainText("Now also for school canteens.");
  await expect(page.locator(".diff-del")).not.toContainText("school canteens");
  await shot(page, info, "artifact-history-diff");
  await page.getByLabel("Version", { exact: true }).selectOption("1");
  await expect(page.locator(".artifact-head")).toContainText("v1 by agent");
  await page.getByRole("tab", { name: "Readable" }).click();
  await expect(page.locator(".markdown")).not.toContainText("school canteens");
  await page.getByLabel("Version", { exact: true }).selectOption("2");
  await expect(page.locator(".markdown")).toContainText("school canteens");
});

test("a removed story is superseded in the history, and the stages built from it name it", async ({ page }, info) => {
  const { id } = await completedProject("superseded");
  const v1 = (await artifact(id, "prd")).artifact;
  const gone = v1.userStories.at(-1).id;
  const v2 = {
    ...v1,
    userStories: v1.userStories.filter((s: any) => s.id !== gone),
    features: v1.features.map((f: any) => ({ ...f, stories: f.stories.filter((s: string) => s !== gone) })),
  };
  expect((await apiCall("PUT", `/api/projects/${id}/artifacts/prd`, v2)).status).toBe(201);
  await open(page, `#/projects/${id}/artifacts/prd`);
  await page.getByRole("tab", { name: "History" }).click();
  const ids = page.getByTestId("id-changes");
  await expect(ids.locator(`li.superseded[data-id="${gone}"]`)).toContainText("superseded");
  const uses = (await apiCall("GET", `/api/projects/${id}/artifacts/prd/changes`)).json.references;
  expect(uses.length).toBeGreaterThan(0);
  await expect(page.getByTestId("id-references").locator("li")).toHaveCount(uses.length);
  await expect(page.getByTestId("id-references")).toContainText("UI design");
  await shot(page, info, "artifact-history-superseded");
  // The design, now stale, says which PRD ids changed since it was built.
  await page.locator('.stage-nav a[data-stage="design"]').click();
  const notice = page.getByTestId("stale-notice");
  await expect(notice).toContainText("PRD v1 → v2");
  await expect(notice.locator(`li.superseded[data-id="${gone}"]`)).toBeVisible();
});
