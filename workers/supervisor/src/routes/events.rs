//! `GET /api/projects/:id/events`: live progress as server-sent events.
//!
//! The stream reads the run's actual state from D1: first a `snapshot` frame
//! (the project with every stage's status and the current run), so a client
//! that connects late starts from the truth, then one frame per activity event
//! as it is recorded (`stage_started`, `stage_retried`, `stage_succeeded`,
//! `stage_failed`, `run_finished`, ...), each with its row id as the SSE `id`,
//! so a reconnecting client's `Last-Event-ID` resumes where it left off.
//! Comments keep idle connections open. Every poll is a D1 call, and one
//! invocation may make 50 subrequests on the Workers Free plan
//! (`parit_shared::limits`), so a stream ends after `EVENT_STREAM_POLLS` polls and
//! the client reconnects with `Last-Event-ID` (EventSource does so by itself;
//! the web app's `follow()` too).

use crate::app::App;
use crate::d1::col_str;
use crate::error::AppResult;
use crate::meter::Meter;
use crate::routes::projects;
use futures_util::stream;
use parit_shared::limits::{EVENT_POLL_MS, EVENT_STREAM_POLLS};
use serde_json::{json, Value};
use std::time::Duration;
use worker::{Date, Delay, Env, Headers, Request, Response};

const POLL: Duration = Duration::from_millis(EVENT_POLL_MS);
const KEEPALIVE_MS: u64 = 15_000;

struct Cursor {
    env: Env,
    owner: Option<String>,
    project: String,
    last_seq: Option<u64>,
    polls: u32,
    last_frame: u64,
    meter: Meter,
    snapshot_sent: bool,
}

pub(crate) async fn events(app: &App, id: &str, req: &Request) -> AppResult<Response> {
    app.owned_project(id).await?;
    let resume = req.headers().get("last-event-id")?.and_then(|v| v.parse::<u64>().ok());
    let now = Date::now().as_millis();
    let cursor = Cursor {
        env: app.env.clone(),
        owner: app.owner.clone(),
        project: id.to_string(),
        last_seq: resume,
        polls: 0,
        last_frame: now,
        meter: app.meter.clone(),
        snapshot_sent: false,
    };
    // The stream outlives the handler: its polls are this invocation's too.
    app.meter.hold();
    let frames = stream::unfold(cursor, |mut c| async move {
        let frame = next_frame(&mut c).await?;
        Some((Ok::<Vec<u8>, worker::Error>(frame.into_bytes()), c))
    });
    let headers = Headers::new();
    headers.set("content-type", "text/event-stream; charset=utf-8")?;
    headers.set("cache-control", "no-store")?;
    Ok(Response::from_stream(frames)?.with_headers(headers))
}

/// The next chunk of the stream, or `None` to end it.
async fn next_frame(c: &mut Cursor) -> Option<String> {
    let mut app = App::metered(c.env.clone(), c.meter.clone()).ok()?;
    app.owner = c.owner.clone();
    if !c.snapshot_sent {
        c.snapshot_sent = true;
        if c.last_seq.is_none() {
            c.last_seq = Some(app.store.last_activity_seq(&c.project).await.ok()?);
        }
        let snapshot = projects::snapshot(&app, &c.project).await.ok()?;
        return Some(frame(None, "snapshot", &snapshot));
    }
    loop {
        let now = Date::now().as_millis();
        if c.polls >= EVENT_STREAM_POLLS {
            // The stream's end is the invocation's: what it spent, polls included.
            c.meter.name(|| "GET /api/projects/:id/events (stream)".into());
            c.meter.report(String::new);
            return None;
        }
        c.polls += 1;
        let rows = app.store.activity_after(&c.project, c.last_seq.unwrap_or(0)).await.ok()?;
        if !rows.is_empty() {
            let mut out = String::new();
            for r in &rows {
                let seq = r["seq"].as_f64().map_or(0, |f| f as u64);
                c.last_seq = Some(seq);
                let kind = col_str(r, "kind");
                let data = json!({
                    "kind": kind,
                    "stage": r["stage"],
                    "message": r["message"],
                    "createdAt": r["created_at"],
                });
                out.push_str(&frame(Some(seq), &kind, &data));
            }
            c.last_frame = now;
            return Some(out);
        }
        if now.saturating_sub(c.last_frame) > KEEPALIVE_MS {
            c.last_frame = now;
            return Some(": keepalive\n\n".into());
        }
        Delay::from(POLL).await;
    }
}

fn frame(id: Option<u64>, event: &str, data: &Value) -> String {
    let id = id.map_or(String::new(), |i| format!("id: {i}\n"));
    format!("{id}event: {event}\ndata: {data}\n\n")
}
