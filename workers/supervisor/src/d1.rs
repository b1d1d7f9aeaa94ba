//! The system of record over D1: the domain's `Store` port and the read
//! queries the routes need. Every row read is a typed row (`row`): its
//! SELECT list comes from its declaration, and a column that is missing or
//! of the wrong type fails the read (rows are taken as `serde_json::Value`
//! and decoded by hand: a typed `results::<T>()` panics on a row that does
//! not fit). Integers are bound as f64 (an i64 becomes a BigInt, which D1
//! rejects).

use crate::live::{ActivityRow, Live};
use crate::meter::{Call, Meter};
use crate::row::{decode_all, decode_first, row, select};
use parit_shared::agent::protocol::{CallKind, CallOutcome};
use parit_shared::gemini::Usage;
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

row! {
    /// A live API token, as authentication needs it.
    struct TokenRow { id: String, owner_id: String, last_used_at: Option<u64> }
}

row!(impl ProjectRecord { id, owner_id, name, idea, created_at, updated_at });
row!(impl ArtifactRecord {
    id, project_id, stage, version, r2_key, content_hash, input_hash, source, model, feedback, size_bytes, created_at
});
row!(impl CheckpointRecord {
    project_id, stage, status, last_good_version, input_hash, error_class, error_message, updated_at
});
row!(impl ProjectSettings { model, stage_models, temperature, max_output_tokens, thinking, token_budget, auto_advance });

row! {
    /// A project as the list shows it: the project's columns, the ready
    /// verdict kept with it, and what its runs, artifacts and calls add up to.
    struct ListedProject {
        id: String = "p.id",
        owner_id: String = "p.owner_id",
        name: String = "p.name",
        idea: String = "p.idea",
        created_at: u64 = "p.created_at",
        updated_at: u64 = "p.updated_at",
        ready: Option<bool> = "p.ready",
        ready_gaps: Option<u64> = "p.ready_gaps",
        ready_at: Option<u64> = "p.ready_at",
        run_status: Option<String> = "(SELECT status FROM runs r WHERE r.project_id = p.id ORDER BY started_at DESC LIMIT 1)",
        stages_built: u64 = "(SELECT COUNT(DISTINCT stage) FROM artifacts a WHERE a.project_id = p.id)",
        total_tokens: u64 = "(SELECT COALESCE(SUM(prompt_tokens + output_tokens + thoughts_tokens), 0)
                FROM execution_traces t WHERE t.project_id = p.id)",
        cost_usd: f64 = "(SELECT COALESCE(SUM(cost_usd), 0) FROM execution_traces t WHERE t.project_id = p.id)",
    }
}

row! {
    /// A project's activity event, as its feed shows it.
    struct FeedEvent { id: String, stage: Option<Stage>, kind: String, message: String, created_at: u64 }
}

row! {
    /// What one execution's generation calls used (answered calls only).
    struct ExecutionRow {
        stage: Stage,
        prompt_tokens: u64 = "SUM(CASE WHEN call_kind = 'generate' AND outcome != 'failed' THEN prompt_tokens ELSE 0 END)",
        output_tokens: u64 = "SUM(CASE WHEN call_kind = 'generate' AND outcome != 'failed' THEN output_tokens ELSE 0 END)",
        thoughts_tokens: u64 = "SUM(CASE WHEN call_kind = 'generate' AND outcome != 'failed' THEN thoughts_tokens ELSE 0 END)",
        succeeded: bool = "MAX(outcome = 'ok')",
    }
}

