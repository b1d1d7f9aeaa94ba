//! Hand-off layouts: the blueprint laid out the way coding agents read a
//! project, rendered from the seven artifacts by code (the same artifacts
//! always give the same bytes). Three layouts, each a list of files with paths
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
//!
//! A "feature" is a PRD feature F-n: one Kiro spec folder and one Spec Kit
//! folder each, because both tools work one feature at a time (Spec Kit names
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

use crate::artifact::*;
use crate::check::ready::Verdict;
use crate::render::export::slug;
use crate::render::mermaid::state_diagram;
use crate::render::openapi;
use crate::stage::Stage;
use serde_json::Value;

/// One hand-off layout: the files a tool reads, at paths relative to the
/// export root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Short machine name: `agents-md`, `kiro` or `spec-kit`.
    pub name: &'static str,
    /// For people: `AGENTS.md`, `Kiro specs`, `GitHub Spec Kit`.
    pub title: &'static str,
    /// (path, content), e.g. (`.kiro/specs/recipe-management/tasks.md`, …).
    pub files: Vec<(String, String)>,
    /// What could not be rendered for want of an artifact, one sentence each.
    pub missing: Vec<String>,
}

/// The machine names of the layouts [`layouts`] renders, in its order.
pub const LAYOUTS: [&str; 3] = ["agents-md", "kiro", "spec-kit"];

/// The three hand-off layouts of a project: `AGENTS.md`, the Kiro specs and
/// the Spec Kit specs. `name` and `idea` are the project's; `artifacts` its
/// latest artifacts (any subset of the stages: what is missing is said, never
/// guessed); `verdict` the readiness verdict, whose gaps `AGENTS.md` lists.
pub fn layouts(name: &str, idea: &str, artifacts: &[Artifact], verdict: Option<&Verdict>) -> Vec<Layout> {
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
    vec![
        Layout {
            name: LAYOUTS[0],
            title: "AGENTS.md",
            files: vec![("AGENTS.md".into(), agents_md(&bp, name, idea, &slices, verdict))],
            missing: missing.clone(),
        },
        Layout {
            name: LAYOUTS[1],
            title: "Kiro specs",
            files: kiro,
            missing: [no_specs.clone(), missing.clone()].concat(),
        },
        Layout { name: LAYOUTS[2], title: "GitHub Spec Kit", files: speckit, missing: [no_specs, missing].concat() },
    ]
}

// ---------------------------------------------------------------------------
// The blueprint and its feature slices.

/// The latest artifact of each stage, borrowed.
#[derive(Default)]
struct Blueprint<'a> {
    prd: Option<&'a PrdArtifact>,
    data: Option<&'a DataArtifact>,
    design: Option<&'a DesignArtifact>,
    logic: Option<&'a LogicArtifact>,
    api: Option<&'a ApiArtifact>,
    frontend: Option<&'a FrontendArtifact>,
    deployment: Option<&'a DeploymentArtifact>,
}

impl<'a> Blueprint<'a> {
    fn new(artifacts: &'a [Artifact]) -> Self {
        let mut bp = Blueprint::default();
        for a in artifacts {
            match a {
                Artifact::Prd(x) => bp.prd = bp.prd.or(Some(x)),
                Artifact::Data(x) => bp.data = bp.data.or(Some(x)),
                Artifact::Design(x) => bp.design = bp.design.or(Some(x)),
                Artifact::Logic(x) => bp.logic = bp.logic.or(Some(x)),
                Artifact::Api(x) => bp.api = bp.api.or(Some(x)),
                Artifact::Frontend(x) => bp.frontend = bp.frontend.or(Some(x)),
                Artifact::Deployment(x) => bp.deployment = bp.deployment.or(Some(x)),
            }
        }
        bp
    }

    fn persona(&self, id: &str) -> Option<&'a Persona> {
        self.prd.and_then(|p| p.personas.iter().find(|x| x.id == id))
    }
}

/// One feature and the parts of the other artifacts that serve it.
struct Slice<'a> {
    /// F-n, or empty for the stories no feature delivers.
    id: &'a str,
    name: String,
    description: &'a str,
    stories: Vec<&'a UserStory>,
    /// Story ids the feature names that the PRD does not have.
    unknown: Vec<&'a str>,
    screens: Vec<&'a Screen>,
    endpoints: Vec<&'a Endpoint>,
    entities: Vec<&'a Entity>,
    /// Entity names endpoints use that the data model does not have.
    unknown_entities: Vec<&'a str>,
    kiro: String,
    speckit: String,
}

