//! One function per command: read what it needs, call the server through
//! [`Client`], print for people (or one JSON document with `--json`), and
//! answer the exit code.

use crate::args::{CheckArgs, Cli, Command, ImportCommand, PullArgs};
use crate::check;
use crate::client::Client;
use crate::config::{self, Credentials};
use crate::failure::{Failure, DRIFT, OK, USAGE};
use crate::pull;
use crate::watch;
use parit_shared::project::MAX_NAME_CHARS;
use serde_json::{json, Value};
use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

/// Where output goes: text for people, or one JSON document.
struct Out {
    json: bool,
}

impl Out {
    /// Text for people (nothing with `--json`).
    fn say(&self, text: &str) {
        if !self.json {
            print!("{text}");
            if !text.ends_with('\n') {
                println!();
            }
        }
    }

    /// The JSON document (only with `--json`).
    fn data(&self, value: &Value) {
        if self.json {
            println!("{value}");
        }
    }
}

/// Runs the command; its exit code.
pub(crate) fn run(cli: Cli) -> Result<u8, Failure> {
    let out = Out { json: cli.json };
    let here = std::env::current_dir().map_err(|e| Failure::Usage(format!("no current directory: {e}")))?;
    let env = config::process_env;
    let connect = || -> Result<Client, Failure> {
        let credentials = config::credentials(&env)?;
        Ok(Client::new(&credentials.url, &credentials.token))
    };
    let project = || config::project(cli.project.as_deref(), &here);
    match &cli.command {
        Command::Login { url } => login(url.as_deref(), &out),
        Command::New { idea, name, model, wait } => {
            new(&connect()?, &out, &here, idea, name.as_deref(), model.as_deref(), *wait)
        }
        Command::Plan => plan(&connect()?, &out, &project()?),
        Command::Run { wait } => run_project(&connect()?, &out, &project()?, *wait),
        Command::Status => status(&connect()?, &out, &project()?),
        Command::Export { layout, output } => export(&connect()?, &out, &project()?, layout.as_deref(), output.clone()),
        Command::Pull(args) => pull_layout(&connect()?, &out, &project()?, &here, args),
        Command::Import(what) => import(&connect()?, &out, &project()?, &here, what),
        Command::Check(args) => check_repository(&connect()?, &out, &project()?, &here, args),
    }
}

/// Asks `question` on the terminal; `Ok(false)` for anything but yes, and
/// exit 2 when there is no terminal to ask on.
fn confirm(question: &str, refusal: &str) -> Result<bool, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(refusal.to_string()));
    }
    eprint!("{question} [y/N] ");
    std::io::stderr().flush().ok();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).map_err(|e| Failure::Usage(format!("no answer: {e}")))?;
    Ok(matches!(answer.trim().to_lowercase().as_str(), "y" | "yes"))
}

fn login(url: Option<&str>, out: &Out) -> Result<u8, Failure> {
    let env = config::process_env;
    let path = config::config_path(&env)?;
    // The URL: given, else PARIT_URL, else the one stored by an earlier login.
    let stored = config::credentials(&env).ok();
    let url = url
        .map(str::to_string)
        .or_else(|| env("PARIT_URL"))
        .or_else(|| stored.map(|c| c.url))
        .ok_or_else(|| Failure::Usage("pass the server's URL: parit login --url https://...".into()))?;
    let url = url.trim().trim_end_matches('/').to_string();
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(Failure::Usage(format!("\"{url}\" is not an http:// or https:// URL")));
    }
    let token = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Parit API token: ")
            .map_err(|e| Failure::Usage(format!("cannot read the token: {e}")))?
    } else {
        let mut text = String::new();
        std::io::stdin()
            .take(64 * 1024)
            .read_to_string(&mut text)
            .map_err(|e| Failure::Usage(format!("cannot read the token from stdin: {e}")))?;
        text
    };
    let token = token.trim().to_string();
    if token.is_empty() {
        return Err(Failure::Usage("no token given".into()));
    }
    // Checked before anything is stored: a wrong token stores nothing.
    Client::new(&url, &token).check_token()?;
    config::save(&path, &Credentials { url: url.clone(), token })?;
    out.say(&format!("logged in to {url} (saved in {})", path.display()));
    out.data(&json!({"url": url, "config": path.display().to_string()}));
    Ok(OK)
}

