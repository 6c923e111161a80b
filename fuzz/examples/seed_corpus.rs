//! Writes a starting corpus for every fuzz target: real frames, envelopes, links and documents,
//! so the fuzzer starts past the format checks instead of guessing magic bytes.
//!
//! `cargo run --manifest-path fuzz/Cargo.toml --example seed_corpus -- fuzz/corpus`
//! (`scripts/fuzz.sh` does this before it fuzzes). Documents and frames are deterministic, so the
//! same seeds are written every time; envelopes carry random nonces.

use std::path::{Path, PathBuf};

use tandem_domain::vacancy::test_support::create_deterministic;
use tandem_domain::{Category, TextField};
use tandem_protocol::crypto::Purpose;
use tandem_protocol::message::{Entry, EntryId, StoredSnapshot};
use tandem_protocol::{ClientMsg, ErrorCode, RelayMsg, Secret, ShareLink};

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::create_dir_all(dir).expect("create the corpus directory");
    std::fs::write(dir.join(format!("seed-{name}")), bytes).expect("write a seed");
}

fn main() {
    let root = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "corpus".into()));
    let secret = Secret::from_base64("dGFuZGVtLWZ1enotc2VjcmV0LWZpeGVkLTMyLWJ5dGU")
        .expect("a fixed 32-byte secret");
    let doc = secret.doc_id();

    // ---- documents -------------------------------------------------------------------------
    let dir = root.join("doc_load");
    let (mut v, create) = create_deterministic("Senior data engineer", 1_700_000_000_000, 1);
    write(&dir, "create", &create);
    let (id, add) = v
        .add_criterion("Stakeholder management", Category::Competency)
        .expect("add a criterion");
    write(&dir, "add-criterion", &add);
    let description = v
        .set_text(
            &TextField::CriterionDescription(id.clone()),
            "Explains trade-offs to managers.",
        )
        .expect("edit a description")
        .expect("the description changed");
    write(&dir, "set-text", &description);
    let (other, _) = v
        .add_criterion("SQL", Category::Experience)
        .expect("add a criterion");
    v.set_weight(&other, 4).expect("set a weight");
    v.set_must_have(&other, true).expect("set must-have");
    v.move_criterion(&other, 0).expect("move a criterion");
    let title = v
        .set_text(&TextField::Title, "Senior data engineer (m/f/x) 🚀")
        .expect("edit the title")
        .expect("the title changed");
    write(&dir, "set-title", &title);
    let removed = v.remove_criterion(&id).expect("remove a criterion");
    write(&dir, "remove-criterion", &removed);
    let saved = v.save();
    write(&dir, "saved", &saved);
    let mut chunks = create.clone();
    chunks.extend_from_slice(&add);
    chunks.extend_from_slice(&description);
    write(&dir, "chunks", &chunks);
    let mut snapshot_and_chunk = saved.clone();
    snapshot_and_chunk.extend_from_slice(&title);
    write(&dir, "snapshot-and-chunk", &snapshot_and_chunk);
    let (mut newer, _) = create_deterministic("From the future", 1_700_000_000_000, 2);
    tandem_domain::vacancy::test_support::bump_schema(&mut newer, 99);
    write(&dir, "newer-schema", &newer.save());

    // ---- frames ----------------------------------------------------------------------------
    let dir = root.join("frame_decode");
    let client = [
        ClientMsg::Join {
            doc,
            token: secret.access_token(),
            since_seq: 42,
            expect: vec![EntryId {
                seq: 42,
                client_msg_id: [3; 16],
            }],
        },
        ClientMsg::Append {
            doc,
            client_msg_id: [7; 16],
            ciphertext: add.clone(),
        },
        ClientMsg::Snapshot {
            doc,
            covers_seq: 300,
            ciphertext: vec![0; 40],
        },
        ClientMsg::Presence {
            doc,
            ciphertext: vec![1, 2, 3],
        },
        ClientMsg::Leave { doc },
        ClientMsg::Ping { nonce: u64::MAX },
        ClientMsg::Own {
            doc,
            delete_hash: [6; 32],
        },
        ClientMsg::Delete {
            doc,
            token: tandem_protocol::DeleteToken([8; 32]),
        },
        ClientMsg::Move {
            doc,
            token: tandem_protocol::DeleteToken([8; 32]),
            pointer: vec![4; 73],
        },
    ];
    for (i, msg) in client.iter().enumerate() {
        write(&dir, &format!("client-{i}"), &msg.encode());
    }
    let relay = [
        RelayMsg::Joined {
            doc,
            head_seq: 3,
            max_frame_bytes: 1 << 21,
            lost: false,
        },
        RelayMsg::Entries {
            doc,
            snapshot: Some(StoredSnapshot {
                covers_seq: 1,
                covers_id: [4; 16],
                ciphertext: vec![5; 8],
            }),
            entries: vec![
                Entry {
                    seq: 2,
                    client_msg_id: [2; 16],
                    ciphertext: vec![6, 6],
                },
                Entry {
                    seq: 3,
                    client_msg_id: [3; 16],
                    ciphertext: vec![],
                },
            ],
        },
        RelayMsg::Ack {
            doc,
            client_msg_id: [1; 16],
            seq: 3,
        },
        RelayMsg::Broadcast {
            doc,
            seq: 4,
            client_msg_id: [5; 16],
            ciphertext: vec![9],
        },
        RelayMsg::Presence {
            doc,
            from: 12,
            ciphertext: vec![8],
        },
        RelayMsg::PeerLeft { doc, from: 12 },
        RelayMsg::Pong { nonce: 77 },
        RelayMsg::Error {
            doc: Some(doc),
            client_msg_id: Some([2; 16]),
            code: ErrorCode::RateLimited,
            message: "slow down ✋".into(),
        },
        RelayMsg::Owned { doc },
        RelayMsg::Deleted { doc },
        RelayMsg::Moved {
            doc,
            pointer: vec![4; 73],
        },
        RelayMsg::Error {
            doc: Some(doc),
            client_msg_id: None,
            code: ErrorCode::NotFound,
            message: "deleted".into(),
        },
    ];
    for (i, msg) in relay.iter().enumerate() {
        write(&dir, &format!("relay-{i}"), &msg.encode());
    }

    // ---- envelopes: [selector byte][bytes]; see the target -----------------------------------
    let dir = root.join("envelope_open");
    let key = secret.doc_key(doc);
    for (i, (purpose, plain)) in [
        (Purpose::Change, add.as_slice()),
        (
            Purpose::Presence,
            b"{\"field\":\"title\",\"at\":3}".as_slice(),
        ),
        (Purpose::Snapshot, saved.as_slice()),
    ]
    .into_iter()
    .enumerate()
    {
        let mut seed = vec![i as u8];
        seed.extend_from_slice(&key.seal(purpose, plain));
        write(&dir, &format!("sealed-{i}"), &seed);
    }

    // ---- links -----------------------------------------------------------------------------
    let dir = root.join("link_parse");
    let link = ShareLink { doc, secret };
    let url = link.to_url("https://tandem.example");
    write(&dir, "url", url.as_bytes());
    write(&dir, "pasted", format!("  Open this: {url}\n").as_bytes());
    write(
        &dir,
        "path",
        format!("/v/{}?x=1#{}", doc, link.secret.to_base64()).as_bytes(),
    );
    write(&dir, "doc-id", doc.to_string().as_bytes());
    write(&dir, "secret", link.secret.to_base64().as_bytes());
}
