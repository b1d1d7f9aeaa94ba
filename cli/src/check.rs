//! `parit check`: the repository's schema and API description against the
//! blueprint (`POST …/drift`), its differences for people (grouped by kind)
//! or for GitHub code scanning (SARIF 2.1.0), and `--accept`, which stores
//! the repository's side as the blueprint's next version.
//!
//! With no flags the repository's files are found here ([`discover`]): the
//! places people keep a schema and an OpenAPI document, and the places the
//! export writes them (`data/schema.sqlite.sql`, `api/openapi.json`).

use crate::failure::Failure;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// The SQL files looked for, in order, with the dialect each implies.
const SQL_FILES: [(&str, &str); 4] = [
    ("schema.sql", "sqlite"),
    ("db/schema.sql", "sqlite"),
    ("data/schema.sqlite.sql", "sqlite"),
    ("data/schema.postgres.sql", "postgres"),
];
/// Directories of migrations, each read as its `*.sql` files in name order.
const MIGRATION_DIRS: [&str; 3] = ["migrations", "db/migrations", "data/migrations"];
/// The OpenAPI documents looked for, in order.
const OPENAPI_FILES: [&str; 6] =
    ["openapi.json", "openapi.yaml", "openapi.yml", "api/openapi.json", "api/openapi.yaml", "api/openapi.yml"];

/// The repository's side of a comparison: which files, and their text.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Repository {
    /// SQL files, in the order they are applied (one, or migrations).
    pub(crate) sql: Vec<(PathBuf, String)>,
    /// The SQL dialect.
    pub(crate) dialect: String,
    /// The OpenAPI document, if any.
    pub(crate) openapi: Option<(PathBuf, String)>,
}

impl Repository {
    /// The SQL as one text (migrations concatenated in order).
    pub(crate) fn sql_text(&self) -> Option<String> {
        if self.sql.is_empty() {
            return None;
        }
        Some(self.sql.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>().join("\n"))
    }

    /// Which files were used, for people.
    pub(crate) fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.sql.is_empty() {
            let names: Vec<String> = self.sql.iter().map(|(p, _)| p.display().to_string()).collect();
            parts.push(format!("schema {} ({})", names.join(", "), self.dialect));
        }
        if let Some((p, _)) = &self.openapi {
            parts.push(format!("API {}", p.display()));
        }
        parts.join("; ")
    }

    /// Which files were used, for `--json`.
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "sql": self.sql.iter().map(|(p, _)| p.display().to_string()).collect::<Vec<_>>(),
            "dialect": (!self.sql.is_empty()).then_some(&self.dialect),
            "openapi": self.openapi.as_ref().map(|(p, _)| p.display().to_string()),
        })
    }
}

fn read(root: &Path, rel: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(root.join(rel)).map_err(|e| Failure::Usage(format!("cannot read {}: {e}", rel.display())))
}

/// The `*.sql` files of `dir` (relative to `root`) in name order.
fn migrations(root: &Path, dir: &Path) -> Result<Vec<(PathBuf, String)>, Failure> {
    let entries = std::fs::read_dir(root.join(dir))
        .map_err(|e| Failure::Usage(format!("cannot read the directory {}: {e}", dir.display())))?;
    let mut names: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "sql"))
        .filter_map(|p| p.file_name().map(|n| dir.join(n)))
        .collect();
    names.sort();
    if names.is_empty() {
        return Err(Failure::Usage(format!("{} has no .sql files", dir.display())));
    }
    names.into_iter().map(|p| read(root, &p).map(|t| (p, t))).collect()
}

/// The dialect a file's name suggests.
fn dialect_of(path: &Path) -> &'static str {
    let name = path.to_string_lossy().to_lowercase();
    if name.contains("postgres") || name.contains("pg") {
        "postgres"
    } else if name.contains("mysql") {
        "mysql"
    } else {
        "sqlite"
    }
}

