//! The system of record over D1: the domain's `Store` port and the read
//! queries the routes need. Rows are read as `serde_json::Value` (a typed
//! `results::<T>()` panics on a row that does not fit); integers are bound as
//! f64 (an i64 becomes a BigInt, which D1 rejects).

use crate::live::Live;
use crate::meter::{Call, Meter};
use parit_shared::agent::protocol::{CallKind, CallOutcome};
use parit_shared::gemini::catalogue::ThinkingLevel;
use parit_shared::project::ProjectSettings;
use parit_shared::run::plan::Plan;
use parit_shared::run::store::*;
use parit_shared::run::RunStatus;
use parit_shared::Stage;
use serde_json::Value;
use std::rc::Rc;
use std::time::Duration;
use worker::wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, Delay};

/// What the project list shows beside each project.
pub(crate) struct ProjectTally {
    pub(crate) run_status: Option<String>,
    pub(crate) stages_built: u64,
    pub(crate) total_tokens: u64,
    pub(crate) cost_usd: f64,
    /// The ready verdict (ready, gaps) when it was decided after the last change.
    pub(crate) verdict: Option<(bool, u64)>,
}

/// A live API token, as authentication needs it.
pub(crate) struct TokenRow {
    pub(crate) id: String,
    pub(crate) owner_id: String,
    pub(crate) last_used_at: Option<u64>,
}

/// D1 behind the `Store` port.
pub(crate) struct D1Store {
    db: D1Database,
    /// Test-only fault: committing this stage's versions fails (see `faults`).
    pub(crate) fail_commit: Option<Stage>,
    meter: Meter,
    /// The project's viewers, in its pipeline object: activity written is
    /// read back once and sent to them.
    pub(crate) live: Option<Rc<Live>>,
}

fn num(n: u64) -> JsValue {
    JsValue::from_f64(n as f64)
}

fn text(s: &str) -> JsValue {
    JsValue::from_str(s)
}

fn opt_text(s: Option<&str>) -> JsValue {
    s.map_or(JsValue::NULL, JsValue::from_str)
}

/// Waits before retrying a transient D1 failure.
const RETRIES: [Duration; 3] = [Duration::from_millis(25), Duration::from_millis(100), Duration::from_millis(400)];

/// Whether a D1 failure is worth retrying: a busy or briefly unreachable
/// database, never a constraint or SQL error.
fn transient(e: &worker::Error) -> bool {
    let m = e.to_string();
    !m.contains("constraint")
        && [
            "SQLITE_BUSY",
            "database is locked",
            "internal error",
            "Network connection lost",
            "reset because its code was updated",
        ]
        .iter()
        .any(|t| m.contains(t))
}

fn unavailable(e: worker::Error) -> StoreError {
    let m = e.to_string();
    if m.contains("UNIQUE constraint failed") {
        StoreError::Conflict(m)
    } else {
        StoreError::Unavailable(m)
    }
}

/// Column readers for rows read as JSON.
pub(crate) use parit_shared::run::rows::{col_str, col_u64, usage_of};
pub(crate) fn col_opt_str(row: &Value, col: &str) -> Option<String> {
    row[col].as_str().map(str::to_string)
}
fn col_opt_u64(row: &Value, col: &str) -> Option<u64> {
    row[col].as_f64().map(|f| f as u64)
}

fn artifact_from(row: &Value) -> Option<ArtifactRecord> {
    Some(ArtifactRecord {
        id: col_str(row, "id"),
        project_id: col_str(row, "project_id"),
        stage: Stage::parse(row["stage"].as_str()?)?,
        version: col_u64(row, "version") as u32,
        r2_key: col_str(row, "r2_key"),
        content_hash: col_str(row, "content_hash"),
        input_hash: col_str(row, "input_hash"),
        source: row["source"].as_str().and_then(Source::parse).unwrap_or(Source::Agent),
        model: col_opt_str(row, "model"),
        feedback: col_opt_str(row, "feedback"),
        size_bytes: col_u64(row, "size_bytes"),
        created_at: col_u64(row, "created_at"),
    })
}

