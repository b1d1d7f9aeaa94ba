// Import on the data and API pages (choose a file or paste), what was and was
// not imported, a clear error for SQL that does not parse, and the hand-off
// layouts under Export.
import { expect, test } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { apiCall, completedProject, open, ROOT, shot, unique, waitForRun } from "./helpers";

const CHINOOK = join(ROOT, "import", "tests", "schemas", "chinook.sqlite.sql");
const PETSTORE = join(ROOT, "import", "tests", "openapi", "petstore.yaml");

const artifact = async (id: string, stage: string) => (await apiCall("GET", `/api/projects/${id}/artifacts/${stage}`)).json;

test("a schema file imported on the data page becomes the data model, and what was not imported is listed", async ({ page }, info) => {
  const { id } = await completedProject("import");
  await open(page, `#/projects/${id}/artifacts/data`);
  await page.getByRole("tab", { name: "Import" }).click();
  await page.getByLabel("Choose a file").setInputFiles(CHINOOK);
  await expect(page.locator("#import-text")).toHaveValue(/CREATE TABLE \[Album\]/);
  await expect(page.getByLabel("Dialect")).toHaveValue("sqlite");
  await page.getByRole("button", { name: "Import SQL" }).click();
  const notice = page.getByTestId("change-notice");
  await expect(notice).toContainText("Imported as version 2");
  await expect(notice).toContainText("Built from it and now stale: Business logic, API spec, Frontend code, Deployment");
  const data = await artifact(id, "data");
  expect(data.source).toBe("import");
  expect(data.artifact.entities).toHaveLength(11);
  await expect(notice.getByTestId("imported").locator("li")).not.toHaveCount(0);
  await expect(notice.getByTestId("not-imported")).toBeVisible();
  // The readable view shows the imported model, the link table's key of two fields.
  await expect(page.locator("#artifact-panel table")).toHaveCount(11);
  await expect(page.locator("#artifact-panel")).toContainText("key PlaylistId + TrackId");
  await expect(page.getByTestId("stage-status")).toHaveText("done");
  await shot(page, info, "import-data");
});

test("a new project starts from a schema chosen on creation, and its run keeps the import", async ({ page }, info) => {
  const word = unique("fromsql");
  await open(page, "#/");
  await page.getByLabel("Name").fill(`Music store ${word}`);
  await page.getByLabel("Idea").fill(`Sell music online ${word}`);
  await page.getByLabel("Start from what you have").selectOption("data");
  await page.getByLabel("Choose a file").setInputFiles(CHINOOK);
  await expect(page.locator("#new-from-text")).toHaveValue(/CREATE TABLE \[Album\]/);
  await expect(page.getByLabel("Dialect")).toHaveValue("sqlite");
  await shot(page, info, "create-from-import");
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page).toHaveURL(/#\/projects\/[^/]+$/);
  const id = page.url().split("/").pop() as string;
  const project = await waitForRun(id);
  expect(project.run.status).toBe("completed");
  const data = await artifact(id, "data");
  expect([data.version, data.source]).toEqual([1, "import"]);
  expect(data.artifact.entities).toHaveLength(11);
  // The plan says why the data model was kept.
  const plan = (await apiCall("GET", `/api/projects/${id}/plan`)).json;
  expect(plan.stages.find((s: { stage: string }) => s.stage === "data").reason).toBe("imported");
});

test("a new project starts from an OpenAPI document, its entities derived from the document's schemas", async ({ page }) => {
  const word = unique("fromapi");
  await open(page, "#/");
  await page.getByLabel("Name").fill(`Pets ${word}`);
  await page.getByLabel("Idea").fill(`Adopt pets ${word}`);
  await page.getByLabel("Start from what you have").selectOption("api");
  await expect(page.getByLabel("Dialect")).toBeHidden();
  await page.getByLabel("Choose a file").setInputFiles(PETSTORE);
  await page.getByLabel("Start the pipeline right away").uncheck();
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page).toHaveURL(/#\/projects\/[^/]+$/);
  const id = page.url().split("/").pop() as string;
  const data = await artifact(id, "data");
  expect([data.version, data.source, data.artifact.entities[0].name]).toEqual([1, "import", "Pet"]);
  expect((await artifact(id, "api")).source).toBe("import");
});

