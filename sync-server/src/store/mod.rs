//! Durable storage of each document's owner, log and snapshot, and of deleted documents' ids.
//!
//! Deleting: a document whose owner registered a delete-token hash ([`Store::own`]) can be
//! deleted with the token ([`Store::delete`]): its log, snapshot and row go in one
//! transaction, and its id goes into a tombstone list. The tombstone holds the id and nothing
//! else, and it is why a deleted document stays deleted: a member that was offline still has
//! the link and unsent changes, and without the tombstone its next append would bring the
//! document back into being with them (a join of an unknown id looks exactly like a new
//! vacancy). So every join, append, snapshot and claim on a tombstoned id is refused
//! ([`StoreError::Deleted`], `NotFound` on the wire).
//!
//! Moving is deleting that leaves a forwarding address: the tombstone also keeps the sealed
//! pointer the owner sent ([`Store::delete`] with `moved_to`), and a join of the old id is
//! answered with it ([`Store::moved_to`]). The pointer is ciphertext the relay cannot open.
//!
//! [`Store`] is synchronous on purpose: SQLite is a blocking library, and the PostgreSQL store
//! runs each call to its end on a runtime of its own (see its overview for why). The server
//! runs every call in `tokio::task::spawn_blocking` while it holds the document's lock (see
//! [`crate::rooms`]), so a store never sees two writes to one document at once from one relay.
//! (Several relays on one PostgreSQL database are ordered by the database; see
//! [`PostgresStore`].)
//! Appends are the exception to `spawn_blocking`: the server's one writer thread
//! ([`crate::writer`]) gathers those of many documents and stores them with
//! [`Store::append_batch`], one commit for all (each still under its document's lock).
//! [`crate::relay_core::RelayCore`] calls the store directly from its one thread.
//!
//! Attachments ("blobs", see [`tandem_protocol::blob`]) are stored per document, named by the
//! hash of their sealed bytes, and arrive in chunks at increasing offsets
//! ([`Store::put_blob`]). The first chunk reserves the whole announced length against the
//! quotas, so an upload that fits when it starts cannot be refused halfway; the last chunk is
//! checked against the name before the blob counts as complete, and only complete blobs are read.
//! They go with their document's [`Store::delete`].
//!
//! An upload that stops halfway (a phone lost, a memo removed before it was sent) would keep
//! its reservation, and the reserved bytes, for ever: the relay cannot tell a client that will
//! come back from one that never will. So every chunk stamps the blob with the store's clock
//! ([`Clock`]), and [`Store::expire_partial_blobs`], which the relay runs periodically
//! (`--partial-upload-expiry-secs`), discards the incomplete blobs that have received nothing
//! for that long, reservation and bytes. A client that comes back after that finds nothing
//! held (`HEAD` says 0) and starts again from the first byte, as for a new upload. Complete
//! blobs never expire.
//!
//! The store only ever holds opaque ciphertext; it never learns what a document says.
//!
//! - [`SqliteStore`] (`sqlite`): the embedded default, one SQLite file in WAL mode.
//! - [`PostgresStore`] (`postgres`): a PostgreSQL database (`--database-url`), for a relay whose
//!   operator runs one.
//! - `backup`: a consistent copy of that file while it is in use, and putting one back.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tandem_protocol::{BlobHash, ClientMsgId, DocId, ErrorCode};

use crate::catch_up::{CatchUp, Page};
use crate::limits::Limits;

mod backup;
mod checks;
mod postgres;
mod sqlite;

pub use postgres::PostgresStore;
pub use sqlite::{SqliteStore, DB_FILE};

