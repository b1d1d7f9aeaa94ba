// Failures the supervisor answers with now and then (storage busy, a token
// over its rate), shown as the user would meet them. The answers are the
// supervisor's own error bodies, served once by the browser's router in
// place of the real call; everything else is the real fleet.
import { expect, test } from "@playwright/test";
import { completedProject, open, stack } from "./helpers";

const body = (code: string, message: string) => JSON.stringify({ error: { code, message, requestId: "0b7c6d2e-4f61-4a8e-9d1c-2f3a4b5c6d7e" } });
// What the supervisor sends an allowed origin with every answer.
const cors = { "access-control-allow-origin": stack.site, "access-control-expose-headers": "x-request-id, retry-after, content-disposition" };

test("a load that fails for a moment explains itself, and Try again recovers", async ({ page }) => {
  const { id } = await completedProject("busy");
  let failed = 0;
  await page.route(`**/api/projects/${id}/artifacts/prd`, async (route) => {
    if (failed++ > 0) return route.continue();
    await route.fulfill({ status: 503, contentType: "application/json", headers: cors, body: body("unavailable", "storage is not answering; try again shortly") });
  });
  await open(page, `#/projects/${id}/artifacts/prd`);
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("The PRD could not be loaded");
  await expect(alert).toContainText("Storage is not answering; try again shortly");
  await expect(alert).toContainText("Request id 0b7c6d2e-4f61-4a8e-9d1c-2f3a4b5c6d7e");
  await alert.getByRole("button", { name: "Try again" }).click();
  await expect(page.locator(".markdown h4")).toBeVisible();
  await expect(page.getByRole("alert")).toHaveCount(0);
});

test("a token over its rate limit is told how long to wait", async ({ page }) => {
  await page.route("**/api/projects?limit=50", (route) =>
    route.fulfill({
      status: 429,
      contentType: "application/json",
      headers: { ...cors, "retry-after": "60" },
      body: body("rate_limited", "too many requests for this token; try again in 60 s"),
    }),
  );
  await open(page, "#/");
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("Could not load your projects");
  await expect(alert).toContainText("Too many requests with this token; wait 60 s and try again.");
  await expect(alert.getByRole("button", { name: "Try again" })).toBeVisible();
});