fn slices<'a>(bp: &Blueprint<'a>) -> Vec<Slice<'a>> {
    let Some(prd) = bp.prd else { return Vec::new() };
    let mut out: Vec<Slice<'a>> = Vec::new();
    for f in &prd.features {
        let mut stories: Vec<&UserStory> = Vec::new();
        let mut unknown = Vec::new();
        for id in &f.stories {
            match prd.user_stories.iter().find(|s| s.id == *id) {
                Some(s) if !stories.iter().any(|x| x.id == s.id) => stories.push(s),
                Some(_) => {}
                None => unknown.push(id.as_str()),
            }
        }
        out.push(slice(bp, &f.id, &f.name, &f.description, stories, unknown));
    }
    let orphans: Vec<&UserStory> =
        prd.user_stories.iter().filter(|s| !prd.features.iter().any(|f| f.stories.contains(&s.id))).collect();
    if !orphans.is_empty() {
        let about = "The PRD's user stories that no feature delivers.";
        out.push(slice(bp, "", "Stories without a feature", about, orphans, Vec::new()));
    }
    // Folder names: Kiro's kebab-case name, made unique; Spec Kit's nnn-name.
    let mut used: Vec<String> = Vec::new();
    for (i, s) in out.iter_mut().enumerate() {
        let base = if s.name.chars().any(|c| c.is_ascii_alphanumeric()) { slug(&s.name) } else { slug(s.id) };
        let mut name = base.clone();
        let mut n = 2;
        while used.contains(&name) {
            name = format!("{base}-{n}");
            n += 1;
        }
        s.speckit = format!("{:03}-{base}", i + 1);
        s.kiro = name.clone();
        used.push(name);
    }
    out
}

fn slice<'a>(
    bp: &Blueprint<'a>,
    id: &'a str,
    name: &str,
    description: &'a str,
    stories: Vec<&'a UserStory>,
    unknown: Vec<&'a str>,
) -> Slice<'a> {
    let serves = |ids: &[String]| ids.iter().any(|id| stories.iter().any(|s| s.id == *id));
    let screens: Vec<&Screen> =
        bp.design.map(|d| d.screens.iter().filter(|s| serves(&s.user_stories)).collect()).unwrap_or_default();
    let endpoints: Vec<&Endpoint> =
        bp.api.map(|a| a.endpoints.iter().filter(|e| serves(&e.user_stories)).collect()).unwrap_or_default();
    let entities: Vec<&Entity> = bp
        .data
        .map(|d| d.entities.iter().filter(|e| endpoints.iter().any(|ep| ep.entity == e.name)).collect())
        .unwrap_or_default();
    let mut unknown_entities: Vec<&str> = Vec::new();
    for ep in &endpoints {
        if !entities.iter().any(|e| e.name == ep.entity) && !unknown_entities.contains(&ep.entity.as_str()) {
            unknown_entities.push(&ep.entity);
        }
    }
    Slice {
        id,
        name: line(name),
        description,
        stories,
        unknown,
        screens,
        endpoints,
        entities,
        unknown_entities,
        kiro: String::new(),
        speckit: String::new(),
    }
}

impl Slice<'_> {
    /// "F-1 Recipe management", or the name alone for the orphan stories.
    fn label(&self) -> String {
        if self.id.is_empty() {
            self.name.clone()
        } else {
            format!("{} {}", line(self.id), self.name)
        }
    }

    /// Whether story `s` is served by an endpoint on `entity`.
    fn uses(&self, s: &UserStory, entity: &str) -> bool {
        self.endpoints.iter().any(|e| e.entity == entity && e.user_stories.contains(&s.id))
    }
}

/// Kiro's requirement ids of story number `n` (1-based): its acceptance
/// criteria `n.1`, `n.2` …, or `n` itself when it has none.
fn criteria_ids(n: usize, s: &UserStory) -> Vec<String> {
    if s.acceptance_criteria.is_empty() {
        return vec![n.to_string()];
    }
    (1..=s.acceptance_criteria.len()).map(|m| format!("{n}.{m}")).collect()
}

/// Kiro requirement ids of the slice's stories that `serves`.
fn reqs(slice: &Slice, serves: &dyn Fn(&UserStory) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    for (i, s) in slice.stories.iter().enumerate() {
        if serves(s) {
            out.extend(criteria_ids(i + 1, s));
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Markdown and Mermaid text.

/// Appends each part in turn: one call and no formatting machinery, which
/// costs less WASM than `format!` (measured).
fn put(o: &mut String, parts: &[&str]) {
    for p in parts {
        o.push_str(p);
    }
}

/// One line of prose: no line breaks.
fn line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

/// A paragraph of prose: one line that no leading character turns into a
/// heading, list, quote, table, fence or HTML block.
fn para(s: &str) -> String {
    let s = line(s);
    let t = s.trim_start();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if t.starts_with(['#', '>', '-', '+', '*', '|', '=', '`', '~', '<']) {
        format!("\\{t}")
    } else if digits > 0 && t[digits..].starts_with(['.', ')']) {
        format!("{}\\{}", &t[..digits], &t[digits..])
    } else {
        t.to_string()
    }
}

/// Text for one table cell: no line breaks, pipes escaped (as markdown.rs).
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\").replace('|', "\\|").replace(['\r', '\n'], " ")
}

/// An inline code span that no backtick in `s` can close early.
fn code(s: &str) -> String {
    let s = line(s).replace('`', "'");
    if s.trim().is_empty() {
        "` `".into()
    } else {
        format!("`{s}`")
    }
}

/// An inline code span inside a table cell.
fn code_cell(s: &str) -> String {
    code(&cell(s))
}

/// A fenced block whose fence is longer than any backtick run inside.
fn fenced(lang: &str, body: &str) -> String {
    let (mut longest, mut run) = (0, 0);
    for c in body.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat((longest + 1).max(3));
    format!("{fence}{lang}\n{}\n{fence}\n", body.trim_end())
}

/// Free text Mermaid reads as plain text in a quoted label or a message.
fn mm(raw: &str) -> String {
    let s: String =
        raw.chars().map(|c| if c.is_alphanumeric() || " .,-_/(){}".contains(c) { c } else { ' ' }).collect();
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() {
        "-".into()
    } else {
        s
    }
}

/// `s` with its first letter lowered, unless the first word looks like an
/// acronym or a name in capitals ("API", "IT").
fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && !b.is_uppercase() => {
            let mut out: String = a.to_lowercase().collect();
            out.push_str(&s[a.len_utf8()..]);
            out
        }
        _ => s.to_string(),
    }
}

