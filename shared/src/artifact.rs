//! The typed artifact of each stage. Field docs double as the descriptions in
//! the `responseSchema` sent to Gemini, so they are written for the model.

use crate::schema::{Describe, Schema};
use crate::stage::Stage;
use crate::{label_enum, record};
use serde_json::Value;

label_enum! {
    /// MoSCoW priority of a user story.
    pub enum Priority { Must = "must", Should = "should", Could = "could" }
}

record! {
    /// Someone the product is for.
    pub struct Persona {
        /// Stable id of the form PER-1, PER-2, ...
        pub id: String,
        /// Short name of the persona, e.g. "Home cook".
        pub name: String,
        /// Who they are and their context.
        pub description: String,
        /// What they want to achieve.
        pub goals: Vec<String>,
    }
}

record! {
    /// One user story with testable acceptance criteria.
    pub struct UserStory {
        /// Stable id of the form US-1, US-2, ...
        pub id: String,
        /// Id of the persona (PER-n) this story is for.
        pub persona: String,
        /// Short title.
        pub title: String,
        /// "As a ..., I want ..., so that ..."
        pub narrative: String,
        /// Testable acceptance criteria, at least one.
        pub acceptance_criteria: Vec<String>,
        /// must, should or could.
        pub priority: Priority,
    }
}

record! {
    /// A product feature grouping user stories.
    pub struct Feature {
        /// Stable id of the form F-1, F-2, ...
        pub id: String,
        /// Feature name.
        pub name: String,
        /// What the feature does.
        pub description: String,
        /// Ids (US-n) of the user stories this feature delivers.
        pub stories: Vec<String>,
    }
}

record! {
    /// A quality the product must have.
    pub struct NonFunctionalRequirement {
        /// performance, security, accessibility, reliability, privacy, ...
        pub category: String,
        /// The measurable requirement.
        pub requirement: String,
    }
}

record! {
    /// How success is measured.
    pub struct SuccessMetric {
        /// Metric name.
        pub name: String,
        /// Target value with a unit or time frame.
        pub target: String,
    }
}

record! {
    /// Product requirements document.
    pub struct PrdArtifact {
        /// Product name.
        pub product_name: String,
        /// Two or three sentences on the product and its value.
        pub summary: String,
        /// Personas, at least one.
        pub personas: Vec<Persona>,
        /// User stories, at least one.
        pub user_stories: Vec<UserStory>,
        /// Features, each delivering user stories.
        pub features: Vec<Feature>,
        /// Non-functional requirements.
        pub non_functional: Vec<NonFunctionalRequirement>,
        /// What the first version deliberately does not do.
        pub out_of_scope: Vec<String>,
        /// Success metrics.
        pub success_metrics: Vec<SuccessMetric>,
    }
}

label_enum! {
    /// Logical type of a field, mapped to SQL types by the renderers.
    pub enum FieldType {
        Id = "id", String = "string", Text = "text", Integer = "integer",
        Decimal = "decimal", Boolean = "boolean", Timestamp = "timestamp",
        Date = "date", Json = "json",
    }
}

record! {
    /// One field of an entity.
    pub struct Field {
        /// Field name in snake_case.
        pub name: String,
        /// Logical type; exactly one field per entity has type "id" (its primary key).
        pub field_type: FieldType,
        /// Whether a value is required (NOT NULL).
        pub required: bool,
        /// Whether values must be unique.
        pub unique: bool,
        /// Name of the entity this field references (a foreign key), or null.
        pub references: Option<String>,
        /// What the field holds.
        pub description: String,
    }
}

record! {
    /// A persisted entity (one table).
    pub struct Entity {
        /// Entity name in PascalCase, singular, e.g. "Recipe".
        pub name: String,
        /// Table name in snake_case, plural, e.g. "recipes".
        pub table: String,
        /// What the entity represents.
        pub description: String,
        /// Fields, starting with the id field.
        pub fields: Vec<Field>,
        /// Names of the fields that together form the primary key, in order, when
        /// no single field is the key (a link table's two references); null when
        /// the one field of type "id" is the key.
        pub primary_key: Option<Vec<String>>,
    }
}

