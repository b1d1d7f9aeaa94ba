//! The layouts of the example products, of partial blueprints and of hostile
//! names, read back as each tool reads them.

use super::text::{code, lower_first, para};
use super::*;
use crate::artifact::*;
use crate::check::{consistency, ready};
use crate::fixtures::examples;
use crate::render::handoff::openspec::Since;
use crate::render::openapi;
use crate::run::status::StageStatus;
use serde_json::Value;

fn all(p: &examples::ProductSpec) -> Vec<Artifact> {
    Stage::ALL.iter().map(|s| p.artifact(*s)).collect()
}

fn verdict_of(artifacts: &[Artifact]) -> Verdict {
    let done = Stage::ALL.into_iter().map(|s| (s, StageStatus::Done)).collect();
    ready::verdict(&done, artifacts, &consistency::check(artifacts))
}

fn file<'a>(l: &'a Layout, path: &str) -> &'a str {
    l.files.iter().find(|(p, _)| p == path).map(|(_, c)| c.as_str()).unwrap_or_else(|| panic!("{path} missing"))
}

fn dirs(l: &Layout, prefix: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (p, _) in &l.files {
        let rest = p.strip_prefix(prefix).unwrap_or_else(|| panic!("{p} outside {prefix}"));
        let dir = rest.split('/').next().unwrap().to_string();
        if !out.contains(&dir) {
            out.push(dir);
        }
    }
    out
}

/// `## ` headings of a document, in order.
fn sections(md: &str) -> Vec<&str> {
    md.lines().filter_map(|l| l.strip_prefix("## ")).collect()
}

/// Checks every table row of `md` has as many unescaped pipes as its header.
fn tables_hold(md: &str) {
    let mut width = None;
    for l in md.lines() {
        if !l.starts_with('|') {
            width = None;
            continue;
        }
        let pipes = l.replace("\\\\", "").replace("\\|", "").matches('|').count();
        match width {
            None => width = Some(pipes),
            Some(w) => assert_eq!(w, pipes, "row {l:?}"),
        }
    }
}

/// A Kiro task list: (number, text, requirement ids), strictly parsed.
fn parse_kiro_tasks(md: &str) -> Vec<(String, Vec<String>)> {
    let mut lines = md.lines();
    assert_eq!(lines.next(), Some("# Implementation Plan"));
    assert_eq!(lines.next(), Some(""));
    let mut tasks: Vec<(String, Vec<String>)> = Vec::new();
    let mut top = 0;
    let mut sub = 0;
    for l in lines {
        if let Some(rest) = l.strip_prefix("- [ ] ") {
            top += 1;
            sub = 0;
            let (n, title) = rest.split_once(". ").unwrap_or_else(|| panic!("top task {l:?}"));
            assert_eq!(n, top.to_string(), "{l:?}");
            assert!(!title.trim().is_empty());
        } else if let Some(rest) = l.strip_prefix("  - [ ] ") {
            sub += 1;
            let (n, title) = rest.split_once(' ').unwrap_or_else(|| panic!("sub-task {l:?}"));
            assert_eq!(n, format!("{top}.{sub}"), "{l:?}");
            assert!(!title.trim().is_empty());
            tasks.push((n.to_string(), Vec::new()));
        } else if let Some(ids) = l.strip_prefix("    - _Requirements: ") {
            let ids = ids.strip_suffix('_').unwrap_or_else(|| panic!("{l:?}"));
            let task = tasks.last_mut().expect("a requirements line belongs to a sub-task");
            assert!(task.1.is_empty(), "one requirements line per task");
            for id in ids.split(", ") {
                assert!(!id.is_empty() && id.split('.').all(|p| p.parse::<usize>().is_ok()), "id {id:?} in {l:?}");
                task.1.push(id.to_string());
            }
        } else if let Some(d) = l.strip_prefix("    - ") {
            assert!(!d.starts_with("_Requirements") && !d.is_empty(), "{l:?}");
        } else {
            panic!("not a task line: {l:?}");
        }
    }
    tasks
}

