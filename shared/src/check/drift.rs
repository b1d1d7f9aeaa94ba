//! Drift between the blueprint and a repository, by code and no model: the
//! repository's SQL DDL and OpenAPI document, imported into artifacts by
//! `parit_import`, compared with the blueprint's data model and API spec by
//! the blueprint's ids.
//!
//! What is compared: entities (matched by table), their fields (matched by
//! column: type, required, unique), keys (the primary key of each entity, the
//! foreign key of each field), relationships (by the pair of entities),
//! endpoints (matched by method and path: their entity, request and response
//! fields) and their query parameters (type, required, allowed values).
//!
//! What is not drift, because SQL or OpenAPI cannot say it, so a blueprint
//! rendered by `render::sql` / `render::openapi` and imported back is always
//! in step (a property test in `parit_import` holds that over every example):
//!
//! * types SQL stores alike: in SQLite every text, date, time, JSON and id
//!   type is TEXT and booleans are integers ([`TypeClass`]); in PostgreSQL
//!   and MySQL id, string and text are one class, and MySQL's booleans are
//!   integers; a key or reference column is compared by what it is (key,
//!   reference), not its type, since the renderer gives a reference the type
//!   of the key it points at;
//! * names the renderer maps (`render::sql::sql_name`), and case;
//! * descriptions, summaries, labels, ids the repository does not carry
//!   (endpoint ids, entity names: entities are matched by table, endpoints by
//!   method and path with parameter names left out);
//! * a relationship the blueprint declares between entities no foreign key
//!   links (SQL has no other way to say one), and the blueprint's cardinality
//!   where no column can say it (one_to_one on a reference that is not unique);
//! * request fields of GET and DELETE and response fields of DELETE (the
//!   renderer answers 204), and what a removed entity's fields and keys were
//!   (the entity's removal says it).
//!
//! Differences are sorted by kind (in [`DriftKind`] order), then id, then change.

use crate::artifact::{
    ApiArtifact, Artifact, Cardinality, DataArtifact, Endpoint, Entity, Field, FieldType, HttpMethod, QueryParam,
    Relationship,
};
use crate::check::changes::Change;
use crate::check::consistency::{check, TraceRow};
use crate::render::sql::{primary_key, sql_name, Dialect};
use crate::stage::Stage;
use serde::Serialize;
use serde_json::Value;

crate::label_enum! {
    /// The SQL dialect the repository's DDL is written in.
    pub enum SqlDialect { Sqlite = "sqlite", Postgres = "postgres", Mysql = "mysql" }
}

crate::label_enum! {
    /// What a difference is about.
    pub enum DriftKind {
        /// An entity (a table), by its name.
        Entity = "entity",
        /// A field (a column), as `Entity.field`.
        Field = "field",
        /// A primary key (by its entity) or a foreign key (by its field).
        Key = "key",
        /// A relationship, as `From->To`.
        Relationship = "relationship",
        /// An endpoint, by its id (or `METHOD /path` when only the repository has it).
        Endpoint = "endpoint",
        /// A query parameter, as `EP-n.name`.
        Parameter = "parameter",
    }
}

crate::label_enum! {
    /// Which repository document a difference was found in.
    pub enum Source { Sql = "sql", Openapi = "openapi" }
}

/// One place where the blueprint and the repository disagree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// What it is about.
    pub kind: DriftKind,
    /// Added: in the repository, not the blueprint; removed: in the blueprint,
    /// not the repository; changed: in both, differently.
    pub change: Change,
    /// The blueprint's id for it (for something only in the repository, the
    /// id it would have).
    pub id: String,
    /// One line for people.
    pub detail: String,
    /// The item as the blueprint has it, or null.
    pub blueprint: Value,
    /// The item as the repository has it, or null.
    pub repository: Value,
    /// The PRD stories (US-n) that touch it.
    pub stories: Vec<String>,
    /// The document it was found in.
    pub source: Source,
}

/// The blueprint version compared on one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Compared {
    /// The artifact's version.
    pub version: u32,
}

