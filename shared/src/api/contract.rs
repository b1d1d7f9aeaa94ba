//! What each route takes and answers, as types: its query, its body, each
//! status it answers with and that status's body, and the error statuses
//! it may give. [`contract`] matches on [`Op`], so a route added to
//! [`ROUTES`](super::ROUTES) does not build until it says what it answers;
//! the OpenAPI document and the web app's types are generated from these.

use crate::api::{artifacts as a, projects as p, root as r, runs as u, Op};
use crate::schema::{Describe, Schema};

/// The body a status answers with.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// JSON of this type.
    Json(Schema),
    /// Another media type (a ZIP, a render, an event stream): the types it
    /// may have and a schema of what it holds.
    Media(&'static [&'static str], Schema),
}

/// A success status, its meaning and its body.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// What it means, for people.
    pub description: &'static str,
    /// Its body.
    pub content: Content,
    /// Headers beyond `x-request-id`, as names of `components.headers`.
    pub headers: &'static [(&'static str, &'static str)],
}

/// What one route takes and answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Contract {
    /// The OpenAPI `operationId`.
    pub operation_id: &'static str,
    /// More than the route's summary, for people.
    pub description: &'static str,
    /// Whether it answers without a token.
    pub public: bool,
    /// Its query parameters: an object type, one parameter a property.
    pub query: Option<Schema>,
    /// Request headers it reads: name and description.
    pub request_headers: &'static [&'static str],
    /// Its JSON body, if it takes one.
    pub body: Option<Schema>,
    /// Each success status.
    pub answers: Vec<Answer>,
    /// The error statuses it may answer with (each a [`ErrorStatus`]).
    pub errors: &'static [u16],
}

/// An error status every route that gives it means the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorStatus {
    /// The status code.
    pub status: u16,
    /// What it means.
    pub description: &'static str,
    /// Headers beyond `x-request-id`.
    pub headers: &'static [(&'static str, &'static str)],
}

/// Every error status, with its meaning. The body is always [`r::ErrorBody`].
pub const ERRORS: &[ErrorStatus] = &[
    ErrorStatus { status: 400, description: "The request is malformed or breaks a rule", headers: &[] },
    ErrorStatus {
        status: 401,
        description: "No token, or one that is unknown or revoked",
        headers: &[("www-authenticate", "WwwAuthenticate")],
    },
    ErrorStatus {
        status: 402,
        description: "Gemini stopped for money: the key's project has used up its prepayment credits or reached its spend cap (stage_failed, class billing, not retryable: top up or raise the cap in AI Studio, then resume)",
        headers: &[],
    },
    ErrorStatus { status: 403, description: "Not allowed (an owner limit)", headers: &[] },
    ErrorStatus { status: 404, description: "No such project (or another owner's), artifact or view", headers: &[] },
    ErrorStatus {
        status: 409,
        description: "Conflicts with the project's state (a run is active, no artifacts yet, budget exceeded, ...)",
        headers: &[],
    },
    ErrorStatus { status: 413, description: "The body is too large", headers: &[] },
    ErrorStatus { status: 415, description: "The body is not JSON", headers: &[] },
    ErrorStatus {
        status: 422,
        description: "The edited artifact breaks its schema or the validation rules, the settings name a model that is shut down (a run, regeneration or execution on one is refused before any model call), or the project's model does not exist, or an import's text could not be read (`import_failed`: SQL that does not parse, with its line, column and what was expected; a document that is not valid OpenAPI 3.x, with every finding)",
        headers: &[],
    },
    ErrorStatus {
        status: 429,
        description: "Too many requests for this token, or the stage hit a Gemini quota (stage_failed); retry-after says when to try again where known",
        headers: &[("retry-after", "RetryAfter")],
    },
    ErrorStatus {
        status: 502,
        description: "The deployment's Gemini key or access was refused, or Gemini rejected the request (stage_failed: class and retryable in the body)",
        headers: &[],
    },
    ErrorStatus {
        status: 503,
        description: "Storage or an agent is not answering, or Gemini is failing for now (stage_failed, retryable) (for an import, the hand-off or the export: the bridge Worker is not answering)",
        headers: &[],
    },
];

fn json<T: Describe>(status: u16, description: &'static str) -> Answer {
    Answer { status, description, content: Content::Json(T::schema()), headers: &[] }
}

fn of<T: Describe>() -> Option<Schema> {
    Some(T::schema())
}