/// Why a store call failed. Refusals (the client asked for something the limits forbid) and
/// failures (the relay could not do its job) share one type so the connection maps both to a
/// wire [`ErrorCode`] in one place; only failures are worth a retry.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the document would grow to {would_be} bytes, over the limit of {limit}")]
    DocumentTooLarge { would_be: u64, limit: u64 },
    #[error("the snapshot covers sequence {covers_seq}, but the log ends at {head_seq}")]
    SnapshotAhead { covers_seq: u64, head_seq: u64 },
    #[error(
        "this connection has already started {limit} new documents, its limit; \
         reconnect to start more"
    )]
    TooManyNewDocuments { limit: u32 },
    #[error("the relay holds {limit} documents, its limit, and takes no new ones")]
    RelayFullOfDocuments { limit: u64 },
    #[error("the relay would hold {would_be} bytes in all, over its limit of {limit}")]
    RelayFullOfBytes { would_be: u64, limit: u64 },
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("PostgreSQL error: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("no connection to PostgreSQL: {0}")]
    Pool(String),
    #[error("the database URL cannot be used: {0}")]
    DatabaseUrl(String),
    #[error("cannot read or write the relay's files: {0}")]
    Io(#[from] std::io::Error),
    #[error("the relay's database was written by a newer relay (schema {0}); run that one")]
    NewerSchema(i64),
    #[error("SQLite names files by UTF-8 path, and {0:?} is not one")]
    NotUtf8Path(PathBuf),
    #[error("a storage task failed: {0}")]
    Task(String),
    /// The commit of a batch of appends failed after this append's own statements succeeded:
    /// it was not stored, like every other append of the batch.
    #[error("committing a batch of appends failed: {0}")]
    BatchCommit(String),
    #[error("this vacancy was deleted by its creator; the relay keeps nothing of it")]
    Deleted,
    #[error("the delete token does not match this vacancy's owner; nothing was deleted")]
    NotOwner,
    #[error(
        "this vacancy has no owner on the relay (it held changes before anyone claimed it), \
         so it cannot be deleted for everyone"
    )]
    NoOwner,
}

impl StoreError {
    pub fn code(&self) -> ErrorCode {
        match self {
            StoreError::DocumentTooLarge { .. } => ErrorCode::DocumentTooLarge,
            StoreError::SnapshotAhead { .. } => ErrorCode::SnapshotAhead,
            StoreError::Deleted => ErrorCode::NotFound,
            StoreError::NotOwner => ErrorCode::NotOwner,
            StoreError::NoOwner => ErrorCode::NoOwner,
            StoreError::TooManyNewDocuments { .. }
            | StoreError::RelayFullOfDocuments { .. }
            | StoreError::RelayFullOfBytes { .. } => ErrorCode::QuotaExceeded,
            StoreError::Database(_)
            | StoreError::Postgres(_)
            | StoreError::Pool(_)
            | StoreError::DatabaseUrl(_)
            | StoreError::Io(_)
            | StoreError::NotUtf8Path(_)
            | StoreError::NewerSchema(_)
            | StoreError::Task(_)
            | StoreError::BatchCommit(_) => ErrorCode::Internal,
        }
    }
}

/// Why a blob call failed: the upload's own refusals, each answered with its own HTTP status, or
/// a [`StoreError`] (a deleted document, a full relay, a failing disk).
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("the attachment is {total} bytes, over this relay's limit of {limit} bytes")]
    TooLarge { total: u64, limit: u64 },
    #[error(
        "the vacancy's attachments would take {would_be} bytes, over this relay's limit of \
         {limit} bytes per vacancy"
    )]
    DocumentFull { would_be: u64, limit: u64 },
    #[error("the relay holds {stored} bytes of this attachment; send the rest from there")]
    WrongOffset { stored: u64 },
    #[error("this upload was started with a total of {started} bytes, not {total}")]
    OtherTotal { started: u64, total: u64 },
    #[error("{len} bytes at offset {offset} go past the attachment's total of {total} bytes")]
    PastTheEnd { offset: u64, len: u64, total: u64 },
    #[error("an attachment cannot be empty")]
    Empty,
    #[error(
        "the attachment's bytes do not match its name (the hash in the address); the upload \
         was discarded"
    )]
    HashMismatch,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for BlobError {
    fn from(e: rusqlite::Error) -> Self {
        BlobError::Store(StoreError::Database(e))
    }
}

