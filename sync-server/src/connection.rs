//! One WebSocket client: reading its frames and carrying out what the relay decided about them.
//!
//! The decisions are not made here. [`Session::screen`] checks each frame and
//! [`command::execute`] runs it against the store; both are shared with the in-memory core a
//! simulation drives ([`crate::relay_core`]). What this file adds is the I/O: the socket, the
//! per-document lock ([`crate::rooms`]), `spawn_blocking` for store calls, and the outbox.
//!
//! The shape follows axum's chat example: the socket is split, a spawned writer task drains this
//! connection's outbox ([`crate::outbox`]) into the socket, and the reader loop below handles one
//! frame at a time. `tokio::select!` ends the connection when the reader ends, the writer fails, or
//! the relay kicks the client for letting its outbox fill up.
//!
//! Ending the connection drops the reader wherever it is awaiting. That is harmless where nothing
//! has been committed yet, or where only a reply to this client would follow the commit; an append
//! is the exception (see `Connection::append`), so its critical section runs as a task of its own.
//!
//! Nothing a client sends may panic or block the relay: every refusal is an `Error` message and
//! the connection stays open, so a client can recover from a bad frame without reconnecting.
//! A client over its rate is not refused but slowed: the reader stops reading until the
//! connection's and its address's buckets have room, so the client's own socket holds it back
//! and nothing piles up on the relay. A client must stay alive, though: the writer pings it,
//! and one that sends no pong (nor anything else) for the idle timeout is closed, which catches
//! dead peers, half-open sockets, frames dribbled in byte by byte, and clients that never read.
//! Logs name the connection and document but never tokens or ciphertext.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocket};
use futures_util::stream::SplitStream;
use futures_util::StreamExt;
use tandem_protocol::{ClientMsgId, DocId, ErrorCode, RelayMsg};
use tokio::time::Instant;
use tracing::{debug, info};

use crate::catch_up::{next_page, Resume};
use crate::command::{self, Command, Outcome, Subscription};
use crate::gate::Pass;
use crate::limits::{CATCH_UP_CHUNK_BYTES, OUTGOING_BYTES, OUTGOING_QUEUE};
use crate::outbox::{write_frames, Peer, Writing};
use crate::refusal::{refuse, store_failed, About, BUSY};
use crate::server::Relay;
use crate::session::{Admission, ConnId, Screened, Session};
use crate::store::{AppendRequest, Appended, Quota, StoreError};
use crate::writer::WriteError;

/// The most of a catch-up queued for a client at once: the next page is read only when the
/// queue holds less, so a client reading steadily always has the next pages waiting, and the
/// rest of the queue's budget stays free for everything else.
const CATCH_UP_QUEUED: usize = 3 * CATCH_UP_CHUNK_BYTES;

/// Free room in a connection's queue before the next catch-up page is read.
const CATCH_UP_ROOM: usize = OUTGOING_BYTES - CATCH_UP_QUEUED;

/// How many idle timeouts a client may go without sending a complete protocol message.
const MESSAGE_TIMEOUT_FACTOR: u32 = 4;

/// Runs one client until it disconnects or is disconnected. `pass` is the connection's slot
/// at the gate (none for a relay served without one, as in some tests), held until the end.
pub async fn handle(socket: WebSocket, relay: Arc<Relay>, pass: Option<Arc<Pass>>) {
    let id = relay.next_conn_id();
    relay.metrics.connections.inc();
    let (peer, rx) = Peer::new(id, OUTGOING_QUEUE, OUTGOING_BYTES);
    let (sink, stream) = socket.split();
    info!(conn = id, "connection opened");

    let writing = Writing {
        timeout: relay.net.write_timeout,
        // Three pings per idle timeout: one lost or slow pong is not yet the end.
        ping_every: relay.net.idle_timeout / 3,
    };
    let mut writer = tokio::spawn(write_frames(sink, rx, writing));
    let kick = peer.clone();
    let mut conn = Connection {
        session: Session::new(id, &relay.limits, relay.now_ms()),
        peer,
        relay,
        pass,
    };
    let reason = tokio::select! {
        reason = conn.read_frames(stream) => reason,
        _ = &mut writer => "writing to the socket failed",
        () = kick.kicked() => "its outgoing queue was full (client too slow)",
    };
    writer.abort();
    conn.leave_all().await;
    conn.relay.metrics.connections.dec();
    info!(conn = id, reason, "connection closed");
}

