//! Deleting for everyone: the creator's claim goes out before any append, the delete is sent
//! only by the owner and only when joined, and a deleted document stops syncing for good. A
//! moved one too, and its members learn where it went.

mod harness;

use harness::*;
use tandem_protocol::{MovedTo, OwnerSecret};

fn kinds(sent: &[ClientMsg]) -> Vec<&'static str> {
    sent.iter()
        .map(|m| match m {
            ClientMsg::Join { .. } => "join",
            ClientMsg::Append { .. } => "append",
            ClientMsg::Own { .. } => "own",
            ClientMsg::Delete { .. } => "delete",
            ClientMsg::Presence { .. } => "presence",
            ClientMsg::Snapshot { .. } => "snapshot",
            ClientMsg::Leave { .. } => "leave",
            ClientMsg::Ping { .. } => "ping",
            ClientMsg::Move { .. } => "move",
        })
        .collect()
}

#[test]
fn the_creator_claims_before_its_first_append_on_every_join() {
    let mut h = Harness::new(Stored::default(), Vec::new());
    let owner = OwnerSecret::random();
    h.change(1, 3);
    h.engine.set_owner(h.doc, owner.delete_token(h.doc), h.now);
    h.connect();
    h.answer_join(0);
    let sent = h.take_sent();
    assert_eq!(kinds(&sent), ["join", "own", "append"]);
    assert_eq!(
        sent[1],
        ClientMsg::Own {
            doc: h.doc,
            delete_hash: owner.delete_token(h.doc).hash()
        }
    );
    h.relay(RelayMsg::Owned { doc: h.doc });
    assert!(h.engine.status(h.doc).unwrap().owned);

    h.engine.disconnected(h.now);
    h.connect();
    h.answer_join(1);
    assert!(kinds(&h.take_sent()).contains(&"own"));
}

#[test]
fn only_the_owner_deletes_and_only_when_joined() {
    let mut h = Harness::new(Stored::default(), Vec::new());
    assert!(!h.engine.delete_for_everyone(h.doc, h.now), "not the owner");
    let owner = OwnerSecret::random();
    h.engine.set_owner(h.doc, owner.delete_token(h.doc), h.now);
    assert!(!h.engine.delete_for_everyone(h.doc, h.now), "offline");
    h.connect();
    h.answer_join(0);
    h.take_sent();
    assert!(h.engine.delete_for_everyone(h.doc, h.now));
    h.drain();
    assert_eq!(
        h.take_sent(),
        [ClientMsg::Delete {
            doc: h.doc,
            token: owner.delete_token(h.doc)
        }]
    );
    // A refusal of the delete is the user's to hear.
    h.take_events();
    h.relay(RelayMsg::Error {
        doc: Some(h.doc),
        client_msg_id: None,
        code: ErrorCode::NotOwner,
        message: String::new(),
    });
    assert!(h.take_events().contains(&Event::Problem {
        doc: Some(h.doc),
        problem: Problem::Refused(ErrorCode::NotOwner)
    }));
}

#[test]
fn a_refused_claim_is_only_noted() {
    let mut h = Harness::new(Stored::default(), Vec::new());
    h.engine
        .set_owner(h.doc, OwnerSecret::random().delete_token(h.doc), h.now);
    h.connect();
    h.answer_join(4);
    h.take_events();
    h.relay(RelayMsg::Error {
        doc: Some(h.doc),
        client_msg_id: None,
        code: ErrorCode::NoOwner,
        message: String::new(),
    });
    let problems = h
        .take_events()
        .into_iter()
        .filter(|e| matches!(e, Event::Problem { .. }))
        .count();
    assert_eq!(problems, 0);
    assert!(!h.engine.status(h.doc).unwrap().owned);
}