impl From<tokio_postgres::Error> for BlobError {
    fn from(e: tokio_postgres::Error) -> Self {
        BlobError::Store(StoreError::Postgres(e))
    }
}

/// A change another relay made to a document, heard through the database (see
/// [`crate::fanout`]): the relay delivers what it missed to its own clients of that document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The document's log reached `seq` (with every sequence before it).
    Appended { doc: DocId, seq: u64 },
    /// The document was deleted or moved.
    Deleted { doc: DocId },
    /// A message for the document's subscribers that is never stored (presence, a departure),
    /// encoded as they receive it ([`Store::announce`]).
    Message { doc: DocId, frame: Vec<u8> },
    /// Changes may have been missed (the connection that hears them was lost and is back):
    /// every open document is to be brought up to date.
    Resync,
}

/// A database connection pool's state, for the metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStatus {
    /// Connections open, in use or idle.
    pub open: usize,
    pub idle: usize,
    /// Calls waiting for a connection.
    pub waiting: usize,
}

/// The stores' clock, in whole seconds since the Unix epoch: when an upload's last chunk
/// arrived, and how long ago that is when partial uploads are expired. The relay uses the
/// system's ([`system_clock`]); tests give one they move by hand instead of waiting a day.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// The system's clock; a clock set before 1970 reads as 0.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    })
}

/// The moment, by `now`, at or before which an upload's last chunk must have arrived for the
/// upload to count as abandoned after `max_idle`.
fn idle_since(now: u64, max_idle: Duration) -> u64 {
    now.saturating_sub(max_idle.as_secs())
}

/// How much of a blob the relay holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlobState {
    /// The length the upload announced.
    pub total: u64,
    /// The bytes received so far, from the start; equal to `total` once complete.
    pub stored: u64,
}

impl BlobState {
    /// Whether every byte arrived and they hash to the blob's name.
    pub fn complete(&self) -> bool {
        self.stored == self.total
    }
}

/// The result of an append that did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    /// Newly stored under this sequence; the caller broadcasts it. `created`: it was the
    /// document's first entry, which brought the document into being.
    New { seq: u64, created: bool },
    /// A retry of an append stored earlier under this sequence; nothing to broadcast.
    Duplicate(u64),
}

/// One append of a batch ([`Store::append_batch`]), with what it may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendRequest {
    pub doc: DocId,
    pub client_msg_id: ClientMsgId,
    pub ciphertext: Vec<u8>,
    pub quota: Quota,
}

/// The result of a snapshot upload that did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotStored {
    Replaced,
    /// An equal or newer snapshot is already stored; this one was ignored.
    Stale,
}

/// The result of an owner claim that did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claimed {
    /// Registered now. `created`: the claim brought the document into being (it counts
    /// against the same quotas as a first append).
    New { created: bool },
    /// The same hash was registered before (the creator's app claims on every join).
    Again,
}

/// What a write may take: the limits of its document and of the whole relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub max_doc_bytes: u64,
    pub max_docs: u64,
    pub max_total_bytes: u64,
    /// Whether the write may bring a new document into being, and the writer's quota for that
    /// (for the refusal's text).
    pub may_create: bool,
    pub max_new_docs: u32,
    /// The largest blob, and the most blob bytes one document may hold.
    pub max_blob_bytes: u64,
    pub max_doc_blob_bytes: u64,
}

impl Quota {
    pub fn new(limits: &Limits, may_create: bool) -> Self {
        Quota {
            max_doc_bytes: limits.max_doc_bytes,
            max_docs: limits.max_docs,
            max_total_bytes: limits.max_total_bytes,
            may_create,
            max_new_docs: limits.max_new_docs_per_connection,
            max_blob_bytes: limits.max_blob_bytes,
            max_doc_blob_bytes: limits.max_doc_blob_bytes,
        }
    }

