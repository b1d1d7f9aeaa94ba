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
