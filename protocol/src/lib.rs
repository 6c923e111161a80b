//! Tandem's wire protocol and document crypto, shared by the app (wasm) and the relay (native).
//!
//! - [`message`]: the versioned binary messages between a client and the relay.
//! - [`crypto`]: the share secret, the keys HKDF derives from it, and the AEAD envelope that seals
//!   every change, snapshot and presence message before it leaves a device.
//! - [`backup`]: the sealed backup file: a device's data under a key from a passphrase.
//! - [`link`]: the share link `<origin>/v/<doc-id>#<secret>` and its parsing.
//! - [`blob`]: attachments' content address ([`BlobHash`]) and the numbers of their HTTP upload.
//! - [`limits`]: the endpoint path, frame size and rate limits both sides must agree on.
//!
//! The relay only ever sees [`message`] frames with opaque ciphertext, the document id and the
//! access token; it never learns the secret or the key.

pub mod backup;
pub mod blob;
pub mod crypto;
pub mod limits;
pub mod link;
pub mod message;

pub use blob::{BlobHash, BlobHashError};
pub use crypto::{AccessToken, CryptoError, DeleteToken, DocKey, MovedTo, OwnerSecret, Secret};
pub use link::{DocId, LinkError, ShareLink};
pub use message::{
    ClientMsg, ClientMsgId, ConnNo, DecodeError, EntryId, ErrorCode, RelayMsg, MAX_POINTER_BYTES,
    PROTOCOL_VERSION,
};