/// A Spec Kit task line: (story label, FR ids).
fn parse_speckit_task(l: &str) -> (Option<usize>, Vec<String>) {
    let rest = l.strip_prefix("- [ ] T").unwrap_or_else(|| panic!("{l:?}"));
    let (id, mut rest) = rest.split_at(3);
    assert!(id.bytes().all(|b| b.is_ascii_digit()), "{l:?}");
    rest = rest.strip_prefix(' ').unwrap_or_else(|| panic!("{l:?}"));
    rest = rest.strip_prefix("[P] ").unwrap_or(rest);
    let mut story = None;
    if let Some(r) = rest.strip_prefix("[US") {
        let (k, r) = r.split_once("] ").unwrap_or_else(|| panic!("{l:?}"));
        story = Some(k.parse::<usize>().unwrap_or_else(|_| panic!("{l:?}")));
        rest = r;
    }
    assert!(rest.contains('`'), "a file path in {l:?}");
    let open = rest.rfind(" (").unwrap_or_else(|| panic!("{l:?}"));
    let ids = rest[open + 2..].strip_suffix(')').unwrap_or_else(|| panic!("{l:?}"));
    let ids: Vec<String> = ids.split(", ").map(str::to_string).collect();
    for id in &ids {
        let n = id.strip_prefix("FR-").unwrap_or_else(|| panic!("{id:?} in {l:?}"));
        assert!(n.len() == 3 && n.bytes().all(|b| b.is_ascii_digit()), "{l:?}");
    }
    (story, ids)
}

fn check_product(p: &examples::ProductSpec) -> Vec<Layout> {
    let artifacts = all(p);
    let v = verdict_of(&artifacts);
    let out = layouts(&p.name, &p.summary, &artifacts, Some(&v));
    assert_eq!(out, layouts(&p.name, &p.summary, &artifacts, Some(&v)), "deterministic");
    let names: Vec<&str> = out.iter().map(|l| l.name).collect();
    assert_eq!(names, ["agents-md", "kiro", "spec-kit", "openspec"]);
    assert!(out.iter().all(|l| l.missing.is_empty()), "nothing missing in {}", p.key);
    let prd = p.prd();

    check_agents_md(&out[0], &prd);
    check_kiro(&out[1], &prd);
    check_spec_kit(&out[2], p, &prd);
    out
}

fn check_agents_md(l: &Layout, prd: &PrdArtifact) {
    let agents = file(l, "AGENTS.md");
    let secs = sections(agents);
    for want in [
        "Project overview",
        "Stack",
        "Setup commands",
        "Testing instructions",
        "Conventions",
        "Specs",
        "Security considerations",
        "What is left to build",
    ] {
        assert!(secs.contains(&want), "{want} in {secs:?}");
    }
    for cmd in [
        "- install (`frontend/`): `npm install` — from frontend/package.json",
        "- dev (`frontend/`): `npm run dev`",
        "- build (`frontend/`): `npm run build`",
        "- migrate (local D1) (`deployment/`): `npx wrangler d1 migrations apply DB --local`",
        "- migrate (remote D1) (`deployment/`): `npx wrangler d1 migrations apply DB --remote` — from deployment/.github/workflows/deploy.yml",
        "- deploy (`deployment/`): `npx wrangler deploy` — from deployment/.github/workflows/deploy.yml",
        "- set secret (`deployment/`): `npx wrangler secret put AUTH_SECRET`",
        "- typecheck (`frontend/`): `npx tsc --noEmit` — from frontend/tsconfig.json",
        "- typecheck (`deployment/`): `npm run typecheck` — from deployment/package.json",
    ] {
        assert!(agents.contains(cmd), "{cmd} in AGENTS.md:\n{agents}");
    }
    assert!(!agents.contains("secret put CLOUDFLARE_API_TOKEN"), "a CI token is not a Worker secret");
    for s in prd.user_stories.iter().filter(|s| s.priority == Priority::Must) {
        assert!(agents.contains(&format!("\n- {} {}\n", s.id, s.title)), "{} listed", s.id);
    }
    assert!(agents.contains("The readiness verdict is **ready**"));
}

