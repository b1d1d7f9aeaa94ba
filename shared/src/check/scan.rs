//! Scanners for generated source: the API calls a file makes and the
//! environment variables it reads. The consistency check and the validation
//! of the frontend and deployment artifacts both use them.

use crate::artifact::{Endpoint, HttpMethod, SourceFile};
use crate::check::imports::{language, Language};
use crate::check::lex::{self, Kind, Token};
use std::collections::BTreeSet;

/// An API call in source: a string or template literal naming a path under
/// `/api`, with the method the code around it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiCall {
    /// The method, when the call says it: a method literal among the call's
    /// arguments (`call('DELETE', …)`, `fetch(u, { method: 'POST' })`) or in
    /// the object or array holding the path, a `.post(…)`-style callee, or
    /// `fetch(…)` with no method at all (GET). `None` when the code does not
    /// say (`fetch(u, options)`, a path kept in a constant).
    pub method: Option<HttpMethod>,
    /// The path, without query, each `${…}`, `:x` or `{x}` segment as `{}`.
    pub path: String,
    /// The literal is concatenated with more (`'/api/recipes/' + id`), so the
    /// path called only starts with [`ApiCall::path`].
    pub open: bool,
    /// The line (1-based) of the literal.
    pub line: u32,
}

impl ApiCall {
    /// Whether this call can be the declared endpoint `method` `declared`.
    pub fn calls(&self, method: HttpMethod, declared: &str) -> bool {
        if self.method.is_some_and(|m| m != method) {
            return false;
        }
        if !self.open {
            return path_matches(&self.path, declared);
        }
        // Open: every segment but the last equal, the last a prefix of the declared one.
        let (mut a, mut b) = (self.path.split('/').peekable(), declared.split('/'));
        while let Some(x) = a.next() {
            let Some(y) = b.next() else { return false };
            let last = a.peek().is_none();
            let fits = x == "{}" || is_param(y) || if last { y.starts_with(x) } else { x == y };
            if !fits {
                return false;
            }
        }
        true
    }
}

/// The endpoints of an API grouped by their resource (the segment after
/// `/api`), so matching a frontend's calls does not compare every call with
/// every endpoint: a product of 250 endpoints took 1.8 ms that way.
pub struct EndpointIndex<'a> {
    by_resource: std::collections::HashMap<&'a str, Vec<&'a Endpoint>>,
    /// Endpoints whose resource segment is a parameter or missing: candidates for every call.
    anywhere: Vec<&'a Endpoint>,
    all: &'a [Endpoint],
}

impl<'a> EndpointIndex<'a> {
    /// The index of `endpoints`.
    pub fn new(endpoints: &'a [Endpoint]) -> Self {
        let mut index = EndpointIndex { by_resource: Default::default(), anywhere: Vec::new(), all: endpoints };
        for e in endpoints {
            match e.path.split('/').nth(2).filter(|s| !is_param(s)) {
                Some(r) => index.by_resource.entry(r).or_default().push(e),
                None => index.anywhere.push(e),
            }
        }
        index
    }

    /// The declared endpoints `call` can be.
    pub fn matching<'s>(&'s self, call: &'s ApiCall) -> impl Iterator<Item = &'a Endpoint> + 's {
        let segments: Vec<&str> = call.path.split('/').collect();
        // The resource is known when it is a literal, complete segment.
        let known = segments.get(2).filter(|s| **s != "{}" && !(call.open && segments.len() == 3));
        let candidates: Box<dyn Iterator<Item = &'a Endpoint> + 's> = match known {
            Some(r) => {
                Box::new(self.by_resource.get(r).into_iter().flatten().copied().chain(self.anywhere.iter().copied()))
            }
            None => Box::new(self.all.iter()),
        };
        candidates.filter(move |e| call.calls(e.method, &e.path))
    }
}

/// Whether a path segment is a parameter: `{x}`, `:x` or one with `${…}`.
fn is_param(seg: &str) -> bool {
    seg.contains("${") || seg.starts_with(':') || (seg.starts_with('{') && seg.ends_with('}'))
}

/// The API calls in the script source `source` (JavaScript or TypeScript).
pub fn api_calls(source: &str) -> Vec<ApiCall> {
    calls_in_tokens(&lex::tokens(source, 1))
}

/// The API calls a file makes: its code if it is a script, its inline
/// `<script>`s if it is HTML or a single-file component; none in other files.
pub fn api_calls_in(file: &SourceFile) -> Vec<ApiCall> {
    match language(&file.path) {
        Language::Script => api_calls(&file.content),
        Language::Markup => lex::html_tags(&file.content)
            .into_iter()
            .filter_map(|t| t.body.filter(|_| t.name == "script" && t.attr("src").is_none()))
            .flat_map(|(body, line)| calls_in_tokens(&lex::tokens(body, line)))
            .collect(),
        Language::Css | Language::Other => Vec::new(),
    }
}

