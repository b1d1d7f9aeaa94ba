//! [`ToJson`]: a record's opt-in way to become JSON as `json!` builds it,
//! held to serde's output.

use super::*;

/// A second, opt-in way for a type to become JSON: a [`Value`] built with
/// one [`Map`] insert per field, as `serde_json::json!` builds one, for an
/// HTTP answer that would otherwise pay for serde's derived `Serialize`
/// (instantiated again per type and per serializer: the supervisor's WASM
/// size). A [`record!`](crate::record) declared with `#[to_json]` gets it,
/// as does every [`label_enum!`](crate::label_enum); its output equals
/// serde's (a test holds every record that has it to that). It pays where
/// it retires serde code, not everywhere (docs/ARCHITECTURE.md, "Typed
/// answers without serde").
pub trait ToJson {
    /// The value serde would write.
    fn to_json(&self) -> Value;

    /// The value, or `None` where serde's `skip_serializing_if` (on a
    /// record's field: `Option::is_none` or `Vec::is_empty`) skips it.
    fn present(&self) -> Option<Value> {
        Some(self.to_json())
    }
}

impl ToJson for String {
    fn to_json(&self) -> Value {
        Value::String(self.clone())
    }
}
impl ToJson for bool {
    fn to_json(&self) -> Value {
        Value::Bool(*self)
    }
}
// Numbers as serde_json writes them (an `f64` that is not finite: `null`).
macro_rules! number_to_json {
    ($($t:ty),*) => {$(
        impl ToJson for $t {
            fn to_json(&self) -> Value {
                Value::from(*self)
            }
        }
    )*};
}
number_to_json!(u32, u64, i64, f64);
impl ToJson for Value {
    fn to_json(&self) -> Value {
        self.clone()
    }
}
impl ToJson for Map<String, Value> {
    fn to_json(&self) -> Value {
        Value::Object(self.clone())
    }
}
impl<T: ToJson> ToJson for std::collections::BTreeMap<String, T> {
    fn to_json(&self) -> Value {
        // Inserts, not `collect`: a map collected from an iterator sorts,
        // code each Worker pays for.
        let mut map = Map::new();
        for (k, v) in self {
            map.insert(k.clone(), v.to_json());
        }
        Value::Object(map)
    }
}
impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> Value {
        let mut items = Vec::with_capacity(self.len());
        for item in self {
            items.push(item.to_json());
        }
        Value::Array(items)
    }
    fn present(&self) -> Option<Value> {
        (!self.is_empty()).then(|| self.to_json())
    }
}
impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self) -> Value {
        self.as_ref().map_or(Value::Null, T::to_json)
    }
    fn present(&self) -> Option<Value> {
        self.as_ref().map(T::to_json)
    }
}

/// Adds a record's field to its JSON object, unless serde would skip it.
/// One function for every field of every record: a record's [`ToJson`] is
/// a call to it per field, as `json!` is an insert per key.
pub fn put(object: &mut Map<String, Value>, name: &'static str, value: Option<Value>) {
    if let Some(value) = value {
        object.insert(name.to_string(), value);
    }
}

/// The length of `snake`'s [`camel_case`] (ASCII field names), at compile time.
pub const fn camel_len(snake: &str) -> usize {
    let bytes = snake.as_bytes();
    let (mut i, mut n) = (0, 0);
    while i < bytes.len() {
        if bytes[i] != b'_' {
            n += 1;
        }
        i += 1;
    }
    n
}

/// [`camel_case`] of an ASCII field name at compile time, as `N` bytes
/// (`N` is [`camel_len`]): [`record!`](crate::record)'s JSON names.
pub const fn camel_bytes<const N: usize>(snake: &str) -> [u8; N] {
    let bytes = snake.as_bytes();
    let mut out = [0u8; N];
    let (mut i, mut n, mut upper) = (0, 0, false);
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'_' {
            upper = true;
        } else {
            out[n] = if upper { c.to_ascii_uppercase() } else { c };
            upper = false;
            n += 1;
        }
        i += 1;
    }
    out
}

