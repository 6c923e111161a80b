//! Command-line flags, each also settable from the environment for container deployments.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

use std::time::Duration;

use crate::limits::{Limits, NetLimits};

#[derive(Debug, Clone, Parser)]
#[command(
    name = "tandem-relay",
    version,
    about = "Tandem's relay: stores and forwards end-to-end encrypted document changes over \
             WebSockets at /sync, and serves the built app."
)]
pub struct Config {
    /// Address and port to listen on (port 0 picks a free one; the chosen address is printed).
    #[arg(long, env = "TANDEM_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Directory for the relay's data; created if missing. The SQLite file is relay.sqlite3.
    /// Unused with --database-url.
    #[arg(long, env = "TANDEM_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// A PostgreSQL database to keep the relay's data in instead of SQLite under --data-dir,
    /// e.g. postgres://tandem:secret@db.internal/tandem (or host=/run/postgresql dbname=tandem).
    /// Its tables are created, or brought up to date, at start.
    #[arg(long, env = "TANDEM_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// Directory of the built app to serve (index.html is the fallback for app routes).
    /// If it is missing, the relay logs a warning and still serves /sync and /healthz.
    #[arg(long, env = "TANDEM_STATIC_DIR", default_value = "./app/dist")]
    pub static_dir: PathBuf,

    /// Largest WebSocket frame a client may send, in bytes; larger ones are refused.
    #[arg(long, env = "TANDEM_MAX_FRAME_BYTES", default_value_t = tandem_protocol::limits::DEFAULT_MAX_FRAME_BYTES)]
    pub max_frame_bytes: usize,

    /// Most one document may cost, in bytes: its snapshot, its live changes and 64 bytes for
    /// every change it ever stored. Appends beyond it are refused until a snapshot compacts it.
    #[arg(long, env = "TANDEM_MAX_DOC_BYTES", default_value_t = Limits::default().max_doc_bytes)]
    pub max_doc_bytes: u64,

    /// Largest presence message ("who is here, in which field") forwarded, in bytes.
    #[arg(long, env = "TANDEM_MAX_PRESENCE_BYTES", default_value_t = Limits::default().max_presence_bytes)]
    pub max_presence_bytes: usize,

    /// Presence messages one connection may send a second (twice that in a burst).
    #[arg(long, env = "TANDEM_PRESENCE_PER_SECOND", default_value_t = Limits::default().presence_per_second)]
    pub presence_per_second: f64,

    /// Bytes one connection may send a second; faster senders are slowed (the relay stops
    /// reading from them for a while), not disconnected.
    #[arg(long, env = "TANDEM_BYTES_PER_SECOND", default_value_t = Limits::default().bytes_per_second)]
    pub bytes_per_second: u64,

    /// Messages a second from all connections of one IP address together (five seconds' worth
    /// in a burst); each connection is also held to the protocol's 200 a second.
    #[arg(long, env = "TANDEM_MESSAGES_PER_SECOND_PER_ADDRESS", default_value_t = NetLimits::default().messages_per_second_per_address)]
    pub messages_per_second_per_address: f64,

    /// New documents one connection may start (by first writing to an unknown id).
    #[arg(long, env = "TANDEM_MAX_NEW_DOCS_PER_CONNECTION", default_value_t = Limits::default().max_new_docs_per_connection)]
    pub max_new_docs_per_connection: u32,

    /// Documents the relay holds in all; new ones are refused beyond it.
    #[arg(long, env = "TANDEM_MAX_DOCS", default_value_t = Limits::default().max_docs)]
    pub max_docs: u64,

    /// Bytes the relay holds in all, counted as --max-doc-bytes counts them, attachments
    /// included.
    #[arg(long, env = "TANDEM_MAX_TOTAL_BYTES", default_value_t = Limits::default().max_total_bytes)]
    pub max_total_bytes: u64,

    /// Largest attachment (an encrypted voice memo, later a CV) the relay takes, in bytes.
    #[arg(long, env = "TANDEM_MAX_BLOB_BYTES", default_value_t = Limits::default().max_blob_bytes)]
    pub max_blob_bytes: u64,

    /// Most attachment bytes one document may hold, apart from --max-doc-bytes.
    #[arg(long, env = "TANDEM_MAX_DOC_BLOB_BYTES", default_value_t = Limits::default().max_doc_blob_bytes)]
    pub max_doc_blob_bytes: u64,

    /// Seconds an incomplete attachment upload may go without receiving a chunk before the relay
    /// discards it, giving back the room its first chunk reserved; a client that comes back
    /// later starts that upload again from the first byte.
    #[arg(long, env = "TANDEM_PARTIAL_UPLOAD_EXPIRY_SECS", default_value_t = crate::upload_expiry::DEFAULT_EXPIRY.as_secs())]
    pub partial_upload_expiry_secs: u64,

    /// Open TCP connections in all; more are answered 503 and closed. Lowered at start if the
    /// process may not open that many files.
    #[arg(long, env = "TANDEM_MAX_CONNECTIONS", default_value_t = NetLimits::default().max_connections)]
    pub max_connections: usize,

    /// Open TCP connections from one IP address (0: no limit, e.g. behind a reverse proxy,
    /// where every client has the proxy's address; let the proxy limit them instead).
    #[arg(long, env = "TANDEM_MAX_CONNECTIONS_PER_ADDRESS", default_value_t = NetLimits::default().max_connections_per_address)]
    pub max_connections_per_address: usize,

    /// Seconds a client may take to send a request's headers, and a keep-alive connection may
    /// sit idle between requests.
    #[arg(long, env = "TANDEM_HEADER_TIMEOUT_SECS", default_value_t = NetLimits::default().header_timeout.as_secs_f64())]
    pub header_timeout_secs: f64,

