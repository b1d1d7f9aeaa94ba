//! The input as a list of statements: psql meta-commands and `COPY … FROM
//! stdin` data blanked out (line numbers kept), tokenized once by sqlparser,
//! split at the semicolons that end statements, and each statement's kind
//! read from its leading words — so a statement sqlparser cannot parse can
//! still be told apart from one that is wrong.

use sqlparser::dialect::Dialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Span, Token, TokenWithSpan, Tokenizer, TokenizerError, Word};

/// Lines taken out before tokenizing: they are psql's, not SQL.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Stripped {
    /// psql meta-commands (`\connect`, `\restrict`, …): line and text.
    pub(crate) meta: Vec<(u32, String)>,
    /// `COPY … FROM stdin` blocks: line, table and rows of data.
    pub(crate) copies: Vec<(u32, String, usize)>,
    /// MySQL: regions between `DELIMITER x` and `DELIMITER ;` (first and
    /// last line, 1-based, and `x`), whose statements end with `x`.
    pub(crate) delimited: Vec<(u32, u32, String)>,
    /// MySQL: versioned comments (`/*!50001 CREATE … */`) that hold
    /// something other than settings: line and their first words.
    pub(crate) versioned: Vec<(u32, String)>,
}

/// `text` with psql meta-command lines and the data of `COPY … FROM stdin`
/// blocks replaced by empty lines, so every other line keeps its number.
/// pg_dump writes both in plain-format dumps
/// (<https://www.postgresql.org/docs/17/app-pgdump.html>, and `COPY … FROM
/// STDIN` ends with a line `\.`: <https://www.postgresql.org/docs/17/sql-copy.html>).
pub(crate) fn strip_psql(text: &str) -> (String, Stripped) {
    let mut out = String::with_capacity(text.len());
    let mut stripped = Stripped::default();
    let mut copy: Option<usize> = None;
    for (i, line) in text.split('\n').enumerate() {
        let number = i as u32 + 1;
        if i > 0 {
            out.push('\n');
        }
        let trimmed = line.trim();
        if let Some(rows) = copy {
            if trimmed == "\\." {
                if let Some(last) = stripped.copies.last_mut() {
                    last.2 = rows;
                }
                copy = None;
            } else {
                copy = Some(rows + 1);
            }
            continue;
        }
        if let Some(table) = copy_from_stdin(trimmed) {
            stripped.copies.push((number, table, 0));
            copy = Some(0);
            continue;
        }
        if trimmed.starts_with('\\') {
            stripped.meta.push((number, trimmed.to_string()));
            continue;
        }
        out.push_str(line);
    }
    // A block the input ends inside of still counts its rows.
    if let (Some(rows), Some(last)) = (copy, stripped.copies.last_mut()) {
        last.2 = rows;
    }
    (out, stripped)
}

/// `text` with the mysql client's `DELIMITER` lines blanked, and the
/// regions they open recorded, so a trigger's or procedure's body with `;`
/// inside is one statement (<https://dev.mysql.com/doc/refman/8.4/en/stored-programs-defining.html>).
/// Other lines starting with a backslash (`\\G`-style client commands) are
/// blanked too. Versioned comments that create something (`mysqldump` writes
/// views as `/*!50001 CREATE … */`) are recorded to be listed.
pub(crate) fn strip_mysql(text: &str) -> (String, Stripped) {
    let mut out = String::with_capacity(text.len());
    let mut stripped = Stripped::default();
    let mut open: Option<(u32, String)> = None;
    for (i, line) in text.split('\n').enumerate() {
        let number = i as u32 + 1;
        if i > 0 {
            out.push('\n');
        }
        let trimmed = line.trim();
        let upper = trimmed.to_ascii_uppercase();
        if let Some(rest) = upper.strip_prefix("DELIMITER ").map(|_| trimmed[10..].trim()) {
            stripped.meta.push((number, trimmed.to_string()));
            if let Some((start, delimiter)) = open.take() {
                stripped.delimited.push((start, number, delimiter));
            }
            if rest != ";" && !rest.is_empty() {
                open = Some((number, rest.to_string()));
            }
            continue;
        }
        // The mysql client's own commands: `\\.`, `\\G`, …, and `source file`
        // (<https://dev.mysql.com/doc/refman/8.4/en/mysql-commands.html>).
        if trimmed.starts_with('\\') || upper.starts_with("SOURCE ") {
            stripped.meta.push((number, trimmed.to_string()));
            continue;
        }
        // MySQL takes `--` at a line's end as a comment (a control character
        // follows it: <https://dev.mysql.com/doc/refman/8.4/en/ansi-diff-comments.html>);
        // sqlparser's MySQL dialect wants a space after it. mysqldump writes such lines.
        if trimmed.ends_with("--") && trimmed.trim_start_matches('-').is_empty() {
            continue;
        }
        if let Some(body) = trimmed.strip_prefix("/*!") {
            let body = body.trim_start_matches(|c: char| c.is_ascii_digit()).trim_start();
            let first = body.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
            if !matches!(first.as_str(), "SET" | "SELECT" | "") {
                let words: Vec<&str> = body.trim_end_matches(['*', '/', ';', ',']).split_whitespace().take(4).collect();
                stripped.versioned.push((number, words.join(" ")));
            }
        }
        out.push_str(line);
    }
    if let Some((start, delimiter)) = open {
        stripped.delimited.push((start, u32::MAX, delimiter));
    }
    (out, stripped)
}

