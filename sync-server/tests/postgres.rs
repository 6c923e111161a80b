//! What only the PostgreSQL store has to show, on the harness's private cluster whichever store
//! the rest of the suite runs on: several relays on one database (numbering, and fan-out of
//! each one's clients' changes to the other's), and the schema check. The store's own calls
//! are tested in `postgres_store.rs`.

mod common;

use std::process::{Command, Stdio};

use common::postgres::cluster;
use common::{msg_id, sealed, Client, RelayProcess, TestDoc};
use tandem_protocol::{ClientMsg, DocId, OwnerSecret, RelayMsg};

/// Appends through two relays on one database at once, to one document: each relay numbers
/// under the database's lock, so the sequences of both together are 1..=n, each once.
#[tokio::test]
async fn two_relays_on_one_database_number_one_documents_appends_without_gaps() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let url = cluster().database_for(dir_a.path());
    let a = RelayProcess::start_with(dir_a.path(), Some(url.clone()), &[]);
    let b = RelayProcess::start_with(dir_b.path(), Some(url), &[]);
    let doc = TestDoc::new();
    let (mut alice, mut bob) = (a.client().await, b.client().await);
    alice.join(&doc, 0).await;
    bob.join(&doc, 0).await;

    const EACH: usize = 60;
    let run = |mut client: Client, who: &'static str| async move {
        let (mut seen, mut acked) = (Seen::default(), Vec::new());
        for i in 0..EACH {
            let seq = seen
                .append(&mut client, doc.doc, &format!("{who} {i}"))
                .await;
            acked.push(*seen.0.last().expect("the ack just seen"));
            assert_eq!(acked.last().map(|(s, _)| *s), Some(seq));
        }
        acked
    };
    let (from_a, from_b) = tokio::join!(run(alice, "alice"), run(bob, "bob"));
    let mut all: Vec<_> = from_a.iter().chain(&from_b).copied().collect();
    all.sort();
    let seqs: Vec<u64> = all.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(seqs, (1..=2 * EACH as u64).collect::<Vec<_>>());
    // Both relays' appends interleaved, rather than one relay's all before the other's.
    assert!(from_a
        .iter()
        .any(|(seq, _)| *seq <= EACH as u64 && from_b.iter().any(|(s, _)| s < seq)));

    // Either relay's catch-up holds every acknowledged append under its sequence.
    let mut carol = b.client().await;
    let joined = carol.join(&doc, 0).await;
    let stored: Vec<(u64, [u8; 16])> = joined
        .entries
        .iter()
        .map(|e| (e.seq, e.client_msg_id))
        .collect();
    assert_eq!(stored, all);
}

/// Two relays on one database, a client on each: what one relay's clients append reaches the
/// other's, through the database.
struct Pair {
    _dirs: (tempfile::TempDir, tempfile::TempDir),
    a: RelayProcess,
    b: RelayProcess,
}

impl Pair {
    fn start() -> Self {
        let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let url = cluster().database_for(dirs.0.path());
        let a = RelayProcess::start_with(dirs.0.path(), Some(url.clone()), &[]);
        let b = RelayProcess::start_with(dirs.1.path(), Some(url), &[]);
        Pair { _dirs: dirs, a, b }
    }

    fn database(&self) -> String {
        let url = self.a.database_url.as_deref().unwrap();
        url.rsplit('/').next().unwrap().to_owned()
    }
}

/// What one client saw of a document: its own appends' acks and everyone else's broadcasts,
/// as (sequence, id), in the order they arrived.
#[derive(Default)]
struct Seen(Vec<(u64, [u8; 16])>);

