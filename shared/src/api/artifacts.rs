//! `/api/projects/:id/artifacts…`, the checks over them (consistency,
//! changes), the hand-off, the export and the imports.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

// The change report's own record: one definition.
use crate::check::changes::ItemKind;
pub use crate::check::changes::Reference;
// The checks' own records, which carry their schemas: one definition each.
pub use crate::check::consistency::{Finding, TraceRow};
pub use crate::check::drift::{ComparedVersions, Difference, SqlDialect};
pub use crate::check::ready::Verdict;
use crate::run::store::Source;
use crate::schema::{Describe, Property, Schema, ToJson};
use crate::Stage;

crate::record! {
    /// One artifact version's facts (its body is in the blob store).
    #[to_json]
    pub struct ArtifactVersion {
        /// The stage.
        pub stage: Stage,
        /// The version, from 1.
        #[openapi = r#""minimum": 0"#]
        pub version: u64,
        /// Who made it.
        pub source: Source,
        /// The model that wrote it (an agent's version).
        pub model: Option<String>,
        /// Hash of the body.
        pub content_hash: String,
        /// Hash of what the stage read.
        pub input_hash: String,
        /// The body's size.
        #[openapi = r#""minimum": 0"#]
        pub size_bytes: u64,
        /// Saved, ms since the epoch.
        #[openapi = r#""minimum": 0"#]
        pub created_at: u64,
    }
}

crate::record! {
    /// Every version of every stage, and the newest of each.
    #[to_json]
    pub struct ArtifactList {
        /// The project.
        pub project_id: String,
        /// Each stage's newest version, by stage.
        pub latest: BTreeMap<String, u64>,
        /// Every version.
        pub versions: Vec<ArtifactVersion>,
    }
}

crate::record! {
    /// Which version to read: the newest when absent.
    pub struct VersionQuery {
        /// A version number.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""minimum": 1, "maximum": 4294967295"#]
        pub version: Option<u64>,
    }
}

/// One artifact version with its body: the version's facts (its
/// [`ArtifactVersion`], one definition, flattened into the answer), the
/// project and the artifact. By hand: [`record!`](crate::record) has no
/// flatten; a test holds its schema and `ToJson` to what serde writes.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactAnswer {
    /// The version's facts.
    #[serde(flatten)]
    pub version: ArtifactVersion,
    /// The project.
    pub project_id: String,
    /// The artifact (the stage's type in `artifact-types.ts`).
    pub artifact: Map<String, Value>,
}

impl ArtifactAnswer {
    /// Its JSON, as [`ToJson::to_json`] writes it, without copying the
    /// artifact (which can be large).
    pub fn into_json(self) -> Value {
        let mut answer = self.version.to_json();
        if let Value::Object(fields) = &mut answer {
            fields.insert("projectId".into(), Value::String(self.project_id));
            fields.insert("artifact".into(), Value::Object(self.artifact));
        }
        answer
    }
}

impl ToJson for ArtifactAnswer {
    fn to_json(&self) -> Value {
        self.clone().into_json()
    }
}

impl Describe for ArtifactAnswer {
    fn schema() -> Schema {
        let Schema::Named { schema, .. } = ArtifactVersion::schema() else { unreachable!("a record is named") };
        let Schema::Object(mut properties) = *schema else { unreachable!("ArtifactVersion is an object") };
        properties.push(Property::new("project_id", "The project.", String::schema()));
        let artifact = "The artifact (the stage's type in `artifact-types.ts`).";
        properties.push(Property::new("artifact", artifact, <Map<String, Value>>::schema()));
        Schema::Named {
            name: "ArtifactAnswer",
            doc: " One artifact version with its body.",
            schema: Box::new(Schema::Object(properties)),
        }
    }
}

crate::label_enum! {
    /// A person's edit.
    pub enum HumanSource { Human = "human" }
}

crate::record! {
    /// A saved edit: its new version and the stages it made stale.
    #[to_json]
    pub struct Edited {
        /// The project.
        pub project_id: String,
        /// The stage.
        pub stage: Stage,
        /// The new version.
        #[openapi = r#""minimum": 0"#]
        pub version: u64,
        /// Always `human`.
        pub source: HumanSource,
        /// The stages downstream, now stale.
        pub stale: Vec<Stage>,
    }
}

