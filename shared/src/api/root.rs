//! The service's own routes (`GET /`, `/health`) and the one error shape
//! every route answers with.

use std::collections::BTreeMap;

/// `POST /mcp`'s JSON-RPC records, declared where the protocol lives.
pub use crate::mcp::{McpError, McpMessage, McpReply};

crate::label_enum! {
    /// What `GET /` says the service is doing.
    pub enum ServiceStatus { SupervisorActive = "supervisor_active" }
}

crate::label_enum! {
    /// Which Worker answered `GET /`.
    pub enum ServiceRole { Supervisor = "supervisor" }
}

crate::record! {
    /// What this service is, its version, the stages and every endpoint.
    #[to_json]
    pub struct Index {
        /// Always `supervisor_active`.
        pub status: ServiceStatus,
        /// Always `supervisor`.
        pub role: ServiceRole,
        /// The deployed version.
        pub version: String,
        /// The seven stages, in pipeline order.
        pub stages: Vec<String>,
        /// Every route as `METHOD /path/:param`.
        pub endpoints: Vec<String>,
    }
}

crate::label_enum! {
    /// The health verdict: everything up, something down, or (without a
    /// token) no recent live check to say.
    pub enum HealthStatus { Ok = "ok", Degraded = "degraded", Unknown = "unknown" }
}

crate::record! {
    /// Whether one dependency answered.
    #[to_json]
    pub struct Up {
        /// It answered.
        pub ok: bool,
        /// What went wrong, when it did not.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub error: Option<String>,
        /// D1 only: the schema version its migrations reached.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub schema_version: Option<String>,
    }
}

crate::record! {
    /// Whether one agent Worker answered, and what it said of its model.
    #[to_json]
    pub struct AgentUp {
        /// It answered, has a Gemini key, and its model is served.
        pub ok: bool,
        /// The Worker's name.
        pub agent: String,
        /// The model it runs on, as it said.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub model: Option<Option<String>>,
        /// Whether it has a Gemini key.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub key_configured: Option<bool>,
        /// What asking Gemini for its model found, as it said.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub model_check: Option<Option<crate::agent::protocol::ModelCheck>>,
        /// It answers from a stand-in for Gemini (the local server).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub stand_in: Option<bool>,
        /// Why it did not answer.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub error: Option<String>,
    }
}

crate::record! {
    /// Each dependency, checked live.
    #[to_json]
    pub struct HealthComponents {
        /// The D1 database.
        pub d1: Up,
        /// The R2 bucket.
        pub r2: Up,
        /// Each agent Worker, by its stage.
        pub agents: BTreeMap<String, AgentUp>,
        /// The bridge Worker.
        pub bridge: Up,
    }
}

crate::record! {
    /// For a caller with a token: when the model catalogue's facts (models, prices, limits) were checked against Google's pages, and a warning when that is more than 30 days ago
    #[to_json]
    pub struct CatalogueAge {
        /// The day the facts were checked.
        #[openapi = r#""format": "date""#]
        pub checked_on: String,
        /// Days since.
        pub age_days: u64,
        /// Set when the facts are more than 30 days old.
        pub warning: Option<String>,
    }
}

crate::record! {
    /// Each dependency up or down (live, with detail, for a caller with a
    /// token; the last live check's summary for anyone else).
    #[to_json]
    pub struct Health {
        /// The verdict.
        pub status: HealthStatus,
        /// Each dependency (token only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub components: Option<HealthComponents>,
        /// The dependencies that are down.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub down: Vec<String>,
        /// For a caller with a token: when the model catalogue's facts (models, prices, limits) were checked against Google's pages, and a warning when that is more than 30 days ago
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub catalogue: Option<CatalogueAge>,
        /// How long the live check took (token only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""minimum": 0"#]
        pub latency_ms: Option<u64>,
        /// When the live check this summary comes from ran (no token only)
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""minimum": 0"#]
        pub checked_at: Option<Option<u64>>,
    }
}

crate::record! {
    /// What went wrong: a stable code per kind of failure, a message for
    /// people, the request's id, and for some codes their detail.
    pub struct ErrorDetail {
        /// Stable, machine-readable (`bad_request`, `not_found`, `stage_failed`, `import_failed`, ...).
        pub code: String,
        /// For people.
        pub message: String,
        /// This request's id (also in `x-request-id`).
        pub request_id: String,
        /// stage_failed: Gemini's failure class.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub class: Option<String>,
        /// stage_failed: whether trying again may succeed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub retryable: Option<bool>,
        /// Every problem found (an edit that breaks its schema or rules).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub problems: Vec<String>,
        /// import_failed: the line of the problem (1-based), when known
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""minimum": 1"#]
        pub line: Option<Option<u64>>,
        /// import_failed: the column of the problem (1-based), when known
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""minimum": 1"#]
        pub column: Option<Option<u64>>,
        /// import_failed: what the SQL parser expected there
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub expected: Option<Option<String>>,
        /// import_failed: every finding of the OpenAPI validator, as `path: what is wrong`
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub findings: Vec<String>,
    }
}

crate::record! {
    /// The one error shape: `{"error": {"code", "message", "requestId", ...}}`.
    pub struct ErrorBody {
        /// What went wrong.
        pub error: ErrorDetail,
    }
}
