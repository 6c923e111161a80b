//! The binary messages between a client and the relay.
//!
//! Every WebSocket binary frame is `[PROTOCOL_VERSION][postcard-encoded message]`. The leading
//! byte lets a relay refuse a client from the future with a clear [`ErrorCode::UnsupportedVersion`]
//! instead of misreading its bytes. One connection multiplexes any number of documents; every
//! message names its document.
//!
//! The flow for one document: `Join` → `Joined { head_seq }` → zero or more `Entries` (catch-up
//! after `since_seq`) → from then on `Broadcast` for other clients' appends and `Ack` for one's own.
//! The relay stores an `Append` durably before it sends the `Ack` and the `Broadcast`s.
//!
//! Presence is relayed with the sender's connection number (`from`), so that when a connection
//! leaves a document, by `Leave` or by going away, the others hear `PeerLeft` at once instead of
//! waiting for its presence to time out. `Ping` is answered by `Pong`: a client that hears
//! nothing for a few seconds knows its connection is dead, whatever the browser says.
//!
//! Deleting for everyone: the creator's app sends `Own` with the hash of its delete token
//! (`crate::crypto::DeleteToken`) right after its first `Joined`, before any append, so the
//! relay learns the owner while the document still holds nothing. First claim wins and is kept:
//! a different claim later is refused (`NotOwner`), and so is any claim on a document that
//! already holds entries without an owner (`NoOwner`), since whoever sends that claim only
//! proves they have the link. Documents from before owners existed therefore never get one, and
//! nobody can delete them from the relay. `Delete` with the token removes the document's log
//! and snapshot; every member hears `Deleted`, and from then on the relay answers anything for
//! that id with `NotFound`.
//!
//! Moving for everyone: erasing a candidate for real means a new document without the
//! candidate's history (Automerge keeps every change). The owner sends `Move` with the delete
//! token and a pointer to the new document sealed with the old document's key
//! ([`crate::crypto::DocKey::seal_moved_to`]). The relay deletes the old log as for `Delete`,
//! keeps only the sealed pointer beside the id, tells every member `Moved`, and answers every
//! later join of the old id with `Moved` too, so a device that was away finds the new place.
//!
//! The new messages sit at the end of each enum, so every older message still encodes exactly
//! as before and the version byte stays: an older app never sends them, and the only new thing
//! it can hear is a `Deleted` or `NotFound` about a document that is gone anyway.

use serde::{Deserialize, Serialize};

use crate::crypto::{AccessToken, DeleteToken};
use crate::link::DocId;

/// The version byte in front of every frame.
pub const PROTOCOL_VERSION: u8 = 3;

/// A client's own id for an append, random per change: a retry with the same id is stored once.
pub type ClientMsgId = [u8; 16];

/// The relay's number for one connection, unique for the life of the relay process. It tells
/// presence senders apart and carries no other meaning.
pub type ConnNo = u64;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClientMsg {
    /// Subscribe to a document and fetch everything after `since_seq` (0 = from the start).
    /// The relay refuses a token that does not derive `doc` ([`AccessToken::doc_id`]); joining
    /// an id nothing was stored under yet stores nothing.
    Join {
        doc: DocId,
        token: AccessToken,
        since_seq: u64,
        /// Entries the client holds (at most [`MAX_EXPECTED`]; more are ignored): the relay says
        /// in `Joined` whether its log still holds each of them under its sequence. If not, the
        /// log was rolled back, and the numbers after it may now name other entries.
        expect: Vec<EntryId>,
    },
    /// Store one sealed change in the document's log and forward it to the other subscribers.
    Append {
        doc: DocId,
        client_msg_id: ClientMsgId,
        ciphertext: Vec<u8>,
    },
    /// A sealed snapshot that includes every entry up to `covers_seq`; the relay may drop those.
    Snapshot {
        doc: DocId,
        covers_seq: u64,
        ciphertext: Vec<u8>,
    },
    /// Sealed "who is here" data; forwarded to the other subscribers, never stored.
    Presence { doc: DocId, ciphertext: Vec<u8> },
    /// Stop receiving a document's messages.
    Leave { doc: DocId },
    /// "Are you there?"; answered by `Pong` with the same nonce.
    Ping { nonce: u64 },
    /// The creator registers the hash of the document's delete token ([`DeleteToken::hash`]).
    /// Needs a join first. Answered by `Owned` when the document now has (or already had)
    /// exactly this owner; refused otherwise (see the module's overview).
    Own { doc: DocId, delete_hash: [u8; 32] },
    /// Deletes the document for everyone: its log and snapshot go, and the id stays refused.
    /// Needs a join first. Answered by `Deleted`; a token that does not match is refused with
    /// `NotOwner` and nothing is removed.
    Delete { doc: DocId, token: DeleteToken },
    /// Deletes the document for everyone as `Delete` does, but leaves `pointer` (at most
    /// [`MAX_POINTER_BYTES`], sealed: the relay cannot read it) for its members to follow.
    /// Answered by `Moved`; refused as `Delete` is.
    Move {
        doc: DocId,
        token: DeleteToken,
        pointer: Vec<u8>,
    },
}

