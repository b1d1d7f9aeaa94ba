//! The supervisor's HTTP API as one typed contract.
//!
//! [`ROUTES`] is the table: each route's method, path template, operation
//! and one-line summary. The router resolves requests with it, `GET /` lists
//! it, every 405 takes its `Allow` from it. [`contract::contract`] says, per
//! operation, what the route takes and answers, as types declared in one
//! module per resource ([`root`], [`projects`], [`artifacts`], [`runs`]) with
//! [`record!`](crate::record) and [`label_enum!`](crate::label_enum), so each
//! type carries its schema. From these two, [`openapi::document`] renders
//! `workers/supervisor/public/openapi.json` and
//! [`typescript::api_types`] the web app's
//! `frontend/src/api-types.ts`; native tests fail when either committed file
//! is stale.
//!
//! Adding a route: an [`Op`], its [`ROUTES`] entry, its request and answer
//! types in the resource's module, and its arm in [`contract::contract`]
//! (the match is exhaustive: the crate does not build without it); then
//! `PARIT_WRITE_TYPES=1 cargo test -p parit-shared` rewrites both files.
//!
//! Where a domain record is itself what a route answers (the consistency
//! findings and matrix, the ready verdict, a drift difference, the SQL
//! dialect), it is declared with `record!` where it lives and the resource's
//! module re-exports it: one definition, no copy for the wire.
//!
//! The types are `Serialize` and `Deserialize`: a Worker that only writes
//! them pays for `Serialize` alone (a generic instantiated nowhere costs
//! nothing), and a client (the CLI) reads answers with them.
//!
//! Templates: `:id` and `:stage` match one path segment; `*name` matches the
//! rest of the path (one or more segments), and is listed as `:name`.

pub mod artifacts;
pub mod contract;
pub mod openapi;
pub mod projects;
pub mod root;
pub mod runs;
pub mod typescript;

/// What a route does; the supervisor maps each to its handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `GET /`.
    Index,
    /// `GET /health`.
    Health,
    /// `POST /mcp`: the Model Context Protocol server (`crate::mcp`).
    Mcp,
    /// `GET /openapi.json`.
    OpenApi,
    /// Create a project.
    CreateProject,
    /// List the caller's projects.
    ListProjects,
    /// Run one stage now.
    Execute,
    /// A project with its stages and run.
    GetProject,
    /// Delete a project.
    DeleteProject,
    /// Change a project's settings.
    PatchSettings,
    /// Every stage's newest artifact.
    ListArtifacts,
    /// One stage's artifact.
    GetArtifact,
    /// A person's edit of an artifact.
    PutArtifact,
    /// The rendered views of an artifact.
    ListViews,
    /// One rendered view.
    GetView,
    /// Consistency findings and traceability.
    Consistency,
    /// The whole blueprint as a ZIP.
    Export,
    /// Start, or resume, the pipeline.
    Run,
    /// Stop the pipeline.
    Cancel,
    /// Live progress.
    Events,
    /// Approve a produced stage.
    Approve,
    /// Regenerate a stage.
    Regenerate,
    /// The activity feed.
    Activity,
    /// Model-call traces with token and cost totals.
    Traces,
    /// What the next run (or a regeneration) will do and cost.
    Plan,
    /// What saving a proposed edit would make the next run do and cost.
    PlanEdit,
    /// The ids that changed between two versions, and where they are used.
    Changes,
    /// The hand-off layouts for coding agents, file by file.
    Handoff,
    /// Import SQL DDL as a new data-model version.
    ImportData,
    /// Import an OpenAPI document as a new API version.
    ImportApi,
    /// Where a repository's SQL and OpenAPI document differ from the blueprint.
    Drift,
}

/// One route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Path template.
    pub path: &'static str,
    /// What it does.
    pub op: Op,
    /// One line for people.
    pub summary: &'static str,
}

const fn route(method: &'static str, path: &'static str, op: Op, summary: &'static str) -> Route {
    Route { method, path, op, summary }
}

