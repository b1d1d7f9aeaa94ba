//! The data model's drift: entities matched by table, their fields by
//! column (type as the dialect stores it, required, unique), primary and
//! foreign keys.

use super::pairing::{key_of, same_name, Pairing};
use super::relationships::relationship_drift;
use super::{value, Difference, DriftKind, DriftSource, SqlDialect, Stories};
use crate::artifact::{DataArtifact, Entity, Field, FieldType};
use crate::check::changes::Change;
use serde_json::Value;

/// Types SQL stores alike in a dialect; two fields whose types are in one
/// class are in step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeClass {
    /// Text: ids, strings and text everywhere; dates, times and JSON in SQLite.
    Text,
    /// Integers; booleans too in SQLite and MySQL.
    Integer,
    /// Decimal numbers.
    Decimal,
    /// Booleans (PostgreSQL).
    Boolean,
    /// Timestamps.
    Timestamp,
    /// Dates.
    Date,
    /// JSON.
    Json,
}

/// The class of `t` in `dialect`.
pub fn type_class(t: FieldType, dialect: SqlDialect) -> TypeClass {
    use FieldType as F;
    match (dialect, t) {
        (_, F::Id | F::String | F::Text) => TypeClass::Text,
        (SqlDialect::Sqlite, F::Timestamp | F::Date | F::Json) => TypeClass::Text,
        (SqlDialect::Sqlite | SqlDialect::Mysql, F::Boolean) | (_, F::Integer) => TypeClass::Integer,
        (_, F::Boolean) => TypeClass::Boolean,
        (_, F::Decimal) => TypeClass::Decimal,
        (_, F::Timestamp) => TypeClass::Timestamp,
        (_, F::Date) => TypeClass::Date,
        (_, F::Json) => TypeClass::Json,
    }
}

/// An entity without its fields (they are items of their own).
fn bare(e: &Entity) -> Value {
    value(&Entity { fields: vec![], ..e.clone() })
}

pub(super) fn data_drift(
    bp: &DataArtifact,
    repo: &DataArtifact,
    dialect: SqlDialect,
    stories: &Stories,
) -> Vec<Difference> {
    let mut pairs = Vec::new();
    for b in &bp.entities {
        if let Some(r) = repo.entities.iter().find(|r| same_name(&b.table, &r.table, dialect, false)) {
            pairs.push((b, r));
        }
    }
    let pairing = Pairing { pairs, dialect, bp, repo };
    let mut out = Vec::new();
    for b in &bp.entities {
        if !pairing.pairs.iter().any(|(x, _)| x.name == b.name) {
            let detail = format!("{}: table \"{}\" is in the blueprint, not in the repository", b.name, b.table);
            let touched = stories.of_entities(&[&b.name]);
            out.push(diff(DriftKind::Entity, Change::Removed, b.name.clone(), detail, bare(b), Value::Null, touched));
        }
    }
    for r in &repo.entities {
        if !pairing.pairs.iter().any(|(_, x)| x.name == r.name) {
            let detail = format!("{}: table \"{}\" is in the repository, not in the blueprint", r.name, r.table);
            out.push(diff(DriftKind::Entity, Change::Added, r.name.clone(), detail, Value::Null, bare(r), vec![]));
        }
    }
    for (b, r) in &pairing.pairs {
        out.extend(entity_drift(&pairing, b, r, stories));
    }
    out.extend(relationship_drift(&pairing, stories));
    out
}

