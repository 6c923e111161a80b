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

// The rate limits are part of the protocol: the client engine sizes its send window by them.
pub use tandem_protocol::limits::{RATE_BURST, RATE_PER_SECOND};

/// The limits that decide what a command may do, shared by the server and the in-memory core
/// ([`crate::relay_core`]); copied from [`crate::config::Config`]. The server's own network
/// limits (connections, timeouts) are in [`NetLimits`].
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The largest binary frame a client may send.
    pub max_frame_bytes: usize,
    /// The most a document may cost the relay: its snapshot, its live entries, and
    /// [`ENTRY_OVERHEAD_BYTES`] for every entry it ever stored.
    pub max_doc_bytes: u64,
    /// The largest presence ciphertext forwarded.
    pub max_presence_bytes: usize,
    /// Presence messages one connection may send a second (twice that in a burst).
    pub presence_per_second: f64,
    /// Incoming bytes one connection may send a second; the burst is at least one largest frame.
    pub bytes_per_second: u64,
    /// Documents one connection may bring into being (by its first write to an unknown id).
    pub max_new_docs_per_connection: u32,
    /// Documents the relay holds in all.
    pub max_docs: u64,
    /// Bytes the relay holds in all, counted as documents count them, attachments included.
    pub max_total_bytes: u64,
    /// The largest attachment (sealed blob) the relay takes.
    pub max_blob_bytes: u64,
    /// The most attachment bytes one document may hold; apart from [`Limits::max_doc_bytes`],
    /// which is its log's, so a memo cannot crowd out the document's own changes.
    pub max_doc_blob_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_frame_bytes: tandem_protocol::limits::DEFAULT_MAX_FRAME_BYTES,
            max_doc_bytes: 64 * 1024 * 1024,
            max_presence_bytes: 4 * 1024,
            presence_per_second: 20.0,
            bytes_per_second: 8 * 1024 * 1024,
            max_new_docs_per_connection: 64,
            max_docs: 100_000,
            max_total_bytes: 16 * 1024 * 1024 * 1024,
            max_blob_bytes: tandem_protocol::blob::DEFAULT_MAX_BLOB_BYTES,
            max_doc_blob_bytes: tandem_protocol::blob::DEFAULT_MAX_DOC_BLOB_BYTES,
        }
    }
}

/// What every stored entry costs against a document's limit on top of its ciphertext: the row
/// (sequence, id, index) stays after a snapshot drops the ciphertext, so even empty appends
/// cannot grow the database for free.
pub const ENTRY_OVERHEAD_BYTES: u64 = 64;

impl Limits {
    /// What the WebSocket layer itself accepts: a little above our own limit, so a frame just
    /// over it still arrives and gets a clear `FrameTooLarge`, while a far larger one is cut off
    /// by the WebSocket layer before it is buffered.
    pub fn websocket_max_message(&self) -> usize {
        self.max_frame_bytes.saturating_add(64 * 1024)
    }

    /// The most the WebSocket layer may hold unsent for one connection: our largest frame (a
    /// catch-up message of one chunk plus one entry, or a snapshot) and room for the pongs it
    /// answers pings with. A client that pings without reading hits this and is disconnected,
    /// instead of growing the relay's memory by a pong per ping.
    pub fn websocket_max_write_buffer(&self) -> usize {
        self.max_frame_bytes
            .saturating_mul(2)
            .saturating_add(CATCH_UP_CHUNK_BYTES)
            .saturating_add(64 * 1024)
    }

    /// The per-connection byte bucket's size: one second's worth, but never less than one frame
    /// of the largest size, which must always be able to pass.
    pub fn bytes_burst(&self) -> u64 {
        self.bytes_per_second
            .max(self.websocket_max_message() as u64)
    }
}

/// The limits of the network face only: how many connections, from where, and how long each
/// may stay silent or stuck. Copied from [`crate::config::Config`].
#[derive(Debug, Clone)]
pub struct NetLimits {
    /// Open TCP connections in all (HTTP and WebSocket); more are answered 503 and closed.
    pub max_connections: usize,
    /// Open TCP connections from one IP address; 0 for no such limit (behind a proxy, where
    /// every client has the proxy's address).
    pub max_connections_per_address: usize,
    /// Messages a second from all WebSocket connections of one address together (five seconds'
    /// worth in a burst), so that opening more sockets does not multiply the rate.
    pub messages_per_second_per_address: f64,
    /// How long a client may take to send a request's headers, and an idle keep-alive
    /// connection may wait for its next request.
    pub header_timeout: Duration,
    /// How long a WebSocket client has to answer the relay's pings; it must also send a
    /// complete message every four times this. The app pings every few seconds when idle, so
    /// only dead, stuck or hostile connections reach either.
    pub idle_timeout: Duration,
    /// How long one frame may take to be written to a client before it counts as gone.
    pub write_timeout: Duration,
    /// Origins (scheme://host[:port]) besides the relay's own whose pages may open `/sync`.
    pub allowed_origins: Vec<String>,
    /// Appends waiting to be stored ([`crate::writer`]) beyond which new ones are refused with
    /// `RateLimited`: past it the relay is behind, and a longer queue is only more latency.
    pub max_queued_appends: usize,
    /// How long a new append may be expected to wait for its commit before it is refused with
    /// `RateLimited` ([`crate::pushback`]): past it the relay is behind. A single commit that
    /// runs four times this long also refuses new appends while it lasts.
    pub max_append_wait: Duration,
}

impl Default for NetLimits {
    fn default() -> Self {
        NetLimits {
            max_connections: 1000,
            max_connections_per_address: 64,
            messages_per_second_per_address: 1000.0,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(30),
            allowed_origins: Vec::new(),
            max_queued_appends: 4096,
            max_append_wait: Duration::from_millis(25),
        }
    }
}

/// A token bucket: `burst` tokens, refilled at `rate` per second, one spent per message.
///
/// Time is an input, in milliseconds on any monotonic clock the caller keeps: the server passes
/// the time since it started, a simulation passes its own clock. Nothing here reads a clock, so
/// the same bucket behaves identically in both.
#[derive(Debug, Clone)]
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
        self.take_at(1.0, now_ms).is_ok()
    }

    /// Spends `cost` tokens if there are that many at `now_ms`; otherwise spends nothing and
    /// says how many milliseconds until there will be. A cost over the burst can never pass:
    /// callers size their buckets so that it cannot happen.
    pub fn take_at(&mut self, cost: f64, now_ms: u64) -> Result<(), u64> {
        let elapsed_ms = now_ms.saturating_sub(self.refilled_at_ms);
        self.refilled_at_ms = self.refilled_at_ms.max(now_ms);
        let refill = elapsed_ms as f64 / 1000.0 * self.rate;
        self.tokens = (self.tokens + refill).min(self.burst);
        if self.tokens >= cost {
            self.tokens -= cost;
            Ok(())
        } else {
            let missing = cost.min(self.burst) - self.tokens;
            Err((missing / self.rate * 1000.0).ceil().max(1.0) as u64)
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

    #[test]
    fn a_bucket_says_how_long_until_a_cost_fits() {
        let mut bytes = RateLimiter::new(1000.0, 2000.0, 0);
        assert_eq!(bytes.take_at(1500.0, 0), Ok(()));
        // 500 left: 1000 more take one second, and nothing is spent by asking.
        assert_eq!(bytes.take_at(1500.0, 0), Err(1000));
        assert_eq!(bytes.take_at(1500.0, 500), Err(500));
        assert_eq!(bytes.take_at(1500.0, 1000), Ok(()));
    }
}
