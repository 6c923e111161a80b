//! Refusals: every `Error` the relay sends is built here, so a refusal's code, what it names and
//! its wording are decided in one place for the server and the in-memory core alike.
//!
//! A refusal names the document and the change it refuses wherever those are known, so that a
//! client can tell which of its messages to retry. Only `Internal` refusals are worth a retry
//! as they are; the others need the client to change something first.

use tandem_protocol::{ClientMsgId, DocId, ErrorCode, RelayMsg};
use tracing::{error, info};

use crate::session::ConnId;
use crate::store::StoreError;

/// The text of every rate-limit refusal.
pub const SLOW_DOWN: &str = "too many messages; slow down";

/// The text of an append refused because the relay's append queue is full ([`crate::writer`]).
pub const BUSY: &str =
    "the relay is busy storing other changes; this one was not stored, retry shortly";

/// What a refusal is about: the document, the change if it is an append, and the operation's
/// name for the message text. Taken from a command before it is run, so that even a storage
/// task that failed outright can still be answered precisely.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct About {
    pub doc: DocId,
    pub client_msg_id: Option<ClientMsgId>,
    /// "join", "append" or "snapshot": the word the refusal's text uses.
    pub what: &'static str,
}

/// An `Error` message.
pub fn refuse(
    doc: Option<DocId>,
    client_msg_id: Option<ClientMsgId>,
    code: ErrorCode,
    text: &str,
) -> RelayMsg {
    RelayMsg::Error {
        doc,
        client_msg_id,
        code,
        message: text.to_owned(),
    }
}

/// The refusal for a store call that did not succeed: a limit the client hit gets the store's
/// own explanation and code; a failure of the relay itself is `Internal`, logged as an error,
/// and told to the client without details (which might name paths or SQL).
pub fn store_failed(conn: ConnId, about: About, e: &StoreError) -> RelayMsg {
    let About {
        doc,
        client_msg_id,
        what,
    } = about;
    let code = e.code();
    let text = if code == ErrorCode::Internal {
        error!(conn, %doc, error = %e, "{what} failed");
        format!("the relay could not complete the {what}; it was not stored, retry later")
    } else {
        info!(conn, %doc, reason = %e, "{what} refused");
        e.to_string()
    };
    refuse(Some(doc), client_msg_id, code, &text)
}