fn check_kiro(kiro: &Layout, prd: &PrdArtifact) {
    let folders = dirs(kiro, ".kiro/specs/");
    assert_eq!(folders.len(), prd.features.len(), "one folder per feature");
    for (f, dir) in prd.features.iter().zip(&folders) {
        let base = format!(".kiro/specs/{dir}");
        let req = file(kiro, &format!("{base}/requirements.md"));
        let design = file(kiro, &format!("{base}/design.md"));
        let tasks = file(kiro, &format!("{base}/tasks.md"));
        assert!(req.starts_with("# Requirements Document\n\n## Introduction\n"));
        assert_eq!(sections(req), ["Introduction", "Requirements"]);
        let mut want: Vec<String> = Vec::new();
        for (i, id) in f.stories.iter().enumerate() {
            let st = prd.user_stories.iter().find(|s| s.id == *id).unwrap();
            let head =
                format!("\n### Requirement {}: {} ({})\n\n**User Story:** {}\n", i + 1, st.title, st.id, st.narrative);
            assert!(req.contains(&head), "{head}");
            let block = req.split(&head).nth(1).unwrap();
            let block = block.split("\n### ").next().unwrap();
            let criteria: Vec<&str> = block
                .split("#### Acceptance Criteria\n\n")
                .nth(1)
                .unwrap()
                .lines()
                .take_while(|l| !l.is_empty())
                .collect();
            assert_eq!(criteria.len(), st.acceptance_criteria.len());
            for (m, c) in criteria.iter().enumerate() {
                let rest = c.strip_prefix(&format!("{}. WHEN ", m + 1)).unwrap_or_else(|| panic!("{c}"));
                let (when, shall) = rest.split_once(" THE SYSTEM SHALL ").unwrap_or_else(|| panic!("{c}"));
                assert!(!when.is_empty() && !when.ends_with(" THEN"), "the documented pattern has no THEN: {c}");
                let said = st.acceptance_criteria[m].trim_end_matches('.');
                assert_eq!(shall, format!("ensure that {}", lower_first(said)), "{c}");
                want.push(format!("{}.{}", i + 1, m + 1));
            }
        }
        assert_eq!(
            sections(design),
            [
                "Overview",
                "Architecture",
                "Components and Interfaces",
                "Data Models",
                "Error Handling",
                "Testing Strategy"
            ]
        );
        assert!(design.contains("```mermaid\nflowchart LR\n") && design.contains("```mermaid\nsequenceDiagram\n"));
        tables_hold(design);
        let parsed = parse_kiro_tasks(tasks);
        assert!(!parsed.is_empty());
        for (n, ids) in &parsed {
            assert!(!ids.is_empty(), "task {n} names a requirement");
            for id in ids {
                assert!(want.contains(id), "task {n} names {id}, which requirements.md lacks");
            }
        }
        for id in &want {
            assert!(parsed.iter().any(|(_, ids)| ids.contains(id)), "requirement {id} has a task");
        }
    }
}

