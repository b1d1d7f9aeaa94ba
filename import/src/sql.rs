//! SQL DDL (SQLite or PostgreSQL) into a data model.
//!
//! The input is tokenized once by sqlparser and split into statements
//! ([`script`]); each is parsed on its own, with its real line and column,
//! so a statement sqlparser cannot parse but the model would not hold anyway
//! (a SQLite trigger, `ALTER TYPE … OWNER TO`) is listed as not imported,
//! while one that matters (a table, a key, an index) or one nobody knows
//! fails the import with the parser's position and what it expected.
//!
//! The mapping, and what it decides:
//!
//! * `CREATE TABLE` → an entity named in PascalCase singular (`order_details`
//!   → `OrderDetail`; a taken name gets `2`, `3`, … in table order) whose
//!   `table` is the table's name exactly, so the rendered DDL creates the same
//!   tables. Columns become fields of the same names; types map by one table
//!   ([`types`]); `NOT NULL` → required; a UNIQUE on one column → unique.
//! * A primary key of one column makes that field type `id`: the model keeps
//!   no SQL type for it (the renderers write TEXT), so a key whose SQL type is
//!   not a string type is listed once per table, and every field's
//!   description keeps its original SQL type. A key of several columns is
//!   `primary_key`, its fields keep their types.
//! * A table without a primary key cannot be an entity (one needs a field of
//!   type id or a key of several fields) and no column is invented: it is
//!   listed as not imported, with its foreign keys and indexes. So is a table
//!   that `INHERITS` its columns.
//! * A foreign key of one column to the referenced table's key →
//!   `references` plus a one_to_many relationship (one_to_one when the column
//!   is unique or the key). A link table — a key of exactly two references —
//!   gets one many_to_many relationship between the two tables it links,
//!   instead of two one_to_many. `ALTER TABLE … ADD CONSTRAINT` keys and
//!   foreign keys are applied as if declared in the table.
//! * `CREATE [UNIQUE] INDEX` on columns → an index; a UNIQUE constraint over
//!   several columns → a unique index.
//! * BLOB / BYTEA become text (with a note); enum types become string, a
//!   domain its base type, a type Parit has no name for text — each noted.
//! * Everything else the model cannot hold is in `not_imported`, with why and
//!   its line: views, triggers, functions, sequences, types, CHECKs,
//!   defaults, referential actions, composite foreign keys and references to
//!   a column that is not the key, partial and expression indexes. Statements
//!   that change no schema (SET, PRAGMA, transactions, DROP, GRANT, SELECT,
//!   ownership) and data (INSERT, `COPY … FROM stdin`, removed before
//!   parsing, like psql's `\connect`-style meta-commands) are counted, one
//!   line per kind.

mod model;
mod names;
mod schema;
mod script;
mod types;

use crate::{ImportError, Imported, NotImported};
use parit_shared::artifact::{Artifact, DataArtifact};
use parit_shared::check::validate::validate;
use parit_shared::render::sql::Dialect;
use script::Kind;
use sqlparser::ast::Statement as Ast;
use sqlparser::dialect::{PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Span, Token, TokenWithSpan, TokenizerError};

/// Imports SQL DDL written for `dialect` into a data model.
///
/// Fails when the SQL does not parse (with the line, column and what the
/// parser expected), when it creates no table, or when no table can be an
/// entity. Everything the model cannot hold is listed in `not_imported`.
pub fn import(text: &str, dialect: Dialect) -> Result<Imported<DataArtifact>, ImportError> {
    let (clean, stripped) = match dialect {
        Dialect::Postgres => script::strip_psql(text),
        Dialect::Sqlite => (text.to_string(), script::Stripped::default()),
    };
    let parser_dialect: Box<dyn sqlparser::dialect::Dialect> = match dialect {
        Dialect::Sqlite => Box::new(SQLiteDialect {}),
        Dialect::Postgres => Box::new(PostgreSqlDialect {}),
    };
    let tokens = script::tokenize(parser_dialect.as_ref(), &clean).map_err(tokenizer_error)?;
    let mut reader = Reader { dialect, schema: schema::Schema::default(), tally: Tally::default(), notes: Vec::new() };
    for statement in script::split(tokens) {
        reader.statement(&statement, parser_dialect.as_ref())?;
    }
    let built = model::build(&reader.schema, dialect)?;
    let mut not_imported = reader.notes;
    not_imported.extend(reader.schema.leftovers.into_iter().map(|l| NotImported {
        what: l.what,
        why: l.why,
        line: (l.line > 0).then_some(l.line),
    }));
    not_imported.extend(built.notes);
    not_imported.extend(stripped_notes(&stripped));
    not_imported.extend(reader.tally.notes());
    not_imported.sort_by_key(|n| n.line.unwrap_or(u32::MAX));
    let problems = validate(&Artifact::Data(built.data.clone()), &Default::default());
    if !problems.is_empty() {
        return Err(ImportError {
            message: "The imported data model does not validate; this is a fault of the importer.".into(),
            line: None,
            column: None,
            expected: None,
            findings: problems,
        });
    }
    Ok(Imported { artifact: built.data, imported: built.imported, not_imported })
}

