//! The engine in each protocol situation, driven by hand: frames in, outputs out, time passed
//! in. The "relay" here is the test itself, speaking real protocol frames sealed with the real
//! document key; `simulation/` runs the engine against the real relay core.

use tandem_protocol::crypto::Purpose;
use tandem_protocol::message::{Entry, StoredSnapshot};
use tandem_protocol::{ClientMsg, DocId, DocKey, ErrorCode, RelayMsg, Secret};
use tandem_sync_engine::document::{Stored, SNAPSHOT_EVERY};
use tandem_sync_engine::pace::{DEAD_AFTER_MS, PING_WHEN_IDLE_MS, RETRY_MS, SEND_WINDOW};
use tandem_sync_engine::{Engine, Event, Link, Output, Pending, Problem};

const MAX_FRAME: u64 = 2 * 1024 * 1024;

struct Harness {
    engine: Engine,
    doc: DocId,
    key: DocKey,
    now: u64,
    sent: Vec<ClientMsg>,
    events: Vec<Event>,
    connects: usize,
    disconnects: usize,
}

impl Harness {
    fn new(stored: Stored, outbox: Vec<Pending>) -> Self {
        let doc = DocId([9; 16]);
        let secret = Secret::random();
        let now = 1_000_000;
        let mut engine = Engine::new(now);
        engine.open(doc, &secret, stored, outbox, now);
        let mut h = Harness {
            engine,
            doc,
            key: secret.doc_key(doc),
            now,
            sent: Vec::new(),
            events: Vec::new(),
            connects: 0,
            disconnects: 0,
        };
        h.drain();
        h
    }

    /// A fresh harness, connected and joined at `head`.
    fn joined(head: u64) -> Self {
        let mut h = Harness::new(Stored::default(), Vec::new());
        h.connect();
        h.relay(RelayMsg::Joined {
            doc: h.doc,
            head_seq: head,
            max_frame_bytes: MAX_FRAME,
            lost: false,
        });
        h
    }

    fn drain(&mut self) {
        while let Some(out) = self.engine.poll_output() {
            match out {
                Output::Connect => self.connects += 1,
                Output::Disconnect => self.disconnects += 1,
                Output::Send(frame) => self.sent.push(ClientMsg::decode(&frame).expect("valid")),
                Output::Event(e) => self.events.push(e),
            }
        }
    }

    fn connect(&mut self) {
        self.engine.connected(self.now);
        self.drain();
    }

    fn relay(&mut self, msg: RelayMsg) {
        self.engine.receive(&msg.encode(), self.now);
        self.drain();
    }

    fn advance(&mut self, ms: u64) {
        self.now += ms;
        self.engine.handle_timeout(self.now);
        self.drain();
    }

    fn change(&mut self, n: u8, len: usize) -> Pending {
        let item = Pending {
            id: [n; 16],
            created_at: self.now,
            change: vec![n; len],
        };
        self.engine
            .local_change_stored(self.doc, item.clone(), self.now);
        self.drain();
        item
    }

    fn take_sent(&mut self) -> Vec<ClientMsg> {
        std::mem::take(&mut self.sent)
    }

    fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    fn appends(&mut self) -> Vec<([u8; 16], Vec<u8>)> {
        let key = self.key.clone();
        self.take_sent()
            .into_iter()
            .filter_map(|m| match m {
                ClientMsg::Append {
                    client_msg_id,
                    ciphertext,
                    ..
                } => Some((
                    client_msg_id,
                    key.open(Purpose::Change, &ciphertext)
                        .expect("sealed with the doc key"),
                )),
                _ => None,
            })
            .collect()
    }

    fn entry(&self, seq: u64, plain: &[u8]) -> Entry {
        Entry {
            seq,
            client_msg_id: [seq as u8; 16],
            ciphertext: self.key.seal(Purpose::Change, plain),
        }
    }

    fn broadcast(&mut self, seq: u64, plain: &[u8]) {
        let ciphertext = self.key.seal(Purpose::Change, plain);
        self.relay(RelayMsg::Broadcast {
            doc: self.doc,
            seq,
            client_msg_id: [seq as u8; 16],
            ciphertext,
        });
    }

