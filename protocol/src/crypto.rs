//! The share secret, the keys derived from it, and the sealed envelope.
//!
//! One 256-bit secret per vacancy lives only in share links and on devices. HKDF-SHA256 turns it
//! into independent values:
//! - the [`AccessToken`], which a client shows the relay to join;
//! - the document id, a hash of the token's hash ([`AccessToken::doc_id`]): the relay checks on
//!   every join that the token belongs to the id, so nobody can claim an id without the secret
//!   behind it (no squatting on an id seen in a path or a log);
//! - the [`DocKey`] (HKDF salted with the document id), an XChaCha20-Poly1305 key that seals
//!   everything the relay stores or forwards. The relay never learns it.
//!
//! A second, separate secret belongs to whoever created the vacancy: the [`OwnerSecret`]. It is
//! never in a share link; it stays on the creator's devices (and in their backups). HKDF turns
//! it into the [`DeleteToken`], and the relay keeps only [`DeleteToken::hash`]: registered once,
//! when the creator first joins a document that holds nothing yet (see
//! `ClientMsg::Own`), and asked for again before the relay deletes the document for everyone.
//! Someone with the link can read and write the vacancy, but cannot delete it from the relay.
//!
//! An envelope is `[ENVELOPE_VERSION][24-byte random nonce][ciphertext + 16-byte tag]`. The
//! associated data binds it to its document and its [`Purpose`], so a presence message cannot be
//! replayed as a change, nor a change of one vacancy into another. Attachments (voice memos)
//! are sealed the same way under [`Purpose::Attachment`]; their content address is the hash of
//! the sealed bytes (`blob::BlobHash`), so the relay can check what it stores without a key.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::link::DocId;

const ENVELOPE_VERSION: u8 = 1;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

/// The fewest bytes a sealed envelope can have (an empty plaintext): the relay refuses anything
/// shorter as a change or snapshot, since no client could have sealed it.
pub const MIN_SEALED_LEN: usize = 1 + NONCE_LEN + TAG_LEN;

/// Why sealed data could not be opened. None of these is ever applied to a document.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("the sealed data is too short to be an envelope")]
    Truncated,
    #[error("the sealed data uses envelope version {0}, which this version of Tandem cannot read")]
    UnknownVersion(u8),
    #[error("the sealed data was altered or sealed with another key")]
    Rejected,
    #[error("the secret is not valid base64url of 32 bytes")]
    BadSecret,
}

/// Fills `buf` from the operating system's (or the browser's) secure random source.
///
/// Without a working random source we cannot make safe keys or nonces at all, so this is one of
/// the few places where failing loudly is the right answer.
pub fn fill_random(buf: &mut [u8]) {
    getrandom::fill(buf).expect("the platform has no secure random source");
}

/// The 256-bit vacancy secret carried in the share link's fragment.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret([u8; 32]);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print a secret, not even in a debug log.
        f.write_str("Secret(..)")
    }
}

impl Secret {
    pub fn random() -> Self {
        let mut bytes = [0u8; 32];
        fill_random(&mut bytes);
        Secret(bytes)
    }

    pub fn to_base64(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    pub fn from_base64(s: &str) -> Result<Self, CryptoError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(s.trim())
            .map_err(|_| CryptoError::BadSecret)?;
        Ok(Secret(
            bytes.try_into().map_err(|_| CryptoError::BadSecret)?,
        ))
    }

    fn expand(&self, doc: DocId, info: &[u8]) -> [u8; 32] {
        let hk = Hkdf::<Sha256>::new(Some(&doc.0), &self.0);
        let mut out = [0u8; 32];
        hk.expand(info, &mut out)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        out
    }

    pub fn doc_key(&self, doc: DocId) -> DocKey {
        DocKey {
            doc,
            cipher: XChaCha20Poly1305::new(&self.expand(doc, b"tandem/v1/doc-key").into()),
        }
    }

    /// The token that opens this secret's document at the relay.
    pub fn access_token(&self) -> AccessToken {
        // Unsalted: the document id is derived from the token, so it cannot salt it.
        let hk = Hkdf::<Sha256>::new(None, &self.0);
        let mut out = [0u8; 32];
        hk.expand(b"tandem/v3/access-token", &mut out)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        AccessToken(out)
    }

