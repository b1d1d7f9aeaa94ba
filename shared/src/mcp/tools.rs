//! The tools: their names, descriptions and input schemas (one table, which
//! `tools/list` shows and `tools/call` checks against), and what each reads
//! from the API.

use super::blueprint::{find_item, trace_story, Loaded};
use super::rpc::{api_error, Answer, McpError, Outcome, Reads};
use crate::stage::Stage;
use serde_json::{json, Map, Value};

/// A tool: its name, what it is for (written for a coding agent), and the
/// JSON Schema (2020-12) of its arguments.
pub struct Tool {
    /// The name `tools/call` takes.
    pub name: &'static str,
    /// A short title for people.
    pub title: &'static str,
    /// What it answers and when to use it.
    pub description: &'static str,
    /// Its arguments' JSON Schema.
    pub input_schema: fn() -> Value,
}

fn project() -> Value {
    json!({"type": "string", "pattern": "^[0-9a-f-]{8,64}$",
           "description": "The project's id, as list_projects shows it."})
}

fn stage() -> Value {
    let names: Vec<&str> = Stage::ALL.iter().map(|s| s.as_str()).collect();
    json!({"type": "string", "enum": names, "description": "A pipeline stage."})
}

fn object(properties: Value, required: &[&str]) -> Value {
    json!({"type": "object", "properties": properties, "required": required, "additionalProperties": false})
}

/// Every tool, in the order `tools/list` gives them.
pub const TOOLS: &[Tool] = &[
    Tool {
        name: "list_projects",
        title: "List projects",
        description: "The caller's Parit projects, newest first: id, name, idea, run status, stages built and \
                      whether the blueprint is ready. Use the id with every other tool.",
        input_schema: || {
            object(json!({"cursor": {"type": "string", "description": "nextCursor of a previous page."}}), &[])
        },
    },
    Tool {
        name: "get_artifact",
        title: "Get an artifact",
        description: "One stage's artifact of a project as JSON (prd: personas and user stories US-n with \
                      acceptance criteria; data: entities and fields; design: screens SCR-n; logic: rules BR-n \
                      and state machines; api: endpoints EP-n; frontend: starter files; deployment: deploy \
                      files). The newest version unless `version` is given.",
        input_schema: || {
            object(
                json!({"project": project(), "stage": stage(),
                       "version": {"type": "integer", "minimum": 1, "description": "A version; the newest if absent."}}),
                &["project", "stage"],
            )
        },
    },
    Tool {
        name: "get_item",
        title: "Get one item by id",
        description: "One item of a project's blueprint by its id: a user story (US-3), a persona (P-1), a \
                      feature (F-2), a screen (SCR-2), a business rule (BR-4), an endpoint (EP-5), an entity \
                      by name (Order) or one of its fields (Order.total). Answers the item's JSON and where \
                      it sits: stage, artifact version and JSON path.",
        input_schema: || {
            object(
                json!({"project": project(),
                       "id": {"type": "string", "minLength": 1, "maxLength": 120,
                              "description": "US-n, P-n, F-n, SCR-n, BR-n, EP-n, an entity name or Entity.field."}}),
                &["project", "id"],
            )
        },
    },
    Tool {
        name: "trace_story",
        title: "Trace a user story",
        description: "Everything that serves one user story: its acceptance criteria, the screens that show \
                      it, the endpoints that implement it, the entities those endpoints use, and the starter \
                      files that call those endpoints (with the lines). The same traceability Parit's \
                      consistency check computes. Use it before implementing or changing a story.",
        input_schema: || {
            object(
                json!({"project": project(),
                       "story": {"type": "string", "pattern": "^US-[0-9]+$", "description": "The story id, e.g. US-3."}}),
                &["project", "story"],
            )
        },
    },
    Tool {
        name: "plan_change",
        title: "Plan a change",
        description: "What would run, and what it would cost, before anything is paid for: with `regenerate`, \
                      regenerating that stage and everything after it; with `edit`, saving a proposed artifact \
                      (it is checked as a save would be, and the stages it makes stale are listed); with \
                      neither, the project's next run. Stores nothing.",
        input_schema: || {
            let mut edit_stage = stage();
            edit_stage["description"] = json!("The stage of the edited artifact.");
            object(
                json!({"project": project(),
                       "regenerate": stage(),
                       "edit": {"type": "object", "additionalProperties": false, "required": ["stage", "artifact"],
                                "description": "A proposed edit: the stage and the whole new artifact.",
                                "properties": {"stage": edit_stage,
                                               "artifact": {"type": "object", "description": "The artifact as it would be saved."}}}}),
                &["project"],
            )
        },
    },
    Tool {
        name: "check_drift",
        title: "Check drift",
        description: "Compares your repository with the blueprint, by code (no model): SQL DDL (one file or the \
                      migrations concatenated in order) against the data model, and/or an OpenAPI 3.x document \
                      (JSON or YAML) against the endpoints. Answers whether they are in step and each \
                      difference (entity, field, key, relationship, endpoint, parameter; added, removed or \
                      changed) with the user stories it touches. Stores nothing.",
        input_schema: || {
            json!({"type": "object", "additionalProperties": false,
                   "required": ["project"],
                   "anyOf": [{"required": ["sql"]}, {"required": ["openapi"]}],
                   "properties": {
                       "project": project(),
                       "sql": {"type": "string", "minLength": 1, "description": "SQL DDL."},
                       "dialect": {"type": "string", "enum": ["sqlite", "postgres", "mysql"], "default": "sqlite",
                                   "description": "The SQL's dialect."},
                       "openapi": {"type": "string", "minLength": 1, "description": "An OpenAPI 3.x document, JSON or YAML."}}})
        },
    },
];

