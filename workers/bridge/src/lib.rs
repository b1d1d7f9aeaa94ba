//! The bridge Worker: between a blueprint and files, both ways, by code and
//! no model. The supervisor calls it through its `BRIDGE` service binding; it
//! stores nothing and holds no secret. Its own Worker because what it holds is
//! large: the SQL parser alone is about 340 KB of gzip WASM, and the renders
//! (the views, the hand-off layouts, the export) tens of KB more than the
//! supervisor's room under its size goal.
//!
//! Each JSON answer is a typed value serialized with serde (`/health`'s
//! `{"ok": true}` aside). Where the supervisor answers with it, it is the
//! contract's record (`parit_shared::api`), built whole here, `projectId`
//! and the other fields the supervisor sends for it included, so the
//! supervisor relays the bytes unread; `/view` and `/export` answer files.
//!
//! * `POST /views` `{"projectId", "stage", "version", "artifact", "upstream":
//!   [{"stage", "artifact"}]}` → the API's `ViewList` (each render's name,
//!   media type and size: `parit_shared::render::views`);
//! * `POST /view` `{"name", "stage", "artifact", "upstream"}` → that render
//!   itself, its media type as `content-type` (the supervisor serves this
//!   answer as it comes), or 404 `{"message", "caller": true}` when there is
//!   none;
//! * `POST /consistency` `{"projectId", "artifacts": [{"stage", "version",
//!   "artifact"}], "statuses": {stage: status}}` → the API's `Consistency`:
//!   the report (`parit_shared::check::consistency`) with the ready verdict
//!   as `ready` (`check::ready`);
//! * `POST /export` `{"name", "idea", "artifacts", "statuses", "layout"}` →
//!   the ZIP (`render::export`, the report and the verdict decided here from
//!   the same artifacts; `layout`: only that hand-off layout's files);
//! * `POST /sql` `{"text", "dialect": "sqlite" | "postgres" | "mysql"}` → a
//!   data model (`parit_import::sql`), or 422 when no table comes out of it;
//! * `POST /openapi` `{"text", "data": <data artifact> | null}` → an API
//!   artifact (`parit_import::openapi`) and, when it derived entities from
//!   the document's schemas, the data model with them (`data`); or 422 with
//!   the validator's findings;
//! * `POST /handoff` `{"projectId", "name", "idea", "artifacts", "statuses",
//!   "since"?, "before"?}` (`since`: an older PRD version, `before` its body:
//!   the OpenSpec layout then holds that version's specs and the change
//!   folder to the newest; `/export` takes the same two) → the API's
//!   `Handoff`: each layout's files and what it misses
//!   (`parit_shared::render::handoff`);
//! * `POST /changes` `{"projectId", "stage", "from", "to", "before", "after",
//!   "downstream": [{"stage", "artifact"}]}` (`before` and `after`: versions
//!   `from` and `to`) → the API's `Changes` (`parit_shared::check::changes`:
//!   the ids changed between two versions, and where the stages that read it
//!   refer to them);
//! * `POST /drift` `{"projectId", "artifacts": [{"stage", "version",
//!   "artifact"}], "repository": {"sql"?, "dialect"?: "sqlite" | "postgres" |
//!   "mysql", "openapi"?}}` (`repository`: the caller's body, checked here) →
//!   the API's `DriftReport` (`parit_shared::check::drift`: the repository's
//!   SQL and OpenAPI document, imported by `parit_import`, compared with the
//!   blueprint by its ids); 422 with the importer's error when a text does
//!   not parse; the caller's own mistakes as `{"message", "caller": true}`:
//!   400 for a body that is not `{"sql"?, "dialect"?, "openapi"?}`, 409 when
//!   the blueprint has no artifact of the compared stage;
//! * `POST /traces` `{"projectId", "traces": [<execution_traces row>],
//!   "estimates": [<run_estimates row>]}` (D1's rows as the supervisor read
//!   them with `parit_shared::run::traces`' SELECT lists) → the API's
//!   `Traces` (`run::traces::report`); 500 `{"message", "caller": false}`
//!   naming the column when a row does not fit its record;
//! * `POST /mcp` an `mcp::Exchange` `{"message": <the MCP POST body, as
//!   text>, "headers": {"protocolVersion", "method", "name"}, "answers":
//!   [{"method", "path", "status", "body"}]}` → an `mcp::Step`: `{"status",
//!   "reply"?}` (the HTTP answer to the MCP client, its `McpReply`) or
//!   `{"need": [{"method", "path", "body"?}]}` (API reads for the supervisor
//!   to make as the caller, then call again with their answers):
//!   `parit_shared::mcp::step`;
//! * `GET /health` → `{"ok": true}`.

