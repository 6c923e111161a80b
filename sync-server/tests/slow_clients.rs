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
    doc.join_with(doc.token()).encode()
}

#[tokio::test]
async fn a_client_that_joins_again_and_again_without_reading_is_cut_off_with_memory_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &["--write-timeout-secs", "1"]);
    let big = TestDoc::new();
    let mut owner = relay.client().await;
    owner.join(&big, 0).await;
    fill(&mut owner, &big, 4).await;
    let before = relay.rss_bytes();

    // Each join asks for the whole 4 MiB catch-up again; sixty would be 240 MiB. The relay
    // sends a catch-up only as fast as the client reads it and reads nothing else from the
    // client meanwhile, so little is ever queued; and a write that stalls for the write
    // timeout closes the socket, which the next sends notice.
    let mut greedy = relay.client().await;
    let mut disconnected = false;
    let mut peak = before;
    for _ in 0..100 {
        if !greedy.try_send_raw(join(&big)).await {
            disconnected = true;
            break;
        }
        peak = peak.max(relay.rss_bytes());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(disconnected, "a client that never reads must be cut off");
    assert!(
        peak < before + 32 * MIB as u64,
        "RSS grew from {before} to {peak} bytes"
    );

    assert_eq!(owner.append(big.doc, msg_id(), b"unaffected").await, 5);
    let mut fresh = relay.client().await;
    assert_eq!(fresh.join(&big, 0).await.entries.len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appends_in_flight_when_their_sender_is_kicked_still_reach_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let notes = TestDoc::new();
    let mut watcher = relay.client().await;
    watcher.join(&notes, 0).await;
    // The watcher reads all along, as a live member does, until the document goes quiet.
    let watching = tokio::spawn(async move {
        let mut seqs = Vec::new();
        while let Some(msg) = watcher.try_recv(Duration::from_secs(3)).await {
            match msg {
                RelayMsg::Broadcast { seq, .. } => seqs.push(seq),
                RelayMsg::PeerLeft { .. } => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        seqs
    });

    // The writer never reads: large changes from another member are forwarded to it until its
    // socket, and then its queue at the relay, are full. The relay kicks it then, in the middle
    // of the appends it keeps sending; it notices when its sends start to fail.
    let mut writer = relay.client().await;
    writer.send_raw(join(&notes)).await;
    let mut member = relay.client().await;
    member.join(&notes, 0).await;
    let notes_id = notes.doc;
    let flooding = tokio::spawn(async move {
        for i in 0..40u8 {
            let append = ClientMsg::Append {
                doc: notes_id,
                client_msg_id: msg_id(),
                ciphertext: vec![i; MIB - 100],
            };
            member.send(&append).await;
        }
        member
    });
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
    let member = flooding.await.unwrap();

    // Every append the relay stored was forwarded, including any it was storing at the kick.
    let forwarded = watching.await.unwrap();
    let mut counter = relay.client().await;
    let head_seq = counter.join(&notes, 0).await.head_seq;
    assert!(head_seq > 40, "the writer's appends were stored too");
    assert_eq!(forwarded, (1..=head_seq).collect::<Vec<_>>());
    drop((counter, member));
}
