//! Attachments ("blobs"): their content address and the numbers both sides agree on.
//!
//! A blob is sealed on the device with the vacancy's key before it leaves, so the relay only ever
//! holds ciphertext. It is named by [`BlobHash`], the SHA-256 of the *sealed* bytes: the relay can
//! check a finished upload against its name without being able to read it, and the same memo
//! sealed twice (fresh nonce each time) is simply two blobs.
//!
//! The HTTP endpoints live under [`BLOBS_PATH`] on the relay's origin:
//! `PUT|HEAD|GET /blobs/{doc}/{hash}`, with the upload in chunks of at most [`BLOB_CHUNK_BYTES`]
//! and the relay's progress in the [`UPLOAD_OFFSET_HEADER`] header. The relay's README describes
//! each answer.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

use crate::link::DocId;

/// Where the blob endpoints live, on the same origin that serves the app.
pub const BLOBS_PATH: &str = "/blobs";

/// The most a client sends in one `PUT`; a dropped connection then costs at most this much again.
pub const BLOB_CHUNK_BYTES: usize = 256 * 1024;

/// The largest blob a relay accepts unless configured otherwise (a three-minute voice memo is
/// well under it).
pub const DEFAULT_MAX_BLOB_BYTES: u64 = 8 * 1024 * 1024;

/// The most attachment bytes one document may hold at a relay unless configured otherwise.
pub const DEFAULT_MAX_DOC_BLOB_BYTES: u64 = 64 * 1024 * 1024;

/// The response header that says how many bytes of a blob the relay holds.
pub const UPLOAD_OFFSET_HEADER: &str = "upload-offset";

/// A blob's name: the SHA-256 of its sealed bytes, written as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BlobHash(pub [u8; 32]);

/// Why a blob name could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BlobHashError {
    #[error("a blob hash is 64 lowercase hex digits")]
    Malformed,
}

impl BlobHash {
    /// The name of these sealed bytes.
    pub fn of(sealed: &[u8]) -> Self {
        BlobHash(Sha256::digest(sealed).into())
    }

    /// The blob's path on the relay, `/blobs/{doc}/{hash}`, for the client to put after its origin.
    pub fn path(&self, doc: DocId) -> String {
        format!("{BLOBS_PATH}/{doc}/{self}")
    }
}

impl fmt::Display for BlobHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for BlobHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlobHash({self})")
    }
}

impl FromStr for BlobHash {
    type Err = BlobHashError;

    /// Only the canonical lowercase form: one blob must have one name, in URLs and in documents.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() != 64 || s.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(BlobHashError::Malformed);
        }
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(s, &mut bytes).map_err(|_| BlobHashError::Malformed)?;
        Ok(BlobHash(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_is_the_sha256_of_the_sealed_bytes_in_lowercase_hex() {
        // SHA-256("abc"), the FIPS 180-2 test vector.
        let hash = BlobHash::of(b"abc");
        assert_eq!(
            hash.to_string(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(hash.to_string().parse(), Ok(hash));
        assert_ne!(BlobHash::of(b"abd"), hash);
    }

    #[test]
    fn only_the_canonical_form_parses() {
        let good = BlobHash::of(b"memo").to_string();
        assert_eq!(
            good.to_uppercase().parse::<BlobHash>(),
            Err(BlobHashError::Malformed)
        );
        assert_eq!(
            good[..63].parse::<BlobHash>(),
            Err(BlobHashError::Malformed)
        );
        assert_eq!(
            format!("{good}0").parse::<BlobHash>(),
            Err(BlobHashError::Malformed)
        );
        let not_hex = format!("{}g", &good[..63]);
        assert_eq!(not_hex.parse::<BlobHash>(), Err(BlobHashError::Malformed));
        assert_eq!("".parse::<BlobHash>(), Err(BlobHashError::Malformed));
    }

    #[test]
    fn the_path_names_document_and_blob() {
        let doc = DocId([7; 16]);
        let hash = BlobHash::of(b"memo");
        assert_eq!(hash.path(doc), format!("/blobs/{doc}/{hash}"));
    }

    #[test]
    fn it_round_trips_through_postcard() {
        let hash = BlobHash::of(b"memo");
        let bytes = postcard::to_allocvec(&hash).expect("serialises");
        assert_eq!(postcard::from_bytes::<BlobHash>(&bytes), Ok(hash));
    }
}
