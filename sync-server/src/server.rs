//! The HTTP face of the relay: routes, shared state, serving and shutdown.
//!
//! `/healthz` and `/sync` are routes; everything else is the built app from the static directory.
//! Compression applies to the app only: the WebSocket upgrade must reach the client untouched.

use std::future::Future;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{State, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;
use tracing::{info, warn};

use crate::config::Config;
use crate::limits::Limits;
use crate::rooms::Rooms;
use crate::session::ConnId;
use crate::store::{SqliteStore, Store, StoreError};
use crate::{connection, static_files};

/// Everything the connections share; one per process, behind an `Arc`.
pub struct Relay {
    /// Where documents live; a trait object so PostgreSQL can replace SQLite without touching
    /// the connection code.
    pub store: Arc<dyn Store>,
    /// Subscribers and the per-document locks that order appends, joins and broadcasts.
    pub rooms: Rooms,
    pub limits: Limits,
    /// Source of connection ids for logs and for telling subscribers apart.
    next_conn: AtomicU64,
    /// The start of the relay's clock for rate limits, which take time as an input.
    started: Instant,
}

impl Relay {
    pub fn new(store: Arc<dyn Store>, limits: Limits) -> Self {
        Relay {
            store,
            rooms: Rooms::default(),
            limits,
            next_conn: AtomicU64::new(1),
            started: Instant::now(),
        }
    }

    /// Milliseconds since the relay started: the clock [`crate::session::Session`] is given.
    pub fn now_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    pub fn next_conn_id(&self) -> ConnId {
        self.next_conn.fetch_add(1, Ordering::Relaxed)
    }
}

/// Why the relay could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot open the store: {0}")]
    Store(#[from] StoreError),
    #[error("serving failed: {0}")]
    Io(#[from] std::io::Error),
}

/// A relay that is ready to serve: its store is open and its routes are built.
pub struct Server {
    router: Router,
}

impl Server {
    /// Opens the store in the data directory and builds the routes. Done before binding or
    /// announcing the address, so "listening" is only printed once the relay can actually work.
    pub fn new(config: &Config) -> Result<Self, ServerError> {
        let store = SqliteStore::open(&config.data_dir)?;
        info!(data_dir = %config.data_dir.display(), "store open");
        let relay = Arc::new(Relay::new(Arc::new(store), config.limits()));
        Ok(Server {
            router: router(relay, &config.static_dir),
        })
    }

    /// Serves until `shutdown` completes, then stops accepting and lets HTTP requests finish.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        axum::serve(listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await?;
        Ok(())
    }
}

/// The whole HTTP surface, for a given relay and static directory.
pub fn router(relay: Arc<Relay>, static_dir: &Path) -> Router {
    if !static_dir.is_dir() {
        warn!(
            static_dir = %static_dir.display(),
            "static directory not found; serving only /sync and /healthz"
        );
    }
    let app = static_files::router(static_dir).layer(CompressionLayer::new());
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route(tandem_protocol::limits::SYNC_PATH, get(sync))
        .with_state(relay)
        .fallback_service(app)
        .layer(TraceLayer::new_for_http())
}

async fn sync(State(relay): State<Arc<Relay>>, upgrade: WebSocketUpgrade) -> Response {
    let ws_limit = relay.limits.websocket_max_message();
    upgrade
        .max_message_size(ws_limit)
        .max_frame_size(ws_limit)
        .on_upgrade(move |socket| connection::handle(socket, relay))
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM (what container runtimes send).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(e) => {
                warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    info!("shutting down");
}
