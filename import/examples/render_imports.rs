//! Imports every fixture schema in `import/tests/schemas/` and writes, for
//! each, the rendered DDL of the imported model in both dialects plus the
//! import report, into the directory given as the only argument:
//!
//! ```text
//! cargo run -q --release -p parit-import --example render_imports -- OUT
//! OUT/<fixture>/schema.sqlite.sql, schema.postgres.sql, import.json
//! ```
//!
//! and, for each OpenAPI document in `import/tests/openapi/`, imported with
//! no data model (its entities derived from its schemas):
//!
//! ```text
//! OUT/openapi/<document>/openapi.json, schema.sqlite.sql, schema.postgres.sql, import.json
//! ```
//!
//! It prints one line per fixture: counts and how long the import took.

use parit_import::sql::{import, SqlDialect};
use parit_shared::render::sql::{ddl, Dialect};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() {
    let Some(out) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: render_imports OUTDIR");
        std::process::exit(2);
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    fixtures.sort();
    let mut failed = false;
    for path in fixtures {
        let file = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        // Fixture files are named NAME.DIALECT.sql.
        let (name, dialect) = match file.strip_suffix(".sql").and_then(|s| s.rsplit_once('.')) {
            Some((name, dialect)) => match SqlDialect::from_name(dialect) {
                Some(d) => (name.to_string(), d),
                None => continue,
            },
            None => continue,
        };
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let started = Instant::now();
        let result = import(&text, dialect);
        let took = started.elapsed();
        let imported = match result {
            Ok(i) => i,
            Err(e) => {
                eprintln!("{file}: {}", e.message);
                failed = true;
                continue;
            }
        };
        let target = out.join(&name);
        std::fs::create_dir_all(&target).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
        let write = |f: &str, s: String| {
            std::fs::write(target.join(f), s).unwrap_or_else(|e| panic!("{}/{f}: {e}", target.display()))
        };
        write("schema.sqlite.sql", ddl(&imported.artifact, Dialect::Sqlite));
        write("schema.postgres.sql", ddl(&imported.artifact, Dialect::Postgres));
        write("import.json", serde_json::to_string_pretty(&imported).unwrap_or_default());
        let data = &imported.artifact;
        println!(
            "{file}: {} tables, {} fields, {} relationships, {} indexes, {} not imported; import {:.2} ms",
            data.entities.len(),
            data.entities.iter().map(|e| e.fields.len()).sum::<usize>(),
            data.relationships.len(),
            data.indexes.len(),
            imported.not_imported.len(),
            took.as_secs_f64() * 1000.0
        );
    }
    failed |= openapi(&out);
    if failed {
        std::process::exit(1);
    }
}

/// Imports every OpenAPI fixture with no data model and writes its renders; whether one failed.
fn openapi(out: &Path) -> bool {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/openapi");
    let mut documents: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "json"))
        .collect();
    documents.sort();
    let mut failed = false;
    for path in documents {
        let file = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let name = file.rsplit_once('.').map_or(file.as_str(), |(n, _)| n).to_string();
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let started = Instant::now();
        let result = parit_import::openapi::import(&text, None);
        let took = started.elapsed();
        let imported = match result {
            Ok(i) => i,
            Err(e) => {
                eprintln!("{file}: {}", e.message);
                failed = true;
                continue;
            }
        };
        let Some(data) = imported.data.clone() else {
            eprintln!("{file}: no data model derived");
            failed = true;
            continue;
        };
        let target = out.join("openapi").join(&name);
        std::fs::create_dir_all(&target).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
        let write = |f: &str, s: String| {
            std::fs::write(target.join(f), s).unwrap_or_else(|e| panic!("{}/{f}: {e}", target.display()))
        };
        let document = parit_shared::render::openapi::document(&name, &imported.artifact, &data);
        write("openapi.json", serde_json::to_string_pretty(&document).unwrap_or_default());
        write("schema.sqlite.sql", ddl(&data, Dialect::Sqlite));
        write("schema.postgres.sql", ddl(&data, Dialect::Postgres));
        write("import.json", serde_json::to_string_pretty(&imported).unwrap_or_default());
        println!(
            "{file} ({} bytes): {} endpoints, {} entities derived, {} not imported; import {:.2} ms",
            text.len(),
            imported.artifact.endpoints.len(),
            data.entities.len(),
            imported.not_imported.len(),
            took.as_secs_f64() * 1000.0
        );
    }
    failed
}
