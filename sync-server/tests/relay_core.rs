//! The socket-free relay core speaks the protocol as the server does: frames in, addressed frames
//! out, a fake clock, and the real SQLite store in a temporary directory.

mod core_harness;

use core_harness::*;
use tandem_protocol::message::{Entry, StoredSnapshot};
use tandem_protocol::{AccessToken, ClientMsg, ErrorCode, RelayMsg};
use tandem_sync_server::limits::{CATCH_UP_CHUNK_BYTES, RATE_BURST, RATE_PER_SECOND};

#[test]
fn an_append_is_acked_to_its_sender_then_broadcast_to_the_others() {
    let mut sim = Sim::new();
    let (a, b, c) = (
        sim.relay.connect(0),
        sim.relay.connect(0),
        sim.relay.connect(0),
    );
    assert_eq!(sim.join(a, 0), vec![(a, joined(0))]);
    assert_eq!(sim.join(b, 0), vec![(b, joined(0))]);
    assert_eq!(sim.join(c, 0), vec![(c, joined(0))]);
    assert_eq!(sim.relay.subscribers(*DOC).collect::<Vec<_>>(), [a, b, c]);

    assert_eq!(
        sim.append(b, 7, b"from b"),
        vec![
            (b, ack(7, 1)),
            (a, broadcast(1, 7, b"from b")),
            (c, broadcast(1, 7, b"from b"))
        ]
    );
    assert_eq!(
        sim.append(a, 8, b"from a"),
        vec![
            (a, ack(8, 2)),
            (b, broadcast(2, 8, b"from a")),
            (c, broadcast(2, 8, b"from a"))
        ]
    );
}

#[test]
fn a_retried_append_is_acked_under_its_first_sequence_and_not_broadcast() {
    let mut sim = Sim::new();
    let (a, b) = (sim.relay.connect(0), sim.relay.connect(0));
    sim.join(a, 0);
    sim.join(b, 0);
    assert_eq!(sim.append(a, 1, b"x").len(), 2);
    sim.append(a, 2, b"y");
    assert_eq!(sim.append(a, 1, b"x"), vec![(a, ack(1, 1))]);
    // From another connection too: the id is the document's, not the connection's.
    assert_eq!(sim.append(b, 2, b"y"), vec![(b, ack(2, 2))]);
}

#[test]
fn a_wrong_token_is_refused_and_gets_nothing() {
    let mut sim = Sim::new();
    let (owner, intruder) = (sim.relay.connect(0), sim.relay.connect(0));
    sim.join(owner, 0);
    sim.append(owner, 1, b"private");

    let wrong = ClientMsg::Join {
        doc: *DOC,
        token: AccessToken([3; 32]),
        since_seq: 0,
        expect: Vec::new(),
    };
    let out = sim.send(intruder, &wrong);
    assert_eq!(code(&out), Some(ErrorCode::BadToken));
    assert_eq!(out[0].0, intruder);
    assert_eq!(sim.relay.subscribers(*DOC).collect::<Vec<_>>(), [owner]);
    let out = sim.append(intruder, 2, b"vandalism");
    assert!(matches!(
        &out[..],
        [(_, RelayMsg::Error { code: ErrorCode::NotJoined, client_msg_id: Some(id), .. })]
            if *id == [2; 16]
    ));
    // Only the owner's entry is there, and the owner hears nothing of the attempt.
    assert_eq!(sim.append(owner, 3, b"more"), vec![(owner, ack(3, 2))]);

    // A member that re-joins with a wrong token loses its subscription; the others hear it left.
    let member = sim.relay.connect(0);
    sim.join(member, 0);
    let out = sim.send(member, &wrong);
    assert!(out.contains(&(
        owner,
        RelayMsg::PeerLeft {
            doc: *DOC,
            from: member
        }
    )));
    assert!(matches!(
        out.iter().find(|(to, _)| *to == member),
        Some((
            _,
            RelayMsg::Error {
                code: ErrorCode::BadToken,
                ..
            }
        ))
    ));
    assert_eq!(sim.relay.subscribers(*DOC).collect::<Vec<_>>(), [owner]);
}

