// Auth errors as a user meets them: a wrong token, no token, a token the
// supervisor stops accepting, and a supervisor that is not there.
import { expect, test } from "@playwright/test";
import { open, shot, stack } from "./helpers";

test("a bad token is refused with a readable message and is not kept", async ({ page }, info) => {
  await page.goto(`${stack.site}/#/connect`);
  await page.getByLabel("API token").fill("parit_" + "0".repeat(64));
  await page.getByRole("button", { name: "Connect" }).click();
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("That token was not accepted");
  await expect(alert).toContainText("did not accept your API token");
  await expect(alert).toContainText(/Request id [0-9a-f-]{36}/);
  expect(await page.evaluate(() => localStorage.getItem("parit.token"))).toBeNull();
  await expect(page).toHaveURL(/#\/connect$/);
  await shot(page, info, "connection-bad-token");
});

test("a good token entered once opens the projects and is remembered after a reload", async ({ page }) => {
  await page.goto(`${stack.site}/#/connect`);
  await expect(page.getByLabel("Supervisor URL")).toHaveValue(stack.supervisor);
  await page.getByLabel("API token").fill(stack.alice);
  await page.getByRole("button", { name: "Connect" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Projects" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: "Projects" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Your projects" })).toBeVisible();
});

test("without a token every page leads to Connection", async ({ page }) => {
  await page.goto(`${stack.site}/#/projects/00000000-0000-4000-8000-000000000000/artifacts/prd`);
  await expect(page).toHaveURL(/#\/connect$/);
  await expect(page.getByRole("heading", { level: 1, name: "Connection" })).toBeVisible();
});

test("a stored token the supervisor no longer accepts explains itself and links to Connection", async ({ page }) => {
  await open(page, "#/", "parit_" + "f".repeat(64));
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("Could not load your projects");
  await expect(alert).toContainText("did not accept your API token");
  await alert.getByRole("link", { name: "Open Connection" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Connection" })).toBeVisible();
});

test("a supervisor that is not running is named in the error", async ({ page }) => {
  await page.goto(`${stack.site}/#/connect`);
  await page.getByLabel("Supervisor URL").fill("http://127.0.0.1:9");
  await page.getByLabel("API token").fill(stack.alice);
  await page.getByRole("button", { name: "Connect" }).click();
  await expect(page.getByRole("alert")).toContainText("Cannot reach the supervisor at http://127.0.0.1:9");
  // Nothing of the failed attempt is kept: the next visit uses the configured supervisor.
  expect(await page.evaluate(() => [localStorage.getItem("parit.token"), localStorage.getItem("parit.supervisorUrl")])).toEqual([null, null]);
  await page.reload();
  await expect(page.getByLabel("Supervisor URL")).toHaveValue(stack.supervisor);
});
