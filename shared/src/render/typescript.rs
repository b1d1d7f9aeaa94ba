//! TypeScript declarations of every artifact, rendered from the same
//! [`Schema`]s that hold the model to its output, so the web app reads the
//! artifacts through the very types the supervisor parses them into.
//!
//! The web app commits the result as `frontend/src/artifact-types.ts`; a
//! native test below fails when that file is not what [`artifact_types`]
//! renders, and rewrites it when run with `PARIT_WRITE_TYPES=1`.
//!
//! ```
//! let ts = parit_shared::render::typescript::artifact_types();
//! assert!(ts.contains("export interface UserStory {"));
//! assert!(ts.contains("  priority: Priority;"));
//! assert!(ts.contains("  references?: string | null;"));
//! ```

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::artifact::Artifact;
use crate::schema::Schema;
use crate::stage::Stage;

/// Where the web app keeps the rendered declarations, from the repository root.
pub const PATH: &str = "frontend/src/artifact-types.ts";

/// The declarations of every stage's artifact and of each type they use, each
/// before the first declaration that uses it, then `Artifacts`: stage → type.
pub fn artifact_types() -> String {
    let mut out = Declarations::default();
    out.text.push_str(
        "// Generated from the Rust artifact types (shared/src/artifact.rs) by\n\
         // shared/src/render/typescript.rs. Do not edit: a native test holds this\n\
         // file to those types. Rewrite it with\n\
         //   PARIT_WRITE_TYPES=1 cargo test -p parit-shared typescript\n",
    );
    let mut map =
        String::from("\n/** The artifact of each stage, by the stage's name. */\nexport interface Artifacts {\n");
    for stage in Stage::ALL {
        let root = out.type_of(&Artifact::schema(stage));
        let _ = writeln!(map, "  {}: {root};", stage.as_str());
    }
    map.push_str("}\n");
    out.text.push_str(&map);
    out.text
}

/// Where the web app keeps the HTTP API's declarations, from the repository root.
pub const API_PATH: &str = "frontend/src/api-types.ts";

/// The declarations of every type the HTTP API's routes take and answer
/// (from [`crate::api::contract`]), of the event stream's frames, and two
/// maps by `operationId`: `Answers` (each success body) and `Requests`
/// (each JSON body).
pub fn api_types() -> String {
    use crate::api::contract::{contract, Content};
    use crate::api::runs::{LiveActivity, ProgressEvent};
    use crate::schema::Describe;
    let mut out = Declarations { api: true, ..Declarations::default() };
    out.text.push_str(
        "// Generated from the Rust types of the HTTP API (shared/src/api/) by\n\
         // shared/src/render/typescript.rs. Do not edit: a native test holds this\n\
         // file to those types. Rewrite it with\n\
         //   PARIT_WRITE_TYPES=1 cargo test -p parit-shared typescript\n",
    );
    let mut answers =
        String::from("\n/** Each operation's success body, by its operationId. */\nexport interface Answers {\n");
    let mut requests =
        String::from("\n/** Each operation's JSON request body, by its operationId. */\nexport interface Requests {\n");
    for route in crate::api::ROUTES {
        let c = contract(route.op);
        if let Some(query) = &c.query {
            out.type_of(query);
        }
        if let Some(body) = &c.body {
            let ty = out.type_of(body);
            let _ = writeln!(requests, "  {}: {ty};", c.operation_id);
        }
        let mut bodies: Vec<String> = Vec::new();
        for a in &c.answers {
            let ty = match &a.content {
                Content::Json(s) | Content::Media(_, s) => out.type_of(s),
            };
            // The health check's 429 is the error shape, not an answer.
            if ty != "ErrorBody" && !bodies.contains(&ty) {
                bodies.push(ty);
            }
        }
        let _ = writeln!(answers, "  {}: {};", c.operation_id, bodies.join(" | "));
    }
    out.type_of(&crate::api::root::ErrorBody::schema());
    out.type_of(&ProgressEvent::schema());
    out.type_of(&LiveActivity::schema());
    answers.push_str("}\n");
    requests.push_str("}\n");
    out.text.push_str(&answers);
    out.text.push_str(&requests);
    out.text
}

#[derive(Default)]
struct Declarations {
    text: String,
    declared: BTreeSet<&'static str>,
    /// The HTTP API's types: a property is optional when its field is
    /// skipped when absent, and then its `Option` is not `| null`.
    api: bool,
}

impl Declarations {
    /// The TypeScript type of `schema`, declaring each named type it reaches
    /// (before the declaration that uses it) the first time it is seen.
    fn type_of(&mut self, schema: &Schema) -> String {
        match schema {
            Schema::String => "string".into(),
            Schema::Integer | Schema::Number => "number".into(),
            Schema::Boolean => "boolean".into(),
            Schema::Enum(values) => union(values),
            Schema::Array(item) => match item.bare() {
                Schema::Enum(_) | Schema::Nullable(_) => format!("({})[]", self.type_of(item)),
                _ => format!("{}[]", self.type_of(item)),
            },
            Schema::Nullable(inner) => format!("{} | null", self.type_of(inner)),
            Schema::Any => "unknown".into(),
            Schema::Map(item) => format!("Record<string, {}>", self.type_of(item)),
            Schema::Refined { schema, .. } => self.type_of(schema),
            Schema::Object(_) => self.body(schema, "  "),
            Schema::Named { name, doc, schema } => {
                if self.declared.insert(name) {
                    let declaration = match schema.bare() {
                        bare @ Schema::Object(_) => format!("export interface {name} {}\n", self.body(bare, "")),
                        other => format!("export type {name} = {};\n", self.type_of(other)),
                    };
                    let _ = write!(self.text, "\n{}{declaration}", comment(doc, ""));
                }
                (*name).to_string()
            }
        }
    }

