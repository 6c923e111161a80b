//! The PostgreSQL store's attachments: a small row per blob, and its bytes as a row per chunk.
//!
//! PostgreSQL rewrites a whole value to change part of it, so the bytes cannot be written in
//! place as SQLite's blob I/O does ([`crate::store::SqliteStore`]); a row per chunk costs each
//! chunk its own bytes instead. Chunks arrive at the offset the relay holds up to, so they tile
//! the blob without overlaps, and a read takes the chunks its range touches. As with SQLite,
//! the first chunk reserves the whole announced length against the quotas, `stored` counts the
//! bytes received from the start, and it reaches `total` only in the transaction that checked
//! every byte against the blob's name: only such blobs are read. `touched` is when the last
//! chunk arrived, for [`expire_batch`].

use std::pin::pin;

use deadpool_postgres::{Client, Transaction};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use tandem_protocol::{BlobHash, DocId};
use tokio_postgres::types::ToSql;
use tokio_postgres::GenericClient;

use super::ownership::is_deleted;
use super::{int, totals, uint};
use crate::store::{BlobError, BlobState, Quota, StoreError, Totals};

async fn row(
    client: &impl GenericClient,
    doc: DocId,
    hash: BlobHash,
) -> Result<Option<BlobState>, StoreError> {
    let row = client
        .query_opt(
            "SELECT total, stored FROM blobs WHERE doc_id = $1 AND hash = $2",
            &[&&doc.0[..], &&hash.0[..]],
        )
        .await?;
    Ok(match row {
        Some(row) => Some(BlobState {
            total: uint(row.try_get(0)?),
            stored: uint(row.try_get(1)?),
        }),
        None => None,
    })
}

pub(super) async fn state(
    client: &impl GenericClient,
    doc: DocId,
    hash: BlobHash,
) -> Result<Option<BlobState>, BlobError> {
    if is_deleted(client, doc).await? {
        return Err(StoreError::Deleted.into());
    }
    Ok(row(client, doc, hash).await?)
}

// The trait's arguments, and the time the chunk arrived.
#[allow(clippy::too_many_arguments)]
pub(super) async fn put(
    client: &mut Client,
    doc: DocId,
    hash: BlobHash,
    offset: u64,
    total: u64,
    bytes: &[u8],
    quota: &Quota,
    now: u64,
) -> Result<u64, BlobError> {
    let tx = client.transaction().await?;
    let mut totals = totals::lock(&*tx).await?;
    if is_deleted(&*tx, doc).await? {
        return Err(StoreError::Deleted.into());
    }
    let existing = row(&*tx, doc, hash).await?;
    if let Some(done) = existing.filter(|r| r.complete()) {
        return Ok(done.total);
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
        Some(r) if r.total == total => r,
        // A fresh start with another length (a client that sealed the memo again would use
        // another name, so this is a client's own mistake corrected): the old reservation goes.
        Some(r) if offset == 0 => {
            discard(&tx, doc, hash, r, &mut totals).await?;
            reserve(&tx, doc, hash, total, quota, now, &mut totals).await?
        }
        Some(r) => {
            let started = r.total;
            return Err(BlobError::OtherTotal { started, total });
        }
        None if offset == 0 => reserve(&tx, doc, hash, total, quota, now, &mut totals).await?,
        None => return Err(BlobError::WrongOffset { stored: 0 }),
    };
    if offset != current.stored {
        let stored = current.stored;
        return Err(BlobError::WrongOffset { stored });
    }
    let (id, name) = (&doc.0[..], &hash.0[..]);
    if !bytes.is_empty() {
        tx.execute(
            "INSERT INTO blob_chunks (doc_id, hash, at, data) VALUES ($1, $2, $3, $4)",
            &[&id, &name, &int(offset), &bytes],
        )
        .await?;
    }
    let stored = offset + len;
    if stored == total && !hashes_to(&tx, doc, hash).await? {
        discard(&tx, doc, hash, current, &mut totals).await?;
        totals::write(&*tx, totals).await?;
        tx.commit().await?;
        return Err(BlobError::HashMismatch);
    }
    tx.execute(
        "UPDATE blobs SET stored = $3, touched = $4 WHERE doc_id = $1 AND hash = $2",
        &[&id, &name, &int(stored), &int(now)],
    )
    .await?;
    totals::write(&*tx, totals).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Whether the blob's chunks, in order, hash to `hash`; read as a stream, a chunk at a time.
async fn hashes_to(tx: &Transaction<'_>, doc: DocId, hash: BlobHash) -> Result<bool, StoreError> {
    let (id, name) = (&doc.0[..], &hash.0[..]);
    let params: [&(dyn ToSql + Sync); 2] = [&id, &name];
    let chunks = tx
        .query_raw(
            "SELECT data FROM blob_chunks WHERE doc_id = $1 AND hash = $2 ORDER BY at",
            params,
        )
        .await?;
    let mut chunks = pin!(chunks);
    let mut hasher = Sha256::new();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk?;
        let data: &[u8] = chunk.try_get(0)?;
        hasher.update(data);
    }
    Ok(BlobHash(hasher.finalize().into()) == hash)
}

