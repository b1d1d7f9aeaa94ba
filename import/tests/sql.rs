//! The SQL import on real public schemas (import/tests/schemas, see its
//! README) and on small crafted inputs, in both dialects.

use parit_import::sql::{import, SqlDialect};
use parit_import::{ImportError, Imported};
use parit_shared::artifact::{Artifact, Cardinality, DataArtifact, Entity, FieldType};
use parit_shared::check::validate::validate;
use parit_shared::render::sql::Dialect;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/schemas/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn imported(name: &str, dialect: impl Into<SqlDialect>) -> Imported<DataArtifact> {
    let result = import(&fixture(name), dialect).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    let problems = validate(&Artifact::Data(result.artifact.clone()), &Default::default());
    assert!(problems.is_empty(), "{name}: {problems:?}");
    result
}

fn entity<'a>(data: &'a DataArtifact, table: &str) -> &'a Entity {
    data.entities.iter().find(|e| e.table == table).unwrap_or_else(|| panic!("no entity for table {table}"))
}

fn not_imported<'a>(i: &'a Imported<DataArtifact>, prefix: &str) -> Vec<&'a str> {
    i.not_imported.iter().map(|n| n.what.as_str()).filter(|w| w.starts_with(prefix)).collect()
}

fn error(sql: &str, dialect: Dialect) -> ImportError {
    match import(sql, dialect) {
        Ok(i) => panic!("imported: {:?}", i.imported),
        Err(e) => e,
    }
}

#[test]
fn every_fixture_imports_with_its_tables_and_validates() {
    let cases = [
        ("chinook.sqlite.sql", SqlDialect::Sqlite, 11),
        ("sakila.sqlite.sql", SqlDialect::Sqlite, 16),
        ("northwind.postgres.sql", SqlDialect::Postgres, 14),
        ("pagila.postgres.sql", SqlDialect::Postgres, 15),
        ("adventureworks.postgres.sql", SqlDialect::Postgres, 68),
        ("openstreetmap.postgres.sql", SqlDialect::Postgres, 54),
        ("sakila_mysql.mysql.sql", SqlDialect::Mysql, 16),
        ("employees.mysql.sql", SqlDialect::Mysql, 6),
    ];
    for (name, dialect, tables) in cases {
        let i = imported(name, dialect);
        assert_eq!(i.artifact.entities.len(), tables, "{name}: {:?}", i.imported);
        let table_lines = i.imported.iter().filter(|l| l.starts_with("table ")).count();
        assert_eq!(table_lines, tables, "{name}");
    }
}

#[test]
fn chinook_keeps_names_keys_the_self_reference_and_the_link_table() {
    let i = imported("chinook.sqlite.sql", Dialect::Sqlite);
    let data = &i.artifact;
    let employee = entity(data, "Employee");
    assert_eq!(employee.name, "Employee");
    let reports_to = employee.fields.iter().find(|f| f.name == "ReportsTo").expect("ReportsTo");
    assert_eq!(reports_to.references.as_deref(), Some("Employee"));
    assert_eq!(reports_to.field_type, FieldType::Integer);
    assert!(data.relationships.iter().any(|r| r.from == "Employee" && r.to == "Employee"));
    let album = entity(data, "Album");
    assert_eq!(album.fields[0].field_type, FieldType::Id);
    assert_eq!(album.fields[1].field_type, FieldType::String);
    assert!(album.fields[1].required);
    assert_eq!(album.fields[1].description, "NVARCHAR(160) column of table Album.");
    let link = entity(data, "PlaylistTrack");
    assert_eq!(link.primary_key.as_deref(), Some(&["PlaylistId".to_string(), "TrackId".to_string()][..]));
    assert!(link.fields.iter().all(|f| f.field_type != FieldType::Id && f.references.is_some()));
    let m2m: Vec<_> = data.relationships.iter().filter(|r| r.cardinality == Cardinality::ManyToMany).collect();
    assert_eq!(m2m.len(), 1);
    assert_eq!((m2m[0].from.as_str(), m2m[0].to.as_str()), ("Playlist", "Track"));
    assert_eq!(data.indexes.len(), 11);
    assert!(i.imported.contains(&"table \"Album\" → Album: 3 fields, key AlbumId".to_string()), "{:?}", i.imported);
    assert!(i
        .imported
        .contains(&"table \"PlaylistTrack\" → PlaylistTrack: 2 fields, key (PlaylistId, TrackId)".to_string()));
    assert_eq!(not_imported(&i, "11 × DROP"), ["11 × DROP"]);
    assert_eq!(not_imported(&i, "table \"Album\" key type"), ["table \"Album\" key type"]);
}

