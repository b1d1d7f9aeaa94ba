//! Is this an OpenAPI 3.0.x or 3.1.x document? Every finding at once, each as
//! `$.path.to.it: what is wrong`.
//!
//! The rules are the fixed-field tables of the specification, as written in
//! OAI/OpenAPI-Specification `versions/3.0.3.md` and `versions/3.1.1.md`
//! (3.1.0 and 3.1.1 have the same required fields; 3.1.1 only clarifies):
//! `openapi` and `info` (with `title` and `version`) are REQUIRED in both;
//! `paths` is REQUIRED in 3.0.3 (#oasPaths) while 3.1 asks for at least one of
//! `paths`, `components` or `webhooks` (3.1.1 #oasDocument); an Operation's
//! `responses` is **REQUIRED** in 3.0.3 (#operationResponses) and not in 3.1.1
//! (its table gives no REQUIRED); a Parameter needs `name` and `in`, and a path
//! parameter `required: true` (#parameterRequired, both versions); a Request
//! Body needs `content`, a Response `description`, a Security Scheme `type`.
//! JSON Schema itself (the Schema Objects) is not validated: only that every
//! local `$ref` in the document resolves.

use super::document::Node;
use std::collections::{HashMap, HashSet};

/// The OpenAPI version of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Version {
    /// 3.0.x.
    V30,
    /// 3.1.x.
    V31,
}

/// The objects whose fields the table describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Root,
    Info,
    License,
    Server,
    Components,
    PathItem,
    Operation,
    Parameter,
    RequestBody,
    Response,
    MediaType,
    SecurityScheme,
    Tag,
}

/// The JSON type a field must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    String,
    Object,
    Array,
    Bool,
    /// A Schema Object: an object, or (3.1, JSON Schema 2020-12) a boolean.
    Schema,
}

/// Whether a field must be present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    Always,
    /// Only in 3.0.x.
    In30,
    Optional,
}

use Need::{Always, In30, Optional};
use Shape as S;

/// `(object, field, type, presence)`: the fixed fields Parit reads or that the
/// specification requires, from the tables of 3.0.3 and 3.1.1.
const FIELDS: &[(Shape, &str, Ty, Need)] = &[
    (S::Root, "openapi", Ty::String, Always),
    (S::Root, "info", Ty::Object, Always),
    (S::Root, "paths", Ty::Object, In30),
    (S::Root, "servers", Ty::Array, Optional),
    (S::Root, "components", Ty::Object, Optional),
    (S::Root, "security", Ty::Array, Optional),
    (S::Root, "tags", Ty::Array, Optional),
    (S::Root, "webhooks", Ty::Object, Optional),
    (S::Info, "title", Ty::String, Always),
    (S::Info, "version", Ty::String, Always),
    (S::Info, "description", Ty::String, Optional),
    (S::Info, "license", Ty::Object, Optional),
    (S::License, "name", Ty::String, Always),
    (S::Server, "url", Ty::String, Always),
    (S::Components, "schemas", Ty::Object, Optional),
    (S::Components, "responses", Ty::Object, Optional),
    (S::Components, "parameters", Ty::Object, Optional),
    (S::Components, "requestBodies", Ty::Object, Optional),
    (S::Components, "securitySchemes", Ty::Object, Optional),
    (S::Components, "pathItems", Ty::Object, Optional),
    (S::PathItem, "$ref", Ty::String, Optional),
    (S::PathItem, "summary", Ty::String, Optional),
    (S::PathItem, "parameters", Ty::Array, Optional),
    (S::PathItem, "servers", Ty::Array, Optional),
    (S::Operation, "summary", Ty::String, Optional),
    (S::Operation, "description", Ty::String, Optional),
    (S::Operation, "operationId", Ty::String, Optional),
    (S::Operation, "tags", Ty::Array, Optional),
    (S::Operation, "parameters", Ty::Array, Optional),
    (S::Operation, "requestBody", Ty::Object, Optional),
    (S::Operation, "responses", Ty::Object, In30),
    (S::Operation, "callbacks", Ty::Object, Optional),
    (S::Operation, "security", Ty::Array, Optional),
    (S::Operation, "servers", Ty::Array, Optional),
    (S::Operation, "deprecated", Ty::Bool, Optional),
    (S::Parameter, "name", Ty::String, Always),
    (S::Parameter, "in", Ty::String, Always),
    (S::Parameter, "required", Ty::Bool, Optional),
    (S::Parameter, "schema", Ty::Schema, Optional),
    (S::Parameter, "content", Ty::Object, Optional),
    (S::RequestBody, "content", Ty::Object, Always),
    (S::RequestBody, "required", Ty::Bool, Optional),
    (S::Response, "description", Ty::String, Always),
    (S::Response, "content", Ty::Object, Optional),
    (S::Response, "headers", Ty::Object, Optional),
    (S::Response, "links", Ty::Object, Optional),
    (S::MediaType, "schema", Ty::Schema, Optional),
    (S::SecurityScheme, "type", Ty::String, Always),
    (S::Tag, "name", Ty::String, Always),
];

