// The supervisor's API: bearer auth, JSON errors turned into readable
// messages, and the live event stream read with fetch (EventSource cannot
// send an Authorization header).

import type { Artifacts } from "./artifact-types";
import type { Thinking } from "./models";

export type { Thinking };

export const STAGES = ["prd", "data", "design", "logic", "api", "frontend", "deployment"] as const;
export type Stage = (typeof STAGES)[number];
export const STAGE_NAMES: Record<Stage, string> = {
  prd: "PRD",
  data: "Data model",
  design: "UI design",
  logic: "Business logic",
  api: "API spec",
  frontend: "Frontend code",
  deployment: "Deployment",
};

export type StageStatus = "pending" | "running" | "done" | "failed" | "stale";
export interface StageView {
  stage: Stage;
  status: StageStatus;
  version: number | null;
  source: string | null;
  needs: Stage[];
  error: { class: string; message: string } | null;
  updatedAt: number | null;
  lastGoodVersion: number | null;
}
export interface Settings {
  model: string;
  /** A model per stage, where the project chose one. */
  stageModels: Partial<Record<Stage, string>>;
  /** null: the model's default. */
  temperature: number | null;
  /** null: sized per stage. */
  maxOutputTokens: number | null;
  /** null: each stage's default. */
  thinking: Thinking | null;
  tokenBudget: number | null;
  autoAdvance: boolean;
}
export interface Run {
  id: string;
  status: "running" | "awaiting_approval" | "waiting_for_quota" | "completed" | "failed" | "cancelled" | "budget_exceeded";
  message: string | null;
  startedAt: number;
  finishedAt: number | null;
  awaitingApproval?: Stage[];
  /** While waiting for quota: when the run resumes by itself (ms since the epoch). */
  resumeAt?: number | null;
  /** While waiting for quota: the stages that wait. */
  waitingStages?: Stage[];
}
export interface Project {
  id: string;
  name: string;
  idea: string;
  createdAt: number;
  updatedAt: number;
  settings: Settings;
  stages: StageView[];
  run: Run | null;
  /** One line for each deprecated model a stage runs on (it still answers, but is going). */
  modelWarnings?: string[];
}
export interface ProjectRow {
  id: string;
  name: string;
  idea: string;
  createdAt: number;
  updatedAt: number;
  status: string;
  stagesBuilt: number;
  totalTokens: number;
  costUsd: number;
  /** The ready verdict as decided after the last change; null if it changed since. */
  ready: { ready: boolean; gaps: number } | null;
}
export interface Totals {
  calls: number;
  cacheHits: number;
  promptTokens: number;
  outputTokens: number;
  thoughtsTokens: number;
  totalTokens: number;
  costUsd: number;
}
export interface Trace {
  id: string;
  stage: Stage;
  callKind: string;
  attempt: number;
  /** The model asked for. */
  model: string;
  /** The model that answered, when Google said (it may route to another). */
  modelVersion: string | null;
  responseId: string | null;
  /** No catalogue price for the model: costed at the dearest rates. */
  unpriced: boolean;
  /** Which segment of an answer a Gemini 4 model decoded in segments; null for one in one piece. */
  segment: number | null;
  /** The thinking level the call sent, if it sent one. */
  thinkingLevel: Thinking | null;
  promptTokens: number;
  outputTokens: number;
  thoughtsTokens: number;
  latencyMs: number;
  outcome: string;
  errorClass: string | null;
  message: string | null;
  cacheHit: boolean;
  costUsd: number;
  createdAt: number;
}
/** A low–high range: one call, and one call with a repair round trip. */
export interface Range {
  low: number;
  high: number;
}
/** What the next run does with one stage (GET …/plan). */
export interface StagePlan {
  stage: Stage;
  action: "reuse" | "cached" | "call" | "running" | "edited";
  reason: "current" | "edited" | "regenerate" | "missing" | "failed" | "input_changed" | "input_will_change" | "settings_changed" | "running" | "imported";
  inputs: Stage[];
  model: string;
  estimate: {
    promptTokens: number;
    promptBasis: "countTokens" | "approximation";
    outputTokens: number;
    thinkingTokens: number;
    outputBasis: "history" | "examples";
    tokens: Range;
    costUsd: Range;
  } | null;
}
export interface Plan {
  stages: StagePlan[];
  calls: number;
  tokens: Range;
  costUsd: Range;
  budget: { budget: number; spent: number; left: number; wouldExceed: boolean; mayExceed: boolean } | null;
  running: Stage[];
  /** Why a run would be refused before any call (a shut-down model). */
  refused: string | null;
}
/** The ids that changed between two versions, and their downstream uses. */
export interface ChangeReport {
  stage: Stage;
  from: number;
  to: number;
  added: { kind: string; id: string }[];
  removed: { kind: string; id: string }[];
  changed: { kind: string; id: string }[];
  references: { stage: Stage; location: string; kind: string; id: string; change: "removed" | "changed" }[];
}
export interface Traces {
  traces: Trace[];
  totals: Totals;
  byStage: Partial<Record<Stage, Totals>>;
  /** The plan's estimate per stage at the start of the latest run, and what it used. */
  estimates: { stage: Stage; runId: string; model: string; tokens: Range; costUsd: Range; actualTokens: number; actualCostUsd: number; actualCalls: number }[];
}
export interface Activity {
  id?: string;
  kind: string;
  stage: Stage | null;
  message: string;
  createdAt: number;
}
export interface VersionMeta {
  stage: Stage;
  version: number;
  source: string;
  model: string | null;
  contentHash: string;
  sizeBytes: number;
  createdAt: number;
}
/** A stored version with its artifact, typed by its stage: a union over the
 * stages when `S` is left open, so a `switch` on `stage` narrows `artifact`. */