fn check_spec_kit(kit: &Layout, p: &examples::ProductSpec, prd: &PrdArtifact) {
    let folders = dirs(kit, "specs/");
    assert_eq!(folders.len(), prd.features.len());
    for (i, (f, dir)) in prd.features.iter().zip(&folders).enumerate() {
        assert!(dir.starts_with(&format!("{:03}-", i + 1)), "{dir}");
        let base = format!("specs/{dir}");
        let spec = file(kit, &format!("{base}/spec.md"));
        let plan = file(kit, &format!("{base}/plan.md"));
        let model = file(kit, &format!("{base}/data-model.md"));
        let contract = file(kit, &format!("{base}/contracts/openapi.json"));
        let tasks = file(kit, &format!("{base}/tasks.md"));
        assert_eq!(
            sections(spec),
            ["User Scenarios & Testing *(mandatory)*", "Requirements *(mandatory)*", "Success Criteria *(mandatory)*"]
        );
        for h in ["### Edge Cases", "### Functional Requirements", "### Key Entities", "### Measurable Outcomes"] {
            assert!(spec.contains(h), "{h}");
        }
        let stories: Vec<&str> = spec.lines().filter(|l| l.starts_with("### User Story ")).collect();
        assert_eq!(stories.len(), f.stories.len());
        for (k, l) in stories.iter().enumerate() {
            assert!(l.starts_with(&format!("### User Story {} - ", k + 1)) && l.contains(" (Priority: P"), "{l}");
        }
        for l in spec.lines().filter(|l| l.starts_with(|c: char| c.is_ascii_digit())) {
            assert!(l.contains(". **Given** ") && l.contains(", **When** ") && l.contains(", **Then** "), "{l}");
        }
        let frs: Vec<&str> = spec.lines().filter_map(|l| l.strip_prefix("- **FR-")).map(|l| &l[..3]).collect();
        let criteria: usize = f
            .stories
            .iter()
            .map(|id| prd.user_stories.iter().find(|s| s.id == *id).unwrap().acceptance_criteria.len())
            .sum();
        assert_eq!(frs.len(), criteria);
        assert_eq!(
            sections(plan),
            ["Summary", "Technical Context", "Constitution Check", "Project Structure", "Complexity Tracking"]
        );
        assert!(model.contains("\n## Entity: "));
        tables_hold(model);
        let api = p.api();
        let endpoints: Vec<Endpoint> =
            api.endpoints.iter().filter(|e| e.user_stories.iter().any(|s| f.stories.contains(s))).cloned().collect();
        let n = endpoints.len();
        // The schemas of the entities the feature's endpoints use, no others.
        let mut used = p.data();
        used.entities.retain(|e| endpoints.iter().any(|ep| ep.entity == e.name));
        used.relationships.clear();
        used.indexes.clear();
        let want =
            openapi::document(&prd.product_name, &ApiArtifact { auth_scheme: api.auth_scheme, endpoints }, &used);
        let got: Value = serde_json::from_str(contract).expect("the contract is JSON");
        assert_eq!(got, want);
        let ops: usize = got["paths"].as_object().unwrap().values().map(|v| v.as_object().unwrap().len()).sum();
        assert_eq!(ops, n);
        let mut covered: Vec<String> = Vec::new();
        let mut labelled = Vec::new();
        let mut phase_story = None;
        for l in tasks.lines() {
            if let Some(h) = l.strip_prefix("## Phase ") {
                phase_story =
                    h.split_once(": User Story ").map(|(_, r)| r.split(' ').next().unwrap().parse::<usize>().unwrap());
            }
            if !l.starts_with("- [ ] ") {
                continue;
            }
            let (story, ids) = parse_speckit_task(l);
            assert_eq!(story, phase_story, "story label matches its phase: {l}");
            labelled.extend(story);
            covered.extend(ids);
        }
        for fr in &frs {
            assert!(covered.contains(&format!("FR-{fr}")), "FR-{fr} has a task");
        }
        for k in 1..=stories.len() {
            assert!(labelled.contains(&k), "US{k} has a task");
        }
    }
}

#[test]
fn clinic_and_pantry_render_every_layout_as_the_tools_read_it() {
    let out = check_product(&examples::clinic());
    let tasks = file(&out[1], ".kiro/specs/appointment-management/tasks.md");
    // The endpoint EP-16 (GET /api/appointments) serves US-7, whose criteria are 7.1 and 7.2 … in this feature: 1.1, 1.2.
    assert!(tasks.contains("Implement EP-16 `GET /api/appointments`"), "{tasks}");
    assert!(tasks.contains("    - _Requirements: 1.1, 1.2_\n"));
    let design = file(&out[1], ".kiro/specs/appointment-management/design.md");
    assert!(design.contains("stateDiagram-v2") && design.contains("requested"));
    check_product(&examples::pantry());
}

