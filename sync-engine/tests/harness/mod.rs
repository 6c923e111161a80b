//! The test harness: the engine driven by hand, frames in, outputs out, time passed in. The
//! "relay" is the test itself, speaking real protocol frames sealed with the real document key;
//! `simulation/` runs the engine against the real relay core.
#![allow(dead_code, unused_imports)] // Each test file uses a different subset.

pub use tandem_protocol::crypto::Purpose;
pub use tandem_protocol::message::{Entry, StoredSnapshot};
pub use tandem_protocol::{ClientMsg, DocId, DocKey, ErrorCode, RelayMsg, Secret};
pub use tandem_sync_engine::document::{Stored, SNAPSHOT_EVERY};
pub use tandem_sync_engine::pace::{DEAD_AFTER_MS, PING_WHEN_IDLE_MS, RETRY_MS, SEND_WINDOW};
pub use tandem_sync_engine::{Engine, Event, Link, Output, Pending, Problem};

pub const MAX_FRAME: u64 = 2 * 1024 * 1024;

pub struct Harness {
    pub engine: Engine,
    pub doc: DocId,
    pub key: DocKey,
    pub now: u64,
    pub sent: Vec<ClientMsg>,
    pub events: Vec<Event>,
    pub connects: usize,
    pub disconnects: usize,
}

impl Harness {
    pub fn new(stored: Stored, outbox: Vec<Pending>) -> Self {
        let doc = DocId([9; 16]);
        let secret = Secret::random();
        let now = 1_000_000;
        let mut engine = Engine::new(now);
        engine.open(doc, &secret, stored, outbox, now);
        let mut h = Harness {
            engine,
            doc,
            key: secret.doc_key(doc),
            now,
            sent: Vec::new(),
            events: Vec::new(),
            connects: 0,
            disconnects: 0,
        };
        h.drain();
        h
    }

    /// A fresh harness, connected and joined at `head`.
    pub fn joined(head: u64) -> Self {
        let mut h = Harness::new(Stored::default(), Vec::new());
        h.connect();
        h.answer_join(head);
        h
    }

    /// The relay's answer to a join: its head, this harness's frame limit, nothing lost.
    pub fn answer_join(&mut self, head_seq: u64) {
        self.answer_join_with(head_seq, MAX_FRAME, false);
    }

    pub fn answer_join_with(&mut self, head_seq: u64, max_frame_bytes: u64, lost: bool) {
        let doc = self.doc;
        self.relay(RelayMsg::Joined {
            doc,
            head_seq,
            max_frame_bytes,
            lost,
        });
    }

    pub fn drain(&mut self) {
        while let Some(out) = self.engine.poll_output() {
            match out {
                Output::Connect => self.connects += 1,
                Output::Disconnect => self.disconnects += 1,
                Output::Send(frame) => self.sent.push(ClientMsg::decode(&frame).expect("valid")),
                Output::Event(e) => self.events.push(e),
            }
        }
    }

    pub fn connect(&mut self) {
        self.engine.connected(self.now);
        self.drain();
    }

    pub fn relay(&mut self, msg: RelayMsg) {
        self.engine.receive(&msg.encode(), self.now);
        self.drain();
    }

    pub fn advance(&mut self, ms: u64) {
        self.now += ms;
        self.engine.handle_timeout(self.now);
        self.drain();
    }

    pub fn change(&mut self, n: u8, len: usize) -> Pending {
        let item = Pending {
            id: [n; 16],
            created_at: self.now,
            change: vec![n; len],
        };
        self.engine.local_change(self.doc, item.clone(), self.now);
        self.drain();
        item
    }

    pub fn take_sent(&mut self) -> Vec<ClientMsg> {
        std::mem::take(&mut self.sent)
    }

    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    pub fn appends(&mut self) -> Vec<([u8; 16], Vec<u8>)> {
        let key = self.key.clone();
        self.take_sent()
            .into_iter()
            .filter_map(|m| match m {
                ClientMsg::Append {
                    client_msg_id,
                    ciphertext,
                    ..
                } => Some((
                    client_msg_id,
                    key.open(Purpose::Change, &ciphertext)
                        .expect("sealed with the doc key"),
                )),
                _ => None,
            })
            .collect()
    }

    pub fn entry(&self, seq: u64, plain: &[u8]) -> Entry {
        Entry {
            seq,
            client_msg_id: [seq as u8; 16],
            ciphertext: self.key.seal(Purpose::Change, plain),
        }
    }

    pub fn broadcast(&mut self, seq: u64, plain: &[u8]) {
        let ciphertext = self.key.seal(Purpose::Change, plain);
        self.relay(RelayMsg::Broadcast {
            doc: self.doc,
            seq,
            client_msg_id: [seq as u8; 16],
            ciphertext,
        });
    }

    pub fn changes(&mut self) -> Vec<(Vec<Vec<u8>>, u64)> {
        self.take_events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Changes {
                    changes, stored, ..
                } => Some((changes, stored.last_seq)),
                _ => None,
            })
            .collect()
    }

    pub fn joins(&mut self) -> Vec<u64> {
        self.take_sent()
            .into_iter()
            .filter_map(|m| match m {
                ClientMsg::Join { since_seq, .. } => Some(since_seq),
                _ => None,
            })
            .collect()
    }
}