/// Every route, in the order `GET /` lists them.
pub const ROUTES: &[Route] = &[
    route("GET", "/", Op::Index, "What this is, its version and its endpoints"),
    route("GET", "/health", Op::Health, "Every dependency as a matrix (detail for a caller with a token)"),
    route("GET", "/openapi.json", Op::OpenApi, "This API's OpenAPI document"),
    route("POST", "/mcp", Op::Mcp, "The blueprint for coding agents (MCP, Streamable HTTP)"),
    route("POST", "/api/projects", Op::CreateProject, "Create a project from a name and an idea"),
    route("GET", "/api/projects", Op::ListProjects, "The caller's projects, newest first, in pages"),
    route("GET", "/api/projects/:id", Op::GetProject, "A project: settings, each stage's status, the run"),
    route("DELETE", "/api/projects/:id", Op::DeleteProject, "Delete a project: its run first, then rows and objects"),
    route("PATCH", "/api/projects/:id/settings", Op::PatchSettings, "Change a project's settings"),
    route("POST", "/api/execute", Op::Execute, "Run one stage now"),
    route("GET", "/api/projects/:id/artifacts", Op::ListArtifacts, "Every stage's newest artifact"),
    route("GET", "/api/projects/:id/artifacts/:stage", Op::GetArtifact, "One stage's artifact (?version=n)"),
    route("PUT", "/api/projects/:id/artifacts/:stage", Op::PutArtifact, "Save an edited artifact as a new version"),
    route(
        "GET",
        "/api/projects/:id/artifacts/:stage/changes",
        Op::Changes,
        "Ids added, removed and changed between two versions (?from=a&to=b), and their downstream uses",
    ),
    route("GET", "/api/projects/:id/artifacts/:stage/views", Op::ListViews, "The rendered views of an artifact"),
    route("GET", "/api/projects/:id/artifacts/:stage/views/*name", Op::GetView, "One rendered view"),
    route(
        "GET",
        "/api/projects/:id/consistency",
        Op::Consistency,
        "Consistency findings, the traceability matrix and the ready verdict",
    ),
    route(
        "GET",
        "/api/projects/:id/export",
        Op::Export,
        "The whole blueprint as a ZIP (?layout=name: one hand-off layout)",
    ),
    route(
        "GET",
        "/api/projects/:id/handoff",
        Op::Handoff,
        "The hand-off layouts for coding agents (AGENTS.md, Kiro specs, Spec Kit), file by file",
    ),
    route(
        "POST",
        "/api/projects/:id/import/data",
        Op::ImportData,
        "Import SQL DDL (SQLite or PostgreSQL) as a new data-model version",
    ),
    route(
        "POST",
        "/api/projects/:id/import/api",
        Op::ImportApi,
        "Import an OpenAPI 3.0 or 3.1 document (JSON or YAML) as a new API version",
    ),
    route(
        "POST",
        "/api/projects/:id/drift",
        Op::Drift,
        "Where a repository's SQL DDL and OpenAPI document differ from the blueprint, by id; stores nothing",
    ),
    route("POST", "/api/projects/:id/run", Op::Run, "Start the pipeline, or resume a run waiting for quota"),
    route("POST", "/api/projects/:id/cancel", Op::Cancel, "Stop the run: no new stage starts"),
    route("GET", "/api/projects/:id/events", Op::Events, "Live progress as server-sent events"),
    route("POST", "/api/projects/:id/stages/:stage/approve", Op::Approve, "Approve a produced stage"),
    route("POST", "/api/projects/:id/stages/:stage/regenerate", Op::Regenerate, "Regenerate a stage, with feedback"),
    route("GET", "/api/projects/:id/activity", Op::Activity, "The activity feed"),
    route("GET", "/api/projects/:id/traces", Op::Traces, "Every model call with token and cost totals"),
    route(
        "GET",
        "/api/projects/:id/plan",
        Op::Plan,
        "What the next run will call or reuse, and its cost (?regenerate=stage)",
    ),
    route("POST", "/api/projects/:id/plan", Op::PlanEdit, "The plan if a proposed edit were saved; stores nothing"),
];

