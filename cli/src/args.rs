//! The command line: every command, option and argument, with clap's
//! derive. Nothing here runs anything; `commands` does.

use crate::failure;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Parit from the command line: create and run projects, pull the
/// hand-off into your repository, and check that the repository still
/// matches the blueprint.
#[derive(Debug, Parser)]
#[command(name = "parit", version, after_help = failure::EXIT_CODES, after_long_help = failure::EXIT_CODES)]
pub(crate) struct Cli {
    /// Print one JSON document on stdout and nothing else (for scripts).
    #[arg(long, global = true)]
    pub(crate) json: bool,
    /// The project (default: the one `parit new` remembered in .parit/project).
    #[arg(long, global = true, value_name = "ID")]
    pub(crate) project: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Store the server's URL and your API token (asked without echo; read
    /// from stdin when it is not a terminal). PARIT_URL and PARIT_TOKEN
    /// override what is stored.
    Login {
        /// The supervisor's URL, e.g. https://parit-supervisor.example.workers.dev.
        #[arg(long)]
        url: Option<String>,
    },
    /// Create a project from an idea and start its run.
    New {
        /// The product idea, in a sentence or a page.
        idea: String,
        /// The project's name (default: the idea's first words).
        #[arg(long)]
        name: Option<String>,
        /// The Gemini model for every stage.
        #[arg(long)]
        model: Option<String>,
        /// Follow the run live until it ends (exit 3 if a stage fails).
        #[arg(long)]
        wait: bool,
    },
    /// What the next run would call or reuse, its tokens and cost.
    Plan,
    /// Start (or resume) the project's run.
    Run {
        /// Follow the run live until it ends (exit 3 if a stage fails).
        #[arg(long)]
        wait: bool,
    },
    /// The project: each stage's status and version, and the run.
    Status,
    /// Download the blueprint as a ZIP.
    Export {
        /// Only this hand-off layout (agents-md, kiro, spec-kit, ...).
        #[arg(long)]
        layout: Option<String>,
        /// Where to write it (default: the project's name, .zip).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Write a hand-off layout into this repository, saying first what it
    /// creates, overwrites and leaves unchanged.
    Pull(PullArgs),
    /// Import what the repository has as the blueprint's next version.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Compare the repository's schema and API description with the
    /// blueprint: exit 0 in step, 1 on drift.
    Check(CheckArgs),
}

/// `parit pull`.
#[derive(Debug, Args)]
pub(crate) struct PullArgs {
    /// The layout: agents (AGENTS.md), kiro, speckit, openspec, or a name the
    /// server lists.
    #[arg(long, default_value = "agents")]
    pub(crate) layout: String,
    /// Overwrite changed files without asking.
    #[arg(long)]
    pub(crate) yes: bool,
    /// Only say what would be written.
    #[arg(long)]
    pub(crate) dry_run: bool,
}

/// `parit import`.
#[derive(Debug, Subcommand)]
pub(crate) enum ImportCommand {
    /// SQL DDL as the data model's next version.
    Data {
        /// The SQL file.
        file: PathBuf,
        /// Its dialect.
        #[arg(long, value_enum, default_value_t = Dialect::Sqlite)]
        dialect: Dialect,
    },
    /// An OpenAPI 3.x document (JSON or YAML) as the API's next version.
    Api {
        /// The document.
        file: PathBuf,
    },
}

/// `parit check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The schema: one SQL file.
    #[arg(long, value_name = "FILE", conflicts_with = "migrations")]
    pub(crate) sql: Option<PathBuf>,
    /// The schema: a directory of migrations, applied in name order.
    #[arg(long, value_name = "DIR")]
    pub(crate) migrations: Option<PathBuf>,
    /// The schema's SQL dialect (default: from the file name, else sqlite).
    #[arg(long, value_enum)]
    pub(crate) dialect: Option<Dialect>,
    /// The API description: an OpenAPI 3.x document.
    #[arg(long, value_name = "FILE")]
    pub(crate) openapi: Option<PathBuf>,
    /// Also write the differences as SARIF 2.1.0 (GitHub code scanning).
    #[arg(long, value_name = "FILE")]
    pub(crate) sarif: Option<PathBuf>,
    /// Store the repository's side as the blueprint's next version (the plan
    /// is shown first).
    #[arg(long)]
    pub(crate) accept: bool,
    /// With --accept: do not ask.
    #[arg(long, requires = "accept")]
    pub(crate) yes: bool,
}

/// A SQL dialect the importer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Dialect {
    /// SQLite (and Cloudflare D1).
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL.
    Mysql,
}

impl Dialect {
    /// The name the server takes.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("parit").chain(args.iter().copied()))
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn commands_parse_with_their_options() {
        let cli =
            parse(&["new", "Plan meals from the pantry", "--wait", "--model", "gemini-4-hydrogen", "--json"]).unwrap();
        assert!(cli.json);
        let Command::New { idea, wait, model, name } = cli.command else { panic!("not new") };
        assert_eq!(
            (idea.as_str(), wait, model.as_deref(), name),
            ("Plan meals from the pantry", true, Some("gemini-4-hydrogen"), None)
        );
        let cli = parse(&[
            "--project",
            "0a1b2c3d",
            "check",
            "--migrations",
            "db/migrations",
            "--dialect",
            "postgres",
            "--sarif",
            "out.sarif",
        ])
        .unwrap();
        assert_eq!(cli.project.as_deref(), Some("0a1b2c3d"));
        let Command::Check(c) = cli.command else { panic!("not check") };
        assert_eq!(
            (c.migrations, c.dialect, c.sarif),
            (Some("db/migrations".into()), Some(Dialect::Postgres), Some("out.sarif".into()))
        );
        let Command::Pull(p) = parse(&["pull"]).unwrap().command else { panic!("not pull") };
        assert_eq!((p.layout.as_str(), p.yes, p.dry_run), ("agents", false, false));
        let Command::Import(ImportCommand::Data { dialect, .. }) = parse(&["import", "data", "s.sql"]).unwrap().command
        else {
            panic!("not import data")
        };
        assert_eq!(dialect, Dialect::Sqlite);
    }

    #[test]
    fn bad_usage_is_refused_with_exit_2() {
        for args in [
            &["check", "--sql", "a.sql", "--migrations", "m"][..],
            &["check", "--yes"],
            &["import", "data", "s.sql", "--dialect", "oracle"],
            &["new"],
            &["frobnicate"],
        ] {
            let e = parse(args).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{args:?}: {e}");
        }
    }

    #[test]
    fn help_documents_the_exit_codes() {
        let help = Cli::command().render_long_help().to_string();
        for line in [
            "0  success",
            "1  `check` found drift",
            "2  usage or bad input",
            "3  the server refused",
            "4  the server could not be reached",
        ] {
            assert!(help.contains(line), "{line} missing from:\n{help}");
        }
    }
}
