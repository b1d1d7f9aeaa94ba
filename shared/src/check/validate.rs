//! Semantic validation of artifacts: ids unique and well formed, required
//! content present, references resolved — within the artifact and into the
//! upstream artifacts the stage was given. Every problem is reported, so one
//! repair round trip can fix them all.

use crate::artifact::*;
use std::collections::HashSet;

/// Every problem in `artifact`, as `path: what is wrong`; empty when valid.
pub fn validate(artifact: &Artifact, upstream: &Upstream) -> Vec<String> {
    let mut p = Problems::default();
    match artifact {
        Artifact::Prd(a) => prd(a, &mut p),
        Artifact::Data(a) => data(a, &mut p),
        Artifact::Design(a) => design(a, upstream, &mut p),
        Artifact::Logic(a) => logic(a, upstream, &mut p),
        Artifact::Api(a) => api(a, upstream, &mut p),
        Artifact::Frontend(a) => frontend(a, upstream, &mut p),
        Artifact::Deployment(a) => deployment(a, upstream, &mut p),
    }
    p.0
}

#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn push(&mut self, path: impl std::fmt::Display, what: impl std::fmt::Display) {
        self.0.push(format!("{path}: {what}"));
    }

    fn non_empty(&mut self, path: &str, value: &str) {
        if value.trim().is_empty() {
            self.push(path, "must not be empty");
        }
    }

    fn at_least_one<T>(&mut self, path: &str, items: &[T]) {
        if items.is_empty() {
            self.push(path, "needs at least one item");
        }
    }

    /// Checks ids are `PREFIX-n` and unique; returns the set of ids.
    fn ids<'a>(&mut self, path: &str, prefix: &str, ids: impl Iterator<Item = &'a str>) -> HashSet<&'a str> {
        let mut seen = HashSet::new();
        for (i, id) in ids.enumerate() {
            if !is_id(id, prefix) {
                self.push(format!("{path}[{i}].id"), format!("\"{id}\" is not of the form {prefix}-n"));
            }
            if !seen.insert(id) {
                self.push(format!("{path}[{i}].id"), format!("\"{id}\" is used twice"));
            }
        }
        seen
    }

    fn refs(&mut self, path: &str, refs: &[String], known: &HashSet<&str>, what: &str) {
        for (i, r) in refs.iter().enumerate() {
            if !known.contains(r.as_str()) {
                self.push(format!("{path}[{i}]"), format!("{what} \"{r}\" does not exist"));
            }
        }
    }
}

/// Whether `id` is `PREFIX-n` with n a positive decimal number.
pub fn is_id(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && !n.starts_with('0'))
}

fn prd(a: &PrdArtifact, p: &mut Problems) {
    p.non_empty("$.productName", &a.product_name);
    p.non_empty("$.summary", &a.summary);
    p.at_least_one("$.personas", &a.personas);
    p.at_least_one("$.userStories", &a.user_stories);
    let personas = p.ids("$.personas", "PER", a.personas.iter().map(|x| x.id.as_str()));
    let stories = p.ids("$.userStories", "US", a.user_stories.iter().map(|x| x.id.as_str()));
    for (i, s) in a.user_stories.iter().enumerate() {
        if !personas.contains(s.persona.as_str()) {
            p.push(format!("$.userStories[{i}].persona"), format!("persona \"{}\" does not exist", s.persona));
        }
        p.non_empty(&format!("$.userStories[{i}].narrative"), &s.narrative);
        p.at_least_one(&format!("$.userStories[{i}].acceptanceCriteria"), &s.acceptance_criteria);
    }
    p.ids("$.features", "F", a.features.iter().map(|x| x.id.as_str()));
    for (i, f) in a.features.iter().enumerate() {
        p.refs(&format!("$.features[{i}].stories"), &f.stories, &stories, "user story");
    }
}

