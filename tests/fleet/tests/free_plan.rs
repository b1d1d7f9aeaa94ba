//! The Workers Free plan, held on the real fleet. The main test fleet runs
//! the instrumented supervisor (`--features meter`), whose every invocation
//! logs what it spent (`{"meter": …}` lines in the fleet's wrangler.log):
//! subrequests by kind, the rows D1's own metadata says were read and
//! written, R2 operations by class, Durable Object storage writes. The
//! counts depend on what a request does, not on timing, so they are asserted:
//! every invocation of a full run (its requests and each alarm) and of a
//! session of browsing stays at or below `limits::SUBREQUEST_GOAL`, for the
//! examples and for a 100-entity data model. And `/health` without a token
//! writes nothing, calls no other Worker, and is rate limited per address.
//!
//! The tables `bench/freeplan.sh` puts in docs/BENCHMARKS.md are these
//! suites' figures (`free_plan_*` in `PARIT_FIGURES_DIR`).

use parit_fleet_tests::*;
use parit_shared::api;
use parit_shared::limits::{Usage, Workload, SUBREQUEST_GOAL};
use parit_shared::Stage;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};

fn url(path: &str) -> String {
    format!("{}{path}", fleet().url)
}

/// The meter line of the invocation `id`, once the fleet has logged it.
fn line_of(id: &str) -> Spent {
    let mut found = None;
    poll_until(&format!("the fleet has logged the meter line of {id}"), || {
        found = meter_lines().into_iter().find(|x| x.id == id);
        found.is_some()
    });
    found.expect("found")
}

/// A session's requests, each sent with its own request id so its meter
/// line (and the project object's, which carries the same id) can be found.
struct Session {
    tag: String,
    sent: u32,
    project: String,
}

impl Session {
    fn new(tag: &str) -> Self {
        Session { tag: unique(tag).replace(|c: char| !c.is_ascii_alphanumeric(), ""), sent: 0, project: String::new() }
    }

    fn call(&mut self, method: &str, path: &str, body: Option<&Value>) -> Answer {
        self.sent += 1;
        let id = format!("fp{}n{}", self.tag, self.sent);
        let text = body.map(Value::to_string);
        let body = text.as_deref().map(|t| ("application/json", t));
        call(method, &url(path), Caller::Default, &[("x-request-id", &id)], body)
    }

    fn get(&mut self, path: &str) -> Answer {
        let a = self.call("GET", path, None);
        assert!(a.status < 400, "GET {path}: {} {}", a.status, a.text);
        a
    }

    /// Waits for the run to end by reading the activity feed (D1 only: asking
    /// the project's object would interleave with its alarms).
    fn wait_for_run_end(&mut self) {
        let p = format!("/api/projects/{}/activity?limit=1000", self.project);
        poll_until("the run has finished", || {
            let a = call("GET", &url(&p), Caller::Default, &[], None);
            a.json()["events"].as_array().is_some_and(|e| e.iter().any(|e| e["kind"] == "run_finished"))
        });
    }

    /// This session's meter lines: its requests' and its project's alarms.
    fn spent(&self) -> Vec<Spent> {
        let prefix = format!("fp{}n", self.tag);
        meter_lines().into_iter().filter(|s| s.id.starts_with(&prefix) || s.id == self.project).collect()
    }
}