/// `text` with line `line` (1-based) replaced by an empty one.
pub(crate) fn blank_line(text: &str, line: u32) -> String {
    text.split('\n').enumerate().map(|(i, l)| if i as u32 + 1 == line { "" } else { l }).collect::<Vec<_>>().join("\n")
}

/// The table of a `COPY table (…) FROM stdin;` line.
fn copy_from_stdin(line: &str) -> Option<String> {
    let upper = line.to_ascii_uppercase();
    if !upper.starts_with("COPY ") || !upper.trim_end_matches(';').trim_end().ends_with("FROM STDIN") {
        return None;
    }
    let rest = line[5..].trim_start();
    let end = rest.find(|c: char| c.is_whitespace() || c == '(').unwrap_or(rest.len());
    Some(rest[..end].to_string())
}

/// All tokens of `text`, with their positions.
pub(crate) fn tokenize(dialect: &dyn Dialect, text: &str) -> Result<Vec<TokenWithSpan>, TokenizerError> {
    Tokenizer::new(dialect, text).tokenize_with_location()
}

/// The statements of `text`: tokenized and split at semicolons, except in
/// the `delimited` regions (MySQL's `DELIMITER`), where each statement ends
/// with the region's delimiter and is one statement whatever it holds.
pub(crate) fn statements(
    dialect: &dyn Dialect,
    text: &str,
    delimited: &[(u32, u32, String)],
) -> Result<Vec<Statement>, TokenizerError> {
    if delimited.is_empty() {
        return Ok(split(tokenize(dialect, text)?));
    }
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = Vec::new();
    let mut next = 1u32;
    let region =
        |from: u32, to: u32| lines[(from as usize - 1).min(lines.len())..(to as usize).min(lines.len())].join("\n");
    for (start, end, delimiter) in delimited {
        if *start > next {
            out.extend(split(tokenize_at(dialect, &region(next, start - 1), next)?));
        }
        let body_start = start + 1;
        let body_end = (*end).min(lines.len() as u32 + 1) - 1;
        if body_end >= body_start {
            let body = region(body_start, body_end);
            let mut offset = 0usize;
            for chunk in body.split(delimiter.as_str()) {
                let first = body_start + body[..offset].matches('\n').count() as u32;
                offset += chunk.len() + delimiter.len();
                let tokens = tokenize_at(dialect, chunk, first)?;
                if tokens.iter().any(|t| !matches!(t.token, Token::Whitespace(_) | Token::EOF | Token::SemiColon)) {
                    let tokens: Vec<TokenWithSpan> = tokens.into_iter().filter(|t| t.token != Token::EOF).collect();
                    let start = tokens.iter().position(|t| !matches!(t.token, Token::Whitespace(_))).unwrap_or(0);
                    out.push(Statement { tokens: tokens[start..].to_vec() });
                }
            }
        }
        next = end.saturating_add(1);
    }
    if (next as usize) <= lines.len() {
        out.extend(split(tokenize_at(dialect, &region(next, lines.len() as u32), next)?));
    }
    Ok(out)
}

