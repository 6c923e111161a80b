//! One connection's protocol state, without its socket: which documents it has joined, how
//! many it has brought into being, and how fast it may still send. [`Session::admit`] says
//! whether a frame may be handled now or only after a wait; [`Session::screen`] turns it into
//! either an immediate reply (a refusal, a `Pong`) or a [`Command`] for one document.
//!
//! Both faces of the relay own a `Session` per connection: the WebSocket server
//! ([`crate::connection`]) and the in-memory core a simulation drives ([`crate::relay_core`]).
//! A frame over the rate is where they differ: the server stops reading for the wait (the
//! client is slowed by its own socket, and nothing queues up on either side), while the core,
//! which cannot hold a frame back, refuses it with `RateLimited`. Time is passed in, so the
//! buckets are the same code under a real and a simulated clock.

use std::collections::BTreeSet;

use tandem_protocol::crypto::MIN_SEALED_LEN;
use tandem_protocol::{
    ClientMsg, ClientMsgId, ConnNo, DocId, ErrorCode, RelayMsg, MAX_POINTER_BYTES,
};
use tracing::debug;

use crate::command::{Command, Subscription};
use crate::limits::{Limits, RateLimiter};
use crate::refusal::{refuse, SLOW_DOWN};

/// A connection's id, unique for the life of the relay process: it tells connections apart in
/// logs and is the `from` of their presence.
pub type ConnId = ConnNo;

/// What to do with one incoming frame.
#[derive(Debug, PartialEq, Eq)]
pub enum Screened {
    /// Answer the sender with this and do nothing else: a refusal or a `Pong`.
    Reply(RelayMsg),
    /// Run this under the document's lock ([`crate::command::execute`]).
    Command(Command),
    /// Nothing to do, e.g. leaving a document one is not in.
    Nothing,
}

#[derive(Debug)]
pub struct Session {
    /// The relay's number for this connection.
    pub id: ConnId,
    /// The documents this connection has joined: appends, snapshots and presence are refused for
    /// any other, and on disconnect it leaves each of these. Ordered, so that the leaving (and
    /// the `PeerLeft` messages it sends) happens in the same order on every run of a simulation.
    joined: BTreeSet<DocId>,
    /// Messages, at the protocol's rate.
    limiter: RateLimiter,
    /// Incoming bytes, so that large frames cannot be sent as fast as small ones.
    bytes: RateLimiter,
    /// Presence, which is forwarded to every subscriber and so costs the most to flood.
    presence: RateLimiter,
    /// Documents this connection brought into being, against its quota.
    created: u32,
    limits: Limits,
}

/// Whether a frame may be handled yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Now,
    /// Over the connection's message or byte rate: not before this many milliseconds.
    After(u64),
}

impl Session {
    /// A new connection, opened at `now_ms`, with full buckets.
    pub fn new(id: ConnId, limits: &Limits, now_ms: u64) -> Self {
        Session {
            id,
            joined: BTreeSet::new(),
            limiter: RateLimiter::for_connection(now_ms),
            bytes: RateLimiter::new(
                limits.bytes_per_second as f64,
                limits.bytes_burst() as f64,
                now_ms,
            ),
            presence: RateLimiter::new(
                limits.presence_per_second,
                limits.presence_per_second * 2.0,
                now_ms,
            ),
            created: 0,
            limits: *limits,
        }
    }

    /// Charges one incoming message of `len` bytes (any kind, pings and text included) to the
    /// connection's buckets if both have room at `now_ms`; otherwise charges nothing and says
    /// when to try again.
    pub fn admit(&mut self, len: usize, now_ms: u64) -> Admission {
        // The byte bucket is checked first and refunded by not charging the message bucket:
        // neither is charged unless both have room.
        let cost = (len as u64).min(self.limits.bytes_burst()) as f64;
        let mut probe = self.bytes.clone();
        if let Err(wait) = probe.take_at(cost, now_ms) {
            return Admission::After(wait);
        }
        if let Err(wait) = self.limiter.take_at(1.0, now_ms) {
            return Admission::After(wait);
        }
        self.bytes = probe;
        Admission::Now
    }

    /// The refusal for a frame [`Session::admit`] did not let through, naming what it can.
    pub fn rate_refusal(frame: &[u8]) -> RelayMsg {
        let (doc, client_msg_id) = names(frame);
        refuse(doc, client_msg_id, ErrorCode::RateLimited, SLOW_DOWN)
    }

    /// Checks one binary frame received at `now_ms` (and admitted): decodable, within the size
    /// limits, and about a document this connection has joined where that matters.
    pub fn screen(&mut self, frame: &[u8], now_ms: u64) -> Screened {
        // Decoded before the size check so that its refusal can name the document and the
        // change it refuses, which the client needs to retry the right one. Any frame that got
        // here is within the WebSocket layer's hard limit, so decoding it costs no more than
        // receiving it did.
        let decoded = ClientMsg::decode(frame);
        let (doc, client_msg_id) = match &decoded {
            Ok(msg) => msg_names(msg),
            Err(_) => (None, None),
        };
        let max = self.limits.max_frame_bytes;
        if frame.len() > max {
            let text = format!("frame of {} bytes is over the limit of {max}", frame.len());
            return Screened::Reply(refuse(doc, client_msg_id, ErrorCode::FrameTooLarge, &text));
        }
        let msg = match decoded {
            Ok(msg) => msg,
            Err(e) => {
                debug!(conn = self.id, error = %e, "undecodable frame");
                let text = format!("cannot read the frame: {e}");
                return Screened::Reply(refuse(None, None, e.code(), &text));
            }
        };
        self.check(msg, now_ms)
    }

