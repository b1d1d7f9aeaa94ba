//! `truth-cases DIR N`: writes, for independent tools to check,
//! * `examples/<product>/…` — every render and the export of each example product;
//! * `contract/<n>/export.zip` — the export of the first few generated data
//!   models made whole blueprints (the clinic's, every later stage derived
//!   from the model), whose API Worker runs its contract tests;
//! * `openspec/<case>/` — the OpenSpec layout of each example, of N/10
//!   property-generated PRDs (hostile titles, narratives and criteria, stories
//!   with no criterion, features over random stories) in the clinic's
//!   blueprint, and of each of those with the change folder from it to a
//!   later version (`<case>-change/`), for `openspec validate --all --strict`;
//! * `generated/<n>/…` — DDL (SQLite, PostgreSQL), Mermaid and OpenAPI renders of
//!   N property-generated data models, state machines and APIs whose names are
//!   hostile: quotes, SQL keywords, system-column names, `sqlite_` prefixes,
//!   unicode, long names, empty free text.
//!
//! Generated artifacts are made valid by construction (unique names, one id
//! field per entity, references to real entities) and are checked with the
//! domain's own validation before rendering; the count of each is printed.

use parit_shared::artifact::*;
use parit_shared::check::consistency::check;
use parit_shared::check::validate::validate;
use parit_shared::fixtures::examples;
use parit_shared::render::export::{bundle, zip};
use parit_shared::render::handoff::layouts_since;
use parit_shared::render::{mermaid, openapi, sql, views};
use parit_shared::Stage;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRng, TestRunner};
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

const HOSTILE: &[&str] = &[
    "select",
    "table",
    "order",
    "group",
    "user",
    "from",
    "where",
    "index",
    "primary",
    "xmin",
    "ctid",
    "oid",
    "sqlite_master",
    "sqlite_x",
    "a\"b",
    "it's",
    "semi;colon",
    "drop table x; --",
    "/* c */",
    "`tick`",
    "back\\slash",
    "Café",
    "日本語",
    "emoji 🎉",
    "space name",
    "UPPER",
    "MiXeD",
    "x",
    "_",
    "1st",
    "$dollar",
    "per%cent",
    "new\nline",
    "tab\there",
    "{brace}",
    "[bracket]",
    "<angle>",
    "pipe|name",
    "colon:name",
    "a_very_long_name_that_goes_on_and_on_past_the_sixty_three_byte_limit_of_postgres",
    "another_very_long_name_that_goes_on_and_on_past_the_sixty_three_byte_limit_of_pg",
];

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(HOSTILE).prop_map(str::to_string),
        1 => "[a-zA-Z_][a-zA-Z0-9_ \"'-]{0,12}",
        1 => "\\PC{1,8}",
    ]
    .prop_filter("non-empty", |s| !s.trim().is_empty())
}

fn field_type() -> impl Strategy<Value = FieldType> {
    proptest::sample::select(FieldType::ALL.to_vec()).prop_filter("one id per entity", |t| *t != FieldType::Id)
}

/// Unique (case-insensitively) names from a list, in order.
fn dedupe(names: Vec<String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    names.into_iter().filter(|n| seen.insert(n.to_lowercase())).collect()
}

