//! The drift check on the real fleet: a project's own exported schema and
//! OpenAPI document are in step with it; a hand edit of the schema and a
//! removed operation are found by the blueprint's ids with their stories;
//! bad input gets a clear error; and nothing is ever stored.

use parit_fleet_tests::*;
use serde_json::{json, Value};

fn url(path: &str) -> String {
    format!("{}{path}", fleet().url)
}

/// A pantry project whose run has completed.
fn completed_pantry(tag: &str) -> String {
    let word = unique(tag);
    let id = create_project(&fleet().url, "Drift", &format!("Plan a week of meals from the pantry {word}"));
    start_run(&fleet().url, &id);
    let project = wait_for_run(&fleet().url, &id);
    assert_eq!(project["run"]["status"], "completed", "{project}");
    id
}

fn drift(id: &str, body: &Value) -> (u16, Value) {
    post(&url(&format!("/api/projects/{id}/drift")), body)
}

/// Every stage's newest version and the version list: what must not change.
fn stored(id: &str) -> Value {
    let (s, body) = get(&url(&format!("/api/projects/{id}/artifacts")));
    assert_eq!(s, 200, "{body}");
    body
}

fn artifact(id: &str, stage: &str) -> Value {
    let (s, body) = get(&url(&format!("/api/projects/{id}/artifacts/{stage}")));
    assert_eq!(s, 200, "{body}");
    body["artifact"].clone()
}

/// The file whose path ends with `suffix` in a stored (uncompressed) ZIP, by
/// its central directory.
fn zip_file(zip: &[u8], suffix: &str) -> String {
    let u16_at = |i: usize| u16::from_le_bytes([zip[i], zip[i + 1]]) as usize;
    let u32_at = |i: usize| u32::from_le_bytes([zip[i], zip[i + 1], zip[i + 2], zip[i + 3]]) as usize;
    let mut i = 0;
    while i + 46 <= zip.len() {
        if zip[i..i + 4] == *b"PK\x01\x02" {
            let (size, n, extra, comment) = (u32_at(i + 20), u16_at(i + 28), u16_at(i + 30), u16_at(i + 32));
            let name = String::from_utf8_lossy(&zip[i + 46..i + 46 + n]);
            if name.ends_with(suffix) {
                let at = u32_at(i + 42);
                let start = at + 30 + u16_at(at + 26) + u16_at(at + 28);
                return String::from_utf8(zip[start..start + size].to_vec()).expect("UTF-8");
            }
            i += 46 + n + extra + comment;
        } else {
            i += 1;
        }
    }
    panic!("no {suffix} in the export");
}

/// The project's export: its SQLite and PostgreSQL DDL and its OpenAPI document.
fn exported(id: &str) -> (String, String, String) {
    let zip = call("GET", &url(&format!("/api/projects/{id}/export")), Caller::Default, &[], None);
    assert_eq!(zip.status, 200, "{}", zip.text);
    (
        zip_file(&zip.bytes, "/data/schema.sqlite.sql"),
        zip_file(&zip.bytes, "/data/schema.postgres.sql"),
        zip_file(&zip.bytes, "/api/openapi.json"),
    )
}

/// The stories the traceability matrix says touch `entity`.
fn stories_of(id: &str, entity: &str) -> Vec<Value> {
    let (s, consistency) = get(&url(&format!("/api/projects/{id}/consistency")));
    assert_eq!(s, 200, "{consistency}");
    consistency["matrix"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["entities"].as_array().unwrap().iter().any(|e| e == entity))
        .map(|r| r["story"].clone())
        .collect()
}

fn found(report: &Value) -> Vec<(String, String, String)> {
    report["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap_or_else(|| panic!("{k} in {d}")).to_string();
            (s("kind"), s("change"), s("id"))
        })
        .collect()
}