    /// An object's `{ … }`, one documented property a line; a nullable or
    /// optional property may also be absent, as the schema check allows.
    fn body(&mut self, schema: &Schema, indent: &str) -> String {
        let Schema::Object(props) = schema.bare() else { return self.type_of(schema) };
        let mut out = String::from("{\n");
        for p in props {
            let (optional, ty) = if self.api {
                (if p.optional { "?" } else { "" }, self.type_of(&p.present()))
            } else {
                (if p.required() { "" } else { "?" }, self.type_of(&p.schema))
            };
            let _ = writeln!(
                out,
                "{}{indent}  {}{optional}: {ty};",
                comment(&p.description, &format!("{indent}  ")),
                p.name
            );
        }
        out.push_str(indent);
        out.push('}');
        out
    }
}

fn union(values: &[&str]) -> String {
    values.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(" | ")
}

/// A one-line JSDoc comment, or nothing for an empty doc. `*/` cannot occur
/// in it: the docs are this crate's own, and a test holds them to that.
fn comment(doc: &str, indent: &str) -> String {
    let doc = doc.split_whitespace().collect::<Vec<_>>().join(" ");
    if doc.is_empty() {
        String::new()
    } else {
        format!("{indent}/** {doc} */\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn committed_path() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(PATH)
    }

    #[test]
    fn typescript_file_in_the_web_app_is_current() {
        let rendered = artifact_types();
        let path = committed_path();
        if std::env::var_os("PARIT_WRITE_TYPES").is_some() {
            std::fs::write(&path, &rendered).expect("write the artifact types");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == rendered,
            "{PATH} is not what the Rust artifact types render; rewrite it with\n  \
             PARIT_WRITE_TYPES=1 cargo test -p parit-shared typescript"
        );
    }

    #[test]
    fn typescript_api_types_in_the_web_app_are_current() {
        let rendered = api_types();
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(API_PATH);
        if std::env::var_os("PARIT_WRITE_TYPES").is_some() {
            std::fs::write(&path, &rendered).expect("write the API types");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == rendered,
            "{API_PATH} is not what the Rust API types render; rewrite it with\n  \
             PARIT_WRITE_TYPES=1 cargo test -p parit-shared typescript"
        );
    }

    #[test]
    fn api_types_declare_each_answer_once_with_presence_as_serde_writes_it() {
        let ts = api_types();
        for name in ["Project", "ProjectPage", "Run", "Plan", "Traces", "ProgressEvent", "ErrorBody", "Stage"] {
            let declared = ts.matches(&format!("export interface {name} {{")).count()
                + ts.matches(&format!("export type {name} = ")).count();
            assert_eq!(declared, 1, "{name}");
        }
        for route in crate::api::ROUTES {
            let id = crate::api::contract::contract(route.op).operation_id;
            assert!(ts.contains(&format!("\n  {id}: ")), "{id}");
        }
        // Present though null: the latest run of a project never run.
        assert!(ts.contains("  run: Run | null;\n"), "{ts}");
        // Skipped when absent, never null.
        assert!(ts.contains("  resumed?: boolean;\n"), "{ts}");
        // Absent, or null to reset.
        assert!(ts.contains("  temperature?: number | null;\n"), "{ts}");
        assert!(!ts.contains(": any") && !ts.contains("any[]"));
        for line in ts.lines().filter(|l| l.trim_start().starts_with("/**")) {
            assert_eq!(line.matches("*/").count(), 1, "{line}");
        }
    }

    #[test]
    fn every_named_type_is_declared_once_and_every_stage_is_mapped() {
        let ts = artifact_types();
        for name in ["Priority", "Persona", "UserStory", "PrdArtifact", "SourceFile", "DeploymentArtifact"] {
            let declared = ts.matches(&format!("export interface {name} {{")).count()
                + ts.matches(&format!("export type {name} = ")).count();
            assert_eq!(declared, 1, "{name}");
        }
        for stage in Stage::ALL {
            assert!(ts.contains(&format!("\n  {}: ", stage.as_str())), "{stage}");
        }
        assert!(!ts.contains(": any") && !ts.contains("any[]"), "no type is left open");
        // No doc text may close its comment early.
        for line in ts.lines().filter(|l| l.trim_start().starts_with("/**")) {
            assert_eq!(line.matches("*/").count(), 1, "{line}");
        }
    }

    #[test]
    fn shapes_render_as_typescript() {
        let mut d = Declarations::default();
        let list = Schema::Array(Box::new(Schema::Enum(&["a", "b"])));
        assert_eq!(d.type_of(&list), r#"("a" | "b")[]"#);
        let named = Schema::Named {
            name: "Pair",
            doc: " Two things.",
            schema: Box::new(Schema::Object(vec![
                crate::schema::Property::new("left_side", "The left.", Schema::Integer),
                crate::schema::Property::new("right", "", Schema::Nullable(Box::new(Schema::Boolean))),
            ])),
        };
        assert_eq!(d.type_of(&Schema::Array(Box::new(named))), "Pair[]");
        assert_eq!(
            d.text,
            "\n/** Two things. */\nexport interface Pair {\n  /** The left. */\n  leftSide: number;\n  right?: boolean | null;\n}\n"
        );
    }
}
