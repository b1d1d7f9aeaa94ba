// Consistency, activity and cost, and export, as a user reads them.
import { expect, test } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { apiCall, completedProject, createProject, open, shot, unique } from "./helpers";

test("the consistency page shows the verdict and a traceability matrix linked to the artifacts", async ({ page }, info) => {
  const { id } = await completedProject("consistent");
  const report = (await apiCall("GET", `/api/projects/${id}/consistency`)).json;
  const prd = (await apiCall("GET", `/api/projects/${id}/artifacts/prd`)).json.artifact;
  await open(page, `#/projects/${id}/consistency`);
  await expect(page.getByTestId("consistency-summary")).toHaveText(`${report.errors} errors, ${report.warnings} warnings across 7 artifacts.`);
  const rows = page.getByTestId("matrix").locator("tbody tr");
  await expect(rows).toHaveCount(prd.userStories.length);
  await expect(rows.first()).toContainText(report.matrix[0].story);
  await expect(rows.first()).toContainText(report.matrix[0].endpoints.join(", "));
  await expect(page.getByTestId("verdict")).toContainText("Ready to hand off");
  await expect(page.getByTestId("verdict-badge")).toHaveText("ready");
  await shot(page, info, "consistency");
  await rows.first().getByRole("link", { name: report.matrix[0].entities.join(", ") }).click();
  await expect(page).toHaveURL(new RegExp(`#/projects/${id}/artifacts/data$`));
  await expect(page.locator(".diagram svg")).toBeVisible();
});

test("consistency findings are listed with their stage, and a project with nothing yet says so", async ({ page }) => {
  const id = await createProject(`Empty ${unique("nothing")}`, "Plan a week of meals from the pantry");
  await open(page, `#/projects/${id}/consistency`);
  await expect(page.getByText("Nothing to check yet")).toBeVisible();
  await expect(page.getByTestId("consistency-summary")).toHaveText("0 errors, 0 warnings across 0 artifacts.");

  // A design edited so that no screen serves US-1 is a warning, linked to the design.
  const { id: done } = await completedProject("finding");
  const design = (await apiCall("GET", `/api/projects/${done}/artifacts/design`)).json.artifact;
  for (const screen of design.screens) screen.userStories = screen.userStories.filter((s: string) => s !== "US-1");
  expect((await apiCall("PUT", `/api/projects/${done}/artifacts/design`, design)).status).toBe(201);
  await open(page, `#/projects/${done}/consistency`);
  await expect(page.getByTestId("consistency-summary")).toHaveText("0 errors, 1 warning across 7 artifacts.");
  const finding = page.locator(".findings li");
  await expect(finding).toHaveCount(1);
  await expect(finding).toContainText("US-1 is served by no screen");
  await expect(finding.getByRole("link", { name: "UI design" })).toHaveAttribute("href", `#/projects/${done}/artifacts/design`);
  await expect(page.getByTestId("matrix").locator("tbody tr").first().locator(".missing")).toHaveText("none");
  // Not ready: what the edit made stale is listed, each gap linked to its stage.
  const gaps = (await apiCall("GET", `/api/projects/${done}/consistency`)).json.ready.gaps;
  const verdict = page.getByTestId("verdict");
  await expect(verdict).toContainText(`Not ready: ${gaps.length} gaps`);
  await expect(verdict.locator("li")).toHaveCount(gaps.length);
  await expect(verdict.locator('li[data-gap="not_current"]').getByRole("link", { name: "Frontend code" })).toHaveAttribute("href", `#/projects/${done}/artifacts/frontend`);
  await expect(page.getByTestId("verdict-badge")).toHaveText(`not ready · ${gaps.length} gaps`);
});

test("activity and cost: totals, per-stage spend, every call and the budget used match the traces", async ({ page }, info) => {
  const word = unique("cost");
  const id = await createProject(`Cost ${word}`, `Plan a week of meals from the pantry ${word}`, { tokenBudget: 400000 });
  expect((await apiCall("POST", `/api/projects/${id}/run`)).status).toBe(202);
  await open(page, `#/projects/${id}/activity`);
  await expect(page.locator('.feed li[data-kind="run_finished"]')).toHaveCount(1, { timeout: 60_000 });
  const t = (await apiCall("GET", `/api/projects/${id}/traces`)).json;
  const cards = page.locator("dl.cards");
  await expect(cards).toContainText(t.totals.totalTokens.toLocaleString("en-US"));
  await expect(cards).toContainText(`$${t.totals.costUsd.toFixed(2)}`);
  await expect(cards).toContainText(`${Math.round((t.totals.totalTokens / 400000) * 100)}%`);
  await expect(page.locator("meter.budget")).toHaveAttribute("value", String(t.totals.totalTokens));
  await expect(page.getByTestId("traces").locator("tbody tr")).toHaveCount(t.traces.length);
  // Each call names the thinking level it sent (the prd stage thinks at low).
  const prd = t.traces.find((x: { stage: string }) => x.stage === "prd");
  await expect(page.getByTestId("traces")).toContainText(`thinking ${prd.thinkingLevel}`);
  expect(prd.thinkingLevel).toBe("low");
  await expect(page.getByRole("table", { name: "Spend per stage" }).locator("tbody tr")).toHaveCount(7);
  const feed = page.locator(".feed li");
  const events = (await apiCall("GET", `/api/projects/${id}/activity?limit=1000`)).json.events;
  await expect(feed).toHaveCount(events.length);
  await expect(feed.first()).toContainText("The run completed");
  await shot(page, info, "activity-cost");
});

test("export downloads a ZIP that unzips to the whole blueprint", async ({ page }, info) => {
  const { id } = await completedProject("export");
  await open(page, `#/projects/${id}`);
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export ZIP" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^pantry-.*\.zip$/);
  const path = info.outputPath("export.zip");
  await file.saveAs(path);
  expect(execFileSync("unzip", ["-t", path], { encoding: "utf8" })).toContain("No errors detected");
  const listing = execFileSync("unzip", ["-Z1", path], { encoding: "utf8" }).split("\n").filter(Boolean);
  for (const expected of ["README.md", "READY.md", "prd/prd.md", "data/erd.mmd", "api/openapi.json", "traceability.md", "traceability.csv", "consistency.json"]) {
    expect(listing.some((f) => f.endsWith(expected)), `${expected} in ${listing.join(", ")}`).toBe(true);
  }
  expect(listing.some((f) => f.includes("frontend/") && f.endsWith("src/main.ts"))).toBe(true);
  const readme = execFileSync("unzip", ["-p", path, listing.find((f) => f.endsWith("/README.md"))!], { encoding: "utf8" });
  expect(readme).toContain("**Ready** to hand off");
  const csv = execFileSync("unzip", ["-p", path, listing.find((f) => f.endsWith("traceability.csv"))!], { encoding: "utf8" });
  expect(csv.split("\r\n")[0]).toBe("story,title,screens,endpoints,entities");
});

test("export is offered only once there is something to export", async ({ page }) => {
  const id = await createProject(`Blank ${unique("blank")}`, "Plan a week of meals from the pantry");
  await open(page, `#/projects/${id}`);
  await expect(page.getByRole("button", { name: "Export ZIP" })).toBeDisabled();
  await expect(page.locator('.feed li[data-kind="project_created"]')).toBeVisible();
  await expect(page.locator(".controls")).toContainText("0 of 7 stages done");
});
