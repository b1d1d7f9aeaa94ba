//! A story's tests: one per acceptance criterion `check::contract::plan`
//! places at HTTP level, and a listed gap for each it cannot.

use super::{at, bare, js, lines, Tests};
use crate::artifact::ApiArtifact;
use crate::check::contract::{behaviour, changeable, describe, Behaviour, Operation, Planned};

/// The test of one acceptance criterion, or its gap.
pub(super) fn criterion(t: &mut Tests, p: &Planned<'_>, api: &ApiArtifact) {
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
