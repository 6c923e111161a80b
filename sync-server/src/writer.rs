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
//! The writer counts as behind when its queue is full (`max_queued`), or when the batch it is
//! committing has taken longer than `max_wait`: everything queued meanwhile waits at least that
//! long, and the next batch, larger, takes longer still. Refusing then keeps each batch small
//! enough that an admitted append waits about `max_wait` plus one batch, however many clients
//! push.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;
use tracing::error;

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
    depth: Arc<AtomicUsize>,
    /// When the batch being committed began, in microseconds since `epoch`; [`IDLE`] between
    /// batches.
    busy_since: Arc<AtomicU64>,
    epoch: Instant,
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
        let epoch = Instant::now();
        let state = Shared {
            depth: Arc::new(AtomicUsize::new(0)),
            busy_since: Arc::new(AtomicU64::new(IDLE)),
            epoch,
        };
        let writer = Writer {
            queue,
            depth: Arc::clone(&state.depth),
            busy_since: Arc::clone(&state.busy_since),
            epoch,
            max_wait,
        };
        std::thread::Builder::new()
            .name("tandem-writer".into())
            .spawn(move || write_batches(&*store, &jobs, &state, &*observer))?;
        Ok(writer)
    }

    /// Whether the batch being committed has run for longer than `max_wait`: an append now
    /// would be refused. Asked before waiting for the document's lock, so that a refusal does
    /// not wait behind the document's other appends.
    pub fn behind(&self) -> bool {
        let since = self.busy_since.load(Ordering::Relaxed);
        since != IDLE && micros_since(self.epoch).saturating_sub(since) > micros(self.max_wait)
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
        self.depth.fetch_add(1, Ordering::Relaxed);
        if let Err(e) = self.queue.try_send(Job { request, answer }) {
            self.depth.fetch_sub(1, Ordering::Relaxed);
            return Err(match e {
                TrySendError::Full(_) => WriteError::Busy,
                TrySendError::Disconnected(_) => WriteError::Store(stopped()),
            });
        }
        Ok(Pending(answered))
    }

    /// Appends waiting for the writer right now.
    pub fn queued(&self) -> usize {
        self.depth.load(Ordering::Relaxed)
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

/// What the writer thread shares with the [`Writer`] handles.
struct Shared {
    depth: Arc<AtomicUsize>,
    busy_since: Arc<AtomicU64>,
    epoch: Instant,
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX - 1)
}

fn micros_since(epoch: Instant) -> u64 {
    micros(epoch.elapsed())
}

/// The writer thread: waits for an append, takes everything queued behind it, commits, answers.
fn write_batches(
    store: &dyn Store,
    jobs: &Receiver<Job>,
    shared: &Shared,
    observer: &dyn WriterObserver,
) {
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
            .store(micros_since(shared.epoch), Ordering::Relaxed);
        // A panic in the store must not end the thread (every later append would fail): it
        // fails this batch, whose transaction rolled back as it unwound.
        let results = catch_unwind(AssertUnwindSafe(|| store.append_batch(&requests)))
            .unwrap_or_else(|_| {
                error!(size = requests.len(), "storing a batch of appends panicked");
                requests.iter().map(|_| Err(stopped())).collect()
            });
        shared.busy_since.store(IDLE, Ordering::Relaxed);
        observer.batch(requests.len(), started.elapsed().as_secs_f64());
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
}
