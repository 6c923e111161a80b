//! `tandem-hostile-peer`: many fake members of one vacancy, each announcing the presence a test
//! chooses (a colour that is really a CSS `url(…)`, an endless name, a flood of newcomers).
//!
//! The browser tests start it against the real relay to see what the app does with such peers.
//! It holds the share link, so it is a member like any partner: it joins with the link's access
//! token and seals its presence with the document key, exactly as the app does, and the relay
//! forwards it as it would a partner's. Everything about the link goes through the protocol
//! crate (`ShareLink::parse`, `Secret::access_token`, `Secret::doc_key`), so a change in how
//! ids, tokens or keys are derived reaches this tool without edits.
//!
//! It prints `ready` once every connection has joined and sent its presence, then keeps the
//! connections open (reading what the relay sends, and announcing again as the app does, so the
//! peers stay "here") until it is killed or `--hold-seconds` have passed.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use tandem_protocol::crypto::Purpose;
use tandem_protocol::{ClientMsg, DocKey, RelayMsg, ShareLink};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The app's presence payload, field for field and in the same order, because postcard encodes
/// by position: this mirrors `app/src/presence.rs::PresencePayload` and must change with it.
#[derive(Serialize)]
struct PresencePayload {
    peer: [u8; 8],
    name: String,
    colour: String,
    field: Option<String>,
    unsent: bool,
}

#[derive(Parser)]
#[command(
    version,
    about = "Fake members of a Tandem vacancy, announcing the presence you choose"
)]
struct Args {
    /// The vacancy's share link, `http://host/v/<id>#<secret>`.
    link: String,
    /// How many members to fake, one WebSocket each.
    #[arg(long, default_value_t = 1)]
    senders: usize,
    /// The colour each announces, sent as it is (that is the point).
    #[arg(long, default_value = "#1d4ed8")]
    colour: String,
    /// The name each announces; `{n}` becomes the sender's number (1, 2, …).
    #[arg(long, default_value = "Peer {n}")]
    name: String,
    /// The field each says it is editing, e.g. `title`.
    #[arg(long)]
    field: Option<String>,
    /// Wait this long between one member's arrival and the next, to spread a flood over time.
    #[arg(long, default_value_t = 0)]
    arrive_every_ms: u64,
    /// Announce again this often, as the app does, so the members do not time out.
    #[arg(long, default_value_t = 5_000)]
    announce_every_ms: u64,
    /// Leave after this many seconds; without it, stay until killed.
    #[arg(long)]
    hold_seconds: Option<u64>,
}

/// How long a connection may take to be joined before the tool gives up.
const JOIN_TIMEOUT: Duration = Duration::from_secs(10);

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tandem-hostile-peer: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let link = ShareLink::parse(&args.link).map_err(|e| format!("the link: {e}"))?;
    let origin = origin_of(&args.link)?;
    let sync_url = format!(
        "{}{}",
        origin.replacen("http", "ws", 1),
        tandem_protocol::limits::SYNC_PATH
    );
    let key = link.secret.doc_key(link.doc);

    let mut members = Vec::with_capacity(args.senders);
    for n in 1..=args.senders {
        if n > 1 && args.arrive_every_ms > 0 {
            tokio::time::sleep(Duration::from_millis(args.arrive_every_ms)).await;
        }
        let ws = tokio::time::timeout(JOIN_TIMEOUT, join(&sync_url, &origin, &link))
            .await
            .map_err(|_| format!("member {n}: no answer to its join"))?
            .map_err(|e| format!("member {n}: {e}"))?;
        let (mut sink, stream) = ws.split();
        let payload = payload(&args, n)?;
        send(&mut sink, presence(&link, &key, &payload)).await?;
        members.push((sink, stream, payload));
    }
    let mut stdout = tokio::io::stdout();
    let _ = stdout.write_all(b"ready\n").await;
    let _ = stdout.flush().await;

    let every = Duration::from_millis(args.announce_every_ms.max(100));
    for (sink, stream, payload) in members {
        tokio::spawn(drain(stream));
        tokio::spawn(announce(sink, link.clone(), key.clone(), payload, every));
    }
    match args.hold_seconds {
        Some(secs) => tokio::time::sleep(Duration::from_secs(secs)).await,
        None => std::future::pending::<()>().await,
    }
    Ok(())
}