label_enum! {
    /// Cardinality of a relationship.
    pub enum Cardinality { OneToOne = "one_to_one", OneToMany = "one_to_many", ManyToMany = "many_to_many" }
}

record! {
    /// A relationship between two entities.
    pub struct Relationship {
        /// Entity name on the "one" side.
        pub from: String,
        /// Entity name on the other side.
        pub to: String,
        /// one_to_one, one_to_many or many_to_many.
        pub cardinality: Cardinality,
        /// Verb phrase, e.g. "has", "belongs to".
        pub label: String,
    }
}

record! {
    /// A database index.
    pub struct Index {
        /// Entity name.
        pub entity: String,
        /// Field names, in order.
        pub fields: Vec<String>,
        /// Whether the index enforces uniqueness.
        pub unique: bool,
    }
}

record! {
    /// Data model.
    pub struct DataArtifact {
        /// Entities, at least one.
        pub entities: Vec<Entity>,
        /// Relationships between entities.
        pub relationships: Vec<Relationship>,
        /// Indexes the queries need.
        pub indexes: Vec<Index>,
    }
}

record! {
    /// A named color.
    pub struct ColorToken {
        /// Token name in kebab-case, e.g. "primary".
        pub name: String,
        /// Hex color, e.g. "#1a73e8".
        pub value: String,
    }
}

record! {
    /// A text style.
    pub struct TypeToken {
        /// Token name in kebab-case, e.g. "heading-1".
        pub name: String,
        /// CSS font family list.
        pub font_family: String,
        /// Font size in pixels.
        pub size_px: u32,
        /// Font weight, 100 to 900.
        pub weight: u32,
        /// Unitless line height, e.g. 1.4.
        pub line_height: f64,
    }
}

record! {
    /// A named length.
    pub struct SizeToken {
        /// Token name in kebab-case, e.g. "md".
        pub name: String,
        /// Length in pixels.
        pub px: u32,
    }
}

record! {
    /// Design tokens.
    pub struct DesignTokens {
        /// Colors, at least one.
        pub colors: Vec<ColorToken>,
        /// Text styles.
        pub typography: Vec<TypeToken>,
        /// Spacing scale.
        pub spacing: Vec<SizeToken>,
        /// Corner radius scale.
        pub radius: Vec<SizeToken>,
    }
}

record! {
    /// One screen of the UI.
    pub struct Screen {
        /// Stable id of the form SCR-1, SCR-2, ...
        pub id: String,
        /// Screen name.
        pub name: String,
        /// Client route, starting with "/", e.g. "/recipes/:id".
        pub route: String,
        /// What the user does here.
        pub purpose: String,
        /// Ids (US-n) of the user stories this screen serves.
        pub user_stories: Vec<String>,
        /// UI components on the screen.
        pub components: Vec<String>,
    }
}

record! {
    /// A way to get from one screen to another.
    pub struct NavigationLink {
        /// Screen id (SCR-n) the link is on.
        pub from: String,
        /// Screen id (SCR-n) it leads to.
        pub to: String,
        /// Link or button label.
        pub label: String,
    }
}

record! {
    /// UI design.
    pub struct DesignArtifact {
        /// Design tokens.
        pub tokens: DesignTokens,
        /// Screens, at least one.
        pub screens: Vec<Screen>,
        /// Navigation between screens.
        pub navigation: Vec<NavigationLink>,
    }
}

record! {
    /// A business rule.
    pub struct BusinessRule {
        /// Stable id of the form BR-1, BR-2, ...
        pub id: String,
        /// Name of the entity the rule governs.
        pub entity: String,
        /// Short title.
        pub title: String,
        /// The rule, precise enough to implement and test.
        pub description: String,
    }
}

record! {
    /// A transition of a state machine.
    pub struct Transition {
        /// State before.
        pub from: String,
        /// State after.
        pub to: String,
        /// Event that triggers the transition.
        pub event: String,
        /// Condition that must hold, or null.
        pub guard: Option<String>,
    }
}

record! {
    /// The lifecycle of an entity's status field.
    pub struct StateMachine {
        /// Entity name.
        pub entity: String,
        /// Name of the entity's status field.
        pub field: String,
        /// Every state.
        pub states: Vec<String>,
        /// The state a new record starts in.
        pub initial: String,
        /// Allowed transitions.
        pub transitions: Vec<Transition>,
    }
}

