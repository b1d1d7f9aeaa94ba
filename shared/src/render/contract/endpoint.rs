//! An endpoint's tests: its success status and response fields, each
//! declared error a request can provoke, and its auth rule.

use super::conflict::conflict;
use super::query::{bad_query, query_tests};
use super::{at, bare, js, lines, Tests};
use crate::artifact::{Endpoint, Entity};
use crate::check::contract::{changeable, generated_key, key, Makeable, Operation};
use serde_json::json;

/// The tests of one endpoint.
pub(super) fn endpoint(t: &mut Tests, ep: &Endpoint, e: &Entity, made: &Makeable<'_>) {
    let api = made.api();
    let op = crate::check::contract::operation(ep, e);
    let (id, m, ent) = (ep.id.as_str(), js(ep.method.as_str()), js(&e.name));
    let fields = js(&ep.response_fields);
    let request = js(&ep.request_fields);
    let makes = made.of(e);
    let cannot = format!("no {} record can be made through the API (no create route with its required fields, or a required reference to one that cannot be made)", e.name);
    let row = |check: &'static str| (id, "", check);
    if op == Operation::Nested {
        return nested(t, ep, e, makes);
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
        Operation::Replace | Operation::Change if makes => change_body(ep, e, op).map(|b| {
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
    declared_errors(t, ep, e, op, made, makes);
    auth(t, ep, e, op);
}

/// A nested route's tests: a success the starter answers 501 for until the
/// route is written (a `todo`), and a gap for each declared error.
fn nested(t: &mut Tests, ep: &Endpoint, e: &Entity, makes: bool) {
    let (id, m, ent) = (ep.id.as_str(), js(ep.method.as_str()), js(&e.name));
    let request = js(&ep.request_fields);
    let row = |check: &'static str| (id, "", check);
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
}

/// The body a change sends, as `const sent = …;`: the whole record for a
/// replace, one field it can set for a change; none when it names no such field.
fn change_body(ep: &Endpoint, e: &Entity, op: Operation) -> Option<String> {
    let ent = js(&e.name);
    match op {
        Operation::Replace => Some(format!("const sent = await api.body({ent}, {});", js(&ep.request_fields))),
        _ => changeable(ep, e).map(|f| {
            format!(
                "const sent = {{ [{}]: (await api.body({ent}, [{}]))[{}] }};",
                js(&f.name),
                js(&f.name),
                js(&f.name)
            )
        }),
    }
}

/// The test of each error the endpoint declares that a request can provoke,
/// or its gap.
fn declared_errors(t: &mut Tests, ep: &Endpoint, e: &Entity, op: Operation, made: &Makeable<'_>, makes: bool) {
    let (id, m, ent) = (ep.id.as_str(), js(ep.method.as_str()), js(&e.name));
    let request = js(&ep.request_fields);
    let row = |check: &'static str| (id, "", check);
    let field = |n: &str| e.fields.iter().find(|f| f.name == n);
    let req_field = ep.request_fields.iter().find_map(|n| field(n).filter(|f| f.required)).map(|f| &f.name);
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
            (404, Operation::Replace | Operation::Change) => match change_body(ep, e, op) {
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
}

/// The auth rule: 401 without or with a wrong token where one is required,
/// else that none is needed.
fn auth(t: &mut Tests, ep: &Endpoint, e: &Entity, op: Operation) {
    let (id, m) = (ep.id.as_str(), js(ep.method.as_str()));
    let row = |check: &'static str| (id, "", check);
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

/// Whether a create route's body names every required field the server does
/// not make.
fn create_covers(ep: &Endpoint, e: &Entity) -> bool {
    let made = |n: &str| Some(n) == generated_key(e) || n == "created_at";
    e.fields.iter().all(|f| !f.required || made(&f.name) || ep.request_fields.contains(&f.name))
}
