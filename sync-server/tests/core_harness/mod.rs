//! The relay core as the tests drive it, the way a simulation would: a [`Sim`] holds a
//! [`RelayCore`] over the real SQLite store in a temporary directory, can stop and start it like
//! a process, and decodes what comes out.
#![allow(dead_code)] // Each test file uses a different subset.

use std::sync::{Arc, LazyLock};

use tandem_protocol::crypto::MIN_SEALED_LEN;
use tandem_protocol::message::Entry;
use tandem_protocol::BlobHash;
use tandem_protocol::{AccessToken, ClientMsg, ClientMsgId, DocId, ErrorCode, RelayMsg};
use tandem_sync_server::catch_up::Page;
use tandem_sync_server::limits::Limits;
use tandem_sync_server::relay_core::{Outgoing, RelayCore};
use tandem_sync_server::session::ConnId;
use tandem_sync_server::store::{
    Appended, BlobError, BlobState, Claimed, Quota, SnapshotStored, SqliteStore, Store, StoreError,
    Totals,
};

/// The document [`TOKEN`] opens: the relay refuses a token for any other id.
pub static DOC: LazyLock<DocId> = LazyLock::new(|| TOKEN.doc_id());
pub const TOKEN: AccessToken = AccessToken([2; 32]);
pub const LIMITS: Limits = Limits {
    max_frame_bytes: 4 * 1024 * 1024,
    max_doc_bytes: 64 * 1024 * 1024,
    max_presence_bytes: 4 * 1024,
    presence_per_second: 20.0,
    bytes_per_second: 64 * 1024 * 1024,
    max_new_docs_per_connection: 8,
    max_docs: 1000,
    max_total_bytes: 1 << 30,
    max_blob_bytes: 1 << 20,
    max_doc_blob_bytes: 4 << 20,
};

/// `text` as the relay sees a sealed payload: at least an envelope long. The relay cannot tell
/// real ciphertext from any other bytes of that length, so tests keep their readable payloads
/// and pad them.
pub fn sealed(text: &[u8]) -> Vec<u8> {
    let mut out = text.to_vec();
    out.resize(out.len().max(MIN_SEALED_LEN), b'.');
    out
}

/// A relay over a store in a temporary directory.
pub struct Sim {
    pub dir: tempfile::TempDir,
    /// The open store, kept to take backups; `None` while the relay is stopped.
    pub store: Option<Arc<SqliteStore>>,
    /// Over [`NoStore`] while stopped, so that no handle keeps the database open.
    pub relay: RelayCore,
}

impl Sim {
    pub fn new() -> Self {
        let mut sim = Sim {
            dir: tempfile::tempdir().expect("temp dir"),
            store: None,
            relay: RelayCore::new(Arc::new(NoStore), LIMITS),
        };
        sim.start();
        sim
    }

    /// Opens the data directory and a relay over it, with no connections.
    pub fn start(&mut self) {
        let store = Arc::new(SqliteStore::open(self.dir.path()).expect("open store"));
        self.relay = RelayCore::new(store.clone(), LIMITS);
        self.store = Some(store);
    }

    /// Drops the relay, its connections and its store: the database is closed.
    pub fn stop(&mut self) {
        self.relay = RelayCore::new(Arc::new(NoStore), LIMITS);
        self.store = None;
    }

    /// Sends `msg` from `conn` at time zero and decodes what comes out.
    pub fn send(&mut self, conn: ConnId, msg: &ClientMsg) -> Vec<(ConnId, RelayMsg)> {
        self.send_at(conn, msg, 0)
    }

    pub fn send_at(
        &mut self,
        conn: ConnId,
        msg: &ClientMsg,
        now_ms: u64,
    ) -> Vec<(ConnId, RelayMsg)> {
        decode(self.relay.receive(conn, &msg.encode(), now_ms))
    }

    pub fn join(&mut self, conn: ConnId, since_seq: u64) -> Vec<(ConnId, RelayMsg)> {
        self.send(conn, &join(since_seq))
    }

    pub fn append(&mut self, conn: ConnId, id: u8, ciphertext: &[u8]) -> Vec<(ConnId, RelayMsg)> {
        self.send(conn, &append(id, ciphertext))
    }
}

