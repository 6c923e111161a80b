//! The relay core across restarts and restores, and over a store that fails: what a simulation
//! does to the relay's process and disk.

mod core_harness;

use std::sync::Arc;

use core_harness::*;
use tandem_protocol::{ClientMsg, EntryId, ErrorCode, RelayMsg};
use tandem_sync_server::relay_core::RelayCore;
use tandem_sync_server::store::SqliteStore;

#[test]
fn a_restart_keeps_every_acked_append_and_a_restored_backup_serves_the_older_head() {
    let mut sim = Sim::new();
    let conn = sim.relay.connect(0);
    sim.join(conn, 0);
    sim.append(conn, 1, b"one");
    sim.append(conn, 2, b"two");
    let backup = sim.dir.path().join("backup.sqlite3");
    let store = sim.store.as_ref().expect("running");
    store.backup_to(&backup).expect("backup");
    sim.append(conn, 3, b"three");

    sim.stop();
    sim.start();
    let conn = sim.relay.connect(0);
    assert_eq!(sim.join(conn, 3), vec![(conn, joined(3))]);
    assert_eq!(sim.append(conn, 3, b"three"), vec![(conn, ack(3, 3))]);

    // Restore: close the store, put the backup in place of its file, open again.
    sim.stop();
    SqliteStore::restore_backup(&backup, sim.dir.path()).expect("restore");
    sim.start();
    let conn = sim.relay.connect(0);
    assert_eq!(
        sim.join(conn, 0),
        vec![
            (conn, joined(2)),
            (conn, entries(&[(1, 1, b"one"), (2, 2, b"two")]))
        ]
    );
    // A client that had its append acknowledged under a sequence the backup lost hears so
    // when it joins; one whose append survived does not.
    let lost = join_checking(3, 3, 3);
    match sim.send(conn, &lost).first() {
        Some((_, RelayMsg::Joined { lost, .. })) => assert!(*lost),
        other => panic!("expected Joined, got {other:?}"),
    }
    let kept = join_checking(2, 2, 2);
    assert_eq!(sim.send(conn, &kept), vec![(conn, joined(2))]);
    // The change the backup lost is stored anew when its client sends it again.
    assert_eq!(sim.append(conn, 3, b"three"), vec![(conn, ack(3, 3))]);
}

/// A join that asks whether the log still holds the client's append `id` under `seq`.
fn join_checking(since_seq: u64, seq: u64, id: u8) -> ClientMsg {
    ClientMsg::Join {
        doc: *DOC,
        token: TOKEN,
        since_seq,
        expect: vec![EntryId {
            seq,
            client_msg_id: [id; 16],
        }],
    }
}

#[test]
fn a_failing_store_is_refused_as_internal() {
    let mut relay = RelayCore::new(Arc::new(NoStore), LIMITS);
    let conn = relay.connect(0);
    let out = decode(relay.receive(conn, &join(0).encode(), 0));
    assert_eq!(code(&out), Some(ErrorCode::Internal));
    assert!(relay.subscribers(*DOC).next().is_none());
}
