//! Live progress on the real fleet: the agents stream, the project's object
//! holds every viewer's event stream and pushes to it (no polling), and a
//! cancel closes the model's connection. The local Gemini server writes
//! these tests' streams at a pace of their own (the `stream_slow` fault, matched
//! on each test's word), so a stage takes seconds while its progress flows.

use parit_fleet_tests::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::sync::{Arc, Mutex};

/// One server-sent event as a viewer read it: its id, event and data.
#[derive(Debug, Clone, PartialEq)]
struct Frame {
    id: Option<String>,
    event: String,
    data: Value,
}

/// A viewer of a project's event stream, read on its own thread.
struct Viewer {
    frames: Arc<Mutex<Vec<Frame>>>,
    keepalives: Arc<Mutex<u32>>,
}

impl Viewer {
    /// Connects as the default caller with request id `id`.
    fn open(project: &str, id: &str) -> Viewer {
        let url = format!("{}/api/projects/{project}/events", fleet().url);
        let response = ureq::get(&url)
            .set("authorization", &format!("Bearer {}", fleet().token))
            .set("x-request-id", id)
            .call()
            .expect("the event stream");
        let frames = Arc::new(Mutex::new(Vec::new()));
        let keepalives = Arc::new(Mutex::new(0));
        let (f, k) = (frames.clone(), keepalives.clone());
        std::thread::spawn(move || {
            let mut current = (None, String::new(), String::new());
            for line in BufReader::new(response.into_reader()).lines().map_while(Result::ok) {
                if line.starts_with(": keepalive") {
                    *k.lock().unwrap() += 1;
                } else if let Some(id) = line.strip_prefix("id: ") {
                    current.0 = Some(id.to_string());
                } else if let Some(event) = line.strip_prefix("event: ") {
                    current.1 = event.to_string();
                } else if let Some(data) = line.strip_prefix("data: ") {
                    current.2 = data.to_string();
                } else if line.is_empty() && !current.1.is_empty() {
                    let (id, event, data) = std::mem::take(&mut current);
                    let data = serde_json::from_str(&data).unwrap_or(Value::Null);
                    f.lock().unwrap().push(Frame { id, event, data });
                }
            }
        });
        Viewer { frames, keepalives }
    }

    fn frames(&self) -> Vec<Frame> {
        self.frames.lock().unwrap().clone()
    }

    fn saw(&self, event: &str) -> bool {
        self.frames().iter().any(|f| f.event == event)
    }

    /// The progress frames of `stage`, in order.
    fn progress_of(&self, stage: &str) -> Vec<Frame> {
        self.frames().into_iter().filter(|f| f.event == "progress" && f.data["stage"] == stage).collect()
    }

    /// The text `stage`'s progress frames add up to.
    fn text_of(&self, stage: &str) -> String {
        self.progress_of(stage).iter().map(|f| f.data["delta"].as_str().unwrap().to_string()).collect()
    }

    /// Whether it has seen `stage` succeed.
    fn saw_succeed(&self, stage: &str) -> bool {
        self.frames().iter().any(|f| f.event == "stage_succeeded" && f.data["stage"] == stage)
    }

    fn keepalives(&self) -> u32 {
        *self.keepalives.lock().unwrap()
    }
}

/// Queues the `stream_slow` fault: `word`'s next stream for `stage` written at
/// `tps` tokens a second.
fn pace(word: &str, stage: &str, tps: u64) {
    inject(json!({"kind": "stream_slow", "stage": stage, "match": word, "tokensPerSecond": tps}));
}

/// Opens a stream with request id `id`, reads its snapshot and closes it:
/// the D1 calls of the object's `watch` invocation, as its meter logged them.
/// Calls the object made between two invocations (a poll inside a held
/// stream would be one) are logged with the next one.
fn probe(project: &str, id: &str) -> u32 {
    let url = format!("{}/api/projects/{project}/events", fleet().url);
    let response = ureq::get(&url)
        .set("authorization", &format!("Bearer {}", fleet().token))
        .set("x-request-id", id)
        .call()
        .expect("the event stream");
    let first: Vec<String> =
        BufReader::new(response.into_reader()).lines().map_while(Result::ok).take_while(|l| !l.is_empty()).collect();
    assert_eq!(first.first().map(String::as_str), Some("event: snapshot"));
    let mut calls = None;
    poll_until("the probe's watch is logged", || {
        calls = meter_lines().iter().find(|x| x.id == id && x.invocation == "object watch").map(|x| x.usage.d1_calls);
        calls.is_some()
    });
    calls.unwrap()
}

