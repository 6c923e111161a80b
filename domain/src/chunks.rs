//! A guard in front of automerge's loader for bytes from storage or another device.
//!
//! Saved automerge data is a run of chunks, each
//! `[85 6f 4a 83][4-byte checksum][type][uLEB128 length][data]`. Tandem writes documents (type 0)
//! and changes (type 1, or 2 when deflated), never bundles (type 3). Automerge 0.12 reads bundles
//! too, and its bundle parser panics on some malformed column data (an `unwrap` on a decode error
//! in its `hexane` dependency, found by fuzzing) before it checks the checksum, which anyone can
//! compute anyway. A partner holding the link could seal such bytes as a change; with
//! `panic = "abort"` in the shipped app every load of that vacancy would then crash. So bundles
//! are refused here, before automerge parses anything.
//!
//! Only the chunk headers are read, exactly as automerge reads them; where the framing stops
//! making sense, automerge stops too (with an error), so nothing after that point is parsed.

use crate::vacancy::DomainError;

const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
const DOCUMENT: u8 = 0;
const CHANGE: u8 = 1;
const COMPRESSED_CHANGE: u8 = 2;
const BUNDLE: u8 = 3;

/// Refuses data holding a bundle chunk; everything else is left to automerge to judge.
pub(crate) fn refuse_bundles(mut bytes: &[u8]) -> Result<(), DomainError> {
    while let Some(rest) = bytes.strip_prefix(&MAGIC) {
        let Some((&kind, rest)) = rest.get(4..).and_then(|r| r.split_first()) else {
            break;
        };
        match kind {
            BUNDLE => {
                return Err(DomainError::Corrupt(automerge::AutomergeError::Unbundle(
                    "the data holds a bundle chunk, which Tandem never writes".into(),
                )))
            }
            DOCUMENT | CHANGE | COMPRESSED_CHANGE => {}
            _ => break,
        }
        let Some((len, rest)) = uleb128(rest) else {
            break;
        };
        match usize::try_from(len).ok().and_then(|len| rest.get(len..)) {
            Some(rest) => bytes = rest,
            // Automerge parses a chunk longer than the data as what there is, and stops there.
            None => break,
        }
    }
    Ok(())
}

/// Automerge's own reading of an unsigned LEB128 (refusing overlong and too-large encodings).
fn uleb128(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let mut value = 0u64;
    let mut shift = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        value |= u64::from(byte & 0x7f) << shift;
        shift += 7;
        if byte & 0x80 == 0 {
            if (shift > 64 && byte > 1) || (shift > 7 && byte == 0) {
                return None;
            }
            return Some((value, &bytes[i + 1..]));
        }
        if shift > 64 {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Vacancy;

    #[test]
    fn what_tandem_writes_passes() {
        let (mut v, create) = Vacancy::create("Data engineer", 1_700_000_000_000);
        let mut all = v.save();
        all.extend_from_slice(&create);
        assert!(refuse_bundles(&all).is_ok());
        assert!(refuse_bundles(&[]).is_ok());
    }

    #[test]
    fn a_bundle_anywhere_in_the_run_is_refused() {
        let (_, create) = Vacancy::create("Data engineer", 1_700_000_000_000);
        let mut bundle = MAGIC.to_vec();
        bundle.extend_from_slice(&[0, 0, 0, 0, BUNDLE, 2, 0, 0]);
        assert!(refuse_bundles(&bundle).is_err());
        let mut after_a_change = create.clone();
        after_a_change.extend_from_slice(&bundle);
        assert!(refuse_bundles(&after_a_change).is_err());
    }

    #[test]
    fn leb128_reads_as_automerge_does() {
        assert_eq!(uleb128(&[0x05, 9]), Some((5, &[9][..])));
        assert_eq!(uleb128(&[0xe5, 0x8e, 0x26]), Some((624_485, &[][..])));
        assert_eq!(uleb128(&[0x80, 0x00]), None, "overlong");
        assert_eq!(uleb128(&[0xff; 11]), None, "too large");
        assert_eq!(uleb128(&[0x80]), None, "truncated");
    }
}
