//! The Kiro layout: `.kiro/specs/<feature>/{requirements,design,tasks}.md`,
//! one folder per feature slice (see the module above for the sources
//! followed).

use crate::artifact::*;
use crate::render::handoff::blueprint::{criteria_ids, persona, reqs, who, Blueprint, Slice};
use crate::render::handoff::entities::entities_md;
use crate::render::handoff::files::{api_file, api_place, migration_file, screen_file};
use crate::render::handoff::text::{cell, code, code_cell, fenced, line, list, lower_first, mm, moscow, para, put};

pub(super) fn kiro_requirements(bp: &Blueprint, product: &str, s: &Slice) -> String {
    let mut o = String::from("# Requirements Document\n\n## Introduction\n\n");
    if !s.description.trim().is_empty() {
        o.push_str(&format!("{}\n\n", para(s.description)));
    }
    o.push_str(&format!(
        "This is {} of {}. Its requirements are the PRD's user stories; each keeps its Parit id (US-n) so it \
         traces back to `artifacts/prd.json`, and its acceptance criteria are numbered N.1, N.2 … for the tasks.\n",
        if s.id.is_empty() { "the part".to_string() } else { format!("feature {}", line(s.id)) },
        line(product)
    ));
    if !s.unknown.is_empty() {
        o.push_str(&format!(
            "\nThe feature also names {}, which the PRD does not have.\n",
            line(&s.unknown.join(", "))
        ));
    }
    o.push_str("\n## Requirements\n");
    for (i, st) in s.stories.iter().enumerate() {
        o.push_str(&format!(
            "\n### Requirement {}: {} ({})\n\n**User Story:** {}\n\n_Priority: {}; persona {}._\n\n#### Acceptance Criteria\n\n",
            i + 1,
            line(st.title.trim()),
            line(&st.id),
            line(&st.narrative),
            moscow(st.priority),
            persona(bp, &st.persona)
        ));
        if st.acceptance_criteria.is_empty() {
            o.push_str(&format!("_None in the PRD: add them to {} in the PRD stage._\n", line(&st.id)));
        }
        for (m, c) in st.acceptance_criteria.iter().enumerate() {
            o.push_str(&format!("{}. {}\n", m + 1, ears(bp, st, c)));
        }
    }
    o
}

/// An acceptance criterion in Kiro's EARS form, `WHEN … THE SYSTEM SHALL …`.
pub(super) fn ears(bp: &Blueprint, s: &UserStory, criterion: &str) -> String {
    let c = line(criterion);
    let c = c.trim().trim_end_matches('.');
    if c.starts_with("WHEN ") && c.contains(" THE SYSTEM SHALL ") {
        return c.to_string();
    }
    format!("WHEN {} uses \"{}\" THE SYSTEM SHALL ensure that {}", who(bp, s), line(s.title.trim()), lower_first(c))
}

