//! The runtime dies mid-run: `wrangler dev` is stopped while a stage is in
//! flight and started again on the same state. The run completes by itself,
//! and every stage has exactly one version. This suite starts its own fleet
//! (with scripts/fleet.sh) so stopping it disturbs no other test.

use parit_fleet_tests::*;
use serde_json::json;
use std::process::Command;
use std::time::Duration;

/// Runs scripts/fleet.sh; what it printed (for `up`, the fleet's URL).
fn fleet_sh(args: &[&str]) -> String {
    let root = std::env::var("PARIT_ROOT").expect("PARIT_ROOT is set by scripts/test.sh");
    let out = Command::new(format!("{root}/scripts/fleet.sh"))
        .args(args)
        .stderr(std::process::Stdio::inherit())
        .output()
        .expect("fleet.sh runs");
    assert!(out.status.success(), "fleet.sh {args:?} failed");
    String::from_utf8(out.stdout).expect("fleet.sh prints text").trim().to_string()
}

/// Stops the suite's own fleet when the test ends, pass or fail.
struct Stopped<'a>(&'a str);

impl Drop for Stopped<'_> {
    fn drop(&mut self) {
        let root = std::env::var("PARIT_ROOT").unwrap_or_default();
        let _ = Command::new(format!("{root}/scripts/fleet.sh")).args(["down", "--dir", self.0]).status();
    }
}

#[test]
fn a_run_survives_the_runtime_restarting_mid_stage() {
    let root = std::env::var("PARIT_ROOT").expect("PARIT_ROOT");
    let dir = format!("{root}/.parit/test/restart");
    let port = free_port().to_string();
    let up = [
        "up",
        "--dir",
        dir.as_str(),
        "--port",
        port.as_str(),
        "--gemini-url",
        fleet().gemini_url.as_str(),
        "--timeout-ms",
        "5000",
    ];
    let base = fleet_sh(&up);
    let _stop = Stopped(&dir);
    let token = mint_token(&base, &format!("{dir}/state"), "restarter");
    let word = unique("restart");
    let id = create_project(&base, "Restart", &format!("Plan meals from the pantry {word}"));
    inject(json!({"kind": "slow", "match": word, "times": 100, "delayMs": 1500}));
    assert_eq!(start_run(&base, &id).0, 202);
    // Wait until some stages are done and one is in flight, then kill the runtime.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let (_, p) = get(&format!("{base}/api/projects/{id}"));
        let table = stage_table(&p);
        if table.iter().filter(|(_, s, _)| s == "done").count() >= 2 && table.iter().any(|(_, s, _)| s == "running") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the run never got going: {p}");
        std::thread::sleep(Duration::from_millis(100));
    }
    fleet_sh(&["down", "--dir", &dir]);
    // The restarted runtime listens on a socket of its own.
    let base = fleet_sh(&up);
    use_token(&base, &token);
    let project = wait_for_run(&base, &id);
    fleet_sh(&["down", "--dir", &dir]);
    assert_eq!(project["run"]["status"], "completed", "{project}");
    assert!(stage_table(&project).iter().all(|(_, s, v)| s == "done" && *v == Some(1)), "{project}");
    // Each stage produced exactly one version; an interrupted call was made again.
    let stages = stages_requested(&word);
    for s in parit_shared::Stage::ALL {
        assert!(stages.iter().any(|x| x == s.as_str()), "{s} never ran");
    }
}
