//! Lookups in a blueprint for the tools: an item by its id, and a story
//! traced to everything that serves it.

use crate::artifact::{Artifact, Endpoint};
use crate::check::consistency::check;
use crate::check::scan::{api_calls_in, EndpointIndex};
use crate::stage::Stage;
use serde_json::{json, Value};

/// What an id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    /// `US-n`.
    Story,
    /// `PER-n`.
    Persona,
    /// `F-n`.
    Feature,
    /// `SCR-n`.
    Screen,
    /// `BR-n`.
    Rule,
    /// `EP-n`.
    Endpoint,
    /// An entity, by name.
    Entity,
    /// `Entity.field`.
    Field,
}

impl ItemKind {
    /// Its name in answers.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Story => "userStory",
            ItemKind::Persona => "persona",
            ItemKind::Feature => "feature",
            ItemKind::Screen => "screen",
            ItemKind::Rule => "businessRule",
            ItemKind::Endpoint => "endpoint",
            ItemKind::Entity => "entity",
            ItemKind::Field => "field",
        }
    }
}

/// Whether `id` has the prefix `prefix` followed by a number.
fn numbered(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix).is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether `id` is a user story id (`US-n`).
pub(crate) fn is_story_id(id: &str) -> bool {
    numbered(id, "US-")
}

/// The kind of item `id` names, the stage that holds it and the list it is in.
fn kind_of(id: &str) -> (ItemKind, Stage, &'static str) {
    let kinds = [
        ("US-", ItemKind::Story, Stage::Prd, "userStories"),
        ("PER-", ItemKind::Persona, Stage::Prd, "personas"),
        ("F-", ItemKind::Feature, Stage::Prd, "features"),
        ("SCR-", ItemKind::Screen, Stage::Design, "screens"),
        ("BR-", ItemKind::Rule, Stage::Logic, "rules"),
        ("EP-", ItemKind::Endpoint, Stage::Api, "endpoints"),
    ];
    for (prefix, kind, stage, list) in kinds {
        if numbered(id, prefix) {
            return (kind, stage, list);
        }
    }
    match id.contains('.') {
        true => (ItemKind::Field, Stage::Data, "entities"),
        false => (ItemKind::Entity, Stage::Data, "entities"),
    }
}

/// The stage whose artifact holds the item `id`.
pub(crate) fn stage_of(id: &str) -> Stage {
    kind_of(id).1
}

/// An item found: its kind, JSON path in its artifact, and JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// What it is.
    pub kind: ItemKind,
    /// Where it is, e.g. `$.userStories[2]`.
    pub path: String,
    /// The item as the artifact has it.
    pub item: Value,
}

/// The item `id` in `artifact` (the JSON of the `stage` artifact that holds
/// it, `stage_of`); or why there is none, naming the ids there are.
pub fn find_item(stage: Stage, artifact: &Value, id: &str) -> Result<Found, String> {
    let (kind, _, list) = kind_of(id);
    let items = artifact[list].as_array().map(Vec::as_slice).unwrap_or_default();
    let (key, wanted, field) = match kind {
        ItemKind::Entity => ("name", id, None),
        ItemKind::Field => {
            let (entity, field) = id.split_once('.').unwrap_or((id, ""));
            ("name", entity, Some(field))
        }
        _ => ("id", id, None),
    };
    let Some(at) = items.iter().position(|i| i[key].as_str().is_some_and(|k| k.eq_ignore_ascii_case(wanted))) else {
        let known: Vec<&str> = items.iter().filter_map(|i| i[key].as_str()).take(40).collect();
        let shown: String = wanted.chars().take(80).collect();
        return Err(format!(
            "no {} \"{shown}\" in the {stage} artifact (there: {})",
            kind_label(kind),
            known.join(", ")
        ));
    };
    let item = &items[at];
    let path = format!("$.{list}[{at}]");
    let Some(field) = field else { return Ok(Found { kind, path, item: item.clone() }) };
    let fields = item["fields"].as_array().map(Vec::as_slice).unwrap_or_default();
    match fields.iter().position(|f| f["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(field))) {
        Some(i) => Ok(Found { kind, path: format!("{path}.fields[{i}]"), item: fields[i].clone() }),
        None => {
            let known: Vec<&str> = fields.iter().filter_map(|f| f["name"].as_str()).collect();
            let entity = item["name"].as_str().unwrap_or_default();
            let shown: String = field.chars().take(80).collect();
            Err(format!("entity {entity} has no field \"{shown}\" (fields: {})", known.join(", ")))
        }
    }
}

fn kind_label(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Story => "user story",
        ItemKind::Field | ItemKind::Entity => "entity",
        ItemKind::Rule => "business rule",
        other => other.as_str(),
    }
}

/// The artifacts a trace reads, each with its version.
#[derive(Default)]
pub struct Loaded {
    artifacts: Vec<(Artifact, u64)>,
}

