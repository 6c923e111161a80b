//! What the relay promises about its disk: acknowledged means stored, and stored means sealed.

mod common;

use common::{contains, msg_id, sealed, RelayProcess, TestDoc};
use tandem_protocol::crypto::Purpose;
use tandem_protocol::{ClientMsg, DocId, RelayMsg};

#[tokio::test]
async fn every_acknowledged_append_survives_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let doc = TestDoc::new();
    let mut alice = relay.client().await;
    alice.join(&doc, 0).await;

    let mut acked = Vec::new();
    for i in 0..40u32 {
        let ciphertext = sealed(format!("change number {i}").as_bytes());
        let seq = alice.append(doc.doc, msg_id(), &ciphertext).await;
        acked.push((seq, ciphertext));
    }
    // Appends in flight at the moment of the kill may or may not be stored, but never half.
    for i in 0..20u32 {
        alice
            .send(&ClientMsg::Append {
                doc: doc.doc,
                client_msg_id: msg_id(),
                ciphertext: sealed(format!("in flight {i}").as_bytes()),
            })
            .await;
    }
    relay.kill();
    drop(alice);

    let relay = RelayProcess::start(dir.path(), &[]);
    let mut bob = relay.client().await;
    let joined = bob.join(&doc, 0).await;
    let stored: Vec<(u64, Vec<u8>)> = joined
        .entries
        .into_iter()
        .map(|e| (e.seq, e.ciphertext))
        .collect();
    assert!(stored.len() >= acked.len());
    assert_eq!(&stored[..acked.len()], &acked[..]);
    let expected_seqs: Vec<u64> = (1..=stored.len() as u64).collect();
    let seqs: Vec<u64> = stored.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(seqs, expected_seqs, "no gaps after a crash");
    // Numbering carries on from the restored head.
    let next = bob.append(doc.doc, msg_id(), b"after restart").await;
    assert_eq!(next, joined.head_seq + 1);
}

#[tokio::test]
async fn the_database_holds_no_plaintext_and_no_token_nor_its_hash() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let doc = TestDoc::new();
    let key = doc.secret.doc_key(doc.doc);
    let (mut alice, mut bob) = relay.joined_pair(&doc).await;

    let change = b"Senior Rust engineer, salary band confidential-7731";
    let snapshot = b"Snapshot: candidate Jane Roe scored 4/5 on systems design";
    let presence = b"Presence: Jane is editing the feedback for candidate 42";
    for _ in 0..3 {
        let sealed = key.seal(Purpose::Change, change);
        alice.append(doc.doc, msg_id(), &sealed).await;
        assert!(matches!(bob.recv().await, RelayMsg::Broadcast { .. }));
    }
    let sealed_snapshot = key.seal(Purpose::Snapshot, snapshot);
    alice
        .send(&ClientMsg::Snapshot {
            doc: doc.doc,
            covers_seq: 2,
            ciphertext: sealed_snapshot.clone(),
        })
        .await;
    let sealed_presence = key.seal(Purpose::Presence, presence);
    alice
        .send(&ClientMsg::Presence {
            doc: doc.doc,
            ciphertext: sealed_presence.clone(),
        })
        .await;
    match bob.recv().await {
        RelayMsg::Presence { ciphertext, .. } => {
            assert_eq!(key.open(Purpose::Presence, &ciphertext).unwrap(), presence)
        }
        other => panic!("expected Presence, got {other:?}"),
    }
    // The snapshot was stored before the presence was handled: both go through one connection.
    let fresh = relay.client().await.join(&doc, 0).await;
    assert!(fresh.snapshot.is_some());

    let bytes = relay.files();
    assert!(
        contains(&bytes, &sealed_snapshot),
        "the database files were found, with what the relay stores"
    );
    for plaintext in [&change[..], &snapshot[..], &presence[..]] {
        assert!(!contains(&bytes, plaintext), "plaintext on disk");
    }
    assert!(!contains(&bytes, &sealed_presence), "presence was stored");
    assert!(
        !contains(&bytes, &doc.token().0),
        "the raw access token was stored"
    );
    // Not even the hash: the relay checks a token against the id it derives, and keeps nothing.
    assert!(
        !contains(&bytes, &doc.token().hash()),
        "the token hash was stored"
    );
    assert!(
        contains(&bytes, &doc.doc.0),
        "the document is where we looked"
    );
}