/// Whether `skip` is a `skip_serializing_if` that [`ToJson::present`]
/// follows: a record's `#[to_json]` does not build with another.
pub const fn known_skip(skip: &str) -> bool {
    const fn same(a: &[u8], b: &[u8]) -> bool {
        if a.len() != b.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() {
            if a[i] != b[i] {
                return false;
            }
            i += 1;
        }
        true
    }
    same(skip.as_bytes(), b"Option::is_none") || same(skip.as_bytes(), b"Vec::is_empty")
}

/// A field's JSON name, computed at compile time.
#[doc(hidden)]
#[macro_export]
macro_rules! __json_name {
    ($field:ident) => {{
        const N: usize = $crate::schema::camel_len(stringify!($field));
        const BYTES: [u8; N] = $crate::schema::camel_bytes::<N>(stringify!($field));
        const NAME: &str = match ::core::str::from_utf8(&BYTES) {
            Ok(name) => name,
            Err(_) => panic!("a field name is ASCII"),
        };
        NAME
    }};
}

/// A field's JSON value: always there, or where serde would skip it, absent.
#[doc(hidden)]
#[macro_export]
macro_rules! __json_field {
    ($value:expr) => {
        Some($crate::schema::ToJson::to_json(&$value))
    };
    ($value:expr, $skip:literal) => {{
        const _: () =
            assert!($crate::schema::known_skip($skip), "ToJson follows only Option::is_none and Vec::is_empty");
        $crate::schema::ToJson::present(&$value)
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value of `schema` with every optional property present and every
    /// nullable one set (`full`), or with every optional property absent and
    /// every nullable one null (`!full`).
    fn sample_of(schema: &Schema, full: bool) -> Value {
        match schema {
            Schema::Named { schema, .. } | Schema::Refined { schema, .. } => sample_of(schema, full),
            Schema::Nullable(inner) if full => sample_of(inner, full),
            Schema::Nullable(_) => Value::Null,
            Schema::String => json!("text"),
            Schema::Enum(values) => json!(values[values.len() - 1]),
            Schema::Integer => json!(3),
            Schema::Number => json!(0.25),
            Schema::Boolean => json!(full),
            Schema::Array(item) if full => json!([sample_of(item, true), sample_of(item, false)]),
            Schema::Array(_) => json!([]),
            Schema::Map(inner) if full => json!({"prd": sample_of(inner, true), "api": sample_of(inner, false)}),
            Schema::Map(_) => json!({}),
            Schema::Any => json!({"a": [1, "b", null, {"c": 2.5}]}),
            Schema::Object(props) => Value::Object(
                props
                    .iter()
                    .filter(|p| full || !p.optional)
                    .map(|p| (p.name.clone(), sample_of(&p.schema, full)))
                    .collect(),
            ),
        }
    }

    /// `T`'s [`ToJson`] writes what serde writes, on a sample with every
    /// optional value there and one with none.
    fn same_as_serde<T>()
    where
        T: Describe + ToJson + serde::Serialize + serde::de::DeserializeOwned + std::fmt::Debug,
    {
        for full in [true, false] {
            let sample = sample_of(&T::schema(), full);
            let value: T = serde_json::from_value(sample.clone()).unwrap_or_else(|e| panic!("{sample}: {e}"));
            let ours = value.to_json();
            assert_eq!(ours, serde_json::to_value(&value).unwrap(), "{value:?}");
            // The text too, as a client reads it (the keys in another order:
            // a `Value`'s object is sorted, as the `json!` answers were).
            let text = serde_json::to_string(&value).unwrap();
            assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), ours, "{text}");
            // And nothing was lost on the way: the sample is what serde read.
            assert_eq!(ours, sample, "{}", std::any::type_name::<T>());
        }
    }

    /// Every record that has `#[to_json]` (an HTTP answer the supervisor
    /// builds) writes exactly what serde would.
    #[test]
    fn to_json_writes_what_serde_writes() {
        use crate::api::{artifacts as a, projects as p, root as r, runs as u};
        same_as_serde::<r::Index>();
        same_as_serde::<r::Health>();
        same_as_serde::<r::McpReply>();
        same_as_serde::<a::ArtifactVersion>();
        same_as_serde::<a::ArtifactList>();
        same_as_serde::<a::ArtifactAnswer>();
        same_as_serde::<a::Edited>();
        same_as_serde::<a::Imported>();
        same_as_serde::<p::ReadyTally>();
        same_as_serde::<p::ProjectSummary>();
        same_as_serde::<p::ProjectPage>();
        same_as_serde::<p::StageError>();
        same_as_serde::<p::StageView>();
        same_as_serde::<p::Run>();
        same_as_serde::<p::Deleted>();
        same_as_serde::<u::RunAnswer>();
        same_as_serde::<u::StageExecuted>();
        same_as_serde::<u::RunActive>();
        same_as_serde::<u::RunStarted>();
        same_as_serde::<u::ActivityEvent>();
        same_as_serde::<u::Activity>();
        same_as_serde::<u::LiveActivity>();
        same_as_serde::<u::TokenRange>();
        same_as_serde::<u::CostRange>();
        same_as_serde::<u::StageEstimate>();
        same_as_serde::<u::PlanStage>();
        same_as_serde::<u::BudgetCheck>();
        same_as_serde::<u::Plan>();
    }

    /// The settings (by hand) and the records that hold them.
    #[test]
    fn settings_to_json_writes_what_serde_writes() {
        use crate::api::projects::{Project, Run, SettingsChanged, StageView};
        use crate::gemini::catalogue::ThinkingLevel;
        // A run waiting for quota, its `resumeAt` null (present, unlike absent).
        let sample_run =
            || Run { resume_at: Some(None), ..serde_json::from_value::<Run>(sample_of(&Run::schema(), true)).unwrap() };
        assert_eq!(sample_run().to_json().get("resumeAt"), Some(&Value::Null));
        assert_eq!(sample_run().to_json(), serde_json::to_value(sample_run()).unwrap());
        use crate::project::ProjectSettings;
        let mut set = ProjectSettings {
            temperature: Some(0.5),
            max_output_tokens: Some(2048),
            thinking: Some(ThinkingLevel::High),
            token_budget: Some(90_000),
            auto_advance: false,
            ..ProjectSettings::default()
        };
        set.stage_models.insert(crate::Stage::Frontend, "gemini-3-pro".into());
        set.stage_models.insert(crate::Stage::Data, "gemini-3-flash".into());
        for settings in [ProjectSettings::default(), set] {
            assert_eq!(settings.to_json(), serde_json::to_value(&settings).unwrap());
            for model_warnings in [vec![], vec!["model: old".to_string()]] {
                let changed = SettingsChanged {
                    project_id: "p1".into(),
                    settings: settings.clone(),
                    model_warnings: model_warnings.clone(),
                };
                assert_eq!(changed.to_json(), serde_json::to_value(&changed).unwrap());
                // A project holds settings, stages and a run (a typed sample
                // cannot: its settings are not read from any text).
                for run in [None, Some(sample_run())] {
                    let project = Project {
                        id: "p1".into(),
                        name: "Clinic".into(),
                        idea: "Book appointments".into(),
                        created_at: 1,
                        updated_at: 2,
                        settings: settings.clone(),
                        model_warnings: model_warnings.clone(),
                        stages: vec![serde_json::from_value(sample_of(&StageView::schema(), true)).unwrap()],
                        run,
                    };
                    assert_eq!(project.to_json(), serde_json::to_value(&project).unwrap());
                }
            }
        }
    }

    #[test]
    fn json_names_are_camel_case_at_compile_time() {
        assert_eq!(crate::__json_name!(user_stories), "userStories");
        assert_eq!(crate::__json_name!(id), "id");
        assert_eq!(crate::__json_name!(objects_deleted), "objectsDeleted");
        assert!(known_skip("Option::is_none") && known_skip("Vec::is_empty") && !known_skip("is_zero"));
    }
}