impl Loaded {
    /// Adds the `stage` artifact at `version`; an artifact that does not fit
    /// its schema is an error (it cannot be traced).
    pub fn add(&mut self, stage: Stage, version: u64, value: Value) -> Result<(), String> {
        let artifact =
            Artifact::from_value(stage, value).map_err(|e| format!("the {stage} artifact is not valid: {e}"))?;
        self.artifacts.push((artifact, version));
        Ok(())
    }

    fn version(&self, stage: Stage) -> Value {
        self.artifacts.iter().find(|(a, _)| a.stage() == stage).map_or(Value::Null, |(_, v)| json!(v))
    }
}

/// Story `story` traced through the loaded artifacts: its acceptance
/// criteria, and the screens, endpoints, entities (the consistency check's
/// traceability row) and starter files (those calling its endpoints) that
/// serve it, with the artifact versions read.
pub fn trace_story(loaded: &Loaded, story: &str) -> Result<Value, String> {
    let artifacts: Vec<Artifact> = loaded.artifacts.iter().map(|(a, _)| a.clone()).collect();
    let prd = artifacts.iter().find_map(|a| if let Artifact::Prd(p) = a { Some(p) } else { None });
    let Some(prd) = prd else { return Err("the project has no PRD yet: run its pipeline first".into()) };
    let Some(us) = prd.user_stories.iter().find(|s| s.id == story) else {
        let ids: Vec<&str> = prd.user_stories.iter().map(|s| s.id.as_str()).collect();
        return Err(format!("no user story {story} in the PRD (stories: {})", ids.join(", ")));
    };
    let report = check(&artifacts);
    let row = report.matrix.iter().find(|r| r.story == story);
    let (screens, endpoints, entities): (Vec<String>, Vec<String>, Vec<String>) = match row {
        Some(r) => (r.screens.clone(), r.endpoints.clone(), r.entities.clone()),
        None => Default::default(),
    };
    let mut out = json!({
        "story": {"id": us.id, "title": us.title, "persona": us.persona, "narrative": us.narrative,
                  "priority": us.priority, "acceptanceCriteria": us.acceptance_criteria},
        "screens": [], "endpoints": [], "entities": [], "files": [],
        "findings": report.findings.iter().filter(|f| mentions(&f.message, story)).map(|f| &f.message).collect::<Vec<_>>(),
        "versions": {},
    });
    for stage in [Stage::Prd, Stage::Data, Stage::Design, Stage::Api, Stage::Frontend] {
        out["versions"][stage.as_str()] = loaded.version(stage);
    }
    let mut story_endpoints: Vec<&Endpoint> = Vec::new();
    for a in &artifacts {
        match a {
            Artifact::Design(d) => {
                out["screens"] = json!(d
                    .screens
                    .iter()
                    .filter(|s| screens.contains(&s.id))
                    .map(|s| json!({"id": s.id, "name": s.name, "route": s.route, "purpose": s.purpose, "components": s.components}))
                    .collect::<Vec<_>>());
            }
            Artifact::Api(api) => {
                story_endpoints = api.endpoints.iter().filter(|e| endpoints.contains(&e.id)).collect();
                out["endpoints"] = json!(story_endpoints
                    .iter()
                    .map(|e| json!({"id": e.id, "method": e.method, "path": e.path, "summary": e.summary, "entity": e.entity}))
                    .collect::<Vec<_>>());
            }
            Artifact::Data(d) => {
                out["entities"] = json!(d
                    .entities
                    .iter()
                    .filter(|e| entities.contains(&e.name))
                    .map(|e| json!({"name": e.name, "table": e.table,
                                    "fields": e.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>()}))
                    .collect::<Vec<_>>());
            }
            _ => {}
        }
    }
    if out["entities"].as_array().is_none_or(Vec::is_empty) {
        // No data model loaded: the names the endpoints use.
        out["entities"] = json!(entities.iter().map(|e| json!({"name": e})).collect::<Vec<_>>());
    }
    let owned: Vec<Endpoint> = story_endpoints.iter().map(|e| (*e).clone()).collect();
    let index = EndpointIndex::new(&owned);
    for a in &artifacts {
        let Artifact::Frontend(front) = a else { continue };
        let files: Vec<Value> = front
            .files
            .iter()
            .filter_map(|file| {
                let mut calls: Vec<Value> = Vec::new();
                for call in api_calls_in(file) {
                    for e in index.matching(&call) {
                        calls.push(json!({"endpoint": e.id, "line": call.line}));
                    }
                }
                (!calls.is_empty()).then(|| json!({"path": file.path, "language": file.language, "calls": calls}))
            })
            .collect();
        out["files"] = json!(files);
    }
    Ok(out)
}

/// Whether a finding's message names `story` (as a whole id: US-1 is not in US-12).
fn mentions(message: &str, story: &str) -> bool {
    message.match_indices(story).any(|(at, _)| !message[at + story.len()..].starts_with(|c: char| c.is_ascii_digit()))
}