pub(super) fn kiro_design(bp: &Blueprint, product: &str, s: &Slice) -> String {
    let all: Vec<String> = (1..=s.stories.len()).map(|n| n.to_string()).collect();
    let ids: Vec<String> = s.stories.iter().map(|x| line(&x.id)).collect();
    let mut o = format!(
        "# Design Document\n\n## Overview\n\n{} of {}: {}\n\nIt implements Requirements {} ({}).",
        para(&s.label()),
        line(product),
        line(s.description.trim()),
        list(&all),
        list(&ids)
    );
    if let (Some(fe), Some(dep)) = (bp.frontend, bp.deployment) {
        o.push_str(&format!(" The client is {}; the API runs on {}.", code(&fe.framework), code(&dep.platform)));
    }
    o.push_str(
        " This design is the feature's slice of the blueprint: the screens and endpoints that serve its stories, \
         the entities those endpoints use, and their rules and state machines.\n\n## Architecture\n\n",
    );
    o.push_str(&fenced("mermaid", &flowchart(s)));
    if !s.endpoints.is_empty() {
        o.push('\n');
        o.push_str(&fenced("mermaid", &sequence(bp, s)));
    }
    o.push_str("\n## Components and Interfaces\n\n");
    screens_table(&mut o, bp, s, &|st| reqs(s, &|x| st.user_stories.contains(&x.id)));
    o.push('\n');
    endpoints_table(&mut o, bp, s, &|ep| reqs(s, &|x| ep.user_stories.contains(&x.id)));
    o.push_str("\n## Data Models\n");
    entities_md(&mut o, bp, s, "###");
    o.push_str("\n## Error Handling\n\n");
    errors_md(&mut o, bp, s);
    o.push_str(
        "\n## Testing Strategy\n\nEach acceptance criterion N.M in `requirements.md` is one test, run against the \
         screens and endpoints that serve its story:\n\n",
    );
    for (i, st) in s.stories.iter().enumerate() {
        let through: Vec<String> = s
            .screens
            .iter()
            .filter(|x| x.user_stories.contains(&st.id))
            .map(|x| line(&x.id))
            .chain(s.endpoints.iter().filter(|e| e.user_stories.contains(&st.id)).map(|e| line(&e.id)))
            .collect();
        o.push_str(&format!(
            "- Requirement {} ({}): {} — through {}\n",
            i + 1,
            line(&st.id),
            list(&criteria_ids(i + 1, st)),
            if through.is_empty() {
                "nothing yet (no screen or endpoint serves it)".into()
            } else {
                through.join(", ")
            }
        ));
    }
    o.push_str("- Every endpoint answers as `api/openapi.json` says, including its error statuses.\n");
    o
}

/// Stories → screens and endpoints → entities, as a Mermaid flowchart.
pub(super) fn flowchart(s: &Slice) -> String {
    let mut o = String::from("flowchart LR\n");
    for (i, st) in s.stories.iter().enumerate() {
        o.push_str(&format!("    s{i}[\"{} {}\"]\n", mm(&st.id), mm(&st.title)));
    }
    for (i, sc) in s.screens.iter().enumerate() {
        o.push_str(&format!("    c{i}[\"{} {}\"]\n", mm(&sc.id), mm(&sc.name)));
        for (j, st) in s.stories.iter().enumerate() {
            if sc.user_stories.contains(&st.id) {
                o.push_str(&format!("    s{j} --> c{i}\n"));
            }
        }
    }
    let mut entities: Vec<&str> = Vec::new();
    for ep in &s.endpoints {
        if !entities.contains(&ep.entity.as_str()) {
            entities.push(&ep.entity);
        }
    }
    for (i, e) in entities.iter().enumerate() {
        o.push_str(&format!("    d{i}[\"Entity {}\"]\n", mm(e)));
    }
    for (i, ep) in s.endpoints.iter().enumerate() {
        o.push_str(&format!("    e{i}[\"{} {} {}\"]\n", mm(&ep.id), ep.method, mm(&ep.path)));
        for (j, st) in s.stories.iter().enumerate() {
            if ep.user_stories.contains(&st.id) {
                o.push_str(&format!("    s{j} --> e{i}\n"));
            }
        }
        if let Some(d) = entities.iter().position(|e| *e == ep.entity) {
            o.push_str(&format!("    e{i} --> d{d}\n"));
        }
    }
    o
}

/// Each endpoint's round trip, as a Mermaid sequence diagram.
pub(super) fn sequence(bp: &Blueprint, s: &Slice) -> String {
    let mut o = String::from("sequenceDiagram\n    participant Client\n    participant API\n    participant DB\n");
    for ep in &s.endpoints {
        let table = bp
            .data
            .and_then(|d| d.entities.iter().find(|e| e.name == ep.entity))
            .map_or_else(|| mm(&ep.entity), |e| mm(&e.table));
        let ok = match ep.method {
            HttpMethod::Post => "201",
            HttpMethod::Delete => "204",
            _ => "200",
        };
        o.push_str(&format!(
            "    Client->>API: {} {} ({})\n    API->>DB: {} {table}\n    API-->>Client: {ok}\n",
            ep.method,
            mm(&ep.path),
            mm(&ep.id),
            if ep.method == HttpMethod::Get { "read" } else { "write" }
        ));
    }
    o
}

