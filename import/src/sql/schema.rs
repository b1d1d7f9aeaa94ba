//! The tables of a parsed script, as SQL has them: columns with their SQL
//! types, keys, foreign keys, unique constraints and indexes, gathered from
//! `CREATE TABLE`, `ALTER TABLE … ADD …` (pg_dump adds every key that way),
//! `CREATE INDEX` and `COMMENT ON`. What the data model cannot hold is kept
//! as text here and reported by the model step.

use super::names::ident;
use super::SqlDialect as Dialect;
use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, ColumnDef, ColumnOption, CommentObject, CreateIndex, CreateTable, Expr,
    IndexColumn, ObjectName, ReferentialAction, TableConstraint, UserDefinedTypeRepresentation,
};
use std::collections::BTreeMap;

/// A column as declared.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    /// Its name (folded as the dialect folds unquoted names).
    pub(crate) name: String,
    /// Its SQL type as sqlparser prints it, e.g. `NVARCHAR(160)`.
    pub(crate) sql_type: String,
    /// NOT NULL.
    pub(crate) not_null: bool,
    /// A UNIQUE constraint on this column alone.
    pub(crate) unique: bool,
    /// Its comment (`COMMENT ON COLUMN`, or a column `COMMENT` option).
    pub(crate) comment: Option<String>,
}

/// A foreign key as declared.
#[derive(Debug, Clone)]
pub(crate) struct ForeignKey {
    /// The referencing columns.
    pub(crate) columns: Vec<String>,
    /// The referenced table.
    pub(crate) table: String,
    /// The referenced columns; empty means the referenced table's key.
    pub(crate) referred: Vec<String>,
    /// `ON DELETE …` / `ON UPDATE …` other than the default NO ACTION.
    pub(crate) actions: Vec<String>,
    /// Line of the declaration.
    pub(crate) line: u32,
}

/// A table as declared.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    /// Its name (the last part of a qualified name, folded as the dialect does).
    pub(crate) name: String,
    /// Line of its `CREATE TABLE`.
    pub(crate) line: u32,
    /// Columns in order.
    pub(crate) columns: Vec<Column>,
    /// Primary key columns, if declared.
    pub(crate) primary_key: Option<Vec<String>>,
    /// Foreign keys.
    pub(crate) foreign_keys: Vec<ForeignKey>,
    /// UNIQUE constraints over two or more columns (become unique indexes).
    pub(crate) unique_sets: Vec<Vec<String>>,
    /// The parent tables of `INHERITS (…)` (PostgreSQL).
    pub(crate) inherits: Vec<String>,
    /// Its comment (`COMMENT ON TABLE`).
    pub(crate) comment: Option<String>,
    /// Column defaults, as `column DEFAULT expr`.
    pub(crate) defaults: Vec<String>,
    /// Column options the model has no place for (AUTOINCREMENT, COLLATE,
    /// GENERATED, …), as `column OPTION`.
    pub(crate) options: Vec<String>,
    /// CHECK constraints: text and line.
    pub(crate) checks: Vec<(String, u32)>,
}

/// An index as declared.
#[derive(Debug, Clone)]
pub(crate) struct Index {
    /// Its name, if any.
    pub(crate) name: Option<String>,
    /// The table.
    pub(crate) table: String,
    /// The indexed columns, or `None` when one is an expression.
    pub(crate) columns: Option<Vec<String>>,
    /// UNIQUE.
    pub(crate) unique: bool,
    /// `WHERE …` of a partial index.
    pub(crate) predicate: Option<String>,
    /// `USING method`.
    pub(crate) method: Option<String>,
    /// Line of the declaration.
    pub(crate) line: u32,
}

/// What a statement added that the model step must report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Leftover {
    /// What it is.
    pub(crate) what: String,
    /// Why it was left out.
    pub(crate) why: String,
    /// Line.
    pub(crate) line: u32,
}