#[test]
fn twenty_viewers_see_every_event_and_the_prd_grow_and_cost_no_query_while_idle() {
    let base = &fleet().url;
    let word = unique("live");
    let project = create_project(base, "Live", &format!("Plan a week of meals from the pantry {word}"));
    pace(&word, "prd", 150);
    let tag = word.replace(|c: char| !c.is_ascii_alphanumeric(), "");
    let viewers: Vec<Viewer> = (0..20).map(|i| Viewer::open(&project, &format!("{tag}v{i}"))).collect();
    poll_until("every viewer has its snapshot", || viewers.iter().all(|v| v.saw("snapshot")));
    let (status, body) = start_run(base, &project);
    assert_eq!(status, 202, "{body}");
    poll_until("every viewer has seen the run finish", || viewers.iter().all(|v| v.saw("run_finished")));

    let activity = |v: &Viewer| -> Vec<(Option<String>, String)> {
        v.frames().into_iter().filter(|f| f.id.is_some()).map(|f| (f.id, f.event)).collect()
    };
    // Every viewer sees every event the feed holds since it connected, in order.
    let (_, feed) = get(&format!("{base}/api/projects/{project}/activity?limit=1000"));
    let written: Vec<String> = feed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .filter(|k| k != "project_created")
        .collect();
    assert_eq!(written.iter().filter(|k| *k == "stage_succeeded").count(), 7, "{written:?}");
    for v in &viewers {
        let seen: Vec<String> = activity(v).into_iter().map(|(_, kind)| kind).collect();
        assert_eq!(seen, written, "every viewer sees every event, in order");
    }
    let first = activity(&viewers[0]);
    for v in &viewers[1..] {
        assert_eq!(activity(v), first, "with the same ids");
    }

    // The PRD's progress: tokens growing, all of it before the stage is done,
    // and the text a viewer puts together is the artifact the stage stored.
    let viewer = &viewers[7];
    let frames = viewer.frames();
    let done = frames.iter().position(|f| f.event == "stage_succeeded" && f.data["stage"] == "prd").unwrap();
    let prd = viewer.progress_of("prd");
    assert!(prd.len() >= 3, "a PRD written over seconds is heard several times: {prd:?}");
    let before_done = frames[..done].iter().filter(|f| f.event == "progress" && f.data["stage"] == "prd").count();
    assert_eq!(before_done, prd.len(), "all of the PRD's progress comes before it is done");
    let tokens: Vec<u64> = prd.iter().map(|f| f.data["outputTokens"].as_u64().unwrap()).collect();
    assert!(tokens[0] < tokens[tokens.len() - 2], "the counts grow: {tokens:?}");
    assert_eq!(prd.last().unwrap().data["estimated"], false, "Google's own count comes last");
    let text = viewer.text_of("prd");
    let written: Value = serde_json::from_str(&text).expect("the deltas make the whole answer");
    let (_, stored) = get(&format!("{base}/api/projects/{project}/artifacts/prd"));
    assert_eq!(written["productName"], stored["artifact"]["productName"], "{stored}");
    assert_eq!(written["userStories"], stored["artifact"]["userStories"]);

    // Idle: nothing is polled. A probe's watch costs the same D1 calls right
    // after the run and after every viewer has sat through two keepalive
    // intervals (15 s each), the object's calls between them logged with
    // the second.
    let right_after = probe(&project, &format!("{tag}p1"));
    let idle = std::time::Instant::now();
    let had: Vec<u32> = viewers.iter().map(Viewer::keepalives).collect();
    poll_until("every viewer has had two more keepalives", || {
        viewers.iter().zip(&had).all(|(v, had)| v.keepalives() >= had + 2)
    });
    let idle = idle.elapsed().as_secs_f64();
    let after_idle = probe(&project, &format!("{tag}p2"));
    assert_eq!(after_idle, right_after, "20 idle viewers cost no D1 query");
    figure(
        "live_idle_viewers",
        json!({"viewers": 20, "idleSeconds": idle, "d1CallsWhileIdle": after_idle - right_after}),
    );
}

