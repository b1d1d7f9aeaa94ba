//! Scanners for generated source: the API calls a file makes and the
//! environment variables it reads. The consistency check and the validation
//! of the frontend and deployment artifacts both use them.

use crate::artifact::{HttpMethod, SourceFile};
use std::collections::BTreeSet;

/// The API calls a source file makes: (method, path) with `${…}` and `:x`
/// segments as parameters. A call with no method literal on its line is a GET.
pub fn api_calls(source: &str) -> Vec<(HttpMethod, String)> {
    let mut out = Vec::new();
    for line in source.lines() {
        let mut rest = line;
        while let Some(i) = rest.find("/api/") {
            let quote = rest[..i].chars().last();
            let tail = &rest[i..];
            let end = match quote {
                Some(q @ ('\'' | '"' | '`')) => tail.find(q).unwrap_or(tail.len()),
                _ => tail.find(|c: char| c.is_whitespace() || c == ')' || c == ',').unwrap_or(tail.len()),
            };
            let raw = &tail[..end];
            let path = normalise_path(raw.split('?').next().unwrap_or(raw));
            let method = HttpMethod::ALL
                .iter()
                .copied()
                .find(|m| ["'", "\"", "`"].iter().any(|q| line.contains(&format!("{q}{}{q}", m.as_str()))))
                .unwrap_or(HttpMethod::Get);
            out.push((method, path));
            rest = &tail[end..];
        }
    }
    out
}

fn normalise_path(raw: &str) -> String {
    raw.split('/')
        .map(|seg| {
            if seg.contains("${") || seg.starts_with(':') || (seg.starts_with('{') && seg.ends_with('}')) {
                "{}"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether a called path matches a declared endpoint path.
pub fn path_matches(called: &str, declared: &str) -> bool {
    let declared = normalise_path(declared);
    let (a, b): (Vec<&str>, Vec<&str>) = (called.split('/').collect(), declared.split('/').collect());
    a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| x == y || *x == "{}" || *y == "{}")
}

/// Names of environment variables and secrets the files read.
pub fn env_reads(files: &[SourceFile]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let ident = |s: &str| -> String { s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect() };
    for f in files {
        for marker in ["import.meta.env.", "process.env.", "secrets."] {
            for part in f.content.split(marker).skip(1) {
                let n = ident(part);
                if !n.is_empty() && n.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') {
                    names.insert(n);
                }
            }
        }
        if f.path.ends_with("wrangler.toml") {
            let mut in_vars = false;
            for line in f.content.lines() {
                let t = line.trim();
                if t.starts_with('[') {
                    in_vars = t == "[vars]";
                } else if in_vars {
                    if let Some((k, _)) = t.split_once('=') {
                        let k = k.trim();
                        if !k.is_empty() && !k.starts_with('#') {
                            names.insert(k.to_string());
                        }
                    }
                }
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::examples;

    #[test]
    fn calls_and_env_reads_are_found_in_source() {
        let src = "call('DELETE', `/api/recipes/${encodeURIComponent(id)}`);\nfetch('/api/pantry_items?limit=5')\nconst u = \"/api/users/:id\"; // 'PATCH'";
        assert_eq!(
            api_calls(src),
            vec![
                (HttpMethod::Delete, "/api/recipes/{}".to_string()),
                (HttpMethod::Get, "/api/pantry_items".to_string()),
                (HttpMethod::Patch, "/api/users/{}".to_string()),
            ]
        );
        assert!(path_matches("/api/recipes/{}", "/api/recipes/{id}"));
        assert!(!path_matches("/api/recipes", "/api/recipes/{id}"));
        let files = examples::pantry().deployment().files;
        let names = env_reads(&files);
        assert!(names.contains("CLOUDFLARE_API_TOKEN") && names.contains("API_BASE_URL"), "{names:?}");
    }
}
