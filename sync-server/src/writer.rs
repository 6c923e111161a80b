//! The append writer: group commit on one thread, with a bounded queue that pushes back.
//!
//! Every append must be on disk before it is acknowledged, and a commit waits for the disk
//! (an fsync, milliseconds). Committed one by one, appends top out at a few thousand a second
//! however many documents they come from. So one thread does all appends: it takes every append
//! waiting at that moment, across documents, and stores them with [`Store::append_batch`], one
//! transaction and one fsync for the lot, then answers each. While it commits, the next batch
//! gathers. A quiet relay commits batches of one, with no added wait; a busy one, larger batches.
//!
//! Order and idempotence stay where they were: the connection holds the document's lock
//! ([`crate::rooms`]) from submitting an append until its ack and broadcast are queued, so
//! one document has at most one append in flight, and the store deduplicates by
//! `client_msg_id` as before. The ack and broadcast follow only the batch's commit.
//!
//! Pushback: when the relay cannot keep up, waiting in a longer queue would only turn into
//! seconds of latency for everyone, so [`Writer::append`] says [`WriteError::Busy`] at once
//! instead, and the client is refused with `RateLimited`, which the app retries a little later.
//! The writer counts as behind when its queue is full (`max_queued`), or when a new append is
//! expected to wait longer than `max_wait` for its ack: the queue ahead of it at what recent
//! commits cost, fixed part and per append ([`crate::pushback`]), or a commit stalled for
//! several times `max_wait`. One slow fsync alone refuses nothing: what queues behind it goes
//! into the next batch, which costs little more than a small one.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;
use tracing::error;

use crate::pushback::{CommitCost, Load};
use crate::store::{AppendRequest, Appended, Store, StoreError};

/// The most appends committed together: a bound on one transaction's size and on how long the
/// first of them waits for the last.
const MAX_BATCH: usize = 1024;

/// Why an append was not stored.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The queue was full: the relay is behind and refuses rather than queue further.
    #[error("the relay is storing as fast as it can; retry shortly")]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A stored append: the request given back (its ciphertext goes on to the broadcast) and how
/// the store answered it.
type Stored = Result<(AppendRequest, Appended), StoreError>;

/// One append waiting for the writer, and where its answer goes.
struct Job {
    request: AppendRequest,
    answer: oneshot::Sender<Stored>,
}

/// How a connection hands appends to the writer thread.
pub struct Writer {
    queue: SyncSender<Job>,
    state: Arc<Shared>,
    max_wait: Duration,
}

/// `busy_since` while the writer waits for work.
const IDLE: u64 = u64::MAX;

/// What the writer has done, for the metrics.
pub trait WriterObserver: Send + Sync + 'static {
    /// A batch of `size` appends was committed (or failed) in `seconds`.
    fn batch(&self, size: usize, seconds: f64);
}

impl WriterObserver for () {
    fn batch(&self, _size: usize, _seconds: f64) {}
}

impl Writer {
    /// Starts the writer thread over `store`, with room for `max_queued` waiting appends. The
    /// thread ends when the last [`Writer`] handle is dropped.
    pub fn start(
        store: Arc<dyn Store>,
        max_queued: usize,
        max_wait: Duration,
        observer: Arc<dyn WriterObserver>,
    ) -> std::io::Result<Self> {
        let (queue, jobs) = mpsc::sync_channel(max_queued.max(1));
        let state = Arc::new(Shared {
            depth: AtomicUsize::new(0),
            busy_since: AtomicU64::new(IDLE),
            fixed_ns: AtomicU64::new(CommitCost::UNKNOWN.fixed_ns),
            per_append_ns: AtomicU64::new(CommitCost::UNKNOWN.per_append_ns),
            epoch: Instant::now(),
        });
        let writer = Writer {
            queue,
            state: Arc::clone(&state),
            max_wait,
        };
        std::thread::Builder::new()
            .name("tandem-writer".into())
            .spawn(move || write_batches(&*store, &jobs, &state, &*observer))?;
        Ok(writer)
    }