#[test]
fn a_large_product_renders_one_spec_per_feature() {
    let out = check_product(&examples::large(12));
    assert_eq!(out[1].files.len(), 12 * 3);
    assert_eq!(out[2].files.len(), 12 * 5);
    assert!(out[2].files.iter().any(|(p, _)| p == "specs/012-thing11-management/tasks.md"));
}

#[test]
fn missing_artifacts_render_what_they_can_and_say_what_is_missing() {
    let p = examples::pantry();
    let none = layouts("Nothing yet", "an idea", &[], None);
    assert!(none[1].files.is_empty() && none[2].files.is_empty());
    assert!(none[1].missing.iter().any(|m| m.contains("PRD artifact is missing")));
    let agents = file(&none[0], "AGENTS.md");
    assert!(
        agents.contains("# AGENTS.md\n\nNothing yet") && agents.contains("- Everything: the PRD artifact is missing.")
    );
    assert!(agents.contains("- install: no file of the blueprint defines one yet"));

    let some = vec![Artifact::Prd(p.prd()), Artifact::Api(p.api())];
    let out = layouts(&p.name, &p.summary, &some, None);
    assert_eq!(out[0].missing.len(), 5);
    let design = file(&out[1], ".kiro/specs/recipe-management/design.md");
    assert!(design.contains("The design artifact is missing: no screens yet."));
    assert!(design.contains("The data artifact is missing: no entities yet."));
    let readme = file(&out[2], "specs/002-recipe-management/contracts/README.md");
    assert!(readme.contains("The data artifact is missing"));
    parse_kiro_tasks(file(&out[1], ".kiro/specs/recipe-management/tasks.md"));
    let agents = file(&out[0], "AGENTS.md");
    assert!(agents.contains("- frontend: missing — generate the frontend stage in Parit"));
    assert!(agents.contains("  - screens: unknown — the design artifact is missing"));
}

#[test]
fn stories_without_a_feature_get_their_own_spec() {
    let p = examples::pantry();
    let mut prd = p.prd();
    prd.features.truncate(1);
    prd.features[0].stories.push("US-99".into());
    let artifacts = vec![
        Artifact::Prd(prd.clone()),
        Artifact::Design(p.design()),
        Artifact::Api(p.api()),
        Artifact::Data(p.data()),
    ];
    let out = layouts(&p.name, "", &artifacts, None);
    assert_eq!(dirs(&out[1], ".kiro/specs/"), ["user-management", "stories-without-a-feature"]);
    let req = file(&out[1], ".kiro/specs/stories-without-a-feature/requirements.md");
    assert_eq!(req.matches("\n### Requirement ").count(), prd.user_stories.len() - 2);
    assert!(file(&out[1], ".kiro/specs/user-management/requirements.md")
        .contains("names US-99, which the PRD does not have"));
    assert!(out[2].files.iter().any(|(p, _)| p == "specs/002-stories-without-a-feature/spec.md"));
}

/// The Markdown shape of a line: what precedes its first letter,
/// and, for a table row, its unescaped pipes.
fn shape(l: &str) -> (String, usize) {
    let prefix: String = l.chars().take_while(|c| !c.is_alphabetic()).collect();
    let pipes = if l.starts_with('|') { l.replace("\\\\", "").replace("\\|", "").matches('|').count() } else { 0 };
    (prefix, pipes)
}

#[test]
fn leading_markers_are_escaped_in_paragraphs() {
    assert_eq!(para("# not a heading"), "\\# not a heading");
    assert_eq!(para("1. not a list"), "1\\. not a list");
    assert_eq!(para("- x\n- y"), "\\- x - y");
    assert_eq!(para("2026 was a year"), "2026 was a year");
    assert_eq!(code("a`b\nc"), "`a'b c`");
    assert_eq!(code(""), "` `");
}

