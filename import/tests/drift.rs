//! The drift check over what Parit renders: a blueprint rendered to SQL
//! (`render::sql`, both dialects) and to OpenAPI (`render::openapi`) and
//! imported back is in step with itself, for every example and for
//! synthetic blueprints of many sizes; and a hand edit is found by id.

use parit_import::sql::SqlDialect as ImportDialect;
use parit_shared::artifact::{Artifact, FieldType};
use parit_shared::check::changes::Change;
use parit_shared::check::drift::{report, DriftKind, Report, Repository, SqlDialect};
use parit_shared::fixtures::examples::{self, ProductSpec};
use parit_shared::render::openapi::document;
use parit_shared::render::sql::{ddl, Dialect};
use parit_shared::Stage;

fn blueprint(p: &ProductSpec) -> Vec<(Artifact, u32)> {
    Stage::ALL.iter().map(|s| (p.artifact(*s), 1)).collect()
}

/// The drift of `p`'s blueprint against `sql` (in `dialect`) and `openapi`.
fn drift(p: &ProductSpec, sql: Option<(&str, SqlDialect)>, openapi: Option<&str>) -> Report {
    let data = sql.map(|(text, d)| {
        let dialect = ImportDialect::from_name(d.as_str()).expect("a dialect the importer reads");
        let imported = parit_import::sql::import(text, dialect).unwrap_or_else(|e| panic!("{}: {e:?}", p.key));
        (imported.artifact, d)
    });
    let api = openapi.map(|text| {
        parit_import::openapi::import(text, Some(&p.data())).unwrap_or_else(|e| panic!("{}: {e:?}", p.key)).artifact
    });
    report(&blueprint(p), Repository { data, api, not_imported: vec![] }).expect("the blueprint has both stages")
}

fn rendered_openapi(p: &ProductSpec) -> String {
    serde_json::to_string_pretty(&document(&p.name, &p.api(), &p.data())).expect("JSON")
}

fn products() -> Vec<ProductSpec> {
    let mut all = examples::all();
    all.extend([1, 2, 3, 7, 20].map(examples::large));
    all
}

#[test]
fn every_rendered_blueprint_imported_back_is_in_step() {
    for p in products() {
        for (render, dialect) in [(Dialect::Sqlite, SqlDialect::Sqlite), (Dialect::Postgres, SqlDialect::Postgres)] {
            let sql = ddl(&p.data(), render);
            let r = drift(&p, Some((&sql, dialect)), Some(&rendered_openapi(&p)));
            assert!(r.in_step, "{} as {dialect}: {:#?}", p.key, r.differences);
            assert!(r.differences.is_empty());
        }
    }
}

#[test]
fn a_hand_edited_schema_is_found_by_id_with_its_stories() {
    let p = examples::pantry();
    let data = p.data();
    let sql = ddl(&data, Dialect::Sqlite);
    // Pick a non-key text column, a table nothing references.
    let target = data
        .entities
        .iter()
        .find(|e| !data.entities.iter().any(|o| o.fields.iter().any(|f| f.references.as_deref() == Some(&e.name))))
        .expect("a table nothing references");
    let dropped = format!("CREATE TABLE \"{}\"", target.table);
    let kept: Vec<&str> = sql.split(";\n").filter(|s| !s.trim_start().starts_with(&dropped)).collect();
    assert!(kept.len() < sql.split(";\n").count(), "{sql}");
    let edited = kept.join(";\n") + "\nCREATE TABLE \"audit_notes\" (\"id\" TEXT PRIMARY KEY, \"note\" TEXT);\n";
    let r = drift(&p, Some((&edited, SqlDialect::Sqlite)), None);
    assert!(!r.in_step);
    let found: Vec<(DriftKind, Change, &str)> =
        r.differences.iter().map(|d| (d.kind, d.change, d.id.as_str())).collect();
    assert_eq!(
        found,
        [(DriftKind::Entity, Change::Added, "AuditNote"), (DriftKind::Entity, Change::Removed, target.name.as_str())]
    );
    let removed = &r.differences[1];
    assert!(!removed.stories.is_empty(), "{removed:?}");
    assert!(removed.stories.iter().all(|s| s.starts_with("US-")));
    assert_eq!(removed.repository, serde_json::Value::Null);
    assert_eq!(removed.blueprint["table"], target.table.as_str());
}