record! {
    /// A non-trivial computation.
    pub struct Algorithm {
        /// Algorithm name.
        pub name: String,
        /// What it computes and why.
        pub purpose: String,
        /// Step-by-step pseudocode.
        pub pseudocode: String,
    }
}

record! {
    /// Business logic.
    pub struct LogicArtifact {
        /// Business rules, at least one.
        pub rules: Vec<BusinessRule>,
        /// State machines for entities with a lifecycle.
        pub state_machines: Vec<StateMachine>,
        /// Algorithms.
        pub algorithms: Vec<Algorithm>,
    }
}

label_enum! {
    /// HTTP method of an endpoint.
    pub enum HttpMethod { Get = "GET", Post = "POST", Put = "PUT", Patch = "PATCH", Delete = "DELETE" }
}

label_enum! {
    /// Type of a query parameter's value.
    pub enum ParamType {
        String = "string", Integer = "integer", Number = "number", Boolean = "boolean", Enum = "enum",
    }
}

record! {
    /// A query-string parameter of an endpoint: pagination, a filter or a sort.
    pub struct QueryParam {
        /// Name in the query string: "limit" and "page" page a list, "sort" orders it, and a field name of the
        /// endpoint's entity filters by that field.
        pub name: String,
        /// string, integer, number, boolean, or enum (one of values).
        pub param_type: ParamType,
        /// For an enum, the allowed values; for "sort", field names of the entity, "-" first for descending.
        /// Empty otherwise.
        pub values: Vec<String>,
        /// Whether the caller must send it.
        pub required: bool,
        /// What it does, with its default if any.
        pub description: String,
    }
}

record! {
    /// One HTTP endpoint.
    pub struct Endpoint {
        /// Stable id of the form EP-1, EP-2, ...
        pub id: String,
        /// HTTP method.
        pub method: HttpMethod,
        /// Path starting with "/", parameters as {name}, e.g. "/api/recipes/{id}".
        pub path: String,
        /// One-line summary.
        pub summary: String,
        /// Name of the data-model entity this endpoint works on.
        pub entity: String,
        /// Query parameters: on a list, pagination, the filters its stories need and a sort; else empty.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub query_params: Vec<QueryParam>,
        /// Entity field names accepted in the request body (empty for GET and DELETE).
        pub request_fields: Vec<String>,
        /// Entity field names returned in the response.
        pub response_fields: Vec<String>,
        /// HTTP error statuses the endpoint can return, e.g. 400, 404.
        pub errors: Vec<u32>,
        /// Whether the caller must be authenticated.
        pub auth_required: bool,
        /// Ids (US-n) of the user stories this endpoint serves.
        pub user_stories: Vec<String>,
    }
}

record! {
    /// API specification.
    pub struct ApiArtifact {
        /// Authentication scheme: "bearer" or "none".
        pub auth_scheme: String,
        /// Endpoints, at least one.
        pub endpoints: Vec<Endpoint>,
    }
}

record! {
    /// One generated file.
    pub struct SourceFile {
        /// Relative path with forward slashes, e.g. "src/main.ts".
        pub path: String,
        /// Language, e.g. "typescript", "html", "css", "toml", "yaml", "sql", "bash".
        pub language: String,
        /// Complete file content.
        pub content: String,
    }
}

record! {
    /// Frontend starter code.
    pub struct FrontendArtifact {
        /// Framework or stack, e.g. "vite-typescript".
        pub framework: String,
        /// Source files, at least one.
        pub files: Vec<SourceFile>,
    }
}

record! {
    /// An environment variable or secret the deployed system reads.
    pub struct EnvVar {
        /// Name in SCREAMING_SNAKE_CASE.
        pub name: String,
        /// What it configures.
        pub description: String,
        /// Whether it is a secret (set with a secret store, never committed).
        pub secret: bool,
    }
}

record! {
    /// Deployment configuration.
    pub struct DeploymentArtifact {
        /// Target platform, e.g. "cloudflare-workers".
        pub platform: String,
        /// Deploy files: wrangler config, CI workflow, migration script, ...
        pub files: Vec<SourceFile>,
        /// Every environment variable and secret the code reads.
        pub env_vars: Vec<EnvVar>,
        /// Ordered deployment steps.
        pub steps: Vec<String>,
    }
}