/// The versions compared: null where that side was not sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComparedVersions {
    /// The data model's version, when SQL was sent.
    pub data: Option<Compared>,
    /// The API spec's version, when an OpenAPI document was sent.
    pub api: Option<Compared>,
}

/// The repository as imported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepositoryArtifacts {
    /// The data model imported from the SQL, or null.
    pub data: Option<DataArtifact>,
    /// The API spec imported from the OpenAPI document, or null.
    pub api: Option<ApiArtifact>,
}

/// The drift report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Whether there are no differences.
    pub in_step: bool,
    /// The blueprint versions compared.
    pub compared: ComparedVersions,
    /// Every difference, sorted by kind and id.
    pub differences: Vec<Difference>,
    /// The repository's artifacts, as the importers made them.
    pub repository: RepositoryArtifacts,
    /// What the importers could not represent, one line each.
    pub not_imported: Vec<String>,
}

/// The repository side of a comparison.
#[derive(Debug, Clone, Default)]
pub struct Repository {
    /// The data model imported from its SQL, and the dialect it was written in.
    pub data: Option<(DataArtifact, SqlDialect)>,
    /// The API spec imported from its OpenAPI document.
    pub api: Option<ApiArtifact>,
    /// What the importers could not represent, one line each.
    pub not_imported: Vec<String>,
}

/// Why a comparison could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DriftError {
    /// The repository side was sent for a stage the blueprint has no artifact of.
    NothingToCompare(Stage),
}

impl std::fmt::Display for DriftError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DriftError::NothingToCompare(stage) => {
                write!(f, "the project has no {stage} artifact to compare with; run the {stage} stage first")
            }
        }
    }
}

/// What a caller asks to compare: `{"sql"?, "dialect"?, "openapi"?}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriftRequest {
    /// The repository's SQL DDL (one file, or its migrations in order).
    pub sql: Option<String>,
    /// The dialect the SQL is written in (SQLite unless named).
    pub dialect: SqlDialect,
    /// The repository's OpenAPI document, JSON or YAML.
    pub openapi: Option<String>,
}

impl DriftRequest {
    /// Reads a caller's body: an object with `sql` and/or `openapi`
    /// (non-empty strings) and optionally `dialect`; nothing else.
    ///
    /// # Errors
    ///
    /// One sentence for the caller naming the first field that is wrong.
    pub fn from_body(body: &Value) -> Result<Self, String> {
        let Some(fields) = body.as_object() else {
            return Err("send a JSON object with \"sql\", \"openapi\" or both".into());
        };
        let mut request = DriftRequest { sql: None, dialect: SqlDialect::Sqlite, openapi: None };
        for (k, v) in fields {
            let text = v.as_str().filter(|t| !t.trim().is_empty()).map(str::to_string);
            match k.as_str() {
                "sql" | "openapi" if text.is_none() => return Err(format!("\"{k}\" must be a non-empty string")),
                "sql" => request.sql = text,
                "openapi" => request.openapi = text,
                "dialect" => {
                    request.dialect = v
                        .as_str()
                        .and_then(SqlDialect::parse)
                        .ok_or_else(|| "\"dialect\" must be \"sqlite\", \"postgres\" or \"mysql\"".to_string())?
                }
                _ => {
                    let k: String = k.chars().take(60).collect();
                    return Err(format!("unknown field \"{k}\" (expected \"sql\", \"dialect\", \"openapi\")"));
                }
            }
        }
        if request.sql.is_none() && request.openapi.is_none() {
            return Err("send \"sql\", \"openapi\" or both".into());
        }
        Ok(request)
    }

    /// The stage the blueprint lacks to compare this request with, if any.
    ///
    /// # Errors
    ///
    /// [`DriftError::NothingToCompare`] naming it.
    pub fn comparable(&self, blueprint: &[(Artifact, u32)]) -> Result<(), DriftError> {
        let sides = [(self.sql.is_some(), Stage::Data), (self.openapi.is_some(), Stage::Api)];
        match sides.iter().find(|(sent, stage)| *sent && !blueprint.iter().any(|(a, _)| a.stage() == *stage)) {
            Some((_, stage)) => Err(DriftError::NothingToCompare(*stage)),
            None => Ok(()),
        }
    }
}