#[test]
fn hostile_names_do_not_break_the_markdown() {
    let p = examples::clinic();
    let benign: Vec<Artifact> = all(&p);
    let mut prd = p.prd();
    prd.product_name = "Evil\n# Injected | `x`".into();
    prd.summary = "# Summary heading\n| a | b |".into();
    prd.features[0].name = "A|B\n- [ ] 99. fake task".into();
    prd.features[0].description = "> line one\n## Not a section".into();
    let s0 = prd.features[0].stories[0].clone();
    let story = prd.user_stories.iter_mut().find(|s| s.id == s0).unwrap();
    story.title = "Title with `ticks` and |pipes|\n### Requirement 9".into();
    story.narrative = "1. As a `x`\n---\nso that | y".into();
    story.acceptance_criteria[0] = "Shows\n- [ ] 1.9 fake\n    - _Requirements: 9.9_\n## Boom".into();
    let mut design = p.design();
    design.screens[1].name = "List | of\nthings ```".into();
    design.screens[1].route = "/x`y|z".into();
    let mut data = p.data();
    data.entities[0].description = "# multi\nline | desc\n```".into();
    data.entities[0].fields[1].name = "na|me`".into();
    let mut api = p.api();
    api.endpoints[0].summary = "sum\n## mary".into();
    api.endpoints[0].path = "/api/`x`|{id}\n# y".into();
    let hostile = vec![
        Artifact::Prd(prd.clone()),
        Artifact::Data(data),
        Artifact::Design(design),
        Artifact::Logic(p.logic()),
        Artifact::Api(api),
        Artifact::Frontend(p.frontend()),
        Artifact::Deployment(p.deployment()),
    ];
    let evil = layouts("Evil\n# x", "idea\n## with heading", &hostile, None);
    assert_eq!(evil, layouts("Evil\n# x", "idea\n## with heading", &hostile, None));
    let good = layouts(&p.name, "an idea", &benign, None);
    assert!(evil[1].files.iter().any(|(p, _)| p.starts_with(".kiro/specs/a-b-99-fake-task/")));
    for (e, g) in evil.iter().zip(&good) {
        assert_eq!(e.files.len(), g.files.len());
        for ((path, evil), (_, good)) in e.files.iter().zip(&g.files) {
            if path.ends_with(".json") {
                let _: Value = serde_json::from_str(evil).expect("the contract stays JSON");
                continue;
            }
            if path.ends_with(".yaml") || path.ends_with(".yml") {
                let docs = yaml_rust2::YamlLoader::load_from_str(evil).expect("the YAML stays YAML");
                assert!(docs[0]["schema"].as_str().is_some() || docs[0]["jobs"].as_hash().is_some(), "{path}");
                continue;
            }
            let (el, gl): (Vec<&str>, Vec<&str>) = (evil.lines().collect(), good.lines().collect());
            assert_eq!(el.len(), gl.len(), "{path}: no line added or lost");
            for (a, b) in el.iter().zip(&gl) {
                assert_eq!(shape(a).1, shape(b).1, "{path}: table row {a:?}");
                let (sa, sb) = (shape(a).0, shape(b).0);
                // An escaped marker is the one allowed difference: it renders as text.
                assert!(sa == sb || sa.contains('\\') && b.starts_with(char::is_alphabetic), "{path}: {a:?} vs {b:?}");
            }
            tables_hold(evil);
        }
    }
    let agents = file(&evil[0], "AGENTS.md");
    assert!(agents.starts_with("# AGENTS.md\n\nEvil # Injected | `x` — a blueprint"));
    assert!(agents.contains("\n\\# Summary heading | a | b |\n"));
    for (_, body) in evil[1].files.iter().filter(|(p, _)| p.ends_with("tasks.md")) {
        parse_kiro_tasks(body);
    }
    for (_, body) in evil[2].files.iter().filter(|(p, _)| p.ends_with("tasks.md")) {
        body.lines().filter(|l| l.starts_with("- [")).for_each(|l| drop(parse_speckit_task(l)));
    }
}