fn project_from(row: &Value) -> ProjectRecord {
    ProjectRecord {
        id: col_str(row, "id"),
        owner_id: col_str(row, "owner_id"),
        name: col_str(row, "name"),
        idea: col_str(row, "idea"),
        created_at: col_u64(row, "created_at"),
        updated_at: col_u64(row, "updated_at"),
    }
}

fn settings_from(row: &Value) -> ProjectSettings {
    ProjectSettings {
        model: col_str(row, "model"),
        stage_models: row["stage_models"].as_str().and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default(),
        temperature: row["temperature"].as_f64(),
        max_output_tokens: col_opt_u64(row, "max_output_tokens").map(|n| n as u32),
        thinking: row["thinking"].as_str().and_then(ThinkingLevel::parse),
        token_budget: col_opt_u64(row, "token_budget"),
        auto_advance: col_u64(row, "auto_advance") != 0,
    }
}

fn checkpoint_from(r: &Value) -> Option<CheckpointRecord> {
    Some(CheckpointRecord {
        project_id: col_str(r, "project_id"),
        stage: Stage::parse(r["stage"].as_str()?)?,
        status: match r["status"].as_str()? {
            "running" => CheckpointStatus::Running,
            "failed" => CheckpointStatus::Failed,
            _ => CheckpointStatus::Done,
        },
        last_good_version: col_opt_u64(r, "last_good_version").map(|v| v as u32),
        input_hash: col_opt_str(r, "input_hash"),
        error_class: col_opt_str(r, "error_class"),
        error_message: col_opt_str(r, "error_message"),
        updated_at: col_u64(r, "updated_at"),
    })
}

/// A pipeline run as D1 records it.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RunRow {
    pub(crate) id: String,
    pub(crate) project_id: String,
    pub(crate) status: RunStatus,
    pub(crate) message: Option<String>,
    pub(crate) started_at: u64,
    pub(crate) updated_at: u64,
    pub(crate) finished_at: Option<u64>,
    /// While waiting for quota: when the run resumes by itself.
    pub(crate) resume_at: Option<u64>,
}

impl D1Store {
    pub(crate) fn new(db: D1Database, meter: Meter) -> Self {
        Self { db, fail_commit: None, meter, live: None }
    }

    fn stmt(&self, sql: &str, args: &[JsValue]) -> Result<D1PreparedStatement, StoreError> {
        self.db.prepare(sql).bind(args).map_err(unavailable)
    }

    async fn rows(&self, sql: &str, args: &[JsValue]) -> Result<Vec<Value>, StoreError> {
        let mut attempt = 0;
        loop {
            self.meter.count(Call::D1);
            let result = match self.stmt(sql, args)?.all().await {
                Ok(r) => {
                    self.meter.d1_rows(std::slice::from_ref(&r));
                    r.results::<Value>()
                }
                Err(e) => Err(e),
            };
            match result {
                Ok(rows) => return Ok(rows),
                Err(e) if transient(&e) && attempt < RETRIES.len() => {
                    Delay::from(RETRIES[attempt]).await;
                    attempt += 1;
                }
                Err(e) => return Err(unavailable(e)),
            }
        }
    }

    /// Runs statements as one transaction. A transient failure means nothing
    /// was applied (or, for an ambiguous one, that a retry meets the unique ids
    /// it already wrote: inserts are keyed and traces/activity are
    /// `INSERT OR IGNORE`), so it is tried again.
    async fn batch(&self, statements: Vec<D1PreparedStatement>) -> Result<(), StoreError> {
        if statements.is_empty() {
            return Ok(());
        }
        let mut attempt = 0;
        loop {
            self.meter.count(Call::D1);
            match self.db.batch(statements.clone()).await {
                Ok(results) => {
                    self.meter.d1_rows(&results);
                    return Ok(());
                }
                Err(e) if transient(&e) && attempt < RETRIES.len() => {
                    Delay::from(RETRIES[attempt]).await;
                    attempt += 1;
                }
                Err(e) => return Err(unavailable(e)),
            }
        }
    }

