//! How a schema's or a path's name reads as an entity's: its words, without
//! the affixes APIs put around an entity's name (`CreatePetRequest` → `pet`),
//! singular or plural. Both [`super::map`] (matching an operation to an entity
//! of the data model) and [`super::derive`] (deriving an entity the model
//! lacks) name entities this way, so it is a leaf of its own that both use
//! and that uses neither.

/// Words a schema's name may carry around its entity's name.
const PREFIXES: &[&str] = &["create", "update", "new", "list", "get", "add", "edit", "replace", "patch", "put", "post"];
const SUFFIXES: &[&str] = &[
    "request",
    "response",
    "input",
    "output",
    "body",
    "payload",
    "dto",
    "data",
    "model",
    "resource",
    "item",
    "list",
    "collection",
    "page",
    "result",
    "create",
    "update",
    "patch",
    "object",
    "schema",
    "base",
];

/// Lowercase letters and digits only: `Special-Events` → `specialevents`.
pub(super) fn squash(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

pub(super) fn singular(s: &str) -> String {
    if let Some(base) = s.strip_suffix("ies") {
        format!("{base}y")
    } else if ["sses", "xes", "ches", "shes", "zes"].iter().any(|end| s.ends_with(end)) {
        s[..s.len() - 2].to_string()
    } else if s.ends_with('s') && !s.ends_with("ss") {
        s[..s.len() - 1].to_string()
    } else {
        s.to_string()
    }
}

/// Words of an identifier: `listPets` → `list`, `pets`; `get_pet-by.id` → four
/// words. ASCII only (identifiers are), which keeps Unicode case tables out of the WASM.
pub(super) fn words(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The squashed forms a name may match by: itself, without affixes, singular.
pub(super) fn forms(name: &str) -> Vec<String> {
    let mut w = words(name);
    let mut out = vec![squash(name)];
    while w.len() > 1 && PREFIXES.contains(&w[0].as_str()) {
        w.remove(0);
        out.push(w.concat());
    }
    while w.len() > 1 && w.last().is_some_and(|l| SUFFIXES.contains(&l.as_str())) {
        w.pop();
        out.push(w.concat());
    }
    let singulars: Vec<String> = out.iter().map(|f| singular(f)).collect();
    out.extend(singulars);
    out.retain(|f| !f.is_empty());
    out.dedup();
    out
}

/// The words of the entity a schema name describes: `CreateAlbumObject` →
/// `album`; a name of affixes only keeps its last word.
pub(super) fn entity_words(name: &str) -> Vec<String> {
    let mut w = words(name);
    while w.len() > 1 && PREFIXES.contains(&w[0].as_str()) {
        w.remove(0);
    }
    while w.len() > 1 && w.last().is_some_and(|l| SUFFIXES.contains(&l.as_str())) {
        w.pop();
    }
    if let Some(last) = w.last_mut() {
        *last = singular(last);
    }
    w.retain(|x| !x.is_empty());
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_singular_plural_and_without_affixes() {
        assert_eq!(words("listPets"), vec!["list", "pets"]);
        assert_eq!(words("get_pet-by.ID"), vec!["get", "pet", "by", "id"]);
        assert!(forms("CreateSpecialEventRequest").contains(&"specialevent".to_string()));
        assert!(forms("ListSpecialEventsResponse").contains(&"specialevent".to_string()));
        assert!(forms("special-events").contains(&"specialevent".to_string()));
        assert!(forms("categories").contains(&"category".to_string()));
        assert!(forms("boxes").contains(&"box".to_string()));
        assert!(!forms("Request").is_empty());
        assert_eq!(entity_words("CreateAlbumObject"), vec!["album"]);
        assert_eq!(entity_words("ListSpecialEventsResponse"), vec!["special", "event"]);
        assert_eq!(entity_words("Request"), vec!["request"]);
    }
}
