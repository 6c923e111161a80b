//! The PostgreSQL store's log: a batch of appends in one transaction of a few round trips, and
//! catch-up pages read from one snapshot of the database.

use std::collections::{HashMap, HashSet};
use std::pin::pin;

use deadpool_postgres::Client;
use futures_util::StreamExt;
use tandem_protocol::message::{Entry, StoredSnapshot};
use tandem_protocol::{ClientMsgId, DocId};
use tokio_postgres::types::ToSql;
use tokio_postgres::{GenericClient, IsolationLevel};

use super::{id_from, int, notify, totals, uint, PostgresStore};
use crate::catch_up::{fill_page, Filled, Page};
use crate::limits::ENTRY_OVERHEAD_BYTES;
use crate::store::checks::{check_doc_size, check_total_size};
use crate::store::{AppendRequest, Appended, StoreError, Totals};

pub(super) async fn head_seq(client: &impl GenericClient, doc: DocId) -> Result<u64, StoreError> {
    let row = client
        .query_one(
            "SELECT COALESCE(MAX(seq), 0) FROM entries WHERE doc_id = $1",
            &[&&doc.0[..]],
        )
        .await?;
    Ok(uint(row.try_get(0)?))
}

pub(super) async fn append_id_at(
    client: &impl GenericClient,
    doc: DocId,
    seq: u64,
) -> Result<Option<ClientMsgId>, StoreError> {
    // Covered entries keep their row (only the ciphertext goes), so this holds after a
    // snapshot too. A sequence past i64::MAX is simply not there.
    let Ok(seq) = i64::try_from(seq) else {
        return Ok(None);
    };
    let row = client
        .query_opt(
            "SELECT client_msg_id FROM entries WHERE doc_id = $1 AND seq = $2",
            &[&&doc.0[..], &seq],
        )
        .await?;
    Ok(match row {
        Some(row) => Some(id_from(row.try_get(0)?)),
        None => None,
    })
}

/// A document as a batch found it (after taking the write lock), kept up to date in memory as
/// the batch's appends are planned, so each append sees the ones before it.
#[derive(Debug, Default)]
struct DocState {
    deleted: bool,
    /// Its cost; `None` for a document with no row yet.
    bytes: Option<u64>,
    head: u64,
}

/// An entry the batch will insert.
struct NewEntry<'a> {
    doc: DocId,
    seq: u64,
    client_msg_id: &'a [u8],
    ciphertext: &'a [u8],
}

/// The same failure for every append of a batch that could not begin or commit.
pub(super) fn all_failed(n: usize, e: &StoreError) -> Vec<Result<Appended, StoreError>> {
    (0..n)
        .map(|_| Err(StoreError::BatchCommit(e.to_string())))
        .collect()
}

/// [`crate::store::Store::append_batch`]: one transaction for the whole batch, answered only
/// after its commit. The write lock and the reads of every document's state and of the batch's
/// ids already stored go out together (one round trip, run in order); the appends are then
/// numbered, deduplicated and checked in memory, exactly as SQLite's `append_in` does one by one;
/// the new entries, the documents' costs and the totals are written together, then committed.
/// A refused append leaves no trace while the others stand; a database failure fails the batch.
pub(super) async fn append_batch(
    client: &mut Client,
    batch: &[AppendRequest],
    instance: &str,
) -> Vec<Result<Appended, StoreError>> {
    match try_append_batch(client, batch, instance).await {
        Ok(results) => results,
        Err(e) => all_failed(batch.len(), &e),
    }
}

