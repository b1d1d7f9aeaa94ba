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

#[derive(Default)]
pub(crate) struct Declarations {
    pub(crate) text: String,
    pub(crate) declared: BTreeSet<&'static str>,
    /// The HTTP API's types: a property is optional when its field is
    /// skipped when absent, and then its `Option` is not `| null`.
    pub(crate) api: bool,
}

impl Declarations {
    /// The TypeScript type of `schema`, declaring each named type it reaches
    /// (before the declaration that uses it) the first time it is seen.
    pub(crate) fn type_of(&mut self, schema: &Schema) -> String {
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

    #[test]
    fn typescript_file_in_the_web_app_is_current() {
        crate::fixtures::assert_generated_current(PATH, &artifact_types(), "typescript");
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