fn data_model() -> impl Strategy<Value = DataArtifact> {
    let entity =
        (name(), name(), proptest::collection::vec((name(), field_type(), any::<bool>(), any::<bool>()), 1..7));
    proptest::collection::vec(entity, 1..6)
        .prop_flat_map(|raw| {
            let n = raw.len();
            (
                Just(raw),
                proptest::collection::vec(proptest::option::of(0..n), n),
                proptest::collection::vec((0..n, 0..4usize, any::<bool>()), 0..5),
            )
        })
        .prop_map(|(raw, refs, ixs)| {
            let names = dedupe(raw.iter().map(|r| r.0.clone()).collect());
            let tables = dedupe(raw.iter().map(|r| r.1.clone()).collect());
            let count = names.len().min(tables.len());
            let mut entities: Vec<Entity> = (0..count)
                .map(|i| {
                    let mut field_names = vec!["id".to_string()];
                    field_names.extend(raw[i].2.iter().map(|f| f.0.clone()));
                    let field_names = dedupe(field_names);
                    let fields = field_names
                        .iter()
                        .enumerate()
                        .map(|(j, f)| {
                            let (ty, required, unique) = if j == 0 {
                                (FieldType::Id, true, true)
                            } else {
                                let spec = raw[i]
                                    .2
                                    .iter()
                                    .find(|x| &x.0 == f)
                                    .map_or((FieldType::String, false, false), |x| (x.1, x.2, x.3));
                                spec
                            };
                            Field {
                                name: f.clone(),
                                field_type: ty,
                                required,
                                unique,
                                references: None,
                                description: String::new(),
                            }
                        })
                        .collect();
                    Entity {
                        name: names[i].clone(),
                        table: tables[i].clone(),
                        description: String::new(),
                        fields,
                        primary_key: None,
                    }
                })
                .collect();
            let mut relationships = Vec::new();
            for (i, r) in refs.iter().enumerate().take(count) {
                if let Some(t) = r.filter(|t| *t < count) {
                    let target = entities[t].name.clone();
                    let col = format!("{}_ref", entities[t].table);
                    if !entities[i].fields.iter().any(|f| f.name.to_lowercase() == col.to_lowercase()) {
                        entities[i].fields.push(Field {
                            name: col,
                            field_type: FieldType::String,
                            required: i % 2 == 0,
                            unique: false,
                            references: Some(target.clone()),
                            description: String::new(),
                        });
                        relationships.push(Relationship {
                            from: target,
                            to: entities[i].name.clone(),
                            cardinality: Cardinality::OneToMany,
                            label: "has \"many\"; {x}".into(),
                        });
                    }
                }
            }
            // Every other model gains a link table between its first two
            // entities, keyed by both references (a composite primary key).
            if count >= 2 && count.is_multiple_of(2) {
                let (name, table) = ("LinkOfTheFirstTwo".to_string(), "link of the first two".to_string());
                let taken = entities.iter().any(|e| e.name == name || e.table.to_lowercase() == table);
                if !taken {
                    let fields: Vec<Field> = (0..2)
                        .map(|k| Field {
                            name: format!("ref {k} \"{}\"", entities[k].table),
                            field_type: FieldType::String,
                            required: true,
                            unique: false,
                            references: Some(entities[k].name.clone()),
                            description: String::new(),
                        })
                        .collect();
                    let primary_key = Some(fields.iter().map(|f| f.name.clone()).collect());
                    entities.push(Entity { name, table, description: String::new(), fields, primary_key });
                }
            }
            let indexes = ixs
                .into_iter()
                .filter(|(e, _, _)| *e < count)
                .map(|(e, k, unique)| {
                    let fields: Vec<String> =
                        entities[e].fields.iter().skip(1).take(k.max(1)).map(|f| f.name.clone()).collect();
                    Index { entity: entities[e].name.clone(), fields, unique }
                })
                .filter(|ix| !ix.fields.is_empty())
                .collect();
            DataArtifact { entities, relationships, indexes }
        })
}

fn state_machine() -> impl Strategy<Value = StateMachine> {
    (
        name(),
        name(),
        proptest::collection::vec(name(), 1..6),
        proptest::collection::vec((0..6usize, 0..6usize, name(), proptest::option::of(name())), 0..8),
    )
        .prop_map(|(entity, field, states, ts)| {
            let states = dedupe(states);
            let n = states.len();
            let transitions = ts
                .into_iter()
                .map(|(a, b, event, guard)| Transition {
                    from: states[a % n].clone(),
                    to: states[b % n].clone(),
                    event,
                    guard,
                })
                .collect();
            StateMachine { entity, field, initial: states[0].clone(), states, transitions }
        })
}

