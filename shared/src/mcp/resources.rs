//! The resources: each project's hand-off files (`AGENTS.md`, the Kiro and
//! Spec Kit specs, as `GET /api/projects/:id/handoff` lays them out), at
//! `parit://projects/{id}/handoff/{layout}/{path}`.

use super::rpc::{api_error, code, McpError, Outcome, Reads};
use crate::project::is_resource_id;
use serde_json::{json, Map, Value};

const PREFIX: &str = "parit://projects/";
/// The most projects one `resources/list` page lays out (one read each).
const PAGE: usize = 20;

/// The URI of hand-off file `path` of `layout` in project `id`.
pub(crate) fn uri(id: &str, layout: &str, path: &str) -> String {
    format!("{PREFIX}{id}/handoff/{layout}/{path}")
}

/// The project, layout and path a hand-off URI names.
fn parse(uri: &str) -> Option<(&str, &str, &str)> {
    let rest = uri.strip_prefix(PREFIX)?;
    let (id, rest) = rest.split_once("/handoff/")?;
    let (layout, path) = rest.split_once('/')?;
    (is_resource_id(id) && !layout.is_empty() && !path.is_empty()).then_some((id, layout, path))
}

/// A file's media type, by its extension.
pub(crate) fn mime_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).as_deref() {
        Some("md") => "text/markdown",
        Some("json") => "application/json",
        Some("yaml" | "yml") => "application/yaml",
        Some("toml") => "application/toml",
        Some("sql") => "application/sql",
        Some("ts" | "tsx") => "text/x-typescript",
        Some("js" | "mjs") => "text/javascript",
        Some("html") => "text/html",
        Some("css") => "text/css",
        _ => "text/plain",
    }
}

/// `resources/templates/list`.
pub(crate) fn templates() -> Value {
    json!({
        "resourceTemplates": [{
            "uriTemplate": "parit://projects/{project}/handoff/{layout}/{+path}",
            "name": "handoff-file",
            "title": "A hand-off file of a project",
            "description": "One file of a project's hand-off layout: layout agents-md (AGENTS.md), kiro \
                            (.kiro/specs/…) or spec-kit (specs/…, .specify/…); path as resources/list shows it.",
        }],
        "ttlMs": 3_600_000,
        "cacheScope": "public",
    })
}

/// `resources/list`: the hand-off files of the caller's projects, a page of
/// projects at a time (`cursor` is the projects list's own).
pub(crate) fn list(params: &Map<String, Value>, reads: &mut Reads<'_>) -> Result<Outcome, McpError> {
    let path = match params.get("cursor").and_then(Value::as_str) {
        Some(c) if c.len() <= 200 && c.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b)) => {
            format!("/api/projects?cursor={c}")
        }
        Some(_) => return Err(McpError::params("\"cursor\" is not one resources/list gave")),
        None => "/api/projects".into(),
    };
    let Some(answer) = reads.get(path) else { return Ok(reads.pending()) };
    if answer.status != 200 {
        return Err(McpError::new(code::INTERNAL_ERROR, api_error(answer)));
    }
    let projects = answer.body["projects"].as_array().map(Vec::as_slice).unwrap_or_default();
    let mut resources = Vec::new();
    for p in projects.iter().take(PAGE) {
        let (Some(id), name) = (p["id"].as_str(), p["name"].as_str().unwrap_or_default()) else { continue };
        if !is_resource_id(id) {
            continue;
        }
        let Some(handoff) = reads.get(format!("/api/projects/{id}/handoff")) else { continue };
        // 409: nothing built yet, so nothing to hand off.
        if handoff.status != 200 {
            continue;
        }
        for layout in handoff.body["layouts"].as_array().map(Vec::as_slice).unwrap_or_default() {
            let (Some(l), title) = (layout["name"].as_str(), layout["title"].as_str().unwrap_or_default()) else {
                continue;
            };
            for file in layout["files"].as_array().map(Vec::as_slice).unwrap_or_default() {
                let Some(path) = file["path"].as_str() else { continue };
                resources.push(json!({
                    "uri": uri(id, l, path),
                    "name": path,
                    "title": format!("{name}: {title} {path}"),
                    "mimeType": mime_type(path),
                    "size": file["content"].as_str().map_or(0, str::len),
                }));
            }
        }
    }
    if let Some(waiting) = reads.waiting() {
        return Ok(waiting);
    }
    let mut result = json!({"resources": resources, "ttlMs": 0, "cacheScope": "private"});
    if let Some(next) = answer.body["nextCursor"].as_str() {
        result["nextCursor"] = json!(next);
    }
    Ok(Outcome::Done(result))
}

/// `resources/read`: one hand-off file; a URI that names none (or another
/// owner's project, which the API does not tell apart) is -32602.
pub(crate) fn read(params: &Map<String, Value>, reads: &mut Reads<'_>) -> Result<Outcome, McpError> {
    let Some(uri) = params.get("uri").and_then(Value::as_str) else {
        return Err(McpError::params("resources/read needs \"uri\""));
    };
    let not_found = |why: String| {
        let mut e = McpError::params(format!("Resource not found: {why}"));
        e.data = Some(json!({"uri": uri}));
        e
    };
    let Some((id, layout, path)) = parse(uri) else {
        return Err(not_found("expected parit://projects/{id}/handoff/{layout}/{path}".into()));
    };
    let Some(answer) = reads.get(format!("/api/projects/{id}/handoff")) else { return Ok(reads.pending()) };
    if answer.status != 200 {
        return Err(not_found(api_error(answer)));
    }
    let layouts = answer.body["layouts"].as_array().map(Vec::as_slice).unwrap_or_default();
    let file = layouts
        .iter()
        .filter(|l| l["name"].as_str() == Some(layout))
        .flat_map(|l| l["files"].as_array().map(Vec::as_slice).unwrap_or_default())
        .find(|f| f["path"].as_str() == Some(path));
    let Some(text) = file.and_then(|f| f["content"].as_str()) else {
        return Err(not_found(format!("the {} layout has no file {}", short(layout), short(path))));
    };
    Ok(Outcome::Done(json!({
        "contents": [{"uri": uri, "mimeType": mime_type(path), "text": text}],
        "ttlMs": 0,
        "cacheScope": "private",
    })))
}

fn short(s: &str) -> String {
    s.chars().take(80).collect()
}