#[test]
fn a_reconnecting_client_gets_what_it_missed_in_chunks() {
    let mut sim = Sim::new();
    let (writer, reader) = (sim.relay.connect(0), sim.relay.connect(0));
    sim.join(writer, 0);
    sim.join(reader, 0);
    sim.append(writer, 1, b"one");
    assert_eq!(
        decode(sim.relay.disconnect(reader)),
        vec![(
            writer,
            RelayMsg::PeerLeft {
                doc: *DOC,
                from: reader
            }
        )]
    );
    // Frames from a connection that is gone are ignored.
    assert!(sim.send(reader, &ClientMsg::Ping { nonce: 1 }).is_empty());

    sim.append(writer, 2, b"two");
    sim.append(writer, 3, b"three");
    let reader = sim.relay.connect(0);
    assert_eq!(
        sim.join(reader, 1),
        vec![
            (reader, joined(3)),
            (reader, entries(&[(2, 2, b"two"), (3, 3, b"three")]))
        ]
    );

    // A large catch-up comes as several Entries messages, exactly as the server splits it.
    let big = vec![7; CATCH_UP_CHUNK_BYTES / 2 + 1];
    for id in 10..14 {
        sim.append(writer, id, &big);
    }
    let late = sim.relay.connect(0);
    let out = sim.join(late, 3);
    // Two of these never fit one page: each entry comes in a message of its own.
    let expected: Vec<RelayMsg> = (4..=7)
        .map(|seq| RelayMsg::Entries {
            doc: *DOC,
            snapshot: None,
            entries: vec![Entry {
                seq,
                client_msg_id: [seq as u8 + 6; 16],
                ciphertext: sealed(&big),
            }],
        })
        .collect();
    let got: Vec<RelayMsg> = out.into_iter().skip(1).map(|(_, m)| m).collect();
    assert_eq!(got, expected);
}

#[test]
fn a_late_joiner_gets_the_snapshot_and_the_tail() {
    let mut sim = Sim::new();
    let writer = sim.relay.connect(0);
    sim.join(writer, 0);
    for id in 1..=3 {
        sim.append(writer, id, &[id]);
    }
    let ahead = ClientMsg::Snapshot {
        doc: *DOC,
        covers_seq: 9,
        ciphertext: sealed(b"future"),
    };
    assert_eq!(
        code(&sim.send(writer, &ahead)),
        Some(ErrorCode::SnapshotAhead)
    );
    let snapshot = ClientMsg::Snapshot {
        doc: *DOC,
        covers_seq: 2,
        ciphertext: sealed(b"snap"),
    };
    assert!(
        sim.send(writer, &snapshot).is_empty(),
        "a stored snapshot has no reply"
    );
    let late = sim.relay.connect(0);
    assert_eq!(
        sim.join(late, 0),
        vec![
            (late, joined(3)),
            (
                late,
                RelayMsg::Entries {
                    doc: *DOC,
                    snapshot: Some(StoredSnapshot {
                        covers_seq: 2,
                        covers_id: [2; 16],
                        ciphertext: sealed(b"snap")
                    }),
                    entries: vec![Entry {
                        seq: 3,
                        client_msg_id: [3; 16],
                        ciphertext: sealed(&[3])
                    }],
                }
            )
        ]
    );
}

#[test]
fn presence_names_its_sender_and_ends_with_peer_left_on_disconnect() {
    let mut sim = Sim::new();
    let (a, b, elsewhere) = (
        sim.relay.connect(0),
        sim.relay.connect(0),
        sim.relay.connect(0),
    );
    sim.join(a, 0);
    sim.join(b, 0);
    let other_token = AccessToken([9; 32]);
    let other = other_token.doc_id();
    let join_other = ClientMsg::Join {
        doc: other,
        token: other_token,
        since_seq: 0,
        expect: Vec::new(),
    };
    sim.send(elsewhere, &join_other);
    sim.send(a, &join_other);

    let presence = ClientMsg::Presence {
        doc: *DOC,
        ciphertext: b"row 3".to_vec(),
    };
    let here = RelayMsg::Presence {
        doc: *DOC,
        from: a,
        ciphertext: b"row 3".to_vec(),
    };
    assert_eq!(sim.send(a, &presence), vec![(b, here)]);

    // Gone from both its documents at once, in document order; nobody else is told.
    let mut left = vec![
        (b, RelayMsg::PeerLeft { doc: *DOC, from: a }),
        (
            elsewhere,
            RelayMsg::PeerLeft {
                doc: other,
                from: a,
            },
        ),
    ];
    if other < *DOC {
        left.reverse();
    }
    assert_eq!(decode(sim.relay.disconnect(a)), left);
    assert_eq!(sim.relay.connections().collect::<Vec<_>>(), [b, elsewhere]);
    assert!(
        sim.relay.disconnect(a).is_empty(),
        "a second disconnect is a no-op"
    );

    // Leaving by message says the same; leaving again says nothing.
    let leave = ClientMsg::Leave { doc: *DOC };
    assert_eq!(
        sim.send(b, &leave),
        Vec::new(),
        "the last one out tells nobody"
    );
    assert!(sim.relay.subscribers(*DOC).next().is_none());
    assert_eq!(sim.send(b, &leave), Vec::new());
    assert_eq!(code(&sim.send(b, &presence)), Some(ErrorCode::NotJoined));
}