/// The tokens of `text`, which starts at line `first` of the input.
fn tokenize_at(dialect: &dyn Dialect, text: &str, first: u32) -> Result<Vec<TokenWithSpan>, TokenizerError> {
    let shift = u64::from(first.saturating_sub(1));
    let moved = |mut l: sqlparser::tokenizer::Location| {
        if l.line > 0 {
            l.line += shift;
        }
        l
    };
    match tokenize(dialect, text) {
        Ok(tokens) => Ok(tokens
            .into_iter()
            .map(|mut t| {
                t.span = Span::new(moved(t.span.start), moved(t.span.end));
                t
            })
            .collect()),
        Err(mut e) => {
            e.location = moved(e.location);
            Err(e)
        }
    }
}

/// A `CREATE SCHEMA name [AUTHORIZATION …] CREATE TABLE … CREATE VIEW …`
/// statement's head and its elements, each a statement of its own
/// (<https://www.postgresql.org/docs/17/sql-createschema.html>); no elements
/// when it creates only the schema.
pub(crate) fn schema_elements(s: &Statement) -> (Statement, Vec<Statement>) {
    let mut parts: Vec<Vec<TokenWithSpan>> = vec![Vec::new()];
    let mut depth = 0usize;
    let mut seen_words = 0usize;
    for t in &s.tokens {
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ => {}
        }
        let word = !matches!(t.token, Token::Whitespace(_));
        if word {
            seen_words += 1;
        }
        if word && seen_words > 1 && depth == 0 && is_keyword(&t.token, Keyword::CREATE) {
            parts.push(Vec::new());
        }
        if let Some(last) = parts.last_mut() {
            if !last.is_empty() || word {
                last.push(t.clone());
            }
        }
    }
    let mut parts = parts.into_iter().map(|tokens| Statement { tokens });
    let head = parts.next().unwrap_or(Statement { tokens: Vec::new() });
    (head, parts.collect())
}

/// How many leading words come before the table's name in a `CREATE …
/// TABLE` statement.
pub(crate) fn table_name_at(s: &Statement) -> usize {
    s.leading_words(8).iter().position(|w| w == "TABLE").map_or(2, |i| i + 1)
}

/// One statement: its tokens, up to and including the semicolon that ends
/// it, if any.
#[derive(Debug, Clone)]
pub(crate) struct Statement {
    /// The tokens.
    pub(crate) tokens: Vec<TokenWithSpan>,
}

impl Statement {
    /// The tokens that are not whitespace or comments.
    pub(crate) fn words(&self) -> impl Iterator<Item = &TokenWithSpan> {
        self.tokens.iter().filter(|t| !matches!(t.token, Token::Whitespace(_)))
    }

    /// Line of the first token (1-based).
    pub(crate) fn line(&self) -> u32 {
        self.words().next().map(|t| t.span.start.line as u32).unwrap_or(0)
    }

    /// The first `n` words, upper-cased; a non-word token ends them.
    pub(crate) fn leading_words(&self, n: usize) -> Vec<String> {
        self.words()
            .take(n)
            .map_while(|t| match &t.token {
                Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
                _ => None,
            })
            .collect()
    }

    /// The name after the first `skip` words (e.g. after `CREATE VIEW`),
    /// past `IF NOT EXISTS`, joined with dots when qualified.
    pub(crate) fn name_after(&self, skip: usize) -> Option<String> {
        let mut tokens = self
            .words()
            .skip(skip)
            .skip_while(|t| [Keyword::IF, Keyword::NOT, Keyword::EXISTS].iter().any(|k| is_keyword(&t.token, *k)))
            .peekable();
        let mut parts = Vec::new();
        while let Some(t) = tokens.next() {
            match &t.token {
                Token::Word(w) => parts.push(w.value.clone()),
                _ => break,
            }
            if tokens.peek().map(|t| &t.token) != Some(&Token::Period) {
                break;
            }
            tokens.next();
        }
        (!parts.is_empty()).then(|| parts.join("."))
    }
}

fn is_keyword(t: &Token, k: Keyword) -> bool {
    matches!(t, Token::Word(w) if w.keyword == k && w.quote_style.is_none())
}

