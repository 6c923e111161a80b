//! Helpers shared by the integration tests: the real relay binary as a child process, a WebSocket
//! client that speaks the real protocol, and a minimal HTTP/1.1 GET.
#![allow(dead_code)] // Each test file uses a different subset.

pub mod blobs;
pub mod postgres;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tandem_protocol::message::{Entry, StoredSnapshot};
use tandem_protocol::{AccessToken, ClientMsg, DocId, ErrorCode, RelayMsg, Secret};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for a message it expects.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a test listens to be sure a message does not come.
pub const QUIET: Duration = Duration::from_millis(400);

/// A running `tandem-relay` process; killed when dropped.
pub struct RelayProcess {
    child: Child,
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    /// The PostgreSQL database the relay stores in, when the tests run on PostgreSQL
    /// ([`postgres::selected`]); SQLite under `data_dir` otherwise.
    pub database_url: Option<String>,
    /// Kept open so the relay never writes into a closed pipe.
    _stdout: BufReader<ChildStdout>,
}

impl RelayProcess {
    /// Every byte of the relay's files (the database and its write-ahead log): what a test
    /// searches for content that must, or must no longer, be stored. On PostgreSQL, every byte
    /// its tables hold: dead rows and the server's log are PostgreSQL's to keep or drop (see
    /// the store's overview), what the relay stores is what the tables say.
    pub fn files(&self) -> Vec<u8> {
        if let Some(url) = &self.database_url {
            return postgres::cluster().contents(url);
        }
        let mut all = Vec::new();
        for entry in std::fs::read_dir(&self.data_dir).expect("read the data dir") {
            let path = entry.expect("a dir entry").path();
            if path.is_file() {
                all.extend(std::fs::read(&path).expect("read a relay file"));
            }
        }
        all
    }

    /// Starts the relay on an ephemeral port with `data_dir`; `extra` may add or override flags
    /// (a `--static-dir` in `extra` replaces the default, which does not exist). When the tests
    /// run on PostgreSQL, the relay stores in the private cluster's database for `data_dir`.
    pub fn start(data_dir: &Path, extra: &[&str]) -> Self {
        let database_url = postgres::selected().then(|| postgres::cluster().database_for(data_dir));
        Self::start_with(data_dir, database_url, extra)
    }

    /// [`RelayProcess::start`] on the database at `database_url` (SQLite under `data_dir` for
    /// `None`), whichever store the tests run on: two relays on one database, say.
    pub fn start_with(data_dir: &Path, database_url: Option<String>, extra: &[&str]) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tandem-relay"));
        cmd.arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--data-dir")
            .arg(data_dir);
        if let Some(url) = &database_url {
            cmd.arg("--database-url").arg(url);
        }
        if !extra.contains(&"--static-dir") {
            cmd.arg("--static-dir").arg(data_dir.join("no-app-here"));
        }
        cmd.args(extra)
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .stderr(if std::env::var_os("TANDEM_TEST_LOG").is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            });
        let mut child = cmd.spawn().expect("start tandem-relay");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut line = String::new();
        stdout
            .read_line(&mut line)
            .expect("read the relay's first line");
        let addr = line
            .trim()
            .strip_prefix("Tandem relay listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .parse()
            .expect("a socket address");
        RelayProcess {
            child,
            addr,
            data_dir: data_dir.to_owned(),
            database_url,
            _stdout: stdout,
        }
    }

    /// The relay's resident memory now, in bytes (from /proc; Linux only).
    pub fn rss_bytes(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("read the relay's /proc status");
        let kib: u64 = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("a VmRSS line");
        kib * 1024
    }

    /// SIGKILL: no chance to flush or clean up, like a power cut for the process.
    pub fn kill(mut self) {
        self.child.kill().expect("kill the relay");
        self.child.wait().expect("reap the relay");
    }

    /// SIGTERM, as a container runtime stops the relay; returns how it exited.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success());
        let deadline = std::time::Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("poll the relay") {
                return status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the relay did not stop"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub async fn client(&self) -> Client {
        Client::connect(self.addr).await
    }

    /// Two clients, both joined to `doc` from the start: the usual cast of a test.
    pub async fn joined_pair(&self, doc: &TestDoc) -> (Client, Client) {
        let (mut alice, mut bob) = (self.client().await, self.client().await);
        alice.join(doc, 0).await;
        bob.join(doc, 0).await;
        (alice, bob)
    }
}

/// A relay refusal, as the client received it.
#[derive(Debug, PartialEq)]
pub struct Refusal {
    pub doc: Option<DocId>,
    pub client_msg_id: Option<[u8; 16]>,
    pub code: ErrorCode,
    pub message: String,
}

