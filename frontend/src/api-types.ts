// Generated from the Rust types of the HTTP API (shared/src/api/) by
// shared/src/api/typescript.rs. Do not edit: a native test holds this
// file to those types. Rewrite it with
//   PARIT_WRITE_TYPES=1 cargo test -p parit-shared typescript

/** What `GET /` says the service is doing. */
export type ServiceStatus = "supervisor_active";

/** Which Worker answered `GET /`. */
export type ServiceRole = "supervisor";

/** What this service is, its version, the stages and every endpoint. */
export interface Index {
  /** Always `supervisor_active`. */
  status: ServiceStatus;
  /** Always `supervisor`. */
  role: ServiceRole;
  /** The deployed version. */
  version: string;
  /** The seven stages, in pipeline order. */
  stages: string[];
  /** Every route as `METHOD /path/:param`. */
  endpoints: string[];
}

/** The health verdict: everything up, something down, or (without a token) no recent live check to say. */
export type HealthStatus = "ok" | "degraded" | "unknown";

/** Whether one dependency answered. */
export interface Up {
  /** It answered. */
  ok: boolean;
  /** What went wrong, when it did not. */
  error?: string;
  /** D1 only: the schema version its migrations reached. */
  schemaVersion?: string;
}

/** Whether the Gemini API serves a model to this key. */
export type ModelCheck = "ok" | "not_found" | "key_invalid" | "no_quota" | "unreachable";

/** Whether one agent Worker answered, and what it said of its model. */
export interface AgentUp {
  /** It answered, has a Gemini key, and its model is served. */
  ok: boolean;
  /** The Worker's name. */
  agent: string;
  /** The model it runs on, as it said. */
  model?: string | null;
  /** Whether it has a Gemini key. */
  keyConfigured?: boolean;
  /** What asking Gemini for its model found, as it said. */
  modelCheck?: ModelCheck | null;
  /** It answers from a stand-in for Gemini (the local server). */
  standIn?: boolean;
  /** Why it did not answer. */
  error?: string;
}

/** Each dependency, checked live. */
export interface HealthComponents {
  /** The D1 database. */
  d1: Up;
  /** The R2 bucket. */
  r2: Up;
  /** Each agent Worker, by its stage. */
  agents: Record<string, AgentUp>;
  /** The bridge Worker. */
  bridge: Up;
}

/** For a caller with a token: when the model catalogue's facts (models, prices, limits) were checked against Google's pages, and a warning when that is more than 30 days ago */
export interface CatalogueAge {
  /** The day the facts were checked. */
  checkedOn: string;
  /** Days since. */
  ageDays: number;
  /** Set when the facts are more than 30 days old. */
  warning: string | null;
}

/** Each dependency up or down (live, with detail, for a caller with a token; the last live check's summary for anyone else). */
export interface Health {
  /** The verdict. */
  status: HealthStatus;
  /** Each dependency (token only). */
  components?: HealthComponents;
  /** The dependencies that are down. */
  down?: string[];
  /** For a caller with a token: when the model catalogue's facts (models, prices, limits) were checked against Google's pages, and a warning when that is more than 30 days ago */
  catalogue?: CatalogueAge;
  /** How long the live check took (token only). */
  latencyMs?: number;
  /** When the live check this summary comes from ran (no token only) */
  checkedAt?: number | null;
}

/** What went wrong: a stable code per kind of failure, a message for people, the request's id, and for some codes their detail. */
export interface ErrorDetail {
  /** Stable, machine-readable (`bad_request`, `not_found`, `stage_failed`, `import_failed`, ...). */
  code: string;
  /** For people. */
  message: string;
  /** This request's id (also in `x-request-id`). */
  requestId: string;
  /** stage_failed: Gemini's failure class. */
  class?: string;
  /** stage_failed: whether trying again may succeed. */
  retryable?: boolean;
  /** Every problem found (an edit that breaks its schema or rules). */
  problems?: string[];
  /** import_failed: the line of the problem (1-based), when known */
  line?: number | null;
  /** import_failed: the column of the problem (1-based), when known */
  column?: number | null;
  /** import_failed: what the SQL parser expected there */
  expected?: string | null;
  /** import_failed: every finding of the OpenAPI validator, as `path: what is wrong` */
  findings?: string[];
}

/** The one error shape: `{"error": {"code", "message", "requestId", ...}}`. */
export interface ErrorBody {
  /** What went wrong. */
  error: ErrorDetail;
}

