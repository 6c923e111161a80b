//! A session's side of the relay protocol: joining, sending the outbox, receiving entries and
//! presence, and reacting to refusals.
//!
//! The relay delivers one document's messages in sequence order, so a sequence number that
//! skips ahead means something was lost on the way: the session then joins again from the last
//! sequence it has, and the relay sends what is missing.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use tandem_protocol::crypto::Purpose;
use tandem_protocol::message::{Entry, StoredSnapshot};
use tandem_protocol::{ClientMsg, ErrorCode, RelayMsg};

use super::{Availability, DocSession};
use crate::local_store::OutboxItem;
use crate::presence::{self, PresencePayload};
use crate::problem::Problem;
use crate::services;

/// How many appends may wait for their acknowledgement at once. After a long offline spell the
/// outbox drains in windows like this, well inside the relay's rate limit.
const SEND_WINDOW: usize = 64;
/// Offer the relay a snapshot each time the log grows by this many entries, so a device that
/// joins late downloads one snapshot instead of every keystroke ever typed.
const RELAY_SNAPSHOT_EVERY: u64 = 256;
/// Snapshots larger than this stay local: the relay's default frame limit is 2 MiB.
const MAX_RELAY_SNAPSHOT: usize = 1536 * 1024;
/// How long to wait before sending again what the relay could not take just now.
const RETRY_MS: u64 = 2_000;

impl DocSession {
    pub fn on_connected(&self) {
        self.join();
    }

    fn join(&self) {
        if let Some(client) = services::client() {
            client.send(&ClientMsg::Join {
                doc: self.doc,
                token: self.token.clone(),
                since_seq: self.last_seq.get(),
            });
        }
    }

    pub fn on_disconnected(&self) {
        self.joined.set(false);
        self.in_flight.borrow_mut().clear();
        self.caught_up.set(false);
        self.peers.set(Vec::new());
    }

    /// Sends outbox items that are not on their way yet, oldest first, within the window.
    pub(super) fn pump(&self) {
        if !self.joined.get() {
            return;
        }
        let Some(client) = services::client() else {
            return;
        };
        let outbox = self.outbox.borrow();
        let mut in_flight = self.in_flight.borrow_mut();
        for item in outbox.iter() {
            if in_flight.len() >= SEND_WINDOW {
                break;
            }
            if in_flight.contains(&item.id) {
                continue;
            }
            let sent = client.send(&ClientMsg::Append {
                doc: self.doc,
                client_msg_id: item.id,
                ciphertext: self.key.seal(Purpose::Change, &item.change),
            });
            if !sent {
                break;
            }
            in_flight.insert(item.id);
        }
    }

    pub fn on_message(self: &Rc<Self>, msg: RelayMsg) {
        match msg {
            RelayMsg::Joined { head_seq, .. } => self.on_joined(head_seq),
            RelayMsg::Entries {
                snapshot, entries, ..
            } => self.receive(snapshot, entries),
            RelayMsg::Broadcast {
                seq, ciphertext, ..
            } => self.receive(None, vec![Entry { seq, ciphertext }]),
            RelayMsg::Ack {
                client_msg_id, seq, ..
            } => self.on_ack(client_msg_id, seq),
            RelayMsg::Presence { ciphertext, .. } => {
                let payload = self
                    .key
                    .open(Purpose::Presence, &ciphertext)
                    .ok()
                    .and_then(|plain| PresencePayload::decode(&plain));
                // Answer a newcomer at once, so both see each other without waiting.
                if payload.is_some_and(|p| presence::upsert(self.peers, p)) {
                    self.send_presence();
                }
            }
            RelayMsg::Error {
                code,
                client_msg_id,
                ..
            } => self.on_error(code, client_msg_id),
            RelayMsg::PeerLeft { .. } | RelayMsg::Pong { .. } => {}
        }
    }

    fn on_joined(self: &Rc<Self>, head_seq: u64) {
        self.joined.set(true);
        self.head_seq.set(head_seq);
        self.in_flight.borrow_mut().clear();
        if head_seq < self.last_seq.get() {
            // The relay has less than we saw it acknowledge: it was restored from a backup or
            // replaced. Give it back everything this device has, as one change.
            self.last_seq.set(0);
            let whole = self.vacancy.borrow_mut().save();
            self.writing.set(self.writing.get() + 1);
            let me = self.clone();
            spawn_local(async move { me.record_local_change(whole).await });
        }
        self.pump();
        self.check_caught_up();
        self.send_presence();
    }

    fn on_ack(&self, id: [u8; 16], seq: u64) {
        let acked = {
            let mut outbox = self.outbox.borrow_mut();
            let index = outbox.iter().position(|i| i.id == id);
            index.map(|i| outbox.remove(i))
        };
        self.in_flight.borrow_mut().remove(&id);
        self.update_pending();
        self.note_seqs(seq, seq);
        self.touch_record();
        if seq.is_multiple_of(RELAY_SNAPSHOT_EVERY) {
            self.offer_snapshot(seq);
        }
        if let Some(item) = acked {
            if let Some(store) = services::store() {
                let doc = self.doc_str.clone();
                spawn_local(async move {
                    let _ = store.remove_from_outbox(&doc, &item).await;
                });
            }
        }
        self.pump();
    }