export type ArtifactBody<S extends Stage = Stage> = { [K in S]: VersionMeta & { stage: K; artifact: Artifacts[K] } }[S];
export interface ViewList {
  version: number;
  views: { name: string; contentType: string; bytes: number }[];
}
export interface Finding {
  severity: "error" | "warning";
  stage: Stage;
  location: string;
  message: string;
}
export interface Consistency {
  checked: Stage[];
  errors: number;
  warnings: number;
  findings: Finding[];
  matrix: { story: string; title: string; entities: string[]; screens: string[]; endpoints: string[] }[];
  /** Ready to hand off, or every gap with the stage to go to. */
  ready: Verdict;
}
export interface Verdict {
  ready: boolean;
  gaps: { kind: string; stage: Stage; id: string | null; message: string }[];
}

/** One hand-off layout: its files (paths relative to the export root) and
 * what it could not render for want of an artifact. */
export interface HandoffLayout {
  name: "agents-md" | "kiro" | "spec-kit" | "openspec";
  title: string;
  files: { path: string; content: string }[];
  missing: string[];
}

/** The SQL dialects the data import reads. */
export type SqlDialect = "sqlite" | "postgres" | "mysql";

/** What an import stored, read and left out. */
export interface ImportAnswer {
  projectId: string;
  stage: Stage;
  version: number;
  source: "import";
  stale: Stage[];
  /** What was imported, a line each. */
  imported: string[];
  /** What the artifact types cannot represent, each with why and its line. */
  notImported: { what: string; why: string; line: number | null }[];
}

/** An answer the API refused, in words a person can act on. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly requestId: string | null = null,
    readonly problems: string[] = [],
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

const TOKEN_KEY = "parit.token";
const URL_KEY = "parit.supervisorUrl";
let defaultUrl = "http://127.0.0.1:8787";

/** Reads config.json (the supervisor URL the site was built or deployed with). */
export async function loadConfig(): Promise<void> {
  try {
    const res = await fetch("./config.json", { cache: "no-store" });
    if (res.ok) {
      const config = (await res.json()) as { supervisorUrl?: string };
      if (config.supervisorUrl) defaultUrl = config.supervisorUrl.replace(/\/+$/, "");
    }
  } catch {
    // Keep the built-in default.
  }
}

export const connection = {
  get url(): string {
    return localStorage.getItem(URL_KEY) || defaultUrl;
  },
  get token(): string | null {
    return localStorage.getItem(TOKEN_KEY);
  },
  /** Keeps the URL (unless it is the configured one) and the token (none: removed). */
  set(url: string, token: string | null): void {
    const clean = url.trim().replace(/\/+$/, "");
    if (clean && clean !== defaultUrl) localStorage.setItem(URL_KEY, clean);
    else localStorage.removeItem(URL_KEY);
    if (token?.trim()) localStorage.setItem(TOKEN_KEY, token.trim());
    else localStorage.removeItem(TOKEN_KEY);
  },
  forget(): void {
    localStorage.removeItem(TOKEN_KEY);
  },
};

type Body = unknown;

async function request(method: string, path: string, body?: Body, signal?: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = {};
  const token = connection.token;
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(connection.url + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new ApiError(
      `Cannot reach the supervisor at ${connection.url}. Is it running, and does it allow this site's origin?`,
      0,
      "unreachable",
    );
  }
  if (!res.ok) throw await toError(res);
  return res;
}

