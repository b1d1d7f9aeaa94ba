//! The GitHub Spec Kit layout: `specs/<nnn>-<feature>/{spec,plan,data-model,tasks}.md`
//! and `contracts/`, one folder per feature slice (see the module above for
//! the sources followed).

use crate::artifact::*;
use crate::check::ready::Verdict;
use crate::render::handoff::blueprint::{persona, who, Blueprint, Slice};
use crate::render::handoff::entities::entities_md;
use crate::render::handoff::files::{api_file, api_place, find, migration_file, screen_file, wrangler};
use crate::render::handoff::text::{code, fenced, line, lower_first, moscow, para, priority_label};
use crate::render::openapi;

/// A slice's stories in Spec Kit's order (priority first, PRD order within a
/// priority) and their FR ids: one per acceptance criterion.
pub(super) struct SpecOrder<'a> {
    pub(super) stories: Vec<&'a UserStory>,
    pub(super) frs: Vec<Vec<String>>,
}

impl<'a> SpecOrder<'a> {
    pub(super) fn new(s: &Slice<'a>) -> Self {
        let mut stories = Vec::new();
        for p in [Priority::Must, Priority::Should, Priority::Could] {
            stories.extend(s.stories.iter().copied().filter(|x| x.priority == p));
        }
        let mut frs = Vec::new();
        let mut n = 0;
        for st in &stories {
            let k = st.acceptance_criteria.len().max(1);
            frs.push((n + 1..=n + k).map(|i| format!("FR-{i:03}")).collect());
            n += k;
        }
        SpecOrder { stories, frs }
    }

    /// FR ids of the stories that `serves`.
    pub(super) fn frs(&self, serves: &dyn Fn(&UserStory) -> bool) -> Vec<String> {
        let mut out = Vec::new();
        for (st, ids) in self.stories.iter().zip(&self.frs) {
            if serves(st) {
                out.extend(ids.iter().cloned());
            }
        }
        out
    }
}

pub(super) fn speckit_spec(bp: &Blueprint, s: &Slice, order: &SpecOrder) -> String {
    let mut o = format!(
        "# Feature Specification: {}\n\n**Feature Branch**: `{}`  \n**Status**: Draft  \n**Input**: User description: \"{}\"\n\n\
         ## User Scenarios & Testing *(mandatory)*\n",
        s.name,
        s.speckit,
        line(s.description.trim()).replace('"', "'")
    );
    if !s.unknown.is_empty() {
        o.push_str(&format!(
            "\nThe feature also names {}, which the PRD does not have.\n",
            line(&s.unknown.join(", "))
        ));
    }
    spec_stories(&mut o, bp, s, order);
    spec_requirements(&mut o, bp, s, order);
    o
}

/// The user stories in priority order, each with its acceptance scenarios.
fn spec_stories(o: &mut String, bp: &Blueprint, s: &Slice, order: &SpecOrder) {
    for (k, st) in order.stories.iter().enumerate() {
        let screens: Vec<String> =
            s.screens.iter().filter(|x| x.user_stories.contains(&st.id)).map(|x| line(&x.name)).collect();
        let place = screens.first().map_or_else(|| "the product".to_string(), |n| format!("the {n} screen"));
        o.push_str(&format!(
            "\n### User Story {} - {} (Priority: {})\n\n{}\n\n**Why this priority**: Parit story {} is a {} story in the PRD \
             (MoSCoW), for persona {}.\n\n**Independent Test**: Can be fully tested through {} by checking each acceptance \
             scenario below.\n\n**Acceptance Scenarios**:\n\n",
            k + 1,
            line(st.title.trim()),
            priority_label(st.priority),
            para(&st.narrative),
            line(&st.id),
            moscow(st.priority),
            persona(bp, &st.persona),
            if screens.is_empty() { "the API".to_string() } else { screens.join(", ") }
        ));
        if st.acceptance_criteria.is_empty() {
            o.push_str("_None in the PRD yet._\n");
        }
        for (m, c) in st.acceptance_criteria.iter().enumerate() {
            o.push_str(&format!(
                "{}. **Given** {} is on {place}, **When** they use \"{}\", **Then** {}\n",
                m + 1,
                who(bp, st),
                line(st.title.trim()),
                lower_first(line(c).trim())
            ));
        }
        o.push_str("\n---\n");
    }
}

