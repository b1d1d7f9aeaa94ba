//! The viewers of one project, held by its `PipelineRun` object: every open
//! event stream (`GET /api/projects/:id/events`) is a channel here, and what
//! the object learns reaches them all at once, with no polling: each
//! activity row as it is written (read back once, for its `seq`, however many
//! watch) and each progress of the stage being written as the agent streams
//! it. A viewer who connects gets the snapshot, the activity after its
//! `Last-Event-ID`, and the progress of the stage in flight from its start,
//! then live frames. An idle viewer costs no query: only a comment every
//! [`KEEPALIVE`] keeps proxies from closing the connection.

use crate::row::row;
use futures_util::future::{poll_fn, select, Either};
use futures_util::{stream, Stream};
use parit_shared::api::runs::LiveActivity;
use parit_shared::schema::ToJson;
use parit_shared::Stage;
use serde_json::{json, Value};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::task::{Poll, Waker};
use std::time::Duration;
use worker::Delay;

row! {
    /// An activity row with its place in the project's feed (`seq`), as
    /// the stream sends it.
    struct ActivityRow {
        seq: u64 = "rowid",
        stage: Option<Stage>,
        kind: String,
        message: String,
        created_at: u64,
    }
}

/// Longest an open stream stays silent.
const KEEPALIVE: Duration = Duration::from_secs(15);

/// Activity frames kept for a viewer whose first read raced a write.
const RECENT: usize = 64;

/// What one side of an object hands the other: items in order, and the
/// task waiting for them. The object is single-threaded, so a shared cell
/// does what a channel would (futures-channel cost the supervisor's WASM
/// kilobytes it does not have).
pub(crate) struct Inbox<T> {
    items: VecDeque<T>,
    waiting: Option<Waker>,
    /// Nothing more comes: the reader ends once it has what is queued.
    closed: bool,
}

impl<T> Inbox<T> {
    fn shared() -> Rc<RefCell<Inbox<T>>> {
        Rc::new(RefCell::new(Inbox { items: VecDeque::new(), waiting: None, closed: false }))
    }

    fn put(&mut self, item: T) {
        self.items.push_back(item);
        self.wake();
    }

    fn close(&mut self) {
        self.closed = true;
        self.wake();
    }

    fn wake(&mut self) {
        if let Some(w) = self.waiting.take() {
            w.wake();
        }
    }
}

