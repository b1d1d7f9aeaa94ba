//! A checked document into endpoints of the data model's entities.
//!
//! Each operation is matched to an entity by, in order: the component names of
//! its response and request schemas (`#/components/schemas/Pet`, also with
//! `Create…`/`…Request`/`…Response` and the like taken off), its tags, and the
//! first segment of its path after an `/api` or version prefix (`/pets/{petId}`
//! → `pets`); names compare case-insensitively, without separators, singular
//! or plural (`special-events` ↔ `SpecialEvent`, table `special_events`).
//! Properties are matched to the entity's fields exactly, else without case
//! and separators (`petId` ↔ `pet_id`), and listed in the entity's field order.

use super::derive::Deriver;
use super::document::{Entry, Node};
use super::names::{entity_words, forms, singular, squash, words};
use super::validate::{templates, METHODS};
use crate::{ImportError, Imported, NotImported};
use parit_shared::artifact::{
    ApiArtifact, Artifact, DataArtifact, Endpoint, Entity, HttpMethod, ParamType, QueryParam, Upstream,
};
use parit_shared::check::validate::validate;

/// How deep schemas are followed (`$ref`, `allOf`, `items`, ...).
const MAX_SCHEMA_DEPTH: usize = 16;

/// What a schema describes: the component names met on the way (outermost
/// first), the properties, and references to other documents.
#[derive(Default)]
struct SchemaShape<'n> {
    /// The schemas with properties met, a list's elements first.
    inline: Vec<&'n Node>,
    names: Vec<String>,
    /// The component names met inside `items` (a list's elements).
    item_names: Vec<String>,
    properties: Vec<String>,
    external: Vec<String>,
}

/// A media type Parit reads as JSON: `application/json`, `…+json`, with parameters or not.
fn is_json(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn entity_forms(e: &Entity) -> [String; 4] {
    let (name, table) = (squash(&e.name), squash(&e.table));
    [singular(&name), singular(&table), name, table]
}

/// The first segment of a path that names a resource: not `api`, not a
/// version (`v1`, `v2.1`), not a template.
fn resource_segment(path: &str) -> Option<&str> {
    path.split('/').filter(|s| !s.is_empty()).find(|s| {
        let version = s
            .strip_prefix(['v', 'V'])
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit() || c == '.'));
        !s.eq_ignore_ascii_case("api") && !version && !s.starts_with('{')
    })
}

/// A sentence from an identifier: `listPets` → `List pets`.
fn humanize(id: &str) -> String {
    let mut s = words(id).join(" ");
    if let Some(first) = s.get(..1) {
        s = first.to_ascii_uppercase() + &s[1..];
    }
    s
}

fn first_line(s: &str) -> Option<String> {
    let line = s.lines().map(str::trim).find(|l| !l.is_empty())?;
    let sentence = match line.find(". ") {
        Some(end) => &line[..=end],
        None => line,
    };
    Some(sentence.trim().to_string())
}

fn method_of(name: &str) -> Option<HttpMethod> {
    Some(match name {
        "get" => HttpMethod::Get,
        "post" => HttpMethod::Post,
        "put" => HttpMethod::Put,
        "patch" => HttpMethod::Patch,
        "delete" => HttpMethod::Delete,
        _ => return None,
    })
}

struct Mapper<'a> {
    root: &'a Node,
    /// The data model, with the entities derived so far appended.
    data: DataArtifact,
    deriver: Deriver<'a>,
    not_imported: Vec<NotImported>,
    imported: Vec<String>,
}