    /// Generous everywhere, for tests of other things.
    pub fn unlimited() -> Self {
        Quota {
            max_doc_bytes: u64::MAX,
            max_docs: u64::MAX,
            max_total_bytes: u64::MAX,
            may_create: true,
            max_new_docs: u32::MAX,
            max_blob_bytes: u64::MAX,
            max_doc_blob_bytes: u64::MAX,
        }
    }
}

/// How full the relay is, in the units [`Quota`] limits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub docs: u64,
    /// Documents' costs and blobs' announced lengths (complete or not) together.
    pub bytes: u64,
}

pub trait Store: Send + Sync + 'static {
    /// The newest sequence in the document's log (0 for a document with none).
    fn head_seq(&self, doc: DocId) -> Result<u64, StoreError>;
    /// One page of catch-up in one read: the snapshot if `after` is behind it, then live
    /// entries after it (or after `after`) up to `until`, as many as fit `budget` encoded bytes
    /// but at least one ([`crate::catch_up::fill_page`]).
    fn catch_up_page(
        &self,
        doc: DocId,
        after: u64,
        until: u64,
        budget: usize,
    ) -> Result<Page, StoreError>;
    /// Everything after `since_seq` in one read; for tests and tools, as it is unbounded.
    fn catch_up(&self, doc: DocId, since_seq: u64) -> Result<CatchUp, StoreError> {
        let head_seq = self.head_seq(doc)?;
        let page = self.catch_up_page(doc, since_seq, head_seq, usize::MAX)?;
        Ok(CatchUp {
            head_seq,
            snapshot: page.snapshot,
            entries: page.entries,
        })
    }
    /// The entries after `after` up to `until`, as many as fit `budget` encoded bytes but at
    /// least one, in one read: what another relay appended, to broadcast here
    /// ([`crate::fanout`]). `None` if some of them were compacted into a snapshot meanwhile, so
    /// they can no longer be sent as broadcasts.
    fn entries_between(
        &self,
        doc: DocId,
        after: u64,
        until: u64,
        budget: usize,
    ) -> Result<Option<Vec<tandem_protocol::message::Entry>>, StoreError> {
        let page = self.catch_up_page(doc, after, until, budget)?;
        Ok(page.snapshot.is_none().then_some(page.entries))
    }
    /// The `client_msg_id` of the entry stored under `seq`, if there is one: how a client checks
    /// that the log still holds what it once acknowledged to it.
    fn append_id_at(&self, doc: DocId, seq: u64) -> Result<Option<ClientMsgId>, StoreError>;
    /// Stores one entry under the next sequence, durably, unless `client_msg_id` was seen before.
    /// The first entry of an unknown document creates it, if the quota allows.
    fn append(
        &self,
        doc: DocId,
        client_msg_id: ClientMsgId,
        ciphertext: &[u8],
        quota: &Quota,
    ) -> Result<Appended, StoreError>;
    /// Stores several appends, in order, each exactly as [`Store::append`] would (numbered,
    /// deduplicated, limited; one refused does not stop the others), and answers each. A store
    /// that can should make them durable together, with one commit: that is what lets the relay
    /// take thousands of appends a second, as every commit waits for the disk. Nothing is
    /// answered before everything answered `Ok` is durable. This default commits one at a time.
    fn append_batch(&self, batch: &[AppendRequest]) -> Vec<Result<Appended, StoreError>> {
        batch
            .iter()
            .map(|a| self.append(a.doc, a.client_msg_id, &a.ciphertext, &a.quota))
            .collect()
    }
    /// Stores a snapshot and drops the ciphertext of the entries it covers.
    fn store_snapshot(
        &self,
        doc: DocId,
        covers_seq: u64,
        ciphertext: &[u8],
        quota: &Quota,
    ) -> Result<SnapshotStored, StoreError>;
    /// How many documents and bytes the relay holds.
    fn totals(&self) -> Result<Totals, StoreError>;
    /// Whether the document was deleted (its id is tombstoned).
    fn is_deleted(&self, doc: DocId) -> Result<bool, StoreError>;
    /// Registers `delete_hash` as the document's owner: accepted for a document with no
    /// entries and no owner (bringing it into being, if the quota allows) or when the same hash
    /// is already registered; [`StoreError::NotOwner`] for another registered hash,
    /// [`StoreError::NoOwner`] for a document that holds entries but no owner.
    fn own(&self, doc: DocId, delete_hash: [u8; 32], quota: &Quota) -> Result<Claimed, StoreError>;
    /// Deletes the document if `token_hash` is its registered owner's, in one transaction:
    /// entries, snapshot, blobs and row go, the id is tombstoned, with `moved_to` (a sealed pointer
    /// to where it went) when it was moved rather than deleted.
    fn delete(
        &self,
        doc: DocId,
        token_hash: [u8; 32],
        moved_to: Option<&[u8]>,
    ) -> Result<(), StoreError>;
    /// The sealed pointer a moved document left in its tombstone; `None` for a document that
    /// is not deleted, or was deleted without moving.
    fn moved_to(&self, doc: DocId) -> Result<Option<Vec<u8>>, StoreError>;
    /// How much of the blob the relay holds; `None` if nothing (no upload began, or a failed one
    /// was discarded). [`StoreError::Deleted`] for a deleted document.
    fn blob_state(&self, doc: DocId, hash: BlobHash) -> Result<Option<BlobState>, BlobError>;
    /// Stores `bytes` at `offset` of the blob of `total` bytes, durably, and returns how many
    /// bytes of it the relay now holds. `offset` must be what it holds already
    /// ([`BlobError::WrongOffset`] says how much that is); the first chunk reserves `total`
    /// against the quota, creating the document if it is unknown; the chunk that completes the
    /// blob is checked against `hash` ([`BlobError::HashMismatch`], and the blob is gone). A
    /// blob that is already complete answers its total at once, so a retry is harmless.
    fn put_blob(
        &self,
        doc: DocId,
        hash: BlobHash,
        offset: u64,
        total: u64,
        bytes: &[u8],
        quota: &Quota,
    ) -> Result<u64, BlobError>;
    /// Discards the incomplete blobs whose last chunk arrived `max_idle` or longer ago, by the
    /// store's [`Clock`], giving their reservations back to the document's and the relay's
    /// quotas; returns how many. Complete blobs are never touched. Runs in short transactions,
    /// so uploads under way wait for it no longer than for another upload's chunk.
    fn expire_partial_blobs(&self, max_idle: Duration) -> Result<u64, StoreError>;
    /// What other relays on the same database change, once: a store that no other relay can
    /// share (SQLite) has none, and answers `None`, as does a second call.
    fn take_changes(&self) -> Option<tokio::sync::mpsc::UnboundedReceiver<Change>> {
        None
    }
    /// Passes `frame` (an encoded message that is never stored: presence, a departure) to the
    /// other relays on the database, for their subscribers of `doc`; nothing where no other
    /// relay shares the store. Never waits: it is called from the connections' async code.
    fn announce(&self, _doc: DocId, _frame: &[u8]) {}
    /// The connection pool's state, for a store that has one (PostgreSQL).
    fn pool_status(&self) -> Option<PoolStatus> {
        None
    }
    /// Up to `max_len` bytes of a complete blob from `offset` (fewer at its end); `None` if the
    /// blob is not complete. In pieces, so that sending a large blob never holds all of it.
    fn read_blob(
        &self,
        doc: DocId,
        hash: BlobHash,
        offset: u64,
        max_len: usize,
    ) -> Result<Option<Vec<u8>>, BlobError>;
}