pub(super) fn screens_table(o: &mut String, bp: &Blueprint, s: &Slice, ids: &dyn Fn(&Screen) -> Vec<String>) {
    o.push_str("### Screens\n\n");
    if bp.design.is_none() {
        o.push_str("The design artifact is missing: no screens yet.\n");
        return;
    }
    if s.screens.is_empty() {
        o.push_str("No screen serves these stories yet.\n");
        return;
    }
    o.push_str("| Id | Screen | Route | Purpose | Components | Serves |\n|---|---|---|---|---|---|\n");
    for sc in &s.screens {
        o.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            cell(&sc.id),
            cell(&sc.name),
            code_cell(&sc.route),
            cell(&sc.purpose),
            cell(&sc.components.join(", ")),
            cell(&list(&ids(sc)))
        ));
    }
}

pub(super) fn endpoints_table(o: &mut String, bp: &Blueprint, s: &Slice, ids: &dyn Fn(&Endpoint) -> Vec<String>) {
    o.push_str("### API endpoints\n\n");
    let Some(api) = bp.api else {
        o.push_str("The API artifact is missing: no endpoints yet.\n");
        return;
    };
    if s.endpoints.is_empty() {
        o.push_str("No endpoint serves these stories yet.\n");
        return;
    }
    o.push_str(&format!(
        "Authentication: {}. The full contract is `api/openapi.json`.\n\n\
         | Id | Method | Path | Entity | Request fields | Response fields | Errors | Auth | Serves |\n\
         |---|---|---|---|---|---|---|---|---|\n",
        code(&api.auth_scheme)
    ));
    for ep in &s.endpoints {
        let errors: Vec<String> = ep.errors.iter().map(u32::to_string).collect();
        o.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            cell(&ep.id),
            ep.method,
            code_cell(&ep.path),
            cell(&ep.entity),
            cell(&list(&ep.request_fields)),
            cell(&list(&ep.response_fields)),
            list(&errors),
            if ep.auth_required { "yes" } else { "no" },
            cell(&list(&ids(ep)))
        ));
    }
}

pub(super) fn errors_md(o: &mut String, bp: &Blueprint, s: &Slice) {
    if bp.api.is_none() {
        o.push_str("- The API artifact is missing: the error statuses are unknown.\n");
    }
    for ep in s.endpoints.iter().filter(|e| !e.errors.is_empty()) {
        let errors: Vec<String> = ep.errors.iter().map(u32::to_string).collect();
        o.push_str(&format!(
            "- {} {}: answers {} with `{{\"error\":{{\"code\",\"message\"}}}}` (the `Error` schema)\n",
            line(&ep.id),
            code(&format!("{} {}", ep.method, ep.path)),
            errors.join(", ")
        ));
    }
    for r in bp.logic.iter().flat_map(|l| l.rules.iter()).filter(|r| s.entities.iter().any(|e| e.name == r.entity)) {
        o.push_str(&format!(
            "- A request that breaks {} ({}) is refused: {}\n",
            line(&r.id),
            line(&r.title),
            line(&r.description)
        ));
    }
}

/// A Kiro task list being written: top-level tasks are written when their
/// first sub-task is, so an empty group leaves no line.
pub(super) struct Plan {
    pub(super) o: String,
    pub(super) top: usize,
    pub(super) sub: usize,
    pub(super) pending: &'static str,
}

impl Plan {
    pub(super) fn group(&mut self, title: &'static str) {
        self.pending = title;
    }

    pub(super) fn task(&mut self, title: &str, details: &[&str], reqs: &[String]) {
        if !self.pending.is_empty() {
            self.top += 1;
            self.sub = 0;
            put(&mut self.o, &["- [ ] ", &self.top.to_string(), ". ", self.pending, "\n"]);
            self.pending = "";
        }
        self.sub += 1;
        put(&mut self.o, &["  - [ ] ", &self.top.to_string(), ".", &self.sub.to_string(), " ", title, "\n"]);
        for d in details {
            put(&mut self.o, &["    - ", d, "\n"]);
        }
        put(&mut self.o, &["    - _Requirements: ", &reqs.join(", "), "_\n"]);
    }
}