/// Largest body of a project's creation or its settings.
pub const MAX_SMALL_BODY: usize = 16 * 1024;
/// Largest body of a one-stage execution or a regeneration (feedback is at
/// most 8,000 characters).
pub const MAX_FEEDBACK_BODY: usize = 64 * 1024;
/// Largest edited artifact.
pub const MAX_ARTIFACT_BYTES: usize = 1024 * 1024;
/// Largest import or drift body (the text and its JSON envelope). Chinook's
/// whole PostgreSQL DDL is 11 KB; a schema of 300 tables is about 200 KB.
pub const MAX_IMPORT_BYTES: usize = 512 * 1024;

impl Op {
    /// The largest body the route takes, in bytes (413 above it); `None` for
    /// a route that takes none. The Worker refuses a forwarded route's body
    /// by its `content-length` before it forwards it (`Op::in_object`).
    pub const fn max_body(self) -> Option<usize> {
        match self {
            Op::CreateProject | Op::PatchSettings => Some(MAX_SMALL_BODY),
            Op::Execute | Op::Regenerate => Some(MAX_FEEDBACK_BODY),
            Op::PutArtifact => Some(MAX_ARTIFACT_BYTES),
            // The artifact and the wrapper around it.
            Op::PlanEdit => Some(MAX_ARTIFACT_BYTES + 1024),
            Op::ImportData | Op::ImportApi | Op::Drift => Some(MAX_IMPORT_BYTES),
            // `check_drift` carries a repository's SQL and OpenAPI texts.
            Op::Mcp => Some(2 * MAX_IMPORT_BYTES),
            _ => None,
        }
    }

    /// Whether the project's Durable Object serves this route rather than the
    /// Worker the request reached, which only authenticates it and forwards it
    /// (`workers/supervisor`: `App::forward`). These are the routes whose CPU
    /// grows with the blueprint: each reads and checks every artifact, or
    /// renders or parses megabytes, and at 100 entities takes from 15 to 330 ms
    /// (docs/BENCHMARKS.md, "CPU per request in WASM"). A Worker on the Free
    /// plan has 10 ms of CPU a request, a Durable Object 30 s
    /// ([`crate::limits::CPU_MS_PER_OBJECT_REQUEST`]), and the bridge a route
    /// calls shares its caller's. The Worker does not read their bodies.
    pub const fn in_object(self) -> bool {
        matches!(
            self,
            Op::ListViews
                | Op::GetView
                | Op::Consistency
                | Op::Export
                | Op::Handoff
                | Op::Plan
                | Op::PlanEdit
                | Op::Changes
                | Op::Drift
                | Op::ImportData
                | Op::ImportApi
        )
    }
}

impl Route {
    /// `METHOD /path/:param`, as `GET /` lists it.
    pub fn endpoint(&self) -> String {
        format!("{} {}", self.method, self.path.replace('*', ":"))
    }
}

/// The path parameters of a matched route, as they stand in the path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params<'a> {
    /// `:id`.
    pub id: Option<&'a str>,
    /// `:stage`.
    pub stage: Option<&'a str>,
    /// `*name`: the rest of the path.
    pub name: Option<String>,
}

/// Where a request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution<'a> {
    /// This route, with these parameters.
    Found(Op, Params<'a>),
    /// The path exists, not for this method: the methods it takes.
    MethodNotAllowed(String),
    /// No route has this path.
    NotFound,
}

/// Resolves `method` and `path` against [`ROUTES`]. Empty segments are
/// ignored (`//api/projects/` is `/api/projects`).
pub fn resolve<'a>(method: &str, path: &'a str) -> Resolution<'a> {
    let segments: Vec<&'a str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut allow: Vec<&str> = Vec::new();
    for r in ROUTES {
        let Some(params) = matches(r.path, &segments) else { continue };
        if r.method == method {
            return Resolution::Found(r.op, params);
        }
        if !allow.contains(&r.method) {
            allow.push(r.method);
        }
    }
    if allow.is_empty() {
        Resolution::NotFound
    } else {
        Resolution::MethodNotAllowed(allow.join(", "))
    }
}

