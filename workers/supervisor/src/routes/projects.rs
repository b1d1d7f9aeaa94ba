//! `/api/projects`: create, list, read (with per-stage status), delete (rows
//! and R2 objects), and settings.

use crate::app::{App, WorkerEnvironment};
use crate::command::Command;
use crate::d1::{ProjectTally, RunRow};
use crate::error::{AppError, AppResult};
use crate::http::{json_body, Query};
use crate::reply::{answer, json};
use parit_shared::api::projects::{
    Deleted, Project, ProjectPage, ProjectStatus, ProjectSummary, ReadyTally, SettingsChanged, StageError, StageView,
};
use parit_shared::api::Op;
use parit_shared::clock::Clock;
use parit_shared::project::{is_resource_id, new_project, NewProject, ProjectSettings};
use parit_shared::run::status::{stage_statuses, StageStatus};
use parit_shared::run::store::*;
use parit_shared::schema::ToJson;
use parit_shared::Stage;
use serde_json::Value;
use worker::{Request, Response};

/// Largest body of a create or settings request.
/// Projects an owner may have when `MAX_PROJECTS_PER_OWNER` is not set.
const DEFAULT_MAX_PROJECTS: u64 = 200;

pub(crate) async fn create(app: &App, mut req: Request) -> AppResult<Response> {
    let input = creation(&json_body(&mut req, Op::CreateProject).await?)?;
    let owner = app.owner()?;
    if let Some(cap) = crate::app::limit_var(&app.env, "MAX_PROJECTS_PER_OWNER", DEFAULT_MAX_PROJECTS) {
        if app.store.project_count(owner).await? >= cap {
            return Err(AppError::Forbidden {
                code: "project_limit",
                message: format!("this owner already has {cap} projects, the most allowed; delete one first"),
            });
        }
    }
    let env = WorkerEnvironment;
    let now = env.now_ms();
    let project = ProjectRecord {
        id: env.new_id(),
        owner_id: owner.to_string(),
        name: input.name,
        idea: input.idea,
        created_at: now,
        updated_at: now,
    };
    let event = ActivityRecord {
        id: env.new_id(),
        project_id: project.id.clone(),
        stage: None,
        kind: ActivityKind::ProjectCreated,
        message: format!("Project \"{}\" created", project.name),
        created_at: now,
    };
    app.store.create_project(&project, &input.settings, &event).await?;
    Ok(answer(201, &view(&project, &input.settings, &[], &[]))?)
}

/// A create request's body as the new project (the contract's
/// `CreateProject`, checked: `parit_shared::project::new_project`), or 400
/// (422 for a model Google has shut down).
pub(crate) fn creation(body: &Value) -> AppResult<NewProject> {
    Ok(new_project(body)?)
}

pub(crate) async fn list(app: &App, req: &Request) -> AppResult<Response> {
    let (limit, after) = page_query(&Query::of(req))?;
    let mut page =
        app.store.list_projects(app.owner()?, limit + 1, after.as_ref().map(|(t, id)| (*t, id.as_str()))).await?;
    let more = page.len() as u64 > limit;
    page.truncate(limit as usize);
    let next = if more { page.last().map(|(p, _)| format!("{}.{}", p.created_at, p.id)) } else { None };
    let projects = page.iter().map(|(p, tally)| listed(p, tally)).collect();
    Ok(answer(200, &ProjectPage { projects, next_cursor: next })?)
}

/// A project as the list shows it, with its tallies.
fn listed(p: &ProjectRecord, tally: &ProjectTally) -> ProjectSummary {
    ProjectSummary {
        id: p.id.clone(),
        name: p.name.clone(),
        idea: p.idea.clone(),
        created_at: p.created_at,
        updated_at: p.updated_at,
        // The latest run's status (a `RunStatus` label, each of which is a
        // `ProjectStatus`), or `new` when it never ran.
        status: tally.run_status.as_deref().and_then(ProjectStatus::parse).unwrap_or(ProjectStatus::New),
        stages_built: tally.stages_built,
        total_tokens: tally.total_tokens,
        cost_usd: tally.cost_usd,
        // As last decided, when nothing changed since; else not known here.
        ready: tally.verdict.map(|(ready, gaps)| ReadyTally { ready, gaps }),
    }
}