pub(super) fn kiro_tasks(bp: &Blueprint, s: &Slice) -> String {
    let mut p = Plan { o: String::from("# Implementation Plan\n\n"), top: 0, sub: 0, pending: "" };
    let migration = ["Schema: `data/schema.sqlite.sql`; migration: ", &code(&migration_file(bp))].concat();
    p.group("Set up the data model");
    for e in &s.entities {
        let mut cols = String::from("Columns: ");
        for (i, f) in e.fields.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            put(&mut cols, &[sep, &line(&f.name)]);
            if let Some(r) = &f.references {
                put(&mut cols, &[" → ", &line(r)]);
            }
        }
        let title = ["Create the ", &code(&e.table), " table for ", &line(&e.name)].concat();
        p.task(&title, &[&cols, &migration], &reqs(s, &|x| s.uses(x, &e.name)));
    }
    let api = api_file(bp);
    let (how, api) = api_place(&api);
    let place = [if how == "in" { "In " } else { "As specified in " }, &code(api)].concat();
    p.group("Implement the business rules and state machines");
    for r in bp.logic.iter().flat_map(|l| l.rules.iter()).filter(|r| s.entities.iter().any(|e| e.name == r.entity)) {
        let title = ["Enforce ", &line(&r.id), " ", &line(&r.title)].concat();
        p.task(&title, &[&line(&r.description), &place], &reqs(s, &|x| s.uses(x, &r.entity)));
    }
    for m in
        bp.logic.iter().flat_map(|l| l.state_machines.iter()).filter(|m| s.entities.iter().any(|e| e.name == m.entity))
    {
        let mut moves = ["Starts ", &code(&m.initial), "; transitions:"].concat();
        for (i, t) in m.transitions.iter().enumerate() {
            let sep = if i == 0 { " " } else { ", " };
            put(&mut moves, &[sep, &line(&t.from), " → ", &line(&t.to), " on ", &line(&t.event)]);
        }
        let title = ["Implement the ", &line(&m.entity), ".", &line(&m.field), " state machine"].concat();
        p.task(&title, &[&moves, &place], &reqs(s, &|x| s.uses(x, &m.entity)));
    }
    p.group("Implement the API endpoints");
    for ep in &s.endpoints {
        let title = [
            "Implement ",
            &line(&ep.id),
            " ",
            &code(&[ep.method.as_str(), " ", &ep.path].concat()),
            ": ",
            &line(&ep.summary),
        ]
        .concat();
        let errors: Vec<String> = ep.errors.iter().map(u32::to_string).collect();
        let fields = [
            "Request fields: ",
            &list(&ep.request_fields),
            "; response fields: ",
            &list(&ep.response_fields),
            "; errors: ",
            &list(&errors),
        ]
        .concat();
        p.task(
            &title,
            &[&fields, &place, "The contract is `api/openapi.json`"],
            &reqs(s, &|x| ep.user_stories.contains(&x.id)),
        );
    }
    p.group("Build the screens");
    for sc in &s.screens {
        let title = ["Build ", &line(&sc.id), " ", &line(&sc.name), " at ", &code(&sc.route)].concat();
        let what = [line(&sc.purpose), " Components: ".into(), list(&sc.components)].concat();
        let file = ["In ", &code(&screen_file(bp, &sc.route))].concat();
        p.task(&title, &[&what, &file], &reqs(s, &|x| sc.user_stories.contains(&x.id)));
    }
    p.group("Cover the acceptance criteria with tests");
    for (i, st) in s.stories.iter().enumerate() {
        let title =
            ["Test Requirement ", &(i + 1).to_string(), " (", &line(&st.id), "): one test per acceptance criterion"]
                .concat();
        p.task(&title, &[], &criteria_ids(i + 1, st));
    }
    p.o
}
