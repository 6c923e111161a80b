//! When appends arrive faster than the relay can store them, it says so at once (`RateLimited`,
//! which the app retries shortly) instead of letting every acknowledgement wait seconds.

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use common::{msg_id, sealed, RelayProcess, TestDoc, TIMEOUT};
use tandem_protocol::{ClientMsg, ErrorCode, RelayMsg};

/// Clients flooding at once, each on a document of its own, and appends each sends without
/// waiting for an answer.
const CLIENTS: usize = 32;
const APPENDS: usize = 25;

#[tokio::test]
async fn a_flood_is_refused_quickly_and_what_was_acknowledged_is_stored() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A small queue, so that this machine's disk is outrun by a few dozen clients.
    let relay = RelayProcess::start(
        dir.path(),
        &[
            "--max-queued-appends",
            "4",
            "--messages-per-second-per-address",
            "100000",
        ],
    );
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let doc = TestDoc::new();
        let mut client = relay.client().await;
        client.join(&doc, 0).await;
        clients.push((doc, client));
    }

    let floods = clients.into_iter().map(|(doc, mut client)| async move {
        let mut sent = Vec::new();
        for _ in 0..APPENDS {
            let id = msg_id();
            client
                .send(&ClientMsg::Append {
                    doc: doc.doc,
                    client_msg_id: id,
                    ciphertext: sealed(b"a small edit"),
                })
                .await;
            sent.push((id, Instant::now()));
        }
        // Every append is answered, acknowledged or refused; note the slowest answer.
        let (mut acked, mut refused, mut slowest) = (HashSet::new(), 0, Duration::ZERO);
        while acked.len() + refused < APPENDS {
            let (id, code) = match client.recv().await {
                RelayMsg::Ack { client_msg_id, .. } => (client_msg_id, None),
                RelayMsg::Error {
                    client_msg_id: Some(id),
                    code,
                    ..
                } => (id, Some(code)),
                other => panic!("unexpected {other:?}"),
            };
            let at = sent
                .iter()
                .find(|(sent_id, _)| *sent_id == id)
                .map(|(_, at)| *at)
                .expect("an answer to an append that was sent");
            slowest = slowest.max(at.elapsed());
            match code {
                None => {
                    acked.insert(id);
                }
                Some(ErrorCode::RateLimited) => refused += 1,
                Some(other) => panic!("refused with {other:?}"),
            }
        }
        (doc, acked, refused, slowest)
    });
    let results = futures_util::future::join_all(floods).await;

    let refused: usize = results.iter().map(|r| r.2).sum();
    let acked: usize = results.iter().map(|r| r.1.len()).sum();
    let slowest = results.iter().map(|r| r.3).max().unwrap_or_default();
    println!("{acked} acknowledged, {refused} refused, slowest answer {slowest:?}");
    assert!(refused > 0, "nothing was refused");
    assert!(acked > 0, "nothing was stored");
    assert!(
        slowest < Duration::from_secs(2),
        "an answer took {slowest:?}"
    );
    assert!(slowest < TIMEOUT);

    // What was acknowledged is stored, and nothing that was refused.
    for (doc, acked, _, _) in &results {
        let mut reader = relay.client().await;
        let stored: HashSet<[u8; 16]> = reader
            .join(doc, 0)
            .await
            .entries
            .iter()
            .map(|e| e.client_msg_id)
            .collect();
        assert_eq!(&stored, acked);
    }
}
