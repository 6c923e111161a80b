//! The PostgreSQL store: the same [`Store`] as SQLite, on a database the operator already runs
//! and backs up, chosen with `--database-url`.
//!
//! The client is `tokio-postgres` with a `deadpool-postgres` pool, driven by a small runtime of
//! the store's own. [`Store`] is synchronous: the writer thread ([`crate::writer`]) and the
//! server's blocking tasks call it, and so does [`crate::relay_core::RelayCore`] from its one
//! thread. Each call is one `block_on` on the store's runtime, which works from any of those
//! threads and needs nothing of the caller's runtime. The blocking `postgres` crate was the other
//! candidate, but each of its connections carries a runtime that may be neither used nor dropped
//! inside the relay's async code (a pool of them dropped at shutdown would panic there), whereas
//! the async client's connections are tasks that any thread may drop. It also lets a batch's
//! statements go out together: statements sent without waiting for each other travel in one
//! round trip and still run in order ([`log::append_batch`]).
//!
//! Order: every write takes the row lock of the one `totals` row first (`SELECT ... FOR
//! UPDATE`, [`totals::lock`]) and holds it to its commit. Writes of the whole relay, from every
//! instance on the database, so run one after another, and each reads what the one before it
//! committed: per-document sequences are gap-free and ordered however many instances append to
//! one document at once, and the relay-wide quotas are exact. One lock taken first by everyone
//! cannot deadlock. Its cost is that writes do not overlap; with group commit a batch holds it
//! for a few round trips, which is what a relay's write load needs.
//!
//! Durability: an append is answered after its transaction's COMMIT returned, i.e. after
//! PostgreSQL wrote it to its log (with the server's `synchronous_commit`, on by default).
//!
//! Deleting: rows go in one transaction, as with SQLite, but PostgreSQL keeps dead rows in its
//! files until VACUUM reuses their space, and its write-ahead log (and its archives and
//! backups) keeps what was written. "Gone from the relay's files" holds for SQLite only; on
//! PostgreSQL it is gone from every table at once, and the database's own retention decides
//! the rest.
//!
//! - `schema`: the tables and their version.
//! - `log`: appends (a batch in one transaction) and catch-up pages.
//! - `snapshots`, `ownership` (owners, deleting, moving, tombstones), `blobs` (attachments, a
//!   row per chunk), `totals` (the running sums, and the lock every write takes).

use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tandem_protocol::{BlobHash, ClientMsgId, DocId};
use tokio_postgres::NoTls;

use super::{
    idle_since, system_clock, AppendRequest, Appended, BlobError, BlobState, Change, Claimed,
    Clock, PoolStatus, Quota, SnapshotStored, Store, StoreError, Totals,
};
use crate::catch_up::Page;

mod blobs;
mod log;
mod notify;
mod ownership;
mod schema;
mod snapshots;
mod totals;

/// Connections the relay keeps to the database at most: the writer's one, and the blocking
/// tasks' (joins, snapshots, blobs), which wait for a free one beyond it.
const POOL_SIZE: usize = 16;

/// Announcements (presence, departures) waiting to be sent to the other relays, at most.
const ANNOUNCEMENTS_WAITING: usize = 4096;

