//! A slice's data model in Markdown, as Kiro's design.md and Spec Kit's
//! data-model.md both show it: each entity with its fields, keys,
//! relationships, rules and state machines.

use crate::artifact::*;
use crate::render::handoff::blueprint::{Blueprint, Slice};
use crate::render::handoff::text::{cell, code, code_cell, fenced, line, para};
use crate::render::mermaid::state_diagram;

/// The slice's entities with their fields, relationships, rules and state
/// machines, under headings of level `h`.
pub(super) fn entities_md(o: &mut String, bp: &Blueprint, s: &Slice, h: &str) {
    let Some(data) = bp.data else {
        o.push_str("\nThe data artifact is missing: no entities yet.\n");
        return;
    };
    if s.entities.is_empty() {
        o.push_str("\nNo entity is used by this feature's endpoints yet.\n");
    }
    if !s.unknown_entities.is_empty() {
        o.push_str(&format!(
            "\nEndpoints name entities the data model does not have: {}.\n",
            line(&s.unknown_entities.join(", "))
        ));
    }
    for e in &s.entities {
        o.push_str(&format!(
            "\n{h} {} ({})\n\n{}\n\n| Field | Type | Required | Unique | References | Description |\n|---|---|---|---|---|---|\n",
            line(&e.name),
            code(&e.table),
            para(&e.description)
        ));
        for f in &e.fields {
            o.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                code_cell(&f.name),
                f.field_type,
                if f.required { "yes" } else { "no" },
                if f.unique { "yes" } else { "no" },
                f.references.as_deref().map_or("—".into(), cell),
                cell(&f.description)
            ));
        }
        match &e.primary_key {
            Some(pk) => o.push_str(&format!("\nPrimary key: ({}).\n", line(&pk.join(", ")))),
            None => {
                let id: Vec<&str> =
                    e.fields.iter().filter(|f| f.field_type == FieldType::Id).map(|f| f.name.as_str()).collect();
                o.push_str(&format!(
                    "\nPrimary key: {}.\n",
                    if id.is_empty() { "—".into() } else { line(&id.join(", ")) }
                ));
            }
        }
        let rels: Vec<&Relationship> =
            data.relationships.iter().filter(|r| r.from == e.name || r.to == e.name).collect();
        if !rels.is_empty() {
            o.push_str("\nRelationships:\n\n");
            for r in rels {
                o.push_str(&format!("- {} {} {} ({})\n", line(&r.from), line(&r.label), line(&r.to), r.cardinality));
            }
        }
        let Some(logic) = bp.logic else { continue };
        let rules: Vec<&BusinessRule> = logic.rules.iter().filter(|r| r.entity == e.name).collect();
        if !rules.is_empty() {
            o.push_str("\nValidation and business rules:\n\n");
            for r in rules {
                o.push_str(&format!("- {} {}: {}\n", line(&r.id), line(&r.title), line(&r.description)));
            }
        }
        for m in logic.state_machines.iter().filter(|m| m.entity == e.name) {
            o.push_str(&format!(
                "\nState transitions of {}.{} (starts {}):\n\n{}",
                line(&m.entity),
                line(&m.field),
                code(&m.initial),
                fenced("mermaid", &state_diagram(m))
            ));
        }
    }
    if bp.logic.is_none() {
        o.push_str("\nThe logic artifact is missing: no business rules or state machines yet.\n");
    }
}
