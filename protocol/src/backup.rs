//! The sealed backup file: a whole device's data, encrypted with a passphrase the person chose.
//!
//! A file is `header ‖ ciphertext`, where the header is
//! `MAGIC (8) ‖ FORMAT_VERSION (1) ‖ KDF id (1) ‖ iterations (u32, big-endian) ‖ salt (16) ‖
//! nonce (24)`, and the ciphertext is XChaCha20-Poly1305 (the AEAD that already seals every
//! change, see [`crate::crypto`]) of the content under a key derived from the passphrase, with
//! the whole header as associated data: changing the iterations, the salt or the version makes
//! the file fail to open rather than be read differently.
//!
//! The key is PBKDF2-HMAC-SHA256. Why PBKDF2 and not argon2 or scrypt: it runs in the browser
//! in the wasm we already ship (sha2 and hmac are there for HKDF), where memory-hard functions
//! get no help from threads or SIMD and would have to be tuned down to the point of losing what
//! makes them memory-hard; PBKDF2 with OWASP's 2023 figure for HMAC-SHA256, 600 000
//! iterations, is well understood, and the minimum passphrase length
//! ([`MIN_PASSPHRASE_CHARS`]) carries the rest. Measured in the browser tests (headless Chromium,
//! the release wasm, a shared two-core machine): making a backup, key derivation included,
//! takes 0.7–0.8 s, which a person waits for once per backup or restore.
//!
//! The iterations are stored in the file so a later version can raise them and still open old
//! files; an opened file may ask for at most [`MAX_ITERATIONS`], so a hostile file cannot make
//! the tab spin for hours.
//!
//! What the content is (vacancies, their stored bytes, the profile) is the app's business: here
//! it is bytes.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::Sha256;

use crate::crypto::fill_random;

/// The first bytes of every backup file, so anything else is told apart at once.
pub const MAGIC: &[u8; 8] = b"TANDEMBK";
/// This file layout's version.
pub const FORMAT_VERSION: u8 = 1;
/// PBKDF2-HMAC-SHA256: the only key derivation of version 1.
const KDF_PBKDF2_SHA256: u8 = 1;
/// The iterations new backups use (OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256).
pub const ITERATIONS: u32 = 600_000;
/// The most iterations a file may ask for when it is opened.
pub const MAX_ITERATIONS: u32 = 10_000_000;
/// The fewest a file may ask for: fewer would be a downgrade nobody made on purpose.
pub const MIN_ITERATIONS: u32 = 100_000;
/// The shortest passphrase a backup is sealed with, in characters.
pub const MIN_PASSPHRASE_CHARS: usize = 12;

const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
const HEADER_LEN: usize = 8 + 1 + 1 + 4 + SALT_LEN + NONCE_LEN;

/// Why a backup could not be sealed or opened. Nothing of a file that fails is used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackupError {
    #[error("the passphrase must be at least {MIN_PASSPHRASE_CHARS} characters long")]
    PassphraseTooShort,
    #[error("this file is not a Tandem backup")]
    NotABackup,
    #[error("this backup was made by a newer version of Tandem (format {0})")]
    NewerFormat(u8),
    #[error("the backup file is incomplete or damaged")]
    Damaged,
    #[error("the passphrase is wrong, or the backup file was changed")]
    WrongPassphrase,
}

/// Seals `content` with `passphrase`, with the default iterations.
pub fn seal(content: &[u8], passphrase: &str) -> Result<Vec<u8>, BackupError> {
    seal_with(content, passphrase, ITERATIONS)
}