/// Edge cases, functional requirements, key entities and success criteria.
fn spec_requirements(o: &mut String, bp: &Blueprint, s: &Slice, order: &SpecOrder) {
    o.push_str("\n### Edge Cases\n\n");
    let mut edge = false;
    for ep in s.endpoints.iter().filter(|e| !e.errors.is_empty()) {
        edge = true;
        let errors: Vec<String> = ep.errors.iter().map(u32::to_string).collect();
        o.push_str(&format!(
            "- What happens when {} {} answers {}?\n",
            line(&ep.id),
            code(&format!("{} {}", ep.method, ep.path)),
            errors.join(" or ")
        ));
    }
    for r in bp.logic.iter().flat_map(|l| l.rules.iter()).filter(|r| s.entities.iter().any(|e| e.name == r.entity)) {
        edge = true;
        o.push_str(&format!(
            "- How does the system handle a request that breaks {} ({})?\n",
            line(&r.id),
            line(&r.title)
        ));
    }
    if !edge {
        o.push_str("- None known yet: the API and logic artifacts name no error or rule for this feature.\n");
    }
    o.push_str("\n## Requirements *(mandatory)*\n\n### Functional Requirements\n\n");
    for (st, ids) in order.stories.iter().zip(&order.frs) {
        if st.acceptance_criteria.is_empty() {
            o.push_str(&format!("- **{}**: System MUST deliver {}: {}\n", ids[0], line(&st.id), line(&st.narrative)));
        }
        for (id, c) in ids.iter().zip(&st.acceptance_criteria) {
            o.push_str(&format!(
                "- **{id}**: System MUST ensure that {} ({})\n",
                lower_first(line(c).trim().trim_end_matches('.')),
                line(&st.id)
            ));
        }
    }
    o.push_str("\n### Key Entities *(include if feature involves data)*\n\n");
    if bp.data.is_none() {
        o.push_str("- The data artifact is missing: no entities yet.\n");
    }
    for e in &s.entities {
        let fields: Vec<String> = e.fields.iter().map(|f| line(&f.name)).collect();
        o.push_str(&format!("- **{}**: {} Fields: {}.\n", line(&e.name), line(&e.description), fields.join(", ")));
    }
    o.push_str("\n## Success Criteria *(mandatory)*\n\n### Measurable Outcomes\n\n");
    let mut n = 0;
    let mut sc = |o: &mut String, text: String| {
        n += 1;
        o.push_str(&format!("- **SC-{n:03}**: {text}\n"));
    };
    for m in bp.prd.iter().flat_map(|p| p.success_metrics.iter()) {
        sc(o, format!("{}: {}", line(&m.name), line(&m.target)));
    }
    for r in bp.prd.iter().flat_map(|p| p.non_functional.iter()) {
        sc(o, format!("{} ({})", line(&r.requirement), line(&r.category)));
    }
    sc(o, "Every acceptance scenario above passes".into());
}

pub(super) fn speckit_plan(bp: &Blueprint, s: &Slice, verdict: Option<&Verdict>) -> String {
    let mut o = format!(
        "# Implementation Plan: {}\n\n**Branch**: `{}` | **Spec**: [spec.md](./spec.md)\n**Input**: Feature specification from \
         `/specs/{}/spec.md`\n\n## Summary\n\n{}: {} It has {} user stories, served by {} screen(s) and {} endpoint(s) \
         over {} entity(ies).\n\n\
         ## Technical Context\n\n",
        s.name,
        s.speckit,
        s.speckit,
        para(&s.label()),
        line(s.description.trim()),
        s.stories.len(),
        s.screens.len(),
        s.endpoints.len(),
        s.entities.len()
    );
    technical_context(&mut o, bp, s);
    constitution_check(&mut o, s, verdict);
    project_structure(&mut o, bp, s);
    o
}