    /// The writer as a new append finds it now.
    fn load(&self) -> Load {
        let state = &*self.state;
        let since = state.busy_since.load(Ordering::Relaxed);
        Load {
            queued: state.depth.load(Ordering::Relaxed),
            running_ns: (since != IDLE).then(|| nanos_since(state.epoch).saturating_sub(since)),
            cost: CommitCost {
                fixed_ns: state.fixed_ns.load(Ordering::Relaxed),
                per_append_ns: state.per_append_ns.load(Ordering::Relaxed),
            },
        }
    }

    /// Whether an append now would be refused: it is expected to wait longer than `max_wait`
    /// ([`crate::pushback`]). Asked before waiting for the document's lock, so that a refusal
    /// does not wait behind the document's other appends.
    pub fn behind(&self) -> bool {
        !self.load().admits(nanos(self.max_wait), MAX_BATCH)
    }

    /// Stores one append with the next batch and answers once that batch is durable;
    /// [`WriteError::Busy`] at once when the writer is behind.
    pub async fn append(
        &self,
        request: AppendRequest,
    ) -> Result<(AppendRequest, Appended), WriteError> {
        Ok(self.submit(request)?.answer().await?)
    }

    /// Queues one append for the next batch without waiting: appends are stored in the order
    /// they are submitted, which is how a document's lock orders them before releasing it. The
    /// answer comes once the batch is durable. [`WriteError::Busy`] when the writer is behind.
    pub fn submit(&self, request: AppendRequest) -> Result<Pending, WriteError> {
        if self.behind() {
            return Err(WriteError::Busy);
        }
        let (answer, answered) = oneshot::channel();
        self.state.depth.fetch_add(1, Ordering::Relaxed);
        if let Err(e) = self.queue.try_send(Job { request, answer }) {
            self.state.depth.fetch_sub(1, Ordering::Relaxed);
            return Err(match e {
                TrySendError::Full(_) => WriteError::Busy,
                TrySendError::Disconnected(_) => WriteError::Store(stopped()),
            });
        }
        Ok(Pending(answered))
    }

    /// Appends waiting for the writer right now.
    pub fn queued(&self) -> usize {
        self.state.depth.load(Ordering::Relaxed)
    }
}

/// A submitted append, until its batch is durable.
pub struct Pending(oneshot::Receiver<Stored>);

impl Pending {
    /// Waits for the batch's commit: the append as stored, or why not.
    pub async fn answer(self) -> Stored {
        self.0.await.unwrap_or_else(|_| Err(stopped()))
    }
}

fn stopped() -> StoreError {
    StoreError::Task("the append writer stopped".into())
}

/// What the writer thread shares with the [`Writer`] handles. Each figure is read on its own
/// (relaxed): a decision on figures a batch apart is as good as the estimate itself.
struct Shared {
    /// Appends queued and not yet taken into a batch.
    depth: AtomicUsize,
    /// When the batch being committed began, in nanoseconds since `epoch`; [`IDLE`] between
    /// batches.
    busy_since: AtomicU64,
    /// What recent commits cost ([`CommitCost`]), published after each batch.
    fixed_ns: AtomicU64,
    per_append_ns: AtomicU64,
    epoch: Instant,
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX - 1)
}

fn nanos_since(epoch: Instant) -> u64 {
    nanos(epoch.elapsed())
}