/// The largest pointer a `Move` may leave: a sealed secret needs 73 bytes, which leaves room
/// for a note ([`crate::crypto::MovedTo`]) of up to 183.
pub const MAX_POINTER_BYTES: usize = 256;

/// How many entries a `Join` may ask the relay to check.
pub const MAX_EXPECTED: usize = 4;

/// A log entry's identity: its sequence and the id its author gave it. Two logs that agree on
/// one entry agree on every entry before it, since a log only ever loses a tail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryId {
    pub seq: u64,
    pub client_msg_id: ClientMsgId,
}

/// One stored log entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: u64,
    pub client_msg_id: ClientMsgId,
    pub ciphertext: Vec<u8>,
}

impl Entry {
    /// Its size inside an encoded message, computed without encoding it: how the relay fills a
    /// catch-up message up to its size target, counting the sequence and id of an entry too, so
    /// thousands of tiny entries cannot make one huge message.
    pub fn encoded_len(&self) -> usize {
        let len = self.ciphertext.len();
        varint_len(self.seq) + self.client_msg_id.len() + varint_len(len as u64) + len
    }
}

/// Bytes of postcard's variable-length integer for `value`: seven bits a byte.
fn varint_len(value: u64) -> usize {
    let bits = 64 - value.max(1).leading_zeros() as usize;
    bits.div_ceil(7)
}

/// A stored snapshot, the last log sequence it includes, and that entry's id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSnapshot {
    pub covers_seq: u64,
    pub covers_id: ClientMsgId,
    pub ciphertext: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RelayMsg {
    /// The join succeeded; `head_seq` is the newest sequence in the log right now, and
    /// `max_frame_bytes` the largest frame this relay accepts. `lost` is true when the log does
    /// not hold one of the join's `expect`ed entries: the relay lost history (say, it was
    /// restored from an older backup).
    Joined {
        doc: DocId,
        head_seq: u64,
        max_frame_bytes: u64,
        lost: bool,
    },
    /// Catch-up: an optional snapshot followed by the log entries after it, in order.
    /// Large catch-ups arrive as several `Entries` messages.
    Entries {
        doc: DocId,
        snapshot: Option<StoredSnapshot>,
        entries: Vec<Entry>,
    },
    /// One's own append is durably stored under `seq`.
    Ack {
        doc: DocId,
        client_msg_id: ClientMsgId,
        seq: u64,
    },
    /// Another client's append.
    Broadcast {
        doc: DocId,
        seq: u64,
        client_msg_id: ClientMsgId,
        ciphertext: Vec<u8>,
    },
    /// Another client's presence, with the number of the connection it came from.
    Presence {
        doc: DocId,
        from: ConnNo,
        ciphertext: Vec<u8>,
    },
    /// The connection `from` left the document (or went away): its presence is over.
    PeerLeft { doc: DocId, from: ConnNo },
    /// The answer to a `Ping`.
    Pong { nonce: u64 },
    /// A refusal. `doc` and `client_msg_id` say what it refers to, where known.
    Error {
        doc: Option<DocId>,
        client_msg_id: Option<ClientMsgId>,
        code: ErrorCode,
        message: String,
    },
    /// The document's owner is registered with the hash this connection sent in `Own`.
    Owned { doc: DocId },
    /// The document was deleted by its owner: sent to the owner as the answer to `Delete` and
    /// to every other connection in the document. The relay keeps nothing of it but its id.
    Deleted { doc: DocId },
    /// The document was moved by its owner (`Move`): its log is deleted, and `pointer` (sealed
    /// with the document's key) says where it went. Sent to every connection in the document
    /// and as the answer to every later join of its id.
    Moved { doc: DocId, pointer: Vec<u8> },
}

