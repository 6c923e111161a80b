//! Deleting a document for everyone, against the real relay binary and its SQLite files: the
//! owner's claim, the delete with the right and the wrong token, documents without an owner,
//! and that a deleted document stays deleted (for joins, appends, and after a restart); moving,
//! which deletes too but leaves a sealed pointer for members to follow.

mod common;

use common::{contains, msg_id, sealed, Client, RelayProcess, TestDoc};
use tandem_protocol::{ClientMsg, DocId, ErrorCode, OwnerSecret, RelayMsg, MAX_POINTER_BYTES};

/// Claims `doc` with `owner`'s delete-token hash and returns the relay's answer.
async fn claim(client: &mut Client, doc: DocId, owner: &OwnerSecret) -> RelayMsg {
    client
        .send(&ClientMsg::Own {
            doc,
            delete_hash: owner.delete_token(doc).hash(),
        })
        .await;
    client.recv_skipping_departures().await
}

async fn delete(client: &mut Client, doc: DocId, owner: &OwnerSecret) -> RelayMsg {
    client
        .send(&ClientMsg::Delete {
            doc,
            token: owner.delete_token(doc),
        })
        .await;
    client.recv_skipping_departures().await
}

#[tokio::test]
async fn the_owner_deletes_everyone_is_told_and_nothing_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let doc = TestDoc::new();
    let owner = OwnerSecret::random();
    let mut creator = relay.client().await;
    creator.join(&doc, 0).await;
    assert_eq!(
        claim(&mut creator, doc.doc, &owner).await,
        RelayMsg::Owned { doc: doc.doc }
    );
    for i in 0..3u8 {
        let text = format!("candidate Wilhelmina Oosterhout {i}");
        creator.append(doc.doc, msg_id(), text.as_bytes()).await;
    }
    creator
        .send(&ClientMsg::Snapshot {
            doc: doc.doc,
            covers_seq: 2,
            ciphertext: sealed(b"snapshot of Wilhelmina Oosterhout"),
        })
        .await;
    let mut partner = relay.client().await;
    assert_eq!(partner.join(&doc, 0).await.head_seq, 3);
    assert!(contains(&relay.files(), b"Wilhelmina Oosterhout"));
    // Claiming again with the same hash (the creator's app does on every join) is fine.
    assert_eq!(
        claim(&mut creator, doc.doc, &owner).await,
        RelayMsg::Owned { doc: doc.doc }
    );

    assert_eq!(
        delete(&mut creator, doc.doc, &owner).await,
        RelayMsg::Deleted { doc: doc.doc }
    );
    assert_eq!(
        partner.recv_skipping_departures().await,
        RelayMsg::Deleted { doc: doc.doc }
    );
    assert!(
        !contains(&relay.files(), b"Wilhelmina Oosterhout"),
        "the relay's files still hold the deleted document's content"
    );

    // A member still in the document cannot bring it back with an append.
    let late = msg_id();
    partner
        .send(&ClientMsg::Append {
            doc: doc.doc,
            client_msg_id: late,
            ciphertext: sealed(b"written offline"),
        })
        .await;
    let refusal = partner.recv_refusal().await;
    assert_eq!(
        (refusal.doc, refusal.client_msg_id, refusal.code),
        (Some(doc.doc), Some(late), ErrorCode::NotFound)
    );
    // Nor can the owner, nor anyone: every join is "not found", and no claim makes it new.
    let mut fresh = relay.client().await;
    fresh.send(&doc.join_with(doc.token())).await;
    let refusal = fresh.recv_refusal().await;
    assert_eq!(
        (refusal.doc, refusal.code),
        (Some(doc.doc), ErrorCode::NotFound)
    );
    assert!(refusal.message.contains("deleted"), "{}", refusal.message);
    creator.send(&doc.join_with(doc.token())).await;
    assert_eq!(creator.recv_refusal().await.code, ErrorCode::NotFound);
    fresh.expect_silence().await;
    assert!(!contains(&relay.files(), b"written offline"));

    // The tombstone outlives a restart.
    relay.kill();
    let relay = RelayProcess::start(dir.path(), &[]);
    let mut after = relay.client().await;
    after.send(&doc.join_with(doc.token())).await;
    assert_eq!(after.recv_refusal().await.code, ErrorCode::NotFound);
}

