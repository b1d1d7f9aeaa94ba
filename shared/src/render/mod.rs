//! Deterministic renders of artifacts: the same artifact always gives
//! byte-identical output. Renders are code, never model output: SQL DDL for
//! SQLite and PostgreSQL, Mermaid diagrams, OpenAPI 3.1, Markdown, CSS, and the
//! generated files themselves.

pub mod contract;
pub mod export;
pub mod handoff;
pub mod markdown;
pub mod mermaid;
pub mod openapi;
pub mod sql;
pub mod typescript;

use crate::artifact::{Artifact, SourceFile, Upstream};

/// One rendered view of an artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// File-like name, e.g. `schema.postgres.sql` or `files/src/main.ts`.
    pub name: String,
    /// Its media type.
    pub content_type: &'static str,
    /// The content.
    pub body: String,
}

fn view(name: impl Into<String>, content_type: &'static str, body: String) -> View {
    View { name: name.into(), content_type, body }
}

/// The media type of a generated file, by extension.
pub fn content_type_of(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "md" => "text/markdown; charset=utf-8",
        "json" => "application/json",
        "sql" => "application/sql; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" | "ts" | "tsx" => "text/javascript; charset=utf-8",
        "yml" | "yaml" => "application/yaml; charset=utf-8",
        "toml" => "application/toml; charset=utf-8",
        "mmd" => "text/vnd.mermaid; charset=utf-8",
        _ => "text/plain; charset=utf-8",
    }
}

fn files(files: &[SourceFile]) -> impl Iterator<Item = View> + '_ {
    files.iter().map(|f| view(format!("files/{}", f.path), content_type_of(&f.path), f.content.clone()))
}

/// Every view of `artifact`. The API's OpenAPI document needs the data model
/// in `upstream`; the PRD's product name titles it.
pub fn views(artifact: &Artifact, upstream: &Upstream) -> Vec<View> {
    match artifact {
        Artifact::Prd(a) => vec![view("prd.md", "text/markdown; charset=utf-8", markdown::prd(a))],
        Artifact::Data(a) => vec![
            view("schema.sqlite.sql", "application/sql; charset=utf-8", sql::ddl(a, sql::Dialect::Sqlite)),
            view("schema.postgres.sql", "application/sql; charset=utf-8", sql::ddl(a, sql::Dialect::Postgres)),
            view("erd.mmd", "text/vnd.mermaid; charset=utf-8", mermaid::er_diagram(a)),
        ],
        Artifact::Design(a) => vec![
            view("design.md", "text/markdown; charset=utf-8", markdown::design(a)),
            view("tokens.css", "text/css; charset=utf-8", markdown::tokens_css(a)),
        ],
        Artifact::Logic(a) => {
            let mut out = vec![view("logic.md", "text/markdown; charset=utf-8", markdown::logic(a))];
            for (i, m) in a.state_machines.iter().enumerate() {
                out.push(view(
                    format!("state-{}.mmd", i + 1),
                    "text/vnd.mermaid; charset=utf-8",
                    mermaid::state_diagram(m),
                ));
            }
            out
        }
        Artifact::Api(a) => {
            let mut out = vec![view("api.md", "text/markdown; charset=utf-8", markdown::api(a))];
            if let Some(data) = &upstream.data {
                let title = upstream.prd.as_ref().map_or("API", |p| p.product_name.as_str());
                let doc = openapi::document(title, a, data);
                out.push(view(
                    "openapi.json",
                    "application/json",
                    serde_json::to_string_pretty(&doc).unwrap_or_default(),
                ));
            }
            out
        }
        Artifact::Frontend(a) => files(&a.files).collect(),
        Artifact::Deployment(a) => {
            let mut out = vec![view("runbook.md", "text/markdown; charset=utf-8", markdown::runbook(a))];
            out.extend(files(&a.files));
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::examples;
    use crate::Stage;

    #[test]
    fn every_stage_renders_and_renders_are_deterministic() {
        let p = examples::clinic();
        let mut up = Upstream::default();
        for stage in Stage::ALL {
            let a = p.artifact(stage);
            let first = views(&a, &up);
            assert!(!first.is_empty(), "{stage}");
            assert_eq!(first, views(&a, &up), "{stage} renders the same twice");
            up.insert(a);
        }
        let names: Vec<String> = views(&p.artifact(Stage::Api), &up).into_iter().map(|v| v.name).collect();
        assert_eq!(names, ["api.md", "openapi.json"]);
    }
}