/** A JSON-RPC 2.0 message to the MCP server (a request, or a notification without an id). */
export interface McpMessage {
  /** Always "2.0" */
  jsonrpc: string;
  /** The request's id (a string or a number); absent on a notification */
  id?: unknown;
  /** initialize, ping, tools/list, tools/call, resources/list, resources/read, resources/templates/list, server/discover, notifications/… */
  method: string;
  /** The method's parameters */
  params?: unknown;
}

/** A JSON-RPC 2.0 error. */
export interface McpError {
  /** -32700 parse error, -32600 invalid request, -32601 method not found, -32602 invalid params, -32001 no or wrong token, -32020 MCP headers that disagree with the body, -32022 an unsupported protocol version */
  code: number;
  /** What went wrong, for people. */
  message: string;
  /** More about it (the supported versions, the unknown resource's uri) */
  data?: unknown;
}

/** The MCP server's JSON-RPC 2.0 answer: a result, or an error. */
export interface McpReply {
  /** Always "2.0" */
  jsonrpc: string;
  /** The request's id; null when it could not be read */
  id: unknown;
  /** The method's result (a tool's content, with isError when the tool failed) */
  result?: unknown;
  /** The error, when the message could not be served */
  error?: McpError;
}

/** A thinking level of Gemini 3.x (`thinkingConfig.thinkingLevel`), and the project setting `thinking`. */
export type ThinkingLevel = "minimal" | "low" | "medium" | "high" | "xhigh";

/** A model per stage; null resets a stage to the project's model */
export interface StageModelsPatch {
  /** The PRD's model. */
  prd?: string | null;
  /** The data model's model. */
  data?: string | null;
  /** The UI design's model. */
  design?: string | null;
  /** The business logic's model. */
  logic?: string | null;
  /** The API spec's model. */
  api?: string | null;
  /** The frontend code's model. */
  frontend?: string | null;
  /** The deployment config's model. */
  deployment?: string | null;
}

/** The settings to change; what is absent stays as it is. */
export interface SettingsPatch {
  /** Gemini model id for every stage without its own. */
  model?: string;
  /** Sampling temperature; null: the model's default. */
  temperature?: number | null;
  /** Output token cap per call; null: sized per stage. */
  maxOutputTokens?: number | null;
  /** Most tokens the project may spend; null: unlimited. */
  tokenBudget?: number | null;
  /** Whether a run goes on without approval. */
  autoAdvance?: boolean;
  /** How much every stage thinks; null: each stage's default */
  thinking?: ThinkingLevel | null;
  /** A model per stage; null resets a stage to the project's model */
  stageModels?: StageModelsPatch;
}

/** A new project: its name, the idea, and settings other than the defaults. */
export interface CreateProject {
  /** The project's name. */
  name: string;
  /** The product idea, in a person's words. */
  idea: string;
  /** Settings other than the defaults. */
  settings?: SettingsPatch;
}

/** A project's model and run settings. */
export interface Settings {
  /** Gemini model id, for every stage without its own. */
  model: string;
  /** A model per stage, where the project wants another. */
  stageModels: Record<string, string>;
  /** Sampling temperature, 0 to 2; null: the model's default. */
  temperature: number | null;
  /** Output token cap per model call; null: sized per stage. */
  maxOutputTokens: number | null;
  /** How much every stage thinks; null: each stage's default. */
  thinking: ThinkingLevel | null;
  /** Most tokens the project may spend in all; null: unlimited. */
  tokenBudget: number | null;
  /** Whether a run goes on to the next stage without approval. */
  autoAdvance: boolean;
}

/** One of the seven stages, in pipeline order. */
export type Stage = "prd" | "data" | "design" | "logic" | "api" | "frontend" | "deployment";

/** A stage's status as users see it. */
export type StageStatus = "pending" | "running" | "done" | "failed" | "stale";

/** Who made an artifact version: an agent, a person's edit, or an import of what a project already had (SQL DDL, an OpenAPI document). */
export type Source = "agent" | "human" | "import";

/** Why a stage failed. */
export interface StageError {
  /** The failure class. */
  class: string | null;
  /** What went wrong. */
  message: string | null;
}

/** One stage of a project: its status and newest version. */
export interface StageView {
  /** The stage. */
  stage: Stage;
  /** Its status. */
  status: StageStatus;
  /** Its newest version, if any. */
  version: number | null;
  /** Who made that version. */
  source: Source | null;
  /** The stages it reads. */
  needs: Stage[];
  /** Why it failed, when it did. */
  error: StageError | null;
  /** When its checkpoint last changed. */
  updatedAt: number | null;
  /** The last version that passed, when the newest failed. */
  lastGoodVersion: number | null;
}