/// Everything read from the script that the model step uses.
#[derive(Debug, Default)]
pub(crate) struct Schema {
    /// Tables in declaration order.
    pub(crate) tables: Vec<Table>,
    /// Indexes in declaration order.
    pub(crate) indexes: Vec<Index>,
    /// Enum types (`CREATE TYPE … AS ENUM`), by name.
    pub(crate) enums: BTreeMap<String, Vec<String>>,
    /// Domains (`CREATE DOMAIN name AS type …`): name → base SQL type.
    pub(crate) domains: BTreeMap<String, String>,
    /// Things left out while reading, in order.
    pub(crate) leftovers: Vec<Leftover>,
}

/// The last part of a possibly qualified name.
pub(crate) fn object(name: &ObjectName, dialect: Dialect) -> String {
    name.0.last().and_then(|p| p.as_ident()).map(|i| ident(i, dialect)).unwrap_or_default()
}

fn action(kind: &str, a: &Option<ReferentialAction>) -> Option<String> {
    a.as_ref().filter(|a| **a != ReferentialAction::NoAction).map(|a| format!("ON {kind} {a}"))
}

fn index_columns(columns: &[IndexColumn], dialect: Dialect) -> Option<Vec<String>> {
    columns
        .iter()
        .map(|c| match &c.column.expr {
            Expr::Identifier(i) => Some(ident(i, dialect)),
            _ => None,
        })
        .collect()
}

impl Schema {
    fn leftover(&mut self, what: String, why: impl Into<String>, line: u32) {
        self.leftovers.push(Leftover { what, why: why.into(), line });
    }

    fn table_mut(&mut self, name: &str) -> Option<&mut Table> {
        self.tables.iter_mut().rev().find(|t| t.name.eq_ignore_ascii_case(name))
    }

    /// Reads a `CREATE TABLE`.
    pub(crate) fn create_table(&mut self, ct: &CreateTable, dialect: Dialect, line: u32) {
        let mut table = Table {
            name: object(&ct.name, dialect),
            line,
            columns: Vec::new(),
            primary_key: None,
            foreign_keys: Vec::new(),
            unique_sets: Vec::new(),
            inherits: ct.inherits.iter().flatten().map(|n| object(n, dialect)).collect(),
            comment: ct.comment.as_ref().map(|c| c.to_string()),
            defaults: Vec::new(),
            options: Vec::new(),
            checks: Vec::new(),
        };
        if ct.query.is_some() || ct.like.is_some() || ct.clone.is_some() {
            self.leftover(
                format!("table \"{}\" columns", table.name),
                "CREATE TABLE … AS / LIKE / CLONE takes its columns from elsewhere; only declared columns are imported",
                line,
            );
        }
        for column in &ct.columns {
            add_column(&mut table, column, dialect, line);
        }
        for constraint in &ct.constraints {
            // MySQL declares indexes in the table: `KEY name (columns)`.
            if let TableConstraint::Index { name, columns, .. } = constraint {
                self.indexes.push(Index {
                    name: name.as_ref().map(|n| ident(n, dialect)),
                    table: table.name.clone(),
                    columns: index_columns(columns, dialect),
                    unique: false,
                    predicate: None,
                    method: None,
                    line,
                });
                continue;
            }
            if let Some(left) = add_constraint(&mut table, constraint, dialect, line) {
                self.leftovers.push(left);
            }
        }
        self.tables.push(table);
    }