fn data(a: &DataArtifact, p: &mut Problems) {
    p.at_least_one("$.entities", &a.entities);
    let mut names = HashSet::new();
    let mut tables = HashSet::new();
    for (i, e) in a.entities.iter().enumerate() {
        let path = format!("$.entities[{i}]");
        p.non_empty(&format!("{path}.name"), &e.name);
        p.non_empty(&format!("{path}.table"), &e.table);
        if !names.insert(e.name.to_lowercase()) {
            p.push(format!("{path}.name"), format!("entity \"{}\" is declared twice", e.name));
        }
        if !tables.insert(e.table.to_lowercase()) {
            p.push(format!("{path}.table"), format!("table \"{}\" is used twice", e.table));
        }
        p.at_least_one(&format!("{path}.fields"), &e.fields);
        let ids = e.fields.iter().filter(|f| f.field_type == FieldType::Id).count();
        match e.primary_key.as_deref() {
            None | Some([]) if ids != 1 => {
                p.push(format!("{path}.fields"), format!("needs exactly one field of type \"id\", has {ids}"))
            }
            None | Some([]) => {}
            Some([_]) => p.push(
                format!("{path}.primaryKey"),
                "a key of one field is that field's type \"id\": name two or more fields, or null",
            ),
            Some(key) => {
                if ids != 0 {
                    p.push(
                        format!("{path}.fields"),
                        format!("has a primaryKey, so no field may have type \"id\"; has {ids}"),
                    );
                }
                for (k, name) in key.iter().enumerate() {
                    if !e.fields.iter().any(|f| &f.name == name) {
                        p.push(
                            format!("{path}.primaryKey[{k}]"),
                            format!("field \"{name}\" is not a field of {}", e.name),
                        );
                    }
                }
            }
        }
        let mut fields = HashSet::new();
        for (j, f) in e.fields.iter().enumerate() {
            p.non_empty(&format!("{path}.fields[{j}].name"), &f.name);
            if !fields.insert(f.name.to_lowercase()) {
                p.push(format!("{path}.fields[{j}].name"), format!("field \"{}\" is declared twice", f.name));
            }
        }
    }
    let entity = |name: &str| a.entities.iter().find(|e| e.name == name);
    for (i, e) in a.entities.iter().enumerate() {
        for (j, f) in e.fields.iter().enumerate() {
            if let Some(r) = &f.references {
                if entity(r).is_none() {
                    p.push(format!("$.entities[{i}].fields[{j}].references"), format!("entity \"{r}\" does not exist"));
                }
            }
        }
    }
    for (i, r) in a.relationships.iter().enumerate() {
        for (side, name) in [("from", &r.from), ("to", &r.to)] {
            if entity(name).is_none() {
                p.push(format!("$.relationships[{i}].{side}"), format!("entity \"{name}\" does not exist"));
            }
        }
    }
    for (i, ix) in a.indexes.iter().enumerate() {
        p.at_least_one(&format!("$.indexes[{i}].fields"), &ix.fields);
        match entity(&ix.entity) {
            None => p.push(format!("$.indexes[{i}].entity"), format!("entity \"{}\" does not exist", ix.entity)),
            Some(e) => {
                for (j, f) in ix.fields.iter().enumerate() {
                    if !e.fields.iter().any(|x| &x.name == f) {
                        p.push(
                            format!("$.indexes[{i}].fields[{j}]"),
                            format!("field \"{f}\" is not a field of {}", e.name),
                        );
                    }
                }
            }
        }
    }
}

