//! An OpenAPI 3.1 document from the API spec and the data model: paths and
//! operations from the endpoints, request and response schemas from the
//! entities' fields, error responses, and the bearer security scheme. Built as
//! JSON values, so no name can make it invalid JSON; component names and path
//! parameters are mapped to what OpenAPI allows.

use crate::artifact::{ApiArtifact, DataArtifact, Endpoint, Entity, FieldType, HttpMethod, ParamType};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

/// A component name: `[A-Za-z0-9._-]`, never empty.
fn component(raw: &str) -> String {
    let s: String = raw.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' }).collect();
    if s.is_empty() {
        "_".into()
    } else {
        s
    }
}

fn field_schema(t: FieldType, description: &str) -> Value {
    let mut s = match t {
        FieldType::Id | FieldType::String | FieldType::Text => json!({"type": "string"}),
        FieldType::Integer => json!({"type": "integer"}),
        FieldType::Decimal => json!({"type": "number"}),
        FieldType::Boolean => json!({"type": "boolean"}),
        FieldType::Timestamp => json!({"type": "string", "format": "date-time"}),
        FieldType::Date => json!({"type": "string", "format": "date"}),
        FieldType::Json => json!({}),
    };
    if !description.is_empty() {
        s["description"] = json!(description);
    }
    s
}

fn object_schema(e: &Entity, names: &[String], require: bool) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for n in names {
        if let Some(f) = e.fields.iter().find(|f| &f.name == n) {
            properties.insert(f.name.clone(), field_schema(f.field_type, &f.description));
            if require && f.required {
                required.push(f.name.clone());
            }
        }
    }
    let mut s = json!({"type": "object", "properties": properties});
    if !required.is_empty() {
        s["required"] = json!(required);
    }
    s
}

/// Splits a path template into an OpenAPI path and its parameter names,
/// turning anything that is not a clean `{name}` into literal text.
fn path_template(raw: &str) -> (String, Vec<String>) {
    let mut path = String::new();
    let mut params = Vec::new();
    let mut rest = raw;
    while let Some(open) = rest.find('{') {
        path.push_str(&rest[..open].replace('}', "_"));
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = component(&after[..close]);
                if params.contains(&name) {
                    path.push_str(&name);
                } else {
                    path.push_str(&format!("{{{name}}}"));
                    params.push(name);
                }
                rest = &after[close + 1..];
            }
            None => {
                path.push_str(&after.replace('{', "_"));
                rest = "";
            }
        }
    }
    path.push_str(&rest.replace('}', "_"));
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    (path, params)
}

fn status_text(code: u32) -> &'static str {
    match code {
        400 => "Bad request",
        401 => "Not authenticated",
        403 => "Forbidden",
        404 => "Not found",
        409 => "Conflict",
        422 => "Invalid input",
        429 => "Too many requests",
        500..=599 => "Server error",
        _ => "Error",
    }
}

/// An endpoint's query parameters as `in: query` parameters, each name once
/// (OpenAPI allows a name once per location); an enum is a string schema
/// with its values.
fn query_parameters(ep: &Endpoint, out: &mut Vec<Value>) {
    for (i, q) in ep.query_params.iter().enumerate() {
        if q.name.is_empty() || ep.query_params[..i].iter().any(|o| o.name == q.name) {
            continue;
        }
        let schema = match q.param_type {
            ParamType::String => json!({"type": "string"}),
            ParamType::Integer => json!({"type": "integer"}),
            ParamType::Number => json!({"type": "number"}),
            ParamType::Boolean => json!({"type": "boolean"}),
            ParamType::Enum => json!({"type": "string", "enum": q.values}),
        };
        let mut p = json!({"name": q.name, "in": "query", "required": q.required, "schema": schema});
        if !q.description.is_empty() {
            p["description"] = json!(q.description);
        }
        out.push(p);
    }
}

