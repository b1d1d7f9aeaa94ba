//! Contract tests rendered from the blueprint, for the exported API Worker:
//! `test/contract.test.mjs` (Node's test runner, `npm test`) with its harness
//! `test/harness.mjs`, and the coverage matrix (stories × acceptance criteria
//! × tests) as Markdown and CSV.
//!
//! For every endpoint: its success status and response fields, each error it
//! declares that a request can provoke (400 on a body that is not an object
//! or lacks a required field, 404 on a missing record, 409 on a taken unique
//! value, a dangling reference or a referenced record), and its auth rule;
//! on a list, its query parameters (`limit` and `page` page it, a parameter
//! named after a field filters it, `sort` orders it, and a declared 400 is a
//! value its type refuses).
//! For every story: a named test per acceptance criterion that
//! [`crate::check::contract::plan`] places at HTTP level, and a listed gap
//! (a skipped test, and a row of the matrix) for each it cannot.
//!
//! Why Node's test runner against `wrangler dev`, not Cloudflare's Vitest
//! pool: it adds no dependency to the starter (wrangler is already pinned),
//! runs offline on Node 20, and drives the Worker over HTTP exactly as a
//! client would, against the same workerd and local D1 as `npm run dev`.
//! A route the starter does not serve (a nested path, answered 501) gets a
//! `todo` test: it runs and is reported, and passes once the route is written.
//!
//! Deterministic: the same blueprint renders the same bytes.

//!
//! Here the test file is put together; `endpoint` writes an endpoint's tests
//! (with `query` for a list's parameters and `conflict` for its 409),
//! `criteria` a story's, and `coverage` renders the matrix.

mod conflict;
mod coverage;
mod criteria;
mod endpoint;
mod query;

pub use coverage::{coverage_csv, coverage_markdown};

use crate::artifact::{ApiArtifact, DataArtifact, Endpoint, Entity, PrdArtifact};
use crate::check::contract::{create_route, key, plan, Makeable};
use criteria::criterion;
use endpoint::endpoint;
use serde_json::json;

/// The harness the tests import.
const HARNESS: &str = include_str!("harness.mjs");

/// A value as a JavaScript literal (JSON is one).
pub(super) fn js(v: impl serde::Serialize) -> String {
    serde_json::to_string(&v).unwrap_or_else(|_| "null".into())
}

/// One test as the matrix lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The story (US-n) or the endpoint (EP-n).
    pub id: String,
    /// The story's priority, empty for an endpoint.
    pub priority: String,
    /// The criterion's number in its story (from 1), or the check of an endpoint.
    pub item: String,
    /// The criterion's text, or what the endpoint check shows.
    pub text: String,
    /// The test's full name, when there is a test.
    pub test: Option<String>,
    /// Why there is no test that can pass against the starter: a gap, or a
    /// `todo` (a route the starter does not serve yet).
    pub note: String,
}

/// The rendered tests and their coverage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    /// Files for the API Worker's folder: (path, content).
    pub files: Vec<(String, String)>,
    /// One row per acceptance criterion, then one per endpoint check.
    pub rows: Vec<Row>,
}

/// Text of one test body under construction.
pub(super) struct Tests {
    out: String,
    pub(super) rows: Vec<Row>,
}

impl Tests {
    /// A test; `todo` marks a route the starter answers 501 for.
    pub(super) fn test(&mut self, row: (&str, &str, &str), name: &str, todo: Option<&str>, body: &str) {
        let options = todo.map_or_else(String::new, |t| format!("{{ todo: {} }}, ", js(t)));
        self.out.push_str(&format!("  test({}, {options}async () => {{\n{body}  }});\n", js(name)));
        self.rows.push(Row {
            id: row.0.into(),
            priority: row.1.into(),
            item: row.2.into(),
            text: name.into(),
            test: Some(name.into()),
            note: todo.unwrap_or_default().into(),
        });
    }

    /// A listed gap: a skipped test naming why, and its row.
    pub(super) fn gap(&mut self, row: (&str, &str, &str), text: &str, why: &str) {
        self.out.push_str(&format!("  test({}, {{ skip: {} }}, () => {{}});\n", js(text), js(format!("gap: {why}"))));
        self.rows.push(Row {
            id: row.0.into(),
            priority: row.1.into(),
            item: row.2.into(),
            text: text.into(),
            test: None,
            note: why.into(),
        });
    }
}