/// Compares the blueprint's newest artifacts (each with its version) with
/// the repository.
///
/// # Errors
///
/// [`DriftError::NothingToCompare`] when the repository has a side whose
/// stage (data for SQL, API for OpenAPI) the blueprint has no artifact of.
pub fn report(blueprint: &[(Artifact, u32)], repository: Repository) -> Result<Report, DriftError> {
    let find = |stage: Stage| blueprint.iter().find(|(a, _)| a.stage() == stage);
    let (data, api) = (find(Stage::Data), find(Stage::Api));
    let bp_data = match data {
        Some((Artifact::Data(d), _)) => Some(d),
        _ => None,
    };
    let bp_api = match api {
        Some((Artifact::Api(a), _)) => Some(a),
        _ => None,
    };
    let artifacts: Vec<Artifact> = blueprint.iter().map(|(a, _)| a.clone()).collect();
    let stories = Stories { matrix: check(&artifacts).matrix };
    let mut differences = Vec::new();
    let mut compared = ComparedVersions { data: None, api: None };
    if let Some((repo, dialect)) = &repository.data {
        let Some(bp) = bp_data else { return Err(DriftError::NothingToCompare(Stage::Data)) };
        compared.data = data.map(|(_, v)| Compared { version: *v });
        differences.extend(data_drift(bp, repo, *dialect, &stories));
    }
    if let Some(repo) = &repository.api {
        let Some(bp) = bp_api else { return Err(DriftError::NothingToCompare(Stage::Api)) };
        compared.api = api.map(|(_, v)| Compared { version: *v });
        differences.extend(api_drift(bp, repo, &stories));
    }
    differences.sort_by(|a, b| (a.kind, &a.id, a.change).cmp(&(b.kind, &b.id, b.change)));
    Ok(Report {
        in_step: differences.is_empty(),
        compared,
        differences,
        repository: RepositoryArtifacts { data: repository.data.map(|(d, _)| d), api: repository.api },
        not_imported: repository.not_imported,
    })
}

/// The stories that touch an entity or an endpoint, from the traceability
/// matrix the consistency check computes (story → endpoints → entities).
struct Stories {
    matrix: Vec<TraceRow>,
}

impl Stories {
    fn of_entities(&self, names: &[&str]) -> Vec<String> {
        self.rows(|r| r.entities.iter().any(|e| names.contains(&e.as_str())))
    }

    fn of_endpoint(&self, id: &str) -> Vec<String> {
        self.rows(|r| r.endpoints.iter().any(|e| e == id))
    }

    fn rows(&self, touches: impl Fn(&TraceRow) -> bool) -> Vec<String> {
        self.matrix.iter().filter(|r| touches(r)).map(|r| r.story.clone()).collect()
    }
}

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

fn value<T: Serialize>(item: &T) -> Value {
    serde_json::to_value(item).unwrap_or_default()
}

/// An entity without its fields (they are items of their own).
fn bare(e: &Entity) -> Value {
    value(&Entity { fields: vec![], ..e.clone() })
}

fn render_dialect(d: SqlDialect) -> Dialect {
    match d {
        SqlDialect::Postgres => Dialect::Postgres,
        SqlDialect::Sqlite | SqlDialect::Mysql => Dialect::Sqlite,
    }
}

/// Whether a repository name is the one the renderer gives a blueprint name.
fn same_name(blueprint: &str, repository: &str, dialect: SqlDialect, is_column: bool) -> bool {
    blueprint.eq_ignore_ascii_case(repository)
        || sql_name(blueprint, render_dialect(dialect), is_column).eq_ignore_ascii_case(repository)
}

/// The fields that are an entity's primary key, in order.
fn key_of(e: &Entity) -> Vec<String> {
    match e.primary_key.as_deref().filter(|k| k.len() > 1) {
        Some(k) => k.to_vec(),
        None => primary_key(e).map(|k| vec![k.to_string()]).unwrap_or_default(),
    }
}

/// Blueprint and repository entities paired by table.
struct Pairing<'a> {
    pairs: Vec<(&'a Entity, &'a Entity)>,
    dialect: SqlDialect,
    bp: &'a DataArtifact,
    repo: &'a DataArtifact,
}