/// Statements counted by kind rather than listed one by one.
#[derive(Default)]
struct Tally {
    /// Label, first line and count, in order of first appearance.
    kinds: Vec<(&'static str, u32, usize)>,
}

impl Tally {
    fn count(&mut self, label: &'static str, line: u32) {
        match self.kinds.iter_mut().find(|(l, _, _)| *l == label) {
            Some(k) => k.2 += 1,
            None => self.kinds.push((label, line, 1)),
        }
    }

    fn notes(&self) -> Vec<NotImported> {
        self.kinds
            .iter()
            .map(|(label, line, count)| NotImported {
                what: format!("{count} × {label}"),
                why: why_skipped(label).into(),
                line: (*line > 0).then_some(*line),
            })
            .collect()
    }
}

fn why_skipped(label: &str) -> &'static str {
    match label {
        "INSERT" => "data, not schema",
        "SET" => "session settings, not schema",
        "PRAGMA" => "SQLite settings, not schema",
        "transaction control" => "transactions change no schema",
        "DROP" => "drops change nothing the input creates",
        "GRANT / REVOKE" => "privileges are not part of the data model",
        "SELECT" => "queries (pg_dump's set_config, for one), not schema",
        "data changes" => "data, not schema",
        "ALTER … OWNER TO" => "ownership is not part of the data model",
        _ => "ownership and settings of objects the data model does not hold",
    }
}

fn stripped_notes(s: &script::Stripped) -> Vec<NotImported> {
    let mut out = Vec::new();
    if let Some((line, _)) = s.meta.first() {
        let commands: Vec<&str> = s.meta.iter().map(|(_, m)| m.split_whitespace().next().unwrap_or_default()).collect();
        out.push(NotImported {
            what: format!("{} × psql meta-command ({})", s.meta.len(), commands.join(", ")),
            why: "psql commands, not SQL: removed before parsing".into(),
            line: Some(*line),
        });
    }
    for (line, table, rows) in &s.copies {
        out.push(NotImported {
            what: format!("COPY {table} FROM stdin"),
            why: format!("{rows} rows of data, not schema: removed before parsing"),
            line: Some(*line),
        });
    }
    out
}

/// Reads statements into the schema, and counts or lists the rest.
struct Reader {
    dialect: Dialect,
    schema: schema::Schema,
    tally: Tally,
    notes: Vec<NotImported>,
}

impl Reader {
    fn statement(&mut self, s: &script::Statement, d: &dyn sqlparser::dialect::Dialect) -> Result<(), ImportError> {
        let line = s.line();
        let kind = script::kind(s);
        let mut parsed = parse(s, d);
        if parsed.is_err() && matches!(kind, Kind::CreateTable | Kind::AlterTable) {
            // Retry with what real dumps write and sqlparser does not parse
            // rewritten; the first error stands when that fails too.
            let retried = script::repaired(s, self.dialect == Dialect::Sqlite).map(|r| parse(&r, d));
            if let Some(Ok(ast)) = retried {
                parsed = Ok(ast);
            }
        }
        match (kind, parsed) {
            (Kind::Object(what, skip), parsed) => {
                let name = s.name_after(skip).unwrap_or_default();
                let why = match parsed {
                    Ok(_) => format!("the data model has no {what}s"),
                    Err(e) => {
                        format!("the data model has no {what}s (sqlparser cannot parse this one: {})", message(&e))
                    }
                };
                self.notes.push(NotImported { what: format!("{what} \"{name}\""), why, line: Some(line) });
            }
            (Kind::Other(label), Ok(_)) => self.tally.count(label, line),
            // sqlparser 0.59 parses few ALTERs of objects other than tables
            // (`ALTER TYPE … OWNER TO` fails) and only literal PRAGMA values
            // (`PRAGMA foreign_keys = ON`, which Parit's own DDL starts with,
            // fails); none of them changes the model.
            (Kind::Other(label), Err(_)) if label.starts_with("ALTER") || label == "PRAGMA" => {
                self.tally.count(label, line)
            }
            (_, Err(e)) => return Err(parse_error(&e, line)),
            (Kind::Insert, Ok(_)) => self.tally.count("INSERT", line),
            (_, Ok(ast)) => self.apply(&ast, s, line),
        }
        Ok(())
    }

