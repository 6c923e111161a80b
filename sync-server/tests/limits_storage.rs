//! A member with the link, or anyone who learned one, cannot grow the relay's storage without
//! bound, wipe a document's history, flood the others with presence, or claim an id: each is
//! refused with the limit it hit, against the real relay binary.

mod common;

use common::{msg_id, sealed, RelayProcess, TestDoc};
use tandem_protocol::crypto::MIN_SEALED_LEN;
use tandem_protocol::{ClientMsg, ErrorCode, RelayMsg, Secret};

#[tokio::test]
async fn appends_and_snapshots_too_small_to_be_sealed_are_refused_and_history_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let doc = TestDoc::new();
    let (mut alice, mut bob) = relay.joined_pair(&doc).await;
    for i in 0..3u8 {
        alice.append(doc.doc, msg_id(), &[i; 100]).await;
        assert!(matches!(bob.recv().await, RelayMsg::Broadcast { .. }));
    }

    // An empty append is neither stored nor forwarded, and the refusal names it.
    let id = msg_id();
    alice
        .send(&ClientMsg::Append {
            doc: doc.doc,
            client_msg_id: id,
            ciphertext: Vec::new(),
        })
        .await;
    let refusal = alice.recv_refusal().await;
    assert_eq!(
        (refusal.code, refusal.client_msg_id),
        (ErrorCode::Malformed, Some(id))
    );
    assert!(refusal.message.contains(&MIN_SEALED_LEN.to_string()));
    bob.expect_silence().await;

    // A 16-byte "snapshot" of everything is refused, and a newcomer still gets every entry.
    alice
        .send(&ClientMsg::Snapshot {
            doc: doc.doc,
            covers_seq: 3,
            ciphertext: vec![0; 16],
        })
        .await;
    let refusal = alice.recv_refusal().await;
    refusal.assert_says(ErrorCode::Malformed, "kept");
    let newcomer = relay.client().await.join(&doc, 0).await;
    assert!(newcomer.snapshot.is_none());
    assert_eq!(newcomer.entries.len(), 3);
    assert_eq!(newcomer.entries[0].ciphertext, sealed(&[0; 100]));
}

#[tokio::test]
async fn joining_made_up_ids_stores_nothing_and_new_documents_are_capped_per_connection() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &["--max-new-docs-per-connection", "3"]);
    let mut client = relay.client().await;
    // A thousand joins of documents nobody wrote: each is answered, none creates anything,
    // so the connection can still start its three.
    for _ in 0..1000 {
        let doc = TestDoc::new();
        client.send(&doc.join_with(doc.token())).await;
        assert!(matches!(
            client.recv().await,
            RelayMsg::Joined { head_seq: 0, .. }
        ));
    }
    let docs: Vec<TestDoc> = (0..4).map(|_| TestDoc::new()).collect();
    for doc in &docs[..3] {
        client.join(doc, 0).await;
        assert_eq!(client.append(doc.doc, msg_id(), b"first").await, 1);
    }
    let fourth = &docs[3];
    client.join(fourth, 0).await;
    let id = msg_id();
    client
        .send(&ClientMsg::Append {
            doc: fourth.doc,
            client_msg_id: id,
            ciphertext: sealed(b"one too many"),
        })
        .await;
    let refusal = client.recv_refusal().await;
    assert_eq!(
        (refusal.code, refusal.client_msg_id),
        (ErrorCode::QuotaExceeded, Some(id))
    );
    assert!(
        refusal.message.contains("3 new documents"),
        "{}",
        refusal.message
    );
    // Documents that exist take writes as before; a new connection may start new ones.
    assert_eq!(client.append(docs[0].doc, msg_id(), b"second").await, 2);
    let mut fresh = relay.client().await;
    fresh.join(fourth, 0).await;
    assert_eq!(fresh.append(fourth.doc, id, b"one too many").await, 1);
}

#[tokio::test]
async fn the_relay_wide_quotas_hold_across_connections() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &["--max-docs", "2"]);
    // Two documents, each from its own connection; a third is refused, from any connection.
    for _ in 0..2 {
        let doc = TestDoc::new();
        let mut client = relay.client().await;
        client.join(&doc, 0).await;
        client.append(doc.doc, msg_id(), b"exists").await;
    }
    let third = TestDoc::new();
    let mut client = relay.client().await;
    client.join(&third, 0).await;
    client
        .send(&ClientMsg::Append {
            doc: third.doc,
            client_msg_id: msg_id(),
            ciphertext: sealed(b"no room"),
        })
        .await;
    let refusal = client.recv_refusal().await;
    refusal.assert_says(ErrorCode::QuotaExceeded, "2 documents");

    // The byte quota counts every document together.
    let doc = TestDoc::new();
    let small_dir = tempfile::tempdir().unwrap();
    let small = RelayProcess::start(small_dir.path(), &["--max-total-bytes", "5000"]);
    let mut relay_full = small.client().await;
    relay_full.join(&doc, 0).await;
    relay_full.append(doc.doc, msg_id(), &[1; 4000]).await;
    relay_full
        .send(&ClientMsg::Append {
            doc: doc.doc,
            client_msg_id: msg_id(),
            ciphertext: vec![2; 2000],
        })
        .await;
    let refusal = relay_full.recv_refusal().await;
    refusal.assert_says(ErrorCode::QuotaExceeded, "limit of 5000");
}