/// `tools/list`'s tools.
pub fn tool_list() -> Vec<Value> {
    TOOLS
        .iter()
        .map(|t| {
            json!({"name": t.name, "title": t.title, "description": t.description, "inputSchema": (t.input_schema)(),
                   "annotations": {"readOnlyHint": true, "openWorldHint": false}})
        })
        .collect()
}

/// A tool's answer: its JSON as text and as structured content.
fn success(value: Value) -> Value {
    let text = serde_json::to_string_pretty(&value).unwrap_or_default();
    json!({"content": [{"type": "text", "text": text}], "structuredContent": value, "isError": false})
}

/// A tool's failure the agent can act on (a wrong id, a missing project…).
pub(crate) fn failure(message: impl Into<String>) -> Value {
    json!({"content": [{"type": "text", "text": message.into()}], "isError": true})
}

/// An argument error: a tool failure, as the specification asks for input
/// validation (`server/tools.mdx`, "Tool Execution Errors").
type Checked<T> = Result<T, String>;

fn text<'a>(args: &'a Map<String, Value>, name: &str, required: bool) -> Checked<Option<&'a str>> {
    match args.get(name) {
        None | Some(Value::Null) if !required => Ok(None),
        None | Some(Value::Null) => Err(format!("\"{name}\" is required")),
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s)),
        Some(_) => Err(format!("\"{name}\" must be a non-empty string")),
    }
}

/// The project argument: an id the API could have minted (so it is safe in a path).
fn project_arg(args: &Map<String, Value>) -> Checked<&str> {
    let id = text(args, "project", true)?.unwrap_or_default();
    match crate::project::is_resource_id(id) {
        true => Ok(id),
        false => Err(format!(
            "\"{}\" is not a project id (list_projects shows them)",
            id.chars().take(80).collect::<String>()
        )),
    }
}

fn stage_arg(args: &Map<String, Value>, name: &str, required: bool) -> Checked<Option<Stage>> {
    match text(args, name, required)? {
        None => Ok(None),
        Some(s) => Stage::parse(s).map(Some).ok_or_else(|| {
            let names: Vec<&str> = Stage::ALL.iter().map(|s| s.as_str()).collect();
            format!(
                "\"{name}\": \"{}\" is not a stage (one of {})",
                s.chars().take(40).collect::<String>(),
                names.join(", ")
            )
        }),
    }
}

fn only(args: &Map<String, Value>, allowed: &[&str]) -> Checked<()> {
    match args.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(format!(
            "unknown argument \"{}\" (expected {})",
            k.chars().take(40).collect::<String>(),
            allowed.join(", ")
        )),
        None => Ok(()),
    }
}

