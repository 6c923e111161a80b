//! The bounds that keep one client from hurting the relay or the other clients.

use std::time::{Duration, Instant};

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
#[derive(Debug)]
pub struct RateLimiter {
    tokens: f64,
    rate: f64,
    burst: f64,
    /// When `tokens` was last brought up to date.
    refilled_at: Instant,
}

impl RateLimiter {
    pub fn new(rate: f64, burst: f64) -> Self {
        RateLimiter {
            tokens: burst,
            rate,
            burst,
            refilled_at: Instant::now(),
        }
    }

    /// Spends one token if there is one.
    pub fn allow(&mut self) -> bool {
        self.allow_at(Instant::now())
    }

    fn allow_at(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.refilled_at);
        self.refilled_at = now;
        self.tokens = (self.tokens + elapsed.as_secs_f64() * self.rate).min(self.burst);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

impl Default for RateLimiter {
    fn default() -> Self {
        RateLimiter::new(RATE_PER_SECOND, RATE_BURST)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_a_burst_then_the_rate() {
        let start = Instant::now();
        let mut limiter = RateLimiter::new(10.0, 5.0);
        limiter.refilled_at = start;
        for _ in 0..5 {
            assert!(limiter.allow_at(start));
        }
        assert!(!limiter.allow_at(start));
        // A tenth of a second refills one token, and no more than the burst ever accumulates.
        assert!(limiter.allow_at(start + Duration::from_millis(100)));
        assert!(!limiter.allow_at(start + Duration::from_millis(100)));
        let later = start + Duration::from_secs(60);
        let allowed = (0..100).filter(|_| limiter.allow_at(later)).count();
        assert_eq!(allowed, 5);
    }
}