impl Seen {
    fn take(&mut self, msg: RelayMsg) {
        match msg {
            RelayMsg::Broadcast {
                seq, client_msg_id, ..
            } => self.0.push((seq, client_msg_id)),
            RelayMsg::PeerLeft { .. } | RelayMsg::Presence { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }

    /// Appends, taking whatever else arrives meanwhile, and returns the ack's sequence.
    async fn append(&mut self, client: &mut Client, doc: DocId, text: &str) -> u64 {
        let id = msg_id();
        client
            .send(&ClientMsg::Append {
                doc,
                client_msg_id: id,
                ciphertext: sealed(text.as_bytes()),
            })
            .await;
        loop {
            match client.recv().await {
                RelayMsg::Ack {
                    client_msg_id, seq, ..
                } if client_msg_id == id => {
                    self.0.push((seq, id));
                    return seq;
                }
                other => self.take(other),
            }
        }
    }

    /// Takes what arrives until `n` entries are seen.
    async fn until(&mut self, client: &mut Client, n: usize) {
        while self.0.len() < n {
            let msg = client.recv().await;
            self.take(msg);
        }
    }

    /// Every sequence from 1 to `n` once, in order.
    fn assert_complete(&self, n: usize, who: &str) {
        let seqs: Vec<u64> = self.0.iter().map(|(seq, _)| *seq).collect();
        assert_eq!(seqs, (1..=n as u64).collect::<Vec<_>>(), "what {who} saw");
    }
}

/// Clients of one document on two relays append at once and each sees every entry once, in
/// sequence order, with the same ids under the same sequences: they converge.
async fn co_edit(pair: &Pair) {
    let doc = TestDoc::new();
    let (mut alice, mut bob) = (pair.a.client().await, pair.b.client().await);
    let mut carol = pair.b.client().await;
    for client in [&mut alice, &mut bob, &mut carol] {
        client.join(&doc, 0).await;
    }
    const EACH: usize = 40;
    let run = |mut client: Client, who: &'static str| async move {
        let mut seen = Seen::default();
        for i in 0..EACH {
            seen.append(&mut client, doc.doc, &format!("{who} {i}"))
                .await;
        }
        seen.until(&mut client, 2 * EACH).await;
        (client, seen)
    };
    let watch = async {
        let mut seen = Seen::default();
        seen.until(&mut carol, 2 * EACH).await;
        seen
    };
    let ((_, alice_saw), (_, bob_saw), carol_saw) =
        tokio::join!(run(alice, "alice"), run(bob, "bob"), watch);
    alice_saw.assert_complete(2 * EACH, "alice");
    bob_saw.assert_complete(2 * EACH, "bob");
    carol_saw.assert_complete(2 * EACH, "carol");
    let mut alice_ids = alice_saw.0.clone();
    alice_ids.sort();
    assert_eq!(
        alice_ids, bob_saw.0,
        "the same entries under the same sequences"
    );
    assert_eq!(carol_saw.0, bob_saw.0);
}

#[tokio::test]
async fn clients_of_one_document_on_two_relays_co_edit_and_converge() {
    co_edit(&Pair::start()).await;
}

/// Both relays lose the connection that hears the other's changes, and appends made while
/// they are away are announced to nobody: each relay, listening again, brings its clients up
/// to the head from the database.
#[tokio::test]
async fn a_cut_notification_connection_loses_nothing() {
    let pair = Pair::start();
    let doc = TestDoc::new();
    let (mut alice, mut bob) = (pair.a.client().await, pair.b.client().await);
    alice.join(&doc, 0).await;
    bob.join(&doc, 0).await;
    let (mut alice_saw, mut bob_saw) = (Seen::default(), Seen::default());
    for i in 0..10 {
        bob_saw
            .append(&mut bob, doc.doc, &format!("before {i}"))
            .await;
    }
    alice_saw.until(&mut alice, 10).await;
    let cut = cluster().psql(
        &pair.database(),
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
         WHERE application_name = 'tandem-relay-changes' AND datname = current_database()",
    );
    assert_eq!(String::from_utf8_lossy(&cut).trim(), "2", "both cut");
    // At once, while the relays are still away (they wait before connecting again); nothing
    // is appended after these, so no later notification brings them either.
    for i in 0..10 {
        bob_saw
            .append(&mut bob, doc.doc, &format!("while away {i}"))
            .await;
    }
    alice_saw.until(&mut alice, 20).await;
    alice_saw.assert_complete(20, "alice");
    assert_eq!(alice_saw.0, bob_saw.0);
    // And the relays hear each other again.
    alice_saw.append(&mut alice, doc.doc, "after").await;
    bob_saw.until(&mut bob, 21).await;
    assert_eq!(alice_saw.0, bob_saw.0);
}

/// One relay is killed mid-load; its client reconnects to the other and finds every append
/// that was acknowledged to it, which the other relay's client also received.
#[tokio::test]
async fn a_killed_relays_clients_find_every_acknowledged_append_on_the_other() {
    let pair = Pair::start();
    let doc = TestDoc::new();
    let (mut alice, mut bob) = (pair.a.client().await, pair.b.client().await);
    alice.join(&doc, 0).await;
    bob.join(&doc, 0).await;
    let mut alice_saw = Seen::default();
    for i in 0..30 {
        alice_saw
            .append(&mut alice, doc.doc, &format!("before {i}"))
            .await;
    }
    // In flight when the relay dies: stored or not, never half.
    for i in 0..10 {
        alice
            .send(&ClientMsg::Append {
                doc: doc.doc,
                client_msg_id: msg_id(),
                ciphertext: sealed(format!("in flight {i}").as_bytes()),
            })
            .await;
    }
    pair.a.kill();
    let mut again = pair.b.client().await;
    let joined = again.join(&doc, 0).await;
    let stored: Vec<(u64, [u8; 16])> = joined
        .entries
        .iter()
        .map(|e| (e.seq, e.client_msg_id))
        .collect();
    assert!(stored.len() >= 30);
    assert_eq!(&stored[..30], &alice_saw.0[..], "every acknowledged append");
    let mut bob_saw = Seen::default();
    bob_saw.until(&mut bob, stored.len()).await;
    assert_eq!(
        bob_saw.0, stored,
        "bob, on the other relay, received them all"
    );
}

/// What a relay missed while it was not listening was compacted into a snapshot before it
/// could send it on: its clients are disconnected, and rejoining brings them the snapshot.
#[tokio::test]
async fn entries_compacted_before_they_were_sent_on_make_the_clients_rejoin() {
    let pair = Pair::start();
    let doc = TestDoc::new();
    let (mut alice, mut bob) = (pair.a.client().await, pair.b.client().await);
    alice.join(&doc, 0).await;
    bob.join(&doc, 0).await;
    let cut = cluster().psql(
        &pair.database(),
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
         WHERE application_name = 'tandem-relay-changes' AND datname = current_database()",
    );
    assert_eq!(String::from_utf8_lossy(&cut).trim(), "2", "both cut");
    let mut alice_saw = Seen::default();
    for i in 0..3 {
        alice_saw.append(&mut alice, doc.doc, &format!("{i}")).await;
    }
    alice
        .send(&ClientMsg::Snapshot {
            doc: doc.doc,
            covers_seq: 3,
            ciphertext: sealed(b"all three"),
        })
        .await;
    // The snapshot is stored once a later request on the same connection is answered.
    alice_saw
        .append(&mut alice, doc.doc, "after the snapshot")
        .await;
    assert!(bob.is_closed().await, "bob was disconnected to rejoin");
    let mut again = pair.b.client().await;
    let joined = again.join(&doc, 0).await;
    assert_eq!(joined.snapshot.map(|s| s.covers_seq), Some(3));
    let seqs: Vec<u64> = joined.entries.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, vec![4]);
}

