//! The numbers both sides of the protocol must agree on, in one place.
//!
//! The relay enforces them and the client engine stays inside them; neither restates them. A
//! relay may be configured with a smaller frame limit than the default: it says so in every
//! [`crate::RelayMsg::Joined`], and the client sizes what it sends by that figure, not this one.

/// The path of the WebSocket endpoint, on the same origin that serves the app.
pub const SYNC_PATH: &str = "/sync";

/// The largest frame a relay accepts unless configured otherwise.
pub const DEFAULT_MAX_FRAME_BYTES: usize = 2 * 1024 * 1024;

/// Sustained messages per second one connection may send.
pub const RATE_PER_SECOND: f64 = 200.0;

/// Messages one connection may send in a burst, e.g. when it flushes its offline changes.
pub const RATE_BURST: f64 = 1000.0;

/// Room in a frame for everything around a snapshot's ciphertext (version byte, message tag,
/// document id, sequence, length prefix); generous, so a client never misjudges by a byte.
pub const FRAME_OVERHEAD_BYTES: usize = 1024;
