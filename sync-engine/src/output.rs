//! What the engine hands to the app.

use tandem_protocol::{ClientMsgId, DocId, ErrorCode, MovedTo};

use crate::document::Stored;
use crate::Millis;

/// One thing for the app to do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Open the socket to the relay, then call [`crate::Engine::connected`] (or
    /// [`crate::Engine::disconnected`] if that fails).
    Connect,
    /// Close the socket: it is dead or the network is gone. The engine already counts it as
    /// closed.
    Disconnect,
    /// Send this binary frame on the open socket.
    Send(Vec<u8>),
    Event(Event),
}

/// Something the app must act on or show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Changes from the relay, already opened with the document key: merge them into the
    /// document and store them, together with `stored` (how far the stored copy then got).
    Changes {
        doc: DocId,
        changes: Vec<Vec<u8>>,
        stored: Stored,
    },
    /// The relay has durably stored these outbox entries: remove them from storage, and record
    /// `stored` with them (it is how a relay that lost history is noticed later).
    Acked {
        doc: DocId,
        ids: Vec<ClientMsgId>,
        stored: Stored,
    },
    /// The relay has less history than it once acknowledged (restored from an older backup):
    /// store the whole document as one local change, so it reaches the relay again.
    UploadWhole { doc: DocId },
    /// Offer the relay a snapshot: call [`crate::Engine::offer_snapshot`] with the document
    /// saved now, which holds every entry up to `covers_seq`.
    SnapshotWanted { doc: DocId, covers_seq: u64 },
    /// Who is here changed: read [`crate::Engine::peers`].
    PeersChanged { doc: DocId },
    /// The sync status changed: read [`crate::Engine::status`].
    StatusChanged { doc: DocId },
    /// Something the user should know; `doc` is `None` for the connection as a whole.
    Problem {
        doc: Option<DocId>,
        problem: Problem,
    },
}

/// What can go wrong in sync that the user must hear about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// The relay refused something, with its reason.
    Refused(ErrorCode),
    /// Data from the relay failed authentication: altered, or sealed with another key.
    Unreadable,
    /// A local change is larger than the relay accepts in one frame; it stays on the device.
    ChangeTooLarge,
}

/// The state of the connection as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Offline,
    Connecting,
    Online,
}

/// One document's sync state, as the views show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocStatus {
    pub link: Link,
    /// Joined and holding everything the relay had at the join.
    pub caught_up: bool,
    /// Local changes the relay has not acknowledged yet.
    pub unsent: usize,
    /// When the oldest of them was made.
    pub oldest_unsent_at: Option<Millis>,
    /// Joined, caught up, and the relay has nothing for this document.
    pub relay_empty: bool,
    /// The relay refused the link's access token.
    pub denied: bool,
    /// A lasting refusal: changes wait on this device until something changes.
    pub blocked: Option<ErrorCode>,
    /// The relay confirmed this device's owner claim: it may delete the document for everyone.
    pub owned: bool,
    /// The document was deleted by its owner: the relay keeps nothing of it, and this device
    /// sends nothing more for it.
    pub deleted: bool,
    /// The document was moved by its owner (and so is `deleted` too): the secret of the
    /// document it became, which the app opens in its place, and the mover's note.
    pub moved_to: Option<MovedTo>,
}
