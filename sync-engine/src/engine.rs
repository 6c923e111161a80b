//! [`Engine`]: one connection to the relay and the documents it carries.
//!
//! The connection is `Offline` → `Connecting` → `Online` and back. While any document is open
//! the engine asks for a connection, and after a failure asks again with a growing back-off
//! (reset when the network comes back). It also watches the connection: when it has sent
//! something that needs an answer (a join, an append, a ping) and hears nothing for
//! [`DEAD_AFTER_MS`], or the browser says the network is gone, it closes the socket rather than
//! trusting a connection that may be dead. An idle connection is pinged, so a dead one is
//! noticed within seconds even when nobody types.

use std::collections::{BTreeMap, VecDeque};

use tandem_protocol::{ClientMsg, DeleteToken, DocId, ErrorCode, MovedTo, RelayMsg, Secret};

use crate::document::{DocSync, Stored};
use crate::outbox::Pending;
use crate::output::{DocStatus, Event, Link, Output, Problem};
use crate::pace::{Backoff, SendBucket, CONNECT_TIMEOUT_MS, DEAD_AFTER_MS, PING_WHEN_IDLE_MS};
use crate::presence::PeerView;
use crate::Millis;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinkState {
    Offline { reconnect_at: Millis },
    Connecting { since: Millis },
    Online,
}

pub struct Engine {
    docs: BTreeMap<DocId, DocSync>,
    wire: Wire,
    backoff: Backoff,
    /// When the relay last said anything on this connection.
    last_heard: Millis,
    /// The nonce of the ping not yet answered.
    ping: Option<u64>,
    next_nonce: u64,
    snapshot_every: u64,
}

/// The connection as the documents share it: its state, its send rate, and the outputs
/// waiting for the app. Kept apart from the documents so each can be borrowed beside the other.
struct Wire {
    link: LinkState,
    /// Keeps what we send inside the relay's rate limit.
    bucket: SendBucket,
    out: VecDeque<Output>,
    /// Since when we have been waiting for an answer, if we are.
    awaiting_since: Option<Millis>,
}

impl Wire {
    fn io(&mut self, now: Millis) -> Io<'_> {
        Io { now, wire: self }
    }
}

/// What a document's handlers may do at `now`: send, and report to the app.
pub(crate) struct Io<'a> {
    pub now: Millis,
    wire: &'a mut Wire,
}

impl Io<'_> {
    /// Queues a frame if the connection is open; `answered` marks messages the relay answers,
    /// which start the dead-connection clock.
    pub fn send(&mut self, msg: &ClientMsg, answered: bool) {
        if self.wire.link != LinkState::Online {
            return;
        }
        if !answered {
            // Unanswered messages still count against the relay's rate.
            self.wire.bucket.take(self.now);
        }
        if answered && self.wire.awaiting_since.is_none() {
            self.wire.awaiting_since = Some(self.now);
        }
        self.wire.out.push_back(Output::Send(msg.encode()));
    }

    pub fn event(&mut self, event: Event) {
        self.wire.out.push_back(Output::Event(event));
    }

    /// Spends a send token, or says when the next one will be there.
    pub fn take_token(&mut self) -> Result<(), Millis> {
        if self.wire.bucket.take(self.now) {
            Ok(())
        } else {
            Err(self.wire.bucket.next_token_at())
        }
    }
}

impl Engine {
    pub fn new(now: Millis) -> Self {
        Engine {
            docs: BTreeMap::new(),
            wire: Wire {
                link: LinkState::Offline { reconnect_at: now },
                bucket: SendBucket::new(now),
                out: VecDeque::new(),
                awaiting_since: None,
            },
            backoff: Backoff::default(),
            last_heard: now,
            ping: None,
            next_nonce: 1,
            snapshot_every: crate::document::SNAPSHOT_EVERY,
        }
    }

    /// Offers snapshots every `n` appends instead of every [`crate::document::SNAPSHOT_EVERY`]
    /// (for documents opened from now on); simulations use it to exercise snapshots often.
    pub fn set_snapshot_every(&mut self, n: u64) {
        self.snapshot_every = n;
    }

    // ---- documents -------------------------------------------------------------------------

    /// Starts syncing a document, from what the device has stored of it: how far it got, and
    /// the changes still waiting for the relay.
    pub fn open(
        &mut self,
        doc: DocId,
        secret: &Secret,
        stored: Stored,
        outbox: Vec<Pending>,
        now: Millis,
    ) {
        let mut sync = DocSync::new(doc, secret, stored, outbox, self.snapshot_every);
        if self.wire.link == LinkState::Online {
            sync.connected(&mut self.wire.io(now));
        }
        self.docs.insert(doc, sync);
        self.drive(now);
    }