    fn changes(&mut self) -> Vec<(Vec<Vec<u8>>, u64)> {
        self.take_events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Changes {
                    changes, stored, ..
                } => Some((changes, stored.last_seq)),
                _ => None,
            })
            .collect()
    }

    fn joins(&mut self) -> Vec<u64> {
        self.take_sent()
            .into_iter()
            .filter_map(|m| match m {
                ClientMsg::Join { since_seq, .. } => Some(since_seq),
                _ => None,
            })
            .collect()
    }
}

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
    h.relay(RelayMsg::Joined {
        doc: h.doc,
        head_seq: 12,
        max_frame_bytes: MAX_FRAME,
        lost: false,
    });
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
fn offline_changes_wait_then_travel_as_one_append_and_are_acknowledged() {
    let mut h = Harness::new(Stored::default(), Vec::new());
    for n in 1..=10 {
        h.change(n, 3);
    }
    assert!(
        h.take_sent().is_empty(),
        "nothing goes out without a connection"
    );
    let status = h.engine.status(h.doc).unwrap();
    assert_eq!((status.unsent, status.oldest_unsent_at), (10, Some(h.now)));

    h.connect();
    h.relay(RelayMsg::Joined {
        doc: h.doc,
        head_seq: 0,
        max_frame_bytes: MAX_FRAME,
        lost: false,
    });
    let appends = h.appends();
    assert_eq!(appends.len(), 1, "a sentence typed offline is one message");
    let expected: Vec<u8> = (1..=10).flat_map(|n| vec![n; 3]).collect();
    assert_eq!(appends[0].1, expected);

    h.relay(RelayMsg::Ack {
        doc: h.doc,
        client_msg_id: appends[0].0,
        seq: 1,
    });
    let acked: Vec<_> = h
        .take_events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Acked { ids, stored, .. } => Some((ids.len(), stored.last_seq)),
            _ => None,
        })
        .collect();
    assert_eq!(acked, vec![(10, 1)]);
    let status = h.engine.status(h.doc).unwrap();
    assert_eq!((status.unsent, status.caught_up), (0, true));
}

#[test]
fn the_send_window_bounds_unacknowledged_appends() {
    let mut h = Harness::new(Stored::default(), Vec::new());
    // Changes too large to share an append in a relay with small frames: one append each.
    let small_frame = tandem_protocol::limits::FRAME_OVERHEAD_BYTES as u64 + 150;
    for n in 0..(SEND_WINDOW as u8 + 10) {
        h.change(n, 100);
    }
    h.connect();
    h.relay(RelayMsg::Joined {
        doc: h.doc,
        head_seq: 0,
        max_frame_bytes: small_frame,
        lost: false,
    });
    let first = h.appends();
    assert_eq!(first.len(), SEND_WINDOW);
    h.relay(RelayMsg::Ack {
        doc: h.doc,
        client_msg_id: first[0].0,
        seq: 1,
    });
    assert_eq!(h.appends().len(), 1, "one acknowledged, one more sent");
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
    h.relay(RelayMsg::Joined {
        doc: h.doc,
        head_seq: 6,
        max_frame_bytes: MAX_FRAME,
        lost: false,
    });
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
    h.relay(RelayMsg::Joined {
        doc: h.doc,
        head_seq: 45,
        max_frame_bytes: MAX_FRAME,
        lost: false,
    });
    assert!(h.take_events().contains(&Event::UploadWhole { doc: h.doc }));
    assert_eq!(
        h.joins(),
        vec![0],
        "and everything it holds, from the start"
    );
    h.relay(RelayMsg::Joined {
        doc: h.doc,
        head_seq: 45,
        max_frame_bytes: MAX_FRAME,
        lost: false,
    });
    assert!(h.joins().is_empty(), "detected once, not in a loop");
}

#[test]
fn a_rate_limited_append_is_sent_again_after_a_pause() {
    let mut h = Harness::joined(0);
    let item = h.change(1, 4);
    assert_eq!(h.appends().len(), 1);
    h.relay(RelayMsg::Error {
        doc: Some(h.doc),
        client_msg_id: Some(item.id),
        code: ErrorCode::RateLimited,
        message: String::new(),
    });
    h.change(2, 4);
    assert!(
        h.appends().is_empty(),
        "nothing more until the pause is over"
    );
    h.advance(RETRY_MS);
    let again = h.appends();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].1, [vec![1; 4], vec![2; 4]].concat());
}