/// `http://host:port` from a link, for the socket's address and its `Origin` header.
fn origin_of(link: &str) -> Result<String, String> {
    let link = link.trim();
    let (scheme, rest) = link
        .split_once("://")
        .ok_or("the link has no http:// in front")?;
    if scheme != "http" {
        // tokio-tungstenite is built here without TLS: the tests run the relay on plain http.
        return Err(format!("only http:// links are supported, not {scheme}://"));
    }
    let host = rest.split(['/', '#', '?']).next().unwrap_or_default();
    if host.is_empty() {
        return Err("the link has no host".into());
    }
    Ok(format!("http://{host}"))
}

/// Opens a socket as a page of the app would (same `Origin`) and joins the document.
async fn join(sync_url: &str, origin: &str, link: &ShareLink) -> Result<Ws, String> {
    let mut request = sync_url
        .into_client_request()
        .map_err(|e| format!("bad address {sync_url}: {e}"))?;
    let origin = HeaderValue::from_str(origin).map_err(|e| format!("bad origin: {e}"))?;
    request.headers_mut().insert("Origin", origin);
    let (mut ws, _) = tokio_tungstenite::connect_async(request)
        .await
        .map_err(|e| format!("cannot connect to {sync_url}: {e}"))?;
    let join = ClientMsg::Join {
        doc: link.doc,
        token: link.secret.access_token(),
        since_seq: 0,
        expect: Vec::new(),
    };
    ws.send(Message::binary(join.encode()))
        .await
        .map_err(|e| format!("cannot send the join: {e}"))?;
    // Presence sent before the join is answered would be refused as "not joined".
    while let Some(frame) = ws.next().await {
        let Message::Binary(bytes) = frame.map_err(|e| format!("socket failed: {e}"))? else {
            continue;
        };
        match RelayMsg::decode(&bytes) {
            Ok(RelayMsg::Joined { doc, .. }) if doc == link.doc => return Ok(ws),
            Ok(RelayMsg::Error { code, message, .. }) => {
                return Err(format!("the relay refused the join: {code:?}: {message}"))
            }
            _ => {}
        }
    }
    Err("the relay closed the socket before the join was answered".into())
}

fn payload(args: &Args, n: usize) -> Result<Vec<u8>, String> {
    let mut peer = [0u8; 8];
    tandem_protocol::crypto::fill_random(&mut peer);
    let payload = PresencePayload {
        peer,
        name: args.name.replace("{n}", &n.to_string()),
        colour: args.colour.clone(),
        field: args.field.clone(),
        unsent: false,
    };
    postcard::to_allocvec(&payload).map_err(|e| format!("cannot encode presence: {e}"))
}

/// A presence frame, sealed afresh (every seal has its own nonce) as the app seals it.
fn presence(link: &ShareLink, key: &DocKey, payload: &[u8]) -> ClientMsg {
    ClientMsg::Presence {
        doc: link.doc,
        ciphertext: key.seal(Purpose::Presence, payload),
    }
}

async fn send(sink: &mut SplitSink<Ws, Message>, msg: ClientMsg) -> Result<(), String> {
    sink.send(Message::binary(msg.encode()))
        .await
        .map_err(|e| format!("cannot send: {e}"))
}

/// Reads and drops what the relay sends: a member that stops reading would be cut off.
async fn drain(mut stream: SplitStream<Ws>) {
    while let Some(Ok(_)) = stream.next().await {}
}

async fn announce(
    mut sink: SplitSink<Ws, Message>,
    link: ShareLink,
    key: DocKey,
    payload: Vec<u8>,
    every: Duration,
) {
    let mut tick = tokio::time::interval(every);
    tick.tick().await; // The first tick is immediate; the first presence has gone already.
    loop {
        tick.tick().await;
        if send(&mut sink, presence(&link, &key, &payload))
            .await
            .is_err()
        {
            return;
        }
    }
}
