//! The API's drift: endpoints matched by method and path (parameter names
//! left out), their entity, request and response fields, and their query
//! parameters.

use super::{value, Difference, DriftKind, DriftSource, Stories};
use crate::artifact::{ApiArtifact, Endpoint, HttpMethod, QueryParam};
use crate::check::changes::Change;
use serde_json::Value;

/// A path with its parameters' names left out: `/a/{id}` and `/a/{x}` are one path.
fn path_shape(path: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => {
                inside = true;
                out.push('{');
            }
            '}' => {
                inside = false;
                out.push('}');
            }
            _ if inside => {}
            _ => out.push(c),
        }
    }
    if out.len() > 1 && out.ends_with('/') {
        out.pop();
    }
    out
}

fn sorted(list: &[String]) -> Vec<&str> {
    let mut v: Vec<&str> = list.iter().map(String::as_str).collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn endpoint_changes(b: &Endpoint, r: &Endpoint) -> Vec<String> {
    let mut parts = Vec::new();
    if b.entity != r.entity {
        parts.push(format!("entity {} in the blueprint, {} in the repository", b.entity, r.entity));
    }
    let list = |v: Vec<&str>| if v.is_empty() { "none".to_string() } else { v.join(", ") };
    // The rendered document has a request body only on POST, PUT and PATCH,
    // and no response body on DELETE (204).
    if matches!(b.method, HttpMethod::Post | HttpMethod::Put | HttpMethod::Patch)
        && sorted(&b.request_fields) != sorted(&r.request_fields)
    {
        parts.push(format!(
            "request fields ({}) in the blueprint, ({}) in the repository",
            list(sorted(&b.request_fields)),
            list(sorted(&r.request_fields))
        ));
    }
    if b.method != HttpMethod::Delete && sorted(&b.response_fields) != sorted(&r.response_fields) {
        parts.push(format!(
            "response fields ({}) in the blueprint, ({}) in the repository",
            list(sorted(&b.response_fields)),
            list(sorted(&r.response_fields))
        ));
    }
    parts
}

fn parameter_changes(b: &QueryParam, r: &QueryParam) -> Vec<String> {
    let mut parts = Vec::new();
    if b.param_type != r.param_type {
        parts.push(format!("type {} in the blueprint, {} in the repository", b.param_type, r.param_type));
    }
    if b.required != r.required {
        let says = |r: bool| if r { "required" } else { "optional" };
        parts.push(format!("{} in the blueprint, {} in the repository", says(b.required), says(r.required)));
    }
    if b.param_type == crate::artifact::ParamType::Enum && sorted(&b.values) != sorted(&r.values) {
        parts.push(format!(
            "values ({}) in the blueprint, ({}) in the repository",
            b.values.join(", "),
            r.values.join(", ")
        ));
    }
    parts
}

pub(super) fn api_drift(bp: &ApiArtifact, repo: &ApiArtifact, stories: &Stories) -> Vec<Difference> {
    let key = |e: &Endpoint| (e.method, path_shape(&e.path));
    let mut out = Vec::new();
    let diff = |kind, change, id: String, detail: String, blueprint, repository, stories| Difference {
        kind,
        change,
        id,
        detail,
        blueprint,
        repository,
        stories,
        source: DriftSource::Openapi,
    };
    for b in &bp.endpoints {
        let touched = stories.of_endpoint(&b.id);
        let Some(r) = repo.endpoints.iter().find(|r| key(r) == key(b)) else {
            let detail = format!("{} ({} {}): in the blueprint, not in the repository", b.id, b.method, b.path);
            out.push(diff(DriftKind::Endpoint, Change::Removed, b.id.clone(), detail, value(b), Value::Null, touched));
            continue;
        };
        let parts = endpoint_changes(b, r);
        if !parts.is_empty() {
            let detail = format!("{} ({} {}): {}", b.id, b.method, b.path, parts.join("; "));
            out.push(diff(
                DriftKind::Endpoint,
                Change::Changed,
                b.id.clone(),
                detail,
                value(b),
                value(r),
                touched.clone(),
            ));
        }
        for q in &b.query_params {
            let id = format!("{}.{}", b.id, q.name);
            match r.query_params.iter().find(|x| x.name == q.name) {
                None => {
                    let detail = format!("{id}: a query parameter in the blueprint, not in the repository");
                    out.push(diff(
                        DriftKind::Parameter,
                        Change::Removed,
                        id,
                        detail,
                        value(q),
                        Value::Null,
                        touched.clone(),
                    ));
                }
                Some(rq) => {
                    let parts = parameter_changes(q, rq);
                    if !parts.is_empty() {
                        let detail = format!("{id}: {}", parts.join("; "));
                        out.push(diff(
                            DriftKind::Parameter,
                            Change::Changed,
                            id,
                            detail,
                            value(q),
                            value(rq),
                            touched.clone(),
                        ));
                    }
                }
            }
        }
        for rq in r.query_params.iter().filter(|x| !b.query_params.iter().any(|q| q.name == x.name)) {
            let id = format!("{}.{}", b.id, rq.name);
            let detail = format!("{id}: a query parameter in the repository, not in the blueprint");
            out.push(diff(DriftKind::Parameter, Change::Added, id, detail, Value::Null, value(rq), touched.clone()));
        }
    }
    for r in repo.endpoints.iter().filter(|r| !bp.endpoints.iter().any(|b| key(b) == key(r))) {
        let id = format!("{} {}", r.method, r.path);
        let detail = format!("{id}: in the repository, not in the blueprint");
        let touched = stories.of_entities(&[&r.entity]);
        out.push(diff(DriftKind::Endpoint, Change::Added, id, detail, Value::Null, value(r), touched));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::super::*;
    use super::*;
    use crate::artifact::{ParamType, QueryParam};
    use crate::fixtures::examples;

    #[test]
    fn endpoints_match_by_method_and_path_and_their_parameters_are_compared() {
        let p = examples::pantry();
        let bp = p.api();
        let mut repo = bp.clone();
        // Ids and summaries are the blueprint's own; parameter names are not HTTP.
        for (i, e) in repo.endpoints.iter_mut().enumerate() {
            e.id = format!("EP-{}", 100 + i);
            e.summary = "imported".into();
            e.path = e.path.replace("{id}", "{thing}");
        }
        assert!(against(None, SqlDialect::Sqlite, Some(repo.clone())).in_step);
        let list = bp.endpoints.iter().position(|e| e.method == HttpMethod::Get && !e.path.contains('{')).unwrap();
        let post = bp.endpoints.iter().position(|e| e.method == HttpMethod::Post).unwrap();
        let gone = (0..bp.endpoints.len()).find(|i| ![list, post].contains(i)).unwrap();
        repo.endpoints[list].query_params.push(QueryParam {
            name: "q".into(),
            param_type: ParamType::String,
            values: vec![],
            required: false,
            description: String::new(),
        });
        repo.endpoints[post].request_fields.pop();
        let mut extra = repo.endpoints.remove(gone);
        extra.method = HttpMethod::Put;
        extra.path = "/api/extra".into();
        repo.endpoints.push(extra.clone());
        let r = against(None, SqlDialect::Sqlite, Some(repo));
        let got: Vec<(DriftKind, Change, String)> =
            r.differences.iter().map(|d| (d.kind, d.change, d.id.clone())).collect();
        let id = |i: usize| bp.endpoints[i].id.clone();
        let mut expected = vec![
            (DriftKind::Endpoint, Change::Removed, id(gone)),
            (DriftKind::Endpoint, Change::Changed, id(post)),
            (DriftKind::Endpoint, Change::Added, "PUT /api/extra".to_string()),
            (DriftKind::Parameter, Change::Added, format!("{}.q", id(list))),
        ];
        expected.sort_by(|a, b| (a.0, &a.2, a.1).cmp(&(b.0, &b.2, b.1)));
        assert_eq!(got, expected);
        let removed = r.differences.iter().find(|d| d.change == Change::Removed).unwrap();
        assert_eq!(removed.stories, bp.endpoints[gone].user_stories);
        assert_eq!(removed.source, DriftSource::Openapi);
        let changed = r.differences.iter().find(|d| d.change == Change::Changed).unwrap();
        assert!(changed.detail.contains("request fields ("), "{}", changed.detail);
        let added = r.differences.iter().find(|d| d.change == Change::Added && d.kind == DriftKind::Endpoint).unwrap();
        let stories = Stories { matrix: check(&[p.artifact(Stage::Prd), p.artifact(Stage::Api)]).matrix };
        assert_eq!(added.stories, stories.of_entities(&[&extra.entity]));
        assert!(!added.stories.is_empty());
    }
}
