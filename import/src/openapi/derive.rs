//! Entities derived from a document's own schemas, for the operations that
//! match no entity of the data model (or when there is no data model yet).
//!
//! A component schema with properties (`#/components/schemas/AlbumObject`,
//! through `$ref` and `allOf`) becomes an entity: its name without the
//! affixes schema names carry (`AlbumObject` → `Album`, `CreatePetRequest` →
//! `Pet`), a snake_case plural table, one field per property with its type
//! from the schema's `type` and `format`, `required` from the schema's
//! `required` list, and a `$ref` to another object schema as a reference
//! field (`album` → `album_id`, referencing the entity derived from it, and a
//! one_to_many relationship). A property `id` is the key; a schema without
//! one gets an `id` key, said in the import's lines. Arrays and nested
//! objects are JSON fields, listed as not imported as relations. Depth and
//! count are bounded, so no document can make the model grow without end.

use super::document::Node;
use super::names::entity_words;
use crate::NotImported;
use parit_shared::artifact::{Cardinality, Entity, Field, FieldType, Relationship};

/// How many entities one document may add.
const MAX_DERIVED: usize = 64;
/// How deep references are followed to derive the entities they name.
const MAX_DEPTH: usize = 3;
/// How many `allOf` levels a schema's properties are gathered through.
const MAX_MERGE: usize = 8;

/// The entities derived so far, their relationships, and what they could not hold.
#[derive(Default)]
pub(crate) struct Derived {
    /// Derived entities, with the component schema each came from.
    pub(crate) entities: Vec<(String, Entity)>,
    /// Relationships between derived entities (and to existing ones).
    pub(crate) relationships: Vec<Relationship>,
    /// One line per derived entity.
    pub(crate) lines: Vec<String>,
    /// What the derived entities leave out.
    pub(crate) notes: Vec<NotImported>,
}

/// PascalCase of words: `["album", "track"]` → `AlbumTrack`.
fn pascal(words: &[String]) -> String {
    words.iter().map(|w| w[..1].to_ascii_uppercase() + &w[1..]).collect()
}

/// English plural of a snake_case word's last part.
fn plural(s: &str) -> String {
    if s.ends_with('y') && !s.ends_with("ay") && !s.ends_with("ey") && !s.ends_with("oy") {
        format!("{}ies", &s[..s.len() - 1])
    } else if ["s", "x", "ch", "sh", "z"].iter().any(|e| s.ends_with(e)) {
        format!("{s}es")
    } else {
        format!("{s}s")
    }
}

/// The type of a property's schema (OpenAPI 3.1 allows `["string", "null"]`).
fn type_of(schema: &Node) -> Option<&str> {
    match schema.get("type") {
        Some(Node::String(t)) => Some(t.as_str()),
        Some(Node::Array(items)) => items.iter().filter_map(Node::as_str).find(|t| *t != "null"),
        _ => None,
    }
}

fn field_type(schema: &Node) -> FieldType {
    let format = schema.get("format").and_then(Node::as_str).unwrap_or("");
    match (type_of(schema), format) {
        (Some("string"), "date-time") => FieldType::Timestamp,
        (Some("string"), "date") => FieldType::Date,
        (Some("string"), _) => FieldType::String,
        (Some("integer"), _) => FieldType::Integer,
        (Some("number"), _) => FieldType::Decimal,
        (Some("boolean"), _) => FieldType::Boolean,
        (Some("array" | "object"), _) => FieldType::Json,
        // No type: `oneOf`, `anyOf`, or anything at all.
        _ => FieldType::Json,
    }
}

fn first_line(s: &str) -> String {
    let line = s.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default();
    line.chars().take(200).collect()
}