/// The artifact of a checked document, validated against `data` (or the
/// data model derived from the document's schemas, when there is none),
/// with the data model it needs when entities were derived.
pub(crate) fn map(root: &Node, data: Option<&DataArtifact>) -> Result<Imported<ApiArtifact>, ImportError> {
    let data =
        data.cloned().unwrap_or(DataArtifact { entities: Vec::new(), relationships: Vec::new(), indexes: Vec::new() });
    let deriver = Deriver::new(root, &data.entities);
    let mut m = Mapper { root, data, deriver, not_imported: Vec::new(), imported: Vec::new() };
    m.document_notes();
    let mut endpoints = Vec::new();
    let mut shapes: Vec<(String, &str)> = Vec::new();
    for e in root.get("paths").map(Node::entries).unwrap_or_default() {
        if e.key.starts_with("x-") {
            continue;
        }
        let shape = templates(&e.key).iter().fold(e.key.clone(), |p, t| p.replace(&format!("{{{t}}}"), "{}"));
        if let Some((_, first)) = shapes.iter().find(|(s, _)| *s == shape) {
            m.note(
                format!("path {}", e.key),
                format!("the same path as {first} (only the template names differ, which OpenAPI 3 forbids): the first is imported"),
                e.line,
            );
            continue;
        }
        shapes.push((shape, &e.key));
        let Some(item) = m.path_item(e) else { continue };
        if item.get("servers").is_some() {
            m.note(format!("path {} servers", e.key), "server URLs are not part of Parit's API", e.line);
        }
        for method in METHODS {
            let Some(op_entry) = item.entry(method) else { continue };
            let label = format!("{} {}", method.to_uppercase(), e.key);
            match method_of(method) {
                Some(http) => {
                    if let Some(mut ep) = m.operation(&label, http, &e.key, item, op_entry) {
                        ep.id = format!("EP-{}", endpoints.len() + 1);
                        let query: Vec<&str> = ep.query_params.iter().map(|q| q.name.as_str()).collect();
                        m.imported.push(format!(
                            "{} {label}: {}, {} request and {} response fields{}",
                            ep.id,
                            ep.entity,
                            ep.request_fields.len(),
                            ep.response_fields.len(),
                            if query.is_empty() { String::new() } else { format!(", query {}", query.join(", ")) }
                        ));
                        endpoints.push(ep);
                    }
                }
                None => m.note(label, "Parit's endpoints are GET, POST, PUT, PATCH or DELETE", op_entry.line),
            }
        }
    }
    let auth_scheme = if endpoints.iter().any(|e| e.auth_required) { "bearer" } else { "none" };
    let api = ApiArtifact { auth_scheme: auth_scheme.into(), endpoints };
    let derived = std::mem::take(&mut m.deriver.derived);
    let changed = !derived.entities.is_empty();
    if changed {
        // Only the entities an endpoint names, or one of those references.
        let mut kept: Vec<String> = api.endpoints.iter().map(|e| e.entity.clone()).collect();
        let mut grew = true;
        while grew {
            grew = false;
            let referenced: Vec<String> = m
                .data
                .entities
                .iter()
                .filter(|e| kept.contains(&e.name))
                .flat_map(|e| e.fields.iter().filter_map(|f| f.references.clone()))
                .collect();
            for r in referenced {
                if !kept.contains(&r) {
                    kept.push(r);
                    grew = true;
                }
            }
        }
        let derived_names: Vec<&str> = derived.entities.iter().map(|(_, e)| e.name.as_str()).collect();
        m.data.entities.retain(|e| kept.contains(&e.name) || !derived_names.contains(&e.name.as_str()));
        let names: Vec<String> = m.data.entities.iter().map(|e| e.name.clone()).collect();
        m.data
            .relationships
            .extend(derived.relationships.into_iter().filter(|r| names.contains(&r.from) && names.contains(&r.to)));
        let lines: Vec<String> = derived
            .lines
            .into_iter()
            .filter(|l| names.iter().any(|n| l.starts_with(&format!("entity {n} "))))
            .collect();
        m.imported.insert(
            0,
            format!(
                "data model: {} entities derived from the document's schemas, stored as the data model's next version beside the API",
                lines.len()
            ),
        );
        for (i, line) in lines.into_iter().enumerate() {
            m.imported.insert(i + 1, line);
        }
        m.not_imported.extend(derived.notes);
    }
    if api.endpoints.is_empty() {
        return Err(ImportError {
            message: "nothing to import: no operation of the document became an endpoint".into(),
            line: None,
            column: None,
            expected: None,
            findings: m.not_imported.iter().map(|n| format!("{}: {}", n.what, n.why)).collect(),
        });
    }
    let mut problems = Vec::new();
    if changed {
        problems = validate(&Artifact::Data(m.data.clone()), &Upstream::default());
    }
    let upstream = Upstream { data: Some(m.data.clone()), ..Upstream::default() };
    problems.extend(validate(&Artifact::Api(api.clone()), &upstream));
    if !problems.is_empty() {
        return Err(ImportError {
            message: format!("the imported API does not validate against the data model: {} problems", problems.len()),
            line: None,
            column: None,
            expected: None,
            findings: problems,
        });
    }
    let mut context = crate::api_context(&api);
    if changed {
        context = format!("{context} {}", crate::data_context("the same document's schemas", &m.data));
    }
    let data = changed.then_some(m.data);
    Ok(Imported { artifact: api, imported: m.imported, not_imported: m.not_imported, data, context })
}

