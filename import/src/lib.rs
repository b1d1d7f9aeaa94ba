//! Import of what a project already has, into Parit's typed artifacts, by
//! real parsers and no model:
//!
//! * [`sql`] — SQL DDL (SQLite or PostgreSQL, parsed by `sqlparser`) into a
//!   [`DataArtifact`](parit_shared::artifact::DataArtifact);
//! * [`openapi`] — an OpenAPI 3.0/3.1 document (JSON or YAML) into an
//!   [`ApiArtifact`](parit_shared::artifact::ApiArtifact), its entities matched
//!   to the data model.
//!
//! Every construct the artifact types cannot hold is listed in
//! [`Imported::not_imported`], never dropped silently. The parser is large
//! (sqlparser alone is about 340 KB of gzip WASM), so this crate runs in its
//! own Worker, `parit-bridge`, which the supervisor calls through a service
//! binding: the agents and the supervisor stay within their size goals.

pub mod openapi;
pub mod sql;

use serde::Serialize;

/// What an import made, what it read, and what it could not represent.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Imported<T> {
    /// The artifact made from the input.
    pub artifact: T,
    /// What was imported, one line each (e.g. `table "albums": 3 columns`).
    pub imported: Vec<String>,
    /// What the artifact cannot represent and was left out, each with why.
    pub not_imported: Vec<NotImported>,
    /// The data model the artifact needs, when the import derived entities
    /// the project's data model lacks (an OpenAPI document's schemas): the
    /// project's model with them added, stored as its next version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<parit_shared::artifact::DataArtifact>,
    /// What was imported, in a few sentences for the PRD stage: a project
    /// that starts from an import has its PRD written around it.
    pub context: String,
}

/// The most characters an import's context takes in the PRD's prompt.
const CONTEXT_CHARS: usize = 4000;

/// A few sentences on a data model, for the PRD's prompt: each entity with
/// its fields and what they reference, up to [`CONTEXT_CHARS`].
pub(crate) fn data_context(source: &str, data: &parit_shared::artifact::DataArtifact) -> String {
    let mut text = format!(
        "The project starts from an existing data model, imported from {source} ({} entities); write the PRD for the system it describes, and keep its entities: ",
        data.entities.len()
    );
    for (i, e) in data.entities.iter().enumerate() {
        let fields: Vec<String> = e
            .fields
            .iter()
            .map(|f| match &f.references {
                Some(r) => format!("{} → {r}", f.name),
                None => f.name.clone(),
            })
            .collect();
        let part = format!("{}{} ({})", if i > 0 { "; " } else { "" }, e.name, fields.join(", "));
        if text.len() + part.len() > CONTEXT_CHARS {
            text.push_str(&format!("; and {} more", data.entities.len() - i));
            break;
        }
        text.push_str(&part);
    }
    text.push('.');
    text
}

/// A few sentences on an API, for the PRD's prompt: its endpoints, up to [`CONTEXT_CHARS`].
pub(crate) fn api_context(api: &parit_shared::artifact::ApiArtifact) -> String {
    let mut text = format!(
        "The project starts from an existing API, imported from an OpenAPI document ({} endpoints); its user stories are served by these endpoints: ",
        api.endpoints.len()
    );
    for (i, e) in api.endpoints.iter().enumerate() {
        let part = format!("{}{} {} ({})", if i > 0 { "; " } else { "" }, e.method, e.path, e.summary);
        if text.len() + part.len() > CONTEXT_CHARS {
            text.push_str(&format!("; and {} more", api.endpoints.len() - i));
            break;
        }
        text.push_str(&part);
    }
    text.push('.');
    text
}

/// One construct of the input the artifact types cannot represent: the
/// API's own record (`POST …/import/*` answers with these as the importers
/// wrote them).
pub use parit_shared::api::artifacts::NotImported;

/// Why an input could not be imported at all: nothing is changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportError {
    /// One sentence for a person.
    pub message: String,
    /// Line of the problem (1-based), when known.
    pub line: Option<u32>,
    /// Column of the problem (1-based), when known.
    pub column: Option<u32>,
    /// What the parser expected there, when it says.
    pub expected: Option<String>,
    /// Every finding of the document validator (OpenAPI), each as
    /// `path: what is wrong`; empty for SQL.
    pub findings: Vec<String>,
}
