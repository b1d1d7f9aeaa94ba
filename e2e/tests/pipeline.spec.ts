// The Pipeline tab: the graph, live progress from the event stream, resume
// after a failure, cancel, the budget stop, retries in the activity feed,
// approval gates and the zero-token re-run.
import { expect, test } from "@playwright/test";
import {
  answerPlan,
  apiCall,
  completedProject,
  createProject,
  expectAllDone,
  geminiRequests,
  inject,
  nodeStatuses,
  open,
  shot,
  unique,
  waitForRun,
} from "./helpers";

test("the graph draws the seven stages with their direct dependencies", async ({ page }) => {
  const id = await createProject(`Graph ${unique("graph")}`, "Plan a week of meals from the pantry");
  await open(page, `#/projects/${id}`);
  await expect(page.locator(".node")).toHaveCount(7);
  const edges = await page.locator("[data-edge]").evaluateAll((e) => e.map((x) => x.getAttribute("data-edge")).sort());
  expect(edges).toEqual(["api-frontend", "data-logic", "design-frontend", "frontend-deployment", "logic-api", "prd-data", "prd-design"]);
  await expect(page.locator('.node[data-stage="deployment"]')).toHaveAttribute("title", "Reads Data model, API spec, Frontend code");
  expect(Object.values(await nodeStatuses(page))).toEqual(Array(7).fill("pending"));
  await expect(page.locator('.node[data-stage="prd"]')).toContainText("not started");
});

test("live progress: stages go queued, running, done without a reload", async ({ page }, info) => {
  const word = unique("live");
  const id = await createProject(`Live ${word}`, `Plan a week of meals from the pantry ${word}`);
  // The two stages whose running state the test watches answer in 3.5 s (under
  // the fleet's 4 s call timeout): at 1.2 s, a page refreshing on a loaded
  // 2-core machine saw data go from queued straight to done. The rest, 1.2 s.
  await inject({ kind: "slow", match: word, stage: "prd", delayMs: 3500 });
  await inject({ kind: "slow", match: word, stage: "data", delayMs: 3500 });
  await inject({ kind: "slow", match: word, times: 100, delayMs: 1200 });
  await open(page, `#/projects/${id}`);
  await expect(page.locator(".live")).toHaveText("● live");
  await page.evaluate(() => ((window as any).__noReload = true));
  await page.getByRole("button", { name: "Start pipeline" }).click();
  // A new project: the plan calls every stage, estimated from the examples.
  expect(Object.values(await answerPlan(page))).toEqual(Array(7).fill("call"));
  await expect(page.locator('.node[data-stage="prd"]')).toHaveAttribute("data-status", "running");
  await expect(page.locator('.node[data-stage="deployment"]')).toContainText("queued");
  await expect(page.getByRole("button", { name: "Running…" })).toBeDisabled();
  await shot(page, info, "pipeline-running");
  await expect(page.locator('.node[data-stage="prd"]')).toHaveAttribute("data-status", "done");
  await expect(page.locator('.node[data-stage="data"]')).toHaveAttribute("data-status", "running");
  await expectAllDone(page);
  await expect(page.locator(".project-head [data-run-status]")).toHaveText("completed");
  await expect(page.locator('.node[data-stage="prd"] [data-testid="stage-time"]')).toHaveText(/\d(\.\d)? s/);
  await expect(page.locator('.node[data-stage="api"]')).toContainText(/v1 · [\d,]+ tokens/);
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);
});

test("after an injected failure the stage shows why, and Resume finishes from there", async ({ page }, info) => {
  const word = unique("resume");
  const id = await createProject(`Resume ${word}`, `Plan a week of meals from the pantry ${word}`);
  await inject({ kind: "permission_denied", stage: "logic", match: word });
  await open(page, `#/projects/${id}`);
  await page.getByRole("button", { name: "Start pipeline" }).click();
  await answerPlan(page);
  await expect(page.locator(".project-head [data-run-status]")).toHaveText("failed");
  expect(await nodeStatuses(page)).toEqual({
    prd: "done",
    data: "done",
    design: "done",
    logic: "failed",
    api: "pending",
    frontend: "pending",
    deployment: "pending",
  });
  const alert = page.locator('[data-failed-stage="logic"]');
  await expect(alert).toContainText("Business logic failed (permission_denied)");
  await expect(alert).toContainText("leaked");
  await shot(page, info, "pipeline-failed");
  await page.getByRole("button", { name: "Resume" }).click();
  await answerPlan(page);
  await expectAllDone(page);
  await expect(page.locator(".project-head [data-run-status]")).toHaveText("completed");
  const calls = await geminiRequests(word);
  const per = (s: string) => calls.filter((c) => c.stage === s).length;
  expect([per("prd"), per("data"), per("design"), per("logic"), per("api")]).toEqual([1, 1, 1, 2, 1]);
});

