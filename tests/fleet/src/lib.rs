//! Helpers for the fleet suites: where the running fleets are (from the
//! environment `scripts/test.sh` sets), HTTP that returns status and JSON for
//! every answer, fault injection, and reading D1 and R2 through wrangler.

use serde_json::{json, Value};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

/// The fleets under test.
pub struct Fleet {
    /// The supervisor of the full fleet.
    pub url: String,
    /// A supervisor whose logic agent is not running.
    pub degraded_url: String,
    /// A lone data agent, as the primary Worker.
    pub agent_url: String,
    /// The local Gemini-compatible server.
    pub gemini_url: String,
    /// The fake GEMINI_API_KEY the agents hold.
    pub key: String,
    /// The full fleet's run directory (config/ and state/).
    pub dir: String,
    /// The wrangler binary.
    pub wrangler: String,
}

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: the fleet suites run against running fleets; start them with scripts/test.sh")
    })
}

/// The fleets, read once from the environment.
pub fn fleet() -> &'static Fleet {
    static FLEET: OnceLock<Fleet> = OnceLock::new();
    FLEET.get_or_init(|| Fleet {
        url: var("PARIT_SUPERVISOR_URL"),
        degraded_url: var("PARIT_DEGRADED_URL"),
        agent_url: var("PARIT_AGENT_URL"),
        gemini_url: var("PARIT_GEMINI_URL"),
        key: var("PARIT_TEST_KEY"),
        dir: var("PARIT_FLEET_DIR"),
        wrangler: var("PARIT_WRANGLER"),
    })
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new().timeout(Duration::from_secs(120)).build()
}

/// Status and body text of any answer, 4xx and 5xx included.
fn finish(result: Result<ureq::Response, ureq::Error>) -> (u16, String) {
    match result {
        Ok(r) => (r.status(), r.into_string().unwrap_or_default()),
        Err(ureq::Error::Status(code, r)) => (code, r.into_string().unwrap_or_default()),
        Err(e) => panic!("request failed: {e}"),
    }
}

fn parse(status: u16, text: String) -> (u16, Value) {
    let v = serde_json::from_str(&text).unwrap_or_else(|_| panic!("HTTP {status} body is not JSON: {text}"));
    (status, v)
}

/// GET, answering status and JSON.
pub fn get(url: &str) -> (u16, Value) {
    let (s, t) = finish(agent().get(url).call());
    parse(s, t)
}

/// A request with a JSON body.
pub fn send(method: &str, url: &str, body: &Value) -> (u16, Value) {
    let (s, t) =
        finish(agent().request(method, url).set("content-type", "application/json").send_string(&body.to_string()));
    parse(s, t)
}

/// POST with a JSON body.
pub fn post(url: &str, body: &Value) -> (u16, Value) {
    send("POST", url, body)
}

/// A request with a raw body and content type.
pub fn send_raw(method: &str, url: &str, content_type: &str, body: &str) -> (u16, Value) {
    let (s, t) = finish(agent().request(method, url).set("content-type", content_type).send_string(body));
    parse(s, t)
}

/// DELETE.
pub fn delete(url: &str) -> (u16, Value) {
    let (s, t) = finish(agent().delete(url).call());
    parse(s, t)
}

/// A word no other test uses, to scope faults and recorded requests.
pub fn unique(tag: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!("zz{tag}{}x{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

/// Queues a fault on the Gemini server.
pub fn inject(fault: Value) {
    let (status, body) = post(&format!("{}/__control/faults", fleet().gemini_url), &fault);
    assert_eq!(status, 201, "{body}");
}

/// Requests the Gemini server received whose body contains `word`.
pub fn gemini_requests(word: &str) -> Vec<Value> {
    let (_, v) = get(&format!("{}/__control/requests?match={word}", fleet().gemini_url));
    v["requests"].as_array().cloned().unwrap_or_default()
}

/// Creates a project about `idea` (with `word` in it) on `base`; its id.
pub fn create_project(base: &str, name: &str, idea: &str) -> String {
    let (status, body) = post(&format!("{base}/api/projects"), &json!({"name": name, "idea": idea}));
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().expect("project id").to_string()
}

/// Runs `stage` of `project` on `base`.
pub fn execute(base: &str, project: &str, stage: &str) -> (u16, Value) {
    post(&format!("{base}/api/execute"), &json!({"projectId": project, "stage": stage}))
}

/// Rows from the full fleet's local D1, read with `wrangler d1 execute --local`.
/// Reading the SQLite file while workerd writes it can fail with a lock
/// error, so a failed read is tried again a few times.
pub fn d1(sql: &str) -> Vec<Value> {
    // One reader at a time: each read briefly locks the file workerd writes.
    static READER: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = READER.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let f = fleet();
    let mut last_error = String::new();
    for _ in 0..5 {
        let out = Command::new(&f.wrangler)
            .args(["d1", "execute", "parit_db", "--local", "--json", "--command", sql])
            .args(["--persist-to", &format!("{}/state", f.dir)])
            .args(["-c", &format!("{}/config/supervisor/wrangler.toml", f.dir)])
            .output()
            .expect("wrangler runs");
        if out.status.success() {
            let v: Value = serde_json::from_slice(&out.stdout).expect("wrangler --json output");
            return v[0]["results"].as_array().cloned().unwrap_or_default();
        }
        last_error = format!("{}{}", String::from_utf8_lossy(&out.stderr), String::from_utf8_lossy(&out.stdout));
        std::thread::sleep(Duration::from_millis(300));
    }
    panic!("d1 execute failed five times: {last_error}");
}

/// An object from the full fleet's local R2, read with `wrangler r2 object get --local`.
pub fn r2(key: &str) -> Option<String> {
    let f = fleet();
    let out = Command::new(&f.wrangler)
        .args(["r2", "object", "get", &format!("parit-artifacts/{key}"), "--local", "--pipe"])
        .args(["--persist-to", &format!("{}/state", f.dir)])
        .args(["-c", &format!("{}/config/supervisor/wrangler.toml", f.dir)])
        .output()
        .expect("wrangler runs");
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Starts a run of `project` on `base`; answers the HTTP status and body.
pub fn start_run(base: &str, project: &str) -> (u16, Value) {
    post(&format!("{base}/api/projects/{project}/run"), &json!({}))
}

/// Polls `project` on `base` until its run is no longer `running`; the project.
pub fn wait_for_run(base: &str, project: &str) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        let (status, body) = get(&format!("{base}/api/projects/{project}"));
        assert_eq!(status, 200, "{body}");
        if body["run"]["status"].as_str().is_some_and(|s| s != "running") {
            return body;
        }
        assert!(std::time::Instant::now() < deadline, "the run did not finish: {body}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// Each stage's (status, version) in a project view.
pub fn stage_table(project: &Value) -> Vec<(String, String, Option<u64>)> {
    project["stages"]
        .as_array()
        .map(|stages| {
            stages
                .iter()
                .map(|s| {
                    (
                        s["stage"].as_str().unwrap_or("").to_string(),
                        s["status"].as_str().unwrap_or("").to_string(),
                        s["version"].as_u64(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The stages of the Gemini requests whose body contains `word`, in order.
pub fn stages_requested(word: &str) -> Vec<String> {
    gemini_requests(word).iter().filter_map(|r| r["stage"].as_str().map(str::to_string)).collect()
}
