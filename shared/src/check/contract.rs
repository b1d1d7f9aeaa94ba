//! What the API promises that a test over HTTP can show: the table operation
//! each endpoint is (from its method and path), whether a record of an entity
//! can be made through the API, and, for each acceptance criterion of a user
//! story, the HTTP behaviour its words ask for among the story's endpoints,
//! or why no HTTP test can show it.
//!
//! Criteria are free text, so they are read by their words ([`CUES`], in
//! order: the first cue found decides) and then held to what the story's
//! endpoints offer. A criterion the words do not place, or whose behaviour the
//! story's endpoints cannot show, is a listed gap, never a test that passes
//! without checking anything. `render::contract` turns the plan into the
//! starter's tests; `check::ready` counts a Must story with no test as a gap.

use std::cell::RefCell;

use crate::artifact::{ApiArtifact, DataArtifact, Endpoint, Entity, FieldType, HttpMethod, PrdArtifact, UserStory};

/// What a route does to its entity's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// GET on the collection: the records.
    List,
    /// POST on the collection: a new record.
    Create,
    /// GET on a record's path: that record.
    Read,
    /// PUT on a record's path: every field it writes replaced.
    Replace,
    /// PATCH on a record's path: only the fields sent changed.
    Change,
    /// DELETE on a record's path.
    Delete,
    /// A path whose parameters are not exactly the entity's key at its end
    /// (`/artists/{id}/albums`, POST on a record's path): no plain table
    /// operation, so nothing says what it answers.
    Nested,
}

/// An entity's key columns: the fields of a composite key, else the one
/// field of type id that references nothing (made by the server on create).
pub fn key(e: &Entity) -> Vec<&str> {
    match &e.primary_key {
        Some(k) if k.len() > 1 => k.iter().map(String::as_str).collect(),
        _ => generated_key(e).into_iter().collect(),
    }
}

/// The single key field the server makes on create, when there is one.
pub fn generated_key(e: &Entity) -> Option<&str> {
    if e.primary_key.as_ref().is_some_and(|k| k.len() > 1) {
        return None;
    }
    e.fields.iter().find(|f| f.field_type == FieldType::Id && f.references.is_none()).map(|f| f.name.as_str())
}

/// The literal text of a path around its `{parameter}`s (one more part than
/// parameters), and the parameters.
pub fn path_parts(path: &str) -> (Vec<&str>, Vec<&str>) {
    let (mut params, mut parts) = (Vec::new(), Vec::new());
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else { break };
        parts.push(&rest[..open]);
        params.push(&rest[open + 1..open + close]);
        rest = &rest[open + close + 1..];
    }
    parts.push(rest);
    (params, parts)
}

/// The operation an endpoint is on its entity. A record's path ends in its
/// key's parameters, each a whole segment, and has no other parameter.
pub fn operation(ep: &Endpoint, e: &Entity) -> Operation {
    let params = ep.path.matches('{').count();
    // The whole-segment parameters at the end (a name may hold a '/').
    let (mut rest, mut trailing) = (ep.path.as_str(), 0);
    while let Some(head) =
        rest.strip_suffix('}').and_then(|r| r.rfind('{').map(|i| &r[..i])).and_then(|h| h.strip_suffix('/'))
    {
        rest = head;
        trailing += 1;
    }
    match (ep.method, params) {
        (HttpMethod::Post, 0) => Operation::Create,
        (HttpMethod::Get, 0) => Operation::List,
        (HttpMethod::Post, _) => Operation::Nested,
        _ if params != trailing || params != key_len(e) => Operation::Nested,
        (HttpMethod::Get, _) => Operation::Read,
        (HttpMethod::Delete, _) => Operation::Delete,
        (HttpMethod::Put, _) => Operation::Replace,
        _ => Operation::Change,
    }
}

/// How many columns an entity's key has.
fn key_len(e: &Entity) -> usize {
    match &e.primary_key {
        Some(k) if k.len() > 1 => k.len(),
        _ => usize::from(generated_key(e).is_some()),
    }
}

