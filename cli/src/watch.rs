//! `--wait`: a run followed live from the project's event stream
//! (`GET …/events`, workers/supervisor/src/live.rs): a `snapshot` frame
//! first (the project, every stage's status, the run), then one frame per
//! activity row (`stage_started`, `stage_succeeded`, `stage_failed`,
//! `run_finished`, ...) and `progress` frames while a stage's model writes
//! (`CallProgress`: tokens so far). One indicatif bar per stage, on stderr;
//! when stderr is not a terminal the bars are hidden and each activity is
//! one plain line instead, for CI logs.
//!
//! The stream is read as the WHATWG HTML standard's "server-sent events"
//! section defines the format (html.spec.whatwg.org/multipage/
//! server-sent-events.html, read 2026-12-06): lines end in LF, CRLF or CR;
//! a blank line dispatches the event; a line starting with `:` is a comment;
//! `field: value` loses one space after the colon; several `data` lines are
//! joined by LF; `id` sets the last event id.

use crate::client::Client;
use crate::failure::Failure;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use parit_shared::agent::protocol::CallProgress;
use parit_shared::run::status::StageStatus;
use parit_shared::run::RunStatus;
use parit_shared::Stage;
use serde_json::Value;
use std::io::BufRead;

/// One server-sent event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Frame {
    /// `event` (`message` when none was given).
    pub(crate) event: String,
    /// `id`, when the frame had one.
    pub(crate) id: Option<String>,
    /// The `data` lines, joined.
    pub(crate) data: String,
}

/// The next frame of `reader`, `None` at the end of the stream (a frame cut
/// off without its blank line is dropped, as a browser drops it).
pub(crate) fn next_frame(reader: &mut dyn BufRead) -> std::io::Result<Option<Frame>> {
    let mut frame = Frame::default();
    let mut has_data = false;
    let mut raw = Vec::new();
    loop {
        raw.clear();
        if reader.read_until(b'\n', &mut raw)? == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&raw);
        // The server ends lines with LF; a CR before it (CRLF) or alone is
        // a line end too.
        for line in text.trim_end_matches(['\n', '\r']).split('\r') {
            if line.is_empty() {
                if has_data {
                    if frame.event.is_empty() {
                        frame.event = "message".into();
                    }
                    return Ok(Some(frame));
                }
                frame = Frame::default();
                continue;
            }
            if line.starts_with(':') {
                continue;
            }
            let (field, value) = match line.split_once(':') {
                Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
                None => (line, ""),
            };
            match field {
                "event" => frame.event = value.to_string(),
                "data" => {
                    if has_data {
                        frame.data.push('\n');
                    }
                    frame.data.push_str(value);
                    has_data = true;
                }
                "id" if !value.contains('\0') => frame.id = Some(value.to_string()),
                _ => {}
            }
        }
    }
}

/// The bars of a run: one per stage.
struct Bars {
    multi: MultiProgress,
    bars: Vec<(Stage, ProgressBar)>,
    visible: bool,
}