#[test]
fn openspec_specs_are_shall_requirements_with_a_scenario_per_criterion() {
    let p = examples::clinic();
    let artifacts = all(&p);
    let prd = p.prd();
    let open = &layouts(&p.name, &p.summary, &artifacts, None)[3];
    assert_eq!((open.name, open.title), ("openspec", "OpenSpec"));
    let config = yaml_rust2::YamlLoader::load_from_str(file(open, "openspec/config.yaml")).expect("YAML");
    assert_eq!(config[0]["schema"].as_str(), Some("spec-driven"));
    assert!(config[0]["context"].as_str().is_some_and(|c| c.contains(&prd.product_name)));
    let specs: Vec<&(String, String)> = open.files.iter().filter(|(p, _)| p.starts_with("openspec/specs/")).collect();
    assert_eq!(specs.len(), prd.features.len(), "one capability per feature");
    let mut seen = 0;
    for (path, body) in specs {
        assert!(path.ends_with("/spec.md"), "{path}");
        let purpose = body.split("## Purpose\n\n").nth(1).and_then(|r| r.split("\n\n").next()).expect("a purpose");
        assert!(purpose.len() >= 50, "{path}: purpose {purpose:?}");
        assert!(body.contains("\n## Requirements\n"), "{path}");
        for block in body.split("\n### Requirement: ").skip(1) {
            seen += 1;
            let id = block.split(' ').next().unwrap();
            let story = prd.user_stories.iter().find(|s| s.id == id).unwrap_or_else(|| panic!("{id} is a story"));
            let text = block.lines().nth(1).unwrap();
            assert!(text.contains(" SHALL ") && text.contains(id) && text.len() < 500, "{text}");
            let scenarios: Vec<&str> = block.split("\n#### Scenario: ").skip(1).collect();
            assert_eq!(scenarios.len(), story.acceptance_criteria.len().max(1), "{id}");
            for (m, sc) in scenarios.iter().enumerate() {
                let name = if story.acceptance_criteria.is_empty() {
                    "as its story says".into()
                } else {
                    format!("criterion {}", m + 1)
                };
                assert!(sc.starts_with(&format!("{id} {name}\n- **WHEN** ")), "{sc}");
                assert!(sc.contains("\n- **THEN** the system SHALL "), "{sc}");
            }
        }
    }
    assert_eq!(seen, prd.user_stories.len(), "every story is a requirement once");
    let agents = &layouts(&p.name, &p.summary, &artifacts, None)[0];
    for l in [agents, open] {
        let wf = yaml_rust2::YamlLoader::load_from_str(file(l, ".github/workflows/parit-check.yml")).expect("YAML");
        let steps: Vec<&str> = wf[0]["jobs"]["parit-check"]["steps"]
            .as_vec()
            .expect("steps")
            .iter()
            .map(|s| s["name"].as_str().expect("a named step"))
            .collect();
        assert_eq!(
            steps,
            [
                "Check out the repository",
                "Cache cargo",
                "Install the Parit CLI",
                "Run parit check",
                "Upload the SARIF report",
                "Fail on drift"
            ]
        );
        let run = wf[0]["jobs"]["parit-check"]["steps"][3]["run"].as_str().unwrap();
        assert_eq!(run, "parit check --sarif parit.sarif");
        assert_eq!(
            wf[0]["jobs"]["parit-check"]["steps"][4]["uses"].as_str(),
            Some("github/codeql-action/upload-sarif@v3")
        );
    }
}

#[test]
fn a_story_without_criteria_gets_one_honest_scenario_and_is_listed_missing() {
    let p = examples::clinic();
    let mut artifacts = all(&p);
    let Artifact::Prd(prd) = &mut artifacts[0] else { panic!("the PRD first") };
    prd.user_stories[0].acceptance_criteria.clear();
    let id = prd.user_stories[0].id.clone();
    let open = &layouts(&p.name, &p.summary, &artifacts, None)[3];
    assert!(
        open.missing.iter().any(|m| m.starts_with(&format!("{id} has no acceptance criteria"))),
        "{:?}",
        open.missing
    );
    let body =
        open.files.iter().map(|(_, b)| b.as_str()).find(|b| b.contains(&format!("### Requirement: {id} "))).unwrap();
    assert!(body.contains(&format!("#### Scenario: {id} as its story says\n- **WHEN** ")));
}