/// The `/api` path a literal names: `/api/…`, `${base}/api/…` or
/// `https://host/api/…`; `None` for anything else, and for the bare prefix.
fn api_path(text: &str) -> Option<&str> {
    let path = if text.starts_with('/') {
        text
    } else if let Some(rest) = text.strip_prefix("${}") {
        rest
    } else {
        let after = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://"))?;
        &after[after.find('/')?..]
    };
    let path = path.split(['?', '#']).next().unwrap_or(path);
    (path.starts_with("/api/") && path.trim_end_matches('/') != "/api").then_some(path)
}

fn method_named(text: &str) -> Option<HttpMethod> {
    HttpMethod::ALL.iter().copied().find(|m| m.as_str().eq_ignore_ascii_case(text))
}

fn calls_in_tokens(toks: &[Token<'_>]) -> Vec<ApiCall> {
    // The innermost open bracket around each token, and where each bracket closes.
    let mut open_of = vec![None; toks.len()];
    let mut close_of = vec![toks.len(); toks.len()];
    let mut stack: Vec<usize> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if t.kind == Kind::Punct && matches!(t.text.as_ref(), ")" | "]" | "}") {
            if let Some(o) = stack.pop() {
                close_of[o] = i;
            }
        }
        open_of[i] = stack.last().copied();
        if t.kind == Kind::Punct && matches!(t.text.as_ref(), "(" | "[" | "{") {
            stack.push(i);
        }
    }
    let mut out = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if !matches!(t.kind, Kind::Str | Kind::Template) {
            continue;
        }
        let Some(raw) = api_path(&t.text) else { continue };
        let open = toks.get(i + 1).is_some_and(|n| n.is_punct('+'));
        let raw = if open { raw } else { raw.strip_suffix('/').unwrap_or(raw) };
        let method = open_of[i].and_then(|o| method_around(toks, o, close_of[o], i));
        out.push(ApiCall { method, path: normalise_path(raw), open, line: t.line });
    }
    out
}

