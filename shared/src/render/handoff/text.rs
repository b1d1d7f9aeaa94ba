//! Markdown and Mermaid text: escaping free text so that no name or
//! description of an artifact breaks the file it lands in, and the labels
//! every layout writes the same way.

use crate::artifact::Priority;

/// Appends each part in turn: one call and no formatting machinery, which
/// costs less WASM than `format!` (measured).
pub(super) fn put(o: &mut String, parts: &[&str]) {
    for p in parts {
        o.push_str(p);
    }
}

/// One line of prose: no line breaks.
pub(super) fn line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

/// A paragraph of prose: one line that no leading character turns into a
/// heading, list, quote, table, fence or HTML block.
pub(super) fn para(s: &str) -> String {
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
pub(super) fn cell(s: &str) -> String {
    s.replace('\\', "\\\\").replace('|', "\\|").replace(['\r', '\n'], " ")
}

/// An inline code span that no backtick in `s` can close early.
pub(super) fn code(s: &str) -> String {
    let s = line(s).replace('`', "'");
    if s.trim().is_empty() {
        "` `".into()
    } else {
        format!("`{s}`")
    }
}

/// An inline code span inside a table cell.
pub(super) fn code_cell(s: &str) -> String {
    code(&cell(s))
}

/// A fenced block whose fence is longer than any backtick run inside.
pub(super) fn fenced(lang: &str, body: &str) -> String {
    let (mut longest, mut run) = (0, 0);
    for c in body.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat((longest + 1).max(3));
    format!("{fence}{lang}\n{}\n{fence}\n", body.trim_end())
}

/// Free text Mermaid reads as plain text in a quoted label or a message.
pub(super) fn mm(raw: &str) -> String {
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
pub(super) fn lower_first(s: &str) -> String {
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

pub(super) fn list(ids: &[String]) -> String {
    if ids.is_empty() {
        "—".into()
    } else {
        line(&ids.join(", "))
    }
}

/// MoSCoW, as people write it.
pub(super) fn moscow(p: Priority) -> &'static str {
    match p {
        Priority::Must => "Must",
        Priority::Should => "Should",
        Priority::Could => "Could",
    }
}

pub(super) fn priority_label(p: Priority) -> &'static str {
    match p {
        Priority::Must => "P1",
        Priority::Should => "P2",
        Priority::Could => "P3",
    }
}