#[test]
fn a_viewer_who_connects_mid_stage_gets_the_text_so_far_then_the_rest() {
    let base = &fleet().url;
    let word = unique("late");
    let project = create_project(base, "Late", &format!("Book appointments at a small clinic {word}"));
    pace(&word, "prd", 100);
    let early = Viewer::open(&project, &format!("late{}e", std::process::id()));
    let (status, body) = start_run(base, &project);
    assert_eq!(status, 202, "{body}");
    poll_until("the PRD is being written", || early.progress_of("prd").len() >= 2);
    let late = Viewer::open(&project, &format!("late{}l", std::process::id()));
    poll_until("the late viewer has seen the PRD finish", || late.saw_succeed("prd"));
    poll_until("the early viewer has seen the PRD finish", || early.saw_succeed("prd"));
    let late_frames = late.frames();
    assert_eq!(late_frames[0].event, "snapshot", "the snapshot first");
    assert_eq!(late_frames[0].data["id"], project.as_str());
    assert_eq!(late.text_of("prd"), early.text_of("prd"), "the late viewer's text is whole");
}

#[test]
fn cancel_closes_the_models_connection_and_records_what_it_billed() {
    let base = &fleet().url;
    let word = unique("cancel");
    let project = create_project(base, "Cancel", &format!("Plan a week of meals from the pantry {word}"));
    // About a minute of writing at this pace: a cancel lands in the middle.
    pace(&word, "prd", 20);
    let viewer = Viewer::open(&project, &format!("cancel{}", std::process::id()));
    let (status, body) = start_run(base, &project);
    assert_eq!(status, 202, "{body}");
    poll_until("the PRD is being written", || !viewer.progress_of("prd").is_empty());
    let asked = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    let (status, body) = post(&format!("{base}/api/projects/{project}/cancel"), &json!({}));
    assert_eq!(status, 200, "{body}");

    // The local server sees its stream closed by the client, unfinished.
    let streams = || -> Vec<Value> {
        let (_, v) = get(&format!("{}/__control/streams?match={word}", fleet().gemini_url));
        v["streams"].as_array().cloned().unwrap_or_default()
    };
    poll_until("the model's stream is closed", || streams().iter().any(|s| s["state"] != "open"));
    let stream = streams().into_iter().next().unwrap();
    assert_eq!(stream["state"], "closed_by_client", "{stream}");
    assert!(stream["sent"].as_u64() < stream["events"].as_u64(), "{stream}");
    let closed = stream["closedAtMs"].as_u64().unwrap();
    figure("live_cancel_to_upstream_close", json!({"ms": closed.saturating_sub(asked)}));

    // The run ends cancelled; the PRD keeps no version, says why, and its
    // trace carries the tokens the stream had reached.
    let project_view = wait_for_run(base, &project);
    assert_eq!(project_view["run"]["status"], "cancelled", "{project_view}");
    let prd = stage_table(&project_view).into_iter().find(|(s, _, _)| s == "prd").unwrap();
    assert_eq!(prd.2, None, "no PRD version: {project_view}");
    let (_, traces) = get(&format!("{base}/api/projects/{project}/traces"));
    let prd_traces: Vec<&Value> = traces["traces"].as_array().unwrap().iter().filter(|t| t["stage"] == "prd").collect();
    assert_eq!(prd_traces.len(), 1, "{traces}");
    let billed = prd_traces[0]["outputTokens"].as_u64().unwrap_or(0);
    assert!(billed > 0, "the cancelled call's tokens are recorded: {}", prd_traces[0]);
    // Resumable: the next run writes the PRD.
    let (status, body) = start_run(base, &project);
    assert_eq!(status, 202, "{body}");
    let done = wait_for_run(base, &project);
    assert_eq!(done["run"]["status"], "completed", "{done}");
}
