//! What changed between two versions of an artifact, id by id, and where the
//! artifacts built from it refer to what was removed or changed.
//!
//! The references followed: screens and endpoints to stories; rules, state
//! machines and endpoints to entities and fields; endpoints to the state
//! machine of their entity; frontend files to the endpoints they call.
//!
//! The items with ids: personas, stories and features (PRD); entities and
//! their fields (`Entity.field`) (data); screens (design); rules, state
//! machines (by entity) and algorithms (logic); endpoints (API); files
//! (frontend, deployment) and environment variables (deployment). An entity
//! is compared without its fields, which are items of their own, so adding a
//! field changes the field, not every reference to the entity. A rename is a
//! removal and an addition.
//!
//! ```
//! use parit_shared::artifact::Artifact;
//! use parit_shared::check::changes::{diff, Change, ItemKind};
//! use parit_shared::Stage;
//! let before = Artifact::from_value(Stage::Frontend, serde_json::json!({
//!     "framework": "vanilla-ts", "files": [{"path": "a.ts", "language": "ts", "content": "1"}]})).unwrap();
//! let after = Artifact::from_value(Stage::Frontend, serde_json::json!({
//!     "framework": "vanilla-ts", "files": [{"path": "b.ts", "language": "ts", "content": "1"}]})).unwrap();
//! let changes = diff(&before, &after);
//! assert_eq!(changes[0].kind, ItemKind::File);
//! assert_eq!((changes[0].id.as_str(), changes[0].change), ("b.ts", Change::Added));
//! assert_eq!((changes[1].id.as_str(), changes[1].change), ("a.ts", Change::Removed));
//! ```

use crate::artifact::{Artifact, DataArtifact, Entity, Field};
use crate::check::scan::api_calls_in;
use crate::stage::Stage;
use serde::Serialize;

crate::label_enum! {
    /// What kind of item an id names.
    pub enum ItemKind {
        /// A PRD persona (PER-n).
        Persona = "persona",
        /// A user story (US-n).
        Story = "story",
        /// A feature (F-n).
        Feature = "feature",
        /// A data-model entity, by name.
        Entity = "entity",
        /// A field, as `Entity.field`.
        Field = "field",
        /// A screen (SCR-n).
        Screen = "screen",
        /// A business rule (BR-n).
        Rule = "rule",
        /// A state machine, by its entity.
        StateMachine = "state_machine",
        /// An algorithm, by name.
        Algorithm = "algorithm",
        /// An endpoint (EP-n).
        Endpoint = "endpoint",
        /// A file, by path.
        File = "file",
        /// An environment variable, by name.
        EnvVar = "env_var",
    }
}

crate::label_enum! {
    /// How an item differs between two versions.
    pub enum Change {
        /// Only in the newer version.
        Added = "added",
        /// Only in the older version.
        Removed = "removed",
        /// In both, with different content.
        Changed = "changed",
    }
}

/// One item that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemChange {
    /// Its kind.
    pub kind: ItemKind,
    /// Its id.
    pub id: String,
    /// How it differs.
    pub change: Change,
}

crate::record! {
    /// A place downstream that refers to a removed or changed id.
    pub struct Reference {
        /// The stage that refers to it.
        pub stage: Stage,
        /// Where in that stage's artifact, as a JSON path.
        pub location: String,
        /// What the id names.
        pub kind: ItemKind,
        /// The id.
        pub id: String,
        /// What happened to it.
        pub change: Change,
    }
}