/** Where a run stands. */
export type RunStatus = "running" | "awaiting_approval" | "waiting_for_quota" | "completed" | "failed" | "cancelled" | "budget_exceeded";

/** A run: its status, and while it is active, its steering state. */
export interface Run {
  /** Id. */
  id: string;
  /** The project. */
  projectId: string;
  /** Its status. */
  status: RunStatus;
  /** Why it ended or waits. */
  message: string | null;
  /** Started, ms since the epoch. */
  startedAt: number;
  /** Last change, ms since the epoch. */
  updatedAt: number;
  /** Ended, ms since the epoch. */
  finishedAt: number | null;
  /** While the run waits for Gemini quota: when it resumes by itself (ms since the epoch); POST …/run resumes it at once */
  resumeAt?: number | null;
  /** While the run waits for Gemini quota: the stages told to wait */
  waitingStages?: Stage[];
  /** An active run: whether each stage waits for approval. */
  approvalGates?: boolean;
  /** An active run: the stages waiting for approval. */
  awaitingApproval?: Stage[];
  /** An active run: whether a cancel is pending. */
  cancelRequested?: boolean;
}

/** A project with its settings, each stage's status and the latest run. */
export interface Project {
  /** Id. */
  id: string;
  /** Name. */
  name: string;
  /** The idea. */
  idea: string;
  /** Created, ms since the epoch. */
  createdAt: number;
  /** Last change, ms since the epoch. */
  updatedAt: number;
  /** Its settings. */
  settings: Settings;
  /** One line for each deprecated model a stage runs on: it still answers, but Google has said it goes (the field, the replacement, the earliest shutdown date) */
  modelWarnings?: string[];
  /** The seven stages, in pipeline order. */
  stages: StageView[];
  /** The latest run; null before the first. */
  run: Run | null;
}

/** A page of the caller's projects. */
export interface ListProjectsQuery {
  /** Projects a page (default 20). */
  limit?: number;
  /** Where the page starts: a `nextCursor` this API returned. */
  cursor?: string;
}

/** A project's state in the list: its latest run's status, or `new`. */
export type ProjectStatus = "new" | "running" | "awaiting_approval" | "waiting_for_quota" | "completed" | "failed" | "cancelled" | "budget_exceeded";

/** The ready verdict as last decided. */
export interface ReadyTally {
  /** Ready to hand off. */
  ready: boolean;
  /** Gaps that keep it from being ready. */
  gaps: number;
}

/** One project in the list, with its tallies. */
export interface ProjectSummary {
  /** Id. */
  id: string;
  /** Name. */
  name: string;
  /** The idea. */
  idea: string;
  /** Created, ms since the epoch. */
  createdAt: number;
  /** Last change, ms since the epoch. */
  updatedAt: number;
  /** The latest run's status; new when the project has never been run */
  status: ProjectStatus;
  /** Stages with an artifact. */
  stagesBuilt: number;
  /** Tokens spent in all. */
  totalTokens: number;
  /** Dollars spent in all. */
  costUsd: number;
  /** The ready verdict as decided after the project's last change (null when it changed since: open the project) */
  ready: ReadyTally | null;
}

/** A page of projects, newest first. */
export interface ProjectPage {
  /** The projects. */
  projects: ProjectSummary[];
  /** The next page's cursor; null on the last page. */
  nextCursor: string | null;
}

/** What a delete removed. */
export interface Deleted {
  /** The project's id. */
  deleted: string;
  /** Stored objects removed. */
  objectsDeleted: number;
}

/** The settings after a change. */
export interface SettingsChanged {
  /** The project. */
  projectId: string;
  /** Its settings now. */
  settings: Settings;
  /** One line for each deprecated model a stage runs on: it still answers, but Google has said it goes (the field, the replacement, the earliest shutdown date) */
  modelWarnings?: string[];
}

/** One stage to run now. */
export interface Execute {
  /** The project. */
  projectId: string;
  /** The stage. */
  stage: Stage;
  /** Extra context for the model: text, an object, or null. */
  context?: unknown;
}

/** A stage that produced its artifact. */
export type Done = "done";

/** A stage run now: its new version and what the call cost. */
export interface StageExecuted {
  /** The project. */
  projectId: string;
  /** The stage. */
  stage: Stage;
  /** Always `done`. */
  status: Done;
  /** The new version. */
  version: number;
  /** The artifact. */
  artifact: Record<string, unknown>;
  /** Gemini's token counts. */
  usage: Record<string, unknown>;
  /** The model. */
  model: string;
  /** Calls made. */
  attempts: number;
  /** How long it took. */
  latencyMs: number;
  /** What it cost. */
  costUsd: number;
  /** Answered from the cache. */
  cacheHit: boolean;
}