/// The owner deletes the document through one relay; members on the other hear it.
#[tokio::test]
async fn a_delete_through_one_relay_reaches_members_on_the_other() {
    let pair = Pair::start();
    let doc = TestDoc::new();
    let owner = OwnerSecret::random();
    let (mut alice, mut bob) = (pair.a.client().await, pair.b.client().await);
    alice.join(&doc, 0).await;
    bob.join(&doc, 0).await;
    alice
        .send(&ClientMsg::Own {
            doc: doc.doc,
            delete_hash: owner.delete_token(doc.doc).hash(),
        })
        .await;
    assert!(matches!(alice.recv().await, RelayMsg::Owned { .. }));
    alice
        .send(&ClientMsg::Delete {
            doc: doc.doc,
            token: owner.delete_token(doc.doc),
        })
        .await;
    assert!(matches!(alice.recv().await, RelayMsg::Deleted { .. }));
    assert!(matches!(
        bob.recv_skipping_departures().await,
        RelayMsg::Deleted { .. }
    ));
}

/// Presence crosses relays as it came, and so do departures; it is stored on neither.
#[tokio::test]
async fn presence_and_departures_reach_members_on_the_other_relay_and_are_not_stored() {
    let pair = Pair::start();
    let doc = TestDoc::new();
    let (mut alice, mut bob) = (pair.a.client().await, pair.b.client().await);
    alice.join(&doc, 0).await;
    bob.join(&doc, 0).await;
    let here = sealed(b"Alice is editing the salary field");
    alice
        .send(&ClientMsg::Presence {
            doc: doc.doc,
            ciphertext: here.clone(),
        })
        .await;
    let alice_is = match bob.recv().await {
        RelayMsg::Presence {
            from, ciphertext, ..
        } => {
            assert_eq!(ciphertext, here);
            from
        }
        other => panic!("expected Presence, got {other:?}"),
    };
    let there = sealed(b"Bob is reading");
    bob.send(&ClientMsg::Presence {
        doc: doc.doc,
        ciphertext: there.clone(),
    })
    .await;
    match alice.recv().await {
        RelayMsg::Presence {
            from, ciphertext, ..
        } => {
            assert_eq!(ciphertext, there);
            assert_ne!(from, alice_is, "the two relays' clients are told apart");
        }
        other => panic!("expected Presence, got {other:?}"),
    }
    assert!(!common::contains(&pair.a.files(), &here));
    drop(alice);
    match bob.recv().await {
        RelayMsg::PeerLeft { from, .. } => assert_eq!(from, alice_is),
        other => panic!("expected PeerLeft, got {other:?}"),
    }
}