/// The items added, changed and removed from `before` to `after`: added and
/// changed in the newer version's order, then removed in the older's, kind by
/// kind. Items are compared as typed values.
pub fn diff(before: &Artifact, after: &Artifact) -> Vec<ItemChange> {
    let mut out = Vec::new();
    match (before, after) {
        (Artifact::Prd(a), Artifact::Prd(b)) => {
            out.extend(diff_list(ItemKind::Persona, &by(&a.personas, |p| &p.id), &by(&b.personas, |p| &p.id)));
            out.extend(diff_list(ItemKind::Story, &by(&a.user_stories, |s| &s.id), &by(&b.user_stories, |s| &s.id)));
            out.extend(diff_list(ItemKind::Feature, &by(&a.features, |f| &f.id), &by(&b.features, |f| &f.id)));
        }
        (Artifact::Data(a), Artifact::Data(b)) => {
            // An entity without its fields, which are items of their own.
            let entities = |d: &DataArtifact| -> Vec<(String, Entity)> {
                d.entities.iter().map(|e| (e.name.clone(), Entity { fields: vec![], ..e.clone() })).collect()
            };
            let fields = |d: &DataArtifact| -> Vec<(String, Field)> {
                d.entities
                    .iter()
                    .flat_map(|e| e.fields.iter().map(|f| (format!("{}.{}", e.name, f.name), f.clone())))
                    .collect()
            };
            out.extend(diff_list(ItemKind::Entity, &entities(a), &entities(b)));
            out.extend(diff_list(ItemKind::Field, &fields(a), &fields(b)));
        }
        (Artifact::Design(a), Artifact::Design(b)) => {
            out.extend(diff_list(ItemKind::Screen, &by(&a.screens, |s| &s.id), &by(&b.screens, |s| &s.id)));
        }
        (Artifact::Logic(a), Artifact::Logic(b)) => {
            out.extend(diff_list(ItemKind::Rule, &by(&a.rules, |r| &r.id), &by(&b.rules, |r| &r.id)));
            let (old, new) = (by(&a.state_machines, |m| &m.entity), by(&b.state_machines, |m| &m.entity));
            out.extend(diff_list(ItemKind::StateMachine, &old, &new));
            out.extend(diff_list(
                ItemKind::Algorithm,
                &by(&a.algorithms, |x| &x.name),
                &by(&b.algorithms, |x| &x.name),
            ));
        }
        (Artifact::Api(a), Artifact::Api(b)) => {
            out.extend(diff_list(ItemKind::Endpoint, &by(&a.endpoints, |e| &e.id), &by(&b.endpoints, |e| &e.id)));
        }
        (Artifact::Frontend(a), Artifact::Frontend(b)) => {
            out.extend(diff_list(ItemKind::File, &by(&a.files, |f| &f.path), &by(&b.files, |f| &f.path)));
        }
        (Artifact::Deployment(a), Artifact::Deployment(b)) => {
            out.extend(diff_list(ItemKind::File, &by(&a.files, |f| &f.path), &by(&b.files, |f| &f.path)));
            out.extend(diff_list(ItemKind::EnvVar, &by(&a.env_vars, |v| &v.name), &by(&b.env_vars, |v| &v.name)));
        }
        // Two versions of one stage are always the same kind of artifact.
        _ => {}
    }
    out
}

/// Each item with its id.
fn by<T>(list: &[T], id: impl Fn(&T) -> &String) -> Vec<(String, &T)> {
    list.iter().map(|x| (id(x).clone(), x)).collect()
}

fn diff_list<T: PartialEq>(kind: ItemKind, old: &[(String, T)], new: &[(String, T)]) -> Vec<ItemChange> {
    let find = |list: &[(String, T)], id: &str| list.iter().position(|(i, _)| i == id);
    let mut out = Vec::new();
    for (id, item) in new {
        match find(old, id) {
            None => out.push(ItemChange { kind, id: id.clone(), change: Change::Added }),
            Some(i) if old[i].1 != *item => out.push(ItemChange { kind, id: id.clone(), change: Change::Changed }),
            Some(_) => {}
        }
    }
    for (id, _) in old {
        if find(new, id).is_none() {
            out.push(ItemChange { kind, id: id.clone(), change: Change::Removed });
        }
    }
    out
}