test("a depleted prepayment stops the stage at once and says where to top up", async ({ page }, info) => {
  const word = unique("prepay");
  const id = await createProject(`Prepay ${word}`, `Plan a week of meals from the pantry ${word}`);
  await inject({ kind: "prepay_depleted", stage: "data", match: word });
  await open(page, `#/projects/${id}`);
  await page.getByRole("button", { name: "Start pipeline" }).click();
  await answerPlan(page);
  await expect(page.locator(".project-head [data-run-status]")).toHaveText("failed");
  const alert = page.getByTestId("billing-stop");
  await expect(alert).toContainText("Data model stopped: Gemini billing");
  await expect(alert).toContainText("prepayment credits are used up");
  await expect(alert.getByRole("link", { name: "AI Studio" })).toHaveAttribute("href", "https://ai.studio/projects");
  // Not parked for a wait that cannot help, and called once.
  await expect(page.getByTestId("quota-wait")).toHaveCount(0);
  expect((await geminiRequests(word)).filter((c) => c.stage === "data").length).toBe(1);
  await shot(page, info, "pipeline-billing-stop");
  await page.getByRole("button", { name: "Resume" }).click();
  await answerPlan(page);
  await expectAllDone(page);
});

test("a long quota wait parks the run, says until when, and Retry now finishes it", async ({ page }, info) => {
  const word = unique("quota");
  const id = await createProject(`Quota ${word}`, `Plan a week of meals from the pantry ${word}`);
  // Longer than an agent holds a request (30 s): the run waits instead of failing.
  await inject({ kind: "quota_minute", stage: "logic", match: word, retryDelay: "600s" });
  await open(page, `#/projects/${id}`);
  await page.getByRole("button", { name: "Start pipeline" }).click();
  await answerPlan(page);
  await expect(page.locator(".project-head [data-run-status]")).toHaveText("waiting for quota");
  const wait = page.getByTestId("quota-wait");
  await expect(wait).toContainText(/Waiting for Gemini quota until \d\d:\d\d:\d\d/);
  const { json } = await apiCall("GET", `/api/projects/${id}`);
  // The clock of the page's own time zone, as the page formats it.
  const until = await page.evaluate((t) => new Date(t).toLocaleTimeString("en-GB"), json.run.resumeAt as number);
  await expect(wait).toContainText(`until ${until}`);
  await expect(page.locator('.node[data-stage="logic"]')).toHaveAttribute("data-status", "waiting");
  await expect(page.locator('.node[data-stage="logic"]')).toContainText("waiting for quota");
  await expect(page.locator('[data-failed-stage="logic"]')).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Waiting for quota…" })).toBeDisabled();
  await shot(page, info, "pipeline-quota-wait");
  await wait.getByRole("button", { name: "Retry now" }).click();
  await expectAllDone(page);
  await expect(page.locator(".project-head [data-run-status]")).toHaveText("completed");
  await expect(page.getByTestId("quota-wait")).toHaveCount(0);
  const calls = await geminiRequests(word);
  expect(calls.filter((c) => c.stage === "logic").length).toBe(2);
});

test("cancel stops scheduling new stages, and Resume finishes the run", async ({ page }) => {
  const word = unique("cancel");
  const id = await createProject(`Cancel ${word}`, `Plan a week of meals from the pantry ${word}`);
  await inject({ kind: "slow", match: word, times: 100, delayMs: 1500 });
  await open(page, `#/projects/${id}`);
  await page.getByRole("button", { name: "Start pipeline" }).click();
  await answerPlan(page);
  await expect(page.locator('.node[data-stage="prd"]')).toHaveAttribute("data-status", "running");
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.locator(".project-head [data-run-status]")).toHaveText("cancelled", { timeout: 30_000 });
  const statuses = await nodeStatuses(page);
  expect(statuses.deployment).toBe("pending");
  expect(Object.values(statuses).filter((s) => s === "done").length).toBeLessThan(7);
  await page.getByRole("button", { name: "Resume" }).click();
  await answerPlan(page);
  await expectAllDone(page);
  await expect(page.locator(".project-head [data-run-status]")).toHaveText("completed");
});