#[test]
fn a_projects_own_export_is_in_step_and_hand_edits_are_found_by_id() {
    let id = completed_pantry("drift");
    let before = stored(&id);
    let (sqlite, postgres, openapi) = exported(&id);
    let data = artifact(&id, "data");
    let versions = |stage: &str| before["latest"][stage].clone();

    // Its own schema and document, sent back: in step.
    let (s, report) = drift(&id, &json!({"sql": sqlite, "openapi": openapi}));
    assert_eq!(s, 200, "{report}");
    assert_eq!(report["projectId"], id.as_str());
    assert_eq!(report["inStep"], true, "{report}");
    assert_eq!(report["differences"], json!([]));
    assert_eq!(report["compared"], json!({"data": {"version": versions("data")}, "api": {"version": versions("api")}}));
    let tables = |d: &Value| {
        let mut t: Vec<String> =
            d["entities"].as_array().unwrap().iter().map(|e| e["table"].as_str().unwrap().to_string()).collect();
        t.sort();
        t
    };
    assert_eq!(tables(&report["repository"]["data"]), tables(&data));
    assert_eq!(
        report["repository"]["api"]["endpoints"].as_array().unwrap().len(),
        artifact(&id, "api")["endpoints"].as_array().unwrap().len()
    );
    assert!(report["notImported"].is_array(), "{report}");
    let (s, report) = drift(&id, &json!({"sql": postgres, "dialect": "postgres"}));
    assert_eq!((s, &report["inStep"], &report["compared"]["api"]), (200, &json!(true), &Value::Null), "{report}");

    // A hand edit of the schema: a column's type changed, a column added, a table dropped.
    let entities = data["entities"].as_array().unwrap();
    let referenced = |e: &Value| {
        entities.iter().any(|o| o["fields"].as_array().unwrap().iter().any(|f| f["references"] == e["name"]))
    };
    let dropped = entities.iter().rev().find(|e| !referenced(e)).expect("a table nothing references");
    let (retyped, decimal) = entities
        .iter()
        .filter(|e| e["name"] != dropped["name"])
        .find_map(|e| {
            e["fields"].as_array().unwrap().iter().find(|f| f["fieldType"] == "decimal").map(|f| (e, f["name"].clone()))
        })
        .expect("a decimal field");
    let widened = entities.iter().find(|e| e["name"] != dropped["name"]).unwrap();
    let table_of = |e: &Value| format!("CREATE TABLE \"{}\" (", e["table"].as_str().unwrap());
    let statements: Vec<String> = sqlite
        .split(";\n")
        .filter(|s| {
            !s.contains(&table_of(dropped)) && !s.contains(&format!("ON \"{}\"", dropped["table"].as_str().unwrap()))
        })
        .map(|s| {
            let mut s = s.to_string();
            if s.contains(&table_of(retyped)) {
                let (from, to) = (
                    format!("\"{}\" NUMERIC", decimal.as_str().unwrap()),
                    format!("\"{}\" INTEGER", decimal.as_str().unwrap()),
                );
                assert_eq!(s.matches(&from).count(), 1, "{s}");
                s = s.replace(&from, &to);
            }
            if s.contains(&table_of(widened)) {
                s = format!(
                    "{},\n  \"legacy_code\" TEXT\n)",
                    s.trim_end().strip_suffix(')').expect("a table's closing parenthesis")
                );
            }
            s
        })
        .collect();
    assert!(statements.len() < sqlite.split(";\n").count() - 1, "the dropped table is gone");
    let (s, report) = drift(&id, &json!({"sql": statements.join(";\n"), "dialect": "sqlite"}));
    assert_eq!(s, 200, "{report}");
    assert_eq!(report["inStep"], false);
    let name = |e: &Value| e["name"].as_str().unwrap().to_string();
    let mut expected = vec![
        ("entity".to_string(), "removed".to_string(), name(dropped)),
        ("field".into(), "changed".into(), format!("{}.{}", name(retyped), decimal.as_str().unwrap())),
        ("field".into(), "added".into(), format!("{}.legacy_code", name(widened))),
    ];
    expected.sort_by(|a, b| (a.0 != "entity", &a.2).cmp(&(b.0 != "entity", &b.2)));
    assert_eq!(found(&report), expected, "{report}");
    for d in report["differences"].as_array().unwrap() {
        let entity = d["id"].as_str().unwrap().split('.').next().unwrap();
        assert_eq!(d["source"], "sql");
        assert_eq!(d["stories"].as_array().unwrap(), &stories_of(&id, entity), "{d}");
    }
    let differences = report["differences"].as_array().unwrap();
    let changed = differences.iter().find(|d| d["change"] == "changed").unwrap();
    assert_eq!(
        changed["detail"],
        format!(
            "{}.{}: type decimal in the blueprint, integer in the repository",
            name(retyped),
            decimal.as_str().unwrap()
        )
    );
    assert_eq!(
        (&changed["blueprint"]["fieldType"], &changed["repository"]["fieldType"]),
        (&json!("decimal"), &json!("integer"))
    );
    let removed = differences.iter().find(|d| d["change"] == "removed").unwrap();
    assert_eq!((&removed["blueprint"]["table"], &removed["repository"]), (&dropped["table"], &Value::Null));
    assert!(!removed["stories"].as_array().unwrap().is_empty(), "{removed}");

    // The OpenAPI document with one operation removed.
    let api = artifact(&id, "api");
    let gone = api["endpoints"].as_array().unwrap().last().unwrap().clone();
    let mut doc: Value = serde_json::from_str(&openapi).unwrap();
    let path = gone["path"].as_str().unwrap();
    let method = gone["method"].as_str().unwrap().to_lowercase();
    assert!(doc["paths"][path].as_object_mut().unwrap().remove(&method).is_some(), "{path} {method}");
    let (s, report) = drift(&id, &json!({"openapi": doc.to_string()}));
    assert_eq!(s, 200, "{report}");
    assert_eq!(found(&report), [("endpoint".into(), "removed".into(), gone["id"].as_str().unwrap().to_string())]);
    let d = &report["differences"][0];
    assert_eq!((&d["stories"], &d["source"]), (&gone["userStories"], &json!("openapi")));
    assert!(!d["stories"].as_array().unwrap().is_empty());
    assert_eq!(report["compared"]["data"], Value::Null);

    // Comparing stored nothing.
    assert_eq!(stored(&id), before);
}

