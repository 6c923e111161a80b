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
//!
//! On PostgreSQL there are more: the connection pool (open, idle, calls waiting) and, for
//! several relays on one database ([`crate::fanout`]), how long the changes heard from the
//! others take to reach this relay's clients and how often it had to resync.

use std::f64::consts::SQRT_2;
use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use tandem_protocol::RelayMsg;

use crate::store::PoolStatus;
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
    pub batch_longest: Gauge<f64, AtomicU64>,
    pub refusals: Family<CodeLabel, Counter>,
    pub expired_uploads: Counter,
    pub database_connections: Gauge,
    pub database_idle: Gauge,
    pub database_waiting: Gauge,
    pub fanout_delivery_seconds: Histogram,
    pub fanout_resyncs: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new(false)
    }
}

impl Metrics {
    /// Every metric; those of a PostgreSQL store's pool and fan-out only with `database`.
    pub fn new(database: bool) -> Self {
        let mut registry = Registry::with_prefix("tandem");
        let metrics = Metrics {
            connections: Gauge::default(),
            documents_open: Gauge::default(),
            queued_appends: Gauge::default(),
            appends: Counter::default(),
            append_bytes: Counter::default(),
            // 1, 2, 4, … 1024 appends: the writer's largest batch.
            batch_size: Histogram::new(exponential_buckets(1.0, 2.0, 11)),
            // 0.125 ms to about 1.4 s in steps of √2: the commit time is mostly the disk's
            // fsync, and the bench reads its median and 99th percentile from these buckets, so
            // they are finer than a doubling.
            batch_seconds: Histogram::new(exponential_buckets(0.000_125, SQRT_2, 28)),
            batch_longest: Gauge::default(),
            refusals: Family::default(),
            expired_uploads: Counter::default(),
            database_connections: Gauge::default(),
            database_idle: Gauge::default(),
            database_waiting: Gauge::default(),
            // 0.25 ms to about 2 s.
            fanout_delivery_seconds: Histogram::new(exponential_buckets(0.000_25, 2.0, 14)),
            fanout_resyncs: Counter::default(),
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
            "commit_batch_longest_seconds",
            "Longest time to store and commit one batch of appends since the relay started",
            m.batch_longest.clone(),
        );
        registry.register(
            "refusals",
            "Error replies sent to clients, by code",
            m.refusals.clone(),
        );
        registry.register(
            "expired_uploads",
            "Incomplete attachment uploads discarded after going without a chunk for the expiry time",
            m.expired_uploads.clone(),
        );
        if database {
            registry.register(
                "database_connections",
                "Connections to PostgreSQL open in the pool, in use or idle",
                m.database_connections.clone(),
            );
            registry.register(
                "database_connections_idle",
                "Connections to PostgreSQL idle in the pool",
                m.database_idle.clone(),
            );
            registry.register(
                "database_waiting",
                "Store calls waiting for a connection to PostgreSQL",
                m.database_waiting.clone(),
            );
            registry.register(
                "fanout_delivery_seconds",
                "From hearing another relay's change to queueing it for this relay's clients",
                m.fanout_delivery_seconds.clone(),
            );
            registry.register(
                "fanout_resyncs",
                "Times the connection hearing other relays was lost and open documents resynced",
                m.fanout_resyncs.clone(),
            );
        }
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

    /// The text exposition, with the mirrored gauges set to `documents`, `queued` and the
    /// database pool's state first.
    pub fn render(
        &self,
        documents: usize,
        queued: usize,
        pool: Option<PoolStatus>,
    ) -> Result<String, std::fmt::Error> {
        if let Some(pool) = pool {
            let gauge = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
            self.database_connections.set(gauge(pool.open));
            self.database_idle.set(gauge(pool.idle));
            self.database_waiting.set(gauge(pool.waiting));
        }
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
        // Only the writer thread calls this, so reading and then setting cannot race.
        if seconds > self.batch_longest.get() {
            self.batch_longest.set(seconds);
        }
    }
}
