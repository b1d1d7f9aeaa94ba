// The README's two screenshots, taken from the real app on every run of the
// suite (e2e/screenshots/readme-*.png); scripts/screenshots.sh copies them
// into docs/img, so the README shows the product as it is.
import { expect, test } from "@playwright/test";
import { join } from "node:path";
import { ROOT, apiCall, createProject, expectAllDone, open, waitForRun } from "./helpers";

const picture = (name: string) => join(ROOT, "e2e", "screenshots", `readme-${name}.png`);

test("the README's screenshots: a built project's pipeline graph and its data model", async ({ page }) => {
  const id = await createProject("ClinicBook", "Patients book, move and cancel appointments with a small clinic's practitioners");
  expect((await apiCall("POST", `/api/projects/${id}/run`)).status).toBe(202);
  expect((await waitForRun(id)).run.status).toBe("completed");

  await page.setViewportSize({ width: 1280, height: 800 });
  await open(page, `#/projects/${id}`);
  await expectAllDone(page);
  await expect(page.locator("main h1")).toHaveText("ClinicBook");
  await page.screenshot({ path: picture("pipeline") });

  const data = (await apiCall("GET", `/api/projects/${id}/artifacts/data`)).json.artifact;
  await open(page, `#/projects/${id}/artifacts/data`);
  const svg = page.locator(".diagram svg").first();
  for (const e of data.entities) await expect(svg).toContainText(e.name);
  // The artifact's header and the diagram drawn from it, as one picture.
  await page.setViewportSize({ width: 1280, height: 1300 });
  await page.screenshot({ path: picture("artifact") });
});