/// Spec Kit's Technical Context, from the starter files, the PRD's non-functional requirements and wrangler.
fn technical_context(o: &mut String, bp: &Blueprint, s: &Slice) {
    let clarify = "NEEDS CLARIFICATION";
    let mut languages: Vec<&str> = Vec::new();
    for f in bp.frontend.iter().flat_map(|f| f.files.iter()).chain(bp.deployment.iter().flat_map(|d| d.files.iter())) {
        if !languages.contains(&f.language.as_str()) {
            languages.push(&f.language);
        }
    }
    let (mut perf, mut other) = (Vec::new(), Vec::new());
    for r in bp.prd.iter().flat_map(|p| p.non_functional.iter()) {
        let to = if r.category == "performance" { &mut perf } else { &mut other };
        to.push(line(&r.requirement));
    }
    let storage = match wrangler(bp).and_then(|w| w.d1_binding) {
        Some(b) => format!("Cloudflare D1 (binding {}); schema `data/schema.sqlite.sql`", code(&b)),
        None if bp.data.is_some() => "SQL: `data/schema.sqlite.sql` or `data/schema.postgres.sql`".into(),
        None => clarify.into(),
    };
    let testing = match bp.frontend.and_then(|f| find(&f.files, "package.json")) {
        Some(p) if p.content.contains("\"test\"") => "the `test` script of `frontend/package.json`".into(),
        _ => format!("{clarify} (no test script yet)"),
    };
    o.push_str(&format!(
        "**Language/Version**: {} (the starter files)  \n**Primary Dependencies**: {}  \n**Storage**: {storage}  \n**Testing**: {testing}  \n\
         **Target Platform**: {}  \n**Project Type**: web application (client in `frontend/`, API in `deployment/`)  \n\
         **Performance Goals**: {}  \n**Constraints**: {}  \n**Scale/Scope**: {} screen(s), {} endpoint(s), {} entity(ies) in this feature\n",
        if languages.is_empty() { clarify.to_string() } else { line(&languages.join(", ")) },
        bp.frontend.map_or_else(|| clarify.to_string(), |f| code(&f.framework)),
        bp.deployment.map_or_else(|| clarify.to_string(), |d| code(&d.platform)),
        if perf.is_empty() { clarify.to_string() } else { perf.join("; ") },
        if other.is_empty() { "none stated".to_string() } else { other.join("; ") },
        s.screens.len(),
        s.endpoints.len(),
        s.entities.len()
    ));
}

/// The Constitution Check: the readiness verdict's gaps that concern this feature.
fn constitution_check(o: &mut String, s: &Slice, verdict: Option<&Verdict>) {
    o.push_str(
        "\n## Constitution Check\n\n*GATE: Must pass before Phase 0 research. Re-check after Phase 1 design.*\n\n",
    );
    o.push_str("The gate is Parit's readiness verdict (`READY.md`): every artifact current, no consistency error, every Must story served by a screen and an endpoint.\n\n");
    match verdict {
        Some(v) if v.ready => o.push_str("- PASS: the verdict is ready.\n"),
        Some(v) => {
            let mine = |id: &str| s.stories.iter().any(|x| x.id == id) || s.entities.iter().any(|e| e.name == id);
            let gaps: Vec<String> = v
                .gaps
                .iter()
                .filter(|g| g.id.as_deref().is_none_or(mine))
                .map(|g| format!("- FAIL [{}] {}", g.stage, line(&g.message)))
                .collect();
            if gaps.is_empty() {
                o.push_str("- PASS for this feature; the project has gaps elsewhere (`READY.md`).\n");
            } else {
                o.push_str(&gaps.join("\n"));
                o.push('\n');
            }
        }
        None => o.push_str("- Not evaluated here: see `READY.md`.\n"),
    }
}

/// The feature's documentation and the starter code's source tree.
fn project_structure(o: &mut String, bp: &Blueprint, s: &Slice) {
    o.push_str(&format!(
        "\n## Project Structure\n\n### Documentation (this feature)\n\n```text\nspecs/{}/\n├── plan.md\n├── spec.md\n├── data-model.md\n\
         ├── contracts/\n│   └── {}\n└── tasks.md\n```\n\n### Source Code (repository root)\n\n",
        s.speckit,
        if bp.api.is_some() && bp.data.is_some() { "openapi.json" } else { "README.md" }
    ));
    let mut tree = String::new();
    for (dir, files) in [
        ("frontend", bp.frontend.map(|f| f.files.as_slice())),
        ("deployment", bp.deployment.map(|d| d.files.as_slice())),
    ] {
        tree.push_str(&format!("{dir}/\n"));
        match files {
            Some(files) => {
                for f in files {
                    tree.push_str(&format!("    {}\n", line(&f.path)));
                }
            }
            None => tree.push_str("    (the artifact is missing)\n"),
        }
    }
    o.push_str(&fenced("text", &tree));
    o.push_str(
        "\n**Structure Decision**: Web application: the client in `frontend/` and the API Worker with its migrations in \
         `deployment/`, as the frontend and deployment artifacts lay them out.\n\n## Complexity Tracking\n\n\
         No Constitution Check violation needs justifying.\n",
    );
}

