//! Gemini's `responseSchema` (an OpenAPI 3.0 schema subset) generated from the
//! Rust artifact types, plus a checker that reports *every* way a JSON value
//! departs from a schema.
//!
//! The artifact structs are declared once with [`record!`](crate::record) and
//! [`label_enum!`](crate::label_enum); both macros emit the serde type and its
//! [`Describe`] impl, so the schema the model is held to and the type its output
//! is parsed into cannot drift apart.

use serde_json::{json, Map, Value};

/// A schema in the subset Gemini accepts for `responseSchema`.
#[derive(Debug, Clone, PartialEq)]
pub enum Schema {
    /// Free text.
    String,
    /// One of a fixed set of strings.
    Enum(&'static [&'static str]),
    /// A whole number.
    Integer,
    /// Any number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// A list of one item type.
    Array(Box<Schema>),
    /// An object with ordered, described properties.
    Object(Vec<Property>),
    /// The inner schema or `null`; such a property is not required.
    Nullable(Box<Schema>),
    /// Any JSON value (an artifact body the API passes through whole).
    /// HTTP API only: no artifact uses it, so Gemini never sees it.
    Any,
    /// An object whose keys are data (a stage's name, an agent's name),
    /// each holding a value of one schema. HTTP API only.
    Map(Box<Schema>),
    /// The inner schema with further JSON Schema keywords for the OpenAPI
    /// document (bounds, lengths, patterns, formats), as the text of a JSON
    /// object's members, e.g. `"minimum": 1`. Only the OpenAPI form shows
    /// them; the other forms and the check read the inner schema.
    Refined {
        /// The schema refined.
        schema: Box<Schema>,
        /// The keywords, as JSON object members.
        keywords: &'static str,
    },
    /// A declared Rust type (a [`record!`](crate::record) or a
    /// [`label_enum!`](crate::label_enum)) and its shape. The name reaches no
    /// wire form; it lets the TypeScript declarations name their types.
    Named {
        /// The Rust type's name, e.g. `UserStory`.
        name: &'static str,
        /// Its doc comment.
        doc: &'static str,
        /// Its shape.
        schema: Box<Schema>,
    },
}

/// One property of an object schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    /// The JSON name (camelCase).
    pub name: String,
    /// What the model should put there.
    pub description: String,
    /// The value's schema.
    pub schema: Schema,
    /// Whether the property may be absent though its schema is not nullable:
    /// a field added to an artifact after artifacts were stored without it
    /// (the Rust field is `#[serde(default)]`).
    pub optional: bool,
}

impl Property {
    /// A property from a Rust field name (converted to camelCase) and its doc text.
    pub fn new(rust_name: &str, description: &str, schema: Schema) -> Self {
        Self { name: camel_case(rust_name), description: description.trim().to_string(), schema, optional: false }
    }

    /// The same property, allowed to be absent.
    pub fn optional(self) -> Self {
        Self { optional: true, ..self }
    }

    /// The schema of the property when it is there. An optional field of the
    /// HTTP API's types is an `Option` that is skipped when `None`: present,
    /// it is the inner value, not null (one that may also be null is an
    /// `Option<Option<T>>`). Elsewhere, the property's schema.
    pub fn present(&self) -> Schema {
        fn peel(schema: &Schema) -> Schema {
            match schema {
                Schema::Nullable(inner) => (**inner).clone(),
                // The keywords stay with the value: peel the Option under them.
                Schema::Refined { schema, keywords } => Schema::Refined { schema: Box::new(peel(schema)), keywords },
                other => other.clone(),
            }
        }
        if self.optional {
            peel(&self.schema)
        } else {
            self.schema.clone()
        }
    }

    /// Whether a value must carry the property: not when it is nullable or optional.
    pub fn required(&self) -> bool {
        !self.optional && !matches!(self.schema.bare(), Schema::Nullable(_))
    }
}

