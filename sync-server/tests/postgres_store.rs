//! The PostgreSQL store itself, in a database of its own on the harness's private cluster, for
//! the cases the relay's traffic rarely makes: SQLite's unit tests of the same calls, on the
//! other store. What several relays on one database do is in `postgres.rs`.

mod common;

use std::path::Path;

use tandem_protocol::{BlobHash, DocId};
use tandem_sync_server::limits::ENTRY_OVERHEAD_BYTES as O;
use tandem_sync_server::store::{
    AppendRequest, Appended, BlobError, BlobState, Claimed, PostgresStore, Quota, SnapshotStored,
    Store, StoreError, Totals,
};

use common::postgres::cluster;

fn store(name: &str) -> PostgresStore {
    let url = cluster().database_for(Path::new(name));
    PostgresStore::open(&url).expect("open the store")
}

fn quota(max_doc_bytes: u64) -> Quota {
    Quota {
        max_doc_bytes,
        ..Quota::unlimited()
    }
}

#[test]
fn a_batch_stores_each_append_as_one_would_and_a_refusal_leaves_the_rest_standing() {
    let store = store("batch");
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
        // Too large for what `a` now holds: refused alone.
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
    let totals = Totals {
        docs: 2,
        bytes: 4 * O + 31,
    };
    assert_eq!(store.totals().unwrap(), totals);
    // A later batch sees the earlier one: its retry is a duplicate, its numbering goes on.
    let u = Quota::unlimited();
    let again = store.append_batch(&[request(b, 2, 1, u), request(b, 3, 1, u)]);
    assert_eq!(again[0].as_ref().ok(), Some(&Appended::Duplicate(2)));
    assert_eq!(again[1].as_ref().ok(), Some(&new(3, false)));
    // New documents need the writer's quota and room in the relay.
    let no_new = Quota {
        may_create: false,
        max_new_docs: 3,
        ..Quota::unlimited()
    };
    assert!(matches!(
        store.append(DocId([3; 16]), [1; 16], b"x", &no_new),
        Err(StoreError::TooManyNewDocuments { limit: 3 })
    ));
    let two_docs = Quota {
        max_docs: 2,
        ..Quota::unlimited()
    };
    assert!(matches!(
        store.append(DocId([3; 16]), [1; 16], b"x", &two_docs),
        Err(StoreError::RelayFullOfDocuments { limit: 2 })
    ));
}

#[test]
fn snapshots_drop_covered_entries_and_pages_jump_to_them() {
    let store = store("snapshots");
    let doc = DocId([3; 16]);
    let q = quota(10_000);
    for i in 1..=6u8 {
        store.append(doc, [i; 16], &[i; 100], &q).unwrap();
    }
    assert!(matches!(
        store.store_snapshot(doc, 7, b"s", &q),
        Err(StoreError::SnapshotAhead { .. })
    ));
    // Two entries to a page (each 100 bytes plus 18 around it: sequence, id, length).
    let page = store.catch_up_page(doc, 0, 6, 236).unwrap();
    let seqs: Vec<u64> = page.entries.iter().map(|e| e.seq).collect();
    assert_eq!((seqs, page.reached), (vec![1, 2], 2));
    assert_eq!(
        store.store_snapshot(doc, 4, b"snap", &q).unwrap(),
        SnapshotStored::Replaced
    );
    // Six rows, two live entries of 100 bytes, a snapshot of 4.
    assert_eq!(store.totals().unwrap().bytes, 6 * O + 200 + 4);
    assert_eq!(
        store.store_snapshot(doc, 3, b"old", &q).unwrap(),
        SnapshotStored::Stale
    );
    let page = store.catch_up_page(doc, 2, 6, 236).unwrap();
    assert_eq!(page.snapshot.as_ref().map(|s| s.covers_seq), Some(4));
    assert_eq!(page.snapshot.as_ref().map(|s| s.covers_id), Some([4; 16]));
    let seqs: Vec<u64> = page.entries.iter().map(|e| e.seq).collect();
    assert_eq!((seqs, page.reached), (vec![5], 5));
    // A covered entry's id still deduplicates and still answers for its sequence.
    assert_eq!(
        store.append(doc, [1; 16], &[1; 100], &q).unwrap(),
        Appended::Duplicate(1)
    );
    assert_eq!(store.append_id_at(doc, 2).unwrap(), Some([2; 16]));
    assert_eq!(store.append_id_at(doc, 99).unwrap(), None);
    let page = store.catch_up_page(doc, 6, 6, 236).unwrap();
    assert_eq!((page.entries.len(), page.reached), (0, 6));
}

