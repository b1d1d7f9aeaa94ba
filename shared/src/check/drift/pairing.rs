//! Blueprint and repository entities paired by table, and the names and
//! keys both sides are compared by.

use super::SqlDialect;
use crate::artifact::{DataArtifact, Entity, Field};
use crate::sql::{primary_key, sql_name, Dialect};

fn render_dialect(d: SqlDialect) -> Dialect {
    match d {
        SqlDialect::Postgres => Dialect::Postgres,
        SqlDialect::Sqlite | SqlDialect::Mysql => Dialect::Sqlite,
    }
}

/// Whether a repository name is the one the renderer gives a blueprint name.
pub(super) fn same_name(blueprint: &str, repository: &str, dialect: SqlDialect, is_column: bool) -> bool {
    blueprint.eq_ignore_ascii_case(repository)
        || sql_name(blueprint, render_dialect(dialect), is_column).eq_ignore_ascii_case(repository)
}

/// The fields that are an entity's primary key, in order.
pub(super) fn key_of(e: &Entity) -> Vec<String> {
    match e.primary_key.as_deref().filter(|k| k.len() > 1) {
        Some(k) => k.to_vec(),
        None => primary_key(e).map(|k| vec![k.to_string()]).unwrap_or_default(),
    }
}

/// Blueprint and repository entities paired by table.
pub(super) struct Pairing<'a> {
    pub(super) pairs: Vec<(&'a Entity, &'a Entity)>,
    pub(super) dialect: SqlDialect,
    pub(super) bp: &'a DataArtifact,
    pub(super) repo: &'a DataArtifact,
}

impl Pairing<'_> {
    /// The blueprint's name for a repository entity (its own when unpaired).
    pub(super) fn bp_name(&self, repo_name: &str) -> String {
        self.pairs.iter().find(|(_, r)| r.name == repo_name).map_or(repo_name, |(b, _)| b.name.as_str()).to_string()
    }

    /// The repository field a blueprint field is (by column name).
    pub(super) fn column<'r>(&self, repo: &'r Entity, field: &str) -> Option<&'r Field> {
        repo.fields.iter().find(|f| same_name(field, &f.name, self.dialect, true))
    }
}
