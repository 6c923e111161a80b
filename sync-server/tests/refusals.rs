//! Bad input is refused with the right code, and never disturbs anyone else on the relay.

mod common;

use common::{msg_id, sealed, Client, RelayProcess, TestDoc};
use tandem_protocol::limits::{RATE_BURST, RATE_PER_SECOND};
use tandem_protocol::{ClientMsg, ErrorCode, RelayMsg, PROTOCOL_VERSION};

async fn expect_error(client: &mut Client, expected: ErrorCode) {
    let refusal = client.recv_refusal().await;
    assert_eq!(refusal.code, expected, "message: {}", refusal.message);
    assert!(!refusal.message.is_empty());
}

#[tokio::test]
async fn bad_frames_are_refused_while_others_keep_working() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &["--max-frame-bytes", "65536"]);
    let doc = TestDoc::new();
    let (mut alice, mut bob) = relay.joined_pair(&doc).await;

    let mut bad = relay.client().await;
    let mut oversized = vec![PROTOCOL_VERSION];
    oversized.resize(65_537, 0);
    bad.send_raw(oversized).await;
    expect_error(&mut bad, ErrorCode::FrameTooLarge).await;
    bad.send_raw(vec![PROTOCOL_VERSION, 200, 1, 2]).await;
    expect_error(&mut bad, ErrorCode::Malformed).await;
    bad.send_raw(Vec::new()).await;
    expect_error(&mut bad, ErrorCode::Malformed).await;
    let mut future = ClientMsg::Leave { doc: doc.doc }.encode();
    future[0] = PROTOCOL_VERSION + 1;
    bad.send_raw(future).await;
    expect_error(&mut bad, ErrorCode::UnsupportedVersion).await;
    bad.send_text("hello").await;
    expect_error(&mut bad, ErrorCode::Malformed).await;
    // A decodable change that is too large is named in the refusal, so its sender knows which.
    let id = msg_id();
    bad.send(&ClientMsg::Append {
        doc: doc.doc,
        client_msg_id: id,
        ciphertext: vec![1; 65_536],
    })
    .await;
    let refusal = bad.recv_refusal().await;
    assert_eq!(
        (refusal.doc, refusal.client_msg_id, refusal.code),
        (Some(doc.doc), Some(id), ErrorCode::FrameTooLarge)
    );

    // Still connected and useful after all that.
    let own = TestDoc::new();
    bad.join(&own, 0).await;
    assert_eq!(bad.append(own.doc, msg_id(), b"fine now").await, 1);

    // The others never noticed.
    assert_eq!(alice.append(doc.doc, msg_id(), b"still here").await, 1);
    assert!(matches!(
        bob.recv().await,
        RelayMsg::Broadcast { seq: 1, .. }
    ));
    bob.expect_silence().await;
}

#[tokio::test]
async fn a_huge_frame_closes_only_its_own_connection() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &["--max-frame-bytes", "65536"]);
    let doc = TestDoc::new();
    let (mut alice, mut bob) = relay.joined_pair(&doc).await;

    let mut bad = relay.client().await;
    let mut huge = vec![PROTOCOL_VERSION];
    huge.resize(4 * 1024 * 1024, 7);
    let _ = bad.try_send_raw(huge).await;
    assert!(
        bad.is_closed().await,
        "the WebSocket layer cuts off a far too large frame"
    );

    assert_eq!(alice.append(doc.doc, msg_id(), b"unaffected").await, 1);
    assert!(matches!(
        bob.recv().await,
        RelayMsg::Broadcast { seq: 1, .. }
    ));
}

#[tokio::test]
async fn a_full_document_refuses_appends_until_compacted() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &["--max-doc-bytes", "1000"]);
    let doc = TestDoc::new();
    let mut alice = relay.client().await;
    alice.join(&doc, 0).await;
    assert_eq!(alice.append(doc.doc, msg_id(), &[1; 600]).await, 1);

    let id = msg_id();
    alice
        .send(&ClientMsg::Append {
            doc: doc.doc,
            client_msg_id: id,
            ciphertext: vec![2; 600],
        })
        .await;
    let refusal = alice.recv_refusal().await;
    assert_eq!(
        (refusal.doc, refusal.client_msg_id, refusal.code),
        (Some(doc.doc), Some(id), ErrorCode::DocumentTooLarge)
    );

    // A small snapshot frees the space; the refused change can then be retried.
    alice
        .send(&ClientMsg::Snapshot {
            doc: doc.doc,
            covers_seq: 1,
            ciphertext: vec![3; 100],
        })
        .await;
    assert_eq!(alice.append(doc.doc, id, &[2; 600]).await, 2);
}

#[tokio::test]
async fn messages_for_unjoined_documents_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let doc = TestDoc::new();
    let mut client = relay.client().await;
    let refused = [
        ClientMsg::Append {
            doc: doc.doc,
            client_msg_id: msg_id(),
            ciphertext: sealed(b"x"),
        },
        ClientMsg::Snapshot {
            doc: doc.doc,
            covers_seq: 1,
            ciphertext: sealed(b"x"),
        },
        ClientMsg::Presence {
            doc: doc.doc,
            ciphertext: vec![1],
        },
    ];
    for msg in &refused {
        client.send(msg).await;
        expect_error(&mut client, ErrorCode::NotJoined).await;
    }
}

#[tokio::test]
async fn a_client_over_its_rate_is_slowed_not_refused_nor_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let doc = TestDoc::new();
    let mut client = relay.client().await;
    client.join(&doc, 0).await;
    // Leaving a document one never joined has no reply and costs nothing, so these only spend
    // the burst; the appends right after them find the bucket empty.
    let leave = ClientMsg::Leave {
        doc: TestDoc::new().doc,
    };
    let started = std::time::Instant::now();
    for _ in 0..RATE_BURST as usize {
        client.send(&leave).await;
    }
    let ids: Vec<[u8; 16]> = (0..300).map(|_| msg_id()).collect();
    for &client_msg_id in &ids {
        let append = ClientMsg::Append {
            doc: doc.doc,
            client_msg_id,
            ciphertext: sealed(b"fast"),
        };
        client.send(&append).await;
    }
    // Every append is stored and acknowledged, in order, none refused, and the connection
    // stays open: the relay read them only as fast as the rate allows.
    let mut acked = Vec::new();
    while acked.len() < ids.len() {
        match client.recv().await {
            RelayMsg::Ack { client_msg_id, .. } => acked.push(client_msg_id),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(acked, ids);
    let least = std::time::Duration::from_secs_f64(ids.len() as f64 / RATE_PER_SECOND * 0.8);
    assert!(
        started.elapsed() >= least,
        "300 messages over the burst took only {:?}: nothing was slowed",
        started.elapsed()
    );
}