#[tokio::test]
async fn a_wrong_delete_token_is_refused_and_removes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let doc = TestDoc::new();
    let owner = OwnerSecret::random();
    let (mut creator, mut partner) = (relay.client().await, relay.client().await);
    creator.join(&doc, 0).await;
    claim(&mut creator, doc.doc, &owner).await;
    creator.append(doc.doc, msg_id(), b"kept").await;
    partner.join(&doc, 0).await;

    // The partner has the link but not the owner secret.
    let guess = OwnerSecret::random();
    partner
        .send(&ClientMsg::Delete {
            doc: doc.doc,
            token: guess.delete_token(doc.doc),
        })
        .await;
    let refusal = partner.recv_refusal().await;
    assert_eq!(
        (refusal.doc, refusal.code),
        (Some(doc.doc), ErrorCode::NotOwner)
    );
    // Nor can it take the ownership over.
    match claim(&mut partner, doc.doc, &guess).await {
        RelayMsg::Error { code, .. } => assert_eq!(code, ErrorCode::NotOwner),
        other => panic!("expected a refusal, got {other:?}"),
    }
    creator.expect_silence().await;
    let mut fresh = relay.client().await;
    let joined = fresh.join(&doc, 0).await;
    assert_eq!(joined.entries[0].ciphertext, sealed(b"kept"));
    assert!(contains(&relay.files(), b"kept"));
}

#[tokio::test]
async fn a_document_without_an_owner_cannot_be_deleted_or_claimed_late() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let doc = TestDoc::new();
    let mut old_app = relay.client().await;
    old_app.join(&doc, 0).await;
    old_app
        .append(doc.doc, msg_id(), b"from before owners")
        .await;

    let someone = OwnerSecret::random();
    match claim(&mut old_app, doc.doc, &someone).await {
        RelayMsg::Error { code, .. } => assert_eq!(code, ErrorCode::NoOwner),
        other => panic!("expected a refusal, got {other:?}"),
    }
    match delete(&mut old_app, doc.doc, &someone).await {
        RelayMsg::Error { code, message, .. } => {
            assert_eq!(code, ErrorCode::NoOwner);
            assert!(message.contains("no owner"), "{message}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(old_app.append(doc.doc, msg_id(), b"still here").await, 2);
}

#[tokio::test]
async fn claims_and_deletes_need_a_join() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let doc = TestDoc::new();
    let owner = OwnerSecret::random();
    let mut stranger = relay.client().await;
    match claim(&mut stranger, doc.doc, &owner).await {
        RelayMsg::Error { code, .. } => assert_eq!(code, ErrorCode::NotJoined),
        other => panic!("expected a refusal, got {other:?}"),
    }
    match delete(&mut stranger, doc.doc, &owner).await {
        RelayMsg::Error { code, .. } => assert_eq!(code, ErrorCode::NotJoined),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn the_owner_moves_members_hear_where_and_later_joins_are_sent_there_too() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let doc = TestDoc::new();
    let owner = OwnerSecret::random();
    let (mut creator, mut partner) = (relay.client().await, relay.client().await);
    creator.join(&doc, 0).await;
    claim(&mut creator, doc.doc, &owner).await;
    creator
        .append(doc.doc, msg_id(), b"candidate Wilhelmina Oosterhout")
        .await;
    partner.join(&doc, 0).await;

    // A pointer past the limit is refused, and nothing is removed.
    creator
        .send(&ClientMsg::Move {
            doc: doc.doc,
            token: owner.delete_token(doc.doc),
            pointer: vec![1; MAX_POINTER_BYTES + 1],
        })
        .await;
    assert_eq!(creator.recv_refusal().await.code, ErrorCode::Malformed);
    // So is a move with a token that is not the owner's.
    partner
        .send(&ClientMsg::Move {
            doc: doc.doc,
            token: OwnerSecret::random().delete_token(doc.doc),
            pointer: vec![2; 73],
        })
        .await;
    assert_eq!(partner.recv_refusal().await.code, ErrorCode::NotOwner);
    assert!(contains(&relay.files(), b"Wilhelmina Oosterhout"));

    // The pointer is opaque to the relay: any sealed bytes do.
    let pointer = sealed(b"where it went");
    creator
        .send(&ClientMsg::Move {
            doc: doc.doc,
            token: owner.delete_token(doc.doc),
            pointer: pointer.clone(),
        })
        .await;
    let moved = RelayMsg::Moved {
        doc: doc.doc,
        pointer: pointer.clone(),
    };
    assert_eq!(creator.recv_skipping_departures().await, moved);
    assert_eq!(partner.recv_skipping_departures().await, moved);
    assert!(
        !contains(&relay.files(), b"Wilhelmina Oosterhout"),
        "the relay's files still hold the moved document's content"
    );

    // Appends to the old id are refused; a join of it, now or after a restart, is sent on.
    let late = msg_id();
    partner
        .send(&ClientMsg::Append {
            doc: doc.doc,
            client_msg_id: late,
            ciphertext: sealed(b"written late"),
        })
        .await;
    assert_eq!(partner.recv_refusal().await.code, ErrorCode::NotFound);
    relay.kill();
    let relay = RelayProcess::start(dir.path(), &[]);
    let mut away = relay.client().await;
    away.send(&doc.join_with(doc.token())).await;
    assert_eq!(away.recv_skipping_departures().await, moved);
    // A wrong token learns nothing, not even that the document moved.
    away.send(&doc.join_with(TestDoc::new().token())).await;
    assert_eq!(away.recv_refusal().await.code, ErrorCode::BadToken);
}
