//! The `parit` command-line tool against the real fleet, as a developer
//! uses it: the built binary (start_test_fleets builds it) run in a temp
//! directory that stands for their repository, with its own config
//! directory and no PARIT_* variables but the ones a test sets. Exit codes,
//! stdout (human and `--json`), the files it writes and what the server
//! then holds are asserted.

use parit_fleet_tests::*;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The built `parit` binary.
fn binary() -> PathBuf {
    let path = std::env::var("PARIT_CLI").map(PathBuf::from).unwrap_or_else(|_| {
        let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| format!("{}/target", var("PARIT_ROOT")));
        PathBuf::from(target).join("debug").join("parit")
    });
    assert!(path.is_file(), "{} is not built: start_test_fleets builds it (cargo build -p parit-cli)", path.display());
    path
}

/// One developer: a repository directory and a home of their own (removed
/// when the test ends: the home's config holds a token).
struct Developer {
    root: PathBuf,
    repo: PathBuf,
    home: PathBuf,
}

impl Drop for Developer {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// What a `parit` invocation did.
#[derive(Debug)]
struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Ran {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {self:?}"))
    }
}

impl Developer {
    fn new(tag: &str) -> Developer {
        let root = std::env::temp_dir().join(unique(&format!("parit-cli-{tag}")));
        let (repo, home) = (root.join("repo"), root.join("home"));
        std::fs::create_dir_all(&repo).unwrap();
        std::fs::create_dir_all(&home).unwrap();
        Developer { root, repo, home }
    }

    fn config(&self) -> PathBuf {
        self.home.join(".config").join("parit").join("config.toml")
    }

    /// Runs `parit args` in the repository, stdin `input` (not a terminal).
    fn parit(&self, args: &[&str], input: &str) -> Ran {
        let mut child = Command::new(binary())
            .args(args)
            .current_dir(&self.repo)
            .env_clear()
            .env("HOME", &self.home)
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("parit runs");
        child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("stdin written");
        let out = child.wait_with_output().expect("parit ends");
        let ran = Ran {
            code: out.status.code().expect("an exit code, not a signal"),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        for stream in [&ran.stdout, &ran.stderr] {
            assert!(!stream.contains(&fleet().token), "the token was printed: {ran:?}");
        }
        ran
    }

    fn login(&self) {
        let ran = self.parit(&["login", "--url", &fleet().url], &format!("{}\n", fleet().token));
        assert_eq!(ran.code, 0, "{ran:?}");
    }

    fn write(&self, path: &str, text: &str) {
        let p = self.repo.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.repo.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }
}

/// A view of the project's newest artifact of `stage`, as text.
fn view(id: &str, stage: &str, name: &str) -> String {
    let answer = call(
        "GET",
        &format!("{}/api/projects/{id}/artifacts/{stage}/views/{name}", fleet().url),
        Caller::Default,
        &[],
        None,
    );
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.text
}

fn differences(check: &Value) -> Vec<Value> {
    check["differences"].as_array().cloned().unwrap_or_default()
}

#[test]
fn a_wrong_token_is_refused_and_nothing_is_stored() {
    let dev = Developer::new("wrongtoken");
    let ran = dev.parit(&["login", "--url", &fleet().url], "not-a-real-token\n");
    assert_eq!(ran.code, 3, "{ran:?}");
    assert!(ran.stderr.contains("HTTP 401"), "{ran:?}");
    assert!(!ran.stderr.contains("not-a-real-token"), "{ran:?}");
    assert!(!dev.config().exists(), "a refused login stored a config");
    // Without a login, a command says how to log in.
    let ran = dev.parit(&["status"], "");
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(ran.stderr.contains("parit login"), "{ran:?}");
    // A server that is not there is exit 4.
    let ran = dev.parit(&["login", "--url", &format!("http://127.0.0.1:{}", free_port())], "x\n");
    assert_eq!(ran.code, 4, "{ran:?}");
}

#[test]
fn a_developer_builds_pulls_and_keeps_the_repository_in_step() {
    let dev = Developer::new("loop");
    dev.login();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dev.config()).expect("the config is written").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // An empty repository has nothing to check (and no project yet: exit 2 too).
    let idea = format!("Book appointments at a clinic {}", unique("cli"));
    let ran = dev.parit(&["new", &idea, "--name", "Clinic from the CLI", "--wait"], "");
    assert_eq!(ran.code, 0, "{ran:?}");
    let id = dev.read(".parit/project").trim().to_string();
    assert!(ran.stdout.contains(&format!("created project {id}")), "{ran:?}");

    let ran = dev.parit(&["status", "--json"], "");
    assert_eq!(ran.code, 0, "{ran:?}");
    let project = ran.json();
    assert_eq!(project["id"], id.as_str());
    assert_eq!(project["run"]["status"], "completed", "{project}");
    let stages = stage_table(&project);
    assert_eq!(stages.len(), 7);
    assert!(stages.iter().all(|(_, status, version)| status == "done" && *version == Some(1)), "{stages:?}");

    let ran = dev.parit(&["plan", "--json"], "");
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(ran.json()["calls"], 0, "a finished project plans no calls: {ran:?}");