/// The template of the route `path` is on, whatever the method, as listed
/// (`/api/projects/:id/artifacts/:stage`): what a log line names.
pub fn template(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    ROUTES.iter().find(|r| matches(r.path, &segments).is_some()).map(|r| r.path.replace('*', ":"))
}

fn matches<'a>(template: &str, segments: &[&'a str]) -> Option<Params<'a>> {
    let parts: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
    let mut params = Params::default();
    for (i, part) in parts.iter().enumerate() {
        if part.starts_with('*') {
            let rest = segments.get(i..).filter(|r| !r.is_empty())?;
            params.name = Some(rest.join("/"));
            return Some(params);
        }
        let segment = *segments.get(i)?;
        match *part {
            ":id" => params.id = Some(segment),
            ":stage" => params.stage = Some(segment),
            literal if literal == segment => {}
            _ => return None,
        }
    }
    (parts.len() == segments.len()).then_some(params)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn requests_resolve_to_their_route_with_its_parameters() {
        assert_eq!(resolve("GET", "/"), Resolution::Found(Op::Index, Params::default()));
        assert_eq!(resolve("GET", "//api/projects/"), Resolution::Found(Op::ListProjects, Params::default()));
        let Resolution::Found(op, p) = resolve("POST", "/api/projects/abc/stages/logic/regenerate") else { panic!() };
        assert_eq!((op, p.id, p.stage), (Op::Regenerate, Some("abc"), Some("logic")));
        let Resolution::Found(op, p) = resolve("GET", "/api/projects/abc/artifacts/api/views/openapi/v1.json") else {
            panic!()
        };
        assert_eq!((op, p.name.as_deref()), (Op::GetView, Some("openapi/v1.json")));
        assert_eq!(
            resolve("GET", "/api/projects/abc/artifacts/api/views"),
            Resolution::Found(Op::ListViews, Params { id: Some("abc"), stage: Some("api"), name: None })
        );
    }

    #[test]
    fn a_known_path_with_another_method_is_405_with_every_method_it_takes() {
        assert_eq!(resolve("PUT", "/api/projects/abc"), Resolution::MethodNotAllowed("GET, DELETE".into()));
        assert_eq!(resolve("DELETE", "/api/projects"), Resolution::MethodNotAllowed("POST, GET".into()));
        assert_eq!(resolve("GET", "/api/projects/abc/run"), Resolution::MethodNotAllowed("POST".into()));
        assert_eq!(resolve("POST", "/api/projects/a/artifacts/b/views/x"), Resolution::MethodNotAllowed("GET".into()));
        assert_eq!(resolve("GET", "/api/nowhere"), Resolution::NotFound);
        assert_eq!(resolve("GET", "/api/projects/abc/run/extra"), Resolution::NotFound);
    }

    #[test]
    fn a_path_names_its_template_for_the_log() {
        assert_eq!(template("/api/projects/abc/artifacts/prd").as_deref(), Some("/api/projects/:id/artifacts/:stage"));
        assert_eq!(template("/api/projects").as_deref(), Some("/api/projects"));
        assert_eq!(template("/api/nowhere"), None);
    }

    #[test]
    fn the_object_serves_only_routes_of_one_project() {
        // The Worker forwards such a route to the object named by its `:id`.
        let served: Vec<&Route> = ROUTES.iter().filter(|r| r.op.in_object()).collect();
        assert_eq!(served.len(), 11);
        for r in served {
            assert!(r.path.starts_with("/api/projects/:id/"), "{}", r.endpoint());
        }
    }

    #[test]
    fn each_route_is_listed_once() {
        let endpoints: BTreeSet<String> = ROUTES.iter().map(Route::endpoint).collect();
        assert_eq!(endpoints.len(), ROUTES.len());
        assert!(endpoints.contains("GET /api/projects/:id/artifacts/:stage/views/:name"));
    }
}
