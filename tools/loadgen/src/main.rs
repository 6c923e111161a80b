//! `tandem-loadgen`: load on a running relay in the shape of real co-editing, and what it did.
//!
//! Clients come in rooms of four, one vacancy per room. Each client joins with a real access
//! token (derived from a fresh `Secret`, as a share link holds it), then sends `--rate` small
//! edits a second for `--seconds`: real `Append`s whose ciphertext is sealed with the room's
//! `DocKey`, as the app seals a change. The relay stores each one durably, acknowledges it to its
//! sender and broadcasts it to the other three.
//!
//! Latency is measured from send to arrival at each other client of the room. All clients live in
//! this one process, so they share one clock: the send time (microseconds since the run began)
//! travels in the first eight bytes of the append's `client_msg_id`, which the relay echoes in
//! its `Broadcast`, and the receiver subtracts it from its own reading of the same clock.
//!
//! It prints deliveries a second (with the share of those expected: three per edit sent),
//! p50/p99/max latency, acknowledged, refused (by code) and unacknowledged appends, and, given
//! `--relay-pid`, the relay's resident memory after everyone joined and at the end. With several
//! `--url`s (relays on one PostgreSQL database), each room's clients are spread over them, so
//! every delivery to half the room crosses from one relay to another.
//! `scripts/bench.sh` runs it at several sizes; BENCHMARKS.md holds the figures.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use tandem_protocol::crypto::Purpose;
use tandem_protocol::{ClientMsg, DocId, DocKey, RelayMsg, Secret};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Clients that share one vacancy.
const ROOM_SIZE: usize = 4;

/// What each client's WebSocket buffers before a read or a write (the relay uses the same).
const WEBSOCKET_BUFFER_BYTES: usize = 8 * 1024;

#[derive(Parser)]
#[command(
    version,
    about = "Rooms of four clients appending sealed edits through a Tandem relay"
)]
struct Args {
    /// The relay's WebSocket address. Repeat it for several relays on one database: clients
    /// take them in turn, so each room of four is split across them.
    #[arg(long, default_value = "ws://127.0.0.1:8080/sync")]
    url: Vec<String>,
    /// How many clients (rounded up to whole rooms of four).
    #[arg(long, default_value_t = 200)]
    clients: usize,
    /// Edits each client sends a second.
    #[arg(long, default_value_t = 10.0)]
    rate: f64,
    /// How long the clients send.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Plaintext bytes of each edit before sealing (a typed character's change is about 60).
    #[arg(long, default_value_t = 64)]
    payload: usize,
    /// How long to keep listening after the last send, for acks and broadcasts still on their way.
    #[arg(long, default_value_t = 5.0)]
    drain_seconds: f64,
    /// The relay's process id, to read its resident memory from /proc.
    #[arg(long)]
    relay_pid: Option<u32>,
    /// WebSocket handshakes in flight at once while connecting.
    #[arg(long, default_value_t = 64)]
    connecting: usize,
}

