//! What a project's model calls add up to (`GET /api/projects/:id/traces`):
//! each trace as the API shows it, totals over all and by stage, and each
//! stage's estimate for the latest run beside what it used.
//!
//! The supervisor reads the rows with the SELECT lists declared here
//! ([`ExecutionTrace::COLUMNS`], [`RunEstimate::COLUMNS`]) and hands them
//! over unread; the bridge Worker reads each into its row record (serde, by
//! the columns' own names) and builds the contract's [`Traces`]. A row that
//! does not fit is an error naming the column, never a silent 0. The
//! records of the answer are declared here, beside what builds them, and
//! re-exported by `api::runs` (the API is built from the domain, not the
//! other way round).

use crate::agent::protocol::CallKind;
use crate::gemini::catalogue::ThinkingLevel;
use crate::run::plan::{CostRange, TokenRange};
use crate::Stage;
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, Unexpected, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;

crate::label_enum! {
    /// How a model call ended.
    pub enum Outcome { Ok = "ok", Invalid = "invalid", Failed = "failed" }
}

crate::record! {
    /// One model call.
    pub struct Trace {
        /// Id.
        pub id: String,
        /// The stage.
        pub stage: Stage,
        /// The stage execution it belongs to.
        pub execution_id: String,
        /// Why it was made.
        pub call_kind: CallKind,
        /// Which attempt.
        #[openapi = r#""minimum": 0"#]
        pub attempt: u64,
        /// The model asked.
        pub model: String,
        /// Prompt tokens.
        #[openapi = r#""minimum": 0"#]
        pub prompt_tokens: u64,
        /// Answer tokens.
        #[openapi = r#""minimum": 0"#]
        pub output_tokens: u64,
        /// Thinking tokens.
        #[openapi = r#""minimum": 0"#]
        pub thoughts_tokens: u64,
        /// How long it took.
        #[openapi = r#""minimum": 0"#]
        pub latency_ms: u64,
        /// How it ended.
        pub outcome: Outcome,
        /// Gemini's failure class, when it failed.
        pub error_class: Option<String>,
        /// What went wrong.
        pub message: Option<String>,
        /// How long Gemini said to wait.
        pub retry_delay_ms: Option<u64>,
        /// Answered from the cache.
        pub cache_hit: bool,
        /// What it cost.
        pub cost_usd: f64,
        /// When, ms since the epoch.
        #[openapi = r#""minimum": 0"#]
        pub created_at: u64,
        /// The model that answered (Google's modelVersion), when it said
        pub model_version: Option<String>,
        /// Google's id of the answer.
        pub response_id: Option<String>,
        /// The catalogue has no price for the model: costed at its dearest rates
        pub unpriced: bool,
        /// Which segment of an answer a Gemini 4 model decoded in segments (finishReason CONTINUATION) this call fetched; null for an answer in one piece
        #[openapi = r#""minimum": 1"#]
        pub segment: Option<u64>,
        /// The thinking level the call sent, if it sent one
        pub thinking_level: Option<ThinkingLevel>,
    }
}

crate::record! {
    /// Token and cost totals of some calls.
    pub struct TokenTotals {
        /// Calls.
        #[openapi = r#""minimum": 0"#]
        pub calls: u64,
        /// Calls answered from the cache.
        #[openapi = r#""minimum": 0"#]
        pub cache_hits: u64,
        /// Prompt tokens.
        #[openapi = r#""minimum": 0"#]
        pub prompt_tokens: u64,
        /// Answer tokens.
        #[openapi = r#""minimum": 0"#]
        pub output_tokens: u64,
        /// Thinking tokens.
        #[openapi = r#""minimum": 0"#]
        pub thoughts_tokens: u64,
        /// All tokens.
        #[openapi = r#""minimum": 0"#]
        pub total_tokens: u64,
        /// Dollars.
        pub cost_usd: f64,
    }
}

