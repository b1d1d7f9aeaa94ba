//! The tables read from SQL, as Parit's data model: which tables can be
//! entities, their fields and keys, references, relationships and indexes —
//! and, for everything else, why it was left out.

use super::names::entity_names;
use super::schema::{Column, Schema, Table};
use super::types;
use super::SqlDialect as Dialect;
use crate::{ImportError, NotImported};
use parit_shared::artifact::{Cardinality, DataArtifact, Entity, Field, FieldType, Index, Relationship};
use std::collections::{BTreeMap, HashSet};

/// The data model, a line per thing imported, and what was left out.
pub(crate) struct Built {
    /// The data model.
    pub(crate) data: DataArtifact,
    /// One line per table and index, and one for the relationships.
    pub(crate) imported: Vec<String>,
    /// What the model cannot hold.
    pub(crate) notes: Vec<NotImported>,
}

/// A table that becomes an entity.
struct Kept<'a> {
    table: &'a Table,
    entity: String,
    /// The one key column, when the key is a single column.
    key: Option<&'a str>,
}

fn note(notes: &mut Vec<NotImported>, what: String, why: impl Into<String>, line: u32) {
    notes.push(NotImported { what, why: why.into(), line: (line > 0).then_some(line) });
}

/// Why `t` cannot be an entity, if it cannot.
fn exclusion(t: &Table, seen: &mut HashSet<String>) -> Option<String> {
    if !seen.insert(t.name.to_lowercase()) {
        return Some("a table of this name is created earlier in the input; only the first is imported".into());
    }
    if !t.inherits.is_empty() {
        return Some(format!(
            "it inherits its columns from {}; the data model has no table inheritance",
            t.inherits.join(", ")
        ));
    }
    if t.columns.is_empty() {
        return Some("it declares no columns".into());
    }
    match &t.primary_key {
        None => Some("it has no primary key, and an entity needs one (a field of type id, or a key of several fields); no column is invented for it".into()),
        Some(key) if key.iter().any(|k| !t.columns.iter().any(|c| &c.name == k)) => {
            Some("its primary key names a column it does not declare".into())
        }
        Some(_) => None,
    }
}

/// The field type of a column, and what the mapping loses.
fn field_type(c: &Column, schema: &Schema, dialect: Dialect) -> (FieldType, Option<String>) {
    let named = c.sql_type.rsplit('.').next().unwrap_or_default().trim_matches('"');
    if let Some((name, labels)) = schema.enums.iter().find(|(n, _)| n.eq_ignore_ascii_case(named)) {
        return (
            FieldType::String,
            Some(format!("enum type {name} ({}) becomes a string; its values are not kept", labels.join(", "))),
        );
    }
    if let Some((name, base)) = schema.domains.iter().find(|(n, _)| n.eq_ignore_ascii_case(named)) {
        return match types::map(base) {
            Some(m) => (m.field_type, Some(format!("domain {name} becomes its base type {base}"))),
            None => {
                (FieldType::Text, Some(format!("domain {name} over {base}, which has no Parit type; imported as text")))
            }
        };
    }
    match (types::map(&c.sql_type), dialect) {
        (Some(m), _) => (m.field_type, m.loss.map(|l| format!("{}: {l}", c.sql_type))),
        (None, Dialect::Sqlite) => {
            let m = types::sqlite_affinity(&c.sql_type);
            (m.field_type, m.loss.map(|l| format!("{}: {l} ({})", c.sql_type, m.field_type)))
        }
        (None, Dialect::Postgres | Dialect::Mysql) => {
            (FieldType::Text, Some(format!("{} has no Parit type; imported as text", c.sql_type)))
        }
    }
}

