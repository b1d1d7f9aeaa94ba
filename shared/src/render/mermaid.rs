//! Mermaid diagrams: the data model as an `erDiagram`, each state machine as a
//! `stateDiagram-v2`. Names from a model become identifiers from a safe
//! alphabet (made unique when sanitising makes two alike); free text is kept
//! to characters Mermaid reads as plain text.

use crate::artifact::{Cardinality, DataArtifact, StateMachine};
use std::collections::BTreeMap;

/// `[A-Za-z0-9_]` only, not starting with a digit, never empty.
fn ident(raw: &str) -> String {
    let mut s: String = raw.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, 'x');
    }
    s
}

/// Free text without quotes, brackets, braces, separators or line breaks.
fn text(raw: &str) -> String {
    let s: String = raw.chars().map(|c| if c.is_alphanumeric() || " .,-_/()".contains(c) { c } else { ' ' }).collect();
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() {
        "-".into()
    } else {
        s
    }
}

/// Assigns each raw name a unique identifier.
struct Names(BTreeMap<String, String>);

impl Names {
    fn new<'a>(raw: impl Iterator<Item = &'a str>) -> Self {
        let mut map = BTreeMap::new();
        let mut used = std::collections::BTreeSet::new();
        for r in raw {
            if map.contains_key(r) {
                continue;
            }
            let base = ident(r);
            let mut id = base.clone();
            let mut n = 2;
            while !used.insert(id.to_ascii_lowercase()) {
                id = format!("{base}_{n}");
                n += 1;
            }
            map.insert(r.to_string(), id);
        }
        Names(map)
    }

    fn get(&self, raw: &str) -> String {
        self.0.get(raw).cloned().unwrap_or_else(|| ident(raw))
    }
}

/// The data model as a Mermaid `erDiagram`.
pub fn er_diagram(data: &DataArtifact) -> String {
    let entities = Names::new(data.entities.iter().map(|e| e.name.as_str()));
    let mut out = String::from("erDiagram\n");
    for e in &data.entities {
        out.push_str(&format!("    {} {{\n", entities.get(&e.name)));
        let fields = Names::new(e.fields.iter().map(|f| f.name.as_str()));
        for f in &e.fields {
            let in_key = e.primary_key.as_ref().is_some_and(|k| k.contains(&f.name));
            let key = if f.field_type == crate::artifact::FieldType::Id && f.references.is_none() {
                " PK"
            } else if in_key && f.references.is_some() {
                " PK, FK"
            } else if in_key {
                " PK"
            } else if f.references.is_some() {
                " FK"
            } else if f.unique {
                " UK"
            } else {
                ""
            };
            out.push_str(&format!("        {} {}{key}\n", f.field_type.as_str(), fields.get(&f.name)));
        }
        out.push_str("    }\n");
    }
    for r in &data.relationships {
        if !data.entities.iter().any(|e| e.name == r.from) || !data.entities.iter().any(|e| e.name == r.to) {
            continue;
        }
        let shape = match r.cardinality {
            Cardinality::OneToOne => "||--||",
            Cardinality::OneToMany => "||--o{",
            Cardinality::ManyToMany => "}o--o{",
        };
        out.push_str(&format!(
            "    {} {shape} {} : \"{}\"\n",
            entities.get(&r.from),
            entities.get(&r.to),
            text(&r.label)
        ));
    }
    out
}

/// A state machine as a Mermaid `stateDiagram-v2`.
pub fn state_diagram(m: &StateMachine) -> String {
    let states = Names::new(m.states.iter().map(String::as_str));
    let mut out = format!("stateDiagram-v2\n    %% {} {}\n", text(&m.entity), text(&m.field));
    for s in &m.states {
        out.push_str(&format!("    state \"{}\" as s_{}\n", text(s), states.get(s)));
    }
    out.push_str(&format!("    [*] --> s_{}\n", states.get(&m.initial)));
    for t in &m.transitions {
        let guard = t.guard.as_deref().map_or(String::new(), |g| format!(" when {}", text(g)));
        out.push_str(&format!(
            "    s_{} --> s_{} : {}{guard}\n",
            states.get(&t.from),
            states.get(&t.to),
            text(&t.event)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::examples;

    #[test]
    fn names_become_safe_unique_identifiers() {
        let n = Names::new(["User", "user", "9 lives", "a\"b{c}"].into_iter());
        assert_eq!(n.get("User"), "User");
        assert_eq!(n.get("user"), "user_2");
        assert_eq!(n.get("9 lives"), "x9_lives");
        assert_eq!(n.get("a\"b{c}"), "a_b_c_");
        assert_eq!(text("x: y; \"z\" {w}\n"), "x y z w");
    }

    #[test]
    fn diagrams_have_every_entity_and_transition() {
        let data = examples::pantry().data();
        let er = er_diagram(&data);
        assert!(er.starts_with("erDiagram\n"));
        assert!(er.contains("    Recipe {\n        id id PK\n        string owner_id FK\n"), "{er}");
        assert!(er.contains("User ||--o{ Recipe : \"has\""));
        let logic = examples::pantry().logic();
        let sd = state_diagram(&logic.state_machines[0]);
        assert!(sd.contains("[*] --> s_draft"));
        assert!(sd.contains("s_draft --> s_published : advance_to_published"));
    }
}
