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

use crate::artifact::{ApiArtifact, DataArtifact, Endpoint, Entity, FieldType, ParamType, PrdArtifact, QueryParam};
use crate::check::contract::{
    behaviour, changeable, create_route, describe, generated_key, key, plan, Behaviour, Makeable, Operation, Planned,
};
use serde_json::json;

/// The harness the tests import.
const HARNESS: &str = include_str!("harness.mjs");

/// A value as a JavaScript literal (JSON is one).
fn js(v: impl serde::Serialize) -> String {
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
struct Tests {
    out: String,
    rows: Vec<Row>,
}

impl Tests {
    /// A test; `todo` marks a route the starter answers 501 for.
    fn test(&mut self, row: (&str, &str, &str), name: &str, todo: Option<&str>, body: &str) {
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
    fn gap(&mut self, row: (&str, &str, &str), text: &str, why: &str) {
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
fn lines(parts: &[String]) -> String {
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
fn bare(ep: &Endpoint) -> String {
    format!("api.path({})", js(&ep.path))
}

/// The expression of a record's path (`made` a variable), or a missing one's.
fn at(ep: &Endpoint, e: &Entity, made: Option<&str>) -> String {
    format!("api.path({}, {}, {})", js(&ep.path), js(&e.name), made.unwrap_or("null"))
}

/// The tests of one endpoint.
fn endpoint(t: &mut Tests, ep: &Endpoint, e: &Entity, made: &Makeable<'_>) {
    let api = made.api();
    let op = crate::check::contract::operation(ep, e);
    let (id, m, ent) = (ep.id.as_str(), js(ep.method.as_str()), js(&e.name));
    let fields = js(&ep.response_fields);
    let request = js(&ep.request_fields);
    let makes = made.of(e);
    let cannot = format!("no {} record can be made through the API (no create route with its required fields, or a required reference to one that cannot be made)", e.name);
    let row = |check: &'static str| (id, "", check);
    let field = |n: &str| e.fields.iter().find(|f| f.name == n);
    let req_field = ep.request_fields.iter().find_map(|n| field(n).filter(|f| f.required)).map(|f| &f.name);
    if op == Operation::Nested {
        let body = if ep.request_fields.is_empty() || !makes {
            String::new()
        } else {
            format!(", {{ body: await api.body({ent}, {request}) }}")
        };
        let path = bare(ep);
        t.test(
            row("success"),
            "answers a success status",
            Some("a nested route: the starter answers 501 until it is written"),
            &lines(&[
                format!("const answer = await api.call({m}, {path}{body});"),
                "assert.ok(answer.status >= 200 && answer.status < 300, `${answer.status} ${JSON.stringify(answer.body)}`);".into(),
            ]),
        );
        for code in &ep.errors {
            t.gap(row("error"), &format!("{code}"), "a nested route: what provokes it is for its code to say");
        }
        return;
    }
    // Success.
    let success = match op {
        Operation::List => "200 with a list of records, each with its response fields",
        Operation::Create => "201 with the new record's key and response fields",
        Operation::Read => "200 with the record as it was sent",
        Operation::Replace | Operation::Change => "200 with the record as changed",
        Operation::Delete => "204, and the record is gone",
        Operation::Nested => "",
    };
    let reads =
        api.endpoints.iter().find(|x| x.entity == e.name && crate::check::contract::operation(x, e) == Operation::Read);
    let gone = |made: &str| match reads {
        Some(r) => format!("assertError(await api.call('GET', {}), 404);", at(r, e, Some(made))),
        None => format!("assertError(await api.call('DELETE', {}), 404);", at(ep, e, Some(made))),
    };
    let change_body = |target: &str| -> Option<String> {
        match op {
            Operation::Replace => Some(format!("const sent = await api.body({ent}, {request});{target}")),
            _ => changeable(ep, e).map(|f| {
                format!(
                    "const sent = {{ [{}]: (await api.body({ent}, [{}]))[{}] }};{target}",
                    js(&f.name),
                    js(&f.name),
                    js(&f.name)
                )
            }),
        }
    };
    let body = match op {
        Operation::List if makes => Some(vec![
            format!("const {{ record }} = await api.make({ent});"),
            format!("const answer = await api.call('GET', api.path({}));", js(&ep.path)),
            "assert.equal(answer.status, 200, JSON.stringify(answer.body));".into(),
            "assert.ok(Array.isArray(answer.body), 'a list');".into(),
            format!("const row = answer.body.find((r) => api.same({ent}, r, record));"),
            "assert.ok(row, 'the new record is listed');".into(),
            format!("assertFields(row, {fields});"),
        ]),
        Operation::List => Some(vec![
            format!("const answer = await api.call('GET', api.path({}));", js(&ep.path)),
            "assert.equal(answer.status, 200, JSON.stringify(answer.body));".into(),
            "assert.ok(Array.isArray(answer.body), 'a list');".into(),
        ]),
        Operation::Create if makes && create_covers(ep, e) => Some(vec![
            format!("const sent = await api.body({ent}, {request});"),
            format!("const answer = await api.call('POST', api.path({}), {{ body: sent }});", js(&ep.path)),
            "assert.equal(answer.status, 201, JSON.stringify(answer.body));".into(),
            format!("assertFields(answer.body, {fields});"),
            format!("for (const k of {}) assert.ok(answer.body[k] != null, `key ${{k}}`);", js(key(e))),
        ]),
        Operation::Read if makes => Some(vec![
            format!("const {{ record, sent }} = await api.make({ent});"),
            format!("const answer = await api.call('GET', {});", at(ep, e, Some("record"))),
            "assert.equal(answer.status, 200, JSON.stringify(answer.body));".into(),
            format!("assertFields(answer.body, {fields});"),
            "assertHolds(answer.body, sent);".into(),
        ]),
        Operation::Replace | Operation::Change if makes => change_body("").map(|b| {
            vec![
                format!("const {{ record }} = await api.make({ent});"),
                b,
                format!("const answer = await api.call({m}, {}, {{ body: sent }});", at(ep, e, Some("record"))),
                "assert.equal(answer.status, 200, JSON.stringify(answer.body));".into(),
                format!("assertFields(answer.body, {fields});"),
                "assertHolds(answer.body, sent);".into(),
            ]
        }),
        Operation::Delete if makes => Some(vec![
            format!("const {{ record }} = await api.make({ent});"),
            format!("const answer = await api.call('DELETE', {});", at(ep, e, Some("record"))),
            "assert.equal(answer.status, 204, JSON.stringify(answer.body));".into(),
            gone("record"),
        ]),
        _ => None,
    };
    match body {
        Some(b) => t.test(row("success"), success, None, &lines(&b)),
        None if !makes => t.gap(row("success"), success, &cannot),
        None => t.gap(row("success"), success, "the route names no field a change can set"),
    }
    if op == Operation::List && makes {
        query_tests(t, ep, e, api);
    }
    // Declared errors.
    for code in &ep.errors {
        let what = |s: &str| format!("{code} {s}");
        match (code, op) {
            (400, Operation::Create | Operation::Replace | Operation::Change) => {
                let path = if op == Operation::Create { bare(ep) } else { at(ep, e, Some("record")) };
                let mut b = Vec::new();
                if op != Operation::Create && makes {
                    b.push(format!("const {{ record }} = await api.make({ent});"));
                } else if op != Operation::Create {
                    b.push("const record = null;".into());
                }
                b.push(format!("assertError(await api.call({m}, {path}, {{ raw: '[1]' }}), 400);"));
                t.test(row("400"), &what("when the body is not a JSON object"), None, &lines(&b));
                if let (Operation::Create, Some(f), true) = (op, req_field, makes) {
                    t.test(
                        row("400"),
                        &what(&format!("without the required field {}", js(f))),
                        None,
                        &lines(&[
                            format!("const sent = await api.body({ent}, {request});"),
                            format!("delete sent[{}];", js(f)),
                            format!("assertError(await api.call('POST', {}, {{ body: sent }}), 400);", bare(ep)),
                        ]),
                    );
                }
            }
            (400, Operation::List) => match bad_query(ep) {
                Some((q, value, why)) => t.test(
                    row("400"),
                    &what(&format!("when the query parameter {} {why}", js(&q.name))),
                    None,
                    &lines(&[format!(
                        "assertError(await api.call('GET', {} + '?' + new URLSearchParams({})), 400);",
                        bare(ep),
                        js(json!({ q.name.as_str(): value }))
                    )]),
                ),
                None => t.gap(row("400"), &what("declared"), "no query parameter has a value that can be wrong"),
            },
            (404, Operation::Read | Operation::Delete) => t.test(
                row("404"),
                &what("for a record that does not exist"),
                None,
                &lines(&[format!("assertError(await api.call({m}, {}), 404);", at(ep, e, None))]),
            ),
            (404, Operation::Replace | Operation::Change) => match change_body("") {
                Some(b) if makes => t.test(
                    row("404"),
                    &what("for a record that does not exist"),
                    None,
                    &lines(&[
                        b,
                        format!("assertError(await api.call({m}, {}, {{ body: sent }}), 404);", at(ep, e, None)),
                    ]),
                ),
                _ => t.gap(
                    row("404"),
                    &what("for a record that does not exist"),
                    "no body this route accepts can be made",
                ),
            },
            (409, _) => conflict(t, ep, e, op, made, makes),
            (401, _) if ep.auth_required => {}
            (401, _) => t.gap(row("401"), &what("declared"), "the endpoint needs no token, so nothing provokes a 401"),
            _ => t.gap(row("error"), &what("declared"), "no request the blueprint describes provokes it"),
        }
    }
    // The auth rule.
    let path = match op {
        Operation::List | Operation::Create => bare(ep),
        _ => at(ep, e, None),
    };
    if ep.auth_required {
        t.test(
            row("auth"),
            "401 without the bearer token",
            None,
            &lines(&[format!("assertError(await api.call({m}, {path}, {{ token: null }}), 401);")]),
        );
        t.test(
            row("auth"),
            "401 with a wrong bearer token",
            None,
            &lines(&[format!("assertError(await api.call({m}, {path}, {{ token: 'wrong' }}), 401);")]),
        );
    } else {
        t.test(
            row("auth"),
            "needs no token",
            None,
            &lines(&[
                format!("const answer = await api.call({m}, {path}, {{ token: null, raw: '{{}}' }});"),
                "assert.notEqual(answer.status, 401, JSON.stringify(answer.body));".into(),
            ]),
        );
    }
}

/// A value of one of a list's query parameters that its type refuses, and
/// why: a whole number, a number or a boolean given as a word, or a value
/// outside an enum.
fn bad_query(ep: &Endpoint) -> Option<(&QueryParam, String, &'static str)> {
    ep.query_params.iter().find_map(|q| match q.param_type {
        ParamType::Integer => Some((q, "1.5".to_string(), "is not a whole number")),
        ParamType::Number => Some((q, "many".to_string(), "is not a number")),
        ParamType::Boolean => Some((q, "maybe".to_string(), "is not true or false")),
        ParamType::Enum if !q.values.is_empty() => {
            let mut value = String::from("not-one-of-them");
            while q.values.contains(&value) {
                value.push('!');
            }
            Some((q, value, "is not one of its values"))
        }
        _ => None,
    })
}

/// The tests of a list's query parameters, for those the starter gives a
/// meaning: `limit` (and `page`) page through it, a filter named after a
/// field keeps the records with that value, `sort` orders it.
fn query_tests(t: &mut Tests, ep: &Endpoint, e: &Entity, api: &ApiArtifact) {
    let (id, ent) = (ep.id.as_str(), js(&e.name));
    let declared = |name: &str, types: &[ParamType]| {
        ep.query_params.iter().find(|q| q.name == name && types.contains(&q.param_type))
    };
    let get = |params: String| format!("(await api.call('GET', {} + '?' + new URLSearchParams({params})))", bare(ep));
    let list = |answer: &str| {
        vec![
            format!("assert.equal({answer}.status, 200, JSON.stringify({answer}.body));"),
            format!("assert.ok(Array.isArray({answer}.body), 'a list');"),
        ]
    };
    if declared("limit", &[ParamType::Integer, ParamType::Number]).is_some() {
        let mut b = vec![format!("await api.make({ent});"), format!("await api.make({ent});")];
        b.push(format!("const first = {};", get("{ limit: '1' }".into())));
        b.extend(list("first"));
        b.push("assert.equal(first.body.length, 1, 'one record');".into());
        let mut name = "limit=1 answers one record".to_string();
        if declared("page", &[ParamType::Integer, ParamType::Number]).is_some() {
            b.push(format!("const second = {};", get("{ limit: '1', page: '2' }".into())));
            b.extend(list("second"));
            b.push("assert.equal(second.body.length, 1, 'one record');".into());
            b.push(format!("assert.ok(!api.same({ent}, first.body[0], second.body[0]), 'page 2 is another record');"));
            name.push_str(", page=2 the next");
        }
        t.test((id, "", "query"), &name, None, &lines(&b));
    }
    // A filter: a field the create route sets to a value the parameter takes.
    let create = create_route(api, e);
    let filter = ep.query_params.iter().find_map(|q| {
        let f = e.fields.iter().find(|f| f.name == q.name && !["limit", "page", "sort"].contains(&q.name.as_str()))?;
        let sent = create?.request_fields.contains(&f.name) && (f.required || f.references.is_none());
        let fits = match (q.param_type, f.field_type) {
            (ParamType::Enum, _) => !q.values.is_empty(),
            (ParamType::Integer, FieldType::Integer) => true,
            (ParamType::Number, FieldType::Integer | FieldType::Decimal) => true,
            (ParamType::Boolean, FieldType::Boolean) => true,
            (ParamType::String, t) => matches!(t, FieldType::String | FieldType::Text | FieldType::Id),
            _ => false,
        };
        (sent && fits).then_some((q, f))
    });
    if let Some((q, f)) = filter {
        let values = match q.values.first() {
            Some(v) if q.param_type == ParamType::Enum => js(json!({ f.name.as_str(): v })),
            _ => "{}".into(),
        };
        let name = js(&f.name);
        let mut b = vec![format!("const {{ record }} = await api.make({ent}, {values});")];
        b.push(format!("const answer = {};", get(format!("{{ [{name}]: String(record[{name}]) }}"))));
        b.extend(list("answer"));
        b.push(format!("assert.ok(answer.body.some((r) => api.same({ent}, r, record)), 'the record is listed');"));
        b.push(format!(
            "for (const r of answer.body) assert.equal(stored(r[{name}]), stored(record[{name}]), 'only records with its value');"
        ));
        t.test((id, "", "query"), &format!("{} keeps the records with that value", q.name), None, &lines(&b));
    }
    if let Some(sort) = declared("sort", &[ParamType::Enum]) {
        for value in sort.values.iter().filter(|v| e.fields.iter().any(|f| f.name == v.trim_start_matches('-'))).take(2)
        {
            let field = js(value.trim_start_matches('-'));
            let (before, after) = if value.starts_with('-') { ("b", "a") } else { ("a", "b") };
            let mut b = vec![format!("await api.make({ent});"), format!("await api.make({ent});")];
            b.push(format!("const answer = {};", get(js(json!({"sort": value})))));
            b.extend(list("answer"));
            b.push(format!("const values = answer.body.map((r) => r[{field}]).filter((v) => v != null);"));
            b.push(format!(
                "for (let i = 1; i < values.length; i++) {{ const [a, b] = [values[i - 1], values[i]]; assert.ok(!({before} > {after}), `${{a}} then ${{b}}`); }}"
            ));
            t.test((id, "", "query"), &format!("sort={value} orders the list"), None, &lines(&b));
        }
    }
}

/// Whether a create route's body names every required field the server does
/// not make.
fn create_covers(ep: &Endpoint, e: &Entity) -> bool {
    let made = |n: &str| Some(n) == generated_key(e) || n == "created_at";
    e.fields.iter().all(|f| !f.required || made(&f.name) || ep.request_fields.contains(&f.name))
}

/// The 409 test of an endpoint, or the gap.
fn conflict(t: &mut Tests, ep: &Endpoint, e: &Entity, op: Operation, made: &Makeable<'_>, makes: bool) {
    let (data, api) = (made.data(), made.api());
    let (ent, m, request) = (js(&e.name), js(ep.method.as_str()), js(&ep.request_fields));
    let row = (ep.id.as_str(), "", "409");
    let fields: Vec<_> = ep.request_fields.iter().filter_map(|n| e.fields.iter().find(|f| &f.name == n)).collect();
    let unique = fields.iter().find(|f| f.unique && f.field_type != crate::artifact::FieldType::Id);
    let reference = fields.iter().find(|f| f.references.is_some());
    let composite = key(e).len() > 1 && key(e).iter().all(|k| ep.request_fields.iter().any(|f| f == k));
    if !makes {
        return t.gap(row, "409 declared", &format!("no {} record can be made through the API", e.name));
    }
    match op {
        Operation::Create if unique.is_some() || composite => {
            let what = unique.map_or_else(|| "its key".to_string(), |f| js(&f.name));
            t.test(
                row,
                &format!("409 for a second record with the same {what}"),
                None,
                &lines(&[
                    format!("const sent = await api.body({ent}, {request});"),
                    format!("const first = await api.call('POST', {}, {{ body: sent }});", bare(ep)),
                    "assert.equal(first.status, 201, JSON.stringify(first.body));".into(),
                    format!("assertError(await api.call('POST', {}, {{ body: sent }}), 409);", bare(ep)),
                ]),
            );
        }
        Operation::Replace | Operation::Change if unique.is_some() => {
            let u = js(unique.map(|f| f.name.as_str()).unwrap_or_default());
            let body = if op == Operation::Replace {
                format!("{{ ...(await api.body({ent}, {request})), [{u}]: a.sent[{u}] }}")
            } else {
                format!("{{ [{u}]: a.sent[{u}] }}")
            };
            t.test(
                row,
                &format!("409 when {u} is changed to another record's"),
                None,
                &lines(&[
                    format!("const a = await api.make({ent});"),
                    format!("const {{ record }} = await api.make({ent});"),
                    format!(
                        "assertError(await api.call({m}, {}, {{ body: {body} }}), 409);",
                        at(ep, e, Some("record"))
                    ),
                ]),
            );
        }
        Operation::Create | Operation::Replace | Operation::Change if reference.is_some() => {
            let r = js(reference.map(|f| f.name.as_str()).unwrap_or_default());
            let (pre, path) = match op {
                Operation::Create => (String::new(), bare(ep)),
                _ => (format!("const {{ record }} = await api.make({ent});"), at(ep, e, Some("record"))),
            };
            let body = if op == Operation::Change {
                format!("{{ [{r}]: 'no-such-record' }}")
            } else {
                format!("await api.body({ent}, {request}, {{ [{r}]: 'no-such-record' }})")
            };
            let mut b = vec![];
            if !pre.is_empty() {
                b.push(pre);
            }
            b.push(format!("assertError(await api.call({m}, {path}, {{ body: {body} }}), 409);"));
            t.test(row, &format!("409 when {r} names a record that does not exist"), None, &lines(&b));
        }
        Operation::Delete => {
            // A child that references this entity and can be made.
            let child = data.entities.iter().find_map(|c| {
                let route = create_route(api, c)?;
                let f = c
                    .fields
                    .iter()
                    .find(|f| f.references.as_ref() == Some(&e.name) && route.request_fields.contains(&f.name))?;
                made.of(c).then_some((c, f))
            });
            match child {
                Some((c, f)) => t.test(
                    row,
                    &format!("409 while a {} references the record", c.name),
                    None,
                    &lines(&[
                        format!("const {{ record }} = await api.make({ent});"),
                        format!(
                            "await api.make({}, {{ [{}]: record[{}] }});",
                            js(&c.name),
                            js(&f.name),
                            js(key(e).first().copied().unwrap_or_default())
                        ),
                        format!("assertError(await api.call('DELETE', {}), 409);", at(ep, e, Some("record"))),
                    ]),
                ),
                None => t.gap(row, "409 declared", "no entity that references it can be made through the API"),
            }
        }
        _ => {
            t.gap(row, "409 declared", "the route writes no unique value or reference, so nothing provokes a conflict")
        }
    }
}

/// The test of one acceptance criterion, or its gap.
fn criterion(t: &mut Tests, p: &Planned<'_>, api: &ApiArtifact) {
    let story = p.story;
    let item = (p.index + 1).to_string();
    let row = (story.id.as_str(), story.priority.as_str(), item.as_str());
    let text = &story.acceptance_criteria[p.index];
    criterion_test(t, p, row, text, api);
    // The matrix names the criterion itself beside its test or its gap.
    if let Some(last) = t.rows.last_mut() {
        last.text.clone_from(text);
    }
}

/// The test of one acceptance criterion, or its gap, as `criterion` lists it.
fn criterion_test(t: &mut Tests, p: &Planned<'_>, row: (&str, &str, &str), text: &str, api: &ApiArtifact) {
    let item = row.2;
    let proof = match (&p.proof, behaviour(text)) {
        (Some(proof), _) => proof,
        (None, None) => {
            return t.gap(row, &format!("AC-{item}: {text}"), "its words name no behaviour an HTTP call shows")
        }
        (None, Some(b)) => {
            let why = format!("its words ask that {}, which none of the story's endpoints can show", describe(b));
            return t.gap(row, &format!("AC-{item}: {text}"), &why);
        }
    };
    let (e, ep) = (proof.entity, proof.endpoint);
    let (ent, m, request) = (js(&e.name), js(ep.method.as_str()), js(&ep.request_fields));
    let name = format!("AC-{item}: {text} ({}: {} {})", describe(proof.behaviour), ep.method, ep.path);
    let body = match proof.behaviour {
        Behaviour::RefusesMissing => {
            let f = ep
                .request_fields
                .iter()
                .find(|n| e.fields.iter().any(|f| &f.name == *n && f.required))
                .map(String::as_str)
                .unwrap_or_default();
            vec![
                format!("const sent = await api.body({ent}, {request});"),
                format!("delete sent[{}];", js(f)),
                format!("assertError(await api.call('POST', {}, {{ body: sent }}), 400);", bare(ep)),
            ]
        }
        Behaviour::RefusesDuplicate => vec![
            format!("const sent = await api.body({ent}, {request});"),
            format!("assert.equal((await api.call('POST', {}, {{ body: sent }})).status, 201);", bare(ep)),
            format!("assertError(await api.call('POST', {}, {{ body: sent }}), 409);", bare(ep)),
        ],
        Behaviour::NeedsToken => {
            let path = match crate::check::contract::operation(ep, e) {
                Operation::List | Operation::Create => bare(ep),
                _ => at(ep, e, None),
            };
            vec![format!("assertError(await api.call({m}, {path}, {{ token: null }}), 401);")]
        }
        Behaviour::Removes => {
            let read = proof.also.or_else(|| {
                api.endpoints
                    .iter()
                    .find(|x| x.entity == e.name && crate::check::contract::operation(x, e) == Operation::Read)
            });
            let again = match read {
                Some(r) => format!("assertError(await api.call('GET', {}), 404);", at(r, e, Some("record"))),
                None => format!("assertError(await api.call('DELETE', {}), 404);", at(ep, e, Some("record"))),
            };
            vec![
                format!("const {{ record }} = await api.make({ent});"),
                format!("assert.equal((await api.call('DELETE', {})).status, 204);", at(ep, e, Some("record"))),
                again,
            ]
        }
        Behaviour::Changes => {
            let Some(read) = proof.also else { return t.gap(row, &name, "no read route") };
            let sent = match crate::check::contract::operation(ep, e) {
                Operation::Replace => format!("const sent = await api.body({ent}, {request});"),
                _ => {
                    let f = js(changeable(ep, e).map(|f| f.name.as_str()).unwrap_or_default());
                    format!("const sent = {{ [{f}]: (await api.body({ent}, [{f}]))[{f}] }};")
                }
            };
            vec![
                format!("const {{ record }} = await api.make({ent});"),
                sent,
                format!(
                    "assert.equal((await api.call({m}, {}, {{ body: sent }})).status, 200);",
                    at(ep, e, Some("record"))
                ),
                format!("const again = await api.call('GET', {});", at(read, e, Some("record"))),
                "assert.equal(again.status, 200, JSON.stringify(again.body));".into(),
                "assertHolds(again.body, sent);".into(),
            ]
        }
        Behaviour::Listed => {
            let Some(list) = proof.also else { return t.gap(row, &name, "no list route") };
            vec![
                format!("const sent = await api.body({ent}, {request});"),
                format!("const made = await api.call('POST', {}, {{ body: sent }});", bare(ep)),
                "assert.equal(made.status, 201, JSON.stringify(made.body));".into(),
                format!("const answer = await api.call('GET', api.path({}));", js(&list.path)),
                "assert.equal(answer.status, 200, JSON.stringify(answer.body));".into(),
                format!(
                    "assert.ok(answer.body.some((r) => api.same({ent}, r, made.body)), 'the new record is listed');"
                ),
            ]
        }
        Behaviour::Reads => vec![
            format!("const {{ record, sent }} = await api.make({ent});"),
            format!("const answer = await api.call('GET', {});", at(ep, e, Some("record"))),
            "assert.equal(answer.status, 200, JSON.stringify(answer.body));".into(),
            "assertHolds(answer.body, sent);".into(),
        ],
    };
    t.test(row, &name, None, &lines(&body));
}

/// The coverage matrix as Markdown: every acceptance criterion with its test
/// or its gap, then every endpoint check.
pub fn coverage_markdown(rows: &[Row]) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace(['\n', '\r'], " ");
    let mut out = String::from(
        "# Contract test coverage\n\nEach acceptance criterion of each story, and each check of each endpoint, with the test in \
         `deployment/test/contract.test.mjs` that shows it (`npm test` in `deployment/`), or why none can.\n\n\
         ## Stories\n\n| Story | Priority | # | Criterion | Test | Gap |\n|---|---|---|---|---|---|\n",
    );
    for r in rows.iter().filter(|r| !r.priority.is_empty()) {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            cell(&r.id),
            cell(&r.priority),
            cell(&r.item),
            cell(&r.text),
            cell(r.test.as_deref().unwrap_or("")),
            cell(&r.note)
        ));
    }
    out.push_str("\n## Endpoints\n\n| Endpoint | Check | Test | Gap or todo |\n|---|---|---|---|\n");
    for r in rows.iter().filter(|r| r.priority.is_empty()) {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            cell(&r.id),
            cell(&r.item),
            cell(r.test.as_deref().unwrap_or(&r.text)),
            cell(&r.note)
        ));
    }
    out
}

/// The coverage matrix as CSV (RFC 4180, every field quoted): each story's
/// criteria, then each endpoint's checks; the test's name, or the gap.
pub fn coverage_csv(rows: &[Row]) -> String {
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut out = String::from("\"kind\",\"id\",\"priority\",\"item\",\"criterion\",\"test\",\"gap\"\r\n");
    let stories = rows.iter().filter(|r| !r.priority.is_empty());
    for r in stories.chain(rows.iter().filter(|r| r.priority.is_empty())) {
        let (kind, criterion) = if r.priority.is_empty() { ("endpoint", "") } else { ("story", r.text.as_str()) };
        let test = r.test.as_deref().unwrap_or(if r.priority.is_empty() { &r.text } else { "" });
        out.push_str(&format!(
            "{},{},{},{},{},{},{}\r\n",
            q(kind),
            q(&r.id),
            q(&r.priority),
            q(&r.item),
            q(criterion),
            q(if r.test.is_some() { test } else { "" }),
            q(&r.note)
        ));
    }
    out
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
