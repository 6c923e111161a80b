//! The protocol's happy paths and access control, against the real relay binary.

mod common;

use common::{msg_id, sealed, RelayProcess, TestDoc};
use tandem_protocol::{ClientMsg, ErrorCode, RelayMsg};

#[tokio::test]
async fn two_clients_see_each_others_appends() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let doc = TestDoc::new();
    let (mut alice, mut bob) = (relay.client().await, relay.client().await);

    let joined = alice.join(&doc, 0).await;
    assert_eq!((joined.head_seq, joined.messages), (0, 0));
    assert_eq!(bob.join(&doc, 0).await.head_seq, 0);

    let from_alice = msg_id();
    assert_eq!(alice.append(doc.doc, from_alice, b"from alice").await, 1);
    assert_eq!(
        bob.recv().await,
        RelayMsg::Broadcast {
            doc: doc.doc,
            seq: 1,
            client_msg_id: from_alice,
            ciphertext: sealed(b"from alice")
        }
    );
    let from_bob = msg_id();
    assert_eq!(bob.append(doc.doc, from_bob, b"from bob").await, 2);
    assert_eq!(
        alice.recv().await,
        RelayMsg::Broadcast {
            doc: doc.doc,
            seq: 2,
            client_msg_id: from_bob,
            ciphertext: sealed(b"from bob")
        }
    );
    // Nobody gets their own append back as a Broadcast.
    alice.expect_silence().await;
    bob.expect_silence().await;
}

#[tokio::test]
async fn reconnecting_client_gets_only_what_it_missed() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let doc = TestDoc::new();
    let mut writer = relay.client().await;
    writer.join(&doc, 0).await;
    for i in 1..=2u8 {
        writer.append(doc.doc, msg_id(), &[i]).await;
    }
    let mut reader = relay.client().await;
    let first = reader.join(&doc, 0).await;
    let seqs: Vec<u64> = first.entries.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, vec![1, 2]);
    drop(reader);

    for i in 3..=5u8 {
        writer.append(doc.doc, msg_id(), &[i]).await;
    }
    let mut reader = relay.client().await;
    let again = reader.join(&doc, 2).await;
    assert_eq!(again.head_seq, 5);
    assert!(again.snapshot.is_none());
    let got: Vec<(u64, Vec<u8>)> = again
        .entries
        .into_iter()
        .map(|e| (e.seq, e.ciphertext))
        .collect();
    assert_eq!(
        got,
        vec![(3, sealed(&[3])), (4, sealed(&[4])), (5, sealed(&[5]))]
    );
    reader.expect_silence().await;

    // A client that is up to date gets Joined and nothing else.
    let mut current = relay.client().await;
    assert_eq!(current.join(&doc, 5).await.messages, 0);
    current.expect_silence().await;
}

#[tokio::test]
async fn a_retried_append_is_stored_and_broadcast_once() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let doc = TestDoc::new();
    let (mut alice, mut bob) = relay.joined_pair(&doc).await;

    let id = msg_id();
    assert_eq!(alice.append(doc.doc, id, b"once").await, 1);
    assert_eq!(alice.append(doc.doc, id, b"once").await, 1);
    assert!(matches!(
        bob.recv().await,
        RelayMsg::Broadcast { seq: 1, .. }
    ));
    bob.expect_silence().await;

    let mut fresh = relay.client().await;
    let joined = fresh.join(&doc, 0).await;
    assert_eq!(joined.head_seq, 1);
    assert_eq!(joined.entries.len(), 1);
    assert_eq!(alice.append(doc.doc, msg_id(), b"next").await, 2);
}

#[tokio::test]
async fn a_wrong_token_is_refused_and_sees_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let doc = TestDoc::new();
    let mut owner = relay.client().await;
    owner.join(&doc, 0).await;
    owner.append(doc.doc, msg_id(), b"private").await;

    let mut intruder = relay.client().await;
    let wrong = tandem_protocol::Secret::random().access_token();
    intruder
        .send(&ClientMsg::Join {
            doc: doc.doc,
            token: wrong,
            since_seq: 0,
            expect: Vec::new(),
        })
        .await;
    let refusal = intruder.recv_refusal().await;
    assert_eq!(
        (refusal.doc, refusal.code),
        (Some(doc.doc), ErrorCode::BadToken)
    );
    intruder.expect_silence().await;

    owner.append(doc.doc, msg_id(), b"more private").await;
    owner
        .send(&ClientMsg::Presence {
            doc: doc.doc,
            ciphertext: b"here".to_vec(),
        })
        .await;
    intruder.expect_silence().await;

    // Without a successful join it can neither write nor speak.
    let id = msg_id();
    intruder
        .send(&ClientMsg::Append {
            doc: doc.doc,
            client_msg_id: id,
            ciphertext: sealed(b"vandalism"),
        })
        .await;
    let refusal = intruder.recv_refusal().await;
    assert_eq!(
        (refusal.code, refusal.client_msg_id),
        (ErrorCode::NotJoined, Some(id))
    );
    owner.expect_silence().await;
    assert_eq!(relay.client().await.join(&doc, 0).await.head_seq, 2);
}

