//! The system of record over D1: the domain's `Store` port and the read
//! queries the routes need. Every row read is a typed row (`row`): its
//! SELECT list comes from its declaration, and a column that is missing or
//! of the wrong type fails the read (rows are taken as `serde_json::Value`
//! and decoded by hand: a typed `results::<T>()` panics on a row that does
//! not fit). Integers are bound as f64 (an i64 becomes a BigInt, which D1
//! rejects).
//!
//! By table: `projects` the projects, their settings and API tokens;
//! `activity` runs, the activity feed, estimates and traces; `store` the
//! domain's `Store` port (artifacts, checkpoints, what calls spent) and
//! its writes. This file holds the connection: statements, reads with
//! retries of transient failures, and batches.

mod activity;
mod projects;
mod store;

pub(crate) use activity::RunRow;
pub(crate) use projects::ProjectTally;

use crate::live::Live;
use crate::meter::{Call, Meter};
use parit_shared::run::store::*;
use parit_shared::Stage;
use serde_json::Value;
use std::rc::Rc;
use std::time::Duration;
use worker::wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, Delay};

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
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    //! The row types against rows as D1 answers them: objects keyed by
    //! column, integers as numbers, NULL as null.

    use super::activity::{FeedEvent, LastSeq};
    use super::projects::{ListedProject, Metadata, ProjectCount, TokenRow};
    use super::store::{DayTokens, TokensSpent};
    use super::*;
    use crate::live::ActivityRow;
    use crate::row::{select, Row};
    use parit_shared::project::ProjectSettings;
    use parit_shared::run::traces::{ExecutionTrace, RunEstimate};
    use parit_shared::run::RunStatus;
    use parit_shared::Stage;
    use serde_json::json;
    use std::collections::{BTreeMap, BTreeSet};

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

    /// The tables and their columns after every migration in
    /// `migrations/`, in order: CREATE TABLE, ADD COLUMN, RENAME TO, DROP.
    fn schema() -> BTreeMap<String, BTreeSet<String>> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
        let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        let mut tables: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut creating: Option<String> = None;
        for file in files {
            for line in std::fs::read_to_string(file).unwrap().lines() {
                let line = line.split("--").next().unwrap().trim();
                let words: Vec<&str> = line.split_whitespace().collect();
                match (creating.as_ref(), words.as_slice()) {
                    (Some(_), [")" | ");", ..]) => creating = None,
                    (Some(t), [column, ..])
                        if !["PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "CONSTRAINT"].contains(column) =>
                    {
                        tables.get_mut(t).unwrap().insert(column.to_string());
                    }
                    (None, ["CREATE", "TABLE", t, "("]) => {
                        tables.insert(t.to_string(), BTreeSet::new());
                        creating = Some(t.to_string());
                    }
                    (None, ["ALTER", "TABLE", t, "ADD", "COLUMN", column, ..]) => {
                        tables.get_mut(*t).unwrap().insert(column.to_string());
                    }
                    (None, ["ALTER", "TABLE", from, "RENAME", "TO", to]) => {
                        let columns = tables.remove(*from).unwrap();
                        tables.insert(to.trim_end_matches(';').to_string(), columns);
                    }
                    (None, ["DROP", "TABLE", t]) => {
                        tables.remove(t.trim_end_matches(';'));
                    }
                    _ => {}
                }
            }
        }
        tables
    }

    #[test]
    fn every_column_a_row_type_reads_by_name_is_one_the_migrations_create() {
        let schema = schema();
        assert!(schema["artifacts"].contains("source") && schema["projects"].contains("ready_at"), "{schema:?}");
        let read = [
            ("artifacts", ArtifactRecord::COLUMNS),
            ("projects", ProjectRecord::COLUMNS),
            ("checkpoints", CheckpointRecord::COLUMNS),
            ("project_settings", ProjectSettings::COLUMNS),
            ("runs", RunRow::COLUMNS),
            ("api_tokens", TokenRow::COLUMNS),
            ("agent_activity", FeedEvent::COLUMNS),
            ("agent_activity", ActivityRow::COLUMNS),
            ("owner_usage", DayTokens::COLUMNS),
            ("schema_metadata", Metadata::COLUMNS),
            // Read by the bridge (`parit_shared::run::traces`), selected here.
            ("execution_traces", ExecutionTrace::COLUMNS),
            ("run_estimates", RunEstimate::COLUMNS),
        ];
        for (table, columns) in read {
            for column in columns.split(", ").filter(|c| !c.contains(" AS ")) {
                assert!(schema[table].contains(column), "{table} has no column {column}: {:?}", schema[table]);
            }
        }
        // The list's own columns, under the `p.` of its FROM.
        for column in ListedProject::COLUMNS.split(", ").filter_map(|c| c.strip_prefix("p.")) {
            let column = column.split(" AS ").next().unwrap();
            assert!(schema["projects"].contains(column), "projects has no column {column}");
        }
    }
}