use parit_import::sql::SqlDialect;
use parit_import::{ImportError, Imported};
use parit_shared::api::artifacts::{
    self as api, Changes, Consistency, DriftReport, Handoff, HandoffLayout, ItemRef, LayoutFile, RepositoryArtifacts,
    ViewEntry, ViewList,
};
use parit_shared::artifact::{Artifact, Upstream};
use parit_shared::check::changes::{self, Change};
use parit_shared::check::consistency::check;
use parit_shared::check::drift::{self, DriftRequest, Repository};
use parit_shared::check::ready::{verdict, Verdict};
use parit_shared::render::export::{bundle, slug, zip};
use parit_shared::render::handoff::{layouts, layouts_since, Layout, Since};
use parit_shared::render::{self, View};
use parit_shared::run::status::StageStatus;
use parit_shared::run::traces::{report, ExecutionTrace, RunEstimate};
use parit_shared::Stage;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;
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

/// What `/views` lists: the renders of one version of a stage.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ViewsRequest {
    project_id: String,
    stage: Stage,
    version: u64,
    artifact: Value,
    upstream: Vec<StageArtifact>,
}

/// What `/view` renders: one view, by name, of one version of a stage.
#[derive(Deserialize)]
struct ViewRequest {
    name: String,
    stage: Stage,
    artifact: Value,
    upstream: Vec<StageArtifact>,
}

/// Each stage's status, which the verdict reads beside the artifacts.
type Statuses = BTreeMap<Stage, StageStatus>;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConsistencyRequest {
    project_id: String,
    artifacts: Vec<StageArtifact>,
    statuses: Statuses,
}