/// Why the relay refused something. Stable codes, so a client can react without parsing text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorCode {
    /// The access token does not match the one the document was registered with.
    BadToken,
    /// A message for a document this connection has not joined.
    NotJoined,
    /// The frame is larger than the relay accepts.
    FrameTooLarge,
    /// The document's stored log has reached its size limit.
    DocumentTooLarge,
    /// The frame could not be decoded.
    Malformed,
    /// The frame's version byte is not one this relay speaks.
    UnsupportedVersion,
    /// Too many messages in too short a time.
    RateLimited,
    /// A snapshot claims to cover entries the log does not have yet.
    SnapshotAhead,
    /// A presence message over the relay's size or rate limit; it was not forwarded. Presence is
    /// best effort: the next one may pass.
    PresenceRefused,
    /// A quota of the relay's: new documents per connection, documents in all, or bytes stored
    /// in all. The message says which.
    QuotaExceeded,
    /// The relay failed (e.g. its storage); the message was not stored and may be retried.
    Internal,
    /// The document was deleted by its owner; nothing more can be stored under its id.
    NotFound,
    /// The delete token (or owner claim) does not match the document's registered owner.
    NotOwner,
    /// The document has no owner and cannot get one (it held entries before anyone claimed
    /// it): nobody can delete it from the relay.
    NoOwner,
}

/// Why a frame could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("empty frame")]
    Empty,
    #[error("protocol version {0} is not supported (this side speaks {PROTOCOL_VERSION})")]
    UnsupportedVersion(u8),
    #[error("malformed frame: {0}")]
    Malformed(String),
}

impl DecodeError {
    pub fn code(&self) -> ErrorCode {
        match self {
            DecodeError::UnsupportedVersion(_) => ErrorCode::UnsupportedVersion,
            DecodeError::Empty | DecodeError::Malformed(_) => ErrorCode::Malformed,
        }
    }
}

fn encode<T: Serialize>(msg: &T) -> Vec<u8> {
    let mut out = vec![PROTOCOL_VERSION];
    // postcard only fails on writer errors, and a Vec grows as needed.
    out.extend(postcard::to_allocvec(msg).expect("encoding to a Vec cannot fail"));
    out
}

fn decode<'a, T: Deserialize<'a>>(frame: &'a [u8]) -> Result<T, DecodeError> {
    let (&version, body) = frame.split_first().ok_or(DecodeError::Empty)?;
    if version != PROTOCOL_VERSION {
        return Err(DecodeError::UnsupportedVersion(version));
    }
    let (msg, rest) =
        postcard::take_from_bytes(body).map_err(|e| DecodeError::Malformed(e.to_string()))?;
    if !rest.is_empty() {
        return Err(DecodeError::Malformed(format!(
            "{} trailing bytes after the message",
            rest.len()
        )));
    }
    Ok(msg)
}

