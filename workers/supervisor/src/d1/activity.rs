//! A project's runs, its activity feed, and what its runs estimated and
//! its model calls spent (the traces, read with the columns the bridge's
//! records name and handed to it unread).

use super::{num, opt_text, text, D1Store};
use crate::live::ActivityRow;
use crate::row::{decode_all, decode_first, row, select};
use parit_shared::api::projects::Run;
use parit_shared::run::plan::Plan;
use parit_shared::run::store::*;
use parit_shared::run::traces::{ExecutionTrace, RunEstimate};
use parit_shared::run::RunStatus;
use parit_shared::Stage;
use serde_json::Value;
use worker::wasm_bindgen::JsValue;
use worker::D1PreparedStatement;

row! {
    /// A project's activity event, as its feed shows it.
    struct FeedEvent { id: String, stage: Option<Stage>, kind: String, message: String, created_at: u64 }
}

row! {
    /// The newest activity row's `seq` (0 when none).
    struct LastSeq { seq: u64 = "COALESCE(MAX(rowid), 0)" }
}

row! {
    /// A pipeline run as D1 records it.
    #[derive(Debug, Clone)]
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

impl RunRow {
    /// The run as the API answers it (the contract's `Run`): the row's
    /// columns, `resumeAt` null when it does not wait; the steering state
    /// is the run's object's to tell.
    pub(crate) fn answer(&self) -> Run {
        Run {
            id: self.id.clone(),
            project_id: self.project_id.clone(),
            status: self.status,
            message: self.message.clone(),
            started_at: self.started_at,
            updated_at: self.updated_at,
            finished_at: self.finished_at,
            resume_at: Some(self.resume_at),
            waiting_stages: Vec::new(),
            approval_gates: None,
            awaiting_approval: Vec::new(),
            cancel_requested: None,
        }
    }
}

impl D1Store {
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

    /// A project's activity, oldest first, at most `limit` of the newest.
    pub(crate) async fn activity(&self, project_id: &str, limit: u64) -> Result<Vec<FeedEvent>, StoreError> {
        let sql = select::<FeedEvent>(
            "FROM (
               SELECT rowid AS seq, * FROM agent_activity WHERE project_id = ?1 ORDER BY created_at DESC, seq DESC LIMIT ?2
             ) ORDER BY created_at, seq",
        );
        decode_all(&self.rows(&sql, &[text(project_id), num(limit)]).await?)
    }

    pub(super) fn activity_stmt(&self, a: &ActivityRecord) -> Result<D1PreparedStatement, StoreError> {
        self.stmt(
            "INSERT OR IGNORE INTO agent_activity (id, project_id, stage, kind, message, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            &[text(&a.id), text(&a.project_id), opt_text(a.stage.map(|s| s.as_str())), text(a.kind.as_str()), text(&a.message), num(a.created_at)],
        )
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
    /// when it called nothing), with when that run finished: the columns
    /// the bridge reads them with (`RunEstimate`), unread here.
    pub(crate) async fn last_estimates(&self, project_id: &str) -> Result<Vec<Value>, StoreError> {
        let sql = [
            "SELECT ",
            RunEstimate::COLUMNS,
            " FROM run_estimates WHERE project_id = ?1
               AND run_id = (SELECT id FROM runs WHERE project_id = ?1 ORDER BY started_at DESC, rowid DESC LIMIT 1)
             ORDER BY rowid",
        ]
        .concat();
        self.rows(&sql, &[text(project_id)]).await
    }

    /// A project's traces, oldest first: the columns the bridge reads them
    /// with (`ExecutionTrace`), unread here.
    pub(crate) async fn traces(&self, project_id: &str) -> Result<Vec<Value>, StoreError> {
        let sql = [
            "SELECT ",
            ExecutionTrace::COLUMNS,
            " FROM execution_traces WHERE project_id = ?1 ORDER BY created_at, rowid",
        ]
        .concat();
        self.rows(&sql, &[text(project_id)]).await
    }
}
