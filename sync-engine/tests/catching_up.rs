//! Joining and catching up: from what is stored, across gaps, from snapshots, after the relay
//! lost history, and past entries that do not open.

mod harness;

use harness::*;

#[test]
fn opening_a_document_connects_and_joins_from_what_is_stored() {
    let stored = Stored {
        last_seq: 7,
        relay_seen_seq: 9,
        ..Stored::default()
    };
    let mut h = Harness::new(stored, Vec::new());
    assert_eq!(h.connects, 1);
    assert_eq!(h.engine.link(), Link::Connecting);
    h.connect();
    assert_eq!(h.joins(), vec![7]);
    let status = h.engine.status(h.doc).unwrap();
    assert!(!status.caught_up && status.link == Link::Online);
    h.answer_join(12);
    assert!(
        !h.engine.status(h.doc).unwrap().caught_up,
        "8..12 still to come"
    );
    let entries = (8..=12).map(|s| h.entry(s, &[s as u8])).collect();
    h.relay(RelayMsg::Entries {
        doc: h.doc,
        snapshot: None,
        entries,
    });
    assert_eq!(
        h.changes(),
        vec![((8..=12).map(|s| vec![s as u8]).collect(), 12)]
    );
    assert!(h.engine.status(h.doc).unwrap().caught_up);
}

#[test]
fn a_gap_in_the_sequence_joins_again_from_what_we_have() {
    let mut h = Harness::joined(2);
    let entries = vec![h.entry(1, b"a"), h.entry(2, b"b")];
    h.relay(RelayMsg::Entries {
        doc: h.doc,
        snapshot: None,
        entries,
    });
    h.take_events();
    h.take_sent();
    h.broadcast(5, b"e");
    assert_eq!(
        h.joins(),
        vec![2],
        "3 and 4 went missing: join again from 2"
    );
    assert!(h.changes().is_empty(), "5 is not applied out of order");
    // More out-of-order news while the join is under way does not join again.
    h.broadcast(6, b"f");
    assert!(h.joins().is_empty());
    h.answer_join(6);
    let entries = (3..=6).map(|s| h.entry(s, &[s as u8])).collect();
    h.relay(RelayMsg::Entries {
        doc: h.doc,
        snapshot: None,
        entries,
    });
    assert_eq!(
        h.changes(),
        vec![(vec![vec![3], vec![4], vec![5], vec![6]], 6)]
    );
    // A duplicate from the old subscription is ignored.
    h.broadcast(6, b"f");
    assert!(h.changes().is_empty());
}

#[test]
fn an_ack_past_a_gap_joins_again_and_offers_no_snapshot() {
    let mut h = Harness::joined(0);
    let item = h.change(1, 4);
    h.take_sent();
    h.relay(RelayMsg::Ack {
        doc: h.doc,
        client_msg_id: item.id,
        seq: SNAPSHOT_EVERY,
    });
    assert_eq!(h.joins(), vec![0]);
    assert!(!h
        .take_events()
        .iter()
        .any(|e| matches!(e, Event::SnapshotWanted { .. })));
}

#[test]
fn the_device_whose_append_reaches_a_multiple_offers_a_snapshot() {
    let mut h = Harness::joined(SNAPSHOT_EVERY - 1);
    let entries = (1..SNAPSHOT_EVERY).map(|s| h.entry(s, b"x")).collect();
    h.relay(RelayMsg::Entries {
        doc: h.doc,
        snapshot: None,
        entries,
    });
    let item = h.change(1, 4);
    h.take_sent();
    h.take_events();
    h.relay(RelayMsg::Ack {
        doc: h.doc,
        client_msg_id: item.id,
        seq: SNAPSHOT_EVERY,
    });
    assert!(h.take_events().contains(&Event::SnapshotWanted {
        doc: h.doc,
        covers_seq: SNAPSHOT_EVERY
    }));
    h.engine
        .offer_snapshot(h.doc, SNAPSHOT_EVERY, b"whole document", h.now);
    h.drain();
    match h.take_sent().as_slice() {
        [ClientMsg::Snapshot {
            covers_seq,
            ciphertext,
            ..
        }] => {
            assert_eq!(*covers_seq, SNAPSHOT_EVERY);
            assert_eq!(
                h.key.open_snapshot(SNAPSHOT_EVERY, ciphertext).unwrap(),
                b"whole document"
            );
        }
        other => panic!("expected one snapshot, got {other:?}"),
    }
}