fn is_hex_color(v: &str) -> bool {
    v.strip_prefix('#').is_some_and(|h| matches!(h.len(), 3 | 6 | 8) && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn story_ids(upstream: &Upstream) -> Option<HashSet<&str>> {
    upstream.prd.as_ref().map(|prd| prd.user_stories.iter().map(|s| s.id.as_str()).collect())
}

fn entity_names(upstream: &Upstream) -> Option<HashSet<&str>> {
    upstream.data.as_ref().map(|d| d.entities.iter().map(|e| e.name.as_str()).collect())
}

fn design(a: &DesignArtifact, upstream: &Upstream, p: &mut Problems) {
    p.at_least_one("$.tokens.colors", &a.tokens.colors);
    for (i, c) in a.tokens.colors.iter().enumerate() {
        if !is_hex_color(&c.value) {
            p.push(format!("$.tokens.colors[{i}].value"), format!("\"{}\" is not a hex color like #1a73e8", c.value));
        }
    }
    for (i, t) in a.tokens.typography.iter().enumerate() {
        if !(100..=900).contains(&t.weight) {
            p.push(format!("$.tokens.typography[{i}].weight"), format!("{} is outside 100..900", t.weight));
        }
    }
    p.at_least_one("$.screens", &a.screens);
    let screens = p.ids("$.screens", "SCR", a.screens.iter().map(|s| s.id.as_str()));
    let stories = story_ids(upstream);
    for (i, s) in a.screens.iter().enumerate() {
        if !s.route.starts_with('/') {
            p.push(format!("$.screens[{i}].route"), format!("\"{}\" must start with /", s.route));
        }
        if let Some(stories) = &stories {
            p.refs(&format!("$.screens[{i}].userStories"), &s.user_stories, stories, "user story");
        }
    }
    for (i, n) in a.navigation.iter().enumerate() {
        for (side, id) in [("from", &n.from), ("to", &n.to)] {
            if !screens.contains(id.as_str()) {
                p.push(format!("$.navigation[{i}].{side}"), format!("screen \"{id}\" does not exist"));
            }
        }
    }
}

fn logic(a: &LogicArtifact, upstream: &Upstream, p: &mut Problems) {
    p.at_least_one("$.rules", &a.rules);
    p.ids("$.rules", "BR", a.rules.iter().map(|r| r.id.as_str()));
    let entities = entity_names(upstream);
    let known = |name: &str| entities.as_ref().is_none_or(|e| e.contains(name));
    for (i, r) in a.rules.iter().enumerate() {
        if !known(&r.entity) {
            p.push(format!("$.rules[{i}].entity"), format!("entity \"{}\" does not exist in the data model", r.entity));
        }
        p.non_empty(&format!("$.rules[{i}].description"), &r.description);
    }
    for (i, m) in a.state_machines.iter().enumerate() {
        let path = format!("$.stateMachines[{i}]");
        if !known(&m.entity) {
            p.push(format!("{path}.entity"), format!("entity \"{}\" does not exist in the data model", m.entity));
        }
        p.at_least_one(&format!("{path}.states"), &m.states);
        let states: HashSet<&str> = m.states.iter().map(String::as_str).collect();
        if states.len() != m.states.len() {
            p.push(format!("{path}.states"), "a state is listed twice");
        }
        if !states.contains(m.initial.as_str()) {
            p.push(format!("{path}.initial"), format!("\"{}\" is not one of the states", m.initial));
        }
        for (j, t) in m.transitions.iter().enumerate() {
            for (side, s) in [("from", &t.from), ("to", &t.to)] {
                if !states.contains(s.as_str()) {
                    p.push(format!("{path}.transitions[{j}].{side}"), format!("\"{s}\" is not one of the states"));
                }
            }
            p.non_empty(&format!("{path}.transitions[{j}].event"), &t.event);
        }
    }
}

fn api(a: &ApiArtifact, upstream: &Upstream, p: &mut Problems) {
    if !matches!(a.auth_scheme.as_str(), "bearer" | "none") {
        p.push("$.authScheme", format!("\"{}\" is not \"bearer\" or \"none\"", a.auth_scheme));
    }
    p.at_least_one("$.endpoints", &a.endpoints);
    p.ids("$.endpoints", "EP", a.endpoints.iter().map(|e| e.id.as_str()));
    let stories = story_ids(upstream);
    let mut routes = HashSet::new();
    for (i, e) in a.endpoints.iter().enumerate() {
        let path = format!("$.endpoints[{i}]");
        if !e.path.starts_with('/') {
            p.push(format!("{path}.path"), format!("\"{}\" must start with /", e.path));
        }
        if !routes.insert((e.method, e.path.as_str())) {
            p.push(format!("{path}.path"), format!("{} {} is declared twice", e.method, e.path));
        }
        for (j, status) in e.errors.iter().enumerate() {
            if !(400..=599).contains(status) {
                p.push(format!("{path}.errors[{j}]"), format!("{status} is not an error status"));
            }
        }
        let entity = upstream.data.as_ref().map(|data| data.entities.iter().find(|x| x.name == e.entity));
        match entity {
            Some(None) => {
                p.push(format!("{path}.entity"), format!("entity \"{}\" does not exist in the data model", e.entity))
            }
            Some(Some(entity)) => {
                let fields: HashSet<&str> = entity.fields.iter().map(|f| f.name.as_str()).collect();
                let what = format!("field of {}", entity.name);
                p.refs(&format!("{path}.requestFields"), &e.request_fields, &fields, &what);
                p.refs(&format!("{path}.responseFields"), &e.response_fields, &fields, &what);
            }
            None => {}
        }
        query_params(&path, e, entity.flatten(), p);
        if let Some(stories) = &stories {
            p.refs(&format!("{path}.userStories"), &e.user_stories, stories, "user story");
        }
    }
}

/// An endpoint's query parameters: each named, once, apart from its path
/// parameters; an enum with values; a `sort`'s values naming fields of the
/// endpoint's entity (when the data model is known), each with an optional
/// leading `-` for descending order.
fn query_params(path: &str, e: &Endpoint, entity: Option<&Entity>, p: &mut Problems) {
    for (j, q) in e.query_params.iter().enumerate() {
        let (at, name) = (format!("{path}.queryParams[{j}]"), &q.name);
        if name.is_empty() {
            p.push(&at, "needs a name");
        } else if e.query_params[..j].iter().any(|o| &o.name == name) {
            p.push(&at, format!("query parameter \"{name}\" is declared twice"));
        } else if e.path.contains(&format!("{{{name}}}")) {
            p.push(&at, format!("\"{name}\" is also a path parameter"));
        }
        if q.param_type == ParamType::Enum && q.values.is_empty() {
            p.push(&at, "an enum needs at least one value");
        }
        let Some(entity) = entity.filter(|_| name == "sort" && q.param_type == ParamType::Enum) else { continue };
        for v in &q.values {
            let field = v.strip_prefix('-').unwrap_or(v);
            if !entity.fields.iter().any(|f| f.name == field) {
                p.push(&at, format!("sort by \"{field}\": not a field of {}", entity.name));
            }
        }
    }
}

fn files(path: &str, files: &[SourceFile], p: &mut Problems) {
    p.at_least_one(path, files);
    let mut seen = HashSet::new();
    for (i, f) in files.iter().enumerate() {
        let at = format!("{path}[{i}].path");
        let bad = f.path.is_empty()
            || f.path.starts_with('/')
            || f.path.contains('\\')
            || f.path.split('/').any(|seg| seg.is_empty() || seg == "." || seg == "..");
        if bad {
            p.push(&at, format!("\"{}\" is not a clean relative path", f.path));
        }
        if !seen.insert(f.path.as_str()) {
            p.push(&at, format!("\"{}\" appears twice", f.path));
        }
        p.non_empty(&format!("{path}[{i}].content"), &f.content);
    }
}

/// The frontend's files, every import resolving (see [`crate::check::imports`]),
/// and every API call one the upstream API declares.
fn frontend(a: &FrontendArtifact, upstream: &Upstream, p: &mut Problems) {
    files("$.files", &a.files, p);
    for (path, what) in crate::check::imports::problems(&a.files) {
        p.push(path, what);
    }
    let Some(api) = &upstream.api else { return };
    let index = crate::check::scan::EndpointIndex::new(&api.endpoints);
    for (i, f) in a.files.iter().enumerate() {
        let mut seen = HashSet::new();
        for call in crate::check::scan::api_calls_in(f) {
            if index.matching(&call).next().is_some() {
                continue;
            }
            if !seen.insert((call.method, call.path.clone(), call.open)) {
                continue;
            }
            let called = match (call.method, call.open) {
                (Some(m), false) => format!("{m} {}", call.path),
                (Some(m), true) => format!("{m} {}…", call.path),
                (None, false) => call.path.clone(),
                (None, true) => format!("{}…", call.path),
            };
            // The methods the API declares on that path, if any: the likely fix.
            let any_method = crate::check::scan::ApiCall { method: None, ..call.clone() };
            let same_path: Vec<String> = api
                .endpoints
                .iter()
                .filter(|e| call.method.is_some() && any_method.calls(e.method, &e.path))
                .map(|e| format!("{} {}", e.method, e.path))
                .collect();
            let hint =
                if same_path.is_empty() { String::new() } else { format!(" (it declares {})", same_path.join(", ")) };
            p.push(
                format!("$.files[{i}].content"),
                format!("line {}: calls {called}, which the API does not declare{hint}", call.line),
            );
        }
    }
}

fn deployment(a: &DeploymentArtifact, upstream: &Upstream, p: &mut Problems) {
    p.non_empty("$.platform", &a.platform);
    files("$.files", &a.files, p);
    let mut read = crate::check::scan::env_reads(&a.files);
    if let Some(fe) = &upstream.frontend {
        read.extend(crate::check::scan::env_reads(&fe.files));
    }
    let listed: HashSet<&str> = a.env_vars.iter().map(|v| v.name.as_str()).collect();
    for name in read {
        let bare = name.strip_prefix("VITE_").unwrap_or(&name);
        if !listed.contains(name.as_str()) && !listed.contains(bare) {
            p.push("$.envVars", format!("{name} is read by the code but not listed"));
        }
    }
    p.at_least_one("$.steps", &a.steps);
    let mut seen = HashSet::new();
    for (i, v) in a.env_vars.iter().enumerate() {
        let ok = !v.name.is_empty()
            && v.name.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
            && !v.name.as_bytes()[0].is_ascii_digit();
        if !ok {
            p.push(format!("$.envVars[{i}].name"), format!("\"{}\" is not SCREAMING_SNAKE_CASE", v.name));
        }
        if !seen.insert(v.name.as_str()) {
            p.push(format!("$.envVars[{i}].name"), format!("\"{}\" appears twice", v.name));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Stage;
    use serde_json::json;

    #[test]
    fn ids_must_be_prefixed_numbers() {
        assert!(is_id("US-1", "US"));
        assert!(is_id("US-12", "US"));
        assert!(!is_id("US-0", "US"));
        assert!(!is_id("US-", "US"));
        assert!(!is_id("US1", "US"));
        assert!(!is_id("EP-1", "US"));
        assert!(!is_id("US-1a", "US"));
    }

    fn prd_value() -> serde_json::Value {
        json!({
            "productName": "P", "summary": "S",
            "personas": [{"id": "PER-1", "name": "n", "description": "d", "goals": []}],
            "userStories": [
                {"id": "US-1", "persona": "PER-1", "title": "t", "narrative": "As a", "acceptanceCriteria": ["ok"], "priority": "must"},
                {"id": "US-1", "persona": "PER-9", "title": "t", "narrative": "", "acceptanceCriteria": [], "priority": "could"}
            ],
            "features": [{"id": "F-1", "name": "f", "description": "d", "stories": ["US-1", "US-7"]}],
            "nonFunctional": [], "outOfScope": [], "successMetrics": []
        })
    }

    #[test]
    fn prd_problems_are_all_reported() {
        let a = Artifact::from_value(Stage::Prd, prd_value()).unwrap();
        let problems = validate(&a, &Upstream::default());
        assert_eq!(
            problems,
            vec![
                "$.userStories[1].id: \"US-1\" is used twice",
                "$.userStories[1].persona: persona \"PER-9\" does not exist",
                "$.userStories[1].narrative: must not be empty",
                "$.userStories[1].acceptanceCriteria: needs at least one item",
                "$.features[0].stories[1]: user story \"US-7\" does not exist",
            ]
        );
    }

    #[test]
    fn api_references_are_checked_against_upstream() {
        let data = DataArtifact {
            entities: vec![Entity {
                name: "Recipe".into(),
                table: "recipes".into(),
                description: "d".into(),
                fields: vec![Field {
                    name: "id".into(),
                    field_type: FieldType::Id,
                    required: true,
                    unique: true,
                    references: None,
                    description: "d".into(),
                }],
                primary_key: None,
            }],
            relationships: vec![],
            indexes: vec![],
        };
        let up = Upstream { data: Some(data), ..Default::default() };
        let api = Artifact::from_value(
            Stage::Api,
            json!({"authScheme": "bearer", "endpoints": [
                {"id": "EP-1", "method": "GET", "path": "/api/recipes/{id}", "summary": "s", "entity": "Recipe",
                 "requestFields": [], "responseFields": ["id", "title"], "errors": [404], "authRequired": true, "userStories": []},
                {"id": "EP-2", "method": "GET", "path": "/api/recipes/{id}", "summary": "s", "entity": "Meal",
                 "requestFields": [], "responseFields": [], "errors": [200], "authRequired": true, "userStories": []}
            ]}),
        )
        .unwrap();
        assert_eq!(
            validate(&api, &up),
            vec![
                "$.endpoints[0].responseFields[1]: field of Recipe \"title\" does not exist",
                "$.endpoints[1].path: GET /api/recipes/{id} is declared twice",
                "$.endpoints[1].errors[0]: 200 is not an error status",
                "$.endpoints[1].entity: entity \"Meal\" does not exist in the data model",
            ]
        );
    }

    #[test]
    fn query_parameters_are_named_once_apart_from_the_path_and_sort_by_fields() {
        let data = DataArtifact {
            entities: vec![Entity {
                name: "Recipe".into(),
                table: "recipes".into(),
                description: "d".into(),
                fields: ["id", "title"]
                    .map(|n| Field {
                        name: n.into(),
                        field_type: if n == "id" { FieldType::Id } else { FieldType::String },
                        required: true,
                        unique: false,
                        references: None,
                        description: "d".into(),
                    })
                    .to_vec(),
                primary_key: None,
            }],
            relationships: vec![],
            indexes: vec![],
        };
        let param = |name: &str, kind: &str, values: &[&str]| json!({"name": name, "paramType": kind, "values": values, "required": false, "description": ""});
        let api = Artifact::from_value(
            Stage::Api,
            json!({"authScheme": "bearer", "endpoints": [
                {"id": "EP-1", "method": "GET", "path": "/api/recipes/{id}/steps", "summary": "s", "entity": "Recipe",
                 "queryParams": [param("limit", "integer", &[]), param("limit", "string", &[]), param("id", "string", &[]),
                                 param("", "boolean", &[]), param("kind", "enum", &[]),
                                 param("sort", "enum", &["title", "-title", "-rating"])],
                 "requestFields": [], "responseFields": ["id"], "errors": [], "authRequired": true, "userStories": []},
                {"id": "EP-2", "method": "GET", "path": "/api/recipes", "summary": "s", "entity": "Recipe",
                 "queryParams": [param("sort", "enum", &["-title", "id"]), param("page", "integer", &[])],
                 "requestFields": [], "responseFields": ["id"], "errors": [], "authRequired": true, "userStories": []}
            ]}),
        )
        .unwrap();
        let problems = vec![
            "$.endpoints[0].queryParams[1]: query parameter \"limit\" is declared twice",
            "$.endpoints[0].queryParams[2]: \"id\" is also a path parameter",
            "$.endpoints[0].queryParams[3]: needs a name",
            "$.endpoints[0].queryParams[4]: an enum needs at least one value",
            "$.endpoints[0].queryParams[5]: sort by \"rating\": not a field of Recipe",
        ];
        assert_eq!(validate(&api, &Upstream { data: Some(data), ..Default::default() }), problems);
        // Without the data model, what needs it is not judged.
        assert_eq!(validate(&api, &Upstream::default()), problems[..4]);
    }

    #[test]
    fn frontend_calls_and_imports_are_checked_against_the_api_and_the_files() {
        let p = crate::fixtures::examples::pantry();
        let up = Upstream { design: Some(p.design()), api: Some(p.api()), ..Default::default() };
        let mut fe = p.frontend();
        assert_eq!(validate(&Artifact::Frontend(fe.clone()), &up), Vec::<String>::new());
        let list = p
            .api()
            .endpoints
            .iter()
            .find(|e| e.method == HttpMethod::Get && !e.path.contains('{'))
            .unwrap()
            .path
            .clone();
        let at = fe.files.iter().position(|f| f.path == "src/main.ts").unwrap();
        let main = &mut fe.files[at];
        let n = main.content.lines().count();
        main.content.push_str(&format!(
            "import {{ format }} from 'date-fns';\nimport {{ Chart }} from './chart';\n\
             // fetch('/api/commented-out')\n\
             export const wipe = () => fetch('{list}', {{ method: 'DELETE' }});\n\
             export const nope = (id: string) => fetch('/api/nowhere/' + id);\n\
             export const again = () => fetch('{list}', {{ method: 'DELETE' }});\n"
        ));
        let problems = validate(&Artifact::Frontend(fe), &up);
        assert_eq!(
            problems,
            vec![
                format!("$.files[{at}].content: line {}: imports \"date-fns\", but package.json does not list the package \"date-fns\" in dependencies or devDependencies", n + 1),
                format!("$.files[{at}].content: line {}: import \"./chart\" resolves to no file of the artifact (no src/chart, src/chart.ts, .tsx, .js or src/chart/index.ts)", n + 2),
                format!("$.files[{at}].content: line {}: calls DELETE {list}, which the API does not declare (it declares GET {list}, POST {list})", n + 4),
                format!("$.files[{at}].content: line {}: calls GET /api/nowhere/…, which the API does not declare", n + 5),
            ]
        );
    }

    /// Not a timing assertion: prints what the frontend check costs on the
    /// largest example (250 endpoints), for the report.
    #[test]
    fn frontend_check_cost_on_the_large_product() {
        let p = crate::fixtures::examples::large(50);
        let up = Upstream { design: Some(p.design()), api: Some(p.api()), ..Default::default() };
        let fe = Artifact::Frontend(p.frontend());
        let Artifact::Frontend(files) = &fe else { unreachable!() };
        let bytes: usize = files.files.iter().map(|f| f.content.len()).sum();
        let runs = 20;
        let t0 = std::time::Instant::now();
        for _ in 0..runs {
            assert!(validate(&fe, &up).is_empty());
        }
        let each = t0.elapsed() / runs;
        let t1 = std::time::Instant::now();
        for _ in 0..runs {
            assert!(crate::check::imports::problems(&files.files).is_empty());
        }
        let imports = t1.elapsed() / runs;
        eprintln!(
            "frontend validation of large(50): {bytes} bytes in {} files, {each:?} per run, of which imports {imports:?}",
            files.files.len()
        );
    }

    #[test]
    fn file_paths_must_be_clean_and_relative() {
        let a = Artifact::Frontend(FrontendArtifact {
            framework: "vite".into(),
            files: ["src/a.ts", "/etc/passwd", "src/../x", "src/a.ts"]
                .iter()
                .map(|p| SourceFile { path: (*p).into(), language: "ts".into(), content: "x".into() })
                .collect(),
        });
        assert_eq!(
            validate(&a, &Upstream::default()),
            vec![
                "$.files[1].path: \"/etc/passwd\" is not a clean relative path",
                "$.files[2].path: \"src/../x\" is not a clean relative path",
                "$.files[3].path: \"src/a.ts\" appears twice",
            ]
        );
    }
}
