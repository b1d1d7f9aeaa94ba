//! What a generated frontend imports, and whether each import resolves:
//! relative and root paths to a file of the artifact, packages to an entry
//! of `package.json`, aliases to a `tsconfig.json` `paths` entry that Vite
//! is told about. A compiler would find these too, but only after the
//! blueprint is handed off; here they go back to the model in the one
//! repair round trip.
//!
//! Resolution follows Vite, as documented at
//! <https://vite.dev/config/shared-options> and <https://vite.dev/guide/features>
//! (vitejs/vite `docs/`, read 2026-12-04):
//! * an import without an extension tries `resolve.extensions`, default
//!   `.mjs .js .mts .ts .jsx .tsx .json`, then `/index` with each;
//! * a TypeScript importer may name a `.ts`/`.tsx` file by its `.js`/`.jsx`
//!   name (vitejs/vite#5510, #7005);
//! * `/x` is relative to the project root, the directory of `index.html`,
//!   and files in `public/` are served at `/`;
//! * HTML processes `<script type="module" src>` and `<link href>`;
//! * `tsconfig.json` `paths` are read only with `resolve.tsconfigPaths` (or
//!   the `vite-tsconfig-paths` plugin); otherwise an alias needs `resolve.alias`.
//!
//! It errs towards silence: a problem it reports costs a repair call, so
//! whatever it cannot decide (an alias a config declares, a `url()` in CSS,
//! an icon `<link>`, which fail at run time rather than at build) passes.

use crate::artifact::SourceFile;
use crate::check::lex::{self, Kind, Token};
use std::collections::{BTreeSet, HashSet};

/// One module a source file imports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The specifier as written, e.g. `./api` or `react-dom/client`.
    pub spec: String,
    /// The line (1-based) it is on.
    pub line: u32,
    /// An `import type` / `export type`, or any import of a `.d.ts` file:
    /// satisfied by a declaration file or an `@types/` package.
    pub type_only: bool,
}

/// How a file's text is read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Language {
    Script,
    Markup,
    Css,
    Other,
}

/// How the file at `path` is read, by its extension.
pub(crate) fn language(path: &str) -> Language {
    match extension(path) {
        "js" | "jsx" | "ts" | "tsx" | "mjs" | "cjs" | "mts" | "cts" => Language::Script,
        "html" | "htm" | "vue" | "svelte" => Language::Markup,
        "css" => Language::Css,
        _ => Language::Other,
    }
}

fn extension(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.').map_or("", |(_, e)| e)
}

/// The imports of one source file: ES `import`/`export … from`/`import()`,
/// `require()`, the `<script src>` and stylesheet `<link href>` of HTML and
/// the module scripts inside it, and CSS `@import`.
pub fn imports(file: &SourceFile) -> Vec<Import> {
    match language(&file.path) {
        Language::Script => script_imports(&lex::tokens(&file.content, 1), file.path.ends_with(".d.ts")),
        Language::Markup => markup_imports(&file.content),
        Language::Css => css_imports(&file.content),
        Language::Other => Vec::new(),
    }
}