    /// The live (not revoked) token whose SHA-256 is `token_hash`.
    pub(crate) async fn token(&self, token_hash: &str) -> Result<Option<TokenRow>, StoreError> {
        let rows = self
            .rows(
                "SELECT id, owner_id, last_used_at FROM api_tokens WHERE token_hash = ?1 AND revoked = 0",
                &[text(token_hash)],
            )
            .await?;
        Ok(rows.first().map(|r| TokenRow {
            id: col_str(r, "id"),
            owner_id: col_str(r, "owner_id"),
            last_used_at: col_opt_u64(r, "last_used_at"),
        }))
    }

    /// Records that a token was used at `now`.
    pub(crate) async fn touch_token(&self, id: &str, now: u64) -> Result<(), StoreError> {
        self.batch(vec![self.stmt("UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1", &[text(id), num(now)])?])
            .await
    }

    /// How many projects an owner has.
    pub(crate) async fn project_count(&self, owner_id: &str) -> Result<u64, StoreError> {
        let rows = self.rows("SELECT COUNT(*) AS n FROM projects WHERE owner_id = ?1", &[text(owner_id)]).await?;
        Ok(rows.first().map_or(0, |r| col_u64(r, "n")))
    }

    /// The schema version recorded by the migrations.
    pub(crate) async fn schema_version(&self) -> Result<Option<String>, StoreError> {
        let rows = self.rows("SELECT value FROM schema_metadata WHERE key = 'schema_version'", &[]).await?;
        Ok(rows.first().and_then(|r| col_opt_str(r, "value")))
    }

    /// Creates a project with its settings and first activity event.
    pub(crate) async fn create_project(
        &self,
        p: &ProjectRecord,
        s: &ProjectSettings,
        event: &ActivityRecord,
    ) -> Result<(), StoreError> {
        self.batch(vec![
            self.stmt(
                "INSERT INTO projects (id, owner_id, name, idea, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                &[text(&p.id), text(&p.owner_id), text(&p.name), text(&p.idea), num(p.created_at)],
            )?,
            self.settings_stmt(&p.id, s, p.created_at)?,
            self.activity_stmt(event)?,
        ])
        .await
    }

    fn settings_stmt(
        &self,
        project_id: &str,
        s: &ProjectSettings,
        now: u64,
    ) -> Result<D1PreparedStatement, StoreError> {
        self.stmt(
            "INSERT INTO project_settings (project_id, model, stage_models, temperature, max_output_tokens, thinking,
               token_budget, auto_advance, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (project_id) DO UPDATE SET model = excluded.model, stage_models = excluded.stage_models,
               temperature = excluded.temperature, max_output_tokens = excluded.max_output_tokens,
               thinking = excluded.thinking, token_budget = excluded.token_budget,
               auto_advance = excluded.auto_advance, updated_at = excluded.updated_at",
            &[
                text(project_id),
                text(&s.model),
                if s.stage_models.is_empty() {
                    JsValue::NULL
                } else {
                    text(&serde_json::to_string(&s.stage_models).unwrap_or_default())
                },
                s.temperature.map_or(JsValue::NULL, JsValue::from_f64),
                s.max_output_tokens.map_or(JsValue::NULL, |n| num(u64::from(n))),
                s.thinking.map_or(JsValue::NULL, |l| text(l.as_str())),
                s.token_budget.map_or(JsValue::NULL, num),
                num(u64::from(s.auto_advance)),
                num(now),
            ],
        )
    }

    /// Saves settings and records the change.
    pub(crate) async fn save_settings(
        &self,
        project_id: &str,
        s: &ProjectSettings,
        event: &ActivityRecord,
    ) -> Result<(), StoreError> {
        self.batch(vec![
            self.settings_stmt(project_id, s, event.created_at)?,
            self.stmt("UPDATE projects SET updated_at = ?2 WHERE id = ?1", &[text(project_id), num(event.created_at)])?,
            self.activity_stmt(event)?,
        ])
        .await
    }

