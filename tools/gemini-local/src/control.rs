//! The control API (`/__control/…`): faults queued, requests and streams
//! recorded, extra models, latency and speed.

use crate::faults::{Fault, FAULT_KINDS};
use crate::stream::Pace;
use crate::GeminiLocal;
use axum::http::Method;
use serde_json::{json, Value};

impl GeminiLocal {
    /// The control route `method` `path` answers, if it is one.
    pub(crate) fn control(&self, method: &Method, path: &str, query: &str, body: &str) -> Option<(u16, Value)> {
        let answer = match (method, path) {
            (&Method::GET, "/__control/health") | (&Method::GET, "/") => {
                (200, json!({"status": "ok", "faultKinds": FAULT_KINDS}))
            }
            (&Method::POST, "/__control/faults") => match serde_json::from_str::<Fault>(body) {
                Ok(f) if FAULT_KINDS.contains(&f.kind.as_str()) => {
                    let mut s = self.lock();
                    s.faults.push(f);
                    (201, json!({"queued": s.faults.len()}))
                }
                Ok(f) => {
                    (400, json!({"error": format!("unknown fault kind {}; known: {}", f.kind, FAULT_KINDS.join(", "))}))
                }
                Err(e) => (400, json!({"error": format!("bad fault: {e}")})),
            },
            (&Method::PUT, "/__control/models") => {
                match serde_json::from_str::<Value>(body).ok().and_then(|v| v["models"].as_array().cloned()) {
                    Some(models) if models.iter().all(|m| m["name"].is_string()) => {
                        let n = models.len();
                        self.lock().extra_models = models;
                        (200, json!({"extraModels": n}))
                    }
                    _ => (400, json!({"error": "expected {\"models\": [Model resources, each with a name]}"})),
                }
            }
            (&Method::PUT, "/__control/speed") => match serde_json::from_str::<Pace>(body) {
                Ok(pace) => {
                    self.lock().speed = Some(pace);
                    (200, json!({"speed": body.trim()}))
                }
                Err(e) => (400, json!({"error": format!("bad speed: {e}")})),
            },
            (&Method::DELETE, "/__control/speed") => {
                self.lock().speed = None;
                (200, json!({"speed": null}))
            }
            (&Method::DELETE, "/__control/faults") => {
                self.lock().faults.clear();
                (200, json!({"queued": 0}))
            }
            (&Method::GET, "/__control/requests") => {
                let needle = query.strip_prefix("match=").map(parit_shared::query::percent_decode);
                // Clone the matches and let go of the lock before serialising them.
                let list: Vec<Value> = self
                    .lock()
                    .requests
                    .iter()
                    .filter(|(raw, _)| needle.as_deref().is_none_or(|n| raw.contains(n)))
                    .map(|(_, record)| record.clone())
                    .collect();
                (200, json!({"requests": list}))
            }
            (&Method::GET, "/__control/streams") => {
                let needle = query.strip_prefix("match=").map(parit_shared::query::percent_decode);
                let list: Vec<Value> = self
                    .lock()
                    .streams
                    .iter()
                    .filter(|(raw, _)| needle.as_deref().is_none_or(|n| raw.contains(n)))
                    .map(|(_, record)| record.clone())
                    .collect();
                (200, json!({"streams": list}))
            }
            (&Method::DELETE, "/__control/requests") => {
                self.lock().requests.clear();
                (200, json!({"requests": []}))
            }
            (&Method::PUT, "/__control/latency") => {
                match serde_json::from_str::<Value>(body).ok().and_then(|v| v["ms"].as_u64()) {
                    Some(ms) => {
                        self.lock().latency_ms = ms;
                        (200, json!({"ms": ms}))
                    }
                    None => (400, json!({"error": "expected {\"ms\": <whole number>}"})),
                }
            }

            _ => return None,
        };
        Some(answer)
    }
}