/// A schema's properties (name, schema) and required names, gathered
/// through local `$ref` and `allOf`.
fn properties<'a>(
    root: &'a Node,
    schema: &'a Node,
    out: &mut Vec<(&'a str, &'a Node)>,
    required: &mut Vec<&'a str>,
    depth: usize,
) {
    if depth > MAX_MERGE {
        return;
    }
    if let Some(r) = schema.get("$ref").and_then(Node::as_str) {
        if let Some(target) = r.strip_prefix('#').and(root.pointer(r)) {
            properties(root, target, out, required, depth + 1);
        }
        return;
    }
    for s in schema.get("allOf").map(Node::items).unwrap_or_default() {
        properties(root, s, out, required, depth + 1);
    }
    for e in schema.get("properties").map(Node::entries).unwrap_or_default() {
        if !out.iter().any(|(k, _)| *k == e.key) {
            out.push((e.key.as_str(), &e.value));
        }
    }
    required.extend(schema.get("required").map(Node::items).unwrap_or_default().iter().filter_map(Node::as_str));
}

/// The component schema a `$ref` names, when it is local: `#/components/schemas/X` → `X`.
fn component(r: &str) -> Option<&str> {
    r.strip_prefix("#/components/schemas/").filter(|n| !n.contains('/'))
}

/// Derives entities from a document's component schemas.
pub(crate) struct Deriver<'a> {
    root: &'a Node,
    /// Names (lower case) and tables (lower case) already taken.
    taken: Vec<(String, String)>,
    pub(crate) derived: Derived,
}

impl<'a> Deriver<'a> {
    /// A deriver for `root`, next to the data model's existing entities.
    pub(crate) fn new(root: &'a Node, existing: &[Entity]) -> Self {
        let taken = existing.iter().map(|e| (e.name.to_lowercase(), e.table.to_lowercase())).collect();
        Deriver { root, taken, derived: Derived::default() }
    }

    /// The entity derived from component schema `name` (deriving it, and the
    /// entities its references name, when not yet done), or `None` when the
    /// schema has no properties, does not exist, or the bound is reached.
    pub(crate) fn entity(&mut self, name: &str, words: Vec<String>) -> Option<String> {
        self.derive(name, words, 0)
    }

    /// The entity derived from an inline schema (one no component names),
    /// named by `words` (from the operation's tag or path): `source` says
    /// where it is, e.g. `GET /posts.json response`.
    pub(crate) fn inline(&mut self, source: &str, words: Vec<String>, schema: &'a Node) -> Option<String> {
        let name = pascal(&words);
        if let Some((_, e)) = self.derived.entities.iter().find(|(_, e)| e.name.eq_ignore_ascii_case(&name)) {
            return Some(e.name.clone());
        }
        self.build(source, schema, words, 0)
    }

    fn derive(&mut self, schema_name: &str, words: Vec<String>, depth: usize) -> Option<String> {
        if let Some((_, e)) = self.derived.entities.iter().find(|(s, _)| s == schema_name) {
            return Some(e.name.clone());
        }
        let root = self.root;
        let schema = root.get("components")?.get("schemas")?.get(schema_name)?;
        self.build(schema_name, schema, words, depth)
    }

