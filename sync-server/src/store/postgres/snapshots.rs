//! The PostgreSQL store's snapshots: storing one drops the ciphertext of the entries it covers.

use deadpool_postgres::Client;
use tandem_protocol::DocId;

use super::log::head_seq;
use super::ownership::is_deleted;
use super::{int, totals, uint};
use crate::limits::ENTRY_OVERHEAD_BYTES;
use crate::store::checks::{check_doc_size, check_total_size};
use crate::store::{Quota, SnapshotStored, StoreError};

pub(super) async fn store(
    client: &mut Client,
    doc: DocId,
    covers_seq: u64,
    ciphertext: &[u8],
    quota: &Quota,
) -> Result<SnapshotStored, StoreError> {
    let tx = client.transaction().await?;
    let totals = totals::lock(&*tx).await?;
    if is_deleted(&*tx, doc).await? {
        return Err(StoreError::Deleted);
    }
    // An unknown document has head 0, so a snapshot (which covers at least seq 1) can never
    // create one.
    let head_seq = head_seq(&*tx, doc).await?;
    if covers_seq > head_seq {
        return Err(StoreError::SnapshotAhead {
            covers_seq,
            head_seq,
        });
    }
    let id = &doc.0[..];
    let current = tx
        .query_opt("SELECT covers_seq FROM snapshots WHERE doc_id = $1", &[&id])
        .await?;
    if let Some(row) = current {
        if uint(row.try_get(0)?) >= covers_seq {
            return Ok(SnapshotStored::Stale);
        }
    }
    let covers = int(covers_seq);
    let sizes = tx
        .query_one(
            "SELECT COUNT(*),
                    COALESCE(SUM(CASE WHEN seq > $2 THEN octet_length(ciphertext) END), 0)::BIGINT,
                    (SELECT bytes FROM docs WHERE doc_id = $1)
             FROM entries WHERE doc_id = $1",
            &[&id, &covers],
        )
        .await?;
    let rows = uint(sizes.try_get(0)?);
    let tail = uint(sizes.try_get(1)?);
    let before = uint(sizes.try_get::<_, Option<i64>>(2)?.unwrap_or(0));
    let would_be = (ciphertext.len() as u64)
        .saturating_add(tail)
        .saturating_add(rows.saturating_mul(ENTRY_OVERHEAD_BYTES));
    check_doc_size(would_be, quota.max_doc_bytes)?;
    let new_total = totals.bytes.saturating_sub(before).saturating_add(would_be);
    if would_be > before {
        check_total_size(new_total, quota)?;
    }
    tx.execute(
        "INSERT INTO snapshots (doc_id, covers_seq, ciphertext) VALUES ($1, $2, $3)
         ON CONFLICT (doc_id) DO UPDATE SET covers_seq = $2, ciphertext = $3",
        &[&id, &covers, &ciphertext],
    )
    .await?;
    tx.execute(
        "UPDATE entries SET ciphertext = NULL WHERE doc_id = $1 AND seq <= $2",
        &[&id, &covers],
    )
    .await?;
    tx.execute(
        "UPDATE docs SET bytes = $2 WHERE doc_id = $1",
        &[&id, &int(would_be)],
    )
    .await?;
    totals::write(
        &*tx,
        crate::store::Totals {
            bytes: new_total,
            ..totals
        },
    )
    .await?;
    tx.commit().await?;
    Ok(SnapshotStored::Replaced)
}
