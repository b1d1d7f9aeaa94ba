//! Import of what exists, and the hand-off out, on the real fleet: a real
//! public schema replaces the clinic's data model and the next offline run
//! builds the rest around it; bad imports change nothing; an import never
//! interleaves with a run; the API round-trips through its OpenAPI document;
//! the hand-off layouts list and download.

use parit_fleet_tests::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Chinook, the music store (MIT; source and licence in import/tests/schemas/README.md).
const CHINOOK: &str = include_str!("../../../import/tests/schemas/chinook.sqlite.sql");
/// Northwind for PostgreSQL (Ms-PL; same README).
const NORTHWIND: &str = include_str!("../../../import/tests/schemas/northwind.postgres.sql");

fn url(path: &str) -> String {
    format!("{}{path}", fleet().url)
}

/// A clinic project whose run has completed.
fn completed_clinic(tag: &str) -> String {
    let word = unique(tag);
    let id = create_project(&fleet().url, "Import", &format!("Book appointments at a clinic {word}"));
    start_run(&fleet().url, &id);
    let project = wait_for_run(&fleet().url, &id);
    assert_eq!(project["run"]["status"], "completed", "{project}");
    id
}

fn artifact(id: &str, stage: &str) -> Value {
    let (s, body) = get(&url(&format!("/api/projects/{id}/artifacts/{stage}")));
    assert_eq!(s, 200, "{body}");
    body
}

