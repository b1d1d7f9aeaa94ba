//! What a caller asks to compare, read strictly from its body.

use super::{DriftError, SqlDialect};
use crate::artifact::Artifact;
use crate::stage::Stage;
use serde_json::Value;

/// What a caller asks to compare: `{"sql"?, "dialect"?, "openapi"?}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriftRequest {
    /// The repository's SQL DDL (one file, or its migrations in order).
    pub sql: Option<String>,
    /// The dialect the SQL is written in (SQLite unless named).
    pub dialect: SqlDialect,
    /// The repository's OpenAPI document, JSON or YAML.
    pub openapi: Option<String>,
}

impl DriftRequest {
    /// Reads a caller's body: an object with `sql` and/or `openapi`
    /// (non-empty strings) and optionally `dialect`; nothing else.
    ///
    /// # Errors
    ///
    /// One sentence for the caller naming the first field that is wrong.
    pub fn from_body(body: &Value) -> Result<Self, String> {
        let Some(fields) = body.as_object() else {
            return Err("send a JSON object with \"sql\", \"openapi\" or both".into());
        };
        let mut request = DriftRequest { sql: None, dialect: SqlDialect::Sqlite, openapi: None };
        for (k, v) in fields {
            let text = v.as_str().filter(|t| !t.trim().is_empty()).map(str::to_string);
            match k.as_str() {
                "sql" | "openapi" if text.is_none() => return Err(format!("\"{k}\" must be a non-empty string")),
                "sql" => request.sql = text,
                "openapi" => request.openapi = text,
                "dialect" => {
                    request.dialect = v
                        .as_str()
                        .and_then(SqlDialect::parse)
                        .ok_or_else(|| "\"dialect\" must be \"sqlite\", \"postgres\" or \"mysql\"".to_string())?
                }
                _ => {
                    let k: String = k.chars().take(60).collect();
                    return Err(format!("unknown field \"{k}\" (expected \"sql\", \"dialect\", \"openapi\")"));
                }
            }
        }
        if request.sql.is_none() && request.openapi.is_none() {
            return Err("send \"sql\", \"openapi\" or both".into());
        }
        Ok(request)
    }

    /// The stage the blueprint lacks to compare this request with, if any.
    ///
    /// # Errors
    ///
    /// [`DriftError::NothingToCompare`] naming it.
    pub fn comparable(&self, blueprint: &[(Artifact, u32)]) -> Result<(), DriftError> {
        let sides = [(self.sql.is_some(), Stage::Data), (self.openapi.is_some(), Stage::Api)];
        match sides.iter().find(|(sent, stage)| *sent && !blueprint.iter().any(|(a, _)| a.stage() == *stage)) {
            Some((_, stage)) => Err(DriftError::NothingToCompare(*stage)),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::super::*;
    use super::*;
    use crate::fixtures::examples;

    #[test]
    fn a_request_is_read_strictly() {
        let ok = |v: serde_json::Value| DriftRequest::from_body(&v);
        let r = ok(serde_json::json!({"sql": "CREATE TABLE t (id TEXT PRIMARY KEY);", "dialect": "postgres"})).unwrap();
        assert_eq!((r.dialect, r.openapi), (SqlDialect::Postgres, None));
        assert_eq!(ok(serde_json::json!({"openapi": "{}"})).unwrap().dialect, SqlDialect::Sqlite);
        for (body, message) in [
            (serde_json::json!({}), "send \"sql\", \"openapi\" or both"),
            (serde_json::json!({"dialect": "sqlite"}), "send \"sql\", \"openapi\" or both"),
            (serde_json::json!([1]), "send a JSON object with \"sql\", \"openapi\" or both"),
            (
                serde_json::json!({"sql": "x", "extra": 1}),
                "unknown field \"extra\" (expected \"sql\", \"dialect\", \"openapi\")",
            ),
            (serde_json::json!({"sql": "  "}), "\"sql\" must be a non-empty string"),
            (serde_json::json!({"openapi": 3}), "\"openapi\" must be a non-empty string"),
            (
                serde_json::json!({"sql": "x", "dialect": "oracle"}),
                "\"dialect\" must be \"sqlite\", \"postgres\" or \"mysql\"",
            ),
        ] {
            assert_eq!(ok(body.clone()), Err(message.to_string()), "{body}");
        }
        let p = examples::pantry();
        let both = ok(serde_json::json!({"sql": "x", "openapi": "y"})).unwrap();
        assert_eq!(both.comparable(&blueprint(&p)), Ok(()));
        let data_only = vec![(p.artifact(Stage::Data), 1)];
        assert_eq!(both.comparable(&data_only), Err(DriftError::NothingToCompare(Stage::Api)));
        assert_eq!(both.comparable(&[]), Err(DriftError::NothingToCompare(Stage::Data)));
    }
}
