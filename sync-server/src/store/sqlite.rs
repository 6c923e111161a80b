//! The embedded store: one SQLite file in WAL mode.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use tandem_protocol::message::{Entry, StoredSnapshot};
use tandem_protocol::{ClientMsgId, DocId};

use super::{Appended, SnapshotStored, Store, StoreError};
use crate::catch_up::CatchUp;

/// The file inside the data directory.
pub const DB_FILE: &str = "relay.sqlite3";

/// The embedded default: one SQLite file in WAL mode.
///
/// A covered entry keeps its row with the ciphertext set to NULL, so a late retry of an append
/// the snapshot already includes is still recognised by its `client_msg_id`, and the head
/// sequence stays `MAX(seq)` without a separate counter.
pub struct SqliteStore {
    /// One connection: writes to SQLite are serialised anyway, and the relay's load is small.
    conn: Mutex<Connection>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS docs (
    doc_id BLOB PRIMARY KEY,
    token_hash BLOB NOT NULL,
    bytes INTEGER NOT NULL DEFAULT 0
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
";

impl SqliteStore {
    /// Opens (creating if needed) `relay.sqlite3` inside `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir)?;
        let conn = Connection::open(data_dir.join(DB_FILE))?;
        // WAL: a commit is one append to the log and one fsync (a rollback journal needs several),
        // and one cut short by a crash is discarded on reopen. Not for concurrent readers: every
        // call shares one connection. synchronous=FULL makes each commit reach the disk before
        // we acknowledge it, which is the promise an Ack makes.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
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

/// A stored `client_msg_id`; one of the wrong length (only a damaged file has one) reads as
/// zeros, which no client checks against successfully.
fn id_from(bytes: Vec<u8>) -> ClientMsgId {
    bytes.try_into().unwrap_or([0; 16])
}

fn head_seq(conn: &Connection, doc: DocId) -> rusqlite::Result<u64> {
    conn.query_row(
        "SELECT COALESCE(MAX(seq), 0) FROM entries WHERE doc_id = ?1",
        [&doc.0[..]],
        |row| row.get(0),
    )
}

impl Store for SqliteStore {
    fn owner_or_register(&self, doc: DocId, token_hash: [u8; 32]) -> Result<[u8; 32], StoreError> {
        let conn = self.conn();
        conn.execute(
            "INSERT OR IGNORE INTO docs (doc_id, token_hash, bytes) VALUES (?1, ?2, 0)",
            params![&doc.0[..], &token_hash[..]],
        )?;
        let stored: Vec<u8> = conn.query_row(
            "SELECT token_hash FROM docs WHERE doc_id = ?1",
            [&doc.0[..]],
            |row| row.get(0),
        )?;
        // A hash of the wrong length can only come from a damaged file; treat it as a mismatch.
        Ok(stored.try_into().unwrap_or([0; 32]))
    }

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

    fn catch_up(&self, doc: DocId, since_seq: u64) -> Result<CatchUp, StoreError> {
        let mut conn = self.conn();
        // One read transaction so the head, snapshot and entries agree with each other.
        let tx = conn.transaction()?;
        let head_seq = head_seq(&tx, doc)?;
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
            .filter(|s| since_seq < s.covers_seq);
        // SQLite integers are signed; a since_seq past i64::MAX simply means "nothing newer".
        let after = snapshot
            .as_ref()
            .map_or(since_seq, |s| s.covers_seq)
            .min(i64::MAX as u64);
        let entries = {
            let mut stmt = tx.prepare(
                "SELECT seq, client_msg_id, ciphertext FROM entries
                 WHERE doc_id = ?1 AND seq > ?2 AND ciphertext IS NOT NULL ORDER BY seq",
            )?;
            let rows = stmt.query_map(params![&doc.0[..], after], |row| {
                Ok(Entry {
                    seq: row.get(0)?,
                    client_msg_id: id_from(row.get(1)?),
                    ciphertext: row.get(2)?,
                })
            })?;
            rows.collect::<Result<Vec<_>, _>>()?
        };
        tx.commit()?;
        Ok(CatchUp {
            head_seq,
            snapshot,
            entries,
        })
    }

    fn append(
        &self,
        doc: DocId,
        client_msg_id: ClientMsgId,
        ciphertext: &[u8],
        max_doc_bytes: u64,
    ) -> Result<Appended, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing: Option<u64> = tx
            .query_row(
                "SELECT seq FROM entries WHERE doc_id = ?1 AND client_msg_id = ?2",
                params![&doc.0[..], &client_msg_id[..]],
                |row| row.get(0),
            )
            .optional()?;
        if let Some(seq) = existing {
            return Ok(Appended::Duplicate(seq));
        }
        let bytes: u64 = tx
            .query_row(
                "SELECT bytes FROM docs WHERE doc_id = ?1",
                [&doc.0[..]],
                |row| row.get(0),
            )
            .optional()?
            .unwrap_or(0);
        let would_be = bytes.saturating_add(ciphertext.len() as u64);
        check_doc_size(would_be, max_doc_bytes)?;
        let seq = head_seq(&tx, doc)? + 1;
        tx.execute(
            "INSERT INTO entries (doc_id, seq, client_msg_id, ciphertext) VALUES (?1, ?2, ?3, ?4)",
            params![&doc.0[..], seq, &client_msg_id[..], ciphertext],
        )?;
        tx.execute(
            "UPDATE docs SET bytes = ?2 WHERE doc_id = ?1",
            params![&doc.0[..], would_be],
        )?;
        tx.commit()?;
        Ok(Appended::New(seq))
    }

    fn store_snapshot(
        &self,
        doc: DocId,
        covers_seq: u64,
        ciphertext: &[u8],
        max_doc_bytes: u64,
    ) -> Result<SnapshotStored, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
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
        let tail: u64 = tx.query_row(
            "SELECT COALESCE(SUM(LENGTH(ciphertext)), 0) FROM entries
             WHERE doc_id = ?1 AND seq > ?2",
            params![&doc.0[..], covers_seq],
            |row| row.get(0),
        )?;
        let would_be = tail.saturating_add(ciphertext.len() as u64);
        check_doc_size(would_be, max_doc_bytes)?;
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
        tx.commit()?;
        Ok(SnapshotStored::Replaced)
    }
}

/// Refuses a write that would take a document's stored bytes past the limit.
fn check_doc_size(would_be: u64, limit: u64) -> Result<(), StoreError> {
    if would_be > limit {
        return Err(StoreError::DocumentTooLarge { would_be, limit });
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

    #[test]
    fn first_token_owns_the_document() {
        let (_dir, store) = store();
        let doc = DocId([1; 16]);
        assert_eq!(store.owner_or_register(doc, [7; 32]).unwrap(), [7; 32]);
        assert_eq!(store.owner_or_register(doc, [8; 32]).unwrap(), [7; 32]);
    }

    #[test]
    fn appends_are_numbered_deduplicated_and_limited() {
        let (_dir, store) = store();
        let doc = DocId([2; 16]);
        store.owner_or_register(doc, [0; 32]).unwrap();
        assert_eq!(
            store.append(doc, [1; 16], b"aa", 10).unwrap(),
            Appended::New(1)
        );
        assert_eq!(
            store.append(doc, [2; 16], b"bb", 10).unwrap(),
            Appended::New(2)
        );
        assert_eq!(
            store.append(doc, [1; 16], b"aa", 10).unwrap(),
            Appended::Duplicate(1)
        );
        assert!(matches!(
            store.append(doc, [3; 16], &[0; 7], 10),
            Err(StoreError::DocumentTooLarge { .. })
        ));
        let catch_up = store.catch_up(doc, 1).unwrap();
        assert_eq!(catch_up.head_seq, 2);
        assert_eq!(catch_up.entries.len(), 1);
    }

    #[test]
    fn snapshot_drops_covered_entries_but_keeps_numbering_and_dedup() {
        let (_dir, store) = store();
        let doc = DocId([3; 16]);
        store.owner_or_register(doc, [0; 32]).unwrap();
        for i in 1..=3u8 {
            store.append(doc, [i; 16], &[i; 4], 1000).unwrap();
        }
        assert!(matches!(
            store.store_snapshot(doc, 4, b"s", 1000),
            Err(StoreError::SnapshotAhead { .. })
        ));
        assert_eq!(
            store.store_snapshot(doc, 2, b"snap", 1000).unwrap(),
            SnapshotStored::Replaced
        );
        assert_eq!(
            store.store_snapshot(doc, 1, b"old", 1000).unwrap(),
            SnapshotStored::Stale
        );
        assert_eq!(
            store.append(doc, [1; 16], &[1; 4], 1000).unwrap(),
            Appended::Duplicate(1)
        );
        assert_eq!(
            store.append(doc, [4; 16], b"d", 1000).unwrap(),
            Appended::New(4)
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
}
