//! The sweep that discards attachment uploads abandoned halfway.
//!
//! The first chunk of an upload reserves the whole announced length against the document's and
//! the relay's quotas (see [`crate::store`]). A client that never finishes (a phone lost, a memo
//! removed before it was sent) would hold that reservation, and the reserved bytes, for ever.
//! Every so often the relay asks the store to discard the incomplete uploads that have received
//! no chunk for `--partial-upload-expiry-secs` ([`crate::store::Store::expire_partial_blobs`]),
//! and counts them in `tandem_expired_uploads_total`. A client that was only away answers the
//! relay's "I hold nothing" (`HEAD` says 0, a chunk past 0 gets `409` with 0) by starting again
//! from the first byte: it still holds the sealed memo, so nothing is lost but the resend.
//!
//! A day by default: long enough for a phone to be offline overnight and resume where it was,
//! short enough that abandoned reservations cannot pile up against the quotas.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::MissedTickBehavior;
use tracing::{info, warn};

use crate::metrics::Metrics;
use crate::store::Store;

/// How long an incomplete upload may go without a chunk, unless the operator says otherwise.
pub const DEFAULT_EXPIRY: Duration = Duration::from_secs(24 * 60 * 60);

/// How often the store is swept for an expiry of `expiry`: a quarter of it, so an abandoned
/// upload goes at most a quarter late, but at least once a second and at most once an hour
/// (the sweep is a cheap read of an index, and an hour is nothing against a day).
pub fn sweep_interval(expiry: Duration) -> Duration {
    (expiry / 4).clamp(Duration::from_secs(1), Duration::from_secs(60 * 60))
}

/// Sweeps `store` for uploads idle for `expiry`, at once and then every [`sweep_interval`], for
/// as long as the relay runs. A failed sweep is logged and tried again at the next one.
pub async fn run(store: Arc<dyn Store>, metrics: Arc<Metrics>, expiry: Duration) {
    let mut tick = tokio::time::interval(sweep_interval(expiry));
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let store = Arc::clone(&store);
        match tokio::task::spawn_blocking(move || store.expire_partial_blobs(expiry)).await {
            Ok(Ok(0)) => {}
            Ok(Ok(expired)) => {
                metrics.expired_uploads.inc_by(expired);
                info!(
                    expired,
                    idle_secs = expiry.as_secs(),
                    "discarded attachment uploads abandoned halfway"
                );
            }
            Ok(Err(e)) => warn!(error = %e, "expiring abandoned attachment uploads failed"),
            Err(e) => warn!(error = %e, "the task expiring abandoned uploads failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sweep_runs_a_quarter_of_the_expiry_apart_within_bounds() {
        assert_eq!(sweep_interval(DEFAULT_EXPIRY), Duration::from_secs(3600));
        assert_eq!(
            sweep_interval(Duration::from_secs(600)),
            Duration::from_secs(150)
        );
        assert_eq!(
            sweep_interval(Duration::from_secs(1)),
            Duration::from_secs(1)
        );
    }
}
