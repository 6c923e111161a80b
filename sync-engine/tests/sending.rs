//! Sending local changes: waiting offline, batching, the send window, refusals and retries.

mod harness;

use harness::*;

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
    h.answer_join(0);
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
    h.answer_join_with(0, small_frame, false);
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
    h.answer_join(0);
    assert_eq!(h.appends().len(), 1, "tried again on the new connection");
}

#[test]
fn a_change_larger_than_a_frame_stays_on_the_device_and_says_so() {
    let mut h = Harness::new(Stored::default(), Vec::new());
    h.change(1, 5000);
    h.connect();
    h.answer_join_with(0, 2000, false);
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

// ---- sent before the device's write lands ----------------------------------------------------
// The app hands a change to the engine at once and writes it to storage alongside (see
// `outbox`). These are the cases where the two part ways.

#[test]
fn changes_handed_over_before_their_writes_go_out_in_the_order_they_were_made() {
    let mut h = Harness::joined(0);
    for n in 1..=5 {
        h.change(n, 2);
    }
    let appends = h.appends();
    let ids: Vec<u8> = appends.iter().map(|(id, _)| id[0]).collect();
    assert_eq!(
        ids,
        vec![1, 2, 3, 4, 5],
        "one append each, in order, at once"
    );
    // The relay acknowledges in order; each ack names only its own change.
    for (seq, (id, _)) in appends.iter().enumerate() {
        h.relay(RelayMsg::Ack {
            doc: h.doc,
            client_msg_id: *id,
            seq: seq as u64 + 1,
        });
        let acked: Vec<_> = h
            .take_events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Acked { ids, stored, .. } => Some((ids, stored.last_seq)),
                _ => None,
            })
            .collect();
        assert_eq!(acked, vec![(vec![*id], seq as u64 + 1)]);
    }
    assert_eq!(h.engine.status(h.doc).unwrap().unsent, 0);
}

#[test]
fn a_change_the_relay_got_before_the_tab_died_unwritten_comes_back_on_the_next_open() {
    let mut before = Harness::joined(0);
    let item = before.change(7, 5);
    let sent = before.appends();
    assert_eq!(sent, vec![(item.id, item.change.clone())], "sent at once");
    // The tab dies: neither the change nor its outbox entry reached the disk, and the stored
    // sequence is where it was.
    let mut after = Harness::new(Stored::default(), Vec::new());
    // (Each harness has its own key: the relay's entry is sealed again with this one's.)
    let sealed = after.key.seal(Purpose::Change, &item.change);
    after.connect();
    assert_eq!(after.joins(), vec![0], "joins from what the disk says");
    after.answer_join(1);
    after.relay(RelayMsg::Entries {
        doc: after.doc,
        snapshot: None,
        entries: vec![Entry {
            seq: 1,
            client_msg_id: item.id,
            ciphertext: sealed,
        }],
    });
    assert_eq!(
        after.changes(),
        vec![(vec![item.change], 1)],
        "our own change arrives like anyone's and is stored with its sequence"
    );
    assert!(after.appends().is_empty(), "and nothing is sent again");
}

#[test]
fn an_outbox_entry_whose_ack_was_not_stored_is_sent_once_more_and_then_leaves() {
    // The write landed, the tab died before the relay's ack was stored: the disk still holds
    // the outbox entry of a change the relay has at sequence 1.
    let mut h = Harness::joined(0);
    let item = h.change(3, 4);
    let first = h.appends();
    let mut h = Harness::new(Stored::default(), vec![item.clone()]);
    h.connect();
    h.answer_join(1);
    let again = h.appends();
    assert_eq!(again.len(), 1);
    assert_eq!(
        again[0].0, item.id,
        "the same id, so the relay stores it once"
    );
    let entry = Entry {
        seq: 1,
        client_msg_id: item.id,
        ciphertext: h.key.seal(Purpose::Change, &first[0].1),
    };
    h.relay(RelayMsg::Entries {
        doc: h.doc,
        snapshot: None,
        entries: vec![entry],
    });
    // (Sealed with this harness's key.) The relay acknowledges the repeat under its first
    // sequence.
    h.relay(RelayMsg::Ack {
        doc: h.doc,
        client_msg_id: item.id,
        seq: 1,
    });
    let acked: Vec<_> = h
        .take_events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Acked { ids, stored, .. } => Some((ids, stored.last_seq)),
            _ => None,
        })
        .collect();
    assert_eq!(acked, vec![(vec![item.id], 1)], "it leaves the outbox");
    assert!(
        h.joins().is_empty(),
        "an ack at a sequence we hold is no gap"
    );
    h.advance(RETRY_MS * 5);
    assert!(h.appends().is_empty(), "never sent again");
    assert_eq!(h.engine.status(h.doc).unwrap().unsent, 0);
}