/// Seals `content` with `passphrase` and a given number of iterations (tests use fewer).
pub fn seal_with(
    content: &[u8],
    passphrase: &str,
    iterations: u32,
) -> Result<Vec<u8>, BackupError> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(BackupError::PassphraseTooShort);
    }
    let mut salt = [0u8; SALT_LEN];
    let mut nonce = [0u8; NONCE_LEN];
    fill_random(&mut salt);
    fill_random(&mut nonce);
    let mut out = Vec::with_capacity(HEADER_LEN + content.len() + TAG_LEN);
    out.extend_from_slice(MAGIC);
    out.push(FORMAT_VERSION);
    out.push(KDF_PBKDF2_SHA256);
    out.extend_from_slice(&iterations.to_be_bytes());
    out.extend_from_slice(&salt);
    out.extend_from_slice(&nonce);
    let cipher = cipher(passphrase, &salt, iterations);
    let sealed = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: content,
                aad: &out,
            },
        )
        // Encrypting in memory fails only for plaintexts of hundreds of gigabytes.
        .map_err(|_| BackupError::Damaged)?;
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Opens a backup file with `passphrase`: its content, or why not.
pub fn open(file: &[u8], passphrase: &str) -> Result<Vec<u8>, BackupError> {
    if file.len() < MAGIC.len() || &file[..MAGIC.len()] != MAGIC {
        return Err(BackupError::NotABackup);
    }
    let version = *file.get(8).ok_or(BackupError::Damaged)?;
    if version > FORMAT_VERSION {
        return Err(BackupError::NewerFormat(version));
    }
    if version != FORMAT_VERSION || file.len() < HEADER_LEN + TAG_LEN {
        return Err(BackupError::Damaged);
    }
    let (header, sealed) = file.split_at(HEADER_LEN);
    if header[9] != KDF_PBKDF2_SHA256 {
        return Err(BackupError::Damaged);
    }
    let iterations = u32::from_be_bytes([header[10], header[11], header[12], header[13]]);
    if !(MIN_ITERATIONS..=MAX_ITERATIONS).contains(&iterations) {
        return Err(BackupError::Damaged);
    }
    let salt = &header[14..14 + SALT_LEN];
    let nonce = &header[14 + SALT_LEN..HEADER_LEN];
    cipher(passphrase, salt, iterations)
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: sealed,
                aad: header,
            },
        )
        // The AEAD cannot tell a wrong key from altered bytes; the tag covers both.
        .map_err(|_| BackupError::WrongPassphrase)
}

fn cipher(passphrase: &str, salt: &[u8], iterations: u32) -> XChaCha20Poly1305 {
    let mut key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(passphrase.as_bytes(), salt, iterations, &mut key);
    XChaCha20Poly1305::new(&key.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    // The fewest iterations a file may have: keeps the tests fast, and is what `open` checks.
    const FAST: u32 = MIN_ITERATIONS;
    const PASS: &str = "correct horse battery";

    #[test]
    fn a_sealed_backup_opens_with_its_passphrase() {
        let content = b"every vacancy on this phone".to_vec();
        let file = seal_with(&content, PASS, FAST).unwrap();
        assert_eq!(&file[..8], MAGIC);
        assert!(!file.windows(content.len()).any(|w| w == content));
        assert_eq!(open(&file, PASS).unwrap(), content);
        // Two backups of the same content differ: a new salt and nonce each time.
        assert_ne!(seal_with(&content, PASS, FAST).unwrap(), file);
    }

    #[test]
    fn an_empty_backup_round_trips_too() {
        let file = seal_with(b"", PASS, FAST).unwrap();
        assert_eq!(open(&file, PASS).unwrap(), b"");
    }

    #[test]
    fn a_wrong_passphrase_is_told_apart_from_a_foreign_file() {
        let file = seal_with(b"x", PASS, FAST).unwrap();
        assert_eq!(
            open(&file, "incorrect horse battery"),
            Err(BackupError::WrongPassphrase)
        );
        assert_eq!(
            open(b"{\"format\": \"tandem-vacancy\"}", PASS),
            Err(BackupError::NotABackup)
        );
        assert_eq!(open(b"", PASS), Err(BackupError::NotABackup));
    }

    #[test]
    fn a_short_passphrase_is_refused_before_anything_is_sealed() {
        assert_eq!(seal(b"x", "short"), Err(BackupError::PassphraseTooShort));
        // Characters, not bytes: twelve accented letters are enough.
        assert!(seal_with(b"x", "éééééééééééé", FAST).is_ok());
    }

    #[test]
    fn truncated_or_altered_files_fail_cleanly_at_every_length() {
        let file = seal_with(b"some content to protect", PASS, FAST).unwrap();
        let header_end = HEADER_LEN + TAG_LEN;
        // Every length up to the header's end costs nothing; past it each costs a key derivation.
        for len in (0..header_end).chain([header_end + 1, file.len() - 1]) {
            let result = open(&file[..len], PASS);
            assert!(
                matches!(
                    result,
                    Err(BackupError::NotABackup
                        | BackupError::Damaged
                        | BackupError::WrongPassphrase)
                ),
                "length {len}: {result:?}"
            );
        }
        // A flipped bit anywhere after the magic: the header is authenticated too.
        for i in [9, 12, 20, HEADER_LEN - 1, HEADER_LEN, file.len() - 1] {
            let mut altered = file.clone();
            altered[i] ^= 1;
            assert!(open(&altered, PASS).is_err(), "byte {i}");
        }
    }

    #[test]
    fn a_newer_format_and_absurd_iterations_are_refused() {
        let mut file = seal_with(b"x", PASS, FAST).unwrap();
        file[8] = 2;
        assert_eq!(open(&file, PASS), Err(BackupError::NewerFormat(2)));
        let mut file = seal_with(b"x", PASS, FAST).unwrap();
        file[10..14].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(open(&file, PASS), Err(BackupError::Damaged));
    }
}