/// A project name from an idea: its first words, within the server's limit.
fn name_from(idea: &str) -> String {
    let mut name = String::new();
    for word in idea.split_whitespace().take(6) {
        if name.chars().count() + word.chars().count() + 1 > 60.min(MAX_NAME_CHARS) {
            break;
        }
        if !name.is_empty() {
            name.push(' ');
        }
        name.push_str(word);
    }
    if name.is_empty() {
        idea.chars().take(60).collect()
    } else {
        name
    }
}

fn new(
    client: &Client,
    out: &Out,
    here: &Path,
    idea: &str,
    name: Option<&str>,
    model: Option<&str>,
    wait: bool,
) -> Result<u8, Failure> {
    let name = name.map_or_else(|| name_from(idea), str::to_string);
    let created = client.create_project(&name, idea, model)?;
    let id = created["id"]
        .as_str()
        .ok_or_else(|| Failure::Unreachable(format!("the server created a project without an id: {created}")))?
        .to_string();
    config::remember_project(here, &id)?;
    out.say(&format!(
        "created project {id} \"{name}\" (remembered in {})",
        config::project_file(Path::new(".")).display()
    ));
    let started = client.run(&id)?;
    out.say(&format!("run started on {}", client.base()));
    let mut answer = json!({"project": created, "run": started});
    // A failed run is one document too: the failure's, which main prints.
    finish_run(client, out, &id, wait, &mut answer)?;
    out.data(&answer);
    Ok(OK)
}

/// With `wait`, follows the run and puts the ending project in `answer`.
fn finish_run(client: &Client, out: &Out, id: &str, wait: bool, answer: &mut Value) -> Result<u8, Failure> {
    if !wait {
        return Ok(OK);
    }
    let project = watch::follow(client, id, out.json)?;
    let ended = watch::outcome(&project);
    out.say(&stage_table(&project));
    answer["final"] = project;
    ended.map(|()| OK)
}

fn run_project(client: &Client, out: &Out, id: &str, wait: bool) -> Result<u8, Failure> {
    let started = client.run(id)?;
    out.say(&format!("run {} for project {id}", started["run"]["status"].as_str().unwrap_or("started")));
    let mut answer = json!({ "run": started });
    finish_run(client, out, id, wait, &mut answer)?;
    out.data(&answer);
    Ok(OK)
}

/// Each stage of a project view, one line each.
fn stage_table(project: &Value) -> String {
    let mut text = String::new();
    for s in project["stages"].as_array().into_iter().flatten() {
        let version = s["version"].as_u64().map_or("-".to_string(), |v| format!("v{v}"));
        let source = s["source"].as_str().unwrap_or("");
        text.push_str(&format!(
            "  {:<11} {:<8} {:<4} {}",
            s["stage"].as_str().unwrap_or("?"),
            s["status"].as_str().unwrap_or("?"),
            version,
            source
        ));
        if let Some(message) = s["error"]["message"].as_str() {
            text.push_str(&format!("  {message}"));
        }
        text.push('\n');
    }
    text
}

fn status(client: &Client, out: &Out, id: &str) -> Result<u8, Failure> {
    let project = client.project(id)?;
    let run = project["run"]["status"].as_str().unwrap_or("none");
    out.say(&format!(
        "{} \"{}\" (run: {run}, model {})\n{}",
        id,
        project["name"].as_str().unwrap_or(""),
        project["settings"]["model"].as_str().unwrap_or("?"),
        stage_table(&project)
    ));
    out.data(&project);
    Ok(OK)
}

fn plan(client: &Client, out: &Out, id: &str) -> Result<u8, Failure> {
    let plan = client.plan(id)?;
    let mut text = String::new();
    for s in plan["stages"].as_array().into_iter().flatten() {
        let tokens = match (s["estimate"]["tokens"]["low"].as_u64(), s["estimate"]["tokens"]["high"].as_u64()) {
            (Some(low), Some(high)) => format!(", {low}-{high} tokens"),
            _ => String::new(),
        };
        text.push_str(&format!(
            "  {:<11} {:<10} {}{tokens}\n",
            s["stage"].as_str().unwrap_or("?"),
            s["action"].as_str().unwrap_or("?"),
            s["reason"].as_str().unwrap_or("")
        ));
    }
    text.push_str(&check::plan_totals(&plan));
    if let Some(refused) = plan["refused"].as_str() {
        text.push_str(&format!("a run would be refused: {refused}\n"));
    }
    out.say(&text);
    out.data(&plan);
    Ok(OK)
}

