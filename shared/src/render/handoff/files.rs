//! Where things are, read from the generated files: the wrangler config, the
//! API Worker's entry, the migration, the client file of a route, and the
//! commands each folder's files support.

use crate::artifact::*;
use crate::render::handoff::blueprint::Blueprint;
use crate::render::handoff::text::{code, line};
use serde_json::Value;

pub(super) fn find<'a>(files: &'a [SourceFile], path: &str) -> Option<&'a SourceFile> {
    files.iter().find(|f| f.path == path)
}

/// The first quoted value of `key = "…"` in `section` of a TOML file (a line
/// scan: enough for wrangler's flat keys, and no TOML crate in the WASM).
pub(super) fn toml_value<'a>(toml: &'a str, section: &str, key: &str) -> Option<&'a str> {
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
pub(super) struct Wrangler {
    /// `deployment/wrangler.toml` (or .json / .jsonc).
    pub(super) path: String,
    pub(super) main: Option<String>,
    pub(super) d1_binding: Option<String>,
    pub(super) d1_name: Option<String>,
    pub(super) migrations_dir: Option<String>,
}

pub(super) fn wrangler(bp: &Blueprint) -> Option<Wrangler> {
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
pub(super) fn api_file(bp: &Blueprint) -> Option<String> {
    wrangler(bp).and_then(|w| w.main).map(|main| format!("deployment/{main}"))
}

/// Where a piece of the API is built, as a phrase and a path: the Worker's
/// entry, or (without one) the contract it must follow.
pub(super) fn api_place(api: &Option<String>) -> (&'static str, &str) {
    match api {
        Some(file) => ("in", file),
        None => ("as specified in", "api/openapi.json"),
    }
}

/// Export path of the D1 migration that creates the tables.
pub(super) fn migration_file(bp: &Blueprint) -> String {
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
pub(super) fn screen_file(bp: &Blueprint, route: &str) -> String {
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
pub(super) struct Command {
    pub(super) what: &'static str,
    pub(super) run: String,
    pub(super) dir: &'static str,
    pub(super) source: String,
}

/// The package manager a folder's lock file names.
pub(super) fn package_manager(files: &[SourceFile]) -> (&'static str, &'static str) {
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
pub(super) fn node_commands(out: &mut Vec<Command>, files: &[SourceFile], dir: &'static str) {
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
pub(super) fn ci_runs(bp: &Blueprint) -> Vec<(String, String)> {
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
pub(super) fn commands(bp: &Blueprint) -> Vec<Command> {
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
