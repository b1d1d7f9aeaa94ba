//! In-memory implementations of the ports, for native tests and benchmarks.
//! Each can be told to fail, to exercise the failure paths.

use crate::project::ProjectSettings;
use crate::protocol::GenerateRequest;
use crate::stage::Stage;
use crate::store::*;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

/// The system of record, in memory.
#[derive(Default)]
pub struct MemoryStore {
    /// Projects by id.
    pub projects: RefCell<BTreeMap<String, ProjectRecord>>,
    /// Settings by project.
    pub settings: RefCell<BTreeMap<String, ProjectSettings>>,
    /// Every artifact version.
    pub artifacts: RefCell<Vec<ArtifactRecord>>,
    /// Checkpoints by (project, stage).
    pub checkpoints: RefCell<BTreeMap<(String, Stage), CheckpointRecord>>,
    /// Every trace.
    pub traces: RefCell<Vec<TraceRecord>>,
    /// Every activity event.
    pub activity: RefCell<Vec<ActivityRecord>>,
    /// When set, `commit_version` fails.
    pub fail_commit: Cell<bool>,
}

impl MemoryStore {
    /// A store holding one project, `p1`, about `idea`.
    pub fn with_project(name: &str, idea: &str) -> Self {
        let store = MemoryStore::default();
        store.projects.borrow_mut().insert(
            "p1".into(),
            ProjectRecord {
                id: "p1".into(),
                owner_id: "o".into(),
                name: name.into(),
                idea: idea.into(),
                created_at: 0,
                updated_at: 0,
            },
        );
        store
    }
}

impl MemoryStore {
    /// Tokens billed to `project_id` so far (for assertions).
    pub fn tokens_spent_now(&self, project_id: &str) -> u64 {
        self.traces.borrow().iter().filter(|t| t.project_id == project_id).map(|t| t.usage.total()).sum()
    }
}

impl Store for MemoryStore {
    async fn project(&self, id: &str) -> Result<Option<ProjectRecord>, StoreError> {
        Ok(self.projects.borrow().get(id).cloned())
    }
    async fn settings(&self, project_id: &str) -> Result<ProjectSettings, StoreError> {
        Ok(self.settings.borrow().get(project_id).cloned().unwrap_or_default())
    }
    async fn latest_artifact(&self, project_id: &str, stage: Stage) -> Result<Option<ArtifactRecord>, StoreError> {
        Ok(self
            .artifacts
            .borrow()
            .iter()
            .filter(|a| a.project_id == project_id && a.stage == stage)
            .max_by_key(|a| a.version)
            .cloned())
    }
    async fn latest_artifacts(&self, project_id: &str) -> Result<Vec<ArtifactRecord>, StoreError> {
        let mut out = Vec::new();
        for stage in Stage::ALL {
            if let Some(a) = self.latest_artifact(project_id, stage).await? {
                out.push(a);
            }
        }
        Ok(out)
    }
    async fn checkpoints(&self, project_id: &str) -> Result<Vec<CheckpointRecord>, StoreError> {
        Ok(self.checkpoints.borrow().values().filter(|c| c.project_id == project_id).cloned().collect())
    }
    async fn tokens_spent(&self, project_id: &str) -> Result<u64, StoreError> {
        Ok(self.tokens_spent_now(project_id))
    }
    async fn owner_tokens_on_day(&self, owner_id: &str, day: u64) -> Result<u64, StoreError> {
        let projects = self.projects.borrow();
        let owned = |id: &str| projects.get(id).is_some_and(|p| p.owner_id == owner_id);
        let traces = self.traces.borrow();
        Ok(traces
            .iter()
            .filter(|t| owned(&t.project_id) && t.created_at / crate::store::DAY_MS == day)
            .map(|t| t.usage.total())
            .sum())
    }
    async fn commit_version(&self, artifact: &ArtifactRecord, checkpoint: &CheckpointRecord) -> Result<(), StoreError> {
        if self.fail_commit.get() {
            return Err(StoreError::Unavailable("injected commit failure".into()));
        }
        let taken =
            self.artifacts.borrow().iter().any(|a| {
                a.project_id == artifact.project_id && a.stage == artifact.stage && a.version == artifact.version
            });
        if taken {
            return Err(StoreError::Conflict(format!("{} v{} already exists", artifact.stage, artifact.version)));
        }
        self.artifacts.borrow_mut().push(artifact.clone());
        self.checkpoints.borrow_mut().insert((checkpoint.project_id.clone(), checkpoint.stage), checkpoint.clone());
        Ok(())
    }
    async fn mark_stage(&self, c: &CheckpointRecord) -> Result<(), StoreError> {
        let mut map = self.checkpoints.borrow_mut();
        let entry = map.entry((c.project_id.clone(), c.stage)).or_insert_with(|| CheckpointRecord {
            last_good_version: None,
            input_hash: None,
            ..c.clone()
        });
        entry.status = c.status;
        entry.error_class = c.error_class.clone();
        entry.error_message = c.error_message.clone();
        entry.updated_at = c.updated_at;
        Ok(())
    }
    async fn add_traces(&self, traces: &[TraceRecord]) -> Result<(), StoreError> {
        self.traces.borrow_mut().extend_from_slice(traces);
        Ok(())
    }
    async fn add_activity(&self, events: &[ActivityRecord]) -> Result<(), StoreError> {
        self.activity.borrow_mut().extend_from_slice(events);
        Ok(())
    }
}

/// Blobs in memory.
#[derive(Default)]
pub struct MemoryBlobs {
    /// Bodies by key.
    pub objects: RefCell<BTreeMap<String, Vec<u8>>>,
    /// When set, `put` fails.
    pub fail_put: Cell<bool>,
}

impl BlobStore for MemoryBlobs {
    async fn put(&self, key: &str, body: Vec<u8>) -> Result<(), StoreError> {
        if self.fail_put.get() {
            return Err(StoreError::Unavailable("injected put failure".into()));
        }
        self.objects.borrow_mut().insert(key.to_string(), body);
        Ok(())
    }
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.objects.borrow().get(key).cloned())
    }
    async fn delete(&self, keys: &[String]) -> Result<(), StoreError> {
        let mut objects = self.objects.borrow_mut();
        for k in keys {
            objects.remove(k);
        }
        Ok(())
    }
}

/// Agents that answer from a function, recording every request.
pub struct FnAgents<F: Fn(Stage, &GenerateRequest) -> AgentReply> {
    /// The answer function.
    pub answer: F,
    /// Requests received, by stage.
    pub requests: RefCell<Vec<(Stage, GenerateRequest)>>,
}

impl<F: Fn(Stage, &GenerateRequest) -> AgentReply> FnAgents<F> {
    /// Agents answering with `answer`.
    pub fn new(answer: F) -> Self {
        Self { answer, requests: RefCell::new(Vec::new()) }
    }
}

impl<F: Fn(Stage, &GenerateRequest) -> AgentReply> AgentPort for FnAgents<F> {
    async fn generate(&self, stage: Stage, request: &GenerateRequest) -> AgentReply {
        self.requests.borrow_mut().push((stage, request.clone()));
        (self.answer)(stage, request)
    }
}

/// A clock that ticks one millisecond per reading, and sequential ids.
#[derive(Default)]
pub struct TickingEnv {
    now: Cell<u64>,
    next_id: Cell<u64>,
}

impl Environment for TickingEnv {
    fn now_ms(&self) -> u64 {
        self.now.set(self.now.get() + 1);
        self.now.get()
    }
    fn new_id(&self) -> String {
        self.next_id.set(self.next_id.get() + 1);
        format!("{:08x}", self.next_id.get())
    }
}