/// (method, path) of every endpoint of an API artifact.
fn routes(api: &Value) -> BTreeSet<(String, String)> {
    api["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["method"].as_str().unwrap().to_string(), e["path"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn an_imported_schema_replaces_the_data_model_and_the_next_run_builds_around_it() {
    let id = completed_clinic("chinook");
    let (s, body) =
        post(&url(&format!("/api/projects/{id}/import/data")), &json!({"sql": CHINOOK, "dialect": "sqlite"}));
    assert_eq!(s, 201, "{body}");
    assert_eq!(
        (body["stage"].as_str(), body["source"].as_str(), body["version"].as_u64()),
        (Some("data"), Some("import"), Some(2))
    );
    assert_eq!(body["stale"], json!(["logic", "api", "frontend", "deployment"]), "{body}");
    let imported: Vec<&str> = body["imported"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert!(imported.iter().any(|l| l.contains("PlaylistTrack")), "{imported:?}");
    // What the model cannot hold is listed, with why.
    let not_imported = body["notImported"].as_array().unwrap();
    assert!(!not_imported.is_empty(), "Chinook's integer keys are listed: {body}");
    assert!(not_imported.iter().all(|n| n["why"].as_str().is_some_and(|w| !w.is_empty())), "{body}");
    let data = artifact(&id, "data");
    assert_eq!(data["source"], "import");
    let entities = data["artifact"]["entities"].as_array().unwrap();
    assert_eq!(entities.len(), 11, "{data}");
    let link = entities.iter().find(|e| e["table"] == "PlaylistTrack").expect("the link table");
    assert_eq!(link["primaryKey"], json!(["PlaylistId", "TrackId"]));
    let employee = entities.iter().find(|e| e["table"] == "Employee").expect("Employee");
    assert!(employee["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["name"] == "ReportsTo" && f["references"] == employee["name"]));
    let (_, activity) = get(&url(&format!("/api/projects/{id}/activity?limit=1000")));
    assert!(activity["events"].as_array().unwrap().iter().any(|e| e["kind"] == "artifact_imported"), "{activity}");

    // The next run rebuilds exactly what is stale, around the music store, offline.
    start_run(&fleet().url, &id);
    let project = wait_for_run(&fleet().url, &id);
    assert_eq!(project["run"]["status"], "completed", "{project}");
    assert!(stage_table(&project).iter().all(|(_, status, _)| status == "done"), "{project}");
    let api = artifact(&id, "api");
    assert_eq!(api["version"], 2);
    let names: BTreeSet<&str> = entities.iter().map(|e| e["name"].as_str().unwrap()).collect();
    for ep in api["artifact"]["endpoints"].as_array().unwrap() {
        assert!(names.contains(ep["entity"].as_str().unwrap()), "{ep} names no imported entity");
    }
    let (_, logic) = get(&url(&format!("/api/projects/{id}/artifacts/logic")));
    assert!(logic["artifact"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| names.contains(r["entity"].as_str().unwrap())));
    let (s, consistency) = get(&url(&format!("/api/projects/{id}/consistency")));
    assert_eq!(s, 200, "{consistency}");
    assert_eq!(consistency["errors"], 0, "{consistency}");
}

#[test]
fn a_postgres_dump_imports_with_its_composite_keys() {
    let id = completed_clinic("northwind");
    let (s, body) =
        post(&url(&format!("/api/projects/{id}/import/data")), &json!({"sql": NORTHWIND, "dialect": "postgres"}));
    assert_eq!(s, 201, "{body}");
    let data = artifact(&id, "data");
    let entities = data["artifact"]["entities"].as_array().unwrap();
    assert_eq!(entities.len(), 14, "{data}");
    let territories = entities.iter().find(|e| e["table"] == "employee_territories").expect("employee_territories");
    assert_eq!(territories["primaryKey"], json!(["employee_id", "territory_id"]));
}

#[test]
fn bad_imports_get_clear_errors_and_change_nothing() {
    let id = completed_clinic("bad");
    let import = |body: &Value| post(&url(&format!("/api/projects/{id}/import/data")), body);
    // SQL that does not parse: where, and what was expected.
    let (s, body) = import(
        &json!({"sql": "CREATE TABLE a (\n  id INTEGER PRIMARY KEY,\n  name TEXT NOT NULL,,\n);", "dialect": "sqlite"}),
    );
    assert_eq!(s, 422, "{body}");
    assert_eq!(body["error"]["code"], "import_failed");
    assert_eq!(body["error"]["line"], 3, "{body}");
    assert!(body["error"]["column"].as_u64().is_some(), "{body}");
    assert!(body["error"]["expected"].as_str().is_some_and(|e| !e.is_empty()), "{body}");
    // The wrong shape of request.
    let (s, body) = import(&json!({"sql": CHINOOK, "dialect": "oracle"}));
    assert_eq!(s, 400, "{body}");
    let (s, body) = import(&json!({"ddl": CHINOOK}));
    assert_eq!(s, 400, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("unknown field \"ddl\""), "{body}");
    for wrong in [json!({"sql": 5}), json!({"sql": "  \n"}), json!({"sql": CHINOOK, "dialect": null}), json!([CHINOOK])]
    {
        let (s, body) = import(&wrong);
        assert_eq!((s, body["error"]["code"].as_str()), (400, Some("bad_request")), "{wrong}: {body}");
    }
    let (s, body) = send_raw("POST", &url(&format!("/api/projects/{id}/import/data")), "text/plain", CHINOOK);
    assert_eq!(s, 415, "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    // Larger than the documented limit.
    let big = format!("-- {}\n{CHINOOK}", "x".repeat(600 * 1024));
    let (s, body) = import(&json!({"sql": big}));
    assert_eq!(s, 413, "{body}");
    let (s, body) = post(&url(&format!("/api/projects/{id}/import/api")), &json!({"document": big}));
    assert_eq!(s, 413, "{body}");
    // Not an OpenAPI 3.x document: every finding.
    let (s, body) = post(
        &url(&format!("/api/projects/{id}/import/api")),
        &json!({"document": "{\"swagger\": \"2.0\", \"info\": {}, \"paths\": {}}"}),
    );
    assert_eq!(s, 422, "{body}");
    assert!(!body["error"]["findings"].as_array().unwrap().is_empty(), "{body}");
    // Nothing was stored.
    assert_eq!(artifact(&id, "data")["version"], 1);
    assert_eq!(artifact(&id, "api")["version"], 1);
    let (_, project) = get(&url(&format!("/api/projects/{id}")));
    assert!(stage_table(&project).iter().all(|(_, status, _)| status == "done"), "{project}");
}

#[test]
fn a_new_project_starts_from_a_sql_import_and_completes_a_run_offline() {
    let word = unique("seedsql");
    let id = create_project(&fleet().url, "Import", &format!("Sell music online {word}"));
    // No PRD yet: the import is stored all the same.
    let (s, body) =
        post(&url(&format!("/api/projects/{id}/import/data")), &json!({"sql": CHINOOK, "dialect": "sqlite"}));
    assert_eq!(s, 201, "{body}");
    assert_eq!((body["stage"].as_str(), body["version"].as_u64()), (Some("data"), Some(1)), "{body}");
    // The plan keeps it and says why.
    let (s, plan) = get(&url(&format!("/api/projects/{id}/plan")));
    assert_eq!(s, 200, "{plan}");
    let data_plan = plan["stages"].as_array().unwrap().iter().find(|p| p["stage"] == "data").cloned().unwrap();
    assert_eq!(
        (data_plan["action"].as_str(), data_plan["reason"].as_str()),
        (Some("reuse"), Some("imported")),
        "{plan}"
    );
    start_run(&fleet().url, &id);
    let project = wait_for_run(&fleet().url, &id);
    assert_eq!(project["run"]["status"], "completed", "{project}");
    assert!(stage_table(&project).iter().all(|(_, status, _)| status == "done"), "{project}");
    // The import is still the data model, and the stages after it were built from it.
    let data = artifact(&id, "data");
    assert_eq!((data["version"].as_u64(), data["source"].as_str()), (Some(1), Some("import")));
    let api = artifact(&id, "api");
    assert!(
        api["artifact"]["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["entity"] == "PlaylistTrack" || e["entity"] == "Track"),
        "{api}"
    );
    // The PRD was asked with what was imported, and the data model was never asked for.
    let rows = d1(&format!("SELECT feedback FROM artifacts WHERE project_id = '{id}' AND stage = 'prd'"));
    let feedback = rows[0]["feedback"].as_str().unwrap_or_default().to_string();
    assert!(feedback.contains("existing data model") && feedback.contains("PlaylistTrack"), "{rows:?}");
    let asked = stages_requested(&word);
    assert!(asked.contains(&"prd".to_string()) && !asked.contains(&"data".to_string()), "{asked:?}");
}

#[test]
fn a_new_project_starts_from_an_openapi_import_with_its_entities() {
    let word = unique("seedapi");
    let id = create_project(&fleet().url, "Import", &format!("Adopt pets {word}"));
    let petstore = include_str!("../../../import/tests/openapi/petstore.yaml");
    let (s, body) = post(&url(&format!("/api/projects/{id}/import/api")), &json!({"document": petstore}));
    assert_eq!(s, 201, "{body}");
    let imported: Vec<&str> = body["imported"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert!(imported.contains(&"entity Pet derived from schema Pet: 3 fields"), "{imported:?}");
    // The data model the document brought is the project's first data version.
    let data = artifact(&id, "data");
    assert_eq!((data["version"].as_u64(), data["source"].as_str()), (Some(1), Some("import")));
    assert_eq!(data["artifact"]["entities"][0]["name"], "Pet");
    let api = artifact(&id, "api");
    assert_eq!((api["version"].as_u64(), api["source"].as_str()), (Some(1), Some("import")));
    // Its list's query parameter is imported, typed.
    assert!(imported.contains(&"EP-1 GET /pets: Pet, 0 request and 3 response fields, query limit"), "{imported:?}");
    let limit = &api["artifact"]["endpoints"][0]["queryParams"][0];
    assert_eq!((limit["name"].as_str(), limit["paramType"].as_str()), (Some("limit"), Some("integer")), "{api}");
    // A run builds the rest around both imports and keeps them.
    start_run(&fleet().url, &id);
    let project = wait_for_run(&fleet().url, &id);
    assert_eq!(project["run"]["status"], "completed", "{project}");
    assert!(stage_table(&project).iter().all(|(_, status, _)| status == "done"), "{project}");
    for stage in ["data", "api"] {
        let kept = artifact(&id, stage);
        assert_eq!((kept["version"].as_u64(), kept["source"].as_str()), (Some(1), Some("import")), "{stage}");
    }
    let asked = stages_requested(&word);
    assert!(!asked.contains(&"data".to_string()) && !asked.contains(&"api".to_string()), "{asked:?}");
    // Swagger 2.0 is named.
    let (s, body) = post(
        &url(&format!("/api/projects/{id}/import/api")),
        &json!({"document": "swagger: '2.0'\ninfo: {title: t, version: v}\npaths: {}\n"}),
    );
    assert_eq!(s, 422, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("Swagger 2.0"), "{body}");
}

#[test]
fn an_import_during_a_run_is_refused_and_changes_nothing() {
    let word = unique("busy");
    let id = create_project(&fleet().url, "Import", &format!("Book appointments at a clinic {word}"));
    inject(json!({"kind": "slow", "match": word, "times": 100, "delayMs": 1500}));
    let (s, body) = start_run(&fleet().url, &id);
    assert_eq!(s, 202, "{body}");
    // The PRD is slow to come, so the run holds the project while the import asks.
    let (s, body) = post(&url(&format!("/api/projects/{id}/import/data")), &json!({"sql": CHINOOK}));
    assert_eq!(s, 409, "{body}");
    let project = wait_for_run(&fleet().url, &id);
    assert_eq!(project["run"]["status"], "completed", "{project}");
    let data = artifact(&id, "data");
    assert_eq!((data["version"].as_u64(), data["source"].as_str()), (Some(1), Some("agent")));
}

#[test]
fn the_api_round_trips_through_its_openapi_document() {
    let id = completed_clinic("roundtrip");
    let before = artifact(&id, "api");
    let (s, document) = get(&url(&format!("/api/projects/{id}/artifacts/api/views/openapi.json")));
    assert_eq!(s, 200, "{document}");
    let (s, body) = post(&url(&format!("/api/projects/{id}/import/api")), &json!({"document": document.to_string()}));
    assert_eq!(s, 201, "{body}");
    assert_eq!((body["stage"].as_str(), body["source"].as_str()), (Some("api"), Some("import")));
    let after = artifact(&id, "api");
    assert_eq!(after["version"], 2);
    assert_eq!(routes(&after["artifact"]), routes(&before["artifact"]));
    // Each endpoint's query parameters too (the clinic's lists page, filter
    // and sort), whatever order the document's paths come in.
    let query = |api: &Value| -> std::collections::BTreeMap<String, Value> {
        let endpoints = api["artifact"]["endpoints"].as_array().unwrap().iter();
        endpoints.map(|e| (format!("{} {}", e["method"], e["path"]), e["queryParams"].clone())).collect()
    };
    assert!(query(&before).values().any(|q| q.as_array().is_some_and(|q| q.len() >= 3)), "{before}");
    assert_eq!(query(&after), query(&before));
}

#[test]
fn the_hand_off_layouts_list_and_download() {
    let id = completed_clinic("handoff");
    let (s, body) = get(&url(&format!("/api/projects/{id}/handoff")));
    assert_eq!(s, 200, "{body}");
    let layouts = body["layouts"].as_array().unwrap();
    let names: Vec<&str> = layouts.iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["agents-md", "kiro", "spec-kit", "openspec"]);
    let paths = |n: usize| -> Vec<String> {
        layouts[n]["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(paths(0), ["AGENTS.md", ".github/workflows/parit-check.yml"]);
    assert!(paths(3).contains(&"openspec/config.yaml".to_string()), "{:?}", paths(3));
    assert!(paths(3).iter().any(|p| p.starts_with("openspec/specs/") && p.ends_with("/spec.md")));
    assert!(
        paths(1).iter().all(|p| p.starts_with(".kiro/specs/")) && paths(1).iter().any(|p| p.ends_with("/tasks.md"))
    );
    assert!(paths(2).iter().any(|p| p.starts_with("specs/001-") && p.ends_with("/contracts/openapi.json")));
    // One layout as a ZIP: its files and nothing else.
    let zip = call("GET", &url(&format!("/api/projects/{id}/export?layout=kiro")), Caller::Default, &[], None);
    assert_eq!(zip.status, 200, "{}", zip.text);
    assert_eq!(zip.header("content-type"), Some("application/zip"));
    assert_eq!(&zip.bytes[..4], b"PK\x03\x04");
    let listed = zip_names(&zip.bytes);
    assert_eq!(listed.len(), paths(1).len(), "{listed:?}");
    assert!(listed.iter().all(|n| n.contains("/.kiro/specs/")), "{listed:?}");
    let (s, body) = get(&url(&format!("/api/projects/{id}/export?layout=cursor")));
    assert_eq!(s, 400, "{body}");
}

#[test]
fn the_openspec_layout_brings_an_older_prd_version_forward_and_refuses_a_bad_since() {
    let id = completed_clinic("openspec");
    let first = artifact(&id, "prd");
    let v = first["version"].as_u64().unwrap();
    let mut prd = first["artifact"].clone();
    let stories = prd["userStories"].as_array_mut().unwrap();
    let gone = stories.pop().unwrap()["id"].as_str().unwrap().to_string();
    let renamed = stories[0]["id"].as_str().unwrap().to_string();
    stories[0]["title"] = json!("Renamed in the next version");
    for f in prd["features"].as_array_mut().unwrap() {
        f["stories"].as_array_mut().unwrap().retain(|s| *s != gone.as_str());
    }
    let (s, body) = send("PUT", &url(&format!("/api/projects/{id}/artifacts/prd")), &json!({"artifact": prd}));
    assert_eq!(s, 201, "{body}");
    let (s, body) = get(&url(&format!("/api/projects/{id}/handoff?since={v}")));
    assert_eq!(s, 200, "{body}");
    let open = body["layouts"].as_array().unwrap().iter().find(|l| l["name"] == "openspec").expect("openspec").clone();
    let dir = format!("openspec/changes/update-prd-v{v}-to-v{}/", v + 1);
    let files: Vec<(&str, &str)> = open["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["content"].as_str().unwrap()))
        .collect();
    for name in ["proposal.md", "tasks.md", ".openspec.yaml"] {
        assert!(files.iter().any(|(p, _)| *p == format!("{dir}{name}")), "{dir}{name} in {files:?}");
    }
    let deltas: String =
        files.iter().filter(|(p, _)| p.starts_with(&format!("{dir}specs/"))).map(|(_, c)| *c).collect();
    assert!(deltas.contains(&format!("## REMOVED Requirements\n\n### Requirement: {gone} ")), "{deltas}");
    assert!(deltas.contains(&format!("### Requirement: {renamed} Renamed in the next version\n")), "{deltas}");
    assert!(deltas.contains("## RENAMED Requirements"), "{deltas}");
    // The same folder in the layout's ZIP.
    let zip =
        call("GET", &url(&format!("/api/projects/{id}/export?layout=openspec&since={v}")), Caller::Default, &[], None);
    assert_eq!(zip.status, 200, "{}", zip.text);
    assert!(zip_names(&zip.bytes).iter().any(|n| n.ends_with(&format!("{dir}proposal.md"))));
    // Not an older PRD version: 400 with a message naming the parameter, and no change folder.
    for bad in [format!("{}", v + 1), "0".into(), "x".into(), "99".into()] {
        for path in ["handoff", "export?layout=openspec&"] {
            let sep = if path.ends_with('&') { "" } else { "?" };
            let (s, body) = get(&url(&format!("/api/projects/{id}/{path}{sep}since={bad}")));
            assert_eq!(s, 400, "since={bad}: {body}");
            assert!(body["error"]["message"].as_str().unwrap().contains("since"), "{body}");
        }
    }
    let (_, body) = get(&url(&format!("/api/projects/{id}/handoff")));
    let open = body["layouts"].as_array().unwrap().iter().find(|l| l["name"] == "openspec").unwrap().clone();
    assert!(!open["files"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["path"].as_str().unwrap().starts_with("openspec/changes/")));
}

/// The names in a ZIP's central directory.
fn zip_names(zip: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let mut i = 0;
    while i + 46 <= zip.len() {
        if zip[i..i + 4] == *b"PK\x01\x02" {
            let n = u16::from_le_bytes([zip[i + 28], zip[i + 29]]) as usize;
            let (m, k) = (
                u16::from_le_bytes([zip[i + 30], zip[i + 31]]) as usize,
                u16::from_le_bytes([zip[i + 32], zip[i + 33]]) as usize,
            );
            names.push(String::from_utf8_lossy(&zip[i + 46..i + 46 + n]).into_owned());
            i += 46 + n + m + k;
        } else {
            i += 1;
        }
    }
    names
}