async fn try_append_batch(
    client: &mut Client,
    batch: &[AppendRequest],
    instance: &str,
) -> Result<Vec<Result<Appended, StoreError>>, StoreError> {
    let mut docs: Vec<&[u8]> = batch.iter().map(|a| &a.doc.0[..]).collect();
    docs.sort_unstable();
    docs.dedup();
    let ids: (Vec<&[u8]>, Vec<&[u8]>) = batch
        .iter()
        .map(|a| (&a.doc.0[..], &a.client_msg_id[..]))
        .unzip();
    let tx = client.transaction().await?;
    // The lock first, on its own: the reads after it must see what the writer before us
    // committed. The two reads then go out together.
    let before = totals::lock(&*tx).await?;
    let (states_sql, stored_sql) = (
        tx.prepare_cached(
            "SELECT d.doc_id,
                    EXISTS (SELECT 1 FROM tombstones t WHERE t.doc_id = d.doc_id),
                    (SELECT bytes FROM docs WHERE docs.doc_id = d.doc_id),
                    (SELECT COALESCE(MAX(seq), 0) FROM entries e WHERE e.doc_id = d.doc_id)
             FROM UNNEST($1::BYTEA[]) AS d(doc_id)",
        )
        .await?,
        tx.prepare_cached(
            "SELECT e.doc_id, e.client_msg_id, e.seq
             FROM entries e
             JOIN UNNEST($1::BYTEA[], $2::BYTEA[]) AS r(doc_id, client_msg_id)
               ON e.doc_id = r.doc_id AND e.client_msg_id = r.client_msg_id",
        )
        .await?,
    );
    let (states, stored) = futures_util::future::join(
        tx.query(&states_sql, &[&docs]),
        tx.query(&stored_sql, &[&ids.0, &ids.1]),
    )
    .await;
    let mut states_by_doc = HashMap::new();
    for row in states? {
        let doc: Vec<u8> = row.try_get(0)?;
        let state = DocState {
            deleted: row.try_get(1)?,
            bytes: row.try_get::<_, Option<i64>>(2)?.map(uint),
            head: uint(row.try_get(3)?),
        };
        states_by_doc.insert(doc, state);
    }
    let mut seen = HashMap::new();
    for row in stored? {
        let key: (Vec<u8>, Vec<u8>) = (row.try_get(0)?, row.try_get(1)?);
        seen.insert(key, uint(row.try_get(2)?));
    }

    let mut now = before;
    let mut inserts = Vec::new();
    let mut changed = HashSet::new();
    let results: Vec<_> = batch
        .iter()
        .map(|a| {
            let state = states_by_doc.entry(a.doc.0.to_vec()).or_default();
            let key = (a.doc.0.to_vec(), a.client_msg_id.to_vec());
            let appended = plan(state, seen.get(&key).copied(), &mut now, a)?;
            if let Appended::New { seq, .. } = appended {
                seen.insert(key, seq);
                changed.insert(a.doc.0.to_vec());
                inserts.push(NewEntry {
                    doc: a.doc,
                    seq,
                    client_msg_id: &a.client_msg_id[..],
                    ciphertext: &a.ciphertext[..],
                });
            }
            Ok(appended)
        })
        .collect();
    if inserts.is_empty() {
        // Only refusals and retries: nothing to write.
        tx.commit().await?;
        return Ok(results);
    }

    let entry_docs: Vec<&[u8]> = inserts.iter().map(|e| &e.doc.0[..]).collect();
    let seqs: Vec<i64> = inserts.iter().map(|e| int(e.seq)).collect();
    let entry_ids: Vec<&[u8]> = inserts.iter().map(|e| e.client_msg_id).collect();
    let texts: Vec<&[u8]> = inserts.iter().map(|e| e.ciphertext).collect();
    // Other relays on the database hear each document's new head at the commit.
    let heads: Vec<String> = states_by_doc
        .iter()
        .filter(|(doc, _)| changed.contains(*doc))
        .filter_map(|(doc, state)| {
            let doc = DocId(doc.as_slice().try_into().ok()?);
            Some(notify::appended(instance, doc, state.head))
        })
        .collect();
    let (cost_docs, costs): (Vec<&[u8]>, Vec<i64>) = states_by_doc
        .iter()
        .filter(|(doc, _)| changed.contains(*doc))
        .filter_map(|(doc, state)| Some((doc.as_slice(), int(state.bytes?))))
        .unzip();
    let (entries_sql, costs_sql) = (
        tx.prepare_cached(
            "INSERT INTO entries (doc_id, seq, client_msg_id, ciphertext)
             SELECT * FROM UNNEST($1::BYTEA[], $2::BIGINT[], $3::BYTEA[], $4::BYTEA[])",
        )
        .await?,
        tx.prepare_cached(
            "INSERT INTO docs (doc_id, bytes) SELECT * FROM UNNEST($1::BYTEA[], $2::BIGINT[])
             ON CONFLICT (doc_id) DO UPDATE SET bytes = EXCLUDED.bytes",
        )
        .await?,
    );
    let notify_sql = tx
        .prepare_cached("SELECT pg_notify($1, head) FROM UNNEST($2::TEXT[]) AS head")
        .await?;
    // All under the lock, so in any order: sent together, one round trip.
    let (entries, costs_written, totals_written, notified) = futures_util::future::join4(
        tx.execute(&entries_sql, &[&entry_docs, &seqs, &entry_ids, &texts]),
        tx.execute(&costs_sql, &[&cost_docs, &costs]),
        totals::write(&*tx, now),
        tx.execute(&notify_sql, &[&notify::CHANNEL, &heads]),
    )
    .await;
    entries?;
    costs_written?;
    totals_written?;
    notified?;
    tx.commit().await?;
    Ok(results)
}

