//! The supervisor's one error type and its JSON rendering. Details of
//! internal failures are logged, never sent.

use parit_shared::api::root::{ErrorBody, ErrorDetail};
use parit_shared::gemini::FailureClass;
use parit_shared::project::InputError;
use parit_shared::run::execute::ExecuteError;
use parit_shared::run::store::StoreError;
use parit_shared::Stage;
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
    /// What the caller is answered, decided here and nowhere else: the
    /// status, the body (`{"error": {"code", "message", "requestId", ...}}`)
    /// and the one header some errors carry (`retry-after`, `allow`,
    /// `www-authenticate`). Pure: [`AppError::into_response_for`] turns it
    /// into a response.
    pub(crate) fn answer(self, request_id: &str) -> (u16, ErrorBody, Option<(&'static str, String)>) {
        let mut error = ErrorDetail {
            code: String::new(),
            message: String::new(),
            request_id: request_id.to_string(),
            class: None,
            retryable: None,
            problems: Vec::new(),
            line: None,
            column: None,
            expected: None,
            findings: Vec::new(),
        };
        let mut header = None;
        let (status, code, message) = match self {
            AppError::BadRequest(m) => (400, "bad_request", m),
            AppError::Refused(m) => (422, "refused", m),
            AppError::ImportFailed(mut e) => {
                error.line = Some(e["line"].as_u64());
                error.column = Some(e["column"].as_u64());
                error.expected = Some(e["expected"].as_str().map(str::to_string));
                // (Read with serde's `Vec<String>`, already in this Worker: a loop of its own costs more.)
                error.findings = serde_json::from_value(e["findings"].take()).unwrap_or_default();
                (422, "import_failed", e["message"].as_str().unwrap_or("the import could not be read").into())
            }
            AppError::Unauthorized(m) => {
                header = Some(("www-authenticate", "Bearer realm=\"parit\"".into()));
                (401, "unauthorized", m.into())
            }
            AppError::Forbidden { code, message } => (403, code, message),
            AppError::RateLimited { retry_after } => {
                header = Some(("retry-after", retry_after.to_string()));
                (429, "rate_limited", "too many requests; retry-after says when to try again".into())
            }
            AppError::NotFound(m) => (404, "not_found", m),
            AppError::MethodNotAllowed(allowed) => {
                let message = format!("this route accepts {allowed}");
                header = Some(("allow", allowed));
                (405, "method_not_allowed", message)
            }
            AppError::Conflict { code, message } => (409, code, message),
            AppError::InvalidArtifact { stage, problems } => {
                let message = format!("the {stage} artifact has {} problem(s); nothing was saved", problems.len());
                error.problems = problems;
                (422, "invalid_artifact", message)
            }
            AppError::PayloadTooLarge(limit) => {
                (413, "payload_too_large", format!("the body is larger than {limit} bytes"))
            }
            AppError::UnsupportedMediaType => (
                415,
                "unsupported_media_type",
                "send the body as JSON with content-type: application/json (curl: -H 'content-type: application/json')"
                    .into(),
            ),
            AppError::StageFailed { class, message, retryable, retry_after_ms } => {
                // The status the agent answered with: decided once, by the class.
                let status = match FailureClass::parse(&class) {
                    Some(model_failure) => model_failure.http_status(),
                    None if class == "agent_unreachable" => 503,
                    None => 502,
                };
                header = retry_after_ms.map(|ms| ("retry-after", ms.div_ceil(1000).to_string()));
                let message = format!("{message} ({class})");
                error.class = Some(class);
                error.retryable = Some(retryable);
                (status, "stage_failed", message)
            }
            AppError::Unavailable(_) => (503, "unavailable", "storage is not answering; try again shortly".into()),
            AppError::Internal(_) => (500, "internal", "something went wrong on our side".into()),
        };
        error.code = code.into();
        error.message = message;
        (status, ErrorBody { error }, header)
    }

    /// What a log line says of this error: its message, or the detail an
    /// answer hides (not its `Debug`, which cost this Worker 1.6 KiB).
    pub(crate) fn logged(&self) -> &str {
        match self {
            AppError::BadRequest(m)
            | AppError::Refused(m)
            | AppError::NotFound(m)
            | AppError::MethodNotAllowed(m)
            | AppError::Unavailable(m)
            | AppError::Internal(m) => m,
            AppError::Forbidden { message, .. }
            | AppError::Conflict { message, .. }
            | AppError::StageFailed { message, .. } => message,
            AppError::Unauthorized(m) => m,
            AppError::InvalidArtifact { .. } => "an artifact breaks its schema or rules",
            AppError::ImportFailed(_) => "an import could not be read",
            AppError::RateLimited { .. } => "rate limited",
            AppError::PayloadTooLarge(_) => "a body too large",
            AppError::UnsupportedMediaType => "a body that is not JSON",
        }
    }

    /// The JSON error response ([`AppError::answer`]); an internal failure's
    /// detail is logged, never sent.
    pub(crate) fn into_response_for(self, request_id: Option<&str>) -> worker::Result<Response> {
        if let AppError::Internal(detail) | AppError::Unavailable(detail) = &self {
            worker::console_error!("{}", serde_json::json!({"level": "error", "detail": detail}));
        }
        let (status, body, header) = self.answer(request_id.unwrap_or_default());
        let mut response = crate::reply::typed(status, &body)?;
        if let Some((name, value)) = header {
            response.headers_mut().set(name, &value)?;
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

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use serde_json::json;

    /// What a caller sees of a refusal: status, code and message.
    pub(crate) fn seen<T: std::fmt::Debug>(result: AppResult<T>) -> (u16, String, String) {
        let (status, body, _) = result.expect_err("expected a refusal").answer("rid");
        (status, body.error.code, body.error.message)
    }

    /// A refusal's status and code, and that its message says `says`.
    #[track_caller]
    pub(crate) fn refused<T: std::fmt::Debug>(result: AppResult<T>, status: u16, code: &str, says: &str) {
        let (s, c, m) = seen(result);
        assert_eq!((s, c.as_str()), (status, code), "{m}");
        assert!(m.contains(says), "{m:?} does not say {says:?}");
    }

    fn answered(e: AppError) -> (u16, serde_json::Value, Option<(&'static str, String)>) {
        let (status, body, header) = e.answer("req-12345678");
        (status, serde_json::to_value(body).unwrap(), header)
    }

    #[test]
    fn every_variant_has_its_status_code_and_header() {
        let conflict = || AppError::Conflict { code: "missing_upstream", message: "run data first".into() };
        type Case = (AppError, u16, &'static str, &'static str, Option<(&'static str, &'static str)>);
        let cases: Vec<Case> = vec![
            (AppError::BadRequest("limit is wrong".into()), 400, "bad_request", "limit is wrong", None),
            (
                AppError::Unauthorized("missing bearer token"),
                401,
                "unauthorized",
                "missing bearer token",
                Some(("www-authenticate", "Bearer realm=\"parit\"")),
            ),
            (
                AppError::Forbidden { code: "project_limit", message: "at most 3".into() },
                403,
                "project_limit",
                "at most 3",
                None,
            ),
            (
                AppError::RateLimited { retry_after: 17 },
                429,
                "rate_limited",
                "too many requests; retry-after says when to try again",
                Some(("retry-after", "17")),
            ),
            (AppError::NotFound("no project x".into()), 404, "not_found", "no project x", None),
            (
                AppError::MethodNotAllowed("GET, POST".into()),
                405,
                "method_not_allowed",
                "this route accepts GET, POST",
                Some(("allow", "GET, POST")),
            ),
            (conflict(), 409, "missing_upstream", "run data first", None),
            (
                AppError::InvalidArtifact { stage: Stage::Data, problems: vec!["a".into(), "b".into()] },
                422,
                "invalid_artifact",
                "the data artifact has 2 problem(s); nothing was saved",
                None,
            ),
            (AppError::Refused("gemini-1.0 is shut down".into()), 422, "refused", "gemini-1.0 is shut down", None),
            (AppError::ImportFailed(json!({"message": "no table", "line": 3})), 422, "import_failed", "no table", None),
            (AppError::ImportFailed(json!({})), 422, "import_failed", "the import could not be read", None),
            (AppError::PayloadTooLarge(16384), 413, "payload_too_large", "the body is larger than 16384 bytes", None),
            (
                AppError::UnsupportedMediaType,
                415,
                "unsupported_media_type",
                "send the body as JSON with content-type: application/json (curl: -H 'content-type: application/json')",
                None,
            ),
            (
                AppError::Unavailable("D1: timeout at row 7".into()),
                503,
                "unavailable",
                "storage is not answering; try again shortly",
                None,
            ),
            (AppError::Internal("secret detail".into()), 500, "internal", "something went wrong on our side", None),
        ];
        for (error, status, code, message, header) in cases {
            let shown = format!("{error:?}");
            let (s, body, h) = answered(error);
            assert_eq!(s, status, "{shown}");
            assert_eq!(body["error"]["code"], code, "{shown}");
            assert_eq!(body["error"]["message"], message, "{shown}");
            assert_eq!(body["error"]["requestId"], "req-12345678", "{shown}");
            assert_eq!(h.as_ref().map(|(n, v)| (*n, v.as_str())), header, "{shown}");
        }
    }

    #[test]
    fn internal_detail_never_reaches_the_body() {
        for e in [AppError::Internal("D1 said: token=abc".into()), AppError::Unavailable("R2 key=abc".into())] {
            let (_, body, _) = answered(e);
            assert!(!body.to_string().contains("abc"), "{body}");
        }
    }

    #[test]
    fn a_failed_stage_answers_by_its_class_with_class_retryable_and_retry_after() {
        let failed = |class: &str, retry_after_ms| AppError::StageFailed {
            class: class.into(),
            message: "Gemini said no".into(),
            retryable: class == "quota_per_minute",
            retry_after_ms,
        };
        let (s, body, h) = answered(failed("quota_per_minute", Some(2_500)));
        assert_eq!(s, 429);
        assert_eq!(
            body,
            json!({"error": {"code": "stage_failed", "message": "Gemini said no (quota_per_minute)",
                             "requestId": "req-12345678", "class": "quota_per_minute", "retryable": true}})
        );
        // Seconds, rounded up.
        assert_eq!(h, Some(("retry-after", "3".to_string())));
        for (class, status) in
            [("billing", 402), ("safety", 422), ("invalid_argument", 502), ("agent_unreachable", 503), ("odd", 502)]
        {
            let (s, body, h) = answered(failed(class, None));
            assert_eq!(s, status, "{class}");
            assert_eq!(
                (body["error"]["class"].as_str(), body["error"]["retryable"].as_bool()),
                (Some(class), Some(false))
            );
            assert_eq!(h, None, "{class}");
        }
    }

    #[test]
    fn an_edit_lists_every_problem_and_an_import_its_place() {
        let (_, body, _) = answered(AppError::InvalidArtifact { stage: Stage::Api, problems: vec!["x".into()] });
        assert_eq!(body["error"]["problems"], json!(["x"]));
        let sql = json!({"message": "Expected )", "line": 3, "column": 14, "expected": ")", "findings": []});
        let (_, body, _) = answered(AppError::ImportFailed(sql));
        assert_eq!(
            body["error"],
            json!({"code": "import_failed", "message": "Expected )", "requestId": "req-12345678",
                   "line": 3, "column": 14, "expected": ")"})
        );
        let openapi = json!({"message": "not OpenAPI 3", "line": null, "column": null, "expected": null,
                             "findings": ["swagger: 2.0 is Swagger"]});
        let (_, body, _) = answered(AppError::ImportFailed(openapi));
        assert_eq!(body["error"]["findings"], json!(["swagger: 2.0 is Swagger"]));
        assert_eq!((&body["error"]["line"], &body["error"]["expected"]), (&json!(null), &json!(null)));
    }

    #[test]
    fn every_error_body_is_the_contracts() {
        let schema = <ErrorBody as parit_shared::schema::Describe>::schema();
        for e in [
            AppError::BadRequest("x".into()),
            AppError::StageFailed {
                class: "billing".into(),
                message: "m".into(),
                retryable: false,
                retry_after_ms: None,
            },
            AppError::InvalidArtifact { stage: Stage::Prd, problems: vec!["p".into()] },
            AppError::ImportFailed(json!({"message": "m", "line": 1, "column": 2, "expected": "x", "findings": []})),
        ] {
            let (_, body, _) = answered(e);
            assert_eq!(schema.check(&body), Vec::<String>::new(), "{body}");
        }
    }

    #[test]
    fn domain_errors_map_to_their_answers() {
        let from = |e: ExecuteError| AppError::from(e).answer("r").0;
        assert_eq!(from(ExecuteError::ProjectNotFound), 404);
        assert_eq!(from(ExecuteError::Conflict("a run is active".into())), 409);
        assert_eq!(from(ExecuteError::ModelShutDown("gone".into())), 422);
        assert_eq!(from(ExecuteError::Storage("d1".into())), 503);
        let store = AppError::from(StoreError::Conflict("taken".into())).answer("r");
        assert_eq!((store.0, store.1.error.code.as_str()), (409, "conflict"));
        let input = |refused| AppError::from(InputError { message: "m".into(), refused }).answer("r").0;
        assert_eq!((input(false), input(true)), (400, 422));
    }
}
