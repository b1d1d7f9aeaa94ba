//! Secrets never leave their place. Run by `scripts/test.sh` after every other
//! fleet suite, so it sees what they all left behind: it adds a full run and
//! some failures of its own, then searches every surface — API answers
//! (projects, artifacts, views, traces, activity, errors, exports), the
//! fleets' logs, and everything D1, R2 and the Durable Objects wrote to disk —
//! for the Gemini key, every API token and the fault secret.

use parit_fleet_tests::*;
use serde_json::json;
use std::path::{Path, PathBuf};

fn secrets() -> Vec<(String, String)> {
    let mut out = vec![("GEMINI_API_KEY".to_string(), fleet().key.clone())];
    for name in [
        "PARIT_TOKEN",
        "PARIT_TOKEN_B",
        "PARIT_DEGRADED_TOKEN",
        "PARIT_LIMITS_TOKEN",
        "PARIT_LIMITS_TOKEN_2",
        "PARIT_LIMITS_TOKEN_3",
        "PARIT_FAULT_SECRET",
    ] {
        out.push((name.to_string(), var(name)));
    }
    assert!(out.iter().all(|(_, v)| v.len() >= 16), "every secret is long enough to search for");
    out
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Everything a user can read about owner A's projects, as bytes.
fn api_surfaces() -> Vec<(String, Vec<u8>)> {
    let base = &fleet().url;
    let mut out = Vec::new();
    let mut grab = |path: String| {
        let a = call("GET", &format!("{base}{path}"), Caller::Default, &[], None);
        out.push((path, a.bytes));
    };
    let (_, list) = get(&format!("{base}/api/projects?limit=100"));
    let ids: Vec<String> =
        list["projects"].as_array().unwrap().iter().filter_map(|p| p["id"].as_str().map(str::to_string)).collect();
    assert!(!ids.is_empty());
    for id in ids.iter().take(60) {
        let p = format!("/api/projects/{id}");
        for tail in ["", "/artifacts", "/traces", "/activity?limit=1000", "/consistency", "/export"] {
            grab(format!("{p}{tail}"));
        }
        let (_, versions) = get(&format!("{base}{p}/artifacts"));
        for v in versions["versions"].as_array().cloned().unwrap_or_default() {
            let (stage, n) = (v["stage"].as_str().unwrap_or(""), &v["version"]);
            grab(format!("{p}/artifacts/{stage}?version={n}"));
            let (_, views) = get(&format!("{base}{p}/artifacts/{stage}/views?version={n}"));
            for view in views["views"].as_array().cloned().unwrap_or_default() {
                grab(format!("{p}/artifacts/{stage}/views/{}?version={n}", view["name"].as_str().unwrap_or("")));
            }
        }
    }
    out
}

#[test]
fn no_secret_reaches_any_surface() {
    let f = fleet();
    // A full run, a model failure whose error body the agent relays, and
    // error answers to requests that carry the token.
    let word = unique("secret");
    let id = create_project(&f.url, "Secretive", &format!("Plan a week of meals from the pantry {word}"));
    start_run(&f.url, &id);
    assert_eq!(wait_for_run(&f.url, &id)["run"]["status"], "completed");
    let failing = create_project(&f.url, "Secretive", &format!("Plan a week of meals, key refused {word}"));
    inject(json!({"kind": "api_key_invalid", "match": "key refused", "times": 1}));
    let (s, body) = execute(&f.url, &failing, "prd");
    assert_eq!(s, 502, "{body}");
    let mut errors: Vec<(String, Vec<u8>)> = vec![("execute failure".into(), body.to_string().into_bytes())];
    for (method, path) in [("GET", "/api/projects/not-an-id!"), ("GET", "/api/nowhere"), ("PUT", "/api/projects")] {
        let a = call(method, &format!("{}{path}", f.url), Caller::Default, &[], Some(("application/json", "{")));
        assert!(a.status >= 400);
        errors.push((format!("{method} {path}"), a.bytes));
    }
    let bad = call("GET", &format!("{}/api/projects", f.url), Caller::Token(&format!("{}x", f.token)), &[], None);
    assert_eq!(bad.status, 401);
    errors.push(("a wrong token".into(), bad.bytes));

    let mut surfaces = api_surfaces();
    assert!(surfaces.iter().any(|(p, _)| p.ends_with("/export")));
    surfaces.extend(errors);
    // Logs and on-disk state of every fleet (config/ holds .dev.vars: the
    // secrets' own place, so it is not searched).
    let run_dir = Path::new(&f.dir).parent().expect("the test run directory").to_path_buf();
    let mut files = Vec::new();
    for fleet_dir in std::fs::read_dir(&run_dir).expect("run dir").flatten().map(|e| e.path()) {
        if !fleet_dir.is_dir() {
            continue;
        }
        for sub in ["state", "registry"] {
            if fleet_dir.join(sub).is_dir() {
                files_under(&fleet_dir.join(sub), &mut files);
            }
        }
        for log in ["wrangler.log", "migrate.log"] {
            if fleet_dir.join(log).is_file() {
                files.push(fleet_dir.join(log));
            }
        }
    }
    assert!(files.iter().any(|p| p.to_string_lossy().ends_with(".sqlite")), "D1's files were searched");
    for path in &files {
        surfaces.push((path.display().to_string(), std::fs::read(path).unwrap_or_default()));
    }

    let mut found = Vec::new();
    for (name, secret) in secrets() {
        for (surface, bytes) in &surfaces {
            if bytes.windows(secret.len()).any(|w| w == secret.as_bytes()) {
                found.push(format!("{name} in {surface}"));
            }
        }
    }
    let searched: usize = surfaces.iter().map(|(_, b)| b.len()).sum();
    figure(
        "secrets",
        json!({"secrets": secrets().len(), "surfaces": surfaces.len(), "bytes": searched, "occurrences": found.len()}),
    );
    assert!(found.is_empty(), "secrets leaked: {found:#?}");
}