#[test]
fn bad_drift_requests_get_clear_errors_and_change_nothing() {
    let id = completed_pantry("drift-bad");
    let before = stored(&id);
    let (sqlite, _, _) = exported(&id);
    let error = |(s, body): (u16, Value)| (s, body["error"]["code"].as_str().unwrap_or_default().to_string(), body);

    let (s, code, body) = error(drift(&id, &json!({})));
    assert_eq!((s, code.as_str()), (400, "bad_request"), "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("\"sql\", \"openapi\" or both"), "{body}");
    let (s, code, body) = error(drift(&id, &json!({"sql": sqlite, "schema": "x"})));
    assert_eq!((s, code.as_str()), (400, "bad_request"), "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("unknown field \"schema\""), "{body}");
    for wrong in [json!({"sql": ""}), json!({"openapi": 3}), json!({"sql": sqlite, "dialect": "oracle"}), json!([1])] {
        let (s, code, body) = error(drift(&id, &wrong));
        assert_eq!((s, code.as_str()), (400, "bad_request"), "{wrong}: {body}");
    }
    // SQL that does not parse: where.
    let (s, code, body) =
        error(drift(&id, &json!({"sql": "CREATE TABLE a (\n  id INTEGER PRIMARY KEY,\n  name TEXT NOT NULL,,\n);"})));
    assert_eq!((s, code.as_str()), (422, "import_failed"), "{body}");
    assert_eq!(body["error"]["line"], 3, "{body}");
    assert!(body["error"]["column"].as_u64().is_some(), "{body}");
    // An OpenAPI document that does not parse.
    let (s, code, body) = error(drift(&id, &json!({"openapi": "{\"openapi\": \"3.1.0\",\n  \"paths\": {"})));
    assert_eq!((s, code.as_str()), (422, "import_failed"), "{body}");
    assert!(body["error"]["line"].as_u64().is_some(), "{body}");
    // Another owner's project is not found; no token is not authenticated.
    let as_b = call(
        "POST",
        &url(&format!("/api/projects/{id}/drift")),
        Caller::Token(&fleet().token_b),
        &[],
        Some(("application/json", &json!({"sql": sqlite}).to_string())),
    );
    assert_eq!(as_b.status, 404, "{}", as_b.text);
    let anonymous = call(
        "POST",
        &url(&format!("/api/projects/{id}/drift")),
        Caller::Anonymous,
        &[],
        Some(("application/json", &json!({"sql": sqlite}).to_string())),
    );
    assert_eq!(anonymous.status, 401, "{}", anonymous.text);
    assert_eq!(stored(&id), before);

    // A project with no data model yet has nothing to compare.
    let fresh =
        create_project(&fleet().url, "Drift", &format!("Plan a week of meals from the pantry {}", unique("fresh")));
    let nothing = stored(&fresh);
    let (s, code, body) = error(drift(&fresh, &json!({"sql": sqlite})));
    assert_eq!((s, code.as_str()), (409, "nothing_to_compare"), "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("no data artifact"), "{body}");
    assert_eq!(stored(&fresh), nothing);
}