#[test]
fn sakila_lists_its_views_triggers_checks_and_actions() {
    let i = imported("sakila.sqlite.sql", Dialect::Sqlite);
    assert_eq!(not_imported(&i, "view ").len(), 5);
    assert_eq!(not_imported(&i, "trigger ").len(), 30);
    assert_eq!(not_imported(&i, "table \"film\" check").len(), 2);
    assert!(!not_imported(&i, "foreign key \"payment\" (rental_id) actions").is_empty());
    let trigger = i.not_imported.iter().find(|n| n.what == "trigger \"actor_trigger_ai\"").expect("trigger");
    assert_eq!(trigger.line, Some(30));
    let data = &i.artifact;
    for link in ["film_actor", "film_category"] {
        assert_eq!(entity(data, link).primary_key.as_ref().map(Vec::len), Some(2), "{link}");
    }
    // `BLOB SUB_TYPE TEXT` is one SQLite type name, of TEXT affinity.
    let film = entity(data, "film");
    let description = film.fields.iter().find(|f| f.name == "description").expect("description");
    assert_eq!(description.field_type, FieldType::Text);
    let store = entity(data, "store");
    assert!(store.fields.iter().any(|f| f.references.as_deref() == Some("Staff")));
    assert!(data.indexes.iter().any(|ix| ix.unique && ix.fields == ["rental_date", "inventory_id", "customer_id"]));
}

#[test]
fn northwind_applies_keys_and_foreign_keys_added_by_alter_table() {
    let i = imported("northwind.postgres.sql", Dialect::Postgres);
    let data = &i.artifact;
    let employees = entity(data, "employees");
    assert_eq!(employees.name, "Employee");
    assert_eq!(employees.fields[0].field_type, FieldType::Id);
    let reports_to = employees.fields.iter().find(|f| f.name == "reports_to").expect("reports_to");
    assert_eq!(reports_to.references.as_deref(), Some("Employee"));
    let territories = entity(data, "employee_territories");
    assert_eq!(territories.primary_key.as_deref(), Some(&["employee_id".to_string(), "territory_id".to_string()][..]));
    assert!(data
        .relationships
        .iter()
        .any(|r| r.cardinality == Cardinality::ManyToMany && r.from == "Employee" && r.to == "Territory"));
    let picture = entity(data, "categories").fields.iter().find(|f| f.name == "picture").expect("picture");
    assert_eq!(picture.field_type, FieldType::Text);
    assert_eq!(not_imported(&i, "column \"categories\".\"picture\" type").len(), 1);
    assert_eq!(not_imported(&i, "8 × SET"), ["8 × SET"]);
}

#[test]
fn pagila_lists_what_a_pg_dump_holds_beyond_tables() {
    let i = imported("pagila.postgres.sql", Dialect::Postgres);
    for table in ["payment_p2015_01", "payment_p2015_06"] {
        let n = i.not_imported.iter().find(|n| n.what == format!("table \"{table}\"")).expect(table);
        assert!(n.why.contains("inherits its columns from payment"), "{}", n.why);
    }
    assert_eq!(not_imported(&i, "enum type \"mpaa_rating\""), ["enum type \"mpaa_rating\""]);
    assert_eq!(not_imported(&i, "domain \"year\""), ["domain \"year\""]);
    assert_eq!(not_imported(&i, "function ").len(), 10);
    assert_eq!(not_imported(&i, "aggregate ").len(), 1);
    assert_eq!(not_imported(&i, "sequence ").len(), 13);
    assert_eq!(not_imported(&i, "view ").len(), 7);
    assert_eq!(not_imported(&i, "trigger ").len(), 16);
    assert_eq!(not_imported(&i, "41 × ALTER … OWNER TO"), ["41 × ALTER … OWNER TO"]);
    let film = entity(&i.artifact, "film");
    let field = |n: &str| film.fields.iter().find(|f| f.name == n).unwrap_or_else(|| panic!("{n}"));
    assert_eq!(field("rating").field_type, FieldType::String);
    assert_eq!(field("release_year").field_type, FieldType::Integer);
    assert_eq!(field("last_update").field_type, FieldType::Timestamp);
    let payment = entity(&i.artifact, "payment");
    assert_eq!(payment.fields.iter().filter(|f| f.references.is_some()).count(), 3);
}

