//! The coverage matrix: stories × acceptance criteria × tests, then every
//! endpoint check, as Markdown and CSV.

use super::Row;

/// The coverage matrix as Markdown: every acceptance criterion with its test
/// or its gap, then every endpoint check.
pub fn coverage_markdown(rows: &[Row]) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace(['\n', '\r'], " ");
    let mut out = String::from(
        "# Contract test coverage\n\nEach acceptance criterion of each story, and each check of each endpoint, with the test in \
         `deployment/test/contract.test.mjs` that shows it (`npm test` in `deployment/`), or why none can.\n\n\
         ## Stories\n\n| Story | Priority | # | Criterion | Test | Gap |\n|---|---|---|---|---|---|\n",
    );
    for r in rows.iter().filter(|r| !r.priority.is_empty()) {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            cell(&r.id),
            cell(&r.priority),
            cell(&r.item),
            cell(&r.text),
            cell(r.test.as_deref().unwrap_or("")),
            cell(&r.note)
        ));
    }
    out.push_str("\n## Endpoints\n\n| Endpoint | Check | Test | Gap or todo |\n|---|---|---|---|\n");
    for r in rows.iter().filter(|r| r.priority.is_empty()) {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            cell(&r.id),
            cell(&r.item),
            cell(r.test.as_deref().unwrap_or(&r.text)),
            cell(&r.note)
        ));
    }
    out
}

/// The coverage matrix as CSV (RFC 4180, every field quoted): each story's
/// criteria, then each endpoint's checks; the test's name, or the gap.
pub fn coverage_csv(rows: &[Row]) -> String {
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut out = String::from("\"kind\",\"id\",\"priority\",\"item\",\"criterion\",\"test\",\"gap\"\r\n");
    let stories = rows.iter().filter(|r| !r.priority.is_empty());
    for r in stories.chain(rows.iter().filter(|r| r.priority.is_empty())) {
        let (kind, criterion) = if r.priority.is_empty() { ("endpoint", "") } else { ("story", r.text.as_str()) };
        let test = r.test.as_deref().unwrap_or(if r.priority.is_empty() { &r.text } else { "" });
        out.push_str(&format!(
            "{},{},{},{},{},{},{}\r\n",
            q(kind),
            q(&r.id),
            q(&r.priority),
            q(&r.item),
            q(criterion),
            q(if r.test.is_some() { test } else { "" }),
            q(&r.note)
        ));
    }
    out
}