test("SQL that does not parse is refused with its line and column, and nothing changes", async ({ page }) => {
  const { id } = await completedProject("badsql");
  await open(page, `#/projects/${id}/artifacts/data`);
  await page.getByRole("tab", { name: "Import" }).click();
  await page.locator("#import-text").fill("CREATE TABLE a (\n  id INTEGER PRIMARY KEY,\n  name TEXT NOT NULL,,\n);");
  await page.getByRole("button", { name: "Import SQL" }).click();
  const alert = page.getByTestId("import-result").getByRole("alert");
  await expect(alert).toContainText("Nothing was imported");
  await expect(alert).toContainText(/Line 3, column \d+: expected/);
  expect((await artifact(id, "data")).version).toBe(1);
});

test("the API page imports an OpenAPI document pasted as YAML", async ({ page }) => {
  const { id } = await completedProject("yaml");
  const before = (await artifact(id, "api")).artifact;
  const first = before.endpoints[0];
  const yaml = [
    "openapi: 3.0.3",
    "info:",
    "  title: Pantry",
    "  version: 1.0.0",
    "paths:",
    `  ${first.path}:`,
    `    ${first.method.toLowerCase()}:`,
    "      summary: From a YAML document",
    "      responses:",
    "        '200':",
    "          description: OK",
    "        '404':",
    "          description: Not found",
  ].join("\n");
  await open(page, `#/projects/${id}/artifacts/api`);
  await page.getByRole("tab", { name: "Import" }).click();
  await expect(page.getByLabel("Dialect")).toHaveCount(0);
  await page.locator("#import-text").fill(yaml);
  await page.getByRole("button", { name: "Import OpenAPI" }).click();
  await expect(page.getByTestId("change-notice")).toContainText("Imported as version 2");
  const after = await artifact(id, "api");
  expect(after.source).toBe("import");
  expect(after.artifact.endpoints.map((e: { method: string; path: string }) => `${e.method} ${e.path}`)).toEqual([`${first.method} ${first.path}`]);
  expect(after.artifact.endpoints[0].errors).toContain(404);
});

test("the hand-off layouts are listed under Export, readable, and download as ZIPs", async ({ page }, info) => {
  const { id } = await completedProject("handoff");
  await open(page, `#/projects/${id}`);
  await page.getByRole("button", { name: "Hand-off" }).click();
  const dialog = page.getByTestId("handoff");
  await expect(dialog.locator("section[data-layout]")).toHaveCount(4);
  const openspec = dialog.locator('section[data-layout="openspec"]');
  await expect(openspec.locator(".handoff-files li").first()).toContainText("openspec/config.yaml");
  await openspec.locator(".handoff-files button", { hasText: "spec.md" }).first().click();
  await expect(openspec.locator("pre")).toContainText("Scenario: US-");
  const agents = dialog.locator('section[data-layout="agents-md"]');
  await agents.getByRole("button", { name: "AGENTS.md", exact: true }).click();
  await expect(agents.locator("pre")).toContainText("## ");
  const kiro = dialog.locator('section[data-layout="kiro"]');
  await expect(kiro.locator(".handoff-files li").first()).toContainText(".kiro/specs/");
  await kiro.locator(".handoff-files button", { hasText: "requirements.md" }).first().click();
  await expect(kiro.locator("pre")).toContainText("THE SYSTEM SHALL");
  await shot(page, info, "handoff");
  const download = page.waitForEvent("download");
  await dialog.getByRole("button", { name: "Download GitHub Spec Kit" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^pantry-.*-spec-kit\.zip$/);
  const path = info.outputPath("spec-kit.zip");
  await file.saveAs(path);
  const listing = execFileSync("unzip", ["-Z1", path], { encoding: "utf8" }).split("\n").filter(Boolean);
  expect(listing.length).toBeGreaterThan(4);
  expect(listing.every((f) => f.includes("/specs/0"))).toBe(true);
  expect(listing.some((f) => f.endsWith("/contracts/openapi.json"))).toBe(true);
});
