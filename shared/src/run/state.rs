//! A pipeline run as a state machine: its status, the stages it produced and
//! had approved, the cancel flag and a quota wait. Every change is a pure
//! transition here, tested natively; the supervisor's Durable Object only
//! stores the state, arms alarms and calls these.
//!
//! ```text
//!             start
//!               │
//!               ▼        approve          finish(AwaitingApproval)
//!   ┌──────► running ◄─────────────── awaiting_approval ◄───────┐
//!   │           │                                              │
//!   │ resume    │ finish(end) ─────────────────────────────────┘
//!   │ (alarm or ├──► waiting_for_quota  (finish(WaitingForQuota))
//!   │ Retry now)│         │
//!   └───────────┼─────────┘
//!               ▼
//!   completed · failed · cancelled · budget_exceeded   (final)
//! ```
//!
//! `cancel` ends a waiting run (for approval or for quota) at once; a running
//! one gets the flag, and its executor stops starting stages and ends it.
//! A run takes at most [`MAX_QUOTA_WAITS`] quota waits, each at least
//! [`MIN_QUOTA_WAIT_MS`].

use crate::run::execute::BudgetScope;
use crate::stage::Stage;
use serde::{Deserialize, Serialize};

crate::label_enum! {
    /// Where a run stands.
    pub enum RunStatus {
        /// Stages are executing (or about to).
        Running = "running",
        /// Produced stages wait for a person's approval before their dependents start.
        AwaitingApproval = "awaiting_approval",
        /// A stage hit Gemini's per-minute quota with a long `retryDelay`; the run
        /// resumes by itself at `resume_at`, or at once on *Retry now*.
        WaitingForQuota = "waiting_for_quota",
        /// Every stage is done.
        Completed = "completed",
        /// Some stage failed for good; running again resumes from the last good state.
        Failed = "failed",
        /// Cancelled; running again resumes.
        Cancelled = "cancelled",
        /// A token budget stopped it.
        BudgetExceeded = "budget_exceeded",
    }
}

impl RunStatus {
    /// Whether the run still holds the project (no other run or edit may start).
    pub fn active(self) -> bool {
        matches!(self, RunStatus::Running | RunStatus::AwaitingApproval | RunStatus::WaitingForQuota)
    }
}

/// Why a request to steer a run was refused (a 409 to the client).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunRefusal {
    /// Cancel without an active run.
    #[error("no pipeline run is active")]
    NoActiveRun,
    /// Approve of a stage that is not waiting for approval.
    #[error("{0}")]
    NothingToApprove(String),
}

impl RunRefusal {
    /// The machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            RunRefusal::NoActiveRun => "no_active_run",
            RunRefusal::NothingToApprove(_) => "nothing_to_approve",
        }
    }
}

/// Quota waits one run may take; Gemini asking for more means the quota is
/// not coming back soon, and the run stops (failed, resumable later) instead
/// of parking again and again.
pub const MAX_QUOTA_WAITS: u32 = 5;
/// The shortest quota wait: a parked run never resumes in a hot loop.
pub const MIN_QUOTA_WAIT_MS: u64 = 1_000;

/// What a cancel did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancelled {
    /// Nothing was executing: the run is over.
    Now,
    /// The executor will stop starting stages and end the run.
    Requested,
}

/// One run of one project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunState {
    /// Run id.
    pub id: String,
    /// Project.
    pub project_id: String,
    /// Status.
    pub status: RunStatus,
    /// How it ended, or why it waits, for people.
    pub message: Option<String>,
    /// Milliseconds since the epoch.
    pub started_at: u64,
    /// Last change.
    pub updated_at: u64,
    /// When it reached a final status.
    pub finished_at: Option<u64>,
    /// Approval gates on (project setting autoAdvance = false at start).
    pub gated: bool,
    /// Stages that produced a version in this run.
    pub produced: Vec<Stage>,
    /// Produced stages a person approved.
    pub approved: Vec<Stage>,
    /// Cancel was asked for; no new stage starts.
    pub cancel_requested: bool,
    /// While waiting for quota: when the run resumes by itself.
    #[serde(default)]
    pub resume_at: Option<u64>,
    /// While waiting for quota: the stages that wait.
    #[serde(default)]
    pub waiting: Vec<Stage>,
    /// Quota waits this run took.
    #[serde(default)]
    pub quota_waits: u32,
}

impl RunState {
    /// A new run, running.
    pub fn start(id: String, project_id: String, gated: bool, now: u64) -> Self {
        Self {
            id,
            project_id,
            status: RunStatus::Running,
            message: None,
            started_at: now,
            updated_at: now,
            finished_at: None,
            gated,
            produced: vec![],
            approved: vec![],
            cancel_requested: false,
            resume_at: None,
            waiting: vec![],
            quota_waits: 0,
        }
    }

