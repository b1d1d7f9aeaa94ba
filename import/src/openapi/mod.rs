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
//! An API is imported against a data model, never without one: its endpoints
//! name entities and fields, which must exist. With no data model the import
//! refuses and says to import or generate the data model first (after the
//! document has been checked, so its own problems are known at once).

mod document;
mod map;
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
/// column), is not a valid OpenAPI 3.x document (every finding in `findings`),
/// when `data` is `None`, or when no operation could be matched to an entity.
pub fn import(text: &str, data: Option<&DataArtifact>) -> Result<Imported<ApiArtifact>, ImportError> {
    let root = document::load(text)?;
    validate::check(&root).map_err(|(message, findings)| ImportError {
        message,
        line: None,
        column: None,
        expected: None,
        findings,
    })?;
    let Some(data) = data else {
        return Err(ImportError {
            message: "an API is imported against the project's data model, and there is none yet: import the SQL schema or generate the data model first, then import the OpenAPI document".into(),
            line: None,
            column: None,
            expected: None,
            findings: Vec::new(),
        });
    };
    map::map(&root, data)
}