/// The first create route of an entity whose body names every required
/// field the server does not make (its generated key, `created_at`).
pub fn create_route<'a>(api: &'a ApiArtifact, e: &Entity) -> Option<&'a Endpoint> {
    let made = |name: &str| Some(name) == generated_key(e) || name == "created_at";
    api.endpoints.iter().find(|ep| {
        ep.entity == e.name
            && operation(ep, e) == Operation::Create
            && e.fields.iter().all(|f| !f.required || made(&f.name) || ep.request_fields.contains(&f.name))
    })
}

/// Whether records of `e` can be made through the API, as many as the tests
/// need: a create route; no unique boolean field it writes (two records at
/// most); and the same for every entity a required reference of it names
/// (a cycle of required references never ends, so none of it can be made).
pub fn makeable(data: &DataArtifact, api: &ApiArtifact, e: &Entity) -> bool {
    Makeable::new(data, api).of(e)
}

/// [`makeable`] for many entities, each entity worked out once: a check
/// that asks it of every story's entities would otherwise walk every
/// reference chain again each time (at 100 entities in a chain, a quarter of
/// the consistency check's CPU).
pub struct Makeable<'a> {
    data: &'a DataArtifact,
    api: &'a ApiArtifact,
    /// Per entity of `data`, by position: 0 not known, 1 being worked out
    /// (met again: a cycle), 2 cannot be made, 3 can.
    known: RefCell<Vec<u8>>,
}

impl<'a> Makeable<'a> {
    /// Nothing worked out yet.
    pub fn new(data: &'a DataArtifact, api: &'a ApiArtifact) -> Self {
        Makeable { data, api, known: RefCell::new(vec![0; data.entities.len()]) }
    }

    /// Whether records of `e` can be made (see [`makeable`]).
    pub fn of(&self, e: &Entity) -> bool {
        let (data, api) = (self.data, self.api);
        let Some(route) = create_route(api, e) else { return false };
        let unique = |name: &str| {
            data.indexes
                .iter()
                .any(|ix| ix.unique && ix.entity == e.name && ix.fields.len() == 1 && ix.fields[0] == name)
        };
        !e.fields.iter().any(|f| {
            f.field_type == FieldType::Boolean
                && (f.unique || unique(&f.name))
                && route.request_fields.contains(&f.name)
        }) && e
            .fields
            .iter()
            .filter(|f| f.required)
            .filter_map(|f| f.references.as_ref())
            .all(|r| data.entities.iter().position(|p| &p.name == r).is_some_and(|i| self.at(i)))
    }

    /// The data model it answers for.
    pub fn data(&self) -> &'a DataArtifact {
        self.data
    }

    /// The API it answers for.
    pub fn api(&self) -> &'a ApiArtifact {
        self.api
    }

    /// [`Makeable::of`] the entity at `i`, remembered.
    fn at(&self, i: usize) -> bool {
        match self.known.borrow()[i] {
            1 | 2 => return false,
            3 => return true,
            _ => {}
        }
        self.known.borrow_mut()[i] = 1;
        let can = self.of(&self.data.entities[i]);
        self.known.borrow_mut()[i] = if can { 3 } else { 2 };
        can
    }
}

/// An HTTP behaviour an acceptance criterion can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// A create without a required field is refused (400).
    RefusesMissing,
    /// A second record with a taken unique value or key is refused (409).
    RefusesDuplicate,
    /// A call without the bearer token is refused (401).
    NeedsToken,
    /// A deleted record is gone (204, then 404).
    Removes,
    /// A change is there when the record is read again.
    Changes,
    /// A new record is in the list.
    Listed,
    /// A record reads back as it was sent.
    Reads,
}

