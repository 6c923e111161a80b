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
//! Logs name the connection and document but never tokens or ciphertext.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocket};
use futures_util::stream::SplitStream;
use futures_util::StreamExt;
use tandem_protocol::RelayMsg;
use tracing::{debug, info};

use crate::command::{self, Command, Outcome};
use crate::limits::{OUTGOING_BYTES, OUTGOING_QUEUE};
use crate::outbox::{write_frames, Peer};
use crate::refusal::store_failed;
use crate::server::Relay;
use crate::session::{ConnId, Screened, Session};
use crate::store::StoreError;

/// Runs one client until it disconnects or is disconnected.
pub async fn handle(socket: WebSocket, relay: Arc<Relay>) {
    let id = relay.next_conn_id();
    let (peer, rx) = Peer::new(id, OUTGOING_QUEUE, OUTGOING_BYTES);
    let (sink, stream) = socket.split();
    info!(conn = id, "connection opened");

    let mut writer = tokio::spawn(write_frames(sink, rx));
    let kick = peer.clone();
    let mut conn = Connection {
        session: Session::new(id, &relay.limits, relay.now_ms()),
        peer,
        relay,
    };
    let reason = tokio::select! {
        reason = conn.read_frames(stream) => reason,
        _ = &mut writer => "writing to the socket failed",
        () = kick.kicked() => "its outgoing queue was full (client too slow)",
    };
    writer.abort();
    conn.leave_all().await;
    info!(conn = id, reason, "connection closed");
}

struct Connection {
    /// What this connection has joined and its rate limit.
    session: Session,
    /// This connection as other connections' broadcasts reach it; also used for its own replies,
    /// so replies and broadcasts share one order.
    peer: Peer,
    relay: Arc<Relay>,
}

impl Connection {
    async fn read_frames(&mut self, mut stream: SplitStream<WebSocket>) -> &'static str {
        while let Some(message) = stream.next().await {
            let message = match message {
                Ok(message) => message,
                Err(e) => {
                    debug!(conn = self.peer.id, error = %e, "reading from the socket failed");
                    return "the socket failed or sent an oversized message";
                }
            };
            match message {
                Message::Binary(frame) => self.on_frame(&frame).await,
                Message::Text(_) => {
                    let refusal = self.session.screen_text(self.relay.now_ms());
                    self.send(refusal);
                }
                Message::Close(_) => return "closed by the client",
                // tungstenite answers pings itself.
                Message::Ping(_) | Message::Pong(_) => {}
            }
        }
        "the client went away"
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
        self.session.settle(doc, outcome.subscription);
        room.apply(&self.peer, outcome);
    }

    /// Stores a change, acks it and forwards it to the document's other subscribers.
    ///
    /// Those three steps run in a task of their own so that they finish together even if this
    /// connection ends meanwhile (which drops this future mid-await, see [`handle`]). Cut after
    /// the commit, the entry would be stored but never forwarded, and the client's retry would
    /// only be acked as a duplicate, which is not broadcast; the other clients would miss the
    /// entry until they next joined. An append never changes the subscription, so the session
    /// has nothing to settle.
    async fn append(&mut self, command: Command) {
        let about = command.about();
        let section = store_and_forward(Arc::clone(&self.relay), self.peer.clone(), command);
        if let Err(e) = tokio::spawn(section).await {
            self.send(store_failed(
                self.peer.id,
                about,
                &StoreError::Task(e.to_string()),
            ));
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

/// An append's critical section, under the document's lock: store, then queue the Ack and the
/// Broadcasts. It owns everything it uses, so it can outlive the connection that started it.
async fn store_and_forward(relay: Arc<Relay>, peer: Peer, command: Command) {
    let mut room = relay.rooms.lock(command.doc()).await;
    let outcome = execute(&relay, peer.id, command).await;
    room.apply(&peer, outcome);
}