/// The next item of `inbox`, when it comes; `None` once it is closed and empty.
pub(crate) async fn next<T>(inbox: &RefCell<Inbox<T>>) -> Option<T> {
    poll_fn(|cx| {
        let mut i = inbox.borrow_mut();
        match i.items.pop_front() {
            Some(item) => Poll::Ready(Some(item)),
            None if i.closed => Poll::Ready(None),
            None => {
                i.waiting = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    })
    .await
}

/// An open event stream, and the newest activity `seq` it has been sent.
struct Viewer {
    inbox: Rc<RefCell<Inbox<String>>>,
    seen: Cell<u64>,
}

/// Frames a viewer may have waiting: one that reads slower than the run
/// writes is closed (its client reconnects and is sent the state afresh),
/// so a stalled connection cannot hold the object's memory.
const MOST_QUEUED: usize = 2_000;

impl Viewer {
    /// Whether its stream is still read (a dropped stream drops its end).
    fn open(&self) -> bool {
        Rc::strong_count(&self.inbox) > 1 && !self.inbox.borrow().closed
    }

    /// Sends `frame`; false when the viewer has gone or fallen too far behind.
    fn send(&self, frame: &str) -> bool {
        if !self.open() {
            return false;
        }
        let mut inbox = self.inbox.borrow_mut();
        if inbox.items.len() >= MOST_QUEUED {
            inbox.close();
            return false;
        }
        inbox.put(frame.to_string());
        true
    }
}

/// One project's viewers and what they are shown live (see the module docs).
#[derive(Default)]
pub(crate) struct Live {
    viewers: RefCell<Vec<Viewer>>,
    /// The newest activity frames, by `seq`.
    recent: RefCell<VecDeque<(u64, String)>>,
    /// Progress frames of the stages being written, by stage, from each
    /// stage's start: what a viewer who connects mid-stage is sent again.
    progress: RefCell<Vec<(Stage, String)>>,
    /// The newest activity `seq` sent to the viewers (the read-back's cursor).
    pub(crate) seq: Cell<u64>,
    /// Activity writes this object has made: a viewer connecting across one
    /// reads again what it may have missed.
    pub(crate) writes: Cell<u64>,
    /// Stops the agent call in flight (a cancelled run).
    stop: RefCell<Option<Rc<RefCell<Inbox<()>>>>>,
    /// A cancel was asked for: no agent call starts until the next run.
    pub(crate) cancelled: Cell<bool>,
}

impl Live {
    /// Whether anyone watches.
    pub(crate) fn watched(&self) -> bool {
        !self.viewers.borrow().is_empty()
    }

    /// A new viewer, sent `first` (the snapshot and the activity it missed,
    /// up to `seen`), any newer activity, and the progress so far, then
    /// every frame as it comes, with keepalives between.
    pub(crate) fn watch(&self, mut first: String, seen: u64) -> impl Stream<Item = String> + 'static {
        let mut newest = seen;
        for (seq, f) in self.recent.borrow().iter().filter(|(seq, _)| *seq > seen) {
            first.push_str(f);
            newest = newest.max(*seq);
        }
        first.extend(self.progress.borrow().iter().map(|(_, f)| f.as_str()));
        let inbox = Inbox::shared();
        inbox.borrow_mut().put(first);
        let mut viewers = self.viewers.borrow_mut();
        viewers.retain(Viewer::open);
        // The read-back's cursor is the viewers' own: only the first one sets it.
        if viewers.is_empty() {
            self.seq.set(self.seq.get().max(newest));
        }
        viewers.push(Viewer { inbox: inbox.clone(), seen: Cell::new(newest) });
        stream::unfold(inbox, |inbox| async move {
            let frame = match select(Box::pin(next(&inbox)), Box::pin(Delay::from(KEEPALIVE))).await {
                Either::Left((frame, _)) => frame?,
                Either::Right(_) => ": keepalive\n\n".to_string(),
            };
            Some((frame, inbox))
        })
    }

    /// Activity was written naming `stages`: their progress is not replayed
    /// any more (each has ended, or starts afresh), watched or not.
    pub(crate) fn written(&self, stages: impl Iterator<Item = Stage>) {
        self.writes.set(self.writes.get() + 1);
        for stage in stages {
            self.progress.borrow_mut().retain(|(s, _)| *s != stage);
        }
    }

    /// Activity rows as read from D1, oldest first: each sent to the viewers
    /// who have not had it.
    pub(crate) fn activity(&self, rows: &[ActivityRow]) {
        for r in rows {
            let (seq, f) = activity_frame(r);
            // Two read-backs may overlap (a cancel beside the alarm): a row once.
            if seq <= self.seq.get() {
                continue;
            }
            self.seq.set(seq);
            self.viewers.borrow_mut().retain(|v| {
                let fresh = seq > v.seen.get();
                v.seen.set(v.seen.get().max(seq));
                !fresh || v.send(&f)
            });
            let mut recent = self.recent.borrow_mut();
            if recent.len() == RECENT {
                recent.pop_front();
            }
            recent.push_back((seq, f));
        }
    }

    /// A progress line of `stage`'s agent (`CallProgress`), with its stage.
    pub(crate) fn progress(&self, stage: Stage, mut progress: Value) {
        progress["stage"] = json!(stage);
        let f = frame(None, "progress", &progress);
        self.viewers.borrow_mut().retain(|v| v.send(&f));
        self.progress.borrow_mut().push((stage, f));
    }

    /// The agent call about to start: its inbox gets an item when
    /// [`Live::stop`] is called.
    pub(crate) fn stoppable(&self) -> Rc<RefCell<Inbox<()>>> {
        let stop = Inbox::shared();
        *self.stop.borrow_mut() = Some(stop.clone());
        stop
    }

    /// Stops the agent call in flight, if any (its stream is dropped, and
    /// with it the agent's request to Gemini), and any that would start.
    pub(crate) fn stop(&self) {
        self.cancelled.set(true);
        if let Some(stop) = self.stop.borrow_mut().take() {
            stop.borrow_mut().put(());
        }
    }
}

/// An activity row as an event, with its `seq`.
pub(crate) fn activity_frame(r: &ActivityRow) -> (u64, String) {
    let data =
        LiveActivity { kind: r.kind.clone(), stage: r.stage, message: r.message.clone(), created_at: r.created_at };
    (r.seq, frame(Some(r.seq), &r.kind, &data.to_json()))
}

/// One server-sent event.
pub(crate) fn frame(id: Option<u64>, event: &str, data: &Value) -> String {
    let id = id.map_or(String::new(), |i| format!("id: {i}\n"));
    format!("{id}event: {event}\ndata: {data}\n\n")
}