/// One append of a batch, decided against its document's state and the relay's totals as the
/// appends before it left them, which it updates in turn. Every check comes before any change.
fn plan(
    state: &mut DocState,
    stored_as: Option<u64>,
    totals: &mut Totals,
    a: &AppendRequest,
) -> Result<Appended, StoreError> {
    let quota = &a.quota;
    if state.deleted {
        return Err(StoreError::Deleted);
    }
    if let Some(seq) = stored_as {
        return Ok(Appended::Duplicate(seq));
    }
    let created = state.bytes.is_none();
    if created && !quota.may_create {
        let limit = quota.max_new_docs;
        return Err(StoreError::TooManyNewDocuments { limit });
    }
    if created && totals.docs >= quota.max_docs {
        let limit = quota.max_docs;
        return Err(StoreError::RelayFullOfDocuments { limit });
    }
    let cost = (a.ciphertext.len() as u64).saturating_add(ENTRY_OVERHEAD_BYTES);
    let would_be = state.bytes.unwrap_or(0).saturating_add(cost);
    check_doc_size(would_be, quota.max_doc_bytes)?;
    check_total_size(totals.bytes.saturating_add(cost), quota)?;
    let seq = state.head + 1;
    state.head = seq;
    state.bytes = Some(would_be);
    totals.docs += u64::from(created);
    totals.bytes = totals.bytes.saturating_add(cost);
    Ok(Appended::New { seq, created })
}

/// [`crate::store::Store::catch_up_page`], in one read-only transaction that sees one state of
/// the database, so the snapshot and the entries agree (a snapshot stored between two pages
/// makes the next page start from it). Entries are read as a stream and only as many as the
/// page takes, so a page costs its budget in memory, not the whole log's.
pub(super) fn catch_up_page(
    store: &PostgresStore,
    doc: DocId,
    after: u64,
    until: u64,
    budget: usize,
) -> Result<Page, StoreError> {
    let mut client = store.block_on(store.client())?;
    let tx = store.block_on(
        client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start(),
    )?;
    let snapshot = store.block_on(tx.query_opt(
        "SELECT s.covers_seq, e.client_msg_id, s.ciphertext
         FROM snapshots s JOIN entries e ON e.doc_id = s.doc_id AND e.seq = s.covers_seq
         WHERE s.doc_id = $1",
        &[&&doc.0[..]],
    ))?;
    let snapshot = match snapshot {
        Some(row) => Some(StoredSnapshot {
            covers_seq: uint(row.try_get(0)?),
            covers_id: id_from(row.try_get(1)?),
            ciphertext: row.try_get(2)?,
        }),
        None => None,
    }
    .filter(|s| after < s.covers_seq);
    let covered = snapshot.as_ref().map_or(after, |s| s.covers_seq);
    let (from, to) = (int(covered), int(until));
    let doc_param: &[u8] = &doc.0[..];
    let params: [&(dyn ToSql + Sync); 3] = [&doc_param, &from, &to];
    let Filled {
        snapshot,
        entries,
        left,
    } = {
        let rows = store.block_on(tx.query_raw(
            "SELECT seq, client_msg_id, ciphertext FROM entries
             WHERE doc_id = $1 AND seq > $2 AND seq <= $3 AND ciphertext IS NOT NULL
             ORDER BY seq",
            params,
        ))?;
        let mut rows = pin!(rows);
        let entries = std::iter::from_fn(|| {
            let row = store.block_on(rows.next())?;
            Some(row.map_err(StoreError::from).and_then(|row| {
                Ok(Entry {
                    seq: uint(row.try_get(0)?),
                    client_msg_id: id_from(row.try_get(1)?),
                    ciphertext: row.try_get(2)?,
                })
            }))
        });
        fill_page(snapshot, entries, budget)?
    };
    store.block_on(tx.commit())?;
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

/// [`crate::store::Store::entries_between`]: one statement (one state of the database, no
/// transaction around it), its rows read as a stream only as far as the budget goes. A row in
/// the range without ciphertext was covered by a snapshot: `None`.
pub(super) fn entries_between(
    store: &PostgresStore,
    doc: DocId,
    after: u64,
    until: u64,
    budget: usize,
) -> Result<Option<Vec<Entry>>, StoreError> {
    let client = store.block_on(store.client())?;
    let statement = store.block_on(client.prepare_cached(
        "SELECT seq, client_msg_id, ciphertext FROM entries
         WHERE doc_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq",
    ))?;
    let (from, to) = (int(after), int(until));
    let doc_param: &[u8] = &doc.0[..];
    let params: [&(dyn ToSql + Sync); 3] = [&doc_param, &from, &to];
    let rows = store.block_on(client.query_raw(&statement, params))?;
    let mut rows = pin!(rows);
    let (mut entries, mut size) = (Vec::new(), 0);
    while let Some(row) = store.block_on(rows.next()) {
        let row = row?;
        let Some(ciphertext) = row.try_get::<_, Option<Vec<u8>>>(2)? else {
            return Ok(None);
        };
        let entry = Entry {
            seq: uint(row.try_get(0)?),
            client_msg_id: id_from(row.try_get(1)?),
            ciphertext,
        };
        if !entries.is_empty() && size + entry.encoded_len() > budget {
            break;
        }
        size += entry.encoded_len();
        entries.push(entry);
    }
    Ok(Some(entries))
}