/** One artifact version's facts (its body is in the blob store). */
export interface ArtifactVersion {
  /** The stage. */
  stage: Stage;
  /** The version, from 1. */
  version: number;
  /** Who made it. */
  source: Source;
  /** The model that wrote it (an agent's version). */
  model: string | null;
  /** Hash of the body. */
  contentHash: string;
  /** Hash of what the stage read. */
  inputHash: string;
  /** The body's size. */
  sizeBytes: number;
  /** Saved, ms since the epoch. */
  createdAt: number;
}

/** Every version of every stage, and the newest of each. */
export interface ArtifactList {
  /** The project. */
  projectId: string;
  /** Each stage's newest version, by stage. */
  latest: Record<string, number>;
  /** Every version. */
  versions: ArtifactVersion[];
}

/** Which version to read: the newest when absent. */
export interface VersionQuery {
  /** A version number. */
  version?: number;
}

/** One artifact version with its body. */
export interface ArtifactAnswer {
  /** The stage. */
  stage: Stage;
  /** The version, from 1. */
  version: number;
  /** Who made it. */
  source: Source;
  /** The model that wrote it (an agent's version). */
  model: string | null;
  /** Hash of the body. */
  contentHash: string;
  /** Hash of what the stage read. */
  inputHash: string;
  /** The body's size. */
  sizeBytes: number;
  /** Saved, ms since the epoch. */
  createdAt: number;
  /** The project. */
  projectId: string;
  /** The artifact (the stage's type in `artifact-types.ts`). */
  artifact: Record<string, unknown>;
}

/** A person's edit. */
export type HumanSource = "human";

/** A saved edit: its new version and the stages it made stale. */
export interface Edited {
  /** The project. */
  projectId: string;
  /** The stage. */
  stage: Stage;
  /** The new version. */
  version: number;
  /** Always `human`. */
  source: HumanSource;
  /** The stages downstream, now stale. */
  stale: Stage[];
}

/** The two versions to compare. */
export interface ChangesQuery {
  /** The older version (default: the one before to) */
  from?: number;
  /** The newer version (default: the newest) */
  to?: number;
}

/** What kind of item an id names. */
export type ItemKind = "persona" | "story" | "feature" | "entity" | "field" | "screen" | "rule" | "state_machine" | "algorithm" | "endpoint" | "file" | "env_var";

/** One id of an artifact. */
export interface ItemRef {
  /** What it names. */
  kind: ItemKind;
  /** The id. */
  id: string;
}

/** How an item differs between two versions. */
export type Change = "added" | "removed" | "changed";

/** A place downstream that refers to a removed or changed id. */
export interface Reference {
  /** The stage that refers to it. */
  stage: Stage;
  /** Where in that stage's artifact, as a JSON path. */
  location: string;
  /** What the id names. */
  kind: ItemKind;
  /** The id. */
  id: string;
  /** What happened to it. */
  change: Change;
}

/** The ids added, removed and changed between two versions, and where downstream the removed and changed ones are used. */
export interface Changes {
  /** The project. */
  projectId: string;
  /** The stage. */
  stage: Stage;
  /** The older version. */
  from: number;
  /** The newer version. */
  to: number;
  /** Ids only in the newer. */
  added: ItemRef[];
  /** Ids only in the older. */
  removed: ItemRef[];
  /** Ids in both whose content differs. */
  changed: ItemRef[];
  /** Their uses downstream. */
  references: Reference[];
}

/** One render of an artifact. */
export interface ViewEntry {
  /** Its name (a path for a generated file). */
  name: string;
  /** Its media type. */
  contentType: string;
  /** Its size. */
  bytes: number;
}

/** The renders of one artifact version. */
export interface ViewList {
  /** The project. */
  projectId: string;
  /** The stage. */
  stage: Stage;
  /** The version rendered. */
  version: number;
  /** Its renders. */
  views: ViewEntry[];
}

/** How much a finding matters. */
export type Severity = "error" | "warning";

/** One consistency finding: a problem across artifacts. */
export interface Finding {
  /** How bad. */
  severity: Severity;
  /** The stage it is in. */
  stage: Stage;
  /** Where in it (a JSON path). */
  location: string;
  /** What is wrong. */
  message: string;
}

/** One user story's row of the traceability matrix. */
export interface TraceRow {
  /** The story's id. */
  story: string;
  /** Its title. */
  title: string;
  /** The screens that serve it. */
  screens: string[];
  /** The endpoints that serve it. */
  endpoints: string[];
  /** The entities those endpoints work on. */
  entities: string[];
}