fn api_for(data: &DataArtifact) -> impl Strategy<Value = ApiArtifact> {
    let data = data.clone();
    let ep = (
        0..data.entities.len(),
        proptest::sample::select(HttpMethod::ALL.to_vec()),
        name(),
        name(),
        proptest::collection::vec(400u32..600, 0..3),
        proptest::collection::vec(
            (
                name(),
                proptest::sample::select(ParamType::ALL.to_vec()),
                proptest::collection::vec(name(), 1..3),
                any::<bool>(),
            ),
            0..4,
        ),
    );
    proptest::collection::vec(ep, 1..8).prop_map(move |eps| {
        let mut seen = BTreeSet::new();
        let endpoints = eps
            .into_iter()
            .enumerate()
            .filter_map(|(i, (e, method, seg, summary, errors, query))| {
                let entity = &data.entities[e];
                let path = if i % 2 == 0 { format!("/api/{seg}") } else { format!("/api/{seg}/{{{seg}}}") };
                if !seen.insert((method, path.clone())) {
                    return None;
                }
                let fields: Vec<String> = entity.fields.iter().map(|f| f.name.clone()).collect();
                // Hostile names and enum values; each name once, none the path
                // parameter's, and no "sort" (its values must name fields).
                let mut named = BTreeSet::from([seg.clone(), "sort".to_string()]);
                let query_params = query
                    .into_iter()
                    .filter(|(name, ..)| named.insert(name.clone()))
                    .map(|(name, param_type, values, required)| QueryParam {
                        description: format!("{name} */ \"'"),
                        values: if param_type == ParamType::Enum { dedupe(values) } else { vec![] },
                        name,
                        param_type,
                        required,
                    })
                    .collect();
                Some(Endpoint {
                    id: format!("EP-{}", i + 1),
                    method,
                    path,
                    summary,
                    entity: entity.name.clone(),
                    query_params,
                    request_fields: fields.iter().skip(1).cloned().collect(),
                    response_fields: if i % 3 == 0 { fields.iter().take(1).cloned().collect() } else { fields },
                    errors,
                    auth_required: i % 2 == 1,
                    user_stories: vec![],
                })
            })
            .collect();
        ApiArtifact { auth_scheme: "bearer".into(), endpoints }
    })
}

/// A PRD with the clinic's personas and generated stories and features.
fn prd(base: PrdArtifact) -> impl Strategy<Value = PrdArtifact> {
    let story = (name(), name(), proptest::collection::vec(name(), 0..4), 0..3usize);
    let feature = (name(), name(), proptest::collection::vec(0..8usize, 0..4));
    (proptest::collection::vec(story, 1..7), proptest::collection::vec(feature, 0..4)).prop_map(
        move |(stories, features)| {
            let mut p = base.clone();
            let persona = p.personas.first().map(|x| x.id.clone()).unwrap_or_default();
            p.user_stories = stories
                .into_iter()
                .enumerate()
                .map(|(i, (title, narrative, acceptance_criteria, k))| UserStory {
                    id: format!("US-{}", i + 1),
                    persona: persona.clone(),
                    title,
                    narrative,
                    acceptance_criteria,
                    priority: [Priority::Must, Priority::Should, Priority::Could][k],
                })
                .collect();
            let n = p.user_stories.len();
            p.features = features
                .into_iter()
                .enumerate()
                .map(|(i, (name, description, picks))| Feature {
                    id: format!("F-{}", i + 1),
                    name,
                    description,
                    stories: picks.into_iter().map(|k| format!("US-{}", k % n + 1)).collect(),
                })
                .collect();
            p
        },
    )
}