    /// One page of projects, newest first, after the cursor `(created_at, id)`,
    /// each with what the list shows: its latest run's status, how many
    /// stages have an artifact, and the tokens and dollars its calls spent.
    pub(crate) async fn list_projects(
        &self,
        owner: &str,
        limit: u64,
        after: Option<(u64, &str)>,
    ) -> Result<Vec<(ProjectRecord, ProjectTally)>, StoreError> {
        const COLUMNS: &str = "SELECT p.*,
             (SELECT status FROM runs r WHERE r.project_id = p.id ORDER BY started_at DESC LIMIT 1) AS run_status,
             (SELECT COUNT(DISTINCT stage) FROM artifacts a WHERE a.project_id = p.id) AS stages_built,
             (SELECT COALESCE(SUM(prompt_tokens + output_tokens + thoughts_tokens), 0)
                FROM execution_traces t WHERE t.project_id = p.id) AS total_tokens,
             (SELECT COALESCE(SUM(cost_usd), 0) FROM execution_traces t WHERE t.project_id = p.id) AS cost_usd
           FROM projects p WHERE p.owner_id = ?1";
        let rows = match after {
            None => {
                self.rows(
                    &format!("{COLUMNS} ORDER BY p.created_at DESC, p.id DESC LIMIT ?2"),
                    &[text(owner), num(limit)],
                )
                .await?
            }
            Some((t, id)) => {
                self.rows(
                    &format!(
                        "{COLUMNS} AND (p.created_at < ?2 OR (p.created_at = ?2 AND p.id < ?3))
                         ORDER BY p.created_at DESC, p.id DESC LIMIT ?4"
                    ),
                    &[text(owner), num(t), text(id), num(limit)],
                )
                .await?
            }
        };
        Ok(rows
            .iter()
            .map(|r| {
                let tally = ProjectTally {
                    run_status: col_opt_str(r, "run_status"),
                    stages_built: col_u64(r, "stages_built"),
                    total_tokens: col_u64(r, "total_tokens"),
                    cost_usd: r["cost_usd"].as_f64().unwrap_or(0.0),
                    verdict: col_opt_u64(r, "ready_at")
                        .filter(|at| *at >= col_u64(r, "updated_at"))
                        .map(|_| (col_u64(r, "ready") == 1, col_u64(r, "ready_gaps"))),
                };
                (project_from(r), tally)
            })
            .collect())
    }

    /// Creates or updates a run row.
    pub(crate) async fn save_run(&self, r: &RunRow) -> Result<(), StoreError> {
        self.batch(vec![self.stmt(
            "INSERT INTO runs (id, project_id, status, message, started_at, updated_at, finished_at, resume_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (id) DO UPDATE SET status = excluded.status, message = excluded.message,
               updated_at = excluded.updated_at, finished_at = excluded.finished_at, resume_at = excluded.resume_at",
            &[
                text(&r.id),
                text(&r.project_id),
                text(r.status.as_str()),
                opt_text(r.message.as_deref()),
                num(r.started_at),
                num(r.updated_at),
                r.finished_at.map_or(JsValue::NULL, num),
                r.resume_at.map_or(JsValue::NULL, num),
            ],
        )?])
        .await
    }

    /// The newest run of a project.
    pub(crate) async fn latest_run(&self, project_id: &str) -> Result<Option<RunRow>, StoreError> {
        let rows = self
            .rows("SELECT * FROM runs WHERE project_id = ?1 ORDER BY started_at DESC LIMIT 1", &[text(project_id)])
            .await?;
        rows.first()
            .map(|r| {
                let status = col_str(r, "status");
                Ok(RunRow {
                    id: col_str(r, "id"),
                    project_id: col_str(r, "project_id"),
                    status: RunStatus::parse(&status).ok_or_else(|| {
                        StoreError::Unavailable(format!("a run row has an unknown status {status:?}"))
                    })?,
                    message: col_opt_str(r, "message"),
                    started_at: col_u64(r, "started_at"),
                    updated_at: col_u64(r, "updated_at"),
                    finished_at: col_opt_u64(r, "finished_at"),
                    resume_at: col_opt_u64(r, "resume_at"),
                })
            })
            .transpose()
    }