/** What keeps a blueprint from being ready. */
export type GapKind = "missing" | "not_current" | "inconsistent" | "story_without_screen" | "story_without_endpoint" | "entity_without_endpoint" | "story_without_test";

/** One thing that keeps the blueprint from being ready, and where to fix it. */
export interface Gap {
  /** What kind of gap. */
  kind: GapKind;
  /** The stage to go to. */
  stage: Stage;
  /** The id concerned, when there is one (a story, an entity). */
  id: string | null;
  /** What is missing, for people. */
  message: string;
}

/** Ready to hand off: all seven artifacts exist and are current, consistency finds no error, every Must story is served by a screen and an endpoint, every entity is used by an endpoint; else every gap */
export interface Verdict {
  /** The verdict. */
  ready: boolean;
  /** Every gap, in pipeline order; empty when ready. */
  gaps: Gap[];
}

/** The cross-artifact findings, the traceability matrix and the ready verdict. */
export interface Consistency {
  /** The project. */
  projectId: string;
  /** The stages checked. */
  checked: Stage[];
  /** Every finding. */
  findings: Finding[];
  /** The traceability matrix. */
  matrix: TraceRow[];
  /** Findings that are errors. */
  errors: number;
  /** Findings that are warnings. */
  warnings: number;
  /** Ready to hand off: all seven artifacts exist and are current, consistency finds no error, every Must story is served by a screen and an endpoint, every entity is used by an endpoint; else every gap */
  ready: Verdict;
}

/** A hand-off layout for coding agents. */
export type Layout = "agents-md" | "kiro" | "spec-kit" | "openspec";

/** Which files the export holds. */
export interface ExportQuery {
  /** Only this hand-off layout's files */
  layout?: Layout;
  /** A PRD version older than the newest: the OpenSpec layout holds that version's specs and the change folder (openspec/changes/) to the newest */
  since?: number;
}

/** What the hand-off holds. */
export interface HandoffQuery {
  /** A PRD version older than the newest: the OpenSpec layout holds that version's specs and the change folder (openspec/changes/) to the newest */
  since?: number;
}

/** One file of a layout. */
export interface LayoutFile {
  /** Its path, relative to the export root. */
  path: string;
  /** Its text. */
  content: string;
}

/** One hand-off layout, file by file. */
export interface HandoffLayout {
  /** Its machine name. */
  name: Layout;
  /** Its title for people. */
  title: string;
  /** Its files. */
  files: LayoutFile[];
  /** What it could not render for want of an artifact. */
  missing: string[];
}

/** Every hand-off layout. */
export interface Handoff {
  /** The project. */
  projectId: string;
  /** The layouts. */
  layouts: HandoffLayout[];
}

/** The SQL dialect the repository's DDL is written in. */
export type SqlDialect = "sqlite" | "postgres" | "mysql";

/** SQL DDL to import as the data model. */
export interface ImportData {
  /** The DDL: CREATE TABLE, CREATE INDEX, ALTER TABLE … ADD CONSTRAINT; anything else, and any statement that does not parse, is listed as not imported with its line */
  sql: string;
  /** Its dialect (default sqlite). */
  dialect?: SqlDialect;
}

/** An import. */
export type ImportSource = "import";

/** Something the artifact types cannot represent, left out. */
export interface NotImported {
  /** Where it is in the input, e.g. `view "sales_by_genre"` or `GET /pets callbacks`. */
  what: string;
  /** Why it was left out. */
  why: string;
  /** Its line in the input (1-based), when known. */
  line: number | null;
}

/** An import saved as a new version (the stages downstream are stale). */
export interface Imported {
  /** The project. */
  projectId: string;
  /** The stage imported (`data` or `api`). */
  stage: Stage;
  /** The new version. */
  version: number;
  /** Always `import`. */
  source: ImportSource;
  /** The stages downstream, now stale. */
  stale: Stage[];
  /** What was imported, a line each */
  imported: string[];
  /** What the artifact types cannot represent and was left out, each with why */
  notImported: NotImported[];
}

/** An OpenAPI document to import as the API spec. */
export interface ImportApi {
  /** The OpenAPI document, JSON or YAML */
  document: string;
}

/** A repository's SQL DDL and/or OpenAPI document, to compare with the blueprint (at least one of sql and openapi). */
export interface DriftCheck {
  /** The repository's SQL DDL: one file, or its migrations concatenated in order */
  sql?: string;
  /** Its dialect (default sqlite). */
  dialect?: SqlDialect;
  /** The repository's OpenAPI 3.0/3.1 document, JSON or YAML */
  openapi?: string;
}

