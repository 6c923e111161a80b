//! The HTTP face of the relay: the accept loop, routes, shared state, serving and shutdown.
//!
//! `/healthz` (which reads the store), `/sync` and `/blobs/…` ([`crate::blobs`]) are routes; everything else is the built
//! app from the static directory. Compression applies to the app only: the WebSocket upgrade
//! must reach the client untouched, and attachments are sealed bytes, which do not compress.
//! The security headers apply to the app and the attachments alike.
//!
//! The accept loop is our own rather than `axum::serve`, for what a public server needs and axum
//! leaves out: every connection first gets a slot from the [`Gate`] (caps in all and per
//! address, answered with a plain 503 when full), and hyper is given a timer so that a client
//! has [`NetLimits::header_timeout`] to send its headers and a keep-alive connection cannot sit
//! idle for longer. The file-descriptor limit is raised to fit the connection cap, or the cap
//! lowered to fit the limit, so that the cap, not the kernel, is what turns clients away.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State, WebSocketUpgrade};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::ServiceExt;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;
use tracing::{debug, info, warn};

use crate::config::{Config, ConfigError};
use crate::gate::{Gate, Pass, Refused};
use crate::limits::{Limits, NetLimits};
use crate::metrics::Metrics;
use crate::rooms::Rooms;
use crate::security_headers::{self, AppHeaders};
use crate::session::ConnId;
use crate::store::{PostgresStore, SqliteStore, Store, StoreError};
use crate::writer::{Writer, WriterObserver};
use crate::{blobs, connection, static_files};

/// Everything the connections share; one per process, behind an `Arc`.
pub struct Relay {
    /// Where documents live; a trait object so PostgreSQL can replace SQLite without touching
    /// the connection code.
    pub store: Arc<dyn Store>,
    /// Subscribers and the per-document locks that order appends, joins and broadcasts.
    pub rooms: Rooms,
    pub limits: Limits,
    pub net: NetLimits,
    /// The thread that stores appends in batches ([`crate::writer`]).
    pub writer: Writer,
    /// What `/metrics` reports.
    pub metrics: Arc<Metrics>,
    /// Source of connection ids for logs and for telling subscribers apart.
    next_conn: AtomicU64,
    /// The start of the relay's clock for rate limits, which take time as an input.
    started: Instant,
    /// Whether other relays share the store ([`crate::fanout`]): appends then check that what
    /// they append after was delivered first.
    pub shared_store: bool,
    /// What other relays change, until [`Server::new`] hands it to [`crate::fanout::run`].
    changes: std::sync::Mutex<Option<tokio::sync::mpsc::UnboundedReceiver<crate::store::Change>>>,
}

impl Relay {
    /// The shared state, with the append writer started over `store`.
    pub fn new(store: Arc<dyn Store>, limits: Limits, net: NetLimits) -> std::io::Result<Self> {
        let metrics = Arc::new(Metrics::new(store.pool_status().is_some()));
        let changes = store.take_changes();
        let writer = Writer::start(
            Arc::clone(&store),
            net.max_queued_appends,
            net.max_append_wait,
            Arc::clone(&metrics) as Arc<dyn WriterObserver>,
        )?;
        Ok(Relay {
            store,
            rooms: Rooms::default(),
            limits,
            net,
            writer,
            metrics,
            next_conn: AtomicU64::new(first_conn_id(changes.is_some())),
            started: Instant::now(),
            shared_store: changes.is_some(),
            changes: std::sync::Mutex::new(changes),
        })
    }

    /// Milliseconds since the relay started: the clock [`crate::session::Session`] is given.
    pub fn now_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// The id of the next connection; ids also tell subscribers apart in presence.
    pub fn next_conn_id(&self) -> ConnId {
        self.next_conn.fetch_add(1, Ordering::Relaxed)
    }
}

/// Where connection ids start. They tell a document's subscribers apart in presence, which
/// crosses relays sharing a database ([`crate::fanout`]), so there each relay starts at a random
/// multiple of 2^32 (below 2^52, as whole numbers stay exact in JavaScript too): two relays'
/// ids meet only if they draw the same of a million starts.
fn first_conn_id(shared_store: bool) -> ConnId {
    if !shared_store {
        return 1;
    }
    use std::hash::{BuildHasher, Hasher};
    // `RandomState` is seeded from the operating system's randomness for each process.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    ((hasher.finish() % (1 << 20)) << 32) + 1
}

/// Why the relay could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot open the store: {0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("serving failed: {0}")]
    Io(#[from] std::io::Error),
}

/// A relay that is ready to serve: its store is open and its routes are built.
pub struct Server {
    router: Router,
    relay: Arc<Relay>,
    gate: Arc<Gate>,
}

/// Files the process keeps open besides its connections: the database and its journal, the
/// listener, standard streams, static files being served.
const FILES_BESIDES_CONNECTIONS: usize = 64;

