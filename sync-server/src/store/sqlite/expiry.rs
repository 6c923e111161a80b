//! Discarding uploads abandoned halfway: incomplete blobs whose last chunk arrived before a
//! given moment (`blobs.touched`, found through the partial index on it), each with its
//! reservation and its zero-filled bytes, as a refused upload is discarded.
//!
//! A batch at a time, each its own transaction: the store has one connection, and an upload's
//! chunk should wait for the sweep no longer than for another chunk.

use rusqlite::{params, Connection, TransactionBehavior};

use super::blobs::{discard, Row};
use super::ownership::scrub_wal;
use crate::store::{BlobState, StoreError};

/// Uploads discarded in one transaction at most.
pub(super) const BATCH: usize = 64;

/// Discards up to [`BATCH`] incomplete blobs last touched at or before `idle_since`; returns
/// how many it discarded (fewer than [`BATCH`]: there are no more).
pub(super) fn expire_batch(conn: &mut Connection, idle_since: u64) -> Result<usize, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let abandoned = {
        let mut find = tx.prepare_cached(
            "SELECT bytes_id, total, stored FROM blobs
             WHERE stored < total AND touched <= ?1 LIMIT ?2",
        )?;
        let rows = find.query_map(params![idle_since, BATCH as i64], |row| {
            Ok(Row {
                bytes_id: row.get(0)?,
                state: BlobState {
                    total: row.get(1)?,
                    stored: row.get(2)?,
                },
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<Row>>>()?
    };
    for row in &abandoned {
        discard(&tx, row)?;
    }
    tx.commit()?;
    if !abandoned.is_empty() {
        // `secure_delete` zeroes the freed pages in the file; the log keeps the sealed bytes
        // the chunks wrote until it is checkpointed, as for a refused upload.
        scrub_wal(conn);
    }
    Ok(abandoned.len())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    use rusqlite::Connection;
    use tandem_protocol::{BlobHash, DocId};

    use super::super::{SqliteStore, DB_FILE};
    use super::BATCH;
    use crate::store::{BlobError, BlobState, Quota, Store, Totals};

    const DOC: DocId = DocId([9; 16]);
    const DAY: Duration = Duration::from_secs(24 * 60 * 60);
    /// An arbitrary moment to start from: 2026-12-01.
    const START: u64 = 1_795_996_800;

    /// A store on a clock the test moves.
    fn store_at(dir: &std::path::Path, clock: &Arc<AtomicU64>) -> SqliteStore {
        let now = Arc::clone(clock);
        SqliteStore::open_with_clock(dir, Arc::new(move || now.load(Ordering::SeqCst)))
            .expect("open store")
    }

    #[test]
    fn an_upload_idle_for_the_expiry_time_is_discarded_and_its_reservation_given_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = Arc::new(AtomicU64::new(START));
        let store = store_at(dir.path(), &clock);
        let q = Quota {
            max_doc_blob_bytes: 2000,
            ..Quota::unlimited()
        };
        let memo: Vec<u8> = (0..1000u32).map(|i| (i % 249) as u8).collect();
        let (lost, kept, done) = (
            BlobHash([1; 32]),
            BlobHash([2; 32]),
            BlobHash::of(&memo[..10]),
        );
        store
            .put_blob(DOC, lost, 0, 1000, &memo[..300], &q)
            .unwrap();
        store.put_blob(DOC, done, 0, 10, &memo[..10], &q).unwrap();
        // The document is full: nothing more fits beside the abandoned reservation.
        assert!(matches!(
            store.put_blob(DOC, kept, 0, 991, &memo[..1], &q),
            Err(BlobError::DocumentFull { .. })
        ));
        // A second short of a day: nothing expires.
        clock.store(START + DAY.as_secs() - 1, Ordering::SeqCst);
        assert_eq!(store.expire_partial_blobs(DAY).unwrap(), 0);
        // A day after its last chunk, the abandoned upload goes; the one whose chunk came
        // later, and the complete one, stay.
        let later = BlobHash([3; 32]);
        store
            .put_blob(DOC, later, 0, 500, &[0; 1], &Quota::unlimited())
            .unwrap();
        clock.store(START + DAY.as_secs(), Ordering::SeqCst);
        assert_eq!(store.expire_partial_blobs(DAY).unwrap(), 1);
        assert_eq!(store.blob_state(DOC, lost).unwrap(), None);
        assert_eq!(
            store.blob_state(DOC, later).unwrap(),
            Some(BlobState {
                total: 500,
                stored: 1
            })
        );
        assert!(store.blob_state(DOC, done).unwrap().unwrap().complete());
        assert_eq!(
            store.totals().unwrap(),
            Totals {
                docs: 1,
                bytes: 510
            }
        );
        // Its room is the document's again.
        store.put_blob(DOC, kept, 0, 991, &memo[..1], &q).unwrap();
        // The client that comes back is told the relay holds nothing, and starts over.
        assert!(matches!(
            store.put_blob(DOC, lost, 300, 1000, &memo[300..600], &q),
            Err(BlobError::WrongOffset { stored: 0 })
        ));
        // Much later, the complete blob is still there and nothing else is left to expire
        // but what was started since.
        clock.store(START + 30 * DAY.as_secs(), Ordering::SeqCst);
        assert_eq!(store.expire_partial_blobs(DAY).unwrap(), 2);
        assert_eq!(store.expire_partial_blobs(DAY).unwrap(), 0);
        assert_eq!(
            store.read_blob(DOC, done, 0, 100).unwrap().as_deref(),
            Some(&memo[..10])
        );
        assert_eq!(store.totals().unwrap().bytes, 10);
    }

    #[test]
    fn every_chunk_restarts_the_wait() {
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = Arc::new(AtomicU64::new(START));
        let store = store_at(dir.path(), &clock);
        let q = Quota::unlimited();
        let hash = BlobHash([4; 32]);
        for (i, at) in [0, 20, 40].into_iter().enumerate() {
            clock.store(START + at * 3600, Ordering::SeqCst);
            assert_eq!(store.expire_partial_blobs(DAY).unwrap(), 0);
            store
                .put_blob(DOC, hash, i as u64 * 10, 100, &[7; 10], &q)
                .unwrap();
        }
        clock.store(START + 40 * 3600 + DAY.as_secs() - 1, Ordering::SeqCst);
        assert_eq!(store.expire_partial_blobs(DAY).unwrap(), 0);
        assert_eq!(store.blob_state(DOC, hash).unwrap().unwrap().stored, 30);
    }

    #[test]
    fn more_than_a_batch_of_abandoned_uploads_all_go_and_leave_nothing_in_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = Arc::new(AtomicU64::new(START));
        let store = store_at(dir.path(), &clock);
        let q = Quota::unlimited();
        let n = BATCH as u8 * 2 + 3;
        let marker = b"Wilhelmina's half-sent sealed memo";
        for i in 0..n {
            store
                .put_blob(DOC, BlobHash([i; 32]), 0, 100, marker, &q)
                .unwrap();
        }
        assert_eq!(store.totals().unwrap().bytes, u64::from(n) * 100);
        clock.store(START + DAY.as_secs(), Ordering::SeqCst);
        assert_eq!(store.expire_partial_blobs(DAY).unwrap(), u64::from(n));
        assert_eq!(store.totals().unwrap(), Totals { docs: 1, bytes: 0 });
        let conn = store.conn();
        let left: i64 = conn
            .query_row("SELECT COUNT(*) FROM blob_bytes", [], |row| row.get(0))
            .unwrap();
        assert_eq!(left, 0);
        drop(conn);
        drop(store);
        let file = std::fs::read(dir.path().join(DB_FILE)).unwrap();
        assert!(!file.windows(marker.len()).any(|w| w == marker));
    }

    #[test]
    fn an_upload_under_way_in_a_version_6_file_gets_the_whole_wait_from_the_upgrade() {
        let dir = tempfile::tempdir().expect("temp dir");
        let half = BlobHash::of(b"half!!");
        {
            let clock = Arc::new(AtomicU64::new(START));
            let store = store_at(dir.path(), &clock);
            store
                .put_blob(DOC, half, 0, 6, b"hal", &Quota::unlimited())
                .unwrap();
        }
        {
            // As a version 6 relay left it: no `touched`, no index.
            let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
            conn.execute_batch(
                "DROP INDEX blobs_partial;
                 ALTER TABLE blobs DROP COLUMN touched;
                 PRAGMA user_version = 6;",
            )
            .unwrap();
        }
        let upgraded = START + 90 * DAY.as_secs();
        let clock = Arc::new(AtomicU64::new(upgraded));
        let store = store_at(dir.path(), &clock);
        clock.store(upgraded + DAY.as_secs() - 1, Ordering::SeqCst);
        assert_eq!(store.expire_partial_blobs(DAY).unwrap(), 0);
        assert_eq!(
            store
                .put_blob(DOC, half, 3, 6, b"f!!", &Quota::unlimited())
                .unwrap(),
            6
        );
        clock.store(upgraded + 10 * DAY.as_secs(), Ordering::SeqCst);
        assert_eq!(store.expire_partial_blobs(DAY).unwrap(), 0);
        assert_eq!(
            store.read_blob(DOC, half, 0, 10).unwrap().as_deref(),
            Some(&b"half!!"[..])
        );
    }
}