impl<'a> Mapper<'a> {
    fn note(&mut self, what: impl Into<String>, why: impl Into<String>, line: Option<u32>) {
        self.not_imported.push(NotImported { what: what.into(), why: why.into(), line });
    }

    /// Follows local references; `None` (and a note) for one into another document.
    fn resolve(&mut self, node: &'a Node, what: &str, line: Option<u32>) -> Option<&'a Node> {
        let mut node = node;
        for _ in 0..32 {
            match node.get("$ref").and_then(Node::as_str) {
                Some(r) if r.starts_with('#') => node = self.root.pointer(r)?,
                Some(r) => {
                    self.note(what, format!("its $ref \"{r}\" is in another document, which is not read"), line);
                    return None;
                }
                None => return Some(node),
            }
        }
        None
    }

    fn document_notes(&mut self) {
        let root = self.root;
        let servers = root.get("servers").map(Node::items).unwrap_or_default();
        if servers.iter().any(|s| s.get("url").and_then(Node::as_str) != Some("/")) {
            self.note(
                "servers",
                "server URLs are not part of Parit's API: its Worker serves the API at its own origin",
                root.entry("servers").and_then(|e| e.line),
            );
        }
        for e in root.get("webhooks").map(Node::entries).unwrap_or_default() {
            self.note(
                format!("webhook \"{}\"", e.key),
                "a webhook is a request the API sends; Parit's API holds the requests it serves",
                e.line,
            );
        }
        let schemes = root.get("components").and_then(|c| c.get("securitySchemes"));
        for e in schemes.map(Node::entries).unwrap_or_default() {
            let Some(scheme) = self.resolve(&e.value, &format!("security scheme \"{}\"", e.key), e.line) else {
                continue;
            };
            let kind = scheme.get("type").and_then(Node::as_str).unwrap_or("");
            let http = scheme.get("scheme").and_then(Node::as_str).unwrap_or("");
            let what = match kind {
                "http" if http.eq_ignore_ascii_case("bearer") => continue,
                "http" => format!("HTTP {http} authentication"),
                "apiKey" => format!(
                    "an API key in the {} {}",
                    scheme.get("in").and_then(Node::as_str).unwrap_or("?"),
                    scheme.get("name").and_then(Node::as_str).unwrap_or("?")
                ),
                "oauth2" => "OAuth 2 (its flows and scopes)".to_string(),
                "openIdConnect" => "OpenID Connect discovery".to_string(),
                other => format!("{other} authentication"),
            };
            self.note(
                format!("security scheme \"{}\"", e.key),
                format!(
                    "{what}: Parit's APIs authenticate with a bearer token, so an operation that requires it is imported as requiring the bearer token"
                ),
                e.line,
            );
        }
        self.note(
            "schemas",
            "the entities' field types come from the data model: the document's types, formats, enums and constraints are not imported",
            root.get("components").and_then(|c| c.entry("schemas")).and_then(|e| e.line),
        );
        self.note(
            "documentation",
            "Parit's API keeps one summary line per endpoint: info, descriptions, examples, tags and externalDocs are not kept",
            None,
        );
    }

    fn path_item(&mut self, e: &'a Entry) -> Option<&'a Node> {
        self.resolve(&e.value, &format!("path {}", e.key), e.line)
    }

    fn operation(
        &mut self,
        label: &str,
        method: HttpMethod,
        path: &str,
        item: &'a Node,
        op_entry: &'a Entry,
    ) -> Option<Endpoint> {
        let op = &op_entry.value;
        let line = op_entry.line;
        for (key, why) in [
            ("callbacks", "a callback is a request the API sends; Parit's API holds the requests it serves"),
            ("servers", "server URLs are not part of Parit's API"),
        ] {
            if let Some(value) = op.get(key) {
                let names: Vec<&str> = value.entries().iter().map(|e| e.key.as_str()).collect();
                let what = if names.is_empty() {
                    format!("{label} {key}")
                } else {
                    format!("{label} {key} {}", names.join(", "))
                };
                self.note(what, why, op.entry(key).and_then(|e| e.line).or(line));
            }
        }
        let query = self.parameters(label, item, op, line);
        let request = self.request(label, method, op, line);
        let response = self.response(label, op, line);
        let (request, response) = (request.unwrap_or_default(), response.unwrap_or_default());

        let mut candidates: Vec<String> = Vec::new();
        candidates.extend(response.names.iter().rev().cloned());
        candidates.extend(request.names.iter().rev().cloned());
        candidates.extend(
            op.get("tags").map(Node::items).unwrap_or_default().iter().filter_map(Node::as_str).map(String::from),
        );
        candidates.extend(resource_segment(path).map(String::from));
        for (schema, which) in [(&request, "request"), (&response, "response")] {
            if !schema.external.is_empty() {
                self.note(
                    format!("{label} {which} schema"),
                    format!("refers to another document ({}), which is not read", schema.external.join(", ")),
                    line,
                );
            }
        }
        let inline_name = op
            .get("tags")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(Node::as_str)
            .map(String::from)
            .next()
            .or_else(|| resource_segment(path).map(|s| s.split('.').next().unwrap_or(s).to_string()));
        let found = self.entity(&candidates).or_else(|| self.derived(label, &response, &request, inline_name));
        let Some(entity) = found else {
            let tried = if candidates.is_empty() { "nothing to match by".to_string() } else { candidates.join(", ") };
            self.note(
                label,
                format!("matches no entity of the data model (tried {tried}), and no schema of the document names one with properties"),
                line,
            );
            return None;
        };
        let entity = &entity;
        let request_fields = self.fields(label, "request", entity, &request.properties, line);
        let response_fields = self.fields(label, "response", entity, &response.properties, line);
        let auth_required = self.auth(label, op, line);
        let query_params = self.query_params(label, path, entity, query, line);
        Some(Endpoint {
            id: String::new(),
            method,
            path: path.to_string(),
            summary: summary(op, method, path, &entity.name),
            entity: entity.name.clone(),
            query_params,
            request_fields,
            response_fields,
            errors: self.errors(label, op, line),
            auth_required,
            user_stories: Vec::new(),
        })
    }

    fn entity(&self, candidates: &[String]) -> Option<Entity> {
        candidates.iter().find_map(|c| {
            let forms = forms(c);
            self.data.entities.iter().find(|e| entity_forms(e).iter().any(|f| forms.contains(f))).cloned()
        })
    }

    /// An entity derived from the innermost component schema of the response,
    /// else of the request, added to the data model.
    fn derived(
        &mut self,
        label: &str,
        response: &SchemaShape<'a>,
        request: &SchemaShape<'a>,
        inline_name: Option<String>,
    ) -> Option<Entity> {
        // A list's elements first (what a list endpoint is about), then the
        // outermost names (`AlbumObject` before the `AlbumBase` it extends).
        let names: Vec<String> =
            [response, request].iter().flat_map(|s| s.item_names.iter().chain(s.names.iter())).cloned().collect();
        let before = self.deriver.derived.entities.len();
        let mut name = names.iter().find_map(|n| self.deriver.entity(n, entity_words(n)));
        if name.is_none() {
            // No component names the body: its inline schema, named by the
            // operation's tag or path (`/posts.json` → `Post`).
            let words = inline_name.map(|n| entity_words(&n)).filter(|w| !w.is_empty());
            let inline =
                response.inline.first().map(|s| (s, "response")).or(request.inline.first().map(|s| (s, "request")));
            if let (Some(words), Some((schema, which))) = (words, inline) {
                name = self.deriver.inline(&format!("{label} {which}"), words, schema);
            }
        }
        let name = name?;
        for (_, e) in &self.deriver.derived.entities[before..] {
            if !self.data.entities.iter().any(|x| x.name == e.name) {
                self.data.entities.push(e.clone());
            }
        }
        self.data.entities.iter().find(|e| e.name == name).cloned()
    }

    /// The operation's query parameters (an operation's own replacing the
    /// path item's of the same name, as OpenAPI says), each with its schema;
    /// header and cookie parameters have no place in an endpoint.
    fn parameters(&mut self, label: &str, item: &'a Node, op: &'a Node, line: Option<u32>) -> Vec<(String, &'a Node)> {
        let mut lost = Vec::new();
        let mut query: Vec<(String, &'a Node)> = Vec::new();
        let all = item.get("parameters").map(Node::items).unwrap_or_default().iter();
        for p in all.chain(op.get("parameters").map(Node::items).unwrap_or_default()) {
            let Some(p) = self.resolve(p, &format!("{label} parameter"), line) else { continue };
            let place = p.get("in").and_then(Node::as_str).unwrap_or("");
            let name = p.get("name").and_then(Node::as_str).unwrap_or("");
            let entry = format!("{place} {name}");
            match place {
                "path" => {}
                "query" if !name.is_empty() => match query.iter_mut().find(|(n, _)| n == name) {
                    Some(known) => known.1 = p,
                    None => query.push((name.to_string(), p)),
                },
                _ if !lost.contains(&entry) => lost.push(entry),
                _ => {}
            }
        }
        if !lost.is_empty() {
            self.note(
                format!("{label} parameters {}", lost.join(", ")),
                "Parit's endpoints have path and query parameters only: no header or cookie parameters",
                line,
            );
        }
        query
    }

    /// Query parameters as the endpoint's: each typed from its schema (an
    /// array, an object or no type is taken as a string, and noted); a
    /// `sort` enum whose values are not fields of the entity is taken as a
    /// string; a name that is also a path parameter is left out.
    fn query_params(
        &mut self,
        label: &str,
        path: &str,
        entity: &Entity,
        query: Vec<(String, &'a Node)>,
        line: Option<u32>,
    ) -> Vec<QueryParam> {
        let in_path = templates(path);
        let mut out = Vec::new();
        for (name, p) in query {
            let what = format!("{label} query parameter {name}");
            if in_path.contains(&name) {
                self.note(what, "its name is also a path parameter's", line);
                continue;
            }
            let schema = match p.get("schema") {
                Some(s) => self.resolve(s, &what, line),
                None => None,
            };
            let types: Vec<&str> = match schema.and_then(|s| s.get("type")) {
                Some(Node::String(t)) => vec![t.as_str()],
                Some(Node::Array(ts)) => ts.iter().filter_map(Node::as_str).filter(|t| *t != "null").collect(),
                _ => vec![],
            };
            let values: Vec<String> = schema
                .and_then(|s| s.get("enum"))
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(Node::as_str)
                .map(String::from)
                .collect();
            let (mut param_type, mut values) = match types.as_slice() {
                ["integer"] => (ParamType::Integer, vec![]),
                ["number"] => (ParamType::Number, vec![]),
                ["boolean"] => (ParamType::Boolean, vec![]),
                ["string"] | [] if !values.is_empty() => (ParamType::Enum, values),
                ["string"] => (ParamType::String, vec![]),
                other => {
                    let shape = if other.is_empty() { "no type".to_string() } else { other.join(" or ") };
                    self.note(&what, format!("its schema has {shape}: imported as a string"), line);
                    (ParamType::String, vec![])
                }
            };
            if name == "sort" && param_type == ParamType::Enum {
                let unknown: Vec<&str> = values
                    .iter()
                    .map(|v| v.strip_prefix('-').unwrap_or(v))
                    .filter(|v| !entity.fields.iter().any(|f| f.name == *v))
                    .collect();
                if !unknown.is_empty() {
                    self.note(
                        &what,
                        format!(
                            "its values {} are not fields of {}: imported as a string, without them",
                            unknown.join(", "),
                            entity.name
                        ),
                        line,
                    );
                    (param_type, values) = (ParamType::String, vec![]);
                }
            }
            out.push(QueryParam {
                name,
                param_type,
                values,
                required: matches!(p.get("required"), Some(Node::Bool(true))),
                description: p.get("description").and_then(Node::as_str).and_then(first_line).unwrap_or_default(),
            });
        }
        out
    }

    /// The JSON media type of a content map, noting the others.
    fn json_schema(&mut self, what: &str, content: &'a Node, line: Option<u32>) -> Option<&'a Node> {
        let entries = content.entries();
        let json = entries.iter().find(|e| is_json(&e.key));
        let others: Vec<&str> = entries.iter().filter(|e| !is_json(&e.key)).map(|e| e.key.as_str()).collect();
        if !others.is_empty() {
            let why = if json.is_some() {
                "Parit's bodies are JSON; the other media types are not kept"
            } else {
                "Parit's bodies are JSON: this body is not imported"
            };
            self.note(format!("{what} {}", others.join(", ")), why, line);
        }
        json.and_then(|e| e.value.get("schema"))
    }

    fn request(&mut self, label: &str, method: HttpMethod, op: &'a Node, line: Option<u32>) -> Option<SchemaShape<'a>> {
        let body = op.get("requestBody")?;
        let body = self.resolve(body, &format!("{label} request body"), line)?;
        if matches!(method, HttpMethod::Get | HttpMethod::Delete) {
            self.note(format!("{label} request body"), "Parit's GET and DELETE endpoints take no body", line);
            return None;
        }
        let schema = self.json_schema(&format!("{label} request body"), body.get("content")?, line)?;
        let mut shape = SchemaShape::default();
        self.schema(schema, &mut shape, 0, false);
        Some(shape)
    }

    /// The success response's schema: the first 2xx status, else `2XX`.
    fn response(&mut self, label: &str, op: &'a Node, line: Option<u32>) -> Option<SchemaShape<'a>> {
        let responses = op.get("responses")?.entries();
        let success = responses
            .iter()
            .find(|e| e.key.len() == 3 && e.key.starts_with('2') && e.key.bytes().all(|b| b.is_ascii_digit()))
            .or_else(|| responses.iter().find(|e| e.key == "2XX"))?;
        let response = self.resolve(&success.value, &format!("{label} response {}", success.key), line)?;
        if response.get("links").is_some() {
            self.note(
                format!("{label} response {} links", success.key),
                "links between operations are not part of Parit's API",
                line,
            );
        }
        let schema = self.json_schema(&format!("{label} response {}", success.key), response.get("content")?, line)?;
        let mut shape = SchemaShape::default();
        self.schema(schema, &mut shape, 0, false);
        Some(shape)
    }

    /// Collects a schema's properties through `$ref`, `allOf`/`anyOf`/`oneOf` and `items`.
    fn schema(&self, schema: &'a Node, out: &mut SchemaShape<'a>, depth: usize, in_items: bool) {
        if depth > MAX_SCHEMA_DEPTH {
            return;
        }
        if let Some(r) = schema.get("$ref").and_then(Node::as_str) {
            if !r.starts_with('#') {
                out.external.push(r.to_string());
                return;
            }
            if let Some(name) = r.strip_prefix("#/components/schemas/") {
                if !out.names.iter().any(|n| n == name) {
                    out.names.push(name.to_string());
                }
                if in_items && !out.item_names.iter().any(|n| n == name) {
                    out.item_names.push(name.to_string());
                }
            }
            if let Some(target) = self.root.pointer(r) {
                self.schema(target, out, depth + 1, in_items);
            }
            return;
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            for s in schema.get(key).map(Node::items).unwrap_or_default() {
                self.schema(s, out, depth + 1, in_items);
            }
        }
        if let Some(items) = schema.get("items") {
            self.schema(items, out, depth + 1, true);
        }
        if schema.get("properties").is_some() {
            if in_items {
                out.inline.insert(0, schema);
            } else {
                out.inline.push(schema);
            }
        }
        for e in schema.get("properties").map(Node::entries).unwrap_or_default() {
            if !out.properties.contains(&e.key) {
                out.properties.push(e.key.clone());
            }
        }
    }

    /// The entity's fields the properties name, in the entity's order; notes the rest.
    fn fields(
        &mut self,
        label: &str,
        which: &str,
        entity: &Entity,
        properties: &[String],
        line: Option<u32>,
    ) -> Vec<String> {
        let mut matched = vec![false; entity.fields.len()];
        let mut missing = Vec::new();
        for p in properties {
            let found = entity
                .fields
                .iter()
                .position(|f| &f.name == p)
                .or_else(|| entity.fields.iter().position(|f| squash(&f.name) == squash(p)));
            match found {
                Some(i) => matched[i] = true,
                None => missing.push(p.as_str()),
            }
        }
        if !missing.is_empty() {
            self.note(
                format!("{label} {which} properties {}", missing.join(", ")),
                format!("{} has no such field", entity.name),
                line,
            );
        }
        entity.fields.iter().zip(matched).filter(|(_, m)| *m).map(|(f, _)| f.name.clone()).collect()
    }

    /// The exact 4xx and 5xx statuses; ranges, `default` and other statuses are noted.
    fn errors(&mut self, label: &str, op: &'a Node, line: Option<u32>) -> Vec<u32> {
        let mut errors = Vec::new();
        let mut lost = Vec::new();
        for e in op.get("responses").map(Node::entries).unwrap_or_default() {
            match e.key.parse::<u32>() {
                Ok(code @ 400..=599) => errors.push(code),
                Ok(200..=299) => {}
                _ if e.key.starts_with("x-") || e.key == "2XX" => {}
                _ => lost.push(e.key.as_str()),
            }
        }
        if !lost.is_empty() {
            self.note(
                format!("{label} responses {}", lost.join(", ")),
                "Parit lists exact error statuses (4xx and 5xx): ranges, default and other statuses are not kept",
                line,
            );
        }
        errors.sort_unstable();
        errors.dedup();
        errors
    }

    /// Whether the operation's (or else the document's) security asks for credentials.
    fn auth(&mut self, label: &str, op: &'a Node, line: Option<u32>) -> bool {
        let Some(security) = op.get("security").or_else(|| self.root.get("security")) else { return false };
        let requirements = security.items();
        if requirements.is_empty() {
            return false;
        }
        if requirements.iter().any(|r| r.entries().is_empty()) {
            self.note(
                format!("{label} security"),
                "authentication is optional here (an empty requirement {}): imported as not required",
                line,
            );
            return false;
        }
        true
    }
}

/// The endpoint's summary: the operation's `summary`, else its `operationId`
/// as words, else the first sentence of its `description`, else a sentence
/// from the method and entity.
fn summary(op: &Node, method: HttpMethod, path: &str, entity: &str) -> String {
    if let Some(s) = op.get("summary").and_then(Node::as_str).and_then(first_line) {
        return s;
    }
    if let Some(id) = op.get("operationId").and_then(Node::as_str).filter(|s| !s.trim().is_empty()) {
        return humanize(id);
    }
    if let Some(s) = op.get("description").and_then(Node::as_str).and_then(first_line) {
        return s;
    }
    let item = !templates(path).is_empty() && path.trim_end_matches('/').ends_with('}');
    match method {
        HttpMethod::Get if item => format!("Read one {entity}"),
        HttpMethod::Get => format!("List {entity} records"),
        HttpMethod::Post => format!("Create a {entity}"),
        HttpMethod::Put => format!("Replace a {entity}"),
        HttpMethod::Patch => format!("Change a {entity}"),
        HttpMethod::Delete => format!("Delete a {entity}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_media_types_and_summaries_read_as_written() {
        assert_eq!(humanize("listPets"), "List pets");
        assert_eq!(resource_segment("/api/v2/pets/{id}"), Some("pets"));
        assert_eq!(resource_segment("/v1.1/{org}/members"), Some("members"));
        assert_eq!(resource_segment("/{id}"), None);
        assert!(is_json("application/json; charset=utf-8"));
        assert!(is_json("application/problem+json"));
        assert!(!is_json("application/xml"));
        assert_eq!(first_line("Get details. More here.\nsecond"), Some("Get details.".into()));
    }
}
