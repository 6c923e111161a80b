//! The bounds that keep one client from hurting the relay or the other clients.

use std::time::Duration;

/// Messages a connection may have queued for sending before it counts as too slow and is
/// disconnected. Many small live messages (acks, presence) may wait at once; large ones are
/// bounded by [`OUTGOING_BYTES`] instead.
pub const OUTGOING_QUEUE: usize = 1024;

/// Bytes a connection may have queued for sending before it counts as too slow and is
/// disconnected. This, not the message count, is what bounds the relay's memory per client, since
/// one catch-up message can be [`CATCH_UP_CHUNK_BYTES`]. Several chunks fit, so a client that
/// reads at an ordinary pace can catch up on a full-size document.
pub const OUTGOING_BYTES: usize = 16 * 1024 * 1024;

/// The target size of one catch-up `Entries` message, so a large document arrives in pieces a
/// browser can handle one by one instead of one huge frame.
pub const CATCH_UP_CHUNK_BYTES: usize = 1024 * 1024;

/// How long to wait for a stuck socket write before giving up on the client.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(30);

// The rate limits are part of the protocol: the client engine sizes its send window by them.
pub use tandem_protocol::limits::{RATE_BURST, RATE_PER_SECOND};

/// The configurable limits, copied from [`crate::config::Config`].
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The largest binary frame a client may send.
    pub max_frame_bytes: usize,
    /// The most ciphertext (snapshot plus live entries) the relay keeps for one document.
    pub max_doc_bytes: u64,
}

impl Limits {
    /// What the WebSocket layer itself accepts: a little above our own limit, so a frame just
    /// over it still arrives and gets a clear `FrameTooLarge`, while a far larger one is cut off
    /// by the WebSocket layer before it is buffered.
    pub fn websocket_max_message(&self) -> usize {
        self.max_frame_bytes.saturating_add(64 * 1024)
    }
}

/// A token bucket: `burst` tokens, refilled at `rate` per second, one spent per message.
///
/// Time is an input, in milliseconds on any monotonic clock the caller keeps: the server passes
/// the time since it started, a simulation passes its own clock. Nothing here reads a clock, so
/// the same bucket behaves identically in both.
#[derive(Debug)]
pub struct RateLimiter {
    tokens: f64,
    rate: f64,
    burst: f64,
    /// When `tokens` was last brought up to date, in the caller's milliseconds.
    refilled_at_ms: u64,
}

impl RateLimiter {
    /// A full bucket at `now_ms`.
    pub fn new(rate: f64, burst: f64, now_ms: u64) -> Self {
        RateLimiter {
            tokens: burst,
            rate,
            burst,
            refilled_at_ms: now_ms,
        }
    }

    /// The protocol's limits ([`RATE_PER_SECOND`], [`RATE_BURST`]), full at `now_ms`.
    pub fn for_connection(now_ms: u64) -> Self {
        RateLimiter::new(RATE_PER_SECOND, RATE_BURST, now_ms)
    }

    /// Spends one token if there is one at `now_ms`. A clock that goes backwards refills nothing.
    pub fn allow_at(&mut self, now_ms: u64) -> bool {
        let elapsed_ms = now_ms.saturating_sub(self.refilled_at_ms);
        self.refilled_at_ms = self.refilled_at_ms.max(now_ms);
        let refill = elapsed_ms as f64 / 1000.0 * self.rate;
        self.tokens = (self.tokens + refill).min(self.burst);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_a_burst_then_the_rate() {
        let start = 1_000;
        let mut limiter = RateLimiter::new(10.0, 5.0, start);
        for _ in 0..5 {
            assert!(limiter.allow_at(start));
        }
        assert!(!limiter.allow_at(start));
        // A tenth of a second refills one token, and no more than the burst ever accumulates.
        assert!(limiter.allow_at(start + 100));
        assert!(!limiter.allow_at(start + 100));
        // Going back in time gives nothing back.
        assert!(!limiter.allow_at(start));
        let later = start + 60_000;
        let allowed = (0..100).filter(|_| limiter.allow_at(later)).count();
        assert_eq!(allowed, 5);
    }
}
