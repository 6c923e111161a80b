//! The SQLite store's attachments: a small row per blob, and its bytes written and read in place.
//!
//! The first chunk of an upload inserts the bytes' row with `zeroblob(total)`, reserving the
//! whole length on disk and against the quotas at once; every chunk is then written into it with
//! SQLite's incremental blob I/O, so a chunk costs its own bytes rather than a rewrite of all
//! the bytes before it (which `data = data || ?` would). The bytes have a table of their own
//! (`blob_bytes`), apart from the row that records the upload's progress (`blobs`): SQLite
//! rewrites a whole row to update any column of it, so progress kept beside the bytes would copy
//! them all again with every chunk. `stored` counts the bytes received from the start; it
//! reaches `total` only in the transaction that checked the bytes against the blob's name, so
//! `stored = total` means complete and correct, and only such blobs are read.
//!
//! Blob bytes count in `totals.bytes` (by their announced length, from the first chunk on), but
//! not in `docs.bytes`: a document's log and its attachments have separate limits.
//!
//! `touched` is when the upload's last chunk arrived (the store's clock, in seconds): what
//! [`super::expiry`] reads to discard uploads abandoned halfway.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha256};
use tandem_protocol::blob::BLOB_CHUNK_BYTES;
use tandem_protocol::{BlobHash, DocId};

use super::ownership::{is_deleted, scrub_wal};
use super::totals;
use crate::store::{BlobError, BlobState, Quota, StoreError};

/// Version 7 of the schema: the blobs, beside the documents they belong to. A blob is per
/// document: the same bytes under two documents are two rows, deleted with their own document.
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS blobs (
    doc_id BLOB NOT NULL,
    hash BLOB NOT NULL,
    total INTEGER NOT NULL,
    stored INTEGER NOT NULL,
    bytes_id INTEGER NOT NULL,
    touched INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (doc_id, hash)
);
CREATE TABLE IF NOT EXISTS blob_bytes (
    id INTEGER PRIMARY KEY,
    data BLOB NOT NULL
);
";

/// From version 4, which kept the bytes in the `blobs` row itself: they move to `blob_bytes`
/// under the row's old rowid, progress and all.
const FROM_VERSION_4: &str = "
ALTER TABLE blobs RENAME TO blobs_v4;
CREATE TABLE blobs (
    doc_id BLOB NOT NULL,
    hash BLOB NOT NULL,
    total INTEGER NOT NULL,
    stored INTEGER NOT NULL,
    bytes_id INTEGER NOT NULL,
    PRIMARY KEY (doc_id, hash)
);
CREATE TABLE IF NOT EXISTS blob_bytes (
    id INTEGER PRIMARY KEY,
    data BLOB NOT NULL
);
INSERT INTO blob_bytes (id, data) SELECT rowid, data FROM blobs_v4;
INSERT INTO blobs (doc_id, hash, total, stored, bytes_id)
    SELECT doc_id, hash, total, stored, rowid FROM blobs_v4;
DROP TABLE blobs_v4;
";

/// The uploads under way, by when their last chunk arrived: what the expiry looks through.
const PARTIAL_INDEX: &str =
    "CREATE INDEX IF NOT EXISTS blobs_partial ON blobs (touched) WHERE stored < total";

/// Creates the blob tables, or brings those of versions 4 to 6 to the present layout; part of
/// the store's migration transaction, at `now` by the store's clock.
pub(super) fn migrate(tx: &Connection, now: u64) -> rusqlite::Result<()> {
    let has_column = |name: &str| -> rusqlite::Result<bool> {
        tx.query_row(
            "SELECT COUNT(*) > 0 FROM pragma_table_info('blobs') WHERE name = ?1",
            [name],
            |row| row.get(0),
        )
    };
    if has_column("data")? {
        tx.execute_batch(FROM_VERSION_4)?;
    }
    tx.execute_batch(SCHEMA)?;
    // From versions 5 and 6: no time on the uploads under way.
    if !has_column("touched")? {
        tx.execute_batch("ALTER TABLE blobs ADD COLUMN touched INTEGER NOT NULL DEFAULT 0")?;
    }
    // An upload that was under way when the relay was upgraded gets the whole expiry time
    // from now, rather than being taken for abandoned since 1970.
    tx.execute(
        "UPDATE blobs SET touched = ?1 WHERE stored < total AND touched = 0",
        [now],
    )?;
    tx.execute_batch(PARTIAL_INDEX)
}