/// Every place in `artifact` that refers to an item of `upstream` (as it
/// was when `artifact` was built): (location, kind, id).
pub fn references(artifact: &Artifact, upstream: &Artifact) -> Vec<(String, ItemKind, String)> {
    let mut out = Vec::new();
    let mut stories = |path: String, ids: &[String]| {
        for (j, id) in ids.iter().enumerate() {
            out.push((format!("{path}[{j}]"), ItemKind::Story, id.clone()));
        }
    };
    match (artifact, upstream) {
        (Artifact::Design(d), Artifact::Prd(_)) => {
            for (i, s) in d.screens.iter().enumerate() {
                stories(format!("$.screens[{i}].userStories"), &s.user_stories);
            }
        }
        (Artifact::Api(a), Artifact::Prd(_)) => {
            for (i, e) in a.endpoints.iter().enumerate() {
                stories(format!("$.endpoints[{i}].userStories"), &e.user_stories);
            }
        }
        (Artifact::Logic(l), Artifact::Data(_)) => {
            for (i, r) in l.rules.iter().enumerate() {
                out.push((format!("$.rules[{i}].entity"), ItemKind::Entity, r.entity.clone()));
            }
            for (i, m) in l.state_machines.iter().enumerate() {
                out.push((format!("$.stateMachines[{i}].entity"), ItemKind::Entity, m.entity.clone()));
                out.push((format!("$.stateMachines[{i}].field"), ItemKind::Field, format!("{}.{}", m.entity, m.field)));
            }
        }
        (Artifact::Api(a), Artifact::Data(_)) => {
            for (i, e) in a.endpoints.iter().enumerate() {
                out.push((format!("$.endpoints[{i}].entity"), ItemKind::Entity, e.entity.clone()));
                for (side, fields) in [("requestFields", &e.request_fields), ("responseFields", &e.response_fields)] {
                    for (j, f) in fields.iter().enumerate() {
                        out.push((
                            format!("$.endpoints[{i}].{side}[{j}]"),
                            ItemKind::Field,
                            format!("{}.{f}", e.entity),
                        ));
                    }
                }
            }
        }
        (Artifact::Api(a), Artifact::Logic(l)) => {
            // An endpoint serves the state machine of its entity.
            for (i, e) in a.endpoints.iter().enumerate() {
                if l.state_machines.iter().any(|m| m.entity == e.entity) {
                    out.push((format!("$.endpoints[{i}]"), ItemKind::StateMachine, e.entity.clone()));
                }
            }
        }
        (Artifact::Frontend(f), Artifact::Api(a)) => {
            for (i, file) in f.files.iter().enumerate() {
                for call in api_calls_in(file) {
                    for e in a.endpoints.iter().filter(|e| call.calls(e.method, &e.path)) {
                        out.push((format!("$.files[{i}].content"), ItemKind::Endpoint, e.id.clone()));
                    }
                }
            }
        }
        _ => {}
    }
    // A file calling one endpoint twice uses it once.
    let mut unique: Vec<(String, ItemKind, String)> = Vec::with_capacity(out.len());
    for r in out {
        if !unique.contains(&r) {
            unique.push(r);
        }
    }
    unique
}

/// The places in each downstream artifact that refer to an item `changes`
/// removed or changed. `before` is the older version of the changed artifact:
/// what the downstream ones were built from.
pub fn affected(changes: &[ItemChange], before: &Artifact, downstream: &[Artifact]) -> Vec<Reference> {
    let mut out = Vec::new();
    for artifact in downstream {
        for (location, kind, id) in references(artifact, before) {
            let hit = changes.iter().find(|c| c.kind == kind && c.id == id && c.change != Change::Added);
            if let Some(c) = hit {
                out.push(Reference { stage: artifact.stage(), location, kind, id, change: c.change });
            }
        }
    }
    out
}

#[cfg(all(test, feature = "examples"))]
mod tests {
    use super::*;
    use crate::artifact::HttpMethod;
    use crate::fixtures::examples;

    fn change(kind: ItemKind, id: &str, change: Change) -> ItemChange {
        ItemChange { kind, id: id.into(), change }
    }

    #[test]
    fn the_same_version_has_no_changes() {
        let p = examples::pantry();
        for stage in Stage::ALL {
            assert!(diff(&p.artifact(stage), &p.artifact(stage)).is_empty(), "{stage}");
        }
    }