fn export(client: &Client, out: &Out, id: &str, layout: Option<&str>, output: Option<PathBuf>) -> Result<u8, Failure> {
    let layout = layout.map(pull::layout_name);
    let target = match output {
        Some(path) => path,
        None => {
            let project = client.project(id)?;
            let slug = parit_shared::render::export::slug(project["name"].as_str().unwrap_or("parit"));
            PathBuf::from(match layout {
                Some(l) => format!("{slug}-{l}.zip"),
                None => format!("{slug}.zip"),
            })
        }
    };
    let bytes = client.export(id, layout)?;
    std::fs::write(&target, &bytes).map_err(|e| Failure::Usage(format!("cannot write {}: {e}", target.display())))?;
    out.say(&format!("wrote {} ({} bytes)", target.display(), bytes.len()));
    out.data(&json!({"file": target.display().to_string(), "bytes": bytes.len(), "layout": layout}));
    Ok(OK)
}

fn pull_layout(client: &Client, out: &Out, id: &str, here: &Path, args: &PullArgs) -> Result<u8, Failure> {
    let layout = pull::layout_name(&args.layout);
    let handoff = client.handoff(id)?;
    let planned = pull::plan(&handoff, layout, here)?;
    let overwrites = planned.iter().any(|p| p.change == pull::Change::Overwrite);
    let changes = planned.iter().filter(|p| p.change != pull::Change::Unchanged).count();
    out.say(&format!("{layout}: {}", pull::report(&planned)));
    if changes == 0 {
        out.say("nothing to write: every file is unchanged");
    }
    let mut answer = pull::report_json(&planned);
    answer["layout"] = json!(layout);
    let written = if args.dry_run || changes == 0 {
        0
    } else {
        if overwrites && !args.yes {
            let go = confirm(
                "overwrite the files above?",
                "pull would overwrite files (listed above) and there is no terminal to ask: pass --yes to overwrite, or --dry-run to look",
            )?;
            if !go {
                out.say("nothing written");
                answer["written"] = json!(0);
                out.data(&answer);
                return Ok(USAGE);
            }
        }
        pull::write(&planned, here)?
    };
    answer["written"] = json!(written);
    answer["dryRun"] = json!(args.dry_run);
    if !args.dry_run && changes > 0 {
        out.say(&format!("wrote {written} file(s)"));
    }
    out.data(&answer);
    Ok(OK)
}

fn read_input(here: &Path, file: &Path) -> Result<String, Failure> {
    let text = std::fs::read_to_string(here.join(file))
        .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", file.display())))?;
    if text.trim().is_empty() {
        return Err(Failure::Usage(format!("{} is empty", file.display())));
    }
    Ok(text)
}