    let ran = dev.parit(&["check"], "");
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(ran.stderr.contains("found no schema or API description"), "{ran:?}");

    // The hand-off, pulled: written, then unchanged; a hand edit is not
    // overwritten without --yes when nobody can be asked.
    let ran = dev.parit(&["pull", "--layout", "agents", "--yes"], "");
    assert_eq!(ran.code, 0, "{ran:?}");
    // AGENTS.md, and the workflow that runs `parit check` in CI.
    assert!(ran.stdout.contains("would create (2):\n  AGENTS.md\n  .github/workflows/parit-check.yml"), "{ran:?}");
    let agents = dev.read("AGENTS.md");
    let (status, handoff) = get(&format!("{}/api/projects/{id}/handoff", fleet().url));
    assert_eq!(status, 200, "{handoff}");
    assert_eq!(
        agents,
        handoff["layouts"][0]["files"][0]["content"].as_str().unwrap(),
        "AGENTS.md as the server renders it"
    );
    let ran = dev.parit(&["pull", "--layout", "agents"], "");
    assert_eq!(ran.code, 0, "{ran:?}");
    assert!(ran.stdout.contains("unchanged (2):\n  AGENTS.md") && ran.stdout.contains("nothing to write"), "{ran:?}");
    dev.write("AGENTS.md", "my own notes\n");
    let ran = dev.parit(&["pull", "--layout", "agents", "--json"], "");
    assert_eq!(ran.code, 2, "{ran:?}");
    assert_eq!(dev.read("AGENTS.md"), "my own notes\n", "overwritten without --yes");
    let ran = dev.parit(&["pull", "--layout", "agents", "--yes", "--json"], "");
    assert_eq!((ran.code, ran.json()["overwrite"].clone()), (0, serde_json::json!(["AGENTS.md"])), "{ran:?}");
    assert_eq!(dev.read("AGENTS.md"), agents);

    // The export, as a ZIP.
    let ran = dev.parit(&["export", "-o", "blueprint.zip"], "");
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(&std::fs::read(dev.repo.join("blueprint.zip")).unwrap()[..4], b"PK\x03\x04");

    // The repository takes the blueprint's schema and API: in step.
    dev.write("db/schema.sql", &view(&id, "data", "schema.sqlite.sql"));
    dev.write("openapi.json", &view(&id, "api", "openapi.json"));
    let ran = dev.parit(&["check"], "");
    assert_eq!(ran.code, 0, "{ran:?}");
    assert!(ran.stdout.contains("compared schema db/schema.sql (sqlite); API openapi.json"), "{ran:?}");
    assert!(ran.stdout.contains("in step"), "{ran:?}");

    // A hand edit of the schema: drift, in --json and in SARIF.
    let schema = dev.read("db/schema.sql");
    dev.write(
        "db/schema.sql",
        &format!("{schema}\nCREATE TABLE coupons (\n  id TEXT PRIMARY KEY,\n  code TEXT NOT NULL\n);\n"),
    );
    let coupon_line = dev.read("db/schema.sql").lines().position(|l| l.contains("CREATE TABLE coupons")).unwrap() + 1;
    let ran = dev.parit(&["check", "--json", "--sarif", "drift.sarif"], "");
    assert_eq!(ran.code, 1, "{ran:?}");
    let drift = ran.json();
    assert_eq!(drift["inStep"], false);
    let found: Vec<Value> = differences(&drift)
        .into_iter()
        .filter(|d| d["kind"] == "entity" && d["change"] == "added" && d["source"] == "sql")
        .collect();
    assert_eq!(found.len(), 1, "{drift}");
    let coupon = found[0]["id"].as_str().unwrap().to_string();
    assert!(coupon.to_lowercase().contains("coupon"), "{drift}");
    assert!(differences(&drift).iter().all(|d| d["source"] == "sql"), "only the schema changed: {drift}");
    let sarif: Value = serde_json::from_str(&dev.read("drift.sarif")).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), differences(&drift).len());
    let result = results.iter().find(|r| r["properties"]["id"] == coupon.as_str()).expect("the coupon's result");
    assert_eq!(result["ruleId"], "parit/entity-added");
    let place = &result["locations"][0]["physicalLocation"];
    assert_eq!(place["artifactLocation"]["uri"], "db/schema.sql");
    assert_eq!(place["region"]["startLine"], coupon_line as u64);
    let valid = Command::new(format!("{}/.parit/venv/bin/python", var("PARIT_ROOT")))
        .arg(format!("{}/tests/truth/sarif_check.py", var("PARIT_ROOT")))
        .arg(dev.repo.join("drift.sarif"))
        .output()
        .expect("the SARIF validator runs");
    assert!(
        valid.status.success(),
        "{}{}",
        String::from_utf8_lossy(&valid.stdout),
        String::from_utf8_lossy(&valid.stderr)
    );
    // For people: grouped by kind, with the id.
    let ran = dev.parit(&["check"], "");
    assert_eq!(ran.code, 1, "{ran:?}");
    assert!(ran.stdout.contains(&format!("entity:\n  + {coupon}:")), "{ran:?}");

    // Accepted: the data model has a new imported version, and the
    // repository is in step again.
    let before = get(&format!("{}/api/projects/{id}/artifacts/data", fleet().url)).1["version"].as_u64().unwrap();
    let ran = dev.parit(&["check", "--accept"], "");
    assert_eq!(ran.code, 2, "no terminal, no --yes: nothing accepted: {ran:?}");
    let ran = dev.parit(&["check", "--accept", "--yes"], "");
    assert_eq!(ran.code, 0, "{ran:?}");
    assert!(ran.stdout.contains("accepting the repository's data"), "the plan is shown first: {ran:?}");
    let (status, data) = get(&format!("{}/api/projects/{id}/artifacts/data", fleet().url));
    assert_eq!(status, 200, "{data}");
    assert_eq!((data["version"].as_u64(), data["source"].as_str()), (Some(before + 1), Some("import")), "{data}");
    assert!(data["artifact"]["entities"].as_array().unwrap().iter().any(|e| e["table"] == "coupons"), "{data}");
    let ran = dev.parit(&["check", "--json"], "");
    assert_eq!((ran.code, ran.json()["inStep"].clone()), (0, Value::Bool(true)), "{ran:?}");
}