/// The answer of a read if it is a 200; its error as a tool failure otherwise.
fn ok(answer: &Answer) -> Checked<&Value> {
    match answer.status {
        200 => Ok(&answer.body),
        _ => Err(api_error(answer)),
    }
}

/// `tools/call`.
pub(crate) fn call(params: &Map<String, Value>, reads: &mut Reads<'_>) -> Result<Outcome, McpError> {
    let Some(name) = params.get("name").and_then(Value::as_str) else {
        return Err(McpError::params("tools/call needs \"name\", a tool name"));
    };
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    let args = match params.get("arguments") {
        None | Some(Value::Null) => EMPTY.get_or_init(Map::new),
        Some(Value::Object(a)) => a,
        Some(_) => return Err(McpError::params("\"arguments\" must be an object")),
    };
    let outcome = match name {
        "list_projects" => list_projects(args, reads),
        "get_artifact" => get_artifact(args, reads),
        "get_item" => get_item(args, reads),
        "trace_story" => trace(args, reads),
        "plan_change" => plan_change(args, reads),
        "check_drift" => check_drift(args, reads),
        _ => {
            let names: Vec<&str> = TOOLS.iter().map(|t| t.name).collect();
            let shown: String = name.chars().take(60).collect();
            return Err(McpError::params(format!("Unknown tool: {shown} (tools: {})", names.join(", "))));
        }
    };
    Ok(outcome.unwrap_or_else(|message| Outcome::Done(failure(message))))
}

type ToolResult = Checked<Outcome>;

fn list_projects(args: &Map<String, Value>, reads: &mut Reads<'_>) -> ToolResult {
    only(args, &["cursor"])?;
    let path = match text(args, "cursor", false)? {
        Some(c) if c.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b)) && c.len() <= 200 => {
            format!("/api/projects?cursor={c}")
        }
        Some(_) => return Err("\"cursor\" is not a cursor list_projects gave".into()),
        None => "/api/projects".into(),
    };
    let Some(answer) = reads.get(path) else { return Ok(reads.pending()) };
    Ok(Outcome::Done(success(ok(answer)?.clone())))
}

fn get_artifact(args: &Map<String, Value>, reads: &mut Reads<'_>) -> ToolResult {
    only(args, &["project", "stage", "version"])?;
    let project = project_arg(args)?;
    let stage = stage_arg(args, "stage", true)?.unwrap_or(Stage::Prd);
    let version = match args.get("version") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64().filter(|v| (1..=u64::from(u32::MAX)).contains(v)).ok_or("\"version\" must be an integer ≥ 1")?,
        ),
    };
    let path = match version {
        Some(v) => format!("/api/projects/{project}/artifacts/{stage}?version={v}"),
        None => format!("/api/projects/{project}/artifacts/{stage}"),
    };
    let Some(answer) = reads.get(path) else { return Ok(reads.pending()) };
    Ok(Outcome::Done(success(ok(answer)?.clone())))
}

fn get_item(args: &Map<String, Value>, reads: &mut Reads<'_>) -> ToolResult {
    only(args, &["project", "id"])?;
    let project = project_arg(args)?;
    let id = text(args, "id", true)?.unwrap_or_default();
    if id.chars().count() > 120 {
        return Err("\"id\" is longer than any id".into());
    }
    let stage = super::blueprint::stage_of(id);
    let Some(answer) = reads.get(format!("/api/projects/{project}/artifacts/{stage}")) else {
        return Ok(reads.pending());
    };
    let body = ok(answer)?;
    let version = body["version"].as_u64().unwrap_or_default();
    let found = find_item(stage, &body["artifact"], id)?;
    Ok(Outcome::Done(success(json!({
        "projectId": project, "id": id, "kind": found.kind.as_str(), "stage": stage, "version": version,
        "path": found.path, "item": found.item,
    }))))
}