/// The operations of a Path Item, in the order Parit numbers them, then the
/// ones it cannot represent (3.0.3 and 3.1.1 #pathItemObject).
pub(crate) const METHODS: [&str; 8] = ["get", "post", "put", "patch", "delete", "head", "options", "trace"];

/// Security scheme types and the fields each requires (3.0.3 and 3.1.1
/// #securitySchemeObject; `mutualTLS` is 3.1 only).
const SCHEMES: &[(&str, &[&str])] = &[
    ("apiKey", &["name", "in"]),
    ("http", &["scheme"]),
    ("oauth2", &["flows"]),
    ("openIdConnect", &["openIdConnectUrl"]),
    ("mutualTLS", &[]),
];

/// A path segment in the findings' notation: `$.paths./pets.get`.
fn at(path: &str, key: &str) -> String {
    format!("{path}.{key}")
}

fn ty_matches(ty: Ty, node: &Node, version: Version) -> bool {
    match (ty, node) {
        (Ty::String, Node::String(_)) | (Ty::Object | Ty::Schema, Node::Object(_)) => true,
        (Ty::Array, Node::Array(_)) | (Ty::Bool, Node::Bool(_)) => true,
        (Ty::Schema, Node::Bool(_)) => version == Version::V31,
        _ => false,
    }
}

fn ty_name(ty: Ty) -> &'static str {
    match ty {
        Ty::String => "a string",
        Ty::Object => "an object",
        Ty::Array => "an array",
        Ty::Bool => "a boolean",
        Ty::Schema => "a schema object",
    }
}

/// The version the `openapi` field names, if it is 3.0.x or 3.1.x.
fn version_of(openapi: &str) -> Option<Version> {
    let mut parts = openapi.splitn(3, '.');
    let (major, minor, patch) = (parts.next()?, parts.next()?, parts.next()?);
    // A patch may carry a pre-release suffix ("3.1.0-rc1"); semver, as the field asks.
    let patch_digits = patch.split(['-', '+']).next()?;
    if major != "3" || patch_digits.is_empty() || !patch_digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match minor {
        "0" => Some(Version::V30),
        "1" => Some(Version::V31),
        _ => None,
    }
}

struct Checker<'a> {
    root: &'a Node,
    version: Version,
    findings: Vec<String>,
    operation_ids: HashMap<&'a str, String>,
}

/// Checks the document; on success, its version. A Swagger 2.0 document is
/// told apart at once.
pub(crate) fn check(root: &Node) -> Result<Version, (String, Vec<String>)> {
    if let Some(swagger) = root.get("swagger") {
        let v = swagger.as_str().unwrap_or("2.0");
        return Err((
            format!(
                "this is a Swagger {v} document, not OpenAPI 3.x: convert it to OpenAPI 3 first (for example with swagger2openapi), then import it"
            ),
            vec![format!("$.swagger: Swagger (OpenAPI 2.0) documents are not read; Parit reads OpenAPI 3.0.x and 3.1.x")],
        ));
    }
    let mut findings = Vec::new();
    let version = match root.get("openapi") {
        None => None,
        Some(Node::String(s)) => {
            let v = version_of(s);
            if v.is_none() {
                findings.push(format!("$.openapi: \"{s}\" is not a 3.0.x or 3.1.x version"));
            }
            v
        }
        Some(other) => {
            findings.push(format!("$.openapi: must be a string such as \"3.1.0\", not {}", other.kind()));
            None
        }
    };
    let mut c = Checker { root, version: version.unwrap_or(Version::V31), findings, operation_ids: HashMap::new() };
    c.document();
    c.references();
    if c.findings.is_empty() {
        Ok(c.version)
    } else {
        let n = c.findings.len();
        Err((format!("not a valid OpenAPI 3.x document: {n} finding{}", if n == 1 { "" } else { "s" }), c.findings))
    }
}

impl<'a> Checker<'a> {
    fn push(&mut self, path: impl Into<String>, what: impl std::fmt::Display) {
        self.findings.push(format!("{}: {what}", path.into()));
    }