#[tokio::test]
async fn a_snapshot_replaces_the_entries_it_covers() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let doc = TestDoc::new();
    let mut alice = relay.client().await;
    alice.join(&doc, 0).await;
    for i in 1..=4u8 {
        alice.append(doc.doc, msg_id(), &[i; 3]).await;
    }

    alice
        .send(&ClientMsg::Snapshot {
            doc: doc.doc,
            covers_seq: 9,
            ciphertext: sealed(b"from the future"),
        })
        .await;
    assert!(matches!(
        alice.recv().await,
        RelayMsg::Error {
            code: ErrorCode::SnapshotAhead,
            ..
        }
    ));
    alice
        .send(&ClientMsg::Snapshot {
            doc: doc.doc,
            covers_seq: 3,
            ciphertext: sealed(b"snapshot up to 3"),
        })
        .await;
    // Sequence numbers keep growing after the compaction.
    assert_eq!(alice.append(doc.doc, msg_id(), &[5; 3]).await, 5);

    let mut fresh = relay.client().await;
    let joined = fresh.join(&doc, 0).await;
    assert_eq!(joined.head_seq, 5);
    let snapshot = joined.snapshot.expect("the snapshot");
    assert_eq!(snapshot.covers_seq, 3);
    assert_eq!(snapshot.ciphertext, sealed(b"snapshot up to 3"));
    let seqs: Vec<u64> = joined.entries.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, vec![4, 5]);

    // A client past the snapshot gets just the tail, and one behind it gets the snapshot.
    let mut recent = relay.client().await;
    let tail = recent.join(&doc, 4).await;
    assert!(tail.snapshot.is_none());
    assert_eq!(tail.entries.len(), 1);
    let mut behind = relay.client().await;
    let joined = behind.join(&doc, 2).await;
    assert_eq!(joined.snapshot.map(|s| s.covers_seq), Some(3));
    assert_eq!(joined.entries.len(), 2);
}

#[tokio::test]
async fn presence_is_forwarded_but_never_stored() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let doc = TestDoc::new();
    let other_doc = TestDoc::new();
    let (mut alice, mut bob) = (relay.client().await, relay.client().await);
    let mut elsewhere = relay.client().await;
    alice.join(&doc, 0).await;
    bob.join(&doc, 0).await;
    elsewhere.join(&other_doc, 0).await;

    alice
        .send(&ClientMsg::Presence {
            doc: doc.doc,
            ciphertext: b"alice is on row 3".to_vec(),
        })
        .await;
    let alice_no = match bob.recv().await {
        RelayMsg::Presence {
            doc: d,
            from,
            ciphertext,
        } if d == doc.doc && ciphertext == b"alice is on row 3" => from,
        other => panic!("expected alice's presence, got {other:?}"),
    };
    alice.expect_silence().await;
    elsewhere.expect_silence().await;

    let mut fresh = relay.client().await;
    let joined = fresh.join(&doc, 0).await;
    assert_eq!((joined.head_seq, joined.messages), (0, 0));
    fresh.expect_silence().await;

    // Alice's tab closes: the others hear at once that her presence is over.
    drop(alice);
    assert_eq!(
        bob.recv().await,
        RelayMsg::PeerLeft {
            doc: doc.doc,
            from: alice_no
        }
    );
    elsewhere.expect_silence().await;
}

#[tokio::test]
async fn a_ping_is_answered() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let mut client = relay.client().await;
    client.send(&ClientMsg::Ping { nonce: 99 }).await;
    assert_eq!(client.recv().await, RelayMsg::Pong { nonce: 99 });
}

#[tokio::test]
async fn leaving_stops_the_messages() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let doc = TestDoc::new();
    let (mut alice, mut bob) = relay.joined_pair(&doc).await;
    bob.send(&ClientMsg::Leave { doc: doc.doc }).await;
    assert!(matches!(alice.recv().await, RelayMsg::PeerLeft { .. }));
    bob.expect_silence().await;
    alice.append(doc.doc, msg_id(), b"after bob left").await;
    bob.expect_silence().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn joins_during_appends_miss_nothing_and_see_nothing_twice() {
    const N: u64 = 300;
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let doc = TestDoc::new();
    let mut writer = relay.client().await;
    writer.join(&doc, 0).await;
    let doc_id = doc.doc;
    let writing = tokio::spawn(async move {
        for i in 0..N {
            let msg = ClientMsg::Append {
                doc: doc_id,
                client_msg_id: msg_id(),
                ciphertext: sealed(&i.to_le_bytes()),
            };
            writer.send(&msg).await;
        }
        for _ in 0..N {
            assert!(matches!(writer.recv().await, RelayMsg::Ack { .. }));
        }
    });

    // Each reader joins at some point during the writes; `join` itself fails if a Broadcast
    // overtakes the catch-up. Catch-up plus broadcasts must be exactly 1..=N, in order.
    let mut readers = Vec::new();
    for _ in 0..6 {
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
        let mut reader = relay.client().await;
        let joined = reader.join(&doc, 0).await;
        readers.push((reader, joined));
    }
    for (mut reader, joined) in readers {
        let mut seqs: Vec<u64> = joined.entries.iter().map(|e| e.seq).collect();
        while seqs.last().copied().unwrap_or(0) < N {
            match reader.recv().await {
                RelayMsg::Broadcast { seq, .. } => seqs.push(seq),
                other => panic!("expected Broadcast, got {other:?}"),
            }
        }
        assert_eq!(seqs, (1..=N).collect::<Vec<_>>());
    }
    writing.await.unwrap();
}
