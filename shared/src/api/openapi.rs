//! The supervisor's OpenAPI 3.1 document, generated from [`ROUTES`] and each
//! route's [`contract`]: every named type becomes a component and is
//! referred to by `$ref`; each route's path parameters, query, body, success
//! statuses and error statuses come from its declaration.
//!
//! The supervisor serves the committed `workers/supervisor/public/openapi.json`;
//! a native test below fails when that file is not what [`document`]
//! renders, and rewrites it when run with `PARIT_WRITE_TYPES=1`.
//! Keywords follow OpenAPI 3.1 (JSON Schema 2020-12: `"type": ["string",
//! "null"]`, `$ref` beside `description`), as
//! <https://spec.openapis.org/oas/v3.1.0> (read 2026-12-06) allows.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::contract::{contract, Content, ERRORS};
use super::ROUTES;
use crate::schema::Schema;

/// Where the supervisor keeps the rendered document, from the repository root.
pub const PATH: &str = "workers/supervisor/public/openapi.json";

/// The whole document.
pub fn document() -> Value {
    let mut components = Components::default();
    let mut paths = Map::new();
    for route in ROUTES {
        let c = contract(route.op);
        let mut op = Map::new();
        op.insert("summary".into(), json!(route.summary));
        op.insert("description".into(), json!(c.description));
        op.insert("operationId".into(), json!(c.operation_id));
        let mut responses = Map::new();
        for a in &c.answers {
            let mut headers = Map::new();
            headers.insert("x-request-id".into(), json!({"$ref": "#/components/headers/RequestId"}));
            for (name, component) in a.headers {
                headers.insert((*name).into(), json!({"$ref": format!("#/components/headers/{component}")}));
            }
            let content = match &a.content {
                Content::Json(s) => json!({"application/json": {"schema": components.of(s)}}),
                Content::Media(types, s) => {
                    let schema = components.of(s);
                    Value::Object(types.iter().map(|t| ((*t).to_string(), json!({"schema": schema}))).collect())
                }
            };
            responses.insert(
                a.status.to_string(),
                json!({"description": a.description, "headers": headers, "content": content}),
            );
        }
        for status in c.errors {
            responses.insert(status.to_string(), json!({"$ref": format!("#/components/responses/E{status}")}));
        }
        op.insert("responses".into(), Value::Object(responses));
        let mut parameters = path_parameters(route.path, &mut components);
        if let Some(query) = &c.query {
            let Schema::Object(props) = query.bare_named() else { panic!("{}: a query is an object", c.operation_id) };
            for p in props {
                let mut param = json!({"name": p.name, "in": "query", "required": !p.optional, "schema": components.of(&p.present())});
                if !p.description.is_empty() {
                    param["description"] = json!(p.description);
                }
                parameters.push(param);
            }
        }
        for name in c.request_headers {
            parameters.push(json!({"name": name, "in": "header", "required": false, "schema": {"type": "string"}}));
        }
        if !parameters.is_empty() {
            op.insert("parameters".into(), Value::Array(parameters));
        }
        if let Some(body) = &c.body {
            let limit = route.op.max_body().unwrap_or_default();
            op.insert(
                "requestBody".into(),
                json!({"required": true, "description": format!("At most {limit} bytes (413 above)"),
                       "content": {"application/json": {"schema": components.of(body)}}}),
            );
        }
        if c.public {
            op.insert("security".into(), json!([]));
        }
        let path = openapi_path(route.path);
        let entry = paths.entry(path).or_insert_with(|| json!({}));
        entry[route.method.to_lowercase()] = Value::Object(op);
    }
    let error_ref = components.of(&<super::root::ErrorBody as crate::schema::Describe>::schema());
    let responses: Map<String, Value> = ERRORS
        .iter()
        .map(|e| {
            let mut headers = Map::new();
            headers.insert("x-request-id".into(), json!({"$ref": "#/components/headers/RequestId"}));
            for (name, component) in e.headers {
                headers.insert((*name).into(), json!({"$ref": format!("#/components/headers/{component}")}));
            }
            (
                format!("E{}", e.status),
                json!({"description": e.description, "headers": headers, "content": {"application/json": {"schema": error_ref}}}),
            )
        })
        .collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Parit supervisor API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Seven agents turn a product idea into a PRD, data model, UI design, business logic, API spec, frontend code and deployment config. Every /api route needs `Authorization: Bearer <token>` (scripts/create-token.sh mints one); errors are `{\"error\": {\"code\", \"message\", \"requestId\"}}`. Generated from the Rust types of shared/src/api/ (do not edit by hand).",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "responses": responses,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "An API token from scripts/create-token.sh"}},
            "headers": {
                "RequestId": {"required": true, "description": "This request's id", "schema": {"type": "string", "minLength": 8}},
                "RetryAfter": {"required": true, "description": "Seconds to wait", "schema": {"type": "string", "pattern": "^[0-9]+$"}},
                "WwwAuthenticate": {"required": true, "schema": {"type": "string"}},
                "ContentDisposition": {"required": true, "schema": {"type": "string"}},
            },
            "schemas": components.schemas,
        },
    })
}