/// The method the bracket opened at `o` (closing at `close`) says for the literal at `at`.
fn method_around(toks: &[Token<'_>], o: usize, close: usize, at: usize) -> Option<HttpMethod> {
    let inner = &toks[o + 1..close.min(toks.len())];
    // Method literals inside the bracket: at any depth for a call's
    // arguments, at its own level for an object or array.
    let literals = |any_depth: bool| -> BTreeSet<HttpMethod> {
        let mut depth = 0i32;
        let mut found = BTreeSet::new();
        for t in inner {
            match t.text.as_ref() {
                "(" | "[" | "{" if t.kind == Kind::Punct => depth += 1,
                ")" | "]" | "}" if t.kind == Kind::Punct => depth -= 1,
                _ if t.kind == Kind::Str && (any_depth || depth == 0) => found.extend(method_named(&t.text)),
                _ => {}
            }
        }
        found
    };
    let one = |found: BTreeSet<HttpMethod>| if found.len() == 1 { found.into_iter().next() } else { None };
    match toks[o].text.as_ref() {
        "(" => {
            let callee = o.checked_sub(1).map(|c| &toks[c]).filter(|c| c.kind == Kind::Ident);
            let member = o >= 2 && toks[o - 2].is_punct('.');
            if let (Some(c), true) = (callee, member) {
                if let Some(m) = method_named(&c.text).filter(|_| c.text.bytes().all(|b| b.is_ascii_lowercase())) {
                    return Some(m);
                }
            }
            let found = literals(true);
            if !found.is_empty() {
                return one(found);
            }
            // fetch(url) and fetch(url, { …no method… }) are GETs.
            let fetch = callee.is_some_and(|c| c.text == "fetch" || c.text == "Request");
            let says_method = inner.iter().any(|t| t.is_ident("method"));
            let spread = inner.windows(3).any(|w| w.iter().all(|t| t.is_punct('.')));
            let mut depth = 0i32;
            let mut second: Option<&Token<'_>> = None;
            let mut commas = 0;
            for (k, t) in inner.iter().enumerate() {
                match t.text.as_ref() {
                    "(" | "[" | "{" if t.kind == Kind::Punct => depth += 1,
                    ")" | "]" | "}" if t.kind == Kind::Punct => depth -= 1,
                    "," if t.kind == Kind::Punct && depth == 0 => {
                        commas += 1;
                        if commas == 1 {
                            second = inner.get(k + 1);
                        }
                    }
                    _ => {}
                }
            }
            let options_literal = second.is_none_or(|s| s.is_punct('{') || s.is_punct(')'));
            (fetch && !says_method && !spread && options_literal && commas <= 1).then_some(HttpMethod::Get)
        }
        "{" if at > 0 && toks[at - 1].is_punct(':') => one(literals(false)),
        "[" => one(literals(false)),
        _ => None,
    }
}

fn normalise_path(raw: &str) -> String {
    raw.split('/').map(|seg| if is_param(seg) { "{}" } else { seg }).collect::<Vec<_>>().join("/")
}

/// Whether a called path matches a declared endpoint path (a parameter
/// segment on either side matches any segment).
pub fn path_matches(called: &str, declared: &str) -> bool {
    let (mut a, mut b) = (called.split('/'), declared.split('/'));
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x == y || is_param(x) || is_param(y) => {}
            _ => return false,
        }
    }
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

    fn shown(src: &str) -> Vec<String> {
        api_calls(src)
            .iter()
            .map(|c| {
                let m = c.method.map_or("?", |m| m.as_str());
                format!("{} {} {}{}", c.line, m, c.path, if c.open { " +" } else { "" })
            })
            .collect()
    }

    #[test]
    fn calls_and_env_reads_are_found_in_source() {
        let src = "call('DELETE', `/api/recipes/${encodeURIComponent(id)}`);\nfetch('/api/pantry_items?limit=5')\nconst u = \"/api/users/:id\"; // 'PATCH'";
        assert_eq!(shown(src), vec!["1 DELETE /api/recipes/{}", "2 GET /api/pantry_items", "3 ? /api/users/{}"]);
        assert!(path_matches("/api/recipes/{}", "/api/recipes/{id}"));
        assert!(!path_matches("/api/recipes", "/api/recipes/{id}"));
        let files = examples::pantry().deployment().files;
        let names = env_reads(&files);
        assert!(names.contains("CLOUDFLARE_API_TOKEN") && names.contains("API_BASE_URL"), "{names:?}");
    }

    #[test]
    fn the_index_finds_what_comparing_with_every_endpoint_finds() {
        let api = examples::pantry().api();
        let mut endpoints = api.endpoints.clone();
        let mut tenant = endpoints[0].clone();
        tenant.path = "/api/{tenant}/plans".into();
        endpoints.push(tenant);
        let index = EndpointIndex::new(&endpoints);
        let src = "fetch('/api/acme/plans'); fetch(`/api/${kind}`); fetch('/api/pant' + rest); fetch('/api/nothing'); call('DELETE', '/api/recipes/' + id);";
        for call in api_calls(src)
            .iter()
            .chain(examples::pantry().frontend().files.iter().flat_map(api_calls_in).collect::<Vec<_>>().iter())
        {
            let everywhere: Vec<&str> =
                endpoints.iter().filter(|e| call.calls(e.method, &e.path)).map(|e| e.id.as_str()).collect();
            let indexed: Vec<&str> = index.matching(call).map(|e| e.id.as_str()).collect();
            let (mut a, mut b) = (everywhere.clone(), indexed);
            a.sort_unstable();
            b.sort_unstable();
            assert_eq!(a, b, "{call:?}");
            assert_eq!(everywhere.is_empty(), call.path == "/api/nothing", "{call:?}");
        }
    }

    #[test]
    fn the_method_is_read_from_the_call_around_the_path() {
        let src = r#"// fetch('/api/commented')
const BASE = '/api/';
const list = () => fetch(`${BASE_URL}/api/recipes`);
const create = (body) =>
  fetch('/api/recipes', {
    method: 'POST',
    body: JSON.stringify(body),
  });
const remove = (id) => fetch('/api/recipes/' + id, { method: 'delete' });
const upd = (id, o) => fetch(`/api/recipes/${id}`, o);
const viaAxios = () => axios.patch(`https://example.com/api/recipes/${id}/`, {});
const routes = [{ method: 'PUT', path: '/api/plans/{id}' }, ['GET', '/api/plans']];
const s = "see /api/docs for more";
const maps = 'https://maps.googleapis.com/maps/api/geocode/json';
const r = new Request('/api/ping');
"#;
        assert_eq!(
            shown(src),
            vec![
                "3 GET /api/recipes",
                "5 POST /api/recipes",
                "9 DELETE /api/recipes/ +",
                "10 ? /api/recipes/{}",
                "11 PATCH /api/recipes/{}",
                "12 PUT /api/plans/{}",
                "12 GET /api/plans",
                "15 GET /api/ping",
            ]
        );
        let calls = api_calls(src);
        assert!(calls[2].calls(HttpMethod::Delete, "/api/recipes/{id}"));
        assert!(!calls[2].calls(HttpMethod::Delete, "/api/recipes"));
        assert!(
            calls[3].calls(HttpMethod::Put, "/api/recipes/{id}")
                && calls[3].calls(HttpMethod::Get, "/api/recipes/{id}")
        );
        assert!(!calls[1].calls(HttpMethod::Get, "/api/recipes"));
    }
}
