//! Whether a blueprint is ready to hand off, decided by code: all seven
//! artifacts exist, each is current (none pending, stale, failed or being
//! generated), consistency finds no error, and coverage is complete: every
//! Must story is served by a screen and an endpoint and has a contract test
//! (one of its acceptance criteria shown over HTTP, `check::contract`), and
//! every entity is used by an endpoint. When it is not ready, every gap is listed, each with the
//! stage (and id) to go to.
//!
//! ```
//! use parit_shared::check::{consistency, ready};
//! use parit_shared::run::status::StageStatus;
//! use std::collections::BTreeMap;
//! let report = consistency::check(&[]);
//! let verdict = ready::verdict(&BTreeMap::new(), &[], &report);
//! assert!(!verdict.ready);
//! assert_eq!(verdict.gaps.len(), 7, "each missing artifact is a gap");
//! ```

use crate::artifact::{Artifact, Priority};
use crate::check::consistency::{Report, Severity};
use crate::stage::{Stage, StageStatus};
use std::collections::BTreeMap;

crate::label_enum! {
    /// What keeps a blueprint from being ready.
    pub enum GapKind {
        /// A stage has no artifact.
        Missing = "missing",
        /// A stage's artifact is not current (stale, failed or being made).
        NotCurrent = "not_current",
        /// A consistency error.
        Inconsistent = "inconsistent",
        /// A Must story no screen serves.
        StoryWithoutScreen = "story_without_screen",
        /// A Must story no endpoint serves.
        StoryWithoutEndpoint = "story_without_endpoint",
        /// An entity no endpoint uses.
        EntityWithoutEndpoint = "entity_without_endpoint",
        /// A Must story none of whose acceptance criteria a contract test can show.
        StoryWithoutTest = "story_without_test",
    }
}

crate::record! {
    /// One thing that keeps the blueprint from being ready, and where to fix it.
    pub struct Gap {
        /// What kind of gap.
        pub kind: GapKind,
        /// The stage to go to.
        pub stage: Stage,
        /// The id concerned, when there is one (a story, an entity).
        pub id: Option<String>,
        /// What is missing, for people.
        pub message: String,
    }
}

crate::record! {
    /// Ready to hand off: all seven artifacts exist and are current, consistency finds no error, every Must story is served by a screen and an endpoint, every entity is used by an endpoint; else every gap
    pub struct Verdict {
        /// The verdict.
        pub ready: bool,
        /// Every gap, in pipeline order; empty when ready.
        pub gaps: Vec<Gap>,
    }
}

/// The verdict on a project from its stages' statuses, its latest artifacts
/// and their consistency report.
pub fn verdict(statuses: &BTreeMap<Stage, StageStatus>, artifacts: &[Artifact], report: &Report) -> Verdict {
    let mut gaps = Vec::new();
    let gap = |kind, stage, id: Option<&str>, message: String| Gap { kind, stage, id: id.map(str::to_string), message };
    for stage in Stage::ALL {
        match statuses.get(&stage).copied().unwrap_or(StageStatus::Pending) {
            StageStatus::Done => {}
            StageStatus::Pending => {
                gaps.push(gap(GapKind::Missing, stage, None, format!("the {stage} artifact does not exist yet")))
            }
            status => gaps.push(gap(GapKind::NotCurrent, stage, None, format!("the {stage} artifact is {status}"))),
        }
    }
    for f in report.findings.iter().filter(|f| f.severity == Severity::Error) {
        let at = if f.location.is_empty() { String::new() } else { format!(" at {}", f.location) };
        gaps.push(gap(GapKind::Inconsistent, f.stage, None, format!("{}{at}: {}", f.stage, f.message)));
    }
    let find = |stage: Stage| artifacts.iter().find(|a| a.stage() == stage);
    // Coverage from the traceability matrix, once the design and the API exist.
    if let (Some(Artifact::Prd(prd)), Some(_), Some(_)) = (find(Stage::Prd), find(Stage::Design), find(Stage::Api)) {
        let must = |id: &str| prd.user_stories.iter().any(|s| s.id == id && s.priority == Priority::Must);
        for row in report.matrix.iter().filter(|r| must(&r.story)) {
            if row.screens.is_empty() {
                let message = format!("Must story {} ({}) is served by no screen", row.story, row.title);
                gaps.push(gap(GapKind::StoryWithoutScreen, Stage::Design, Some(&row.story), message));
            }
            if row.endpoints.is_empty() {
                let message = format!("Must story {} ({}) is served by no endpoint", row.story, row.title);
                gaps.push(gap(GapKind::StoryWithoutEndpoint, Stage::Api, Some(&row.story), message));
            }
        }
    }
    if let (Some(Artifact::Prd(prd)), Some(Artifact::Data(data)), Some(Artifact::Api(api))) =
        (find(Stage::Prd), find(Stage::Data), find(Stage::Api))
    {
        // A Must story is tested when a contract test shows one of its criteria.
        let made = crate::check::contract::Makeable::new(data, api);
        for s in prd.user_stories.iter().filter(|s| s.priority == Priority::Must) {
            if !crate::check::contract::tested(s, &made) {
                let message =
                    format!("Must story {} ({}) has no acceptance criterion a contract test can show", s.id, s.title);
                gaps.push(gap(GapKind::StoryWithoutTest, Stage::Prd, Some(&s.id), message));
            }
        }
    }
    if let (Some(Artifact::Data(data)), Some(Artifact::Api(api))) = (find(Stage::Data), find(Stage::Api)) {
        for e in data.entities.iter().filter(|e| !api.endpoints.iter().any(|ep| ep.entity == e.name)) {
            let message = format!("entity {} is used by no endpoint", e.name);
            gaps.push(gap(GapKind::EntityWithoutEndpoint, Stage::Api, Some(&e.name), message));
        }
    }
    Verdict { ready: gaps.is_empty(), gaps }
}