crate::record! {
    /// One render of an artifact.
    pub struct ViewEntry {
        /// Its name (a path for a generated file).
        pub name: String,
        /// Its media type.
        pub content_type: String,
        /// Its size.
        #[openapi = r#""minimum": 0"#]
        pub bytes: u64,
    }
}

crate::record! {
    /// The renders of one artifact version.
    pub struct ViewList {
        /// The project.
        pub project_id: String,
        /// The stage.
        pub stage: Stage,
        /// The version rendered.
        #[openapi = r#""minimum": 0"#]
        pub version: u64,
        /// Its renders.
        pub views: Vec<ViewEntry>,
    }
}

crate::record! {
    /// The two versions to compare.
    pub struct ChangesQuery {
        /// The older version (default: the one before to)
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""minimum": 1"#]
        pub from: Option<u64>,
        /// The newer version (default: the newest)
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""minimum": 2"#]
        pub to: Option<u64>,
    }
}

crate::record! {
    /// One id of an artifact.
    pub struct ItemRef {
        /// What it names.
        pub kind: ItemKind,
        /// The id.
        pub id: String,
    }
}

crate::record! {
    /// The ids added, removed and changed between two versions, and where
    /// downstream the removed and changed ones are used.
    pub struct Changes {
        /// The project.
        pub project_id: String,
        /// The stage.
        pub stage: Stage,
        /// The older version.
        #[openapi = r#""minimum": 1"#]
        pub from: u64,
        /// The newer version.
        #[openapi = r#""minimum": 1"#]
        pub to: u64,
        /// Ids only in the newer.
        pub added: Vec<ItemRef>,
        /// Ids only in the older.
        pub removed: Vec<ItemRef>,
        /// Ids in both whose content differs.
        pub changed: Vec<ItemRef>,
        /// Their uses downstream.
        pub references: Vec<Reference>,
    }
}

crate::record! {
    /// The cross-artifact findings, the traceability matrix and the ready verdict.
    pub struct Consistency {
        /// The project.
        pub project_id: String,
        /// The stages checked.
        pub checked: Vec<Stage>,
        /// Every finding.
        pub findings: Vec<Finding>,
        /// The traceability matrix.
        pub matrix: Vec<TraceRow>,
        /// Findings that are errors.
        #[openapi = r#""minimum": 0"#]
        pub errors: u64,
        /// Findings that are warnings.
        #[openapi = r#""minimum": 0"#]
        pub warnings: u64,
        /// Ready to hand off: all seven artifacts exist and are current, consistency finds no error, every Must story is served by a screen and an endpoint, every entity is used by an endpoint; else every gap
        pub ready: Verdict,
    }
}

crate::label_enum! {
    /// A hand-off layout for coding agents.
    pub enum Layout { AgentsMd = "agents-md", Kiro = "kiro", SpecKit = "spec-kit", OpenSpec = "openspec" }
}

crate::record! {
    /// Which files the export holds.
    pub struct ExportQuery {
        /// Only this hand-off layout's files
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub layout: Option<Layout>,
        /// A PRD version older than the newest: the OpenSpec layout holds that version's specs and the change folder (openspec/changes/) to the newest
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""minimum": 1, "maximum": 4294967295"#]
        pub since: Option<u32>,
    }
}

crate::record! {
    /// What the hand-off holds.
    pub struct HandoffQuery {
        /// A PRD version older than the newest: the OpenSpec layout holds that version's specs and the change folder (openspec/changes/) to the newest
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""minimum": 1, "maximum": 4294967295"#]
        pub since: Option<u32>,
    }
}

crate::record! {
    /// One file of a layout.
    pub struct LayoutFile {
        /// Its path, relative to the export root.
        pub path: String,
        /// Its text.
        pub content: String,
    }
}

crate::record! {
    /// One hand-off layout, file by file.
    pub struct HandoffLayout {
        /// Its machine name.
        pub name: Layout,
        /// Its title for people.
        pub title: String,
        /// Its files.
        pub files: Vec<LayoutFile>,
        /// What it could not render for want of an artifact.
        pub missing: Vec<String>,
    }
}