/// A blob's row: where its bytes are (blob I/O addresses rows by rowid) and how far along.
pub(super) struct Row {
    pub(super) bytes_id: i64,
    pub(super) state: BlobState,
}

fn row(conn: &Connection, doc: DocId, hash: BlobHash) -> rusqlite::Result<Option<Row>> {
    conn.query_row(
        "SELECT bytes_id, total, stored FROM blobs WHERE doc_id = ?1 AND hash = ?2",
        params![&doc.0[..], &hash.0[..]],
        |row| {
            Ok(Row {
                bytes_id: row.get(0)?,
                state: BlobState {
                    total: row.get(1)?,
                    stored: row.get(2)?,
                },
            })
        },
    )
    .optional()
}

/// Deletes every blob of the document, bytes and rows; part of the document's deletion.
pub(super) fn delete_doc_blobs(conn: &Connection, doc: DocId) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM blob_bytes WHERE id IN (SELECT bytes_id FROM blobs WHERE doc_id = ?1)",
        [&doc.0[..]],
    )?;
    conn.execute("DELETE FROM blobs WHERE doc_id = ?1", [&doc.0[..]])?;
    Ok(())
}

/// What the document's blobs take, complete or not: the sum of their announced lengths.
pub(super) fn doc_blob_bytes(conn: &Connection, doc: DocId) -> rusqlite::Result<u64> {
    conn.query_row(
        "SELECT COALESCE(SUM(total), 0) FROM blobs WHERE doc_id = ?1",
        [&doc.0[..]],
        |row| row.get(0),
    )
}

/// A byte position as blob I/O takes it. Blobs are far below `usize::MAX` on any platform the
/// relay runs on; a position that does not fit becomes one SQLite refuses as out of range.
fn at(position: u64) -> usize {
    usize::try_from(position).unwrap_or(usize::MAX)
}

pub(super) fn state(
    conn: &Connection,
    doc: DocId,
    hash: BlobHash,
) -> Result<Option<BlobState>, BlobError> {
    if is_deleted(conn, doc)? {
        return Err(StoreError::Deleted.into());
    }
    Ok(row(conn, doc, hash)?.map(|r| r.state))
}

// The trait's arguments, and the time the chunk arrived.
#[allow(clippy::too_many_arguments)]
pub(super) fn put(
    conn: &mut Connection,
    doc: DocId,
    hash: BlobHash,
    offset: u64,
    total: u64,
    bytes: &[u8],
    quota: &Quota,
    now: u64,
) -> Result<u64, BlobError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if is_deleted(&tx, doc)? {
        return Err(StoreError::Deleted.into());
    }
    let existing = row(&tx, doc, hash)?;
    if let Some(done) = existing.as_ref().filter(|r| r.state.complete()) {
        return Ok(done.state.total);
    }
    let len = bytes.len() as u64;
    if total == 0 {
        return Err(BlobError::Empty);
    }
    if offset.checked_add(len).is_none_or(|end| end > total) {
        return Err(BlobError::PastTheEnd { offset, len, total });
    }
    if total > quota.max_blob_bytes {
        let limit = quota.max_blob_bytes;
        return Err(BlobError::TooLarge { total, limit });
    }
    let current = match existing {
        Some(r) if r.state.total == total => r,
        // A fresh start with another length (a client that sealed the memo again would use
        // another name, so this is a client's own mistake corrected): the old reservation goes.
        Some(r) if offset == 0 => {
            discard(&tx, &r)?;
            reserve(&tx, doc, hash, total, quota, now)?
        }
        Some(r) => {
            let started = r.state.total;
            return Err(BlobError::OtherTotal { started, total });
        }
        None if offset == 0 => reserve(&tx, doc, hash, total, quota, now)?,
        None => return Err(BlobError::WrongOffset { stored: 0 }),
    };
    if offset != current.state.stored {
        let stored = current.state.stored;
        return Err(BlobError::WrongOffset { stored });
    }
    let stored = offset + len;
    {
        let mut blob = tx.blob_open("main", "blob_bytes", "data", current.bytes_id, false)?;
        blob.write_at(bytes, at(offset))?;
        if stored == total && !hashes_to(&blob, total, hash)? {
            drop(blob);
            discard(&tx, &current)?;
            tx.commit()?;
            // Nothing of a refused upload stays behind, in the log either.
            scrub_wal(conn);
            return Err(BlobError::HashMismatch);
        }
    }
    tx.execute(
        "UPDATE blobs SET stored = ?3, touched = ?4 WHERE doc_id = ?1 AND hash = ?2",
        params![&doc.0[..], &hash.0[..], stored, now],
    )?;
    tx.commit()?;
    Ok(stored)
}

