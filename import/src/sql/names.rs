//! Names: identifiers as each database stores them, and the entity names
//! Parit gives tables (PascalCase, singular, unique).

use super::SqlDialect as Dialect;
use sqlparser::ast::Ident;
use std::collections::HashSet;

/// An identifier as the database stores it. PostgreSQL folds unquoted names
/// to lower case (<https://www.postgresql.org/docs/17/sql-syntax-lexical.html>,
/// §4.1.1 "Identifiers and Key Words"); SQLite keeps them as written and
/// compares them without regard to case.
pub(crate) fn ident(i: &Ident, dialect: Dialect) -> String {
    match (dialect, i.quote_style) {
        (Dialect::Postgres, None) => i.value.to_lowercase(),
        _ => i.value.clone(),
    }
}

/// English singular of one lower-case word, by the common plural endings;
/// words that only look plural (`status`, `address`, `analysis`) stay.
fn singular(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    let cut = |n: usize| word[..word.len() - n].to_string();
    if lower.len() <= 2 || ["ss", "us", "is", "ys"].iter().any(|e| lower.ends_with(e)) {
        word.to_string()
    } else if lower.ends_with("ies") && lower.len() > 4 {
        format!("{}y", cut(3))
    } else if ["sses", "xes", "zes", "ches", "shes"].iter().any(|e| lower.ends_with(e)) {
        cut(2)
    } else if lower.ends_with('s') {
        cut(1)
    } else {
        word.to_string()
    }
}

/// PascalCase singular of a table name: `order_details` → `OrderDetail`,
/// `InvoiceLine` → `InvoiceLine`, `categories` → `Category`.
pub(crate) fn entity_name(table: &str) -> String {
    let parts: Vec<&str> = table.split(|c: char| !c.is_alphanumeric()).filter(|p| !p.is_empty()).collect();
    let last = parts.len().saturating_sub(1);
    let mut name: String = parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let p = if i == last { singular(p) } else { p.to_string() };
            let mut chars = p.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default()
        })
        .collect();
    if name.is_empty() {
        name = "Table".into();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'T');
    }
    name
}

/// Entity names for `tables`, in order: each [`entity_name`], with `2`, `3`,
/// … appended to a name already taken (compared without regard to case, as
/// the validator compares them), so the result is unique and deterministic.
pub(crate) fn entity_names<'a>(tables: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut taken = HashSet::new();
    tables
        .map(|t| {
            let base = entity_name(t);
            let mut name = base.clone();
            let mut n = 2;
            while !taken.insert(name.to_lowercase()) {
                name = format!("{base}{n}");
                n += 1;
            }
            name
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_names_are_pascal_case_singular() {
        let cases = [
            ("albums", "Album"),
            ("InvoiceLine", "InvoiceLine"),
            ("order_details", "OrderDetail"),
            ("categories", "Category"),
            ("addresses", "Address"),
            ("address", "Address"),
            ("us_states", "UsState"),
            ("status", "Status"),
            ("boxes", "Box"),
            ("film_actor", "FilmActor"),
            ("2fa codes", "T2faCode"),
            ("__", "Table"),
        ];
        for (table, entity) in cases {
            assert_eq!(entity_name(table), entity, "{table}");
        }
    }

    #[test]
    fn colliding_names_get_a_number_in_table_order() {
        let names = entity_names(["user", "users", "Users", "orders"].into_iter());
        assert_eq!(names, ["User", "User2", "User3", "Order"]);
    }
}
