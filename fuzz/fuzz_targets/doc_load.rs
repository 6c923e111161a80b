//! A vacancy document from arbitrary bytes, as it comes from IndexedDB or (opened) from the relay.
//! The checks live beside the domain's regression test, which replays every crashing input the
//! same way: see `domain/tests/fuzz_regressions/exercise.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../domain/tests/fuzz_regressions/exercise.rs"]
mod exercise;

fuzz_target!(|bytes: &[u8]| exercise::document_bytes(bytes));
