//! Group commit keeps the protocol's order: with several clients of one document appending at
//! once (their appends committed together and carried out in ticket order) and another joining
//! in the middle, every client hears every entry once, in sequence order.

mod common;

use std::time::Duration;

use common::{msg_id, sealed, RelayProcess, TestDoc};
use tandem_protocol::{ClientMsg, RelayMsg};

const WRITERS: usize = 4;
const APPENDS: usize = 40;
const TOTAL: u64 = (WRITERS * APPENDS) as u64;

#[tokio::test]
async fn concurrent_appends_and_a_join_in_between_reach_everyone_once_in_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    // No refusals here: this test is about order, not about pushback.
    let relay = RelayProcess::start(dir.path(), &["--max-append-wait-ms", "60000"]);
    let doc = TestDoc::new();
    let mut writers = Vec::new();
    for _ in 0..WRITERS {
        let mut client = relay.client().await;
        client.join(&doc, 0).await;
        writers.push(client);
    }
    let runs = writers.into_iter().map(|mut client| {
        let doc = doc.doc;
        async move {
            for _ in 0..APPENDS {
                let append = ClientMsg::Append {
                    doc,
                    client_msg_id: msg_id(),
                    ciphertext: sealed(b"an edit"),
                };
                client.send(&append).await;
            }
            // Acks and broadcasts alike, in the order they arrive.
            let mut seqs = Vec::new();
            while (seqs.len() as u64) < TOTAL {
                match client.recv().await {
                    RelayMsg::Ack { seq, .. } | RelayMsg::Broadcast { seq, .. } => seqs.push(seq),
                    RelayMsg::PeerLeft { .. } | RelayMsg::Presence { .. } => {}
                    other => panic!("unexpected {other:?}"),
                }
            }
            seqs
        }
    });
    let late = async {
        tokio::time::sleep(Duration::from_millis(30)).await;
        let mut client = relay.client().await;
        let joined = client.join(&doc, 0).await;
        let mut seqs: Vec<u64> = joined.entries.iter().map(|e| e.seq).collect();
        while (seqs.len() as u64) < TOTAL {
            match client.recv().await {
                RelayMsg::Broadcast { seq, .. } => seqs.push(seq),
                RelayMsg::PeerLeft { .. } | RelayMsg::Presence { .. } => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        (joined.head_seq, seqs)
    };
    let (seen_by_writers, (head_at_join, seen_late)) =
        tokio::join!(futures_util::future::join_all(runs), late);
    let every: Vec<u64> = (1..=TOTAL).collect();
    for seqs in seen_by_writers {
        assert_eq!(seqs, every, "a writer heard entries out of order or twice");
    }
    println!("the late joiner's catch-up reached {head_at_join} of {TOTAL}");
    assert_eq!(
        seen_late, every,
        "the late joiner heard entries out of order or twice"
    );
}