/** A blueprint version compared. */
export interface Compared {
  /** The artifact's version. */
  version: number;
}

/** The blueprint versions compared; null for a side not sent. */
export interface ComparedVersions {
  /** The data model's, when SQL was sent. */
  data: Compared | null;
  /** The API spec's, when an OpenAPI document was sent. */
  api: Compared | null;
}

/** What a difference is about. */
export type DriftKind = "entity" | "field" | "key" | "relationship" | "endpoint" | "parameter";

/** Which repository document a difference was found in. */
export type DriftSource = "sql" | "openapi";

/** One place where the blueprint and the repository disagree. */
export interface Difference {
  /** entity (a table, by name); field (a column, Entity.field); key (a primary key by its entity, a foreign key by its field); relationship (From->To); endpoint (EP-n, or METHOD /path when only the repository has it); parameter (a query parameter, EP-n.name) */
  kind: DriftKind;
  /** added: in the repository, not the blueprint; removed: in the blueprint, not the repository; changed: in both, differently */
  change: Change;
  /** The blueprint's id; for something only in the repository, the id it would have */
  id: string;
  /** One line for people, e.g. Order.total: type decimal in the blueprint, integer in the repository */
  detail: string;
  /** The item as the blueprint has it (an entity without its fields, a field, {field, references}, {primaryKey}, a relationship, an endpoint, a query parameter), or null */
  blueprint: unknown;
  /** The item as the repository has it, in the same shapes, or null */
  repository: unknown;
  /** The PRD stories (US-n) that touch it, from the consistency check's traceability */
  stories: string[];
  /** The repository document it was found in. */
  source: DriftSource;
}

/** The repository's artifacts as the importers made them (what POST …/import/data and …/import/api would store). The wire's view of `check::drift::RepositoryArtifacts`: the artifacts as objects (their schemas are the artifacts', `frontend/src/artifact-types.ts`). */
export interface RepositoryArtifacts {
  /** The data artifact imported from the SQL, or null. */
  data: Record<string, unknown> | null;
  /** The API artifact imported from the OpenAPI document, or null. */
  api: Record<string, unknown> | null;
}

/** Where a repository's schema and API differ from the blueprint, by id. */
export interface DriftReport {
  /** The project. */
  projectId: string;
  /** Whether there are no differences */
  inStep: boolean;
  /** The blueprint versions compared. */
  compared: ComparedVersions;
  /** Sorted by kind (entity, field, key, relationship, endpoint, parameter), then id */
  differences: Difference[];
  /** The repository's side. */
  repository: RepositoryArtifacts;
  /** What the importers could not represent, one line each (source, line, what, why) */
  notImported: string[];
}

/** A run already active (or one waiting for quota, resumed). */
export interface RunActive {
  /** The run. */
  run: Run;
  /** Always false: no new run started. */
  started: boolean;
  /** The run was waiting for Gemini quota and resumes now (Retry now) */
  resumed?: boolean;
}

/** A run started. */
export interface RunStarted {
  /** The run. */
  run: Run;
  /** Always true. */
  started: boolean;
}

/** A run after a command. */
export interface RunAnswer {
  /** The run. */
  run: Run;
}

/** What the new version should do differently. */
export interface Regenerate {
  /** Feedback for the model. */
  feedback?: string | null;
}

/** Which events to read. */
export interface ActivityQuery {
  /** Most events (default 200). */
  limit?: number;
}

/** One event of the feed. */
export interface ActivityEvent {
  /** Id. */
  id: string;
  /** The stage, if one. */
  stage: Stage | null;
  /** What happened. */
  kind: string;
  /** For people. */
  message: string;
  /** When, ms since the epoch. */
  createdAt: number;
}

/** The activity feed: its newest events (at most `limit`), oldest first. */
export interface Activity {
  /** The project. */
  projectId: string;
  /** The events. */
  events: ActivityEvent[];
}

/** Whether a model call was the first generation or the repair. */
export type CallKind = "generate" | "repair";

/** How a model call ended. */
export type Outcome = "ok" | "invalid" | "failed";

