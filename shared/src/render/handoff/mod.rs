//! Hand-off layouts: the blueprint laid out the way coding agents read a
//! project, rendered from the seven artifacts by code (the same artifacts
//! always give the same bytes). Four layouts, each a list of files with paths
//! relative to the export root:
//!
//! * **`AGENTS.md`**, the open format read by Codex, Cursor, Jules, Claude Code
//!   and others. Followed: <https://agents.md> and its reference mirror
//!   <https://www.mintlify.com/agentsmd/agents.md/reference/format> (stored
//!   copies, read 2026-12-04): plain Markdown at the repository root, no
//!   required fields, `##` sections by convention (the site's examples use
//!   "Setup commands", "Code style", "Dev environment tips", "Testing
//!   instructions", "PR instructions"); agents run the commands it lists, so
//!   every command here comes from a file of the blueprint (a `package.json`
//!   script, the wrangler config, the CI workflow, a deployment step) and
//!   names its source; a command no file supports is reported as missing.
//! * **Kiro specs**, `.kiro/specs/<feature>/{requirements,design,tasks}.md`.
//!   Followed: <https://kiro.dev/docs/specs/> and
//!   <https://kiro.dev/docs/specs/concepts> (stored copies, read 2026-12-04):
//!   requirements.md holds user stories with acceptance criteria in EARS
//!   notation, each `WHEN [condition/event] THE SYSTEM SHALL [expected
//!   behavior]` (written exactly so: no `THEN`); design.md the technical
//!   architecture, sequence diagrams and implementation considerations;
//!   tasks.md discrete, trackable tasks. Those pages show no complete file, so
//!   the file shape is the one Kiro writes as reproduced by third-party Kiro
//!   workflows (e.g. the `kiro/spec-tasks` command of gotalab/cc-sdd, which
//!   says "Format exactly as"): `# Requirements Document`, `## Introduction`,
//!   `## Requirements`, `### Requirement N`, `**User Story:**`, `#### Acceptance
//!   Criteria` with criteria N.1, N.2 …; `# Design Document` with Overview,
//!   Architecture, Components and Interfaces, Data Models, Error Handling,
//!   Testing Strategy; `# Implementation Plan` as `- [ ] 1. Task` with
//!   sub-tasks `- [ ] 1.1 …` (two levels at most) and a `_Requirements: 1.1,
//!   2.3_` line under each.
//! * **GitHub Spec Kit**, `specs/<nnn>-<feature>/{spec,plan,data-model}.md`,
//!   `contracts/openapi.json` and `tasks.md`. Followed, from github/spec-kit
//!   as stored (commits of its fork network): `templates/spec-template.md` at
//!   8cbf04a21c72 (sections "User Scenarios & Testing *(mandatory)*", "User
//!   Story N - Title (Priority: PN)", "Acceptance Scenarios" as Given/When/Then,
//!   "Edge Cases", "Requirements *(mandatory)*", "FR-001", "Key Entities",
//!   "Success Criteria *(mandatory)*", "SC-001"); `templates/plan-template.md`
//!   at 0803905ad9a4 (Summary, Technical Context, Constitution Check, Project
//!   Structure, Complexity Tracking); `templates/commands/plan.md` at the same
//!   commit (data-model.md: entities, fields, relationships, validation rules,
//!   state transitions; contracts/: the endpoints of a web service); and
//!   `templates/commands/tasks.md` at the same commit ("Checklist Format
//!   (REQUIRED)": `- [ ] T001 [P] [US1] Description with file path`; phases
//!   Setup, Foundational, one per user story in priority order, Polish).
//! * **OpenSpec**, `openspec/config.yaml` and `openspec/specs/<capability>/spec.md`,
//!   with a change folder `openspec/changes/<id>/` between two PRD versions;
//!   the sources followed are cited in the `openspec` module.
//!
//! A "feature" is a PRD feature F-n: one Kiro spec folder, one Spec Kit
//! folder and one OpenSpec capability each, because the tools work one feature at a time (Spec Kit names
//! a branch and a `specs/` folder per feature, `nnn` = 001, 002 … in PRD
//! order). Stories no feature delivers get one more folder, so none is lost.
//! A feature's requirements are its stories; its design is its slice of the
//! other artifacts: the screens and endpoints that serve those stories, the
//! entities those endpoints use, and those entities' rules and state machines.
//! Parit's ids (US-n, SCR-n, EP-n, BR-n) stay visible next to the tools' own
//! numbering (Requirement 1 / 1.1, User Story 1 / FR-001) so traceability
//! survives. The Spec Kit templates' `Created`/`Date` lines are left out: a
//! render has no clock, and the same artifacts must give the same bytes.
//!
//! Size matters (the supervisor's WASM is near its limit): no new crate,
//! lookups by linear search instead of maps, no sorting, closures passed as
//! `&dyn Fn` so each helper is compiled once, and `put` instead of `format!`
//! where it was measured to help. Linked into a wasm32 cdylib with the
//! workspace's release profile next to the renders the supervisor already
//! has, this module adds about 86 KB raw, 29 KB gzip (measured 2026-12-04).
//!
//! The folder holds one module per layout and the pieces they share, each
//! importing only the ones below it:
//!
//! * this module: [`Layout`], [`LAYOUTS`] and [`layouts`], which lays out
//!   every layout from the same blueprint and slices;
//! * `agents_md`, `kiro`, `spec_kit`, `openspec`: one layout each (OpenSpec
//!   with its change folder, given an older PRD version: [`Since`]);
//! * `ci`: the GitHub workflow that runs `parit check` (AGENTS.md, OpenSpec);
//! * `entities`: a slice's data model in Markdown (Kiro and Spec Kit);
//! * `files`: where things are, read from the generated files (wrangler
//!   config, entry, migration, commands);
//! * `blueprint`: the latest artifact of each stage and the feature slices;
//! * `text`: Markdown and Mermaid escaping, the leaf of them all.