#[test]
fn a_ping_is_answered_with_its_nonce() {
    let mut sim = Sim::new();
    let conn = sim.relay.connect(0);
    let out = sim.send(conn, &ClientMsg::Ping { nonce: 42 });
    assert_eq!(out, vec![(conn, RelayMsg::Pong { nonce: 42 })]);
}

#[test]
fn bad_frames_are_refused_with_their_codes() {
    let mut sim = Sim::new();
    let conn = sim.relay.connect(0);
    let mut refusal = |frame: &[u8]| code(&decode(sim.relay.receive(conn, frame, 0)));
    assert_eq!(refusal(&[]), Some(ErrorCode::Malformed));
    assert_eq!(
        refusal(&[tandem_protocol::PROTOCOL_VERSION, 200, 1]),
        Some(ErrorCode::Malformed)
    );
    assert_eq!(refusal(&[99, 0]), Some(ErrorCode::UnsupportedVersion));
    let huge = append(5, &vec![0; LIMITS.max_frame_bytes]).encode();
    let out = decode(sim.relay.receive(conn, &huge, 0));
    assert!(matches!(
        &out[..],
        [(_, RelayMsg::Error { code: ErrorCode::FrameTooLarge, doc: Some(doc), client_msg_id: Some(id), .. })]
            if *id == [5; 16] && doc == &*DOC
    ));
}

#[test]
fn the_rate_limit_follows_the_given_clock() {
    let mut sim = Sim::new();
    let conn = sim.relay.connect(1_000);
    let ping = ClientMsg::Ping { nonce: 0 };
    for _ in 0..RATE_BURST as usize {
        assert!(matches!(
            sim.send_at(conn, &ping, 1_000)[..],
            [(_, RelayMsg::Pong { .. })]
        ));
    }
    // The burst is spent; an append now is refused by name, so its sender can retry it.
    let out = sim.send_at(conn, &append(1, b"x"), 1_000);
    assert!(matches!(
        &out[..],
        [(
            _,
            RelayMsg::Error {
                code: ErrorCode::RateLimited,
                client_msg_id: Some(_),
                ..
            }
        )]
    ));
    // One token comes back every 1000 / RATE_PER_SECOND milliseconds of the caller's clock.
    let tick = (1000.0 / RATE_PER_SECOND) as u64;
    assert!(matches!(
        sim.send_at(conn, &ping, 1_000 + tick)[..],
        [(_, RelayMsg::Pong { .. })]
    ));
    assert_eq!(
        code(&sim.send_at(conn, &ping, 1_000 + tick)),
        Some(ErrorCode::RateLimited)
    );
    // Each connection has its own bucket.
    let other = sim.relay.connect(1_000);
    assert!(matches!(
        sim.send_at(other, &ping, 1_000)[..],
        [(_, RelayMsg::Pong { .. })]
    ));
}

#[test]
fn a_connection_starts_at_most_its_quota_of_new_documents() {
    let mut sim = Sim::new();
    let conn = sim.relay.connect(0);
    let quota = LIMITS.max_new_docs_per_connection as usize;
    for n in 0..=quota {
        let token = AccessToken([n as u8 + 100; 32]);
        let doc = token.doc_id();
        let join = ClientMsg::Join {
            doc,
            token,
            since_seq: 0,
            expect: Vec::new(),
        };
        sim.send(conn, &join);
        let append = ClientMsg::Append {
            doc,
            client_msg_id: [1; 16],
            ciphertext: sealed(b"first"),
        };
        let out = sim.send(conn, &append);
        let expected = if n < quota {
            None
        } else {
            Some(ErrorCode::QuotaExceeded)
        };
        assert_eq!(code(&out), expected, "document {n}");
    }
}