#[test]
fn a_snapshot_in_the_catch_up_stands_for_the_entries_it_covers() {
    let mut h = Harness::joined(4);
    let snapshot = StoredSnapshot {
        covers_seq: 3,
        covers_id: [3; 16],
        ciphertext: h.key.seal_snapshot(3, b"snap"),
    };
    let entries = vec![h.entry(4, b"d")];
    h.relay(RelayMsg::Entries {
        doc: h.doc,
        snapshot: Some(snapshot),
        entries,
    });
    assert_eq!(
        h.changes(),
        vec![(vec![b"snap".to_vec(), b"d".to_vec()], 4)]
    );
}

#[test]
fn a_relay_with_less_history_than_it_showed_gets_everything_again() {
    let stored = Stored {
        last_seq: 40,
        relay_seen_seq: 50,
        ..Stored::default()
    };
    let mut h = Harness::new(stored, Vec::new());
    h.connect();
    assert_eq!(h.joins(), vec![40]);
    h.answer_join(45);
    assert!(h.take_events().contains(&Event::UploadWhole { doc: h.doc }));
    assert_eq!(
        h.joins(),
        vec![0],
        "and everything it holds, from the start"
    );
    h.answer_join(45);
    assert!(h.joins().is_empty(), "detected once, not in a loop");
}

#[test]
fn an_unreadable_entry_is_reported_skipped_and_never_snapshotted() {
    let mut h = Harness::joined(SNAPSHOT_EVERY - 1);
    let mut entries: Vec<Entry> = (1..SNAPSHOT_EVERY).map(|s| h.entry(s, b"x")).collect();
    entries[3].ciphertext = Secret::random()
        .doc_key(h.doc)
        .seal(Purpose::Change, b"forged");
    h.relay(RelayMsg::Entries {
        doc: h.doc,
        snapshot: None,
        entries,
    });
    let events = h.take_events();
    assert!(events.contains(&Event::Problem {
        doc: Some(h.doc),
        problem: Problem::Unreadable
    }));
    assert_eq!(
        h.engine.stored(h.doc).map(|s| s.last_seq),
        Some(SNAPSHOT_EVERY - 1)
    );
    let item = h.change(1, 1);
    h.relay(RelayMsg::Ack {
        doc: h.doc,
        client_msg_id: item.id,
        seq: SNAPSHOT_EVERY,
    });
    assert!(!h
        .take_events()
        .iter()
        .any(|e| matches!(e, Event::SnapshotWanted { .. })));
}

#[test]
fn each_join_checks_the_relay_still_has_our_last_acknowledged_append() {
    let mut h = Harness::joined(0);
    let item = h.change(1, 4);
    h.take_sent();
    h.relay(RelayMsg::Ack {
        doc: h.doc,
        client_msg_id: item.id,
        seq: 1,
    });
    let own = Some(tandem_protocol::EntryId {
        seq: 1,
        client_msg_id: item.id,
    });
    assert_eq!(h.engine.stored(h.doc).and_then(|s| s.last_own), own);
    h.engine.disconnected(h.now);
    h.connect();
    match h.take_sent().as_slice() {
        [ClientMsg::Join { expect, .. }] => {
            // The entry at last_seq is our own here, so it is asked once.
            assert_eq!(expect.first().copied(), own);
        }
        other => panic!("expected a join, got {other:?}"),
    }
    // The relay was rolled back past it, though others have appended since, so its head is
    // not lower than what we saw: only the check tells.
    h.answer_join_with(5, MAX_FRAME, true);
    assert!(h.take_events().contains(&Event::UploadWhole { doc: h.doc }));
    assert_eq!(h.joins(), vec![0]);
}

#[test]
fn each_join_checks_the_relay_still_has_the_entry_we_hold_last() {
    let mut h = Harness::joined(2);
    let entries = vec![h.entry(1, b"a"), h.entry(2, b"b")];
    h.relay(RelayMsg::Entries {
        doc: h.doc,
        snapshot: None,
        entries,
    });
    h.engine.disconnected(h.now);
    h.take_sent();
    h.connect();
    let last = tandem_protocol::EntryId {
        seq: 2,
        client_msg_id: [2; 16],
    };
    match h.take_sent().as_slice() {
        [ClientMsg::Join {
            since_seq, expect, ..
        }] => assert_eq!((*since_seq, expect.as_slice()), (2, [last].as_slice())),
        other => panic!("expected a join, got {other:?}"),
    }
}
