//! The relay's frame decoder on arbitrary bytes, both directions: a frame either decodes or is
//! refused with an error, and whatever decodes survives encode → decode unchanged (so the relay
//! never forwards something other than what it understood).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tandem_protocol::{ClientMsg, RelayMsg};

fuzz_target!(|frame: &[u8]| {
    if let Ok(msg) = ClientMsg::decode(frame) {
        let _ = msg.doc();
        assert_eq!(ClientMsg::decode(&msg.encode()), Ok(msg));
    }
    if let Ok(msg) = RelayMsg::decode(frame) {
        let _ = msg.doc();
        assert_eq!(RelayMsg::decode(&msg.encode()), Ok(msg));
    }
});
