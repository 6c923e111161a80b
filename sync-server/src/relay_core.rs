//! The relay without sockets, threads or clocks: frames in, addressed frames out, time passed in.
//!
//! It exists for deterministic simulation (in the FoundationDB style): a test runs many client
//! replicas and the relay in one thread under a seeded scheduler, and needs the relay's *real*
//! logic (token check, dedup, sequence numbers, catch-up chunking, snapshots, presence,
//! `PeerLeft`, refusals, frame-size, rate and quota limits) over the real [`Store`], with every effect
//! visible as a value it can delay, drop or reorder. Like quinn-proto, this is the protocol as a
//! state machine; the WebSocket server ([`crate::connection`]) is another face of the same
//! decisions ([`crate::session`], [`crate::command`]), so what the simulation tests is what
//! production runs.
//!
//! What it leaves to its caller, because the caller models it: delivering frames (in order per
//! connection, as a WebSocket would), the server's outbox bound and kick, and the WebSocket
//! layer's hard cut-off of frames far over the limit (here every oversized frame is answered
//! with `FrameTooLarge`). Everything is deterministic: subscribers are served in connection
//! order, and connection ids count up from 1 in the order of [`RelayCore::connect`].
//!
//! ```
//! # use std::sync::Arc;
//! # use tandem_sync_server::{limits::Limits, relay_core::RelayCore, store::SqliteStore};
//! # use tandem_protocol::{ClientMsg, RelayMsg};
//! let dir = tempfile::tempdir()?;
//! let store = Arc::new(SqliteStore::open(dir.path())?);
//! let limits = Limits { max_frame_bytes: 1 << 20, ..Limits::default() };
//! let mut relay = RelayCore::new(store, limits);
//! let conn = relay.connect(0);
//! let out = relay.receive(conn, &ClientMsg::Ping { nonce: 7 }.encode(), 5);
//! assert_eq!(out[0].to, conn);
//! assert_eq!(RelayMsg::decode(&out[0].frame)?, RelayMsg::Pong { nonce: 7 });
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::body::Bytes;
use tandem_protocol::{DocId, RelayMsg};

use crate::catch_up::{next_page, Resume};
use crate::command::{self, Outcome, Subscription};
use crate::limits::Limits;
use crate::session::{Admission, ConnId, Screened, Session};
use crate::store::Store;

/// One frame the relay sends: an encoded [`RelayMsg`] for connection `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub to: ConnId,
    pub frame: Bytes,
}

/// The relay's state for every connection, driven by calls instead of sockets.
pub struct RelayCore {
    /// The documents; the real store, so a simulation exercises the real SQL and durability.
    store: Arc<dyn Store>,
    limits: Limits,
    /// The id the next connection gets.
    next_conn: ConnId,
    /// Every open connection's joined documents and rate limit.
    sessions: BTreeMap<ConnId, Session>,
    /// Who is subscribed to which document; what the server's rooms hold, without the locks
    /// (one thread runs everything, so every call is its own critical section). Ordered, so a
    /// broadcast reaches subscribers in the same order on every run.
    subscribers: BTreeMap<DocId, BTreeSet<ConnId>>,
}

impl RelayCore {
    pub fn new(store: Arc<dyn Store>, limits: Limits) -> Self {
        RelayCore {
            store,
            limits,
            next_conn: 1,
            sessions: BTreeMap::new(),
            subscribers: BTreeMap::new(),
        }
    }

    /// A new connection, opened at `now_ms` (its rate-limit bucket starts full then).
    pub fn connect(&mut self, now_ms: u64) -> ConnId {
        let id = self.next_conn;
        self.next_conn += 1;
        self.sessions
            .insert(id, Session::new(id, &self.limits, now_ms));
        id
    }

