//! `fleet.toml` is the one list of the Workers and the stages. The scripts,
//! the import check and the benches read it; what cannot read it (the Cargo
//! workspace, each Worker's `wrangler.toml`, the supervisor's service
//! bindings, `Stage`, the web app's and the browser suite's stage lists) is
//! held to it here, so a Worker or a stage added in one place and not the
//! others fails `cargo test`.

use parit_shared::stage::Stage;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the repository root").to_path_buf()
}

fn read(path: &str) -> String {
    fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// One `[[worker]]` table of the manifest.
#[derive(Debug, Default)]
struct Worker {
    name: String,
    path: String,
    kind: String,
    stage: Option<String>,
    binding: Option<String>,
}

/// The manifest, read as `scripts/lib.sh` reads it (a line at a time) and
/// refused where that reader would misread it: anything but comments, blank
/// lines, `[[worker]]` and `key = "string"` of a known key.
fn manifest() -> Vec<Worker> {
    let mut workers: Vec<Worker> = Vec::new();
    for (n, line) in read("fleet.toml").lines().enumerate() {
        let n = n + 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line == "[[worker]]" {
            workers.push(Worker::default());
            continue;
        }
        let (key, value) = line
            .split_once(" = ")
            .and_then(|(k, v)| Some((k, v.strip_prefix('"')?.strip_suffix('"')?)))
            .unwrap_or_else(|| panic!("fleet.toml:{n}: not `key = \"string\"`: {line}"));
        assert!(!value.contains('"') && !value.is_empty(), "fleet.toml:{n}: {line}");
        let w = workers.last_mut().unwrap_or_else(|| panic!("fleet.toml:{n}: a key before any [[worker]]"));
        let slot = match key {
            "name" => &mut w.name,
            "path" => &mut w.path,
            "kind" => &mut w.kind,
            "stage" => w.stage.insert(String::new()),
            "binding" => w.binding.insert(String::new()),
            _ => panic!("fleet.toml:{n}: unknown key {key}"),
        };
        assert!(slot.is_empty(), "fleet.toml:{n}: {key} given twice");
        *slot = value.to_string();
    }
    workers
}

/// `(table header, key, value)` for each `key = value` line of a TOML file
/// written one key a line, as the wrangler and Cargo files are.
fn toml_keys(text: &str) -> Vec<(String, String, String)> {
    let mut table = String::new();
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            table = line.to_string();
        } else if let Some((k, v)) = line.split_once(" = ") {
            out.push((table.clone(), k.to_string(), v.trim_matches('"').to_string()));
        }
    }
    out
}

fn top_level(text: &str, key: &str) -> Option<String> {
    toml_keys(text).into_iter().find(|(t, k, _)| t.is_empty() && k == key).map(|(_, _, v)| v)
}

#[test]
fn the_manifest_is_well_formed() {
    let workers = manifest();
    let kinds: Vec<&str> = workers.iter().map(|w| w.kind.as_str()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "supervisor").count(), 1, "one supervisor");
    assert_eq!(kinds.iter().filter(|k| **k == "bridge").count(), 1, "one bridge");
    assert_eq!(kinds.last(), Some(&"supervisor"), "the supervisor deploys last: it binds the others");
    let mut names = BTreeSet::new();
    for w in &workers {
        assert!(["agent", "bridge", "supervisor"].contains(&w.kind.as_str()), "{w:?}: unknown kind");
        assert!(names.insert(w.name.clone()), "{} listed twice", w.name);
        // The scripts find a Worker at workers/<name> (`-c workers/$w/wrangler.toml`).
        assert_eq!(w.path, format!("workers/{}", w.name), "{w:?}");
        assert_eq!(w.stage.is_some(), w.kind == "agent", "{w:?}: an agent, and only an agent, has a stage");
        assert_eq!(w.binding.is_some(), w.kind != "supervisor", "{w:?}: the supervisor binds every other Worker");
        if let Some(stage) = &w.stage {
            assert_eq!(w.name, format!("{stage}-agent"), "{w:?}");
        }
    }
}