row! {
    /// How many of something there are (an aggregate's one row).
    struct ProjectCount { n: u64 = "COUNT(*)" }
}
row! {
    /// The tokens a project's traces add up to.
    struct TokensSpent { spent: u64 = "COALESCE(SUM(prompt_tokens + output_tokens + thoughts_tokens), 0)" }
}
row! {
    /// The newest activity row's `seq` (0 when none).
    struct LastSeq { seq: u64 = "COALESCE(MAX(rowid), 0)" }
}
row! {
    /// An owner's tokens on one day.
    struct DayTokens { tokens: u64 }
}
row! {
    /// A `schema_metadata` value.
    struct Metadata { value: String }
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

row! {
    /// A pipeline run as D1 records it.
    #[derive(Debug, Clone, serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct RunRow {
        id: String,
        project_id: String,
        status: RunStatus,
        message: Option<String>,
        started_at: u64,
        updated_at: u64,
        finished_at: Option<u64>,
        /// While waiting for quota: when the run resumes by itself.
        resume_at: Option<u64>,
    }
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
        let sql = select::<TokenRow>("FROM api_tokens WHERE token_hash = ?1 AND revoked = 0");
        decode_first(&self.rows(&sql, &[text(token_hash)]).await?)
    }

    /// Records that a token was used at `now`.
    pub(crate) async fn touch_token(&self, id: &str, now: u64) -> Result<(), StoreError> {
        self.batch(vec![self.stmt("UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1", &[text(id), num(now)])?])
            .await
    }

    /// How many projects an owner has.
    pub(crate) async fn project_count(&self, owner_id: &str) -> Result<u64, StoreError> {
        let rows = self.rows(&select::<ProjectCount>("FROM projects WHERE owner_id = ?1"), &[text(owner_id)]).await?;
        Ok(decode_first::<ProjectCount>(&rows)?.map_or(0, |c| c.n))
    }

    /// The schema version recorded by the migrations.
    pub(crate) async fn schema_version(&self) -> Result<Option<String>, StoreError> {
        let rows = self.rows(&select::<Metadata>("FROM schema_metadata WHERE key = 'schema_version'"), &[]).await?;
        Ok(decode_first::<Metadata>(&rows)?.map(|m| m.value))
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
        let rows = match after {
            None => {
                let sql = select::<ListedProject>(
                    "FROM projects p WHERE p.owner_id = ?1 ORDER BY p.created_at DESC, p.id DESC LIMIT ?2",
                );
                self.rows(&sql, &[text(owner), num(limit)]).await?
            }
            Some((t, id)) => {
                let sql = select::<ListedProject>(
                    "FROM projects p WHERE p.owner_id = ?1 AND (p.created_at < ?2 OR (p.created_at = ?2 AND p.id < ?3))
                     ORDER BY p.created_at DESC, p.id DESC LIMIT ?4",
                );
                self.rows(&sql, &[text(owner), num(t), text(id), num(limit)]).await?
            }
        };
        Ok(decode_all::<ListedProject>(&rows)?
            .into_iter()
            .map(|r| {
                let verdict = match (r.ready_at, r.ready) {
                    (Some(at), Some(ready)) if at >= r.updated_at => Some((ready, r.ready_gaps.unwrap_or(0))),
                    _ => None,
                };
                let tally = ProjectTally {
                    run_status: r.run_status,
                    stages_built: r.stages_built,
                    total_tokens: r.total_tokens,
                    cost_usd: r.cost_usd,
                    verdict,
                };
                let project = ProjectRecord {
                    id: r.id,
                    owner_id: r.owner_id,
                    name: r.name,
                    idea: r.idea,
                    created_at: r.created_at,
                    updated_at: r.updated_at,
                };
                (project, tally)
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
        let sql = select::<RunRow>("FROM runs WHERE project_id = ?1 ORDER BY started_at DESC LIMIT 1");
        decode_first(&self.rows(&sql, &[text(project_id)]).await?)
    }

    /// Activity rows after the row `after_seq`, oldest first, with their `seq`.
    pub(crate) async fn activity_after(
        &self,
        project_id: &str,
        after_seq: u64,
    ) -> Result<Vec<ActivityRow>, StoreError> {
        let sql =
            select::<ActivityRow>("FROM agent_activity WHERE project_id = ?1 AND rowid > ?2 ORDER BY rowid LIMIT 200");
        decode_all(&self.rows(&sql, &[text(project_id), num(after_seq)]).await?)
    }

    /// The `seq` of a project's newest activity row (0 when none).
    pub(crate) async fn last_activity_seq(&self, project_id: &str) -> Result<u64, StoreError> {
        let rows =
            self.rows(&select::<LastSeq>("FROM agent_activity WHERE project_id = ?1"), &[text(project_id)]).await?;
        Ok(decode_first::<LastSeq>(&rows)?.map_or(0, |r| r.seq))
    }

    /// Every artifact version of a project, by stage then version.
    pub(crate) async fn artifacts(&self, project_id: &str) -> Result<Vec<ArtifactRecord>, StoreError> {
        let sql = select::<ArtifactRecord>("FROM artifacts WHERE project_id = ?1 ORDER BY stage, version");
        decode_all(&self.rows(&sql, &[text(project_id)]).await?)
    }

    /// One version of a stage's artifact.
    pub(crate) async fn artifact_version(
        &self,
        project_id: &str,
        stage: Stage,
        version: u32,
    ) -> Result<Option<ArtifactRecord>, StoreError> {
        let sql = select::<ArtifactRecord>("FROM artifacts WHERE project_id = ?1 AND stage = ?2 AND version = ?3");
        decode_first(&self.rows(&sql, &[text(project_id), text(stage.as_str()), num(u64::from(version))]).await?)
    }

    /// A project's activity, oldest first, at most `limit` of the newest.
    pub(crate) async fn activity(&self, project_id: &str, limit: u64) -> Result<Vec<FeedEvent>, StoreError> {
        let sql = select::<FeedEvent>(
            "FROM (
               SELECT rowid AS seq, * FROM agent_activity WHERE project_id = ?1 ORDER BY created_at DESC, seq DESC LIMIT ?2
             ) ORDER BY created_at, seq",
        );
        decode_all(&self.rows(&sql, &[text(project_id), num(limit)]).await?)
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
        decode_first(&self.rows(&select::<ProjectRecord>("FROM projects WHERE id = ?1"), &[text(id)]).await?)
    }

    async fn settings(&self, project_id: &str) -> Result<ProjectSettings, StoreError> {
        let sql = select::<ProjectSettings>("FROM project_settings WHERE project_id = ?1");
        Ok(decode_first(&self.rows(&sql, &[text(project_id)]).await?)?.unwrap_or_default())
    }

    async fn latest_artifact(&self, project_id: &str, stage: Stage) -> Result<Option<ArtifactRecord>, StoreError> {
        let sql = select::<ArtifactRecord>(
            "FROM artifacts WHERE project_id = ?1 AND stage = ?2 ORDER BY version DESC LIMIT 1",
        );
        decode_first(&self.rows(&sql, &[text(project_id), text(stage.as_str())]).await?)
    }

    async fn latest_artifacts(&self, project_id: &str) -> Result<Vec<ArtifactRecord>, StoreError> {
        // The table's own columns under their own names: `a` is the only
        // table the list names, and SQLite names a column by its name.
        let sql = select::<ArtifactRecord>(
            "FROM artifacts a JOIN (
               SELECT stage AS m_stage, MAX(version) AS m_version FROM artifacts WHERE project_id = ?1 GROUP BY stage
             ) m ON a.stage = m.m_stage AND a.version = m.m_version WHERE a.project_id = ?1",
        );
        decode_all(&self.rows(&sql, &[text(project_id)]).await?)
    }

    async fn checkpoints(&self, project_id: &str) -> Result<Vec<CheckpointRecord>, StoreError> {
        decode_all(
            &self
                .rows(&select::<CheckpointRecord>("FROM checkpoints WHERE project_id = ?1"), &[text(project_id)])
                .await?,
        )
    }

    async fn tokens_spent(&self, project_id: &str) -> Result<u64, StoreError> {
        let rows = self
            .rows(&select::<TokensSpent>("FROM execution_traces WHERE project_id = ?1"), &[text(project_id)])
            .await?;
        Ok(decode_first::<TokensSpent>(&rows)?.map_or(0, |r| r.spent))
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
        let sql = select::<ExecutionRow>(
            "FROM execution_traces WHERE project_id = ?1 AND cache_hit = 0
             GROUP BY execution_id ORDER BY MAX(created_at), MAX(rowid)",
        );
        let rows = decode_all::<ExecutionRow>(&self.rows(&sql, &[text(project_id)]).await?)?;
        Ok(rows
            .into_iter()
            .map(|r| ExecutionUsage {
                stage: r.stage,
                usage: Usage {
                    prompt_tokens: r.prompt_tokens as u32,
                    output_tokens: r.output_tokens as u32,
                    thoughts_tokens: r.thoughts_tokens as u32,
                    // Not stored: each trace's cost already priced it.
                    cached_tokens: 0,
                },
                succeeded: r.succeeded,
            })
            .collect())
    }

    async fn owner_tokens_on_day(&self, owner_id: &str, day: u64) -> Result<u64, StoreError> {
        let rows = self
            .rows(
                &select::<DayTokens>("FROM owner_usage WHERE owner_id = ?1 AND day = ?2"),
                &[text(owner_id), num(day)],
            )
            .await?;
        Ok(decode_first::<DayTokens>(&rows)?.map_or(0, |r| r.tokens))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    //! The row types against rows as D1 answers them: objects keyed by
    //! column, integers as numbers, NULL as null.

    use super::*;
    use crate::row::Row;
    use serde_json::json;

    fn artifact_row() -> Value {
        json!({
            "id": "art-1", "project_id": "p1", "stage": "api", "version": 2, "r2_key": "projects/p1/api/v2.json",
            "content_hash": "c", "input_hash": "i", "source": "import", "model": null, "feedback": null,
            "size_bytes": 512, "created_at": 1_765_000_000_000u64
        })
    }

    #[test]
    fn an_artifact_row_is_the_domain_record() {
        let a = ArtifactRecord::decode(&artifact_row()).unwrap();
        assert_eq!((a.stage, a.version, a.source, a.model, a.size_bytes), (Stage::Api, 2, Source::Import, None, 512));
        assert_eq!(
            ArtifactRecord::COLUMNS,
            "id, project_id, stage, version, r2_key, content_hash, input_hash, source, model, feedback, size_bytes, created_at"
        );
    }

    #[test]
    fn an_artifact_row_from_another_schema_fails_naming_the_column() {
        let mut row = artifact_row();
        row.as_object_mut().unwrap().remove("r2_key");
        row["key"] = json!("projects/p1/api/v2.json");
        let e = ArtifactRecord::decode(&row).unwrap_err();
        assert_eq!(e, StoreError::Unavailable("D1 row has no column `r2_key`".into()));
        let mut row = artifact_row();
        row["source"] = json!("robot");
        assert!(ArtifactRecord::decode(&row).unwrap_err().to_string().contains("column `source` holds \"robot\""));
    }

    #[test]
    fn settings_with_nulls_are_the_defaults_they_stand_for() {
        let row = json!({
            "model": "gemini-x", "stage_models": null, "temperature": null, "max_output_tokens": null,
            "thinking": null, "token_budget": null, "auto_advance": 0
        });
        let s = ProjectSettings::decode(&row).unwrap();
        assert!(s.stage_models.is_empty() && s.temperature.is_none() && s.thinking.is_none() && !s.auto_advance);
        let row = json!({
            "model": "gemini-x", "stage_models": "{\"frontend\":\"gemini-y\"}", "temperature": 0.5,
            "max_output_tokens": 8192, "thinking": "high", "token_budget": 100000, "auto_advance": 1
        });
        let s = ProjectSettings::decode(&row).unwrap();
        assert_eq!(s.stage_models.get(&Stage::Frontend).map(String::as_str), Some("gemini-y"));
        assert_eq!(
            (s.temperature, s.max_output_tokens, s.token_budget, s.auto_advance),
            (Some(0.5), Some(8192), Some(100_000), true)
        );
        assert!(s.thinking.is_some());
    }

    #[test]
    fn count_rows_decode_and_select_their_aggregate() {
        assert_eq!(ProjectCount::decode(&json!({"n": 3})).unwrap().n, 3);
        assert_eq!(select::<ProjectCount>("FROM projects"), "SELECT COUNT(*) AS n FROM projects");
        assert_eq!(LastSeq::decode(&json!({"seq": 0})).unwrap().seq, 0);
        // An aggregate that came back NULL is an error, not a silent 0:
        // the query's COALESCE says what "none" is.
        assert!(TokensSpent::decode(&json!({"spent": null})).is_err());
    }

    #[test]
    fn a_run_row_with_an_unknown_status_is_an_error() {
        let row = json!({
            "id": "r1", "project_id": "p1", "status": "running", "message": null, "started_at": 1,
            "updated_at": 2, "finished_at": null, "resume_at": null
        });
        assert_eq!(RunRow::decode(&row).unwrap().status, RunStatus::Running);
        let mut bad = row.clone();
        bad["status"] = json!("sleeping");
        assert!(RunRow::decode(&bad).unwrap_err().to_string().contains("column `status`"));
    }

    #[test]
    fn the_project_list_reads_each_column_under_its_own_name() {
        let row = json!({
            "id": "p1", "owner_id": "o", "name": "n", "idea": "i", "created_at": 1, "updated_at": 5,
            "ready": 1, "ready_gaps": 2, "ready_at": 6, "run_status": null, "stages_built": 3,
            "total_tokens": 10, "cost_usd": 0.25
        });
        let p = ListedProject::decode(&row).unwrap();
        assert_eq!((p.ready, p.ready_gaps, p.stages_built, p.cost_usd), (Some(true), Some(2), 3, 0.25));
        assert!(ListedProject::COLUMNS.starts_with("p.id AS id, p.owner_id AS owner_id,"));
        assert!(ListedProject::COLUMNS.ends_with("WHERE t.project_id = p.id) AS cost_usd"));
    }
}
