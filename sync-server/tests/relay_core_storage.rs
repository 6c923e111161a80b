//! The relay core across restarts and restores, and over a store that fails: what a simulation
//! does to the relay's process and disk.

mod core_harness;

use std::sync::Arc;

use core_harness::*;
use tandem_protocol::ErrorCode;
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
            (conn, entries(&[(1, b"one"), (2, b"two")]))
        ]
    );
    // The change the backup lost is stored anew when its client sends it again.
    assert_eq!(sim.append(conn, 3, b"three"), vec![(conn, ack(3, 3))]);
}

#[test]
fn a_failing_store_is_refused_as_internal() {
    let mut relay = RelayCore::new(Arc::new(NoStore), LIMITS);
    let conn = relay.connect(0);
    let out = decode(relay.receive(conn, &join(0).encode(), 0));
    assert_eq!(code(&out), Some(ErrorCode::Internal));
    assert!(relay.subscribers(DOC).next().is_none());
}