/// Builds the data model from `schema`; an error when no table can be an entity.
pub(crate) fn build(schema: &Schema, dialect: Dialect) -> Result<Built, ImportError> {
    let mut notes = Vec::new();
    let mut seen = HashSet::new();
    let mut kept_tables = Vec::new();
    for t in &schema.tables {
        match exclusion(t, &mut seen) {
            Some(why) => {
                let indexes = schema.indexes.iter().filter(|i| i.table.eq_ignore_ascii_case(&t.name)).count();
                let also = match (t.foreign_keys.len(), indexes) {
                    (0, 0) => String::new(),
                    (f, i) => format!("; its {f} foreign key(s) and {i} index(es) are left out with it"),
                };
                note(&mut notes, format!("table \"{}\"", t.name), format!("{why}{also}"), t.line);
            }
            None => kept_tables.push(t),
        }
    }
    if kept_tables.is_empty() {
        return Err(no_entities(schema, &notes));
    }
    let names = entity_names(kept_tables.iter().map(|t| t.name.as_str()));
    let kept: Vec<Kept> = kept_tables
        .iter()
        .zip(names)
        .map(|(t, entity)| {
            let key = match t.primary_key.as_deref() {
                Some([k]) => Some(k.as_str()),
                _ => None,
            };
            Kept { table: t, entity, key }
        })
        .collect();
    let by_table: BTreeMap<String, &Kept> = kept.iter().map(|k| (k.table.name.to_lowercase(), k)).collect();
    let mut entities = Vec::new();
    let mut relationships = Vec::new();
    let mut imported = Vec::new();
    for k in &kept {
        let references = references(k, schema, &by_table, &mut notes);
        let entity = entity(k, schema, dialect, &references, &mut notes);
        relationships.extend(relations(k, &entity));
        imported.push(format!(
            "table \"{}\" → {}: {} fields, key {}",
            k.table.name,
            entity.name,
            entity.fields.len(),
            match &entity.primary_key {
                Some(cols) => format!("({})", cols.join(", ")),
                None => k.key.unwrap_or_default().to_string(),
            }
        ));
        table_notes(k.table, &mut notes);
        entities.push(entity);
    }
    let indexes = indexes(schema, &kept, &by_table, &mut notes, &mut imported);
    if !relationships.is_empty() {
        imported.push(relationship_line(&relationships));
    }
    Ok(Built { data: DataArtifact { entities, relationships, indexes }, imported, notes })
}

fn no_entities(schema: &Schema, notes: &[NotImported]) -> ImportError {
    let message = if schema.tables.is_empty() {
        "The SQL creates no tables (no CREATE TABLE statement): there is nothing to import.".to_string()
    } else {
        let reasons: Vec<String> = notes.iter().map(|n| format!("{}: {}", n.what, n.why)).collect();
        format!("None of the {} tables can be an entity: {}.", schema.tables.len(), reasons.join("; "))
    };
    ImportError { message, line: None, column: None, expected: None, findings: Vec::new() }
}

/// The entity each column references, after every foreign key is checked.
fn references(
    k: &Kept,
    schema: &Schema,
    by_table: &BTreeMap<String, &Kept>,
    notes: &mut Vec<NotImported>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for fk in &k.table.foreign_keys {
        let what = format!("foreign key \"{}\" ({}) → \"{}\"", k.table.name, fk.columns.join(", "), fk.table);
        let target = by_table.get(&fk.table.to_lowercase());
        let why = match (fk.columns.as_slice(), target) {
            (cols, _) if cols.len() != 1 => Some(
                "a reference of several columns cannot be one field's reference; the columns are imported without it"
                    .to_string(),
            ),
            (_, None) if schema.tables.iter().any(|t| t.name.eq_ignore_ascii_case(&fk.table)) => {
                Some(format!("table \"{}\" is not imported", fk.table))
            }
            (_, None) => Some(format!("table \"{}\" is not created in this input", fk.table)),
            (_, Some(t)) if t.key.is_none() => {
                Some(format!("table \"{}\" has a key of several columns, which one field cannot reference", fk.table))
            }
            (_, Some(t)) if !fk.referred.is_empty() && fk.referred.as_slice() != [t.key.unwrap_or_default()] => {
                Some(format!(
                    "it references column {} of \"{}\", not its primary key; a Parit reference points at the key",
                    fk.referred.join(", "),
                    fk.table
                ))
            }
            ([col], Some(_)) if out.contains_key(col) => Some("the column already has a reference".to_string()),
            ([col], Some(_)) if !k.table.columns.iter().any(|c| &c.name == col) => {
                Some(format!("the table has no column {col}"))
            }
            _ => None,
        };
        match (why, target) {
            (Some(why), _) => note(notes, what, why, fk.line),
            (None, Some(t)) => {
                out.insert(fk.columns[0].clone(), t.entity.clone());
            }
            (None, None) => {}
        }
    }
    out
}

