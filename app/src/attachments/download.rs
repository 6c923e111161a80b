//! Getting a memo's audio to play: from this device when it has the sealed blob, otherwise from
//! the relay (with the access token), checked against its name before it is kept (sealed) and
//! opened with the vacancy's key.

use tandem_domain::MemoRef;
use tandem_protocol::blob::BlobHash;
use tandem_protocol::crypto::Purpose;
use tandem_protocol::ShareLink;

use super::http;
use crate::storage::LocalStore;

/// Why a memo cannot be played; each has its own message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MemoError {
    /// The relay does not have it (yet): its author's device has not sent it.
    #[error("the memo is not on the relay yet")]
    NotUploaded,
    /// Neither here nor reachable: the device is offline.
    #[error("offline, and the memo is not on this device")]
    Offline,
    /// The bytes are not what the document names, or the vacancy's key does not open them
    /// (an imported vacancy has a new key), or the relay refused the request.
    #[error("the memo could not be opened")]
    CannotOpen,
}

/// The memo's audio, opened.
pub async fn open_memo(
    store: Option<LocalStore>,
    link: &ShareLink,
    memo: &MemoRef,
) -> Result<Vec<u8>, MemoError> {
    let hash: BlobHash = memo.hash.parse().map_err(|_| MemoError::CannotOpen)?;
    let here = match &store {
        Some(store) => store.blob(link.doc, &hash).await.ok().flatten(),
        None => None,
    };
    let sealed = match here {
        Some(bytes) => bytes,
        None => {
            let bytes = fetch(link, &hash).await?;
            if let Some(store) = &store {
                // Not kept (the device is full) only means it is fetched again next time.
                let _ = store.put_blob(link.doc, &hash, &bytes).await;
            }
            bytes
        }
    };
    link.secret
        .doc_key(link.doc)
        .open(Purpose::Attachment, &sealed)
        .map_err(|_| MemoError::CannotOpen)
}

async fn fetch(link: &ShareLink, hash: &BlobHash) -> Result<Vec<u8>, MemoError> {
    if !http::online() {
        return Err(MemoError::Offline);
    }
    let token = super::bearer_token(link);
    let answer = http::request("GET", link.doc, hash, "", &token, None)
        .await
        .map_err(|_| MemoError::Offline)?;
    match answer.status {
        200 if BlobHash::of(&answer.body) == *hash => Ok(answer.body),
        404 => Err(MemoError::NotUploaded),
        _ => Err(MemoError::CannotOpen),
    }
}
