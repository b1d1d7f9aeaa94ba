// The supervisor's API: bearer auth, JSON errors turned into readable
// messages, and the live event stream read with fetch (EventSource cannot
// send an Authorization header).

import type { Artifacts } from "./artifact-types";
import type * as Wire from "./api-types";
import type { Answers, Requests } from "./api-types";
import type { Thinking } from "./models";

export type { Thinking };

// Every request and answer shape is generated from the supervisor's Rust
// types (api-types.ts, from shared/src/api/); the names below are what the
// pages call them.
export type {
  Consistency,
  Finding,
  HandoffLayout,
  Plan,
  Project,
  Run,
  Settings,
  StageStatus,
  StageView,
  Trace,
  Traces,
  ViewList,
} from "./api-types";
export type Stage = Wire.Stage;
export type ProjectRow = Wire.ProjectSummary;
export type Totals = Wire.TokenTotals;
export type Range = Wire.TokenRange;
export type StagePlan = Wire.PlanStage;
export type ChangeReport = Wire.Changes;
export type Activity = Wire.ActivityEvent;
export type VersionMeta = Wire.ArtifactVersion;
export type Verdict = Wire.Verdict;
export type SqlDialect = Wire.SqlDialect;
export type ImportAnswer = Wire.Imported;

export const STAGES = ["prd", "data", "design", "logic", "api", "frontend", "deployment"] as const satisfies readonly Stage[];
export const STAGE_NAMES: Record<Stage, string> = {
  prd: "PRD",
  data: "Data model",
  design: "UI design",
  logic: "Business logic",
  api: "API spec",
  frontend: "Frontend code",
  deployment: "Deployment",
};

/** A stored version with its artifact, typed by its stage: a union over the
 * stages when `S` is left open, so a `switch` on `stage` narrows `artifact`. */
export type ArtifactBody<S extends Stage = Stage> = {
  [K in S]: Omit<Answers["getArtifact"], "stage" | "artifact"> & { stage: K; artifact: Artifacts[K] };
}[S];

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
    // Not every answer that fails is the supervisor's (a proxy's page): read loosely.
    const body = (await res.json()) as Partial<Wire.ErrorBody>;
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
    const health = (await res.json()) as Partial<Answers["health"]> | null;
    const agents = health && "components" in health ? (health.components?.agents ?? {}) : {};
    return Object.values(agents).some((a) => a?.standIn === true);
  } catch {
    return false;
  }
}

export const api = {
  projects: (cursor?: string | null) =>
    getJson<Answers["listProjects"]>(
      `/api/projects?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    ),
  project: (id: string) => getJson<Answers["getProject"]>(`/api/projects/${id}`),
  create: (body: Requests["createProject"]) => send<Answers["createProject"]>("POST", "/api/projects", body),
  remove: (id: string) => send<Answers["deleteProject"]>("DELETE", `/api/projects/${id}`),
  settings: (id: string, patch: Requests["patchSettings"]) =>
    send<Answers["patchSettings"]>("PATCH", `/api/projects/${id}/settings`, patch),
  /** Starts a run, or resumes one waiting for quota at once (Retry now). */
  run: (id: string) => send<Answers["run"]>("POST", `/api/projects/${id}/run`),
  cancel: (id: string) => send<Answers["cancel"]>("POST", `/api/projects/${id}/cancel`),
  approve: (id: string, stage: Stage) => send<Answers["approve"]>("POST", `/api/projects/${id}/stages/${stage}/approve`),
  regenerate: (id: string, stage: Stage, feedback: string) =>
    send<Answers["regenerate"]>("POST", `/api/projects/${id}/stages/${stage}/regenerate`, { feedback } satisfies Requests["regenerate"]),
  edit: (id: string, stage: Stage, artifact: unknown) =>
    send<Answers["editArtifact"]>("PUT", `/api/projects/${id}/artifacts/${stage}`, artifact),
  /** The hand-off layouts (AGENTS.md, Kiro specs, Spec Kit, OpenSpec), file by file. */
  handoff: (id: string) => getJson<Answers["handoff"]>(`/api/projects/${id}/handoff`),
  /** SQL DDL as the data model's next version (source import). */
  importData: (id: string, sql: string, dialect: SqlDialect) =>
    send<Answers["importData"]>("POST", `/api/projects/${id}/import/data`, { sql, dialect } satisfies Requests["importData"]),
  /** An OpenAPI 3.0/3.1 document (JSON or YAML) as the API's next version, matched to the data model. */
  importApi: (id: string, document: string) => send<Answers["importApi"]>("POST", `/api/projects/${id}/import/api`, { document } satisfies Requests["importApi"]),
  versions: (id: string) => getJson<Answers["listArtifacts"]>(`/api/projects/${id}/artifacts`),
  artifact: <S extends Stage>(id: string, stage: S, version?: number) =>
    getJson<ArtifactBody<S>>(`/api/projects/${id}/artifacts/${stage}${version ? `?version=${version}` : ""}`),
  views: (id: string, stage: Stage, version?: number) =>
    getJson<Answers["listViews"]>(`/api/projects/${id}/artifacts/${stage}/views${version ? `?version=${version}` : ""}`),
  view: (id: string, stage: Stage, name: string, version?: number) =>
    getText(`/api/projects/${id}/artifacts/${stage}/views/${name}${version ? `?version=${version}` : ""}`),
  consistency: (id: string) => getJson<Answers["consistency"]>(`/api/projects/${id}/consistency`),
  /** What the next run (or regenerating `stage` first) will call or reuse, and its cost. */
  plan: (id: string, regenerate?: Stage) => getJson<Answers["plan"]>(`/api/projects/${id}/plan${regenerate ? `?regenerate=${regenerate}` : ""}`),
  /** The plan if `artifact` were saved as `stage`'s next version; stores nothing (422 as a save would).
   * `artifact` is what the person typed, object or not: the answer names what is wrong. */
  planEdit: (id: string, stage: Stage, artifact: unknown) => send<Answers["planEdit"]>("POST", `/api/projects/${id}/plan`, { stage, artifact }),
  changes: (id: string, stage: Stage, from?: number, to?: number) =>
    getJson<Answers["artifactChanges"]>(`/api/projects/${id}/artifacts/${stage}/changes${from && to ? `?from=${from}&to=${to}` : ""}`),
  traces: (id: string) => getJson<Answers["traces"]>(`/api/projects/${id}/traces`),
  activity: (id: string) => getJson<Answers["activity"]>(`/api/projects/${id}/activity?limit=500`),
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