#[test]
fn stage_is_the_manifests_agents_in_order() {
    let agents: Vec<Worker> = manifest().into_iter().filter(|w| w.kind == "agent").collect();
    let stages: Vec<&str> = agents.iter().filter_map(|w| w.stage.as_deref()).collect();
    assert_eq!(stages, Stage::ALL.map(Stage::as_str), "Stage::ALL and fleet.toml's agents");
    for (w, s) in agents.iter().zip(Stage::ALL) {
        assert_eq!(w.binding.as_deref(), Some(s.binding()), "{s}: Stage::binding");
        assert_eq!(format!("parit-{}", w.name), s.worker_name(), "{s}: Stage::worker_name");
    }
}

#[test]
fn cargo_workspace_and_packages_follow_the_manifest() {
    let cargo = read("Cargo.toml");
    let members = cargo.split("members = [").nth(1).and_then(|m| m.split(']').next()).expect("workspace members");
    let members: BTreeSet<&str> = members.split('"').skip(1).step_by(2).collect();
    for w in manifest() {
        assert!(members.contains(w.path.as_str()), "{} is not a workspace member", w.path);
        let package = read(&format!("{}/Cargo.toml", w.path));
        assert_eq!(
            top_level_in(&package, "[package]", "name"),
            Some(format!("parit-{}", w.name)),
            "{}/Cargo.toml",
            w.path
        );
    }
    // And no Worker outside the manifest: every crate with a wrangler.toml is in it.
    let listed: BTreeSet<String> = manifest().into_iter().map(|w| w.path).collect();
    for member in members {
        if root().join(member).join("wrangler.toml").exists() {
            assert!(listed.contains(member), "{member} has a wrangler.toml but is not in fleet.toml");
        }
    }
}

fn top_level_in(text: &str, table: &str, key: &str) -> Option<String> {
    toml_keys(text).into_iter().find(|(t, k, _)| t == table && k == key).map(|(_, _, v)| v)
}

#[test]
fn each_wrangler_config_names_its_worker_and_builds_it() {
    for w in manifest() {
        let config = read(&format!("{}/wrangler.toml", w.path));
        assert_eq!(top_level(&config, "name"), Some(format!("parit-{}", w.name)), "{}/wrangler.toml", w.path);
        assert_eq!(
            top_level_in(&config, "[build]", "command"),
            Some(format!("bash scripts/build-workers.sh {}", w.name)),
            "{}/wrangler.toml",
            w.path
        );
    }
}

#[test]
fn the_supervisor_binds_every_other_worker_by_its_binding() {
    let workers = manifest();
    let supervisor = workers.iter().find(|w| w.kind == "supervisor").expect("a supervisor");
    let config = read(&format!("{}/wrangler.toml", supervisor.path));
    let keys = toml_keys(&config);
    let services: Vec<&(String, String, String)> = keys.iter().filter(|(t, _, _)| t == "[[services]]").collect();
    let bound: BTreeSet<(String, String)> = services
        .chunks(2)
        .map(|pair| (pair[0].2.clone(), pair.get(1).map(|p| p.2.clone()).unwrap_or_default()))
        .collect();
    assert!(services.chunks(2).all(|p| p.len() == 2 && p[0].1 == "binding" && p[1].1 == "service"), "{services:?}");
    let wanted: BTreeSet<(String, String)> =
        workers.iter().filter_map(|w| Some((w.binding.clone()?, format!("parit-{}", w.name)))).collect();
    assert_eq!(bound, wanted, "the supervisor's [[services]] and fleet.toml");
}

/// The stage lists other languages write as literals: each must be the
/// manifest's order, written as the file's language writes an array.
#[test]
fn other_languages_stage_lists_are_the_manifests() {
    let stages: Vec<String> = manifest().into_iter().filter_map(|w| w.stage).collect();
    let literal = format!("[{}]", stages.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", "));
    for path in [
        // The web app's `STAGES` (pipeline order of its graph and tables).
        "frontend/src/api.ts",
        // The browser suite's `STAGES`.
        "e2e/tests/helpers.ts",
        // The Hono peer the benches compare against (bench/peer-hono).
        "bench/peer-hono/src/index.ts",
    ] {
        assert!(read(path).contains(&literal), "{path} does not list the stages as {literal}");
    }
}
