//! One WebSocket client: reading its frames, answering them, and writing what the relay sends it.
//!
//! The shape follows axum's chat example: the socket is split, a spawned writer task drains this
//! connection's bounded queue into the socket, and the reader loop below handles one frame at a
//! time. `tokio::select!` ends the connection when the reader ends, the writer fails, or the
//! relay kicks the client for letting its queue fill up.
//!
//! Nothing a client sends may panic or block the relay: every refusal is an `Error` message and
//! the connection stays open, so a client can recover from a bad frame without reconnecting.
//! Logs name the connection and document but never tokens or ciphertext.

use std::collections::HashSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocket};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use subtle::ConstantTimeEq;
use tandem_protocol::message::{Entry, StoredSnapshot};
use tandem_protocol::{AccessToken, ClientMsg, ClientMsgId, DocId, ErrorCode, RelayMsg};
use tokio::sync::{mpsc, Notify};
use tracing::{debug, error, info, warn};

use crate::limits::{RateLimiter, CATCH_UP_CHUNK_BYTES, OUTGOING_QUEUE, SEND_TIMEOUT};
use crate::rooms::Peer;
use crate::server::Relay;
use crate::store::{Appended, CatchUp, StoreError};

/// Runs one client until it disconnects or is disconnected.
pub async fn handle(socket: WebSocket, relay: Arc<Relay>) {
    let id = relay.next_conn_id();
    let (tx, rx) = mpsc::channel(OUTGOING_QUEUE);
    let kick = Arc::new(Notify::new());
    let (sink, stream) = socket.split();
    info!(conn = id, "connection opened");

    let mut writer = tokio::spawn(write_frames(sink, rx));
    let mut conn = Connection {
        peer: Peer::new(id, tx, Arc::clone(&kick)),
        relay,
        joined: HashSet::new(),
        limiter: RateLimiter::default(),
    };
    let reason = tokio::select! {
        reason = conn.read_frames(stream) => reason,
        _ = &mut writer => "writing to the socket failed",
        _ = kick.notified() => "its outgoing queue was full (client too slow)",
    };
    writer.abort();
    conn.leave_all().await;
    info!(conn = id, reason, "connection closed");
}