/// What `check` compares: the files given, else those found under `root`.
/// Exit 2 when a given file is not there, or when nothing is found.
pub(crate) fn discover(
    root: &Path,
    sql: Option<&Path>,
    migrations_dir: Option<&Path>,
    dialect: Option<&str>,
    openapi: Option<&Path>,
) -> Result<Repository, Failure> {
    let given = sql.is_some() || migrations_dir.is_some() || openapi.is_some();
    let mut repo = Repository::default();
    let mut implied = "sqlite";
    if let Some(file) = sql {
        repo.sql = vec![(file.to_path_buf(), read(root, file)?)];
        implied = dialect_of(file);
    } else if let Some(dir) = migrations_dir {
        repo.sql = migrations(root, dir)?;
        implied = dialect_of(dir);
    } else if !given {
        if let Some((file, d)) = SQL_FILES.iter().find(|(f, _)| root.join(f).is_file()) {
            repo.sql = vec![(PathBuf::from(file), read(root, Path::new(file))?)];
            implied = d;
        } else if let Some(dir) = MIGRATION_DIRS.iter().find(|d| root.join(d).is_dir()) {
            repo.sql = migrations(root, Path::new(dir))?;
        }
    }
    repo.dialect = dialect.unwrap_or(implied).to_string();
    if let Some(file) = openapi {
        repo.openapi = Some((file.to_path_buf(), read(root, file)?));
    } else if !given {
        if let Some(file) = OPENAPI_FILES.iter().find(|f| root.join(f).is_file()) {
            repo.openapi = Some((PathBuf::from(file), read(root, Path::new(file))?));
        }
    }
    if let Some((p, _)) = repo.sql.iter().find(|(_, t)| t.trim().is_empty()) {
        return Err(Failure::Usage(format!("{} is empty", p.display())));
    }
    if repo.sql.is_empty() && repo.openapi.is_none() {
        let looked: Vec<&str> =
            SQL_FILES.iter().map(|(f, _)| *f).chain(MIGRATION_DIRS.iter().copied()).chain(OPENAPI_FILES).collect();
        return Err(Failure::Usage(format!(
            "found no schema or API description to compare (looked for {}); pass --sql FILE, --migrations DIR or --openapi FILE",
            looked.join(", ")
        )));
    }
    Ok(repo)
}

/// The symbol of a change: `+` only in the repository, `-` only in the
/// blueprint, `~` in both, differently.
fn mark(change: &str) -> &'static str {
    match change {
        "added" => "+",
        "removed" => "-",
        _ => "~",
    }
}