#[test]
fn sql_that_does_not_parse_gives_line_column_and_what_was_expected() {
    let sql = "CREATE TABLE a (\n  id INTEGER PRIMARY KEY,\n  name TEXT NOT NULL\n  other INT\n);\n";
    for dialect in [Dialect::Sqlite, Dialect::Postgres] {
        let e = error(sql, dialect);
        assert_eq!((e.line, e.column), (Some(4), Some(3)), "{e:?}");
        assert_eq!(e.expected.as_deref(), Some("',' or ')' after column definition"));
        assert_eq!(
            e.message,
            "The SQL does not parse at line 4, column 3: Expected: ',' or ')' after column definition, found: other."
        );
    }
    let e = error("\n\nFROB the table;\n", Dialect::Sqlite);
    assert_eq!((e.line, e.column), (Some(3), Some(1)), "{e:?}");
    let e = error("CREATE TABLE a (id TEXT PRIMARY KEY DEFAULT 'x);", Dialect::Postgres);
    assert_eq!((e.line, e.column), (Some(1), Some(45)), "{e:?}");
    assert!(e.message.contains("Unterminated string literal"), "{}", e.message);
}

#[test]
fn input_without_tables_is_an_error() {
    for sql in ["", "-- nothing here\n", "CREATE VIEW v AS SELECT 1;\nPRAGMA foreign_keys = ON;"] {
        let e = error(sql, Dialect::Sqlite);
        assert!(e.message.contains("no tables"), "{}", e.message);
    }
    let e = error("CREATE TABLE log (at TEXT, line TEXT);", Dialect::Sqlite);
    assert!(e.message.contains("None of the 1 tables can be an entity"), "{}", e.message);
    assert!(e.message.contains("no primary key"), "{}", e.message);
}

#[test]
fn postgres_folds_unquoted_names_and_sqlite_keeps_them() {
    let sql = "CREATE TABLE Users (Id SERIAL PRIMARY KEY, \"Email\" TEXT UNIQUE NOT NULL);";
    let pg = import(sql, Dialect::Postgres).expect("postgres");
    let users = &pg.artifact.entities[0];
    assert_eq!((users.name.as_str(), users.table.as_str()), ("User", "users"));
    assert_eq!(users.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["id", "Email"]);
    assert!(users.fields[1].unique && users.fields[1].required);
    let lite = import(sql, Dialect::Sqlite).expect("sqlite");
    assert_eq!(lite.artifact.entities[0].table, "Users");
    assert_eq!(lite.artifact.entities[0].fields[0].name, "Id");
}

#[test]
fn what_a_reference_cannot_hold_is_listed_not_dropped() {
    let sql = "
CREATE TABLE accounts (id INTEGER PRIMARY KEY, code TEXT UNIQUE, region TEXT, branch TEXT);
CREATE TABLE account (id INTEGER PRIMARY KEY);
CREATE TABLE logs (at TEXT, message TEXT);
CREATE TABLE transfers (
  id INTEGER PRIMARY KEY,
  account_code TEXT REFERENCES accounts (code),
  region TEXT, branch TEXT,
  log_at TEXT REFERENCES logs (at),
  FOREIGN KEY (region, branch) REFERENCES accounts (region, branch)
);
CREATE INDEX by_lower ON transfers (lower(region));
CREATE INDEX recent ON transfers (id) WHERE id > 10;
";
    let i = import(sql, Dialect::Sqlite).expect("import");
    let names: Vec<&str> = i.artifact.entities.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["Account", "Account2", "Transfer"]);
    let whats: Vec<&str> = i.not_imported.iter().map(|n| n.what.as_str()).collect();
    for what in [
        "table \"logs\"",
        "foreign key \"transfers\" (account_code) → \"accounts\"",
        "foreign key \"transfers\" (log_at) → \"logs\"",
        "foreign key \"transfers\" (region, branch) → \"accounts\"",
        "index \"by_lower\" on \"transfers\"",
        "index \"recent\" on \"transfers\"",
    ] {
        assert!(whats.contains(&what), "{what} not in {whats:#?}");
    }
    let transfer = entity(&i.artifact, "transfers");
    assert!(transfer.fields.iter().all(|f| f.references.is_none()));
    assert!(i.artifact.indexes.is_empty());
}