    fn apply(&mut self, ast: &Ast, s: &script::Statement, line: u32) {
        let d = self.dialect;
        match ast {
            Ast::CreateTable(ct) => self.schema.create_table(ct, d, line),
            Ast::AlterTable { name, operations, .. } => {
                for _ in 0..self.schema.alter_table(name, operations, d, line) {
                    self.tally.count("ALTER … OWNER TO", line);
                }
            }
            Ast::CreateIndex(ci) => self.schema.create_index(ci, d, line),
            Ast::Comment { object_type, object_name, comment, .. } => {
                self.schema.comment(object_type, object_name, comment.as_deref(), d, line)
            }
            Ast::CreateType { name, representation } => self.schema.create_type(name, representation, d, line),
            Ast::CreateDomain(domain) => {
                self.schema.create_domain(&domain.name, &domain.data_type.to_string(), d, line)
            }
            _ => {
                let word = s.leading_words(1).join("");
                self.notes.push(NotImported {
                    what: format!("{word} statement"),
                    why: "not part of the data model".into(),
                    line: Some(line),
                });
            }
        }
    }
}

/// Parses one statement, which must end at its semicolon (or the input's end).
fn parse(s: &script::Statement, d: &dyn sqlparser::dialect::Dialect) -> Result<Ast, ParserError> {
    let mut tokens = s.tokens.clone();
    let end = tokens.last().map_or(Span::empty().end, |t| t.span.end);
    tokens.push(TokenWithSpan { token: Token::EOF, span: Span::new(end, end) });
    let mut parser = Parser::new(d).with_tokens_with_locations(tokens);
    let ast = parser.parse_statement()?;
    let _ended = parser.consume_token(&Token::SemiColon);
    match parser.peek_token() {
        t if t.token == Token::EOF => Ok(ast),
        t => parser.expected("end of statement", t),
    }
}

/// The parser's message without its position.
fn message(e: &ParserError) -> String {
    let text = match e {
        ParserError::ParserError(s) | ParserError::TokenizerError(s) => s.as_str(),
        ParserError::RecursionLimitExceeded => "the statement nests too deeply",
    };
    text.rsplit_once(" at Line: ").map_or(text, |(m, _)| m).to_string()
}

/// A parse error for a person: sqlparser 0.59 ends its messages with
/// ` at Line: L, Column: C` (`Location`'s `Display`, src/tokenizer.rs) and
/// words "expected" ones as `Expected: X, found: Y` (`Parser::expected`).
fn parse_error(e: &ParserError, statement_line: u32) -> ImportError {
    let text = match e {
        ParserError::ParserError(s) | ParserError::TokenizerError(s) => s.clone(),
        ParserError::RecursionLimitExceeded => String::new(),
    };
    let position = text.rsplit_once(" at Line: ").and_then(|(_, pos)| {
        let (l, c) = pos.split_once(", Column: ")?;
        Some((l.trim().parse::<u32>().ok()?, c.trim().parse::<u32>().ok()?))
    });
    let what = message(e);
    let expected =
        what.strip_prefix("Expected: ").map(|rest| rest.rsplit_once(", found: ").map_or(rest, |(x, _)| x).to_string());
    let (line, column) = match position {
        Some((l, c)) => (Some(l), Some(c)),
        None => (Some(statement_line).filter(|l| *l > 0), None),
    };
    let at = match (line, column) {
        (Some(l), Some(c)) => format!(" at line {l}, column {c}"),
        (Some(l), None) => format!(" in the statement at line {l}"),
        _ => String::new(),
    };
    ImportError {
        message: format!("The SQL does not parse{at}: {what}."),
        line,
        column,
        expected,
        findings: Vec::new(),
    }
}

fn tokenizer_error(e: TokenizerError) -> ImportError {
    let (line, column) = (e.location.line as u32, e.location.column as u32);
    ImportError {
        message: format!("The SQL does not parse at line {line}, column {column}: {}.", e.message),
        line: Some(line).filter(|l| *l > 0),
        column: Some(column).filter(|c| *c > 0),
        expected: None,
        findings: Vec::new(),
    }
}
