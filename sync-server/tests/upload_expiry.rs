//! Expiring attachment uploads abandoned halfway, on both stores (PostgreSQL on the harness's
//! private cluster, whichever store the rest of the suite runs on), with the stores' clock in
//! the test's hand: a day passes at once. The relay binary's sweep is in tests/blobs.rs.

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::postgres::cluster;
use tandem_protocol::{BlobHash, DocId};
use tandem_sync_server::store::{
    BlobError, BlobState, Clock, PostgresStore, Quota, SqliteStore, Store, Totals,
};

const DOC: DocId = DocId([9; 16]);
const DAY: u64 = 24 * 60 * 60;
const EXPIRY: Duration = Duration::from_secs(DAY);
/// An arbitrary moment to start from: 2026-12-01.
const START: u64 = 1_795_996_800;

/// A clock the test sets, and the store's view of it.
fn set_clock(at: u64) -> (Arc<AtomicU64>, Clock) {
    let now = Arc::new(AtomicU64::new(at));
    let read = Arc::clone(&now);
    (now, Arc::new(move || read.load(Ordering::SeqCst)))
}

/// What every store must do, from an empty store whose clock reads [`START`].
fn abandoned_uploads_expire(store: &dyn Store, now: &AtomicU64) {
    let q = Quota::unlimited();
    let memo: Vec<u8> = (0..1000u32).map(|i| (i % 247) as u8).collect();
    let (lost, done, later) = (
        BlobHash::of(&memo),
        BlobHash::of(&memo[..10]),
        BlobHash([200; 32]),
    );
    store
        .put_blob(DOC, lost, 0, 1000, &memo[..300], &q)
        .unwrap();
    store.put_blob(DOC, done, 0, 10, &memo[..10], &q).unwrap();
    now.store(START + DAY - 1, Ordering::SeqCst);
    assert_eq!(store.expire_partial_blobs(EXPIRY).unwrap(), 0);
    store.put_blob(DOC, later, 0, 500, &[1], &q).unwrap();

    // A day after its last chunk the abandoned upload goes, reservation and all; the upload
    // whose chunk came later and the complete blob stay.
    now.store(START + DAY, Ordering::SeqCst);
    assert_eq!(store.expire_partial_blobs(EXPIRY).unwrap(), 1);
    assert_eq!(store.blob_state(DOC, lost).unwrap(), None);
    assert_eq!(
        store.blob_state(DOC, later).unwrap(),
        Some(BlobState {
            total: 500,
            stored: 1
        })
    );
    assert_eq!(
        store.totals().unwrap(),
        Totals {
            docs: 1,
            bytes: 510
        }
    );
    // Its client comes back: told the relay holds nothing, it starts again and finishes.
    assert!(matches!(
        store.put_blob(DOC, lost, 300, 1000, &memo[300..], &q),
        Err(BlobError::WrongOffset { stored: 0 })
    ));
    store
        .put_blob(DOC, lost, 0, 1000, &memo[..300], &q)
        .unwrap();
    assert_eq!(
        store
            .put_blob(DOC, lost, 300, 1000, &memo[300..], &q)
            .unwrap(),
        1000
    );

    // More than one batch of abandoned uploads: all go, in one call.
    for i in 0..131u8 {
        let hash = BlobHash([i; 32]);
        store.put_blob(DOC, hash, 0, 100, &[i; 7], &q).unwrap();
    }
    now.store(START + 3 * DAY, Ordering::SeqCst);
    assert_eq!(store.expire_partial_blobs(EXPIRY).unwrap(), 132);
    assert_eq!(store.expire_partial_blobs(EXPIRY).unwrap(), 0);
    assert_eq!(
        store.totals().unwrap(),
        Totals {
            docs: 1,
            bytes: 1010
        }
    );
    assert_eq!(
        store.read_blob(DOC, lost, 0, 2000).unwrap().as_deref(),
        Some(&memo[..])
    );
}

#[test]
fn on_sqlite_abandoned_uploads_expire_and_give_their_room_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (now, clock) = set_clock(START);
    let store = SqliteStore::open_with_clock(dir.path(), clock).expect("open the store");
    abandoned_uploads_expire(&store, &now);
}

#[test]
fn on_postgres_abandoned_uploads_expire_and_give_their_room_back() {
    let url = cluster().database_for(Path::new("expiry"));
    let (now, clock) = set_clock(START);
    let store = PostgresStore::open_with_clock(&url, clock).expect("open the store");
    abandoned_uploads_expire(&store, &now);
}

/// A database from before the expiry (version 1) keeps its upload under way, which gets the
/// whole expiry time from the upgrade on.
#[test]
fn on_postgres_an_upload_under_way_before_the_upgrade_gets_the_whole_wait() {
    let url = cluster().database_for(Path::new("expiry-upgrade"));
    let half = BlobHash::of(b"half!!");
    let q = Quota::unlimited();
    {
        let (_, clock) = set_clock(START);
        let store = PostgresStore::open_with_clock(&url, clock).expect("open the store");
        store.put_blob(DOC, half, 0, 6, b"hal", &q).unwrap();
    }
    let database = url.rsplit('/').next().expect("a database name");
    cluster().psql(
        database,
        "DROP INDEX blobs_partial;
         ALTER TABLE blobs DROP COLUMN touched;
         UPDATE tandem_schema SET version = 1;",
    );
    let upgraded = START + 90 * DAY;
    let (now, clock) = set_clock(upgraded);
    let store = PostgresStore::open_with_clock(&url, clock).expect("upgrade the database");
    now.store(upgraded + DAY - 1, Ordering::SeqCst);
    assert_eq!(store.expire_partial_blobs(EXPIRY).unwrap(), 0);
    assert_eq!(store.put_blob(DOC, half, 3, 6, b"f!!", &q).unwrap(), 6);
    now.store(upgraded + 30 * DAY, Ordering::SeqCst);
    assert_eq!(store.expire_partial_blobs(EXPIRY).unwrap(), 0);
    assert_eq!(
        store.read_blob(DOC, half, 0, 10).unwrap().as_deref(),
        Some(&b"half!!"[..])
    );
    // Opened again, it is not migrated twice.
    drop(store);
    let (_, clock) = set_clock(upgraded + 31 * DAY);
    PostgresStore::open_with_clock(&url, clock).expect("reopen");
}