#[test]
fn a_pg_dump_with_psql_meta_commands_and_copy_data_imports() {
    let dump = "\\restrict abc\nSELECT pg_catalog.set_config('search_path', '', false);\nCREATE TABLE public.t (id integer NOT NULL, name text);\nCOPY public.t (id, name) FROM stdin;\n1\tone\n2\ttwo\n\\.\nALTER TABLE ONLY public.t\n    ADD CONSTRAINT t_pkey PRIMARY KEY (id);\n\\unrestrict abc\n";
    let i = import(dump, Dialect::Postgres).expect("import");
    assert_eq!(i.artifact.entities[0].fields[0].field_type, FieldType::Id);
    let line = |what: &str| i.not_imported.iter().find(|n| n.what == what).map(|n| (n.line, n.why.clone()));
    assert_eq!(
        line("2 × psql meta-command (\\restrict, \\unrestrict)"),
        Some((Some(1), "psql commands, not SQL: removed before parsing".to_string()))
    );
    assert_eq!(
        line("COPY public.t FROM stdin"),
        Some((Some(4), "2 rows of data, not schema: removed before parsing".to_string()))
    );
    assert!(line("1 × SELECT").is_some(), "{:?}", i.not_imported);
}

/// Each entity's name and table, and its fields' names and references.
type Shape = Vec<(String, String, Vec<(String, Option<String>)>)>;

#[test]
fn parits_own_ddl_imports_back_to_the_same_tables_fields_and_references() {
    for (name, dialect) in [("chinook.sqlite.sql", Dialect::Sqlite), ("pagila.postgres.sql", Dialect::Postgres)] {
        let first = imported(name, dialect).artifact;
        for render in [Dialect::Sqlite, Dialect::Postgres] {
            let ddl = parit_shared::render::sql::ddl(&first, render);
            let again = import(&ddl, render).unwrap_or_else(|e| panic!("{name} as {render:?}: {e:?}")).artifact;
            let shape = |d: &DataArtifact| {
                let mut s: Shape = d
                    .entities
                    .iter()
                    .map(|e| {
                        let mut f: Vec<_> = e.fields.iter().map(|f| (f.name.clone(), f.references.clone())).collect();
                        f.sort();
                        (e.name.clone(), e.table.clone(), f)
                    })
                    .collect();
                s.sort();
                s
            };
            assert_eq!(shape(&again), shape(&first), "{name} as {render:?}");
            assert_eq!(again.relationships.len(), first.relationships.len(), "{name} as {render:?}");
            assert_eq!(again.indexes.len(), first.indexes.len(), "{name} as {render:?}");
        }
    }
}

fn why<'a>(i: &'a Imported<DataArtifact>, what: &str) -> (&'a str, Option<u32>) {
    let n =
        i.not_imported.iter().find(|n| n.what == what).unwrap_or_else(|| panic!("{what} not in {:#?}", i.not_imported));
    (n.why.as_str(), n.line)
}

#[test]
fn one_statement_that_does_not_parse_is_listed_and_the_rest_imported() {
    let sql = "CREATE TABLE a (id INTEGER PRIMARY KEY);\n\nFROB the table;\nCREATE TABLE b (\n  id INTEGER PRIMARY KEY,\n  x INT,\n  , y INT\n);\nCREATE TABLE c (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id));\n";
    let i = import(sql, Dialect::Sqlite).expect("a and c import");
    let tables: Vec<&str> = i.artifact.entities.iter().map(|e| e.table.as_str()).collect();
    assert_eq!(tables, ["a", "c"]);
    let (frob, line) = why(&i, "FROB THE TABLE statement");
    assert_eq!(line, Some(3));
    assert!(
        frob.starts_with("sqlparser cannot parse it: Expected: an SQL statement, found: FROB (line 3, column 1)"),
        "{frob}"
    );
    let (b, line) = why(&i, "table \"b\"");
    assert_eq!(line, Some(4));
    assert!(b.contains("(line 7, column 3)"), "{b}");
}

#[test]
fn a_line_the_tokenizer_cannot_read_is_skipped_and_listed() {
    let sql = "CREATE TABLE a (id INTEGER PRIMARY KEY);\nINSERT INTO a VALUES ('unterminated);\nCREATE TABLE b (id INTEGER PRIMARY KEY);\n";
    let i = import(sql, Dialect::Postgres).expect("a and b import");
    assert_eq!(i.artifact.entities.len(), 2);
    let (text, line) = why(&i, "line 2");
    assert_eq!(line, Some(2));
    assert!(text.contains("Unterminated string literal"), "{text}");
}