/// Whether a statement starting with `words` may hold a `BEGIN … END` body
/// with semicolons inside (SQLite triggers: <https://www.sqlite.org/lang_createtrigger.html>;
/// PostgreSQL `BEGIN ATOMIC` function bodies).
fn has_block_body(words: &[Token]) -> bool {
    words.first().is_some_and(|t| is_keyword(t, Keyword::CREATE))
        && words.iter().take(5).any(|t| {
            is_keyword(t, Keyword::TRIGGER) || is_keyword(t, Keyword::FUNCTION) || is_keyword(t, Keyword::PROCEDURE)
        })
}

/// The statements of a token stream: split at semicolons, except those
/// inside a trigger's or function's `BEGIN … END` block. Whitespace and
/// comments inside a statement are kept (the parser may look at them);
/// those between statements are dropped.
pub(crate) fn split(tokens: Vec<TokenWithSpan>) -> Vec<Statement> {
    let mut out = Vec::new();
    let mut current: Vec<TokenWithSpan> = Vec::new();
    let mut words: Vec<Token> = Vec::new();
    let mut depth = 0usize;
    for t in tokens {
        let blank = matches!(t.token, Token::Whitespace(_));
        if t.token == Token::EOF || (blank && current.is_empty()) {
            continue;
        }
        if !blank {
            if words.len() < 6 {
                words.push(t.token.clone());
            }
            if depth > 0 || has_block_body(&words) {
                if is_keyword(&t.token, Keyword::BEGIN) || (depth > 0 && is_keyword(&t.token, Keyword::CASE)) {
                    depth += 1;
                } else if depth > 0 && is_keyword(&t.token, Keyword::END) {
                    depth -= 1;
                }
            }
        }
        let ends = t.token == Token::SemiColon && depth == 0;
        current.push(t);
        if ends {
            out.push(Statement { tokens: std::mem::take(&mut current) });
            words.clear();
        }
    }
    if current.iter().any(|t| !matches!(t.token, Token::Whitespace(_))) {
        out.push(Statement { tokens: current });
    }
    out.retain(|s| s.words().any(|t| t.token != Token::SemiColon));
    out
}

