//! The supervisor as a public door: tokens, tenant isolation, CORS, headers,
//! request ids and logs, and the fault switch's guard — on the full fleet.

use parit_fleet_tests::*;
use serde_json::{json, Value};
use std::process::Command;

fn url(path: &str) -> String {
    format!("{}{path}", fleet().url)
}

/// Every `/api` route on project `id` (method, path, JSON body).
fn api_routes(id: &str) -> Vec<(&'static str, String, Option<Value>)> {
    let p = format!("/api/projects/{id}");
    let data = parit_shared::fixtures::examples::select("plan meals").artifact(parit_shared::Stage::Data);
    vec![
        ("GET", p.clone(), None),
        ("PATCH", format!("{p}/settings"), Some(json!({"temperature": 0.1}))),
        ("GET", format!("{p}/artifacts"), None),
        ("GET", format!("{p}/artifacts/prd"), None),
        ("GET", format!("{p}/artifacts/prd?version=1"), None),
        ("PUT", format!("{p}/artifacts/data"), Some(data.to_value())),
        ("GET", format!("{p}/artifacts/data/views"), None),
        ("GET", format!("{p}/artifacts/data/changes"), None),
        ("GET", format!("{p}/artifacts/data/views/schema.sql"), None),
        ("GET", format!("{p}/consistency"), None),
        ("GET", format!("{p}/export"), None),
        ("GET", format!("{p}/activity"), None),
        ("GET", format!("{p}/traces"), None),
        ("GET", format!("{p}/plan"), None),
        ("GET", format!("{p}/plan?regenerate=api"), None),
        ("POST", format!("{p}/plan"), Some(json!({"stage": "data", "artifact": data.to_value()}))),
        ("GET", format!("{p}/events"), None),
        ("POST", format!("{p}/run"), Some(json!({}))),
        ("POST", format!("{p}/cancel"), Some(json!({}))),
        ("POST", format!("{p}/stages/prd/approve"), Some(json!({}))),
        ("POST", format!("{p}/stages/prd/regenerate"), Some(json!({"feedback": "shorter"}))),
        ("POST", "/api/execute".into(), Some(json!({"projectId": id, "stage": "prd"}))),
        ("POST", format!("{p}/drift"), Some(json!({"sql": "CREATE TABLE t (id TEXT PRIMARY KEY);"}))),
        ("DELETE", p, None),
    ]
}

fn send_as(caller: Caller<'_>, method: &str, path: &str, body: &Option<Value>) -> Answer {
    let text = body.as_ref().map(Value::to_string);
    call(method, &url(path), caller, &[], text.as_deref().map(|t| ("application/json", t)))
}

fn completed_project(tag: &str) -> String {
    let word = unique(tag);
    let id = create_project(&fleet().url, "Isolated", &format!("Plan a week of meals from the pantry {word}"));
    start_run(&fleet().url, &id);
    assert_eq!(wait_for_run(&fleet().url, &id)["run"]["status"], "completed");
    id
}

/// What owner A can see of a project: every read surface.
fn state_of(id: &str) -> Vec<Value> {
    ["", "/artifacts", "/activity", "/traces", "/consistency"]
        .iter()
        .map(|p| {
            let (s, mut v) = get(&url(&format!("/api/projects/{id}{p}")));
            assert_eq!(s, 200, "{v}");
            v.as_object_mut().map(|m| m.remove("requestId"));
            v
        })
        .collect()
}

#[test]
fn every_api_route_needs_a_valid_token() {
    let id = create_project(&fleet().url, "Locked", "Plan a week of meals from the pantry, locked");
    let mut routes = api_routes(&id);
    routes.push(("POST", "/api/projects".into(), Some(json!({"name": "x", "idea": "an idea of ten chars"}))));
    routes.push(("GET", "/api/projects".into(), None));
    for caller in [Caller::Anonymous, Caller::Token("parit_0000000000000000000000000000000000000000")] {
        for (method, path, body) in &routes {
            let a = send_as(caller, method, path, body);
            assert_eq!(a.status, 401, "{method} {path}: {}", a.text);
            let v = a.json();
            assert_eq!(v["error"]["code"], "unauthorized", "{method} {path}");
            assert_eq!(a.header("www-authenticate"), Some("Bearer realm=\"parit\""));
            assert_eq!(v["error"]["requestId"].as_str(), a.header("x-request-id"));
        }
    }
    let a = call("GET", &url("/api/projects"), Caller::Anonymous, &[("authorization", "Basic YWxpY2U6cHc=")], None);
    assert_eq!(a.status, 401);
    assert_eq!(a.json()["error"]["message"], "the Authorization header must be \"Bearer <token>\"");
    // Nothing was changed by the refused calls.
    let (s, project) = get(&url(&format!("/api/projects/{id}")));
    assert_eq!(s, 200);
    assert!(project["settings"]["temperature"].is_null(), "{project}");
    assert!(project["run"].is_null());
}