/// What an import answer says was and was not imported, for people.
fn import_report(answer: &Value) -> String {
    let mut text = format!(
        "stored {} v{} (source {})\n",
        answer["stage"].as_str().unwrap_or("?"),
        answer["version"].as_u64().unwrap_or(0),
        answer["source"].as_str().unwrap_or("import")
    );
    let imported: Vec<&str> = answer["imported"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    if !imported.is_empty() {
        text.push_str(&format!("imported ({}):\n", imported.len()));
        for line in imported {
            text.push_str(&format!("  {line}\n"));
        }
    }
    let not: Vec<String> = answer["notImported"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| match (n["what"].as_str().or(n["item"].as_str()), n["why"].as_str()) {
            (Some(what), Some(why)) => format!("{what}: {why}"),
            (None, Some(why)) => why.to_string(),
            _ => n.as_str().map_or_else(|| n.to_string(), str::to_string),
        })
        .collect();
    if !not.is_empty() {
        text.push_str(&format!("not imported ({}):\n", not.len()));
        for line in not {
            text.push_str(&format!("  {line}\n"));
        }
    }
    let stale: Vec<&str> = answer["stale"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    if !stale.is_empty() {
        text.push_str(&format!("now stale (the next run rebuilds them): {}\n", stale.join(", ")));
    }
    text
}

fn import(client: &Client, out: &Out, id: &str, here: &Path, what: &ImportCommand) -> Result<u8, Failure> {
    let answer = match what {
        ImportCommand::Data { file, dialect } => client.import_data(id, &read_input(here, file)?, dialect.as_str())?,
        ImportCommand::Api { file } => client.import_api(id, &read_input(here, file)?)?,
    };
    out.say(&import_report(&answer));
    out.data(&answer);
    Ok(OK)
}

fn check_repository(client: &Client, out: &Out, id: &str, here: &Path, args: &CheckArgs) -> Result<u8, Failure> {
    let repo = check::discover(
        here,
        args.sql.as_deref(),
        args.migrations.as_deref(),
        args.dialect.map(|d| d.as_str()),
        args.openapi.as_deref(),
    )?;
    let sql = repo.sql_text();
    let openapi = repo.openapi.as_ref().map(|(_, t)| t.as_str());
    let answer = client.drift(id, sql.as_deref(), &repo.dialect, openapi)?;
    if let Some(path) = &args.sarif {
        let log = check::sarif(&answer, &repo);
        let text = serde_json::to_string_pretty(&log).map_err(|e| Failure::Usage(e.to_string()))?;
        std::fs::write(here.join(path), text)
            .map_err(|e| Failure::Usage(format!("cannot write {}: {e}", path.display())))?;
    }
    let in_step = answer["inStep"].as_bool().unwrap_or(false);
    let mut document = answer.clone();
    document["files"] = repo.to_json();
    if !args.accept || in_step {
        out.say(&check::report(&answer, &repo));
        out.data(&document);
        return Ok(if in_step { OK } else { DRIFT });
    }
    out.say(&check::report(&answer, &repo));
    // --accept: each side with differences, its plan first, then stored. A
    // data model accepted can make the API's differences appear (an endpoint
    // of a new entity): the check runs again after each round, and a side
    // not yet accepted that differs then is offered in the next.
    let mut current = answer;
    let mut taken: Vec<&str> = Vec::new();
    let (mut plans, mut accepted) = (Vec::new(), Vec::new());
    loop {
        let differs =
            |source: &str| current["differences"].as_array().into_iter().flatten().any(|d| d["source"] == source);
        let sides: Vec<&str> = [("data", "sql"), ("api", "openapi")]
            .into_iter()
            .filter(|(side, source)| {
                !taken.contains(side) && differs(source) && !current["repository"][*side].is_null()
            })
            .map(|(side, _)| side)
            .collect();
        if sides.is_empty() {
            break;
        }
        for stage in &sides {
            let plan = client.plan_edit(id, stage, &current["repository"][*stage])?;
            out.say(&check::plan_report(stage, &plan));
            plans.push(json!({"stage": stage, "plan": plan}));
        }
        if !args.yes
            && !confirm(
                &format!("accept the repository's {} into the blueprint?", sides.join(" and ")),
                "check --accept changes the blueprint and there is no terminal to ask: pass --yes",
            )?
        {
            out.say("not accepted");
            break;
        }
        for stage in &sides {
            let stored = match *stage {
                "data" => client.import_data(id, sql.as_deref().unwrap_or_default(), &repo.dialect)?,
                _ => client.import_api(id, openapi.unwrap_or_default())?,
            };
            out.say(&import_report(&stored));
            accepted.push(stored);
        }
        taken.extend(&sides);
        current = client.drift(id, sql.as_deref(), &repo.dialect, openapi)?;
    }
    let in_step = current["inStep"].as_bool().unwrap_or(false);
    if !taken.is_empty() {
        out.say(&format!("accepted the repository's {}; checked again:", taken.join(" and ")));
        out.say(&check::report(&current, &repo));
    }
    document["plans"] = json!(plans);
    document["accepted"] = json!(accepted);
    document["after"] = current;
    out.data(&document);
    Ok(if in_step { OK } else { DRIFT })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_the_ideas_first_words() {
        assert_eq!(name_from("Plan meals from what is in the pantry, weekly"), "Plan meals from what is in");
        assert_eq!(name_from("x"), "x");
        let long = "a".repeat(300);
        assert_eq!(name_from(&long).chars().count(), 60);
    }

    #[test]
    fn an_import_answer_says_what_was_and_was_not_imported() {
        let answer = json!({"stage": "data", "version": 2, "source": "import",
            "imported": ["table PlaylistTrack as PlaylistTrack"],
            "notImported": [{"what": "Album.AlbumId", "why": "integer keys become text ids"}],
            "stale": ["logic", "api"]});
        let text = import_report(&answer);
        assert!(text.starts_with("stored data v2 (source import)\n"), "{text}");
        assert!(text.contains("imported (1):\n  table PlaylistTrack"), "{text}");
        assert!(text.contains("not imported (1):\n  Album.AlbumId: integer keys become text ids"), "{text}");
        assert!(text.contains("now stale (the next run rebuilds them): logic, api"), "{text}");
    }
}
