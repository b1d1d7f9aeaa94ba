//! A list's query parameters tested: paging, a filter, an order, and a
//! value its type refuses.

use super::{bare, js, lines, Tests};
use crate::artifact::{ApiArtifact, Endpoint, Entity, FieldType, ParamType, QueryParam};
use crate::check::contract::create_route;
use serde_json::json;

/// A value of one of a list's query parameters that its type refuses, and
/// why: a whole number, a number or a boolean given as a word, or a value
/// outside an enum.
pub(super) fn bad_query(ep: &Endpoint) -> Option<(&QueryParam, String, &'static str)> {
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
pub(super) fn query_tests(t: &mut Tests, ep: &Endpoint, e: &Entity, api: &ApiArtifact) {
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