    /// Reads an `ALTER TABLE`: added columns and constraints are applied to
    /// the table, anything else is left out; returns how many operations
    /// changed only the owner (for the caller to count).
    pub(crate) fn alter_table(
        &mut self,
        name: &ObjectName,
        operations: &[AlterTableOperation],
        dialect: Dialect,
        line: u32,
    ) -> usize {
        let table_name = object(name, dialect);
        let mut owner = 0;
        for op in operations {
            if matches!(op, AlterTableOperation::OwnerTo { .. }) {
                owner += 1;
                continue;
            }
            let Some(table) = self.table_mut(&table_name) else {
                self.leftover(
                    format!("ALTER TABLE \"{table_name}\""),
                    format!("the table is not created in this input: {op}"),
                    line,
                );
                continue;
            };
            let left = match op {
                AlterTableOperation::AddConstraint { constraint, .. } => {
                    add_constraint(table, constraint, dialect, line)
                }
                AlterTableOperation::AddColumn { column_def, .. } => {
                    add_column(table, column_def, dialect, line);
                    None
                }
                AlterTableOperation::DropColumn { column_names, .. } => {
                    for dropped in column_names.iter().map(|c| ident(c, dialect)) {
                        table.columns.retain(|c| !c.name.eq_ignore_ascii_case(&dropped));
                        table.foreign_keys.retain(|f| !f.columns.iter().any(|c| c.eq_ignore_ascii_case(&dropped)));
                        if table
                            .primary_key
                            .as_ref()
                            .is_some_and(|k| k.iter().any(|c| c.eq_ignore_ascii_case(&dropped)))
                        {
                            table.primary_key = None;
                        }
                    }
                    None
                }
                AlterTableOperation::AlterColumn { column_name, op: AlterColumnOperation::SetDefault { value } } => {
                    table.defaults.push(format!("{} DEFAULT {value}", ident(column_name, dialect)));
                    None
                }
                other => Some(Leftover {
                    what: format!("ALTER TABLE \"{table_name}\""),
                    why: format!("the data model cannot express {other}"),
                    line,
                }),
            };
            if let Some(left) = left {
                self.leftovers.push(left);
            }
        }
        owner
    }

    /// Reads a `CREATE INDEX`.
    pub(crate) fn create_index(&mut self, ci: &CreateIndex, dialect: Dialect, line: u32) {
        self.indexes.push(Index {
            name: ci.name.as_ref().map(|n| object(n, dialect)),
            table: object(&ci.table_name, dialect),
            columns: index_columns(&ci.columns, dialect),
            unique: ci.unique,
            predicate: ci.predicate.as_ref().map(|p| p.to_string()),
            method: ci.using.as_ref().map(|u| u.to_string()),
            line,
        });
    }

    /// Reads a `COMMENT ON TABLE` / `COMMENT ON COLUMN`; other comments are
    /// left out.
    pub(crate) fn comment(
        &mut self,
        kind: &CommentObject,
        name: &ObjectName,
        text: Option<&str>,
        dialect: Dialect,
        line: u32,
    ) {
        let parts: Vec<String> = name.0.iter().filter_map(|p| p.as_ident()).map(|i| ident(i, dialect)).collect();
        let text = text.map(str::to_string);
        let applied = match (kind, parts.as_slice()) {
            (CommentObject::Table, [.., t]) => self.table_mut(t).map(|table| table.comment = text).is_some(),
            (CommentObject::Column, [.., t, c]) => self
                .table_mut(t)
                .and_then(|table| table.columns.iter_mut().find(|col| col.name.eq_ignore_ascii_case(c)))
                .map(|col| col.comment = text)
                .is_some(),
            _ => false,
        };
        if !applied {
            self.leftover(
                format!("COMMENT ON {kind} {}", parts.join(".")),
                "only comments on imported tables and columns become descriptions",
                line,
            );
        }
    }

    /// Reads a `CREATE TYPE`: an enum's labels are kept for the columns of
    /// that type; any other type is left out.
    pub(crate) fn create_type(
        &mut self,
        name: &ObjectName,
        repr: &UserDefinedTypeRepresentation,
        dialect: Dialect,
        line: u32,
    ) {
        let name = object(name, dialect);
        match repr {
            UserDefinedTypeRepresentation::Enum { labels } => {
                let labels = labels.iter().map(|l| l.value.clone()).collect();
                self.leftover(
                    format!("enum type \"{name}\""),
                    "the data model has no enum types: columns of this type become string fields, their allowed values are not kept",
                    line,
                );
                self.enums.insert(name, labels);
            }
            other => self.leftover(
                format!("type \"{name}\""),
                format!("the data model has no user-defined types: {other}"),
                line,
            ),
        }
    }

