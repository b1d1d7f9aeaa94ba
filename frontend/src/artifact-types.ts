// Generated from the Rust artifact types (shared/src/artifact.rs) by
// shared/src/render/typescript.rs. Do not edit: a native test holds this
// file to those types. Rewrite it with
//   PARIT_WRITE_TYPES=1 cargo test -p parit-shared typescript

/** Someone the product is for. */
export interface Persona {
  /** Stable id of the form PER-1, PER-2, ... */
  id: string;
  /** Short name of the persona, e.g. "Home cook". */
  name: string;
  /** Who they are and their context. */
  description: string;
  /** What they want to achieve. */
  goals: string[];
}

/** MoSCoW priority of a user story. */
export type Priority = "must" | "should" | "could";

/** One user story with testable acceptance criteria. */
export interface UserStory {
  /** Stable id of the form US-1, US-2, ... */
  id: string;
  /** Id of the persona (PER-n) this story is for. */
  persona: string;
  /** Short title. */
  title: string;
  /** "As a ..., I want ..., so that ..." */
  narrative: string;
  /** Testable acceptance criteria, at least one. */
  acceptanceCriteria: string[];
  /** must, should or could. */
  priority: Priority;
}

/** A product feature grouping user stories. */
export interface Feature {
  /** Stable id of the form F-1, F-2, ... */
  id: string;
  /** Feature name. */
  name: string;
  /** What the feature does. */
  description: string;
  /** Ids (US-n) of the user stories this feature delivers. */
  stories: string[];
}

/** A quality the product must have. */
export interface NonFunctionalRequirement {
  /** performance, security, accessibility, reliability, privacy, ... */
  category: string;
  /** The measurable requirement. */
  requirement: string;
}

/** How success is measured. */
export interface SuccessMetric {
  /** Metric name. */
  name: string;
  /** Target value with a unit or time frame. */
  target: string;
}

/** Product requirements document. */
export interface PrdArtifact {
  /** Product name. */
  productName: string;
  /** Two or three sentences on the product and its value. */
  summary: string;
  /** Personas, at least one. */
  personas: Persona[];
  /** User stories, at least one. */
  userStories: UserStory[];
  /** Features, each delivering user stories. */
  features: Feature[];
  /** Non-functional requirements. */
  nonFunctional: NonFunctionalRequirement[];
  /** What the first version deliberately does not do. */
  outOfScope: string[];
  /** Success metrics. */
  successMetrics: SuccessMetric[];
}

/** Logical type of a field, mapped to SQL types by the renderers. */
export type FieldType = "id" | "string" | "text" | "integer" | "decimal" | "boolean" | "timestamp" | "date" | "json";

/** One field of an entity. */
export interface Field {
  /** Field name in snake_case. */
  name: string;
  /** Logical type; exactly one field per entity has type "id" (its primary key). */
  fieldType: FieldType;
  /** Whether a value is required (NOT NULL). */
  required: boolean;
  /** Whether values must be unique. */
  unique: boolean;
  /** Name of the entity this field references (a foreign key), or null. */
  references?: string | null;
  /** What the field holds. */
  description: string;
}

/** A persisted entity (one table). */
export interface Entity {
  /** Entity name in PascalCase, singular, e.g. "Recipe". */
  name: string;
  /** Table name in snake_case, plural, e.g. "recipes". */
  table: string;
  /** What the entity represents. */
  description: string;
  /** Fields, starting with the id field. */
  fields: Field[];
  /** Names of the fields that together form the primary key, in order, when no single field is the key (a link table's two references); null when the one field of type "id" is the key. */
  primaryKey?: string[] | null;
}

/** Cardinality of a relationship. */
export type Cardinality = "one_to_one" | "one_to_many" | "many_to_many";

/** A relationship between two entities. */
export interface Relationship {
  /** Entity name on the "one" side. */
  from: string;
  /** Entity name on the other side. */
  to: string;
  /** one_to_one, one_to_many or many_to_many. */
  cardinality: Cardinality;
  /** Verb phrase, e.g. "has", "belongs to". */
  label: string;
}

/** A database index. */
export interface Index {
  /** Entity name. */
  entity: string;
  /** Field names, in order. */
  fields: string[];
  /** Whether the index enforces uniqueness. */
  unique: boolean;
}

/** Data model. */
export interface DataArtifact {
  /** Entities, at least one. */
  entities: Entity[];
  /** Relationships between entities. */
  relationships: Relationship[];
  /** Indexes the queries need. */
  indexes: Index[];
}

/** A named color. */
export interface ColorToken {
  /** Token name in kebab-case, e.g. "primary". */
  name: string;
  /** Hex color, e.g. "#1a73e8". */
  value: string;
}

/** A text style. */
export interface TypeToken {
  /** Token name in kebab-case, e.g. "heading-1". */
  name: string;
  /** CSS font family list. */
  fontFamily: string;
  /** Font size in pixels. */
  sizePx: number;
  /** Font weight, 100 to 900. */
  weight: number;
  /** Unitless line height, e.g. 1.4. */
  lineHeight: number;
}

/** A named length. */
export interface SizeToken {
  /** Token name in kebab-case, e.g. "md". */
  name: string;
  /** Length in pixels. */
  px: number;
}

/** Design tokens. */
export interface DesignTokens {
  /** Colors, at least one. */
  colors: ColorToken[];
  /** Text styles. */
  typography: TypeToken[];
  /** Spacing scale. */
  spacing: SizeToken[];
  /** Corner radius scale. */
  radius: SizeToken[];
}

