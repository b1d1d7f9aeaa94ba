//! The blueprint a hand-off layout reads, and its feature slices: the
//! latest artifact of each stage, and for each PRD feature its stories and
//! the screens, endpoints and entities that serve them. Every layout's specs
//! are one folder per slice.

use crate::artifact::*;
use crate::render::export::slug;
use crate::render::handoff::text::{line, lower_first};

/// The latest artifact of each stage, borrowed.
#[derive(Default, Clone, Copy)]
pub(super) struct Blueprint<'a> {
    pub(super) prd: Option<&'a PrdArtifact>,
    pub(super) data: Option<&'a DataArtifact>,
    pub(super) design: Option<&'a DesignArtifact>,
    pub(super) logic: Option<&'a LogicArtifact>,
    pub(super) api: Option<&'a ApiArtifact>,
    pub(super) frontend: Option<&'a FrontendArtifact>,
    pub(super) deployment: Option<&'a DeploymentArtifact>,
}

impl<'a> Blueprint<'a> {
    pub(super) fn new(artifacts: &'a [Artifact]) -> Self {
        let mut bp = Blueprint::default();
        for a in artifacts {
            match a {
                Artifact::Prd(x) => bp.prd = bp.prd.or(Some(x)),
                Artifact::Data(x) => bp.data = bp.data.or(Some(x)),
                Artifact::Design(x) => bp.design = bp.design.or(Some(x)),
                Artifact::Logic(x) => bp.logic = bp.logic.or(Some(x)),
                Artifact::Api(x) => bp.api = bp.api.or(Some(x)),
                Artifact::Frontend(x) => bp.frontend = bp.frontend.or(Some(x)),
                Artifact::Deployment(x) => bp.deployment = bp.deployment.or(Some(x)),
            }
        }
        bp
    }

    pub(super) fn persona(&self, id: &str) -> Option<&'a Persona> {
        self.prd.and_then(|p| p.personas.iter().find(|x| x.id == id))
    }
}

/// One feature and the parts of the other artifacts that serve it.
pub(super) struct Slice<'a> {
    /// F-n, or empty for the stories no feature delivers.
    pub(super) id: &'a str,
    pub(super) name: String,
    pub(super) description: &'a str,
    pub(super) stories: Vec<&'a UserStory>,
    /// Story ids the feature names that the PRD does not have.
    pub(super) unknown: Vec<&'a str>,
    pub(super) screens: Vec<&'a Screen>,
    pub(super) endpoints: Vec<&'a Endpoint>,
    pub(super) entities: Vec<&'a Entity>,
    /// Entity names endpoints use that the data model does not have.
    pub(super) unknown_entities: Vec<&'a str>,
    pub(super) kiro: String,
    pub(super) speckit: String,
}

pub(super) fn slices<'a>(bp: &Blueprint<'a>) -> Vec<Slice<'a>> {
    let Some(prd) = bp.prd else { return Vec::new() };
    let mut out: Vec<Slice<'a>> = Vec::new();
    for f in &prd.features {
        let mut stories: Vec<&UserStory> = Vec::new();
        let mut unknown = Vec::new();
        for id in &f.stories {
            match prd.user_stories.iter().find(|s| s.id == *id) {
                Some(s) if !stories.iter().any(|x| x.id == s.id) => stories.push(s),
                Some(_) => {}
                None => unknown.push(id.as_str()),
            }
        }
        out.push(slice(bp, &f.id, &f.name, &f.description, stories, unknown));
    }
    let orphans: Vec<&UserStory> =
        prd.user_stories.iter().filter(|s| !prd.features.iter().any(|f| f.stories.contains(&s.id))).collect();
    if !orphans.is_empty() {
        let about = "The PRD's user stories that no feature delivers.";
        out.push(slice(bp, "", "Stories without a feature", about, orphans, Vec::new()));
    }
    // Folder names: Kiro's kebab-case name, made unique; Spec Kit's nnn-name.
    let mut used: Vec<String> = Vec::new();
    for (i, s) in out.iter_mut().enumerate() {
        let base = if s.name.chars().any(|c| c.is_ascii_alphanumeric()) { slug(&s.name) } else { slug(s.id) };
        let mut name = base.clone();
        let mut n = 2;
        while used.contains(&name) {
            name = format!("{base}-{n}");
            n += 1;
        }
        s.speckit = format!("{:03}-{base}", i + 1);
        s.kiro = name.clone();
        used.push(name);
    }
    out
}