test("the budget stops the run with a reason, and raising it in settings resumes", async ({ page }, info) => {
  const word = unique("budget");
  await open(page);
  await page.getByLabel("Name").fill(`Budget ${word}`);
  await page.getByLabel("Idea").fill(`Plan a week of meals from the pantry ${word}`);
  await page.getByLabel("Token budget").fill("3000");
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page.locator(".project-head [data-run-status]")).toHaveText("budget reached");
  await expect(page.getByTestId("run-message")).toContainText(/budget/i);
  const statuses = await nodeStatuses(page);
  expect(statuses.prd).toBe("done");
  expect(statuses.deployment).toBe("pending");
  await shot(page, info, "pipeline-budget");
  // The settings open by themselves, at the budget.
  await expect(page.locator("#set-budget")).toBeVisible();
  await expect(page.locator("#set-budget")).toHaveValue("3000");
  await page.locator("#set-budget").fill("500000");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Settings saved.")).toBeVisible();
  await page.getByRole("button", { name: "Resume" }).click();
  await answerPlan(page);
  await expectAllDone(page);
  await expect(page.locator(".project-head [data-run-status]")).toHaveText("completed");
});

test("a rate-limited model call is retried, and the retry shows in activity and traces", async ({ page }, info) => {
  const word = unique("quota");
  const id = await createProject(`Quota ${word}`, `Plan a week of meals from the pantry ${word}`);
  await inject({ kind: "quota_minute", stage: "prd", match: word, retryDelay: "1s" });
  await open(page, `#/projects/${id}`);
  await page.getByRole("button", { name: "Start pipeline" }).click();
  await answerPlan(page);
  await expectAllDone(page);
  await page.getByRole("link", { name: "Activity & cost" }).click();
  const retry = page.locator('.feed li[data-kind="stage_retried"]');
  await expect(retry).toHaveCount(1);
  await expect(retry).toContainText("PRD");
  await expect(retry).toContainText(/quota|rate|429/i);
  const traces = page.getByTestId("traces");
  await expect(traces.locator("tbody tr")).toHaveCount(8);
  await expect(traces).toContainText(/quota_per_minute/);
  await shot(page, info, "activity-retry");
});

test("with auto-advance off, each stage waits for approval in the UI", async ({ page }) => {
  const id = await createProject(`Gates ${unique("gate")}`, "Plan a week of meals from the pantry", { autoAdvance: false });
  await open(page, `#/projects/${id}`);
  await page.getByRole("button", { name: "Start pipeline" }).click();
  await answerPlan(page);
  await expect(page.locator(".project-head [data-run-status]")).toHaveText("awaiting approval");
  await expect(page.locator('.node[data-stage="prd"]')).toHaveAttribute("data-status", "done");
  await expect(page.locator('.node[data-stage="data"]')).toHaveAttribute("data-status", "pending");
  await page.getByRole("button", { name: "Approve PRD" }).click();
  await expect(page.locator('.node[data-stage="data"]')).toHaveAttribute("data-status", "done");
  await expect(page.locator('.node[data-stage="design"]')).toHaveAttribute("data-status", "done");
  await expect(page.getByRole("button", { name: "Approve Data model" })).toBeVisible();
  await expect(page.locator('.node[data-stage="logic"]')).toHaveAttribute("data-status", "pending");
});

test("running an unchanged project again costs zero tokens", async ({ page }) => {
  const { id } = await completedProject("again");
  const before = (await apiCall("GET", `/api/projects/${id}/traces`)).json.totals;
  await open(page, `#/projects/${id}`);
  await expect(page.locator(".controls")).toContainText(`${before.totalTokens.toLocaleString("en-US")} tokens`);
  await page.getByRole("button", { name: "Run again" }).click();
  // The plan says so before anything runs: every stage kept, no model call.
  await expect(page.getByRole("dialog").getByTestId("plan-summary")).toHaveText("No model call: every stage is kept or answered from the cache (0 tokens).");
  expect(Object.values(await answerPlan(page))).toEqual(Array(7).fill("reuse"));
  await expect(page.getByText("The pipeline is running")).toBeVisible();
  await waitForRun(id);
  await expect(page.locator(".project-head [data-run-status]")).toHaveText("completed");
  const after = (await apiCall("GET", `/api/projects/${id}/traces`)).json.totals;
  expect(after.totalTokens).toBe(before.totalTokens);
  expect(after.calls).toBe(before.calls);
  await expect(page.locator(".controls")).toContainText(`${before.totalTokens.toLocaleString("en-US")} tokens`);
});