    /// A text frame, which the protocol does not use (admitted like any other message).
    pub fn screen_text() -> RelayMsg {
        let text = "text frames are not part of the protocol; send binary frames";
        refuse(None, None, ErrorCode::Malformed, text)
    }

    /// Records what a command did to this connection's subscription to `doc`, and whether it
    /// brought the document into being.
    pub fn settle(&mut self, doc: DocId, subscription: Subscription, created: bool) {
        if created {
            self.created = self.created.saturating_add(1);
        }
        match subscription {
            Subscription::Keep => {}
            Subscription::Subscribe => {
                self.joined.insert(doc);
            }
            Subscription::Unsubscribe => {
                self.joined.remove(&doc);
            }
        }
    }

    /// The connection has ended: a `Leave` for every document it is in, in order.
    pub fn leave_all(&mut self) -> Vec<Command> {
        std::mem::take(&mut self.joined)
            .into_iter()
            .map(|doc| Command::Leave { doc })
            .collect()
    }

    fn check(&mut self, msg: ClientMsg, now_ms: u64) -> Screened {
        if let Some(refusal) = self.check_payload(&msg, now_ms) {
            return Screened::Reply(refusal);
        }
        let may_create = self.created < self.limits.max_new_docs_per_connection;
        let command = match msg {
            ClientMsg::Ping { nonce } => return Screened::Reply(RelayMsg::Pong { nonce }),
            ClientMsg::Leave { doc } if !self.joined.contains(&doc) => return Screened::Nothing,
            ClientMsg::Leave { doc } => Command::Leave { doc },
            ClientMsg::Join {
                doc,
                token,
                since_seq,
                expect,
            } => Command::Join {
                doc,
                token,
                since_seq,
                expect,
                rejoin: self.joined.contains(&doc),
            },
            ClientMsg::Append {
                doc,
                client_msg_id,
                ciphertext,
            } => Command::Append {
                doc,
                client_msg_id,
                ciphertext,
                may_create,
            },
            ClientMsg::Snapshot {
                doc,
                covers_seq,
                ciphertext,
            } => Command::Snapshot {
                doc,
                covers_seq,
                ciphertext,
            },
            ClientMsg::Presence { doc, ciphertext } => Command::Presence { doc, ciphertext },
            ClientMsg::Own { doc, delete_hash } => Command::Own {
                doc,
                delete_hash,
                may_create,
            },
            ClientMsg::Delete { doc, token } => Command::Delete {
                doc,
                token,
                moved_to: None,
            },
            ClientMsg::Move {
                doc,
                token,
                pointer,
            } => {
                if pointer.len() > MAX_POINTER_BYTES {
                    let text = format!(
                        "a move's pointer may be at most {MAX_POINTER_BYTES} bytes; this one has {}",
                        pointer.len()
                    );
                    return Screened::Reply(refuse(Some(doc), None, ErrorCode::Malformed, &text));
                }
                Command::Delete {
                    doc,
                    token,
                    moved_to: Some(pointer),
                }
            }
        };
        let needs_membership = !matches!(command, Command::Join { .. });
        if needs_membership && !self.joined.contains(&command.doc()) {
            let about = command.about();
            let text = "join the document before sending to it";
            return Screened::Reply(refuse(
                Some(about.doc),
                about.client_msg_id,
                ErrorCode::NotJoined,
                text,
            ));
        }
        Screened::Command(command)
    }

    /// The checks on what a message carries that need no store: sealed payloads no shorter
    /// than an envelope, a snapshot that covers something, presence within its size and rate.
    fn check_payload(&mut self, msg: &ClientMsg, now_ms: u64) -> Option<RelayMsg> {
        let (doc, client_msg_id) = msg_names(msg);
        let malformed = |text: String| refuse(doc, client_msg_id, ErrorCode::Malformed, &text);
        match msg {
            ClientMsg::Append { ciphertext, .. } if ciphertext.len() < MIN_SEALED_LEN => {
                Some(malformed(format!(
                    "a change of {} bytes cannot be sealed; the smallest envelope is {MIN_SEALED_LEN}",
                    ciphertext.len()
                )))
            }
            ClientMsg::Snapshot { ciphertext, .. } if ciphertext.len() < MIN_SEALED_LEN => {
                Some(malformed(format!(
                    "a snapshot of {} bytes cannot be sealed; the smallest envelope is \
                     {MIN_SEALED_LEN}; the history it claims to cover is kept",
                    ciphertext.len()
                )))
            }
            ClientMsg::Snapshot { covers_seq: 0, .. } => Some(malformed(
                "a snapshot must cover at least the first entry".to_owned(),
            )),
            ClientMsg::Presence { ciphertext, .. } => {
                let max = self.limits.max_presence_bytes;
                let text = if ciphertext.len() > max {
                    format!(
                        "presence of {} bytes is over the limit of {max}; not forwarded",
                        ciphertext.len()
                    )
                } else if !self.presence.allow_at(now_ms) {
                    let rate = self.limits.presence_per_second;
                    format!("more than {rate} presence messages a second; not forwarded")
                } else {
                    return None;
                };
                Some(refuse(doc, None, ErrorCode::PresenceRefused, &text))
            }
            _ => None,
        }
    }
}

/// The document and change a frame is about, if it can be read: what a refusal names.
fn names(frame: &[u8]) -> (Option<DocId>, Option<ClientMsgId>) {
    ClientMsg::decode(frame).map_or((None, None), |msg| msg_names(&msg))
}

fn msg_names(msg: &ClientMsg) -> (Option<DocId>, Option<ClientMsgId>) {
    match msg {
        ClientMsg::Append {
            doc, client_msg_id, ..
        } => (Some(*doc), Some(*client_msg_id)),
        msg => (msg.doc(), None),
    }
}
