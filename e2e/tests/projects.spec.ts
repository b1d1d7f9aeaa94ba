// The Projects screen: empty state, create (with its settings and the API's
// validation), the list's status and cost, delete, and tenant isolation.
import { expect, test } from "@playwright/test";
import { apiCall, completedProject, createProject, mintToken, open, shot, stack, unique } from "./helpers";

test("a new owner sees an empty state that says what to do", async ({ page }, info) => {
  await open(page, "#/", mintToken(unique("carol")));
  await expect(page.getByText("No projects yet")).toBeVisible();
  await expect(page.getByText("Describe a product idea above")).toBeVisible();
  await shot(page, info, "projects-empty");
});

test("offline, a banner says so and the example ideas fill the create form", async ({ page }, info) => {
  await open(page, "#/", mintToken(unique("olga")));
  // The suite's agents answer from the local stand-in, and /health says so.
  const banner = page.getByRole("note");
  await expect(banner).toContainText("Offline demo: answers come from built-in example products; add a Gemini key to generate your own idea.");
  await page.getByRole("button", { name: "ClinicBook" }).click();
  await expect(page.getByLabel("Name")).toHaveValue("ClinicBook");
  await expect(page.getByLabel("Idea")).toHaveValue(/book, move and cancel appointments with a small clinic/);
  await shot(page, info, "projects-offline");
});

test("create refuses an idea that is too short with the API's reason, and creates nothing", async ({ page }) => {
  const token = mintToken(unique("dave"));
  await open(page, "#/", token);
  await page.getByLabel("Name").fill("Tiny");
  await page.getByLabel("Idea").fill("meals");
  await page.getByRole("button", { name: "Create project" }).click();
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("The project was not created");
  await expect(alert).toContainText(/idea/i);
  expect((await apiCall("GET", "/api/projects", undefined, token)).json.projects).toHaveLength(0);
  await expect(page.getByLabel("Idea")).toHaveValue("meals");
});

test("create with a model, temperature and budget: the project carries them", async ({ page }) => {
  const word = unique("settings");
  await open(page);
  await page.getByLabel("Name").fill(`Clinic ${word}`);
  await page.getByLabel("Idea").fill(`Book appointments at a small clinic ${word}`);
  await page.getByLabel("Model").selectOption("gemini-3.8-flash");
  await page.getByLabel("Temperature").fill("1.1");
  await page.getByLabel("Token budget").fill("50000");
  await page.getByLabel("Start the pipeline right away").uncheck();
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Clinic ${word}` })).toBeVisible();
  await expect(page.locator(".project-head [data-run-status]")).toHaveText("not run yet");
  await expect(page.getByRole("button", { name: "Start pipeline" })).toBeEnabled();
  await page.getByText("Settings: model, thinking, temperature, budget").click();
  await expect(page.locator("#set-model")).toHaveValue("gemini-3.8-flash");
  await expect(page.locator("#set-temperature")).toHaveValue("1.1");
  await expect(page.locator("#set-budget")).toHaveValue("50000");
  await expect(page.locator("#set-max")).toHaveValue("");
  await expect(page.locator("#set-thinking")).toHaveValue("");
  const id = page.url().split("/projects/")[1].split("/")[0];
  const { json } = await apiCall("GET", `/api/projects/${id}`);
  expect(json.settings).toMatchObject({ model: "gemini-3.8-flash", temperature: 1.1, tokenBudget: 50000, maxOutputTokens: null, thinking: null });
  // Thinking for every stage, the temperature back to the model's default,
  // and a stronger model for the frontend code alone.
  // The catalogue says when its facts were checked; Gemini 4's xhigh is a level.
  await expect(page.getByTestId("catalogue-age")).toContainText(/as Google's pages stood on \d{4}-\d\d-\d\d|checked against Google's pages on/);
  await expect(page.locator("#set-thinking option")).toHaveText([/per stage/, "minimal", "low", "medium", "high", "xhigh"]);
  await page.getByLabel("Thinking").selectOption("high");
  await page.locator("#set-temperature").fill("");
  await expect(page.locator("#set-model-frontend")).toHaveValue("");
  await page.locator("#set-model-frontend").selectOption("gemini-4-argon");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Settings saved.")).toBeVisible();
  const saved = await apiCall("GET", `/api/projects/${id}`);
  expect(saved.json.settings).toMatchObject({ thinking: "high", temperature: null, tokenBudget: 50000, stageModels: { frontend: "gemini-4-argon" } });
  await expect(page.locator("#set-model-frontend")).toHaveValue("gemini-4-argon");
  // Back to the project's model.
  await page.locator("#set-model-frontend").selectOption("");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Settings saved.")).toBeVisible();
  expect((await apiCall("GET", `/api/projects/${id}`)).json.settings.stageModels).toEqual({});
});

test("a deprecated model shows a warning naming its replacement", async ({ page }) => {
  const { status, json } = await apiCall("POST", "/api/projects", {
    name: `Old ${unique("deprecated")}`,
    idea: "Plan a week of meals from the pantry",
    settings: { model: "gemini-3.5-flash" },
  });
  expect(status).toBe(201);
  await open(page, `#/projects/${json.id}`);
  const note = page.getByTestId("model-warnings");
  await expect(note).toContainText("settings.model: gemini-3.5-flash is deprecated; Google recommends gemini-3.6-flash");
  await apiCall("PATCH", `/api/projects/${json.id}/settings`, { model: "gemini-3.6-flash" });
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByTestId("model-warnings")).toHaveCount(0);
});