#[test]
fn a_deleted_document_stops_syncing_for_good() {
    for word in [
        RelayMsg::Deleted {
            doc: DocId([9; 16]),
        },
        RelayMsg::Error {
            doc: Some(DocId([9; 16])),
            client_msg_id: None,
            code: ErrorCode::NotFound,
            message: String::new(),
        },
    ] {
        let mut h = Harness::joined(2);
        let doc = h.doc;
        h.relay(RelayMsg::Presence {
            doc,
            from: 5,
            ciphertext: h.key.seal(Purpose::Presence, b"partner"),
        });
        assert_eq!(
            h.engine
                .peers(doc)
                .iter()
                .filter(|p| p.gone_at.is_none())
                .count(),
            1
        );
        h.take_sent();
        h.relay(word);
        assert_eq!(
            h.engine
                .peers(doc)
                .iter()
                .filter(|p| p.gone_at.is_none())
                .count(),
            0,
            "nobody is here in a deleted vacancy"
        );
        let status = h.engine.status(h.doc).unwrap();
        assert!(status.deleted);
        assert!(h
            .take_events()
            .contains(&Event::StatusChanged { doc: h.doc }));
        h.change(7, 3);
        h.engine.disconnected(h.now);
        h.advance(60_000);
        h.connect();
        h.advance(60_000);
        let sent = h.take_sent();
        assert!(
            !kinds(&sent).iter().any(|k| ["join", "append"].contains(k)),
            "{sent:?}"
        );
    }
}

#[test]
fn only_the_owner_moves_and_the_pointer_is_sealed_with_the_old_key() {
    let mut h = Harness::new(Stored::default(), Vec::new());
    let to = MovedTo {
        secret: Secret::random(),
        note: b"candidate 7".to_vec(),
    };
    assert!(
        !h.engine.move_for_everyone(h.doc, &to, h.now),
        "not the owner"
    );
    let owner = OwnerSecret::random();
    h.engine.set_owner(h.doc, owner.delete_token(h.doc), h.now);
    assert!(!h.engine.move_for_everyone(h.doc, &to, h.now), "offline");
    h.connect();
    h.answer_join(0);
    h.take_sent();
    assert!(h.engine.move_for_everyone(h.doc, &to, h.now));
    h.drain();
    let sent = h.take_sent();
    let [ClientMsg::Move {
        doc,
        token,
        pointer,
    }] = &sent[..]
    else {
        panic!("expected one move, got {sent:?}");
    };
    assert_eq!((*doc, token), (h.doc, &owner.delete_token(h.doc)));
    assert_eq!(h.key.open_moved_to(pointer), Ok(to.clone()));
    // The relay's answer: the document is gone here, and the status says where it went.
    h.relay(RelayMsg::Moved {
        doc: h.doc,
        pointer: pointer.clone(),
    });
    let status = h.engine.status(h.doc).unwrap();
    assert!(status.deleted);
    assert_eq!(status.moved_to, Some(to));
}

#[test]
fn a_member_hears_where_the_document_moved_and_stops_syncing_it() {
    let mut h = Harness::joined(2);
    let to = MovedTo {
        secret: Secret::random(),
        note: Vec::new(),
    };
    h.take_events();
    h.take_sent();
    h.relay(RelayMsg::Moved {
        doc: h.doc,
        pointer: h.key.seal_moved_to(&to),
    });
    let status = h.engine.status(h.doc).unwrap();
    assert_eq!(status.moved_to, Some(to));
    assert!(h
        .take_events()
        .contains(&Event::StatusChanged { doc: h.doc }));
    h.change(7, 1);
    h.advance(60_000);
    let sent = h.take_sent();
    assert!(
        !kinds(&sent).iter().any(|k| ["join", "append"].contains(k)),
        "{sent:?}"
    );
}

#[test]
fn a_pointer_that_does_not_open_is_reported_and_leads_nowhere() {
    let mut h = Harness::joined(2);
    h.take_events();
    let other = Secret::random();
    h.relay(RelayMsg::Moved {
        doc: h.doc,
        pointer: other.doc_key(other.doc_id()).seal_moved_to(&MovedTo {
            secret: Secret::random(),
            note: Vec::new(),
        }),
    });
    let status = h.engine.status(h.doc).unwrap();
    assert!(status.deleted);
    assert_eq!(status.moved_to, None);
    assert!(h.take_events().contains(&Event::Problem {
        doc: Some(h.doc),
        problem: Problem::Unreadable
    }));
}
