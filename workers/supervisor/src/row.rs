//! Typed D1 rows: one declaration per row type gives both the SELECT list
//! and the decoder, so a query and the struct it fills cannot disagree, and
//! a column that is missing or of the wrong type is an error naming it —
//! never "" or 0.
//!
//! Rows are read with `all()` as objects keyed by column name, not with
//! `raw()`'s positional arrays: `all()`'s answer carries `meta`
//! (`rows_read`, `rows_written`: "Prepared statement methods",
//! developers.cloudflare.com/d1/worker-api/prepared-statements, read
//! 2026-12-06), which the Free-plan meter counts, and worker 0.8.7's
//! `raw()` returns the rows alone. Columns of one name collide in an
//! object (workerd's discussion of it: github.com/cloudflare/workerd/pull/696,
//! read 2026-12-06), so every column of a SELECT list has its own name
//! (`expr AS field`, which the declaration writes). Decoding from
//! `serde_json::Value` rather than with serde's derive keeps the WASM
//! small; it also makes the decoders testable natively.

use parit_shared::gemini::catalogue::ThinkingLevel;
use parit_shared::run::store::{CheckpointStatus, Source, StoreError};
use parit_shared::run::RunStatus;
use parit_shared::Stage;
use serde_json::Value;
use std::cell::Cell;
use std::collections::BTreeMap;

/// A type one D1 row decodes into.
pub(crate) trait Row: Sized {
    /// The SELECT list: every field, in order, each under its own name.
    const COLUMNS: &'static str;
    /// The row as this type, or an error naming the first column that does not fit.
    fn decode(row: &Value) -> Result<Self, StoreError>;
}

/// `SELECT <R's columns> <from>`: the rest of the query (`FROM …`) after the list.
#[inline]
pub(crate) fn select<R: Row>(from: &str) -> String {
    query(R::COLUMNS, from)
}

fn query(columns: &str, from: &str) -> String {
    ["SELECT ", columns, " ", from].concat()
}

/// Every row, decoded; the first that does not fit fails the read.
pub(crate) fn decode_all<R: Row>(rows: &[Value]) -> Result<Vec<R>, StoreError> {
    // A loop, not `collect()` into a `Result`: the same work in less WASM.
    let mut all = Vec::with_capacity(rows.len());
    for row in rows {
        all.push(R::decode(row)?);
    }
    Ok(all)
}

/// The first row, decoded, if there is one.
pub(crate) fn decode_first<R: Row>(rows: &[Value]) -> Result<Option<R>, StoreError> {
    rows.first().map(R::decode).transpose()
}

/// A value D1 answers in one column (JSON as `results` gives it: text,
/// numbers as floats, NULL as null).
pub(crate) trait Column: Sized {
    /// The value, or `None` when it is not of this type.
    fn from_column(v: &Value) -> Option<Self>;
    /// A stand-in while a row that does not fit is read to its end (the
    /// row is then refused: a stand-in is never seen).
    fn stand_in() -> Self;
}

/// Reads one row's columns, keeping the first that did not fit. Every
/// field is read and the row refused at the end, rather than returning at
/// the first misfit: one exit instead of one per field keeps each decoder
/// small.
pub(crate) struct Reader<'a> {
    row: &'a Value,
    misfit: Cell<Option<&'static str>>,
}

impl<'a> Reader<'a> {
    /// A reader of `row`.
    pub(crate) fn new(row: &'a Value) -> Self {
        Reader { row, misfit: Cell::new(None) }
    }

    /// Column `name` as `T` (a stand-in, and the row refused, when it is
    /// missing or does not fit).
    pub(crate) fn column<T: Column>(&self, name: &'static str) -> T {
        match self.row.get(name).and_then(T::from_column) {
            Some(v) => v,
            None => {
                if self.misfit.get().is_none() {
                    self.misfit.set(Some(name));
                }
                T::stand_in()
            }
        }
    }

    /// `value` read whole, or the error naming the first column that did not fit.
    pub(crate) fn finish<T>(self, value: T) -> Result<T, StoreError> {
        match self.misfit.get() {
            None => Ok(value),
            Some(name) => Err(misfit(name, self.row.get(name))),
        }
    }
}