/** One screen of the UI. */
export interface Screen {
  /** Stable id of the form SCR-1, SCR-2, ... */
  id: string;
  /** Screen name. */
  name: string;
  /** Client route, starting with "/", e.g. "/recipes/:id". */
  route: string;
  /** What the user does here. */
  purpose: string;
  /** Ids (US-n) of the user stories this screen serves. */
  userStories: string[];
  /** UI components on the screen. */
  components: string[];
}

/** A way to get from one screen to another. */
export interface NavigationLink {
  /** Screen id (SCR-n) the link is on. */
  from: string;
  /** Screen id (SCR-n) it leads to. */
  to: string;
  /** Link or button label. */
  label: string;
}

/** UI design. */
export interface DesignArtifact {
  /** Design tokens. */
  tokens: DesignTokens;
  /** Screens, at least one. */
  screens: Screen[];
  /** Navigation between screens. */
  navigation: NavigationLink[];
}

/** A business rule. */
export interface BusinessRule {
  /** Stable id of the form BR-1, BR-2, ... */
  id: string;
  /** Name of the entity the rule governs. */
  entity: string;
  /** Short title. */
  title: string;
  /** The rule, precise enough to implement and test. */
  description: string;
}

/** A transition of a state machine. */
export interface Transition {
  /** State before. */
  from: string;
  /** State after. */
  to: string;
  /** Event that triggers the transition. */
  event: string;
  /** Condition that must hold, or null. */
  guard?: string | null;
}

/** The lifecycle of an entity's status field. */
export interface StateMachine {
  /** Entity name. */
  entity: string;
  /** Name of the entity's status field. */
  field: string;
  /** Every state. */
  states: string[];
  /** The state a new record starts in. */
  initial: string;
  /** Allowed transitions. */
  transitions: Transition[];
}

/** A non-trivial computation. */
export interface Algorithm {
  /** Algorithm name. */
  name: string;
  /** What it computes and why. */
  purpose: string;
  /** Step-by-step pseudocode. */
  pseudocode: string;
}

/** Business logic. */
export interface LogicArtifact {
  /** Business rules, at least one. */
  rules: BusinessRule[];
  /** State machines for entities with a lifecycle. */
  stateMachines: StateMachine[];
  /** Algorithms. */
  algorithms: Algorithm[];
}

/** HTTP method of an endpoint. */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Type of a query parameter's value. */
export type ParamType = "string" | "integer" | "number" | "boolean" | "enum";

/** A query-string parameter of an endpoint: pagination, a filter or a sort. */
export interface QueryParam {
  /** Name in the query string: "limit" and "page" page a list, "sort" orders it, and a field name of the endpoint's entity filters by that field. */
  name: string;
  /** string, integer, number, boolean, or enum (one of values). */
  paramType: ParamType;
  /** For an enum, the allowed values; for "sort", field names of the entity, "-" first for descending. Empty otherwise. */
  values: string[];
  /** Whether the caller must send it. */
  required: boolean;
  /** What it does, with its default if any. */
  description: string;
}

/** One HTTP endpoint. */
export interface Endpoint {
  /** Stable id of the form EP-1, EP-2, ... */
  id: string;
  /** HTTP method. */
  method: HttpMethod;
  /** Path starting with "/", parameters as {name}, e.g. "/api/recipes/{id}". */
  path: string;
  /** One-line summary. */
  summary: string;
  /** Name of the data-model entity this endpoint works on. */
  entity: string;
  /** Query parameters: on a list, pagination, the filters its stories need and a sort; else empty. */
  queryParams?: QueryParam[];
  /** Entity field names accepted in the request body (empty for GET and DELETE). */
  requestFields: string[];
  /** Entity field names returned in the response. */
  responseFields: string[];
  /** HTTP error statuses the endpoint can return, e.g. 400, 404. */
  errors: number[];
  /** Whether the caller must be authenticated. */
  authRequired: boolean;
  /** Ids (US-n) of the user stories this endpoint serves. */
  userStories: string[];
}

/** API specification. */
export interface ApiArtifact {
  /** Authentication scheme: "bearer" or "none". */
  authScheme: string;
  /** Endpoints, at least one. */
  endpoints: Endpoint[];
}

/** One generated file. */
export interface SourceFile {
  /** Relative path with forward slashes, e.g. "src/main.ts". */
  path: string;
  /** Language, e.g. "typescript", "html", "css", "toml", "yaml", "sql", "bash". */
  language: string;
  /** Complete file content. */
  content: string;
}

/** Frontend starter code. */
export interface FrontendArtifact {
  /** Framework or stack, e.g. "vite-typescript". */
  framework: string;
  /** Source files, at least one. */
  files: SourceFile[];
}

/** An environment variable or secret the deployed system reads. */
export interface EnvVar {
  /** Name in SCREAMING_SNAKE_CASE. */
  name: string;
  /** What it configures. */
  description: string;
  /** Whether it is a secret (set with a secret store, never committed). */
  secret: boolean;
}

/** Deployment configuration. */
export interface DeploymentArtifact {
  /** Target platform, e.g. "cloudflare-workers". */
  platform: string;
  /** Deploy files: wrangler config, CI workflow, migration script, ... */
  files: SourceFile[];
  /** Every environment variable and secret the code reads. */
  envVars: EnvVar[];
  /** Ordered deployment steps. */
  steps: string[];
}

/** The artifact of each stage, by the stage's name. */
export interface Artifacts {
  prd: PrdArtifact;
  data: DataArtifact;
  design: DesignArtifact;
  logic: LogicArtifact;
  api: ApiArtifact;
  frontend: FrontendArtifact;
  deployment: DeploymentArtifact;
}
