//! The artifact's files as Vite resolves an import against them: paths and
//! extensions, `package.json` dependencies, `tsconfig.json` aliases and
//! whether the config reads them, Node's built-ins.

use super::find::extension;
use crate::artifact::SourceFile;
use std::collections::{BTreeSet, HashSet};

/// Node's built-in modules (`module.builtinModules`, Node.js v24, as listed
/// by <https://docs.rs/nodejs-built-in-modules>; read 2026-12-04), by the
/// first segment of the specifier.
pub(super) const NODE_BUILTINS: &[&str] = &[
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
pub(super) struct Project<'a> {
    pub(super) files: HashSet<&'a str>,
    /// Directories Vite serves `/` from: each `index.html`'s, and the artifact root.
    pub(super) roots: BTreeSet<String>,
    /// Every package any `package.json` lists (and the packages' own names);
    /// `None` when there is no readable `package.json`.
    pub(super) packages: Option<HashSet<String>>,
    pub(super) has_package_json: bool,
    pub(super) subpath_imports: bool,
    /// `paths` entries: (pattern, target directories already joined to the base).
    pub(super) paths: Vec<(String, Vec<String>)>,
    /// The text of every Vite (or Svelte) config file.
    pub(super) configs: Vec<&'a str>,
}

/// The path `rel` names from directory `dir`; `None` when it leaves the artifact.
pub(super) fn join(dir: &str, rel: &str) -> Option<String> {
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

pub(super) fn dir_of(path: &str) -> &str {
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
    pub(super) fn new(files: &'a [SourceFile]) -> (Self, Vec<(usize, String)>) {
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

    pub(super) fn is_file(&self, path: &str) -> bool {
        self.files.contains(path)
    }

    /// Whether module path `path` (already joined) names a file, as Vite resolves it.
    pub(super) fn resolves(&self, path: &str, type_only: bool) -> bool {
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
    pub(super) fn config_declares(&self, key: &str) -> bool {
        self.configs.iter().filter_map(|c| c.find("alias").map(|at| &c[at..])).any(|c| {
            ["'", "\"", "`"].iter().any(|q| c.contains(&format!("{q}{key}{q}")) || c.contains(&format!("{q}{key}/")))
                || c.contains(&format!("{key}:"))
        })
    }

    /// Whether a config has Vite read tsconfig.json `paths`
    /// (`resolve.tsconfigPaths`, or the `vite-tsconfig-paths` plugin).
    pub(super) fn reads_tsconfig_paths(&self) -> bool {
        self.configs.iter().any(|c| c.contains("tsconfigPaths"))
    }

    /// The targets a `paths` pattern maps `spec` to.
    pub(super) fn mapped(&self, spec: &str) -> Option<(&str, Vec<String>)> {
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
pub(super) fn package_of(spec: &str) -> &str {
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
pub(super) fn is_package_name(name: &str) -> bool {
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
pub(super) fn types_package(package: &str) -> String {
    match package.strip_prefix('@') {
        Some(scoped) => format!("@types/{}", scoped.replacen('/', "__", 1)),
        None => format!("@types/{package}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
