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

//!
//! One module a side: `data` (entities, fields and keys, over the entities
//! `pairing` matched by table), `relationships`, `api` (endpoints and their
//! query parameters); `request` reads what a caller asks to compare.

mod api;
mod data;
mod pairing;
mod relationships;
mod request;

pub use data::{type_class, TypeClass};
pub use request::DriftRequest;

use crate::artifact::{ApiArtifact, Artifact, DataArtifact};
use crate::check::changes::Change;
use crate::check::consistency::{check, TraceRow};
use crate::stage::Stage;
use api::api_drift;
use data::data_drift;
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
    pub enum DriftSource { Sql = "sql", Openapi = "openapi" }
}

crate::record! {
    /// One place where the blueprint and the repository disagree.
    pub struct Difference {
        /// entity (a table, by name); field (a column, Entity.field); key (a primary key by its entity, a foreign key by its field); relationship (From->To); endpoint (EP-n, or METHOD /path when only the repository has it); parameter (a query parameter, EP-n.name)
        pub kind: DriftKind,
        /// added: in the repository, not the blueprint; removed: in the blueprint, not the repository; changed: in both, differently
        pub change: Change,
        /// The blueprint's id; for something only in the repository, the id it would have
        pub id: String,
        /// One line for people, e.g. Order.total: type decimal in the blueprint, integer in the repository
        pub detail: String,
        /// The item as the blueprint has it (an entity without its fields, a field, {field, references}, {primaryKey}, a relationship, an endpoint, a query parameter), or null
        pub blueprint: Value,
        /// The item as the repository has it, in the same shapes, or null
        pub repository: Value,
        /// The PRD stories (US-n) that touch it, from the consistency check's traceability
        pub stories: Vec<String>,
        /// The repository document it was found in.
        pub source: DriftSource,
    }
}

crate::record! {
    /// A blueprint version compared.
    pub struct Compared {
        /// The artifact's version.
        #[openapi = r#""minimum": 1"#]
        pub version: u32,
    }
}

crate::record! {
    /// The blueprint versions compared; null for a side not sent.
    pub struct ComparedVersions {
        /// The data model's, when SQL was sent.
        pub data: Option<Compared>,
        /// The API spec's, when an OpenAPI document was sent.
        pub api: Option<Compared>,
    }
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
    pub(super) fn of_entities(&self, names: &[&str]) -> Vec<String> {
        self.rows(|r| r.entities.iter().any(|e| names.contains(&e.as_str())))
    }

    pub(super) fn of_endpoint(&self, id: &str) -> Vec<String> {
        self.rows(|r| r.endpoints.iter().any(|e| e == id))
    }

    fn rows(&self, touches: impl Fn(&TraceRow) -> bool) -> Vec<String> {
        self.matrix.iter().filter(|r| touches(r)).map(|r| r.story.clone()).collect()
    }
}

pub(super) fn value<T: Serialize>(item: &T) -> Value {
    serde_json::to_value(item).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::pairing::key_of;
    use super::*;
    use crate::artifact::FieldType;
    use crate::fixtures::examples;

    pub(super) fn blueprint(p: &examples::ProductSpec) -> Vec<(Artifact, u32)> {
        vec![(p.artifact(Stage::Prd), 2), (p.artifact(Stage::Data), 3), (p.artifact(Stage::Api), 4)]
    }

    pub(super) fn against(data: Option<DataArtifact>, dialect: SqlDialect, api: Option<ApiArtifact>) -> Report {
        let p = examples::pantry();
        let repository = Repository { data: data.map(|d| (d, dialect)), api, not_imported: vec![] };
        report(&blueprint(&p), repository).expect("both stages are there")
    }

    pub(super) fn found(r: &Report) -> Vec<(DriftKind, Change, &str)> {
        r.differences.iter().map(|d| (d.kind, d.change, d.id.as_str())).collect()
    }

    /// The pantry entity with the most stories, and one of its plain (not key,
    /// not reference) fields of type `t`.
    pub(super) fn plain_field(data: &DataArtifact, t: FieldType) -> (usize, usize) {
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
        // What the route answers (the report and the project's id) is the
        // HTTP contract's DriftReport, whose schema openapi.json is made from.
        use crate::schema::Describe;
        for r in [r, against(Some(p.data()), SqlDialect::Postgres, Some(p.api()))] {
            let mut answer = serde_json::to_value(&r).unwrap();
            answer["projectId"] = serde_json::json!("p1");
            assert_eq!(crate::api::artifacts::DriftReport::schema().check(&answer), Vec::<String>::new());
        }
    }
}