#[test]
fn a_minted_token_works_until_it_is_revoked() {
    let f = fleet();
    let script = format!("{}/scripts/create-token.sh", std::env::var("PARIT_ROOT").expect("PARIT_ROOT"));
    let state = format!("{}/state", f.dir);
    let out = Command::new(&script)
        .args(["--owner", "alice", "--label", "revocation test", "--persist-to", &state])
        .output()
        .expect("create-token runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(token.starts_with("parit_") && token.len() == 70, "{token}");
    let id = String::from_utf8_lossy(&out.stderr).split_whitespace().nth(2).unwrap_or("").to_string();
    // D1 holds the hash, never the token.
    let rows = d1(&format!("SELECT token_hash, owner_id, revoked FROM api_tokens WHERE id = '{id}'"));
    assert_eq!(rows.len(), 1, "token id {id}");
    assert_eq!(rows[0]["token_hash"], parit_shared::hash::sha256_hex(token.as_bytes()));
    assert!(!d1("SELECT * FROM api_tokens").iter().any(|r| r.to_string().contains(&token)));
    let a = call("GET", &url("/api/projects"), Caller::Token(&token), &[], None);
    assert_eq!(a.status, 200, "{}", a.text);
    // It is alice's: it sees the projects alice's other token made.
    let mine = create_project(&f.url, "Shared owner", "Plan a week of meals, one owner two tokens");
    let a = call("GET", &url(&format!("/api/projects/{mine}")), Caller::Token(&token), &[], None);
    assert_eq!(a.status, 200);
    let revoke = Command::new(&script).args(["--revoke", &id, "--persist-to", &state]).output().expect("revoke runs");
    assert!(revoke.status.success(), "{}", String::from_utf8_lossy(&revoke.stderr));
    let a = call("GET", &url("/api/projects"), Caller::Token(&token), &[], None);
    assert_eq!(a.status, 401);
    assert_eq!(a.json()["error"]["message"], "the token is unknown or revoked");
    let list = Command::new(&script).args(["--list", "--persist-to", &state]).output().expect("list runs");
    let listing = String::from_utf8_lossy(&list.stdout);
    let line = listing.lines().find(|l| l.starts_with(&id)).unwrap_or_else(|| panic!("{listing}"));
    assert!(line.contains("revoked") && line.contains("revocation test"), "{line}");
    assert!(!listing.contains(&token));
    let again = Command::new(&script).args(["--revoke", &id, "--persist-to", &state]).output().expect("runs");
    assert!(!again.status.success(), "revoking twice is an error");
}

#[test]
fn another_owners_project_is_indistinguishable_from_a_missing_one() {
    let id = completed_project("iso");
    let before = state_of(&id);
    let missing = "0123abcd-0000-4000-8000-000000000000";
    let token_b = fleet().token_b.as_str();
    // A leak: any answer to B about A's project that differs from the answer
    // about a project that does not exist (status or body, ids aside).
    let mut leaks = Vec::new();
    let routes = api_routes(&id);
    let attempts = routes.len();
    for ((method, path, body), (_, missing_path, missing_body)) in routes.into_iter().zip(api_routes(missing)) {
        let theirs = send_as(Caller::Token(token_b), method, &path, &body);
        let absent = send_as(Caller::Token(token_b), method, &missing_path, &missing_body);
        let comparable = |a: &Answer, own: &str| {
            let mut v = a.json();
            if let Some(e) = v["error"].as_object_mut() {
                e.remove("requestId");
            }
            (a.status, v.to_string().replace(own, "ID"))
        };
        let (t, m) = (comparable(&theirs, &id), comparable(&absent, missing));
        if t.0 != 404 || t != m {
            leaks.push(format!("{method} {path}: {} {} (a missing project: {} {})", t.0, t.1, m.0, m.1));
        }
    }
    figure("isolation", json!({"routes": attempts, "attempts": attempts, "leaks": leaks.len()}));
    assert!(leaks.is_empty(), "B learned about A's project:\n{}", leaks.join("\n"));
    let (s, list) = {
        let a = call("GET", &url("/api/projects?limit=100"), Caller::Token(token_b), &[], None);
        (a.status, a.json())
    };
    assert_eq!(s, 200);
    assert!(!list.to_string().contains(&id), "B's list shows A's project");
    assert_eq!(state_of(&id), before, "B changed A's project");
    let versions = d1(&format!("SELECT COUNT(*) AS n FROM artifacts WHERE project_id = '{id}'"));
    assert_eq!(versions[0]["n"], 7);
}

#[test]
fn anonymous_health_is_up_or_down_only() {
    // Anonymous callers see the summary the last live check (a token's) left.
    let (s, _) = get(&url("/health"));
    assert_eq!(s, 200);
    let a = call("GET", &url("/health"), Caller::Anonymous, &[], None);
    assert_eq!(a.status, 200);
    let mut v = a.json();
    assert_eq!(v["status"], "ok");
    // Up or down, and when the live check ran: nothing else.
    assert_eq!(v.as_object().map(|m| m.len()), Some(2), "{v}");
    assert!(v["checkedAt"].as_u64().is_some(), "{v}");
    for detail in
        ["schemaVersion", "\"model\"", "keyConfigured", "latencyMs", "\"down\"", "\"agent\"", "error", "components"]
    {
        assert!(!a.text.contains(detail), "anonymous /health shows {detail}: {}", a.text);
    }
    // A wrong token is treated as anonymous, not rejected.
    let wrong = call("GET", &url("/health"), Caller::Token("parit_nope"), &[], None);
    assert_eq!(wrong.status, 200);
    // (Another suite's live check may have landed in between: a newer checkedAt.)
    let mut w = wrong.json();
    for x in [&mut v, &mut w] {
        x.as_object_mut().map(|m| m.remove("checkedAt"));
    }
    assert_eq!(w, v);
}

#[test]
fn every_answer_carries_the_security_headers_and_a_request_id() {
    let id = completed_project("hdr");
    let p = format!("/api/projects/{id}");
    let cases: Vec<(&str, String, Caller<'_>)> = vec![
        ("GET", "/".into(), Caller::Anonymous),
        ("GET", "/health".into(), Caller::Anonymous),
        ("GET", "/openapi.json".into(), Caller::Anonymous),
        ("GET", "/nowhere".into(), Caller::Anonymous),
        ("GET", "/api/projects".into(), Caller::Anonymous),
        ("GET", p.clone(), Caller::Default),
        ("GET", format!("{p}/artifacts/data/views/schema.sql"), Caller::Default),
        ("GET", format!("{p}/artifacts/frontend/views"), Caller::Default),
        ("GET", format!("{p}/export"), Caller::Default),
        ("POST", format!("{p}/cancel"), Caller::Default),
        ("DELETE", "/health".into(), Caller::Anonymous),
    ];
    for (method, path, caller) in cases {
        let a = call(method, &url(&path), caller, &[], None);
        let ctx = format!("{method} {path} → {}", a.status);
        assert!(a.header("content-type").is_some_and(|c| !c.is_empty()), "{ctx}");
        assert_eq!(a.header("x-content-type-options"), Some("nosniff"), "{ctx}");
        assert_eq!(a.header("cache-control"), Some("no-store"), "{ctx}");
        assert_eq!(a.header("x-frame-options"), Some("DENY"), "{ctx}");
        assert_eq!(a.header("content-security-policy"), Some("default-src 'none'; frame-ancestors 'none'"), "{ctx}");
        let rid = a.header("x-request-id").unwrap_or_else(|| panic!("{ctx}: no x-request-id"));
        assert!(rid.len() >= 8, "{ctx}");
        if a.status >= 400 {
            assert_eq!(a.json()["error"]["requestId"], rid, "{ctx}");
        }
    }
    // A caller's own request id is kept, an unsafe one replaced.
    let a = call("GET", &url("/api/projects/zz"), Caller::Default, &[("x-request-id", "trace-me-12345")], None);
    assert_eq!(a.header("x-request-id"), Some("trace-me-12345"));
    assert_eq!(a.json()["error"]["requestId"], "trace-me-12345");
    let a = call("GET", &url("/"), Caller::Anonymous, &[("x-request-id", "<script>alert(1)</script>")], None);
    assert_ne!(a.header("x-request-id"), Some("<script>alert(1)</script>"));
    // The event stream too (read its headers, then drop it).
    let stream = open_stream(&url(&format!("{p}/events")));
    assert_eq!(stream.header("x-content-type-options"), Some("nosniff"));
    assert!(stream.header("x-request-id").is_some());
}

#[test]
fn cors_echoes_only_an_allowed_origin() {
    let allowed = "http://127.0.0.1:8788";
    let a = call("GET", &url("/api/projects"), Caller::Default, &[("origin", allowed)], None);
    assert_eq!(a.status, 200);
    assert_eq!(a.header("access-control-allow-origin"), Some(allowed));
    assert!(a.header("access-control-expose-headers").unwrap_or("").contains("x-request-id"));
    assert!(a.header("vary").unwrap_or("").to_ascii_lowercase().contains("origin"));
    assert_eq!(a.header("access-control-allow-credentials"), None);
    let evil = call("GET", &url("/api/projects"), Caller::Default, &[("origin", "https://evil.example")], None);
    assert_eq!(evil.header("access-control-allow-origin"), None);
    // Preflights.
    let preflight = |origin: &str| {
        call(
            "OPTIONS",
            &url("/api/projects"),
            Caller::Anonymous,
            &[
                ("origin", origin),
                ("access-control-request-method", "POST"),
                ("access-control-request-headers", "authorization, content-type"),
            ],
            None,
        )
    };
    let ok = preflight(allowed);
    assert_eq!(ok.status, 204);
    assert_eq!(ok.header("access-control-allow-origin"), Some(allowed));
    let methods = ok.header("access-control-allow-methods").unwrap_or("");
    assert!(methods.contains("POST") && methods.contains("DELETE"), "{methods}");
    let headers = ok.header("access-control-allow-headers").unwrap_or("");
    assert!(headers.contains("authorization") && headers.contains("content-type"), "{headers}");
    let refused = preflight("https://evil.example");
    assert_eq!(refused.status, 403);
    assert_eq!(refused.header("access-control-allow-origin"), None);
    assert_eq!(refused.json()["error"]["code"], "origin_not_allowed");
    for a in [&ok, &refused, &evil] {
        assert_ne!(a.header("access-control-allow-origin"), Some("*"));
    }
}

#[test]
fn each_request_logs_one_json_line_without_secrets() {
    let rid = unique("logline");
    let a = call("GET", &url("/api/projects?limit=1"), Caller::Default, &[("x-request-id", &rid)], None);
    assert_eq!(a.status, 200);
    let log_path = format!("{}/wrangler.log", fleet().dir);
    let mut line = None;
    poll_until("the request's log line is written", || {
        let log = std::fs::read_to_string(&log_path).expect("the fleet's log");
        // (The main fleet's instrumented supervisor logs a meter line with the same id.)
        line = log.lines().find(|l| l.contains(&rid) && l.contains("\"requestId\"")).map(str::to_string);
        line.is_some()
    });
    let line = line.unwrap_or_else(|| panic!("no log line for {rid}"));
    let json_part = &line[line.find('{').expect("a JSON object")..];
    let v: Value = serde_json::from_str(json_part).unwrap_or_else(|_| panic!("not JSON: {line}"));
    assert_eq!(v["requestId"], rid.as_str());
    assert_eq!(v["method"], "GET");
    assert_eq!(v["route"], "/api/projects");
    assert_eq!(v["status"], 200);
    assert!(v["ms"].is_u64());
    let owner = v["owner"].as_str().expect("owner tag");
    assert_eq!(owner, &parit_shared::hash::sha256_hex(b"alice")[..12]);
    assert!(!line.contains(&fleet().token) && !line.contains("alice"));
}

#[test]
fn the_fault_switch_needs_the_test_secret() {
    let id = create_project(&fleet().url, "Guarded", "Plan a week of meals from the pantry, guarded");
    let run = url(&format!("/api/projects/{id}/run"));
    let wrong = call(
        "POST",
        &run,
        Caller::Default,
        &[("x-parit-fault", "r2_put:prd"), ("x-parit-fault-secret", "not-the-secret-at-all")],
        Some(("application/json", "{}")),
    );
    assert_eq!(wrong.status, 403, "{}", wrong.text);
    assert_eq!(wrong.json()["error"]["code"], "faults_disabled");
    let none =
        call("POST", &run, Caller::Default, &[("x-parit-fault", "r2_put:prd")], Some(("application/json", "{}")));
    assert_eq!(none.status, 403);
    // A fleet without the secret refuses even a plausible one.
    let f = fleet();
    let degraded_id = create_project(&f.degraded_url, "Guarded", "Plan a week of meals from the pantry, guarded");
    let secret = std::env::var("PARIT_FAULT_SECRET").expect("PARIT_FAULT_SECRET");
    let off = call(
        "POST",
        &format!("{}/api/projects/{degraded_id}/run", f.degraded_url),
        Caller::Default,
        &[("x-parit-fault", "r2_put:prd"), ("x-parit-fault-secret", &secret)],
        Some(("application/json", "{}")),
    );
    assert_eq!(off.status, 403);
    // No run started from any refused request.
    let (_, project) = get(&url(&format!("/api/projects/{id}")));
    assert!(project["run"].is_null(), "{project}");
}

#[test]
fn the_openapi_document_describes_every_route() {
    let (s, index) = get(&url("/"));
    assert_eq!(s, 200);
    let a = call("GET", &url("/openapi.json"), Caller::Anonymous, &[], None);
    assert_eq!(a.status, 200);
    let doc = a.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut documented = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            documented.push(format!("{} {}", method.to_uppercase(), path.replace("{", ":").replace('}', "")));
        }
    }
    let mut listed: Vec<String> =
        index["endpoints"].as_array().unwrap().iter().map(|e| e.as_str().unwrap().to_string()).collect();
    documented.sort();
    listed.sort();
    assert_eq!(documented, listed, "GET / and /openapi.json list the same routes");
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
}
