//! The embedded store: one SQLite file in WAL mode.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use tandem_protocol::message::{Entry, StoredSnapshot};
use tandem_protocol::{BlobHash, ClientMsgId, DocId};

use super::sqlite_blobs;
use super::{
    AppendRequest, Appended, BlobError, BlobState, Claimed, Quota, SnapshotStored, Store,
    StoreError, Totals,
};
use crate::catch_up::{fill_page, Filled, Page};
use crate::limits::ENTRY_OVERHEAD_BYTES;

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
}

/// The schema this code writes, recorded in SQLite's `user_version`.
const SCHEMA_VERSION: i64 = 6;

/// Version 2. `docs.bytes` is what the document costs against its limit (snapshot, live
/// ciphertext and [`ENTRY_OVERHEAD_BYTES`] per row); `totals` keeps the sums over all documents
/// in one row, updated in the same transaction as every write, so the relay-wide quotas cost one
/// read instead of a scan.
///
/// Version 3. `docs.delete_hash` is the hash of the owner's delete token, NULL for documents
/// nobody owns (all those from before version 3); `tombstones` lists deleted documents' ids,
/// and nothing else of them (see [`super`] for why the ids stay).
///
/// Version 4. `blobs` holds attachments; `totals.bytes` counts them.
///
/// Version 5. An attachment's bytes are in `blob_bytes`, apart from its progress in `blobs`
/// ([`sqlite_blobs::SCHEMA`] says why).
///
/// Version 6. `tombstones.moved_to` is the sealed pointer a moved document left (NULL for one
/// deleted without moving).
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS docs (
    doc_id BLOB PRIMARY KEY,
    bytes INTEGER NOT NULL DEFAULT 0,
    delete_hash BLOB
);
CREATE TABLE IF NOT EXISTS tombstones (
    doc_id BLOB PRIMARY KEY,
    moved_to BLOB
);
CREATE TABLE IF NOT EXISTS entries (
    doc_id BLOB NOT NULL,
    seq INTEGER NOT NULL,
    client_msg_id BLOB NOT NULL,
    ciphertext BLOB,
    PRIMARY KEY (doc_id, seq),
    UNIQUE (doc_id, client_msg_id)
);
CREATE TABLE IF NOT EXISTS snapshots (
    doc_id BLOB PRIMARY KEY,
    covers_seq INTEGER NOT NULL,
    ciphertext BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS totals (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    docs INTEGER NOT NULL,
    bytes INTEGER NOT NULL
);
";

/// From version 1, where the first join registered its token's hash as the document's owner:
/// the owner goes (ids are now derived from tokens, see `tandem_protocol::crypto`), documents
/// that never stored anything go, and every cost is counted anew with the per-entry overhead.
const FROM_VERSION_1: &str = "
DELETE FROM docs WHERE doc_id NOT IN (SELECT doc_id FROM entries);
ALTER TABLE docs DROP COLUMN token_hash;
UPDATE docs SET bytes =
    (SELECT COUNT(*) * ?1 + COALESCE(SUM(LENGTH(ciphertext)), 0)
     FROM entries e WHERE e.doc_id = docs.doc_id)
  + COALESCE((SELECT LENGTH(ciphertext) FROM snapshots s WHERE s.doc_id = docs.doc_id), 0);
";

impl SqliteStore {
    /// Opens (creating if needed) `relay.sqlite3` inside `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
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
        migrate(&mut conn)?;
        // Room for every statement the relay runs, so none is parsed twice.
        conn.set_prepared_statement_cache_capacity(64);
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }

    pub(super) fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll
        // back on drop), so a poisoned lock is safe to keep using.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Brings the file to [`SCHEMA_VERSION`] in one transaction: a crash midway leaves it as it was.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if version == SCHEMA_VERSION {
        return Ok(());
    }
    if version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema(version));
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let has_owner: bool = tx.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_table_info('docs') WHERE name = 'token_hash'",
        [],
        |row| row.get(0),
    )?;
    if has_owner {
        let mut statements = FROM_VERSION_1.split(';').map(str::trim);
        for sql in statements.by_ref().filter(|sql| !sql.is_empty()) {
            if sql.contains("?1") {
                tx.execute(sql, [ENTRY_OVERHEAD_BYTES])?;
            } else {
                tx.execute_batch(sql)?;
            }
        }
    }
    tx.execute_batch(SCHEMA)?;
    sqlite_blobs::migrate(&tx)?;
    // From version 2: `CREATE TABLE IF NOT EXISTS` leaves an existing `docs` as it was.
    let has_delete_hash: bool = tx.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_table_info('docs') WHERE name = 'delete_hash'",
        [],
        |row| row.get(0),
    )?;
    if !has_delete_hash {
        tx.execute_batch("ALTER TABLE docs ADD COLUMN delete_hash BLOB")?;
    }
    // From version 3: tombstones without forwarding addresses.
    let has_moved_to: bool = tx.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_table_info('tombstones') WHERE name = 'moved_to'",
        [],
        |row| row.get(0),
    )?;
    if !has_moved_to {
        tx.execute_batch("ALTER TABLE tombstones ADD COLUMN moved_to BLOB")?;
    }
    tx.execute(
        "INSERT OR REPLACE INTO totals (id, docs, bytes)
         SELECT 1, COUNT(*),
                COALESCE(SUM(bytes), 0) + (SELECT COALESCE(SUM(total), 0) FROM blobs)
         FROM docs",
        [],
    )?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