    fn build(&mut self, schema_name: &str, schema: &'a Node, words: Vec<String>, depth: usize) -> Option<String> {
        let root = self.root;
        let mut props = Vec::new();
        let mut required = Vec::new();
        properties(root, schema, &mut props, &mut required, 0);
        if props.is_empty() || words.is_empty() || self.derived.entities.len() >= MAX_DERIVED {
            return None;
        }
        let name = pascal(&words);
        // The same name from another schema (`AlbumObject`, `SimplifiedAlbumObject`
        // → distinct; `Pet`, `NewPet` → one): the first one stands.
        if let Some((_, e)) = self.derived.entities.iter().find(|(_, e)| e.name.eq_ignore_ascii_case(&name)) {
            return Some(e.name.clone());
        }
        if self.taken.iter().any(|(n, _)| *n == name.to_lowercase()) {
            return None;
        }
        let mut table = plural(&words.join("_"));
        let mut n = 2;
        while self.taken.iter().any(|(_, t)| *t == table) {
            table = format!("{}_{n}", plural(&words.join("_")));
            n += 1;
        }
        self.taken.push((name.to_lowercase(), table.clone()));
        // Placeholder first, so a reference back to this schema finds it.
        let index = self.derived.entities.len();
        self.derived.entities.push((
            schema_name.to_string(),
            Entity { name: name.clone(), table, description: String::new(), fields: Vec::new(), primary_key: None },
        ));
        let mut fields: Vec<Field> = Vec::new();
        let mut json_relations = Vec::new();
        for (prop, prop_schema) in props {
            let description = prop_schema.get("description").and_then(Node::as_str).map(first_line).unwrap_or_default();
            let reference = prop_schema.get("$ref").and_then(Node::as_str).and_then(component).or_else(|| {
                prop_schema
                    .get("allOf")
                    .map(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .find_map(|s| s.get("$ref").and_then(Node::as_str).and_then(component))
            });
            let target = match reference {
                Some(target_schema) if depth < MAX_DEPTH => {
                    self.derive(target_schema, entity_words(target_schema), depth + 1)
                }
                _ => None,
            };
            let field = match target {
                Some(target) => {
                    let field_name = if prop.bytes().any(|b| b.is_ascii_uppercase()) {
                        format!("{prop}Id")
                    } else {
                        format!("{prop}_id")
                    };
                    self.derived.relationships.push(Relationship {
                        from: target.clone(),
                        to: name.clone(),
                        cardinality: Cardinality::OneToMany,
                        label: format!("is the {prop} of"),
                    });
                    Field {
                        name: field_name,
                        field_type: FieldType::String,
                        required: required.contains(&prop),
                        unique: false,
                        references: Some(target),
                        description,
                    }
                }
                None => {
                    let resolved = match prop_schema.get("$ref").and_then(Node::as_str) {
                        Some(r) if r.starts_with('#') => root.pointer(r).unwrap_or(prop_schema),
                        _ => prop_schema,
                    };
                    let field_type = if prop.eq_ignore_ascii_case("id") { FieldType::Id } else { field_type(resolved) };
                    if field_type == FieldType::Json && (reference.is_some() || type_of(resolved) == Some("array")) {
                        json_relations.push(prop.to_string());
                    }
                    Field {
                        name: prop.to_string(),
                        field_type,
                        required: field_type == FieldType::Id || required.contains(&prop),
                        unique: false,
                        references: None,
                        description,
                    }
                }
            };
            if !fields.iter().any(|f| f.name.eq_ignore_ascii_case(&field.name)) {
                fields.push(field);
            }
        }
        let ids = fields.iter().filter(|f| f.field_type == FieldType::Id).count();
        let added_key = ids == 0;
        if added_key {
            let taken = fields.iter().any(|f| f.name.eq_ignore_ascii_case("id"));
            let key = if taken { format!("{}_key", words.join("_")) } else { "id".to_string() };
            fields.insert(
                0,
                Field {
                    name: key,
                    field_type: FieldType::Id,
                    required: true,
                    unique: false,
                    references: None,
                    description: format!("Key of {name}, added: the schema ({schema_name}) has no id property."),
                },
            );
        }
        if !json_relations.is_empty() {
            self.derived.notes.push(NotImported {
                what: format!("schema {schema_name} properties {}", json_relations.join(", ")),
                why: "lists and nested objects become JSON fields: the data model has no list fields".into(),
                line: root
                    .get("components")
                    .and_then(|c| c.get("schemas"))
                    .and_then(|s| s.entry(schema_name))
                    .and_then(|e| e.line),
            });
        }
        let description = schema
            .get("description")
            .and_then(Node::as_str)
            .map(first_line)
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| format!("Derived from the OpenAPI schema ({schema_name})."));
        self.derived.lines.push(format!(
            "entity {name} derived from {}{schema_name}: {} fields{}",
            if schema_name.contains(' ') { "the schema of " } else { "schema " },
            fields.len(),
            if added_key { ", key id added" } else { "" }
        ));
        let entity = &mut self.derived.entities[index].1;
        entity.fields = fields;
        entity.description = description;
        Some(name)
    }
}