/// The drift answer for people: what was compared, then the differences
/// grouped by kind, each with its id, detail and stories.
pub(crate) fn report(answer: &Value, repo: &Repository) -> String {
    let mut out = format!("compared {}", repo.describe());
    let versions: Vec<String> = ["data", "api"]
        .iter()
        .filter_map(|side| answer["compared"][side]["version"].as_u64().map(|v| format!("{side} v{v}")))
        .collect();
    if !versions.is_empty() {
        out.push_str(&format!(" with the blueprint's {}", versions.join(", ")));
    }
    out.push('\n');
    let differences = answer["differences"].as_array().cloned().unwrap_or_default();
    if differences.is_empty() {
        out.push_str("in step: no differences\n");
    } else {
        out.push_str(&format!(
            "drift: {} difference(s) (+ only in the repository, - only in the blueprint, ~ changed)\n",
            differences.len()
        ));
        let mut kinds: Vec<&str> = differences.iter().filter_map(|d| d["kind"].as_str()).collect();
        kinds.dedup();
        let mut seen = Vec::new();
        for kind in kinds {
            if seen.contains(&kind) {
                continue;
            }
            seen.push(kind);
            out.push_str(&format!("{kind}:\n"));
            for d in differences.iter().filter(|d| d["kind"] == kind) {
                let stories: Vec<&str> =
                    d["stories"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                let stories =
                    if stories.is_empty() { String::new() } else { format!(" [stories: {}]", stories.join(", ")) };
                let (id, detail) = (d["id"].as_str().unwrap_or("?"), d["detail"].as_str().unwrap_or_default());
                // The server's detail names the id first; say it once.
                let line =
                    if detail.starts_with(&format!("{id}:")) { detail.to_string() } else { format!("{id}: {detail}") };
                out.push_str(&format!("  {} {line}{stories}\n", mark(d["change"].as_str().unwrap_or_default())));
            }
        }
    }
    let not_imported: Vec<String> = answer["notImported"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| n.as_str().map_or_else(|| n.to_string(), str::to_string))
        .collect();
    if !not_imported.is_empty() {
        out.push_str("not compared (the importers cannot represent it):\n");
        for line in not_imported {
            out.push_str(&format!("  {line}\n"));
        }
    }
    out
}

/// The words a difference's item is written as in a file, most telling first
/// (a table or column name, a path).
fn needles(d: &Value) -> Vec<String> {
    let mut words = Vec::new();
    for side in ["repository", "blueprint"] {
        let item = &d[side];
        for key in ["path", "table", "name", "field", "column"] {
            if let Some(w) = item[key].as_str().filter(|w| !w.is_empty()) {
                words.push(w.to_string());
            }
        }
    }
    if let Some(id) = d["id"].as_str() {
        // "Order.total" → "total"; "GET /orders" → "/orders".
        let last = id.rsplit(['.', ' ']).next().unwrap_or(id);
        words.push(last.to_string());
        words.push(id.to_string());
    }
    words.dedup();
    words
}

/// Whether `word` appears in `line` as a whole word (or a whole path).
fn has_word(line: &str, word: &str) -> bool {
    let lower = line.to_lowercase();
    let word = word.to_lowercase();
    let edge = |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
    lower.match_indices(&word).any(|(i, _)| {
        let before = lower[..i].chars().next_back();
        let after = lower[i + word.len()..].chars().next();
        (word.starts_with('/') || edge(before)) && edge(after)
    })
}

/// Where in the repository a difference is: the file, and the line when the
/// item is there to find (something only in the blueprint is, by its nature,
/// nowhere in the file: its result points at the file's first line).
/// `tables` maps the repository's entity names to their tables (from the
/// imported data artifact), so a field is looked for under its own table.
pub(crate) fn locate(d: &Value, repo: &Repository, tables: &[(String, String)]) -> Option<(PathBuf, u64)> {
    let files: Vec<&(PathBuf, String)> = match d["source"].as_str() {
        Some("openapi") => repo.openapi.iter().collect(),
        _ => repo.sql.iter().collect(),
    };
    let first = files.first()?;
    // Inside an entity (a field, a key): its table's line first, then the
    // item after it.
    let table = d["id"].as_str().and_then(|id| id.split_once('.')).map(|(entity, _)| {
        tables.iter().find(|(name, _)| name == entity).map_or(entity.to_string(), |(_, table)| table.clone())
    });
    if d["change"] != "removed" {
        for (path, text) in &files {
            let lines: Vec<&str> = text.lines().collect();
            let start = match &table {
                Some(t) if d["source"] != "openapi" => {
                    lines.iter().position(|l| l.to_lowercase().contains("create table") && has_word(l, t)).unwrap_or(0)
                }
                _ => 0,
            };
            for word in needles(d) {
                if let Some(i) = lines.iter().skip(start).position(|l| has_word(l, &word)) {
                    return Some((path.clone(), (start + i + 1) as u64));
                }
            }
        }
    }
    Some((first.0.clone(), 1))
}

/// The rule a difference is reported under: one per kind and change.
fn rule_id(d: &Value) -> String {
    format!("parit/{}-{}", d["kind"].as_str().unwrap_or("item"), d["change"].as_str().unwrap_or("changed"))
}

/// What a rule means, for code scanning's alert title.
fn rule_text(kind: &str, change: &str) -> String {
    match change {
        "added" => format!("A {kind} is in the repository but not in the Parit blueprint"),
        "removed" => format!("A {kind} of the Parit blueprint is missing from the repository"),
        _ => format!("A {kind} differs between the repository and the Parit blueprint"),
    }
}

/// The drift answer as a SARIF 2.1.0 log for GitHub code scanning: one
/// result per difference, its rule `parit/<kind>-<change>`, the file and
/// line where the item is (GitHub shows a result only with a physical
/// location and `region.startLine`), the ids and stories in `properties`.
///
/// The shape is SARIF 2.1.0 (OASIS, docs.oasis-open.org/sarif/sarif/v2.1.0)
/// as GitHub's "SARIF support for code scanning" page lists what it reads
/// (docs.github.com/code-security/reference/code-scanning/sarif-files/
/// sarif-support, read 2026-12-06): `ruleId` stable across runs, file paths
/// relative to the repository root, `partialFingerprints` so the same
/// finding is one alert across runs. The fleet suite validates the output
/// against the official schema (tests/truth/sarif_check.py).
pub(crate) fn sarif(answer: &Value, repo: &Repository) -> Value {
    let differences = answer["differences"].as_array().cloned().unwrap_or_default();
    let tables: Vec<(String, String)> = answer["repository"]["data"]["entities"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| Some((e["name"].as_str()?.to_string(), e["table"].as_str()?.to_string())))
        .collect();
    let mut rules: Vec<String> = differences.iter().map(rule_id).collect();
    rules.sort();
    rules.dedup();
    let results: Vec<Value> = differences
        .iter()
        .map(|d| {
            let id = rule_id(d);
            let mut result = json!({
                "ruleId": id,
                "ruleIndex": rules.iter().position(|r| *r == id),
                "level": "warning",
                "message": {"text": d["detail"].as_str().unwrap_or("the repository differs from the blueprint")},
                "partialFingerprints": {"paritDrift/v1": format!("{}:{}", id, d["id"].as_str().unwrap_or_default())},
                "properties": {
                    "id": d["id"],
                    "kind": d["kind"],
                    "change": d["change"],
                    "stories": d["stories"].as_array().cloned().unwrap_or_default(),
                    "source": d["source"],
                },
            });
            if let Some((path, line)) = locate(d, repo, &tables) {
                result["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": {"uri": path.to_string_lossy().replace('\\', "/"), "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": line},
                    }
                }]);
            }
            result
        })
        .collect();
    let rules: Vec<Value> = rules
        .iter()
        .map(|id| {
            let (kind, change) = id.trim_start_matches("parit/").rsplit_once('-').unwrap_or(("item", "changed"));
            json!({
                "id": id,
                "name": format!("{kind}-{change}"),
                "shortDescription": {"text": rule_text(kind, change)},
                "fullDescription": {"text": format!("{}. Fix the repository, or accept it into the blueprint with `parit check --accept`.", rule_text(kind, change))},
                "defaultConfiguration": {"level": "warning"},
                "properties": {"tags": ["parit", "drift", kind]},
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "parit",
                "informationUri": "https://github.com/parit-dev/parit",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The repository's root, where parit check ran"}}},
            "results": results,
        }],
    })
}