/// A type whose JSON shape can be described as a [`Schema`].
pub trait Describe {
    /// The schema of this type's JSON form.
    fn schema() -> Schema;
}

impl Describe for String {
    fn schema() -> Schema {
        Schema::String
    }
}
impl Describe for bool {
    fn schema() -> Schema {
        Schema::Boolean
    }
}
impl Describe for u32 {
    fn schema() -> Schema {
        Schema::Integer
    }
}
impl Describe for f64 {
    fn schema() -> Schema {
        Schema::Number
    }
}
impl Describe for u64 {
    fn schema() -> Schema {
        Schema::Integer
    }
}
impl Describe for i64 {
    fn schema() -> Schema {
        Schema::Integer
    }
}
impl Describe for serde_json::Value {
    fn schema() -> Schema {
        Schema::Any
    }
}
impl Describe for Map<String, Value> {
    fn schema() -> Schema {
        Schema::Map(Box::new(Schema::Any))
    }
}
impl<T: Describe> Describe for std::collections::BTreeMap<String, T> {
    fn schema() -> Schema {
        Schema::Map(Box::new(T::schema()))
    }
}
impl<T: Describe> Describe for Vec<T> {
    fn schema() -> Schema {
        Schema::Array(Box::new(T::schema()))
    }
}
impl<T: Describe> Describe for Option<T> {
    fn schema() -> Schema {
        Schema::Nullable(Box::new(T::schema()))
    }
}

/// `user_stories` → `userStories`.
pub fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

mod to_json;
pub use to_json::*;

impl Schema {
    /// `schema` with `keywords` (JSON object members), or `schema` itself
    /// when there are none.
    pub fn refined(schema: Schema, keywords: &'static str) -> Schema {
        if keywords.is_empty() {
            schema
        } else {
            Schema::Refined { schema: Box::new(schema), keywords }
        }
    }

    /// The schema without its [`Schema::Refined`] keywords.
    pub fn bare(&self) -> &Schema {
        match self {
            Schema::Refined { schema, .. } => schema.bare(),
            other => other,
        }
    }

    /// The schema as Gemini's `generationConfig.responseSchema` JSON.
    pub fn to_gemini(&self) -> Value {
        self.to_gemini_with(None)
    }

    fn to_gemini_with(&self, description: Option<&str>) -> Value {
        let mut out = match self {
            Schema::Named { schema, .. } | Schema::Refined { schema, .. } => schema.to_gemini(),
            // Not in any artifact (a test holds them to that); the nearest form.
            Schema::Any | Schema::Map(_) => json!({"type": "OBJECT"}),
            Schema::String => json!({"type": "STRING"}),
            Schema::Enum(values) => json!({"type": "STRING", "format": "enum", "enum": values}),
            Schema::Integer => json!({"type": "INTEGER"}),
            Schema::Number => json!({"type": "NUMBER"}),
            Schema::Boolean => json!({"type": "BOOLEAN"}),
            Schema::Array(item) => json!({"type": "ARRAY", "items": item.to_gemini()}),
            Schema::Nullable(inner) => {
                let mut v = inner.to_gemini();
                v["nullable"] = Value::Bool(true);
                v
            }
            Schema::Object(props) => {
                let mut properties = Map::new();
                for p in props {
                    let d = (!p.description.is_empty()).then_some(p.description.as_str());
                    properties.insert(p.name.clone(), p.schema.to_gemini_with(d));
                }
                let names: Vec<&str> = props.iter().map(|p| p.name.as_str()).collect();
                let required: Vec<&str> = props.iter().filter(|p| p.required()).map(|p| p.name.as_str()).collect();
                json!({
                    "type": "OBJECT",
                    "properties": properties,
                    "required": required,
                    "propertyOrdering": names,
                })
            }
        };
        if let Some(d) = description {
            out["description"] = Value::String(d.to_string());
        }
        out
    }