test("the list shows each project's status, stages built, ready verdict and cost", async ({ page }, info) => {
  const { id } = await completedProject("listed");
  const fresh = await createProject(`Fresh ${unique("fresh")}`, "Plan a week of meals from the pantry");
  const listed = async () => (await apiCall("GET", "/api/projects?limit=100")).json.projects.find((p: any) => p.id === id);
  // The verdict is decided just after the run's end: poll the API until it lands.
  await expect.poll(async () => (await listed()).ready).not.toBeNull();
  const row = await listed();
  await open(page);
  const done = page.locator(`tr[data-project="${id}"]`);
  await expect(done.locator("[data-run-status]")).toHaveText("completed");
  await expect(done).toContainText("7/7");
  await expect(done).toContainText(row.totalTokens.toLocaleString("en-US"));
  await expect(done).toContainText(`$${row.costUsd.toFixed(2)}`);
  expect(row.ready).toEqual({ ready: true, gaps: 0 });
  await expect(done.locator(".badge.verdict")).toHaveText("ready");
  const untouched = page.locator(`tr[data-project="${fresh}"]`);
  await expect(untouched.locator("[data-run-status]")).toHaveText("not run yet");
  await expect(untouched).toContainText("0/7");
  await expect(untouched).toContainText("$0.00");
  // Never decided (nothing was ever built): the list does not claim to know.
  await expect(untouched.locator('td[data-label="Ready"]')).toHaveText("—");
  await shot(page, info, "projects-list");
});

test("delete asks first: cancel keeps the project, confirm removes it for good", async ({ page }) => {
  const name = `Doomed ${unique("del")}`;
  const id = await createProject(name, "Plan a week of meals from the pantry");
  await open(page);
  const row = page.locator(`tr[data-project="${id}"]`);
  await row.getByRole("button", { name: `Delete ${name}` }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText(`Delete “${name}”?`);
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(row).toBeVisible();
  expect((await apiCall("GET", `/api/projects/${id}`)).status).toBe(200);
  await row.getByRole("button", { name: `Delete ${name}` }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete project" }).click();
  await expect(row).toHaveCount(0);
  await expect(page.getByText(`Deleted “${name}”`)).toBeVisible();
  expect((await apiCall("GET", `/api/projects/${id}`)).status).toBe(404);
});

test("tenant isolation: another owner sees none of alice's projects and her links show not found", async ({ page }) => {
  const { id } = await completedProject("private");
  const before = await apiCall("GET", `/api/projects/${id}`);
  await open(page, "#/", stack.bob);
  await expect(page.getByRole("heading", { name: "Your projects" })).toBeVisible();
  await expect(page.locator(`tr[data-project="${id}"]`)).toHaveCount(0);
  for (const path of [`#/projects/${id}`, `#/projects/${id}/artifacts/prd`, `#/projects/${id}/activity`]) {
    await page.goto(`${stack.site}/${path}`);
    await expect(page.getByRole("alert")).toContainText("This project could not be opened");
    await expect(page.getByRole("alert")).toContainText(/no project/i);
    await expect(page.locator(".node, .markdown, [data-testid=traces]")).toHaveCount(0);
  }
  const after = await apiCall("GET", `/api/projects/${id}`);
  expect(after.json).toEqual(before.json);
});

test("a long list pages with Show more, and the summary adds up what is shown", async ({ page }) => {
  const token = mintToken(unique("erin"));
  const ids: string[] = [];
  for (let i = 0; i < 53; i++) ids.push(await createProject(`Many ${i}`, "Plan a week of meals from the pantry", {}, token));
  await open(page, "#/", token);
  const rows = page.locator("tr[data-project]");
  await expect(rows).toHaveCount(50);
  await expect(page.getByTestId("projects-summary")).toHaveText("50+ projects · 0 tokens · $0.00 spent so far");
  await expect(rows.first()).toHaveAttribute("data-project", ids[52]);
  await page.getByRole("button", { name: "Show more" }).click();
  await expect(rows).toHaveCount(53);
  await expect(rows.last()).toHaveAttribute("data-project", ids[0]);
  await expect(page.getByRole("button", { name: "Show more" })).toHaveCount(0);
  await expect(page.getByTestId("projects-summary")).toHaveText("53 projects · 0 tokens · $0.00 spent");
});
