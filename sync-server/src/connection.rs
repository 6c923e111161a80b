//! One WebSocket client: reading its frames and answering them.
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

use std::collections::HashSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocket};
use futures_util::stream::SplitStream;
use futures_util::StreamExt;
use subtle::ConstantTimeEq;
use tandem_protocol::{AccessToken, ClientMsg, ClientMsgId, DocId, ErrorCode, RelayMsg};
use tracing::{debug, error, info, warn};

use crate::limits::{RateLimiter, OUTGOING_BYTES, OUTGOING_QUEUE};
use crate::outbox::{write_frames, Peer};
use crate::server::Relay;
use crate::store::{Appended, StoreError};

const SLOW_DOWN: &str = "too many messages; slow down";

/// Runs one client until it disconnects or is disconnected.
pub async fn handle(socket: WebSocket, relay: Arc<Relay>) {
    let id = relay.next_conn_id();
    let (peer, rx) = Peer::new(id, OUTGOING_QUEUE, OUTGOING_BYTES);
    let (sink, stream) = socket.split();
    info!(conn = id, "connection opened");

    let mut writer = tokio::spawn(write_frames(sink, rx));
    let kick = peer.clone();
    let mut conn = Connection {
        peer,
        relay,
        joined: HashSet::new(),
        limiter: RateLimiter::default(),
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
    /// This connection as other connections' broadcasts reach it; also used for its own replies,
    /// so replies and broadcasts share one order.
    peer: Peer,
    relay: Arc<Relay>,
    /// The documents this connection is subscribed to, so it can be unsubscribed on disconnect
    /// and its appends refused for documents it never proved the token for.
    joined: HashSet<DocId>,
    limiter: RateLimiter,
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
                Message::Text(_) => self.on_text(),
                Message::Close(_) => return "closed by the client",
                // tungstenite answers pings itself.
                Message::Ping(_) | Message::Pong(_) => {}
            }
        }
        "the client went away"
    }

    fn on_text(&mut self) {
        if !self.limiter.allow() {
            return self.refuse(None, None, ErrorCode::RateLimited, SLOW_DOWN);
        }
        let text = "text frames are not part of the protocol; send binary frames";
        self.refuse(None, None, ErrorCode::Malformed, text);
    }

    async fn on_frame(&mut self, frame: &[u8]) {
        // Decoded before the rate and size checks so that their refusals can name the document
        // and the change they refuse, which the client needs to retry the right one. Any frame
        // that got here is within the WebSocket layer's hard limit, so decoding it costs no more
        // than receiving it did.
        let decoded = ClientMsg::decode(frame);
        let (doc, client_msg_id) = match &decoded {
            Ok(ClientMsg::Append {
                doc, client_msg_id, ..
            }) => (Some(*doc), Some(*client_msg_id)),
            Ok(msg) => (msg.doc(), None),
            Err(_) => (None, None),
        };
        if !self.limiter.allow() {
            return self.refuse(doc, client_msg_id, ErrorCode::RateLimited, SLOW_DOWN);
        }
        let max = self.relay.limits.max_frame_bytes;
        if frame.len() > max {
            let text = format!("frame of {} bytes is over the limit of {max}", frame.len());
            return self.refuse(doc, client_msg_id, ErrorCode::FrameTooLarge, &text);
        }
        let msg = match decoded {
            Ok(msg) => msg,
            Err(e) => {
                debug!(conn = self.peer.id, error = %e, "undecodable frame");
                return self.refuse(None, None, e.code(), &format!("cannot read the frame: {e}"));
            }
        };
        match msg {
            ClientMsg::Join {
                doc,
                token,
                since_seq,
            } => self.join(doc, token, since_seq).await,
            ClientMsg::Append {
                doc,
                client_msg_id,
                ciphertext,
            } => self.append(doc, client_msg_id, ciphertext).await,
            ClientMsg::Snapshot {
                doc,
                covers_seq,
                ciphertext,
            } => self.snapshot(doc, covers_seq, ciphertext).await,
            ClientMsg::Presence { doc, ciphertext } => self.presence(doc, ciphertext).await,
            ClientMsg::Leave { doc } => self.leave(doc).await,
            ClientMsg::Ping { nonce } => self.send(RelayMsg::Pong { nonce }),
        }
    }

    /// Subscribes and sends the catch-up. Joining a document again is a clean re-join: the
    /// subscription is replaced and the catch-up sent anew; the outbox's byte budget is what keeps
    /// a client that repeats it without reading from holding the relay's memory.
    async fn join(&mut self, doc: DocId, token: AccessToken, since_seq: u64) {
        let hash = token.hash();
        let mut room = self.relay.rooms.lock(doc).await;
        let store = Arc::clone(&self.relay.store);
        let result = blocking(move || {
            let owner = store.owner_or_register(doc, hash)?;
            if !bool::from(owner.ct_eq(&hash)) {
                return Ok(None);
            }
            store.catch_up(doc, since_seq).map(Some)
        })
        .await;
        match result {
            Ok(Some(catch_up)) => {
                room.subscribe(self.peer.clone());
                self.joined.insert(doc);
                let head_seq = catch_up.head_seq;
                let max_frame_bytes = self.relay.limits.max_frame_bytes as u64;
                let joined = RelayMsg::Joined {
                    doc,
                    head_seq,
                    max_frame_bytes,
                };
                for msg in std::iter::once(joined).chain(catch_up.into_messages(doc)) {
                    // A refused message means the connection is closing: skip encoding the rest.
                    if self.peer.send(Bytes::from(msg.encode())).is_err() {
                        break;
                    }
                }
                info!(conn = self.peer.id, %doc, since_seq, head_seq, "joined");
            }
            Ok(None) => {
                if self.joined.remove(&doc) {
                    room.unsubscribe(self.peer.id);
                    room.broadcast_left(self.peer.id, doc);
                }
                warn!(conn = self.peer.id, %doc, "join refused: wrong access token");
                let text = "the access token does not match this document's";
                self.refuse(Some(doc), None, ErrorCode::BadToken, text);
            }
            Err(e) => self.store_failed(doc, None, "join", &e),
        }
    }

    /// Stores a change, acks it and forwards it to the document's other subscribers.
    ///
    /// Those three steps run in a task of their own so that they finish together even if this
    /// connection ends meanwhile (which drops this future mid-await, see [`handle`]). Cut after
    /// the commit, the entry would be stored but never forwarded, and the client's retry would
    /// only be acked as a duplicate, which is not broadcast; the other clients would miss the
    /// entry until they next joined.
    async fn append(&mut self, doc: DocId, client_msg_id: ClientMsgId, ciphertext: Vec<u8>) {
        if !self.check_joined(doc, Some(client_msg_id)) {
            return;
        }
        let relay = Arc::clone(&self.relay);
        let section = store_and_forward(relay, self.peer.clone(), doc, client_msg_id, ciphertext);
        let result = tokio::spawn(section)
            .await
            .unwrap_or_else(|e| Err(StoreError::Task(e.to_string())));
        match result {
            Ok(Appended::New(seq)) => debug!(conn = self.peer.id, %doc, seq, "appended"),
            Ok(Appended::Duplicate(seq)) => {
                debug!(conn = self.peer.id, %doc, seq, "repeated append acknowledged again");
            }
            Err(e) => self.store_failed(doc, Some(client_msg_id), "append", &e),
        }
    }

    async fn snapshot(&mut self, doc: DocId, covers_seq: u64, ciphertext: Vec<u8>) {
        if !self.check_joined(doc, None) {
            return;
        }
        let _room = self.relay.rooms.lock(doc).await;
        let store = Arc::clone(&self.relay.store);
        let max_doc_bytes = self.relay.limits.max_doc_bytes;
        let result =
            blocking(move || store.store_snapshot(doc, covers_seq, &ciphertext, max_doc_bytes))
                .await;
        match result {
            Ok(outcome) => debug!(conn = self.peer.id, %doc, covers_seq, ?outcome, "snapshot"),
            Err(e) => self.store_failed(doc, None, "snapshot", &e),
        }
    }

    async fn presence(&mut self, doc: DocId, ciphertext: Vec<u8>) {
        if !self.check_joined(doc, None) {
            return;
        }
        let from = self.peer.id;
        let frame = Bytes::from(
            RelayMsg::Presence {
                doc,
                from,
                ciphertext,
            }
            .encode(),
        );
        self.relay
            .rooms
            .lock(doc)
            .await
            .broadcast(self.peer.id, &frame);
    }

    async fn leave(&mut self, doc: DocId) {
        if self.joined.remove(&doc) {
            let mut room = self.relay.rooms.lock(doc).await;
            room.unsubscribe(self.peer.id);
            room.broadcast_left(self.peer.id, doc);
            info!(conn = self.peer.id, %doc, "left");
        }
    }

    async fn leave_all(&mut self) {
        for doc in std::mem::take(&mut self.joined) {
            let mut room = self.relay.rooms.lock(doc).await;
            room.unsubscribe(self.peer.id);
            room.broadcast_left(self.peer.id, doc);
        }
    }

    fn check_joined(&self, doc: DocId, client_msg_id: Option<ClientMsgId>) -> bool {
        let joined = self.joined.contains(&doc);
        if !joined {
            let text = "join the document before sending to it";
            self.refuse(Some(doc), client_msg_id, ErrorCode::NotJoined, text);
        }
        joined
    }

    fn store_failed(&self, doc: DocId, id: Option<ClientMsgId>, what: &str, e: &StoreError) {
        let code = e.code();
        let text = if code == ErrorCode::Internal {
            error!(conn = self.peer.id, %doc, error = %e, "{what} failed");
            format!("the relay could not complete the {what}; it was not stored, retry later")
        } else {
            info!(conn = self.peer.id, %doc, reason = %e, "{what} refused");
            e.to_string()
        };
        self.refuse(Some(doc), id, code, &text);
    }

    fn refuse(
        &self,
        doc: Option<DocId>,
        client_msg_id: Option<ClientMsgId>,
        code: ErrorCode,
        text: &str,
    ) {
        self.send(RelayMsg::Error {
            doc,
            client_msg_id,
            code,
            message: text.to_owned(),
        });
    }

    /// Queues a reply. A full queue has already kicked this connection, which `handle` notices.
    fn send(&self, msg: RelayMsg) {
        let _ = self.peer.send(Bytes::from(msg.encode()));
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
}

