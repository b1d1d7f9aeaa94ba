import { expect, test } from "@playwright/test";
import { expectAllDone, geminiRequests, open, shot, STAGES, unique } from "./helpers";

test("an idea typed in the browser becomes all seven artifacts, each shown", async ({ page }, info) => {
  const word = unique("ignite");
  await open(page);
  await expect(page.getByRole("heading", { level: 1, name: "Projects" })).toBeVisible();
  await page.getByLabel("Name").fill(`Clinic ${word}`);
  await page.getByLabel("Idea").fill(`Book appointments at a small clinic ${word}`);
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Clinic ${word}` })).toBeVisible();
  await expectAllDone(page);
  await expect(page.locator(".project-head [data-run-status]")).toHaveAttribute("data-run-status", "completed");
  expect((await geminiRequests(word)).length).toBe(7);
  await shot(page, info, "pipeline-completed");

  const expectations: Record<string, RegExp> = {
    prd: /User stories|Personas/i,
    data: /Entity–relationship diagram/,
    design: /Colours/,
    logic: /State machine/,
    api: /endpoints · auth/,
    frontend: /Framework/,
    deployment: /Platform/,
  };
  for (const stage of STAGES) {
    await page.locator(`.node[data-stage="${stage}"] a`).click();
    await expect(page.locator(".artifact-head h3")).toContainText(/./);
    await expect(page.locator("#artifact-panel")).toContainText(expectations[stage]);
    await page.goBack();
  }
});