/// Reserves `total` bytes for a new upload after checking the quotas, creating the document's
/// row if it has none (a memo recorded offline may arrive before the document's first change).
// The upload's first chunk, when it arrived, and the sums to keep up to date.
#[allow(clippy::too_many_arguments)]
async fn reserve(
    tx: &Transaction<'_>,
    doc: DocId,
    hash: BlobHash,
    total: u64,
    quota: &Quota,
    now: u64,
    totals: &mut Totals,
) -> Result<BlobState, BlobError> {
    let id = &doc.0[..];
    let held = tx
        .query_one(
            "SELECT COALESCE(SUM(total), 0)::BIGINT,
                    EXISTS (SELECT 1 FROM docs WHERE doc_id = $1)
             FROM blobs WHERE doc_id = $1",
            &[&id],
        )
        .await?;
    let would_be = uint(held.try_get(0)?).saturating_add(total);
    if would_be > quota.max_doc_blob_bytes {
        let limit = quota.max_doc_blob_bytes;
        return Err(BlobError::DocumentFull { would_be, limit });
    }
    let relay_would_be = totals.bytes.saturating_add(total);
    if relay_would_be > quota.max_total_bytes {
        let limit = quota.max_total_bytes;
        return Err(StoreError::RelayFullOfBytes {
            would_be: relay_would_be,
            limit,
        }
        .into());
    }
    let known: bool = held.try_get(1)?;
    if !known {
        if !quota.may_create {
            let limit = quota.max_new_docs;
            return Err(StoreError::TooManyNewDocuments { limit }.into());
        }
        if totals.docs >= quota.max_docs {
            let limit = quota.max_docs;
            return Err(StoreError::RelayFullOfDocuments { limit }.into());
        }
        tx.execute("INSERT INTO docs (doc_id, bytes) VALUES ($1, 0)", &[&id])
            .await?;
        totals.docs += 1;
    }
    tx.execute(
        "INSERT INTO blobs (doc_id, hash, total, stored, touched) VALUES ($1, $2, $3, 0, $4)",
        &[&id, &&hash.0[..], &int(total), &int(now)],
    )
    .await?;
    totals.bytes = totals.bytes.saturating_add(total);
    Ok(BlobState { total, stored: 0 })
}

/// Removes a blob, chunks and all, and gives its reservation back.
async fn discard(
    tx: &Transaction<'_>,
    doc: DocId,
    hash: BlobHash,
    state: BlobState,
    totals: &mut Totals,
) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM blobs WHERE doc_id = $1 AND hash = $2",
        &[&&doc.0[..], &&hash.0[..]],
    )
    .await?;
    totals.bytes = totals.bytes.saturating_sub(state.total);
    Ok(())
}

/// Uploads discarded in one transaction at most: every write of every relay on the database
/// waits for the lock the sweep holds, so it holds it briefly.
pub(super) const BATCH: usize = 64;

/// Discards up to [`BATCH`] incomplete blobs last touched at or before `idle_since`, chunks
/// (by the foreign key's cascade) and reservations; returns how many (fewer than [`BATCH`]:
/// there are no more).
pub(super) async fn expire_batch(
    client: &mut Client,
    idle_since: u64,
) -> Result<usize, StoreError> {
    let tx = client.transaction().await?;
    let mut totals = totals::lock(&*tx).await?;
    let gone = tx
        .query(
            "DELETE FROM blobs WHERE (doc_id, hash) IN (
                 SELECT doc_id, hash FROM blobs
                 WHERE stored < total AND touched <= $1 LIMIT $2)
             RETURNING total",
            &[&int(idle_since), &int(BATCH as u64)],
        )
        .await?;
    for row in &gone {
        totals.bytes = totals.bytes.saturating_sub(uint(row.try_get(0)?));
    }
    totals::write(&*tx, totals).await?;
    tx.commit().await?;
    Ok(gone.len())
}

pub(super) async fn read(
    client: &mut Client,
    doc: DocId,
    hash: BlobHash,
    offset: u64,
    max_len: usize,
) -> Result<Option<Vec<u8>>, BlobError> {
    // One transaction that sees one state, so the blob cannot be deleted between finding its
    // row and reading its chunks.
    let tx = client
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    if is_deleted(&*tx, doc).await? {
        return Err(StoreError::Deleted.into());
    }
    let Some(found) = row(&*tx, doc, hash).await?.filter(|r| r.complete()) else {
        return Ok(None);
    };
    let len = found.total.saturating_sub(offset).min(max_len as u64);
    let end = offset.saturating_add(len);
    let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    if len > 0 {
        let chunks = tx
            .query(
                "SELECT at, data FROM blob_chunks
                 WHERE doc_id = $1 AND hash = $2 AND at < $4
                   AND at + octet_length(data) > $3
                 ORDER BY at",
                &[&&doc.0[..], &&hash.0[..], &int(offset), &int(end)],
            )
            .await?;
        for chunk in chunks {
            let at = uint(chunk.try_get(0)?);
            let data: &[u8] = chunk.try_get(1)?;
            let chunk_end = at.saturating_add(data.len() as u64);
            let (from, to) = (offset.max(at), end.min(chunk_end));
            if from < to {
                let (from, to) = ((from - at) as usize, (to - at) as usize);
                buf.extend_from_slice(&data[from..to]);
            }
        }
    }
    tx.commit().await?;
    Ok(Some(buf))
}