/// What a statement is, from its leading words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `CREATE [TEMP] TABLE`.
    CreateTable,
    /// `ALTER TABLE`.
    AlterTable,
    /// `CREATE [UNIQUE] INDEX`.
    CreateIndex,
    /// `COMMENT ON …`.
    Comment,
    /// `INSERT` / `REPLACE`: data.
    Insert,
    /// `CREATE TYPE … AS ENUM` or another `CREATE TYPE`.
    CreateType,
    /// `CREATE DOMAIN`.
    CreateDomain,
    /// A named object the data model has no place for (view, trigger, …):
    /// what it is, and how many leading words come before its name.
    Object(&'static str, usize),
    /// A statement that changes no schema the model holds (SET, PRAGMA,
    /// transactions, DROP, GRANT, ALTER of other objects, SELECT, …), by label.
    Other(&'static str),
    /// None of the above: it must parse to be skipped.
    Unknown,
}

/// Objects created by `CREATE [OR REPLACE] [TEMP|TEMPORARY|MATERIALIZED|…] X`.
const OBJECTS: &[(&str, &str)] = &[
    ("VIEW", "view"),
    ("TRIGGER", "trigger"),
    ("FUNCTION", "function"),
    ("PROCEDURE", "procedure"),
    ("AGGREGATE", "aggregate"),
    ("OPERATOR", "operator"),
    ("SEQUENCE", "sequence"),
    ("SCHEMA", "schema"),
    ("EXTENSION", "extension"),
    ("RULE", "rule"),
    ("POLICY", "policy"),
    ("COLLATION", "collation"),
    ("ROLE", "role"),
    ("USER", "role"),
    ("DATABASE", "database"),
    ("PUBLICATION", "publication"),
    ("SUBSCRIPTION", "subscription"),
    ("LANGUAGE", "language"),
    ("CAST", "cast"),
    ("STATISTICS", "statistics"),
    ("SERVER", "server"),
    ("TEXT", "text search object"),
];

/// Words that may stand between CREATE and the object keyword.
const CREATE_MODIFIERS: &[&str] = &[
    "OR",
    "REPLACE",
    "TEMP",
    "TEMPORARY",
    "MATERIALIZED",
    "RECURSIVE",
    "UNLOGGED",
    "GLOBAL",
    "LOCAL",
    "CONSTRAINT",
    "EVENT",
    "TRUSTED",
    "PROCEDURAL",
    "FOREIGN",
    "VIRTUAL",
];

/// The kind of statement `s` is.
pub(crate) fn kind(s: &Statement) -> Kind {
    let words = s.leading_words(8);
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    match w.first().copied() {
        Some("CREATE") => create_kind(&w),
        Some("ALTER") if w.get(1) == Some(&"TABLE") => Kind::AlterTable,
        Some("ALTER") => Kind::Other("ALTER of other objects (owner, defaults, sequences)"),
        Some("COMMENT") => Kind::Comment,
        Some("INSERT" | "REPLACE") => Kind::Insert,
        Some("SET" | "RESET") => Kind::Other("SET"),
        Some("PRAGMA") => Kind::Other("PRAGMA"),
        Some("BEGIN" | "START" | "COMMIT" | "END" | "ROLLBACK" | "SAVEPOINT" | "RELEASE") => {
            Kind::Other("transaction control")
        }
        Some("DROP") => Kind::Other("DROP"),
        Some("USE") => Kind::Other("USE"),
        Some("UNLOCK") => Kind::Other("maintenance"),
        Some("GRANT" | "REVOKE") => Kind::Other("GRANT / REVOKE"),
        Some("SELECT" | "WITH" | "VALUES") => Kind::Other("SELECT"),
        Some("UPDATE" | "DELETE" | "TRUNCATE" | "COPY") => Kind::Other("data changes"),
        Some("ANALYZE" | "VACUUM" | "REINDEX" | "CLUSTER" | "CHECKPOINT" | "LOCK") => Kind::Other("maintenance"),
        _ => Kind::Unknown,
    }
}

fn create_kind(w: &[&str]) -> Kind {
    let mut i = 1;
    while i < w.len() && CREATE_MODIFIERS.contains(&w[i]) {
        i += 1;
    }
    match w.get(i).copied() {
        Some("TABLE") => {
            if w[1..i].contains(&"VIRTUAL") || w[1..i].contains(&"FOREIGN") {
                Kind::Object(if w[1..i].contains(&"VIRTUAL") { "virtual table" } else { "foreign table" }, i + 1)
            } else {
                Kind::CreateTable
            }
        }
        Some("UNIQUE" | "INDEX") => Kind::CreateIndex,
        Some("TYPE") => Kind::CreateType,
        Some("DOMAIN") => Kind::CreateDomain,
        Some(word) => match OBJECTS.iter().find(|(k, _)| *k == word) {
            Some(_) if w[1..i].contains(&"MATERIALIZED") => Kind::Object("materialized view", i + 1),
            Some(_) if w[1..i].contains(&"EVENT") => Kind::Object("event trigger", i + 1),
            Some((_, what)) => Kind::Object(what, i + 1),
            None => Kind::Unknown,
        },
        None => Kind::Unknown,
    }
}

/// Words that end a column's type name and start its constraints (SQLite's
/// `column-constraint`, <https://www.sqlite.org/syntax/column-constraint.html>,
/// and PostgreSQL's column constraints).
const CONSTRAINT_WORDS: &[Keyword] = &[
    Keyword::CONSTRAINT,
    Keyword::PRIMARY,
    Keyword::NOT,
    Keyword::NULL,
    Keyword::UNIQUE,
    Keyword::CHECK,
    Keyword::DEFAULT,
    Keyword::COLLATE,
    Keyword::REFERENCES,
    Keyword::GENERATED,
    Keyword::AS,
    Keyword::FOREIGN,
    Keyword::ON,
];

fn starts_constraint(t: &Token) -> bool {
    CONSTRAINT_WORDS.iter().any(|k| is_keyword(t, *k))
}

/// `s` rewritten where real dumps use SQL that sqlparser 0.59 does not
/// parse, without changing what the importer reads from it:
///
/// * every column `DEFAULT expr` becomes `DEFAULT (expr)` (pg_dump writes
///   `DEFAULT ('now'::text)::date`, which sqlparser stops parsing at `::`);
/// * on SQLite, a type name of several words becomes one word, as SQLite
///   reads it (`BLOB SUB_TYPE TEXT`: <https://www.sqlite.org/syntax/type-name.html>);
/// * on MySQL, the old `BINARY` attribute after a column's type (a binary
///   collation, `VARCHAR(40) BINARY`, which the model does not keep) is dropped.
///
/// `None` when nothing was rewritten.
pub(crate) fn repaired(s: &Statement, sqlite: bool, mysql: bool) -> Option<Statement> {
    let words: Vec<TokenWithSpan> = s.words().cloned().collect();
    if s.leading_words(2) == ["CREATE", "DOMAIN"] {
        return domain_repaired(words);
    }
    let mut out: Vec<TokenWithSpan> = Vec::with_capacity(words.len() + 8);
    let mut changed = false;
    let mut depth = 0usize;
    let mut i = 0;
    // Whether the next word starts a column definition (after `(` or `,` of the table).
    let mut item_start = false;
    while i < words.len() {
        let t = &words[i];
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ => {}
        }
        let at_item = item_start && depth == 1;
        item_start = depth == 1 && matches!(t.token, Token::LParen | Token::Comma);
        if at_item && sqlite && !starts_constraint(&t.token) {
            // The column name, then its type words.
            out.push(t.clone());
            let first = i + 1;
            let mut end = first;
            while end < words.len()
                && matches!(words[end].token, Token::Word(_))
                && !starts_constraint(&words[end].token)
            {
                end += 1;
            }
            if end - first > 1 {
                let value = words[first..end]
                    .iter()
                    .map(|w| match &w.token {
                        Token::Word(w) => w.value.clone(),
                        _ => String::new(),
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
                let span = Span::new(words[first].span.start, words[end - 1].span.end);
                out.push(TokenWithSpan {
                    token: Token::Word(Word { value, quote_style: None, keyword: Keyword::NoKeyword }),
                    span,
                });
                changed = true;
                i = end;
                continue;
            }
            i += 1;
            continue;
        }
        if mysql
            && depth == 1
            && is_keyword(&t.token, Keyword::BINARY)
            && i > 0
            && matches!(words[i - 1].token, Token::RParen | Token::Word(_))
            && !matches!(words.get(i + 1).map(|n| &n.token), Some(Token::LParen))
        {
            changed = true;
            i += 1;
            continue;
        }
        out.push(t.clone());
        if depth == 1 && is_keyword(&t.token, Keyword::DEFAULT) {
            let (expr, next) = default_expr(&words, i + 1);
            if !expr.is_empty() {
                let open = expr[0].span;
                let close = expr[expr.len() - 1].span;
                out.push(TokenWithSpan { token: Token::LParen, span: open });
                out.extend(expr.iter().cloned());
                out.push(TokenWithSpan { token: Token::RParen, span: close });
                changed = true;
                i = next;
                continue;
            }
        }
        i += 1;
    }
    changed.then_some(Statement { tokens: out })
}

/// A `CREATE DOMAIN` as sqlparser 0.59 parses it: PostgreSQL's `AS` is
/// optional (`CREATE DOMAIN "OrderNumber" varchar(25) NULL;`,
/// <https://www.postgresql.org/docs/17/sql-createdomain.html>) and sqlparser
/// requires it; it does not parse a domain's `NULL` / `NOT NULL` either,
/// which the model does not keep. `None` when nothing changes.
fn domain_repaired(words: Vec<TokenWithSpan>) -> Option<Statement> {
    let mut name_end = 2;
    while words.get(name_end + 1).is_some_and(|t| t.token == Token::Period) {
        name_end += 2;
    }
    let mut out: Vec<TokenWithSpan> = words.iter().take(name_end + 1).cloned().collect();
    let mut changed = false;
    if !words.get(name_end + 1).is_some_and(|t| is_keyword(&t.token, Keyword::AS)) {
        let span = words.get(name_end).map_or(Span::empty(), |t| t.span);
        out.push(TokenWithSpan { token: Token::make_keyword("AS"), span });
        changed = true;
    }
    let mut depth = 0usize;
    let mut rest = words.iter().skip(name_end + 1).peekable();
    while let Some(t) = rest.next() {
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ => {}
        }
        let not_null =
            is_keyword(&t.token, Keyword::NOT) && rest.peek().is_some_and(|n| is_keyword(&n.token, Keyword::NULL));
        if depth == 0 && not_null {
            rest.next();
            changed = true;
            continue;
        }
        let after_default =
            out.last().is_some_and(|p| is_keyword(&p.token, Keyword::DEFAULT) || is_keyword(&p.token, Keyword::IS));
        if depth == 0 && !after_default && is_keyword(&t.token, Keyword::NULL) {
            changed = true;
            continue;
        }
        out.push(t.clone());
    }
    changed.then_some(Statement { tokens: out })
}

/// The tokens of a column default starting at `from`, and the index after it.
fn default_expr(words: &[TokenWithSpan], from: usize) -> (&[TokenWithSpan], usize) {
    let mut depth = 0usize;
    let mut end = from;
    while end < words.len() {
        let t = &words[end].token;
        if depth == 0
            && (matches!(t, Token::Comma | Token::RParen | Token::SemiColon) || (end > from && starts_constraint(t)))
        {
            break;
        }
        match t {
            Token::LParen => depth += 1,
            Token::RParen => depth -= 1,
            _ => {}
        }
        end += 1;
    }
    (&words[from..end], end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::{PostgreSqlDialect, SQLiteDialect};

    fn statements(dialect: &dyn Dialect, sql: &str) -> Vec<Statement> {
        split(tokenize(dialect, sql).unwrap())
    }

    #[test]
    fn psql_meta_lines_and_copy_data_become_empty_lines() {
        let dump = "\\connect shop\nCREATE TABLE a (id int);\nCOPY public.a (id) FROM stdin;\n1\n2\n\\.\nSELECT 1;\n";
        let (text, stripped) = strip_psql(dump);
        assert_eq!(text, "\nCREATE TABLE a (id int);\n\n\n\n\nSELECT 1;\n");
        assert_eq!(stripped.meta, vec![(1, "\\connect shop".to_string())]);
        assert_eq!(stripped.copies, vec![(3, "public.a".to_string(), 2)]);
    }

    #[test]
    fn a_sqlite_trigger_body_is_one_statement() {
        let sql = "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET x = CASE WHEN 1 THEN 2 END; DELETE FROM b; END;\nCREATE TABLE b (id INTEGER);";
        let s = statements(&SQLiteDialect {}, sql);
        assert_eq!(s.len(), 2);
        assert_eq!(kind(&s[0]), Kind::Object("trigger", 2));
        assert_eq!(s[0].name_after(2).as_deref(), Some("t"));
        assert_eq!(kind(&s[1]), Kind::CreateTable);
        assert_eq!(s[1].line(), 2);
    }

    #[test]
    fn a_dollar_quoted_function_body_is_one_statement() {
        let sql = "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS $_$ SELECT 1; SELECT 2; $_$;\nALTER FUNCTION public.f() OWNER TO postgres;";
        let s = statements(&PostgreSqlDialect {}, sql);
        assert_eq!(s.len(), 2);
        assert_eq!(kind(&s[0]), Kind::Object("function", 4));
        assert_eq!(s[0].name_after(4).as_deref(), Some("f"));
        assert!(matches!(kind(&s[1]), Kind::Other(_)));
    }

    #[test]
    fn kinds_come_from_the_leading_words() {
        let k = |sql: &str| kind(&statements(&PostgreSqlDialect {}, sql)[0]);
        assert_eq!(k("CREATE UNLOGGED TABLE a (id int)"), Kind::CreateTable);
        assert_eq!(k("CREATE UNIQUE INDEX i ON a (id)"), Kind::CreateIndex);
        assert_eq!(k("CREATE MATERIALIZED VIEW v AS SELECT 1"), Kind::Object("materialized view", 3));
        assert_eq!(k("ALTER TABLE ONLY a ADD CONSTRAINT p PRIMARY KEY (id)"), Kind::AlterTable);
        assert_eq!(k("CREATE TYPE r AS ENUM ('a')"), Kind::CreateType);
        assert_eq!(k("FROB the table"), Kind::Unknown);
    }
}
