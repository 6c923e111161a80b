//! The SQLite store's snapshots: storing one drops the ciphertext of the entries it covers.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use tandem_protocol::DocId;

use super::log::head_seq;
use super::ownership::is_deleted;
use super::totals;
use crate::limits::ENTRY_OVERHEAD_BYTES;
use crate::store::checks::{check_doc_size, check_total_size};
use crate::store::{Quota, SnapshotStored, StoreError};

pub(super) fn store(
    conn: &mut Connection,
    doc: DocId,
    covers_seq: u64,
    ciphertext: &[u8],
    quota: &Quota,
) -> Result<SnapshotStored, StoreError> {
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
    let total = totals::read(&tx)?.bytes;
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

#[cfg(test)]
mod tests {
    use super::super::temp_store as store;
    use super::*;
    use crate::store::{Appended, Store};

    fn quota(max_doc_bytes: u64) -> Quota {
        Quota {
            max_doc_bytes,
            ..Quota::unlimited()
        }
    }

    const O: u64 = ENTRY_OVERHEAD_BYTES;

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
}