/// The document as the committed file holds it.
pub fn document_text() -> String {
    let mut text = serde_json::to_string_pretty(&document()).unwrap_or_default();
    text.push('\n');
    text
}

/// `/api/projects/:id/artifacts/:stage/views/*name` → `…/{id}/…/{stage}/views/{name}`.
fn openapi_path(template: &str) -> String {
    template
        .split('/')
        .map(|s| match s.strip_prefix(':').or_else(|| s.strip_prefix('*')) {
            Some(name) => format!("{{{name}}}"),
            None => s.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The parameters a path template names, each as the router matches it.
fn path_parameters(template: &str, components: &mut Components) -> Vec<Value> {
    template
        .split('/')
        .filter_map(|s| s.strip_prefix(':').or_else(|| s.strip_prefix('*')))
        .map(|name| match name {
            "id" => json!({"name": "id", "in": "path", "required": true, "description": "Project id",
                "schema": {"type": "string", "pattern": "^[0-9a-f-]{8,64}$"}}),
            "stage" => json!({"name": "stage", "in": "path", "required": true,
                "schema": components.of(&<crate::Stage as crate::schema::Describe>::schema())}),
            other => {
                json!({"name": other, "in": "path", "required": true, "schema": {"type": "string", "minLength": 1}})
            }
        })
        .collect()
}

/// The named schemas met so far, each rendered once.
#[derive(Default)]
struct Components {
    schemas: BTreeMap<String, Value>,
    seen: BTreeMap<&'static str, Schema>,
}

impl Components {
    /// `schema` in OpenAPI form, each named type a `$ref` to its component.
    fn of(&mut self, schema: &Schema) -> Value {
        match schema {
            Schema::Named { name, doc, schema: inner } => {
                match self.seen.get(name) {
                    Some(known) => assert!(known == schema, "two types are named {name}"),
                    None => {
                        self.seen.insert(name, schema.clone());
                        let mut rendered = self.of(inner);
                        let doc = doc.split_whitespace().collect::<Vec<_>>().join(" ");
                        if !doc.is_empty() {
                            rendered["description"] = json!(doc);
                        }
                        self.schemas.insert((*name).to_string(), rendered);
                    }
                }
                json!({"$ref": format!("#/components/schemas/{name}")})
            }
            Schema::String => json!({"type": "string"}),
            Schema::Integer => json!({"type": "integer"}),
            Schema::Number => json!({"type": "number"}),
            Schema::Boolean => json!({"type": "boolean"}),
            Schema::Enum(values) => json!({"type": "string", "enum": values}),
            Schema::Any => json!({}),
            Schema::Map(item) => match **item {
                Schema::Any => json!({"type": "object"}),
                _ => json!({"type": "object", "additionalProperties": self.of(item)}),
            },
            Schema::Array(item) => json!({"type": "array", "items": self.of(item)}),
            Schema::Nullable(inner) => {
                let mut v = self.of(inner);
                match v.get("type").cloned() {
                    Some(Value::String(t)) if v.get("$ref").is_none() => {
                        v["type"] = json!([t, "null"]);
                        if let Some(Value::Array(values)) = v.get_mut("enum") {
                            values.push(Value::Null);
                        }
                        v
                    }
                    _ => json!({"oneOf": [{"type": "null"}, v]}),
                }
            }
            Schema::Refined { schema, keywords } => {
                let mut v = self.of(schema);
                let extra: Map<String, Value> =
                    serde_json::from_str(&format!("{{{keywords}}}")).unwrap_or_else(|e| panic!("{keywords}: {e}"));
                if let Value::Object(map) = &mut v {
                    map.extend(extra);
                }
                v
            }
            Schema::Object(props) => {
                let mut properties = Map::new();
                for p in props {
                    let mut v = self.of(&p.present());
                    if !p.description.is_empty() {
                        v["description"] = json!(p.description.split_whitespace().collect::<Vec<_>>().join(" "));
                    }
                    properties.insert(p.name.clone(), v);
                }
                // Present, though perhaps null, unless the field is optional:
                // the API's answers write every field they do not skip.
                let required: Vec<&str> = props.iter().filter(|p| !p.optional).map(|p| p.name.as_str()).collect();
                json!({"type": "object", "properties": properties, "required": required})
            }
        }
    }
}

impl Schema {
    /// The shape under a name and refinements.
    fn bare_named(&self) -> &Schema {
        match self {
            Schema::Named { schema, .. } | Schema::Refined { schema, .. } => schema.bare_named(),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Op, Route};
    use std::collections::BTreeSet;

    #[test]
    fn openapi_document_of_the_supervisor_is_current() {
        crate::fixtures::assert_generated_current(PATH, &document_text(), "openapi_document");
    }

    /// The document describes exactly the routed operations (and the
    /// committed file is the document: the test above).
    #[test]
    fn the_openapi_document_describes_exactly_the_routes() {
        let doc = document();
        let documented: BTreeSet<String> = doc["paths"]
            .as_object()
            .expect("paths")
            .iter()
            .flat_map(|(path, ops)| {
                let path = path.replace('{', ":").replace('}', "");
                ops.as_object().expect("operations").keys().map(move |m| format!("{} {path}", m.to_uppercase()))
            })
            .collect();
        let routed: BTreeSet<String> = ROUTES.iter().map(Route::endpoint).collect();
        assert_eq!(documented, routed);
    }

    /// Each operation answers with exactly the statuses its contract
    /// declares, each error with the one error shape.
    #[test]
    fn each_route_documents_the_statuses_its_contract_declares() {
        let doc = document();
        for route in ROUTES {
            let c = contract(route.op);
            let op = &doc["paths"][openapi_path(route.path)][route.method.to_lowercase()];
            let documented: BTreeSet<u16> =
                op["responses"].as_object().expect("responses").keys().map(|k| k.parse().expect("a status")).collect();
            let declared: BTreeSet<u16> = c.answers.iter().map(|a| a.status).chain(c.errors.iter().copied()).collect();
            assert_eq!(documented, declared, "{}", c.operation_id);
            for status in c.errors {
                assert!(
                    ERRORS.iter().any(|e| e.status == *status),
                    "{}: {status} is not a known error",
                    c.operation_id
                );
                assert!(doc["components"]["responses"].get(format!("E{status}")).is_some());
            }
            for a in &c.answers {
                assert!(
                    !c.errors.contains(&a.status),
                    "{}: {} is both an answer and an error",
                    c.operation_id,
                    a.status
                );
            }
            // Only GET / , /health and /openapi.json answer without a token.
            assert_eq!(c.public, !route.path.starts_with("/api/") && route.op != Op::Mcp, "{}", c.operation_id);
        }
        let ids: BTreeSet<&str> = ROUTES.iter().map(|r| contract(r.op).operation_id).collect();
        assert_eq!(ids.len(), ROUTES.len(), "operation ids are unique");
        assert_eq!(contract(Op::Run).answers.len(), 2);
    }

    /// Every `$ref` names a component the document has.
    #[test]
    fn a_route_takes_a_body_exactly_when_it_has_a_size_limit_and_answers_413_above_it() {
        for route in ROUTES {
            let c = contract(route.op);
            let body = c.body.is_some();
            assert_eq!(body, route.op.max_body().is_some(), "{}", route.endpoint());
            assert_eq!(body, c.errors.contains(&413), "{}", route.endpoint());
        }
    }

    #[test]
    fn every_reference_resolves() {
        let doc = document();
        let text = doc.to_string();
        for part in text.split("\"$ref\":\"#/components/").skip(1) {
            let target = &part[..part.find('"').expect("a closing quote")];
            let (kind, name) = target.split_once('/').expect("kind/name");
            assert!(doc["components"][kind].get(name).is_some(), "{target}");
        }
    }

    /// Every source an artifact version can have is the one schema the
    /// document's versions and stage views refer to.
    #[test]
    fn the_openapi_document_names_every_artifact_source() {
        let doc = document();
        let listed: Vec<&str> = doc["components"]["schemas"]["Source"]["enum"]
            .as_array()
            .expect("components.schemas.Source.enum")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let stored: Vec<&str> = crate::run::store::Source::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(listed, stored);
        assert_eq!(
            doc["components"]["schemas"]["StageView"]["properties"]["source"]["oneOf"][1]["$ref"],
            "#/components/schemas/Source"
        );
    }
}