    /// Activity rows after the row `after_seq`, oldest first, with their `seq`.
    pub(crate) async fn activity_after(&self, project_id: &str, after_seq: u64) -> Result<Vec<Value>, StoreError> {
        self.rows(
            "SELECT rowid AS seq, id, stage, kind, message, created_at FROM agent_activity
             WHERE project_id = ?1 AND rowid > ?2 ORDER BY rowid LIMIT 200",
            &[text(project_id), num(after_seq)],
        )
        .await
    }

    /// The `seq` of a project's newest activity row (0 when none).
    pub(crate) async fn last_activity_seq(&self, project_id: &str) -> Result<u64, StoreError> {
        let rows = self
            .rows("SELECT MAX(rowid) AS seq FROM agent_activity WHERE project_id = ?1", &[text(project_id)])
            .await?;
        Ok(rows.first().map_or(0, |r| col_u64(r, "seq")))
    }

    /// Every artifact version of a project, by stage then version.
    pub(crate) async fn artifacts(&self, project_id: &str) -> Result<Vec<ArtifactRecord>, StoreError> {
        let rows = self
            .rows("SELECT * FROM artifacts WHERE project_id = ?1 ORDER BY stage, version", &[text(project_id)])
            .await?;
        Ok(rows.iter().filter_map(artifact_from).collect())
    }

    /// One version of a stage's artifact.
    pub(crate) async fn artifact_version(
        &self,
        project_id: &str,
        stage: Stage,
        version: u32,
    ) -> Result<Option<ArtifactRecord>, StoreError> {
        let rows = self
            .rows(
                "SELECT * FROM artifacts WHERE project_id = ?1 AND stage = ?2 AND version = ?3",
                &[text(project_id), text(stage.as_str()), num(u64::from(version))],
            )
            .await?;
        Ok(rows.first().and_then(artifact_from))
    }