    /// Seconds a WebSocket client has to answer the relay's pings (sent three times as often);
    /// it must also send a complete message at least every four times this (the app pings
    /// every 3 seconds when idle). Clients that do neither are closed.
    #[arg(long, env = "TANDEM_IDLE_TIMEOUT_SECS", default_value_t = NetLimits::default().idle_timeout.as_secs_f64())]
    pub idle_timeout_secs: f64,

    /// Seconds one frame may take to be written to a client before the client counts as gone.
    #[arg(long, env = "TANDEM_WRITE_TIMEOUT_SECS", default_value_t = NetLimits::default().write_timeout.as_secs_f64())]
    pub write_timeout_secs: f64,

    /// Another origin (e.g. https://tandem.example) whose pages may open /sync; repeat, or
    /// separate with commas. Pages of the relay's own host are always allowed, and clients that
    /// send no Origin (not browsers) are too.
    #[arg(
        long = "allowed-origin",
        env = "TANDEM_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<String>,

    /// Appends waiting to be stored beyond which new ones are refused with `RateLimited` (the
    /// app retries them shortly): the relay is behind, and a longer queue only adds latency.
    #[arg(long, env = "TANDEM_MAX_QUEUED_APPENDS", default_value_t = NetLimits::default().max_queued_appends)]
    pub max_queued_appends: usize,

    /// How long a new append may be expected to wait for its commit (the queue ahead of it at
    /// what recent commits cost) before it is refused with `RateLimited`: past it the relay is
    /// behind, and admitting more only adds latency. A commit that runs four times this long
    /// (a stalled disk) refuses new appends until it ends.
    #[arg(long, env = "TANDEM_MAX_APPEND_WAIT_MS", default_value_t = NetLimits::default().max_append_wait.as_millis() as u64)]
    pub max_append_wait_ms: u64,
}

impl Config {
    pub fn limits(&self) -> Limits {
        Limits {
            max_frame_bytes: self.max_frame_bytes,
            max_doc_bytes: self.max_doc_bytes,
            max_presence_bytes: self.max_presence_bytes,
            presence_per_second: self.presence_per_second,
            bytes_per_second: self.bytes_per_second,
            max_new_docs_per_connection: self.max_new_docs_per_connection,
            max_docs: self.max_docs,
            max_total_bytes: self.max_total_bytes,
            max_blob_bytes: self.max_blob_bytes,
            max_doc_blob_bytes: self.max_doc_blob_bytes,
        }
    }

    /// How long an incomplete upload may wait for its next chunk; 0 is an error (every upload
    /// would be discarded between two chunks).
    pub fn partial_upload_expiry(&self) -> Result<Duration, ConfigError> {
        match self.partial_upload_expiry_secs {
            0 => Err(ConfigError::BadSeconds {
                flag: "--partial-upload-expiry-secs",
                value: 0.0,
            }),
            secs => Ok(Duration::from_secs(secs)),
        }
    }

    /// The network limits; a timeout that is not a usable number of seconds is an error.
    pub fn net_limits(&self) -> Result<NetLimits, ConfigError> {
        let secs = |flag: &'static str, value: f64| {
            Duration::try_from_secs_f64(value)
                .ok()
                .filter(|d| !d.is_zero())
                .ok_or(ConfigError::BadSeconds { flag, value })
        };
        Ok(NetLimits {
            max_connections: self.max_connections,
            max_connections_per_address: self.max_connections_per_address,
            messages_per_second_per_address: self.messages_per_second_per_address,
            header_timeout: secs("--header-timeout-secs", self.header_timeout_secs)?,
            idle_timeout: secs("--idle-timeout-secs", self.idle_timeout_secs)?,
            write_timeout: secs("--write-timeout-secs", self.write_timeout_secs)?,
            allowed_origins: self.allowed_origins.clone(),
            max_queued_appends: self.max_queued_appends,
            max_append_wait: Duration::from_millis(self.max_append_wait_ms.max(1)),
        })
    }
}

/// A flag whose value cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{flag} must be a positive number of seconds, not {value}")]
    BadSeconds { flag: &'static str, value: f64 },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn flags_parse_and_have_defaults() {
        Config::command().debug_assert();
        let config = Config::try_parse_from([
            "tandem-relay",
            "--listen",
            "0.0.0.0:9000",
            "--max-frame-bytes",
            "1000",
        ])
        .expect("valid flags");
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.max_frame_bytes, 1000);
        assert_eq!(config.max_doc_bytes, 64 * 1024 * 1024);
        assert_eq!(config.max_blob_bytes, 8 * 1024 * 1024);
        assert_eq!(config.limits().max_doc_blob_bytes, 64 * 1024 * 1024);
        let net = config.net_limits().expect("default timeouts are valid");
        assert_eq!(
            config.partial_upload_expiry().expect("a day"),
            Duration::from_secs(24 * 60 * 60)
        );
        let never = Config::try_parse_from(["tandem-relay", "--partial-upload-expiry-secs", "0"])
            .expect("parses");
        assert!(never.partial_upload_expiry().is_err());
        assert_eq!(net.idle_timeout, Duration::from_secs(30));
        let bad =
            Config::try_parse_from(["tandem-relay", "--idle-timeout-secs", "0"]).expect("parses");
        assert!(bad.net_limits().is_err());
        let origins = Config::try_parse_from([
            "tandem-relay",
            "--allowed-origin",
            "https://a.example,https://b.example",
        ])
        .expect("parses");
        assert_eq!(origins.allowed_origins.len(), 2);
    }
}