/// The verdict as Markdown, for the export.
pub fn verdict_markdown(verdict: &Verdict) -> String {
    if verdict.ready {
        return "# Ready\n\nAll seven artifacts exist and are current, consistency finds no error, every Must story is \
                served by a screen, an endpoint and a contract test, and every entity is used by an endpoint.\n"
            .to_string();
    }
    let mut out = format!("# Not ready: {} gap(s)\n\n", verdict.gaps.len());
    for g in &verdict.gaps {
        out.push_str(&format!("- [{}] {}\n", g.stage, g.message));
    }
    out
}

#[cfg(all(test, feature = "examples"))]
mod tests {
    use super::*;
    use crate::check::consistency::check;
    use crate::fixtures::examples;

    fn all_done() -> BTreeMap<Stage, StageStatus> {
        Stage::ALL.into_iter().map(|s| (s, StageStatus::Done)).collect()
    }

    #[test]
    fn the_examples_are_ready() {
        for p in examples::all() {
            let artifacts: Vec<Artifact> = Stage::ALL.iter().map(|s| p.artifact(*s)).collect();
            let v = verdict(&all_done(), &artifacts, &check(&artifacts));
            assert!(v.ready, "{}: {:?}", p.key, v.gaps);
        }
    }

    #[test]
    fn every_gap_is_named_with_where_to_fix_it() {
        let p = examples::pantry();
        let must = p.prd().user_stories.iter().find(|s| s.priority == Priority::Must).expect("a Must story").id.clone();
        let mut design = p.design();
        for s in &mut design.screens {
            s.user_stories.retain(|id| *id != must);
        }
        let mut api = p.api();
        let entity = api.endpoints[0].entity.clone();
        api.endpoints.retain(|e| e.entity != entity);
        for e in &mut api.endpoints {
            e.user_stories.retain(|id| *id != must);
        }
        let artifacts =
            vec![Artifact::Prd(p.prd()), Artifact::Data(p.data()), Artifact::Design(design), Artifact::Api(api)];
        let mut statuses = all_done();
        statuses.insert(Stage::Logic, StageStatus::Stale);
        statuses.remove(&Stage::Frontend);
        let v = verdict(&statuses, &artifacts, &check(&artifacts));
        assert!(!v.ready);
        let kinds: Vec<(GapKind, Stage, Option<&str>)> =
            v.gaps.iter().map(|g| (g.kind, g.stage, g.id.as_deref())).collect();
        assert!(kinds.contains(&(GapKind::NotCurrent, Stage::Logic, None)));
        assert!(kinds.contains(&(GapKind::Missing, Stage::Frontend, None)));
        assert!(kinds.contains(&(GapKind::StoryWithoutScreen, Stage::Design, Some(must.as_str()))));
        assert!(kinds.contains(&(GapKind::StoryWithoutEndpoint, Stage::Api, Some(must.as_str()))));
        assert!(kinds.contains(&(GapKind::EntityWithoutEndpoint, Stage::Api, Some(entity.as_str()))));
        assert!(verdict_markdown(&v).starts_with(&format!("# Not ready: {} gap(s)", v.gaps.len())));
    }

    #[test]
    fn a_must_story_no_contract_test_can_show_is_a_gap() {
        let p = examples::clinic();
        let mut prd = p.prd();
        let story = prd.user_stories.iter_mut().find(|s| s.priority == Priority::Must).expect("a Must story");
        story.acceptance_criteria = vec!["Staff feel confident using it".into()];
        let id = story.id.clone();
        let mut artifacts: Vec<Artifact> = Stage::ALL.iter().map(|s| p.artifact(*s)).collect();
        artifacts[0] = Artifact::Prd(prd);
        let v = verdict(&all_done(), &artifacts, &check(&artifacts));
        let gaps: Vec<&Gap> = v.gaps.iter().filter(|g| g.kind == GapKind::StoryWithoutTest).collect();
        assert_eq!(gaps.len(), 1, "{:?}", v.gaps);
        assert_eq!((gaps[0].stage, gaps[0].id.as_deref()), (Stage::Prd, Some(id.as_str())));
        assert!(!v.ready);
    }

    #[test]
    fn the_matrix_csv_quotes_every_field() {
        let p = examples::pantry();
        let artifacts: Vec<Artifact> = Stage::ALL.iter().map(|s| p.artifact(*s)).collect();
        let report = check(&artifacts);
        let csv = crate::check::consistency::matrix_csv(&report);
        let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 1 + report.matrix.len());
        let first = &report.matrix[0];
        assert!(lines[1].starts_with(&format!("\"{}\",\"{}\",", first.story, first.title.replace('"', "\"\""))));
    }
}
