//! An OpenAPI 3.0/3.1 document (JSON or YAML) into an API artifact whose
//! endpoints name the entities and fields of the project's data model.
//!
//! Three steps, one module each, run one way:
//!
//! * [`document`] reads the text: JSON when it starts with `{` (`serde_json`),
//!   YAML otherwise (`yaml-rust2`, pure Rust, YAML 1.2), into a tree that keeps
//!   key order and lines; a parse error has its 1-based line and column;
//! * [`validate`] checks that it is an OpenAPI 3.0.x or 3.1.x document and
//!   returns every finding at once;
//! * [`map`] turns each operation Parit can represent into an endpoint of a
//!   matched entity, lists everything else in `not_imported`, and validates the
//!   result against the data model.
//!
//! Size, measured on wasm32 (release profile, `wasm-opt -Oz`, gzip -9): the
//! yaml-rust2 parser costs 22,035 bytes (a cdylib counting YAML events, against
//! the same one with only serde_json); the whole OpenAPI import costs 51,320
//! bytes over a cdylib that reads a data model and validates an API against it.
//! saphyr-parser, the other maintained pure-Rust parser, measured 27,238 bytes.
//!
//! An API is imported against the project's data model: operations are
//! matched to its entities first. An operation that matches none brings its
//! entity from the document's own schemas ([`derive`]); with no data model at
//! all, every entity comes from there, and the import answers the data model
//! it derived beside the API, to be stored as the data model's next version.
//! Matching and deriving read a schema's name as an entity's the same way
//! ([`names`], a leaf both use, so neither imports the other).

mod derive;
mod document;
mod map;
mod names;
mod validate;

use crate::{ImportError, Imported};
use parit_shared::artifact::{ApiArtifact, DataArtifact};

/// Imports an OpenAPI 3.0.x or 3.1.x document, JSON or YAML, against the
/// project's data model.
///
/// Endpoints are numbered `EP-1`, `EP-2`, ... in document order: paths in
/// order, and per path GET, POST, PUT, PATCH, DELETE. Path templates are kept
/// as written; `errors` are the exact 4xx/5xx statuses, ascending; fields are
/// in the entity's field order; `auth_scheme` is `bearer` when an endpoint
/// requires authentication, else `none`.
///
/// # Errors
///
/// An [`ImportError`] when the text is not JSON or YAML (with line and
/// column), is Swagger 2.0 (named as such), is not a valid OpenAPI 3.x
/// document (every finding in `findings`), or when no operation could be
/// matched to an entity or bring one from the document's schemas.
pub fn import(text: &str, data: Option<&DataArtifact>) -> Result<Imported<ApiArtifact>, ImportError> {
    let root = document::load(text).map_err(|e| swagger_named(text).unwrap_or(e))?;
    validate::check(&root).map_err(|(message, findings)| ImportError {
        message,
        line: None,
        column: None,
        expected: None,
        findings,
    })?;
    map::map(&root, data)
}

/// The error for a Swagger 2.0 document whose text did not even load: its
/// version named at once (Swagger files often carry YAML this reader refuses,
/// and the version is what the person needs to know).
fn swagger_named(text: &str) -> Option<ImportError> {
    let head: String = text.chars().take(4096).collect();
    let swagger = head.lines().any(|l| {
        let l = l.trim_start_matches('{').trim();
        l.starts_with("swagger:") || l.starts_with("\"swagger\"") || l.starts_with("'swagger'")
    });
    swagger.then(|| ImportError {
        message: "this is a Swagger 2.0 document, not OpenAPI 3.x: convert it to OpenAPI 3 first (for example with swagger2openapi), then import it".into(),
        line: None,
        column: None,
        expected: None,
        findings: vec!["$.swagger: Swagger (OpenAPI 2.0) documents are not read; Parit reads OpenAPI 3.0.x and 3.1.x".into()],
    })
}