fn entity(
    k: &Kept,
    schema: &Schema,
    dialect: Dialect,
    references: &BTreeMap<String, String>,
    notes: &mut Vec<NotImported>,
) -> Entity {
    let t = k.table;
    let composite = t.primary_key.clone().filter(|key| key.len() > 1);
    let mut names = HashSet::new();
    let mut fields = Vec::new();
    for c in &t.columns {
        if !names.insert(c.name.to_lowercase()) {
            note(
                notes,
                format!("column \"{}\".\"{}\"", t.name, c.name),
                "a column of the same name (ignoring case) comes earlier; field names must differ",
                t.line,
            );
            continue;
        }
        let (mapped, loss) = field_type(c, schema, dialect);
        let is_key = k.key == Some(c.name.as_str());
        if is_key && !matches!(mapped, FieldType::String | FieldType::Text) {
            note(
                notes,
                format!("table \"{}\" key type", t.name),
                format!("{} becomes the entity's id field, which the renderers write as TEXT; its SQL type {} is kept only in the field's description", c.name, c.sql_type),
                t.line,
            );
        } else if let Some(loss) = loss {
            note(notes, format!("column \"{}\".\"{}\" type", t.name, c.name), loss, t.line);
        }
        fields.push(Field {
            name: c.name.clone(),
            field_type: if is_key { FieldType::Id } else { mapped },
            required: c.not_null || is_key,
            unique: c.unique && !is_key,
            references: references.get(&c.name).cloned(),
            description: c.comment.clone().unwrap_or_else(|| format!("{} column of table {}.", c.sql_type, t.name)),
        });
    }
    Entity {
        name: k.entity.clone(),
        table: t.name.clone(),
        description: t.comment.clone().unwrap_or_else(|| format!("Imported from table {}.", t.name)),
        fields,
        primary_key: composite,
    }
}

/// Whether `e` is a link table: its key is exactly two references.
fn link_targets(e: &Entity) -> Option<(String, String)> {
    let key = e.primary_key.as_deref()?;
    let target = |name: &String| e.fields.iter().find(|f| &f.name == name).and_then(|f| f.references.clone());
    match key {
        [a, b] => Some((target(a)?, target(b)?)),
        _ => None,
    }
}

/// The relationships `e` takes part in as the referencing side: one
/// many_to_many for a link table (instead of its two references), and one per
/// other reference (one_to_one when the column is unique or the key).
fn relations(k: &Kept, e: &Entity) -> Vec<Relationship> {
    let link = link_targets(e);
    let key = e.primary_key.clone().unwrap_or_default();
    let mut out = Vec::new();
    if let Some((a, b)) = &link {
        out.push(Relationship {
            from: a.clone(),
            to: b.clone(),
            cardinality: Cardinality::ManyToMany,
            label: format!("linked through {}", k.table.name),
        });
    }
    for f in &e.fields {
        let Some(target) = &f.references else { continue };
        if link.is_some() && key.contains(&f.name) {
            continue;
        }
        let one = f.unique || f.field_type == FieldType::Id;
        out.push(Relationship {
            from: target.clone(),
            to: e.name.clone(),
            cardinality: if one { Cardinality::OneToOne } else { Cardinality::OneToMany },
            label: format!("has ({})", f.name),
        });
    }
    out
}

