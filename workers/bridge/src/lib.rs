//! The bridge Worker: between a blueprint and files, both ways, by code and
//! no model. The supervisor calls it through its `BRIDGE` service binding; it
//! stores nothing and holds no secret. Its own Worker because what it holds is
//! large: the SQL parser alone is about 340 KB of gzip WASM, and the renders
//! (the views, the hand-off layouts, the export) tens of KB more than the
//! supervisor's room under its size goal.
//!
//! * `POST /views` `{"stage", "artifact", "upstream": [{"stage", "artifact"}]}`
//!   → `{"views": [{"name", "contentType", "body"}]}` (`parit_shared::render::views`);
//! * `POST /export` `{"name", "idea", "artifacts": [{"stage", "version",
//!   "artifact"}], "verdict", "layout"}` → the ZIP (`render::export`, the
//!   consistency report decided here from the same artifacts; `layout`:
//!   only that hand-off layout's files);
//! * `POST /sql` `{"text", "dialect": "sqlite" | "postgres" | "mysql"}` → a
//!   data model (`parit_import::sql`), or 422 when no table comes out of it;
//! * `POST /openapi` `{"text", "data": <data artifact> | null}` → an API
//!   artifact (`parit_import::openapi`) and, when it derived entities from
//!   the document's schemas, the data model with them (`data`); or 422 with
//!   the validator's findings;
//! * `POST /handoff` `{"name", "idea", "artifacts": [{"stage", "artifact"}],
//!   "verdict"}` → `{"layouts": [{"name", "title", "files": [{"path",
//!   "content"}], "missing"}]}` (`parit_shared::render::handoff`);
//! * `POST /changes` `{"stage", "before", "after", "downstream": [{"stage",
//!   "artifact"}]}` → `{"added", "removed", "changed": [{"kind", "id"}],
//!   "references"}` (`parit_shared::check::changes`: the ids changed between
//!   two versions, and where the stages that read it refer to them);
//! * `POST /mcp` `{"message": <the MCP POST body, as text>, "headers":
//!   {"mcp-protocol-version", "mcp-method", "mcp-name"}, "answers": [{"method",
//!   "path", "status", "body"}]}` → `{"status", "reply"}` (the HTTP answer
//!   to the MCP client) or `{"need": [{"method", "path", "body"?}]}` (API
//!   reads for the supervisor to make as the caller, then call again with
//!   their answers): `parit_shared::mcp::step`;
//! * `GET /health` → `{"ok": true}`.

use parit_import::sql::SqlDialect;
use parit_import::{ImportError, Imported};
use parit_shared::artifact::{Artifact, Upstream};
use parit_shared::check::changes::{self, Change};
use parit_shared::check::consistency::check;
use parit_shared::check::ready::Verdict;
use parit_shared::render;
use parit_shared::render::export::{bundle, slug, zip};
use parit_shared::render::handoff::layouts;
use parit_shared::Stage;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use worker::{event, Context, Env, Headers, Method, Request, Response, Result};

#[derive(Deserialize)]
struct SqlRequest {
    text: String,
    dialect: String,
}

#[derive(Deserialize)]
struct OpenApiRequest {
    text: String,
    /// The project's data model, checked against its schema like every
    /// artifact the bridge is sent; null or absent when it has none.
    #[serde(default)]
    data: Option<Value>,
}

#[derive(Deserialize)]
struct StageArtifact {
    stage: Stage,
    #[serde(default)]
    version: u32,
    artifact: Value,
}

#[derive(Deserialize)]
struct ViewsRequest {
    stage: Stage,
    artifact: Value,
    upstream: Vec<StageArtifact>,
}