fn list(ids: &[String]) -> String {
    if ids.is_empty() {
        "—".into()
    } else {
        line(&ids.join(", "))
    }
}

/// The persona of a story as prose: "the home cook".
fn who(bp: &Blueprint, s: &UserStory) -> String {
    match bp.persona(&s.persona) {
        Some(p) if !p.name.trim().is_empty() => format!("the {}", lower_first(&line(&p.name))),
        _ => "the user".into(),
    }
}

/// An acceptance criterion in Kiro's EARS form, `WHEN … THE SYSTEM SHALL …`.
fn ears(bp: &Blueprint, s: &UserStory, criterion: &str) -> String {
    let c = line(criterion);
    let c = c.trim().trim_end_matches('.');
    if c.starts_with("WHEN ") && c.contains(" THE SYSTEM SHALL ") {
        return c.to_string();
    }
    format!("WHEN {} uses \"{}\" THE SYSTEM SHALL ensure that {}", who(bp, s), line(s.title.trim()), lower_first(c))
}

/// MoSCoW, as people write it.
fn moscow(p: Priority) -> &'static str {
    match p {
        Priority::Must => "Must",
        Priority::Should => "Should",
        Priority::Could => "Could",
    }
}

/// A persona id with its name: "PER-1 (Home cook)".
fn persona(bp: &Blueprint, id: &str) -> String {
    match bp.persona(id) {
        Some(p) => format!("{} ({})", line(id), line(&p.name)),
        None => line(id),
    }
}

fn priority_label(p: Priority) -> &'static str {
    match p {
        Priority::Must => "P1",
        Priority::Should => "P2",
        Priority::Could => "P3",
    }
}

// ---------------------------------------------------------------------------
// Where things are, read from the generated files.

fn find<'a>(files: &'a [SourceFile], path: &str) -> Option<&'a SourceFile> {
    files.iter().find(|f| f.path == path)
}

/// The first quoted value of `key = "…"` in `section` of a TOML file (a line
/// scan: enough for wrangler's flat keys, and no TOML crate in the WASM).
fn toml_value<'a>(toml: &'a str, section: &str, key: &str) -> Option<&'a str> {
    let mut current = "";
    for raw in toml.lines() {
        let l = raw.trim();
        if l.starts_with('[') {
            current = l;
            continue;
        }
        let Some((k, v)) = l.split_once('=') else { continue };
        if current != section || k.trim() != key {
            continue;
        }
        let v = v.trim().strip_prefix('"')?;
        return v.find('"').map(|end| &v[..end]);
    }
    None
}

/// What the deployment's wrangler config says.
#[derive(Default)]
struct Wrangler {
    /// `deployment/wrangler.toml` (or .json / .jsonc).
    path: String,
    main: Option<String>,
    d1_binding: Option<String>,
    d1_name: Option<String>,
    migrations_dir: Option<String>,
}

fn wrangler(bp: &Blueprint) -> Option<Wrangler> {
    let files = &bp.deployment?.files;
    if let Some(f) = find(files, "wrangler.toml") {
        let t = f.content.as_str();
        let d1 = "[[d1_databases]]";
        let own = |v: Option<&str>| v.map(str::to_string);
        return Some(Wrangler {
            path: "deployment/wrangler.toml".into(),
            main: own(toml_value(t, "", "main")),
            d1_binding: own(toml_value(t, d1, "binding")),
            d1_name: own(toml_value(t, d1, "database_name")),
            migrations_dir: own(toml_value(t, d1, "migrations_dir")),
        });
    }
    let f = find(files, "wrangler.json").or_else(|| find(files, "wrangler.jsonc"))?;
    let mut w = Wrangler { path: format!("deployment/{}", f.path), ..Wrangler::default() };
    // A JSONC file with comments does not parse as JSON: then only its presence is known.
    if let Ok(v) = serde_json::from_str::<Value>(&f.content) {
        let s = |v: &Value| v.as_str().map(str::to_string);
        w.main = s(&v["main"]);
        let d1 = &v["d1_databases"][0];
        w.d1_binding = s(&d1["binding"]);
        w.d1_name = s(&d1["database_name"]);
        w.migrations_dir = s(&d1["migrations_dir"]);
    }
    Some(w)
}