#[derive(Debug, thiserror::Error)]
enum LoadError {
    #[error("cannot connect to {url}: {source}")]
    Connect {
        url: String,
        source: tokio_tungstenite::tungstenite::Error,
    },
    #[error("the WebSocket failed: {0}")]
    Socket(#[from] tokio_tungstenite::tungstenite::Error),
    #[error("the relay closed the connection before the join was answered")]
    Closed,
    #[error("the join was refused: {0}")]
    JoinRefused(String),
    #[error("a client task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// The run's clock, shared by every client: microseconds since it was first read.
fn now_us() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    let epoch = EPOCH.get_or_init(Instant::now);
    u64::try_from(epoch.elapsed().as_micros()).unwrap_or(u64::MAX)
}

/// An append's id: its send time, then the client and its counter to keep ids unique.
fn msg_id(sent_us: u64, client: u32, n: u32) -> [u8; 16] {
    let mut id = [0; 16];
    id[..8].copy_from_slice(&sent_us.to_le_bytes());
    id[8..12].copy_from_slice(&client.to_le_bytes());
    id[12..].copy_from_slice(&n.to_le_bytes());
    id
}

fn sent_at(id: &[u8; 16]) -> u64 {
    let mut time = [0; 8];
    time.copy_from_slice(&id[..8]);
    u64::from_le_bytes(time)
}

/// What one client saw.
#[derive(Default)]
struct Tally {
    sent: u64,
    acked: u64,
    refused: BTreeMap<String, u64>,
    /// Send-to-arrival latencies of the broadcasts this client received, in microseconds.
    latencies_us: Vec<u64>,
    /// When the last broadcast arrived.
    last_delivery_us: u64,
}

/// One room's vacancy as its members hold it.
struct Room {
    doc: DocId,
    secret: Secret,
    key: DocKey,
}

/// A connected client that has joined its room.
struct Client {
    id: u32,
    ws: Ws,
    room: Arc<Room>,
}

async fn connect_and_join(url: &str, id: u32, room: Arc<Room>) -> Result<Client, LoadError> {
    // A small read buffer, as the relay's: tungstenite's default (128 KiB) is zero-filled on
    // reads, and at 1,000 clients that memset took 45% of this process's CPU, on the cores it
    // shares with the relay it measures.
    let config = WebSocketConfig::default()
        .read_buffer_size(WEBSOCKET_BUFFER_BYTES)
        .write_buffer_size(WEBSOCKET_BUFFER_BYTES);
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), false)
        .await
        .map_err(|source| LoadError::Connect {
            url: url.to_owned(),
            source,
        })?;
    let join = ClientMsg::Join {
        doc: room.doc,
        token: room.secret.access_token(),
        since_seq: 0,
        expect: Vec::new(),
    };
    ws.send(Message::Binary(join.encode().into())).await?;
    while let Some(message) = ws.next().await {
        let Message::Binary(frame) = message? else {
            continue;
        };
        match RelayMsg::decode(&frame) {
            Ok(RelayMsg::Joined { .. }) => return Ok(Client { id, ws, room }),
            Ok(RelayMsg::Error { message, .. }) => return Err(LoadError::JoinRefused(message)),
            _ => {}
        }
    }
    Err(LoadError::Closed)
}

/// Sends this client's edits on a steady beat from `start_us`, and reads acks and broadcasts
/// until `end_us`.
async fn run_client(mut client: Client, args: Arc<Args>, start_us: u64, end_us: u64) -> Tally {
    let mut tally = Tally::default();
    let every_us = (1e6 / args.rate) as u64;
    let edits = (args.rate * args.seconds).round() as u32;
    // Spread the clients' beats over the interval, as people do not type in step.
    let mut next_us = start_us + (u64::from(client.id) * 7919) % every_us.max(1);
    let plaintext = vec![b'x'; args.payload];
    loop {
        let now = now_us();
        if now >= end_us {
            break;
        }
        let wake_us = if tally.sent < u64::from(edits) {
            next_us
        } else {
            end_us
        };
        let sleep = tokio::time::sleep(Duration::from_micros(wake_us.saturating_sub(now)));
        tokio::select! {
            () = sleep => {
                if tally.sent < u64::from(edits) && now_us() >= next_us {
                    let n = tally.sent as u32;
                    let append = ClientMsg::Append {
                        doc: client.room.doc,
                        client_msg_id: msg_id(now_us(), client.id, n),
                        ciphertext: client.room.key.seal(Purpose::Change, &plaintext),
                    };
                    if client.ws.send(Message::Binary(append.encode().into())).await.is_err() {
                        break;
                    }
                    tally.sent += 1;
                    next_us += every_us;
                }
            }
            message = client.ws.next() => {
                let Some(Ok(message)) = message else { break };
                let Message::Binary(frame) = message else { continue };
                match RelayMsg::decode(&frame) {
                    Ok(RelayMsg::Ack { .. }) => tally.acked += 1,
                    Ok(RelayMsg::Broadcast { client_msg_id, .. }) => {
                        let now = now_us();
                        tally.latencies_us.push(now.saturating_sub(sent_at(&client_msg_id)));
                        tally.last_delivery_us = now;
                    }
                    Ok(RelayMsg::Error { code, .. }) => {
                        *tally.refused.entry(format!("{code:?}")).or_default() += 1;
                    }
                    _ => {}
                }
            }
        }
    }
    let _ = client.ws.close(None).await;
    tally
}

/// The relay's resident memory and its peak, from /proc; `None` off Linux or without a pid.
fn relay_memory(pid: Option<u32>) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", pid?)).ok()?;
    let kib = |field: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(field))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
    };
    Some((kib("VmRSS:")?, kib("VmHWM:")?))
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)] as f64 / 1000.0
}