/// An artifact of any stage.
#[derive(Debug, Clone, PartialEq)]
pub enum Artifact {
    /// From the PRD agent.
    Prd(PrdArtifact),
    /// From the data agent.
    Data(DataArtifact),
    /// From the design agent.
    Design(DesignArtifact),
    /// From the logic agent.
    Logic(LogicArtifact),
    /// From the API agent.
    Api(ApiArtifact),
    /// From the frontend agent.
    Frontend(FrontendArtifact),
    /// From the deployment agent.
    Deployment(DeploymentArtifact),
}

/// Why a JSON value is not an artifact of a stage: every problem found.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", problems.join("; "))]
pub struct ArtifactShapeError {
    /// Each problem as `path: what is wrong`.
    pub problems: Vec<String>,
}

impl Artifact {
    /// The stage that produces this artifact.
    pub fn stage(&self) -> Stage {
        match self {
            Artifact::Prd(_) => Stage::Prd,
            Artifact::Data(_) => Stage::Data,
            Artifact::Design(_) => Stage::Design,
            Artifact::Logic(_) => Stage::Logic,
            Artifact::Api(_) => Stage::Api,
            Artifact::Frontend(_) => Stage::Frontend,
            Artifact::Deployment(_) => Stage::Deployment,
        }
    }

    /// The schema of a stage's artifact.
    pub fn schema(stage: Stage) -> Schema {
        match stage {
            Stage::Prd => PrdArtifact::schema(),
            Stage::Data => DataArtifact::schema(),
            Stage::Design => DesignArtifact::schema(),
            Stage::Logic => LogicArtifact::schema(),
            Stage::Api => ApiArtifact::schema(),
            Stage::Frontend => FrontendArtifact::schema(),
            Stage::Deployment => DeploymentArtifact::schema(),
        }
    }

    /// Parses a JSON value as the artifact of `stage`, checking it against the
    /// schema first so that every shape problem is reported at once.
    pub fn from_value(stage: Stage, value: Value) -> Result<Artifact, ArtifactShapeError> {
        let problems = Artifact::schema(stage).check(&value);
        if !problems.is_empty() {
            return Err(ArtifactShapeError { problems });
        }
        fn typed<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, ArtifactShapeError> {
            serde_json::from_value(v).map_err(|e| ArtifactShapeError { problems: vec![format!("$: {e}")] })
        }
        Ok(match stage {
            Stage::Prd => Artifact::Prd(typed(value)?),
            Stage::Data => Artifact::Data(typed(value)?),
            Stage::Design => Artifact::Design(typed(value)?),
            Stage::Logic => Artifact::Logic(typed(value)?),
            Stage::Api => Artifact::Api(typed(value)?),
            Stage::Frontend => Artifact::Frontend(typed(value)?),
            Stage::Deployment => Artifact::Deployment(typed(value)?),
        })
    }

    /// Parses model output text (a JSON document) as the artifact of `stage`.
    pub fn from_text(stage: Stage, text: &str) -> Result<Artifact, ArtifactShapeError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| ArtifactShapeError { problems: vec![format!("the output is not valid JSON: {e}")] })?;
        Artifact::from_value(stage, value)
    }

    /// The artifact as JSON.
    pub fn to_value(&self) -> Value {
        let v = match self {
            Artifact::Prd(a) => serde_json::to_value(a),
            Artifact::Data(a) => serde_json::to_value(a),
            Artifact::Design(a) => serde_json::to_value(a),
            Artifact::Logic(a) => serde_json::to_value(a),
            Artifact::Api(a) => serde_json::to_value(a),
            Artifact::Frontend(a) => serde_json::to_value(a),
            Artifact::Deployment(a) => serde_json::to_value(a),
        };
        // Serialising these plain structs cannot fail: no maps with non-string keys.
        v.unwrap_or(Value::Null)
    }
}