struct Connection {
    /// What this connection has joined and its rate limit.
    session: Session,
    /// This connection as other connections' broadcasts reach it; also used for its own replies,
    /// so replies and broadcasts share one order.
    peer: Peer,
    relay: Arc<Relay>,
    /// The slot at the gate, with the message bucket this connection's address shares.
    pass: Option<Arc<Pass>>,
}

impl Connection {
    async fn read_frames(&mut self, mut stream: SplitStream<WebSocket>) -> &'static str {
        let idle = self.relay.net.idle_timeout;
        // Two proofs of life. A pong shows the client reads what it is sent: one that floods us
        // without reading keeps sending, but never answers our pings. A complete message shows
        // it is not just holding the socket: the app pings every few seconds when idle (less
        // often in a background tab, hence the longer allowance), while a frame dribbled in
        // byte by byte never completes, and cannot carry pongs while it is in progress.
        let mut pong_by = Instant::now() + idle;
        let mut message_by = Instant::now() + idle * MESSAGE_TIMEOUT_FACTOR;
        loop {
            // Checked before reading too: a client that keeps us busy never lets a read wait.
            let deadline = pong_by.min(message_by);
            let next = match deadline.checked_duration_since(Instant::now()) {
                Some(_) => tokio::time::timeout_at(deadline, stream.next())
                    .await
                    .map_err(|_| ()),
                None => Err(()),
            };
            let message = match next {
                Err(()) if deadline == pong_by => return "no pong from the client in time",
                Err(()) => return "no complete message from the client in time",
                Ok(None) => return "the client went away",
                Ok(Some(Err(e))) => {
                    debug!(conn = self.peer.id, error = %e, "reading from the socket failed");
                    return "the socket failed, sent an oversized message, or let replies pile up";
                }
                Ok(Some(Ok(message))) => message,
            };
            self.admit(message_len(&message)).await;
            match message {
                Message::Binary(frame) => {
                    let started = Instant::now();
                    self.on_frame(&frame).await;
                    // A long catch-up keeps the reader here while the client reads it (the
                    // writer's timeout watches that); its pongs wait unread meanwhile.
                    pong_by += started.elapsed();
                    message_by = Instant::now() + idle * MESSAGE_TIMEOUT_FACTOR;
                }
                Message::Text(_) => self.send(Session::screen_text()),
                Message::Close(_) => return "closed by the client",
                Message::Pong(_) => pong_by = Instant::now() + idle,
                // tungstenite answers pings itself.
                Message::Ping(_) => {}
            }
        }
    }

    /// Waits until the connection's buckets and its address's have room for a message of
    /// `len` bytes, and charges them. Meanwhile nothing is read: the client is slowed by its
    /// own socket, with nothing queued on the relay's side, and none of its frames is refused.
    async fn admit(&mut self, len: usize) {
        while let Admission::After(wait) = self.session.admit(len, self.relay.now_ms()) {
            tokio::time::sleep(Duration::from_millis(wait)).await;
        }
        if let Some(pass) = &self.pass {
            while let Err(wait) = pass.take_message(self.relay.now_ms()) {
                tokio::time::sleep(Duration::from_millis(wait)).await;
            }
        }
    }

    async fn on_frame(&mut self, frame: &[u8]) {
        match self.session.screen(frame, self.relay.now_ms()) {
            Screened::Reply(msg) => self.send(msg),
            Screened::Nothing => {}
            Screened::Command(command @ Command::Append { .. }) => self.append(command).await,
            Screened::Command(command) => self.run(command).await,
        }
    }

    /// Runs a command and carries out its outcome in one critical section under the document's
    /// lock, which is the ordering rule of [`crate::rooms`].
    async fn run(&mut self, command: Command) {
        let doc = command.doc();
        let mut room = self.relay.rooms.lock(doc).await;
        let outcome = execute(&self.relay, self.peer.id, command).await;
        self.relay.metrics.count_refusals(&outcome.replies);
        self.session
            .settle(doc, outcome.subscription, outcome.created);
        let resume = outcome.catch_up;
        // Presence and departures reach other relays' subscribers too ([`crate::fanout`]).
        let announce = match &outcome.broadcast {
            Some(msg @ (RelayMsg::Presence { .. } | RelayMsg::PeerLeft { .. }))
                if self.relay.shared_store =>
            {
                Some(msg.encode())
            }
            _ => None,
        };
        room.apply(&self.peer, outcome);
        drop(room);
        if let Some(frame) = announce {
            self.relay.store.announce(doc, &frame);
        }
        if let Some(resume) = resume {
            self.send_rest_of_catch_up(resume).await;
        }
    }

    /// Sends a join's catch-up after its first page, a page at a time and only as fast as the
    /// client takes them, so that the relay holds at most a few pages of it in memory however
    /// large the document. Meanwhile the document's broadcasts are held for this connection
    /// ([`crate::rooms`]); they follow the last page.
    async fn send_rest_of_catch_up(&mut self, mut resume: Resume) {
        let doc = resume.doc;
        loop {
            if !self.peer.room_for(CATCH_UP_ROOM).await {
                return;
            }
            let store = Arc::clone(&self.relay.store);
            let page = tokio::task::spawn_blocking(move || next_page(&*store, resume))
                .await
                .unwrap_or_else(|e| Err(StoreError::Task(e.to_string())));
            match page {
                Ok((message, next)) => {
                    if let Some(message) = message {
                        self.send(message);
                    }
                    match next {
                        Some(next) => resume = next,
                        None => break,
                    }
                }
                Err(e) => {
                    let outcome = command::catch_up_failed(self.peer.id, doc, &e);
                    let mut room = self.relay.rooms.lock(doc).await;
                    self.session.settle(doc, outcome.subscription, false);
                    room.apply(&self.peer, outcome);
                    return;
                }
            }
        }
        self.relay.rooms.lock(doc).await.caught_up(self.peer.id);
    }

    /// Stores a change, acks it and forwards it to the document's other subscribers.
    ///
    /// Those three steps run in a task of their own so that they finish together even if this
    /// connection ends meanwhile (which drops this future mid-await, see [`handle`]). Cut after
    /// the commit, the entry would be stored but never forwarded, and the client's retry would
    /// only be acked as a duplicate, which is not broadcast; the other clients would miss the
    /// entry until they next joined. An append never changes the subscription; the session
    /// only learns whether it brought the document into being.
    async fn append(&mut self, command: Command) {
        let about = command.about();
        let doc = command.doc();
        let section = store_and_forward(Arc::clone(&self.relay), self.peer.clone(), command);
        match tokio::spawn(section).await {
            Ok(created) => self.session.settle(doc, Subscription::Keep, created),
            Err(e) => self.send(store_failed(
                self.peer.id,
                about,
                &StoreError::Task(e.to_string()),
            )),
        }
    }

    /// The connection has ended: leave every document, so the others hear `PeerLeft`.
    async fn leave_all(&mut self) {
        for command in self.session.leave_all() {
            self.run(command).await;
        }
    }

    /// Queues a reply. A full queue has already kicked this connection, which `handle` notices.
    fn send(&self, msg: RelayMsg) {
        self.relay.metrics.count_refusals([&msg]);
        let _ = self.peer.send(Bytes::from(msg.encode()));
    }
}

