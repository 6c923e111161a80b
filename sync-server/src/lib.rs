//! Tandem's relay: a small store-and-forward server for end-to-end encrypted documents.
//!
//! Clients open one WebSocket at `/sync` and speak [`tandem_protocol::message`] over it: they
//! join documents with an access token, append sealed changes, upload sealed snapshots and
//! exchange sealed presence. The relay gives each append the next sequence number, stores it
//! durably, acknowledges it and forwards it to the document's other subscribers. It never sees a
//! key or a plaintext; it stores ciphertext and the hash of each document's access token.
//! The same process serves the built app, so one binary is a whole deployment.
//!
//! The modules, from the outside in:
//!
//! - [`config`]: the command-line flags and their environment variables.
//! - [`server`]: the routes (`/healthz`, `/metrics`, `/sync`, `/blobs`, the app), the shared
//!   [`server::Relay`] state, serving and graceful shutdown.
//! - [`blobs`]: the attachment endpoints: resumable chunked upload, status and download of
//!   sealed blobs, guarded by the document's access token.
//! - [`metrics`]: the Prometheus metrics at `/metrics`: connections, documents, appends, the
//!   writer's batches and queue, refusals by code; no document ids or secrets in labels.
//! - [`gate`]: the caps on open connections, in all and per address, and the message bucket
//!   one address's connections share.
//! - [`static_files`]: the app's files with the single-page-app fallback and cache headers.
//! - [`security_headers`]: the Content-Security-Policy (with the hashes of the page's inline
//!   scripts) and the other headers that limit what the app's pages may load, run and leak.
//! - [`connection`]: one WebSocket client — thin glue that carries out what [`session`] and
//!   [`command`] decide, with the document locks, `spawn_blocking` and the outbox.
//! - [`outbox`]: a connection's outgoing queue, bounded in messages and bytes, and the task that
//!   writes it to the socket.
//! - [`rooms`]: who is subscribed to which document, and the per-document lock that orders
//!   joins, appends and broadcasts.
//! - [`fanout`]: with several relays on one PostgreSQL database, what the others' clients
//!   append (and their presence) delivered to this relay's clients, in sequence order.
//! - [`relay_core`]: the same relay without sockets, threads or clocks — frames in, addressed
//!   frames out, time passed in — for deterministic simulation.
//! - [`session`]: one connection's protocol state (joined documents, rate limit) and the checks
//!   every incoming frame passes.
//! - [`command`]: what a join, append, snapshot, presence or leave does: store calls, replies,
//!   broadcast. Decided once, for both faces.
//! - [`refusal`]: every `Error` reply, and how a store failure becomes one.
//! - [`writer`]: the one thread that stores appends, many documents' in one commit, and the
//!   bounded queue in front of it that refuses appends when the relay falls behind.
//! - [`pushback`]: when it falls behind: a new append's expected wait from the queue and what
//!   recent commits cost, decided on figures passed in.
//! - [`store`]: the [`store::Store`] trait and its SQLite and PostgreSQL implementations.
//! - [`upload_expiry`]: the periodic sweep that discards attachment uploads abandoned halfway.
//! - [`catch_up`]: what a joining client missed, split into messages of a manageable size.
//! - [`limits`]: frame, document, presence, quota, queue, rate, connection and timeout limits
//!   that keep one client from hurting the relay or the others; each is a flag ([`config`]).
//!
//! To run a relay in-process (as a test might):
//!
//! ```no_run
//! # async fn run(config: tandem_sync_server::config::Config) -> Result<(), Box<dyn std::error::Error>> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let server = tandem_sync_server::server::Server::new(&config)?;
//! server.serve(listener, tandem_sync_server::server::shutdown_signal()).await?;
//! # Ok(()) }
//! ```

pub mod blobs;
pub mod catch_up;
pub mod command;
pub mod config;
pub mod connection;
pub mod fanout;
pub mod gate;
pub mod limits;
pub mod metrics;
pub mod outbox;
pub mod pushback;
pub mod refusal;
pub mod relay_core;
pub mod rooms;
pub mod security_headers;
pub mod server;
pub mod session;
pub mod static_files;
pub mod store;
pub mod upload_expiry;
pub mod writer;

pub use config::Config;
pub use server::{Server, ServerError};