/// A row that does not fit its type (a renamed column, a schema the code
/// does not know): a failure of the store, not of the request.
fn misfit(name: &str, v: Option<&Value>) -> StoreError {
    StoreError::Unavailable(match v {
        None => format!("D1 row has no column `{name}`"),
        Some(v) => format!("D1 column `{name}` holds {v}, not what the row type reads"),
    })
}

/// Columns whose stand-in is their type's default.
macro_rules! default_stand_in {
    () => {
        fn stand_in() -> Self {
            Self::default()
        }
    };
}

impl Column for String {
    fn from_column(v: &Value) -> Option<Self> {
        v.as_str().map(str::to_string)
    }
    default_stand_in!();
}

impl Column for f64 {
    fn from_column(v: &Value) -> Option<Self> {
        v.as_f64()
    }
    default_stand_in!();
}

/// INTEGER columns come back as JS numbers: whole and not negative.
impl Column for u64 {
    fn from_column(v: &Value) -> Option<Self> {
        v.as_f64().filter(|f| *f >= 0.0 && f.fract() == 0.0).map(|f| f as u64)
    }
    default_stand_in!();
}

impl Column for u32 {
    fn from_column(v: &Value) -> Option<Self> {
        u64::from_column(v).and_then(|n| u32::try_from(n).ok())
    }
    default_stand_in!();
}