pub(super) fn totals(conn: &Connection) -> rusqlite::Result<Totals> {
    conn.prepare_cached("SELECT docs, bytes FROM totals WHERE id = 1")?
        .query_row([], |row| {
            Ok(Totals {
                docs: row.get(0)?,
                bytes: row.get(1)?,
            })
        })
}

/// A stored `client_msg_id`; one of the wrong length (only a damaged file has one) reads as
/// zeros, which no client checks against successfully.
fn id_from(bytes: Vec<u8>) -> ClientMsgId {
    bytes.try_into().unwrap_or([0; 16])
}

pub(super) fn is_deleted(conn: &Connection, doc: DocId) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT COUNT(*) > 0 FROM tombstones WHERE doc_id = ?1")?
        .query_row([&doc.0[..]], |row| row.get(0))
}

/// The document's row: its cost and its owner's delete-token hash, if it has a row.
fn doc_row(conn: &Connection, doc: DocId) -> rusqlite::Result<Option<(u64, Option<Vec<u8>>)>> {
    conn.query_row(
        "SELECT bytes, delete_hash FROM docs WHERE doc_id = ?1",
        [&doc.0[..]],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
    .optional()
}

fn head_seq(conn: &Connection, doc: DocId) -> rusqlite::Result<u64> {
    conn.prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM entries WHERE doc_id = ?1")?
        .query_row([&doc.0[..]], |row| row.get(0))
}

/// [`Store::append`] inside the caller's transaction, which commits it and writes `totals`
/// (kept up to date here) back. Every check comes before the first write. Statements are
/// cached: the writer runs these same few for every append.
fn append_in(
    conn: &Connection,
    totals: &mut Totals,
    doc: DocId,
    client_msg_id: ClientMsgId,
    ciphertext: &[u8],
    quota: &Quota,
) -> Result<Appended, StoreError> {
    if is_deleted(conn, doc)? {
        return Err(StoreError::Deleted);
    }
    let existing: Option<u64> = conn
        .prepare_cached("SELECT seq FROM entries WHERE doc_id = ?1 AND client_msg_id = ?2")?
        .query_row(params![&doc.0[..], &client_msg_id[..]], |row| row.get(0))
        .optional()?;
    if let Some(seq) = existing {
        return Ok(Appended::Duplicate(seq));
    }
    let bytes: Option<u64> = conn
        .prepare_cached("SELECT bytes FROM docs WHERE doc_id = ?1")?
        .query_row([&doc.0[..]], |row| row.get(0))
        .optional()?;
    let created = bytes.is_none();
    if created && !quota.may_create {
        let limit = quota.max_new_docs;
        return Err(StoreError::TooManyNewDocuments { limit });
    }
    if created && totals.docs >= quota.max_docs {
        let limit = quota.max_docs;
        return Err(StoreError::RelayFullOfDocuments { limit });
    }
    let cost = (ciphertext.len() as u64).saturating_add(ENTRY_OVERHEAD_BYTES);
    let would_be = bytes.unwrap_or(0).saturating_add(cost);
    check_doc_size(would_be, quota.max_doc_bytes)?;
    check_total_size(totals.bytes.saturating_add(cost), quota)?;
    let seq = head_seq(conn, doc)? + 1;
    conn.prepare_cached(
        "INSERT INTO entries (doc_id, seq, client_msg_id, ciphertext) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![&doc.0[..], seq, &client_msg_id[..], ciphertext])?;
    conn.prepare_cached(
        "INSERT INTO docs (doc_id, bytes) VALUES (?1, ?2)
         ON CONFLICT (doc_id) DO UPDATE SET bytes = ?2",
    )?
    .execute(params![&doc.0[..], would_be])?;
    totals.docs += u64::from(created);
    totals.bytes = totals.bytes.saturating_add(cost);
    Ok(Appended::New { seq, created })
}

/// The same failure for every append of a batch that could not begin or commit.
fn all_failed(n: usize, e: &rusqlite::Error) -> Vec<Result<Appended, StoreError>> {
    (0..n)
        .map(|_| Err(StoreError::BatchCommit(e.to_string())))
        .collect()
}

impl Store for SqliteStore {
    fn append_id_at(&self, doc: DocId, seq: u64) -> Result<Option<ClientMsgId>, StoreError> {
        // Covered entries keep their row (only the ciphertext goes), so this holds after a
        // snapshot too. A sequence past i64::MAX is simply not there.
        let Ok(seq) = i64::try_from(seq) else {
            return Ok(None);
        };
        let id: Option<Vec<u8>> = self
            .conn()
            .query_row(
                "SELECT client_msg_id FROM entries WHERE doc_id = ?1 AND seq = ?2",
                params![&doc.0[..], seq],
                |row| row.get(0),
            )
            .optional()?;
        Ok(id.map(id_from))
    }

    fn head_seq(&self, doc: DocId) -> Result<u64, StoreError> {
        Ok(head_seq(&self.conn(), doc)?)
    }

    fn catch_up_page(
        &self,
        doc: DocId,
        after: u64,
        until: u64,
        budget: usize,
    ) -> Result<Page, StoreError> {
        let mut conn = self.conn();
        // One read transaction so the snapshot and the entries agree with each other: a
        // snapshot stored between two pages drops entries, and the next page then starts
        // from that snapshot instead.
        let tx = conn.transaction()?;
        let snapshot = tx
            .query_row(
                "SELECT s.covers_seq, e.client_msg_id, s.ciphertext
                 FROM snapshots s JOIN entries e ON e.doc_id = s.doc_id AND e.seq = s.covers_seq
                 WHERE s.doc_id = ?1",
                [&doc.0[..]],
                |row| {
                    Ok(StoredSnapshot {
                        covers_seq: row.get(0)?,
                        covers_id: id_from(row.get(1)?),
                        ciphertext: row.get(2)?,
                    })
                },
            )
            .optional()?
            .filter(|s| after < s.covers_seq);
        let covered = snapshot.as_ref().map_or(after, |s| s.covers_seq);
        // SQLite integers are signed; sequences past i64::MAX simply do not exist.
        let (from, to) = (covered.min(i64::MAX as u64), until.min(i64::MAX as u64));
        let Filled {
            snapshot,
            entries,
            left,
        } = {
            let mut stmt = tx.prepare(
                "SELECT seq, client_msg_id, ciphertext FROM entries
                 WHERE doc_id = ?1 AND seq > ?2 AND seq <= ?3 AND ciphertext IS NOT NULL
                 ORDER BY seq",
            )?;
            let rows = stmt.query_map(params![&doc.0[..], from, to], |row| {
                Ok(Entry {
                    seq: row.get(0)?,
                    client_msg_id: id_from(row.get(1)?),
                    ciphertext: row.get(2)?,
                })
            })?;
            fill_page(snapshot, rows.map(|r| r.map_err(StoreError::from)), budget)?
        };
        tx.commit()?;
        let reached = match left {
            Some(_) => entries.last().map_or(covered, |e| e.seq),
            None => until.max(covered),
        };
        Ok(Page {
            snapshot,
            entries,
            reached,
        })
    }

    fn append(
        &self,
        doc: DocId,
        client_msg_id: ClientMsgId,
        ciphertext: &[u8],
        quota: &Quota,
    ) -> Result<Appended, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let before = totals(&tx)?;
        let mut now = before;
        let appended = append_in(&tx, &mut now, doc, client_msg_id, ciphertext, quota)?;
        if now != before {
            tx.prepare_cached("UPDATE totals SET docs = ?1, bytes = ?2 WHERE id = 1")?
                .execute(params![now.docs, now.bytes])?;
        }
        tx.commit()?;
        Ok(appended)
    }

    /// One transaction, one commit (and so one fsync) for the whole batch; each append sees
    /// the ones before it, as it would have one commit apart. Every check comes before an
    /// append's first write, so one that is refused (a quota, a deleted document) leaves no
    /// trace while the others stand; a write that fails (the disk) fails the whole batch,
    /// which is rolled back. The totals row is read once and written once.
    fn append_batch(&self, batch: &[AppendRequest]) -> Vec<Result<Appended, StoreError>> {
        let mut conn = self.conn();
        let outcome = (|| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let before = totals(&tx)?;
            let mut now = before;
            let mut results = Vec::with_capacity(batch.len());
            for a in batch {
                let result = append_in(
                    &tx,
                    &mut now,
                    a.doc,
                    a.client_msg_id,
                    &a.ciphertext,
                    &a.quota,
                );
                if let Err(StoreError::Database(e)) = result {
                    return Err(e);
                }
                results.push(result);
            }
            if now != before {
                tx.prepare_cached("UPDATE totals SET docs = ?1, bytes = ?2 WHERE id = 1")?
                    .execute(params![now.docs, now.bytes])?;
            }
            tx.commit()?;
            Ok(results)
        })();
        outcome.unwrap_or_else(|e: rusqlite::Error| all_failed(batch.len(), &e))
    }

    fn store_snapshot(
        &self,
        doc: DocId,
        covers_seq: u64,
        ciphertext: &[u8],
        quota: &Quota,
    ) -> Result<SnapshotStored, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if is_deleted(&tx, doc)? {
            return Err(StoreError::Deleted);
        }
        // An unknown document has head 0, so a snapshot (which covers at least seq 1) can
        // never create one.
        let head_seq = head_seq(&tx, doc)?;
        if covers_seq > head_seq {
            return Err(StoreError::SnapshotAhead {
                covers_seq,
                head_seq,
            });
        }
        let current: Option<u64> = tx
            .query_row(
                "SELECT covers_seq FROM snapshots WHERE doc_id = ?1",
                [&doc.0[..]],
                |row| row.get(0),
            )
            .optional()?;
        if current.is_some_and(|c| c >= covers_seq) {
            return Ok(SnapshotStored::Stale);
        }
        let (rows, tail): (u64, u64) = tx.query_row(
            "SELECT COUNT(*), COALESCE(SUM(LENGTH(ciphertext) * (seq > ?2)), 0) FROM entries
             WHERE doc_id = ?1",
            params![&doc.0[..], covers_seq],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        let before: u64 = tx.query_row(
            "SELECT bytes FROM docs WHERE doc_id = ?1",
            [&doc.0[..]],
            |row| row.get(0),
        )?;
        let would_be = (ciphertext.len() as u64)
            .saturating_add(tail)
            .saturating_add(rows.saturating_mul(ENTRY_OVERHEAD_BYTES));
        check_doc_size(would_be, quota.max_doc_bytes)?;
        let total = totals(&tx)?.bytes;
        let new_total = total.saturating_sub(before).saturating_add(would_be);
        if would_be > before {
            check_total_size(new_total, quota)?;
        }
        tx.execute(
            "INSERT INTO snapshots (doc_id, covers_seq, ciphertext) VALUES (?1, ?2, ?3)
             ON CONFLICT (doc_id) DO UPDATE SET covers_seq = ?2, ciphertext = ?3",
            params![&doc.0[..], covers_seq, ciphertext],
        )?;
        tx.execute(
            "UPDATE entries SET ciphertext = NULL WHERE doc_id = ?1 AND seq <= ?2",
            params![&doc.0[..], covers_seq],
        )?;
        tx.execute(
            "UPDATE docs SET bytes = ?2 WHERE doc_id = ?1",
            params![&doc.0[..], would_be],
        )?;
        tx.execute(
            "UPDATE totals SET bytes = ?1 WHERE id = 1",
            params![new_total],
        )?;
        tx.commit()?;
        Ok(SnapshotStored::Replaced)
    }

    fn totals(&self) -> Result<Totals, StoreError> {
        Ok(totals(&self.conn())?)
    }

    fn is_deleted(&self, doc: DocId) -> Result<bool, StoreError> {
        Ok(is_deleted(&self.conn(), doc)?)
    }

    fn own(&self, doc: DocId, delete_hash: [u8; 32], quota: &Quota) -> Result<Claimed, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if is_deleted(&tx, doc)? {
            return Err(StoreError::Deleted);
        }
        let claimed = match doc_row(&tx, doc)? {
            Some((_, Some(hash))) if hash == delete_hash => return Ok(Claimed::Again),
            Some((_, Some(_))) => return Err(StoreError::NotOwner),
            // Entries without an owner: whoever claims now only shows they have the link.
            Some(_) if head_seq(&tx, doc)? > 0 => return Err(StoreError::NoOwner),
            Some(_) => {
                tx.execute(
                    "UPDATE docs SET delete_hash = ?2 WHERE doc_id = ?1",
                    params![&doc.0[..], &delete_hash[..]],
                )?;
                Claimed::New { created: false }
            }
            None => {
                if !quota.may_create {
                    let limit = quota.max_new_docs;
                    return Err(StoreError::TooManyNewDocuments { limit });
                }
                if totals(&tx)?.docs >= quota.max_docs {
                    let limit = quota.max_docs;
                    return Err(StoreError::RelayFullOfDocuments { limit });
                }
                tx.execute(
                    "INSERT INTO docs (doc_id, bytes, delete_hash) VALUES (?1, 0, ?2)",
                    params![&doc.0[..], &delete_hash[..]],
                )?;
                tx.execute("UPDATE totals SET docs = docs + 1 WHERE id = 1", [])?;
                Claimed::New { created: true }
            }
        };
        tx.commit()?;
        Ok(claimed)
    }

    fn moved_to(&self, doc: DocId) -> Result<Option<Vec<u8>>, StoreError> {
        let conn = self.conn();
        let pointer = conn
            .query_row(
                "SELECT moved_to FROM tombstones WHERE doc_id = ?1",
                [&doc.0[..]],
                |row| row.get::<_, Option<Vec<u8>>>(0),
            )
            .optional()?;
        Ok(pointer.flatten())
    }

    fn delete(
        &self,
        doc: DocId,
        token_hash: [u8; 32],
        moved_to: Option<&[u8]>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if is_deleted(&tx, doc)? {
            return Err(StoreError::Deleted);
        }
        // Hashes of 256-bit random tokens are compared: timing reveals nothing usable about a
        // token, since finding one for a given hash prefix means inverting SHA-256.
        let bytes = match doc_row(&tx, doc)? {
            None | Some((_, None)) => return Err(StoreError::NoOwner),
            Some((_, Some(hash))) if hash != token_hash => return Err(StoreError::NotOwner),
            Some((bytes, Some(_))) => bytes,
        };
        let bytes = bytes.saturating_add(sqlite_blobs::doc_blob_bytes(&tx, doc)?);
        sqlite_blobs::delete_doc_blobs(&tx, doc)?;
        for sql in [
            "DELETE FROM entries WHERE doc_id = ?1",
            "DELETE FROM snapshots WHERE doc_id = ?1",
            "DELETE FROM docs WHERE doc_id = ?1",
        ] {
            tx.execute(sql, [&doc.0[..]])?;
        }
        tx.execute(
            "INSERT INTO tombstones (doc_id, moved_to) VALUES (?1, ?2)",
            params![&doc.0[..], moved_to],
        )?;
        tx.execute(
            "UPDATE totals SET docs = docs - 1, bytes = MAX(bytes - ?1, 0) WHERE id = 1",
            [bytes],
        )?;
        tx.commit()?;
        scrub_wal(&conn);
        Ok(())
    }

    fn blob_state(&self, doc: DocId, hash: BlobHash) -> Result<Option<BlobState>, BlobError> {
        sqlite_blobs::state(&self.conn(), doc, hash)
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
        sqlite_blobs::put(&mut self.conn(), doc, hash, offset, total, bytes, quota)
    }

    fn read_blob(
        &self,
        doc: DocId,
        hash: BlobHash,
        offset: u64,
        max_len: usize,
    ) -> Result<Option<Vec<u8>>, BlobError> {
        sqlite_blobs::read(&mut self.conn(), doc, hash, offset, max_len)
    }
}