mod agents_md;
mod blueprint;
mod ci;
mod entities;
mod files;
mod kiro;
mod openspec;
mod spec_kit;
#[cfg(test)]
mod tests;
mod text;

use crate::artifact::Artifact;
use crate::check::ready::Verdict;
use crate::stage::Stage;
use agents_md::agents_md;
use blueprint::{slices, Blueprint};
use kiro::{kiro_design, kiro_requirements, kiro_tasks};
pub use openspec::Since;
use spec_kit::{speckit_contract, speckit_data_model, speckit_plan, speckit_spec, speckit_tasks, SpecOrder};

/// One hand-off layout: the files a tool reads, at paths relative to the
/// export root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Short machine name: `agents-md`, `kiro`, `spec-kit` or `openspec`.
    pub name: &'static str,
    /// For people: `AGENTS.md`, `Kiro specs`, `GitHub Spec Kit`, `OpenSpec`.
    pub title: &'static str,
    /// (path, content), e.g. (`.kiro/specs/recipe-management/tasks.md`, …).
    pub files: Vec<(String, String)>,
    /// What could not be rendered for want of an artifact, one sentence each.
    pub missing: Vec<String>,
}

/// The machine names of the layouts [`layouts`] renders, in its order.
pub const LAYOUTS: [&str; 4] = ["agents-md", "kiro", "spec-kit", "openspec"];

/// The four hand-off layouts of a project: `AGENTS.md`, the Kiro specs, the
/// Spec Kit specs and the OpenSpec specs. `name` and `idea` are the
/// project's; `artifacts` its latest artifacts (any subset of the stages:
/// what is missing is said, never guessed); `verdict` the readiness verdict,
/// whose gaps `AGENTS.md` lists.
pub fn layouts(name: &str, idea: &str, artifacts: &[Artifact], verdict: Option<&Verdict>) -> Vec<Layout> {
    layouts_since(name, idea, artifacts, verdict, None)
}

/// [`layouts`], and given an older PRD version (`since`), the OpenSpec
/// layout as a repository built from that version needs it: that version's
/// specs and the change folder that brings them to the newest blueprint.
pub fn layouts_since(
    name: &str,
    idea: &str,
    artifacts: &[Artifact],
    verdict: Option<&Verdict>,
    since: Option<&Since>,
) -> Vec<Layout> {
    let bp = Blueprint::new(artifacts);
    let product = bp.prd.map_or(name, |p| p.product_name.as_str());
    let slices = slices(&bp);
    let mut missing = Vec::new();
    for stage in Stage::ALL {
        if !artifacts.iter().any(|a| a.stage() == stage) {
            missing.push(format!("the {stage} artifact is missing"));
        }
    }
    let mut kiro = Vec::new();
    let mut speckit = Vec::new();
    for s in &slices {
        let dir = format!(".kiro/specs/{}", s.kiro);
        kiro.push((format!("{dir}/requirements.md"), kiro_requirements(&bp, product, s)));
        kiro.push((format!("{dir}/design.md"), kiro_design(&bp, product, s)));
        kiro.push((format!("{dir}/tasks.md"), kiro_tasks(&bp, s)));
        let order = SpecOrder::new(s);
        let dir = format!("specs/{}", s.speckit);
        speckit.push((format!("{dir}/spec.md"), speckit_spec(&bp, s, &order)));
        speckit.push((format!("{dir}/plan.md"), speckit_plan(&bp, s, verdict)));
        speckit.push((format!("{dir}/data-model.md"), speckit_data_model(&bp, s)));
        speckit.push(speckit_contract(&bp, product, s));
        speckit.push((format!("{dir}/tasks.md"), speckit_tasks(&bp, s, &order)));
    }
    let no_specs = if bp.prd.is_none() {
        vec!["the PRD artifact is missing: there are no features, so no specs".to_string()]
    } else {
        Vec::new()
    };
    let workflow = (ci::PATH.to_string(), ci::WORKFLOW.to_string());
    let (mut open, open_missing) = match since {
        Some(since) => {
            let base = Blueprint { prd: Some(since.prd), ..bp };
            let mut files = openspec::files(&base, product, &blueprint::slices(&base));
            files.0.extend(openspec::change(&bp, product, since, artifacts));
            files
        }
        None => openspec::files(&bp, product, &slices),
    };
    open.push(workflow.clone());
    vec![
        Layout {
            name: LAYOUTS[0],
            title: "AGENTS.md",
            files: vec![("AGENTS.md".into(), agents_md(&bp, name, idea, &slices, verdict)), workflow],
            missing: missing.clone(),
        },
        Layout {
            name: LAYOUTS[1],
            title: "Kiro specs",
            files: kiro,
            missing: [no_specs.clone(), missing.clone()].concat(),
        },
        Layout {
            name: LAYOUTS[2],
            title: "GitHub Spec Kit",
            files: speckit,
            missing: [no_specs.clone(), missing.clone()].concat(),
        },
        Layout {
            name: LAYOUTS[3],
            title: "OpenSpec",
            files: open,
            missing: [no_specs, open_missing, missing].concat(),
        },
    ]
}
