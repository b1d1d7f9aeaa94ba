//! The document as read: JSON (by `serde_json`) or YAML (by `yaml-rust2`)
//! into one tree that keeps the order of keys and, where known, the line of
//! each key. Order matters (endpoints are numbered in document order) and
//! `serde_json::Value` sorts keys unless its `preserve_order` feature is on,
//! which would change every other crate's JSON in the workspace.
//!
//! OpenAPI 3.1.1 ("Format"): YAML 1.2 is recommended, tags are limited to the
//! JSON schema ruleset and "keys used in YAML maps MUST be limited to a scalar
//! string"; so a YAML document maps onto a JSON value, and anything else is
//! refused with its line.

use crate::ImportError;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Nesting deeper than this is refused (`serde_json`'s own limit is 128).
const MAX_DEPTH: usize = 128;
/// Nodes the aliases of a YAML document may expand it to (against "billion laughs").
const MAX_NODES: usize = 1_000_000;

/// A JSON value that keeps its keys in document order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// `null` (YAML `~`, `null` or nothing).
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Node>),
    /// An object, its entries in document order.
    Object(Vec<Entry>),
}

/// One key of an object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    /// The key.
    pub(crate) key: String,
    /// The key's line in the input (1-based), when known.
    pub(crate) line: Option<u32>,
    /// The value.
    pub(crate) value: Node,
}

