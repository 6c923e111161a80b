//! The SQLite store's owners and deletions: registering a document's owner, deleting (or moving)
//! it with the owner's token, and the tombstones that keep it deleted.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use tandem_protocol::DocId;

use super::log::head_seq;
use super::{blobs, totals};
use crate::store::{Claimed, Quota, StoreError};

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

pub(super) fn own(
    conn: &mut Connection,
    doc: DocId,
    delete_hash: [u8; 32],
    quota: &Quota,
) -> Result<Claimed, StoreError> {
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
            if totals::read(&tx)?.docs >= quota.max_docs {
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

pub(super) fn moved_to(conn: &Connection, doc: DocId) -> Result<Option<Vec<u8>>, StoreError> {
    let pointer = conn
        .query_row(
            "SELECT moved_to FROM tombstones WHERE doc_id = ?1",
            [&doc.0[..]],
            |row| row.get::<_, Option<Vec<u8>>>(0),
        )
        .optional()?;
    Ok(pointer.flatten())
}

pub(super) fn delete(
    conn: &mut Connection,
    doc: DocId,
    token_hash: [u8; 32],
    moved_to: Option<&[u8]>,
) -> Result<(), StoreError> {
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
    let bytes = bytes.saturating_add(blobs::doc_blob_bytes(&tx, doc)?);
    blobs::delete_doc_blobs(&tx, doc)?;
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
    scrub_wal(conn);
    Ok(())
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