async fn run(args: Args) -> Result<(), LoadError> {
    let args = Arc::new(args);
    let rooms_wanted = args.clients.div_ceil(ROOM_SIZE);
    let rooms: Vec<Arc<Room>> = (0..rooms_wanted)
        .map(|_| {
            let secret = Secret::random();
            let doc = secret.doc_id();
            Arc::new(Room {
                doc,
                key: secret.doc_key(doc),
                secret,
            })
        })
        .collect();
    let clients_total = rooms.len() * ROOM_SIZE;

    now_us();
    let connecting = Arc::new(Semaphore::new(args.connecting.max(1)));
    let mut joins = Vec::with_capacity(clients_total);
    for id in 0..clients_total {
        let room = Arc::clone(&rooms[id / ROOM_SIZE]);
        let url = args.url[id % args.url.len()].clone();
        let connecting = Arc::clone(&connecting);
        joins.push(tokio::spawn(async move {
            let _slot = connecting.acquire_owned().await;
            connect_and_join(&url, id as u32, room).await
        }));
    }
    let mut clients = Vec::with_capacity(clients_total);
    for join in joins {
        clients.push(join.await??);
    }
    let joined_s = now_us() as f64 / 1e6;
    let idle = relay_memory(args.relay_pid);
    println!(
        "{clients_total} clients in {} rooms joined in {joined_s:.1} s",
        rooms.len()
    );

    // Start together, a little after the last join, so nobody is still being set up.
    let start_us = now_us() + 200_000;
    let send_end_us = start_us + (args.seconds * 1e6) as u64;
    let end_us = send_end_us + (args.drain_seconds * 1e6) as u64;
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|client| tokio::spawn(run_client(client, Arc::clone(&args), start_us, end_us)))
        .collect();
    let mut all = Tally::default();
    for task in tasks {
        let tally = task.await?;
        all.sent += tally.sent;
        all.acked += tally.acked;
        for (code, n) in tally.refused {
            *all.refused.entry(code).or_default() += n;
        }
        all.latencies_us.extend(tally.latencies_us);
        all.last_delivery_us = all.last_delivery_us.max(tally.last_delivery_us);
    }
    let end = relay_memory(args.relay_pid);
    report(
        &args,
        clients_total,
        &mut all,
        start_us,
        send_end_us,
        idle,
        end,
    );
    Ok(())
}

fn report(
    args: &Args,
    clients: usize,
    all: &mut Tally,
    start_us: u64,
    send_end_us: u64,
    idle: Option<(u64, u64)>,
    end: Option<(u64, u64)>,
) {
    all.latencies_us.sort_unstable();
    let deliveries = all.latencies_us.len() as u64;
    // Every edit sent should reach the three others of its room.
    let expected = all.sent * (ROOM_SIZE as u64 - 1);
    // Over the sending time, or until the last delivery if the relay fell behind.
    let span_s = all
        .last_delivery_us
        .max(send_end_us)
        .saturating_sub(start_us) as f64
        / 1e6;
    let refused: u64 = all.refused.values().sum();
    let unacked = all.sent.saturating_sub(all.acked + refused);
    println!(
        "clients {clients}, {} edits/s each for {} s, {} plaintext bytes each",
        args.rate, args.seconds, args.payload
    );
    println!(
        "deliveries {deliveries} in {span_s:.1} s = {:.0}/s ({:.0}% of the {expected} expected)",
        deliveries as f64 / span_s.max(f64::MIN_POSITIVE),
        100.0 * deliveries as f64 / (expected.max(1) as f64)
    );
    println!(
        "latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&all.latencies_us, 0.50),
        percentile(&all.latencies_us, 0.99),
        percentile(&all.latencies_us, 1.0)
    );
    println!(
        "appends sent {}, acknowledged {}, refused {refused} {:?}, unacknowledged {unacked}",
        all.sent, all.acked, all.refused
    );
    if let (Some((idle_rss, _)), Some((end_rss, peak))) = (idle, end) {
        println!(
            "relay RSS after joining {:.1} MiB ({:.1} KiB per client), at the end {:.1} MiB, \
             peak {:.1} MiB",
            idle_rss as f64 / 1024.0,
            idle_rss as f64 / clients as f64,
            end_rss as f64 / 1024.0,
            peak as f64 / 1024.0
        );
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tandem-loadgen: {e}");
            ExitCode::FAILURE
        }
    }
}
