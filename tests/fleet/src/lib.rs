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
    /// Owner A's API token on the full fleet (the default caller).
    pub token: String,
    /// Owner B's API token on the full fleet.
    pub token_b: String,
    /// A token on the degraded fleet.
    pub degraded_token: String,
}

/// A setting `scripts/test.sh` exports (panics, naming it, when unset).
pub fn var(name: &str) -> String {
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
        token: var("PARIT_TOKEN"),
        token_b: var("PARIT_TOKEN_B"),
        degraded_token: var("PARIT_DEGRADED_TOKEN"),
    })
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new().timeout(Duration::from_secs(120)).build()
}

/// Who a request is sent as.
#[derive(Debug, Clone, Copy)]
pub enum Caller<'a> {
    /// The fleet's default token for a supervisor URL (owner A on the full
    /// fleet); nothing for the agent and Gemini URLs.
    Default,
    /// No Authorization header.
    Anonymous,
    /// This bearer token.
    Token(&'a str),
}

/// A whole answer: status, headers (lowercase names) and body text.
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Headers, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy).
    pub text: String,
    /// The body's bytes.
    pub bytes: Vec<u8>,
}

impl Answer {
    /// The value of header `name`, if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The body as JSON (panics with the body when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|_| panic!("HTTP {} body is not JSON: {}", self.status, self.text))
    }
}

/// Fleets a suite started itself, with their tokens (see [`mint_token`]).
static EXTRA_FLEETS: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());

fn default_token(url: &str) -> Option<String> {
    let f = fleet();
    let extra = EXTRA_FLEETS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, token)) = extra.iter().find(|(base, _)| url.starts_with(base.as_str())) {
        Some(token.clone())
    } else if url.starts_with(&f.degraded_url) {
        Some(f.degraded_token.clone())
    } else if url.starts_with(&f.url) {
        Some(f.token.clone())
    } else {
        None
    }
}

/// Mints a token with scripts/create-token.sh on the fleet whose state is in
/// `state_dir`, and makes it the default caller for `base`.
pub fn mint_token(base: &str, state_dir: &str, owner: &str) -> String {
    let root = var("PARIT_ROOT");
    let out = Command::new(format!("{root}/scripts/create-token.sh"))
        .args(["--owner", owner, "--label", "fleet test", "--persist-to", state_dir])
        .output()
        .expect("create-token runs");
    assert!(out.status.success(), "create-token failed: {}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    use_token(base, &token);
    token
}

/// Sends `token` with every default call to `base` (a fleet restarted on the
/// same state answers on a new URL and takes the tokens it had).
pub fn use_token(base: &str, token: &str) {
    EXTRA_FLEETS.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push((base.to_string(), token.to_string()));
}

/// Sends any request as `caller`, with optional extra headers and body.
pub fn call(
    method: &str,
    url: &str,
    caller: Caller<'_>,
    headers: &[(&str, &str)],
    body: Option<(&str, &str)>,
) -> Answer {
    let mut request = agent().request(method, url);
    let token = match caller {
        Caller::Default => default_token(url),
        Caller::Anonymous => None,
        Caller::Token(t) => Some(t.to_string()),
    };
    if let Some(t) = token {
        request = request.set("authorization", &format!("Bearer {t}"));
    }
    for (k, v) in headers {
        request = request.set(k, v);
    }
    let result = match body {
        Some((content_type, text)) => request.set("content-type", content_type).send_string(text),
        None => request.call(),
    };
    let response = match result {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{method} {url} failed: {e}"),
    };
    let status = response.status();
    let headers =
        response.headers_names().iter().map(|n| (n.clone(), response.header(n).unwrap_or("").to_string())).collect();
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut response.into_reader(), &mut bytes).expect("read the body");
    Answer { status, headers, text: String::from_utf8_lossy(&bytes).into_owned(), bytes }
}

/// Opens a streaming GET (server-sent events) as the default caller.
pub fn open_stream(url: &str) -> ureq::Response {
    let mut request = agent().get(url);
    if let Some(t) = default_token(url) {
        request = request.set("authorization", &format!("Bearer {t}"));
    }
    request.call().expect("stream")
}

/// Status and body text of any answer, 4xx and 5xx included.
fn finish(answer: Answer) -> (u16, String) {
    (answer.status, answer.text)
}

fn parse(status: u16, text: String) -> (u16, Value) {
    let v = serde_json::from_str(&text).unwrap_or_else(|_| panic!("HTTP {status} body is not JSON: {text}"));
    (status, v)
}