async fn write_frames(mut sink: SplitSink<WebSocket, Message>, mut rx: mpsc::Receiver<Bytes>) {
    while let Some(frame) = rx.recv().await {
        match tokio::time::timeout(SEND_TIMEOUT, sink.send(Message::Binary(frame))).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) | Err(_) => return,
        }
    }
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
            let is_data = matches!(message, Message::Binary(_) | Message::Text(_));
            if is_data && !self.limiter.allow() {
                self.refuse(
                    None,
                    None,
                    ErrorCode::RateLimited,
                    "too many messages; slow down",
                );
                continue;
            }
            match message {
                Message::Binary(frame) => self.on_frame(&frame).await,
                Message::Text(_) => self.refuse(
                    None,
                    None,
                    ErrorCode::Malformed,
                    "text frames are not part of the protocol; send binary frames",
                ),
                Message::Close(_) => return "closed by the client",
                // tungstenite answers pings itself.
                Message::Ping(_) | Message::Pong(_) => {}
            }
        }
        "the client went away"
    }

    async fn on_frame(&mut self, frame: &[u8]) {
        let max = self.relay.limits.max_frame_bytes;
        if frame.len() > max {
            let text = format!("frame of {} bytes is over the limit of {max}", frame.len());
            return self.refuse(None, None, ErrorCode::FrameTooLarge, &text);
        }
        let msg = match ClientMsg::decode(frame) {
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
        }
    }

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
                self.send(RelayMsg::Joined { doc, head_seq });
                for msg in catch_up_messages(doc, catch_up) {
                    self.send(msg);
                }
                info!(conn = self.peer.id, %doc, since_seq, head_seq, "joined");
            }
            Ok(None) => {
                room.unsubscribe(self.peer.id);
                self.joined.remove(&doc);
                warn!(conn = self.peer.id, %doc, "join refused: wrong access token");
                let text = "the access token does not match this document's";
                self.refuse(Some(doc), None, ErrorCode::BadToken, text);
            }
            Err(e) => self.store_failed(doc, None, "join", &e),
        }
    }

    async fn append(&mut self, doc: DocId, client_msg_id: ClientMsgId, ciphertext: Vec<u8>) {
        if !self.check_joined(doc, Some(client_msg_id)) {
            return;
        }
        let mut room = self.relay.rooms.lock(doc).await;
        let store = Arc::clone(&self.relay.store);
        let max_doc_bytes = self.relay.limits.max_doc_bytes;
        let (result, ciphertext) = match tokio::task::spawn_blocking(move || {
            let result = store.append(doc, client_msg_id, &ciphertext, max_doc_bytes);
            (result, ciphertext)
        })
        .await
        {
            Ok(done) => done,
            Err(e) => (Err(StoreError::Task(e.to_string())), Vec::new()),
        };
        match result {
            Ok(Appended::New(seq)) => {
                self.send(RelayMsg::Ack {
                    doc,
                    client_msg_id,
                    seq,
                });
                let frame = Bytes::from(
                    RelayMsg::Broadcast {
                        doc,
                        seq,
                        ciphertext,
                    }
                    .encode(),
                );
                room.broadcast(self.peer.id, &frame);
                debug!(conn = self.peer.id, %doc, seq, "appended");
            }
            Ok(Appended::Duplicate(seq)) => {
                self.send(RelayMsg::Ack {
                    doc,
                    client_msg_id,
                    seq,
                });
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
        let frame = Bytes::from(RelayMsg::Presence { doc, ciphertext }.encode());
        self.relay
            .rooms
            .lock(doc)
            .await
            .broadcast(self.peer.id, &frame);
    }

    async fn leave(&mut self, doc: DocId) {
        if self.joined.remove(&doc) {
            self.relay.rooms.lock(doc).await.unsubscribe(self.peer.id);
            info!(conn = self.peer.id, %doc, "left");
        }
    }

    async fn leave_all(&mut self) {
        for doc in std::mem::take(&mut self.joined) {
            self.relay.rooms.lock(doc).await.unsubscribe(self.peer.id);
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

/// Splits a catch-up into `Entries` messages of about [`CATCH_UP_CHUNK_BYTES`] each; the snapshot
/// rides in the first. Nothing to send means no message at all.
fn catch_up_messages(doc: DocId, catch_up: CatchUp) -> Vec<RelayMsg> {
    let mut messages = Vec::new();
    let mut snapshot: Option<StoredSnapshot> = catch_up.snapshot;
    let mut size = snapshot.as_ref().map_or(0, |s| s.ciphertext.len());
    let mut batch: Vec<Entry> = Vec::new();
    for entry in catch_up.entries {
        let full = size + entry.ciphertext.len() > CATCH_UP_CHUNK_BYTES;
        if full && (!batch.is_empty() || snapshot.is_some()) {
            messages.push(RelayMsg::Entries {
                doc,
                snapshot: snapshot.take(),
                entries: std::mem::take(&mut batch),
            });
            size = 0;
        }
        size += entry.ciphertext.len();
        batch.push(entry);
    }
    if !batch.is_empty() || snapshot.is_some() {
        messages.push(RelayMsg::Entries {
            doc,
            snapshot,
            entries: batch,
        });
    }
    messages
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: u64, len: usize) -> Entry {
        Entry {
            seq,
            ciphertext: vec![0; len],
        }
    }

    #[test]
    fn catch_up_is_chunked_in_order() {
        let doc = DocId([1; 16]);
        assert!(catch_up_messages(doc, CatchUp::default()).is_empty());
        let half = CATCH_UP_CHUNK_BYTES / 2;
        let catch_up = CatchUp {
            head_seq: 5,
            snapshot: Some(StoredSnapshot {
                covers_seq: 1,
                ciphertext: vec![0; half],
            }),
            entries: (2..=5).map(|seq| entry(seq, half)).collect(),
        };
        let messages = catch_up_messages(doc, catch_up);
        let shapes: Vec<(bool, Vec<u64>)> = messages
            .iter()
            .map(|m| match m {
                RelayMsg::Entries {
                    snapshot, entries, ..
                } => (snapshot.is_some(), entries.iter().map(|e| e.seq).collect()),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(
            shapes,
            vec![(true, vec![2]), (false, vec![3, 4]), (false, vec![5])]
        );
    }
}
