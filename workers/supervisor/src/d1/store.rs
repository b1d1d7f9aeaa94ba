//! The domain's `Store` port over D1: artifact versions, checkpoints,
//! what a project's calls spent, and the one batch every change is.

use super::{num, opt_text, text, D1Store};
use crate::row::{decode_all, decode_first, row, select};
use parit_shared::agent::protocol::{CallKind, CallOutcome};
use parit_shared::gemini::Usage;
use parit_shared::project::ProjectSettings;
use parit_shared::run::store::*;
use parit_shared::Stage;
use worker::wasm_bindgen::JsValue;
use worker::D1PreparedStatement;

row!(impl ArtifactRecord {
    id, project_id, stage, version, r2_key, content_hash, input_hash, source, model, feedback, size_bytes, created_at
});

row!(impl CheckpointRecord {
    project_id, stage, status, last_good_version, input_hash, error_class, error_message, updated_at
});

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
    /// The tokens a project's traces add up to.
    struct TokensSpent { spent: u64 = "COALESCE(SUM(prompt_tokens + output_tokens + thoughts_tokens), 0)" }
}

row! {
    /// An owner's tokens on one day.
    struct DayTokens { tokens: u64 }
}

impl D1Store {
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