/// [`command::execute`], in `spawn_blocking` when it calls the store. A storage task that fails
/// outright is refused like a failed store call.
async fn execute(relay: &Arc<Relay>, conn: ConnId, command: Command) -> Outcome {
    if !command.needs_store() {
        return command::execute(&*relay.store, &relay.limits, conn, command);
    }
    let about = command.about();
    let store = Arc::clone(&relay.store);
    let limits = relay.limits;
    tokio::task::spawn_blocking(move || command::execute(&*store, &limits, conn, command))
        .await
        .unwrap_or_else(|e| {
            let refusal = store_failed(conn, about, &StoreError::Task(e.to_string()));
            Outcome::reply(refusal)
        })
}

/// An append's two critical sections under the document's lock: submit it to the writer
/// ([`crate::writer`]) with a ticket, release the lock while its batch commits, then take the
/// lock again and, in ticket order ([`crate::rooms`]), queue the Ack and the Broadcasts. While
/// the writer is behind, the append is refused with `RateLimited` at once, before waiting for
/// the lock. It owns everything it uses, so it can outlive the connection that started it.
/// Returns whether the append created the document.
async fn store_and_forward(relay: Arc<Relay>, peer: Peer, command: Command) -> bool {
    let Command::Append {
        doc,
        client_msg_id,
        ciphertext,
        may_create,
    } = command
    else {
        let mut room = relay.rooms.lock(command.doc()).await;
        let outcome = execute(&relay, peer.id, command).await;
        relay.metrics.count_refusals(&outcome.replies);
        let created = outcome.created;
        room.apply(&peer, outcome);
        return created;
    };
    let busy = || {
        debug!(conn = peer.id, %doc, "append refused: the writer is behind");
        let refusal = refuse(Some(doc), Some(client_msg_id), ErrorCode::RateLimited, BUSY);
        relay.metrics.count_refusals([&refusal]);
        let _ = peer.send(Bytes::from(refusal.encode()));
        false
    };
    if relay.writer.behind() {
        return busy();
    }
    let request = AppendRequest {
        doc,
        client_msg_id,
        ciphertext,
        quota: Quota::new(&relay.limits, may_create),
    };
    let mut room = relay.rooms.lock(doc).await;
    let pending = match relay.writer.submit(request) {
        Ok(pending) => pending,
        Err(WriteError::Busy) => return busy(),
        Err(WriteError::Store(e)) => return failed(&relay, &peer, doc, client_msg_id, &e),
    };
    let ticket = room.take_ticket();
    drop(room);

    let outcome = match pending.answer().await {
        Ok((stored, appended)) => {
            if let Appended::New { .. } = appended {
                relay.metrics.appends.inc();
                let bytes = stored.ciphertext.len() as u64;
                relay.metrics.append_bytes.inc_by(bytes);
            }
            let ciphertext = stored.ciphertext;
            command::appended_outcome(peer.id, doc, client_msg_id, ciphertext, appended)
        }
        Err(e) => Outcome::reply(store_failed(peer.id, append_about(doc, client_msg_id), &e)),
    };
    relay.metrics.count_refusals(&outcome.replies);
    let mut room = relay.rooms.lock(doc).await;
    while let Err(turn) = room.my_turn(ticket) {
        drop(room);
        turn.await;
        room = relay.rooms.lock(doc).await;
    }
    if relay.shared_store {
        // Entries another relay appended before this one are delivered first.
        if let Some(RelayMsg::Broadcast { seq, .. }) = &outcome.broadcast {
            let before = seq.saturating_sub(1);
            if room.delivered() < before {
                crate::fanout::deliver_missed(&relay, &mut room, doc, before).await;
            }
        }
    }
    let created = outcome.created;
    room.apply(&peer, outcome);
    room.done(ticket);
    created
}

fn append_about(doc: DocId, client_msg_id: ClientMsgId) -> About {
    About {
        doc,
        client_msg_id: Some(client_msg_id),
        what: "append",
    }
}

/// An append the writer could not take at all (it stopped): refused like a failed store call.
fn failed(relay: &Relay, peer: &Peer, doc: DocId, id: ClientMsgId, e: &StoreError) -> bool {
    let refusal = store_failed(peer.id, append_about(doc, id), e);
    relay.metrics.count_refusals([&refusal]);
    let _ = peer.send(Bytes::from(refusal.encode()));
    false
}

/// What a message costs against the byte bucket: its payload.
fn message_len(message: &Message) -> usize {
    match message {
        Message::Binary(bytes) | Message::Ping(bytes) | Message::Pong(bytes) => bytes.len(),
        Message::Text(text) => text.len(),
        Message::Close(_) => 0,
    }
}