impl Node {
    /// The value of `key`, when this is an object that has it.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The entry of `key`, when this is an object that has it.
    pub(crate) fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries().iter().find(|e| e.key == key)
    }

    /// The entries, empty unless this is an object.
    pub(crate) fn entries(&self) -> &[Entry] {
        match self {
            Node::Object(entries) => entries,
            _ => &[],
        }
    }

    /// The items, empty unless this is an array.
    pub(crate) fn items(&self) -> &[Node] {
        match self {
            Node::Array(items) => items,
            _ => &[],
        }
    }

    /// The string, when this is one.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Node::String(s) => Some(s),
            _ => None,
        }
    }

    /// What kind of value this is, for a sentence ("an object", "a string", ...).
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::Number(_) => "a number",
            Node::String(_) => "a string",
            Node::Array(_) => "an array",
            Node::Object(_) => "an object",
        }
    }

    /// The node a local reference (`#/components/schemas/Pet`) points at: a
    /// JSON Pointer (RFC 6901) in a URI fragment, so `~1` is `/`, `~0` is `~`
    /// and `%7B` is `{`.
    pub(crate) fn pointer(&self, reference: &str) -> Option<&Node> {
        let fragment = reference.strip_prefix('#')?;
        if fragment.is_empty() {
            return Some(self);
        }
        let mut node = self;
        for raw in fragment.strip_prefix('/')?.split('/') {
            let token = percent_decode(raw).replace("~1", "/").replace("~0", "~");
            node = match node {
                Node::Object(_) => node.get(&token)?,
                Node::Array(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn failure(message: String, line: Option<u32>, column: Option<u32>) -> ImportError {
    ImportError { message, line, column, expected: None, findings: Vec::new() }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Reads a document: JSON when its first character is `{`, YAML otherwise.
/// Its top level must be an object.
pub(crate) fn load(text: &str) -> Result<Node, ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let root = if text.trim_start().starts_with('{') { json(text)? } else { yaml(text)? };
    match root {
        Node::Object(_) => Ok(root),
        Node::Null => Err(failure("the document is empty".into(), None, None)),
        other => Err(failure(
            format!("an OpenAPI document is an object at its top level; this one is {}", other.kind()),
            Some(1),
            Some(1),
        )),
    }
}

fn json(text: &str) -> Result<Node, ImportError> {
    let mut root: Node = serde_json::from_str(text).map_err(|e| {
        // serde_json's message ends with " at line L column C"; those go to their own fields.
        let full = e.to_string();
        let message = full.rfind(" at line ").map_or(full.as_str(), |at| &full[..at]).to_string();
        failure(
            format!("not valid JSON at line {}, column {}: {message}", e.line(), e.column()),
            Some(to_u32(e.line())),
            Some(to_u32(e.column())),
        )
    })?;
    // JSON is YAML 1.2 too: a second, YAML, reading gives the keys their lines.
    if let Ok(lined) = yaml(text) {
        copy_lines(&mut root, &lined);
    }
    Ok(root)
}

fn copy_lines(to: &mut Node, from: &Node) {
    match (to, from) {
        (Node::Object(to), Node::Object(from)) => {
            for (t, f) in to.iter_mut().zip(from) {
                if t.key == f.key {
                    t.line = f.line;
                    copy_lines(&mut t.value, &f.value);
                }
            }
        }
        (Node::Array(to), Node::Array(from)) => {
            for (t, f) in to.iter_mut().zip(from) {
                copy_lines(t, f);
            }
        }
        _ => {}
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Node, E> {
        Ok(Node::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Node, E> {
        Ok(Node::Number(n.to_string()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Node, E> {
        Ok(Node::Number(n.to_string()))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Node, E> {
        // serde_json's own (ryu) formatting: `f64::to_string` would bring core's float printing into the WASM.
        Ok(Node::Number(serde_json::Number::from_f64(n).map_or_else(String::new, |n| n.to_string())))
    }
    fn visit_str<E>(self, s: &str) -> Result<Node, E> {
        Ok(Node::String(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Node, E> {
        Ok(Node::String(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        // Keys seen in a set: a list scan would be quadratic in a map's size,
        // and an ordered set has no hash to collide.
        let (mut entries, mut seen): (Vec<Entry>, BTreeSet<String>) = (Vec::new(), BTreeSet::new());
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format!("duplicate key \"{key}\"")));
            }
            let value = map.next_value()?;
            entries.push(Entry { key, line: None, value });
        }
        Ok(Node::Object(entries))
    }
}

enum Open {
    Seq { items: Vec<Node>, anchor: usize },
    Map { entries: Vec<Entry>, seen: BTreeSet<String>, anchor: usize, key: Option<(String, u32)> },
}

fn yaml_error(message: impl fmt::Display, mark: Marker) -> ImportError {
    // yaml-rust2's Marker: line is 1-based, col 0-based (scanner.rs, 0.13.2).
    let (line, column) = (mark.line(), mark.col() + 1);
    failure(
        format!("not valid YAML at line {line}, column {column}: {message}"),
        Some(to_u32(line)),
        Some(to_u32(column)),
    )
}

/// The number of nodes in a tree, without recursion.
fn size(node: &Node) -> usize {
    let mut count = 0;
    let mut todo = vec![node];
    while let Some(n) = todo.pop() {
        count += 1;
        match n {
            Node::Array(items) => todo.extend(items),
            Node::Object(entries) => todo.extend(entries.iter().map(|e| &e.value)),
            _ => {}
        }
    }
    count
}

fn scalar(value: String, style: TScalarStyle, tag: Option<&Tag>) -> Node {
    let str_tag = tag.is_some_and(|t| t.handle == "tag:yaml.org,2002:" && t.suffix == "str");
    if style != TScalarStyle::Plain || str_tag {
        return Node::String(value);
    }
    core_schema(value)
}

/// A plain scalar by the YAML 1.2.2 Core Schema's tag resolution (§10.3.2):
/// `null`/`Null`/`NULL`/`~`/empty, `true`/`True`/`TRUE` (and false), integers
/// `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`, floats
/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `.inf` and `.nan`;
/// anything else is a string. Numbers keep their text: nothing here needs
/// their value, and not parsing floats keeps `core::num::dec2flt` (about
/// 16 KB of gzip WASM, measured) out of the Worker.
fn core_schema(value: String) -> Node {
    let digits = |s: &str, radix: u32| !s.is_empty() && s.chars().all(|c| c.is_digit(radix));
    let unsigned = value.strip_prefix(['-', '+']).unwrap_or(&value);
    let float = {
        let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
            Some(at) => {
                (&unsigned[..at], Some(unsigned[at + 1..].strip_prefix(['-', '+']).unwrap_or(&unsigned[at + 1..])))
            }
            None => (unsigned, None),
        };
        let mantissa_ok = match mantissa.split_once('.') {
            Some(("", frac)) => digits(frac, 10),
            Some((int, frac)) => digits(int, 10) && (frac.is_empty() || digits(frac, 10)),
            None => digits(mantissa, 10),
        };
        mantissa_ok && exponent.is_none_or(|e| digits(e, 10))
    };
    match value.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => Node::Null,
        "true" | "True" | "TRUE" => Node::Bool(true),
        "false" | "False" | "FALSE" => Node::Bool(false),
        ".nan" | ".NaN" | ".NAN" => Node::Number(value),
        _ if matches!(unsigned, ".inf" | ".Inf" | ".INF") => Node::Number(value),
        _ if value.strip_prefix("0o").is_some_and(|d| digits(d, 8)) => Node::Number(value),
        _ if value.strip_prefix("0x").is_some_and(|d| digits(d, 16)) => Node::Number(value),
        _ if float => Node::Number(value),
        _ => Node::String(value),
    }
}

/// Builds the tree from yaml-rust2's events, one document only.
fn yaml(text: &str) -> Result<Node, ImportError> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Open> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut root = None;
    let mut documents = 0;
    let mut nodes = 0usize;
    loop {
        let (event, mark) = parser.next_token().map_err(|e| yaml_error(e.info(), *e.marker()))?;
        let expecting_key = matches!(stack.last(), Some(Open::Map { key: None, .. }));
        let (node, anchor) = match event {
            Event::StreamEnd => break,
            Event::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    return Err(yaml_error("a second YAML document; an OpenAPI document is one", mark));
                }
                continue;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) if expecting_key => {
                let _ = anchor;
                return Err(yaml_error("a mapping key must be a string, not a collection", mark));
            }
            Event::SequenceStart(anchor, _) => {
                stack.push(Open::Seq { items: Vec::new(), anchor });
                if stack.len() > MAX_DEPTH {
                    return Err(yaml_error(format!("nested deeper than {MAX_DEPTH} levels"), mark));
                }
                continue;
            }
            Event::MappingStart(anchor, _) => {
                stack.push(Open::Map { entries: Vec::new(), seen: BTreeSet::new(), anchor, key: None });
                if stack.len() > MAX_DEPTH {
                    return Err(yaml_error(format!("nested deeper than {MAX_DEPTH} levels"), mark));
                }
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Open::Seq { items, anchor }) => (Node::Array(items), anchor),
                Some(Open::Map { entries, anchor, .. }) => (Node::Object(entries), anchor),
                None => continue,
            },
            Event::Scalar(value, _, _, _) if expecting_key => {
                if let Some(Open::Map { seen, key, .. }) = stack.last_mut() {
                    if !seen.insert(value.clone()) {
                        return Err(yaml_error(format!("duplicate key \"{value}\""), mark));
                    }
                    *key = Some((value, to_u32(mark.line())));
                }
                continue;
            }
            Event::Scalar(value, style, anchor, tag) => (scalar(value, style, tag.as_ref()), anchor),
            Event::Alias(_) if expecting_key => {
                return Err(yaml_error("a mapping key must be a plain string, not an alias", mark));
            }
            Event::Alias(id) => match anchors.get(&id) {
                Some(node) => {
                    nodes += size(node);
                    (node.clone(), 0)
                }
                None => return Err(yaml_error("an alias to an unknown anchor", mark)),
            },
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => continue,
        };
        nodes += 1;
        if nodes > MAX_NODES {
            return Err(yaml_error(format!("expands to more than {MAX_NODES} values (aliases)"), mark));
        }
        if anchor > 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            None => root = Some(node),
            Some(Open::Seq { items, .. }) => items.push(node),
            Some(Open::Map { entries, key, .. }) => {
                if let Some((key, line)) = key.take() {
                    entries.push(Entry { key, line: Some(line), value: node });
                }
            }
        }
    }
    Ok(root.unwrap_or(Node::Null))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(node: &Node) -> Vec<(String, Option<u32>)> {
        node.entries().iter().map(|e| (e.key.clone(), e.line)).collect()
    }

    #[test]
    fn yaml_keeps_key_order_lines_and_scalar_types() {
        let doc = load("b: 1\na:\n  - 'x'\n  - ~\n  - true\n200: 1.50\n").unwrap();
        assert_eq!(lines(&doc), vec![("b".into(), Some(1)), ("a".into(), Some(2)), ("200".into(), Some(6))]);
        assert_eq!(doc.get("b"), Some(&Node::Number("1".into())));
        assert_eq!(doc.get("a").unwrap().items(), &[Node::String("x".into()), Node::Null, Node::Bool(true)]);
        assert_eq!(doc.get("200"), Some(&Node::Number("1.50".into())));
    }

    #[test]
    fn json_keeps_key_order_and_gets_lines_from_a_yaml_reading() {
        let doc = load("{\n  \"z\": {\"y\": 1},\n  \"a\": [\"\\u00e9\"]\n}").unwrap();
        assert_eq!(lines(&doc), vec![("z".into(), Some(2)), ("a".into(), Some(3))]);
        assert_eq!(doc.get("a").unwrap().items(), &[Node::String("é".into())]);
    }

    #[test]
    fn anchors_and_aliases_expand_and_a_bomb_is_refused() {
        let doc = load("base: &b {type: string}\nother: *b\n").unwrap();
        assert_eq!(doc.get("other"), doc.get("base"));
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (i, c) in "bcdefghi".chars().enumerate() {
            let prev = (b'a' + i as u8) as char;
            bomb.push_str(&format!("{c}: &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let err = load(&bomb).unwrap_err();
        assert!(err.message.contains("expands to more than 1000000 values"), "{}", err.message);
    }

    #[test]
    fn errors_have_one_based_lines_and_columns() {
        let err = load("a: 1\nb: [1, 2\n").unwrap_err();
        assert_eq!((err.line, err.column), (Some(3), Some(1)), "{}", err.message);
        let err = load("a: 1\na: 2\n").unwrap_err();
        assert_eq!(err.message, "not valid YAML at line 2, column 1: duplicate key \"a\"");
        let err = load("{\"a\": 1,\n \"b\" 2}").unwrap_err();
        assert_eq!(err.message, "not valid JSON at line 2, column 6: expected `:`");
        assert_eq!((err.line, err.column), (Some(2), Some(6)));
        let err = load("{\"a\": 1, \"a\": 2}").unwrap_err();
        assert!(err.message.starts_with("not valid JSON at line 1, column "), "{}", err.message);
        assert!(err.message.ends_with("duplicate key \"a\""), "{}", err.message);
        assert_eq!(
            load("- 1\n").unwrap_err().message,
            "an OpenAPI document is an object at its top level; this one is an array"
        );
        assert_eq!(load("  \n").unwrap_err().message, "the document is empty");
        assert!(load("a: 1\n---\nb: 2\n").unwrap_err().message.contains("a second YAML document"));
        assert!(load("? [a]\n: 1\n").unwrap_err().message.contains("a mapping key must be a string"));
    }

    #[test]
    fn plain_scalars_resolve_by_the_core_schema() {
        let kinds = |text: &str| {
            let doc = load(&format!("x: [{text}]")).unwrap();
            doc.get("x").unwrap().items().iter().map(Node::kind).collect::<Vec<_>>()
        };
        assert_eq!(
            kinds("~, null, NULL, true, False, TRUE"),
            ["null", "null", "null", "a boolean", "a boolean", "a boolean"]
        );
        assert_eq!(kinds("42, -0, +7, 0x1F, 0o17, 1.5, .5, 3., 1e3, -2.5E-3, .inf, -.Inf, .nan"), ["a number"; 13]);
        assert_eq!(kinds("yes, no, on, 1.0.0, 0x, 1e, e3, .., 0b1, 1_000, '1', inf"), ["a string"; 12]);
    }

    #[test]
    fn pointers_decode_their_tokens() {
        let doc = load("paths:\n  /pets/{id}:\n    get: {x: [1, 2]}\n").unwrap();
        assert_eq!(doc.pointer("#/paths/~1pets~1%7Bid%7D/get/x/1"), Some(&Node::Number("2".into())));
        assert_eq!(doc.pointer("#/paths/nope"), None);
        assert_eq!(doc.pointer("other.yaml#/x"), None);
    }
}