/// Lines of JavaScript, indented for a test body.
pub(super) fn lines(parts: &[String]) -> String {
    parts.iter().map(|l| format!("    {l}\n")).collect()
}

/// The contract tests of an API over its data model, for a product's stories.
pub fn render(name: &str, prd: &PrdArtifact, data: &DataArtifact, api: &ApiArtifact) -> Contract {
    let mut model = serde_json::Map::new();
    for e in &data.entities {
        let fields: Vec<_> = e
            .fields
            .iter()
            .map(|f| {
                json!({"name": f.name, "type": f.field_type, "required": f.required, "unique": f.unique,
                       "references": f.references})
            })
            .collect();
        let create = create_route(api, e).map(|ep| json!({"path": ep.path, "fields": ep.request_fields}));
        model.insert(e.name.clone(), json!({"key": key(e), "fields": fields, "create": create}));
    }
    let model = serde_json::to_string_pretty(&model).unwrap_or_default();
    let mut t = Tests {
        out: format!(
            "// Contract tests of {}'s API, rendered by Parit from its blueprint (artifacts/api.json,\n\
             // data.json and prd.json): one block per endpoint (EP-n) and per user story (US-n).\n\
             // `npm test` runs them against this Worker under `wrangler dev` with a fresh local D1.\n\
             // A skipped test is a listed gap (no HTTP test can show it); a todo test is a route the\n\
             // starter does not serve yet. Render them again rather than edit; add tests in other files.\n\
             import {{ after, before, describe, test }} from 'node:test';\n\
             import assert from 'node:assert/strict';\n\
             import {{ assertError, assertFields, assertHolds, startWorker, stored }} from './harness.mjs';\n\n\
             /** Each entity: its key, its fields, the create route records are made with. */\n\
             const MODEL = {model};\n\n\
             let api;\n\
             before(async () => {{\n  api = await startWorker(MODEL);\n}});\n\
             after(() => api?.stop());\n",
            name.replace(['\n', '\r'], " ")
        ),
        rows: Vec::new(),
    };
    let made = Makeable::new(data, api);
    for ep in &api.endpoints {
        let Some(e) = data.entities.iter().find(|e| e.name == ep.entity) else { continue };
        t.out.push_str(&format!("\ndescribe({}, () => {{\n", js(format!("{} {} {}", ep.id, ep.method, ep.path))));
        endpoint(&mut t, ep, e, &made);
        t.out.push_str("});\n");
    }
    let planned = plan(prd, data, api);
    for story in &prd.user_stories {
        t.out.push_str(&format!("\ndescribe({}, () => {{\n", js(format!("{} {}", story.id, story.title))));
        for p in planned.iter().filter(|p| p.story.id == story.id) {
            criterion(&mut t, p, api);
        }
        t.out.push_str("});\n");
    }
    let rows = t.rows;
    let files =
        vec![("test/harness.mjs".to_string(), HARNESS.to_string()), ("test/contract.test.mjs".to_string(), t.out)];
    Contract { files, rows }
}

/// The expression of a path without parameters (any are `x`).
pub(super) fn bare(ep: &Endpoint) -> String {
    format!("api.path({})", js(&ep.path))
}

/// The expression of a record's path (`made` a variable), or a missing one's.
pub(super) fn at(ep: &Endpoint, e: &Entity, made: Option<&str>) -> String {
    format!("api.path({}, {}, {})", js(&ep.path), js(&e.name), made.unwrap_or("null"))
}

#[cfg(all(test, feature = "examples"))]
mod tests {
    use super::*;
    use crate::fixtures::examples;

    #[test]
    fn the_same_blueprint_renders_the_same_bytes() {
        for p in examples::all() {
            let (prd, data, api) = (p.prd(), p.data(), p.api());
            let a = render(&p.name, &prd, &data, &api);
            let b = render(&p.name, &prd.clone(), &data.clone(), &api.clone());
            assert_eq!(a, b, "{}", p.key);
            assert_eq!(coverage_csv(&a.rows), coverage_csv(&b.rows));
        }
    }

