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
}

/// One construct of the input the artifact types cannot represent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NotImported {
    /// Where it is in the input, e.g. `view "sales_by_genre"` or
    /// `GET /pets callbacks`.
    pub what: String,
    /// Why it was left out.
    pub why: String,
    /// Its line in the input (1-based), when known.
    pub line: Option<u32>,
}

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