#[derive(Deserialize)]
struct ExportRequest {
    name: String,
    idea: String,
    artifacts: Vec<StageArtifact>,
    verdict: Verdict,
    layout: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TracesRequest {
    project_id: String,
    traces: Vec<Value>,
    estimates: Vec<Value>,
}

#[derive(Deserialize)]
struct ChangesRequest {
    stage: Stage,
    before: Value,
    after: Value,
    downstream: Vec<StageArtifact>,
}

#[derive(Deserialize)]
struct HandoffRequest {
    name: String,
    idea: String,
    artifacts: Vec<StageArtifact>,
    verdict: Option<Verdict>,
}

fn answer<T: Serialize>(result: std::result::Result<Imported<T>, ImportError>) -> Result<Response> {
    match result {
        Ok(imported) => Response::from_json(&imported),
        Err(e) => Ok(Response::from_json(&e)?.with_status(422)),
    }
}

fn bad_request(message: String) -> Result<Response> {
    let e = ImportError { message, line: None, column: None, expected: None, findings: vec![] };
    Ok(Response::from_json(&e)?.with_status(400))
}

async fn body<T: DeserializeOwned>(req: &mut Request) -> std::result::Result<T, String> {
    req.json().await.map_err(|e| format!("not a bridge request: {e}"))
}

/// The artifacts of a request, with their versions; or why one is not valid.
fn parsed(artifacts: Vec<StageArtifact>) -> std::result::Result<Vec<(Artifact, u32)>, String> {
    artifacts
        .into_iter()
        .map(|a| {
            Artifact::from_value(a.stage, a.artifact)
                .map(|artifact| (artifact, a.version))
                .map_err(|e| format!("the {} artifact is not valid: {e}", a.stage))
        })
        .collect()
}

fn views(request: ViewsRequest) -> Result<Response> {
    let (artifact, upstream) = match (Artifact::from_value(request.stage, request.artifact), parsed(request.upstream)) {
        (Ok(a), Ok(up)) => (a, up),
        (Err(e), _) => return bad_request(format!("the {} artifact is not valid: {e}", request.stage)),
        (_, Err(e)) => return bad_request(e),
    };
    let mut bag = Upstream::default();
    for (a, _) in upstream {
        bag.insert(a);
    }
    let list: Vec<Value> = render::views(&artifact, &bag)
        .into_iter()
        .map(|v| json!({"name": v.name, "contentType": v.content_type, "body": v.body}))
        .collect();
    Response::from_json(&json!({ "views": list }))
}

fn export(request: ExportRequest) -> Result<Response> {
    let with_versions = match parsed(request.artifacts) {
        Ok(a) => a,
        Err(e) => return bad_request(e),
    };
    let artifacts: Vec<Artifact> = with_versions.iter().map(|(a, _)| a.clone()).collect();
    let chosen = layouts(&request.name, &request.idea, &artifacts, Some(&request.verdict))
        .into_iter()
        .filter(|l| request.layout.as_deref().is_none_or(|only| l.name == only));
    let handoff: Vec<(String, String)> = chosen.flat_map(|l| l.files).collect();
    let files = match request.layout {
        Some(_) => {
            let root = slug(&request.name);
            handoff.into_iter().map(|(path, content)| (format!("{root}/{path}"), content.into_bytes())).collect()
        }
        None => bundle(&request.name, &request.idea, &with_versions, &check(&artifacts), &request.verdict, &handoff),
    };
    let headers = Headers::new();
    headers.set("content-type", "application/zip")?;
    Ok(Response::from_bytes(zip(&files))?.with_headers(headers))
}

fn handoff(request: HandoffRequest) -> Result<Response> {
    let artifacts: Vec<Artifact> = match parsed(request.artifacts) {
        Ok(a) => a.into_iter().map(|(a, _)| a).collect(),
        Err(e) => return bad_request(e),
    };
    let rendered: Vec<Value> = layouts(&request.name, &request.idea, &artifacts, request.verdict.as_ref())
        .into_iter()
        .map(|l| {
            let files: Vec<Value> =
                l.files.into_iter().map(|(path, content)| json!({"path": path, "content": content})).collect();
            json!({"name": l.name, "title": l.title, "files": files, "missing": l.missing})
        })
        .collect();
    Response::from_json(&json!({ "layouts": rendered }))
}

fn changes(request: ChangesRequest) -> Result<Response> {
    let version = |v: Value| Artifact::from_value(request.stage, v);
    let (before, after, downstream) =
        match (version(request.before), version(request.after), parsed(request.downstream)) {
            (Ok(b), Ok(a), Ok(d)) => (b, a, d.into_iter().map(|(a, _)| a).collect::<Vec<_>>()),
            (Err(e), _, _) | (_, Err(e), _) => {
                return bad_request(format!("the {} artifact is not valid: {e}", request.stage))
            }
            (_, _, Err(e)) => return bad_request(e),
        };
    let report = changes::diff(&before, &after);
    let of = |c: Change| {
        report.iter().filter(|x| x.change == c).map(|x| json!({"kind": x.kind, "id": x.id})).collect::<Vec<_>>()
    };
    Response::from_json(&json!({
        "added": of(Change::Added),
        "removed": of(Change::Removed),
        "changed": of(Change::Changed),
        "references": changes::affected(&report, &before, &downstream),
    }))
}

#[event(fetch)]
async fn fetch(mut req: Request, _env: Env, _ctx: Context) -> Result<Response> {
    match (req.method(), req.path().as_str()) {
        (Method::Get, "/health") => Response::from_json(&json!({"ok": true})),
        (Method::Post, "/sql") => {
            let request: SqlRequest = match body(&mut req).await {
                Ok(r) => r,
                Err(e) => return bad_request(e),
            };
            let Some(dialect) = SqlDialect::from_name(&request.dialect) else {
                return bad_request(format!("unknown dialect \"{}\"", request.dialect));
            };
            answer(parit_import::sql::import(&request.text, dialect))
        }
        (Method::Post, "/openapi") => match body::<OpenApiRequest>(&mut req).await {
            Ok(r) => match r.data.map(|v| Artifact::from_value(Stage::Data, v)).transpose() {
                Ok(None) => answer(parit_import::openapi::import(&r.text, None)),
                Ok(Some(Artifact::Data(data))) => answer(parit_import::openapi::import(&r.text, Some(&data))),
                Ok(Some(_)) => bad_request("the data artifact is not a data model".into()),
                Err(e) => bad_request(format!("the data artifact is not valid: {e}")),
            },
            Err(e) => bad_request(e),
        },
        (Method::Post, "/views") => match body::<ViewsRequest>(&mut req).await {
            Ok(r) => views(r),
            Err(e) => bad_request(e),
        },
        (Method::Post, "/export") => match body::<ExportRequest>(&mut req).await {
            Ok(r) => export(r),
            Err(e) => bad_request(e),
        },
        (Method::Post, "/changes") => match body::<ChangesRequest>(&mut req).await {
            Ok(r) => changes(r),
            Err(e) => bad_request(e),
        },
        (Method::Post, "/traces") => match body::<TracesRequest>(&mut req).await {
            Ok(r) => Response::from_json(&parit_shared::run::traces::report(&r.project_id, &r.traces, &r.estimates)),
            Err(e) => bad_request(e),
        },
        (Method::Post, "/handoff") => match body::<HandoffRequest>(&mut req).await {
            Ok(r) => handoff(r),
            Err(e) => bad_request(e),
        },
        (Method::Post, "/mcp") => match body::<parit_shared::mcp::Exchange>(&mut req).await {
            Ok(r) => Response::from_json(&parit_shared::mcp::step(&r)),
            Err(e) => bad_request(e),
        },
        _ => Response::error("no such route", 404),
    }
}