impl Pairing<'_> {
    /// The blueprint's name for a repository entity (its own when unpaired).
    fn bp_name(&self, repo_name: &str) -> String {
        self.pairs.iter().find(|(_, r)| r.name == repo_name).map_or(repo_name, |(b, _)| b.name.as_str()).to_string()
    }

    /// The repository field a blueprint field is (by column name).
    fn column<'r>(&self, repo: &'r Entity, field: &str) -> Option<&'r Field> {
        repo.fields.iter().find(|f| same_name(field, &f.name, self.dialect, true))
    }
}

fn data_drift(bp: &DataArtifact, repo: &DataArtifact, dialect: SqlDialect, stories: &Stories) -> Vec<Difference> {
    let mut pairs = Vec::new();
    for b in &bp.entities {
        if let Some(r) = repo.entities.iter().find(|r| same_name(&b.table, &r.table, dialect, false)) {
            pairs.push((b, r));
        }
    }
    let pairing = Pairing { pairs, dialect, bp, repo };
    let mut out = Vec::new();
    let diff = |kind, change, id: String, detail: String, blueprint, repository, stories| Difference {
        kind,
        change,
        id,
        detail,
        blueprint,
        repository,
        stories,
        source: Source::Sql,
    };
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
        let touched = stories.of_entities(&[&b.name]);
        let (bp_key, repo_key) = (key_of(b), key_of(r));
        let id_field = |name: &String| format!("{}.{name}", b.name);
        for f in &b.fields {
            let Some(rf) = pairing.column(r, &f.name) else {
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
            let (bt, rt) = (type_class(f.field_type, dialect), type_class(rf.field_type, dialect));
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
                f.references.as_ref().filter(|t| bp.entities.iter().any(|e| &&e.name == t && key_of(e).len() == 1));
            let repo_ref = rf.references.as_ref().map(|t| pairing.bp_name(t));
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
            if !b.fields.iter().any(|f| same_name(&f.name, &rf.name, dialect, true)) {
                let detail = format!("{}.{}: in the repository, not in the blueprint", b.name, rf.name);
                let id = format!("{}.{}", b.name, rf.name);
                out.push(diff(DriftKind::Field, Change::Added, id, detail, Value::Null, value(rf), touched.clone()));
            }
        }
        // The repository's key, in the blueprint's column names.
        let repo_key_named: Vec<String> = repo_key
            .iter()
            .map(|k| b.fields.iter().find(|f| same_name(&f.name, k, dialect, true)).map_or(k, |f| &f.name).clone())
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
    }
    out.extend(relationship_drift(&pairing, stories));
    out
}

/// A relationship between two entities, either way round.
fn between<'r>(list: &'r [Relationship], a: &str, b: &str) -> Option<&'r Relationship> {
    list.iter().find(|r| (r.from == a && r.to == b) || (r.from == b && r.to == a))
}

