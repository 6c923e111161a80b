//! Timing: how often the engine speaks, how long it waits, and how fast it may send.

use tandem_protocol::limits::{RATE_BURST, RATE_PER_SECOND};

use crate::Millis;

/// With nothing heard for this long on an open connection, ask the relay whether it is there.
pub const PING_WHEN_IDLE_MS: Millis = 3_000;
/// A connection that has answered nothing this long after we asked counts as dead. Generous
/// enough for a relay that is busy writing, short enough that a dead network shows in seconds.
pub const DEAD_AFTER_MS: Millis = 5_000;
/// Opening a socket that takes longer than this is given up and tried again.
pub const CONNECT_TIMEOUT_MS: Millis = 10_000;
/// The first reconnect waits this long; each failure doubles it up to [`RECONNECT_MAX_MS`].
pub const RECONNECT_MIN_MS: Millis = 500;
pub const RECONNECT_MAX_MS: Millis = 10_000;
/// How long to wait before sending again what the relay could not take just now.
pub const RETRY_MS: Millis = 2_000;
/// How long to wait before offering changes again to a relay that refused them for a quota.
pub const QUOTA_RETRY_MS: Millis = 60_000;

/// Appends that may wait for their acknowledgement at once.
pub const SEND_WINDOW: usize = 64;
/// The engine's own send rate stays this far inside the relay's limit, so that presence and
/// pings never push an append over it.
const RATE_SHARE: f64 = 0.75;

// The window must fit in the relay's burst with room to spare, or a reconnect that flushes a
// full window could be refused.
const _: () = assert!((SEND_WINDOW as f64) * 4.0 <= RATE_BURST);

/// Reconnect delays: quick after a blip, gentle while the relay is down.
#[derive(Debug, Default)]
pub struct Backoff {
    failures: u32,
}

impl Backoff {
    pub fn delay(&self) -> Millis {
        (RECONNECT_MIN_MS << self.failures.min(5)).min(RECONNECT_MAX_MS)
    }
    pub fn failed(&mut self) {
        self.failures = self.failures.saturating_add(1);
    }
    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

/// A token bucket mirroring the relay's rate limit (at [`RATE_SHARE`] of it): what the engine
/// sends never gets refused for speed, however long the outbox grew offline.
#[derive(Debug)]
pub struct SendBucket {
    tokens: f64,
    at: Millis,
}

impl SendBucket {
    pub fn new(now: Millis) -> Self {
        SendBucket {
            tokens: Self::burst(),
            at: now,
        }
    }

    fn burst() -> f64 {
        RATE_BURST * RATE_SHARE
    }

    fn rate() -> f64 {
        RATE_PER_SECOND * RATE_SHARE
    }

    fn refill(&mut self, now: Millis) {
        let elapsed = now.saturating_sub(self.at) as f64 / 1000.0;
        self.at = self.at.max(now);
        self.tokens = (self.tokens + elapsed * Self::rate()).min(Self::burst());
    }

    /// Spends a token if there is one.
    pub fn take(&mut self, now: Millis) -> bool {
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// When the next token will be there.
    pub fn next_token_at(&self) -> Millis {
        let missing = (1.0 - self.tokens).max(0.0);
        self.at + (missing / Self::rate() * 1000.0).ceil() as Millis
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_resets() {
        let mut b = Backoff::default();
        let mut delays = Vec::new();
        for _ in 0..8 {
            delays.push(b.delay());
            b.failed();
        }
        assert_eq!(
            delays,
            [500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]
        );
        b.reset();
        assert_eq!(b.delay(), 500);
    }

    #[test]
    fn the_bucket_stays_inside_the_relay_rate() {
        let mut bucket = SendBucket::new(0);
        let burst = (0..10_000).take_while(|_| bucket.take(0)).count();
        assert!(burst as f64 <= RATE_BURST, "burst {burst}");
        assert!(!bucket.take(0));
        let next = bucket.next_token_at();
        assert!(next > 0 && !bucket.take(next - 1) && bucket.take(next));
        // Over ten seconds the engine sends less than the relay allows.
        let sent = (0..10_000u64).filter(|ms| bucket.take(next + ms)).count();
        assert!((sent as f64) < RATE_PER_SECOND * 10.0, "sent {sent}");
    }
}