#[test]
fn a_rate_limited_join_is_sent_again() {
    let mut h = Harness::new(Stored::default(), Vec::new());
    h.connect();
    h.take_sent();
    h.relay(RelayMsg::Error {
        doc: Some(h.doc),
        client_msg_id: None,
        code: ErrorCode::RateLimited,
        message: String::new(),
    });
    h.advance(RETRY_MS);
    assert_eq!(h.joins(), vec![0]);
}

#[test]
fn a_lasting_refusal_stops_sending_until_the_next_connection() {
    let mut h = Harness::joined(0);
    let item = h.change(1, 4);
    h.take_sent();
    h.relay(RelayMsg::Error {
        doc: Some(h.doc),
        client_msg_id: Some(item.id),
        code: ErrorCode::DocumentTooLarge,
        message: String::new(),
    });
    assert!(h.take_events().contains(&Event::Problem {
        doc: Some(h.doc),
        problem: Problem::Refused(ErrorCode::DocumentTooLarge)
    }));
    let status = h.engine.status(h.doc).unwrap();
    assert_eq!(
        (status.blocked, status.unsent),
        (Some(ErrorCode::DocumentTooLarge), 1)
    );
    h.advance(RETRY_MS * 3);
    assert!(h.appends().is_empty());
    h.engine.disconnected(h.now);
    h.connect();
    h.relay(RelayMsg::Joined {
        doc: h.doc,
        head_seq: 0,
        max_frame_bytes: MAX_FRAME,
        lost: false,
    });
    assert_eq!(h.appends().len(), 1, "tried again on the new connection");
}

#[test]
fn a_change_larger_than_a_frame_stays_on_the_device_and_says_so() {
    let mut h = Harness::new(Stored::default(), Vec::new());
    h.change(1, 5000);
    h.connect();
    h.relay(RelayMsg::Joined {
        doc: h.doc,
        head_seq: 0,
        max_frame_bytes: 2000,
        lost: false,
    });
    assert!(h.appends().is_empty());
    assert!(h.take_events().contains(&Event::Problem {
        doc: Some(h.doc),
        problem: Problem::ChangeTooLarge
    }));
    assert_eq!(h.engine.status(h.doc).unwrap().unsent, 1);
}