/// The writer thread: waits for an append, takes everything queued behind it, commits, answers.
fn write_batches(
    store: &dyn Store,
    jobs: &Receiver<Job>,
    shared: &Shared,
    observer: &dyn WriterObserver,
) {
    let mut cost = CommitCost::UNKNOWN;
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        shared.depth.fetch_sub(batch.len(), Ordering::Relaxed);
        let (requests, answers): (Vec<_>, Vec<_>) =
            batch.into_iter().map(|j| (j.request, j.answer)).unzip();
        let started = Instant::now();
        shared
            .busy_since
            .store(nanos_since(shared.epoch), Ordering::Relaxed);
        // A panic in the store must not end the thread (every later append would fail): it
        // fails this batch, whose transaction rolled back as it unwound.
        let results = catch_unwind(AssertUnwindSafe(|| store.append_batch(&requests)))
            .unwrap_or_else(|_| {
                error!(size = requests.len(), "storing a batch of appends panicked");
                requests.iter().map(|_| Err(stopped())).collect()
            });
        let took = started.elapsed();
        cost = cost.after_batch(requests.len(), nanos(took));
        shared.fixed_ns.store(cost.fixed_ns, Ordering::Relaxed);
        shared
            .per_append_ns
            .store(cost.per_append_ns, Ordering::Relaxed);
        shared.busy_since.store(IDLE, Ordering::Relaxed);
        observer.batch(requests.len(), took.as_secs_f64());
        for ((request, answer), result) in requests.into_iter().zip(answers).zip(results) {
            // A connection that went away meanwhile no longer waits; its append still stands.
            let _ = answer.send(result.map(|appended| (request, appended)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Quota, SqliteStore};
    use tandem_protocol::DocId;

    fn request(doc: u8, id: u8) -> AppendRequest {
        AppendRequest {
            doc: DocId([doc; 16]),
            client_msg_id: [id; 16],
            ciphertext: vec![id; 8],
            quota: Quota::unlimited(),
        }
    }

    #[tokio::test]
    async fn appends_from_many_documents_are_stored_numbered_and_deduplicated() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path()).expect("open"));
        let wait = Duration::from_secs(5);
        let writer = Writer::start(Arc::clone(&store), 64, wait, Arc::new(())).expect("start");
        let writer = Arc::new(writer);
        let tasks: Vec<_> = (1..=8u8)
            .map(|doc| {
                let writer = Arc::clone(&writer);
                tokio::spawn(async move {
                    let mut seqs = Vec::new();
                    for id in [1, 2, 1] {
                        match writer.append(request(doc, id)).await {
                            Ok((_, Appended::New { seq, .. } | Appended::Duplicate(seq))) => {
                                seqs.push(seq)
                            }
                            Err(e) => panic!("append failed: {e}"),
                        }
                    }
                    seqs
                })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.expect("task"), vec![1, 2, 1]);
        }
        assert_eq!(store.totals().expect("totals").docs, 8);
        assert_eq!(writer.queued(), 0);
    }

    /// A commit held up (here by another connection holding SQLite's write lock, as a slow
    /// fsync holds the writer) refuses nothing until it has run four times the budget: what
    /// queues meanwhile goes into the next batch. Then new appends are refused until it ends,
    /// and what was admitted is stored.
    #[tokio::test]
    async fn a_slow_commit_refuses_only_once_it_stalls_for_four_budgets() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path()).expect("open"));
        let budget = Duration::from_millis(100);
        let writer = Writer::start(Arc::clone(&store), 64, budget, Arc::new(())).expect("start");
        // One batch first, so the writer knows what a commit costs.
        writer.append(request(1, 1)).await.expect("first append");

        let blocker = rusqlite::Connection::open(dir.path().join(crate::store::DB_FILE))
            .expect("second connection");
        blocker
            .execute_batch("BEGIN IMMEDIATE")
            .expect("write lock");
        let held = Instant::now();
        let stuck = writer.submit(request(2, 1)).expect("admitted while idle");
        // Past the budget (the old rule refused here), short of four budgets.
        tokio::time::sleep(budget + budget / 2).await;
        assert!(
            held.elapsed() < 4 * budget,
            "this machine slept too long to tell"
        );
        assert!(!writer.behind(), "refused behind one slow commit");
        let queued = writer
            .submit(request(3, 1))
            .expect("admitted into the next batch");
        tokio::time::sleep_until((held + 4 * budget + budget / 4).into()).await;
        assert!(writer.behind(), "a stalled commit still admits appends");
        assert!(matches!(
            writer.submit(request(4, 1)),
            Err(WriteError::Busy)
        ));

        blocker.execute_batch("ROLLBACK").expect("release");
        for pending in [stuck, queued] {
            pending
                .answer()
                .await
                .expect("stored once the commit went through");
        }
        assert!(!writer.behind());
        assert_eq!(store.totals().expect("totals").docs, 3);
    }
}