/// The OpenAPI 3.1 document.
pub fn document(title: &str, api: &ApiArtifact, data: &DataArtifact) -> Value {
    let mut schemas = Map::new();
    schemas.insert(
        "Error".into(),
        json!({"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}}),
    );
    for e in &data.entities {
        let all: Vec<String> = e.fields.iter().map(|f| f.name.clone()).collect();
        schemas.insert(component(&e.name), object_schema(e, &all, true));
    }
    let mut paths = Map::new();
    let mut operation_ids = BTreeSet::new();
    for ep in &api.endpoints {
        let Some(entity) = data.entities.iter().find(|e| e.name == ep.entity) else { continue };
        let (path, params) = path_template(&ep.path);
        let method = ep.method.as_str().to_lowercase();
        let item = paths.entry(path).or_insert_with(|| json!({}));
        if item.get(&method).is_some() {
            continue;
        }
        let mut op_id = component(&ep.id);
        while !operation_ids.insert(op_id.clone()) {
            op_id.push('_');
        }
        let all: Vec<String> = entity.fields.iter().map(|f| f.name.clone()).collect();
        let body_schema = if ep.response_fields.len() == all.len() && ep.response_fields.iter().all(|f| all.contains(f))
        {
            json!({"$ref": format!("#/components/schemas/{}", component(&entity.name))})
        } else {
            object_schema(entity, &ep.response_fields, false)
        };
        let collection = ep.method == HttpMethod::Get && params.is_empty();
        let (code, response) = match ep.method {
            HttpMethod::Delete => ("204", json!({"description": "Deleted"})),
            HttpMethod::Post => {
                ("201", json!({"description": "Created", "content": {"application/json": {"schema": body_schema}}}))
            }
            _ => {
                let schema = if collection { json!({"type": "array", "items": body_schema}) } else { body_schema };
                ("200", json!({"description": "OK", "content": {"application/json": {"schema": schema}}}))
            }
        };
        let mut responses = Map::new();
        responses.insert(code.into(), response);
        for e in &ep.errors {
            responses.insert(
                e.to_string(),
                json!({"description": status_text(*e), "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}),
            );
        }
        let mut op = json!({
            "operationId": op_id,
            "summary": ep.summary,
            "tags": [entity.name],
            "responses": responses,
        });
        let mut parameters: Vec<Value> = params
            .iter()
            .map(|p| json!({"name": p, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        query_parameters(ep, &mut parameters);
        if !parameters.is_empty() {
            op["parameters"] = Value::Array(parameters);
        }
        if !ep.request_fields.is_empty() && matches!(ep.method, HttpMethod::Post | HttpMethod::Put | HttpMethod::Patch)
        {
            let require = ep.method != HttpMethod::Patch;
            op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": object_schema(entity, &ep.request_fields, require)}}});
        }
        if ep.auth_required && api.auth_scheme == "bearer" {
            op["security"] = json!([{"bearerAuth": []}]);
        } else {
            op["security"] = json!([]);
        }
        if !ep.user_stories.is_empty() {
            op["x-user-stories"] = json!(ep.user_stories);
        }
        item[method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": if title.trim().is_empty() { "API" } else { title }, "version": "1.0.0"},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::examples;

    #[test]
    fn path_templates_are_cleaned() {
        assert_eq!(path_template("/api/x/{id}"), ("/api/x/{id}".into(), vec!["id".into()]));
        assert_eq!(path_template("api/{a b}/{}"), ("/api/{a_b}/{_}".into(), vec!["a_b".into(), "_".into()]));
        assert_eq!(path_template("/x/{id}/{id}"), ("/x/{id}/id".into(), vec!["id".into()]));
        assert_eq!(path_template("/x}{y"), ("/x_y".into(), vec![]));
    }

    #[test]
    fn query_parameters_are_typed_and_each_named_once() {
        let p = examples::pantry();
        let mut api = p.api();
        let ep = &mut api.endpoints[2];
        assert!(ep.path.contains('{'), "a record's path");
        let q = |name: &str, param_type, values: &[&str]| crate::artifact::QueryParam {
            name: name.into(),
            param_type,
            values: values.iter().map(|v| v.to_string()).collect(),
            required: true,
            description: String::new(),
        };
        ep.query_params = vec![
            q("verbose", ParamType::Boolean, &[]),
            q("ratio", ParamType::Number, &[]),
            q("verbose", ParamType::String, &[]),
            q("", ParamType::String, &[]),
        ];
        let doc = document("Pantry", &api, &p.data());
        let (path, _) = path_template(&api.endpoints[2].path);
        let params = doc["paths"][path.as_str()]["get"]["parameters"].as_array().unwrap().clone();
        assert_eq!(
            params,
            vec![
                json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}),
                json!({"name": "verbose", "in": "query", "required": true, "schema": {"type": "boolean"}}),
                json!({"name": "ratio", "in": "query", "required": true, "schema": {"type": "number"}}),
            ]
        );
    }

    #[test]
    fn every_endpoint_becomes_an_operation_with_resolvable_refs() {
        let p = examples::clinic();
        let doc = document("ClinicBook", &p.api(), &p.data());
        assert_eq!(doc["openapi"], "3.1.0");
        let get = &doc["paths"]["/api/appointments/{id}"]["get"];
        assert_eq!(get["parameters"][0]["name"], "id");
        assert_eq!(
            get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Appointment"
        );
        assert!(doc["components"]["schemas"]["Appointment"]["required"]
            .as_array()
            .unwrap()
            .contains(&json!("patient_id")));
        // A list's query parameters, after its path parameters (it has none).
        let list = &doc["paths"]["/api/appointments"]["get"]["parameters"];
        assert_eq!(
            list[0],
            json!({"name": "limit", "in": "query", "required": false, "schema": {"type": "integer"},
            "description": "How many records, 1 to 100 (default 100)."})
        );
        assert_eq!(list[2]["schema"]["enum"][0], "requested");
        assert_eq!(list[3]["name"], "sort");
        let ops: usize = doc["paths"].as_object().unwrap().values().map(|v| v.as_object().unwrap().len()).sum();
        assert_eq!(ops, p.api().endpoints.len());
        for r in doc.to_string().split("\"$ref\":\"").skip(1) {
            let target = &r[..r.find('"').unwrap()];
            let name = target.trim_start_matches("#/components/schemas/");
            assert!(doc["components"]["schemas"].get(name).is_some(), "{target}");
        }
    }
}