/// A later version of a PRD, as a person edits one: its first story removed
/// (when it has another), its last retitled with a criterion fewer, the
/// first without criteria given one, a new story in its first feature.
fn edited(before: &PrdArtifact) -> PrdArtifact {
    let mut p = before.clone();
    if p.user_stories.len() > 1 {
        let gone = p.user_stories.remove(0).id;
        p.features.iter_mut().for_each(|f| f.stories.retain(|s| *s != gone));
    }
    if let Some(last) = p.user_stories.last_mut() {
        last.title = format!("{} (revised)", last.title);
        last.acceptance_criteria.pop();
    }
    // A story without criteria gets its first.
    let n = p.user_stories.len();
    if let Some(none) = p.user_stories[..n - 1].iter_mut().find(|s| s.acceptance_criteria.is_empty()) {
        none.acceptance_criteria.push("the change is saved".into());
    }
    let mut added = p.user_stories[0].clone();
    added.id = format!("US-{}", before.user_stories.len() + 1);
    added.title = "A story added later".into();
    if let Some(f) = p.features.first_mut() {
        f.stories.push(added.id.clone());
    }
    p.user_stories.push(added);
    p
}

/// The OpenSpec layout of `artifacts` (whose PRD is version 2) under
/// `openspec/<key>/`, and given version 1, with the change folder under
/// `openspec/<key>-change/`.
fn openspec(out: &Path, key: &str, name: &str, artifacts: &[Artifact], since: Option<&PrdArtifact>) {
    let since = since.map(|prd| parit_shared::render::handoff::Since { version: 1, newest: 2, prd });
    let (dir, layouts) = match &since {
        Some(s) => (format!("{key}-change"), layouts_since(name, "example", artifacts, None, Some(s))),
        None => (key.to_string(), layouts_since(name, "example", artifacts, None, None)),
    };
    let open = layouts.into_iter().find(|l| l.name == "openspec").expect("an openspec layout");
    for (path, content) in &open.files {
        write(&out.join("openspec").join(&dir).join(path), content.as_bytes());
    }
}

fn write(path: &Path, body: &[u8]) {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).expect("create output directory");
    }
    fs::write(path, body).expect("write a case file");
}

/// A product's seven artifacts: its own, or, given a data model, that model
/// and every later stage derived from it ([`examples::ProductSpec::answer`]).
fn derived(p: &examples::ProductSpec, data: Option<DataArtifact>) -> Vec<Artifact> {
    let mut upstream = Upstream::default();
    Stage::ALL
        .into_iter()
        .map(|stage| {
            let a = match (stage, &data) {
                (_, None) => p.artifact(stage),
                (Stage::Data, Some(d)) => Artifact::Data(d.clone()),
                (_, Some(_)) => p.answer(stage, &upstream),
            };
            upstream.insert(a.clone());
            a
        })
        .collect()
}

/// How many property-generated data models become whole blueprints (the
/// clinic with that model, every later stage derived from it) exported with
/// their starter code and contract tests, under `contract/<n>/`.
const CONTRACT_CASES: usize = 4;

/// The export of a blueprint (`export.zip`) and its listing, as the bridge
/// packs it: consistency, the ready verdict, the hand-off layouts.
fn export(dir: &Path, name: &str, artifacts: &[Artifact]) {
    let report = check(artifacts);
    let done = Stage::ALL.into_iter().map(|s| (s, parit_shared::run::status::StageStatus::Done)).collect();
    let ready = parit_shared::check::ready::verdict(&done, artifacts, &report);
    let handoff: Vec<(String, String)> =
        parit_shared::render::handoff::layouts(name, "example", artifacts, Some(&ready))
            .into_iter()
            .flat_map(|l| l.files)
            .collect();
    let with_versions: Vec<(Artifact, u32)> = artifacts.iter().map(|a| (a.clone(), 1)).collect();
    let files = bundle(name, "example", &with_versions, &report, &ready, &handoff);
    let listing: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    write(&dir.join("export.zip"), &zip(&files));
    write(&dir.join("export.list"), (listing.join("\n") + "\n").as_bytes());
}