pub fn decode(out: Vec<Outgoing>) -> Vec<(ConnId, RelayMsg)> {
    out.into_iter()
        .map(|o| {
            (
                o.to,
                RelayMsg::decode(&o.frame).expect("a valid relay frame"),
            )
        })
        .collect()
}

pub fn join(since_seq: u64) -> ClientMsg {
    ClientMsg::Join {
        doc: *DOC,
        token: TOKEN,
        since_seq,
        expect: Vec::new(),
    }
}

pub fn append(id: u8, ciphertext: &[u8]) -> ClientMsg {
    ClientMsg::Append {
        doc: *DOC,
        client_msg_id: [id; 16],
        ciphertext: sealed(ciphertext),
    }
}

pub fn joined(head_seq: u64) -> RelayMsg {
    RelayMsg::Joined {
        doc: *DOC,
        head_seq,
        max_frame_bytes: LIMITS.max_frame_bytes as u64,
        lost: false,
    }
}

pub fn ack(id: u8, seq: u64) -> RelayMsg {
    RelayMsg::Ack {
        doc: *DOC,
        client_msg_id: [id; 16],
        seq,
    }
}

/// The broadcast of append `id` stored under `seq`.
pub fn broadcast(seq: u64, id: u8, ciphertext: &[u8]) -> RelayMsg {
    RelayMsg::Broadcast {
        doc: *DOC,
        seq,
        client_msg_id: [id; 16],
        ciphertext: sealed(ciphertext),
    }
}

/// A catch-up of `(seq, append id, ciphertext)` entries.
pub fn entries(list: &[(u64, u8, &[u8])]) -> RelayMsg {
    RelayMsg::Entries {
        doc: *DOC,
        snapshot: None,
        entries: list
            .iter()
            .map(|&(seq, id, c)| Entry {
                seq,
                client_msg_id: [id; 16],
                ciphertext: sealed(c),
            })
            .collect(),
    }
}

pub fn code(out: &[(ConnId, RelayMsg)]) -> Option<ErrorCode> {
    match out {
        [(_, RelayMsg::Error { code, .. })] => Some(*code),
        _ => None,
    }
}
/// A store whose every call fails, as a full disk would.
pub struct NoStore;

pub fn down() -> StoreError {
    StoreError::Task("the disk is gone".into())
}

impl Store for NoStore {
    fn head_seq(&self, _: DocId) -> Result<u64, StoreError> {
        Err(down())
    }
    fn catch_up_page(&self, _: DocId, _: u64, _: u64, _: usize) -> Result<Page, StoreError> {
        Err(down())
    }
    fn append_id_at(&self, _: DocId, _: u64) -> Result<Option<ClientMsgId>, StoreError> {
        Err(down())
    }
    fn append(
        &self,
        _: DocId,
        _: ClientMsgId,
        _: &[u8],
        _: &Quota,
    ) -> Result<Appended, StoreError> {
        Err(down())
    }
    fn store_snapshot(
        &self,
        _: DocId,
        _: u64,
        _: &[u8],
        _: &Quota,
    ) -> Result<SnapshotStored, StoreError> {
        Err(down())
    }
    fn totals(&self) -> Result<Totals, StoreError> {
        Err(down())
    }
    fn is_deleted(&self, _: DocId) -> Result<bool, StoreError> {
        Err(down())
    }
    fn own(&self, _: DocId, _: [u8; 32], _: &Quota) -> Result<Claimed, StoreError> {
        Err(down())
    }
    fn delete(&self, _: DocId, _: [u8; 32], _: Option<&[u8]>) -> Result<(), StoreError> {
        Err(down())
    }
    fn moved_to(&self, _: DocId) -> Result<Option<Vec<u8>>, StoreError> {
        Err(down())
    }
    fn blob_state(&self, _: DocId, _: BlobHash) -> Result<Option<BlobState>, BlobError> {
        Err(down().into())
    }
    fn put_blob(
        &self,
        _: DocId,
        _: BlobHash,
        _: u64,
        _: u64,
        _: &[u8],
        _: &Quota,
    ) -> Result<u64, BlobError> {
        Err(down().into())
    }
    fn read_blob(
        &self,
        _: DocId,
        _: BlobHash,
        _: u64,
        _: usize,
    ) -> Result<Option<Vec<u8>>, BlobError> {
        Err(down().into())
    }
    fn expire_partial_blobs(&self, _: std::time::Duration) -> Result<u64, StoreError> {
        Err(down())
    }
}