    /// The id of this secret's document.
    pub fn doc_id(&self) -> DocId {
        self.access_token().doc_id()
    }
}

/// What a client shows the relay to join a document. Derived from the secret, so anyone with the
/// link can join, and the relay, which stores only [`AccessToken::hash`], cannot derive the key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessToken(pub [u8; 32]);

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessToken(..)")
    }
}

impl AccessToken {
    /// The token's hash, what the document id is derived from.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.0).into()
    }

    /// The document this token opens. The relay computes it on every join and refuses a token
    /// whose id differs: finding a token for a given id means inverting SHA-256.
    pub fn doc_id(&self) -> DocId {
        let mut hasher = Sha256::new();
        hasher.update(b"tandem/v3/doc-id");
        hasher.update(self.hash());
        let digest = hasher.finalize();
        let mut id = [0u8; 16];
        id.copy_from_slice(&digest[..16]);
        DocId(id)
    }
}

/// The creator's secret for one vacancy: 256 random bits that are never in the share link.
/// Whoever holds it may delete the vacancy from the relay, for everyone.
#[derive(Clone, PartialEq, Eq)]
pub struct OwnerSecret([u8; 32]);

impl std::fmt::Debug for OwnerSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OwnerSecret(..)")
    }
}

impl OwnerSecret {
    pub fn random() -> Self {
        let mut bytes = [0u8; 32];
        fill_random(&mut bytes);
        OwnerSecret(bytes)
    }

    pub fn to_base64(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    pub fn from_base64(s: &str) -> Result<Self, CryptoError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(s.trim())
            .map_err(|_| CryptoError::BadSecret)?;
        Ok(OwnerSecret(
            bytes.try_into().map_err(|_| CryptoError::BadSecret)?,
        ))
    }

    /// The token that deletes `doc` at the relay. Salted with the document id, like the key,
    /// so one owner secret used for two documents would still give two unrelated tokens.
    pub fn delete_token(&self, doc: DocId) -> DeleteToken {
        let hk = Hkdf::<Sha256>::new(Some(&doc.0), &self.0);
        let mut out = [0u8; 32];
        hk.expand(b"tandem/v3/delete-token", &mut out)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        DeleteToken(out)
    }
}

/// What the creator shows the relay to delete a document. The relay stores only its
/// [`DeleteToken::hash`], so a copy of the relay's files cannot delete anything.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteToken(pub [u8; 32]);

impl std::fmt::Debug for DeleteToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeleteToken(..)")
    }
}

impl DeleteToken {
    /// What the relay keeps and compares: SHA-256 of the token.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.0).into()
    }
}

/// What a sealed payload is; part of the associated data so one kind cannot pass for another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Purpose {
    Change = 1,
    Snapshot = 2,
    Presence = 3,
    /// A file attached to the document (a voice memo), stored as a content-addressed blob.
    Attachment = 4,
    /// Where a moved document went: the new document's secret (see [`DocKey::seal_moved_to`]).
    MovedTo = 5,
}

/// Where a moved document went: the new document's secret, and a short note from the app that
/// moved it (Tandem's says which candidate was erased, so members can drop their drafts about
/// them). Both travel sealed with the old document's key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MovedTo {
    pub secret: Secret,
    pub note: Vec<u8>,
}

/// Seals and opens one document's payloads.
#[derive(Clone)]
pub struct DocKey {
    doc: DocId,
    cipher: XChaCha20Poly1305,
}

impl DocKey {
    fn aad(&self, purpose: Purpose) -> [u8; 18] {
        let mut aad = [0u8; 18];
        aad[0] = ENVELOPE_VERSION;
        aad[1] = purpose as u8;
        aad[2..].copy_from_slice(&self.doc.0);
        aad
    }