fn literal_at<'t>(toks: &'t [Token<'_>], i: usize) -> Option<&'t str> {
    toks.get(i).and_then(Token::literal)
}

/// The imports in a token stream.
pub(crate) fn script_imports(toks: &[Token<'_>], declarations: bool) -> Vec<Import> {
    let mut out = Vec::new();
    let mut push = |spec: &str, line: u32, type_only: bool| {
        out.push(Import { spec: spec.to_string(), line, type_only: type_only || declarations })
    };
    let after_dot = |i: usize| i > 0 && toks[i - 1].is_punct('.');
    for (i, t) in toks.iter().enumerate() {
        if t.kind != Kind::Ident || after_dot(i) {
            continue;
        }
        let next = toks.get(i + 1);
        match t.text.as_ref() {
            "import" => match next {
                // import('./x') — a dynamic import or an import type.
                Some(n) if n.is_punct('(') => {
                    if let Some(spec) = literal_at(toks, i + 2) {
                        if toks.get(i + 3).is_some_and(|c| c.is_punct(')') || c.is_punct(',')) {
                            push(spec, t.line, false);
                        }
                    }
                }
                // import './x.css'
                Some(n) if n.kind == Kind::Str => push(&n.text, n.line, false),
                Some(n) if n.is_punct('.') => {} // import.meta
                Some(n) => {
                    let type_only =
                        n.is_ident("type") && !toks.get(i + 2).is_some_and(|m| m.is_ident("from") || m.is_punct(','));
                    if let Some((spec, line)) = from_clause(toks, i + 1) {
                        push(spec, line, type_only);
                    }
                }
                None => {}
            },
            "export" => {
                let type_only = next.is_some_and(|n| n.is_ident("type"));
                let j = if type_only { i + 2 } else { i + 1 };
                if toks.get(j).is_some_and(|n| n.is_punct('*') || n.is_punct('{')) {
                    if let Some((spec, line)) = from_clause(toks, j) {
                        push(spec, line, type_only);
                    }
                }
            }
            "require" if next.is_some_and(|n| n.is_punct('(')) => {
                if let Some(spec) = literal_at(toks, i + 2) {
                    if toks.get(i + 3).is_some_and(|c| c.is_punct(')')) {
                        push(spec, t.line, false);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The module of an `import …`/`export …` clause starting at token `j`: the
/// string after its `from`, unless the statement ends first.
fn from_clause<'t>(toks: &'t [Token<'_>], j: usize) -> Option<(&'t str, u32)> {
    for k in j..toks.len() {
        let t = &toks[k];
        if t.is_ident("from") {
            if let Some(n) = toks.get(k + 1).filter(|n| n.kind == Kind::Str) {
                return Some((&n.text, n.line));
            }
        }
        let ends = t.kind == Kind::Str
            || t.kind == Kind::Template
            || [';', '=', '(', ')'].iter().any(|&c| t.is_punct(c))
            || (k > j && (t.is_ident("import") || t.is_ident("export")));
        if ends {
            return None;
        }
    }
    None
}

fn markup_imports(html: &str) -> Vec<Import> {
    // An HTML URL without a scheme or a leading `/` or `.` is relative
    // (`src="main.ts"`), never a package.
    let url = |v: &str| {
        let scheme =
            v.split_once(':').is_some_and(|(s, _)| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphabetic()));
        if v.starts_with(['/', '.', '#']) || scheme || v.is_empty() {
            v.to_string()
        } else {
            format!("./{v}")
        }
    };
    let mut out = Vec::new();
    for tag in lex::html_tags(html) {
        if tag.attr("vite-ignore").is_some() {
            continue;
        }
        let line = tag.line;
        match tag.name.as_str() {
            "script" => {
                if let Some(src) = tag.attr("src") {
                    out.push(Import { spec: url(src), line, type_only: false });
                } else if let Some((body, first)) = tag.body {
                    let json = tag.attr("type").is_some_and(|t| t.contains("json") || t.contains("importmap"));
                    if !json {
                        out.extend(script_imports(&lex::tokens(body, first), false));
                    }
                }
            }
            "link" => {
                let rel = tag.attr("rel").unwrap_or("").to_ascii_lowercase();
                let loaded = rel.split_whitespace().any(|r| r == "stylesheet" || r == "modulepreload");
                if let (true, Some(href)) = (loaded, tag.attr("href")) {
                    out.push(Import { spec: url(href), line, type_only: false });
                }
            }
            _ => {}
        }
    }
    out
}

/// `@import "x.css"` and `@import url(x.css)`, outside comments.
fn css_imports(css: &str) -> Vec<Import> {
    let b = css.as_bytes();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < b.len() {
        match b[i] {
            b'\n' => line += 1,
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = css[i + 2..].find("*/").map_or(css.len(), |e| i + 2 + e + 2);
                line += css[i..end].matches('\n').count() as u32;
                i = end;
                continue;
            }
            q @ (b'"' | b'\'') => {
                let end = css[i + 1..].find(q as char).map_or(css.len(), |e| i + 1 + e);
                i = end + 1;
                continue;
            }
            b'@' if css[i..].len() > 7 && css[i + 1..i + 7].eq_ignore_ascii_case("import") => {
                let rest = css[i + 7..].trim_start();
                let rest = rest.strip_prefix("url(").map(str::trim_start).unwrap_or(rest);
                let spec = match rest.as_bytes().first() {
                    Some(&q @ (b'"' | b'\'')) => rest[1..].split(q as char).next(),
                    _ => rest.split(|c: char| c == ')' || c == ';' || c.is_whitespace()).next(),
                };
                if let Some(spec) = spec.filter(|s| !s.is_empty()) {
                    out.push(Import { spec: spec.to_string(), line, type_only: false });
                }
                i += 7;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Node's built-in modules (`module.builtinModules`, Node.js v24, as listed
/// by <https://docs.rs/nodejs-built-in-modules>; read 2026-12-04), by the
/// first segment of the specifier.
const NODE_BUILTINS: &[&str] = &[
    "assert",
    "async_hooks",
    "buffer",
    "child_process",
    "cluster",
    "console",
    "constants",
    "crypto",
    "dgram",
    "diagnostics_channel",
    "dns",
    "domain",
    "events",
    "fs",
    "http",
    "http2",
    "https",
    "inspector",
    "module",
    "net",
    "os",
    "path",
    "perf_hooks",
    "process",
    "punycode",
    "querystring",
    "readline",
    "repl",
    "stream",
    "string_decoder",
    "sys",
    "timers",
    "tls",
    "trace_events",
    "tty",
    "url",
    "util",
    "v8",
    "vm",
    "wasi",
    "worker_threads",
    "zlib",
];

/// Vite's default `resolve.extensions`, in its order.
const EXTENSIONS: &[&str] = &[".mjs", ".js", ".mts", ".ts", ".jsx", ".tsx", ".json"];

/// The project the imports are resolved in: the artifact's files and what
/// its `package.json`, `tsconfig.json` and Vite config declare.
struct Project<'a> {
    files: HashSet<&'a str>,
    /// Directories Vite serves `/` from: each `index.html`'s, and the artifact root.
    roots: BTreeSet<String>,
    /// Every package any `package.json` lists (and the packages' own names);
    /// `None` when there is no readable `package.json`.
    packages: Option<HashSet<String>>,
    has_package_json: bool,
    subpath_imports: bool,
    /// `paths` entries: (pattern, target directories already joined to the base).
    paths: Vec<(String, Vec<String>)>,
    /// The text of every Vite (or Svelte) config file.
    configs: Vec<&'a str>,
}

/// The path `rel` names from directory `dir`; `None` when it leaves the artifact.
fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// JSON with comments and trailing commas (tsconfig's dialect) made plain JSON.
fn jsonc(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut chunk = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                out.push_str(&text[chunk..i]);
                i = text[i..].find('\n').map_or(b.len(), |e| i + e);
                chunk = i;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                out.push_str(&text[chunk..i]);
                i = text[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
                chunk = i;
            }
            b',' => {
                let rest = text[i + 1..].trim_start();
                if rest.starts_with('}') || rest.starts_with(']') {
                    out.push_str(&text[chunk..i]);
                    chunk = i + 1;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    out.push_str(&text[chunk.min(text.len())..]);
    out
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

impl<'a> Project<'a> {
    /// The project of `files`, and the problems of its manifests
    /// (a `package.json` that is not JSON) as (file index, what).
    fn new(files: &'a [SourceFile]) -> (Self, Vec<(usize, String)>) {
        let mut problems = Vec::new();
        let mut p = Project {
            files: files.iter().map(|f| f.path.as_str()).collect(),
            roots: BTreeSet::from([String::new()]),
            packages: None,
            has_package_json: false,
            subpath_imports: false,
            paths: Vec::new(),
            configs: Vec::new(),
        };
        for (i, f) in files.iter().enumerate() {
            let name = file_name(&f.path);
            if name == "index.html" {
                p.roots.insert(dir_of(&f.path).to_string());
            }
            if name.starts_with("vite.config.")
                || name.starts_with("vitest.config.")
                || name.starts_with("svelte.config.")
            {
                p.configs.push(&f.content);
            }
            if name == "package.json" {
                p.has_package_json = true;
                match serde_json::from_str::<serde_json::Value>(&f.content) {
                    Err(e) => problems.push((i, format!("package.json is not valid JSON: {e}"))),
                    Ok(v) => {
                        let packages = p.packages.get_or_insert_with(HashSet::new);
                        for key in ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"] {
                            if let Some(deps) = v[key].as_object() {
                                packages.extend(deps.keys().cloned());
                            }
                        }
                        if let Some(own) = v["name"].as_str() {
                            packages.insert(own.to_string());
                        }
                        p.subpath_imports |= v["imports"].is_object();
                    }
                }
            }
            if name.starts_with("tsconfig") && name.ends_with(".json") {
                // A tsconfig this reader cannot parse is left to tsc.
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&jsonc(&f.content)) {
                    let opts = &v["compilerOptions"];
                    let base = match opts["baseUrl"].as_str() {
                        Some(b) => join(dir_of(&f.path), b),
                        None => Some(dir_of(&f.path).to_string()),
                    };
                    if let (Some(base), Some(paths)) = (base, opts["paths"].as_object()) {
                        for (pattern, targets) in paths {
                            let targets = targets
                                .as_array()
                                .into_iter()
                                .flatten()
                                .filter_map(|t| t.as_str().and_then(|t| join(&base, t)))
                                .collect();
                            p.paths.push((pattern.clone(), targets));
                        }
                    }
                }
            }
        }
        (p, problems)
    }

    fn is_file(&self, path: &str) -> bool {
        self.files.contains(path)
    }

    /// Whether module path `path` (already joined) names a file, as Vite resolves it.
    fn resolves(&self, path: &str, type_only: bool) -> bool {
        if self.is_file(path) {
            return true;
        }
        let ts_names: &[&str] = match extension(path) {
            "js" => &["ts", "tsx"],
            "jsx" => &["tsx"],
            "mjs" => &["mts"],
            "cjs" => &["cts"],
            _ => &[],
        };
        if let Some((stem, _)) = path.rsplit_once('.') {
            if ts_names.iter().any(|e| self.is_file(&format!("{stem}.{e}"))) {
                return true;
            }
        }
        let declaration = |p: &str| type_only && self.is_file(&format!("{p}.d.ts"));
        let index = format!("{path}/index");
        [path, index.as_str()]
            .iter()
            .any(|p| EXTENSIONS.iter().any(|e| self.is_file(&format!("{p}{e}"))) || declaration(p))
    }

    /// Whether a Vite or Svelte config mentions `key` the way an alias is
    /// declared (`'@'`, `"@/"`, `` `@` ``, `utils:`), looking only from its
    /// first `alias` on (`resolve.alias`, SvelteKit's `kit.alias`): the
    /// imports above it name the config's own packages, not aliases.
    fn config_declares(&self, key: &str) -> bool {
        self.configs.iter().filter_map(|c| c.find("alias").map(|at| &c[at..])).any(|c| {
            ["'", "\"", "`"].iter().any(|q| c.contains(&format!("{q}{key}{q}")) || c.contains(&format!("{q}{key}/")))
                || c.contains(&format!("{key}:"))
        })
    }

    /// Whether a config has Vite read tsconfig.json `paths`
    /// (`resolve.tsconfigPaths`, or the `vite-tsconfig-paths` plugin).
    fn reads_tsconfig_paths(&self) -> bool {
        self.configs.iter().any(|c| c.contains("tsconfigPaths"))
    }

    /// The targets a `paths` pattern maps `spec` to.
    fn mapped(&self, spec: &str) -> Option<(&str, Vec<String>)> {
        for (pattern, targets) in &self.paths {
            let star = match pattern.split_once('*') {
                None if pattern == spec => Some(""),
                None => None,
                Some((pre, post)) => spec
                    .strip_prefix(pre)
                    .and_then(|r| r.strip_suffix(post))
                    .filter(|_| spec.len() >= pre.len() + post.len()),
            };
            if let Some(star) = star {
                return Some((pattern, targets.iter().map(|t| t.replacen('*', star, 1)).collect()));
            }
        }
        None
    }
}

/// The package a bare specifier names: `@scope/pkg` or `pkg`.
fn package_of(spec: &str) -> &str {
    let mut end = 0;
    let segments = if spec.starts_with('@') { 2 } else { 1 };
    for (n, seg) in spec.split('/').enumerate() {
        if n >= segments {
            break;
        }
        end += seg.len() + usize::from(n > 0);
    }
    &spec[..end]
}

/// Whether `name` can be an npm package name (validate-npm-package-name's
/// rules, leniently: upper case passes, as old packages have it).
fn is_package_name(name: &str) -> bool {
    let ok = |s: &str| {
        !s.is_empty()
            && !s.starts_with('.')
            && !s.starts_with('_')
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
    };
    match name.strip_prefix('@') {
        Some(scoped) => scoped.split_once('/').is_some_and(|(scope, pkg)| ok(scope) && ok(pkg)),
        None => ok(name),
    }
}

/// The `@types/` package that types `package`.
fn types_package(package: &str) -> String {
    match package.strip_prefix('@') {
        Some(scoped) => format!("@types/{}", scoped.replacen('/', "__", 1)),
        None => format!("@types/{package}"),
    }
}

/// Every import of `files` that resolves to nothing, as (JSON path, what is
/// wrong), in file order: `$.files[i].content: line L: import "./x" …`.
pub fn problems(files: &[SourceFile]) -> Vec<(String, String)> {
    let (project, manifest) = Project::new(files);
    let mut out: Vec<(String, String)> =
        manifest.into_iter().map(|(i, what)| (format!("$.files[{i}].content"), what)).collect();
    let mut unlisted_without_manifest = BTreeSet::new();
    let mut preprocessors = BTreeSet::new();
    for (i, f) in files.iter().enumerate() {
        let at = format!("$.files[{i}].content");
        let dir = dir_of(&f.path);
        let css = language(&f.path) == Language::Css;
        let mut seen = HashSet::new();
        for imp in imports(f) {
            if !seen.insert((imp.spec.clone(), imp.type_only)) {
                continue;
            }
            let what = match check(&project, dir, css, &imp) {
                Verdict::Fine => None,
                Verdict::Package(pkg) if !project.has_package_json => {
                    unlisted_without_manifest.insert(pkg);
                    None
                }
                // An unreadable package.json was reported once, above.
                Verdict::Package(_) if project.packages.is_none() => None,
                Verdict::Package(pkg) => Some(format!(
                    "imports \"{}\", but package.json does not list the package \"{pkg}\" in dependencies or devDependencies",
                    imp.spec
                )),
                Verdict::Missing(tried) => {
                    Some(format!("import \"{}\" resolves to no file of the artifact ({tried})", imp.spec))
                }
                Verdict::Unmapped(why) => Some(format!("import \"{}\" {why}", imp.spec)),
            };
            if let Some(what) = what {
                out.push((at.clone(), format!("line {}: {what}", imp.line)));
            }
            // A pre-processed stylesheet needs its pre-processor installed
            // (vite.dev/guide/features#css-pre-processors).
            let path = imp.spec.split(['?', '#']).next().unwrap_or("");
            let needs: Option<(&str, &[&str])> = match extension(path) {
                "scss" | "sass" => Some(("sass", &["sass", "sass-embedded"])),
                "less" => Some(("less", &["less"])),
                "styl" | "stylus" => Some(("stylus", &["stylus"])),
                _ => None,
            };
            if let (Some((name, any_of)), Some(packages)) = (needs, &project.packages) {
                if !any_of.iter().any(|p| packages.contains(*p)) && preprocessors.insert(name) {
                    out.push((
                        at.clone(),
                        format!(
                            "line {}: imports \"{}\", which Vite compiles only with the {name} package in devDependencies",
                            imp.line, imp.spec
                        ),
                    ));
                }
            }
        }
    }
    if !unlisted_without_manifest.is_empty() {
        let names: Vec<String> = unlisted_without_manifest.into_iter().collect();
        out.push((
            "$.files".into(),
            format!("the code imports packages ({}) but the artifact has no package.json", names.join(", ")),
        ));
    }
    out
}

enum Verdict {
    Fine,
    /// A package that is not listed.
    Package(String),
    /// A path that names no file; what was looked for.
    Missing(String),
    /// An alias nothing declares, and why.
    Unmapped(String),
}

/// Whether `imp`, in a file in `dir` (a stylesheet when `css`), resolves.
fn check(project: &Project<'_>, dir: &str, css: bool, imp: &Import) -> Verdict {
    let spec = imp.spec.as_str();
    if spec.starts_with('#') {
        return if project.subpath_imports || !project.has_package_json {
            Verdict::Fine
        } else {
            Verdict::Unmapped("is a subpath import, but package.json has no \"imports\" field".into())
        };
    }
    let path = spec.split(['?', '#']).next().unwrap_or("");
    let external = ["http:", "https:", "//", "data:", "blob:", "virtual:", "node:", "/@", "\0"];
    if path.is_empty() || external.iter().any(|p| spec.starts_with(p)) || spec.contains("${") {
        return Verdict::Fine;
    }
    let looked_for = |p: &str| format!("no {p}, {p}.ts, .tsx, .js or {p}/index.ts");
    if path == "." || path == ".." || path.starts_with("./") || path.starts_with("../") {
        return match join(dir, path) {
            Some(p) if project.resolves(&p, imp.type_only) => Verdict::Fine,
            Some(p) => Verdict::Missing(looked_for(&p)),
            None => Verdict::Missing("it points outside the project".into()),
        };
    }
    if let Some(rooted) = path.strip_prefix('/') {
        let fine = project.roots.iter().any(|root| {
            join(root, rooted).is_some_and(|p| project.resolves(&p, imp.type_only))
                || join(root, &format!("public/{rooted}")).is_some_and(|p| project.is_file(&p))
        });
        return if fine {
            Verdict::Fine
        } else {
            let root = project.roots.iter().next_back().cloned().unwrap_or_default();
            let p = join(&root, rooted).unwrap_or_default();
            Verdict::Missing(format!("{}, nor public/{rooted}", looked_for(&p)))
        };
    }
    // CSS resolves `@import "x.css"` next to the stylesheet first, then as a package.
    if css && join(dir, path).is_some_and(|p| project.is_file(&p)) {
        return Verdict::Fine;
    }
    let first = path.split('/').next().unwrap_or("");
    if NODE_BUILTINS.contains(&first) {
        return Verdict::Fine;
    }
    if let Some((pattern, targets)) = project.mapped(path) {
        if !targets.iter().any(|t| project.resolves(t, imp.type_only)) {
            let shown = targets.first().cloned().unwrap_or_default();
            return Verdict::Missing(format!("tsconfig.json paths map {pattern} to {shown}"));
        }
        let key = pattern.trim_end_matches('*').trim_end_matches('/');
        return if project.config_declares(key) || project.reads_tsconfig_paths() || imp.type_only {
            Verdict::Fine
        } else {
            Verdict::Unmapped(format!(
                "uses the tsconfig.json paths alias {pattern}, which Vite does not read: add it to resolve.alias in vite.config.ts"
            ))
        };
    }
    // Aliases a config declares, checked by every leading segment.
    let mut prefix = String::new();
    for seg in path.split('/') {
        if !prefix.is_empty() {
            prefix.push('/');
        }
        prefix.push_str(seg);
        if project.config_declares(&prefix) {
            return Verdict::Fine;
        }
    }
    let package = package_of(path);
    if !is_package_name(package) {
        if first.starts_with('$') && project.configs.iter().any(|c| c.contains("sveltekit") || c.contains("svelte")) {
            return Verdict::Fine; // SvelteKit's $app, $lib, $env
        }
        let key = first;
        return Verdict::Unmapped(format!(
            "uses the alias {key}, which neither tsconfig.json paths nor vite.config resolve.alias declare"
        ));
    }
    let listed = |name: &str| project.packages.as_ref().is_some_and(|p| p.contains(name));
    if listed(package) || (imp.type_only && listed(&types_package(package))) {
        Verdict::Fine
    } else {
        Verdict::Package(package.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::examples;

    fn file(path: &str, content: &str) -> SourceFile {
        SourceFile { path: path.into(), language: String::new(), content: content.into() }
    }

    fn specs(path: &str, content: &str) -> Vec<(String, u32, bool)> {
        imports(&file(path, content)).into_iter().map(|i| (i.spec, i.line, i.type_only)).collect()
    }

    #[test]
    fn every_import_form_is_found_and_none_in_comments_or_strings() {
        let src = r#"// import gone from './commented'
/* import('./also-commented') */
import React, { useState } from 'react';
import type { Recipe } from './types';
import {
  a,
  b as c,
} from "./multi";
import './styles.css';
import logo from './assets/logo.svg?url';
export * from './reexport';
export { default as List } from './List';
export type { T } from './t';
const lazy = () => import('./Lazy');
const cjs = require('./legacy');
const s = "import x from './in-a-string'";
const t = `import y from './in-a-template'`;
const meta = import.meta.env.VITE_API_BASE_URL;
obj.import('./not-an-import');
export const x = 1;
import type from './default-named-type';
"#;
        let found = specs("src/App.tsx", src);
        let expect: Vec<(String, u32, bool)> = [
            ("react", 3, false),
            ("./types", 4, true),
            ("./multi", 8, false),
            ("./styles.css", 9, false),
            ("./assets/logo.svg?url", 10, false),
            ("./reexport", 11, false),
            ("./List", 12, false),
            ("./t", 13, true),
            ("./Lazy", 14, false),
            ("./legacy", 15, false),
            ("./default-named-type", 21, false),
        ]
        .iter()
        .map(|(s, l, t)| (s.to_string(), *l, *t))
        .collect();
        assert_eq!(found, expect);
    }

    #[test]
    fn html_and_css_imports_are_found() {
        let html = "<!doctype html>\n<link rel=\"icon\" href=\"/favicon.svg\">\n<link rel=\"stylesheet\" href=\"/src/app.css\">\n<script type=\"module\" src=\"/src/main.ts\"></script>\n<script src=\"https://cdn.example.com/x.js\"></script>";
        let found: Vec<String> = specs("index.html", html).into_iter().map(|s| s.0).collect();
        assert_eq!(found, vec!["/src/app.css", "/src/main.ts", "https://cdn.example.com/x.js"]);
        let files = [
            file("web/index.html", "<link rel=\"stylesheet\" href=\"/theme.css\"><script type=\"module\" src=\"main.ts\"></script><script type=\"module\" src=\"/src/gone.ts\"></script>"),
            file("web/public/theme.css", "body { margin: 0 }"),
            file("web/main.ts", "export {};"),
        ];
        assert_eq!(
            problems(&files),
            vec![(
                "$.files[0].content".to_string(),
                "line 1: import \"/src/gone.ts\" resolves to no file of the artifact (no web/src/gone.ts, web/src/gone.ts.ts, .tsx, .js or web/src/gone.ts/index.ts, nor public/src/gone.ts)".to_string()
            )]
        );
        let css = "/* @import './commented.css'; */\n@import './base.css';\n@import url(\"theme.css\") screen;\n.a { background: url(./bg.png); content: '@import \"no\"'; }";
        let found: Vec<(String, u32, bool)> = specs("src/app.css", css);
        assert_eq!(found, vec![("./base.css".into(), 2, false), ("theme.css".into(), 3, false)]);
    }

    #[test]
    fn the_example_products_frontends_have_no_problems() {
        for p in [examples::pantry(), examples::clinic(), examples::large(50)] {
            let fe = p.frontend();
            assert_eq!(problems(&fe.files), Vec::<(String, String)>::new(), "{}", p.name);
            // They do import: the check is not vacuous.
            assert!(fe.files.iter().any(|f| imports(f).iter().any(|i| i.spec == "./api")), "{}", p.name);
        }
    }

    fn react_app() -> Vec<SourceFile> {
        vec![
            file("index.html", "<!doctype html><html><head><link rel=\"icon\" href=\"/vite.svg\"></head><body><div id=\"root\"></div><script type=\"module\" src=\"/src/main.tsx\"></script></body></html>"),
            file("package.json", r#"{"name":"web","type":"module","dependencies":{"react":"^19.0.0","react-dom":"^19.0.0","react-router-dom":"^7.0.0"},"devDependencies":{"@types/react":"^19.0.0","@types/react-dom":"^19.0.0","@vitejs/plugin-react":"^5.0.0","typescript":"^5.6.0","vite":"^7.0.0"}}"#),
            file("tsconfig.json", "{\n  // Vite's template\n  \"compilerOptions\": {\n    \"target\": \"ES2022\",\n    \"jsx\": \"react-jsx\",\n    \"types\": [\"vite/client\"], /* client types */\n    \"baseUrl\": \".\",\n    \"paths\": { \"@/*\": [\"src/*\"], },\n  },\n  \"include\": [\"src\"],\n}\n"),
            file("vite.config.ts", "import { defineConfig } from 'vite';\nimport react from '@vitejs/plugin-react';\nimport path from 'node:path';\nexport default defineConfig({ plugins: [react()], resolve: { alias: { '@': path.resolve(__dirname, 'src') } } });\n"),
            file("src/vite-env.d.ts", "/// <reference types=\"vite/client\" />\n"),
            file("src/main.tsx", "import { StrictMode } from 'react';\nimport { createRoot } from 'react-dom/client';\nimport App from './App.tsx';\nimport './index.css';\n\ncreateRoot(document.getElementById('root')!).render(<StrictMode><App /></StrictMode>);\n"),
            file("src/App.tsx", "import { BrowserRouter, Route, Routes } from 'react-router-dom';\nimport type { ReactNode } from 'react';\nimport { RecipeList } from '@/components/RecipeList';\nimport * as api from './api.js';\n\nexport default function App(): ReactNode {\n  // Don't fetch here: './nowhere' is only a comment.\n  return <BrowserRouter><p>Don't panic, it's fine</p><Routes><Route path=\"/\" element={<RecipeList load={api.listRecipes} />} /></Routes></BrowserRouter>;\n}\n"),
            file("src/components/RecipeList.tsx", "import { useEffect, useState } from 'react';\nimport type { Recipe } from '../types';\nimport styles from './RecipeList.module.css';\n\nexport function RecipeList({ load }: { load: () => Promise<Recipe[]> }) {\n  const [items, setItems] = useState<Recipe[]>([]);\n  useEffect(() => { load().then(setItems); }, [load]);\n  return <ul className={styles.list}>{items.map((r) => <li key={r.id}>{r.title}</li>)}</ul>;\n}\n"),
            file("src/components/RecipeList.module.css", ".list { padding: 0; }\n"),
            file("src/types.ts", "export interface Recipe { id: string; title: string }\n"),
            file("src/api.ts", "import type { Recipe } from './types';\nexport const listRecipes = async (): Promise<Recipe[]> => (await fetch('/api/recipes')).json();\n"),
            file("src/index.css", "@import './components/RecipeList.module.css';\nbody { margin: 0; }\n"),
        ]
    }

    #[test]
    fn a_realistic_react_vite_app_has_no_problems() {
        assert_eq!(problems(&react_app()), Vec::<(String, String)>::new());
    }

    #[test]
    fn broken_imports_are_each_reported_with_their_line() {
        let mut files = react_app();
        let app = files.iter_mut().find(|f| f.path == "src/App.tsx").unwrap();
        app.content = "import { z } from 'zod';\nimport { Header } from './components/Header';\nimport { Footer } from '@/components/Footer';\nimport dayjs from 'dayjs/esm/index.js';\nimport '../../outside.css';\nimport fs from 'node:fs';\nimport { q } from '~/lib/q';\n".to_string() + &app.content;
        files.push(file("src/theme.ts", "import './theme.scss';\n"));
        files.push(file("src/theme.scss", "$c: red;\n"));
        let shown: Vec<String> = problems(&files).into_iter().map(|(p, w)| format!("{p}: {w}")).collect();
        assert_eq!(
            shown,
            vec![
                "$.files[6].content: line 1: imports \"zod\", but package.json does not list the package \"zod\" in dependencies or devDependencies",
                "$.files[6].content: line 2: import \"./components/Header\" resolves to no file of the artifact (no src/components/Header, src/components/Header.ts, .tsx, .js or src/components/Header/index.ts)",
                "$.files[6].content: line 3: import \"@/components/Footer\" resolves to no file of the artifact (tsconfig.json paths map @/* to src/components/Footer)",
                "$.files[6].content: line 4: imports \"dayjs/esm/index.js\", but package.json does not list the package \"dayjs\" in dependencies or devDependencies",
                "$.files[6].content: line 5: import \"../../outside.css\" resolves to no file of the artifact (it points outside the project)",
                "$.files[6].content: line 7: import \"~/lib/q\" uses the alias ~, which neither tsconfig.json paths nor vite.config resolve.alias declare",
                "$.files[12].content: line 1: imports \"./theme.scss\", which Vite compiles only with the sass package in devDependencies",
            ]
        );
    }

    #[test]
    fn an_alias_only_tsconfig_knows_is_reported_and_no_package_json_once() {
        let mut files = react_app();
        files.retain(|f| f.path != "vite.config.ts");
        let shown: Vec<String> = problems(&files).into_iter().map(|(p, w)| format!("{p}: {w}")).collect();
        assert_eq!(
            shown,
            vec!["$.files[5].content: line 3: import \"@/components/RecipeList\" uses the tsconfig.json paths alias @/*, which Vite does not read: add it to resolve.alias in vite.config.ts"]
        );
        files.retain(|f| f.path != "package.json");
        let shown: Vec<String> = problems(&files).into_iter().map(|(p, w)| format!("{p}: {w}")).collect();
        assert_eq!(
            shown.last().map(String::as_str),
            Some("$.files: the code imports packages (react, react-dom, react-router-dom) but the artifact has no package.json")
        );
        let mut files = react_app();
        files[1].content = "{\"dependencies\": {".into();
        let shown = problems(&files);
        assert_eq!(shown.len(), 1, "{shown:?}");
        assert!(shown[0].1.starts_with("package.json is not valid JSON"), "{shown:?}");
    }

    #[test]
    fn a_config_vouches_only_for_its_aliases() {
        // tsconfig paths read by Vite cover what the paths map, not packages.
        let mut files = react_app();
        files[3].content = "import { defineConfig } from 'vite';\nimport react from '@vitejs/plugin-react';\nimport tsconfigPaths from 'vite-tsconfig-paths';\nexport default defineConfig({ plugins: [react(), tsconfigPaths()] });\n".into();
        files[1].content = files[1].content.replace("\"vite\":", "\"vite-tsconfig-paths\":\"^5.0.0\",\"vite\":");
        let app = files.iter_mut().find(|f| f.path == "src/App.tsx").unwrap();
        app.content = format!("import {{ format }} from 'date-fns';\n{}", app.content);
        let shown: Vec<String> = problems(&files).into_iter().map(|(_, w)| w).collect();
        assert_eq!(
            shown,
            vec!["line 1: imports \"date-fns\", but package.json does not list the package \"date-fns\" in dependencies or devDependencies"]
        );
        // The config's own imports are packages, checked like any other.
        let mut files = react_app();
        files[1].content = files[1].content.replace("\"@vitejs/plugin-react\":\"^5.0.0\",", "");
        let shown: Vec<String> = problems(&files).into_iter().map(|(p, w)| format!("{p}: {w}")).collect();
        assert_eq!(
            shown,
            vec!["$.files[3].content: line 2: imports \"@vitejs/plugin-react\", but package.json does not list the package \"@vitejs/plugin-react\" in dependencies or devDependencies"]
        );
    }

    #[test]
    fn type_only_imports_accept_declarations_and_types_packages() {
        let files = vec![
            file("package.json", r#"{"devDependencies":{"@types/express":"^5","@types/babel__core":"^7","vite":"^7"}}"#),
            file("src/a.ts", "import type { Request } from 'express';\nimport type { PluginObj } from '@babel/core';\nimport type { Env } from './env';\nimport type {} from 'vite/client';\n"),
            file("src/env.d.ts", "export interface Env { A: string }\n"),
            file("src/b.ts", "import express from 'express';\n"),
        ];
        let shown: Vec<String> = problems(&files).into_iter().map(|(p, w)| format!("{p}: {w}")).collect();
        assert_eq!(
            shown,
            vec!["$.files[3].content: line 1: imports \"express\", but package.json does not list the package \"express\" in dependencies or devDependencies"]
        );
    }

    #[test]
    fn package_names_and_paths() {
        assert_eq!(package_of("@scope/pkg/sub/x"), "@scope/pkg");
        assert_eq!(package_of("react-dom/client"), "react-dom");
        assert_eq!(package_of("vite"), "vite");
        assert!(is_package_name("@vitejs/plugin-react") && is_package_name("lodash.merge"));
        assert!(!is_package_name("@/x") && !is_package_name("~") && !is_package_name("$lib"));
        assert_eq!(types_package("@babel/core"), "@types/babel__core");
        assert_eq!(join("src/a", "../b/./c"), Some("src/b/c".into()));
        assert_eq!(join("src", "../../x"), None);
        assert_eq!(
            jsonc("{ // c\n \"a\": \"//not\", /* x */ \"b\": [1,],\n}"),
            "{ \n \"a\": \"//not\",  \"b\": [1]\n}"
        );
    }
}
