//! An endpoint's 409: a taken unique value, a dangling reference, or a
//! record another one refers to.

use super::{at, bare, js, lines, Tests};
use crate::artifact::{Endpoint, Entity};
use crate::check::contract::{create_route, key, Makeable, Operation};

/// The 409 test of an endpoint, or the gap.
pub(super) fn conflict(t: &mut Tests, ep: &Endpoint, e: &Entity, op: Operation, made: &Makeable<'_>, makes: bool) {
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