    /// Stops syncing a document; the relay tells the others that we left.
    pub fn close(&mut self, doc: DocId, now: Millis) {
        if let Some(mut sync) = self.docs.remove(&doc) {
            sync.close(&mut self.wire.io(now));
        }
        self.drive(now);
    }

    /// A local change, made and in the app's document: send it. The app writes it to the
    /// device's storage alongside and does not wait for that write (see [`crate::outbox`]).
    pub fn local_change(&mut self, doc: DocId, item: Pending, now: Millis) {
        self.with_doc(doc, now, |d, io| d.local_change(item, io));
    }

    /// The app's answer to [`Event::SnapshotWanted`].
    pub fn offer_snapshot(&mut self, doc: DocId, covers_seq: u64, bytes: &[u8], now: Millis) {
        self.with_doc(doc, now, |d, io| d.offer_snapshot(covers_seq, bytes, io));
    }

    /// This device created the document and holds its delete token: the engine registers the
    /// owner at the relay on every join, so that [`Self::delete_for_everyone`] can work.
    pub fn set_owner(&mut self, doc: DocId, token: DeleteToken, now: Millis) {
        self.with_doc(doc, now, |d, io| d.set_owner(token, io));
    }

    /// Asks the relay to delete the document for everyone; its answer arrives as a status with
    /// `deleted` (or a problem, if the relay refuses). False when it could not be sent: this
    /// device is not the owner, or the document is not joined right now.
    pub fn delete_for_everyone(&mut self, doc: DocId, now: Millis) -> bool {
        let mut sent = false;
        self.with_doc(doc, now, |d, io| sent = d.delete(io));
        sent
    }

    /// Asks the relay to move the document for everyone to the one `to` opens (see
    /// [`crate::document::DocSync::move_to`]); its answer arrives as a status with `moved_to`.
    /// False when it could not be sent, as for [`Self::delete_for_everyone`].
    pub fn move_for_everyone(&mut self, doc: DocId, to: &MovedTo, now: Millis) -> bool {
        let mut sent = false;
        self.with_doc(doc, now, |d, io| sent = d.move_to(to, io));
        sent
    }

    /// What this device says about itself to the others on a document (sealed before
    /// sending). `urgent` news (a field entered, a name changed) goes out at once; the rest
    /// rides with the next regular announcement, so presence never costs a message per
    /// keystroke.
    pub fn set_presence(&mut self, doc: DocId, payload: Vec<u8>, urgent: bool, now: Millis) {
        self.with_doc(doc, now, |d, io| d.set_presence(payload, urgent, io));
    }

    // ---- the connection --------------------------------------------------------------------

    /// The socket the engine asked for is open.
    pub fn connected(&mut self, now: Millis) {
        self.wire.link = LinkState::Online;
        self.last_heard = now;
        self.wire.awaiting_since = None;
        self.ping = None;
        self.each_doc(now, DocSync::connected);
        self.drive(now);
    }

    /// The socket closed, or could not be opened. Idempotent.
    pub fn disconnected(&mut self, now: Millis) {
        if matches!(self.wire.link, LinkState::Offline { .. }) {
            return;
        }
        self.wire.link = LinkState::Offline {
            reconnect_at: now + self.backoff.delay(),
        };
        self.backoff.failed();
        self.wire.awaiting_since = None;
        self.ping = None;
        self.each_doc(now, DocSync::disconnected);
        self.drive(now);
    }

    /// The browser's online/offline signal. Offline closes the connection at once (the socket
    /// may take long to notice); online tries again at once.
    pub fn network_changed(&mut self, online: bool, now: Millis) {
        if online {
            self.backoff.reset();
            if let LinkState::Offline { reconnect_at } = &mut self.wire.link {
                *reconnect_at = now;
            }
        } else if !matches!(self.wire.link, LinkState::Offline { .. }) {
            self.wire.out.push_back(Output::Disconnect);
            self.disconnected(now);
        }
        self.drive(now);
    }

    /// One binary frame from the relay.
    pub fn receive(&mut self, frame: &[u8], now: Millis) {
        if self.wire.link != LinkState::Online {
            return; // A frame from a socket we already gave up on.
        }
        self.last_heard = now;
        // The connection works: the next failure starts the back-off afresh.
        self.backoff.reset();
        match RelayMsg::decode(frame) {
            Ok(RelayMsg::Pong { nonce }) => {
                if self.ping == Some(nonce) {
                    self.ping = None;
                }
            }
            Ok(msg) => self.dispatch(msg, now),
            Err(e) => self.wire.out.push_back(Output::Event(Event::Problem {
                doc: None,
                problem: Problem::Refused(match e.code() {
                    ErrorCode::UnsupportedVersion => ErrorCode::UnsupportedVersion,
                    _ => ErrorCode::Malformed,
                }),
            })),
        }
        let waiting = self.ping.is_some() || self.docs.values().any(DocSync::awaits_answer);
        self.wire.awaiting_since = waiting.then_some(now);
        self.drive(now);
    }