#[derive(Deserialize)]
struct ExportRequest {
    name: String,
    idea: String,
    artifacts: Vec<StageArtifact>,
    statuses: Statuses,
    layout: Option<String>,
    /// An older PRD version and its body: the OpenSpec layout gets its change folder.
    #[serde(default)]
    since: Option<u32>,
    #[serde(default)]
    before: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TracesRequest {
    project_id: String,
    traces: Vec<Value>,
    estimates: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChangesRequest {
    project_id: String,
    stage: Stage,
    /// The two versions' numbers, `before`'s and `after`'s.
    from: u64,
    to: u64,
    before: Value,
    after: Value,
    downstream: Vec<StageArtifact>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DriftBody {
    project_id: String,
    artifacts: Vec<StageArtifact>,
    /// The caller's body as sent, checked here (`DriftRequest::from_body`).
    repository: Value,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HandoffRequest {
    project_id: String,
    name: String,
    idea: String,
    artifacts: Vec<StageArtifact>,
    statuses: Statuses,
    #[serde(default)]
    since: Option<u32>,
    #[serde(default)]
    before: Option<Value>,
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

/// The hand-off layouts, with the OpenSpec change folder from PRD version
/// `since` (body `before`) to the newest when both are given.
fn laid_out(
    name: &str,
    idea: &str,
    artifacts: &[(Artifact, u32)],
    verdict: Option<&Verdict>,
    since: Option<u32>,
    before: Option<Value>,
) -> std::result::Result<Vec<Layout>, String> {
    let plain: Vec<Artifact> = artifacts.iter().map(|(a, _)| a.clone()).collect();
    let (Some(version), Some(body)) = (since, before) else { return Ok(layouts(name, idea, &plain, verdict)) };
    let Ok(Artifact::Prd(prd)) = Artifact::from_value(Stage::Prd, body) else {
        return Err(format!("PRD version {version} is not a valid PRD"));
    };
    let newest = artifacts.iter().find(|(a, _)| a.stage() == Stage::Prd).map_or(0, |(_, v)| *v);
    Ok(layouts_since(name, idea, &plain, verdict, Some(&Since { version, newest, prd: &prd })))
}

/// The renders of `stage`'s `artifact` with the other stages' `upstream`;
/// or why one of them is not valid.
fn rendered(stage: Stage, artifact: Value, upstream: Vec<StageArtifact>) -> std::result::Result<Vec<View>, String> {
    let artifact =
        Artifact::from_value(stage, artifact).map_err(|e| format!("the {stage} artifact is not valid: {e}"))?;
    let mut bag = Upstream::default();
    for (a, _) in parsed(upstream)? {
        bag.insert(a);
    }
    Ok(render::views(&artifact, &bag))
}

fn views(request: ViewsRequest) -> Result<Response> {
    let views = match rendered(request.stage, request.artifact, request.upstream) {
        Ok(v) => v,
        Err(e) => return bad_request(e),
    };
    let views = views
        .into_iter()
        .map(|v| ViewEntry { bytes: v.body.len() as u64, name: v.name, content_type: v.content_type.to_string() })
        .collect();
    Response::from_json(&ViewList {
        project_id: request.project_id,
        stage: request.stage,
        version: request.version,
        views,
    })
}

/// One view by name, as the file it is; 404 (the caller's) when the stage
/// renders none of that name.
fn view(request: ViewRequest) -> Result<Response> {
    let views = match rendered(request.stage, request.artifact, request.upstream) {
        Ok(v) => v,
        Err(e) => return bad_request(e),
    };
    match views.into_iter().find(|v| v.name == request.name) {
        Some(v) => {
            let headers = Headers::new();
            headers.set("content-type", v.content_type)?;
            Ok(Response::from_bytes(v.body.into_bytes())?.with_headers(headers))
        }
        None => {
            let name: String = request.name.chars().take(120).collect();
            refused(404, format!("the {} artifact has no view {name}", request.stage))
        }
    }
}

fn consistency(request: ConsistencyRequest) -> Result<Response> {
    let artifacts: Vec<Artifact> = match parsed(request.artifacts) {
        Ok(a) => a.into_iter().map(|(a, _)| a).collect(),
        Err(e) => return bad_request(e),
    };
    let report = check(&artifacts);
    let ready = verdict(&request.statuses, &artifacts, &report);
    Response::from_json(&Consistency {
        project_id: request.project_id,
        checked: report.checked,
        findings: report.findings,
        matrix: report.matrix,
        errors: report.errors as u64,
        warnings: report.warnings as u64,
        ready,
    })
}

fn export(request: ExportRequest) -> Result<Response> {
    let with_versions = match parsed(request.artifacts) {
        Ok(a) => a,
        Err(e) => return bad_request(e),
    };
    let artifacts: Vec<Artifact> = with_versions.iter().map(|(a, _)| a.clone()).collect();
    let report = check(&artifacts);
    let ready = verdict(&request.statuses, &artifacts, &report);
    let all = laid_out(&request.name, &request.idea, &with_versions, Some(&ready), request.since, request.before);
    let chosen = match all {
        Ok(l) => l.into_iter().filter(|l| request.layout.as_deref().is_none_or(|only| l.name == only)),
        Err(e) => return bad_request(e),
    };
    let handoff: Vec<(String, String)> = chosen.flat_map(|l| l.files).collect();
    let files = match request.layout {
        Some(_) => {
            let root = slug(&request.name);
            handoff.into_iter().map(|(path, content)| (format!("{root}/{path}"), content.into_bytes())).collect()
        }
        None => bundle(&request.name, &request.idea, &with_versions, &report, &ready, &handoff),
    };
    let headers = Headers::new();
    headers.set("content-type", "application/zip")?;
    Ok(Response::from_bytes(zip(&files))?.with_headers(headers))
}

fn handoff(request: HandoffRequest) -> Result<Response> {
    let all = parsed(request.artifacts).and_then(|a| {
        let artifacts: Vec<Artifact> = a.iter().map(|(a, _)| a.clone()).collect();
        let ready = verdict(&request.statuses, &artifacts, &check(&artifacts));
        laid_out(&request.name, &request.idea, &a, Some(&ready), request.since, request.before)
    });
    let mut layouts = Vec::new();
    for l in match all {
        Ok(l) => l,
        Err(e) => return bad_request(e),
    } {
        // The renders' names are the contract's (a test below holds them).
        let Some(name) = api::Layout::parse(l.name) else {
            return fault(format!("the hand-off layout {} is not one the contract names", l.name));
        };
        let files = l.files.into_iter().map(|(path, content)| LayoutFile { path, content }).collect();
        layouts.push(HandoffLayout { name, title: l.title.to_string(), files, missing: l.missing });
    }
    Response::from_json(&Handoff { project_id: request.project_id, layouts })
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
        report.iter().filter(|x| x.change == c).map(|x| ItemRef { kind: x.kind, id: x.id.clone() }).collect()
    };
    let references = changes::affected(&report, &before, &downstream);
    Response::from_json(&Changes {
        project_id: request.project_id,
        stage: request.stage,
        from: request.from,
        to: request.to,
        added: of(Change::Added),
        removed: of(Change::Removed),
        changed: of(Change::Changed),
        references,
    })
}

/// What an importer could not represent, one line each, named by its document.
fn not_imported(source: &str, list: Vec<parit_import::NotImported>) -> impl Iterator<Item = String> + '_ {
    list.into_iter().map(move |n| match n.line {
        Some(line) => format!("{source} line {line}: {}: {}", n.what, n.why),
        None => format!("{source}: {}: {}", n.what, n.why),
    })
}

/// A refusal or a failure that is not an import's: `caller` when the
/// supervisor passes it on to its caller as an error of its own, not as a
/// fault in what it sent or in what this Worker holds.
#[derive(Serialize)]
struct Refusal {
    message: String,
    caller: bool,
}

/// The caller's own mistake, with the status the supervisor answers it with.
fn refused(status: u16, message: String) -> Result<Response> {
    Ok(Response::from_json(&Refusal { message, caller: true })?.with_status(status))
}

/// A fault in what the supervisor sent (a D1 row that does not fit) or in
/// this Worker: 500, which the supervisor logs and answers as its own failure.
fn fault(message: String) -> Result<Response> {
    Ok(Response::from_json(&Refusal { message, caller: false })?.with_status(500))
}

fn drift(body: DriftBody) -> Result<Response> {
    let blueprint = match parsed(body.artifacts) {
        Ok(a) => a,
        Err(e) => return bad_request(e),
    };
    let request = match DriftRequest::from_body(&body.repository) {
        Ok(r) => r,
        Err(e) => return refused(400, e),
    };
    if let Err(e) = request.comparable(&blueprint) {
        return refused(409, e.to_string());
    }
    let mut repository = Repository::default();
    if let Some(text) = &request.sql {
        let Some(reads) = SqlDialect::from_name(request.dialect.as_str()) else {
            return bad_request(format!("unknown dialect \"{}\"", request.dialect));
        };
        match parit_import::sql::import(text, reads) {
            Ok(i) => {
                repository.not_imported.extend(not_imported("sql", i.not_imported));
                repository.data = Some((i.artifact, request.dialect));
            }
            Err(e) => return Ok(Response::from_json(&e)?.with_status(422)),
        }
    }
    if let Some(text) = &request.openapi {
        // Matched to the blueprint's entities, so endpoints compare by its names.
        let data = blueprint.iter().find_map(|(a, _)| match a {
            Artifact::Data(d) => Some(d),
            _ => None,
        });
        match parit_import::openapi::import(text, data) {
            Ok(i) => {
                repository.not_imported.extend(not_imported("openapi", i.not_imported));
                repository.api = Some(i.artifact);
            }
            Err(e) => return Ok(Response::from_json(&e)?.with_status(422)),
        }
    }
    let report = match drift::report(&blueprint, repository) {
        Ok(report) => report,
        Err(e) => return refused(409, e.to_string()),
    };
    let object = |artifact: serde_json::Result<Value>| match artifact {
        Ok(Value::Object(o)) => Ok(o),
        _ => Err(()),
    };
    let (Ok(data), Ok(api)) = (
        report.repository.data.map(|d| object(serde_json::to_value(d))).transpose(),
        report.repository.api.map(|a| object(serde_json::to_value(a))).transpose(),
    ) else {
        return fault("an imported artifact is not a JSON object".into());
    };
    Response::from_json(&DriftReport {
        project_id: body.project_id,
        in_step: report.in_step,
        compared: report.compared,
        differences: report.differences,
        repository: RepositoryArtifacts { data, api },
        not_imported: report.not_imported,
    })
}

/// The traces report from the rows the supervisor read; 500 naming the
/// column when a row does not fit its record.
fn traces(request: TracesRequest) -> Result<Response> {
    match (ExecutionTrace::read_all(&request.traces), RunEstimate::read_all(&request.estimates)) {
        (Ok(traces), Ok(estimates)) => Response::from_json(&report(&request.project_id, &traces, &estimates)),
        (Err(e), _) | (_, Err(e)) => fault(e.to_string()),
    }
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
        (Method::Post, "/view") => match body::<ViewRequest>(&mut req).await {
            Ok(r) => view(r),
            Err(e) => bad_request(e),
        },
        (Method::Post, "/consistency") => match body::<ConsistencyRequest>(&mut req).await {
            Ok(r) => consistency(r),
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
        (Method::Post, "/drift") => match body::<DriftBody>(&mut req).await {
            Ok(r) => drift(r),
            Err(e) => bad_request(e),
        },
        (Method::Post, "/traces") => match body::<TracesRequest>(&mut req).await {
            Ok(r) => traces(r),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_hand_off_layout_rendered_is_one_the_contract_names() {
        for name in parit_shared::render::handoff::LAYOUTS {
            assert_eq!(api::Layout::parse(name).map(|l| l.as_str()), Some(name));
        }
    }
}
