//! The PostgreSQL store's owners and deletions: registering a document's owner, deleting (or
//! moving) it with the owner's token, and the tombstones that keep it deleted.

use deadpool_postgres::Client;
use tandem_protocol::DocId;
use tokio_postgres::GenericClient;

use super::log::head_seq;
use super::{notify, totals, uint};
use crate::store::{Claimed, Quota, StoreError, Totals};

pub(super) async fn is_deleted(
    client: &impl GenericClient,
    doc: DocId,
) -> Result<bool, StoreError> {
    let row = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM tombstones WHERE doc_id = $1)",
            &[&&doc.0[..]],
        )
        .await?;
    Ok(row.try_get(0)?)
}

/// The document's row: its cost and its owner's delete-token hash, if it has a row.
async fn doc_row(
    client: &impl GenericClient,
    doc: DocId,
) -> Result<Option<(u64, Option<Vec<u8>>)>, StoreError> {
    let row = client
        .query_opt(
            "SELECT bytes, delete_hash FROM docs WHERE doc_id = $1",
            &[&&doc.0[..]],
        )
        .await?;
    Ok(match row {
        Some(row) => Some((uint(row.try_get(0)?), row.try_get(1)?)),
        None => None,
    })
}

pub(super) async fn own(
    client: &mut Client,
    doc: DocId,
    delete_hash: [u8; 32],
    quota: &Quota,
) -> Result<Claimed, StoreError> {
    let tx = client.transaction().await?;
    let totals = totals::lock(&*tx).await?;
    if is_deleted(&*tx, doc).await? {
        return Err(StoreError::Deleted);
    }
    let id = &doc.0[..];
    let hash = &delete_hash[..];
    let claimed = match doc_row(&*tx, doc).await? {
        Some((_, Some(stored))) if stored == delete_hash => return Ok(Claimed::Again),
        Some((_, Some(_))) => return Err(StoreError::NotOwner),
        // Entries without an owner: whoever claims now only shows they have the link.
        Some(_) if head_seq(&*tx, doc).await? > 0 => return Err(StoreError::NoOwner),
        Some(_) => {
            tx.execute(
                "UPDATE docs SET delete_hash = $2 WHERE doc_id = $1",
                &[&id, &hash],
            )
            .await?;
            Claimed::New { created: false }
        }
        None => {
            if !quota.may_create {
                let limit = quota.max_new_docs;
                return Err(StoreError::TooManyNewDocuments { limit });
            }
            if totals.docs >= quota.max_docs {
                let limit = quota.max_docs;
                return Err(StoreError::RelayFullOfDocuments { limit });
            }
            tx.execute(
                "INSERT INTO docs (doc_id, bytes, delete_hash) VALUES ($1, 0, $2)",
                &[&id, &hash],
            )
            .await?;
            let totals = Totals {
                docs: totals.docs + 1,
                ..totals
            };
            totals::write(&*tx, totals).await?;
            Claimed::New { created: true }
        }
    };
    tx.commit().await?;
    Ok(claimed)
}

pub(super) async fn moved_to(
    client: &impl GenericClient,
    doc: DocId,
) -> Result<Option<Vec<u8>>, StoreError> {
    let row = client
        .query_opt(
            "SELECT moved_to FROM tombstones WHERE doc_id = $1",
            &[&&doc.0[..]],
        )
        .await?;
    Ok(match row {
        Some(row) => row.try_get(0)?,
        None => None,
    })
}

pub(super) async fn delete(
    client: &mut Client,
    doc: DocId,
    token_hash: [u8; 32],
    moved_to: Option<&[u8]>,
    instance: &str,
) -> Result<(), StoreError> {
    let tx = client.transaction().await?;
    let totals = totals::lock(&*tx).await?;
    if is_deleted(&*tx, doc).await? {
        return Err(StoreError::Deleted);
    }
    // Hashes of 256-bit random tokens are compared: timing reveals nothing usable about a
    // token, since finding one for a given hash prefix means inverting SHA-256.
    let bytes = match doc_row(&*tx, doc).await? {
        None | Some((_, None)) => return Err(StoreError::NoOwner),
        Some((_, Some(hash))) if hash != token_hash => return Err(StoreError::NotOwner),
        Some((bytes, Some(_))) => bytes,
    };
    let id = &doc.0[..];
    let blob_bytes = tx
        .query_one(
            "SELECT COALESCE(SUM(total), 0)::BIGINT FROM blobs WHERE doc_id = $1",
            &[&id],
        )
        .await?;
    let bytes = bytes.saturating_add(uint(blob_bytes.try_get(0)?));
    // The blobs' chunks go with their rows (ON DELETE CASCADE).
    for sql in [
        "DELETE FROM blobs WHERE doc_id = $1",
        "DELETE FROM entries WHERE doc_id = $1",
        "DELETE FROM snapshots WHERE doc_id = $1",
        "DELETE FROM docs WHERE doc_id = $1",
    ] {
        tx.execute(sql, &[&id]).await?;
    }
    tx.execute(
        "INSERT INTO tombstones (doc_id, moved_to) VALUES ($1, $2)",
        &[&id, &moved_to],
    )
    .await?;
    let totals = Totals {
        docs: totals.docs.saturating_sub(1),
        bytes: totals.bytes.saturating_sub(bytes),
    };
    totals::write(&*tx, totals).await?;
    // Other relays' members of the document hear it at the commit.
    tx.execute(
        "SELECT pg_notify($1, $2)",
        &[&notify::CHANNEL, &notify::deleted(instance, doc)],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