/// Export path of the API Worker's entry (`deployment/<main>`), when the
/// wrangler config names one.
fn api_file(bp: &Blueprint) -> Option<String> {
    wrangler(bp).and_then(|w| w.main).map(|main| format!("deployment/{main}"))
}

/// Where a piece of the API is built, as a phrase and a path: the Worker's
/// entry, or (without one) the contract it must follow.
fn api_place(api: &Option<String>) -> (&'static str, &str) {
    match api {
        Some(file) => ("in", file),
        None => ("as specified in", "api/openapi.json"),
    }
}

/// Export path of the D1 migration that creates the tables.
fn migration_file(bp: &Blueprint) -> String {
    let files = bp.deployment.map(|d| d.files.as_slice()).unwrap_or_default();
    let dir = wrangler(bp).and_then(|w| w.migrations_dir).unwrap_or_else(|| "migrations".into());
    match files.iter().find(|f| f.path.starts_with(&format!("{dir}/")) && f.path.ends_with(".sql")) {
        Some(f) => format!("deployment/{}", f.path),
        None if bp.deployment.is_some() => format!("deployment/{dir}/"),
        None => "data/schema.sqlite.sql".into(),
    }
}

/// Export path of the client file that routes `route`: the first frontend
/// file quoting it, else the first source file, else the folder.
fn screen_file(bp: &Blueprint, route: &str) -> String {
    let Some(fe) = bp.frontend else { return "frontend/".into() };
    let quoted = [format!("'{route}'"), format!("\"{route}\""), format!("`{route}`")];
    let hit = fe.files.iter().find(|f| quoted.iter().any(|q| f.content.contains(q.as_str())));
    let src = || fe.files.iter().find(|f| f.path.starts_with("src/") && f.language != "css");
    match hit.or_else(src) {
        Some(f) => format!("frontend/{}", f.path),
        None => "frontend/".into(),
    }
}

/// One command an agent may run, and the file that supports it.
struct Command {
    what: &'static str,
    run: String,
    dir: &'static str,
    source: String,
}

/// The package manager a folder's lock file names.
fn package_manager(files: &[SourceFile]) -> (&'static str, &'static str) {
    if find(files, "pnpm-lock.yaml").is_some() {
        ("pnpm install", "pnpm run")
    } else if find(files, "yarn.lock").is_some() {
        ("yarn install", "yarn")
    } else if find(files, "bun.lock").is_some() || find(files, "bun.lockb").is_some() {
        ("bun install", "bun run")
    } else {
        ("npm install", "npm run")
    }
}

/// Commands from a folder's `package.json`: install, then each known script.
fn node_commands(out: &mut Vec<Command>, files: &[SourceFile], dir: &'static str) {
    let Some(pkg) = find(files, "package.json") else { return };
    let Ok(json) = serde_json::from_str::<Value>(&pkg.content) else {
        out.push(Command {
            what: "install",
            run: String::new(),
            dir,
            source: format!("{dir}/package.json is not valid JSON"),
        });
        return;
    };
    let (install, run) = package_manager(files);
    out.push(Command { what: "install", run: install.into(), dir, source: format!("{dir}/package.json") });
    for what in ["dev", "build", "typecheck", "test", "lint", "preview", "deploy"] {
        if let Some(script) = json["scripts"][what].as_str() {
            out.push(Command {
                what,
                run: format!("{run} {what}"),
                dir,
                source: format!("{dir}/package.json `scripts.{what}` = {}", code(script)),
            });
        }
    }
    let has_ts = !json["devDependencies"]["typescript"].is_null() || !json["dependencies"]["typescript"].is_null();
    if json["scripts"]["typecheck"].is_null() && has_ts && find(files, "tsconfig.json").is_some() {
        let source = format!("{dir}/tsconfig.json and the `typescript` dependency in {dir}/package.json");
        out.push(Command { what: "typecheck", run: "npx tsc --noEmit".into(), dir, source });
    }
}

/// The `run:` commands of the deployment's CI workflows, with their file.
fn ci_runs(bp: &Blueprint) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for f in bp.deployment.iter().flat_map(|d| d.files.iter()) {
        if !f.path.starts_with(".github/workflows/") {
            continue;
        }
        for l in f.content.lines() {
            let l = l.trim().trim_start_matches("- ").trim_start();
            if let Some(cmd) = l.strip_prefix("run:") {
                let cmd = cmd.trim();
                if !cmd.is_empty() && cmd != "|" && cmd != ">" {
                    out.push((cmd.to_string(), format!("deployment/{}", f.path)));
                }
            }
        }
    }
    out
}