fn relationship_line(rels: &[Relationship]) -> String {
    let count = |c: Cardinality| rels.iter().filter(|r| r.cardinality == c).count();
    let links: Vec<String> = rels
        .iter()
        .filter(|r| r.cardinality == Cardinality::ManyToMany)
        .map(|r| r.label.trim_start_matches("linked through ").to_string())
        .collect();
    let mut line = format!(
        "{} relationships: {} one_to_many, {} one_to_one, {} many_to_many",
        rels.len(),
        count(Cardinality::OneToMany),
        count(Cardinality::OneToOne),
        count(Cardinality::ManyToMany)
    );
    if !links.is_empty() {
        line.push_str(&format!(" (link tables {})", links.join(", ")));
    }
    line
}

/// Defaults, column options, referential actions and CHECKs of a table.
fn table_notes(t: &Table, notes: &mut Vec<NotImported>) {
    if !t.defaults.is_empty() {
        note(
            notes,
            format!("table \"{}\" defaults", t.name),
            format!("the data model has no defaults: {}", t.defaults.join(", ")),
            t.line,
        );
    }
    if !t.options.is_empty() {
        note(
            notes,
            format!("table \"{}\" column options", t.name),
            format!("the data model cannot express {}", t.options.join(", ")),
            t.line,
        );
    }
    for fk in t.foreign_keys.iter().filter(|fk| !fk.actions.is_empty()) {
        note(
            notes,
            format!("foreign key \"{}\" ({}) actions", t.name, fk.columns.join(", ")),
            format!("the data model has no referential actions: {}", fk.actions.join(" ")),
            fk.line,
        );
    }
    for (check, line) in &t.checks {
        note(
            notes,
            format!("table \"{}\" check", t.name),
            format!("the data model has no CHECK constraints: {check}"),
            *line,
        );
    }
}

fn indexes(
    schema: &Schema,
    kept: &[Kept],
    by_table: &BTreeMap<String, &Kept>,
    notes: &mut Vec<NotImported>,
    imported: &mut Vec<String>,
) -> Vec<Index> {
    let mut out = Vec::new();
    for ix in &schema.indexes {
        let what = format!("index \"{}\" on \"{}\"", ix.name.as_deref().unwrap_or(""), ix.table);
        let Some(k) = by_table.get(&ix.table.to_lowercase()) else {
            if !schema.tables.iter().any(|t| t.name.eq_ignore_ascii_case(&ix.table)) {
                note(notes, what, "the table is not created in this input", ix.line);
            }
            continue;
        };
        let why = match (&ix.columns, &ix.predicate) {
            (None, _) => Some("it indexes an expression; the data model indexes fields".to_string()),
            (_, Some(p)) => Some(format!("a partial index (WHERE {p}); without its condition it would enforce more")),
            (Some(cols), None) if cols.iter().any(|c| !k.table.columns.iter().any(|x| &x.name == c)) => {
                Some("it names a column the table does not declare".to_string())
            }
            _ => None,
        };
        if let Some(why) = why {
            note(notes, what, why, ix.line);
            continue;
        }
        let fields = ix.columns.clone().unwrap_or_default();
        if let Some(m) = ix.method.as_deref().filter(|m| !m.eq_ignore_ascii_case("btree")) {
            note(
                notes,
                format!("{what} method"),
                format!("the data model has no index methods; USING {m} is not kept"),
                ix.line,
            );
        }
        imported.push(format!(
            "{}index on {} ({})",
            if ix.unique { "unique " } else { "" },
            k.entity,
            fields.join(", ")
        ));
        out.push(Index { entity: k.entity.clone(), fields, unique: ix.unique });
    }
    for k in kept {
        for cols in &k.table.unique_sets {
            if cols.iter().any(|c| !k.table.columns.iter().any(|x| &x.name == c)) {
                let what = format!("table \"{}\" unique constraint ({})", k.table.name, cols.join(", "));
                note(notes, what, "it names a column the table does not declare", k.table.line);
                continue;
            }
            imported.push(format!("unique constraint on {} ({}) → unique index", k.entity, cols.join(", ")));
            out.push(Index { entity: k.entity.clone(), fields: cols.clone(), unique: true });
        }
    }
    out
}