impl Refusal {
    /// Asserts the refusal's code and that its message says `says` (which limit, which item).
    pub fn assert_says(&self, code: ErrorCode, says: &str) {
        assert_eq!(self.code, code, "{}", self.message);
        assert!(
            self.message.contains(says),
            "{:?} lacks {says:?}",
            self.message
        );
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A document and the secret that opens it, as a client holding a share link has them.
pub struct TestDoc {
    pub doc: DocId,
    pub secret: Secret,
}

impl TestDoc {
    pub fn new() -> Self {
        let secret = Secret::random();
        TestDoc {
            doc: secret.doc_id(),
            secret,
        }
    }
    pub fn token(&self) -> AccessToken {
        self.secret.access_token()
    }

    /// A join from the start with `token`, as a client sends it: [`TestDoc::token`] or another.
    pub fn join_with(&self, token: AccessToken) -> ClientMsg {
        ClientMsg::Join {
            doc: self.doc,
            token,
            since_seq: 0,
            expect: Vec::new(),
        }
    }
}

/// What a join delivered: the head and the catch-up, flattened.
#[derive(Debug, Default)]
pub struct Joined {
    pub head_seq: u64,
    pub snapshot: Option<StoredSnapshot>,
    pub entries: Vec<Entry>,
    pub messages: usize,
}

pub struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Client {
    pub async fn connect(addr: SocketAddr) -> Self {
        let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/sync"))
            .await
            .expect("WebSocket handshake");
        Client { ws }
    }

    pub async fn send(&mut self, msg: &ClientMsg) {
        self.send_raw(msg.encode()).await;
    }

    pub async fn send_raw(&mut self, frame: Vec<u8>) {
        self.ws.send(Message::binary(frame)).await.expect("send");
    }

    /// Sends without insisting it arrives; for frames the relay may cut off mid-way.
    pub async fn try_send_raw(&mut self, frame: Vec<u8>) -> bool {
        self.ws.send(Message::binary(frame)).await.is_ok()
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws.send(Message::text(text)).await.expect("send");
    }

    /// The next protocol message, or `None` if none arrives within `wait` or the socket closes.
    pub async fn try_recv(&mut self, wait: Duration) -> Option<RelayMsg> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let next = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .ok()??;
            match next.ok()? {
                Message::Binary(frame) => {
                    return Some(RelayMsg::decode(&frame).expect("a valid relay frame"))
                }
                Message::Close(_) => return None,
                _ => {}
            }
        }
    }

    /// The next message that is not a `PeerLeft`.
    pub async fn recv_skipping_departures(&mut self) -> RelayMsg {
        loop {
            match self.recv().await {
                RelayMsg::PeerLeft { .. } => continue,
                other => return other,
            }
        }
    }

    pub async fn recv(&mut self) -> RelayMsg {
        self.try_recv(TIMEOUT)
            .await
            .expect("a message from the relay in time")
    }

    /// The next message, which must be a refusal.
    pub async fn recv_refusal(&mut self) -> Refusal {
        match self.recv().await {
            RelayMsg::Error {
                doc,
                client_msg_id,
                code,
                message,
            } => Refusal {
                doc,
                client_msg_id,
                code,
                message,
            },
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    /// Asserts that nothing arrives for a while.
    pub async fn expect_silence(&mut self) {
        if let Some(msg) = self.try_recv(QUIET).await {
            panic!("expected silence, got {msg:?}");
        }
    }

    /// Whether the relay has closed this connection (within `TIMEOUT`).
    pub async fn is_closed(&mut self) -> bool {
        let deadline = tokio::time::Instant::now() + TIMEOUT;
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_) => return false,
                Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => return true,
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// Joins and reads the whole catch-up; panics on an error reply.
    pub async fn join(&mut self, doc: &TestDoc, since_seq: u64) -> Joined {
        self.send(&ClientMsg::Join {
            doc: doc.doc,
            token: doc.token(),
            since_seq,
            expect: Vec::new(),
        })
        .await;
        let head_seq = match self.recv().await {
            RelayMsg::Joined {
                doc: d, head_seq, ..
            } if d == doc.doc => head_seq,
            other => panic!("expected Joined, got {other:?}"),
        };
        let mut joined = Joined {
            head_seq,
            ..Joined::default()
        };
        let mut seen = since_seq;
        while seen < head_seq {
            match self.recv().await {
                RelayMsg::Entries {
                    doc: d,
                    snapshot,
                    entries,
                } if d == doc.doc => {
                    if let Some(snapshot) = snapshot {
                        seen = seen.max(snapshot.covers_seq);
                        joined.snapshot = Some(snapshot);
                    }
                    if let Some(last) = entries.last() {
                        seen = seen.max(last.seq);
                    }
                    joined.entries.extend(entries);
                    joined.messages += 1;
                }
                other => panic!("expected Entries, got {other:?}"),
            }
        }
        joined
    }

    /// Appends [`sealed`]`(ciphertext)` and waits for the Ack, returning its sequence. Word that
    /// another connection left the document may come first and is passed over.
    pub async fn append(&mut self, doc: DocId, client_msg_id: [u8; 16], ciphertext: &[u8]) -> u64 {
        self.send(&ClientMsg::Append {
            doc,
            client_msg_id,
            ciphertext: sealed(ciphertext),
        })
        .await;
        match self.recv_skipping_departures().await {
            RelayMsg::Ack {
                doc: d,
                client_msg_id: id,
                seq,
            } if d == doc && id == client_msg_id => seq,
            other => panic!("expected Ack, got {other:?}"),
        }
    }
}

/// `text` as the relay sees a sealed payload: at least an envelope long. The relay cannot tell
/// real ciphertext from any other bytes of that length, so tests keep readable payloads, padded.
pub fn sealed(text: &[u8]) -> Vec<u8> {
    let mut out = text.to_vec();
    out.resize(out.len().max(tandem_protocol::crypto::MIN_SEALED_LEN), b'.');
    out
}

/// A fresh random client message id.
pub fn msg_id() -> [u8; 16] {
    DocId::random().0
}

pub struct HttpResponse {
    pub status: u16,
    /// Lower-cased names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A one-shot HTTP/1.1 GET; small enough to read, and it speaks to the real listener.
pub fn http_get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> HttpResponse {
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("write request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read response");

    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut response = HttpResponse {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    };
    if response.header("transfer-encoding") == Some("chunked") {
        response.body = dechunk(&response.body);
    }
    response
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size_field = String::from_utf8_lossy(&data[..eol]);
        let size_hex = size_field.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_hex, 16).expect("chunk size");
        if size == 0 {
            break;
        }
        let start = eol + 2;
        out.extend_from_slice(&data[start..start + size]);
        data = &data[start + size + 2..];
    }
    out
}

/// Whether `needle` occurs anywhere in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