/// Whether the blob's `total` bytes hash to `hash`, read a chunk at a time.
fn hashes_to(
    blob: &rusqlite::blob::Blob<'_>,
    total: u64,
    hash: BlobHash,
) -> rusqlite::Result<bool> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; BLOB_CHUNK_BYTES];
    let mut offset = 0;
    while offset < total {
        let n = at((total - offset).min(BLOB_CHUNK_BYTES as u64));
        blob.read_at_exact(&mut buf[..n], at(offset))?;
        hasher.update(&buf[..n]);
        offset += n as u64;
    }
    Ok(BlobHash(hasher.finalize().into()) == hash)
}

/// Inserts an empty blob of `total` bytes after checking the quotas, creating the document's
/// row if it has none (a memo recorded offline may arrive before the document's first change).
fn reserve(
    conn: &Connection,
    doc: DocId,
    hash: BlobHash,
    total: u64,
    quota: &Quota,
    now: u64,
) -> Result<Row, BlobError> {
    let would_be = doc_blob_bytes(conn, doc)?.saturating_add(total);
    if would_be > quota.max_doc_blob_bytes {
        let limit = quota.max_doc_blob_bytes;
        return Err(BlobError::DocumentFull { would_be, limit });
    }
    let totals = totals::read(conn)?;
    let relay_would_be = totals.bytes.saturating_add(total);
    if relay_would_be > quota.max_total_bytes {
        let limit = quota.max_total_bytes;
        return Err(StoreError::RelayFullOfBytes {
            would_be: relay_would_be,
            limit,
        }
        .into());
    }
    let known: bool = conn.query_row(
        "SELECT COUNT(*) > 0 FROM docs WHERE doc_id = ?1",
        [&doc.0[..]],
        |row| row.get(0),
    )?;
    if !known {
        if !quota.may_create {
            let limit = quota.max_new_docs;
            return Err(StoreError::TooManyNewDocuments { limit }.into());
        }
        if totals.docs >= quota.max_docs {
            let limit = quota.max_docs;
            return Err(StoreError::RelayFullOfDocuments { limit }.into());
        }
        conn.execute(
            "INSERT INTO docs (doc_id, bytes) VALUES (?1, 0)",
            [&doc.0[..]],
        )?;
    }
    conn.execute(
        "INSERT INTO blob_bytes (data) VALUES (zeroblob(?1))",
        [total],
    )?;
    let bytes_id = conn.last_insert_rowid();
    conn.execute(
        "INSERT INTO blobs (doc_id, hash, total, stored, bytes_id, touched)
         VALUES (?1, ?2, ?3, 0, ?4, ?5)",
        params![&doc.0[..], &hash.0[..], total, bytes_id, now],
    )?;
    conn.execute(
        "UPDATE totals SET docs = docs + ?1, bytes = bytes + ?2 WHERE id = 1",
        params![u64::from(!known), total],
    )?;
    Ok(Row {
        bytes_id,
        state: BlobState { total, stored: 0 },
    })
}

/// Removes a blob and gives its reservation back.
pub(super) fn discard(conn: &Connection, row: &Row) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM blobs WHERE bytes_id = ?1", [row.bytes_id])?;
    conn.execute("DELETE FROM blob_bytes WHERE id = ?1", [row.bytes_id])?;
    conn.execute(
        "UPDATE totals SET bytes = MAX(bytes - ?1, 0) WHERE id = 1",
        [row.state.total],
    )?;
    Ok(())
}

