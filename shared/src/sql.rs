//! How a data model is named and keyed in SQL: the names SQL cannot hold,
//! mapped the same way everywhere they appear (PostgreSQL truncates at 63
//! bytes, so long names keep a prefix and gain a hash, and rejects columns
//! named like its system columns; SQLite reserves names starting with
//! `sqlite_`), and each entity's primary key. A leaf both the DDL render
//! (`render::sql`) and the drift check (`check::drift`) read.

use crate::artifact::{Entity, FieldType};
use crate::hash::sha256_hex;

/// Which database the DDL is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// D1 (SQLite).
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

const PG_SYSTEM_COLUMNS: &[&str] = &["tableoid", "xmin", "cmin", "xmax", "cmax", "ctid", "oid"];
const PG_MAX_IDENT: usize = 63;

/// The name an identifier gets in `dialect` (before quoting).
pub fn sql_name(name: &str, dialect: Dialect, is_column: bool) -> String {
    let mut n: String = name.chars().filter(|c| *c != '\0').collect();
    if n.is_empty() {
        n = "_".into();
    }
    match dialect {
        Dialect::Sqlite => {
            if n.to_ascii_lowercase().starts_with("sqlite_") {
                n = format!("t_{n}");
            }
        }
        Dialect::Postgres => {
            if is_column && PG_SYSTEM_COLUMNS.contains(&n.to_ascii_lowercase().as_str()) {
                n.push('_');
            }
            if n.len() > PG_MAX_IDENT {
                let hash = &sha256_hex(n.as_bytes())[..8];
                let mut cut = PG_MAX_IDENT - 9;
                while !n.is_char_boundary(cut) {
                    cut -= 1;
                }
                n = format!("{}_{hash}", &n[..cut]);
            }
        }
    }
    n
}

/// The one field that is `e`'s primary key; `None` for a key of several
/// fields ([`composite_key`]), which no single column can reference.
pub(crate) fn primary_key(e: &Entity) -> Option<&str> {
    if composite_key(e).is_some() {
        return None;
    }
    e.fields
        .iter()
        .find(|f| f.field_type == FieldType::Id && f.references.is_none())
        .map(|f| f.name.as_str())
        .or_else(|| e.fields.iter().find(|f| f.field_type == FieldType::Id).map(|f| f.name.as_str()))
}

/// The fields of a primary key that spans several fields.
pub(crate) fn composite_key(e: &Entity) -> Option<&[String]> {
    e.primary_key.as_deref().filter(|k| k.len() > 1)
}