/// A full run of a new project with `idea`, then a session of browsing:
/// the list, the pipeline, every artifact and its views, consistency, plan,
/// traces, activity, export, hand-off and a stream of events.
fn run_and_browse(s: &mut Session, idea: &str, sql: Option<&str>) {
    let a = s.call("POST", "/api/projects", Some(&json!({"name": "Free plan", "idea": idea})));
    assert_eq!(a.status, 201, "{}", a.text);
    s.project = a.json()["id"].as_str().unwrap().to_string();
    let p = format!("/api/projects/{}", s.project);
    if let Some(sql) = sql {
        let a = s.call("POST", "/api/execute", Some(&json!({"projectId": s.project, "stage": "prd"})));
        assert_eq!(a.status, 200, "{}", a.text);
        let a = s.call("POST", &format!("{p}/import/data"), Some(&json!({"sql": sql, "dialect": "sqlite"})));
        assert_eq!(a.status, 201, "{}", a.text);
    }
    let a = s.call("POST", &format!("{p}/run"), Some(&json!({})));
    assert_eq!(a.status, 202, "{}", a.text);
    s.wait_for_run_end();
    let project = s.get(&p).json();
    assert!(stage_table(&project).iter().all(|(_, status, _)| status == "done"), "{project}");
    s.get("/api/projects");
    s.get(&format!("{p}/artifacts"));
    for stage in Stage::ALL {
        s.get(&format!("{p}/artifacts/{stage}"));
        let views = s.get(&format!("{p}/artifacts/{stage}/views")).json();
        for v in views["views"].as_array().unwrap() {
            s.get(&format!("{p}/artifacts/{stage}/views/{}", v["name"].as_str().unwrap()));
        }
    }
    for path in ["consistency", "plan", "traces", "activity", "export", "handoff", "artifacts/data/changes"] {
        let a = s.call("GET", &format!("{p}/{path}"), None);
        assert!(a.status < 500, "{path}: {} {}", a.status, a.text);
    }
    // A viewer's stream of events: held by the project's object, it starts
    // with the snapshot and then costs nothing while nothing happens.
    s.sent += 1;
    let id = format!("fp{}n{}", s.tag, s.sent);
    let token = format!("Bearer {}", fleet().token);
    let stream = ureq::get(&url(&format!("{p}/events")))
        .set("authorization", &token)
        .set("x-request-id", &id)
        .call()
        .expect("the event stream");
    let first: Vec<String> =
        BufReader::new(stream.into_reader()).lines().map_while(Result::ok).take_while(|l| !l.is_empty()).collect();
    assert_eq!(first.first().map(String::as_str), Some("event: snapshot"), "{first:?}");
}

/// Whether the metered invocation `name` (`GET /api/projects/:id/export`) is
/// a route the Worker forwards to the project's object.
fn served_by_object(name: &str) -> bool {
    let Some((method, path)) = name.split_once(' ') else { return false };
    matches!(api::resolve(method, path), api::Resolution::Found(op, _) if op.in_object())
}

