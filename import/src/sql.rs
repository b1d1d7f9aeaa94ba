//! SQL DDL (SQLite, PostgreSQL or MySQL) into a data model.
//!
//! The input is tokenized once by sqlparser and split into statements
//! ([`script`]); each is parsed on its own, with its real line and column.
//! A statement sqlparser cannot parse, or that the model cannot hold, is
//! listed as not imported with its line and why, and the rest is imported:
//! one statement never costs the whole import. The input is refused only
//! when no table comes out of it (then with the first parse error's line,
//! column and what the parser expected, when there was one). A line the
//! tokenizer cannot read (an unterminated string) is listed and blanked, and
//! the rest read again.
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
use sqlparser::dialect::{MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Span, Token, TokenWithSpan, TokenizerError};

/// The SQL an import reads: the two dialects Parit renders, and MySQL
/// (`mysqldump` output and hand-written DDL), which it reads only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlDialect {
    /// SQLite (and D1).
    Sqlite,
    /// PostgreSQL, psql scripts and pg_dump output included.
    Postgres,
    /// MySQL or MariaDB, `mysqldump` output included.
    Mysql,
}

impl From<Dialect> for SqlDialect {
    fn from(d: Dialect) -> Self {
        match d {
            Dialect::Sqlite => SqlDialect::Sqlite,
            Dialect::Postgres => SqlDialect::Postgres,
        }
    }
}

impl SqlDialect {
    /// The dialect a request names: `sqlite`, `postgres` or `mysql`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "sqlite" => Some(SqlDialect::Sqlite),
            "postgres" => Some(SqlDialect::Postgres),
            "mysql" => Some(SqlDialect::Mysql),
            _ => None,
        }
    }
}

/// How many unreadable lines the tokenizer may skip before the import gives up.
const MAX_SKIPPED_LINES: usize = 64;

/// Imports SQL DDL written for `dialect` into a data model.
///
/// Every statement that does not parse, or that the model cannot hold, is
/// listed in `not_imported` with its line and why; the import fails only
/// when no table can be an entity (with the first parse error's position
/// and what the parser expected, when a statement did not parse).
pub fn import(text: &str, dialect: impl Into<SqlDialect>) -> Result<Imported<DataArtifact>, ImportError> {
    let dialect = dialect.into();
    let (clean, stripped) = match dialect {
        SqlDialect::Postgres => script::strip_psql(text),
        SqlDialect::Mysql => script::strip_mysql(text),
        SqlDialect::Sqlite => (text.to_string(), script::Stripped::default()),
    };
    let parser_dialect: Box<dyn sqlparser::dialect::Dialect> = match dialect {
        SqlDialect::Sqlite => Box::new(SQLiteDialect {}),
        SqlDialect::Postgres => Box::new(PostgreSqlDialect {}),
        SqlDialect::Mysql => Box::new(MySqlDialect {}),
    };
    let mut reader = Reader {
        dialect,
        schema: schema::Schema::default(),
        tally: Tally::default(),
        notes: Vec::new(),
        first_error: None,
    };
    let statements = readable(&mut reader, parser_dialect.as_ref(), clean, &stripped)?;
    for statement in statements {
        reader.statement(&statement, parser_dialect.as_ref());
    }
    let built = match model::build(&reader.schema, dialect) {
        Ok(built) => built,
        Err(e) => return Err(reader.first_error.filter(|_| reader.schema.tables.is_empty()).unwrap_or(e)),
    };
    let mut not_imported = reader.notes;
    not_imported.extend(reader.schema.leftovers.into_iter().map(|l| NotImported {
        what: l.what,
        why: l.why,
        line: (l.line > 0).then_some(l.line),
    }));
    not_imported.extend(built.notes);
    not_imported.extend(stripped_notes(&stripped, dialect));
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
    let source = match dialect {
        SqlDialect::Sqlite => "SQLite DDL",
        SqlDialect::Postgres => "PostgreSQL DDL",
        SqlDialect::Mysql => "MySQL DDL",
    };
    let context = crate::data_context(source, &built.data);
    Ok(Imported { artifact: built.data, imported: built.imported, not_imported, data: None, context })
}