async function toError(res: Response): Promise<ApiError> {
  let code = "http_" + res.status;
  let message = `The supervisor answered ${res.status} ${res.statusText}`.trim();
  let requestId = res.headers.get("x-request-id");
  let problems: string[] = [];
  try {
    const body = (await res.json()) as {
      error?: {
        code?: string;
        message?: string;
        requestId?: string;
        problems?: string[];
        // An import that could not be read: where, and what the parser expected; or the validator's findings.
        line?: number | null;
        column?: number | null;
        expected?: string | null;
        findings?: string[];
      };
    };
    const e = body.error;
    if (e) {
      code = e.code ?? code;
      message = e.message ?? message;
      requestId = e.requestId ?? requestId;
      problems = e.problems ?? e.findings ?? [];
      if (e.line) problems = [`Line ${e.line}${e.column ? `, column ${e.column}` : ""}${e.expected ? `: expected ${e.expected}` : ""}`, ...problems];
    }
  } catch {
    // Not JSON: keep the status line.
  }
  const retryAfter = Number(res.headers.get("retry-after")) || null;
  if (res.status === 401) {
    message = "The supervisor did not accept your API token.";
  } else if (res.status === 429 && code === "rate_limited") {
    message = `Too many requests with this token; wait ${retryAfter ?? 60} s and try again.`;
  }
  return new ApiError(message, res.status, code, requestId, problems, retryAfter);
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await (await request("GET", path, undefined, signal)).json()) as T;
}

export async function send<T>(method: string, path: string, body?: Body): Promise<T> {
  return (await (await request(method, path, body)).json()) as T;
}

export async function getText(path: string): Promise<string> {
  return (await request("GET", path)).text();
}

export async function getBlob(path: string): Promise<{ blob: Blob; filename: string | null }> {
  const res = await request("GET", path);
  const disposition = res.headers.get("content-disposition") ?? "";
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? null;
  return { blob: await res.blob(), filename };
}

let standInAnswer: { key: string; answer: Promise<boolean> } | null = null;

/**
 * Whether the agents answer from a stand-in for Gemini (the local server,
 * which answers every idea with an example product), per the supervisor's
 * `/health` (read whatever its status: a degraded fleet still says). Asked
 * once per connection: the banner and the create form share the answer.
 */
export function standIn(): Promise<boolean> {
  const key = `${connection.url} ${connection.token ?? ""}`;
  if (standInAnswer?.key !== key) standInAnswer = { key, answer: askStandIn() };
  return standInAnswer.answer;
}

async function askStandIn(): Promise<boolean> {
  try {
    const res = await fetch(connection.url + "/health", { headers: connection.token ? { authorization: `Bearer ${connection.token}` } : {} });
    const health = (await res.json()) as { components?: { agents?: Record<string, { standIn?: boolean }> } } | null;
    return Object.values(health?.components?.agents ?? {}).some((a) => a?.standIn === true);
  } catch {
    return false;
  }
}