    fn dispatch(&mut self, msg: RelayMsg, now: Millis) {
        match msg.doc() {
            Some(doc) if self.docs.contains_key(&doc) => {
                self.with_doc(doc, now, |sync, io| sync.receive(msg, io));
                return;
            }
            _ => {}
        }
        if let RelayMsg::Error {
            code, doc: None, ..
        } = msg
        {
            self.wire.out.push_back(Output::Event(Event::Problem {
                doc: None,
                problem: Problem::Refused(code),
            }));
        }
        // Anything else is about a document we closed: nothing to do.
    }

    /// Time passed: reconnect, ping, give up on a dead connection, retry, send presence.
    pub fn handle_timeout(&mut self, now: Millis) {
        self.drive(now);
    }

    /// When [`Self::handle_timeout`] should next be called, if ever.
    pub fn poll_timeout(&self) -> Option<Millis> {
        let link = match self.wire.link {
            LinkState::Offline { reconnect_at } => (!self.docs.is_empty()).then_some(reconnect_at),
            LinkState::Connecting { since } => Some(since + CONNECT_TIMEOUT_MS),
            LinkState::Online => Some(match self.wire.awaiting_since {
                Some(since) => since + DEAD_AFTER_MS,
                None => self.last_heard + PING_WHEN_IDLE_MS,
            }),
        };
        let docs = self.docs.values().filter_map(DocSync::next_timeout).min();
        [link, docs].into_iter().flatten().min()
    }

    /// The next thing to do, in order.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.wire.out.pop_front()
    }

    // ---- what the views show ---------------------------------------------------------------

    pub fn link(&self) -> Link {
        match self.wire.link {
            LinkState::Offline { .. } => Link::Offline,
            LinkState::Connecting { .. } => Link::Connecting,
            LinkState::Online => Link::Online,
        }
    }

    pub fn status(&self, doc: DocId) -> Option<DocStatus> {
        Some(self.docs.get(&doc)?.status(self.link()))
    }

    pub fn peers(&self, doc: DocId) -> Vec<PeerView> {
        self.docs
            .get(&doc)
            .map(|d| d.peers.list())
            .unwrap_or_default()
    }

    /// How far a document got with the relay.
    pub fn stored(&self, doc: DocId) -> Option<Stored> {
        self.docs.get(&doc).map(DocSync::stored)
    }

    // ---- inside ----------------------------------------------------------------------------

    fn each_doc(&mut self, now: Millis, mut f: impl FnMut(&mut DocSync, &mut Io)) {
        let mut io = self.wire.io(now);
        for doc in self.docs.values_mut() {
            f(doc, &mut io);
        }
    }

    fn with_doc(&mut self, doc: DocId, now: Millis, f: impl FnOnce(&mut DocSync, &mut Io)) {
        if let Some(sync) = self.docs.get_mut(&doc) {
            f(sync, &mut self.wire.io(now));
        }
        self.drive(now);
    }

    /// Does whatever is due at `now`, then reports changed statuses.
    fn drive(&mut self, now: Millis) {
        match self.wire.link {
            LinkState::Offline { reconnect_at } if reconnect_at <= now && !self.docs.is_empty() => {
                self.wire.link = LinkState::Connecting { since: now };
                self.wire.out.push_back(Output::Connect);
            }
            LinkState::Connecting { since } if now >= since + CONNECT_TIMEOUT_MS => {
                self.give_up_on_connection(now);
            }
            LinkState::Online => {
                if self
                    .wire
                    .awaiting_since
                    .is_some_and(|t| now >= t + DEAD_AFTER_MS)
                {
                    self.give_up_on_connection(now);
                } else if self.ping.is_none() && now >= self.last_heard + PING_WHEN_IDLE_MS {
                    let nonce = self.next_nonce;
                    self.next_nonce += 1;
                    self.ping = Some(nonce);
                    self.wire.io(now).send(&ClientMsg::Ping { nonce }, true);
                }
            }
            _ => {}
        }
        let link = self.link();
        self.each_doc(now, |doc, io| {
            doc.handle_timeout(io);
            doc.report_status(link, io);
        });
    }

    fn give_up_on_connection(&mut self, now: Millis) {
        self.wire.out.push_back(Output::Disconnect);
        self.disconnected(now);
    }
}