/// How long a call waits for a connection, or for a new one to be made, before it fails.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The relay's documents in a PostgreSQL database.
pub struct PostgresStore {
    /// `None` only while dropping: the runtime is shut down without waiting (see `Drop`).
    runtime: Option<tokio::runtime::Runtime>,
    pool: Pool,
    /// This relay among those on the database, in the notifications it sends ([`notify`]).
    instance: String,
    /// Other relays' changes, heard on a connection of their own, until the relay takes them.
    changes: Mutex<Option<tokio::sync::mpsc::UnboundedReceiver<Change>>>,
    /// Presence and departures for the other relays, sent in order by a task of their own.
    announcements: tokio::sync::mpsc::Sender<String>,
    /// When chunks arrive, for expiring abandoned uploads.
    clock: Clock,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user:password@host:port/dbname`, or the key=value form),
    /// brings the database's tables to this relay's schema, and keeps a pool of connections.
    /// Blocking: call it from a thread that is not running async tasks.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        Self::open_with_clock(url, system_clock())
    }

    /// [`PostgresStore::open`] with another clock than the system's: for tests of the expiry.
    pub fn open_with_clock(url: &str, clock: Clock) -> Result<Self, StoreError> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e: tokio_postgres::Error| StoreError::DatabaseUrl(e.to_string()))?;
        // One worker runs the connections' tasks; each call's own future runs on its caller's
        // thread inside `block_on`.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("tandem-postgres")
            .enable_all()
            .build()?;
        let instance = notify::instance_id();
        let (heard, changes) = tokio::sync::mpsc::unbounded_channel();
        runtime.spawn(notify::listen(config.clone(), instance.clone(), heard));
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .wait_timeout(Some(CONNECT_TIMEOUT))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|e| StoreError::Pool(e.to_string()))?;
        let (announcements, to_send) = tokio::sync::mpsc::channel(ANNOUNCEMENTS_WAITING);
        runtime.spawn(notify::announce(pool.clone(), to_send));
        let store = PostgresStore {
            runtime: Some(runtime),
            pool,
            instance,
            changes: Mutex::new(Some(changes)),
            announcements,
            clock,
        };
        store.block_on(async {
            let mut client = store.client().await?;
            schema::migrate(&mut client, (store.clock)()).await
        })?;
        Ok(store)
    }

    /// Runs one store call to its end on the store's runtime.
    fn block_on<T>(&self, call: impl Future<Output = T>) -> T {
        match &self.runtime {
            Some(runtime) => runtime.block_on(call),
            // Only `drop` takes the runtime, and nothing calls the store after that.
            None => unreachable!("the store's runtime is gone only while it is dropped"),
        }
    }

    /// A connection from the pool.
    async fn client(&self) -> Result<deadpool_postgres::Client, StoreError> {
        self.pool
            .get()
            .await
            .map_err(|e| StoreError::Pool(e.to_string()))
    }
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        // The last handle may be dropped inside the relay's async code (at shutdown), where a
        // runtime may not wait for its threads; its connections' tasks simply stop.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl Store for PostgresStore {
    fn head_seq(&self, doc: DocId) -> Result<u64, StoreError> {
        self.block_on(async { log::head_seq(&**self.client().await?, doc).await })
    }

    fn catch_up_page(
        &self,
        doc: DocId,
        after: u64,
        until: u64,
        budget: usize,
    ) -> Result<Page, StoreError> {
        log::catch_up_page(self, doc, after, until, budget)
    }

    fn entries_between(
        &self,
        doc: DocId,
        after: u64,
        until: u64,
        budget: usize,
    ) -> Result<Option<Vec<tandem_protocol::message::Entry>>, StoreError> {
        log::entries_between(self, doc, after, until, budget)
    }

    fn append_id_at(&self, doc: DocId, seq: u64) -> Result<Option<ClientMsgId>, StoreError> {
        self.block_on(async { log::append_id_at(&**self.client().await?, doc, seq).await })
    }

    fn append(
        &self,
        doc: DocId,
        client_msg_id: ClientMsgId,
        ciphertext: &[u8],
        quota: &Quota,
    ) -> Result<Appended, StoreError> {
        let request = AppendRequest {
            doc,
            client_msg_id,
            ciphertext: ciphertext.to_vec(),
            quota: *quota,
        };
        let mut results = self.append_batch(std::slice::from_ref(&request));
        results
            .pop()
            .unwrap_or_else(|| Err(StoreError::BatchCommit("no answer for the append".into())))
    }

    fn append_batch(&self, batch: &[AppendRequest]) -> Vec<Result<Appended, StoreError>> {
        self.block_on(async {
            let mut client = match self.client().await {
                Ok(client) => client,
                Err(e) => return log::all_failed(batch.len(), &e),
            };
            log::append_batch(&mut client, batch, &self.instance).await
        })
    }

    fn store_snapshot(
        &self,
        doc: DocId,
        covers_seq: u64,
        ciphertext: &[u8],
        quota: &Quota,
    ) -> Result<SnapshotStored, StoreError> {
        self.block_on(async {
            let mut client = self.client().await?;
            snapshots::store(&mut client, doc, covers_seq, ciphertext, quota).await
        })
    }

    fn totals(&self) -> Result<Totals, StoreError> {
        self.block_on(async { totals::read(&**self.client().await?).await })
    }

    fn is_deleted(&self, doc: DocId) -> Result<bool, StoreError> {
        self.block_on(async { ownership::is_deleted(&**self.client().await?, doc).await })
    }

    fn own(&self, doc: DocId, delete_hash: [u8; 32], quota: &Quota) -> Result<Claimed, StoreError> {
        self.block_on(async {
            let mut client = self.client().await?;
            ownership::own(&mut client, doc, delete_hash, quota).await
        })
    }

    fn delete(
        &self,
        doc: DocId,
        token_hash: [u8; 32],
        moved_to: Option<&[u8]>,
    ) -> Result<(), StoreError> {
        self.block_on(async {
            let mut client = self.client().await?;
            ownership::delete(&mut client, doc, token_hash, moved_to, &self.instance).await
        })
    }

    fn moved_to(&self, doc: DocId) -> Result<Option<Vec<u8>>, StoreError> {
        self.block_on(async { ownership::moved_to(&**self.client().await?, doc).await })
    }

    fn take_changes(&self) -> Option<tokio::sync::mpsc::UnboundedReceiver<Change>> {
        self.changes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    fn announce(&self, doc: DocId, frame: &[u8]) {
        if let Some(payload) = notify::message(&self.instance, doc, frame) {
            // Full: the database is slow or away. Presence is sent again within seconds, so
            // this one is dropped rather than held.
            let _ = self.announcements.try_send(payload);
        }
    }

    fn pool_status(&self) -> Option<PoolStatus> {
        let status = self.pool.status();
        Some(PoolStatus {
            open: status.size,
            idle: status.available,
            waiting: status.waiting,
        })
    }

    fn blob_state(&self, doc: DocId, hash: BlobHash) -> Result<Option<BlobState>, BlobError> {
        self.block_on(async { blobs::state(&**self.client().await?, doc, hash).await })
    }

    fn put_blob(
        &self,
        doc: DocId,
        hash: BlobHash,
        offset: u64,
        total: u64,
        bytes: &[u8],
        quota: &Quota,
    ) -> Result<u64, BlobError> {
        self.block_on(async {
            let mut client = self.client().await?;
            let now = (self.clock)();
            blobs::put(&mut client, doc, hash, offset, total, bytes, quota, now).await
        })
    }

    fn expire_partial_blobs(&self, max_idle: Duration) -> Result<u64, StoreError> {
        let since = idle_since((self.clock)(), max_idle);
        let mut expired = 0;
        loop {
            let n = self.block_on(async {
                let mut client = self.client().await?;
                blobs::expire_batch(&mut client, since).await
            })?;
            expired += n as u64;
            if n < blobs::BATCH {
                return Ok(expired);
            }
        }
    }

    fn read_blob(
        &self,
        doc: DocId,
        hash: BlobHash,
        offset: u64,
        max_len: usize,
    ) -> Result<Option<Vec<u8>>, BlobError> {
        self.block_on(async {
            let mut client = self.client().await?;
            blobs::read(&mut client, doc, hash, offset, max_len).await
        })
    }
}

/// A count or sequence as PostgreSQL's BIGINT holds it; nothing the relay stores comes near
/// `i64::MAX`, and a value past it is stored as that (a limit refuses long before).
fn int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// A BIGINT read back; the relay never writes a negative one.
fn uint(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

/// A stored `client_msg_id`; one of the wrong length (only a damaged row has one) reads as
/// zeros, which no client checks against successfully.
fn id_from(bytes: Vec<u8>) -> ClientMsgId {
    bytes.try_into().unwrap_or([0; 16])
}