export const api = {
  projects: (cursor?: string | null) =>
    getJson<{ projects: ProjectRow[]; nextCursor: string | null }>(
      `/api/projects?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    ),
  project: (id: string) => getJson<Project>(`/api/projects/${id}`),
  create: (body: { name: string; idea: string; settings: Partial<Settings> }) =>
    send<Project>("POST", "/api/projects", body),
  remove: (id: string) => send<{ deleted: string }>("DELETE", `/api/projects/${id}`),
  settings: (id: string, patch: Partial<Settings>) =>
    send<{ settings: Settings }>("PATCH", `/api/projects/${id}/settings`, patch),
  /** Starts a run, or resumes one waiting for quota at once (Retry now). */
  run: (id: string) => send<{ started: boolean; resumed?: boolean; run: Run }>("POST", `/api/projects/${id}/run`),
  cancel: (id: string) => send<unknown>("POST", `/api/projects/${id}/cancel`),
  approve: (id: string, stage: Stage) => send<unknown>("POST", `/api/projects/${id}/stages/${stage}/approve`),
  regenerate: (id: string, stage: Stage, feedback: string) =>
    send<unknown>("POST", `/api/projects/${id}/stages/${stage}/regenerate`, { feedback }),
  edit: (id: string, stage: Stage, artifact: unknown) =>
    send<unknown>("PUT", `/api/projects/${id}/artifacts/${stage}`, artifact),
  /** The hand-off layouts (AGENTS.md, Kiro specs, Spec Kit, OpenSpec), file by file. */
  handoff: (id: string) => getJson<{ projectId: string; layouts: HandoffLayout[] }>(`/api/projects/${id}/handoff`),
  /** SQL DDL as the data model's next version (source import). */
  importData: (id: string, sql: string, dialect: SqlDialect) =>
    send<ImportAnswer>("POST", `/api/projects/${id}/import/data`, { sql, dialect }),
  /** An OpenAPI 3.0/3.1 document (JSON or YAML) as the API's next version, matched to the data model. */
  importApi: (id: string, document: string) => send<ImportAnswer>("POST", `/api/projects/${id}/import/api`, { document }),
  versions: (id: string) => getJson<{ versions: VersionMeta[] }>(`/api/projects/${id}/artifacts`),
  artifact: <S extends Stage>(id: string, stage: S, version?: number) =>
    getJson<ArtifactBody<S>>(`/api/projects/${id}/artifacts/${stage}${version ? `?version=${version}` : ""}`),
  views: (id: string, stage: Stage, version?: number) =>
    getJson<ViewList>(`/api/projects/${id}/artifacts/${stage}/views${version ? `?version=${version}` : ""}`),
  view: (id: string, stage: Stage, name: string, version?: number) =>
    getText(`/api/projects/${id}/artifacts/${stage}/views/${name}${version ? `?version=${version}` : ""}`),
  consistency: (id: string) => getJson<Consistency>(`/api/projects/${id}/consistency`),
  /** What the next run (or regenerating `stage` first) will call or reuse, and its cost. */
  plan: (id: string, regenerate?: Stage) => getJson<Plan>(`/api/projects/${id}/plan${regenerate ? `?regenerate=${regenerate}` : ""}`),
  /** The plan if `artifact` were saved as `stage`'s next version; stores nothing (422 as a save would). */
  planEdit: (id: string, stage: Stage, artifact: unknown) => send<Plan>("POST", `/api/projects/${id}/plan`, { stage, artifact }),
  changes: (id: string, stage: Stage, from?: number, to?: number) =>
    getJson<ChangeReport>(`/api/projects/${id}/artifacts/${stage}/changes${from && to ? `?from=${from}&to=${to}` : ""}`),
  traces: (id: string) => getJson<Traces>(`/api/projects/${id}/traces`),
  activity: (id: string) => getJson<{ events: Activity[] }>(`/api/projects/${id}/activity?limit=500`),
};

export interface StreamFrame {
  id: number | null;
  event: string;
  data: unknown;
}

/**
 * Follows `GET …/events` until `signal` aborts, reconnecting with
 * Last-Event-ID when the stream ends or drops. `onFrame` gets the snapshot
 * first, then the progress events of the stages in flight (from their
 * start), then each activity and progress event as it comes; `onState` says
 * whether it is connected. Only activity events move Last-Event-ID: progress
 * is sent again from its start on every connection.
 */
export async function follow(
  projectId: string,
  signal: AbortSignal,
  onFrame: (frame: StreamFrame) => void,
  onState: (connected: boolean, error?: ApiError) => void,
): Promise<void> {
  let lastId: number | null = null;
  while (!signal.aborted) {
    // A tab left hidden lets go of its stream: the project's Durable Object
    // stays awake (and billed) while anyone watches. Shown again, it
    // reconnects with its Last-Event-ID and is sent what it missed.
    const stream = new AbortController();
    const stop = () => stream.abort();
    signal.addEventListener("abort", stop);
    const letGo = watchHidden(stop);
    try {
      const headers: Record<string, string> = { authorization: `Bearer ${connection.token ?? ""}` };
      if (lastId !== null) headers["last-event-id"] = String(lastId);
      const res = await fetch(`${connection.url}/api/projects/${projectId}/events`, { headers, signal: stream.signal });
      if (!res.ok) {
        const err = await toError(res);
        onState(false, err);
        if (res.status === 401 || res.status === 404) return;
      } else if (res.body) {
        onState(true);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let cut: number;
          while ((cut = buffer.indexOf("\n\n")) >= 0) {
            const frame = parseFrame(buffer.slice(0, cut));
            buffer = buffer.slice(cut + 2);
            if (frame) {
              if (frame.id !== null && frame.event !== "progress") lastId = frame.id;
              onFrame(frame);
            }
          }
        }
      }
    } catch {
      if (signal.aborted) return;
    } finally {
      signal.removeEventListener("abort", stop);
      letGo();
    }
    onState(false);
    if (document.hidden) await shown(signal);
    else await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** How long a hidden tab keeps its event stream. */
const HIDDEN_FOR_MS = 60_000;

/** Calls `stop` once the page has been hidden for HIDDEN_FOR_MS; the returned function stops watching. */
function watchHidden(stop: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const changed = () => {
    clearTimeout(timer);
    if (document.hidden) timer = setTimeout(stop, HIDDEN_FOR_MS);
  };
  changed();
  document.addEventListener("visibilitychange", changed);
  return () => {
    clearTimeout(timer);
    document.removeEventListener("visibilitychange", changed);
  };
}

/** Resolves when the page is shown again, or `signal` aborts. */
function shown(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      if (document.hidden && !signal.aborted) return;
      document.removeEventListener("visibilitychange", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    document.addEventListener("visibilitychange", done);
    signal.addEventListener("abort", done);
  });
}

function parseFrame(text: string): StreamFrame | null {
  let id: number | null = null;
  let event = "message";
  const data: string[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "id") id = Number(value);
    else if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (data.length === 0) return null;
  try {
    return { id, event, data: JSON.parse(data.join("\n")) };
  } catch {
    return null;
  }
}