/// One paired entity's drift: its fields (type, required, unique), their
/// foreign keys, columns only the repository has, and its primary key.
fn entity_drift(p: &Pairing, b: &Entity, r: &Entity, stories: &Stories) -> Vec<Difference> {
    let mut out = Vec::new();
    let touched = stories.of_entities(&[&b.name]);
    let (bp_key, repo_key) = (key_of(b), key_of(r));
    let id_field = |name: &String| format!("{}.{name}", b.name);
    for f in &b.fields {
        let Some(rf) = p.column(r, &f.name) else {
            let detail = format!("{}: in the blueprint, not in the repository", id_field(&f.name));
            out.push(diff(
                DriftKind::Field,
                Change::Removed,
                id_field(&f.name),
                detail,
                value(f),
                Value::Null,
                touched.clone(),
            ));
            continue;
        };
        let keyed = bp_key.contains(&f.name) || repo_key.contains(&rf.name);
        let mut parts = Vec::new();
        let (bt, rt) = (type_class(f.field_type, p.dialect), type_class(rf.field_type, p.dialect));
        // A reference or key column is what it is; its SQL type follows the key.
        if f.references.is_none() && rf.references.is_none() && !keyed && bt != rt {
            parts.push(format!("type {} in the blueprint, {} in the repository", f.field_type, rf.field_type));
        }
        let single_key = bp_key.len() == 1 && bp_key[0] == f.name;
        if !single_key && f.required != rf.required {
            let says = |r: bool| if r { "required" } else { "nullable" };
            parts.push(format!("{} in the blueprint, {} in the repository", says(f.required), says(rf.required)));
        }
        if !single_key && f.unique != rf.unique {
            let says = |u: bool| if u { "unique" } else { "not unique" };
            parts.push(format!("{} in the blueprint, {} in the repository", says(f.unique), says(rf.unique)));
        }
        if !parts.is_empty() {
            let detail = format!("{}: {}", id_field(&f.name), parts.join("; "));
            out.push(diff(
                DriftKind::Field,
                Change::Changed,
                id_field(&f.name),
                detail,
                value(f),
                value(rf),
                touched.clone(),
            ));
        }
        // The foreign key the renderer writes: to an entity with a single key.
        let bp_ref =
            f.references.as_ref().filter(|t| p.bp.entities.iter().any(|e| &&e.name == t && key_of(e).len() == 1));
        let repo_ref = rf.references.as_ref().map(|t| p.bp_name(t));
        if bp_ref != repo_ref.as_ref() {
            let says = |t: Option<&String>| t.map_or("no reference".to_string(), |t| format!("references {t}"));
            let detail = format!(
                "{}: {} in the blueprint, {} in the repository",
                id_field(&f.name),
                says(bp_ref),
                says(repo_ref.as_ref())
            );
            let change = match (bp_ref, &repo_ref) {
                (None, _) => Change::Added,
                (_, None) => Change::Removed,
                _ => Change::Changed,
            };
            let item = |field: &Field, to: Option<&String>| match to {
                Some(t) => serde_json::json!({"field": field.name, "references": t}),
                None => Value::Null,
            };
            out.push(diff(
                DriftKind::Key,
                change,
                id_field(&f.name),
                detail,
                item(f, bp_ref),
                item(rf, repo_ref.as_ref()),
                touched.clone(),
            ));
        }
    }
    for rf in &r.fields {
        if !b.fields.iter().any(|f| same_name(&f.name, &rf.name, p.dialect, true)) {
            let detail = format!("{}.{}: in the repository, not in the blueprint", b.name, rf.name);
            let id = format!("{}.{}", b.name, rf.name);
            out.push(diff(DriftKind::Field, Change::Added, id, detail, Value::Null, value(rf), touched.clone()));
        }
    }
    // The repository's key, in the blueprint's column names.
    let repo_key_named: Vec<String> = repo_key
        .iter()
        .map(|k| b.fields.iter().find(|f| same_name(&f.name, k, p.dialect, true)).map_or(k, |f| &f.name).clone())
        .collect();
    if bp_key != repo_key_named {
        let detail = format!(
            "{}: primary key ({}) in the blueprint, ({}) in the repository",
            b.name,
            bp_key.join(", "),
            repo_key.join(", ")
        );
        out.push(diff(
            DriftKind::Key,
            Change::Changed,
            b.name.clone(),
            detail,
            serde_json::json!({"primaryKey": bp_key}),
            serde_json::json!({"primaryKey": repo_key}),
            touched,
        ));
    }
    out
}