impl ClientMsg {
    pub fn encode(&self) -> Vec<u8> {
        encode(self)
    }
    pub fn decode(frame: &[u8]) -> Result<Self, DecodeError> {
        decode(frame)
    }
    /// The document a message is about, if it is about one.
    pub fn doc(&self) -> Option<DocId> {
        match self {
            ClientMsg::Join { doc, .. }
            | ClientMsg::Append { doc, .. }
            | ClientMsg::Snapshot { doc, .. }
            | ClientMsg::Presence { doc, .. }
            | ClientMsg::Leave { doc }
            | ClientMsg::Own { doc, .. }
            | ClientMsg::Delete { doc, .. }
            | ClientMsg::Move { doc, .. } => Some(*doc),
            ClientMsg::Ping { .. } => None,
        }
    }
}

impl RelayMsg {
    pub fn encode(&self) -> Vec<u8> {
        encode(self)
    }
    pub fn decode(frame: &[u8]) -> Result<Self, DecodeError> {
        decode(frame)
    }
    /// The document a message is about, if it is about one.
    pub fn doc(&self) -> Option<DocId> {
        match self {
            RelayMsg::Joined { doc, .. }
            | RelayMsg::Entries { doc, .. }
            | RelayMsg::Ack { doc, .. }
            | RelayMsg::Broadcast { doc, .. }
            | RelayMsg::Presence { doc, .. }
            | RelayMsg::PeerLeft { doc, .. }
            | RelayMsg::Owned { doc }
            | RelayMsg::Deleted { doc }
            | RelayMsg::Moved { doc, .. } => Some(*doc),
            RelayMsg::Error { doc, .. } => *doc,
            RelayMsg::Pong { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{MovedTo, OwnerSecret, Secret};

    #[test]
    fn an_entrys_encoded_len_is_what_postcard_writes() {
        for (seq, len) in [(0, 0), (1, 1), (127, 127), (128, 128), (u64::MAX, 70_000)] {
            let entry = Entry {
                seq,
                client_msg_id: [9; 16],
                ciphertext: vec![1; len],
            };
            let written = postcard::to_allocvec(&entry).expect("encode").len();
            assert_eq!(entry.encoded_len(), written, "seq {seq}, {len} bytes");
        }
    }

    fn samples() -> (Vec<ClientMsg>, Vec<RelayMsg>) {
        let secret = Secret::random();
        let doc = secret.doc_id();
        let token = secret.access_token();
        let client = vec![
            ClientMsg::Join {
                doc,
                token,
                since_seq: 42,
                expect: vec![EntryId {
                    seq: 41,
                    client_msg_id: [3; 16],
                }],
            },
            ClientMsg::Append {
                doc,
                client_msg_id: [7; 16],
                ciphertext: vec![1, 2, 3],
            },
            ClientMsg::Snapshot {
                doc,
                covers_seq: 9,
                ciphertext: vec![0; 300],
            },
            ClientMsg::Presence {
                doc,
                ciphertext: vec![],
            },
            ClientMsg::Leave { doc },
            ClientMsg::Ping { nonce: 77 },
            ClientMsg::Own {
                doc,
                delete_hash: OwnerSecret::random().delete_token(doc).hash(),
            },
            ClientMsg::Delete {
                doc,
                token: OwnerSecret::random().delete_token(doc),
            },
            ClientMsg::Move {
                doc,
                token: OwnerSecret::random().delete_token(doc),
                pointer: secret.doc_key(doc).seal_moved_to(&MovedTo {
                    secret: Secret::random(),
                    note: vec![b'x'; 64],
                }),
            },
        ];
        let relay = vec![
            RelayMsg::Joined {
                doc,
                head_seq: 3,
                max_frame_bytes: 1 << 21,
                lost: true,
            },
            RelayMsg::Entries {
                doc,
                snapshot: Some(StoredSnapshot {
                    covers_seq: 1,
                    covers_id: [4; 16],
                    ciphertext: vec![5],
                }),
                entries: vec![Entry {
                    seq: 2,
                    client_msg_id: [5; 16],
                    ciphertext: vec![6, 6],
                }],
            },
            RelayMsg::Ack {
                doc,
                client_msg_id: [1; 16],
                seq: 3,
            },
            RelayMsg::Broadcast {
                doc,
                seq: 4,
                client_msg_id: [6; 16],
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
                doc: None,
                client_msg_id: None,
                code: ErrorCode::BadToken,
                message: "wrong token".into(),
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
            RelayMsg::Error {
                doc: Some(doc),
                client_msg_id: None,
                code: ErrorCode::NotOwner,
                message: "not the owner".into(),
            },
            RelayMsg::Error {
                doc: Some(doc),
                client_msg_id: None,
                code: ErrorCode::NoOwner,
                message: "no owner".into(),
            },
        ];
        (client, relay)
    }

    #[test]
    fn every_message_round_trips() {
        let (client, relay) = samples();
        for msg in client {
            let frame = msg.encode();
            assert_eq!(frame[0], PROTOCOL_VERSION);
            assert_eq!(ClientMsg::decode(&frame), Ok(msg));
        }
        for msg in relay {
            assert_eq!(RelayMsg::decode(&msg.encode()), Ok(msg));
        }
    }

    #[test]
    fn malformed_frames_are_errors_not_panics() {
        assert_eq!(ClientMsg::decode(&[]), Err(DecodeError::Empty));
        assert_eq!(
            ClientMsg::decode(&[9, 0, 0]),
            Err(DecodeError::UnsupportedVersion(9))
        );
        assert!(matches!(
            ClientMsg::decode(&[PROTOCOL_VERSION, 200]),
            Err(DecodeError::Malformed(_))
        ));
        let (client, _) = samples();
        for msg in client {
            let frame = msg.encode();
            // Every strict prefix of a valid frame is refused.
            for cut in 1..frame.len() {
                assert!(ClientMsg::decode(&frame[..cut]).is_err(), "prefix {cut}");
            }
            let mut longer = frame.clone();
            longer.push(0);
            assert!(matches!(
                ClientMsg::decode(&longer),
                Err(DecodeError::Malformed(_))
            ));
        }
        // Arbitrary bytes never panic.
        let mut x: u32 = 12345;
        for _ in 0..2000 {
            let len = (x % 64) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    (x >> 24) as u8
                })
                .collect();
            let _ = ClientMsg::decode(&bytes);
            let _ = RelayMsg::decode(&bytes);
        }
    }

    #[test]
    fn the_messages_added_for_deleting_leave_older_ones_as_they_were() {
        // Variant numbers are postcard's enum tags: new variants went at the end, so an older
        // client's frames (and the relay's answers to it) read the same as before.
        assert_eq!(
            ClientMsg::Ping { nonce: 77 }.encode(),
            [PROTOCOL_VERSION, 5, 77]
        );
        assert_eq!(
            RelayMsg::Pong { nonce: 77 }.encode(),
            [PROTOCOL_VERSION, 6, 77]
        );
        let internal = RelayMsg::Error {
            doc: None,
            client_msg_id: None,
            code: ErrorCode::Internal,
            message: String::new(),
        };
        assert_eq!(internal.encode(), [PROTOCOL_VERSION, 7, 0, 0, 10, 0]);
    }

    #[test]
    fn a_sealed_pointer_with_a_note_of_128_bytes_fits_a_move() {
        let secret = Secret::random();
        let pointer = secret.doc_key(secret.doc_id()).seal_moved_to(&MovedTo {
            secret: Secret::random(),
            note: vec![b'x'; 128],
        });
        assert!(
            pointer.len() <= MAX_POINTER_BYTES,
            "{} bytes",
            pointer.len()
        );
    }

    #[test]
    fn error_codes_follow_decode_errors() {
        assert_eq!(
            DecodeError::UnsupportedVersion(2).code(),
            ErrorCode::UnsupportedVersion
        );
        assert_eq!(DecodeError::Empty.code(), ErrorCode::Malformed);
    }
}
