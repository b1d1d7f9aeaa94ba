//! The seven stages, their dependency graph, as data, and the status a
//! stage can have.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One step of the pipeline; each is produced by its own agent Worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Product requirements: personas, user stories, features.
    Prd,
    /// Data model: entities, fields, relationships, indexes.
    Data,
    /// UI design: tokens, screens, navigation.
    Design,
    /// Business logic: rules, state machines, algorithms.
    Logic,
    /// API specification: endpoints.
    Api,
    /// Frontend source files.
    Frontend,
    /// Deployment files, env vars and steps.
    Deployment,
}

impl Stage {
    /// Every stage in a topological order of [`Stage::needs`].
    pub const ALL: [Stage; 7] =
        [Stage::Prd, Stage::Data, Stage::Design, Stage::Logic, Stage::Api, Stage::Frontend, Stage::Deployment];

    /// The stages whose artifacts this stage reads (docs/ARCHITECTURE.md, *Crates*: `stage`).
    pub fn needs(self) -> &'static [Stage] {
        match self {
            Stage::Prd => &[],
            Stage::Data | Stage::Design => &[Stage::Prd],
            Stage::Logic => &[Stage::Prd, Stage::Data],
            Stage::Api => &[Stage::Prd, Stage::Data, Stage::Logic],
            Stage::Frontend => &[Stage::Design, Stage::Api],
            Stage::Deployment => &[Stage::Data, Stage::Api, Stage::Frontend],
        }
    }

    /// The stages that read this stage's artifact directly.
    pub fn dependents(self) -> impl Iterator<Item = Stage> {
        Stage::ALL.into_iter().filter(move |s| s.needs().contains(&self))
    }

    /// Every stage downstream of this one, directly or not, in topological order.
    pub fn descendants(self) -> Vec<Stage> {
        let mut out: Vec<Stage> = Vec::new();
        for s in Stage::ALL {
            if s.needs().iter().any(|n| *n == self || out.contains(n)) {
                out.push(s);
            }
        }
        out
    }

    /// Every stage upstream of this one, directly or not, in topological order.
    pub fn ancestors(self) -> Vec<Stage> {
        Stage::ALL.into_iter().filter(|s| s.descendants().contains(&self)).collect()
    }

    /// The lowercase name used in URLs, JSON and storage keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Prd => "prd",
            Stage::Data => "data",
            Stage::Design => "design",
            Stage::Logic => "logic",
            Stage::Api => "api",
            Stage::Frontend => "frontend",
            Stage::Deployment => "deployment",
        }
    }

    /// Parses a stage name as written by [`Stage::as_str`].
    pub fn parse(name: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The supervisor's service binding for this stage's agent.
    pub fn binding(self) -> &'static str {
        match self {
            Stage::Prd => "PRD_AGENT",
            Stage::Data => "DATA_AGENT",
            Stage::Design => "DESIGN_AGENT",
            Stage::Logic => "LOGIC_AGENT",
            Stage::Api => "API_AGENT",
            Stage::Frontend => "FRONTEND_AGENT",
            Stage::Deployment => "DEPLOYMENT_AGENT",
        }
    }

    /// The agent Worker's name.
    pub fn worker_name(self) -> &'static str {
        match self {
            Stage::Prd => "parit-prd-agent",
            Stage::Data => "parit-data-agent",
            Stage::Design => "parit-design-agent",
            Stage::Logic => "parit-logic-agent",
            Stage::Api => "parit-api-agent",
            Stage::Frontend => "parit-frontend-agent",
            Stage::Deployment => "parit-deployment-agent",
        }
    }

    /// The stages that can start now: not done, not excluded, every input done.
    pub fn ready(done: &[Stage], excluded: &[Stage]) -> Vec<Stage> {
        Stage::ALL
            .into_iter()
            .filter(|s| !done.contains(s) && !excluded.contains(s))
            .filter(|s| s.needs().iter().all(|n| done.contains(n)))
            .collect()
    }

    /// The longest chain of stages through the graph (its critical path length).
    pub fn critical_path_len() -> usize {
        let mut depth = [0usize; 7];
        for (i, s) in Stage::ALL.into_iter().enumerate() {
            depth[i] = 1 + s.needs().iter().map(|n| depth[n.index()]).max().unwrap_or(0);
        }
        depth.into_iter().max().unwrap_or(0)
    }

    fn index(self) -> usize {
        Stage::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// Where a stage stands is computed by the run (`run::status`), and read by
// the readiness check and the renders: the word lives here, below both.
crate::label_enum! {
    /// A stage's status as users see it.
    pub enum StageStatus {
        /// No version yet.
        Pending = "pending",
        /// Being generated.
        Running = "running",
        /// Its newest version is current.
        Done = "done",
        /// Its last attempt failed (an older version may still be served).
        Failed = "failed",
        /// Its inputs changed since its newest version was made.
        Stale = "stale",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_is_topological() {
        for (i, s) in Stage::ALL.iter().enumerate() {
            for n in s.needs() {
                assert!(Stage::ALL[..i].contains(n), "{s} needs {n} which comes later");
            }
        }
    }

    #[test]
    fn ready_runs_design_beside_data() {
        assert_eq!(Stage::ready(&[], &[]), vec![Stage::Prd]);
        assert_eq!(Stage::ready(&[Stage::Prd], &[]), vec![Stage::Data, Stage::Design]);
        assert_eq!(Stage::ready(&[Stage::Prd, Stage::Data], &[]), vec![Stage::Design, Stage::Logic]);
        assert_eq!(Stage::ready(&Stage::ALL, &[]), vec![]);
        assert_eq!(Stage::ready(&[Stage::Prd], &[Stage::Design]), vec![Stage::Data]);
    }

    #[test]
    fn descendants_follow_the_graph() {
        assert_eq!(Stage::Data.descendants(), vec![Stage::Logic, Stage::Api, Stage::Frontend, Stage::Deployment]);
        assert_eq!(Stage::Design.descendants(), vec![Stage::Frontend, Stage::Deployment]);
        assert_eq!(Stage::Logic.ancestors(), vec![Stage::Prd, Stage::Data]);
        assert_eq!(Stage::Prd.ancestors(), vec![]);
        assert_eq!(Stage::Deployment.descendants(), vec![]);
        assert_eq!(Stage::Prd.descendants().len(), 6);
    }

    #[test]
    fn names_round_trip_and_critical_path_is_six() {
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.as_str()));
        }
        assert_eq!(Stage::parse("PRD"), None);
        // prd → data → logic → api → frontend → deployment
        assert_eq!(Stage::critical_path_len(), 6);
    }
}

impl crate::schema::ToJson for Stage {
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::String(self.as_str().to_string())
    }
}

impl crate::schema::Describe for Stage {
    fn schema() -> crate::schema::Schema {
        crate::schema::Schema::Named {
            name: "Stage",
            doc: " One of the seven stages, in pipeline order.",
            schema: Box::new(crate::schema::Schema::Enum(&STAGE_NAMES)),
        }
    }
}

/// Each stage's name, in [`Stage::ALL`]'s order (a test holds them together).
const STAGE_NAMES: [&str; 7] = ["prd", "data", "design", "logic", "api", "frontend", "deployment"];

#[cfg(test)]
mod describe_tests {
    use super::*;

    #[test]
    fn the_stage_schema_lists_every_stage_in_order() {
        let names: Vec<&str> = Stage::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, STAGE_NAMES);
    }
}