crate::record! {
    /// What the plan estimated for a stage, beside what its calls used.
    pub struct EstimateAgainstActual {
        /// The stage.
        pub stage: Stage,
        /// The run it was estimated for.
        pub run_id: String,
        /// The model.
        pub model: String,
        /// Estimated tokens.
        pub tokens: TokenRange,
        /// Estimated dollars.
        pub cost_usd: CostRange,
        /// Tokens used.
        #[openapi = r#""minimum": 0"#]
        pub actual_tokens: u64,
        /// Dollars spent.
        #[openapi = r#""minimum": 0"#]
        pub actual_cost_usd: f64,
        /// Calls made.
        #[openapi = r#""minimum": 0"#]
        pub actual_calls: u64,
    }
}

crate::record! {
    /// Every model call with its tokens, latency, outcome and cost, with totals.
    pub struct Traces {
        /// The project.
        pub project_id: String,
        /// Every call.
        pub traces: Vec<Trace>,
        /// Totals of all calls.
        pub totals: TokenTotals,
        /// Totals by stage.
        pub by_stage: BTreeMap<String, TokenTotals>,
        /// What the plan estimated for each stage the latest estimated run was to call (recorded as it started), beside what the stage's calls since then used
        pub estimates: Vec<EstimateAgainstActual>,
    }
}