fn relationship_drift(p: &Pairing, stories: &Stories) -> Vec<Difference> {
    let paired = |bp_name: &str| p.pairs.iter().any(|(b, _)| b.name == bp_name);
    // The repository's relationships in the blueprint's names.
    let repo: Vec<Relationship> = p
        .repo
        .relationships
        .iter()
        .map(|r| Relationship { from: p.bp_name(&r.from), to: p.bp_name(&r.to), ..r.clone() })
        .collect();
    // A pair of blueprint entities some reference column links (or a link entity).
    let linked = |a: &str, b: &str| {
        let refers = |x: &str, y: &str| {
            p.bp.entities.iter().any(|e| e.name == x && e.fields.iter().any(|f| f.references.as_deref() == Some(y)))
        };
        let link = p.bp.entities.iter().any(|e| {
            let targets: Vec<&str> = e.fields.iter().filter_map(|f| f.references.as_deref()).collect();
            targets.contains(&a) && targets.contains(&b)
        });
        refers(a, b) || refers(b, a) || link
    };
    let mut out = Vec::new();
    let id = |r: &Relationship| format!("{}->{}", r.from, r.to);
    for b in &p.bp.relationships {
        if !paired(&b.from) || !paired(&b.to) {
            continue;
        }
        let touched = stories.of_entities(&[&b.from, &b.to]);
        match between(&repo, &b.from, &b.to) {
            None if linked(&b.from, &b.to) => out.push(Difference {
                kind: DriftKind::Relationship,
                change: Change::Removed,
                id: id(b),
                detail: format!(
                    "{}: {} in the blueprint, no foreign key links them in the repository",
                    id(b),
                    b.cardinality
                ),
                blueprint: value(b),
                repository: Value::Null,
                stories: touched,
                source: Source::Sql,
            }),
            Some(r) if r.cardinality != b.cardinality && expressible(b, p.bp) => out.push(Difference {
                kind: DriftKind::Relationship,
                change: Change::Changed,
                id: id(b),
                detail: format!("{}: {} in the blueprint, {} in the repository", id(b), b.cardinality, r.cardinality),
                blueprint: value(b),
                repository: value(r),
                stories: touched,
                source: Source::Sql,
            }),
            _ => {}
        }
    }
    for r in &repo {
        if between(&p.bp.relationships, &r.from, &r.to).is_none() && paired(&r.from) && paired(&r.to) {
            out.push(Difference {
                kind: DriftKind::Relationship,
                change: Change::Added,
                id: id(r),
                detail: format!("{}: {} in the repository, not in the blueprint", id(r), r.cardinality),
                blueprint: Value::Null,
                repository: value(r),
                stories: stories.of_entities(&[&r.from, &r.to]),
                source: Source::Sql,
            });
        }
    }
    out
}

/// Whether the blueprint's columns can say a relationship's cardinality:
/// one_to_one by a unique reference (or a key), one_to_many by one that is
/// not, many_to_many by a link entity.
fn expressible(r: &Relationship, data: &DataArtifact) -> bool {
    let reference = |from: &str, to: &str| {
        data.entities
            .iter()
            .filter(|e| e.name == to)
            .flat_map(|e| e.fields.iter().map(move |f| (e, f)))
            .find(|(_, f)| f.references.as_deref() == Some(from))
            .map(|(e, f)| f.unique || key_of(e) == [f.name.clone()])
    };
    match r.cardinality {
        Cardinality::OneToOne => reference(&r.from, &r.to).or_else(|| reference(&r.to, &r.from)) == Some(true),
        Cardinality::OneToMany => reference(&r.from, &r.to) == Some(false),
        Cardinality::ManyToMany => true,
    }
}

/// A path with its parameters' names left out: `/a/{id}` and `/a/{x}` are one path.
fn path_shape(path: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => {
                inside = true;
                out.push('{');
            }
            '}' => {
                inside = false;
                out.push('}');
            }
            _ if inside => {}
            _ => out.push(c),
        }
    }
    if out.len() > 1 && out.ends_with('/') {
        out.pop();
    }
    out
}