/// A contract with no query, headers or body, public or not.
fn base(
    operation_id: &'static str,
    description: &'static str,
    answers: Vec<Answer>,
    errors: &'static [u16],
) -> Contract {
    Contract {
        operation_id,
        description,
        public: false,
        query: None,
        request_headers: &[],
        body: None,
        answers,
        errors,
    }
}

/// Errors of a route that reads a project.
const READ: &[u16] = &[400, 401, 404, 429];
/// Errors of a route that stores a JSON body against a project.
const WRITE: &[u16] = &[400, 401, 404, 409, 413, 415, 422, 429];
/// Errors of a route that calls a model.
const MODEL: &[u16] = &[400, 401, 402, 404, 409, 413, 415, 422, 429, 502, 503];
/// Errors of a route that asks the bridge.
const BRIDGE: &[u16] = &[400, 401, 404, 409, 429, 503];
/// Errors of an import.
const IMPORT: &[u16] = &[400, 401, 404, 409, 413, 415, 422, 429, 503];

/// The media types a render may have.
const RENDER_TYPES: &[&str] = &[
    "text/markdown",
    "application/json",
    "application/sql",
    "text/css",
    "text/html",
    "text/javascript",
    "application/yaml",
    "application/toml",
    "text/vnd.mermaid",
    "text/plain",
];