/// Declares a D1 row as this report reads it: the record (serde, each field
/// the column of its name) and its SELECT list `COLUMNS`, each field under
/// its own name (`field = "sql"` selects `sql AS field`), as the
/// supervisor's own row types write theirs, so the query names exactly the
/// columns the record reads.
macro_rules! d1_row {
    ($table:literal, $(#[$m:meta])* pub struct $name:ident {
        $($(#[$fm:meta])* $f:ident: $t:ty $(= $sql:literal)?),+ $(,)?
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Deserialize)]
        pub struct $name { $($(#[$fm])* pub $f: $t,)+ }

        impl $name {
            /// The SELECT list: every field, in order, each under its own name.
            pub const COLUMNS: &'static str = d1_row!(@list $($f $(= $sql)?),+);

            /// Every row as this record; the first that does not fit is an
            /// error naming its column.
            pub fn read_all(rows: &[Value]) -> Result<Vec<Self>, RowError> {
                rows.iter().map(|row| read($table, &[$(stringify!($f)),+], row)).collect()
            }
        }
    };
    (@list $f:ident $(= $sql:literal)?) => { concat!($($sql, " AS ",)? stringify!($f)) };
    (@list $f:ident $(= $sql:literal)?, $($rest:tt)+) => {
        concat!($($sql, " AS ",)? stringify!($f), ", ", d1_row!(@list $($rest)+))
    };
}

d1_row! {
    "execution_traces",
    /// One `execution_traces` row: a model call.
    pub struct ExecutionTrace {
        /// Its id.
        id: String,
        /// The stage it was made for.
        stage: Stage,
        /// The stage execution it belongs to.
        execution_id: String,
        /// Generation or repair.
        call_kind: CallKind,
        /// Which attempt.
        attempt: u64,
        /// The model asked.
        model: String,
        /// The model that answered, when it said.
        model_version: Option<String>,
        /// Google's id of the answer.
        response_id: Option<String>,
        /// Costed at the dearest rates: the catalogue had no price (0 or 1).
        #[serde(deserialize_with = "flag")]
        unpriced: bool,
        /// Prompt tokens.
        prompt_tokens: u64,
        /// Answer tokens.
        output_tokens: u64,
        /// Thinking tokens.
        thoughts_tokens: u64,
        /// How long it took.
        latency_ms: u64,
        /// How it ended.
        outcome: Outcome,
        /// Gemini's failure class, when it failed.
        error_class: Option<String>,
        /// What went wrong.
        message: Option<String>,
        /// How long Gemini said to wait.
        retry_delay_ms: Option<u64>,
        /// Which segment of a long answer it fetched.
        segment: Option<u64>,
        /// The thinking level it sent.
        thinking_level: Option<ThinkingLevel>,
        /// Answered from the cache (0 or 1).
        #[serde(deserialize_with = "flag")]
        cache_hit: bool,
        /// What it cost.
        cost_usd: f64,
        /// When, ms since the epoch.
        created_at: u64,
    }
}

d1_row! {
    "run_estimates",
    /// One `run_estimates` row (what the plan estimated for a stage as a
    /// run started), with when that run finished.
    pub struct RunEstimate {
        /// The stage.
        stage: Stage,
        /// The run.
        run_id: String,
        /// The model it was to call.
        model: String,
        /// Estimated tokens, one call.
        tokens_low: u64,
        /// Estimated tokens, with a repair.
        tokens_high: u64,
        /// Estimated dollars, one call.
        cost_low: f64,
        /// Estimated dollars, with a repair.
        cost_high: f64,
        /// When the run started (the estimate was recorded), ms since the epoch.
        created_at: u64,
        /// When the run finished; null while it runs.
        run_finished_at: Option<u64> = "(SELECT finished_at FROM runs WHERE runs.id = run_estimates.run_id)",
    }
}

/// A D1 row that does not fit its record: the table and the column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError(pub String);

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RowError {}

/// One row of `table` as `R`, whose fields are the columns `names`: each
/// must be there (even where NULL is allowed: a column the query forgot is
/// not a NULL) and fit its field.
fn read<R: DeserializeOwned>(table: &str, names: &[&str], row: &Value) -> Result<R, RowError> {
    let Some(columns) = row.as_object() else {
        return Err(RowError(format!("a D1 {table} row is {row}, not an object")));
    };
    if let Some(name) = names.iter().find(|n| !columns.contains_key(**n)) {
        return Err(RowError(format!("D1 {table} row has no column `{name}`")));
    }
    R::deserialize(Columns(columns)).map_err(|e| RowError(format!("D1 {table} row: {e}")))
}

/// A row's columns as serde reads a struct from them, each error naming the
/// column it came from (serde_json's own errors name none).
struct Columns<'de>(&'de Map<String, Value>);

impl<'de> Deserializer<'de> for Columns<'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_map(ColumnAccess { columns: self.0.iter(), current: None })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

struct ColumnAccess<'de> {
    columns: serde_json::map::Iter<'de>,
    /// The column whose value is read next.
    current: Option<(&'de str, &'de Value)>,
}

impl<'de> MapAccess<'de> for ColumnAccess<'de> {
    type Error = serde_json::Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Self::Error> {
        let Some((name, value)) = self.columns.next() else { return Ok(None) };
        self.current = Some((name, value));
        seed.deserialize(de::value::BorrowedStrDeserializer::new(name)).map(Some)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Self::Error> {
        let Some((name, value)) = self.current.take() else {
            return Err(de::Error::custom("a column's value before its name"));
        };
        seed.deserialize(value).map_err(|e| de::Error::custom(format_args!("column `{name}`: {e}")))
    }
}

/// An INTEGER flag: 0 or 1, nothing else.
fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    match u64::deserialize(d)? {
        0 => Ok(false),
        1 => Ok(true),
        n => Err(de::Error::invalid_value(Unexpected::Unsigned(n), &"0 or 1")),
    }
}

/// No calls yet.
fn nothing() -> TokenTotals {
    TokenTotals {
        calls: 0,
        cache_hits: 0,
        prompt_tokens: 0,
        output_tokens: 0,
        thoughts_tokens: 0,
        total_tokens: 0,
        cost_usd: 0.0,
    }
}

impl TokenTotals {
    /// Counts one more call.
    fn add(&mut self, t: &ExecutionTrace) {
        self.calls += 1;
        self.cache_hits += u64::from(t.cache_hit);
        self.prompt_tokens += t.prompt_tokens;
        self.output_tokens += t.output_tokens;
        self.thoughts_tokens += t.thoughts_tokens;
        self.total_tokens += t.prompt_tokens + t.output_tokens + t.thoughts_tokens;
        self.cost_usd += t.cost_usd;
    }
}

impl ExecutionTrace {
    /// The call as the API shows it.
    fn answer(&self) -> Trace {
        Trace {
            id: self.id.clone(),
            stage: self.stage,
            execution_id: self.execution_id.clone(),
            call_kind: self.call_kind,
            attempt: self.attempt,
            model: self.model.clone(),
            prompt_tokens: self.prompt_tokens,
            output_tokens: self.output_tokens,
            thoughts_tokens: self.thoughts_tokens,
            latency_ms: self.latency_ms,
            outcome: self.outcome,
            error_class: self.error_class.clone(),
            message: self.message.clone(),
            retry_delay_ms: self.retry_delay_ms,
            cache_hit: self.cache_hit,
            cost_usd: self.cost_usd,
            created_at: self.created_at,
            model_version: self.model_version.clone(),
            response_id: self.response_id.clone(),
            unpriced: self.unpriced,
            segment: self.segment,
            thinking_level: self.thinking_level,
        }
    }
}

/// The traces report of project `project_id` from its `execution_traces`
/// rows (oldest first) and its latest run's `run_estimates` rows.
pub fn report(project_id: &str, traces: &[ExecutionTrace], estimates: &[RunEstimate]) -> Traces {
    let mut totals = nothing();
    let mut by_stage: BTreeMap<String, TokenTotals> = BTreeMap::new();
    for t in traces {
        totals.add(t);
        by_stage.entry(t.stage.as_str().to_string()).or_insert_with(nothing).add(t);
    }
    Traces {
        project_id: project_id.to_string(),
        traces: traces.iter().map(ExecutionTrace::answer).collect(),
        totals,
        by_stage,
        estimates: estimates.iter().map(|e| against_actual(e, traces)).collect(),
    }
}

/// A stage's estimate at the start of the latest run, beside what the
/// stage's calls during that run used (0 when the run did not need to call
/// it, as when an input came out identical).
fn against_actual(e: &RunEstimate, traces: &[ExecutionTrace]) -> EstimateAgainstActual {
    let during = e.created_at..=e.run_finished_at.unwrap_or(u64::MAX);
    let mut actual = nothing();
    for t in traces.iter().filter(|t| t.stage == e.stage && during.contains(&t.created_at)) {
        actual.add(t);
    }
    EstimateAgainstActual {
        stage: e.stage,
        run_id: e.run_id.clone(),
        model: e.model.clone(),
        tokens: TokenRange { low: e.tokens_low, high: e.tokens_high },
        cost_usd: CostRange { low: e.cost_low, high: e.cost_high },
        actual_tokens: actual.total_tokens,
        actual_cost_usd: actual.cost_usd,
        actual_calls: actual.calls - actual.cache_hits,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use serde_json::json;

    /// A row as D1 answers it through serde-wasm-bindgen: whole numbers as integers.
    fn row(stage: &str, output: u64, cache_hit: u64, at: u64) -> Value {
        json!({"id": format!("t{at}"), "stage": stage, "execution_id": "e1", "call_kind": "generate",
               "attempt": 1, "model": "gemini-4-hydrogen", "model_version": null, "response_id": null,
               "unpriced": 0, "prompt_tokens": 100, "output_tokens": output, "thoughts_tokens": 10,
               "latency_ms": 900, "outcome": "ok", "error_class": null, "message": null, "retry_delay_ms": null,
               "segment": null, "thinking_level": "low", "cache_hit": cache_hit, "cost_usd": 0.001,
               "created_at": at})
    }

    fn estimate() -> Value {
        json!({"stage": "data", "run_id": "r1", "model": "gemini-4-hydrogen", "created_at": 25,
               "run_finished_at": 40, "tokens_low": 100, "tokens_high": 300, "cost_low": 0.001, "cost_high": 0})
    }

    fn traces(rows: &[Value], estimates: &[Value]) -> Traces {
        report("p1", &ExecutionTrace::read_all(rows).unwrap(), &RunEstimate::read_all(estimates).unwrap())
    }

    #[test]
    fn traces_add_up_overall_by_stage_and_against_the_runs_estimates() {
        let rows = [row("prd", 50, 0, 10), row("prd", 0, 1, 20), row("data", 70, 0, 30), row("data", 5, 0, 99)];
        let r = traces(&rows, &[estimate()]);
        assert_eq!(r.traces.len(), 4);
        assert!(r.traces[1].cache_hit && !r.traces[0].cache_hit);
        assert_eq!((r.totals.calls, r.totals.total_tokens), (4, 4 * 110 + 125));
        assert_eq!(r.by_stage["prd"].cache_hits, 1);
        assert_eq!(r.by_stage.keys().collect::<Vec<_>>(), ["data", "prd"]);
        // Only the data call within the run counts against its estimate.
        let e = &r.estimates[0];
        assert_eq!((e.actual_tokens, e.actual_calls, e.tokens.high), (180, 1, 300));
        // A run still going: every call of the stage since it started.
        let mut going = estimate();
        going["run_finished_at"] = Value::Null;
        assert_eq!(traces(&rows, &[going]).estimates[0].actual_tokens, 180 + 115);
    }

    /// The answer is the JSON the API has always sent: the contract's names, flags as booleans.
    #[test]
    fn a_trace_answers_in_the_contracts_shape() {
        use crate::schema::Describe;
        let r = traces(&[row("prd", 50, 1, 10)], &[estimate()]);
        let answer = serde_json::to_value(&r).unwrap();
        assert_eq!(Traces::schema().check(&answer), Vec::<String>::new());
        assert_eq!(answer["traces"][0]["cacheHit"], true);
        assert_eq!(answer["traces"][0]["unpriced"], false);
        assert_eq!(answer["traces"][0]["thinkingLevel"], "low");
        assert_eq!(answer["traces"][0]["modelVersion"], Value::Null);
        assert_eq!(answer["estimates"][0]["costUsd"], json!({"low": 0.001, "high": 0.0}));
        assert_eq!(answer["byStage"]["prd"]["cacheHits"], 1);
    }

    #[test]
    fn a_row_that_does_not_fit_is_an_error_naming_its_column() {
        let error = |mut row: Value, column: &str, value: Value| {
            match value {
                Value::Bool(false) => drop(row.as_object_mut().unwrap().remove(column)),
                v => row[column] = v,
            }
            ExecutionTrace::read_all(&[row]).unwrap_err().to_string()
        };
        let good = row("prd", 5, 0, 1);
        // Missing, even where NULL is allowed.
        assert_eq!(error(good.clone(), "attempt", json!(false)), "D1 execution_traces row has no column `attempt`");
        assert_eq!(error(good.clone(), "segment", json!(false)), "D1 execution_traces row has no column `segment`");
        for (column, bad) in [
            ("attempt", json!("1")),
            ("attempt", json!(-1)),
            ("attempt", json!(1.5)),
            ("id", Value::Null),
            ("stage", json!("nonsense")),
            ("outcome", json!("maybe")),
            ("cache_hit", json!(2)),
            ("thinking_level", json!(3)),
            ("created_at", Value::Null),
        ] {
            let e = error(good.clone(), column, bad.clone());
            assert!(e.starts_with(&format!("D1 execution_traces row: column `{column}`: ")), "{column}={bad}: {e}");
        }
        let mut estimate = estimate();
        estimate["tokens_low"] = json!("many");
        let e = RunEstimate::read_all(&[estimate]).unwrap_err().to_string();
        assert!(e.starts_with("D1 run_estimates row: column `tokens_low`: "), "{e}");
        assert_eq!(
            RunEstimate::read_all(&[json!([1])]).unwrap_err().to_string(),
            "a D1 run_estimates row is [1], not an object"
        );
    }

    #[test]
    fn the_select_lists_are_the_records_in_order() {
        assert!(ExecutionTrace::COLUMNS.starts_with("id, stage, execution_id, call_kind, attempt,"));
        assert!(ExecutionTrace::COLUMNS.ends_with(", cache_hit, cost_usd, created_at"));
        assert!(RunEstimate::COLUMNS.ends_with(
            ", created_at, (SELECT finished_at FROM runs WHERE runs.id = run_estimates.run_id) AS run_finished_at"
        ));
        // The test's row (every column the record reads, as D1 answers them) is the list.
        let row = row("api", 1, 0, 1);
        let mut listed: Vec<&str> = ExecutionTrace::COLUMNS.split(", ").collect();
        let mut carried: Vec<&str> = row.as_object().unwrap().keys().map(String::as_str).collect();
        listed.sort_unstable();
        carried.sort_unstable();
        assert_eq!(listed, carried);
    }
}