fn sorted(list: &[String]) -> Vec<&str> {
    let mut v: Vec<&str> = list.iter().map(String::as_str).collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn endpoint_changes(b: &Endpoint, r: &Endpoint) -> Vec<String> {
    let mut parts = Vec::new();
    if b.entity != r.entity {
        parts.push(format!("entity {} in the blueprint, {} in the repository", b.entity, r.entity));
    }
    let list = |v: Vec<&str>| if v.is_empty() { "none".to_string() } else { v.join(", ") };
    // The rendered document has a request body only on POST, PUT and PATCH,
    // and no response body on DELETE (204).
    if matches!(b.method, HttpMethod::Post | HttpMethod::Put | HttpMethod::Patch)
        && sorted(&b.request_fields) != sorted(&r.request_fields)
    {
        parts.push(format!(
            "request fields ({}) in the blueprint, ({}) in the repository",
            list(sorted(&b.request_fields)),
            list(sorted(&r.request_fields))
        ));
    }
    if b.method != HttpMethod::Delete && sorted(&b.response_fields) != sorted(&r.response_fields) {
        parts.push(format!(
            "response fields ({}) in the blueprint, ({}) in the repository",
            list(sorted(&b.response_fields)),
            list(sorted(&r.response_fields))
        ));
    }
    parts
}

fn parameter_changes(b: &QueryParam, r: &QueryParam) -> Vec<String> {
    let mut parts = Vec::new();
    if b.param_type != r.param_type {
        parts.push(format!("type {} in the blueprint, {} in the repository", b.param_type, r.param_type));
    }
    if b.required != r.required {
        let says = |r: bool| if r { "required" } else { "optional" };
        parts.push(format!("{} in the blueprint, {} in the repository", says(b.required), says(r.required)));
    }
    if b.param_type == crate::artifact::ParamType::Enum && sorted(&b.values) != sorted(&r.values) {
        parts.push(format!(
            "values ({}) in the blueprint, ({}) in the repository",
            b.values.join(", "),
            r.values.join(", ")
        ));
    }
    parts
}

fn api_drift(bp: &ApiArtifact, repo: &ApiArtifact, stories: &Stories) -> Vec<Difference> {
    let key = |e: &Endpoint| (e.method, path_shape(&e.path));
    let mut out = Vec::new();
    let diff = |kind, change, id: String, detail: String, blueprint, repository, stories| Difference {
        kind,
        change,
        id,
        detail,
        blueprint,
        repository,
        stories,
        source: Source::Openapi,
    };
    for b in &bp.endpoints {
        let touched = stories.of_endpoint(&b.id);
        let Some(r) = repo.endpoints.iter().find(|r| key(r) == key(b)) else {
            let detail = format!("{} ({} {}): in the blueprint, not in the repository", b.id, b.method, b.path);
            out.push(diff(DriftKind::Endpoint, Change::Removed, b.id.clone(), detail, value(b), Value::Null, touched));
            continue;
        };
        let parts = endpoint_changes(b, r);
        if !parts.is_empty() {
            let detail = format!("{} ({} {}): {}", b.id, b.method, b.path, parts.join("; "));
            out.push(diff(
                DriftKind::Endpoint,
                Change::Changed,
                b.id.clone(),
                detail,
                value(b),
                value(r),
                touched.clone(),
            ));
        }
        for q in &b.query_params {
            let id = format!("{}.{}", b.id, q.name);
            match r.query_params.iter().find(|x| x.name == q.name) {
                None => {
                    let detail = format!("{id}: a query parameter in the blueprint, not in the repository");
                    out.push(diff(
                        DriftKind::Parameter,
                        Change::Removed,
                        id,
                        detail,
                        value(q),
                        Value::Null,
                        touched.clone(),
                    ));
                }
                Some(rq) => {
                    let parts = parameter_changes(q, rq);
                    if !parts.is_empty() {
                        let detail = format!("{id}: {}", parts.join("; "));
                        out.push(diff(
                            DriftKind::Parameter,
                            Change::Changed,
                            id,
                            detail,
                            value(q),
                            value(rq),
                            touched.clone(),
                        ));
                    }
                }
            }
        }
        for rq in r.query_params.iter().filter(|x| !b.query_params.iter().any(|q| q.name == x.name)) {
            let id = format!("{}.{}", b.id, rq.name);
            let detail = format!("{id}: a query parameter in the repository, not in the blueprint");
            out.push(diff(DriftKind::Parameter, Change::Added, id, detail, Value::Null, value(rq), touched.clone()));
        }
    }
    for r in repo.endpoints.iter().filter(|r| !bp.endpoints.iter().any(|b| key(b) == key(r))) {
        let id = format!("{} {}", r.method, r.path);
        let detail = format!("{id}: in the repository, not in the blueprint");
        let touched = stories.of_entities(&[&r.entity]);
        out.push(diff(DriftKind::Endpoint, Change::Added, id, detail, Value::Null, value(r), touched));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::{ParamType, QueryParam};
    use crate::fixtures::examples;

    fn blueprint(p: &examples::ProductSpec) -> Vec<(Artifact, u32)> {
        vec![(p.artifact(Stage::Prd), 2), (p.artifact(Stage::Data), 3), (p.artifact(Stage::Api), 4)]
    }

    fn against(data: Option<DataArtifact>, dialect: SqlDialect, api: Option<ApiArtifact>) -> Report {
        let p = examples::pantry();
        let repository = Repository { data: data.map(|d| (d, dialect)), api, not_imported: vec![] };
        report(&blueprint(&p), repository).expect("both stages are there")
    }

    fn found(r: &Report) -> Vec<(DriftKind, Change, &str)> {
        r.differences.iter().map(|d| (d.kind, d.change, d.id.as_str())).collect()
    }

    /// The pantry entity with the most stories, and one of its plain (not key,
    /// not reference) fields of type `t`.
    fn plain_field(data: &DataArtifact, t: FieldType) -> (usize, usize) {
        data.entities
            .iter()
            .enumerate()
            .find_map(|(i, e)| {
                let key = key_of(e);
                e.fields
                    .iter()
                    .position(|f| f.field_type == t && f.references.is_none() && !key.contains(&f.name))
                    .map(|j| (i, j))
            })
            .expect("a plain field of that type")
    }

    #[test]
    fn a_blueprint_is_in_step_with_itself_and_says_what_it_compared() {
        let p = examples::pantry();
        for dialect in SqlDialect::ALL {
            let r = against(Some(p.data()), *dialect, Some(p.api()));
            assert!(r.in_step && r.differences.is_empty(), "{:?}", r.differences);
            assert_eq!(r.compared.data, Some(Compared { version: 3 }));
            assert_eq!(r.compared.api, Some(Compared { version: 4 }));
        }
        let only_api = against(None, SqlDialect::Sqlite, Some(p.api()));
        assert_eq!((only_api.compared.data, only_api.repository.data), (None, None));
    }

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
        assert_eq!(r.differences[0].source, Source::Sql);
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

    #[test]
    fn endpoints_match_by_method_and_path_and_their_parameters_are_compared() {
        let p = examples::pantry();
        let bp = p.api();
        let mut repo = bp.clone();
        // Ids and summaries are the blueprint's own; parameter names are not HTTP.
        for (i, e) in repo.endpoints.iter_mut().enumerate() {
            e.id = format!("EP-{}", 100 + i);
            e.summary = "imported".into();
            e.path = e.path.replace("{id}", "{thing}");
        }
        assert!(against(None, SqlDialect::Sqlite, Some(repo.clone())).in_step);
        let list = bp.endpoints.iter().position(|e| e.method == HttpMethod::Get && !e.path.contains('{')).unwrap();
        let post = bp.endpoints.iter().position(|e| e.method == HttpMethod::Post).unwrap();
        let gone = (0..bp.endpoints.len()).find(|i| ![list, post].contains(i)).unwrap();
        repo.endpoints[list].query_params.push(QueryParam {
            name: "q".into(),
            param_type: ParamType::String,
            values: vec![],
            required: false,
            description: String::new(),
        });
        repo.endpoints[post].request_fields.pop();
        let mut extra = repo.endpoints.remove(gone);
        extra.method = HttpMethod::Put;
        extra.path = "/api/extra".into();
        repo.endpoints.push(extra.clone());
        let r = against(None, SqlDialect::Sqlite, Some(repo));
        let got: Vec<(DriftKind, Change, String)> =
            r.differences.iter().map(|d| (d.kind, d.change, d.id.clone())).collect();
        let id = |i: usize| bp.endpoints[i].id.clone();
        let mut expected = vec![
            (DriftKind::Endpoint, Change::Removed, id(gone)),
            (DriftKind::Endpoint, Change::Changed, id(post)),
            (DriftKind::Endpoint, Change::Added, "PUT /api/extra".to_string()),
            (DriftKind::Parameter, Change::Added, format!("{}.q", id(list))),
        ];
        expected.sort_by(|a, b| (a.0, &a.2, a.1).cmp(&(b.0, &b.2, b.1)));
        assert_eq!(got, expected);
        let removed = r.differences.iter().find(|d| d.change == Change::Removed).unwrap();
        assert_eq!(removed.stories, bp.endpoints[gone].user_stories);
        assert_eq!(removed.source, Source::Openapi);
        let changed = r.differences.iter().find(|d| d.change == Change::Changed).unwrap();
        assert!(changed.detail.contains("request fields ("), "{}", changed.detail);
        let added = r.differences.iter().find(|d| d.change == Change::Added && d.kind == DriftKind::Endpoint).unwrap();
        let stories = Stories { matrix: check(&[p.artifact(Stage::Prd), p.artifact(Stage::Api)]).matrix };
        assert_eq!(added.stories, stories.of_entities(&[&extra.entity]));
        assert!(!added.stories.is_empty());
    }

    #[test]
    fn a_side_without_its_blueprint_artifact_is_nothing_to_compare() {
        let p = examples::pantry();
        let prd_only = vec![(p.artifact(Stage::Prd), 1)];
        let repository = Repository { data: Some((p.data(), SqlDialect::Sqlite)), ..Repository::default() };
        assert_eq!(report(&prd_only, repository), Err(DriftError::NothingToCompare(Stage::Data)));
        let repository = Repository { api: Some(p.api()), ..Repository::default() };
        let err = report(&prd_only, repository).unwrap_err();
        assert_eq!(err, DriftError::NothingToCompare(Stage::Api));
        assert!(err.to_string().contains("no api artifact"), "{err}");
    }

    #[test]
    fn a_request_is_read_strictly() {
        let ok = |v: serde_json::Value| DriftRequest::from_body(&v);
        let r = ok(serde_json::json!({"sql": "CREATE TABLE t (id TEXT PRIMARY KEY);", "dialect": "postgres"})).unwrap();
        assert_eq!((r.dialect, r.openapi), (SqlDialect::Postgres, None));
        assert_eq!(ok(serde_json::json!({"openapi": "{}"})).unwrap().dialect, SqlDialect::Sqlite);
        for (body, message) in [
            (serde_json::json!({}), "send \"sql\", \"openapi\" or both"),
            (serde_json::json!({"dialect": "sqlite"}), "send \"sql\", \"openapi\" or both"),
            (serde_json::json!([1]), "send a JSON object with \"sql\", \"openapi\" or both"),
            (
                serde_json::json!({"sql": "x", "extra": 1}),
                "unknown field \"extra\" (expected \"sql\", \"dialect\", \"openapi\")",
            ),
            (serde_json::json!({"sql": "  "}), "\"sql\" must be a non-empty string"),
            (serde_json::json!({"openapi": 3}), "\"openapi\" must be a non-empty string"),
            (
                serde_json::json!({"sql": "x", "dialect": "oracle"}),
                "\"dialect\" must be \"sqlite\", \"postgres\" or \"mysql\"",
            ),
        ] {
            assert_eq!(ok(body.clone()), Err(message.to_string()), "{body}");
        }
        let p = examples::pantry();
        let both = ok(serde_json::json!({"sql": "x", "openapi": "y"})).unwrap();
        assert_eq!(both.comparable(&blueprint(&p)), Ok(()));
        let data_only = vec![(p.artifact(Stage::Data), 1)];
        assert_eq!(both.comparable(&data_only), Err(DriftError::NothingToCompare(Stage::Api)));
        assert_eq!(both.comparable(&[]), Err(DriftError::NothingToCompare(Stage::Data)));
    }

    #[test]
    fn the_report_serialises_as_the_contract_says() {
        let p = examples::pantry();
        let mut repo = p.api();
        repo.endpoints.remove(0);
        let r = against(None, SqlDialect::Sqlite, Some(repo));
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["inStep"], false);
        assert_eq!(v["compared"], serde_json::json!({"data": null, "api": {"version": 4}}));
        assert_eq!(v["repository"]["data"], serde_json::Value::Null);
        assert!(v["notImported"].is_array());
        let d = &v["differences"][0];
        for key in ["kind", "change", "id", "detail", "blueprint", "repository", "stories", "source"] {
            assert!(d.get(key).is_some(), "{key} in {d}");
        }
        assert_eq!(
            (d["kind"].as_str(), d["change"].as_str(), d["source"].as_str()),
            (Some("endpoint"), Some("removed"), Some("openapi"))
        );
    }
}