    /// Seals `plaintext` with a fresh random nonce (192 bits, so random nonces never collide).
    pub fn seal(&self, purpose: Purpose, plaintext: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        fill_random(&mut nonce);
        let aad = self.aad(purpose);
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .expect("XChaCha20-Poly1305 encryption of an in-memory buffer cannot fail");
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(ENVELOPE_VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// Seals a snapshot together with the log sequence it covers, so a relay cannot present an
    /// old snapshot as a newer one (and make a client skip the entries in between).
    pub fn seal_snapshot(&self, covers_seq: u64, snapshot: &[u8]) -> Vec<u8> {
        let mut plain = Vec::with_capacity(8 + snapshot.len());
        plain.extend_from_slice(&covers_seq.to_le_bytes());
        plain.extend_from_slice(snapshot);
        self.seal(Purpose::Snapshot, &plain)
    }

    /// Opens a snapshot, refusing it unless it was sealed for exactly `covers_seq`.
    pub fn open_snapshot(&self, covers_seq: u64, envelope: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut plain = self.open(Purpose::Snapshot, envelope)?;
        match plain.get(..8) {
            Some(seq) if seq == covers_seq.to_le_bytes() => Ok(plain.split_off(8)),
            _ => Err(CryptoError::Rejected),
        }
    }

    /// Seals where this document moved to, readable only with this (the old) document's key,
    /// so the relay learns nothing from the pointer it keeps.
    pub fn seal_moved_to(&self, moved: &MovedTo) -> Vec<u8> {
        let mut plain = Vec::with_capacity(32 + moved.note.len());
        plain.extend_from_slice(&moved.secret.0);
        plain.extend_from_slice(&moved.note);
        self.seal(Purpose::MovedTo, &plain)
    }

    /// Opens a pointer sealed by [`Self::seal_moved_to`].
    pub fn open_moved_to(&self, envelope: &[u8]) -> Result<MovedTo, CryptoError> {
        let mut plain = self.open(Purpose::MovedTo, envelope)?;
        if plain.len() < 32 {
            return Err(CryptoError::Rejected);
        }
        let note = plain.split_off(32);
        let secret = Secret(plain.try_into().map_err(|_| CryptoError::Rejected)?);
        Ok(MovedTo { secret, note })
    }

    /// Opens an envelope; altered data, another document's data or another key is refused.
    pub fn open(&self, purpose: Purpose, envelope: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if envelope.len() < 1 + NONCE_LEN + TAG_LEN {
            return Err(CryptoError::Truncated);
        }
        if envelope[0] != ENVELOPE_VERSION {
            return Err(CryptoError::UnknownVersion(envelope[0]));
        }
        let (nonce, sealed) = envelope[1..].split_at(NONCE_LEN);
        let aad = self.aad(purpose);
        self.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: &aad,
                },
            )
            .map_err(|_| CryptoError::Rejected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> (Secret, DocId, DocKey) {
        let secret = Secret::random();
        let doc = secret.doc_id();
        let key = secret.doc_key(doc);
        (secret, doc, key)
    }

    #[test]
    fn a_moved_to_pointer_opens_only_with_the_old_key_and_as_a_pointer() {
        let (_, _, other) = key();
        let (_, _, key) = key();
        let to = MovedTo {
            secret: Secret::random(),
            note: b"candidate 42".to_vec(),
        };
        let pointer = key.seal_moved_to(&to);
        assert_eq!(key.open_moved_to(&pointer), Ok(to));
        assert!(other.open_moved_to(&pointer).is_err());
        // A change sealed by the same key is not a pointer, even if it were 32 bytes long.
        let change = key.seal(Purpose::Change, &[7; 32]);
        assert!(key.open_moved_to(&change).is_err());
    }

    #[test]
    fn round_trip_with_fresh_nonces() {
        let (_, _, key) = key();
        let a = key.seal(Purpose::Change, b"criterion: stakeholder management");
        let b = key.seal(Purpose::Change, b"criterion: stakeholder management");
        assert_ne!(a, b, "each seal uses a fresh nonce");
        assert_eq!(
            key.open(Purpose::Change, &a).unwrap(),
            b"criterion: stakeholder management"
        );
        assert!(!a.windows(11).any(|w| w == b"stakeholder"));
    }

    #[test]
    fn wrong_key_and_wrong_document_are_refused() {
        let (secret, doc, key) = key();
        let sealed = key.seal(Purpose::Change, b"hello");
        let other = Secret::random().doc_key(doc);
        assert_eq!(
            other.open(Purpose::Change, &sealed),
            Err(CryptoError::Rejected)
        );
        let other_doc = secret.doc_key(DocId::random());
        assert_eq!(
            other_doc.open(Purpose::Change, &sealed),
            Err(CryptoError::Rejected)
        );
        assert_eq!(
            key.open(Purpose::Presence, &sealed),
            Err(CryptoError::Rejected)
        );
    }

    #[test]
    fn tampering_and_truncation_are_refused() {
        let (_, _, key) = key();
        let sealed = key.seal(Purpose::Snapshot, b"the whole vacancy");
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x01;
            assert!(key.open(Purpose::Snapshot, &bad).is_err(), "flip at {i}");
        }
        assert_eq!(
            key.open(Purpose::Snapshot, &sealed[..20]),
            Err(CryptoError::Truncated)
        );
        assert!(key
            .open(Purpose::Snapshot, &sealed[..sealed.len() - 1])
            .is_err());
        assert_eq!(
            key.open(Purpose::Snapshot, &[]),
            Err(CryptoError::Truncated)
        );
    }

    #[test]
    fn snapshots_are_bound_to_the_sequence_they_cover() {
        let (_, _, key) = key();
        let sealed = key.seal_snapshot(256, b"whole document");
        assert_eq!(key.open_snapshot(256, &sealed).unwrap(), b"whole document");
        assert_eq!(key.open_snapshot(512, &sealed), Err(CryptoError::Rejected));
        let too_short = key.seal(Purpose::Snapshot, b"1234");
        assert_eq!(key.open_snapshot(0, &too_short), Err(CryptoError::Rejected));
    }

    #[test]
    fn token_id_and_key_are_independent_and_stable() {
        let (secret, doc, _) = key();
        let t1 = secret.access_token();
        assert_eq!(t1, secret.access_token());
        assert_eq!(t1.doc_id(), doc);
        assert_ne!(t1.0, secret.expand(doc, b"tandem/v1/doc-key"));
        assert_ne!(t1, Secret::random().access_token());
        assert_ne!(t1.hash(), t1.0);
        assert_ne!(doc, Secret::random().doc_id());
        assert_ne!(&doc.0[..], &t1.hash()[..16]);
    }

    #[test]
    fn delete_tokens_are_per_document_and_apart_from_the_link() {
        let (secret, doc, _) = key();
        let owner = OwnerSecret::random();
        let token = owner.delete_token(doc);
        assert_eq!(token, owner.delete_token(doc));
        assert_ne!(token, owner.delete_token(DocId::random()));
        assert_ne!(token, OwnerSecret::random().delete_token(doc));
        assert_ne!(token.0, secret.access_token().0);
        assert_ne!(token.hash(), token.0);
        assert_eq!(OwnerSecret::from_base64(&owner.to_base64()).unwrap(), owner);
        assert_eq!(OwnerSecret::from_base64("abc"), Err(CryptoError::BadSecret));
        assert_eq!(
            format!("{owner:?} {token:?}"),
            "OwnerSecret(..) DeleteToken(..)"
        );
    }

    #[test]
    fn an_attachment_opens_only_as_an_attachment() {
        let (_, _, key) = key();
        let audio = b"OggS fake opus frames".repeat(100);
        let sealed = key.seal(Purpose::Attachment, &audio);
        assert_eq!(key.open(Purpose::Attachment, &sealed).unwrap(), audio);
        assert_eq!(
            key.open(Purpose::Change, &sealed),
            Err(CryptoError::Rejected)
        );
        let change = key.seal(Purpose::Change, &audio);
        assert_eq!(
            key.open(Purpose::Attachment, &change),
            Err(CryptoError::Rejected)
        );
    }

    #[test]
    fn the_smallest_envelope_is_min_sealed_len() {
        let (_, _, key) = key();
        assert_eq!(key.seal(Purpose::Change, b"").len(), MIN_SEALED_LEN);
    }

    #[test]
    fn secret_base64_round_trip_and_errors() {
        let s = Secret::random();
        assert_eq!(Secret::from_base64(&s.to_base64()).unwrap(), s);
        assert_eq!(Secret::from_base64("abc"), Err(CryptoError::BadSecret));
        assert_eq!(Secret::from_base64("!!!"), Err(CryptoError::BadSecret));
        assert_eq!(format!("{s:?}"), "Secret(..)");
    }
}