/// What a WebSocket's reader and writer buffer before a read or a write.
const WEBSOCKET_BUFFER_BYTES: usize = 8 * 1024;

/// How long in-flight HTTP requests may take to finish once shutdown begins.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

impl Server {
    /// Opens the store in the data directory and builds the routes. Done before binding or
    /// announcing the address, so "listening" is only printed once the relay can actually work.
    pub fn new(config: &Config) -> Result<Self, ServerError> {
        let mut net = config.net_limits()?;
        let upload_expiry = config.partial_upload_expiry()?;
        net.max_connections = fit_file_limit(net.max_connections);
        let store = open_store(config)?;
        let gate = Gate::new(
            net.max_connections,
            net.max_connections_per_address,
            net.messages_per_second_per_address,
        );
        let relay = Arc::new(Relay::new(store, config.limits(), net)?);
        let changes = relay
            .changes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(changes) = changes {
            tokio::spawn(crate::fanout::run(Arc::clone(&relay), changes));
        }
        tokio::spawn(crate::upload_expiry::run(
            Arc::clone(&relay.store),
            Arc::clone(&relay.metrics),
            upload_expiry,
        ));
        Ok(Server {
            router: router(Arc::clone(&relay), &config.static_dir),
            relay,
            gate,
        })
    }

    /// Serves until `shutdown` completes, then stops accepting and lets HTTP requests finish
    /// (for at most a few seconds).
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        let (stop_tx, stop_rx) = watch::channel(());
        let mut shutdown = pin!(shutdown);
        loop {
            let (stream, addr) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // Out of file descriptors or a connection reset before it was
                        // accepted: neither ends the server. The pause keeps a persistent
                        // error from spinning the loop.
                        debug!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            match self.gate.admit(addr.ip(), self.relay.now_ms()) {
                Ok(pass) => {
                    let conn = serve_connection(
                        stream,
                        addr,
                        pass,
                        self.router.clone(),
                        self.relay.net.header_timeout,
                        stop_rx.clone(),
                    );
                    tokio::spawn(conn);
                }
                Err(refused) => turn_away(stream, addr, refused),
            }
        }
        drop(listener);
        let _ = stop_tx.send(());
        drop(stop_rx);
        // Every connection task holds a receiver: once they are all done, `closed` completes.
        let _ = tokio::time::timeout(SHUTDOWN_GRACE, stop_tx.closed()).await;
        Ok(())
    }
}

/// The store the flags choose: PostgreSQL with `--database-url`, SQLite under `--data-dir`
/// otherwise.
fn open_store(config: &Config) -> Result<Arc<dyn Store>, StoreError> {
    let Some(url) = &config.database_url else {
        let store = SqliteStore::open(&config.data_dir)?;
        info!(data_dir = %config.data_dir.display(), "store open");
        return Ok(Arc::new(store));
    };
    // Opening blocks on the database, which may not be done on a thread running async tasks
    // (this one, at start): a thread of its own does it.
    let store = std::thread::scope(|s| {
        s.spawn(|| PostgresStore::open(url))
            .join()
            .unwrap_or_else(|_| Err(StoreError::Task("opening the database panicked".into())))
    })?;
    info!("store open on PostgreSQL");
    Ok(Arc::new(store))
}