impl Bars {
    fn new(quiet: bool) -> Bars {
        let target = if quiet { ProgressDrawTarget::hidden() } else { ProgressDrawTarget::stderr() };
        let visible = !quiet && std::io::IsTerminal::is_terminal(&std::io::stderr());
        let multi = MultiProgress::with_draw_target(target);
        let style = ProgressStyle::with_template("{prefix:>11.bold} {spinner} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bars = Stage::ALL
            .iter()
            .map(|stage| {
                let bar = multi.add(ProgressBar::new_spinner().with_style(style.clone()));
                bar.set_prefix(stage.as_str());
                bar.set_message("pending");
                (*stage, bar)
            })
            .collect();
        Bars { multi, bars, visible }
    }

    fn bar(&self, stage: Stage) -> Option<&ProgressBar> {
        self.bars.iter().find(|(s, _)| *s == stage).map(|(_, b)| b)
    }

    /// Each stage as a project view shows it.
    fn show_project(&self, project: &Value) {
        for s in project["stages"].as_array().into_iter().flatten() {
            let Some(stage) = s["stage"].as_str().and_then(Stage::parse) else { continue };
            let status = s["status"].as_str().unwrap_or("pending");
            let text = match s["version"].as_u64() {
                Some(v) => format!("{status} (v{v})"),
                None => status.to_string(),
            };
            if let Some(bar) = self.bar(stage) {
                bar.set_message(text);
                bar.tick();
            }
        }
    }

    /// A line for people: above the bars, or alone when there are none.
    fn note(&self, line: &str, quiet: bool) {
        if self.visible {
            self.multi.suspend(|| eprintln!("{line}"));
        } else if !quiet {
            eprintln!("{line}");
        }
    }

    fn finish(&self) {
        for (_, bar) in &self.bars {
            bar.finish();
        }
    }
}

/// A `progress` frame's stage and what its bar says: the domain's own
/// `CallProgress`, with the stage the server adds.
fn progress_text(data: &Value) -> Option<(Stage, String)> {
    let stage = data["stage"].as_str().and_then(Stage::parse)?;
    let p = serde_json::from_value::<CallProgress>(data.clone()).ok()?;
    let estimated = if p.estimated { "~" } else { "" };
    Some((stage, format!("writing: {estimated}{} tokens, {} thinking", p.output_tokens, p.thought_tokens)))
}

/// Whether a project view's run is over (or there is none).
fn run_over(project: &Value) -> bool {
    match project["run"]["status"].as_str().and_then(RunStatus::parse) {
        Some(status) => !status.active(),
        None => true,
    }
}

/// Follows project `id`'s run until it ends; the project as it ends.
/// `quiet` hides the bars and lines (`--json`).
pub(crate) fn follow(client: &Client, id: &str, quiet: bool) -> Result<Value, Failure> {
    let bars = Bars::new(quiet);
    let mut last_id: Option<String> = None;
    let cut = |e: std::io::Error| Failure::Unreachable(format!("the event stream was cut: {e}"));
    // The server may close a slow viewer's stream: reconnect from the last
    // activity seen until the run is over.
    'connect: for _ in 0..20 {
        let mut stream = client.events(id, last_id.as_deref())?;
        while let Some(frame) = next_frame(&mut stream).map_err(cut)? {
            if frame.id.is_some() {
                last_id = frame.id.clone();
            }
            let Ok(data) = serde_json::from_str::<Value>(&frame.data) else { continue };
            match frame.event.as_str() {
                "snapshot" => {
                    bars.show_project(&data);
                    if run_over(&data) {
                        break 'connect;
                    }
                }
                "progress" => {
                    if let Some((stage, text)) = progress_text(&data) {
                        if let Some(bar) = bars.bar(stage) {
                            bar.set_message(text);
                            bar.tick();
                        }
                    }
                }
                kind => {
                    let stage = data["stage"].as_str().and_then(Stage::parse);
                    let message = data["message"].as_str().unwrap_or_default();
                    if let Some(bar) = stage.and_then(|s| bars.bar(s)) {
                        let text = match kind {
                            "stage_started" => "running".to_string(),
                            "stage_retried" => "retrying".to_string(),
                            "stage_succeeded" | "stage_cached" | "stage_approved" => "done".to_string(),
                            "stage_failed" => format!("failed: {message}"),
                            _ => message.to_string(),
                        };
                        bar.set_message(text);
                        bar.tick();
                    }
                    if !message.is_empty() {
                        bars.note(message, quiet);
                    }
                    if kind == "run_finished" {
                        break 'connect;
                    }
                }
            }
        }
        // The stream ended: over, or reconnect.
        if run_over(&client.project(id)?) {
            break;
        }
    }
    let project = client.project(id)?;
    bars.show_project(&project);
    bars.finish();
    Ok(project)
}