/// The plan (`POST …/plan`) of accepting one side, for people.
pub(crate) fn plan_report(stage: &str, plan: &Value) -> String {
    let mut out = format!("accepting the repository's {stage} would make it the blueprint's next {stage} version;\n");
    for s in plan["stages"].as_array().into_iter().flatten() {
        let action = s["action"].as_str().unwrap_or_default();
        if action.is_empty() || action == "reuse" || action == "keep" {
            continue;
        }
        out.push_str(&format!(
            "  {}: {} ({})\n",
            s["stage"].as_str().unwrap_or("?"),
            action,
            s["reason"].as_str().unwrap_or_default()
        ));
    }
    out.push_str(&format!("the next run: {}", plan_totals(plan)));
    out
}

/// A plan's calls, tokens and cost, one line.
pub(crate) fn plan_totals(plan: &Value) -> String {
    // `+ 0.0` turns a -0.0 the server may send into 0.0 for people.
    let usd = |end: &str| plan["costUsd"][end].as_f64().unwrap_or(0.0) + 0.0;
    format!(
        "{} model call(s), {}-{} tokens, ${:.4}-${:.4}\n",
        plan["calls"].as_u64().unwrap_or(0),
        plan["tokens"]["low"].as_u64().unwrap_or(0),
        plan["tokens"]["high"].as_u64().unwrap_or(0),
        usd("low"),
        usd("high")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo_dir(tag: &str, files: &[(&str, &str)]) -> PathBuf {
        let root = std::env::temp_dir().join(format!("parit-cli-check-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        for (path, text) in files {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        root
    }

    #[test]
    fn the_repositorys_files_are_found_and_said() {
        let root = repo_dir(
            "found",
            &[("db/schema.sql", "CREATE TABLE a (id TEXT);"), ("api/openapi.yaml", "openapi: 3.1.0")],
        );
        let repo = discover(&root, None, None, None, None).unwrap();
        assert_eq!(repo.sql[0].0, PathBuf::from("db/schema.sql"));
        assert_eq!(repo.dialect, "sqlite");
        assert_eq!(repo.openapi.as_ref().unwrap().0, PathBuf::from("api/openapi.yaml"));
        assert_eq!(repo.describe(), "schema db/schema.sql (sqlite); API api/openapi.yaml");
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn migrations_are_read_in_name_order_and_a_postgres_export_is_postgres() {
        let root = repo_dir(
            "migrations",
            &[("migrations/0002_b.sql", "-- two"), ("migrations/0001_a.sql", "-- one"), ("migrations/notes.txt", "x")],
        );
        let repo = discover(&root, None, None, None, None).unwrap();
        let names: Vec<String> = repo.sql.iter().map(|(p, _)| p.display().to_string()).collect();
        assert_eq!(names, ["migrations/0001_a.sql", "migrations/0002_b.sql"]);
        assert_eq!(repo.sql_text().unwrap(), "-- one\n-- two");
        std::fs::remove_dir_all(root).unwrap();
        let root = repo_dir("pg", &[("data/schema.postgres.sql", "CREATE TABLE a (id TEXT);")]);
        assert_eq!(discover(&root, None, None, None, None).unwrap().dialect, "postgres");
        assert_eq!(discover(&root, None, None, Some("mysql"), None).unwrap().dialect, "mysql");
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn an_empty_repository_or_a_missing_file_is_exit_2() {
        let root = repo_dir("empty", &[("README.md", "hello")]);
        let e = discover(&root, None, None, None, None).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("found no schema or API description"), "{e}");
        let e = discover(&root, Some(Path::new("nope.sql")), None, None, None).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("nope.sql"), "{e}");
        // A file given by name is used alone: nothing else is looked for.
        std::fs::write(root.join("openapi.json"), "{}").unwrap();
        std::fs::write(root.join("only.sql"), "CREATE TABLE a (id TEXT);").unwrap();
        let repo = discover(&root, Some(Path::new("only.sql")), None, None, None).unwrap();
        assert!(repo.openapi.is_none());
        std::fs::write(root.join("blank.sql"), "  \n").unwrap();
        assert_eq!(discover(&root, Some(Path::new("blank.sql")), None, None, None).unwrap_err().exit_code(), 2);
        std::fs::remove_dir_all(root).unwrap();
    }

    fn answer() -> Value {
        json!({
            "projectId": "p", "inStep": false,
            "compared": {"data": {"version": 3}, "api": null},
            "differences": [
                {"kind": "entity", "change": "added", "id": "Coupon", "detail": "Coupon: in the repository, not the blueprint",
                 "blueprint": null, "repository": {"name": "Coupon", "table": "coupons"}, "stories": [], "source": "sql"},
                {"kind": "field", "change": "changed", "id": "Order.total",
                 "detail": "Order.total: type decimal in the blueprint, integer in the repository",
                 "blueprint": {"name": "total"}, "repository": {"name": "total"}, "stories": ["US-3", "US-7"], "source": "sql"},
                {"kind": "field", "change": "removed", "id": "Order.note", "detail": "Order.note: in the blueprint, not the repository",
                 "blueprint": {"name": "note"}, "repository": null, "stories": ["US-3"], "source": "sql"}
            ],
            "repository": {"data": {"entities": [{"name": "Order", "table": "orders"}, {"name": "Coupon", "table": "coupons"}]}, "api": null},
            "notImported": []
        })
    }

    fn repo() -> Repository {
        Repository {
            sql: vec![(
                PathBuf::from("db/schema.sql"),
                "CREATE TABLE users (\n  total TEXT\n);\nCREATE TABLE orders (\n  id TEXT,\n  total INTEGER\n);\nCREATE TABLE coupons (id TEXT);\n".into(),
            )],
            dialect: "sqlite".into(),
            openapi: None,
        }
    }

    #[test]
    fn differences_are_grouped_by_kind_with_their_stories() {
        let text = report(&answer(), &repo());
        assert!(text.starts_with("compared schema db/schema.sql (sqlite) with the blueprint's data v3\n"), "{text}");
        assert!(text.contains("drift: 3 difference(s)"), "{text}");
        assert!(text.contains("entity:\n  + Coupon: in the repository, not the blueprint\n"), "{text}");
        assert!(
            text.contains("field:\n  ~ Order.total: type decimal in the blueprint, integer in the repository [stories: US-3, US-7]\n  - Order.note"),
            "{text}"
        );
        let in_step = json!({"inStep": true, "compared": {"data": {"version": 4}}, "differences": []});
        assert!(report(&in_step, &repo()).contains("in step: no differences"));
    }

    #[test]
    fn each_difference_is_a_sarif_result_at_its_line() {
        let log = sarif(&answer(), &repo());
        assert_eq!(log["version"], "2.1.0");
        let run = &log["runs"][0];
        let rules: Vec<&str> =
            run["tool"]["driver"]["rules"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(rules, ["parit/entity-added", "parit/field-changed", "parit/field-removed"]);
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 3);
        let at = |i: usize| {
            let l = &results[i]["locations"][0]["physicalLocation"];
            (l["artifactLocation"]["uri"].as_str().unwrap().to_string(), l["region"]["startLine"].as_u64().unwrap())
        };
        assert_eq!(at(0), ("db/schema.sql".into(), 8), "the coupons table");
        assert_eq!(at(1), ("db/schema.sql".into(), 6), "orders.total, not users.total");
        assert_eq!(at(2), ("db/schema.sql".into(), 1), "only in the blueprint: the file");
        assert_eq!(results[1]["ruleIndex"], 1);
        assert_eq!(results[1]["properties"]["stories"], json!(["US-3", "US-7"]));
        assert_eq!(results[1]["properties"]["id"], "Order.total");
    }

    #[test]
    fn a_plan_costs_no_negative_zero() {
        let plan = json!({"calls": 0, "tokens": {"low": 0, "high": 0}, "costUsd": {"low": -0.0, "high": -0.0}});
        assert_eq!(plan_totals(&plan), "0 model call(s), 0-0 tokens, $0.0000-$0.0000\n");
    }

    #[test]
    fn words_match_whole() {
        assert!(has_word("  total INTEGER,", "total"));
        assert!(!has_word("  subtotal INTEGER,", "total"));
        assert!(has_word("  \"/orders/{id}\": {", "/orders"));
        assert!(!has_word("  \"/orders_archive\": {", "/orders"));
    }
}
