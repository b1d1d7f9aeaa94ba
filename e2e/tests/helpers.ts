// What every scenario shares: the stack global-setup started, a page signed
// in as an owner, and direct API and Gemini-server calls for setting up
// state and checking what the UI claims.
import { expect, type Page, type TestInfo } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const stack = JSON.parse(readFileSync(join(ROOT, ".parit", "e2e", "stack.json"), "utf8")) as {
  supervisor: string;
  site: string;
  gemini: string;
  stateDir: string;
  alice: string;
  bob: string;
};

export const STAGES = ["prd", "data", "design", "logic", "api", "frontend", "deployment"] as const;
export type Stage = (typeof STAGES)[number];

let counter = 0;
/** A word no other scenario uses, to scope Gemini faults to one project. */
export function unique(tag: string): string {
  return `${tag}${Date.now().toString(36)}${process.pid}${++counter}z`;
}

/** Opens the site with `token` already entered (as a returning user has it). */
export async function open(page: Page, path = "#/", token: string = stack.alice): Promise<void> {
  await page.addInitScript((t) => {
    if (!sessionStorage.getItem("parit.e2e")) {
      localStorage.setItem("parit.token", t);
      sessionStorage.setItem("parit.e2e", "1");
    }
  }, token);
  // A fresh document, so the init script runs even if the page was already on the site.
  await page.goto("about:blank");
  await page.goto(`${stack.site}/${path}`);
}

/**
 * One HTTP exchange on a connection of its own. Node's fetch keeps connections
 * alive, and the server closes idle ones after 5 s: a request sent on one just
 * as it closes fails with "other side closed" (nodejs/undici#3141), which a
 * fresh-clone run met on a POST.
 */
function exchange(method: string, url: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((ok, fail) => {
    const req = httpRequest(url, { method, headers, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => ok({ status: res.statusCode ?? 0, text }));
      res.on("error", fail);
    });
    req.on("error", fail);
    req.end(body);
  });
}

export async function apiCall(method: string, path: string, body?: unknown, token: string = stack.alice): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const { status, text } = await exchange(method, stack.supervisor + path, headers, body === undefined ? undefined : JSON.stringify(body));
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status, json };
}

/** Creates a project through the API; its id. */
export async function createProject(name: string, idea: string, settings: Record<string, unknown> = {}, token = stack.alice): Promise<string> {
  const { status, json } = await apiCall("POST", "/api/projects", { name, idea, settings }, token);
  expect(status, JSON.stringify(json)).toBe(201);
  return json.id as string;
}

/** Waits until the project's run is no longer running; the project. */
export async function waitForRun(id: string, token = stack.alice): Promise<any> {
  // Two minutes bounds a broken run on a busy machine; it is not what is tested.
  for (let i = 0; i < 600; i++) {
    const { json } = await apiCall("GET", `/api/projects/${id}`, undefined, token);
    if (json.run && json.run.status !== "running") return json;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`run of ${id} did not finish`);
}

/** A project with all seven stages done, made through the API. */
export async function completedProject(tag: string, token = stack.alice): Promise<{ id: string; word: string }> {
  const word = unique(tag);
  const id = await createProject(`Pantry ${word}`, `Plan a week of meals from what is in the pantry ${word}`, {}, token);
  expect((await apiCall("POST", `/api/projects/${id}/run`, undefined, token)).status).toBe(202);
  const project = await waitForRun(id, token);
  expect(project.run.status).toBe("completed");
  return { id, word };
}

/** Queues a fault on the local Gemini server for requests containing `word`. */
export async function inject(fault: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${stack.gemini}/__control/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(fault),
  });
  expect(res.status).toBe(201);
}

/** Requests the Gemini server received whose body contains `word`. */
export async function geminiRequests(word: string): Promise<any[]> {
  const res = await fetch(`${stack.gemini}/__control/requests?match=${encodeURIComponent(word)}`);
  return ((await res.json()) as { requests: any[] }).requests;
}

/** Mints a token for a new owner with the repo's script. */
export function mintToken(owner: string): string {
  return execFileSync(join(ROOT, "scripts", "create-token.sh"), ["--owner", owner, "--persist-to", stack.stateDir], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  }).trim();
}

/** Saves a full-page screenshot as a test artifact (and under e2e/screenshots). */
export async function shot(page: Page, info: TestInfo, name: string): Promise<void> {
  const path = join(ROOT, "e2e", "screenshots", `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await info.attach(name, { path, contentType: "image/png" });
}

/** The status each pipeline node shows. */
export async function nodeStatuses(page: Page): Promise<Record<string, string>> {
  await expect(page.locator(".node")).toHaveCount(7);
  return page.locator(".node").evaluateAll((nodes) =>
    Object.fromEntries(nodes.map((n) => [(n as HTMLElement).dataset.stage!, (n as HTMLElement).dataset.status!])),
  );
}

export async function expectAllDone(page: Page): Promise<void> {
  for (const s of STAGES) await expect(page.locator(`.node[data-stage="${s}"]`)).toHaveAttribute("data-status", "done", { timeout: 60_000 });
}

/** What the plan dialog (shown before a run, a regeneration or a save) says
 * each stage will do, by stage; then it is confirmed (or cancelled). */
export async function answerPlan(page: Page, confirm = true): Promise<Record<string, string>> {
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByTestId("plan")).toBeVisible();
  await expect(dialog.locator(".node")).toHaveCount(7);
  const actions = await dialog.locator(".node").evaluateAll((nodes) =>
    Object.fromEntries(nodes.map((n) => [(n as HTMLElement).dataset.stage!, (n as HTMLElement).dataset.plan!])),
  );
  await dialog.locator(`form button[value="${confirm ? "confirm" : "cancel"}"]`).click();
  await expect(dialog).toHaveCount(0);
  return actions;
}