/// The statements of `text`. A line the tokenizer cannot read is listed as
/// not imported and blanked, and the text tokenized again; the tokenizer's
/// error stands when that makes no progress.
fn readable(
    reader: &mut Reader,
    d: &dyn sqlparser::dialect::Dialect,
    mut text: String,
    stripped: &script::Stripped,
) -> Result<Vec<script::Statement>, ImportError> {
    let mut skipped: Vec<u32> = Vec::new();
    loop {
        match script::statements(d, &text, &stripped.delimited) {
            Ok(statements) => return Ok(statements),
            Err(e) => {
                let line = e.location.line as u32;
                if line == 0 || skipped.contains(&line) || skipped.len() >= MAX_SKIPPED_LINES {
                    return Err(tokenizer_error(e));
                }
                reader.notes.push(NotImported {
                    what: format!("line {line}"),
                    why: format!("the SQL tokenizer cannot read it ({}); the line was skipped", e.message),
                    line: Some(line),
                });
                reader.first_error.get_or_insert(tokenizer_error(e));
                skipped.push(line);
                text = script::blank_line(&text, line);
            }
        }
    }
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
        "maintenance" => "maintenance of tables and indexes (CLUSTER, ANALYZE, …), not schema",
        "USE" => "which database the client uses, not schema",
        _ => "ownership and settings of objects the data model does not hold",
    }
}

fn stripped_notes(s: &script::Stripped, dialect: SqlDialect) -> Vec<NotImported> {
    let mut out = Vec::new();
    let (client, program) = match dialect {
        SqlDialect::Mysql => ("mysql client", "mysql client"),
        _ => ("psql meta-", "psql"),
    };
    if let Some((line, _)) = s.meta.first() {
        let mut commands: Vec<&str> = Vec::new();
        for command in s.meta.iter().map(|(_, m)| m.split_whitespace().next().unwrap_or_default()) {
            if !commands.contains(&command) {
                commands.push(command);
            }
        }
        out.push(NotImported {
            what: format!(
                "{} × {client}{}command ({})",
                s.meta.len(),
                if dialect == SqlDialect::Mysql { " " } else { "" },
                commands.join(", ")
            ),
            why: format!("{program} commands, not SQL: removed before parsing"),
            line: Some(*line),
        });
    }
    for (line, words) in &s.versioned {
        out.push(NotImported {
            what: format!("versioned comment \"{words}…\""),
            why: "only MySQL runs what a /*!… */ comment holds; read as a comment, it is not imported".into(),
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
    dialect: SqlDialect,
    schema: schema::Schema,
    tally: Tally,
    notes: Vec<NotImported>,
    /// The first statement that did not parse, as an error: the answer when
    /// no table comes out of the input.
    first_error: Option<ImportError>,
}

impl Reader {
    fn statement(&mut self, s: &script::Statement, d: &dyn sqlparser::dialect::Dialect) {
        let line = s.line();
        let kind = script::kind(s);
        if kind == Kind::Object("schema", 2) {
            // `CREATE SCHEMA name CREATE TABLE … CREATE VIEW …`: each element
            // is a statement of its own (AdventureWorks creates every table so).
            let (head, elements) = script::schema_elements(s);
            if !elements.is_empty() {
                let name = head.name_after(2).unwrap_or_default();
                self.notes.push(NotImported {
                    what: format!("schema \"{name}\""),
                    why: "the data model has no schemas: the tables it creates are imported by their own names".into(),
                    line: Some(line),
                });
                for element in &elements {
                    self.statement(element, d);
                }
                return;
            }
        }
        let mut parsed = parse(s, d);
        if parsed.is_err() && matches!(kind, Kind::CreateTable | Kind::AlterTable | Kind::CreateDomain) {
            // Retry with what real dumps write and sqlparser does not parse
            // rewritten; the first error stands when that fails too.
            let retried = script::repaired(s, self.dialect == SqlDialect::Sqlite, self.dialect == SqlDialect::Mysql)
                .map(|r| parse(&r, d));
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
            // Nor CLUSTER, and other statements of this kind: they change no
            // table the model holds, parsed or not.
            (Kind::Other(label), Err(_)) => self.tally.count(label, line),
            (kind, Err(e)) => {
                let error = parse_error(&e, line);
                let what = match kind {
                    Kind::CreateTable => {
                        format!("table \"{}\"", s.name_after(script::table_name_at(s)).unwrap_or_default())
                    }
                    _ => format!("{} statement", s.leading_words(3).join(" ")),
                };
                let at = match (error.line, error.column) {
                    (Some(l), Some(c)) => format!(" (line {l}, column {c})"),
                    _ => String::new(),
                };
                self.notes.push(NotImported {
                    what,
                    why: format!("sqlparser cannot parse it: {}{at}; the rest of the input is imported", message(&e)),
                    line: Some(line),
                });
                self.first_error.get_or_insert(error);
            }
            (Kind::Insert, Ok(_)) => self.tally.count("INSERT", line),
            (_, Ok(ast)) => self.apply(&ast, s, line),
        }
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
            Ast::CreateView { name, materialized, .. } => self.notes.push(NotImported {
                what: format!(
                    "{}view \"{}\"",
                    if *materialized { "materialized " } else { "" },
                    schema::object(name, d)
                ),
                why: "the data model has no views".into(),
                line: Some(line),
            }),
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