pub(super) fn speckit_data_model(bp: &Blueprint, s: &Slice) -> String {
    let mut o =
        format!("# Data Model: {}\n\nThe entities this feature's endpoints use, from `artifacts/data.json`.\n", s.name);
    entities_md(&mut o, bp, s, "## Entity:");
    o
}

pub(super) fn speckit_contract(bp: &Blueprint, product: &str, s: &Slice) -> (String, String) {
    let dir = format!("specs/{}/contracts", s.speckit);
    match (bp.api, bp.data) {
        (Some(api), Some(_)) => {
            let mine = ApiArtifact {
                auth_scheme: api.auth_scheme.clone(),
                endpoints: s.endpoints.iter().map(|e| (*e).clone()).collect(),
            };
            // Only the schemas of the slice's own entities: with every
            // entity's, each feature's contract grew with the whole model
            // (features × entities: 0.7 s of CPU in WASM at 100 entities).
            let used = DataArtifact {
                entities: s.entities.iter().map(|e| (*e).clone()).collect(),
                relationships: Vec::new(),
                indexes: Vec::new(),
            };
            let doc = openapi::document(product, &mine, &used);
            (format!("{dir}/openapi.json"), serde_json::to_string_pretty(&doc).unwrap_or_default())
        }
        (api, _) => {
            let which = if api.is_none() { "API" } else { "data" };
            (
                format!("{dir}/README.md"),
                format!(
                    "# Contracts\n\nThe {which} artifact is missing: the OpenAPI contract cannot be rendered yet.\n"
                ),
            )
        }
    }
}

/// One Spec Kit task before numbering.
pub(super) struct SpecTask {
    /// Depends on no other task (the tables); then `[P]` when its file is its own.
    pub(super) free: bool,
    pub(super) story: Option<usize>,
    pub(super) text: String,
    pub(super) file: String,
    pub(super) frs: Vec<String>,
}

/// A phase of the task list: its title, its goal, its tasks.
type Phase = (String, Option<String>, Vec<SpecTask>);

pub(super) fn speckit_tasks(bp: &Blueprint, s: &Slice, order: &SpecOrder) -> String {
    let phases = task_phases(bp, s, order);
    let mut o = format!(
        "# Tasks: {}\n\n**Input**: Design documents from `/specs/{}/`\n**Prerequisites**: plan.md (required), spec.md (required \
         for user stories), data-model.md, contracts/\n\n**Organization**: Tasks are grouped by user story to enable independent \
         implementation and testing of each story. Each task ends with the functional requirements it serves.\n\n\
         ## Format: `[ID] [P?] [Story] Description`\n\n- **[P]**: Can run in parallel (different files, no dependencies)\n\
         - **[Story]**: Which user story this task belongs to (e.g., US1, US2, US3)\n",
        s.name, s.speckit
    );
    let mut n = 0;
    for (title, goal, tasks) in &phases {
        o.push_str(&format!("\n## {title}\n\n"));
        if let Some(g) = goal {
            o.push_str(&format!("{g}\n\n"));
        }
        for t in tasks {
            n += 1;
            // Parallel: depends on nothing, and no other task of the phase touches its file.
            let alone = t.free && tasks.iter().filter(|x| x.file == t.file).count() == 1 && tasks.len() > 1;
            o.push_str(&format!(
                "- [ ] T{n:03} {}{}{} {} ({})\n",
                if alone { "[P] " } else { "" },
                t.story.map(|k| format!("[US{k}] ")).unwrap_or_default(),
                t.text,
                code(&t.file),
                if t.frs.is_empty() { "no FR yet".into() } else { t.frs.join(", ") }
            ));
        }
    }
    o.push_str(
        "\n## Dependencies & Execution Order\n\n- Setup (Phase 1) → Foundational (Phase 2) → the user stories in priority order \
         (each independently testable) → Polish.\n- Within a story: endpoints before the screens that call them.\n",
    );
    o
}