#[test]
fn regression_create_domain_without_as_and_comment_on_function_no_longer_refuse_the_import() {
    // Both refused a real install script whole (AdventureWorks for PostgreSQL).
    let sql = "CREATE DOMAIN \"OrderNumber\" varchar(25) NULL;\nCREATE DOMAIN \"Flag\" boolean NOT NULL;\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\nCOMMENT ON FUNCTION f() IS 'one';\nCREATE TABLE orders (id serial PRIMARY KEY, number \"OrderNumber\", open \"Flag\");\n";
    let i = import(sql, Dialect::Postgres).expect("import");
    let orders = entity(&i.artifact, "orders");
    let field = |n: &str| orders.fields.iter().find(|f| f.name == n).unwrap_or_else(|| panic!("{n}"));
    assert_eq!(field("number").field_type, FieldType::String);
    assert_eq!(field("open").field_type, FieldType::Boolean);
    assert_eq!(why(&i, "domain \"OrderNumber\"").1, Some(1));
    assert!(
        i.not_imported.iter().any(|n| n.line == Some(4) && n.what.starts_with("COMMENT ON FUNCTION")),
        "{:#?}",
        i.not_imported
    );
}

#[test]
fn psql_meta_commands_and_create_schema_elements_of_an_install_script() {
    let i = imported("adventureworks.postgres.sql", SqlDialect::Postgres);
    let (text, line) = why(&i, "70 × psql meta-command (\\pset, \\copy, \\dt)");
    assert_eq!((text, line), ("psql commands, not SQL: removed before parsing", Some(50)));
    // Every table is created inside `CREATE SCHEMA Person CREATE TABLE …`.
    assert!(why(&i, "schema \"Person\"").0.contains("imported by their own names"));
    let person = entity(&i.artifact, "person");
    assert!(person.fields.iter().any(|f| f.name == "firstname" && f.field_type == FieldType::String && f.required));
    // `ALTER TABLE … DROP COLUMN` drops the column the script created.
    let employee = entity(&i.artifact, "employee");
    assert!(!employee.fields.iter().any(|f| f.name == "organizationlevel"));
    assert!(employee.fields.iter().any(|f| f.name == "organizationnode"));
}

#[test]
fn mysql_dumps_import_with_their_delimiter_blocks_inline_keys_and_enums() {
    let i = imported("sakila_mysql.mysql.sql", SqlDialect::Mysql);
    assert_eq!(why(&i, "14 × mysql client command (DELIMITER)").1, Some(189));
    assert!(why(&i, "trigger \"ins_film\"").0.starts_with("the data model has no triggers"));
    assert!(why(&i, "procedure \"rewards_report\"").0.starts_with("the data model has no procedures"));
    assert_eq!(why(&i, "view \"actor_info\"").1, Some(419));
    assert_eq!(why(&i, "versioned comment \"location GEOMETRY NOT NULL…\"").1, Some(51));
    let film = entity(&i.artifact, "film");
    let rating = film.fields.iter().find(|f| f.name == "rating").expect("rating");
    assert_eq!(rating.field_type, FieldType::String);
    assert!(i.artifact.indexes.iter().any(|ix| ix.entity == "Actor" && ix.fields == ["last_name"]));
    // `password VARCHAR(40) BINARY` is MySQL's old binary collation.
    assert!(entity(&i.artifact, "staff").fields.iter().any(|f| f.name == "password"));
    let e = imported("employees.mysql.sql", SqlDialect::Mysql);
    assert!(e.not_imported.iter().any(|n| n.what.contains("mysql client command (source)")), "{:#?}", e.not_imported);
}

#[test]
fn hostile_input_is_an_answer_never_a_panic() {
    let deep =
        format!("CREATE TABLE a (id INTEGER PRIMARY KEY, x INT CHECK {}1{});", "(".repeat(5000), ")".repeat(5000));
    let garbage: String = (0..200_000u32).map(|i| char::from_u32(32 + (i * 7919 % 95)).unwrap_or('x')).collect();
    let unterminated = "CREATE TABLE a (id INTEGER PRIMARY KEY);\nCREATE FUNCTION f() AS $$ never ends\n".repeat(50);
    for dialect in [SqlDialect::Sqlite, SqlDialect::Postgres, SqlDialect::Mysql] {
        for text in [deep.as_str(), garbage.as_str(), unterminated.as_str(), "\0\0\0", "DELIMITER $$\nCREATE TRIGGER"] {
            // An import or an error: either way an answer.
            let _ = import(text, dialect);
        }
        let e = match import(&format!("{deep}\nCREATE VIEW v AS SELECT 1;"), dialect) {
            Ok(i) => panic!("imported: {:?}", i.imported),
            Err(e) => e,
        };
        assert!(e.message.contains("nests too deeply"), "{}", e.message);
        let i = import(&format!("{deep}\nCREATE TABLE b (id INTEGER PRIMARY KEY);"), dialect).expect("b imports");
        assert_eq!(i.artifact.entities.len(), 1);
        assert!(i.not_imported.iter().any(|n| n.why.contains("nests too deeply")), "{:?}", i.not_imported);
    }
}
