//! Renders, consistency and export over the real fleet: what a user downloads.

use parit_fleet_tests::*;
use serde_json::{json, Value};
use std::process::Command;

fn url(path: &str) -> String {
    format!("{}{path}", fleet().url)
}

fn raw(path: &str) -> (u16, String, Vec<u8>) {
    let a = call("GET", &url(path), Caller::Default, &[], None);
    let ct = if a.status == 200 { a.header("content-type").unwrap_or("").to_string() } else { String::new() };
    (a.status, ct, a.bytes)
}

fn completed_project(tag: &str) -> String {
    let word = unique(tag);
    let id = create_project(&fleet().url, "ClinicBook", &format!("Book appointments at a small clinic {word}"));
    start_run(&fleet().url, &id);
    assert_eq!(wait_for_run(&fleet().url, &id)["run"]["status"], "completed");
    id
}

#[test]
fn every_stage_lists_its_views_and_serves_them_with_their_type() {
    let id = completed_project("views");
    let (s, list) = get(&url(&format!("/api/projects/{id}/artifacts/data/views")));
    assert_eq!(s, 200, "{list}");
    let names: Vec<&str> = list["views"].as_array().unwrap().iter().filter_map(|v| v["name"].as_str()).collect();
    assert_eq!(names, ["schema.sqlite.sql", "schema.postgres.sql", "erd.mmd"]);
    let (s, ct, body) = raw(&format!("/api/projects/{id}/artifacts/data/views/schema.postgres.sql"));
    assert_eq!((s, ct.as_str()), (200, "application/sql; charset=utf-8"));
    assert!(String::from_utf8_lossy(&body).contains("CREATE TABLE \"appointments\""));
    let (s, ct, body) = raw(&format!("/api/projects/{id}/artifacts/api/views/openapi.json"));
    assert_eq!((s, ct.as_str()), (200, "application/json"));
    let doc: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"]["title"], "ClinicBook");
    let (s, ct, body) = raw(&format!("/api/projects/{id}/artifacts/frontend/views/files/src/api.ts"));
    assert_eq!((s, ct.as_str()), (200, "text/javascript; charset=utf-8"));
    // The list takes its query parameters as a typed options object.
    assert!(String::from_utf8_lossy(&body).contains("call('GET', '/api/patients', undefined, query)"));
    let (s, ct, _) = raw(&format!("/api/projects/{id}/artifacts/prd/views/prd.md"));
    assert_eq!((s, ct.as_str()), (200, "text/markdown; charset=utf-8"));
    let (s, _, body) = raw(&format!("/api/projects/{id}/artifacts/prd/views/nope.md"));
    assert_eq!(s, 404, "{}", String::from_utf8_lossy(&body));
    let (s, _) = get(&url(&format!("/api/projects/{id}/artifacts/prd/views?version=9")));
    assert_eq!(s, 404);
}

#[test]
fn consistency_reports_findings_and_the_traceability_matrix() {
    let id = completed_project("consistency");
    let (s, report) = get(&url(&format!("/api/projects/{id}/consistency")));
    assert_eq!(s, 200, "{report}");
    assert_eq!(report["errors"], 0, "{report}");
    assert_eq!(report["warnings"], 0);
    assert_eq!(report["checked"].as_array().unwrap().len(), 7);
    let matrix = report["matrix"].as_array().unwrap();
    assert_eq!(matrix.len(), 10, "two stories per clinic entity");
    let first = &matrix[0];
    assert_eq!(first["story"], "US-1");
    assert!(!first["screens"].as_array().unwrap().is_empty() && !first["endpoints"].as_array().unwrap().is_empty());
    assert_eq!(first["entities"], json!(["Patient"]));
    // A human edit that breaks a reference shows up as an error; one that drops coverage as a warning.
    let (_, design) = get(&url(&format!("/api/projects/{id}/artifacts/design")));
    let mut d = design["artifact"].clone();
    d["screens"][1]["userStories"] = json!([]);
    let (s, b) = send("PUT", &url(&format!("/api/projects/{id}/artifacts/design")), &d);
    assert_eq!(s, 201, "{b}");
    let (_, report) = get(&url(&format!("/api/projects/{id}/consistency")));
    let warnings: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "warning")
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert_eq!(warnings, ["US-1 is served by no screen"]);
}

#[test]
fn the_export_is_a_zip_that_unzips_into_a_project() {
    let id = completed_project("export");
    let (s, ct, body) = raw(&format!("/api/projects/{id}/export"));
    assert_eq!((s, ct.as_str()), (200, "application/zip"));
    assert!(!String::from_utf8_lossy(&body).contains(&fleet().key), "the export carries no secret");
    let dir = std::env::temp_dir().join(unique("zip"));
    std::fs::create_dir_all(&dir).unwrap();
    let zip = dir.join("export.zip");
    std::fs::write(&zip, &body).unwrap();
    let test = Command::new("unzip").arg("-tq").arg(&zip).output().expect("unzip runs");
    assert!(test.status.success(), "{}", String::from_utf8_lossy(&test.stdout));
    let list = Command::new("unzip").arg("-Z1").arg(&zip).output().expect("unzip runs");
    let names = String::from_utf8_lossy(&list.stdout);
    for want in [
        "clinicbook/README.md",
        "clinicbook/artifacts/deployment.json",
        "clinicbook/data/schema.sqlite.sql",
        "clinicbook/api/openapi.json",
        "clinicbook/frontend/src/main.ts",
        "clinicbook/deployment/src/index.ts",
        "clinicbook/traceability.md",
        "clinicbook/consistency.json",
        "clinicbook/coverage.md",
        "clinicbook/coverage.csv",
        "clinicbook/deployment/test/contract.test.mjs",
        "clinicbook/deployment/test/harness.mjs",
    ] {
        assert!(names.lines().any(|l| l == want), "{want} missing from:\n{names}");
    }
    let out = Command::new("unzip").arg("-q").arg(&zip).arg("-d").arg(&dir).output().expect("unzip runs");
    assert!(out.status.success());
    let readme = std::fs::read_to_string(dir.join("clinicbook/README.md")).unwrap();
    assert!(readme.starts_with("# ClinicBook\n"));
    let empty = create_project(&fleet().url, "Empty", "Nothing has run in this project yet");
    let (s, _, _) = raw(&format!("/api/projects/{empty}/export"));
    assert_eq!(s, 409);
    std::fs::remove_dir_all(&dir).ok();
}