/// Asserts the goal on every invocation of `s`, and records its table.
fn hold_and_record(s: &Session, name: &str) {
    // The stream is the session's last invocation: once its line is logged, all are.
    poll_until("the fleet has logged the session's stream", || {
        s.spent().iter().any(|x| x.invocation == "object watch")
    });
    let spent = s.spent();
    let mut over = Vec::new();
    // Per request type: invocations, and the most and the total each did.
    let mut table: BTreeMap<String, (u32, Usage, u32)> = BTreeMap::new();
    let mut total = Usage::default();
    let (mut requests, mut object_requests) = (0u64, 0u64);
    for x in &spent {
        let n = x.usage.subrequests();
        if n > SUBREQUEST_GOAL {
            over.push(format!("{} ({}): {n} subrequests {:?}", x.invocation, x.stages.join(","), x.usage));
        }
        let key = match x.invocation.as_str() {
            "object alarm" if !x.stages.is_empty() => format!("object alarm ({})", x.stages.join(", ")),
            other => other.to_string(),
        };
        let row = table.entry(key).or_default();
        row.0 += 1;
        row.1 = row.1.plus(&x.usage);
        row.2 = row.2.max(n);
        total = total.plus(&x.usage);
        if x.invocation.starts_with("object ") {
            object_requests += 1;
        } else if !x.invocation.ends_with("(stream)") {
            requests += 1;
        }
    }
    assert!(spent.iter().any(|x| x.invocation == "object alarm"), "no alarm was metered: is the main fleet --meter?");
    // The routes whose work grows with the blueprint (`Op::in_object`): the
    // Worker reads the token and hands the request to the project's object,
    // which does the work (and its bridge calls) on its own CPU allowance.
    let forwarded: Vec<&Spent> = spent.iter().filter(|x| served_by_object(&x.invocation)).collect();
    assert!(forwarded.len() >= 10, "the session browsed views, consistency, plan, export and hand-off: {forwarded:?}");
    for x in forwarded {
        let u = &x.usage;
        let outside = (u.bridge_calls, u.agent_calls, u.r2_class_a + u.r2_class_b, u.durable_object_calls);
        assert_eq!(outside, (0, 0, 0, 1), "{} did more than forward: {u:?}", x.invocation);
        let object = spent.iter().find(|o| o.id == x.id && o.invocation == format!("object {}", x.invocation));
        assert!(object.is_some(), "no object invocation served {} ({})", x.invocation, x.id);
    }
    let rendered = spent.iter().filter(|x| x.invocation.starts_with("object GET") && x.usage.bridge_calls > 0);
    assert!(rendered.count() >= 5, "the object's views, consistency, export and hand-off call the bridge");
    assert!(spent.len() > 20, "too few invocations metered: {spent:?}");
    let rows: Vec<Value> = table
        .iter()
        .map(|(k, (n, u, max))| json!({"invocation": k, "count": n, "maxSubrequests": max, "usage": u}))
        .collect();
    let workload = Workload::new(requests, object_requests, total);
    let capacity: Vec<Value> = workload
        .per_day()
        .iter()
        .map(|(a, used, n)| json!({"allowance": a.name, "perDay": a.per_day, "used": used, "fits": n, "source": a.source}))
        .collect();
    figure(
        name,
        json!({"invocations": rows, "total": total, "requests": requests, "objectRequests": object_requests, "perDay": capacity}),
    );
    assert!(over.is_empty(), "over the goal of {SUBREQUEST_GOAL} subrequests:\n{}", over.join("\n"));
}

#[test]
fn a_full_run_and_a_session_of_browsing_stay_inside_the_free_plan_per_invocation() {
    let mut s = Session::new("fpmeals");
    let word = unique("fp");
    run_and_browse(&mut s, &format!("Plan a week of meals from the pantry {word}"), None);
    // Each stage its own alarm: seven alarms named a stage each.
    let stages: Vec<String> =
        s.spent().iter().filter(|x| x.invocation == "object alarm").flat_map(|x| x.stages.clone()).collect();
    assert_eq!(stages.len(), 7, "{stages:?}");
    hold_and_record(&s, "free_plan_meals");
    // An hour of a viewer: one event stream held open, which costs its
    // connection (the route and the object's watch) and keeps the object
    // awake, polling nothing.
    let connect = s.spent().into_iter().filter(|x| x.invocation.ends_with("/events") || x.invocation == "object watch");
    let connection = connect.fold(Usage::default(), |u, x| u.plus(&x.usage));
    let hour = Workload::new(1, 1, connection).awake(3_600);
    let capacity: Vec<Value> = hour
        .per_day()
        .iter()
        .map(|(a, used, n)| json!({"allowance": a.name, "perDay": a.per_day, "used": used, "fits": n, "source": a.source}))
        .collect();
    figure(
        "free_plan_viewer_hour",
        json!({"subrequestsPerConnection": connection.subrequests(), "objectSecondsPerHour": 3_600, "perDay": capacity}),
    );
}

#[test]
fn the_clinic_example_stays_inside_the_free_plan_per_invocation() {
    let mut s = Session::new("fpclinic");
    let word = unique("fp");
    run_and_browse(&mut s, &format!("Book appointments at a small clinic {word}"), None);
    hold_and_record(&s, "free_plan_clinic");
}

