//! Cross-artifact consistency: every referenced id exists, every user story is
//! served by a screen and an endpoint, endpoints use real entities and fields,
//! the frontend calls only declared endpoints, and the deployment lists every
//! variable and secret the code reads. The result is a list of findings and a
//! traceability matrix story → screens → endpoints → entities.
//!
//! Errors are the rules `validate` also enforces when a stage is generated
//! (so they feed the agent's repair round trip); warnings are gaps in
//! coverage, shown to the user.

use crate::artifact::*;
use crate::check::validate::validate;
use crate::stage::Stage;
use serde::Serialize;
use std::collections::BTreeSet;

crate::label_enum! {
    /// How much a finding matters.
    pub enum Severity { Error = "error", Warning = "warning" }
}

crate::record! {
    /// One consistency finding: a problem across artifacts.
    pub struct Finding {
        /// How bad.
        pub severity: Severity,
        /// The stage it is in.
        pub stage: Stage,
        /// Where in it (a JSON path).
        pub location: String,
        /// What is wrong.
        pub message: String,
    }
}

crate::record! {
    /// One user story's row of the traceability matrix.
    pub struct TraceRow {
        /// The story's id.
        pub story: String,
        /// Its title.
        pub title: String,
        /// The screens that serve it.
        pub screens: Vec<String>,
        /// The endpoints that serve it.
        pub endpoints: Vec<String>,
        /// The entities those endpoints work on.
        pub entities: Vec<String>,
    }
}

/// Findings and the matrix for a project's current artifacts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The stages that have an artifact (and were checked).
    pub checked: Vec<Stage>,
    /// Every finding, errors first.
    pub findings: Vec<Finding>,
    /// Story → screens → endpoints → entities.
    pub matrix: Vec<TraceRow>,
    /// Number of error findings.
    pub errors: usize,
    /// Number of warning findings.
    pub warnings: usize,
}

/// Checks the latest artifacts of a project (any subset of the stages).
pub fn check(artifacts: &[Artifact]) -> Report {
    let mut all = Upstream::default();
    for a in artifacts {
        all.insert(a.clone());
    }
    let mut findings = Vec::new();
    for a in artifacts {
        // Each artifact against the others it reads.
        let mut up = Upstream::default();
        for other in artifacts {
            if a.stage().needs().contains(&other.stage()) {
                up.insert(other.clone());
            }
        }
        for p in validate(a, &up) {
            let (location, message) =
                p.split_once(": ").map_or((String::new(), p.clone()), |(l, m)| (l.to_string(), m.to_string()));
            findings.push(Finding { severity: Severity::Error, stage: a.stage(), location, message });
        }
    }
    let mut matrix = Vec::new();
    if let Some(prd) = &all.prd {
        for (i, s) in prd.user_stories.iter().enumerate() {
            let screens: Vec<String> = all
                .design
                .iter()
                .flat_map(|d| d.screens.iter())
                .filter(|sc| sc.user_stories.contains(&s.id))
                .map(|sc| sc.id.clone())
                .collect();
            let endpoints: Vec<&Endpoint> =
                all.api.iter().flat_map(|a| a.endpoints.iter()).filter(|e| e.user_stories.contains(&s.id)).collect();
            let mut entities = BTreeSet::new();
            for e in &endpoints {
                entities.insert(e.entity.clone());
            }
            let at = format!("$.userStories[{i}]");
            if all.design.is_some() && screens.is_empty() {
                findings.push(Finding {
                    severity: Severity::Warning,
                    stage: Stage::Design,
                    location: at.clone(),
                    message: format!("{} is served by no screen", s.id),
                });
            }
            if all.api.is_some() && endpoints.is_empty() {
                findings.push(Finding {
                    severity: Severity::Warning,
                    stage: Stage::Api,
                    location: at,
                    message: format!("{} is served by no endpoint", s.id),
                });
            }
            matrix.push(TraceRow {
                story: s.id.clone(),
                title: s.title.clone(),
                screens,
                endpoints: endpoints.iter().map(|e| e.id.clone()).collect(),
                entities: entities.into_iter().collect(),
            });
        }
    }
    // Errors first, each severity in pipeline order, as a stable sort by
    // (severity, stage) would put them, without instantiating one (WASM size).
    let mut ordered = Vec::with_capacity(findings.len());
    for severity in [Severity::Error, Severity::Warning] {
        for stage in Stage::ALL {
            ordered.extend(findings.iter().filter(|f| f.severity == severity && f.stage == stage).cloned());
        }
    }
    let findings = ordered;
    let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    Report {
        checked: artifacts.iter().map(Artifact::stage).collect(),
        warnings: findings.len() - errors,
        errors,
        findings,
        matrix,
    }
}

/// The matrix as a Markdown table.
pub fn matrix_markdown(report: &Report) -> String {
    let cell = |v: &[String]| if v.is_empty() { "—".to_string() } else { v.join(", ").replace('|', "\\|") };
    let mut o =
        String::from("# Traceability\n\n| Story | Title | Screens | Endpoints | Entities |\n|---|---|---|---|---|\n");
    for r in &report.matrix {
        o.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            r.story.replace('|', "\\|"),
            r.title.replace('|', "\\|").replace('\n', " "),
            cell(&r.screens),
            cell(&r.endpoints),
            cell(&r.entities)
        ));
    }
    o
}

/// The traceability matrix as CSV (RFC 4180: every field quoted, quotes doubled).
pub fn matrix_csv(report: &Report) -> String {
    let field = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let list = |v: &[String]| field(&v.join("; "));
    let mut out = String::from("story,title,screens,endpoints,entities\r\n");
    for r in &report.matrix {
        out.push_str(&format!(
            "{},{},{},{},{}\r\n",
            field(&r.story),
            field(&r.title),
            list(&r.screens),
            list(&r.endpoints),
            list(&r.entities)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::examples;

    #[test]
    fn examples_are_consistent_with_a_full_matrix() {
        for p in examples::all() {
            let artifacts: Vec<Artifact> = Stage::ALL.iter().map(|s| p.artifact(*s)).collect();
            let r = check(&artifacts);
            assert_eq!(r.errors, 0, "{:?}", r.findings);
            assert_eq!(r.warnings, 0, "{:?}", r.findings);
            assert_eq!(r.matrix.len(), p.prd().user_stories.len());
            assert!(r
                .matrix
                .iter()
                .all(|row| !row.screens.is_empty() && !row.endpoints.is_empty() && !row.entities.is_empty()));
        }
    }

    #[test]
    fn gaps_and_broken_references_are_found() {
        let p = examples::pantry();
        let mut design = p.design();
        design.screens.retain(|s| !s.user_stories.contains(&"US-3".to_string()));
        design.navigation.clear();
        let mut api = p.api();
        api.endpoints[0].user_stories = vec!["US-99".into()];
        let r = check(&[
            Artifact::Prd(p.prd()),
            Artifact::Data(p.data()),
            Artifact::Design(design),
            Artifact::Logic(p.logic()),
            Artifact::Api(api),
        ]);
        assert!(r
            .findings
            .iter()
            .any(|f| f.severity == Severity::Warning && f.message == "US-3 is served by no screen"));
        assert!(r
            .findings
            .iter()
            .any(|f| f.severity == Severity::Error && f.stage == Stage::Api && f.message.contains("US-99")));
        assert_eq!(r.findings[0].severity, Severity::Error, "errors first");
    }
}