/// The upstream artifacts handed to a stage, typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Upstream {
    /// PRD, when the stage needs it.
    pub prd: Option<PrdArtifact>,
    /// Data model, when the stage needs it.
    pub data: Option<DataArtifact>,
    /// Design, when the stage needs it.
    pub design: Option<DesignArtifact>,
    /// Logic, when the stage needs it.
    pub logic: Option<LogicArtifact>,
    /// API, when the stage needs it.
    pub api: Option<ApiArtifact>,
    /// Frontend, when the stage needs it.
    pub frontend: Option<FrontendArtifact>,
}

impl Upstream {
    /// Adds one artifact to the bag (deployment is never anyone's input).
    pub fn insert(&mut self, artifact: Artifact) {
        match artifact {
            Artifact::Prd(a) => self.prd = Some(a),
            Artifact::Data(a) => self.data = Some(a),
            Artifact::Design(a) => self.design = Some(a),
            Artifact::Logic(a) => self.logic = Some(a),
            Artifact::Api(a) => self.api = Some(a),
            Artifact::Frontend(a) => self.frontend = Some(a),
            Artifact::Deployment(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_sample_of_every_stage_parses_into_its_type() {
        for stage in Stage::ALL {
            let schema = Artifact::schema(stage);
            let sample = schema.sample();
            assert!(schema.check(&sample).is_empty(), "{stage}");
            let artifact = Artifact::from_value(stage, sample.clone()).unwrap_or_else(|e| panic!("{stage}: {e}"));
            assert_eq!(artifact.stage(), stage);
            // And serialises back to the same JSON.
            assert_eq!(artifact.to_value(), sample, "{stage}");
        }
    }

    #[test]
    fn shape_errors_list_every_problem() {
        let err =
            Artifact::from_text(Stage::Api, r#"{"authScheme": 3, "endpoints": [{"method":"FETCH"}]}"#).unwrap_err();
        assert!(err.problems.iter().any(|p| p == "$.authScheme: expected a string, got a number"));
        assert!(err.problems.iter().any(|p| p.contains("\"FETCH\" is not one of GET")));
        assert!(err.problems.iter().any(|p| p.contains("missing required property \"path\"")));
        let err = Artifact::from_text(Stage::Prd, "{\"productName\": ").unwrap_err();
        assert!(err.problems[0].starts_with("the output is not valid JSON"));
    }

    #[test]
    fn an_api_artifact_stored_before_query_parameters_still_parses_and_keeps_its_bytes() {
        let stored = serde_json::json!({"authScheme": "bearer", "endpoints": [{
            "id": "EP-1", "method": "GET", "path": "/api/items", "summary": "List items", "entity": "Item",
            "requestFields": [], "responseFields": ["id"], "errors": [], "authRequired": true, "userStories": []}]});
        let artifact = Artifact::from_value(Stage::Api, stored.clone()).expect("an artifact without queryParams");
        let Artifact::Api(api) = &artifact else { panic!("{artifact:?}") };
        assert!(api.endpoints[0].query_params.is_empty());
        assert_eq!(artifact.to_value(), stored, "no empty queryParams is added");
        // The model is offered the property, but is not held to send it.
        let g = Artifact::schema(Stage::Api).to_gemini();
        let endpoint = &g["properties"]["endpoints"]["items"];
        assert_eq!(endpoint["properties"]["queryParams"]["items"]["properties"]["paramType"]["enum"][4], "enum");
        assert!(!endpoint["required"].as_array().unwrap().contains(&serde_json::json!("queryParams")));
        assert!(endpoint["required"].as_array().unwrap().contains(&serde_json::json!("requestFields")));
    }

    #[test]
    fn gemini_schema_has_descriptions_and_enums() {
        let g = Artifact::schema(Stage::Prd).to_gemini();
        let story = &g["properties"]["userStories"]["items"];
        assert_eq!(story["properties"]["priority"]["enum"], serde_json::json!(["must", "should", "could"]));
        assert!(story["properties"]["id"]["description"].as_str().unwrap().contains("US-1"));
        let field = &Artifact::schema(Stage::Data).to_gemini()["properties"]["entities"]["items"]["properties"]
            ["fields"]["items"];
        assert_eq!(field["properties"]["references"]["nullable"], true);
        assert!(!field["required"].as_array().unwrap().contains(&serde_json::json!("references")));
    }
}