fn main() {
    let mut args = std::env::args().skip(1);
    let out = args.next().expect("usage: truth-cases DIR N");
    let n: usize = args.next().and_then(|v| v.parse().ok()).expect("usage: truth-cases DIR N");
    let out = Path::new(&out);

    // The examples, and the clinic after a user replaced its data model with
    // an imported 11-table music store (keys such as ArtistId, a link table
    // keyed by two columns): every later stage derived from that model, as
    // the local Gemini-compatible server derives it.
    let mut cases: Vec<(String, String, Vec<Artifact>)> =
        examples::all().into_iter().map(|p| (p.key.clone(), p.name.clone(), derived(&p, None))).collect();
    let clinic = examples::clinic();
    cases.push(("music-store".into(), "Music Store".into(), derived(&clinic, Some(examples::music_store_data()))));
    for (key, name, artifacts) in cases {
        let dir = out.join("examples").join(&key);
        let mut upstream = Upstream::default();
        for a in &artifacts {
            for v in views(a, &upstream) {
                write(&dir.join(a.stage().as_str()).join(&v.name), v.body.as_bytes());
            }
            upstream.insert(a.clone());
        }
        export(&dir, &name, &artifacts);
        openspec(out, &key, &name, &artifacts, None);
        if let Some(Artifact::Prd(before)) = artifacts.first() {
            let mut later = artifacts.clone();
            later[0] = Artifact::Prd(edited(before));
            openspec(out, &key, &name, &later, Some(before));
            // A version that changes no story: a change with no spec delta.
            let mut summary = before.clone();
            summary.summary.push_str(" Revised.");
            later[0] = Artifact::Prd(summary);
            openspec(out, &format!("{key}-summary"), &name, &later, Some(before));
        }
    }

    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha),
    );
    let (mut data_ok, mut data_invalid, mut machines, mut contract) = (0, 0, 0, 0);
    for i in 0..n {
        let data = data_model().new_tree(&mut runner).expect("generate a data model").current();
        if !validate(&Artifact::Data(data.clone()), &Upstream::default()).is_empty() {
            data_invalid += 1;
            continue;
        }
        data_ok += 1;
        let dir = out.join("generated").join(i.to_string());
        write(&dir.join("schema.sqlite.sql"), sql::ddl(&data, sql::Dialect::Sqlite).as_bytes());
        write(&dir.join("schema.postgres.sql"), sql::ddl(&data, sql::Dialect::Postgres).as_bytes());
        write(&dir.join("erd.mmd"), mermaid::er_diagram(&data).as_bytes());
        let machine = state_machine().new_tree(&mut runner).expect("generate a state machine").current();
        write(&dir.join("state.mmd"), mermaid::state_diagram(&machine).as_bytes());
        machines += 1;
        if contract < CONTRACT_CASES {
            contract += 1;
            export(
                &out.join("contract").join(i.to_string()),
                &format!("Generated {i}"),
                &derived(&clinic, Some(data.clone())),
            );
        }
        let api = api_for(&data).new_tree(&mut runner).expect("generate an API").current();
        let title = name().new_tree(&mut runner).expect("generate a title").current();
        let doc = openapi::document(&title, &api, &data);
        write(&dir.join("openapi.json"), serde_json::to_string_pretty(&doc).expect("json").as_bytes());
    }
    // Property-generated PRDs in the clinic's blueprint, and their changes.
    let mut prds = 0;
    for i in 0..n.div_ceil(10) {
        let before = prd(clinic.prd()).new_tree(&mut runner).expect("generate a PRD").current();
        let mut artifacts = derived(&clinic, None);
        artifacts[0] = Artifact::Prd(before.clone());
        openspec(out, &format!("generated-{i}"), &format!("Generated {i}"), &artifacts, None);
        artifacts[0] = Artifact::Prd(edited(&before));
        openspec(out, &format!("generated-{i}"), &format!("Generated {i}"), &artifacts, Some(&before));
        prds += 1;
    }
    println!(
        "{{\"generated\": {n}, \"valid\": {data_ok}, \"invalidSkipped\": {data_invalid}, \"stateMachines\": {machines}, \
         \"contractBlueprints\": {contract}, \"openspecPrds\": {prds}}}"
    );
}
