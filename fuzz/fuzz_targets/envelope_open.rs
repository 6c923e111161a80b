//! The envelope opener with a fixed document key: arbitrary bytes opened as a change, snapshot or
//! presence envelope are refused with an error, never a panic; and any plaintext sealed with the
//! key opens to itself, only for the purpose (and snapshot sequence) it was sealed for.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tandem_protocol::crypto::Purpose;
use tandem_protocol::{DocId, DocKey, Secret};

const PURPOSES: [Purpose; 3] = [Purpose::Change, Purpose::Snapshot, Purpose::Presence];

fn key() -> &'static DocKey {
    static KEY: OnceLock<DocKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let secret = Secret::from_base64("dGFuZGVtLWZ1enotc2VjcmV0LWZpeGVkLTMyLWJ5dGU")
            .expect("a fixed 32-byte secret");
        secret.doc_key(DocId(*b"tandem-fuzz-doc!"))
    })
}

fuzz_target!(|data: &[u8]| {
    let key = key();
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let covers_seq = u64::from(selector);

    // Arbitrary bytes as an envelope: refused, unless they are a real envelope (the seeds are),
    // which opens for its one purpose only.
    let opened = PURPOSES
        .into_iter()
        .filter(|p| key.open(*p, rest).is_ok())
        .count();
    assert!(opened <= 1);
    let _ = key.open_snapshot(covers_seq, rest);

    // Seal, then open: the plaintext comes back for its own purpose and no other.
    let purpose = PURPOSES[usize::from(selector) % PURPOSES.len()];
    let sealed = key.seal(purpose, rest);
    assert_eq!(key.open(purpose, &sealed).as_deref(), Ok(rest));
    for other in PURPOSES.into_iter().filter(|p| *p != purpose) {
        assert!(key.open(other, &sealed).is_err());
    }
    // Any one flipped bit is refused.
    let mut tampered = sealed.clone();
    let at = rest.len().wrapping_mul(31) % tampered.len();
    tampered[at] ^= 1 << (selector % 8);
    assert!(key.open(purpose, &tampered).is_err());

    let snapshot = key.seal_snapshot(covers_seq, rest);
    assert_eq!(
        key.open_snapshot(covers_seq, &snapshot).as_deref(),
        Ok(rest)
    );
    assert!(key.open_snapshot(covers_seq + 1, &snapshot).is_err());
});
