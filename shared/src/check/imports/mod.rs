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

//!
//! `find` reads the imports out of scripts, HTML and CSS; `project` is the
//! artifact's files as Vite resolves against them (its `package.json`,
//! `tsconfig.json` and config); here each import is judged.

mod find;
mod project;

pub use find::{imports, Import};
pub(crate) use find::{language, Language};

use crate::artifact::SourceFile;
use find::extension;
use project::{dir_of, is_package_name, join, package_of, types_package, Project, NODE_BUILTINS};
use std::collections::{BTreeSet, HashSet};

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

    pub(super) fn file(path: &str, content: &str) -> SourceFile {
        SourceFile { path: path.into(), language: String::new(), content: content.into() }
    }

    pub(super) fn specs(path: &str, content: &str) -> Vec<(String, u32, bool)> {
        imports(&file(path, content)).into_iter().map(|i| (i.spec, i.line, i.type_only)).collect()
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
}