pub(super) fn slice<'a>(
    bp: &Blueprint<'a>,
    id: &'a str,
    name: &str,
    description: &'a str,
    stories: Vec<&'a UserStory>,
    unknown: Vec<&'a str>,
) -> Slice<'a> {
    let serves = |ids: &[String]| ids.iter().any(|id| stories.iter().any(|s| s.id == *id));
    let screens: Vec<&Screen> =
        bp.design.map(|d| d.screens.iter().filter(|s| serves(&s.user_stories)).collect()).unwrap_or_default();
    let endpoints: Vec<&Endpoint> =
        bp.api.map(|a| a.endpoints.iter().filter(|e| serves(&e.user_stories)).collect()).unwrap_or_default();
    let entities: Vec<&Entity> = bp
        .data
        .map(|d| d.entities.iter().filter(|e| endpoints.iter().any(|ep| ep.entity == e.name)).collect())
        .unwrap_or_default();
    let mut unknown_entities: Vec<&str> = Vec::new();
    for ep in &endpoints {
        if !entities.iter().any(|e| e.name == ep.entity) && !unknown_entities.contains(&ep.entity.as_str()) {
            unknown_entities.push(&ep.entity);
        }
    }
    Slice {
        id,
        name: line(name),
        description,
        stories,
        unknown,
        screens,
        endpoints,
        entities,
        unknown_entities,
        kiro: String::new(),
        speckit: String::new(),
    }
}

impl Slice<'_> {
    /// "F-1 Recipe management", or the name alone for the orphan stories.
    pub(super) fn label(&self) -> String {
        if self.id.is_empty() {
            self.name.clone()
        } else {
            format!("{} {}", line(self.id), self.name)
        }
    }

    /// Whether story `s` is served by an endpoint on `entity`.
    pub(super) fn uses(&self, s: &UserStory, entity: &str) -> bool {
        self.endpoints.iter().any(|e| e.entity == entity && e.user_stories.contains(&s.id))
    }
}

/// Kiro's requirement ids of story number `n` (1-based): its acceptance
/// criteria `n.1`, `n.2` …, or `n` itself when it has none.
pub(super) fn criteria_ids(n: usize, s: &UserStory) -> Vec<String> {
    if s.acceptance_criteria.is_empty() {
        return vec![n.to_string()];
    }
    (1..=s.acceptance_criteria.len()).map(|m| format!("{n}.{m}")).collect()
}

/// Kiro requirement ids of the slice's stories that `serves`.
pub(super) fn reqs(slice: &Slice, serves: &dyn Fn(&UserStory) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    for (i, s) in slice.stories.iter().enumerate() {
        if serves(s) {
            out.extend(criteria_ids(i + 1, s));
        }
    }
    out
}

/// The persona of a story as prose: "the home cook".
pub(super) fn who(bp: &Blueprint, s: &UserStory) -> String {
    match bp.persona(&s.persona) {
        Some(p) if !p.name.trim().is_empty() => format!("the {}", lower_first(&line(&p.name))),
        _ => "the user".into(),
    }
}

/// A persona id with its name: "PER-1 (Home cook)".
pub(super) fn persona(bp: &Blueprint, id: &str) -> String {
    match bp.persona(id) {
        Some(p) => format!("{} ({})", line(id), line(&p.name)),
        None => line(id),
    }
}