#[test]
fn a_wrong_token_ends_the_session() {
    let mut h = Harness::new(Stored::default(), Vec::new());
    h.connect();
    h.relay(RelayMsg::Error {
        doc: Some(h.doc),
        client_msg_id: None,
        code: ErrorCode::BadToken,
        message: String::new(),
    });
    assert!(h.engine.status(h.doc).unwrap().denied);
    h.take_sent();
    h.engine.disconnected(h.now);
    h.connect();
    assert!(h.joins().is_empty(), "a denied link is not tried again");
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
fn an_idle_connection_is_pinged_and_a_silent_one_given_up() {
    let mut h = Harness::joined(0);
    h.take_sent();
    h.advance(PING_WHEN_IDLE_MS);
    let nonce = match h.take_sent().as_slice() {
        [ClientMsg::Ping { nonce }] => *nonce,
        other => panic!("expected a ping, got {other:?}"),
    };
    h.relay(RelayMsg::Pong { nonce });
    h.advance(DEAD_AFTER_MS);
    assert_eq!(h.disconnects, 0, "an answered ping keeps the connection");

    // Now the network dies silently: the next ping gets no answer.
    h.advance(PING_WHEN_IDLE_MS);
    assert!(matches!(h.take_sent().as_slice(), [ClientMsg::Ping { .. }]));
    h.advance(DEAD_AFTER_MS);
    assert_eq!(h.disconnects, 1);
    assert_eq!(h.engine.status(h.doc).unwrap().link, Link::Offline);
    let connects = h.connects;
    h.advance(500);
    assert_eq!(
        h.connects,
        connects + 1,
        "and tries again after a short pause"
    );
}

#[test]
fn an_unanswered_append_gives_the_connection_up_within_seconds() {
    let mut h = Harness::joined(0);
    h.change(1, 1);
    h.advance(DEAD_AFTER_MS - 1);
    assert_eq!(h.disconnects, 0);
    h.advance(1);
    assert_eq!(h.disconnects, 1);
    let status = h.engine.status(h.doc).unwrap();
    assert_eq!((status.link, status.unsent), (Link::Offline, 1));
}

#[test]
fn the_browser_going_offline_closes_at_once_and_online_reconnects_at_once() {
    let mut h = Harness::joined(0);
    h.engine.network_changed(false, h.now);
    h.drain();
    assert_eq!(h.disconnects, 1);
    assert_eq!(h.engine.link(), Link::Offline);
    // The back-off grows with failures…
    h.advance(500);
    h.engine.disconnected(h.now);
    h.advance(500);
    let connects = h.connects;
    // …but the network coming back cuts it short.
    h.engine.network_changed(true, h.now);
    h.drain();
    assert_eq!(h.connects, connects + 1);
}

#[test]
fn presence_is_sent_answered_and_ended() {
    let mut h = Harness::joined(0);
    h.engine.set_presence(h.doc, b"me".to_vec(), true, h.now);
    h.drain();
    let mine = |sent: Vec<ClientMsg>, key: &DocKey| -> Vec<Vec<u8>> {
        sent.into_iter()
            .filter_map(|m| match m {
                ClientMsg::Presence { ciphertext, .. } => {
                    Some(key.open(Purpose::Presence, &ciphertext).unwrap())
                }
                _ => None,
            })
            .collect()
    };
    assert_eq!(mine(h.take_sent(), &h.key), vec![b"me".to_vec()]);

    // A newcomer is answered (not faster than once a second), and listed.
    h.advance(1_000);
    h.take_sent();
    let theirs = h.key.seal(Purpose::Presence, b"anna");
    h.relay(RelayMsg::Presence {
        doc: h.doc,
        from: 4,
        ciphertext: theirs.clone(),
    });
    assert_eq!(mine(h.take_sent(), &h.key), vec![b"me".to_vec()]);
    let peers = h.engine.peers(h.doc);
    assert_eq!(
        (peers[0].payload.as_slice(), peers[0].gone_at),
        (&b"anna"[..], None)
    );
    // Hearing from a known peer is not answered.
    h.relay(RelayMsg::Presence {
        doc: h.doc,
        from: 4,
        ciphertext: theirs,
    });
    assert!(mine(h.take_sent(), &h.key).is_empty());
    // Forged presence is ignored.
    h.relay(RelayMsg::Presence {
        doc: h.doc,
        from: 5,
        ciphertext: b"not sealed".to_vec(),
    });
    assert_eq!(h.engine.peers(h.doc).len(), 1);

    h.relay(RelayMsg::PeerLeft {
        doc: h.doc,
        from: 4,
    });
    assert_eq!(h.engine.peers(h.doc)[0].gone_at, Some(h.now));
    assert!(h
        .take_events()
        .contains(&Event::PeersChanged { doc: h.doc }));
}

#[test]
fn closing_a_document_leaves_it_on_the_relay() {
    let mut h = Harness::joined(0);
    h.take_sent();
    h.engine.close(h.doc, h.now);
    h.drain();
    assert_eq!(h.take_sent(), vec![ClientMsg::Leave { doc: h.doc }]);
    assert!(h.engine.status(h.doc).is_none());
}

#[test]
fn statuses_are_reported_only_when_they_change() {
    let mut h = Harness::joined(0);
    h.take_events();
    h.advance(10);
    assert!(!h
        .take_events()
        .iter()
        .any(|e| matches!(e, Event::StatusChanged { .. })));
    h.change(1, 1);
    assert!(h
        .take_events()
        .contains(&Event::StatusChanged { doc: h.doc }));
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
    h.relay(RelayMsg::Joined {
        doc: h.doc,
        head_seq: 5,
        max_frame_bytes: MAX_FRAME,
        lost: true,
    });
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