    /// Every place where `value` does not fit this schema, as `path: problem`.
    pub fn check(&self, value: &Value) -> Vec<String> {
        let mut problems = Vec::new();
        self.check_at(value, "$", &mut problems);
        problems
    }

    fn check_at(&self, value: &Value, path: &str, out: &mut Vec<String>) {
        match (self, value) {
            (Schema::Nullable(_), Value::Null) => {}
            (Schema::Nullable(inner), v)
            | (Schema::Named { schema: inner, .. }, v)
            | (Schema::Refined { schema: inner, .. }, v) => inner.check_at(v, path, out),
            // No artifact has either (the check holds model output to them);
            // the HTTP types' maps are held to their schema by the fuzz
            // suite. Not looked into here: the supervisor checks artifacts
            // and carries this code (its WASM size).
            (Schema::Any | Schema::Map(_), _) => {}
            (Schema::String, Value::String(_)) => {}
            (Schema::Enum(values), Value::String(s)) => {
                if !values.contains(&s.as_str()) {
                    out.push(format!("{path}: \"{s}\" is not one of {}", values.join(", ")));
                }
            }
            (Schema::Integer, Value::Number(n)) => {
                if !(n.is_u64() || n.is_i64()) {
                    out.push(format!("{path}: expected a whole number, got {n}"));
                }
            }
            (Schema::Number, Value::Number(_)) | (Schema::Boolean, Value::Bool(_)) => {}
            (Schema::Array(item), Value::Array(items)) => {
                for (i, v) in items.iter().enumerate() {
                    item.check_at(v, &format!("{path}[{i}]"), out);
                }
            }
            (Schema::Object(props), Value::Object(map)) => {
                for p in props {
                    match map.get(&p.name) {
                        Some(v) => p.schema.check_at(v, &format!("{path}.{}", p.name), out),
                        None if p.required() => out.push(format!("{path}: missing required property \"{}\"", p.name)),
                        None => {}
                    }
                }
            }
            (schema, v) => out.push(format!("{path}: expected {}, got {}", schema.kind_name(), json_kind(v))),
        }
    }