    /// A project's activity, oldest first, at most `limit` of the newest.
    pub(crate) async fn activity(&self, project_id: &str, limit: u64) -> Result<Vec<Value>, StoreError> {
        self.rows(
            "SELECT id, stage, kind, message, created_at FROM (
               SELECT rowid AS seq, * FROM agent_activity WHERE project_id = ?1 ORDER BY created_at DESC, seq DESC LIMIT ?2
             ) ORDER BY created_at, seq",
            &[text(project_id), num(limit)],
        )
        .await
    }

    /// Keeps the ready verdict for the project list (not a change to the
    /// project: `updated_at` stays).
    /// `verdict` is the bridge's (`{"ready", "gaps"}`).
    pub(crate) async fn save_verdict(&self, project_id: &str, verdict: &Value, now: u64) -> Result<(), StoreError> {
        let gaps = verdict["gaps"].as_array().map_or(0, Vec::len) as u64;
        let ready = verdict["ready"] == true;
        let args = [text(project_id), num(u64::from(ready)), num(gaps), num(now)];
        self.batch(vec![
            self.stmt("UPDATE projects SET ready = ?2, ready_gaps = ?3, ready_at = ?4 WHERE id = ?1", &args)?
        ])
        .await
    }

    /// Records what `plan` estimated for each stage it calls, as run `run_id`
    /// starts: one batch.
    pub(crate) async fn save_estimates(
        &self,
        project_id: &str,
        run_id: &str,
        plan: &Plan,
        now: u64,
    ) -> Result<(), StoreError> {
        let mut statements = Vec::new();
        for s in &plan.stages {
            let Some(e) = &s.estimate else { continue };
            statements.push(self.stmt(
                "INSERT OR REPLACE INTO run_estimates (project_id, run_id, stage, model, tokens_low, tokens_high, cost_low, cost_high, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                &[
                    text(project_id),
                    text(run_id),
                    text(s.stage.as_str()),
                    text(&s.model),
                    num(e.tokens.low),
                    num(e.tokens.high),
                    JsValue::from_f64(e.cost_usd.low),
                    JsValue::from_f64(e.cost_usd.high),
                    num(now),
                ],
            )?);
        }
        if statements.is_empty() {
            return Ok(());
        }
        self.batch(statements).await
    }

    /// The estimates recorded when the project's latest run started (none
    /// when it called nothing), with when that run finished.
    pub(crate) async fn last_estimates(&self, project_id: &str) -> Result<Vec<Value>, StoreError> {
        self.rows(
            "SELECT e.*, r.finished_at AS run_finished_at FROM run_estimates e JOIN runs r ON r.id = e.run_id
             WHERE e.project_id = ?1
               AND e.run_id = (SELECT id FROM runs WHERE project_id = ?1 ORDER BY started_at DESC, rowid DESC LIMIT 1)
             ORDER BY e.rowid",
            &[text(project_id)],
        )
        .await
    }

    /// A project's traces, oldest first.
    pub(crate) async fn traces(&self, project_id: &str) -> Result<Vec<Value>, StoreError> {
        self.rows(
            "SELECT * FROM execution_traces WHERE project_id = ?1 ORDER BY created_at, rowid",
            &[text(project_id)],
        )
        .await
    }

    /// Deletes every row of a project, in one transaction.
    pub(crate) async fn delete_project(&self, project_id: &str) -> Result<(), StoreError> {
        let tables = [
            "execution_traces",
            "agent_activity",
            "checkpoints",
            "artifacts",
            "runs",
            "run_estimates",
            "project_settings",
        ];
        let mut statements = Vec::new();
        for t in tables {
            statements.push(self.stmt(&format!("DELETE FROM {t} WHERE project_id = ?1"), &[text(project_id)])?);
        }
        statements.push(self.stmt("DELETE FROM projects WHERE id = ?1", &[text(project_id)])?);
        self.batch(statements).await
    }

    fn activity_stmt(&self, a: &ActivityRecord) -> Result<D1PreparedStatement, StoreError> {
        self.stmt(
            "INSERT OR IGNORE INTO agent_activity (id, project_id, stage, kind, message, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            &[text(&a.id), text(&a.project_id), opt_text(a.stage.map(|s| s.as_str())), text(a.kind.as_str()), text(&a.message), num(a.created_at)],
        )
    }

    fn checkpoint_stmt(&self, c: &CheckpointRecord, with_version: bool) -> Result<D1PreparedStatement, StoreError> {
        let sql = if with_version {
            "INSERT INTO checkpoints (project_id, stage, status, last_good_version, input_hash, error_class, error_message, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (project_id, stage) DO UPDATE SET status = excluded.status,
               last_good_version = excluded.last_good_version, input_hash = excluded.input_hash,
               error_class = excluded.error_class, error_message = excluded.error_message, updated_at = excluded.updated_at"
        } else {
            "INSERT INTO checkpoints (project_id, stage, status, last_good_version, input_hash, error_class, error_message, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (project_id, stage) DO UPDATE SET status = excluded.status,
               error_class = excluded.error_class, error_message = excluded.error_message, updated_at = excluded.updated_at"
        };
        self.stmt(
            sql,
            &[
                text(&c.project_id),
                text(c.stage.as_str()),
                text(c.status.as_str()),
                c.last_good_version.map_or(JsValue::NULL, |v| num(u64::from(v))),
                opt_text(c.input_hash.as_deref()),
                opt_text(c.error_class.as_deref()),
                opt_text(c.error_message.as_deref()),
                num(c.updated_at),
            ],
        )
    }
}

impl Store for D1Store {
    async fn project(&self, id: &str) -> Result<Option<ProjectRecord>, StoreError> {
        let rows = self.rows("SELECT * FROM projects WHERE id = ?1", &[text(id)]).await?;
        Ok(rows.first().map(project_from))
    }