/// `/healthz` answers for the database too: unwell while the relay cannot reach it, well again
/// once it can, without a restart.
#[tokio::test]
async fn healthz_says_when_the_database_is_out_of_reach() {
    let dir = tempfile::tempdir().unwrap();
    let url = cluster().database_for(dir.path());
    let relay = RelayProcess::start_with(dir.path(), Some(url.clone()), &[]);
    assert_eq!(common::http_get(relay.addr, "/healthz", &[]).status, 200);
    let database = url.rsplit('/').next().unwrap();
    cluster().psql(
        "postgres",
        &format!(
            "ALTER DATABASE {database} WITH ALLOW_CONNECTIONS false; \
             SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
             WHERE datname = '{database}'"
        ),
    );
    let unwell = common::http_get(relay.addr, "/healthz", &[]);
    assert_eq!(
        unwell.status,
        503,
        "{}",
        String::from_utf8_lossy(&unwell.body)
    );
    cluster().psql(
        "postgres",
        &format!("ALTER DATABASE {database} WITH ALLOW_CONNECTIONS true"),
    );
    assert_eq!(common::http_get(relay.addr, "/healthz", &[]).status, 200);
}

/// `/metrics` shows the pool and how long changes from the other relay took to reach clients.
#[tokio::test]
async fn metrics_show_the_pool_and_the_fan_out() {
    let pair = Pair::start();
    let doc = TestDoc::new();
    let (mut alice, mut bob) = (pair.a.client().await, pair.b.client().await);
    alice.join(&doc, 0).await;
    bob.join(&doc, 0).await;
    let (mut alice_saw, mut bob_saw) = (Seen::default(), Seen::default());
    for i in 0..3 {
        alice_saw.append(&mut alice, doc.doc, &format!("{i}")).await;
    }
    bob_saw.until(&mut bob, 3).await;
    let addr = pair.b.addr;
    let text = tokio::task::spawn_blocking(move || common::http_get(addr, "/metrics", &[]))
        .await
        .expect("scrape")
        .body;
    let text = String::from_utf8(text).expect("UTF-8 text");
    let value = |series: &str| -> f64 {
        text.lines()
            .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {series} in\n{text}"))
    };
    assert!(value("tandem_database_connections") >= 1.0);
    assert!(value("tandem_database_connections_idle") <= value("tandem_database_connections"));
    assert_eq!(value("tandem_database_waiting"), 0.0);
    // Each of alice's appends was heard and delivered here (some perhaps together).
    assert!(value("tandem_fanout_delivery_seconds_count") >= 1.0);
    assert!(value("tandem_fanout_delivery_seconds_sum") > 0.0);
    assert_eq!(value("tandem_fanout_resyncs_total"), 0.0);
}

/// A database written by a newer relay is left alone, with a message that says so.
#[test]
fn a_database_of_a_newer_relay_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let url = cluster().database_for(dir.path());
    RelayProcess::start_with(dir.path(), Some(url.clone()), &[]).kill();
    let database = url.rsplit('/').next().unwrap();
    cluster().psql(database, "UPDATE tandem_schema SET version = 99");
    let out = Command::new(env!("CARGO_BIN_EXE_tandem-relay"))
        .args(["--listen", "127.0.0.1:0", "--database-url", &url])
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .expect("run the relay");
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("written by a newer relay (schema 99)"),
        "{said}"
    );
    assert!(out.stdout.is_empty(), "it never said it was listening");
}

/// A database that cannot be reached stops the relay at start, saying why, rather than
/// listening and failing every append.
#[test]
fn an_unreachable_database_stops_the_relay_at_start() {
    // A port nothing listens on: one just freed.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    let url = format!("postgres://postgres@127.0.0.1:{port}/none");
    let out = Command::new(env!("CARGO_BIN_EXE_tandem-relay"))
        .args(["--listen", "127.0.0.1:0", "--database-url", &url])
        .env_remove("RUST_LOG")
        .output()
        .expect("run the relay");
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("no connection to PostgreSQL"), "{said}");
}