    fn on_error(self: &Rc<Self>, code: ErrorCode, id: Option<[u8; 16]>) {
        match code {
            ErrorCode::BadToken => self.availability.set(Availability::Denied),
            // Our own snapshot offer raced the log; nothing is lost.
            ErrorCode::SnapshotAhead => {}
            // Passing trouble: send the refused change again in a moment.
            ErrorCode::RateLimited | ErrorCode::Internal => {
                if let Some(id) = id {
                    self.in_flight.borrow_mut().remove(&id);
                }
                if code == ErrorCode::Internal {
                    self.problem.set(Some(Problem::Relay(code)));
                }
                let me = self.clone();
                set_timeout(
                    move || me.pump(),
                    std::time::Duration::from_millis(RETRY_MS),
                );
            }
            // Lasting refusals: the change stays in the outbox (not resent on this connection)
            // and the user is told why it is waiting.
            _ => self.problem.set(Some(Problem::Relay(code))),
        }
    }

    /// Records that entries `first..=last` have been applied. A gap before `first` means a
    /// message was lost: join again from what we have.
    fn note_seqs(&self, first: u64, last: u64) {
        let seen = self.last_seq.get();
        if first > seen + 1 {
            self.join();
            return;
        }
        if last > seen {
            self.last_seq.set(last);
        }
        self.check_caught_up();
    }

    fn check_caught_up(&self) {
        let up = self.joined.get() && self.last_seq.get() >= self.head_seq.get();
        if self.caught_up.get_untracked() != up {
            self.caught_up.set(up);
        }
        self.refresh_availability();
    }

    fn receive(self: &Rc<Self>, snapshot: Option<StoredSnapshot>, entries: Vec<Entry>) {
        let mut plain = Vec::new();
        // A snapshot stands for every entry up to its sequence.
        let mut first = if snapshot.is_some() { 1 } else { u64::MAX };
        let mut last = 0;
        if let Some(s) = snapshot {
            last = s.covers_seq;
            match self.key.open_snapshot(s.covers_seq, &s.ciphertext) {
                Ok(bytes) => plain.push(bytes),
                Err(_) => self.problem.set(Some(Problem::Refused)),
            }
        }
        for entry in entries {
            first = first.min(entry.seq);
            last = last.max(entry.seq);
            match self.key.open(Purpose::Change, &entry.ciphertext) {
                Ok(bytes) => plain.push(bytes),
                Err(_) => self.problem.set(Some(Problem::Refused)),
            }
        }
        {
            let mut v = self.vacancy.borrow_mut();
            for bytes in &plain {
                if v.apply_remote(bytes).is_err() {
                    self.problem.set(Some(Problem::DamagedData));
                }
            }
        }
        let seq_before = self.last_seq.get();
        if first <= last {
            self.note_seqs(first, last);
        }
        self.version.update(|v| *v += 1);
        self.listed.set(true);
        // The chunks and the sequence they bring us to are stored in one transaction: a crash
        // can never leave a sequence recorded whose entries are not on disk.
        let chunks: Vec<(String, Vec<u8>)> = plain
            .into_iter()
            .map(|bytes| (self.new_chunk_key(), bytes))
            .collect();
        if let Some(store) = services::store() {
            let me = self.clone();
            let record = self.record();
            spawn_local(async move {
                if let Err(e) = store.save_remote(&chunks, &record).await {
                    me.storage_failed(&e, seq_before);
                }
                me.maybe_compact().await;
            });
        }
    }

    /// Offers the relay a sealed snapshot of everything up to `seq`. Safe because the relay
    /// delivers a document's messages in sequence order: when our append is acknowledged as
    /// `seq`, every entry before it has already reached us and is in our document.
    fn offer_snapshot(&self, seq: u64) {
        let bytes = self.vacancy.borrow_mut().save();
        let sealed = self.key.seal_snapshot(seq, &bytes);
        if sealed.len() > MAX_RELAY_SNAPSHOT {
            return;
        }
        if let Some(client) = services::client() {
            client.send(&ClientMsg::Snapshot {
                doc: self.doc,
                covers_seq: seq,
                ciphertext: sealed,
            });
        }
    }

    pub fn send_presence(&self) {
        if !self.joined.get() {
            return;
        }
        let Some(profile) = services::profile() else {
            return;
        };
        let payload = PresencePayload {
            peer: services::tab_id(),
            name: profile.name,
            colour: profile.colour,
            field: self.my_field.borrow().clone(),
        };
        if let Some(client) = services::client() {
            client.send(&ClientMsg::Presence {
                doc: self.doc,
                ciphertext: self.key.seal(Purpose::Presence, &payload.encode()),
            });
        }
    }
}

impl OutboxItem {
    /// A change with a fresh random id, which makes its append idempotent at the relay.
    pub fn new(change: Vec<u8>) -> Self {
        let mut id = [0u8; 16];
        tandem_protocol::crypto::fill_random(&mut id);
        OutboxItem {
            id,
            created_at: js_sys::Date::now(),
            change,
        }
    }
}