    /// One binary frame from connection `conn`, received at `now_ms` (milliseconds on the
    /// caller's monotonic clock). Returns what the relay sends because of it, in the order it
    /// would queue it: replies to `conn` first, then messages to other connections. A frame for
    /// a connection that is not open (never opened, or disconnected) is ignored.
    pub fn receive(&mut self, conn: ConnId, frame: &[u8], now_ms: u64) -> Vec<Outgoing> {
        let Some(session) = self.sessions.get_mut(&conn) else {
            return Vec::new();
        };
        // The server would stop reading for the wait; a core cannot hold a frame back.
        if let Admission::After(_) = session.admit(frame.len(), now_ms) {
            return vec![Outgoing::new(conn, &Session::rate_refusal(frame))];
        }
        match session.screen(frame, now_ms) {
            Screened::Reply(msg) => vec![Outgoing::new(conn, &msg)],
            Screened::Nothing => Vec::new(),
            Screened::Command(command) => {
                let doc = command.doc();
                let outcome = command::execute(&*self.store, &self.limits, conn, command);
                session.settle(doc, outcome.subscription, outcome.created);
                let resume = outcome.catch_up;
                let mut out = self.apply(conn, doc, outcome);
                // The server sends the rest page by page as the client takes them; one thread
                // with nothing in between sends them all at once, in the same pages.
                if let Some(resume) = resume {
                    out.extend(self.rest_of_catch_up(conn, resume));
                }
                out
            }
        }
    }

    /// Connection `conn` has ended (closed, failed or kicked): it leaves every document it was
    /// in, and the others there hear `PeerLeft`. Unknown connections are ignored.
    pub fn disconnect(&mut self, conn: ConnId) -> Vec<Outgoing> {
        let Some(mut session) = self.sessions.remove(&conn) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for command in session.leave_all() {
            let doc = command.doc();
            let outcome = command::execute(&*self.store, &self.limits, conn, command);
            out.extend(self.apply(conn, doc, outcome));
        }
        out
    }

    /// The open connections, in id order.
    pub fn connections(&self) -> impl Iterator<Item = ConnId> + '_ {
        self.sessions.keys().copied()
    }

    /// The connections subscribed to `doc`, in id order.
    pub fn subscribers(&self, doc: DocId) -> impl Iterator<Item = ConnId> + '_ {
        self.subscribers.get(&doc).into_iter().flatten().copied()
    }

    /// The pages after a join's first, for `conn`. A store failure midway ends the catch-up
    /// as the server ends it: refused, and the connection out of the document.
    fn rest_of_catch_up(&mut self, conn: ConnId, mut resume: Resume) -> Vec<Outgoing> {
        let mut out = Vec::new();
        loop {
            match next_page(&*self.store, resume) {
                Ok((message, next)) => {
                    out.extend(message.map(|m| Outgoing::new(conn, &m)));
                    match next {
                        Some(next) => resume = next,
                        None => return out,
                    }
                }
                Err(e) => {
                    let outcome = command::catch_up_failed(conn, resume.doc, &e);
                    if let Some(session) = self.sessions.get_mut(&conn) {
                        session.settle(resume.doc, outcome.subscription, false);
                    }
                    out.extend(self.apply(conn, resume.doc, outcome));
                    return out;
                }
            }
        }
    }

    /// Carries out an outcome, as [`crate::rooms::Subscribers::apply`] does for the server.
    fn apply(&mut self, conn: ConnId, doc: DocId, outcome: Outcome) -> Vec<Outgoing> {
        let subscribers = self.subscribers.entry(doc).or_default();
        match outcome.subscription {
            Subscription::Keep => {}
            Subscription::Subscribe => {
                subscribers.insert(conn);
            }
            Subscription::Unsubscribe => {
                subscribers.remove(&conn);
            }
        }
        let mut out: Vec<Outgoing> = outcome
            .replies
            .iter()
            .map(|msg| Outgoing::new(conn, msg))
            .collect();
        if let Some(msg) = outcome.broadcast {
            let frame = Bytes::from(msg.encode());
            out.extend(
                subscribers
                    .iter()
                    .filter(|&&to| to != conn)
                    .map(|&to| Outgoing {
                        to,
                        frame: frame.clone(),
                    }),
            );
        }
        if subscribers.is_empty() {
            self.subscribers.remove(&doc);
        }
        out
    }
}

impl Outgoing {
    fn new(to: ConnId, msg: &RelayMsg) -> Self {
        Outgoing {
            to,
            frame: Bytes::from(msg.encode()),
        }
    }
}