#[tokio::test]
async fn presence_over_its_size_or_rate_is_refused_and_not_forwarded() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(
        dir.path(),
        &["--max-presence-bytes", "1000", "--presence-per-second", "5"],
    );
    let doc = TestDoc::new();
    let (mut alice, mut bob) = relay.joined_pair(&doc).await;

    alice
        .send(&ClientMsg::Presence {
            doc: doc.doc,
            ciphertext: vec![1; 1001],
        })
        .await;
    let refusal = alice.recv_refusal().await;
    refusal.assert_says(ErrorCode::PresenceRefused, "limit of 1000");
    bob.expect_silence().await;

    // A burst of 50: twice the rate passes at once, the rest is refused, by name.
    for _ in 0..50 {
        alice
            .send(&ClientMsg::Presence {
                doc: doc.doc,
                ciphertext: vec![2; 100],
            })
            .await;
    }
    let mut refused = 0;
    for _ in 0..50 {
        match alice.try_recv(common::QUIET).await {
            Some(RelayMsg::Error {
                code: ErrorCode::PresenceRefused,
                message,
                ..
            }) => {
                assert!(
                    message.contains("5 presence messages a second"),
                    "{message}"
                );
                refused += 1;
            }
            Some(other) => panic!("unexpected {other:?}"),
            None => break,
        }
    }
    let mut forwarded = 0;
    while let Some(msg) = bob.try_recv(common::QUIET).await {
        assert!(matches!(msg, RelayMsg::Presence { .. }), "{msg:?}");
        forwarded += 1;
    }
    assert_eq!(forwarded + refused, 50);
    assert!(
        (10..=12).contains(&forwarded),
        "{forwarded} of 50 forwarded"
    );
}

#[tokio::test]
async fn an_id_cannot_be_claimed_without_the_secret_behind_it() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let doc = TestDoc::new();
    // Someone who saw the id (in an address, a log) joins it first with a token of their own.
    let mut squatter = relay.client().await;
    squatter
        .send(&doc.join_with(Secret::random().access_token()))
        .await;
    let refusal = squatter.recv_refusal().await;
    assert_eq!(refusal.code, ErrorCode::BadToken);
    squatter
        .send(&ClientMsg::Append {
            doc: doc.doc,
            client_msg_id: msg_id(),
            ciphertext: sealed(b"mine now"),
        })
        .await;
    assert_eq!(squatter.recv_refusal().await.code, ErrorCode::NotJoined);

    // The creator, who holds the secret, is not locked out.
    let mut creator = relay.client().await;
    assert_eq!(creator.join(&doc, 0).await.head_seq, 0);
    assert_eq!(creator.append(doc.doc, msg_id(), b"the vacancy").await, 1);
    // And a token for another id opens only that one.
    let other = TestDoc::new();
    let mut wrong_pair = relay.client().await;
    wrong_pair.send(&doc.join_with(other.token())).await;
    assert_eq!(wrong_pair.recv_refusal().await.code, ErrorCode::BadToken);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catch_up_larger_than_a_connections_queue_is_streamed_with_broadcasts_after_it() {
    const MIB: usize = 1 << 20;
    const PAGES: u64 = 20;
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let doc = TestDoc::new();
    let mut writer = relay.client().await;
    writer.join(&doc, 0).await;
    for i in 0..PAGES {
        writer
            .append(doc.doc, msg_id(), &vec![i as u8; MIB - 200])
            .await;
    }
    let before = relay.rss_bytes();

    // 20 MiB is more than a connection may have queued (16 MiB): sent at once, the catch-up
    // would cut the reader off. Many readers at once must not cost 20 MiB each either.
    let mut readers = Vec::new();
    for _ in 0..6 {
        let mut reader = relay.client().await;
        reader.send(&doc.join_with(doc.token())).await;
        readers.push(reader);
    }
    // The writer goes on meanwhile; its appends must reach each reader after its catch-up.
    let writing = tokio::spawn(async move {
        for _ in 0..5 {
            writer
                .append(doc.doc, msg_id(), b"during the catch-up")
                .await;
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    });
    let mut peak = before;
    let mut reading = Vec::new();
    for mut reader in readers {
        reading.push(tokio::spawn(async move {
            let mut seqs = Vec::new();
            let mut head = None;
            while seqs.last() != Some(&(PAGES + 5)) {
                match reader.recv().await {
                    RelayMsg::Joined { head_seq, .. } => head = Some(head_seq),
                    RelayMsg::Entries { entries, .. } => {
                        assert!(head.is_some(), "Entries before Joined");
                        seqs.extend(entries.iter().map(|e| e.seq));
                        // A slow phone: the relay must wait for it, not queue everything.
                        tokio::time::sleep(std::time::Duration::from_millis(40)).await;
                    }
                    RelayMsg::Broadcast { seq, .. } => {
                        let head = head.expect("Joined first");
                        assert!(
                            seqs.last() >= Some(&head),
                            "broadcast {seq} overtook the catch-up at {seqs:?}"
                        );
                        seqs.push(seq);
                    }
                    other => panic!("unexpected {other:?}"),
                }
            }
            seqs
        }));
    }
    while reading.iter().any(|r| !r.is_finished()) {
        peak = peak.max(relay.rss_bytes());
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    writing.await.unwrap();
    for r in reading {
        assert_eq!(r.await.unwrap(), (1..=PAGES + 5).collect::<Vec<_>>());
    }
    println!(
        "relay RSS while six readers caught up on 20 MiB: {} MiB, from {} MiB",
        peak / MIB as u64,
        before / MIB as u64
    );
    // SQLite's page cache (32 MiB, `store/sqlite.rs`) may fill with the pages these catch-ups
    // read; beyond that, what must not happen is a catch-up held whole per reader (six times
    // 20 MiB), which would take far more than this.
    const PAGE_CACHE: u64 = 32 * MIB as u64;
    assert!(
        peak < before + 48 * MIB as u64 + PAGE_CACHE,
        "RSS grew from {before} to {peak} bytes"
    );
}