/// One HTTP connection (and, after an upgrade, the WebSocket it became) under its pass. The
/// pass rides in every request's extensions, so `/sync` can take it over for the WebSocket.
async fn serve_connection(
    stream: TcpStream,
    addr: SocketAddr,
    pass: Pass,
    router: Router,
    header_timeout: Duration,
    mut stop: watch::Receiver<()>,
) {
    // Small frames (acks, presence) should not wait for more data to fill a packet.
    let _ = stream.set_nodelay(true);
    let pass = Arc::new(pass);
    let service = router.map_request(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(Arc::clone(&pass));
        request.map(Body::new)
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let conn = builder
        .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
        .with_upgrades();
    let mut conn = pin!(conn);
    tokio::select! {
        result = conn.as_mut() => {
            if let Err(e) = result {
                debug!(%addr, error = %e, "connection ended with an error");
            }
        }
        _ = stop.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// Answers a connection the gate refused with a 503 that says which limit, without waiting: a
/// client that does not read it simply does not get it, and the slot-less socket is closed.
fn turn_away(stream: TcpStream, addr: SocketAddr, refused: Refused) {
    debug!(%addr, %refused, "connection refused");
    let body = format!("{refused}\n");
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n\
         content-length: {}\r\nretry-after: 10\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.try_write(response.as_bytes());
}

/// Raises the soft limit on open files to fit `max_connections`, or lowers the cap to fit what
/// the system allows.
fn fit_file_limit(max_connections: usize) -> usize {
    let wanted = max_connections.saturating_add(FILES_BESIDES_CONNECTIONS) as u64;
    match rlimit::increase_nofile_limit(wanted) {
        Ok(got) if got >= wanted => max_connections,
        Ok(got) => {
            let fitted = (got as usize)
                .saturating_sub(FILES_BESIDES_CONNECTIONS)
                .max(1);
            warn!(
                requested = max_connections,
                fitted, "the process may open only {got} files; fewer connections are allowed"
            );
            fitted
        }
        Err(e) => {
            warn!(error = %e, "cannot read or raise the open-file limit");
            max_connections
        }
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
    let security = Arc::new(AppHeaders::for_index(&static_dir.join("index.html")));
    let app =
        static_files::router(static_dir, Arc::clone(&security)).layer(CompressionLayer::new());
    let attachments = blobs::router(Arc::clone(&relay)).layer(middleware::from_fn_with_state(
        security,
        security_headers::add,
    ));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route(tandem_protocol::limits::SYNC_PATH, get(sync))
        .with_state(relay)
        .merge(attachments)
        .fallback_service(app)
        .layer(TraceLayer::new_for_http())
}

/// How long `/healthz` waits for the store before it says the relay is unwell.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(3);

/// `ok` when the store answers a read (the relay's own SQLite file, or its PostgreSQL
/// database) within [`HEALTH_TIMEOUT`]; 503 otherwise, so a load balancer sends clients to
/// another relay. The reason goes to the log, not to whoever asked.
async fn healthz(State(relay): State<Arc<Relay>>) -> Response {
    let store = Arc::clone(&relay.store);
    let read = tokio::time::timeout(
        HEALTH_TIMEOUT,
        tokio::task::spawn_blocking(move || store.totals()),
    )
    .await;
    let nosniff = || [(header::X_CONTENT_TYPE_OPTIONS, "nosniff")];
    let unwell = |why: String| {
        warn!(reason = %why, "health check failed");
        let text = "the store does not answer";
        (StatusCode::SERVICE_UNAVAILABLE, nosniff(), text).into_response()
    };
    match read {
        Ok(Ok(Ok(_))) => (nosniff(), "ok").into_response(),
        Ok(Ok(Err(e))) => unwell(e.to_string()),
        Ok(Err(e)) => unwell(e.to_string()),
        Err(_) => unwell(format!("no answer within {HEALTH_TIMEOUT:?}")),
    }
}

/// The Prometheus text exposition ([`crate::metrics`]).
async fn metrics(State(relay): State<Arc<Relay>>) -> Response {
    match relay.metrics.render(
        relay.rooms.len(),
        relay.writer.queued(),
        relay.store.pool_status(),
    ) {
        Ok(text) => (
            [
                (
                    header::CONTENT_TYPE,
                    "text/plain; version=0.0.4; charset=utf-8",
                ),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            text,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn sync(
    State(relay): State<Arc<Relay>>,
    pass: Option<Extension<Arc<Pass>>>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    if let Err(refusal) = check_origin(&headers, &relay.net.allowed_origins) {
        return refusal;
    }
    let limits = relay.limits;
    let ws_limit = limits.websocket_max_message();
    let pass = pass.map(|Extension(pass)| pass);
    // Small buffers: tungstenite's defaults (128 KiB each) made an idle connection cost about
    // 134 kB; larger frames still pass, in more reads and writes.
    upgrade
        .read_buffer_size(WEBSOCKET_BUFFER_BYTES)
        .write_buffer_size(WEBSOCKET_BUFFER_BYTES)
        .max_message_size(ws_limit)
        .max_frame_size(ws_limit)
        .max_write_buffer_size(limits.websocket_max_write_buffer())
        .on_upgrade(move |socket| connection::handle(socket, relay, pass))
}

/// Browsers send the page's origin with every WebSocket handshake and let any page open one
/// to any host, so without this check another site's page could sync (and create documents)
/// through a visitor's browser. Pages of the relay's own host always pass; so do clients that
/// send no origin at all, which are not browsers and could send any origin they liked.
#[allow(clippy::result_large_err)] // The error is the response itself, built once per refusal.
fn check_origin(headers: &HeaderMap, allowed: &[String]) -> Result<(), Response> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or_default().trim_end_matches('/');
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let origin_host = origin.split_once("://").map_or("", |(_, rest)| rest);
    let same_host = !host.is_empty() && origin_host.eq_ignore_ascii_case(host);
    let listed = allowed
        .iter()
        .any(|a| a.trim_end_matches('/').eq_ignore_ascii_case(origin));
    if same_host || listed {
        return Ok(());
    }
    warn!(origin, "WebSocket refused: foreign origin");
    let text = format!(
        "pages from {origin} may not sync through this relay; its operator can allow them with \
         --allowed-origin\n"
    );
    Err((StatusCode::FORBIDDEN, text).into_response())
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
