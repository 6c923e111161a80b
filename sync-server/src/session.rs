//! One connection's protocol state, without its socket: which documents it has joined and how
//! fast it may still send. [`Session::screen`] turns one incoming frame into either an
//! immediate reply (a refusal, a `Pong`) or a [`Command`] for one document.
//!
//! Both faces of the relay own a `Session` per connection: the WebSocket server
//! ([`crate::connection`]) and the in-memory core a simulation drives ([`crate::relay_core`]).
//! Time is passed in, so the rate limit is the same code under a real and a simulated clock.

use std::collections::BTreeSet;

use tandem_protocol::{ClientMsg, ConnNo, DocId, ErrorCode, RelayMsg};
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
    limiter: RateLimiter,
    /// The largest frame this relay accepts, from [`Limits`].
    max_frame_bytes: usize,
}

impl Session {
    /// A new connection, opened at `now_ms`, with a full rate-limit bucket.
    pub fn new(id: ConnId, limits: &Limits, now_ms: u64) -> Self {
        Session {
            id,
            joined: BTreeSet::new(),
            limiter: RateLimiter::for_connection(now_ms),
            max_frame_bytes: limits.max_frame_bytes,
        }
    }

    /// Checks one binary frame received at `now_ms`: decodable, within the rate, within the
    /// size limit, and about a document this connection has joined where that matters.
    pub fn screen(&mut self, frame: &[u8], now_ms: u64) -> Screened {
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
        if !self.limiter.allow_at(now_ms) {
            return Screened::Reply(refuse(
                doc,
                client_msg_id,
                ErrorCode::RateLimited,
                SLOW_DOWN,
            ));
        }
        let max = self.max_frame_bytes;
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
        self.check(msg)
    }

    /// A text frame, which the protocol does not use; it still counts against the rate.
    pub fn screen_text(&mut self, now_ms: u64) -> RelayMsg {
        if !self.limiter.allow_at(now_ms) {
            return refuse(None, None, ErrorCode::RateLimited, SLOW_DOWN);
        }
        let text = "text frames are not part of the protocol; send binary frames";
        refuse(None, None, ErrorCode::Malformed, text)
    }

    /// Records what a command did to this connection's subscription to `doc`.
    pub fn settle(&mut self, doc: DocId, subscription: Subscription) {
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

    fn check(&self, msg: ClientMsg) -> Screened {
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
}