/// Words that place a criterion, in the order they are tried (lowercase
/// ASCII, found in a criterion's text whatever its case).
pub const CUES: &[(&str, Behaviour)] = &[
    ("required", Behaviour::RefusesMissing),
    ("missing", Behaviour::RefusesMissing),
    ("mandatory", Behaviour::RefusesMissing),
    ("duplicate", Behaviour::RefusesDuplicate),
    ("already", Behaviour::RefusesDuplicate),
    ("unique", Behaviour::RefusesDuplicate),
    ("twice", Behaviour::RefusesDuplicate),
    ("sign in", Behaviour::NeedsToken),
    ("signed in", Behaviour::NeedsToken),
    ("log in", Behaviour::NeedsToken),
    ("logged in", Behaviour::NeedsToken),
    ("authentic", Behaviour::NeedsToken),
    ("token", Behaviour::NeedsToken),
    ("delet", Behaviour::Removes),
    ("remov", Behaviour::Removes),
    ("chang", Behaviour::Changes),
    ("edit", Behaviour::Changes),
    ("updat", Behaviour::Changes),
    ("list", Behaviour::Listed),
    ("appear", Behaviour::Listed),
    ("browse", Behaviour::Listed),
    ("detail", Behaviour::Reads),
    ("open", Behaviour::Reads),
    ("view", Behaviour::Reads),
];

/// The behaviour a criterion's words ask for, when a cue places it (cues
/// are ASCII, compared without case).
pub fn behaviour(criterion: &str) -> Option<Behaviour> {
    let text = criterion.as_bytes();
    CUES.iter()
        .find(|(cue, _)| text.windows(cue.len()).any(|w| w.eq_ignore_ascii_case(cue.as_bytes())))
        .map(|(_, b)| *b)
}

/// How one acceptance criterion is tested: the behaviour, the endpoint it is
/// about and the story's other endpoint on the same entity the test also
/// calls (the read after a change, the list after a create).
#[derive(Debug, Clone)]
pub struct Proof<'a> {
    /// What the test shows.
    pub behaviour: Behaviour,
    /// The entity the endpoints work on.
    pub entity: &'a Entity,
    /// The endpoint under test.
    pub endpoint: &'a Endpoint,
    /// The other endpoint the test calls, when it needs one.
    pub also: Option<&'a Endpoint>,
}

/// One acceptance criterion and its test, when one can show it.
#[derive(Debug, Clone)]
pub struct Planned<'a> {
    /// The story.
    pub story: &'a UserStory,
    /// The criterion's position in the story (from 0).
    pub index: usize,
    /// The test; none when no cue places the criterion ([`behaviour`] is
    /// none) or when none of the story's endpoints can show what it asks.
    pub proof: Option<Proof<'a>>,
}

/// Every acceptance criterion of every story, with its test when there is one.
pub fn plan<'a>(prd: &'a PrdArtifact, data: &'a DataArtifact, api: &'a ApiArtifact) -> Vec<Planned<'a>> {
    let mut out = Vec::new();
    let made = Makeable::new(data, api);
    for story in &prd.user_stories {
        for (index, text) in story.acceptance_criteria.iter().enumerate() {
            let proof = behaviour(text).and_then(|b| prove(b, &story.id, &made));
            out.push(Planned { story, index, proof });
        }
    }
    out
}

/// Whether a contract test shows one of the story's acceptance criteria
/// (what [`plan`] finds, without keeping it: the verdict's question, asked
/// of every story with one `made`).
pub fn tested(story: &UserStory, made: &Makeable<'_>) -> bool {
    story.acceptance_criteria.iter().any(|text| behaviour(text).is_some_and(|b| prove(b, &story.id, made).is_some()))
}

/// A behaviour in words, for gaps and test names.
pub fn describe(b: Behaviour) -> &'static str {
    match b {
        Behaviour::RefusesMissing => "a create without a required field is refused",
        Behaviour::RefusesDuplicate => "a taken unique value or key is refused",
        Behaviour::NeedsToken => "a call without the token is refused",
        Behaviour::Removes => "a deleted record is gone",
        Behaviour::Changes => "a change is kept",
        Behaviour::Listed => "a new record is listed",
        Behaviour::Reads => "a record reads back",
    }
}