fn trace(args: &Map<String, Value>, reads: &mut Reads<'_>) -> ToolResult {
    only(args, &["project", "story"])?;
    let project = project_arg(args)?;
    let story = text(args, "story", true)?.unwrap_or_default();
    if !super::blueprint::is_story_id(story) {
        return Err(format!("\"{}\" is not a user story id (US-n)", story.chars().take(40).collect::<String>()));
    }
    // Which stages have an artifact (and whether the project is the caller's), then those artifacts.
    let Some(list) = reads.get(format!("/api/projects/{project}/artifacts")) else { return Ok(reads.pending()) };
    let latest = ok(list)?["latest"].as_object().cloned().unwrap_or_default();
    if !latest.contains_key("prd") {
        return Err("the project has no PRD yet: run its pipeline first".into());
    }
    let mut loaded = Loaded::default();
    for stage in [Stage::Prd, Stage::Data, Stage::Design, Stage::Api, Stage::Frontend] {
        if !latest.contains_key(stage.as_str()) {
            continue;
        }
        if let Some(answer) = reads.get(format!("/api/projects/{project}/artifacts/{stage}")) {
            let body = ok(answer)?;
            loaded.add(stage, body["version"].as_u64().unwrap_or_default(), body["artifact"].clone())?;
        }
    }
    if let Some(waiting) = reads.waiting() {
        return Ok(waiting);
    }
    let mut traced = trace_story(&loaded, story)?;
    traced["projectId"] = json!(project);
    Ok(Outcome::Done(success(traced)))
}

fn plan_change(args: &Map<String, Value>, reads: &mut Reads<'_>) -> ToolResult {
    only(args, &["project", "regenerate", "edit"])?;
    let project = project_arg(args)?;
    let regenerate = stage_arg(args, "regenerate", false)?;
    let edit = args.get("edit").filter(|e| !e.is_null());
    let answer = match (regenerate, edit) {
        (Some(_), Some(_)) => return Err("give either \"regenerate\" or \"edit\", not both".into()),
        (Some(stage), None) => reads.get(format!("/api/projects/{project}/plan?regenerate={stage}")),
        (None, Some(Value::Object(edit))) => {
            only(edit, &["stage", "artifact"])?;
            stage_arg(edit, "stage", true)?;
            if !edit.get("artifact").is_some_and(Value::is_object) {
                return Err("\"edit.artifact\" must be the whole artifact, an object".into());
            }
            reads.post(format!("/api/projects/{project}/plan"), Value::Object(edit.clone()))
        }
        (None, Some(_)) => return Err("\"edit\" must be {\"stage\", \"artifact\"}".into()),
        (None, None) => reads.get(format!("/api/projects/{project}/plan")),
    };
    let Some(answer) = answer else { return Ok(reads.pending()) };
    Ok(Outcome::Done(success(ok(answer)?.clone())))
}

fn check_drift(args: &Map<String, Value>, reads: &mut Reads<'_>) -> ToolResult {
    only(args, &["project", "sql", "dialect", "openapi"])?;
    let project = project_arg(args)?;
    let sql = text(args, "sql", false)?;
    let openapi = text(args, "openapi", false)?;
    let dialect = text(args, "dialect", false)?;
    if sql.is_none() && openapi.is_none() {
        return Err("give \"sql\" (DDL) and/or \"openapi\" (a document) to compare".into());
    }
    if let Some(d) = dialect.filter(|d| !["sqlite", "postgres", "mysql"].contains(d)) {
        return Err(format!(
            "\"dialect\": \"{}\" is not one of sqlite, postgres, mysql",
            d.chars().take(40).collect::<String>()
        ));
    }
    let mut body = Map::new();
    for (k, v) in [("sql", sql), ("dialect", dialect), ("openapi", openapi)] {
        if let Some(v) = v {
            body.insert(k.into(), json!(v));
        }
    }
    let Some(answer) = reads.post(format!("/api/projects/{project}/drift"), Value::Object(body)) else {
        return Ok(reads.pending());
    };
    match answer.status {
        200 => Ok(Outcome::Done(success(answer.body.clone()))),
        // The importer's reason (message, line, column) is what the agent needs to fix its input.
        422 => Err(format!("the document could not be read: {}", answer.body["error"])),
        _ => Err(api_error(answer)),
    }
}