pub(super) fn read(
    conn: &mut Connection,
    doc: DocId,
    hash: BlobHash,
    offset: u64,
    max_len: usize,
) -> Result<Option<Vec<u8>>, BlobError> {
    // One read transaction, so the row cannot be deleted between finding it and reading it.
    let tx = conn.transaction()?;
    if is_deleted(&tx, doc)? {
        return Err(StoreError::Deleted.into());
    }
    let Some(found) = row(&tx, doc, hash)?.filter(|r| r.state.complete()) else {
        return Ok(None);
    };
    let len = found.state.total.saturating_sub(offset).min(max_len as u64);
    let mut buf = vec![0u8; at(len)];
    if len > 0 {
        let blob = tx.blob_open("main", "blob_bytes", "data", found.bytes_id, true)?;
        blob.read_at_exact(&mut buf, at(offset))?;
    }
    tx.commit()?;
    Ok(Some(buf))
}

#[cfg(test)]
mod tests {
    use super::super::{temp_store as store, DB_FILE};
    use super::*;
    use crate::store::{Store, Totals};

    fn quota(max_blob_bytes: u64, max_doc_blob_bytes: u64) -> Quota {
        Quota {
            max_blob_bytes,
            max_doc_blob_bytes,
            ..Quota::unlimited()
        }
    }

    const DOC: DocId = DocId([9; 16]);

    #[test]
    fn a_blob_arrives_in_chunks_and_reads_back_in_pieces() {
        let (_dir, store) = store();
        let q = Quota::unlimited();
        let memo: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
        let hash = BlobHash::of(&memo);
        assert_eq!(store.blob_state(DOC, hash).unwrap(), None);
        assert_eq!(
            store
                .put_blob(DOC, hash, 0, 1000, &memo[..400], &q)
                .unwrap(),
            400
        );
        assert_eq!(store.read_blob(DOC, hash, 0, 100).unwrap(), None);
        // A retried chunk is refused with where to go on from.
        assert!(matches!(
            store.put_blob(DOC, hash, 0, 1000, &memo[..400], &q),
            Err(BlobError::WrongOffset { stored: 400 })
        ));
        assert_eq!(
            store.blob_state(DOC, hash).unwrap(),
            Some(BlobState {
                total: 1000,
                stored: 400
            })
        );
        assert_eq!(
            store
                .put_blob(DOC, hash, 400, 1000, &memo[400..], &q)
                .unwrap(),
            1000
        );
        assert!(store.blob_state(DOC, hash).unwrap().unwrap().complete());
        // Complete: any retry answers the total at once.
        assert_eq!(
            store.put_blob(DOC, hash, 0, 1000, &memo[..10], &q).unwrap(),
            1000
        );
        let mut read = Vec::new();
        while let Some(piece) = store.read_blob(DOC, hash, read.len() as u64, 300).unwrap() {
            if piece.is_empty() {
                break;
            }
            read.extend(piece);
        }
        assert_eq!(read, memo);
        // The blob created the document and counts against the relay's bytes.
        assert_eq!(
            store.totals().unwrap(),
            Totals {
                docs: 1,
                bytes: 1000
            }
        );
        // The same bytes under another document are another blob.
        assert_eq!(store.blob_state(DocId([8; 16]), hash).unwrap(), None);
    }

    #[test]
    fn each_chunk_is_written_once_in_place() {
        let (_dir, store) = store();
        let q = Quota::unlimited();
        let memo: Vec<u8> = (0..8 * BLOB_CHUNK_BYTES as u32)
            .map(|i| (i % 253) as u8)
            .collect();
        let hash = BlobHash::of(&memo);
        let total = memo.len() as u64;
        for (i, chunk) in memo.chunks(BLOB_CHUNK_BYTES).enumerate() {
            let offset = (i * BLOB_CHUNK_BYTES) as u64;
            store.put_blob(DOC, hash, offset, total, chunk, &q).unwrap();
        }
        // Pages freed on the way are pages written twice: a chunk that rewrote the blob's row
        // (as updating any column of a row holding the bytes would) frees the whole blob.
        let conn = store.conn();
        let pragma = |name: &str| -> i64 {
            conn.pragma_query_value(None, name, |row| row.get(0))
                .unwrap()
        };
        let freed = pragma("freelist_count") * pragma("page_size");
        assert!(freed < BLOB_CHUNK_BYTES as i64, "{freed} bytes freed");
    }