#[test]
fn bad_input_gets_exit_2_and_a_schema_that_does_not_parse_says_where() {
    let dev = Developer::new("bad");
    dev.login();
    let word = unique("clibad");
    let id = create_project(&fleet().url, "CLI bad input", &format!("Book appointments at a clinic {word}"));
    start_run(&fleet().url, &id);
    let project = wait_for_run(&fleet().url, &id);
    assert_eq!(project["run"]["status"], "completed", "{project}");
    let project_arg = ["--project", id.as_str()];

    let ran = dev.parit(&[&project_arg[..], &["import", "data", "missing.sql"]].concat(), "");
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(ran.stderr.contains("missing.sql"), "{ran:?}");
    let ran = dev.parit(&[&project_arg[..], &["check", "--sql", "missing.sql"]].concat(), "");
    assert_eq!(ran.code, 2, "{ran:?}");
    let ran = dev.parit(&["--project", "../../etc", "status"], "");
    assert_eq!(ran.code, 2, "{ran:?}");

    dev.write("bad.sql", "CREATE TABLE a (\n  id INTEGER PRIMARY KEY,\n  name TEXT NOT NULL,,\n);\n");
    let ran = dev.parit(&[&project_arg[..], &["check", "--sql", "bad.sql"]].concat(), "");
    assert_eq!(ran.code, 3, "{ran:?}");
    assert!(ran.stderr.contains("HTTP 422") && ran.stderr.contains("line 3"), "{ran:?}");
    let ran = dev.parit(&[&project_arg[..], &["check", "--json", "--sql", "bad.sql"]].concat(), "");
    assert_eq!((ran.code, ran.json()["error"]["line"].as_u64()), (3, Some(3)), "{ran:?}");

    // The import does what it says: imported and not imported listed.
    dev.write("schema.sql", &view(&id, "data", "schema.sqlite.sql"));
    let ran = dev.parit(&[&project_arg[..], &["import", "data", "schema.sql"]].concat(), "");
    assert_eq!(ran.code, 0, "{ran:?}");
    assert!(ran.stdout.starts_with("stored data v2 (source import)"), "{ran:?}");
    assert!(ran.stdout.contains("imported ("), "{ran:?}");

    // Someone else's project is refused (404), exit 3.
    let other = Developer::new("bob");
    let ran = other.parit(&["login", "--url", &fleet().url], &format!("{}\n", fleet().token_b));
    assert_eq!(ran.code, 0, "{ran:?}");
    let ran = other.parit(&["--project", &id, "status"], "");
    assert_eq!(ran.code, 3, "{ran:?}");
    assert!(ran.stderr.contains("HTTP 404"), "{ran:?}");
    assert!(!Path::new(&other.repo.join(".parit/project")).exists());
}

#[test]
fn a_run_that_fails_is_exit_3_with_the_stages_error_and_run_wait_resumes_it() {
    let dev = Developer::new("fails");
    dev.login();
    let word = unique("clifail");
    inject(serde_json::json!({"kind": "api_key_invalid", "match": word, "stage": "logic", "times": 1}));
    let ran = dev.parit(&["new", &format!("Book appointments at a clinic {word}"), "--wait", "--json"], "");
    assert_eq!(ran.code, 3, "{ran:?}");
    let error = &ran.json()["error"];
    assert_eq!((error["code"].as_str(), error["exitCode"].as_u64()), (Some("run_failed"), Some(3)), "{ran:?}");
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("the run ended failed") && message.contains("logic: failed ("), "{message}");
    assert!(message.contains("api: pending"), "what did not run is named too: {message}");
    // The stage is run again, and this time every stage is done.
    let ran = dev.parit(&["run", "--wait"], "");
    assert_eq!(ran.code, 0, "{ran:?}");
    assert!(ran.stdout.contains("logic       done"), "{ran:?}");
}
