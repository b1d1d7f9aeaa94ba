// How it is to use: a phone-sized screen, keyboard only, assistive
// technology (axe-core finds no serious or critical violations on any
// screen), and pages that do not exist.
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { completedProject, open, shot, stack, STAGES } from "./helpers";

async function noSeriousViolations(page: Page, screen: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(serious.map((v) => `${screen}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

test("on a phone the projects, the pipeline (drawn top to bottom) and the artifacts fit the screen", async ({ browser }, info) => {
  const { id } = await completedProject("mobile");
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const page = await context.newPage();
  await open(page, "#/");
  await expect(page.locator(`tr[data-project="${id}"]`)).toBeVisible();
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(await overflow()).toBeLessThanOrEqual(0);
  await shot(page, info, "mobile-projects");
  await page.locator(`tr[data-project="${id}"] a`).first().click();
  await expect(page.locator('.node[data-stage="deployment"]')).toHaveAttribute("data-status", "done");
  expect(await overflow()).toBeLessThanOrEqual(0);
  // Every stage is within the screen's width, each below the stage it reads
  // (one read of all boxes: the graph is redrawn as events arrive).
  const boxes = await page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll<HTMLElement>(".node")].map((n) => {
        const r = n.getBoundingClientRect();
        return [n.dataset.stage!, { right: r.right, top: r.top }];
      }),
    ),
  );
  for (const box of Object.values(boxes)) expect(box.right).toBeLessThanOrEqual(390);
  const order = ["prd", "data", "logic", "api", "frontend", "deployment"];
  for (let i = 1; i < order.length; i++) expect(boxes[order[i]].top).toBeGreaterThan(boxes[order[i - 1]].top);
  await shot(page, info, "mobile-pipeline");
  await page.getByRole("link", { name: "Artifacts" }).click();
  await page.locator('.stage-nav a[data-stage="frontend"]').click();
  await expect(page.locator(".file-viewer code.hljs")).toBeVisible();
  expect(await overflow()).toBeLessThanOrEqual(0);
  await shot(page, info, "mobile-artifact");
  await context.close();
});

test("keyboard only: skip link, tabs, the mode tabs and the delete dialog all work without a mouse", async ({ page }) => {
  const { id } = await completedProject("keys");
  await open(page, `#/projects/${id}/artifacts/prd`);
  await expect(page.locator(".markdown")).toBeVisible();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { level: 1 })).toBeFocused();
  const readable = page.getByRole("tab", { name: "Readable" });
  await readable.focus();
  await page.keyboard.press("ArrowRight");
  await expect(page.getByRole("tab", { name: "JSON" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByRole("tab", { name: "JSON" })).toBeFocused();
  await expect(page.locator("#artifact-panel code")).toContainText('"userStories"');
  await page.goto(`${stack.site}/#/`);
  const del = page.locator(`tr[data-project="${id}"] button`);
  await del.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("dialog")).toBeVisible();
  await expect(page.getByRole("dialog").getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await expect(page.locator(`tr[data-project="${id}"]`)).toBeVisible();
});

test("accessibility: connection, projects, pipeline, consistency and activity have no serious axe violations", async ({ page }) => {
  const { id } = await completedProject("axe");
  await page.goto(`${stack.site}/#/connect`);
  await expect(page.getByLabel("API token")).toBeVisible();
  await noSeriousViolations(page, "connection");
  await open(page, "#/");
  await expect(page.locator(`tr[data-project="${id}"]`)).toBeVisible();
  await noSeriousViolations(page, "projects");
  for (const [tab, ready] of [
    ["pipeline", ".node"],
    ["consistency", "[data-testid=matrix]"],
    ["activity", "[data-testid=traces]"],
  ]) {
    await page.goto(`${stack.site}/#/projects/${id}/${tab}`);
    await expect(page.locator(ready).first()).toBeVisible();
    await noSeriousViolations(page, tab);
  }
});

test("accessibility: every artifact view, the editor and the history have no serious axe violations", async ({ page }) => {
  // Eleven screens, each scanned by axe: on a busy 2-core machine (seen in a
  // fresh-clone run beside two other suites) more than the default 90 s.
  test.setTimeout(240_000);
  const { id } = await completedProject("axeart");
  for (const stage of STAGES) {
    await open(page, `#/projects/${id}/artifacts/${stage}`);
    await expect(page.locator("#artifact-panel .loading")).toHaveCount(0);
    await expect(page.locator("figure.diagram[aria-busy]")).toHaveCount(0);
    await noSeriousViolations(page, `artifact ${stage}`);
  }
  for (const mode of ["JSON", "History", "Edit", "Regenerate"]) {
    await page.getByRole("tab", { name: mode }).click();
    await expect(page.locator("#artifact-panel .loading")).toHaveCount(0);
    await noSeriousViolations(page, `deployment ${mode}`);
  }
});

test("a page that does not exist says so and leads back", async ({ page }) => {
  await open(page, "#/nowhere/at/all");
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  await page.getByRole("link", { name: "Back to projects" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Projects" })).toBeVisible();
});