/// A flag stored as INTEGER 0 or 1.
impl Column for bool {
    fn from_column(v: &Value) -> Option<Self> {
        match u64::from_column(v)? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
    default_stand_in!();
}

/// NULL is `None`; anything else must fit `T`.
impl<T: Column> Column for Option<T> {
    fn from_column(v: &Value) -> Option<Self> {
        if v.is_null() {
            Some(None)
        } else {
            T::from_column(v).map(Some)
        }
    }
    fn stand_in() -> Self {
        None
    }
}

/// The project's per-stage models, stored as JSON text; NULL is none.
impl Column for BTreeMap<Stage, String> {
    fn from_column(v: &Value) -> Option<Self> {
        match v {
            Value::Null => Some(BTreeMap::new()),
            v => serde_json::from_str(v.as_str()?).ok(),
        }
    }
    default_stand_in!();
}

/// Labels stored as their text (`as_str`), read back with `parse`; the
/// stand-in is any label.
macro_rules! label_columns {
    ($($t:ty = $stand_in:expr),+) => {$(
        impl Column for $t {
            fn from_column(v: &Value) -> Option<Self> {
                <$t>::parse(v.as_str()?)
            }
            fn stand_in() -> Self {
                $stand_in
            }
        }
    )+};
}
label_columns!(
    Stage = Stage::Prd,
    Source = Source::Agent,
    CheckpointStatus = CheckpointStatus::Done,
    RunStatus = RunStatus::Running,
    ThinkingLevel = ThinkingLevel::Low
);

/// Declares how a type is read from D1: `struct` declares the row type
/// (`pub(crate)` fields), `impl` reads an existing one (a domain record,
/// whose every field must then be named). A field is read from the column
/// of its name; `field = "sql"` selects `sql AS field` (a join's alias, an
/// aggregate). The struct literal the decoder builds makes a forgotten or
/// misspelled field a compile error.
macro_rules! row {
    ($(#[$m:meta])* struct $name:ident { $($(#[$fm:meta])* $f:ident: $t:ty $(= $sql:literal)?),+ $(,)? }) => {
        $(#[$m])*
        pub(crate) struct $name { $($(#[$fm])* pub(crate) $f: $t,)+ }
        row!(impl $name { $($f $(= $sql)?),+ });
    };
    (impl $name:ty { $($f:ident $(= $sql:literal)?),+ $(,)? }) => {
        impl $crate::row::Row for $name {
            const COLUMNS: &'static str = row!(@list $($f $(= $sql)?),+);
            fn decode(row: &serde_json::Value) -> Result<Self, parit_shared::run::store::StoreError> {
                let r = $crate::row::Reader::new(row);
                let value = Self { $($f: r.column(stringify!($f)),)+ };
                r.finish(value)
            }
        }
    };
    (@list $f:ident $(= $sql:literal)?) => { concat!($($sql, " AS ",)? stringify!($f)) };
    (@list $f:ident $(= $sql:literal)?, $($rest:tt)+) => {
        concat!($($sql, " AS ",)? stringify!($f), ", ", row!(@list $($rest)+))
    };
}
pub(crate) use row;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    row! {
        /// A row with every kind of column the supervisor reads.
        struct Sample {
            id: String,
            stage: Stage,
            count: u64 = "COUNT(*)",
            note: Option<String>,
            at: Option<u64>,
            flag: bool,
        }
    }

    fn sample() -> Value {
        json!({"id": "a1", "stage": "data", "count": 3.0, "note": "hi", "at": 1700000000000.0, "flag": 1})
    }

    fn error(row: Value) -> String {
        match Sample::decode(&row) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("{row} decoded"),
        }
    }

    #[test]
    fn the_select_list_is_the_struct_in_order_with_aliases() {
        assert_eq!(Sample::COLUMNS, "id, stage, COUNT(*) AS count, note, at, flag");
        assert_eq!(select::<Sample>("FROM t"), "SELECT id, stage, COUNT(*) AS count, note, at, flag FROM t");
    }

    #[test]
    fn a_row_that_fits_decodes() {
        let s = Sample::decode(&sample()).unwrap();
        assert_eq!(
            (s.id.as_str(), s.stage, s.count, s.note.as_deref(), s.at, s.flag),
            ("a1", Stage::Data, 3, Some("hi"), Some(1_700_000_000_000), true)
        );
    }

    #[test]
    fn nulls_are_none() {
        let mut row = sample();
        row["note"] = Value::Null;
        row["at"] = Value::Null;
        let s = Sample::decode(&row).unwrap();
        assert_eq!((s.note, s.at), (None, None));
    }

    #[test]
    fn a_missing_column_is_an_error_naming_it() {
        let mut row = sample();
        row.as_object_mut().unwrap().remove("count");
        assert_eq!(error(row), "storage unavailable: D1 row has no column `count`");
        // Even where NULL is allowed: a missing column is not a NULL.
        let mut row = sample();
        row.as_object_mut().unwrap().remove("note");
        assert!(error(row).contains("no column `note`"));
    }

    #[test]
    fn a_column_of_the_wrong_type_is_an_error_naming_it() {
        for (col, bad) in [
            ("id", json!(7)),
            ("id", Value::Null),
            ("count", json!("3")),
            ("count", json!(-1)),
            ("count", json!(2.5)),
            ("stage", json!("nonsense")),
            ("at", json!("soon")),
            ("flag", json!(2)),
        ] {
            let mut row = sample();
            row[col] = bad.clone();
            let e = error(row);
            assert!(e.contains(&format!("column `{col}` holds {bad}")), "{col}={bad}: {e}");
        }
    }

    #[test]
    fn all_rows_or_an_error_first_row_or_none() {
        let mut bad = sample();
        bad["stage"] = json!("nonsense");
        assert_eq!(decode_all::<Sample>(&[sample(), sample()]).unwrap().len(), 2);
        assert!(decode_all::<Sample>(&[sample(), bad.clone()]).is_err());
        assert!(decode_first::<Sample>(&[]).unwrap().is_none());
        assert!(decode_first::<Sample>(&[bad]).is_err());
    }

    #[test]
    fn stage_models_are_json_text_and_null_is_none() {
        let read = |v: Value| <BTreeMap<Stage, String>>::from_column(&v);
        assert_eq!(read(Value::Null), Some(BTreeMap::new()));
        assert_eq!(
            read(json!(r#"{"frontend":"gemini-x"}"#)),
            Some(BTreeMap::from([(Stage::Frontend, "gemini-x".into())]))
        );
        assert_eq!(read(json!("{not json")), None);
        assert_eq!(read(json!(3)), None);
    }

    #[test]
    fn integers_fit_their_width() {
        assert_eq!(u32::from_column(&json!(4_294_967_295u64)), Some(u32::MAX));
        assert_eq!(u32::from_column(&json!(4_294_967_296u64)), None);
        assert_eq!(u64::from_column(&json!(12)), Some(12));
    }
}