/** One model call. */
export interface Trace {
  /** Id. */
  id: string;
  /** The stage. */
  stage: Stage;
  /** The stage execution it belongs to. */
  executionId: string;
  /** Why it was made. */
  callKind: CallKind;
  /** Which attempt. */
  attempt: number;
  /** The model asked. */
  model: string;
  /** Prompt tokens. */
  promptTokens: number;
  /** Answer tokens. */
  outputTokens: number;
  /** Thinking tokens. */
  thoughtsTokens: number;
  /** How long it took. */
  latencyMs: number;
  /** How it ended. */
  outcome: Outcome;
  /** Gemini's failure class, when it failed. */
  errorClass: string | null;
  /** What went wrong. */
  message: string | null;
  /** How long Gemini said to wait. */
  retryDelayMs: number | null;
  /** Answered from the cache. */
  cacheHit: boolean;
  /** What it cost. */
  costUsd: number;
  /** When, ms since the epoch. */
  createdAt: number;
  /** The model that answered (Google's modelVersion), when it said */
  modelVersion: string | null;
  /** Google's id of the answer. */
  responseId: string | null;
  /** The catalogue has no price for the model: costed at its dearest rates */
  unpriced: boolean;
  /** Which segment of an answer a Gemini 4 model decoded in segments (finishReason CONTINUATION) this call fetched; null for an answer in one piece */
  segment: number | null;
  /** The thinking level the call sent, if it sent one */
  thinkingLevel: ThinkingLevel | null;
}

/** Token and cost totals of some calls. */
export interface TokenTotals {
  /** Calls. */
  calls: number;
  /** Calls answered from the cache. */
  cacheHits: number;
  /** Prompt tokens. */
  promptTokens: number;
  /** Answer tokens. */
  outputTokens: number;
  /** Thinking tokens. */
  thoughtsTokens: number;
  /** All tokens. */
  totalTokens: number;
  /** Dollars. */
  costUsd: number;
}

/** A whole-number range: one call (low) to one call and a repair (high). */
export interface TokenRange {
  /** One call. */
  low: number;
  /** One call and a repair round trip. */
  high: number;
}

/** A dollar range: one call (low) to one call and a repair (high). */
export interface CostRange {
  /** One call. */
  low: number;
  /** One call and a repair round trip. */
  high: number;
}

/** What the plan estimated for a stage, beside what its calls used. */
export interface EstimateAgainstActual {
  /** The stage. */
  stage: Stage;
  /** The run it was estimated for. */
  runId: string;
  /** The model. */
  model: string;
  /** Estimated tokens. */
  tokens: TokenRange;
  /** Estimated dollars. */
  costUsd: CostRange;
  /** Tokens used. */
  actualTokens: number;
  /** Dollars spent. */
  actualCostUsd: number;
  /** Calls made. */
  actualCalls: number;
}

/** Every model call with its tokens, latency, outcome and cost, with totals. */
export interface Traces {
  /** The project. */
  projectId: string;
  /** Every call. */
  traces: Trace[];
  /** Totals of all calls. */
  totals: TokenTotals;
  /** Totals by stage. */
  byStage: Record<string, TokenTotals>;
  /** What the plan estimated for each stage the latest estimated run was to call (recorded as it started), beside what the stage's calls since then used */
  estimates: EstimateAgainstActual[];
}

/** Plan a regeneration. */
export interface PlanQuery {
  /** Plan a regeneration of this stage (never answered from the cache) and the run after it */
  regenerate?: Stage;
}

/** What the next run does with a stage. */
export type PlanAction = "reuse" | "cached" | "call" | "running" | "edited";

/** Why a stage gets its [`PlanAction`]. */
export type PlanReason = "current" | "edited" | "regenerate" | "missing" | "failed" | "input_changed" | "input_will_change" | "settings_changed" | "running" | "imported";

/** What a stage's prompt estimate rests on. */
export type PromptBasis = "countTokens" | "approximation";

/** What a stage's answer estimate rests on. */
export type OutputBasis = "history" | "examples";

/** What one call of a stage is estimated to take. */
export interface StageEstimate {
  /** Prompt tokens of the request it would send. */
  promptTokens: number;
  /** countTokens: Gemini's count of the very request, asked of the stage's agent; approximation: request bytes / 4 */
  promptBasis: PromptBasis;
  /** Answer tokens. */
  outputTokens: number;
  /** Thinking tokens. */
  thinkingTokens: number;
  /** history: this project's last successful execution of the stage; examples: measured on the example products. */
  outputBasis: OutputBasis;
  /** Tokens billed, one call to one call and a repair. */
  tokens: TokenRange;
  /** Dollars on the stage's model at the catalogue's list prices, likewise. */
  costUsd: CostRange;
}

/** What the next run does with one stage, and why. */
export interface PlanStage {
  /** The stage. */
  stage: Stage;
  /** What it does. */
  action: PlanAction;
  /** Why. */
  reason: PlanReason;
  /** The inputs behind the reason (changed, or to be rebuilt first) */
  inputs: Stage[];
  /** The model it runs on. */
  model: string;
  /** A call's estimate; null for a stage not called. */
  estimate: StageEstimate | null;
}

