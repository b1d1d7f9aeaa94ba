//! The imports of a generated file: ES modules and `require` in scripts
//! (read through `check::lex`), module scripts and stylesheets in HTML,
//! `@import` in CSS, each with its line.

use crate::artifact::SourceFile;
use crate::check::lex::{self, Kind, Token};

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

pub(super) fn extension(path: &str) -> &str {
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

#[cfg(test)]
mod tests {
    use super::super::problems;
    use super::super::tests::{file, specs};

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
}
