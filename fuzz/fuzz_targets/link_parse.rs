//! Share-link parsing on arbitrary text, as a user might paste it: a link, an id or a secret is
//! read or refused with an error; whatever is read writes back out to text that reads the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tandem_protocol::{DocId, Secret, ShareLink};

fuzz_target!(|input: &str| {
    if let Ok(link) = ShareLink::parse(input) {
        for origin in ["https://tandem.example", "http://192.168.1.20:8080/", ""] {
            assert_eq!(ShareLink::parse(&link.to_url(origin)).as_ref(), Ok(&link));
        }
    }
    // The halves a browser holds apart: the path's id and the fragment.
    let (id, fragment) = input.split_once('#').unwrap_or((input, ""));
    if let Ok(link) = ShareLink::from_parts(id, fragment) {
        assert_eq!(ShareLink::parse(&link.path()).as_ref(), Ok(&link));
    }
    if let Ok(doc) = input.parse::<DocId>() {
        assert_eq!(doc.to_string().parse::<DocId>(), Ok(doc));
    }
    if let Ok(secret) = Secret::from_base64(input) {
        assert_eq!(Secret::from_base64(&secret.to_base64()), Ok(secret));
    }
});
