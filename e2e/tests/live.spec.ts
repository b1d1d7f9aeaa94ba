// Live progress (issue 31): while a stage's model writes, the pipeline shows
// its tokens, rate and a bar that moves against the plan's estimate, and the
// artifact page previews the artifact being written, the PRD's stories
// appearing before the stage is done.
import { expect, test, type Page } from "@playwright/test";
import { answerPlan, apiCall, createProject, inject, open, shot, unique, waitForRun } from "./helpers";

/** The PRD's status as the supervisor has it (not as the page last drew it). */
async function prdStatus(id: string): Promise<string> {
  const { json } = await apiCall("GET", `/api/projects/${id}`);
  return json.stages.find((s: { stage: string }) => s.stage === "prd").status;
}

/** The value of the PRD's progress bar in `scope`, or -1 while there is none. */
function barValue(page: Page, scope: string): Promise<number> {
  return page
    .locator(`${scope} [data-testid="stage-progress"][data-stage="prd"] progress`)
    .evaluateAll((bars) => (bars.length ? Number((bars[0] as HTMLProgressElement).value) : -1));
}

test("the progress bar moves and the preview lists stories before the PRD is done", async ({ page }, info) => {
  const word = unique("stream");
  const id = await createProject(`Stream ${word}`, `Plan a week of meals from the pantry ${word}`);
  // This project's PRD streams at 60 tokens a second (about 18 s for the
  // example PRD), a piece every half second; nothing else is slowed.
  await inject({ kind: "stream_slow", match: word, stage: "prd", firstTokenMs: 300, tokensPerSecond: 60 });
  await open(page, `#/projects/${id}`);
  await expect(page.locator(".live")).toHaveText("● live");
  await page.getByRole("button", { name: "Start pipeline" }).click();
  await answerPlan(page);

  // The pipeline: the running PRD's bar, measured against the plan's
  // estimate, moves while the supervisor still has the stage running.
  const card = page.getByTestId("running-stages");
  await expect(card.locator('[data-testid="stage-progress"][data-stage="prd"]')).toBeVisible();
  await expect.poll(() => barValue(page, '[data-testid="running-stages"]')).toBeGreaterThan(0);
  const first = await barValue(page, '[data-testid="running-stages"]');
  await expect.poll(() => barValue(page, '[data-testid="running-stages"]')).toBeGreaterThan(first);
  expect(await prdStatus(id)).toBe("running");
  const facts = card.locator('[data-stage="prd"] [data-testid="stage-progress-facts"]');
  await expect(facts).toContainText(/[\d,]+ of about [\d,]+ tokens · [\d,]+ tokens\/s/);
  // Thinking is its own figure, never part of the answer's.
  await expect(card.locator('[data-stage="prd"] [data-testid="stage-thinking"]')).toContainText(/^thinking: ≈?[\d,]+ tokens/);
  await shot(page, info, "live-pipeline");

  // The artifact page (a new connection: the stream sends the stage's
  // progress again from its start): the stories written so far, one by one,
  // while the supervisor still has the PRD running.
  await card.getByRole("link", { name: "Watch the PRD being written" }).click();
  await expect(page.getByTestId("live-preview")).toBeVisible();
  const stories = page.getByTestId("live-stories").locator("li");
  await expect.poll(() => stories.count()).toBeGreaterThan(0);
  await expect(stories.first()).toContainText("US-1");
  // This page asked for the estimate itself (the run's plan has none for a stage in flight).
  await expect(page.locator('[data-testid="stage-progress"][data-stage="prd"] progress')).toBeVisible();
  expect(await prdStatus(id)).toBe("running");
  await shot(page, info, "live-artifact");

  // Done: the preview gives way to the PRD itself, its stories all there.
  await expect(page.getByTestId("stage-status")).toHaveText("done");
  await expect(page.getByTestId("live-preview")).toHaveCount(0);
  const prd = (await apiCall("GET", `/api/projects/${id}/artifacts/prd`)).json.artifact;
  await expect(page.locator("#artifact-panel")).toContainText(prd.userStories[prd.userStories.length - 1].title);
  expect((await waitForRun(id)).run.status).toBe("completed");
});

test("a tab left hidden lets go of its event stream and takes it up again when shown", async ({ page }) => {
  const word = unique("hidden");
  const id = await createProject(`Hidden ${word}`, `Plan a week of meals from the pantry ${word}`);
  await page.clock.install();
  const streams: string[] = [];
  page.on("request", (r) => {
    if (r.url().endsWith(`/api/projects/${id}/events`)) streams.push(r.headers()["last-event-id"] ?? "");
  });
  let closed = 0;
  page.on("requestfailed", (r) => {
    if (r.url().endsWith(`/api/projects/${id}/events`)) closed += 1;
  });
  await open(page, `#/projects/${id}`);
  await expect(page.locator(".live")).toHaveText("● live");
  expect(streams).toHaveLength(1);
  const setHidden = (hidden: boolean) =>
    page.evaluate((h) => {
      Object.defineProperty(document, "hidden", { configurable: true, get: () => h });
      document.dispatchEvent(new Event("visibilitychange"));
    }, hidden);
  // Hidden for a minute: the stream is closed, and none is opened while hidden.
  await setHidden(true);
  await page.clock.fastForward(61_000);
  await expect.poll(() => closed).toBe(1);
  await page.clock.fastForward(10_000);
  expect(streams).toHaveLength(1);
  // Shown again: one new stream.
  await setHidden(false);
  await expect.poll(() => streams.length).toBe(2);
  await expect(page.locator(".live")).toHaveText("● live");
});