/// The first of the story's endpoints that shows `b`, with what else the
/// test calls.
fn prove<'a>(b: Behaviour, story: &str, made: &Makeable<'a>) -> Option<Proof<'a>> {
    let (data, api) = (made.data, made.api);
    let serving = move || {
        api.endpoints.iter().filter(move |ep| ep.user_stories.iter().any(|s| s == story)).filter_map(|ep| {
            let e = data.entities.iter().find(|e| e.name == ep.entity)?;
            Some((ep, e, operation(ep, e)))
        })
    };
    serving().find_map(|(ep, e, op)| {
        // The story's other endpoint on the same entity the test needs.
        let other =
            |want: Operation| serving().find(|(_, x, o)| x.name == e.name && *o == want).map(|(x, _, _)| Some(x));
        let fields = || ep.request_fields.iter().filter_map(|n| e.fields.iter().find(|f| &f.name == n));
        let also = match (b, op) {
            (Behaviour::NeedsToken, _) if ep.auth_required => Some(None),
            (Behaviour::NeedsToken, _) => None,
            _ if !made.of(e) => None,
            (Behaviour::RefusesMissing, Operation::Create) if fields().any(|f| f.required) => Some(None),
            (Behaviour::RefusesDuplicate, Operation::Create)
                if fields().any(|f| f.unique && f.field_type != FieldType::Id)
                    || (key_len(e) > 1 && key(e).iter().all(|k| ep.request_fields.iter().any(|f| f == k))) =>
            {
                Some(None)
            }
            (Behaviour::Removes, Operation::Delete) | (Behaviour::Reads, Operation::Read) => Some(None),
            (Behaviour::Changes, Operation::Change | Operation::Replace) if changeable(ep, e).is_some() => {
                other(Operation::Read)
            }
            (Behaviour::Listed, Operation::Create) => other(Operation::List),
            _ => None,
        };
        also.map(|also| Proof { behaviour: b, entity: e, endpoint: ep, also })
    })
}

/// The field a change test sets: the first the route writes that is neither
/// a reference, part of the key, nor unique.
pub fn changeable<'a>(ep: &Endpoint, e: &'a Entity) -> Option<&'a crate::artifact::Field> {
    let key = key(e);
    ep.request_fields.iter().filter_map(|n| e.fields.iter().find(|f| &f.name == n)).find(|f| {
        f.references.is_none() && !f.unique && f.field_type != FieldType::Id && !key.contains(&f.name.as_str())
    })
}

#[cfg(all(test, feature = "examples"))]
mod tests {
    use super::*;
    use crate::fixtures::examples;

    #[test]
    fn a_record_path_ends_in_its_key_whatever_the_parameters_are_called() {
        let p = examples::music_store_data();
        let link = p.entities.iter().find(|e| e.primary_key.as_ref().is_some_and(|k| k.len() == 2)).unwrap();
        let ep = |method, path: &str| Endpoint {
            id: "EP-1".into(),
            method,
            path: path.into(),
            summary: String::new(),
            entity: link.name.clone(),
            query_params: vec![],
            request_fields: vec![],
            response_fields: vec![],
            errors: vec![],
            auth_required: false,
            user_stories: vec![],
        };
        assert_eq!(operation(&ep(HttpMethod::Delete, "/api/l/{a \"/* c */\"}/{b}"), link), Operation::Delete);
        assert_eq!(operation(&ep(HttpMethod::Get, "/api/l/{a}/{b}"), link), Operation::Read);
        assert_eq!(operation(&ep(HttpMethod::Get, "/api/l/{a}/x/{b}"), link), Operation::Nested);
        assert_eq!(operation(&ep(HttpMethod::Get, "/api/l/{a}"), link), Operation::Nested);
        assert_eq!(operation(&ep(HttpMethod::Get, "/api/l/x{a}/{b}"), link), Operation::Nested);
    }