    fn kind_name(&self) -> &'static str {
        match self {
            Schema::String | Schema::Enum(_) => "a string",
            Schema::Integer => "an integer",
            Schema::Number => "a number",
            Schema::Boolean => "a boolean",
            Schema::Array(_) => "an array",
            Schema::Object(_) | Schema::Map(_) | Schema::Any => "an object",
            Schema::Nullable(inner) | Schema::Named { schema: inner, .. } | Schema::Refined { schema: inner, .. } => {
                inner.kind_name()
            }
        }
    }

    /// A small value that fits the schema (one item per array, the first enum
    /// value, `null` for nullable properties): used to prove schema and type agree.
    pub fn sample(&self) -> Value {
        match self {
            Schema::String => Value::String("sample".into()),
            Schema::Enum(values) => Value::String(values.first().copied().unwrap_or("").into()),
            Schema::Integer => json!(1),
            Schema::Number => json!(1.5),
            Schema::Boolean => Value::Bool(true),
            Schema::Array(item) => Value::Array(vec![item.sample()]),
            Schema::Nullable(_) => Value::Null,
            Schema::Named { schema, .. } | Schema::Refined { schema, .. } => schema.sample(),
            Schema::Any | Schema::Map(_) => json!({}),
            Schema::Object(props) => Value::Object(props.iter().map(|p| (p.name.clone(), p.schema.sample())).collect()),
        }
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Declares an artifact record: the serde struct (camelCase JSON) and its
/// [`Describe`] impl, with each field's doc comment as its schema description.
///
/// A field added after artifacts were stored without it carries
/// `#[serde(default …)]` after its doc comment: serde fills it in when it is
/// absent, and its schema property is optional, so stored artifacts and
/// examples written before it still parse.
///
/// `#[openapi = "…"]` after a field's doc comment (and its `#[serde]`), or
/// after the struct's doc comment, adds JSON Schema keywords to the OpenAPI
/// form only ([`Schema::Refined`]): the HTTP API's types use it for bounds
/// and patterns; the artifacts, which Gemini reads, do not.
///
/// `#[to_json]` last before `pub struct` also implements [`ToJson`] (every
/// field's type must have it): an HTTP answer the supervisor builds.
#[macro_export]
macro_rules! record {
    (
        $(#[doc = $sdoc:literal])*
        $(#[openapi = $skw:literal])?
        #[to_json]
        pub struct $name:ident {
            $( $(#[doc = $fdoc:literal])* $(#[serde(default $(, skip_serializing_if = $skip:literal)?)])? $(#[openapi = $kw:literal])?
               pub $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $crate::record! {
            $(#[doc = $sdoc])*
            $(#[openapi = $skw])?
            pub struct $name {
                $( $(#[doc = $fdoc])* $(#[serde(default $(, skip_serializing_if = $skip)?)])? $(#[openapi = $kw])?
                   pub $field: $ty, )*
            }
        }

        impl $crate::schema::ToJson for $name {
            fn to_json(&self) -> serde_json::Value {
                let mut object = serde_json::Map::new();
                $( $crate::schema::put(&mut object, $crate::__json_name!($field), $crate::__json_field!(self.$field $($(, $skip)?)?)); )*
                serde_json::Value::Object(object)
            }
        }
    };
    (
        $(#[doc = $sdoc:literal])*
        $(#[openapi = $skw:literal])?
        pub struct $name:ident {
            $( $(#[doc = $fdoc:literal])* $(#[serde(default $(, skip_serializing_if = $skip:literal)?)])? $(#[openapi = $kw:literal])?
               pub $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[doc = $sdoc])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            $( $(#[doc = $fdoc])* $(#[serde(default $(, skip_serializing_if = $skip)?)])? pub $field: $ty, )*
        }

        impl $crate::schema::Describe for $name {
            fn schema() -> $crate::schema::Schema {
                $crate::schema::Schema::Named {
                    name: stringify!($name),
                    doc: concat!($($sdoc),*),
                    schema: Box::new($crate::schema::Schema::refined($crate::schema::Schema::Object(vec![
                        $( {
                            let property = $crate::schema::Property::new(
                                stringify!($field),
                                concat!($($fdoc),*),
                                $crate::schema::Schema::refined(
                                    <$ty as $crate::schema::Describe>::schema(),
                                    concat!("" $(, $kw)?),
                                ),
                            );
                            $( $( let _ = $skip; )? let property = property.optional(); )?
                            property
                        }, )*
                    ]), concat!("" $(, $skw)?))),
                }
            }
        }
    };
}

/// Declares a closed set of string labels: the enum, its serde names, `ALL`,
/// `as_str`, and a [`Describe`] impl as a schema enum.
#[macro_export]
macro_rules! label_enum {
    (
        $(#[doc = $sdoc:literal])*
        pub enum $name:ident { $( $(#[doc = $vdoc:literal])* $variant:ident = $text:literal ),* $(,)? }
    ) => {
        $(#[doc = $sdoc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( #[doc = concat!("`", $text, "`")] $(#[doc = $vdoc])* $variant, )*
        }

        // By hand, as the label's string: serde's derive for an enum reads
        // variants from strings, bytes, indexes and maps, code each
        // deserializer instantiates again (WASM size; the schema check
        // already names a wrong label with every allowed one).
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(d)?;
                Self::parse(&text).ok_or_else(|| {
                    <D::Error as serde::de::Error>::unknown_variant(&text, &[$($text),*])
                })
            }
        }

        impl $name {
            /// Every label, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The label as it appears in JSON.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }

            /// The value whose label is `text`.
            pub fn parse(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == text)
            }
        }

        impl $crate::schema::ToJson for $name {
            fn to_json(&self) -> serde_json::Value {
                serde_json::Value::String(self.as_str().to_string())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::schema::Describe for $name {
            fn schema() -> $crate::schema::Schema {
                $crate::schema::Schema::Named {
                    name: stringify!($name),
                    doc: concat!($($sdoc),*),
                    schema: Box::new($crate::schema::Schema::Enum(&[$($text),*])),
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_converts_snake_names() {
        assert_eq!(camel_case("user_stories"), "userStories");
        assert_eq!(camel_case("id"), "id");
        assert_eq!(camel_case("size_px"), "sizePx");
    }

    #[test]
    fn check_reports_every_problem_with_its_path() {
        let schema = Schema::Object(vec![
            Property::new("name", "", Schema::String),
            Property::new("tags", "", Schema::Array(Box::new(Schema::Enum(&["a", "b"])))),
            Property::new("note", "", Schema::Nullable(Box::new(Schema::String))),
        ]);
        let problems = schema.check(&json!({"tags": ["a", "c", 3]}));
        assert_eq!(
            problems,
            vec![
                "$: missing required property \"name\"",
                "$.tags[1]: \"c\" is not one of a, b",
                "$.tags[2]: expected a string, got a number",
            ]
        );
        assert!(schema.check(&json!({"name": "x", "tags": [], "note": null})).is_empty());
    }

    #[test]
    fn labels_read_and_write_as_their_strings_only() {
        use crate::artifact::Priority;
        assert_eq!(serde_json::to_value(Priority::Should).unwrap(), json!("should"));
        assert_eq!(serde_json::from_value::<Priority>(json!("could")).unwrap(), Priority::Could);
        assert_eq!(serde_json::from_str::<Priority>("\"must\"").unwrap(), Priority::Must);
        let err = serde_json::from_value::<Priority>(json!("may")).unwrap_err().to_string();
        assert_eq!(err, "unknown variant `may`, expected one of `must`, `should`, `could`");
        assert!(serde_json::from_value::<Priority>(json!(0)).is_err());
        // A map key (as in a map keyed by a label) reads too.
        let m: std::collections::BTreeMap<Priority, u8> = serde_json::from_str(r#"{"must": 1}"#).unwrap();
        assert_eq!(m[&Priority::Must], 1);
    }

    #[test]
    fn a_defaulted_record_field_may_be_absent_but_not_of_another_type() {
        let endpoint = crate::artifact::Endpoint::schema();
        let Schema::Named { schema, .. } = &endpoint else { panic!("{endpoint:?}") };
        let Schema::Object(props) = &**schema else { panic!("{schema:?}") };
        let query = props.iter().find(|p| p.name == "queryParams").unwrap();
        assert!(query.optional && !query.required());
        assert!(props.iter().filter(|p| p.name != "queryParams").all(|p| !p.optional));
        let problems = endpoint.check(&json!({"queryParams": 3}));
        assert!(problems.contains(&"$.queryParams: expected an array, got a number".to_string()), "{problems:?}");
        assert!(!problems.iter().any(|p| p.contains("\"queryParams\"")), "{problems:?}");
    }

    #[test]
    fn gemini_form_marks_nullable_and_required() {
        let schema = Schema::Object(vec![
            Property::new("first_name", "Given name.", Schema::String),
            Property::new("nick", "", Schema::Nullable(Box::new(Schema::Integer))),
        ]);
        let g = schema.to_gemini();
        assert_eq!(g["type"], "OBJECT");
        assert_eq!(g["required"], json!(["firstName"]));
        assert_eq!(g["propertyOrdering"], json!(["firstName", "nick"]));
        assert_eq!(g["properties"]["firstName"]["description"], "Given name.");
        assert_eq!(g["properties"]["nick"]["nullable"], true);
        assert_eq!(g["properties"]["nick"]["type"], "INTEGER");
    }
}