/// GET, answering status and JSON.
pub fn get(url: &str) -> (u16, Value) {
    let (s, t) = finish(call("GET", url, Caller::Default, &[], None));
    parse(s, t)
}

/// A request with a JSON body.
pub fn send(method: &str, url: &str, body: &Value) -> (u16, Value) {
    let (s, t) = finish(call(method, url, Caller::Default, &[], Some(("application/json", &body.to_string()))));
    parse(s, t)
}

/// POST with a JSON body.
pub fn post(url: &str, body: &Value) -> (u16, Value) {
    send("POST", url, body)
}

/// A request with a raw body and content type.
pub fn send_raw(method: &str, url: &str, content_type: &str, body: &str) -> (u16, Value) {
    let (s, t) = finish(call(method, url, Caller::Default, &[], Some((content_type, body))));
    parse(s, t)
}

/// DELETE.
pub fn delete(url: &str) -> (u16, Value) {
    let (s, t) = finish(call("DELETE", url, Caller::Default, &[], None));
    parse(s, t)
}

/// A word no other test uses, to scope faults and recorded requests.
pub fn unique(tag: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    // The trailing "z" keeps one word from being a prefix of another (x7z, x76z).
    format!("zz{tag}{}x{}z", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
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
/// error, so a failed read is tried again (for up to ten seconds).
pub fn d1(sql: &str) -> Vec<Value> {
    // One reader at a time: each read briefly locks the file workerd writes.
    static READER: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = READER.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let f = fleet();
    let mut last_error = String::new();
    for _ in 0..20 {
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
        std::thread::sleep(Duration::from_millis(500));
    }
    panic!("d1 execute failed 20 times: {last_error}");
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

/// A TCP port nobody listens on now, below the kernel's ephemeral range (as
/// `scripts/lib.sh`'s `free_port`): a port from that range can be taken by an
/// outgoing connection before the server meant to have it binds it.
pub fn free_port() -> u16 {
    let low = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|r| r.split_whitespace().next()?.parse::<u16>().ok())
        .unwrap_or(32_768);
    let mut seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    for _ in 0..500 {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let port = 10_000 + (seed >> 8) as u16 % (low - 10_000);
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port below {low}");
}

/// Polls `ready` until it holds. The two-minute bound only ends a broken run;
/// it is not what a test asserts.
pub fn poll_until(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while !ready() {
        assert!(std::time::Instant::now() < deadline, "still waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Polls `project` on `base` until its run is no longer `running`; the project.
pub fn wait_for_run(base: &str, project: &str) -> Value {
    wait_for_run_within(base, project, 120)
}

/// [`wait_for_run`], for a run that may take up to `seconds` (a benchmark's).
pub fn wait_for_run_within(base: &str, project: &str, seconds: u64) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(seconds);
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

/// Records a figure for docs/RELIABILITY.md (`bench/reliability.sh` collects
/// them from `PARIT_FIGURES_DIR`) and prints it.
pub fn figure(name: &str, value: Value) {
    println!("figure {name}: {value}");
    if let Ok(dir) = std::env::var("PARIT_FIGURES_DIR") {
        std::fs::create_dir_all(&dir).expect("figures dir");
        std::fs::write(format!("{dir}/{name}.json"), value.to_string()).expect("write a figure");
    }
}

/// One invocation's meter line.
#[derive(Debug, Clone)]
pub struct Spent {
    /// The invocation's name: `GET /api/projects/:id`, `object alarm`, ...
    pub invocation: String,
    /// The request id it carried (an alarm: its project's id).
    pub id: String,
    /// The stages it executed.
    pub stages: Vec<String>,
    /// What it did.
    pub usage: parit_shared::limits::Usage,
}

/// Every meter line the main fleet's instrumented supervisor has logged so
/// far (`{"meter": …}` lines in its wrangler.log).
pub fn meter_lines() -> Vec<Spent> {
    let log = std::fs::read_to_string(format!("{}/wrangler.log", fleet().dir)).expect("the main fleet's log");
    log.lines()
        .filter_map(|line| {
            let at = line.find("{\"meter\":")?;
            let v: Value = serde_json::from_str(&line[at..]).ok()?;
            let m = &v["meter"];
            Some(Spent {
                invocation: m["invocation"].as_str()?.to_string(),
                id: m["id"].as_str()?.to_string(),
                stages: m["stages"].as_array()?.iter().filter_map(|s| s.as_str().map(str::to_string)).collect(),
                usage: serde_json::from_value(m["usage"].clone()).ok()?,
            })
        })
        .collect()
}