    #[test]
    fn every_endpoint_and_every_criterion_has_a_test_or_a_gap() {
        for p in examples::all() {
            let (prd, data, api) = (p.prd(), p.data(), p.api());
            let c = render(&p.name, &prd, &data, &api);
            let tests = &c.files[1].1;
            for ep in &api.endpoints {
                assert!(tests.contains(&format!("describe(\"{} {} {}\"", ep.id, ep.method, ep.path)), "{}", ep.id);
                assert!(c.rows.iter().any(|r| r.id == ep.id && r.item == "success" && r.test.is_some()), "{}", ep.id);
                for code in &ep.errors {
                    let item = code.to_string();
                    let covered = c.rows.iter().any(|r| r.id == ep.id && (r.item == item || r.item == "auth"));
                    assert!(covered, "{} {code}", ep.id);
                }
            }
            for s in &prd.user_stories {
                let n = c.rows.iter().filter(|r| r.id == s.id).count();
                assert_eq!(n, s.acceptance_criteria.len(), "{}", s.id);
            }
            // The examples' criteria all follow from their API.
            assert!(c.rows.iter().filter(|r| !r.priority.is_empty()).all(|r| r.test.is_some()), "{}", p.key);
            let csv = coverage_csv(&c.rows);
            assert_eq!(csv.split("\r\n").filter(|l| !l.is_empty()).count(), 1 + c.rows.len());
            assert!(
                coverage_markdown(&c.rows).contains("| US-1 | must | 1 | A new "),
                "{}",
                coverage_markdown(&c.rows)
            );
        }
    }

    #[test]
    fn a_list_s_query_parameters_are_tested_paging_filtering_sorting_and_refusing_a_bad_value() {
        let p = examples::clinic();
        let (prd, data, api) = (p.prd(), p.data(), p.api());
        let c = render(&p.name, &prd, &data, &api);
        let list = api.endpoints.iter().find(|e| e.path == "/api/appointments" && e.method.as_str() == "GET").unwrap();
        let names: Vec<&str> =
            c.rows.iter().filter(|r| r.id == list.id && r.test.is_some()).map(|r| r.text.as_str()).collect();
        for expected in [
            "limit=1 answers one record, page=2 the next",
            "status keeps the records with that value",
            "sort=created_at orders the list",
            "sort=-created_at orders the list",
            "400 when the query parameter \"limit\" is not a whole number",
        ] {
            assert!(names.contains(&expected), "{expected} in {names:?}");
        }
        let tests = &c.files[1].1;
        // The filter makes its record with a value the enum takes.
        assert!(tests.contains("await api.make(\"Appointment\", {\"status\":\"requested\"})"), "{tests}");
        assert!(tests.contains("new URLSearchParams({\"limit\":\"1.5\"})), 400);"), "{tests}");
        // Without a parameter that can be wrong, a declared 400 is a gap.
        let (mut bare, id) = (api.clone(), list.id.clone());
        let list = bare.endpoints.iter_mut().find(|e| e.id == id).unwrap();
        list.query_params.retain(|q| q.param_type == crate::artifact::ParamType::String);
        let c = render(&p.name, &prd, &data, &bare);
        let gap = c.rows.iter().find(|r| r.id == id && r.item == "400").unwrap();
        assert_eq!(
            (gap.test.as_deref(), gap.note.as_str()),
            (None, "no query parameter has a value that can be wrong")
        );
    }

    #[test]
    fn a_criterion_no_call_can_show_is_a_skipped_test_and_a_listed_gap() {
        let p = examples::pantry();
        let mut prd = p.prd();
        prd.user_stories[0].acceptance_criteria.push("The page feels calm".into());
        let c = render(&p.name, &prd, &p.data(), &p.api());
        let gap = c.rows.iter().find(|r| r.test.is_none() && r.id == prd.user_stories[0].id).expect("a gap");
        assert_eq!(gap.item, "3");
        assert!(c.files[1].1.contains("AC-3: The page feels calm\", { skip: \"gap: its words name no behaviour"));
        let csv = coverage_csv(&c.rows);
        assert!(
            csv.contains(&format!("\"story\",\"{}\",\"must\",\"3\",\"The page feels calm\",\"\",\"its words", gap.id)),
            "{csv}"
        );
    }
}
