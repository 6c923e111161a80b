//! The relay's Prometheus metrics, served as text at `/metrics` (with `prometheus-client`).
//!
//! What an operator needs to see the relay keep up: open connections and documents, appends and
//! their bytes (Prometheus derives the rates), the writer's batches (size and commit time,
//! [`crate::writer`]) and its queue, and refusals by their wire code. Labels never carry a
//! document id, a connection, a token or anything a client chose: only the closed set of
//! refusal codes, so the series stay few and say nothing about who uses the relay.
//!
//! Gauges that mirror state kept elsewhere (documents in memory, the writer's queue) are read
//! when scraped rather than updated on every change.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use tandem_protocol::RelayMsg;

use crate::writer::WriterObserver;

/// The one label: a refusal's wire code (`RateLimited`, `QuotaExceeded`, …).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CodeLabel {
    pub code: String,
}

/// Every metric the relay keeps, registered once.
pub struct Metrics {
    registry: Registry,
    pub connections: Gauge,
    pub documents_open: Gauge,
    pub queued_appends: Gauge,
    pub appends: Counter,
    pub append_bytes: Counter,
    pub batch_size: Histogram,
    pub batch_seconds: Histogram,
    pub refusals: Family<CodeLabel, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("tandem");
        let metrics = Metrics {
            connections: Gauge::default(),
            documents_open: Gauge::default(),
            queued_appends: Gauge::default(),
            appends: Counter::default(),
            append_bytes: Counter::default(),
            // 1, 2, 4, … 1024 appends: the writer's largest batch.
            batch_size: Histogram::new(exponential_buckets(1.0, 2.0, 11)),
            // 0.25 ms to about 0.5 s.
            batch_seconds: Histogram::new(exponential_buckets(0.000_25, 2.0, 12)),
            refusals: Family::default(),
            registry: Registry::default(),
        };
        let m = &metrics;
        registry.register(
            "connections",
            "Open WebSocket connections",
            m.connections.clone(),
        );
        registry.register(
            "documents_open",
            "Documents with a subscriber or a request in progress",
            m.documents_open.clone(),
        );
        registry.register(
            "queued_appends",
            "Appends waiting for the writer",
            m.queued_appends.clone(),
        );
        registry.register("appends", "Appends newly stored", m.appends.clone());
        registry.register(
            "append_bytes",
            "Ciphertext bytes of appends newly stored",
            m.append_bytes.clone(),
        );
        registry.register(
            "commit_batch_size",
            "Appends committed together in one transaction",
            m.batch_size.clone(),
        );
        registry.register(
            "commit_batch_seconds",
            "Time to store and commit one batch of appends",
            m.batch_seconds.clone(),
        );
        registry.register(
            "refusals",
            "Error replies sent to clients, by code",
            m.refusals.clone(),
        );
        Metrics {
            registry,
            ..metrics
        }
    }
}

impl Metrics {
    /// Counts the refusals among messages about to be sent to a client.
    pub fn count_refusals<'a>(&self, messages: impl IntoIterator<Item = &'a RelayMsg>) {
        for message in messages {
            if let RelayMsg::Error { code, .. } = message {
                let label = CodeLabel {
                    code: format!("{code:?}"),
                };
                self.refusals.get_or_create(&label).inc();
            }
        }
    }

    /// The text exposition, with the mirrored gauges set to `documents` and `queued` first.
    pub fn render(&self, documents: usize, queued: usize) -> Result<String, std::fmt::Error> {
        self.documents_open
            .set(i64::try_from(documents).unwrap_or(i64::MAX));
        self.queued_appends
            .set(i64::try_from(queued).unwrap_or(i64::MAX));
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

impl WriterObserver for Metrics {
    fn batch(&self, size: usize, seconds: f64) {
        self.batch_size.observe(size as f64);
        self.batch_seconds.observe(seconds);
    }
}