/// After a commit that deleted content: the write-ahead log still holds the pages as they were
/// before; copying them into the database (where secure_delete zeroed them) and emptying the log
/// leaves no trace of the content in either file. A checkpoint blocked by a reader only delays
/// that to the next automatic one, so its result is not an error.
pub(super) fn scrub_wal(conn: &Connection) {
    let _: rusqlite::Result<(i64, i64, i64)> =
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        });
}

/// Refuses a write that would take a document's stored bytes past the limit.
fn check_doc_size(would_be: u64, limit: u64) -> Result<(), StoreError> {
    if would_be > limit {
        return Err(StoreError::DocumentTooLarge { would_be, limit });
    }
    Ok(())
}

/// Refuses a write that would take the relay's stored bytes past its limit.
fn check_total_size(would_be: u64, quota: &Quota) -> Result<(), StoreError> {
    if would_be > quota.max_total_bytes {
        let limit = quota.max_total_bytes;
        return Err(StoreError::RelayFullOfBytes { would_be, limit });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = SqliteStore::open(dir.path()).expect("open store");
        (dir, store)
    }

    fn quota(max_doc_bytes: u64) -> Quota {
        Quota {
            max_doc_bytes,
            ..Quota::unlimited()
        }
    }

    const O: u64 = ENTRY_OVERHEAD_BYTES;

    #[test]
    fn appends_are_numbered_deduplicated_and_limited() {
        let (_dir, store) = store();
        let doc = DocId([2; 16]);
        let q = quota(2 * O + 10);
        let new = |seq, created| Appended::New { seq, created };
        assert_eq!(store.append(doc, [1; 16], b"aa", &q).unwrap(), new(1, true));
        assert_eq!(
            store.append(doc, [2; 16], b"bb", &q).unwrap(),
            new(2, false)
        );
        assert_eq!(
            store.append(doc, [1; 16], b"aa", &q).unwrap(),
            Appended::Duplicate(1)
        );
        // Even an empty entry costs its row.
        assert!(matches!(
            store.append(doc, [3; 16], &[], &q),
            Err(StoreError::DocumentTooLarge { .. })
        ));
        let catch_up = store.catch_up(doc, 1).unwrap();
        assert_eq!(catch_up.head_seq, 2);
        assert_eq!(catch_up.entries.len(), 1);
        let totals = store.totals().unwrap();
        assert_eq!(
            totals,
            Totals {
                docs: 1,
                bytes: 2 * O + 4
            }
        );
    }

    #[test]
    fn a_batch_stores_each_append_as_one_would_and_a_refusal_leaves_the_rest_standing() {
        let (_dir, store) = store();
        let (a, b) = (DocId([1; 16]), DocId([2; 16]));
        let request = |doc, id: u8, len: usize, quota| AppendRequest {
            doc,
            client_msg_id: [id; 16],
            ciphertext: vec![id; len],
            quota,
        };
        let q = quota(2 * O + 20);
        let batch = [
            request(a, 1, 10, q),
            request(b, 1, 10, q),
            request(a, 2, 10, q),
            // Too large for what `a` now holds: refused, and rolled back alone.
            request(a, 3, 10, q),
            // A retry of an append earlier in the same batch.
            request(a, 1, 10, q),
            request(b, 2, 1, q),
        ];
        let results = store.append_batch(&batch);
        let new = |seq, created| Appended::New { seq, created };
        assert_eq!(results[0].as_ref().ok(), Some(&new(1, true)));
        assert_eq!(results[1].as_ref().ok(), Some(&new(1, true)));
        assert_eq!(results[2].as_ref().ok(), Some(&new(2, false)));
        assert!(matches!(
            results[3],
            Err(StoreError::DocumentTooLarge { .. })
        ));
        assert_eq!(results[4].as_ref().ok(), Some(&Appended::Duplicate(1)));
        assert_eq!(results[5].as_ref().ok(), Some(&new(2, false)));
        assert_eq!(store.head_seq(a).unwrap(), 2);
        assert_eq!(
            store.totals().unwrap(),
            Totals {
                docs: 2,
                bytes: 4 * O + 31
            }
        );
    }

    #[test]
    fn new_documents_need_the_writers_quota_and_room_in_the_relay() {
        let (_dir, store) = store();
        let no_new = Quota {
            may_create: false,
            max_new_docs: 3,
            ..Quota::unlimited()
        };
        assert!(matches!(
            store.append(DocId([1; 16]), [1; 16], b"x", &no_new),
            Err(StoreError::TooManyNewDocuments { limit: 3 })
        ));
        let one_doc = Quota {
            max_docs: 1,
            ..Quota::unlimited()
        };
        store
            .append(DocId([1; 16]), [1; 16], b"x", &one_doc)
            .unwrap();
        // An existing document takes writes without the right to create one.
        store
            .append(DocId([1; 16]), [2; 16], b"y", &no_new)
            .unwrap();
        assert!(matches!(
            store.append(DocId([2; 16]), [1; 16], b"x", &one_doc),
            Err(StoreError::RelayFullOfDocuments { limit: 1 })
        ));
        let full = Quota {
            max_total_bytes: 2 * O + 2,
            ..Quota::unlimited()
        };
        assert!(matches!(
            store.append(DocId([1; 16]), [3; 16], b"z", &full),
            Err(StoreError::RelayFullOfBytes { .. })
        ));
        assert_eq!(store.totals().unwrap().docs, 1);
    }

    #[test]
    fn snapshot_drops_covered_entries_but_keeps_numbering_and_dedup() {
        let (_dir, store) = store();
        let doc = DocId([3; 16]);
        let q = quota(1000);
        for i in 1..=3u8 {
            store.append(doc, [i; 16], &[i; 4], &q).unwrap();
        }
        assert!(matches!(
            store.store_snapshot(doc, 4, b"s", &q),
            Err(StoreError::SnapshotAhead { .. })
        ));
        assert!(matches!(
            store.store_snapshot(DocId([4; 16]), 1, b"s", &q),
            Err(StoreError::SnapshotAhead { .. })
        ));
        assert_eq!(
            store.store_snapshot(doc, 2, b"snap", &q).unwrap(),
            SnapshotStored::Replaced
        );
        // Three rows, one live entry of 4 bytes, a snapshot of 4.
        assert_eq!(store.totals().unwrap().bytes, 3 * O + 4 + 4);
        assert_eq!(
            store.store_snapshot(doc, 1, b"old", &q).unwrap(),
            SnapshotStored::Stale
        );
        assert_eq!(
            store.append(doc, [1; 16], &[1; 4], &q).unwrap(),
            Appended::Duplicate(1)
        );
        assert_eq!(
            store.append(doc, [4; 16], b"d", &q).unwrap(),
            Appended::New {
                seq: 4,
                created: false
            }
        );
        let from_start = store.catch_up(doc, 0).unwrap();
        assert_eq!(
            from_start.snapshot.map(|s| s.ciphertext),
            Some(b"snap".to_vec())
        );
        let seqs: Vec<u64> = from_start.entries.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, vec![3, 4]);
        let recent = store.catch_up(doc, 3).unwrap();
        assert!(recent.snapshot.is_none());
        assert_eq!(recent.entries.len(), 1);
    }

    #[test]
    fn pages_reach_the_head_and_jump_to_a_snapshot_stored_between_them() {
        let (_dir, store) = store();
        let doc = DocId([5; 16]);
        let q = Quota::unlimited();
        for i in 1..=6u8 {
            store.append(doc, [i; 16], &[i; 100], &q).unwrap();
        }
        // Two entries to a page (each 100 bytes plus 18 around it: sequence, id, length).
        let page = store.catch_up_page(doc, 0, 6, 236).unwrap();
        let seqs: Vec<u64> = page.entries.iter().map(|e| e.seq).collect();
        assert_eq!((seqs, page.reached), (vec![1, 2], 2));
        // A snapshot covering 4 arrives before the next page: it comes instead of 3 and 4.
        store.store_snapshot(doc, 4, b"snap", &q).unwrap();
        let page = store.catch_up_page(doc, 2, 6, 236).unwrap();
        assert_eq!(page.snapshot.as_ref().map(|s| s.covers_seq), Some(4));
        let seqs: Vec<u64> = page.entries.iter().map(|e| e.seq).collect();
        assert_eq!((seqs, page.reached), (vec![5], 5));
        let page = store.catch_up_page(doc, 5, 6, 236).unwrap();
        assert_eq!(page.reached, 6);
        assert_eq!(page.resume(doc, 6), None);
        // Nothing left up to the head: an empty page that reaches it.
        let page = store.catch_up_page(doc, 6, 6, 236).unwrap();
        assert_eq!((page.entries.len(), page.reached), (0, 6));
    }

    #[test]
    fn a_version_1_file_is_migrated_with_its_entries_and_costs() {
        let dir = tempfile::tempdir().expect("temp dir");
        {
            let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
            conn.execute_batch(
                "CREATE TABLE docs (doc_id BLOB PRIMARY KEY, token_hash BLOB NOT NULL,
                                    bytes INTEGER NOT NULL DEFAULT 0);
                 CREATE TABLE entries (doc_id BLOB NOT NULL, seq INTEGER NOT NULL,
                    client_msg_id BLOB NOT NULL, ciphertext BLOB, PRIMARY KEY (doc_id, seq),
                    UNIQUE (doc_id, client_msg_id));
                 CREATE TABLE snapshots (doc_id BLOB PRIMARY KEY, covers_seq INTEGER NOT NULL,
                    ciphertext BLOB NOT NULL);
                 INSERT INTO docs VALUES (x'01', x'aa', 5), (x'02', x'bb', 0);
                 INSERT INTO entries VALUES (x'01', 1, x'11', NULL), (x'01', 2, x'22', x'0102');
                 INSERT INTO snapshots VALUES (x'01', 1, x'010203');",
            )
            .unwrap();
        }
        let store = SqliteStore::open(dir.path()).unwrap();
        // The document that never stored anything is gone; the other costs its two rows, its
        // live entry and its snapshot.
        assert_eq!(
            store.totals().unwrap(),
            Totals {
                docs: 1,
                bytes: 2 * O + 2 + 3
            }
        );
        drop(store);
        let again = SqliteStore::open(dir.path()).unwrap();
        assert_eq!(again.totals().unwrap().docs, 1);
    }

    #[test]
    fn a_version_3_file_keeps_its_tombstones_and_can_move_documents() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (gone, kept) = (DocId([1; 16]), DocId([2; 16]));
        {
            let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
            conn.execute_batch(
                "CREATE TABLE docs (doc_id BLOB PRIMARY KEY, bytes INTEGER NOT NULL DEFAULT 0,
                                    delete_hash BLOB);
                 CREATE TABLE tombstones (doc_id BLOB PRIMARY KEY);
                 PRAGMA user_version = 3;",
            )
            .unwrap();
            conn.execute("INSERT INTO tombstones VALUES (?1)", [&gone.0[..]])
                .unwrap();
        }
        let store = SqliteStore::open(dir.path()).unwrap();
        assert!(store.is_deleted(gone).unwrap());
        assert_eq!(store.moved_to(gone).unwrap(), None);
        let owner = [7; 32];
        store.own(kept, owner, &Quota::unlimited()).unwrap();
        store.delete(kept, owner, Some(b"sealed pointer")).unwrap();
        assert!(store.is_deleted(kept).unwrap());
        assert_eq!(
            store.moved_to(kept).unwrap().as_deref(),
            Some(&b"sealed pointer"[..])
        );
    }
}
