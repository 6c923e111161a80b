//! The connection itself, and presence: heartbeat, going offline, back-off, who is here.

mod harness;

use harness::*;

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