#[test]
fn a_changed_type_an_added_column_and_a_removed_endpoint_are_named() {
    let p = examples::clinic();
    let mut data = p.data();
    // The repository's SQL has a decimal column typed integer, and one column more.
    let (ei, fi) = data
        .entities
        .iter()
        .enumerate()
        .find_map(|(i, e)| e.fields.iter().position(|f| f.field_type == FieldType::String && !f.unique).map(|j| (i, j)))
        .expect("a string field");
    let entity = data.entities[ei].name.clone();
    let field = data.entities[ei].fields[fi].name.clone();
    data.entities[ei].fields[fi].field_type = FieldType::Integer;
    let mut extra = data.entities[ei].fields[fi].clone();
    extra.name = "legacy_code".into();
    data.entities[ei].fields.push(extra);
    let mut api = p.api();
    let gone = api.endpoints.remove(2);
    let openapi = serde_json::to_string(&document(&p.name, &api, &p.data())).unwrap();
    let r = drift(&p, Some((&ddl(&data, Dialect::Postgres), SqlDialect::Postgres)), Some(&openapi));
    let found: Vec<(DriftKind, Change, String)> =
        r.differences.iter().map(|d| (d.kind, d.change, d.id.clone())).collect();
    assert_eq!(
        found,
        [
            (DriftKind::Field, Change::Changed, format!("{entity}.{field}")),
            (DriftKind::Field, Change::Added, format!("{entity}.legacy_code")),
            (DriftKind::Endpoint, Change::Removed, gone.id.clone()),
        ]
    );
    let changed = r.differences.iter().find(|d| d.change == Change::Changed).unwrap();
    assert_eq!(changed.detail, format!("{entity}.{field}: type string in the blueprint, integer in the repository"));
    let endpoint = r.differences.iter().find(|d| d.kind == DriftKind::Endpoint).unwrap();
    assert_eq!(endpoint.stories, gone.user_stories);
    assert_eq!(r.compared.data.map(|c| c.version), Some(1));
}

mod generated {
    //! Blueprints generated by proptest, with names SQL and OpenAPI must
    //! quote or map (reserved words, case, spaces, quotes, non-ASCII, names
    //! longer than PostgreSQL keeps), references, link tables with composite
    //! keys, every field type and query parameters of every type.