/// An append's critical section, under the document's lock: store, then queue the Ack and the
/// Broadcasts. It owns everything it uses, so it can outlive the connection that started it.
async fn store_and_forward(
    relay: Arc<Relay>,
    peer: Peer,
    doc: DocId,
    client_msg_id: ClientMsgId,
    ciphertext: Vec<u8>,
) -> Result<Appended, StoreError> {
    let mut room = relay.rooms.lock(doc).await;
    let store = Arc::clone(&relay.store);
    let max_doc_bytes = relay.limits.max_doc_bytes;
    let (appended, ciphertext) = tokio::task::spawn_blocking(move || {
        let appended = store.append(doc, client_msg_id, &ciphertext, max_doc_bytes);
        (appended, ciphertext)
    })
    .await
    .map_err(|e| StoreError::Task(e.to_string()))?;
    let appended = appended?;
    let (Appended::New(seq) | Appended::Duplicate(seq)) = appended;
    let ack = RelayMsg::Ack {
        doc,
        client_msg_id,
        seq,
    };
    // A refused Ack has kicked the sender; the others must still get the entry.
    let _ = peer.send(Bytes::from(ack.encode()));
    if let Appended::New(seq) = appended {
        let broadcast = RelayMsg::Broadcast {
            doc,
            seq,
            ciphertext,
        };
        room.broadcast(peer.id, &Bytes::from(broadcast.encode()));
    }
    Ok(appended)
}
