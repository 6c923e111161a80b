//! Attachments (voice memos): sealed on the device with the vacancy's key, named by the hash of
//! the sealed bytes, kept sealed in IndexedDB (`storage::blobs`), and carried by the relay's
//! blob endpoints.
//!
//! - [`http`]: the endpoints through `fetch`, with the access token.
//! - [`upload`]: the background queue that sends blobs in resumable chunks.
//! - [`download`]: fetching a blob when it is to be played, checking it and opening it.
//!
//! The general path is here; what a memo is (its reference in the document) is the domain's
//! `MemoRef`, and the recorder and the player are components.

pub mod download;
pub mod http;
pub mod upload;

use tandem_domain::MemoRef;
use tandem_protocol::blob::BlobHash;
use tandem_protocol::crypto::Purpose;
use tandem_protocol::ShareLink;

/// Seals a recording with the vacancy's key: the sealed bytes and the reference the document
/// will hold.
pub fn seal_memo(
    link: &ShareLink,
    audio: &[u8],
    mime: &str,
    duration_ms: i64,
) -> (Vec<u8>, MemoRef) {
    let sealed = link
        .secret
        .doc_key(link.doc)
        .seal(Purpose::Attachment, audio);
    let memo = MemoRef {
        hash: BlobHash::of(&sealed).to_string(),
        sealed_len: sealed.len() as i64,
        mime: mime.to_string(),
        duration_ms,
    };
    (sealed, memo)
}

/// The access token as the relay's `Authorization` header carries it.
pub fn bearer_token(link: &ShareLink) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(link.secret.access_token().0)
}