/// SQL DDL of `n` tables, each referring to the one before.
fn tables(n: usize) -> String {
    (0..n)
        .map(|i| {
            let reference =
                if i == 0 { String::new() } else { format!(",\n  t{}_id INTEGER REFERENCES t{}(id)", i - 1, i - 1) };
            format!(
                "CREATE TABLE t{i} (\n  id INTEGER PRIMARY KEY,\n  name TEXT NOT NULL,\n  note TEXT{reference}\n);\n"
            )
        })
        .collect()
}

#[test]
fn a_hundred_entities_stay_inside_the_free_plan_per_invocation() {
    let mut s = Session::new("fplarge");
    let word = unique("fp");
    run_and_browse(&mut s, &format!("Plan a week of meals from the pantry {word}"), Some(&tables(100)));
    let (_, data) = get(&url(&format!("/api/projects/{}/artifacts/data", s.project)));
    assert_eq!(data["artifact"]["entities"].as_array().map(Vec::len), Some(100));
    // The import is the object's: its parse (the bridge) and its store (D1,
    // R2) are counted in the object's invocation, the Worker only forwards.
    let spent = s.spent();
    let import = spent.iter().find(|x| x.invocation == "object POST /api/projects/:id/import/data").expect("metered");
    // The bridge parses the SQL, then decides the new ready verdict.
    assert_eq!((import.usage.bridge_calls, import.usage.r2_class_a), (2, 1), "{import:?}");
    assert!(import.usage.d1_rows_written > 0, "{import:?}");
    hold_and_record(&s, "free_plan_100_entities");
}

#[test]
fn anonymous_health_writes_nothing_calls_no_worker_and_is_limited_per_address() {
    // A live check with a token leaves the summary anonymous callers read.
    let (s, _) = get(&url("/health"));
    assert_eq!(s, 200);
    let tag = unique("fph").replace(|c: char| !c.is_ascii_alphanumeric(), "");
    let id = format!("fph{tag}");
    let a = call("GET", &url("/health"), Caller::Anonymous, &[("x-request-id", &id)], None);
    assert_eq!(a.status, 200, "{}", a.text);
    let line = line_of(&id);
    assert_eq!(
        line.usage,
        Usage { r2_class_b: 1, rate_limits: 1, ..Usage::default() },
        "one R2 read and the limiter, nothing else"
    );
    // The token's live check: D1, the bridge, seven agents, an R2 write and read.
    let id = format!("fpt{tag}");
    let a = call("GET", &url("/health"), Caller::Default, &[("x-request-id", &id)], None);
    assert_eq!(a.status, 200, "{}", a.text);
    let line = line_of(&id);
    assert_eq!((line.usage.agent_calls, line.usage.bridge_calls, line.usage.r2_class_a), (7, 1, 1), "{line:?}");
    assert!(line.usage.subrequests() <= SUBREQUEST_GOAL);
}

#[test]
fn anonymous_health_answers_429_with_retry_after_to_an_address_that_asks_too_often() {
    // The limits fleet allows 60 a minute per address: 121 in a row from one
    // address meet the limit whichever minute windows they straddle (two at
    // most, as they take well under a minute).
    let base = var("PARIT_LIMITS_URL");
    let address = format!("203.0.113.{}", free_port() % 250);
    let other = format!("198.51.100.{}", free_port() % 250);
    let mut limited = None;
    for _ in 0..121 {
        let a = call("GET", &format!("{base}/health"), Caller::Anonymous, &[("cf-connecting-ip", &address)], None);
        if a.status == 429 {
            limited = Some(a);
            break;
        }
        assert!(a.status == 200 || a.status == 503, "{} {}", a.status, a.text);
    }
    let a = limited.expect("121 anonymous checks from one address were never limited");
    assert_eq!(a.header("retry-after"), Some("60"));
    assert_eq!(a.json()["error"]["code"], "rate_limited", "{}", a.text);
    // Another address is not limited by the first one's checks.
    let b = call("GET", &format!("{base}/health"), Caller::Anonymous, &[("cf-connecting-ip", &other)], None);
    assert_ne!(b.status, 429, "{}", b.text);
}