#[test]
fn owners_delete_and_move_and_tombstones_refuse_everything_after() {
    let store = store("ownership");
    let (gone, moved, unowned) = (DocId([1; 16]), DocId([2; 16]), DocId([3; 16]));
    let q = Quota::unlimited();
    let owner = [7; 32];
    assert_eq!(
        store.own(gone, owner, &q).unwrap(),
        Claimed::New { created: true }
    );
    assert_eq!(store.own(gone, owner, &q).unwrap(), Claimed::Again);
    assert!(matches!(
        store.own(gone, [8; 32], &q),
        Err(StoreError::NotOwner)
    ));
    store.append(gone, [1; 16], b"entry", &q).unwrap();
    store.append(unowned, [1; 16], b"entry", &q).unwrap();
    assert!(matches!(
        store.own(unowned, owner, &q),
        Err(StoreError::NoOwner)
    ));
    assert!(matches!(
        store.delete(gone, [8; 32], None),
        Err(StoreError::NotOwner)
    ));
    store.delete(gone, owner, None).unwrap();
    assert!(store.is_deleted(gone).unwrap());
    assert_eq!(store.moved_to(gone).unwrap(), None);
    assert!(matches!(
        store.append(gone, [2; 16], b"late", &q),
        Err(StoreError::Deleted)
    ));
    assert_eq!(store.catch_up(gone, 0).unwrap().entries.len(), 0);
    store.own(moved, owner, &q).unwrap();
    store.delete(moved, owner, Some(b"sealed pointer")).unwrap();
    assert_eq!(
        store.moved_to(moved).unwrap().as_deref(),
        Some(&b"sealed pointer"[..])
    );
    // Only the unowned document is left, with its one entry.
    assert_eq!(
        store.totals().unwrap(),
        Totals {
            docs: 1,
            bytes: O + 5
        }
    );
}

#[test]
fn a_blob_arrives_in_chunks_is_checked_read_in_pieces_and_goes_with_its_document() {
    let store = store("blobs");
    let doc = DocId([9; 16]);
    let q = Quota::unlimited();
    let memo: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
    let hash = BlobHash::of(&memo);
    assert_eq!(store.blob_state(doc, hash).unwrap(), None);
    assert_eq!(
        store
            .put_blob(doc, hash, 0, 1000, &memo[..400], &q)
            .unwrap(),
        400
    );
    assert_eq!(store.read_blob(doc, hash, 0, 100).unwrap(), None);
    assert!(matches!(
        store.put_blob(doc, hash, 0, 1000, &memo[..400], &q),
        Err(BlobError::WrongOffset { stored: 400 })
    ));
    assert!(matches!(
        store.put_blob(doc, hash, 400, 999, &memo[400..999], &q),
        Err(BlobError::OtherTotal {
            started: 1000,
            total: 999
        })
    ));
    assert_eq!(
        store
            .put_blob(doc, hash, 400, 1000, &memo[400..], &q)
            .unwrap(),
        1000
    );
    assert_eq!(
        store.blob_state(doc, hash).unwrap(),
        Some(BlobState {
            total: 1000,
            stored: 1000
        })
    );
    // Pieces that cut across the chunks.
    let mut read = Vec::new();
    while let Some(piece) = store.read_blob(doc, hash, read.len() as u64, 300).unwrap() {
        if piece.is_empty() {
            break;
        }
        read.extend(piece);
    }
    assert_eq!(read, memo);
    assert_eq!(
        store.totals().unwrap(),
        Totals {
            docs: 1,
            bytes: 1000
        }
    );

    // Bytes that do not hash to the name are discarded, reservation and all.
    let wrong = BlobHash::of(b"another memo");
    store.put_blob(doc, wrong, 0, 10, &[1; 5], &q).unwrap();
    assert!(matches!(
        store.put_blob(doc, wrong, 5, 10, &[2; 5], &q),
        Err(BlobError::HashMismatch)
    ));
    assert_eq!(store.blob_state(doc, wrong).unwrap(), None);
    assert_eq!(store.totals().unwrap().bytes, 1000);

    // Limits are checked when an upload starts.
    let small = Quota {
        max_blob_bytes: 500,
        ..Quota::unlimited()
    };
    assert!(matches!(
        store.put_blob(doc, wrong, 0, 600, &[0; 10], &small),
        Err(BlobError::TooLarge { .. })
    ));
    let full = Quota {
        max_doc_blob_bytes: 1500,
        ..Quota::unlimited()
    };
    assert!(matches!(
        store.put_blob(doc, wrong, 0, 600, &[0; 10], &full),
        Err(BlobError::DocumentFull { .. })
    ));

    // The blob goes with its document.
    let owner = [5; 32];
    let owned = DocId([10; 16]);
    store.own(owned, owner, &q).unwrap();
    store.put_blob(owned, hash, 0, 1000, &memo, &q).unwrap();
    store.delete(owned, owner, None).unwrap();
    assert!(matches!(
        store.blob_state(owned, hash),
        Err(BlobError::Store(StoreError::Deleted))
    ));
    assert!(matches!(
        store.read_blob(owned, hash, 0, 10),
        Err(BlobError::Store(StoreError::Deleted))
    ));
    assert_eq!(
        store.totals().unwrap(),
        Totals {
            docs: 1,
            bytes: 1000
        }
    );
}