/** The plan against the project's token budget. */
export interface BudgetCheck {
  /** The project's token budget. */
  budget: number;
  /** Tokens spent so far. */
  spent: number;
  /** Tokens left. */
  left: number;
  /** Even the low estimate is more than what is left. */
  wouldExceed: boolean;
  /** The high estimate is more than what is left. */
  mayExceed: boolean;
}

/** What the next run will do: per stage, a call, a reuse of the stored version, a cached answer (0 tokens), the run in flight, or a proposed edit; with estimates for each call (prompt: request bytes / 4; answer and thinking: this project's last successful execution of the stage, else measured on the example products) and a range from one call (low) to one call and a repair round trip (high). */
export interface Plan {
  /** Each stage, in pipeline order. */
  stages: PlanStage[];
  /** Model calls it makes. */
  calls: number;
  /** Tokens over those calls. */
  tokens: TokenRange;
  /** Dollars over those calls. */
  costUsd: CostRange;
  /** Against the budget; null without one. */
  budget: BudgetCheck | null;
  /** The stages a run in flight is generating. */
  running: Stage[];
  /** Why a run would be refused before any call (a model Google has shut down, naming its replacement) */
  refused: string | null;
}

/** An edit to plan for, as a save would take it. */
export interface PlanEdit {
  /** The stage edited. */
  stage: Stage;
  /** The edited artifact. */
  artifact: Record<string, unknown>;
}

/** Token usage as Parit reports it. */
export interface Usage {
  /** Prompt tokens. */
  promptTokens: number;
  /** Answer tokens. */
  outputTokens: number;
  /** Thinking tokens. */
  thoughtsTokens: number;
  /** Of the prompt tokens, those served from the context cache (absent when none). */
  cachedTokens?: number;
}

/** A `progress` frame of the event stream: a model call writing a stage's answer (the agent's `CallProgress` with its stage). */
export interface ProgressEvent {
  /** The stage being written. */
  stage: Stage;
  /** Counts the texts the generation has started: a retry or the repair starts a new one, a further segment does not. */
  attempt: number;
  /** Generation or repair (null: not said). */
  kind: CallKind | null;
  /** The segment being written, from 1. */
  segment: number;
  /** Answer tokens of this attempt so far. */
  outputTokens: number;
  /** Thinking tokens of this attempt so far (never part of the answer). */
  thoughtTokens: number;
  /** Whether the answer's count is estimated from characters. */
  estimated: boolean;
  /** Answer text (never thoughts) appended since the last progress. */
  delta: string;
  /** Since this attempt started. */
  elapsedMs: number;
  /** Every token the generation has been billed for so far, the call being written included as far as it is known. */
  billed: Usage;
}

/** An `activity` frame of the event stream: one activity row as it is written. */
export interface LiveActivity {
  /** What happened (also the frame's event name). */
  kind: string;
  /** The stage, if one. */
  stage: Stage | null;
  /** For people. */
  message: string;
  /** When, ms since the epoch. */
  createdAt: number;
}

/** Each operation's success body, by its operationId. */
export interface Answers {
  index: Index;
  health: Health;
  openapi: Record<string, unknown>;
  mcp: McpReply;
  createProject: Project;
  listProjects: ProjectPage;
  getProject: Project;
  deleteProject: Deleted;
  patchSettings: SettingsChanged;
  execute: StageExecuted;
  listArtifacts: ArtifactList;
  getArtifact: ArtifactAnswer;
  editArtifact: Edited;
  artifactChanges: Changes;
  listViews: ViewList;
  getView: unknown;
  consistency: Consistency;
  export: string;
  handoff: Handoff;
  importData: Imported;
  importApi: Imported;
  drift: DriftReport;
  run: RunActive | RunStarted;
  cancel: RunAnswer;
  events: Record<string, unknown>;
  approve: RunAnswer;
  regenerate: StageExecuted;
  activity: Activity;
  traces: Traces;
  plan: Plan;
  planEdit: Plan;
}

/** Each operation's JSON request body, by its operationId. */
export interface Requests {
  mcp: McpMessage;
  createProject: CreateProject;
  patchSettings: SettingsPatch;
  execute: Execute;
  editArtifact: Record<string, unknown>;
  importData: ImportData;
  importApi: ImportApi;
  drift: DriftCheck;
  regenerate: Regenerate;
  planEdit: PlanEdit;
}