    /// Reads a `CREATE DOMAIN`: columns of the domain take its base type.
    pub(crate) fn create_domain(&mut self, name: &ObjectName, base: &str, dialect: Dialect, line: u32) {
        let name = object(name, dialect);
        self.leftover(
            format!("domain \"{name}\""),
            format!("the data model has no domains: columns of this domain take its base type {base}; its constraints and default are not kept"),
            line,
        );
        self.domains.insert(name, base.to_string());
    }
}

fn add_column(table: &mut Table, column: &ColumnDef, dialect: Dialect, line: u32) {
    let name = ident(&column.name, dialect);
    let mut c = Column {
        name: name.clone(),
        sql_type: column.data_type.to_string(),
        not_null: false,
        unique: false,
        comment: None,
    };
    for def in &column.options {
        match &def.option {
            ColumnOption::NotNull => c.not_null = true,
            ColumnOption::Null => {}
            // A default the repair step put in parentheses prints without them.
            ColumnOption::Default(Expr::Nested(e)) => table.defaults.push(format!("{name} DEFAULT {e}")),
            ColumnOption::Default(e) => table.defaults.push(format!("{name} DEFAULT {e}")),
            ColumnOption::Unique { is_primary: true, .. } => {
                c.not_null = true;
                table.primary_key = Some(vec![name.clone()]);
            }
            ColumnOption::Unique { is_primary: false, .. } => c.unique = true,
            ColumnOption::ForeignKey { foreign_table, referred_columns, on_delete, on_update, .. } => {
                table.foreign_keys.push(ForeignKey {
                    columns: vec![name.clone()],
                    table: object(foreign_table, dialect),
                    referred: referred_columns.iter().map(|i| ident(i, dialect)).collect(),
                    actions: [action("DELETE", on_delete), action("UPDATE", on_update)].into_iter().flatten().collect(),
                    line,
                })
            }
            ColumnOption::Check(e) => table.checks.push((format!("{name}: CHECK ({e})"), line)),
            ColumnOption::Comment(text) => c.comment = Some(text.clone()),
            other => table.options.push(format!("{name} {other}")),
        }
    }
    table.columns.push(c);
}

/// Applies a table constraint; returns what could not be applied.
fn add_constraint(table: &mut Table, constraint: &TableConstraint, dialect: Dialect, line: u32) -> Option<Leftover> {
    match constraint {
        TableConstraint::PrimaryKey { columns, .. } => match index_columns(columns, dialect) {
            Some(cols) => {
                for c in table.columns.iter_mut().filter(|c| cols.contains(&c.name)) {
                    c.not_null = true;
                }
                table.primary_key = Some(cols);
                None
            }
            None => Some(Leftover {
                what: format!("table \"{}\" primary key", table.name),
                why: format!("a key on expressions is not a key of fields: {constraint}"),
                line,
            }),
        },
        TableConstraint::Unique { columns, .. } => match index_columns(columns, dialect) {
            Some(cols) if cols.len() == 1 && table.columns.iter().any(|c| c.name == cols[0]) => {
                for c in table.columns.iter_mut().filter(|c| c.name == cols[0]) {
                    c.unique = true;
                }
                None
            }
            Some(cols) => {
                table.unique_sets.push(cols);
                None
            }
            None => Some(Leftover {
                what: format!("table \"{}\" constraint", table.name),
                why: format!("a unique constraint on expressions is not an index of fields: {constraint}"),
                line,
            }),
        },
        TableConstraint::ForeignKey { columns, foreign_table, referred_columns, on_delete, on_update, .. } => {
            table.foreign_keys.push(ForeignKey {
                columns: columns.iter().map(|i| ident(i, dialect)).collect(),
                table: object(foreign_table, dialect),
                referred: referred_columns.iter().map(|i| ident(i, dialect)).collect(),
                actions: [action("DELETE", on_delete), action("UPDATE", on_update)].into_iter().flatten().collect(),
                line,
            });
            None
        }
        TableConstraint::Check { .. } => {
            table.checks.push((constraint.to_string(), line));
            None
        }
        other => Some(Leftover {
            what: format!("table \"{}\" constraint", table.name),
            why: format!("the data model cannot express {other}"),
            line,
        }),
    }
}