/// Clients and documents of the bounded kill-under-load check, and its rounds in the suite
/// (`TANDEM_KILL_ROUNDS` sets more: `scripts/bench-relay.sh` runs 100).
const KILL_CLIENTS: usize = 8;
const KILL_DOCS: usize = 2;
const KILL_ROUNDS: usize = 3;

/// One client appending as fast as its acks come back, until the connection dies; returns
/// what was acknowledged, as (client_msg_id, seq).
async fn append_until_cut(mut client: common::Client, doc: DocId) -> Vec<([u8; 16], u64)> {
    let mut acked = Vec::new();
    for i in 0u32.. {
        let id = msg_id();
        let ciphertext = sealed(format!("edit {i}").as_bytes());
        if !client
            .try_send_raw(
                ClientMsg::Append {
                    doc,
                    client_msg_id: id,
                    ciphertext,
                }
                .encode(),
            )
            .await
        {
            break;
        }
        // Broadcasts of the others' edits come in between; the ack of this one, or nothing.
        loop {
            match client.try_recv(common::TIMEOUT).await {
                Some(RelayMsg::Ack {
                    client_msg_id, seq, ..
                }) if client_msg_id == id => {
                    acked.push((id, seq));
                    break;
                }
                Some(RelayMsg::Error { code, .. }) => panic!("refused with {code:?}"),
                Some(_) => {}
                None => return acked,
            }
        }
    }
    acked
}

#[tokio::test]
async fn appends_acknowledged_under_load_survive_kills_once_each_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let docs: Vec<TestDoc> = (0..KILL_DOCS).map(|_| TestDoc::new()).collect();
    let mut acked: Vec<Vec<([u8; 16], u64)>> = vec![Vec::new(); KILL_DOCS];
    // No pushback in this test: every append is either acknowledged or cut by the kill.
    let flags = ["--max-append-wait-ms", "60000"];
    let rounds = std::env::var("TANDEM_KILL_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(KILL_ROUNDS);
    for round in 0..rounds {
        let relay = RelayProcess::start(dir.path(), &flags);
        let mut runs = Vec::new();
        for c in 0..KILL_CLIENTS {
            let d = c % KILL_DOCS;
            let mut client = relay.client().await;
            client.join(&docs[d], 0).await;
            runs.push((d, tokio::spawn(append_until_cut(client, docs[d].doc))));
        }
        let load_ms = 300 + 100 * (round % 5) as u64;
        tokio::time::sleep(std::time::Duration::from_millis(load_ms)).await;
        relay.kill();
        for (d, run) in runs {
            acked[d].extend(run.await.expect("client task"));
        }
    }

    let relay = RelayProcess::start(dir.path(), &flags);
    let mut total = 0;
    for (doc, acked) in docs.iter().zip(&acked) {
        let mut reader = relay.client().await;
        let stored = reader.join(doc, 0).await.entries;
        let seqs: Vec<u64> = stored.iter().map(|e| e.seq).collect();
        let expected: Vec<u64> = (1..=stored.len() as u64).collect();
        assert_eq!(seqs, expected, "gaps in the log after kills");
        let ids: std::collections::HashSet<[u8; 16]> =
            stored.iter().map(|e| e.client_msg_id).collect();
        assert_eq!(ids.len(), stored.len(), "an append stored twice");
        for (id, seq) in acked {
            let at = stored.iter().find(|e| e.client_msg_id == *id);
            assert_eq!(
                at.map(|e| e.seq),
                Some(*seq),
                "an acknowledged append was lost"
            );
        }
        total += acked.len();
    }
    println!("{total} acknowledged appends over {rounds} kills: none lost or duplicated");
    assert!(total > 0);
}
