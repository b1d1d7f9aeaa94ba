//! SQL column types → Parit's logical field types: one table, read by name.
//!
//! SQLite takes any type name and decides a column's affinity from it
//! (<https://www.sqlite.org/datatype3.html>, §3.1); PostgreSQL has fixed
//! type names with aliases (<https://www.postgresql.org/docs/17/datatype.html>,
//! Table 8.1). The table below lists the names both use, matched on the base
//! name (without length, precision or time zone), case-insensitively.

use parit_shared::artifact::FieldType;

/// How a SQL type name maps, and what the mapping loses, if anything a
/// person should know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mapped {
    /// The logical type the field gets.
    pub(crate) field_type: FieldType,
    /// Why the mapping loses information, when it does.
    pub(crate) loss: Option<&'static str>,
}

const BINARY: &str = "binary data has no Parit type; imported as text";

/// Base type names (upper case) and the field type each becomes.
const TYPES: &[(&[&str], FieldType, Option<&str>)] = &[
    (
        &[
            "INTEGER",
            "INT",
            "BIGINT",
            "SMALLINT",
            "TINYINT",
            "MEDIUMINT",
            "INT2",
            "INT4",
            "INT8",
            "SERIAL",
            "SERIAL2",
            "SERIAL4",
            "SERIAL8",
            "SMALLSERIAL",
            "BIGSERIAL",
            "UNSIGNED BIG INT",
            "YEAR",
            "BIT",
        ],
        FieldType::Integer,
        None,
    ),
    (
        &[
            "VARCHAR",
            "CHARACTER VARYING",
            "CHAR VARYING",
            "CHAR",
            "CHARACTER",
            "NCHAR",
            "NVARCHAR",
            "NATIVE CHARACTER",
            "VARYING CHARACTER",
            "BPCHAR",
            "UUID",
            "CITEXT",
        ],
        FieldType::String,
        None,
    ),
    (&["TEXT", "CLOB", "TINYTEXT", "MEDIUMTEXT", "LONGTEXT"], FieldType::Text, None),
    (
        &["NUMERIC", "DECIMAL", "DEC", "REAL", "FLOAT", "FLOAT4", "FLOAT8", "DOUBLE", "DOUBLE PRECISION", "MONEY"],
        FieldType::Decimal,
        None,
    ),
    (&["BOOLEAN", "BOOL"], FieldType::Boolean, None),
    (&["ENUM", "SET"], FieldType::String, Some("MySQL ENUM / SET becomes a string; its allowed values are not kept")),
    (&["TIMESTAMP", "TIMESTAMPTZ", "DATETIME"], FieldType::Timestamp, None),
    (&["DATE"], FieldType::Date, None),
    (&["JSON", "JSONB"], FieldType::Json, None),
    (&["BLOB", "BYTEA", "BINARY", "VARBINARY", "TINYBLOB", "MEDIUMBLOB", "LONGBLOB"], FieldType::Text, Some(BINARY)),
];

/// The base name of a type as sqlparser prints it: `CHARACTER VARYING(45)`
/// → `CHARACTER VARYING`, `TIMESTAMP WITHOUT TIME ZONE` → `TIMESTAMP`.
pub(crate) fn base_name(sql_type: &str) -> String {
    let upper = sql_type.trim().to_ascii_uppercase();
    let mut base = upper.split('(').next().unwrap_or_default().trim().to_string();
    // MySQL's attributes of numeric types: `INT UNSIGNED`, `INT(10) UNSIGNED ZEROFILL`.
    for suffix in [" ZEROFILL", " UNSIGNED", " SIGNED", " WITHOUT TIME ZONE", " WITH TIME ZONE"] {
        if let Some(b) = base.strip_suffix(suffix) {
            base = b.to_string();
        }
    }
    base.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The field type for a SQL type, or `None` when Parit has no type for it
/// (arrays, intervals, geometric and full-text types, unknown names).
pub(crate) fn map(sql_type: &str) -> Option<Mapped> {
    named(sql_type)
}

/// What SQLite makes of a type name the table does not list: its column
/// affinity, by the rules of <https://www.sqlite.org/datatype3.html> §3.1
/// (INT → INTEGER; CHAR, CLOB, TEXT → TEXT; BLOB → BLOB; REAL, FLOA, DOUB →
/// REAL; anything else → NUMERIC), checked in that order.
pub(crate) fn sqlite_affinity(sql_type: &str) -> Mapped {
    const LOSS: &str = "not a type name Parit knows; mapped by SQLite's affinity rules";
    let upper = sql_type.to_ascii_uppercase();
    let has = |parts: &[&str]| parts.iter().any(|p| upper.contains(p));
    let field_type = if has(&["INT"]) {
        FieldType::Integer
    } else if has(&["CHAR", "CLOB", "TEXT"]) || has(&["BLOB"]) {
        FieldType::Text
    } else {
        FieldType::Decimal
    };
    Mapped { field_type, loss: Some(LOSS) }
}

fn named(sql_type: &str) -> Option<Mapped> {
    if sql_type.contains('[') || sql_type.to_ascii_uppercase().starts_with("ARRAY") {
        return None;
    }
    let base = base_name(sql_type);
    TYPES
        .iter()
        .find(|(names, _, _)| names.contains(&base.as_str()))
        .map(|(_, field_type, loss)| Mapped { field_type: *field_type, loss: *loss })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_names_drop_length_precision_and_time_zone() {
        assert_eq!(base_name("character varying(45)"), "CHARACTER VARYING");
        assert_eq!(base_name("NUMERIC(10,2)"), "NUMERIC");
        assert_eq!(base_name("timestamp without time zone"), "TIMESTAMP");
        assert_eq!(base_name("TIMESTAMP(3) WITH TIME ZONE"), "TIMESTAMP");
    }

    #[test]
    fn each_family_maps_and_binary_says_what_it_loses() {
        let t = |s: &str| map(s).map(|m| m.field_type);
        assert_eq!(t("BIGSERIAL"), Some(FieldType::Integer));
        assert_eq!(t("NVARCHAR(160)"), Some(FieldType::String));
        assert_eq!(t("uuid"), Some(FieldType::String));
        assert_eq!(t("CLOB"), Some(FieldType::Text));
        assert_eq!(t("money"), Some(FieldType::Decimal));
        assert_eq!(t("DOUBLE PRECISION"), Some(FieldType::Decimal));
        assert_eq!(t("bool"), Some(FieldType::Boolean));
        assert_eq!(t("DATETIME"), Some(FieldType::Timestamp));
        assert_eq!(t("date"), Some(FieldType::Date));
        assert_eq!(t("JSONB"), Some(FieldType::Json));
        assert_eq!(map("BYTEA").and_then(|m| m.loss), Some(BINARY));
        assert_eq!(map("TEXT[]"), None);
        assert_eq!(map("tsvector"), None);
    }

    #[test]
    fn sqlite_affinity_follows_the_documented_order() {
        let t = |s: &str| sqlite_affinity(s).field_type;
        assert_eq!(t("BLOB SUB_TYPE TEXT"), FieldType::Text);
        assert_eq!(t("POINT INTEGER"), FieldType::Integer);
        assert_eq!(t("FLOATING POINT"), FieldType::Integer);
        assert_eq!(t("DOUB"), FieldType::Decimal);
        assert_eq!(t("MONEYISH"), FieldType::Decimal);
    }
}