/// The phases in order: setup, foundational, one per story, polish.
fn task_phases(bp: &Blueprint, s: &Slice, order: &SpecOrder) -> Vec<Phase> {
    let all = order.frs(&|_| true);
    let mut phases: Vec<(String, Option<String>, Vec<SpecTask>)> = Vec::new();
    let setup = match bp.frontend.and_then(|f| find(&f.files, "package.json")) {
        Some(_) => SpecTask {
            free: false,
            story: None,
            text: "Install the client's dependencies and check it builds, per".into(),
            file: "frontend/package.json".into(),
            frs: all.clone(),
        },
        None => SpecTask {
            free: false,
            story: None,
            text: "Create the project structure per plan.md in".into(),
            file: "frontend/".into(),
            frs: all.clone(),
        },
    };
    phases.push(("Phase 1: Setup (Shared Infrastructure)".into(), None, vec![setup]));
    let api = api_file(bp);
    let (how, api) = api_place(&api);
    let found = foundational(bp, s, order, how, api);
    if !found.is_empty() {
        phases.push(("Phase 2: Foundational (Blocking Prerequisites)".into(), None, found));
    }
    for (k, st) in order.stories.iter().enumerate() {
        let phase = story_phase(bp, s, order, (k, st), phases.len() + 1, (how, api));
        phases.push(phase);
    }
    if bp.deployment.is_some_and(|d| !d.steps.is_empty()) {
        let polish = SpecTask {
            free: false,
            story: None,
            text: "Deploy by the steps of the runbook and re-check every acceptance scenario, per".into(),
            file: "deployment/runbook.md".into(),
            frs: all,
        };
        phases.push((format!("Phase {}: Polish & Cross-Cutting Concerns", phases.len() + 1), None, vec![polish]));
    }
    phases
}

/// The tasks every story needs first: the tables, the rules, the state machines.
fn foundational(bp: &Blueprint, s: &Slice, order: &SpecOrder, how: &str, api: &str) -> Vec<SpecTask> {
    let mut found = Vec::new();
    let migration = migration_file(bp);
    for e in &s.entities {
        found.push(SpecTask {
            free: true,
            story: None,
            text: format!("Create the {} table for {} in", code(&e.table), line(&e.name)),
            file: migration.clone(),
            frs: order.frs(&|x| s.uses(x, &e.name)),
        });
    }
    for r in bp.logic.iter().flat_map(|l| l.rules.iter()).filter(|r| s.entities.iter().any(|e| e.name == r.entity)) {
        found.push(SpecTask {
            free: false,
            story: None,
            text: format!("Enforce {} {} {how}", line(&r.id), line(&r.title)),
            file: api.into(),
            frs: order.frs(&|x| s.uses(x, &r.entity)),
        });
    }
    for m in
        bp.logic.iter().flat_map(|l| l.state_machines.iter()).filter(|m| s.entities.iter().any(|e| e.name == m.entity))
    {
        found.push(SpecTask {
            free: false,
            story: None,
            text: format!("Implement the {}.{} state machine {how}", line(&m.entity), line(&m.field)),
            file: api.into(),
            frs: order.frs(&|x| s.uses(x, &m.entity)),
        });
    }
    found
}

/// The phase of story `k` (0-based, in priority order), numbered `number`;
/// `(how, api)` is where the API is built ([`api_place`]).
fn story_phase(
    bp: &Blueprint,
    s: &Slice,
    order: &SpecOrder,
    (k, st): (usize, &&UserStory),
    number: usize,
    (how, api): (&str, &str),
) -> Phase {
    let frs = &order.frs[k];
    let mut tasks = Vec::new();
    for ep in s.endpoints.iter().filter(|e| e.user_stories.contains(&st.id)) {
        tasks.push(SpecTask {
            free: false,
            story: Some(k + 1),
            text: format!(
                "Implement {} {} ({}) {how}",
                line(&ep.id),
                code(&format!("{} {}", ep.method, ep.path)),
                line(&ep.summary)
            ),
            file: api.into(),
            frs: frs.clone(),
        });
    }
    for sc in s.screens.iter().filter(|x| x.user_stories.contains(&st.id)) {
        tasks.push(SpecTask {
            free: false,
            story: Some(k + 1),
            text: format!("Build {} {} at {} in", line(&sc.id), line(&sc.name), code(&sc.route)),
            file: screen_file(bp, &sc.route),
            frs: frs.clone(),
        });
    }
    tasks.push(SpecTask {
        free: false,
        story: Some(k + 1),
        text: format!("Check every acceptance scenario of User Story {} ({}) from", k + 1, line(&st.id)),
        file: format!("specs/{}/spec.md", s.speckit),
        frs: frs.clone(),
    });
    let title = format!(
        "Phase {}: User Story {} - {} (Priority: {}){}",
        number,
        k + 1,
        line(st.title.trim()),
        priority_label(st.priority),
        if k == 0 { " 🎯 MVP" } else { "" }
    );
    let goal = format!(
        "**Goal**: {}\n\n**Independent Test**: every acceptance scenario of User Story {} passes.",
        line(&st.narrative),
        k + 1
    );
    (title, Some(goal), tasks)
}
