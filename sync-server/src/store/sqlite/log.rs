//! The SQLite store's log: appends numbered per document (one at a time, or a batch in one
//! commit), and reading it back a page at a time for catch-up.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use tandem_protocol::message::{Entry, StoredSnapshot};
use tandem_protocol::{ClientMsgId, DocId};

use super::ownership::is_deleted;
use super::{id_from, totals};
use crate::catch_up::{fill_page, Filled, Page};
use crate::limits::ENTRY_OVERHEAD_BYTES;
use crate::store::checks::{check_doc_size, check_total_size};
use crate::store::{AppendRequest, Appended, Quota, StoreError, Totals};

pub(super) fn head_seq(conn: &Connection, doc: DocId) -> rusqlite::Result<u64> {
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

pub(super) fn append_id_at(
    conn: &Connection,
    doc: DocId,
    seq: u64,
) -> Result<Option<ClientMsgId>, StoreError> {
    // Covered entries keep their row (only the ciphertext goes), so this holds after a
    // snapshot too. A sequence past i64::MAX is simply not there.
    let Ok(seq) = i64::try_from(seq) else {
        return Ok(None);
    };
    let id: Option<Vec<u8>> = conn
        .query_row(
            "SELECT client_msg_id FROM entries WHERE doc_id = ?1 AND seq = ?2",
            params![&doc.0[..], seq],
            |row| row.get(0),
        )
        .optional()?;
    Ok(id.map(id_from))
}

pub(super) fn catch_up_page(
    conn: &mut Connection,
    doc: DocId,
    after: u64,
    until: u64,
    budget: usize,
) -> Result<Page, StoreError> {
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

pub(super) fn append(
    conn: &mut Connection,
    doc: DocId,
    client_msg_id: ClientMsgId,
    ciphertext: &[u8],
    quota: &Quota,
) -> Result<Appended, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let before = totals::read(&tx)?;
    let mut now = before;
    let appended = append_in(&tx, &mut now, doc, client_msg_id, ciphertext, quota)?;
    if now != before {
        totals::write(&tx, now)?;
    }
    tx.commit()?;
    Ok(appended)
}

/// One transaction, one commit (and so one fsync) for the whole batch; each append sees
/// the ones before it, as it would have one commit apart. Every check comes before an
/// append's first write, so one that is refused (a quota, a deleted document) leaves no
/// trace while the others stand; a write that fails (the disk) fails the whole batch,
/// which is rolled back. The totals row is read once and written once.
pub(super) fn append_batch(
    conn: &mut Connection,
    batch: &[AppendRequest],
) -> Vec<Result<Appended, StoreError>> {
    let outcome = (|| {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let before = totals::read(&tx)?;
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
            totals::write(&tx, now)?;
        }
        tx.commit()?;
        Ok(results)
    })();
    outcome.unwrap_or_else(|e: rusqlite::Error| all_failed(batch.len(), &e))
}

#[cfg(test)]
mod tests {
    use super::super::temp_store as store;
    use super::*;
    use crate::store::Store;

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
}