    #[test]
    fn bytes_that_do_not_match_the_name_are_discarded() {
        let (_dir, store) = store();
        let q = Quota::unlimited();
        let hash = BlobHash::of(b"the real memo");
        store.put_blob(DOC, hash, 0, 13, b"a forged", &q).unwrap();
        assert!(matches!(
            store.put_blob(DOC, hash, 8, 13, b" memo", &q),
            Err(BlobError::HashMismatch)
        ));
        assert_eq!(store.blob_state(DOC, hash).unwrap(), None);
        assert_eq!(store.totals().unwrap().bytes, 0);
    }

    #[test]
    fn limits_are_checked_when_an_upload_starts() {
        let (_dir, store) = store();
        let q = quota(100, 150);
        let hash = |n: u8| BlobHash([n; 32]);
        assert!(matches!(
            store.put_blob(DOC, hash(1), 0, 101, b"x", &q),
            Err(BlobError::TooLarge {
                total: 101,
                limit: 100
            })
        ));
        store.put_blob(DOC, hash(1), 0, 100, b"x", &q).unwrap();
        // The first upload's reservation counts, though only one byte of it arrived.
        assert!(matches!(
            store.put_blob(DOC, hash(2), 0, 51, b"x", &q),
            Err(BlobError::DocumentFull {
                would_be: 151,
                limit: 150
            })
        ));
        store.put_blob(DOC, hash(2), 0, 50, b"x", &q).unwrap();
        let relay_full = Quota {
            max_total_bytes: 200,
            ..Quota::unlimited()
        };
        assert!(matches!(
            store.put_blob(DocId([1; 16]), hash(3), 0, 51, b"x", &relay_full),
            Err(BlobError::Store(StoreError::RelayFullOfBytes { .. }))
        ));
        assert!(matches!(
            store.put_blob(DOC, hash(4), 0, 5, b"toolong", &q),
            Err(BlobError::PastTheEnd { .. })
        ));
        assert!(matches!(
            store.put_blob(DOC, hash(4), 0, 0, b"", &q),
            Err(BlobError::Empty)
        ));
        assert!(matches!(
            store.put_blob(DOC, hash(1), 1, 90, b"x", &q),
            Err(BlobError::OtherTotal {
                started: 100,
                total: 90
            })
        ));
        assert!(matches!(
            store.put_blob(DOC, hash(5), 3, 10, b"x", &q),
            Err(BlobError::WrongOffset { stored: 0 })
        ));
        assert_eq!(
            store.totals().unwrap(),
            Totals {
                docs: 1,
                bytes: 150
            }
        );
    }

    #[test]
    fn blobs_go_with_their_document() {
        let (dir, store) = store();
        let q = Quota::unlimited();
        let owner = [7u8; 32];
        store.own(DOC, owner, &q).unwrap();
        let memo = b"Wilhelmina Oosterhout's sealed memo".to_vec();
        let hash = BlobHash::of(&memo);
        store
            .put_blob(DOC, hash, 0, memo.len() as u64, &memo, &q)
            .unwrap();
        store.delete(DOC, owner, None).unwrap();
        assert!(matches!(
            store.blob_state(DOC, hash),
            Err(BlobError::Store(StoreError::Deleted))
        ));
        assert!(matches!(
            store.put_blob(DOC, hash, 0, memo.len() as u64, &memo, &q),
            Err(BlobError::Store(StoreError::Deleted))
        ));
        assert_eq!(store.totals().unwrap(), Totals::default());
        drop(store);
        let file = std::fs::read(dir.path().join(DB_FILE)).unwrap();
        assert!(!file.windows(memo.len()).any(|w| w == memo));
    }
}
