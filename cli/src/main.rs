//! `parit`: the way from a Parit blueprint back into the developer's loop.
//! It creates and runs projects against a Parit server (following a run
//! live, one progress bar per stage), writes a hand-off layout into the
//! repository, imports what the repository has, and checks in CI that the
//! repository's schema and API description still match the blueprint
//! (`parit check`, with SARIF for GitHub code scanning).
//!
//! Shaped as a thin shell over the server's HTTP API: arguments here
//! (clap, in `args`), one function per command in `commands`, the API in `client`
//! (the one place JSON from the server is read), and each concern that can
//! be tested without a server in its own module (`pull`'s path checks and
//! overwrite report, `check`'s discovery and SARIF, `watch`'s event-stream
//! reader). Every command takes `--json`: then stdout carries one JSON
//! document and nothing else (bars and notes go to stderr). Exit codes are
//! in `failure` and `parit --help`.

mod args;
mod check;
mod client;
mod commands;
mod config;
mod failure;
mod pull;
mod watch;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let json = cli.json;
    match commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            if json {
                println!("{}", failure.to_json());
            }
            eprintln!("parit: {failure}");
            ExitCode::from(failure.exit_code())
        }
    }
}