/// Whether every stage of a project view is done; else the failure to report.
pub(crate) fn outcome(project: &Value) -> Result<(), Failure> {
    let stages = project["stages"].as_array().cloned().unwrap_or_default();
    let not_done: Vec<&Value> = stages
        .iter()
        .filter(|s| s["status"].as_str().and_then(StageStatus::parse) != Some(StageStatus::Done))
        .collect();
    if !stages.is_empty() && not_done.is_empty() {
        return Ok(());
    }
    let run = project["run"]["status"].as_str().unwrap_or("none");
    let mut text = format!("the run ended {run}, not every stage is done");
    for s in not_done {
        text.push_str(&format!("\n  {}: {}", s["stage"].as_str().unwrap_or("?"), s["status"].as_str().unwrap_or("?")));
        if let Some(message) = s["error"]["message"].as_str() {
            text.push_str(&format!(" ({message})"));
        }
    }
    if let Some(message) = project["run"]["message"].as_str().filter(|m| !m.is_empty()) {
        text.push_str(&format!("\n  run: {message}"));
    }
    Err(Failure::RunFailed(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn frames(text: &str) -> Vec<Frame> {
        let mut reader = std::io::Cursor::new(text.as_bytes().to_vec());
        let mut out = Vec::new();
        while let Some(f) = next_frame(&mut reader).unwrap() {
            out.push(f);
        }
        out
    }

    #[test]
    fn frames_are_read_as_the_server_writes_them() {
        let text = "event: snapshot\ndata: {\"a\":1}\n\n: keepalive\n\nid: 7\nevent: stage_started\ndata: {\"stage\":\"prd\"}\n\n";
        let f = frames(text);
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!((f[0].event.as_str(), f[0].data.as_str(), f[0].id.as_deref()), ("snapshot", "{\"a\":1}", None));
        assert_eq!((f[1].event.as_str(), f[1].id.as_deref()), ("stage_started", Some("7")));
    }

    #[test]
    fn several_data_lines_join_and_a_cut_frame_is_dropped() {
        let f = frames("data:one\r\ndata: two\r\n\r\nevent: x\ndata: cut");
        assert_eq!(f, vec![Frame { event: "message".into(), id: None, data: "one\ntwo".into() }]);
    }

    #[test]
    fn a_progress_frame_as_the_server_writes_it_shows_its_tokens() {
        // As workers/supervisor/src/live.rs writes it: the agent's
        // CallProgress with its stage added.
        let mut data = serde_json::to_value(CallProgress {
            output_tokens: 120,
            thought_tokens: 40,
            estimated: true,
            ..CallProgress::default()
        })
        .unwrap();
        data["stage"] = json!("logic");
        assert_eq!(progress_text(&data), Some((Stage::Logic, "writing: ~120 tokens, 40 thinking".to_string())));
        assert_eq!(progress_text(&json!({"stage": "nope"})), None);
    }

    #[test]
    fn a_run_is_done_only_when_every_stage_is() {
        let stages = |statuses: &[&str]| -> Value {
            json!({"run": {"status": "completed"}, "stages": statuses.iter().zip(Stage::ALL).map(|(s, st)| json!({"stage": st, "status": s})).collect::<Vec<_>>()})
        };
        assert!(outcome(&stages(&["done"; 7])).is_ok());
        let mut failed = stages(&["done", "done", "done", "failed", "pending", "pending", "pending"]);
        failed["stages"][3]["error"] = json!({"class": "invalid", "message": "the logic artifact is not valid"});
        failed["run"]["status"] = json!("failed");
        let e = outcome(&failed).unwrap_err();
        assert_eq!(e.exit_code(), 3);
        assert!(e.to_string().contains("logic: failed (the logic artifact is not valid)"), "{e}");
        assert!(run_over(&failed));
        assert!(!run_over(&json!({"run": {"status": "running"}})));
    }
}