    #[test]
    fn a_renamed_entity_is_removed_and_added_and_its_users_are_named() {
        let p = examples::pantry();
        let before = p.data();
        let mut after = before.clone();
        let old = after.entities[1].name.clone();
        after.entities[1].name = "Dish".into();
        let changes = diff(&Artifact::Data(before.clone()), &Artifact::Data(after));
        assert!(changes.contains(&change(ItemKind::Entity, "Dish", Change::Added)));
        assert!(changes.contains(&change(ItemKind::Entity, &old, Change::Removed)));
        let first_field = format!("{old}.{}", before.entities[1].fields[0].name);
        assert!(changes.contains(&change(ItemKind::Field, &first_field, Change::Removed)));
        let hits = affected(&changes, &Artifact::Data(before), &[p.artifact(Stage::Logic), p.artifact(Stage::Api)]);
        // Every rule, machine and endpoint on the old name is listed, and only those.
        let on_old = p.logic().rules.iter().filter(|r| r.entity == old).count()
            + p.api().endpoints.iter().filter(|e| e.entity == old).count();
        let entity_hits: Vec<&Reference> =
            hits.iter().filter(|r| r.kind == ItemKind::Entity && r.location.ends_with("].entity")).collect();
        assert!(on_old > 0);
        assert_eq!(
            entity_hits
                .iter()
                .filter(|r| r.location.starts_with("$.rules") || r.location.starts_with("$.endpoints"))
                .count(),
            on_old
        );
        assert!(hits.iter().all(|r| r.id.starts_with(&old) && r.change == Change::Removed), "{hits:?}");
        assert!(hits.iter().any(|r| r.stage == Stage::Api && r.kind == ItemKind::Field));
    }

    #[test]
    fn a_removed_story_is_named_in_the_screens_and_endpoints_that_serve_it() {
        let p = examples::pantry();
        let before = p.prd();
        let mut after = before.clone();
        let removed = after.user_stories.remove(0).id;
        let changes = diff(&Artifact::Prd(before.clone()), &Artifact::Prd(after));
        assert!(changes.contains(&change(ItemKind::Story, &removed, Change::Removed)));
        let hits = affected(&changes, &Artifact::Prd(before), &[p.artifact(Stage::Design), p.artifact(Stage::Api)]);
        let screens = p.design().screens.iter().filter(|s| s.user_stories.contains(&removed)).count();
        let endpoints = p.api().endpoints.iter().filter(|e| e.user_stories.contains(&removed)).count();
        assert!(screens > 0 && endpoints > 0);
        assert_eq!(hits.iter().filter(|r| r.stage == Stage::Design).count(), screens);
        assert_eq!(hits.iter().filter(|r| r.stage == Stage::Api).count(), endpoints);
        assert!(hits.iter().all(|r| r.id == removed && r.location.contains(".userStories[")));
    }

    #[test]
    fn a_changed_endpoint_path_names_the_frontend_files_that_call_it() {
        let p = examples::pantry();
        let before = p.api();
        let frontend = p.frontend();
        // An endpoint the frontend calls.
        let called = before
            .endpoints
            .iter()
            .find(|e| frontend.files.iter().any(|f| api_calls_in(f).iter().any(|c| c.calls(e.method, &e.path))))
            .expect("the example frontend calls its API")
            .clone();
        let mut after = before.clone();
        let at = after.endpoints.iter().position(|e| e.id == called.id).unwrap();
        after.endpoints[at].path = format!("{}/v2", called.path);
        let changes = diff(&Artifact::Api(before.clone()), &Artifact::Api(after));
        assert_eq!(changes, [change(ItemKind::Endpoint, &called.id, Change::Changed)]);
        let hits = affected(&changes, &Artifact::Api(before), &[Artifact::Frontend(frontend.clone())]);
        assert!(!hits.is_empty());
        assert!(hits.iter().all(|r| r.id == called.id && r.stage == Stage::Frontend && r.change == Change::Changed));
        // And a method no file uses touches none.
        let mut other = p.api();
        other.endpoints.push(crate::artifact::Endpoint {
            method: HttpMethod::Delete,
            path: "/api/never".into(),
            id: "EP-99".into(),
            ..called
        });
        let added = diff(&Artifact::Api(p.api()), &Artifact::Api(other));
        assert_eq!(added, [change(ItemKind::Endpoint, "EP-99", Change::Added)]);
        assert!(affected(&added, &Artifact::Api(p.api()), &[Artifact::Frontend(frontend)]).is_empty());
    }

    #[test]
    fn a_new_field_changes_the_field_not_the_entity() {
        let p = examples::pantry();
        let before = p.data();
        let mut after = before.clone();
        let mut field = after.entities[0].fields[1].clone();
        field.name = "cuisine".into();
        after.entities[0].fields.push(field);
        let name = &before.entities[0].name;
        assert_eq!(
            diff(&Artifact::Data(before.clone()), &Artifact::Data(after)),
            [change(ItemKind::Field, &format!("{name}.cuisine"), Change::Added)]
        );
    }
}
