//! Command-line flags, each also settable from the environment for container deployments.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

use crate::limits::Limits;

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
    #[arg(long, env = "TANDEM_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Directory of the built app to serve (index.html is the fallback for app routes).
    /// If it is missing, the relay logs a warning and still serves /sync and /healthz.
    #[arg(long, env = "TANDEM_STATIC_DIR", default_value = "./app/dist")]
    pub static_dir: PathBuf,

    /// Largest WebSocket frame a client may send, in bytes; larger ones are refused.
    #[arg(long, env = "TANDEM_MAX_FRAME_BYTES", default_value_t = tandem_protocol::limits::DEFAULT_MAX_FRAME_BYTES)]
    pub max_frame_bytes: usize,

    /// Most ciphertext stored per document (snapshot plus log), in bytes; appends beyond it are
    /// refused until a snapshot compacts the log.
    #[arg(long, env = "TANDEM_MAX_DOC_BYTES", default_value_t = 64 * 1024 * 1024)]
    pub max_doc_bytes: u64,
}

impl Config {
    pub fn limits(&self) -> Limits {
        Limits {
            max_frame_bytes: self.max_frame_bytes,
            max_doc_bytes: self.max_doc_bytes,
        }
    }
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
    }
}