    /// The table's checks for one object; false when `node` is not an object.
    fn fields(&mut self, shape: Shape, node: &Node, path: &str) -> bool {
        if !matches!(node, Node::Object(_)) {
            self.push(path, format!("must be an object, not {}", node.kind()));
            return false;
        }
        for &(s, name, ty, need) in FIELDS.iter().filter(|f| f.0 == shape) {
            match node.get(name) {
                None if need == Always || (need == In30 && self.version == Version::V30) => {
                    self.push(at(path, name), "is required");
                }
                None => {}
                Some(value) if !ty_matches(ty, value, self.version) => {
                    let hint = match (s, name, value) {
                        (S::Info, "version", Node::Number(n)) => format!(" (quote it: \"{n}\")"),
                        _ => String::new(),
                    };
                    self.push(at(path, name), format!("must be {}, not {}{hint}", ty_name(ty), value.kind()));
                }
                Some(_) => {}
            }
        }
        true
    }

    /// A Reference Object is checked where it points (and resolved by [`Self::references`]).
    fn is_reference(node: &Node) -> bool {
        node.get("$ref").is_some()
    }

    /// Follows a local reference, quietly (an unresolved one is its own finding).
    fn resolve(&self, node: &'a Node) -> Option<&'a Node> {
        let mut node = node;
        for _ in 0..32 {
            match node.get("$ref").and_then(Node::as_str) {
                Some(r) => node = self.root.pointer(r)?,
                None => return Some(node),
            }
        }
        None
    }

    fn document(&mut self) {
        let root = self.root;
        self.fields(S::Root, root, "$");
        if self.version == Version::V31 && ["paths", "components", "webhooks"].iter().all(|k| root.get(k).is_none()) {
            self.push("$", "needs at least one of paths, components or webhooks");
        }
        if let Some(info) = root.get("info") {
            if self.fields(S::Info, info, "$.info") {
                if let Some(license) = info.get("license") {
                    self.fields(S::License, license, "$.info.license");
                }
            }
        }
        for (i, server) in root.get("servers").map(Node::items).unwrap_or_default().iter().enumerate() {
            self.fields(S::Server, server, &format!("$.servers[{i}]"));
        }
        for (i, tag) in root.get("tags").map(Node::items).unwrap_or_default().iter().enumerate() {
            self.fields(S::Tag, tag, &format!("$.tags[{i}]"));
        }
        self.security(root.get("security"), "$.security");
        if let Some(components) = root.get("components") {
            self.components(components);
        }
        if let Some(paths) = root.get("paths") {
            self.paths(paths);
        }
        if let Some(webhooks) = root.get("webhooks") {
            for e in webhooks.entries() {
                self.path_item(&e.value, &at("$.webhooks", &e.key), None);
            }
        }
    }

    fn components(&mut self, components: &'a Node) {
        if !self.fields(S::Components, components, "$.components") {
            return;
        }
        let kinds = [
            ("parameters", S::Parameter),
            ("responses", S::Response),
            ("requestBodies", S::RequestBody),
            ("securitySchemes", S::SecurityScheme),
        ];
        for (field, shape) in kinds {
            for e in components.get(field).map(Node::entries).unwrap_or_default() {
                let path = format!("$.components.{field}.{}", e.key);
                if !Self::is_reference(&e.value) {
                    self.object(shape, &e.value, &path);
                }
            }
        }
        for e in components.get("pathItems").map(Node::entries).unwrap_or_default() {
            self.path_item(&e.value, &format!("$.components.pathItems.{}", e.key), None);
        }
    }

    /// One object of a shape with what lies under it.
    fn object(&mut self, shape: Shape, node: &'a Node, path: &str) {
        if !self.fields(shape, node, path) {
            return;
        }
        match shape {
            S::Parameter => {
                let place = node.get("in").and_then(Node::as_str);
                if let Some(place) = place {
                    if !["query", "header", "path", "cookie"].contains(&place) {
                        self.push(at(path, "in"), format!("\"{place}\" is not query, header, path or cookie"));
                    }
                }
                if place == Some("path") && node.get("required") != Some(&Node::Bool(true)) {
                    self.push(at(path, "required"), "must be true for a path parameter");
                }
                if node.get("schema").is_some() && node.get("content").is_some() {
                    self.push(path, "has both schema and content; a parameter has one of them");
                }
                self.content(node.get("content"), &at(path, "content"));
            }
            S::RequestBody | S::Response => self.content(node.get("content"), &at(path, "content")),
            S::SecurityScheme => {
                let Some(kind) = node.get("type").and_then(Node::as_str) else { return };
                match SCHEMES.iter().find(|(k, _)| *k == kind) {
                    Some((_, needs)) => {
                        for need in needs.iter().filter(|n| node.get(n).is_none()) {
                            self.push(at(path, need), format!("is required for a security scheme of type {kind}"));
                        }
                        if kind == "mutualTLS" && self.version == Version::V30 {
                            self.push(at(path, "type"), "mutualTLS is OpenAPI 3.1 only");
                        }
                    }
                    None => self.push(
                        at(path, "type"),
                        format!("\"{kind}\" is not apiKey, http, oauth2, openIdConnect or mutualTLS"),
                    ),
                }
            }
            _ => {}
        }
    }

    fn content(&mut self, content: Option<&'a Node>, path: &str) {
        for e in content.map(Node::entries).unwrap_or_default() {
            self.fields(S::MediaType, &e.value, &at(path, &e.key));
        }
    }

    fn paths(&mut self, paths: &'a Node) {
        for e in paths.entries() {
            let path = at("$.paths", &e.key);
            if e.key.starts_with("x-") {
                continue;
            }
            if !e.key.starts_with('/') {
                self.push(&path, "a path must start with /");
            }
            // 3.0.3 #pathsPath: "Templated paths with the same hierarchy but
            // different templated names MUST NOT exist as they are identical."
            // Real documents have them (Discourse's): the map step imports the
            // first and lists the others, so one path never costs the import.
            self.path_item(&e.value, &path, Some(&e.key));
        }
    }

    fn path_item(&mut self, item: &'a Node, path: &str, template: Option<&str>) {
        if !self.fields(S::PathItem, item, path) {
            return;
        }
        let shared = self.parameters(item.get("parameters"), &at(path, "parameters"));
        for server in item.get("servers").map(Node::items).unwrap_or_default() {
            self.fields(S::Server, server, &at(path, "servers"));
        }
        for method in METHODS {
            if let Some(op) = item.get(method) {
                self.operation(op, &at(path, method), template, &shared);
            }
        }
    }

    /// Checks a parameter list; returns the path parameters' names.
    fn parameters(&mut self, list: Option<&'a Node>, path: &str) -> Vec<&'a str> {
        let mut names = Vec::new();
        let mut seen = HashSet::new();
        for (i, p) in list.map(Node::items).unwrap_or_default().iter().enumerate() {
            let at_i = format!("{path}[{i}]");
            if !Self::is_reference(p) {
                self.object(S::Parameter, p, &at_i);
            }
            let Some(p) = self.resolve(p) else { continue };
            let (Some(name), Some(place)) = (p.get("name").and_then(Node::as_str), p.get("in").and_then(Node::as_str))
            else {
                continue;
            };
            if !seen.insert((name, place)) {
                self.push(&at_i, format!("parameter {name} in {place} is listed twice"));
            }
            if place == "path" {
                names.push(name);
            }
        }
        names
    }

    fn operation(&mut self, op: &'a Node, path: &str, template: Option<&str>, shared: &[&'a str]) {
        if !self.fields(S::Operation, op, path) {
            return;
        }
        if let Some(id) = op.get("operationId").and_then(Node::as_str) {
            if let Some(first) = self.operation_ids.insert(id, path.to_string()) {
                self.push(at(path, "operationId"), format!("\"{id}\" is also the operationId of {first}"));
            }
        }
        let mut names = self.parameters(op.get("parameters"), &at(path, "parameters"));
        names.extend(shared);
        if let Some(template) = template {
            let expected = templates(template);
            for t in &expected {
                if !names.contains(&t.as_str()) {
                    self.push(path, format!("{{{t}}} in the path has no path parameter named {t}"));
                }
            }
            for n in names.iter().filter(|n| !expected.iter().any(|t| t == *n)) {
                self.push(path, format!("path parameter {n} is not in the path"));
            }
        }
        if let Some(body) = op.get("requestBody") {
            if !Self::is_reference(body) {
                self.object(S::RequestBody, body, &at(path, "requestBody"));
            }
        }
        if let Some(responses) = op.get("responses") {
            self.responses(responses, &at(path, "responses"));
        }
        for e in op.get("callbacks").map(Node::entries).unwrap_or_default() {
            let cb = at(&at(path, "callbacks"), &e.key);
            if Self::is_reference(&e.value) {
                continue;
            }
            for expr in e.value.entries() {
                self.path_item(&expr.value, &at(&cb, &expr.key), None);
            }
        }
        self.security(op.get("security"), &at(path, "security"));
    }

    fn responses(&mut self, responses: &'a Node, path: &str) {
        if !matches!(responses, Node::Object(_)) {
            return; // the table already said
        }
        let mut codes = 0;
        for e in responses.entries() {
            if e.key.starts_with("x-") {
                continue;
            }
            codes += 1;
            if !is_status_key(&e.key) {
                self.push(at(path, &e.key), "is not an HTTP status code, a range such as 4XX, or default");
            }
            if !Self::is_reference(&e.value) {
                self.object(S::Response, &e.value, &at(path, &e.key));
            }
        }
        // 3.0.3 and 3.1.1 #responsesObject: "MUST contain at least one response code".
        if codes == 0 {
            self.push(path, "needs at least one response");
        }
    }

    /// Each name of a Security Requirement must be a declared scheme (#securityRequirementObject).
    fn security(&mut self, security: Option<&'a Node>, path: &str) {
        let declared = self.root.get("components").and_then(|c| c.get("securitySchemes"));
        for (i, requirement) in security.map(Node::items).unwrap_or_default().iter().enumerate() {
            for e in requirement.entries() {
                if declared.and_then(|d| d.get(&e.key)).is_none() {
                    self.push(format!("{path}[{i}].{}", e.key), "names no scheme of components.securitySchemes");
                }
            }
        }
    }

    /// Every local `$ref` (one starting with `#`) must resolve. Example values
    /// are data, not OpenAPI, and are not searched; nor are extensions (`x-…`).
    fn references(&mut self) {
        let mut todo: Vec<(&Node, String)> = vec![(self.root, "$".to_string())];
        while let Some((node, path)) = todo.pop() {
            match node {
                Node::Object(entries) => {
                    for e in entries.iter().rev() {
                        let here = at(&path, &e.key);
                        if e.key == "$ref" {
                            match &e.value {
                                Node::String(r) if r.starts_with('#') && self.root.pointer(r).is_none() => {
                                    self.push(here, format!("\"{r}\" does not resolve"));
                                }
                                Node::String(_) => {}
                                other => self.push(here, format!("must be a string, not {}", other.kind())),
                            }
                        } else if e.key == "example" || e.key.starts_with("x-") {
                            // Examples are data; an extension Parit does not read
                            // (`x-spotify-policy-list` holds `$ref`s of its own)
                            // never blocks an import.
                            continue;
                        } else if e.key == "examples" && !path.ends_with(".properties") {
                            // An Example Object's `value` is data; only its own `$ref` is OpenAPI.
                            for ex in e.value.entries() {
                                if let Some(Node::String(r)) = ex.value.get("$ref") {
                                    if r.starts_with('#') && self.root.pointer(r).is_none() {
                                        self.push(at(&at(&here, &ex.key), "$ref"), format!("\"{r}\" does not resolve"));
                                    }
                                }
                            }
                        } else {
                            todo.push((&e.value, here));
                        }
                    }
                }
                Node::Array(items) => {
                    for (i, item) in items.iter().enumerate().rev() {
                        todo.push((item, format!("{path}[{i}]")));
                    }
                }
                _ => {}
            }
        }
    }
}

/// `default`, a status code 100–599, or a range `1XX`–`5XX` (#responsesCode).
fn is_status_key(key: &str) -> bool {
    let b = key.as_bytes();
    key == "default"
        || (b.len() == 3
            && (b'1'..=b'5').contains(&b[0])
            && (b[1..] == *b"XX" || b[1..].iter().all(u8::is_ascii_digit)))
}

/// The template names of a path, `{petId}` → `petId`, in order.
pub(crate) fn templates(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.push(after[..close].to_string());
        rest = &after[close + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_status_keys() {
        assert_eq!(version_of("3.0.3"), Some(Version::V30));
        assert_eq!(version_of("3.1.1"), Some(Version::V31));
        assert_eq!(version_of("3.1.0-rc1"), Some(Version::V31));
        assert_eq!(version_of("3.2.0"), None);
        assert_eq!(version_of("3.0"), None);
        assert_eq!(version_of("2.0"), None);
        for ok in ["200", "404", "4XX", "default", "599"] {
            assert!(is_status_key(ok), "{ok}");
        }
        for bad in ["600", "20", "4xx", "ok", "2000"] {
            assert!(!is_status_key(bad), "{bad}");
        }
        assert_eq!(templates("/a/{b}/c/{d}"), vec!["b", "d"]);
    }
}
