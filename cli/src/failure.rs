//! How a command ends badly, and the exit code each way maps to. The codes
//! are documented in `parit --help` (see [`EXIT_CODES`]) and the README; a
//! script branches on them, so they never change meaning.

use serde_json::{json, Value};

/// Success, or the repository is in step with the blueprint.
pub(crate) const OK: u8 = 0;
/// `check` found drift.
pub(crate) const DRIFT: u8 = 1;
/// Usage or bad input: a file that is not there, a repository with nothing
/// to compare, not logged in.
pub(crate) const USAGE: u8 = 2;
/// The server refused (a 4xx; its message is shown), or the run failed.
pub(crate) const REFUSED: u8 = 3;
/// The server could not be reached, or failed (a 5xx).
pub(crate) const UNREACHABLE: u8 = 4;

/// The exit codes, as `parit --help` ends.
pub(crate) const EXIT_CODES: &str = "Exit codes:
  0  success; for `check`, the repository is in step with the blueprint
  1  `check` found drift
  2  usage or bad input (a missing file, nothing to compare, not logged in)
  3  the server refused (4xx, its message shown), or the run failed
  4  the server could not be reached, or failed (5xx)";

/// Why a command did not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Failure {
    /// The command line or local input is wrong (exit 2).
    #[error("{0}")]
    Usage(String),
    /// The server answered 4xx: its code and message (exit 3).
    #[error("{}", refused_text(*.status, .code, .message, .detail))]
    Refused {
        /// HTTP status.
        status: u16,
        /// The error's `code`.
        code: String,
        /// The error's `message`.
        message: String,
        /// The whole `error` object (line, column, problems, ...).
        detail: Value,
    },
    /// The run ended without every stage done (exit 3).
    #[error("{0}")]
    RunFailed(String),
    /// No answer, or a 5xx (exit 4).
    #[error("{0}")]
    Unreachable(String),
}

impl Failure {
    /// The process's exit code for this failure.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) => USAGE,
            Failure::Refused { .. } | Failure::RunFailed(_) => REFUSED,
            Failure::Unreachable(_) => UNREACHABLE,
        }
    }

    /// The failure as `--json` prints it.
    pub(crate) fn to_json(&self) -> Value {
        let code = match self {
            Failure::Usage(_) => "usage",
            Failure::Refused { code, .. } => code.as_str(),
            Failure::RunFailed(_) => "run_failed",
            Failure::Unreachable(_) => "unreachable",
        };
        let mut error = json!({"code": code, "message": self.to_string(), "exitCode": self.exit_code()});
        if let Failure::Refused { status, detail, .. } = self {
            error["status"] = json!(status);
            for key in ["line", "column", "expected", "problems", "findings"] {
                if let Some(v) = detail.get(key).filter(|v| !v.is_null()) {
                    error[key] = v.clone();
                }
            }
        }
        json!({ "error": error })
    }
}

/// `HTTP 422 import_failed: message (line 3, column 20; expected ...)`.
fn refused_text(status: u16, code: &str, message: &str, detail: &Value) -> String {
    let mut text = format!("the server refused (HTTP {status} {code}): {message}");
    let mut place = Vec::new();
    if let Some(line) = detail.get("line").and_then(Value::as_u64) {
        place.push(format!("line {line}"));
    }
    if let Some(column) = detail.get("column").and_then(Value::as_u64) {
        place.push(format!("column {column}"));
    }
    let mut extra = place.join(", ");
    if let Some(expected) = detail.get("expected").and_then(Value::as_str).filter(|e| !e.is_empty()) {
        if !extra.is_empty() {
            extra.push_str("; ");
        }
        extra.push_str(&format!("expected {expected}"));
    }
    if !extra.is_empty() {
        text.push_str(&format!(" ({extra})"));
    }
    if let Some(problems) = detail.get("problems").and_then(Value::as_array) {
        for p in problems.iter().take(10) {
            let line = p.get("message").and_then(Value::as_str).map_or_else(|| p.to_string(), str::to_string);
            text.push_str(&format!("\n  - {line}"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_class_of_failure_has_its_exit_code() {
        assert_eq!(Failure::Usage("x".into()).exit_code(), 2);
        let refused =
            Failure::Refused { status: 401, code: "unauthorized".into(), message: "no".into(), detail: json!({}) };
        assert_eq!(refused.exit_code(), 3);
        assert_eq!(Failure::RunFailed("x".into()).exit_code(), 3);
        assert_eq!(Failure::Unreachable("x".into()).exit_code(), 4);
        assert_eq!(refused.to_json()["error"]["exitCode"], 3);
        assert_eq!(refused.to_json()["error"]["code"], "unauthorized");
    }

    #[test]
    fn an_import_error_says_where() {
        let f = Failure::Refused {
            status: 422,
            code: "import_failed".into(),
            message: "unexpected ','".into(),
            detail: json!({"line": 3, "column": 20, "expected": "a column definition"}),
        };
        assert_eq!(
            f.to_string(),
            "the server refused (HTTP 422 import_failed): unexpected ',' (line 3, column 20; expected a column definition)"
        );
        assert_eq!(f.to_json()["error"]["line"], 3);
    }
}