    /// Whether the run still holds the project.
    pub fn active(&self) -> bool {
        self.status.active()
    }

    /// The gate rule: stages that read `stage` may start unless this run
    /// produced `stage` under approval gates and it is not approved yet.
    pub fn may_advance_past(&self, stage: Stage) -> bool {
        !self.gated || !self.produced.contains(&stage) || self.approved.contains(&stage)
    }

    /// Produced stages still waiting for approval.
    pub fn awaiting_approval(&self) -> Vec<Stage> {
        self.produced.iter().copied().filter(|s| !self.may_advance_past(*s)).collect()
    }

    /// `stage` produced a version in this run.
    pub fn produced(&mut self, stage: Stage, now: u64) {
        if !self.produced.contains(&stage) {
            self.produced.push(stage);
        }
        self.updated_at = now;
    }

    /// A person approved `stage`; a run that waited only for that goes on.
    pub fn approve(&mut self, stage: Stage, now: u64) -> Result<(), RunRefusal> {
        if !self.active() || !self.gated {
            return Err(RunRefusal::NothingToApprove("no run is waiting for approval".into()));
        }
        if self.may_advance_past(stage) {
            return Err(RunRefusal::NothingToApprove(format!("the {stage} stage is not waiting for approval")));
        }
        self.approved.push(stage);
        if self.status == RunStatus::AwaitingApproval {
            self.status = RunStatus::Running;
        }
        self.updated_at = now;
        Ok(())
    }

    /// Asks the run to stop. A running run stops starting stages and its
    /// executor ends it; one that waits (for approval or for quota) has no
    /// executor to notice the flag, so it ends here.
    pub fn cancel(&mut self, now: u64) -> Result<Cancelled, RunRefusal> {
        if !self.active() {
            return Err(RunRefusal::NoActiveRun);
        }
        self.cancel_requested = true;
        self.updated_at = now;
        if self.status == RunStatus::Running {
            return Ok(Cancelled::Requested);
        }
        self.end(&RunEnd::Cancelled, now);
        Ok(Cancelled::Now)
    }

    /// The executor stopped with `end`. A quota wait beyond
    /// [`MAX_QUOTA_WAITS`] ends the run failed instead.
    pub fn end(&mut self, end: &RunEnd, now: u64) {
        let too_many;
        let end = match end {
            RunEnd::WaitingForQuota { stages, .. } if self.quota_waits >= MAX_QUOTA_WAITS => {
                too_many = RunEnd::Failed(stages.clone());
                &too_many
            }
            other => other,
        };
        self.status = end.status();
        self.message = Some(end.describe());
        self.updated_at = now;
        self.finished_at = (!self.active()).then_some(now);
        (self.resume_at, self.waiting) = match end {
            RunEnd::WaitingForQuota { stages, retry_after_ms } => {
                self.quota_waits += 1;
                (Some(now + (*retry_after_ms).max(MIN_QUOTA_WAIT_MS)), stages.iter().map(|(s, _)| *s).collect())
            }
            _ => (None, vec![]),
        };
    }

    /// A run waiting for quota goes on (its alarm fired, or *Retry now*);
    /// `false` when it was not waiting.
    pub fn resume(&mut self, now: u64) -> bool {
        if self.status != RunStatus::WaitingForQuota {
            return false;
        }
        self.status = RunStatus::Running;
        self.resume_at = None;
        self.waiting.clear();
        self.updated_at = now;
        true
    }