crate::record! {
    /// Every hand-off layout.
    pub struct Handoff {
        /// The project.
        pub project_id: String,
        /// The layouts.
        pub layouts: Vec<HandoffLayout>,
    }
}

crate::record! {
    /// A repository's SQL DDL and/or OpenAPI document, to compare with the blueprint (at least one of sql and openapi).
    #[openapi = r#""additionalProperties": false, "anyOf": [{"required": ["sql"]}, {"required": ["openapi"]}]"#]
    pub struct DriftCheck {
        /// The repository's SQL DDL: one file, or its migrations concatenated in order
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""minLength": 1, "pattern": "\\S""#]
        pub sql: Option<String>,
        /// Its dialect (default sqlite).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""default": "sqlite""#]
        pub dialect: Option<SqlDialect>,
        /// The repository's OpenAPI 3.0/3.1 document, JSON or YAML
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""minLength": 1, "pattern": "\\S""#]
        pub openapi: Option<String>,
    }
}

crate::record! {
    /// The repository's artifacts as the importers made them (what POST …/import/data and …/import/api would store). The wire's view of `check::drift::RepositoryArtifacts`: the artifacts as objects (their schemas are the artifacts', `frontend/src/artifact-types.ts`).
    pub struct RepositoryArtifacts {
        /// The data artifact imported from the SQL, or null.
        pub data: Option<Map<String, Value>>,
        /// The API artifact imported from the OpenAPI document, or null.
        pub api: Option<Map<String, Value>>,
    }
}

crate::record! {
    /// Where a repository's schema and API differ from the blueprint, by id.
    pub struct DriftReport {
        /// The project.
        pub project_id: String,
        /// Whether there are no differences
        pub in_step: bool,
        /// The blueprint versions compared.
        pub compared: ComparedVersions,
        /// Sorted by kind (entity, field, key, relationship, endpoint, parameter), then id
        pub differences: Vec<Difference>,
        /// The repository's side.
        pub repository: RepositoryArtifacts,
        /// What the importers could not represent, one line each (source, line, what, why)
        pub not_imported: Vec<String>,
    }
}

crate::record! {
    /// SQL DDL to import as the data model.
    #[openapi = r#""additionalProperties": false"#]
    pub struct ImportData {
        /// The DDL: CREATE TABLE, CREATE INDEX, ALTER TABLE … ADD CONSTRAINT; anything else, and any statement that does not parse, is listed as not imported with its line
        #[openapi = r#""minLength": 1, "pattern": "\\S""#]
        pub sql: String,
        /// Its dialect (default sqlite).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[openapi = r#""default": "sqlite""#]
        pub dialect: Option<SqlDialect>,
    }
}

crate::record! {
    /// An OpenAPI document to import as the API spec.
    #[openapi = r#""additionalProperties": false"#]
    pub struct ImportApi {
        /// The OpenAPI document, JSON or YAML
        #[openapi = r#""minLength": 1, "pattern": "\\S""#]
        pub document: String,
    }
}

crate::label_enum! {
    /// An import.
    pub enum ImportSource { Import = "import" }
}

crate::record! {
    /// Something the artifact types cannot represent, left out.
    #[to_json]
    pub struct NotImported {
        /// Where it is in the input, e.g. `view "sales_by_genre"` or `GET /pets callbacks`.
        pub what: String,
        /// Why it was left out.
        pub why: String,
        /// Its line in the input (1-based), when known.
        #[openapi = r#""minimum": 1"#]
        pub line: Option<u32>,
    }
}

crate::record! {
    /// An import saved as a new version (the stages downstream are stale).
    #[to_json]
    pub struct Imported {
        /// The project.
        pub project_id: String,
        /// The stage imported (`data` or `api`).
        pub stage: Stage,
        /// The new version.
        #[openapi = r#""minimum": 0"#]
        pub version: u64,
        /// Always `import`.
        pub source: ImportSource,
        /// The stages downstream, now stale.
        pub stale: Vec<Stage>,
        /// What was imported, a line each
        pub imported: Vec<String>,
        /// What the artifact types cannot represent and was left out, each with why
        pub not_imported: Vec<NotImported>,
    }
}