/// The page `GET /api/projects` asks for: how many (`limit`, 1 to 100,
/// default 20) and after which project (`cursor`, a `nextCursor` this API
/// returned: created-at and id).
pub(crate) fn page_query(query: &Query) -> AppResult<(u64, Option<(u64, String)>)> {
    let limit = query.number("limit", 20, 1, 100)?;
    let after = match query.get("cursor") {
        None | Some("") => None,
        Some(c) => Some(parse_cursor(c)?),
    };
    Ok((limit, after))
}

fn parse_cursor(c: &str) -> AppResult<(u64, String)> {
    let bad = || AppError::BadRequest("cursor is not one this API returned".into());
    let (t, id) = c.split_once('.').ok_or_else(bad)?;
    let t = t.parse::<u64>().map_err(|_| bad())?;
    if !is_resource_id(id) {
        return Err(bad());
    }
    Ok((t, id.to_string()))
}

pub(crate) async fn get(app: &App, id: &str) -> AppResult<Response> {
    Ok(json(200, &snapshot(app, id, Caller::Route).await?)?)
}

/// The project as `GET /api/projects/:id` and the events stream show it.
/// Who asks for a project's snapshot.
pub(crate) enum Caller {
    /// A route: the caller must own the project, and an active run's view
    /// is asked of the project's object.
    Route,
    /// The project's own object, for a viewer it serves (the route checked
    /// the owner), with the run's view it holds (`null` if none).
    Object(Value),
}

pub(crate) async fn snapshot(app: &App, id: &str, caller: Caller) -> AppResult<Value> {
    // Overlapped: the rows of a project that is not the caller's are read
    // and dropped, and the answer is the same 404. The run row is read before
    // the stage rows: the pipeline writes a stage's checkpoint before the
    // run's status, so stage rows read after the run row are at least as new
    // as its status. Read together, a soak saw a "completed" run beside a
    // stage still "running".
    let project = async {
        match caller {
            Caller::Route => app.owned_project(id).await,
            Caller::Object(_) => {
                app.store.project(id).await?.ok_or_else(|| AppError::NotFound(format!("no project {id}")))
            }
        }
    };
    let (project, settings, run) =
        futures_util::try_join!(project, async { app.store.settings(id).await.map_err(AppError::from) }, async {
            app.store.latest_run(id).await.map_err(AppError::from)
        },)?;
    let (checkpoints, latest) = stage_rows(app, id).await?;
    // The run is the D1 row's or, while it is active, the object's view
    // (JSON from the object: reading it as a `Run` would cost serde's reader).
    let answer = |checkpoints: &[CheckpointRecord], latest: &[ArtifactRecord]| {
        let mut view = view(&project, &settings, checkpoints, latest);
        view.run = run.as_ref().map(RunRow::answer);
        view.to_json()
    };
    let mut v = answer(&checkpoints, &latest);
    // An active run's steering state (which stages wait for approval, whether
    // a cancel is pending) lives in its Durable Object: ask it, only then.
    if let Some(read) = run.as_ref().filter(|r| r.status.active()) {
        let live = match caller {
            Caller::Object(view) => view,
            Caller::Route => app.pipeline(id, &Command::State).await?.json().await?,
        };
        if live["id"] == v["run"]["id"] {
            // The run moved on after the rows above were read: read them
            // again, so the stages are at least as new as the run's status.
            if live["status"] != read.status.as_str() {
                let (checkpoints, latest) = stage_rows(app, id).await?;
                v = answer(&checkpoints, &latest);
            }
            v["run"] = live;
        }
    }
    Ok(v)
}

/// A project's checkpoints and latest artifact versions.
async fn stage_rows(app: &App, id: &str) -> AppResult<(Vec<CheckpointRecord>, Vec<ArtifactRecord>)> {
    let checkpoints = async { app.store.checkpoints(id).await.map_err(AppError::from) };
    let latest = async { app.store.latest_artifacts(id).await.map_err(AppError::from) };
    futures_util::try_join!(checkpoints, latest)
}

pub(crate) async fn delete(app: &App, id: &str) -> AppResult<Response> {
    app.owned_project(id).await?;
    // The run first: its object stops it, waits for a stage in flight to
    // finish writing, and drops its state and alarm, so nothing is written
    // after the rows go and no alarm fires for a project that is gone.
    let forgotten = app.pipeline(id, &Command::Forget).await?;
    if forgotten.status_code() != 200 {
        return Ok(forgotten);
    }
    // Objects next: if deleting rows then fails, the project still exists and
    // DELETE can be repeated; the reverse order could strand objects forever.
    let keys = app.blobs.keys_under(&project_prefix(id)).await?;
    app.blobs.delete(&keys).await?;
    app.store.delete_project(id).await?;
    Ok(answer(200, &Deleted { deleted: id.into(), objects_deleted: keys.len() as u64 })?)
}

