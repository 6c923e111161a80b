//! Nobody who can merely reach the relay can exhaust it: silent, slow and non-reading
//! connections are closed within the timeouts, connections are capped in all and per address,
//! a ping flood costs bounded memory, and other sites' pages cannot open `/sync`. Against the
//! real relay binary, over real sockets.

mod common;

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use common::{RelayProcess, TIMEOUT};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A TCP connection to the relay from `from` (any 127.x.y.z works on Linux's loopback).
async fn tcp_from(addr: SocketAddr, from: &str) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("a socket");
    let from: IpAddr = from.parse().expect("an address");
    socket.bind(SocketAddr::new(from, 0)).expect("bind");
    socket.connect(addr).await.expect("connect")
}

/// Reads until the relay closes the connection; returns what it sent, or `None` if it was
/// still open after `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> Option<Vec<u8>> {
    let deadline = tokio::time::Instant::now() + within;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(got),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

async fn websocket(addr: SocketAddr) -> Ws {
    tokio_tungstenite::connect_async(format!("ws://{addr}/sync"))
        .await
        .expect("WebSocket handshake")
        .0
}

/// Whether the relay closes `ws` within `within`, reading (and so answering pings) meanwhile.
async fn ws_closed_within(ws: &mut Ws, within: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => return false,
            Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => return true,
            Ok(Some(Ok(_))) => {}
        }
    }
}

#[tokio::test]
async fn silent_slow_and_idle_http_connections_are_closed_within_the_header_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &["--header-timeout-secs", "1"]);
    let addr = relay.addr;
    let bound = Duration::from_secs(4);

    // Connected, then nothing at all.
    let mut silent = TcpStream::connect(addr).await.unwrap();
    // Headers one byte at a time, slower than any browser.
    let mut slowloris = TcpStream::connect(addr).await.unwrap();
    let dribble = tokio::spawn(async move {
        slowloris
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        let started = Instant::now();
        for byte in b"X-Slow: ".iter().cycle() {
            if slowloris.write_all(&[*byte]).await.is_err() {
                return Some(started.elapsed());
            }
            if started.elapsed() > Duration::from_secs(8) {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        None
    });
    // One request answered, then an idle keep-alive connection.
    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();

    let started = Instant::now();
    assert!(closed_within(&mut silent, bound).await.is_some(), "silent");
    let answered = closed_within(&mut idle, bound).await.expect("idle closed");
    assert!(String::from_utf8_lossy(&answered).starts_with("HTTP/1.1 200"));
    let cut = dribble.await.unwrap().expect("the slow sender was cut off");
    assert!(cut < Duration::from_secs(5), "cut off after {cut:?}");
    assert!(started.elapsed() < bound + Duration::from_secs(1));
    // The relay still serves everyone else.
    assert_eq!(common::http_get(addr, "/healthz", &[]).status, 200);
}

#[tokio::test]
async fn websockets_that_stop_reading_or_dribble_a_frame_are_closed_and_live_ones_stay() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &["--idle-timeout-secs", "1"]);
    let addr = relay.addr;

    // Never reads, so never answers the relay's pings (a dead peer looks the same).
    let mut deaf = websocket(addr).await;
    // Reads all the time but never sends a protocol message.
    let mut lurker = websocket(addr).await;
    // Sends a frame byte by byte: the first two header bytes say "binary, 1000 bytes follow".
    let mut dribbler = websocket(addr).await;
    let raw = match dribbler.get_mut() {
        MaybeTlsStream::Plain(stream) => stream,
        _ => unreachable!("plain ws://"),
    };
    raw.write_all(&[0x82, 0xFE, 0x03, 0xE8, 1, 2, 3, 4])
        .await
        .unwrap();
    let dribble = async {
        for _ in 0..100 {
            if raw.write_all(&[0]).await.is_err() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    };
    // A live client: reads, and sends a protocol ping every half second, as the app does.
    let mut live = websocket(addr).await;
    let live_client = async {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(6) {
            let ping = tandem_protocol::ClientMsg::Ping { nonce: 1 }.encode();
            if live.send(Message::binary(ping)).await.is_err() {
                return false;
            }
            if ws_closed_within(&mut live, Duration::from_millis(500)).await {
                return false;
            }
        }
        true
    };
    let (dribble_cut, live_stayed) = tokio::join!(dribble, live_client);
    assert!(dribble_cut, "the dribbler was never cut off");
    assert!(live_stayed, "a live client was closed");
    // The lurker's allowance is four idle timeouts; by now it has passed.
    assert!(ws_closed_within(&mut lurker, Duration::from_secs(2)).await);
    // Reading now only finds the close the relay sent long ago.
    assert!(ws_closed_within(&mut deaf, Duration::from_millis(500)).await);
}

#[tokio::test]
async fn connections_are_capped_in_all_and_per_address_and_the_refusal_says_which() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(
        dir.path(),
        &[
            "--max-connections",
            "6",
            "--max-connections-per-address",
            "3",
        ],
    );
    let addr = relay.addr;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(tcp_from(addr, "127.0.0.1").await);
    }
    let mut fourth = tcp_from(addr, "127.0.0.1").await;
    let refusal = closed_within(&mut fourth, TIMEOUT).await.expect("closed");
    let refusal = String::from_utf8_lossy(&refusal);
    assert!(refusal.starts_with("HTTP/1.1 503"), "{refusal}");
    assert!(
        refusal.contains("--max-connections-per-address"),
        "{refusal}"
    );

    for from in ["127.0.0.2", "127.0.0.2", "127.0.0.3"] {
        held.push(tcp_from(addr, from).await);
    }
    let mut seventh = tcp_from(addr, "127.0.0.4").await;
    let refusal = closed_within(&mut seventh, TIMEOUT).await.expect("closed");
    let refusal = String::from_utf8_lossy(&refusal);
    assert!(refusal.contains("(--max-connections)"), "{refusal}");

    // Slots come back when connections close.
    drop(held);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(common::http_get(addr, "/healthz", &[]).status, 200);
}