/// What `op`'s route takes and answers.
pub fn contract(op: Op) -> Contract {
    match op {
        Op::Index => Contract {
            public: true,
            ..base("index", "What this service is and its endpoints", vec![json::<r::Index>(200, "The supervisor")], &[])
        },
        Op::Health => Contract {
            public: true,
            ..base(
                "health",
                "Each dependency up or down: checked live for a caller with a valid token (with detail), the last check's summary for anyone else. Without a token: one R2 read and nothing else; the up/down summary the last live check left, with `checkedAt` (ms since the epoch), or `unknown` when no check is recent. With a valid token: D1, R2, the bridge and every agent checked now, with detail. Limited per client address without a token, per owner with one.",
                vec![
                    json::<r::Health>(200, "Every dependency is up (or, without a token, no recent check says otherwise: status unknown)"),
                    json::<r::Health>(503, "Something is down"),
                    Answer {
                        headers: &[("retry-after", "RetryAfter")],
                        ..json::<r::ErrorBody>(
                            429,
                            "Too many health checks from this address (no token) or owner (token); retry-after says when to ask again",
                        )
                    },
                ],
                &[],
            )
        },
        Op::OpenApi => Contract {
            public: true,
            ..base(
                "openapi",
                "This document",
                vec![Answer {
                    status: 200,
                    description: "OpenAPI 3.1",
                    content: Content::Json(Schema::Refined {
                        schema: Box::new(Schema::Map(Box::new(Schema::Any))),
                        keywords: r#""required": ["openapi", "paths"]"#,
                    }),
                    headers: &[],
                }],
                &[],
            )
        },
        Op::CreateProject => Contract {
            body: of::<p::CreateProject>(),
            ..base("createProject", "Create a project", vec![json::<p::Project>(201, "Created")], &[400, 401, 403, 413, 415, 422, 429])
        },
        Op::ListProjects => Contract {
            query: of::<p::ListProjectsQuery>(),
            ..base("listProjects", "The caller's projects, newest first", vec![json::<p::ProjectPage>(200, "A page")], &[400, 401, 429])
        },
        Op::GetProject => base(
            "getProject",
            "A project with each stage's status and the latest run",
            vec![json::<p::Project>(200, "The project")],
            READ,
        ),
        Op::DeleteProject => base(
            "deleteProject",
            "Delete a project: its run is stopped first (a stage in flight finishes writing), then rows and stored objects",
            vec![json::<p::Deleted>(200, "Deleted")],
            &[400, 401, 404, 409, 429, 503],
        ),
        Op::PatchSettings => Contract {
            body: of::<p::SettingsPatch>(),
            ..base(
                "patchSettings",
                "Change settings",
                vec![json::<p::SettingsChanged>(200, "The new settings")],
                &[400, 401, 404, 413, 415, 422, 429],
            )
        },
        Op::Execute => Contract {
            body: of::<u::Execute>(),
            ..base("execute", "Run one stage now", vec![json::<u::StageExecuted>(200, "The new version")], &[400, 401, 402, 404, 409, 413, 415, 422, 429, 502, 503])
        },
        Op::ListArtifacts => base("listArtifacts", "Every version of every stage", vec![json::<a::ArtifactList>(200, "Versions")], READ),
        Op::GetArtifact => Contract {
            query: of::<a::VersionQuery>(),
            ..base("getArtifact", "A stage's artifact (the newest, or ?version=n)", vec![json::<a::ArtifactAnswer>(200, "The artifact")], READ)
        },
        Op::PutArtifact => Contract {
            body: Some(Schema::Map(Box::new(Schema::Any))),
            ..base(
                "editArtifact",
                "Save a human edit as a new version (downstream stages become stale)",
                vec![json::<a::Edited>(201, "Saved")],
                WRITE,
            )
        },
        Op::ListViews => Contract {
            query: of::<a::VersionQuery>(),
            ..base("listViews", "The renders of a stage's artifact", vec![json::<a::ViewList>(200, "Views")], READ)
        },
        Op::GetView => Contract {
            query: of::<a::VersionQuery>(),
            ..base(
                "getView",
                "One render (Markdown, SQL, OpenAPI, Mermaid, a generated file)",
                vec![Answer {
                    status: 200,
                    description: "The render",
                    // Any: a JSON render (OpenAPI) is JSON, the rest text.
                    content: Content::Media(RENDER_TYPES, Schema::Any),
                    headers: &[],
                }],
                READ,
            )
        },
        Op::Consistency => base(
            "consistency",
            "Cross-artifact findings and the traceability matrix; and whether the blueprint is ready to hand off",
            vec![json::<a::Consistency>(200, "The report")],
            READ,
        ),
        Op::Export => Contract {
            query: of::<a::ExportQuery>(),
            ..base(
                "export",
                "A ZIP of every artifact, view and hand-off layout (AGENTS.md, Kiro specs, Spec Kit, OpenSpec), or of one layout",
                vec![Answer {
                    status: 200,
                    description: "The ZIP",
                    content: Content::Media(
                        &["application/zip"],
                        Schema::Refined { schema: Box::new(Schema::String), keywords: r#""format": "binary""# },
                    ),
                    headers: &[("content-disposition", "ContentDisposition")],
                }],
                BRIDGE,
            )
        },
        Op::Handoff => Contract {
            query: of::<a::HandoffQuery>(),
            ..base(
                "handoff",
                "The hand-off layouts for coding agents, file by file: AGENTS.md, Kiro specs (.kiro/specs/<feature>/), GitHub Spec Kit (specs/<nnn>-<feature>/) and OpenSpec (openspec/specs/<capability>/, with ?since=N a change folder)",
                vec![json::<a::Handoff>(
                    200,
                    "Each layout with its files (paths relative to the export root) and what it could not render for want of an artifact",
                )],
                BRIDGE,
            )
        },
        Op::ImportData => Contract {
            body: of::<a::ImportData>(),
            ..base(
                "importData",
                "Parsed statement by statement by a real SQL parser (sqlparser) in the bridge Worker: tables, columns, types, NOT NULL, UNIQUE, primary keys (composite too), foreign keys and indexes; a statement that does not parse is listed with its line and the rest imported (422 only when no table could be read).",
                vec![json::<a::Imported>(201, "Imported: a new version with source import (the stages downstream are stale)")],
                IMPORT,
            )
        },
        Op::ImportApi => Contract {
            body: of::<a::ImportApi>(),
            ..base(
                "importApi",
                "Validated as OpenAPI 3.0/3.1 (422 with every finding; Swagger 2.0 is named), then each operation is matched to an entity of the project's current data model; the entities it needs and the model lacks (all of them in a project without one) are derived from the document's own schemas.",
                vec![json::<a::Imported>(201, "Imported: a new version with source import (the stages downstream are stale)")],
                IMPORT,
            )
        },
        Op::Mcp => Contract {
            body: of::<r::McpMessage>(),
            ..base(
                "mcp",
                "The Model Context Protocol server for coding agents (Streamable HTTP, one JSON-RPC 2.0 message per POST, answered as JSON; revision 2026-07-28 and the initialize handshake of 2025-03-26 to 2025-11-25): tools list_projects, get_artifact, get_item, trace_story, plan_change and check_drift, and the hand-off files as resources (parit://projects/{id}/handoff/{layout}/{path}). The same bearer tokens and tenant isolation as /api: every read it makes goes through this API as the caller. A notification is answered 202 with no body; GET and DELETE are 405.",
                vec![
                    json::<r::McpReply>(200, "The JSON-RPC answer: a result, or an error such as method not found (-32601) or invalid params (-32602)"),
                    json::<r::McpReply>(400, "A message that cannot be served: a JSON-RPC error (parse error -32700, invalid request -32600, MCP headers that disagree with the body -32020, an unsupported protocol version -32022)"),
                    Answer {
                        status: 202,
                        description: "A notification (a message without an id), accepted: no body",
                        content: Content::Media(&[], Schema::Any),
                        headers: &[],
                    },
                    Answer {
                        headers: &[("www-authenticate", "WwwAuthenticate")],
                        ..json::<r::McpReply>(401, "No or a wrong token: a JSON-RPC error (-32001) with no id")
                    },
                ],
                &[413, 429, 503],
            )
        },
        Op::Drift => Contract {
            body: of::<a::DriftCheck>(),
            ..base(
                "drift",
                "By code, no model: the bridge Worker imports the SQL (sqlparser) and the OpenAPI document (matched to the project's data model) as the import routes do, and compares them with the project's newest data model and API spec by the blueprint's ids: entities by table, fields by column (type as the dialect stores it, required, unique), primary and foreign keys, relationships, endpoints by method and path (entity, request and response fields) and their query parameters. What SQL or OpenAPI cannot say is not drift: the blueprint's own rendered schema and OpenAPI document are in step. A document that does not parse is a 422 with the importer's error (message, line, column); 409 nothing_to_compare when the project has no artifact of the compared stage. Nothing is stored: to take the repository's side, send its files to …/import/data and …/import/api.",
                vec![json::<a::DriftReport>(200, "The comparison (inStep: no differences)")],
                IMPORT,
            )
        },
        Op::Run => base(
            "run",
            "Start or resume the pipeline (returns at once)",
            vec![json::<u::RunActive>(200, "A run is already active"), json::<u::RunStarted>(202, "Started")],
            &[400, 401, 404, 409, 422, 429],
        ),
        Op::Cancel => base(
            "cancel",
            "Cancel the active run (in-flight stages finish)",
            vec![json::<u::RunAnswer>(200, "Cancelled or cancelling")],
            &[400, 401, 404, 409, 429],
        ),
        Op::Events => Contract {
            request_headers: &["Last-Event-ID"],
            ..base(
                "events",
                "Live progress as server-sent events: a snapshot, then each activity event",
                vec![Answer {
                    status: 200,
                    description: "text/event-stream, held open by the project's Durable Object: a keepalive comment every 15 s while nothing happens",
                    content: Content::Media(
                        &["text/event-stream"],
                        Schema::Refined {
                            schema: Box::new(Schema::Map(Box::new(Schema::Any))),
                            keywords: r#""description": "each event's data: a JSON object (the snapshot, then activity events, and progress events while a stage's model writes: stage, attempt, kind, segment, outputTokens, thoughtTokens, estimated, delta, elapsedMs, billed)""#,
                        },
                    ),
                    headers: &[],
                }],
                READ,
            )
        },
        Op::Approve => base(
            "approve",
            "Approve a stage a gated run waits on",
            vec![json::<u::RunAnswer>(200, "Approved")],
            &[400, 401, 404, 409, 429],
        ),
        Op::Regenerate => Contract {
            body: of::<u::Regenerate>(),
            ..base(
                "regenerate",
                "Generate a new version, optionally with feedback",
                vec![json::<u::StageExecuted>(200, "The new version")],
                MODEL,
            )
        },
        Op::Activity => Contract {
            query: of::<u::ActivityQuery>(),
            ..base("activity", "The activity feed, newest first", vec![json::<u::Activity>(200, "Events")], READ)
        },
        Op::Traces => base(
            "traces",
            "Every model call with tokens, latency, outcome and cost, with totals",
            vec![json::<u::Traces>(200, "Traces")],
            READ,
        ),
        Op::Plan => Contract {
            query: of::<u::PlanQuery>(),
            ..base(
                "plan",
                "What the next run will call or reuse, why, and its tokens and cost against the budget; ?regenerate=<stage> plans regenerating that stage and what follows",
                vec![json::<u::Plan>(200, "The plan")],
                READ,
            )
        },
        Op::PlanEdit => Contract {
            body: of::<u::PlanEdit>(),
            ..base(
                "planEdit",
                "The plan if this edit were saved: checked exactly as a save (422 with every problem), and nothing is stored",
                vec![json::<u::Plan>(200, "The plan with the edit taken")],
                WRITE,
            )
        },
        Op::Changes => Contract {
            query: of::<a::ChangesQuery>(),
            ..base(
                "artifactChanges",
                "The ids added, removed and changed between two versions of an artifact (personas, stories, features, entities, fields, screens, rules, state machines, algorithms, endpoints, files, environment variables), and the places in each artifact that reads it that refer to a removed or changed id",
                vec![json::<a::Changes>(200, "The change report")],
                &[400, 401, 404, 429, 503],
            )
        },
    }
}