/// A difference found in the SQL.
fn diff(
    kind: DriftKind,
    change: Change,
    id: String,
    detail: String,
    blueprint: Value,
    repository: Value,
    stories: Vec<String>,
) -> Difference {
    Difference { kind, change, id, detail, blueprint, repository, stories, source: DriftSource::Sql }
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::super::*;
    use super::*;
    use crate::artifact::{Cardinality, Relationship};
    use crate::fixtures::examples;

    #[test]
    fn types_are_compared_as_the_dialect_stores_them() {
        let p = examples::pantry();
        let mut repo = p.data();
        let (e, f) = plain_field(&repo, FieldType::Timestamp);
        repo.entities[e].fields[f].field_type = FieldType::Text;
        // SQLite stores a timestamp as TEXT: no drift there; PostgreSQL tells them apart.
        assert!(against(Some(repo.clone()), SqlDialect::Sqlite, None).in_step);
        let r = against(Some(repo.clone()), SqlDialect::Postgres, None);
        let id = format!("{}.{}", repo.entities[e].name, repo.entities[e].fields[f].name);
        assert_eq!(found(&r), [(DriftKind::Field, Change::Changed, id.as_str())]);
        assert_eq!(r.differences[0].detail, format!("{id}: type timestamp in the blueprint, text in the repository"));
        assert_eq!(r.differences[0].source, DriftSource::Sql);
        assert_eq!(r.differences[0].repository["fieldType"], "text");
        // Decimal against integer is drift in every dialect.
        let mut repo = p.data();
        let (e, f) = plain_field(&repo, FieldType::Decimal);
        repo.entities[e].fields[f].field_type = FieldType::Integer;
        for dialect in SqlDialect::ALL {
            assert_eq!(against(Some(repo.clone()), *dialect, None).differences.len(), 1, "{dialect}");
        }
        assert_eq!(type_class(FieldType::Boolean, SqlDialect::Mysql), TypeClass::Integer);
        assert_eq!(type_class(FieldType::Boolean, SqlDialect::Postgres), TypeClass::Boolean);
    }

    #[test]
    fn nullability_uniqueness_and_keys_are_compared_and_a_dropped_table_is_one_finding() {
        let p = examples::pantry();
        let bp = p.data();
        let mut repo = bp.clone();
        let (e, f) = plain_field(&repo, FieldType::String);
        let name = repo.entities[e].name.clone();
        let field = repo.entities[e].fields[f].clone();
        repo.entities[e].fields[f].required = !field.required;
        repo.entities[e].fields[f].unique = !field.unique;
        // A reference the blueprint has is gone, and a table is dropped.
        let (re, rf) = repo
            .entities
            .iter()
            .enumerate()
            .find_map(|(i, e)| e.fields.iter().position(|f| f.references.is_some()).map(|j| (i, j)))
            .expect("a reference");
        let referencing = format!("{}.{}", repo.entities[re].name, repo.entities[re].fields[rf].name);
        repo.entities[re].fields[rf].references = None;
        let dropped = repo.entities.pop().expect("an entity");
        let r = against(Some(repo), SqlDialect::Postgres, None);
        let field_id = format!("{name}.{}", field.name);
        let mut expected = vec![
            (DriftKind::Entity, Change::Removed, dropped.name.as_str()),
            (DriftKind::Field, Change::Changed, field_id.as_str()),
            (DriftKind::Key, Change::Removed, referencing.as_str()),
        ];
        // The relationship that reference made is gone too, when the blueprint declares one.
        let rels: Vec<String> =
            r.differences.iter().filter(|d| d.kind == DriftKind::Relationship).map(|d| d.id.clone()).collect();
        assert!(rels.len() <= 1, "{rels:?}");
        for id in &rels {
            expected.push((DriftKind::Relationship, Change::Removed, id.as_str()));
        }
        assert_eq!(found(&r), expected, "{:#?}", r.differences);
        let changed = &r.differences[1];
        assert!(changed.detail.contains("in the blueprint") && changed.detail.contains("unique"), "{}", changed.detail);
        let stories = Stories { matrix: check(&[p.artifact(Stage::Prd), p.artifact(Stage::Api)]).matrix };
        assert_eq!(changed.stories, stories.of_entities(&[&name]));
        assert!(!changed.stories.is_empty());
    }

    #[test]
    fn a_changed_composite_key_and_an_added_relationship_are_named() {
        let p = examples::pantry();
        let mut repo = p.data();
        let (e, f) = plain_field(&repo, FieldType::String);
        let key = key_of(&repo.entities[e]);
        let extra = repo.entities[e].fields[f].name.clone();
        repo.entities[e].primary_key = Some(vec![key[0].clone(), extra.clone()]);
        // A repository table the blueprint lacks, linked to a blueprint entity: the
        // table is one finding; a link between two blueprint entities the
        // blueprint does not relate is a relationship added.
        let (a, b) = (repo.entities[0].name.clone(), repo.entities[1].name.clone());
        let mut link = repo.entities[1].clone();
        link.fields.retain(|f| f.field_type == FieldType::Id);
        link.fields[0].references = Some(a.clone());
        repo.relationships.retain(|r| !((r.from == a && r.to == b) || (r.from == b && r.to == a)));
        let r0 = against(Some(repo.clone()), SqlDialect::Sqlite, None);
        let keyed = r0.differences.iter().find(|d| d.kind == DriftKind::Key).expect("the key");
        assert_eq!((keyed.id.as_str(), keyed.change), (repo.entities[e].name.as_str(), Change::Changed));
        assert_eq!(keyed.repository["primaryKey"], serde_json::json!([key[0], extra]));
        repo.relationships.push(Relationship {
            from: a.clone(),
            to: b.clone(),
            cardinality: Cardinality::ManyToMany,
            label: "links".into(),
        });
        let bp_relates =
            p.data().relationships.iter().any(|r| (r.from == a && r.to == b) || (r.from == b && r.to == a));
        let r = against(Some(repo), SqlDialect::Sqlite, None);
        let rel = r.differences.iter().find(|d| d.kind == DriftKind::Relationship);
        if bp_relates {
            let rel = rel.expect("the cardinality differs");
            assert_eq!(rel.change, Change::Changed);
        } else {
            let rel = rel.expect("a relationship the blueprint lacks");
            assert_eq!((rel.id.clone(), rel.change), (format!("{a}->{b}"), Change::Added));
        }
    }
}