    /// Milliseconds until a quota wait ends (0 once due); `None` unless waiting.
    pub fn wait_left(&self, now: u64) -> Option<u64> {
        (self.status == RunStatus::WaitingForQuota).then(|| self.resume_at.unwrap_or(now).saturating_sub(now))
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunEnd {
    /// Every stage is done.
    Completed,
    /// These stages failed for good (their descendants did not run).
    Failed(Vec<(Stage, String)>),
    /// Cancel was requested; in-flight stages were allowed to finish.
    Cancelled,
    /// These stages wait for approval before their dependents can start.
    AwaitingApproval(Vec<Stage>),
    /// These stages hit Gemini's per-minute quota with a `retryDelay`
    /// longer than an agent holds a request; nothing else could go on. The
    /// run waits `retry_after_ms` (the longest delay), then resumes them.
    WaitingForQuota {
        /// The stages and their failure class.
        stages: Vec<(Stage, String)>,
        /// How long to wait.
        retry_after_ms: u64,
    },
    /// Starting the next stage would have exceeded the token budget.
    BudgetExceeded {
        /// Which limit.
        scope: BudgetScope,
        /// Tokens spent.
        spent: u64,
        /// The budget.
        budget: u64,
    },
}

impl RunEnd {
    /// The run status this end leaves the run in.
    pub fn status(&self) -> RunStatus {
        match self {
            RunEnd::Completed => RunStatus::Completed,
            RunEnd::Failed(_) => RunStatus::Failed,
            RunEnd::Cancelled => RunStatus::Cancelled,
            RunEnd::AwaitingApproval(_) => RunStatus::AwaitingApproval,
            RunEnd::WaitingForQuota { .. } => RunStatus::WaitingForQuota,
            RunEnd::BudgetExceeded { .. } => RunStatus::BudgetExceeded,
        }
    }

    /// One sentence for the activity feed.
    pub fn describe(&self) -> String {
        match self {
            RunEnd::Completed => "The run completed: every stage is done".into(),
            RunEnd::Failed(stages) => {
                let list: Vec<String> = stages.iter().map(|(s, why)| format!("{s} ({why})")).collect();
                format!("The run stopped: {} failed; run again to resume from the last good state", list.join(", "))
            }
            RunEnd::Cancelled => "The run was cancelled; run again to resume".into(),
            RunEnd::AwaitingApproval(stages) => {
                let list: Vec<&str> = stages.iter().map(|s| s.as_str()).collect();
                format!("The run is waiting for approval of: {}", list.join(", "))
            }
            RunEnd::WaitingForQuota { stages, retry_after_ms } => {
                let list: Vec<&str> = stages.iter().map(|(s, _)| s.as_str()).collect();
                format!(
                    "The run is waiting for Gemini quota: {} asked to wait {} s; it resumes by itself then (or Retry now)",
                    list.join(", "),
                    retry_after_ms.div_ceil(1000)
                )
            }
            RunEnd::BudgetExceeded { scope: BudgetScope::Project, spent, budget } => {
                format!("The run stopped at the token budget: {spent} of {budget} tokens spent; raise the budget and run again")
            }
            RunEnd::BudgetExceeded { scope: BudgetScope::OwnerDaily, spent, budget } => {
                format!("The run stopped at the daily token limit: {spent} of {budget} tokens spent today; it resets at 00:00 UTC, then run again")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(gated: bool) -> RunState {
        RunState::start("r1".into(), "p1".into(), gated, 1_000)
    }

    fn quota_end(ms: u64) -> RunEnd {
        RunEnd::WaitingForQuota { stages: vec![(Stage::Logic, "quota_per_minute".into())], retry_after_ms: ms }
    }

    #[test]
    fn the_gate_holds_dependents_of_a_produced_stage_until_it_is_approved() {
        let mut r = run(true);
        assert!(r.may_advance_past(Stage::Prd), "not produced in this run: nothing to approve");
        r.produced(Stage::Prd, 2_000);
        assert!(!r.may_advance_past(Stage::Prd));
        assert_eq!(r.awaiting_approval(), vec![Stage::Prd]);
        r.end(&RunEnd::AwaitingApproval(vec![Stage::Prd]), 2_500);
        assert_eq!(r.status, RunStatus::AwaitingApproval);
        assert_eq!(r.finished_at, None, "waiting for approval is not an end");
        r.approve(Stage::Prd, 3_000).unwrap();
        assert_eq!(r.status, RunStatus::Running);
        assert!(r.may_advance_past(Stage::Prd));
        assert!(r.awaiting_approval().is_empty());
    }

    #[test]
    fn approving_twice_or_without_gates_is_refused_and_changes_nothing() {
        let mut r = run(true);
        r.produced(Stage::Prd, 2_000);
        r.approve(Stage::Prd, 3_000).unwrap();
        let before = r.clone();
        assert_eq!(r.approve(Stage::Prd, 4_000).unwrap_err().code(), "nothing_to_approve");
        assert_eq!(r.approve(Stage::Data, 4_000).unwrap_err().code(), "nothing_to_approve");
        assert_eq!(r, before);
        let mut ungated = run(false);
        ungated.produced(Stage::Prd, 2_000);
        assert!(ungated.approve(Stage::Prd, 3_000).is_err());
    }

    #[test]
    fn an_approval_while_waiting_for_quota_keeps_the_wait() {
        let mut r = run(true);
        r.produced(Stage::Prd, 2_000);
        r.end(&quota_end(47_000), 3_000);
        r.approve(Stage::Prd, 4_000).unwrap();
        assert_eq!(r.status, RunStatus::WaitingForQuota, "the parked stage still waits");
        assert_eq!(r.resume_at, Some(50_000));
        assert!(r.may_advance_past(Stage::Prd));
    }

    #[test]
    fn cancel_ends_a_waiting_run_at_once_and_only_flags_a_running_one() {
        let mut running = run(false);
        assert_eq!(running.cancel(2_000), Ok(Cancelled::Requested));
        assert_eq!(running.status, RunStatus::Running);
        assert!(running.cancel_requested);

        let mut gated = run(true);
        gated.produced(Stage::Prd, 1_500);
        gated.end(&RunEnd::AwaitingApproval(vec![Stage::Prd]), 2_000);
        assert_eq!(gated.cancel(3_000), Ok(Cancelled::Now));
        assert_eq!(gated.status, RunStatus::Cancelled);
        assert_eq!(gated.finished_at, Some(3_000));

        // Even while its executor is still writing the end: a waiting run has
        // no executor left to notice a flag.
        let mut waiting = run(false);
        waiting.end(&quota_end(47_000), 2_000);
        assert_eq!(waiting.cancel(3_000), Ok(Cancelled::Now));
        assert_eq!(waiting.status, RunStatus::Cancelled);
        assert_eq!(waiting.resume_at, None, "a cancelled run has no wait left");
        assert!(!waiting.resume(4_000), "a cancelled run does not resume");
        assert_eq!(waiting.cancel(5_000), Err(RunRefusal::NoActiveRun));
    }

    #[test]
    fn quota_waits_are_bounded_and_never_shorter_than_a_second() {
        let mut r = run(false);
        r.end(&quota_end(0), 1_000);
        assert_eq!(r.resume_at, Some(1_000 + MIN_QUOTA_WAIT_MS), "no hot loop");
        for i in 1..MAX_QUOTA_WAITS {
            assert!(r.resume(2_000 * u64::from(i)));
            r.end(&quota_end(47_000), 2_000 * u64::from(i));
            assert_eq!(r.status, RunStatus::WaitingForQuota, "wait {}", i + 1);
        }
        assert_eq!(r.quota_waits, MAX_QUOTA_WAITS);
        assert!(r.resume(20_000));
        r.end(&quota_end(47_000), 20_000);
        assert_eq!(r.status, RunStatus::Failed, "Gemini kept asking to wait: the run stops, resumable later");
        assert!(r.message.as_deref().unwrap().contains("logic (quota_per_minute)"), "{:?}", r.message);
        assert_eq!((r.resume_at, r.finished_at), (None, Some(20_000)));
    }

    #[test]
    fn a_quota_wait_parks_the_run_until_its_delay_then_resumes_it() {
        let mut r = run(false);
        r.end(&quota_end(47_000), 10_000);
        assert_eq!(r.status, RunStatus::WaitingForQuota);
        assert!(r.active(), "a waiting run still holds the project");
        assert_eq!(r.finished_at, None);
        assert_eq!(r.resume_at, Some(57_000));
        assert_eq!(r.waiting, vec![Stage::Logic]);
        assert_eq!(r.wait_left(20_000), Some(37_000));
        assert_eq!(r.wait_left(60_000), Some(0));
        // What clients see of it: `api::projects::Run::of`, tested there.
        assert!(r.resume(20_000), "Retry now resumes before the delay is over");
        assert_eq!(r.status, RunStatus::Running);
        assert_eq!((r.resume_at, r.wait_left(20_000)), (None, None));
        assert!(!r.resume(21_000), "only a waiting run resumes");
    }

    #[test]
    fn final_ends_finish_the_run_and_clear_any_wait() {
        for end in [RunEnd::Completed, RunEnd::Cancelled, RunEnd::Failed(vec![(Stage::Api, "safety".into())])] {
            let mut r = run(false);
            r.end(&quota_end(5_000), 2_000);
            r.resume(3_000);
            r.end(&end, 9_000);
            assert!(!r.active(), "{end:?}");
            assert_eq!(r.finished_at, Some(9_000));
            assert_eq!((r.resume_at, r.waiting.len()), (None, 0));
            assert_eq!(r.message.as_deref(), Some(end.describe().as_str()));
        }
    }

    #[test]
    fn the_stored_form_round_trips_and_reads_states_stored_before_quota_waits() {
        let mut r = run(true);
        r.produced(Stage::Prd, 2_000);
        let text = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<RunState>(&text).unwrap(), r);
        // As the object stored a run before quota waits, test faults included.
        let old = r#"{"id":"r","projectId":"p","status":"running","message":null,"startedAt":1,"updatedAt":1,
            "finishedAt":null,"gated":false,"produced":[],"approved":[],"cancelRequested":false,
            "faults":[{"kind":"r2Put","stage":"prd"}]}"#;
        let read: RunState = serde_json::from_str(old).unwrap();
        assert_eq!((read.status, read.resume_at, read.quota_waits), (RunStatus::Running, None, 0));
    }
}