    async fn settings(&self, project_id: &str) -> Result<ProjectSettings, StoreError> {
        let rows = self.rows("SELECT * FROM project_settings WHERE project_id = ?1", &[text(project_id)]).await?;
        Ok(rows.first().map(settings_from).unwrap_or_default())
    }

    async fn latest_artifact(&self, project_id: &str, stage: Stage) -> Result<Option<ArtifactRecord>, StoreError> {
        let rows = self
            .rows(
                "SELECT * FROM artifacts WHERE project_id = ?1 AND stage = ?2 ORDER BY version DESC LIMIT 1",
                &[text(project_id), text(stage.as_str())],
            )
            .await?;
        Ok(rows.first().and_then(artifact_from))
    }

    async fn latest_artifacts(&self, project_id: &str) -> Result<Vec<ArtifactRecord>, StoreError> {
        let rows = self
            .rows(
                "SELECT a.* FROM artifacts a JOIN (
                   SELECT stage, MAX(version) AS version FROM artifacts WHERE project_id = ?1 GROUP BY stage
                 ) m ON a.stage = m.stage AND a.version = m.version WHERE a.project_id = ?1",
                &[text(project_id)],
            )
            .await?;
        Ok(rows.iter().filter_map(artifact_from).collect())
    }

    async fn checkpoints(&self, project_id: &str) -> Result<Vec<CheckpointRecord>, StoreError> {
        let rows = self.rows("SELECT * FROM checkpoints WHERE project_id = ?1", &[text(project_id)]).await?;
        Ok(rows.iter().filter_map(checkpoint_from).collect())
    }

    async fn tokens_spent(&self, project_id: &str) -> Result<u64, StoreError> {
        let rows = self
            .rows(
                "SELECT COALESCE(SUM(prompt_tokens + output_tokens + thoughts_tokens), 0) AS spent
                 FROM execution_traces WHERE project_id = ?1",
                &[text(project_id)],
            )
            .await?;
        Ok(rows.first().map_or(0, |r| col_u64(r, "spent")))
    }

    async fn write(&self, w: &Writes<'_>) -> Result<(), StoreError> {
        let mut statements = Vec::with_capacity(3 + 2 * w.traces.len() + w.activity.len());
        if let Some(a) = w.version {
            if self.fail_commit == Some(a.stage) {
                return Err(StoreError::Unavailable(format!("D1: injected commit failure for the {} stage", a.stage)));
            }
            statements.push(
                self.stmt(
                    "INSERT INTO artifacts (id, project_id, stage, version, r2_key, content_hash, input_hash, source, model, size_bytes, created_at, feedback)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                    &[
                        text(&a.id),
                        text(&a.project_id),
                        text(a.stage.as_str()),
                        num(u64::from(a.version)),
                        text(&a.r2_key),
                        text(&a.content_hash),
                        text(&a.input_hash),
                        text(a.source.as_str()),
                        opt_text(a.model.as_deref()),
                        num(a.size_bytes),
                        num(a.created_at),
                        opt_text(a.feedback.as_deref()),
                    ],
                )?,
            );
            let touched = "UPDATE projects SET updated_at = ?2 WHERE id = ?1";
            statements.push(self.stmt(touched, &[text(&a.project_id), num(a.created_at)])?);
        }
        if let Some(c) = w.checkpoint {
            statements.push(self.checkpoint_stmt(c, w.version.is_some())?);
        }
        for t in w.traces {
            statements.push(self.stmt(
                "INSERT OR IGNORE INTO execution_traces (id, project_id, stage, execution_id, call_kind, attempt, model, prompt_tokens,
                   output_tokens, thoughts_tokens, latency_ms, outcome, error_class, message, retry_delay_ms, cache_hit, cost_usd, created_at,
                   model_version, response_id, unpriced, segment, thinking_level)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)",
                &[
                    text(&t.id),
                    text(&t.project_id),
                    text(t.stage.as_str()),
                    text(&t.execution_id),
                    text(match t.call_kind {
                        CallKind::Generate => "generate",
                        CallKind::Repair => "repair",
                    }),
                    num(u64::from(t.attempt)),
                    text(&t.model),
                    num(u64::from(t.usage.prompt_tokens)),
                    num(u64::from(t.usage.output_tokens)),
                    num(u64::from(t.usage.thoughts_tokens)),
                    num(t.latency_ms),
                    text(match t.outcome {
                        CallOutcome::Ok => "ok",
                        CallOutcome::Invalid => "invalid",
                        CallOutcome::Failed => "failed",
                    }),
                    opt_text(t.error_class.as_deref()),
                    opt_text(t.message.as_deref()),
                    t.retry_delay_ms.map_or(JsValue::NULL, num),
                    num(u64::from(t.cache_hit)),
                    JsValue::from_f64(t.cost_usd),
                    num(t.created_at),
                    opt_text(t.model_version.as_deref()),
                    opt_text(t.response_id.as_deref()),
                    num(u64::from(t.unpriced)),
                    t.segment.map_or(JsValue::NULL, |n| num(u64::from(n))),
                    opt_text(t.thinking_level.map(|l| l.as_str())),
                ],
            )?);
            let tokens = t.usage.total();
            if tokens > 0 {
                // Counted once: only when the trace row above was new (a retried
                // batch meets its own ids and inserts nothing).
                statements.push(self.stmt(
                    "INSERT INTO owner_usage (owner_id, day, tokens)
                     SELECT owner_id, ?2, ?3 FROM projects WHERE id = ?1 AND changes() = 1
                     ON CONFLICT (owner_id, day) DO UPDATE SET tokens = tokens + excluded.tokens",
                    &[text(&t.project_id), num(t.created_at / DAY_MS), num(tokens)],
                )?);
            }
        }
        for e in w.activity {
            statements.push(self.activity_stmt(e)?);
        }
        self.batch(statements).await?;
        if let (Some(live), Some(event)) = (&self.live, w.activity.first()) {
            live.written(w.activity.iter().filter_map(|a| a.stage));
            if live.watched() {
                match self.activity_after(&event.project_id, live.seq.get()).await {
                    Ok(rows) => live.activity(&rows),
                    // The rows are written; the viewers get them with the next
                    // write's read-back, or on reconnecting.
                    Err(e) => worker::console_error!(
                        "{}",
                        serde_json::json!({"level": "warn", "message": "activity not read back for the viewers", "error": e.to_string()})
                    ),
                }
            }
        }
        Ok(())
    }

    async fn execution_usage(&self, project_id: &str) -> Result<Vec<ExecutionUsage>, StoreError> {
        let rows = self
            .rows(
                "SELECT stage, SUM(CASE WHEN call_kind = 'generate' AND outcome != 'failed' THEN prompt_tokens ELSE 0 END) AS prompt_tokens,
                        SUM(CASE WHEN call_kind = 'generate' AND outcome != 'failed' THEN output_tokens ELSE 0 END) AS output_tokens,
                        SUM(CASE WHEN call_kind = 'generate' AND outcome != 'failed' THEN thoughts_tokens ELSE 0 END) AS thoughts_tokens,
                        MAX(outcome = 'ok') AS succeeded
                 FROM execution_traces WHERE project_id = ?1 AND cache_hit = 0
                 GROUP BY execution_id ORDER BY MAX(created_at), MAX(rowid)",
                &[text(project_id)],
            )
            .await?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                let stage = Stage::parse(&col_str(r, "stage"))?;
                Some(ExecutionUsage { stage, usage: usage_of(r), succeeded: col_u64(r, "succeeded") == 1 })
            })
            .collect())
    }

    async fn owner_tokens_on_day(&self, owner_id: &str, day: u64) -> Result<u64, StoreError> {
        let rows = self
            .rows("SELECT tokens FROM owner_usage WHERE owner_id = ?1 AND day = ?2", &[text(owner_id), num(day)])
            .await?;
        Ok(rows.first().map_or(0, |r| col_u64(r, "tokens")))
    }
}