pub(crate) async fn patch_settings(app: &App, id: &str, mut req: Request) -> AppResult<Response> {
    app.owned_project(id).await?;
    let patch = json_body(&mut req, Op::PatchSettings).await?;
    let current = app.store.settings(id).await?;
    let next = current.patched(&patch)?;
    let env = WorkerEnvironment;
    let changed: Vec<&str> = patch.as_object().map(|m| m.keys().map(String::as_str).collect()).unwrap_or_default();
    let event = ActivityRecord {
        id: env.new_id(),
        project_id: id.to_string(),
        stage: None,
        kind: ActivityKind::SettingsChanged,
        message: next.noting_warnings(format!("Settings changed: {}", changed.join(", "))),
        created_at: env.now_ms(),
    };
    app.store.save_settings(id, &next, &event).await?;
    let model_warnings = next.model_warnings();
    Ok(answer(200, &SettingsChanged { project_id: id.into(), settings: next, model_warnings })?)
}

/// A project with each stage's status, as `GET /api/projects/:id` and a
/// create answer it; its `run` is none (the caller sets it).
fn view(
    p: &ProjectRecord,
    settings: &ProjectSettings,
    checkpoints: &[CheckpointRecord],
    latest: &[ArtifactRecord],
) -> Project {
    let statuses = stage_statuses(latest, checkpoints, settings);
    let stages = Stage::ALL
        .iter()
        .map(|stage| {
            let version = latest.iter().find(|a| a.stage == *stage);
            let cp = checkpoints.iter().find(|c| c.stage == *stage);
            let status = statuses.get(stage).copied().unwrap_or(StageStatus::Pending);
            let error = cp
                .filter(|_| status == StageStatus::Failed)
                .map(|c| StageError { class: c.error_class.clone(), message: c.error_message.clone() });
            StageView {
                stage: *stage,
                status,
                version: version.map(|a| u64::from(a.version)),
                source: version.map(|a| a.source),
                needs: stage.needs().to_vec(),
                error,
                updated_at: cp.map(|c| c.updated_at),
                last_good_version: cp.and_then(|c| c.last_good_version).map(u64::from),
            }
        })
        .collect();
    Project {
        id: p.id.clone(),
        name: p.name.clone(),
        idea: p.idea.clone(),
        created_at: p.created_at,
        updated_at: p.updated_at,
        settings: settings.clone(),
        model_warnings: settings.model_warnings(),
        stages,
        run: None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::error::tests::refused;
    use serde_json::json;

    #[test]
    fn a_page_is_a_limit_and_a_cursor_this_api_returned() {
        let page = |q: &str| page_query(&Query::parse(&format!("/api/projects?{q}")));
        assert_eq!(page("").unwrap(), (20, None));
        assert_eq!(page("cursor=").unwrap(), (20, None));
        assert_eq!(
            page("limit=100&cursor=1700000000000.0a1b2c3d-0000").unwrap(),
            (100, Some((1_700_000_000_000, "0a1b2c3d-0000".into())))
        );
        refused(page("limit=0"), 400, "bad_request", "limit must be a whole number from 1 to 100");
        refused(page("limit=500"), 400, "bad_request", "limit must be a whole number from 1 to 100");
        for cursor in ["abc", "12", "x.0a1b2c3d-0000", "12.NOT-AN-ID", "12.0a1b2c3d-0000'--"] {
            refused(page(&format!("cursor={cursor}")), 400, "bad_request", "cursor is not one this API returned");
        }
    }

    #[test]
    fn a_new_project_is_checked_before_anything_is_stored() {
        let ok = creation(
            &json!({"name": " Clinic ", "idea": "Book vet appointments online", "settings": {"autoAdvance": false}}),
        )
        .unwrap();
        assert_eq!(
            (ok.name.as_str(), ok.idea.as_str(), ok.settings.auto_advance),
            ("Clinic", "Book vet appointments online", false)
        );
        let cases = [
            (json!([]), 400, "the body must be a JSON object with name and idea"),
            (
                json!({"name": "a", "idea": "long enough idea", "owner": "x"}),
                400,
                "unknown field \"owner\" (expected name, idea, settings)",
            ),
            (json!({"idea": "long enough idea"}), 400, "name is required"),
            (json!({"name": 3, "idea": "long enough idea"}), 400, "name must be a string"),
            (json!({"name": "a", "idea": "short"}), 400, "idea must be 10 to 5000 characters, got 5"),
            (
                json!({"name": "x".repeat(121), "idea": "long enough idea"}),
                400,
                "name must be 1 to 120 characters, got 121",
            ),
            (json!({"name": "a\u{7}b", "idea": "long enough idea"}), 400, "name must not contain control characters"),
            (json!({"name": "a", "idea": "long enough idea", "settings": []}), 400, "settings must be a JSON object"),
            (
                json!({"name": "a", "idea": "long enough idea", "settings": {"model": "gemini-2.5-flash"}}),
                422,
                "gemini-2.5-flash was shut down",
            ),
        ];
        for (body, status, says) in cases {
            refused(creation(&body), status, if status == 400 { "bad_request" } else { "refused" }, says);
        }
    }

    #[test]
    fn a_settings_patch_is_checked_whole() {
        let now = ProjectSettings::default();
        assert_eq!(now.patched(&json!({"temperature": 0.5})).map_err(AppError::from).unwrap().temperature, Some(0.5));
        refused(now.patched(&json!([1])).map_err(AppError::from), 400, "bad_request", "settings must be a JSON object");
        refused(
            now.patched(&json!({"model": "gemini-2.5-flash"})).map_err(AppError::from),
            422,
            "refused",
            "shut down",
        );
        refused(
            now.patched(&json!({"stageModels": {"db": "gemini-3.8-flash"}})).map_err(AppError::from),
            400,
            "bad_request",
            "settings.stageModels.db is not a stage",
        );
    }

    fn record(stage: Stage, version: u32, source: Source) -> ArtifactRecord {
        ArtifactRecord {
            id: "a1".into(),
            project_id: "0a1b2c3d-0000".into(),
            stage,
            version,
            r2_key: "k".into(),
            content_hash: "c".into(),
            input_hash: "i".into(),
            source,
            model: None,
            feedback: None,
            size_bytes: 10,
            created_at: 1,
        }
    }

    /// What `GET /api/projects/:id`, a create and the list answer is the
    /// contract's `Project` and `ProjectSummary`.
    #[test]
    fn a_project_answer_is_the_contracts_project() {
        use parit_shared::schema::Describe;
        let p = ProjectRecord {
            id: "0a1b2c3d-0000".into(),
            owner_id: "o".into(),
            name: "Clinic".into(),
            idea: "Book vet appointments".into(),
            created_at: 1,
            updated_at: 2,
        };
        let failed = CheckpointRecord {
            project_id: p.id.clone(),
            stage: Stage::Data,
            status: CheckpointStatus::Failed,
            last_good_version: Some(1),
            input_hash: None,
            error_class: Some("safety".into()),
            error_message: Some("blocked".into()),
            updated_at: 3,
        };
        let latest = [record(Stage::Prd, 2, Source::Human), record(Stage::Data, 1, Source::Agent)];
        let settings = ProjectSettings { temperature: Some(0.5), ..Default::default() };
        for (checkpoints, latest) in [(&[][..], &[][..]), (&[failed.clone()][..], &latest[..])] {
            let v = view(&p, &settings, checkpoints, latest).to_json();
            assert_eq!(Project::schema().check(&v), Vec::<String>::new(), "{v}");
            assert_eq!(v["run"], Value::Null);
            assert_eq!(v["stages"].as_array().map(Vec::len), Some(7));
        }
        let failed_data = &view(&p, &settings, std::slice::from_ref(&failed), &latest).to_json()["stages"][1];
        assert_eq!(
            failed_data,
            &json!({"stage": "data", "status": "failed", "version": 1, "source": "agent", "needs": ["prd"],
                    "error": {"class": "safety", "message": "blocked"}, "updatedAt": 3, "lastGoodVersion": 1})
        );
        let tally = ProjectTally {
            run_status: Some("awaiting_approval".into()),
            stages_built: 2,
            total_tokens: 900,
            cost_usd: 0.25,
            verdict: Some((false, 2)),
        };
        let shown = listed(&p, &tally).to_json();
        assert_eq!(ProjectSummary::schema().check(&shown), Vec::<String>::new(), "{shown}");
        assert_eq!(
            (&shown["status"], &shown["ready"]),
            (&json!("awaiting_approval"), &json!({"ready": false, "gaps": 2}))
        );
        let never = listed(&p, &ProjectTally { run_status: None, verdict: None, ..tally }).to_json();
        assert_eq!((&never["status"], &never["ready"]), (&json!("new"), &Value::Null));
    }
}
