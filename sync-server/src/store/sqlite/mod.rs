//! The embedded store: one SQLite file in WAL mode.
//!
//! - `schema`: the tables, and migrating a file from an older relay.
//! - `log`: appends (one, or a batch in one commit) and catch-up pages.
//! - `snapshots`: storing a snapshot and dropping what it covers.
//! - `ownership`: owners, deleting and moving, tombstones.
//! - `totals`: the running sums the relay-wide quotas read.
//! - `blobs`: attachments, written and read in place.
//! - `expiry`: discarding uploads abandoned halfway.
//!
//! [`SqliteStore`] holds the one connection and answers [`Store`] by handing it to them.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::Connection;
use tandem_protocol::{BlobHash, ClientMsgId, DocId};

use super::{
    idle_since, system_clock, AppendRequest, Appended, BlobError, BlobState, Claimed, Clock, Quota,
    SnapshotStored, Store, StoreError, Totals,
};
use crate::catch_up::Page;

mod blobs;
mod expiry;
mod log;
mod ownership;
mod schema;
mod snapshots;
mod totals;

/// The file inside the data directory.
pub const DB_FILE: &str = "relay.sqlite3";

/// The embedded default: one SQLite file in WAL mode.
///
/// A covered entry keeps its row with the ciphertext set to NULL, so a late retry of an append
/// the snapshot already includes is still recognised by its `client_msg_id`, and the head
/// sequence stays `MAX(seq)` without a separate counter.
pub struct SqliteStore {
    /// One connection: writes to SQLite are serialised anyway. Appends, the bulk of the load,
    /// take it once per batch ([`Store::append_batch`]), not once per append.
    conn: Mutex<Connection>,
    /// When chunks arrive, for expiring abandoned uploads.
    clock: Clock,
}

impl SqliteStore {
    /// Opens (creating if needed) `relay.sqlite3` inside `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        Self::open_with_clock(data_dir, system_clock())
    }

    /// [`SqliteStore::open`] with another clock than the system's: for tests of the expiry.
    pub fn open_with_clock(data_dir: &Path, clock: Clock) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir)?;
        let mut conn = Connection::open(data_dir.join(DB_FILE))?;
        // WAL: a commit is one append to the log and one fsync (a rollback journal needs several),
        // and one cut short by a crash is discarded on reopen. Not for concurrent readers: every
        // call shares one connection. synchronous=FULL makes each commit reach the disk before
        // we acknowledge it, which is the promise an Ack makes.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // A deleted document's bytes are overwritten with zeros, not just unlinked: "deleted"
        // must mean gone from the file, not waiting in a free page for someone with the disk.
        conn.pragma_update(None, "secure_delete", "ON")?;
        // Appends land on pages all over the file (one per document): a page cache of 32 MiB
        // (SQLite's default is 2 MiB) keeps the writer from reading them back from the OS for
        // every batch. It fills only as the relay's data grows.
        conn.pragma_update(None, "cache_size", -32 * 1024)?;
        // A batch of appends rewrites one page per document in the log; checkpointing every
        // 8192 pages (32 MiB, SQLite's default is 1000) copies each hot page back once for many
        // batches instead of every few.
        conn.pragma_update(None, "wal_autocheckpoint", 8192)?;
        schema::migrate(&mut conn, clock())?;
        // Room for every statement the relay runs, so none is parsed twice.
        conn.set_prepared_statement_cache_capacity(64);
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            clock,
        })
    }

    pub(super) fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll
        // back on drop), so a poisoned lock is safe to keep using.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A stored `client_msg_id`; one of the wrong length (only a damaged file has one) reads as
/// zeros, which no client checks against successfully.
fn id_from(bytes: Vec<u8>) -> ClientMsgId {
    bytes.try_into().unwrap_or([0; 16])
}

impl Store for SqliteStore {
    fn append_id_at(&self, doc: DocId, seq: u64) -> Result<Option<ClientMsgId>, StoreError> {
        log::append_id_at(&self.conn(), doc, seq)
    }

    fn head_seq(&self, doc: DocId) -> Result<u64, StoreError> {
        Ok(log::head_seq(&self.conn(), doc)?)
    }

    fn catch_up_page(
        &self,
        doc: DocId,
        after: u64,
        until: u64,
        budget: usize,
    ) -> Result<Page, StoreError> {
        log::catch_up_page(&mut self.conn(), doc, after, until, budget)
    }

    fn append(
        &self,
        doc: DocId,
        client_msg_id: ClientMsgId,
        ciphertext: &[u8],
        quota: &Quota,
    ) -> Result<Appended, StoreError> {
        log::append(&mut self.conn(), doc, client_msg_id, ciphertext, quota)
    }

    fn append_batch(&self, batch: &[AppendRequest]) -> Vec<Result<Appended, StoreError>> {
        log::append_batch(&mut self.conn(), batch)
    }

    fn store_snapshot(
        &self,
        doc: DocId,
        covers_seq: u64,
        ciphertext: &[u8],
        quota: &Quota,
    ) -> Result<SnapshotStored, StoreError> {
        snapshots::store(&mut self.conn(), doc, covers_seq, ciphertext, quota)
    }

    fn totals(&self) -> Result<Totals, StoreError> {
        Ok(totals::read(&self.conn())?)
    }

    fn is_deleted(&self, doc: DocId) -> Result<bool, StoreError> {
        Ok(ownership::is_deleted(&self.conn(), doc)?)
    }

    fn own(&self, doc: DocId, delete_hash: [u8; 32], quota: &Quota) -> Result<Claimed, StoreError> {
        ownership::own(&mut self.conn(), doc, delete_hash, quota)
    }

    fn moved_to(&self, doc: DocId) -> Result<Option<Vec<u8>>, StoreError> {
        ownership::moved_to(&self.conn(), doc)
    }

    fn delete(
        &self,
        doc: DocId,
        token_hash: [u8; 32],
        moved_to: Option<&[u8]>,
    ) -> Result<(), StoreError> {
        ownership::delete(&mut self.conn(), doc, token_hash, moved_to)
    }

    fn blob_state(&self, doc: DocId, hash: BlobHash) -> Result<Option<BlobState>, BlobError> {
        blobs::state(&self.conn(), doc, hash)
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
        let now = (self.clock)();
        blobs::put(
            &mut self.conn(),
            doc,
            hash,
            offset,
            total,
            bytes,
            quota,
            now,
        )
    }

    fn expire_partial_blobs(&self, max_idle: Duration) -> Result<u64, StoreError> {
        let since = idle_since((self.clock)(), max_idle);
        let mut expired = 0;
        // The lock is let go between batches, so uploads under way go on during a long sweep.
        loop {
            let n = expiry::expire_batch(&mut self.conn(), since)?;
            expired += n as u64;
            if n < expiry::BATCH {
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
        blobs::read(&mut self.conn(), doc, hash, offset, max_len)
    }
}

/// A store in a fresh temporary directory, for the tests of each part.
#[cfg(test)]
fn temp_store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(dir.path()).expect("open store");
    (dir, store)
}