    #[test]
    fn cues_are_tried_in_order() {
        let b = behaviour("Saving a patient without its required fields shows which are missing");
        assert_eq!(b, Some(Behaviour::RefusesMissing));
        assert_eq!(behaviour("A new patient appears in the list right after it is saved"), Some(Behaviour::Listed));
        assert_eq!(behaviour("Changes to a patient are visible after a reload"), Some(Behaviour::Changes));
        assert_eq!(behaviour("The page loads in under a second"), None);
    }

    #[test]
    fn every_criterion_of_the_examples_is_planned_and_each_must_story_has_a_test() {
        for p in examples::all() {
            let (prd, data, api) = (p.prd(), p.data(), p.api());
            let planned = plan(&prd, &data, &api);
            let criteria: usize = prd.user_stories.iter().map(|s| s.acceptance_criteria.len()).sum();
            assert_eq!(planned.len(), criteria, "{}", p.key);
            for s in prd.user_stories.iter().filter(|s| s.priority == crate::artifact::Priority::Must) {
                assert!(planned.iter().any(|x| x.story.id == s.id && x.proof.is_some()), "{}: {}", p.key, s.id);
            }
        }
    }

    #[test]
    fn a_criterion_the_story_endpoints_cannot_show_has_no_test() {
        let p = examples::pantry();
        let (mut prd, data, mut api) = (p.prd(), p.data(), p.api());
        let story = prd.user_stories[0].id.clone();
        prd.user_stories[0].acceptance_criteria = vec!["A deleted item is gone".into(), "It feels fast".into()];
        // The story keeps only its collection routes: nothing deletes.
        for ep in &mut api.endpoints {
            if ep.method == HttpMethod::Delete {
                ep.user_stories.retain(|s| *s != story);
            }
        }
        let planned: Vec<_> = plan(&prd, &data, &api).into_iter().filter(|x| x.story.id == story).collect();
        assert_eq!(planned.len(), 2);
        assert!(planned.iter().all(|x| x.proof.is_none()));
        assert_eq!(behaviour(&prd.user_stories[0].acceptance_criteria[0]), Some(Behaviour::Removes));
    }

    #[test]
    fn an_entity_whose_required_parent_cannot_be_made_is_not_makeable() {
        let p = examples::clinic();
        let (data, mut api) = (p.data(), p.api());
        let child = data.entities.iter().find(|e| e.fields.iter().any(|f| f.required && f.references.is_some()));
        let child = child.expect("an entity with a required reference");
        let parent = child.fields.iter().find_map(|f| f.references.clone().filter(|_| f.required)).unwrap();
        assert!(makeable(&data, &api, child));
        api.endpoints.retain(|ep| !(ep.entity == parent && ep.method == HttpMethod::Post));
        assert!(!makeable(&data, &api, child));
    }

    /// The check asked each story of a 100-entity chain again from the start;
    /// one `Makeable` remembers what it worked out, with the same answers.
    #[test]
    fn makeable_remembered_answers_as_asked_afresh_along_a_chain_and_a_cycle() {
        let p = examples::large(12);
        let (mut data, mut api) = (p.data(), p.api());
        let made = Makeable::new(&data, &api);
        let remembered: Vec<bool> = data.entities.iter().rev().map(|e| made.of(e)).collect();
        let afresh: Vec<bool> = data.entities.iter().rev().map(|e| makeable(&data, &api, e)).collect();
        assert_eq!(remembered, afresh);
        assert!(afresh.iter().all(|m| *m), "every entity of the chain can be made");
        // Thing0 requires Thing11 (and its create route sends it): a cycle of
        // required references, so none can be made.
        let last = data.entities.last().unwrap().name.clone();
        let first = &mut data.entities[0];
        for ep in api.endpoints.iter_mut().filter(|ep| ep.entity == first.name && ep.method == HttpMethod::Post) {
            ep.request_fields.push("loop_id".into());
        }
        first.fields.push(crate::artifact::Field {
            name: "loop_id".into(),
            references: Some(last),
            required: true,
            ..first.fields[0].clone()
        });
        let made = Makeable::new(&data, &api);
        assert!(data.entities.iter().all(|e| !made.of(e) && !makeable(&data, &api, e)));
    }
}
