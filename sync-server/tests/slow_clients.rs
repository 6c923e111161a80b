//! A client that stops reading is disconnected before it can pin the relay's memory, and
//! disconnecting it never loses a change it had already sent.

mod common;

use std::time::Duration;

use common::{msg_id, sealed, Client, RelayProcess, TestDoc};
use tandem_protocol::{ClientMsg, RelayMsg};

const MIB: usize = 1024 * 1024;

/// Appends `count` entries of about a mebibyte each, so a join sends several catch-up frames.
async fn fill(client: &mut Client, doc: &TestDoc, count: u8) {
    for i in 0..count {
        client.append(doc.doc, msg_id(), &vec![i; MIB - 100]).await;
    }
}

fn join(doc: &TestDoc) -> Vec<u8> {
    ClientMsg::Join {
        doc: doc.doc,
        token: doc.token(),
        since_seq: 0,
        expect: Vec::new(),
    }
    .encode()
}

#[tokio::test]
async fn a_client_that_joins_again_and_again_without_reading_is_disconnected() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let big = TestDoc::new();
    let mut owner = relay.client().await;
    owner.join(&big, 0).await;
    fill(&mut owner, &big, 4).await;

    // Each join queues the whole 4 MiB catch-up again. Sixty of them would be 240 MiB, but far
    // fewer exceed the relay's per-connection budget; the relay then closes the socket, which
    // the next sends notice.
    let mut greedy = relay.client().await;
    let mut disconnected = false;
    for _ in 0..60 {
        if !greedy.try_send_raw(join(&big)).await {
            disconnected = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(disconnected, "a client that never reads must be cut off");

    assert_eq!(owner.append(big.doc, msg_id(), b"unaffected").await, 5);
    let mut fresh = relay.client().await;
    assert_eq!(fresh.join(&big, 0).await.entries.len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appends_in_flight_when_their_sender_is_kicked_still_reach_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let (big, notes) = (TestDoc::new(), TestDoc::new());
    let mut owner = relay.client().await;
    owner.join(&big, 0).await;
    fill(&mut owner, &big, 8).await;
    let mut watcher = relay.client().await;
    watcher.join(&notes, 0).await;

    // The writer never reads: the big catch-up fills its socket, so the replies to its appends
    // pile up in the relay until they overflow its queue. The relay kicks it then, in the middle
    // of the appends that follow; it notices when its sends start to fail.
    let mut writer = relay.client().await;
    writer.send_raw(join(&big)).await;
    writer.send_raw(join(&notes)).await;
    let mut kicked = false;
    for i in 0..2000 {
        let append = ClientMsg::Append {
            doc: notes.doc,
            client_msg_id: msg_id(),
            ciphertext: sealed(i.to_string().as_bytes()),
        };
        if !writer.try_send_raw(append.encode()).await {
            kicked = true;
            break;
        }
        // Past the rate limiter's burst, slow down to stay under its rate.
        if i > 1200 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    assert!(kicked, "the writer was never disconnected");

    // Every append the relay stored was forwarded, including any it was storing at the kick.
    // The client that reads the head stays connected, or its own departure would reach the
    // watcher too.
    let mut counter = relay.client().await;
    let head_seq = counter.join(&notes, 0).await.head_seq;
    assert!(head_seq > 0);
    for expected in 1..=head_seq {
        match watcher.recv_skipping_departures().await {
            RelayMsg::Broadcast { seq, .. } => assert_eq!(seq, expected),
            other => panic!("expected Broadcast {expected}, got {other:?}"),
        }
    }
    // The writer's departure may be announced after its last broadcast.
    if let Ok(msg) = tokio::time::timeout(Duration::from_millis(500), watcher.recv()).await {
        assert!(
            matches!(msg, RelayMsg::PeerLeft { .. }),
            "unexpected {msg:?}"
        );
    }
    watcher.expect_silence().await;
    drop(counter);
}