#[tokio::test]
async fn a_ping_flood_and_many_idle_sockets_keep_memory_bounded_and_are_closed() {
    const IDLE: usize = 300;
    // The bound we promise in the README; the figure measured is printed.
    const BOUND: u64 = 96 * 1024 * 1024;
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(
        dir.path(),
        &[
            "--idle-timeout-secs",
            "2",
            "--max-connections-per-address",
            "0",
        ],
    );
    let addr = relay.addr;
    let before = relay.rss_bytes();

    let mut idle = Vec::new();
    for _ in 0..IDLE {
        idle.push(websocket(addr).await);
    }
    // Pings as fast as the socket takes them, never reading a pong.
    let mut flooder = websocket(addr).await;
    let flood = tokio::spawn(async move {
        let started = Instant::now();
        let mut sent = 0u64;
        while started.elapsed() < Duration::from_secs(3) {
            let ping = flooder.send(Message::Ping(vec![0; 8].into()));
            match tokio::time::timeout(Duration::from_millis(500), ping).await {
                Ok(Ok(())) => sent += 1,
                Ok(Err(_)) => break,
                Err(_) => {} // The relay stopped reading from us: we are being slowed.
            }
        }
        (flooder, sent)
    });
    let mut peak = 0;
    while !flood.is_finished() {
        peak = peak.max(relay.rss_bytes());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (mut flooder, sent) = flood.await.unwrap();
    println!(
        "relay RSS: {} MiB before, {} MiB at most with {IDLE} idle sockets and {sent} pings",
        before / (1 << 20),
        peak / (1 << 20)
    );
    assert!(sent > 1000, "the flood did not get going ({sent} pings)");
    assert!(peak < BOUND, "RSS peaked at {peak} bytes");

    // Neither the idle sockets nor the flooder ever answered a ping: all are closed.
    assert!(ws_closed_within(&mut flooder, Duration::from_secs(5)).await);
    for ws in &mut idle {
        assert!(ws_closed_within(ws, Duration::from_secs(1)).await);
    }
}

#[tokio::test]
async fn pages_of_other_sites_cannot_open_sync() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &["--allowed-origin", "https://partner.example"]);
    let addr = relay.addr;
    let handshake = |origin: &str| {
        let mut request = format!("ws://{addr}/sync").into_client_request().unwrap();
        request
            .headers_mut()
            .insert("origin", origin.parse().unwrap());
        tokio_tungstenite::connect_async(request)
    };
    match handshake("https://evil.example").await {
        Err(tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 403);
            let body = String::from_utf8(response.body().clone().unwrap_or_default()).unwrap();
            assert!(body.contains("https://evil.example"), "{body}");
            assert!(body.contains("--allowed-origin"), "{body}");
        }
        other => panic!("expected a 403, got {:?}", other.map(|_| ())),
    }
    // The relay's own pages, an allowed partner, and non-browser clients (no Origin) pass.
    handshake(&format!("http://{addr}"))
        .await
        .expect("same origin");
    handshake("https://partner.example").await.expect("allowed");
    websocket(addr).await;
}

#[test]
fn every_limit_is_a_flag_and_an_environment_variable_in_help() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tandem-relay"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for (flag, env) in [
        ("--max-frame-bytes", "TANDEM_MAX_FRAME_BYTES"),
        ("--max-doc-bytes", "TANDEM_MAX_DOC_BYTES"),
        ("--max-presence-bytes", "TANDEM_MAX_PRESENCE_BYTES"),
        ("--presence-per-second", "TANDEM_PRESENCE_PER_SECOND"),
        ("--bytes-per-second", "TANDEM_BYTES_PER_SECOND"),
        (
            "--messages-per-second-per-address",
            "TANDEM_MESSAGES_PER_SECOND_PER_ADDRESS",
        ),
        (
            "--max-new-docs-per-connection",
            "TANDEM_MAX_NEW_DOCS_PER_CONNECTION",
        ),
        ("--max-docs", "TANDEM_MAX_DOCS"),
        ("--max-total-bytes", "TANDEM_MAX_TOTAL_BYTES"),
        ("--max-connections", "TANDEM_MAX_CONNECTIONS"),
        (
            "--max-connections-per-address",
            "TANDEM_MAX_CONNECTIONS_PER_ADDRESS",
        ),
        ("--header-timeout-secs", "TANDEM_HEADER_TIMEOUT_SECS"),
        ("--idle-timeout-secs", "TANDEM_IDLE_TIMEOUT_SECS"),
        ("--write-timeout-secs", "TANDEM_WRITE_TIMEOUT_SECS"),
        ("--allowed-origin", "TANDEM_ALLOWED_ORIGINS"),
    ] {
        assert!(help.contains(flag), "--help lacks {flag}:\n{help}");
        assert!(help.contains(env), "--help lacks {env}:\n{help}");
    }
    // A timeout of zero is refused at start, with the flag named.
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tandem-relay"))
        .args(["--listen", "127.0.0.1:0", "--idle-timeout-secs", "0"])
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--idle-timeout-secs"), "{stderr}");
}