    use super::*;
    use parit_shared::artifact::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    const NAMES: &[&str] = &[
        "order",
        "select",
        "user",
        "group",
        "UPPER",
        "MiXeD",
        "space name",
        "it's",
        "a\"b",
        "Café",
        "x",
        "oid",
        "sqlite_master",
        "a_very_long_name_that_goes_on_and_on_past_the_sixty_three_byte_limit_of_postgres",
        "line_item",
        "status",
    ];

    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            2 => proptest::sample::select(NAMES).prop_map(str::to_string),
            1 => "[a-z][a-z0-9_]{0,10}",
        ]
    }

    /// Names unique ignoring case, in order.
    fn distinct(names: Vec<String>) -> Vec<String> {
        let mut seen = BTreeSet::new();
        names.into_iter().filter(|n| seen.insert(n.to_lowercase())).collect()
    }

    fn field(name: String, field_type: FieldType, required: bool, unique: bool, references: Option<String>) -> Field {
        Field { name, field_type, required, unique, references, description: String::new() }
    }

    type RawEntity = (String, Vec<(String, FieldType, bool, bool)>, Option<usize>);

    fn build(raw: Vec<RawEntity>, link: bool) -> DataArtifact {
        let tables = distinct(raw.iter().map(|r| r.0.clone()).collect());
        let mut entities: Vec<Entity> = Vec::new();
        let mut relationships = Vec::new();
        for (i, table) in tables.iter().enumerate() {
            let spec = &raw[i];
            let mut names = vec!["id".to_string()];
            names.extend(spec.1.iter().map(|f| f.0.clone()));
            let mut fields: Vec<Field> = distinct(names)
                .into_iter()
                .map(|n| match spec.1.iter().find(|f| f.0 == n) {
                    Some((_, t, r, u)) if n != "id" => field(n, *t, *r, *u, None),
                    _ => field(n, FieldType::Id, true, true, None),
                })
                .collect();
            let name = format!("Entity{i}");
            if let Some(target) = spec.2.filter(|t| *t < i) {
                let column = format!("{}_ref", entities[target].table);
                if !fields.iter().any(|f| f.name.eq_ignore_ascii_case(&column)) {
                    fields.push(field(column, FieldType::Id, i % 2 == 0, false, Some(entities[target].name.clone())));
                    relationships.push(Relationship {
                        from: entities[target].name.clone(),
                        to: name.clone(),
                        cardinality: Cardinality::OneToMany,
                        label: "has".into(),
                    });
                }
            }
            entities.push(Entity { name, table: table.clone(), description: String::new(), fields, primary_key: None });
        }
        if link && entities.len() >= 2 && !tables.iter().any(|t| t.eq_ignore_ascii_case("links")) {
            let fields: Vec<Field> = (0..2)
                .map(|k| field(format!("ref_{k}"), FieldType::Id, true, false, Some(entities[k].name.clone())))
                .collect();
            relationships.push(Relationship {
                from: entities[0].name.clone(),
                to: entities[1].name.clone(),
                cardinality: Cardinality::ManyToMany,
                label: "linked".into(),
            });
            entities.push(Entity {
                name: "Link".into(),
                table: "links".into(),
                description: String::new(),
                primary_key: Some(fields.iter().map(|f| f.name.clone()).collect()),
                fields,
            });
        }
        DataArtifact { entities, relationships, indexes: vec![] }
    }

    fn data_model() -> impl Strategy<Value = DataArtifact> {
        let field_type =
            proptest::sample::select(FieldType::ALL.to_vec()).prop_filter("not id", |t| *t != FieldType::Id);
        let entity = (
            name(),
            proptest::collection::vec((name(), field_type, any::<bool>(), any::<bool>()), 1..6),
            proptest::option::of(0..5usize),
        );
        (proptest::collection::vec(entity, 1..5), any::<bool>()).prop_map(|(raw, link)| build(raw, link))
    }

    /// Per entity (not link tables): list with query parameters, create, read, change, delete.
    fn api_for(data: &DataArtifact, params: &[(String, ParamType, bool)]) -> ApiArtifact {
        let mut endpoints = Vec::new();
        for (i, e) in data.entities.iter().filter(|e| e.primary_key.is_none()).enumerate() {
            let all: Vec<String> = e.fields.iter().map(|f| f.name.clone()).collect();
            let base = format!("/api/things{i}");
            let mut add = |method, path: String, request: Vec<String>, query: Vec<QueryParam>| {
                endpoints.push(Endpoint {
                    id: format!("EP-{}", endpoints.len() + 1),
                    method,
                    path,
                    summary: format!("{method} {}", e.name),
                    entity: e.name.clone(),
                    query_params: query,
                    request_fields: request,
                    response_fields: all.clone(),
                    errors: vec![400, 404],
                    auth_required: true,
                    user_stories: vec![],
                });
            };
            let query = distinct(params.iter().map(|p| p.0.clone()).collect())
                .into_iter()
                .filter_map(|n| params.iter().find(|p| p.0 == n))
                .map(|(n, t, required)| QueryParam {
                    name: n.clone(),
                    param_type: *t,
                    values: if *t == ParamType::Enum { vec!["a".into(), "b c".into()] } else { vec![] },
                    required: *required,
                    description: String::new(),
                })
                .collect();
            add(HttpMethod::Get, base.clone(), vec![], query);
            add(HttpMethod::Post, base.clone(), all[1..].to_vec(), vec![]);
            add(HttpMethod::Get, format!("{base}/{{id}}"), vec![], vec![]);
            add(HttpMethod::Patch, format!("{base}/{{id}}"), all[1..].to_vec(), vec![]);
            add(HttpMethod::Delete, format!("{base}/{{id}}"), vec![], vec![]);
        }
        ApiArtifact { auth_scheme: "bearer".into(), endpoints }
    }

    fn params() -> impl Strategy<Value = Vec<(String, ParamType, bool)>> {
        let t = proptest::sample::select(ParamType::ALL.to_vec());
        proptest::collection::vec(("[a-z][a-z_]{0,8}".prop_filter("not sort", |n| n != "sort"), t, any::<bool>()), 0..4)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn a_generated_blueprint_rendered_and_imported_back_is_in_step(data in data_model(), query in params()) {
            let api = api_for(&data, &query);
            let blueprint = vec![(Artifact::Data(data.clone()), 1), (Artifact::Api(api.clone()), 1)];
            let openapi = serde_json::to_string(&document("Generated", &api, &data)).unwrap();
            for (render, dialect) in [(Dialect::Sqlite, SqlDialect::Sqlite), (Dialect::Postgres, SqlDialect::Postgres)] {
                let sql = ddl(&data, render);
                let reads = ImportDialect::from_name(dialect.as_str()).unwrap();
                let imported = parit_import::sql::import(&sql, reads).map_err(|e| TestCaseError::fail(format!("{e:?}\n{sql}")))?;
                let repo_api = match api.endpoints.is_empty() {
                    true => None,
                    false => Some(parit_import::openapi::import(&openapi, Some(&data)).map_err(|e| TestCaseError::fail(format!("{e:?}")))?.artifact),
                };
                let r = report(&blueprint, Repository { data: Some((imported.artifact, dialect)), api: repo_api, not_imported: vec![] }).unwrap();
                prop_assert!(r.in_step, "{dialect}: {:#?}\n{sql}", r.differences);
            }
        }
    }
}