/// Every command the blueprint's files support, in the order a person runs them.
fn commands(bp: &Blueprint) -> Vec<Command> {
    let mut out = Vec::new();
    if let Some(fe) = bp.frontend {
        node_commands(&mut out, &fe.files, "frontend");
    }
    if let Some(dep) = bp.deployment {
        node_commands(&mut out, &dep.files, "deployment");
    }
    let ci = ci_runs(bp);
    let from_ci = |needle: &str| ci.iter().find(|(c, _)| c.contains(needle));
    if let Some(w) = wrangler(bp) {
        if w.main.is_some() {
            let source = format!("{} (`main`)", w.path);
            out.push(Command { what: "dev", run: "npx wrangler dev".into(), dir: "deployment", source });
        }
        if let Some(db) = w.d1_binding.as_ref().or(w.d1_name.as_ref()) {
            let source = format!("{} (`[[d1_databases]]`)", w.path);
            let run = format!("npx wrangler d1 migrations apply {db} --local");
            out.push(Command { what: "migrate (local D1)", run, dir: "deployment", source: source.clone() });
            let (run, source) = match from_ci("d1 migrations apply") {
                Some((c, file)) => (c.clone(), file.clone()),
                None => (format!("npx wrangler d1 migrations apply {db} --remote"), source),
            };
            out.push(Command { what: "migrate (remote D1)", run, dir: "deployment", source });
        }
        let (run, source) = match from_ci("wrangler deploy") {
            Some((c, file)) => (c.clone(), file.clone()),
            None => ("npx wrangler deploy".into(), w.path.clone()),
        };
        out.push(Command { what: "deploy", run, dir: "deployment", source });
        // A secret the steps say to set with `wrangler secret put` (CI tokens are not Worker secrets).
        let steps = bp.deployment.map(|d| d.steps.as_slice()).unwrap_or_default();
        for v in bp.deployment.iter().flat_map(|d| d.env_vars.iter()).filter(|v| v.secret) {
            if let Some(step) = steps.iter().find(|s| s.contains("secret put") && s.contains(v.name.as_str())) {
                out.push(Command {
                    what: "set secret",
                    run: format!("npx wrangler secret put {}", v.name),
                    dir: "deployment",
                    source: format!("deployment step \"{}\"", line(step)),
                });
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// AGENTS.md

/// Where each stage's artifact and renders live in the export (export.rs).
fn export_paths(stage: Stage) -> &'static str {
    match stage {
        Stage::Prd => "`prd/prd.md`",
        Stage::Data => "`data/schema.sqlite.sql`, `data/schema.postgres.sql`, `data/erd.mmd`",
        Stage::Design => "`design/design.md`, `design/tokens.css`",
        Stage::Logic => "`logic/logic.md`, `logic/state-N.mmd`",
        Stage::Api => "`api/api.md`, `api/openapi.json`",
        Stage::Frontend => "`frontend/` (the client's files at their own paths)",
        Stage::Deployment => "`deployment/runbook.md` and `deployment/` (the deploy files at their own paths)",
    }
}

fn present(bp: &Blueprint, stage: Stage) -> bool {
    match stage {
        Stage::Prd => bp.prd.is_some(),
        Stage::Data => bp.data.is_some(),
        Stage::Design => bp.design.is_some(),
        Stage::Logic => bp.logic.is_some(),
        Stage::Api => bp.api.is_some(),
        Stage::Frontend => bp.frontend.is_some(),
        Stage::Deployment => bp.deployment.is_some(),
    }
}

fn agents_md(bp: &Blueprint, name: &str, idea: &str, slices: &[Slice], verdict: Option<&Verdict>) -> String {
    let product = bp.prd.map_or(name, |p| p.product_name.as_str());
    let mut o =
        format!("# AGENTS.md\n\n{} — a blueprint generated by Parit.\n\n## Project overview\n\n", line(product));
    match bp.prd {
        Some(p) => o.push_str(&format!("{}\n\n", para(&p.summary))),
        None => o.push_str("The PRD artifact is missing: no summary, stories or features yet.\n\n"),
    }
    if !idea.trim().is_empty() && bp.prd.is_none_or(|p| p.summary.trim() != idea.trim()) {
        o.push_str(&format!("The idea it started from: {}\n\n", line(idea)));
    }
    o.push_str(
        "The blueprint is seven typed artifacts (PRD, data model, design, logic, API, frontend, deployment) and \
         renders of them; the starter code is in `frontend/` and `deployment/`. Build the product from them.\n\n## Stack\n\n",
    );
    match bp.frontend {
        Some(f) => o.push_str(&format!("- Frontend: {} (in `frontend/`)\n", code(&f.framework))),
        None => o.push_str("- Frontend: unknown — the frontend artifact is missing\n"),
    }
    match bp.deployment {
        Some(d) => o.push_str(&format!("- Deployment platform: {} (in `deployment/`)\n", code(&d.platform))),
        None => o.push_str("- Deployment platform: unknown — the deployment artifact is missing\n"),
    }
    let w = wrangler(bp);
    match w.as_ref().and_then(|w| w.d1_binding.as_ref().map(|b| (b, w))) {
        Some((b, w)) => o.push_str(&format!(
            "- Database: Cloudflare D1, binding {}{} ({}); schema in `data/schema.sqlite.sql`\n",
            code(b),
            w.d1_name.as_deref().map(|n| format!(", database {}", code(n))).unwrap_or_default(),
            code(&w.path)
        )),
        None if bp.data.is_some() => o.push_str(
            "- Database: SQL; schemas in `data/schema.sqlite.sql` (SQLite, D1) and `data/schema.postgres.sql`\n",
        ),
        None => o.push_str("- Database: unknown — the data artifact is missing\n"),
    }
    if let Some(a) = bp.api {
        o.push_str(&format!(
            "- API: {} endpoint(s), authentication {}, described in `api/openapi.json`\n",
            a.endpoints.len(),
            code(&a.auth_scheme)
        ));
    }
    let mut languages: Vec<&str> = Vec::new();
    for f in bp.frontend.iter().flat_map(|f| f.files.iter()).chain(bp.deployment.iter().flat_map(|d| d.files.iter())) {
        if !languages.contains(&f.language.as_str()) {
            languages.push(&f.language);
        }
    }
    if !languages.is_empty() {
        o.push_str(&format!("- Languages of the starter files: {}\n", line(&languages.join(", "))));
    }

    o.push_str("\n## Setup commands\n\nEach command comes from a file of this blueprint (named after it); run it in the folder given.\n\n");
    let cmds = commands(bp);
    for c in &cmds {
        if c.run.is_empty() {
            o.push_str(&format!("- {} (`{}/`): none — {}\n", c.what, c.dir, c.source));
        } else {
            o.push_str(&format!("- {} (`{}/`): {} — from {}\n", c.what, c.dir, code(&c.run), c.source));
        }
    }
    for what in ["install", "dev", "build", "typecheck", "migrate (remote D1)", "deploy"] {
        if !cmds.iter().any(|c| c.what == what) {
            o.push_str(&format!("- {what}: no file of the blueprint defines one yet\n"));
        }
    }
    if let Some(d) = bp.deployment {
        if !d.steps.is_empty() {
            o.push_str("\nDeployment steps, in order (from `deployment/runbook.md`):\n\n");
            for (i, s) in d.steps.iter().enumerate() {
                o.push_str(&format!("{}. {}\n", i + 1, line(s)));
            }
        }
    }
    let ci = ci_runs(bp);
    if !ci.is_empty() {
        o.push_str("\nThe CI workflow runs, in order:\n\n");
        for (c, file) in &ci {
            o.push_str(&format!("- {} ({})\n", code(c), code(file)));
        }
    }

    o.push_str("\n## Testing instructions\n\n");
    let tests: Vec<&Command> =
        cmds.iter().filter(|c| matches!(c.what, "test" | "typecheck" | "build" | "lint")).collect();
    if tests.is_empty() {
        o.push_str("- No test, typecheck or build script exists yet: add one before relying on it.\n");
    }
    for c in &tests {
        o.push_str(&format!("- Run {} in `{}/` and fix every failure before finishing.\n", code(&c.run), c.dir));
    }
    o.push_str(
        "- The acceptance criteria are the tests to write: each is an EARS criterion in \
         `.kiro/specs/<feature>/requirements.md` and a Given/When/Then scenario in `specs/<nnn>-<feature>/spec.md`.\n\
         - Every endpoint must keep to `api/openapi.json`; every business rule in `logic/logic.md` needs a test.\n",
    );

    o.push_str(
        "\n## Conventions\n\n\
         - The JSON artifacts in `artifacts/<stage>.json` are the source of truth; every Markdown, SQL, Mermaid and \
         OpenAPI file is rendered from them. Change the artifact (or regenerate the stage in Parit), not a render.\n\
         - Ids link the artifacts: personas `PER-n`; user stories `US-n` (with acceptance criteria and a MoSCoW \
         priority); features `F-n` list their stories; screens `SCR-n` list the stories they serve; endpoints `EP-n` \
         name one entity, its fields and the stories they serve; business rules `BR-n` name an entity; state machines \
         are `Entity.field`. Follow a story → its screens → their endpoints → the entities those use; \
         `traceability.md` is that matrix.\n\
         - Keep the ids in code and commits (e.g. a comment `// EP-3` on a handler, `US-2` in a commit message) so \
         the trace survives.\n\
         - Errors from the API are `{\"error\":{\"code\",\"message\"}}` (the `Error` schema of `api/openapi.json`).\n\n\
         Where each artifact lives in the export:\n\n",
    );
    for stage in Stage::ALL {
        if present(bp, stage) {
            o.push_str(&format!("- {stage}: `artifacts/{stage}.json`; {}\n", export_paths(stage)));
        } else {
            o.push_str(&format!("- {stage}: missing — generate the {stage} stage in Parit\n"));
        }
    }
    o.push_str(
        "- `traceability.md`, `traceability.csv`: story → screens → endpoints → entities; `consistency.json`: \
         cross-artifact findings; `READY.md`: the readiness verdict\n",
    );

    o.push_str("\n## Specs\n\nOne spec per PRD feature, in two formats:\n\n");
    if slices.is_empty() {
        o.push_str("- None yet: the PRD artifact is missing or has no stories.\n");
    }
    for s in slices {
        o.push_str(&format!(
            "- {}: `.kiro/specs/{}/` (Kiro) and `specs/{}/` (GitHub Spec Kit)\n",
            s.label(),
            s.kiro,
            s.speckit
        ));
    }

    o.push_str("\n## Security considerations\n\n");
    if bp.deployment.is_none() {
        o.push_str("- The deployment artifact is missing: the environment variables are unknown.\n");
    }
    for v in bp.deployment.iter().flat_map(|d| d.env_vars.iter()) {
        let ci =
            bp.deployment.iter().flat_map(|d| d.files.iter()).find(|f| {
                f.path.starts_with(".github/workflows/") && f.content.contains(&format!("secrets.{}", v.name))
            });
        let kind = match (v.secret, ci) {
            (true, Some(f)) => format!(
                " (secret of the CI, read as `secrets.{}` in {})",
                line(&v.name),
                code(&format!("deployment/{}", f.path))
            ),
            (true, None) => " (secret: never commit it; set it in the platform's secret store)".into(),
            (false, _) => String::new(),
        };
        o.push_str(&format!("- {}{kind}: {}\n", code(&v.name), line(&v.description)));
    }
    if let Some(a) = bp.api {
        let open: Vec<String> = a.endpoints.iter().filter(|e| !e.auth_required).map(|e| line(&e.id)).collect();
        o.push_str(&format!(
            "- Authentication {}; endpoints callable without it: {}\n",
            code(&a.auth_scheme),
            if open.is_empty() { "none".into() } else { open.join(", ") }
        ));
    }

    o.push_str("\n## What is left to build\n\n");
    match verdict {
        Some(v) if v.ready => o.push_str("The readiness verdict is **ready** (`READY.md`): no gap is known.\n\n"),
        Some(v) => {
            o.push_str(&format!("The readiness verdict is **not ready**: {} gap(s).\n\n", v.gaps.len()));
            for g in &v.gaps {
                o.push_str(&format!("- [{}] {}\n", g.stage, line(&g.message)));
            }
            o.push('\n');
        }
        None => o.push_str("No readiness verdict was given with this render; see `READY.md`.\n\n"),
    }
    if !cmds.iter().any(|c| c.what == "typecheck") && bp.frontend.is_some() {
        o.push_str("- The client has no typecheck command (no `typecheck` script, no `tsconfig.json`): add one.\n\n");
    }
    let Some(prd) = bp.prd else {
        o.push_str("- Everything: the PRD artifact is missing.\n");
        return o;
    };
    o.push_str("Each Must story and what implements it:\n\n");
    for s in prd.user_stories.iter().filter(|s| s.priority == Priority::Must) {
        o.push_str(&format!("- {} {}\n", line(&s.id), line(&s.title)));
        let sl = slices.iter().find(|x| x.stories.iter().any(|y| y.id == s.id));
        let screens: Vec<String> = sl
            .map(|x| {
                x.screens
                    .iter()
                    .filter(|sc| sc.user_stories.contains(&s.id))
                    .map(|sc| format!("{} {} {}", line(&sc.id), line(&sc.name), code(&sc.route)))
                    .collect()
            })
            .unwrap_or_default();
        let endpoints: Vec<String> = sl
            .map(|x| {
                x.endpoints
                    .iter()
                    .filter(|e| e.user_stories.contains(&s.id))
                    .map(|e| format!("{} {}", line(&e.id), code(&format!("{} {}", e.method, e.path))))
                    .collect()
            })
            .unwrap_or_default();
        let mut entities: Vec<String> = Vec::new();
        for e in sl.iter().flat_map(|x| x.endpoints.iter()).filter(|e| e.user_stories.contains(&s.id)) {
            if !entities.contains(&e.entity) {
                entities.push(e.entity.clone());
            }
        }
        let none = |what: &str, stage: Stage| {
            if present(bp, stage) {
                format!("none — no {what} serves it yet")
            } else {
                format!("unknown — the {stage} artifact is missing")
            }
        };
        o.push_str(&format!(
            "  - screens: {}\n  - endpoints: {}\n  - entities: {}\n",
            if screens.is_empty() { none("screen", Stage::Design) } else { screens.join("; ") },
            if endpoints.is_empty() { none("endpoint", Stage::Api) } else { endpoints.join("; ") },
            if entities.is_empty() { none("endpoint", Stage::Api) } else { line(&entities.join(", ")) },
        ));
        if let Some(x) = sl {
            o.push_str(&format!("  - spec: `.kiro/specs/{}/`, `specs/{}/`\n", x.kiro, x.speckit));
        }
    }
    for (p, label) in [(Priority::Should, "Should"), (Priority::Could, "Could")] {
        let ids: Vec<String> = prd.user_stories.iter().filter(|s| s.priority == p).map(|s| line(&s.id)).collect();
        if !ids.is_empty() {
            o.push_str(&format!("\n{label} stories, after the Must ones: {}\n", ids.join(", ")));
        }
    }
    o
}

// ---------------------------------------------------------------------------
// Kiro

fn kiro_requirements(bp: &Blueprint, product: &str, s: &Slice) -> String {
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

fn kiro_design(bp: &Blueprint, product: &str, s: &Slice) -> String {
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
fn flowchart(s: &Slice) -> String {
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
fn sequence(bp: &Blueprint, s: &Slice) -> String {
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

fn screens_table(o: &mut String, bp: &Blueprint, s: &Slice, ids: &dyn Fn(&Screen) -> Vec<String>) {
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

fn endpoints_table(o: &mut String, bp: &Blueprint, s: &Slice, ids: &dyn Fn(&Endpoint) -> Vec<String>) {
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

/// The slice's entities with their fields, relationships, rules and state
/// machines, under headings of level `h`.
fn entities_md(o: &mut String, bp: &Blueprint, s: &Slice, h: &str) {
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

fn errors_md(o: &mut String, bp: &Blueprint, s: &Slice) {
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
struct Plan {
    o: String,
    top: usize,
    sub: usize,
    pending: &'static str,
}

impl Plan {
    fn group(&mut self, title: &'static str) {
        self.pending = title;
    }

    fn task(&mut self, title: &str, details: &[&str], reqs: &[String]) {
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

fn kiro_tasks(bp: &Blueprint, s: &Slice) -> String {
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

// ---------------------------------------------------------------------------
// GitHub Spec Kit

/// A slice's stories in Spec Kit's order (priority first, PRD order within a
/// priority) and their FR ids: one per acceptance criterion.
struct SpecOrder<'a> {
    stories: Vec<&'a UserStory>,
    frs: Vec<Vec<String>>,
}

impl<'a> SpecOrder<'a> {
    fn new(s: &Slice<'a>) -> Self {
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
    fn frs(&self, serves: &dyn Fn(&UserStory) -> bool) -> Vec<String> {
        let mut out = Vec::new();
        for (st, ids) in self.stories.iter().zip(&self.frs) {
            if serves(st) {
                out.extend(ids.iter().cloned());
            }
        }
        out
    }
}

fn speckit_spec(bp: &Blueprint, s: &Slice, order: &SpecOrder) -> String {
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
        sc(&mut o, format!("{}: {}", line(&m.name), line(&m.target)));
    }
    for r in bp.prd.iter().flat_map(|p| p.non_functional.iter()) {
        sc(&mut o, format!("{} ({})", line(&r.requirement), line(&r.category)));
    }
    sc(&mut o, "Every acceptance scenario above passes".into());
    o
}

fn speckit_plan(bp: &Blueprint, s: &Slice, verdict: Option<&Verdict>) -> String {
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
    o
}

fn speckit_data_model(bp: &Blueprint, s: &Slice) -> String {
    let mut o =
        format!("# Data Model: {}\n\nThe entities this feature's endpoints use, from `artifacts/data.json`.\n", s.name);
    entities_md(&mut o, bp, s, "## Entity:");
    o
}

fn speckit_contract(bp: &Blueprint, product: &str, s: &Slice) -> (String, String) {
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
struct SpecTask {
    /// Depends on no other task (the tables); then `[P]` when its file is its own.
    free: bool,
    story: Option<usize>,
    text: String,
    file: String,
    frs: Vec<String>,
}

fn speckit_tasks(bp: &Blueprint, s: &Slice, order: &SpecOrder) -> String {
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
    let mut found = Vec::new();
    let migration = migration_file(bp);
    let api = api_file(bp);
    let (how, api) = api_place(&api);
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
    if !found.is_empty() {
        phases.push(("Phase 2: Foundational (Blocking Prerequisites)".into(), None, found));
    }
    for (k, st) in order.stories.iter().enumerate() {
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
            phases.len() + 1,
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
        phases.push((title, Some(goal), tasks));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{consistency, ready};
    use crate::fixtures::examples;
    use crate::run::status::StageStatus;

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
        assert_eq!(names, ["agents-md", "kiro", "spec-kit"]);
        assert!(out.iter().all(|l| l.missing.is_empty()), "nothing missing in {}", p.key);
        let prd = p.prd();

        // AGENTS.md
        let agents = file(&out[0], "AGENTS.md");
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

        // Kiro
        let kiro = &out[1];
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
                let head = format!(
                    "\n### Requirement {}: {} ({})\n\n**User Story:** {}\n",
                    i + 1,
                    st.title,
                    st.id,
                    st.narrative
                );
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

        // Spec Kit
        let kit = &out[2];
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
                [
                    "User Scenarios & Testing *(mandatory)*",
                    "Requirements *(mandatory)*",
                    "Success Criteria *(mandatory)*"
                ]
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
            let endpoints: Vec<Endpoint> = api
                .endpoints
                .iter()
                .filter(|e| e.user_stories.iter().any(|s| f.stories.contains(s)))
                .cloned()
                .collect();
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
                    phase_story = h
                        .split_once(": User Story ")
                        .map(|(_, r)| r.split(' ').next().unwrap().parse::<usize>().unwrap());
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
        out
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
            agents.contains("# AGENTS.md\n\nNothing yet")
                && agents.contains("- Everything: the PRD artifact is missing.")
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
                let (el, gl): (Vec<&str>, Vec<&str>) = (evil.lines().collect(), good.lines().collect());
                assert_eq!(el.len(), gl.len(), "{path}: no line added or lost");
                for (a, b) in el.iter().zip(&gl) {
                    assert_eq!(shape(a).1, shape(b).1, "{path}: table row {a:?}");
                    let (sa, sb) = (shape(a).0, shape(b).0);
                    // An escaped marker is the one allowed difference: it renders as text.
                    assert!(
                        sa == sb || sa.contains('\\') && b.starts_with(char::is_alphabetic),
                        "{path}: {a:?} vs {b:?}"
                    );
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
}
