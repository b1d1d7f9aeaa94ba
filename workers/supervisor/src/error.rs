//! The supervisor's one error type and its JSON rendering. Details of
//! internal failures are logged, never sent.

use parit_shared::gemini::FailureClass;
use parit_shared::project::InputError;
use parit_shared::run::execute::ExecuteError;
use parit_shared::run::store::StoreError;
use parit_shared::Stage;
use serde_json::json;
use worker::Response;

/// Everything a handler can fail with.
#[derive(Debug)]
pub(crate) enum AppError {
    /// 400: the request is malformed or breaks a rule.
    BadRequest(String),
    /// 401: no token, or one that is unknown or revoked.
    Unauthorized(&'static str),
    /// 403: the caller may not do this (e.g. an owner's project limit).
    Forbidden { code: &'static str, message: String },
    /// 429: too many requests (per token, per owner or per address); try again after `retry_after` s.
    RateLimited { retry_after: u32 },
    /// 404: no such resource (or route).
    NotFound(String),
    /// 405: the route exists without this method.
    MethodNotAllowed(String),
    /// 409: the request conflicts with the current state.
    Conflict { code: &'static str, message: String },
    /// 422: an edited artifact breaks the schema or the validation rules.
    InvalidArtifact { stage: Stage, problems: Vec<String> },
    /// 422: well-formed input that is refused (a model Google has shut down).
    Refused(String),
    /// 422: an import whose text could not be read: the bridge's error
    /// (`message`, `line`, `column`, `expected`, `findings`).
    ImportFailed(serde_json::Value),
    /// 413: the body is too large.
    PayloadTooLarge(usize),
    /// 415: the body is not JSON.
    UnsupportedMediaType,
    /// A stage's agent failed; status chosen by the failure class, and a
    /// `retry-after` when Gemini said how long to wait.
    StageFailed { class: String, message: String, retryable: bool, retry_after_ms: Option<u64> },
    /// 503: D1, R2 or a binding is not answering.
    Unavailable(String),
    /// 500: a bug or an unexpected runtime error.
    Internal(String),
}

impl AppError {
    fn status_code_message(&self) -> (u16, &str, String) {
        match self {
            AppError::BadRequest(m) => (400, "bad_request", m.clone()),
            AppError::Refused(m) => (422, "refused", m.clone()),
            AppError::ImportFailed(e) => {
                (422, "import_failed", e["message"].as_str().unwrap_or("the import could not be read").into())
            }
            AppError::Unauthorized(m) => (401, "unauthorized", (*m).to_string()),
            AppError::Forbidden { code, message } => (403, code, message.clone()),
            AppError::RateLimited { .. } => {
                (429, "rate_limited", "too many requests; retry-after says when to try again".into())
            }
            AppError::NotFound(m) => (404, "not_found", m.clone()),
            AppError::MethodNotAllowed(allowed) => (405, "method_not_allowed", format!("this route accepts {allowed}")),
            AppError::Conflict { code, message } => (409, code, message.clone()),
            AppError::InvalidArtifact { stage, problems } => (
                422,
                "invalid_artifact",
                format!("the {stage} artifact has {} problem(s); nothing was saved", problems.len()),
            ),
            AppError::PayloadTooLarge(limit) => {
                (413, "payload_too_large", format!("the body is larger than {limit} bytes"))
            }
            AppError::UnsupportedMediaType => (
                415,
                "unsupported_media_type",
                "send the body as JSON with content-type: application/json (curl: -H 'content-type: application/json')"
                    .into(),
            ),
            AppError::StageFailed { class, message, .. } => {
                // The status the agent answered with: decided once, by the class.
                let status = match FailureClass::parse(class) {
                    Some(model_failure) => model_failure.http_status(),
                    None if class == "agent_unreachable" => 503,
                    None => 502,
                };
                (status, "stage_failed", format!("{message} ({class})"))
            }
            AppError::Unavailable(_) => (503, "unavailable", "storage is not answering; try again shortly".into()),
            AppError::Internal(_) => (500, "internal", "something went wrong on our side".into()),
        }
    }

    /// The JSON error response: `{"error": {"code", "message", "requestId"}}`.
    pub(crate) fn into_response_for(self, request_id: Option<&str>) -> worker::Result<Response> {
        if let AppError::Internal(detail) | AppError::Unavailable(detail) = &self {
            worker::console_error!("{}", serde_json::json!({"level": "error", "detail": detail}));
        }
        let (status, code, message) = self.status_code_message();
        let mut error = json!({"code": code, "message": message});
        match &self {
            AppError::StageFailed { class, retryable, .. } => {
                error["class"] = json!(class);
                error["retryable"] = json!(retryable);
            }
            AppError::InvalidArtifact { problems, .. } => error["problems"] = json!(problems),
            AppError::ImportFailed(detail) => {
                for key in ["line", "column", "expected", "findings"] {
                    error[key] = detail[key].clone();
                }
            }
            _ => {}
        }
        if let Some(id) = request_id {
            error["requestId"] = json!(id);
        }
        let mut response = crate::reply::json(status, &json!({ "error": error }))?;
        match self {
            AppError::RateLimited { retry_after } => {
                response.headers_mut().set("retry-after", &retry_after.to_string())?
            }
            AppError::Unauthorized(_) => response.headers_mut().set("www-authenticate", "Bearer realm=\"parit\"")?,
            AppError::MethodNotAllowed(allow) => response.headers_mut().set("allow", &allow)?,
            AppError::StageFailed { retry_after_ms: Some(ms), .. } => {
                response.headers_mut().set("retry-after", &ms.div_ceil(1000).to_string())?
            }
            _ => {}
        }
        Ok(response)
    }
}

impl From<worker::Error> for AppError {
    fn from(e: worker::Error) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(m) => AppError::Conflict { code: "conflict", message: m },
            other => AppError::Unavailable(other.to_string()),
        }
    }
}

impl From<InputError> for AppError {
    fn from(e: InputError) -> Self {
        if e.refused {
            AppError::Refused(e.message)
        } else {
            AppError::BadRequest(e.message)
        }
    }
}

impl From<ExecuteError> for AppError {
    fn from(e: ExecuteError) -> Self {
        match e {
            ExecuteError::ProjectNotFound => AppError::NotFound("project not found".into()),
            e @ ExecuteError::MissingUpstream { .. } => {
                AppError::Conflict { code: "missing_upstream", message: e.to_string() }
            }
            ExecuteError::Conflict(m) => AppError::Conflict { code: "conflict", message: m },
            ExecuteError::ModelShutDown(m) => AppError::Refused(m),
            ExecuteError::Storage(m) => AppError::Unavailable(m),
            e @ ExecuteError::BudgetExceeded { .. } => {
                AppError::Conflict { code: "budget_exceeded", message: e.to_string() }
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// Handler result.
pub(crate) type AppResult<T> = std::result::Result<T, AppError>;
