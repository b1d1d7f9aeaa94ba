//! The projects: their rows, settings, list and deletion, and the API
//! tokens that own them.

use super::{num, text, D1Store};
use crate::row::{decode_all, decode_first, row, select};
use parit_shared::project::ProjectSettings;
use parit_shared::run::store::*;
use serde_json::Value;
use worker::wasm_bindgen::JsValue;
use worker::D1PreparedStatement;

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
    /// How many of something there are (an aggregate's one row).
    struct ProjectCount { n: u64 = "COUNT(*)" }
}

row! {
    /// A `schema_metadata` value.
    struct Metadata { value: String }
}

impl D1Store {
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
}