#[test]
fn an_openspec_change_adds_modifies_renames_and_removes_stories_by_id() {
    let p = examples::clinic();
    let before = p.prd();
    let mut artifacts = all(&p);
    let Artifact::Prd(after) = &mut artifacts[0] else { panic!("the PRD first") };
    let gone = after.user_stories.remove(1).id;
    for f in &mut after.features {
        f.stories.retain(|s| *s != gone);
    }
    after.user_stories[0].title = "Renamed story".into();
    after.user_stories[0].acceptance_criteria.truncate(1);
    let dropped = before.user_stories[0].acceptance_criteria.len();
    let mut added = after.user_stories[1].clone();
    added.id = "US-99".into();
    after.user_stories.push(added);
    after.features[0].stories.push("US-99".into());
    let since = Since { version: 2, newest: 5, prd: &before };
    let open = &layouts_since(&p.name, &p.summary, &artifacts, None, Some(&since))[3];
    let dir = "openspec/changes/update-prd-v2-to-v5";
    assert_eq!(file(open, &format!("{dir}/.openspec.yaml")), "schema: spec-driven\n");
    let proposal = file(open, &format!("{dir}/proposal.md"));
    assert!(
        proposal.contains("\n## Why\n")
            && proposal.contains("\n## What Changes\n")
            && proposal.contains("\n## Impact\n")
    );
    let deltas: String =
        open.files.iter().filter(|(p, _)| p.starts_with(&format!("{dir}/specs/"))).map(|(_, b)| b.as_str()).collect();
    let (first, second) = (&before.user_stories[0], &before.user_stories[1]);
    assert!(deltas.contains("## ADDED Requirements\n\n### Requirement: US-99 "));
    assert!(deltas.contains(&format!("## MODIFIED Requirements\n\n### Requirement: {} Renamed story\n", first.id)));
    assert!(deltas.contains(&format!(
        "- FROM: `### Requirement: {} {}`\n- TO: `### Requirement: {} Renamed story`",
        first.id, first.title, first.id
    )));
    assert!(
        deltas.contains(&format!("#### Scenario: {} criterion {dropped}\n", first.id)),
        "a dropped criterion stays, withdrawn"
    );
    assert!(deltas.contains("SHALL NOT be held to this criterion, withdrawn from the PRD, any more: "));
    assert!(deltas.contains(&format!(
        "## REMOVED Requirements\n\n### Requirement: {} {}\n**Reason**: {gone} removed from the PRD.\n**Migration**: ",
        second.id, second.title
    )));
    // The specs are version 2's, the ones the change applies to.
    assert!(open.files.iter().any(|(p, b)| p.starts_with("openspec/specs/")
        && b.contains(&format!("### Requirement: {} {}\n", first.id, first.title))));
    let tasks = file(open, &format!("{dir}/tasks.md"));
    assert!(tasks.contains("- [ ] 1.1 Update capability `"));
}

#[test]
fn an_openspec_change_without_a_story_change_says_it_has_no_spec_delta() {
    let p = examples::clinic();
    let before = p.prd();
    let mut artifacts = all(&p);
    let Artifact::Prd(after) = &mut artifacts[0] else { panic!("the PRD first") };
    after.summary.push_str(" Revised.");
    let since = Since { version: 1, newest: 2, prd: &before };
    let open = &layouts_since(&p.name, &p.summary, &artifacts, None, Some(&since))[3];
    let dir = "openspec/changes/update-prd-v1-to-v2";
    assert_eq!(file(open, &format!("{dir}/.openspec.yaml")), "schema: spec-driven\nskip_specs: true\n");
    assert!(!open.files.iter().any(|(p, _)| p.starts_with(&format!("{dir}/specs/"))));
    assert!(file(open, &format!("{dir}/proposal.md")).contains("- No user story changed"));
}
