//! One document's side of the protocol.
//!
//! The relay numbers a document's log entries 1, 2, 3 … and delivers them to each connection
//! in order: the catch-up after `Joined`, then `Broadcast`s and `Ack`s. So the engine keeps
//! `last_seq`, the sequence up to which it holds every entry, and treats anything that skips
//! ahead as a loss on the way: it joins again from `last_seq` and the relay sends what is
//! missing. A relay that reports a head *below* what it once showed has lost history (it was
//! restored from an older backup); the engine then asks the app to upload the whole document
//! and joins again from the start.
//!
//! Refusals are sorted by what helps: passing trouble (rate limited, a failing relay, not yet
//! joined) is retried after [`RETRY_MS`]; lasting ones (too large, an app the relay does not
//! understand) stop sending on this connection and are shown; a wrong token ends the session.
//!
//! On the creator's device the document also knows its delete token ([`DocSync::set_owner`]):
//! every `Joined` is followed at once by `Own` with the token's hash, before any append, so the
//! relay registers the owner while the new document is still empty (and hears the same claim
//! again, harmlessly, on every later join). A refused claim (a document from before owners) is
//! only noted: such a vacancy cannot be deleted for everyone. `Deleted` from the relay, or a
//! `NotFound` refusal, ends the document's sync for good: it was deleted by its owner.
//! `Moved` ends it the same way, with the new document's secret opened from the pointer
//! ([`DocSync::move_to`] sends one): the app then follows it.

use tandem_protocol::crypto::Purpose;
use tandem_protocol::limits::FRAME_OVERHEAD_BYTES;
use tandem_protocol::message::{Entry, StoredSnapshot};
use tandem_protocol::{
    AccessToken, ClientMsg, ClientMsgId, ConnNo, DeleteToken, DocId, DocKey, EntryId, ErrorCode,
    MovedTo, RelayMsg, Secret,
};

use crate::engine::Io;
use crate::outbox::{Outbox, Pending};
use crate::output::{DocStatus, Event, Link, Problem};
use crate::pace::{QUOTA_RETRY_MS, RETRY_MS};
use crate::presence::{Heard, Peers, ANSWER_AT_MOST_EVERY_MS, PRESENCE_EVERY_MS};
use crate::Millis;

/// Offer the relay a snapshot each time the log reaches a multiple of this, so a device that
/// joins late downloads one snapshot instead of every keystroke ever typed. Exactly one device
/// offers each time: the one whose append got that sequence. (A simulation sets it lower with
/// [`crate::Engine::set_snapshot_every`], to exercise snapshots in short runs.)
pub const SNAPSHOT_EVERY: u64 = 256;

/// How far a document got with the relay: what the device stores beside the document, and
/// hands back when it opens it again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stored {
    /// Every relay entry up to this one is in the stored document.
    pub last_seq: u64,
    /// The entry at `last_seq`, when known (not after a bare snapshot from an older relay).
    pub last_entry: Option<EntryId>,
    /// The highest sequence the relay ever showed this device.
    pub relay_seen_seq: u64,
    /// The newest of this device's appends the relay acknowledged.
    pub last_own: Option<EntryId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// No connection.
    Offline,
    /// Connected, and the join must be sent (again) at `retry_at`.
    JoinLater,
    /// `Join` sent, `Joined` not yet here.
    Joining,
    Joined,
}

pub(crate) struct DocSync {
    doc: DocId,
    key: DocKey,
    token: AccessToken,
    pub(crate) outbox: Outbox,
    phase: Phase,
    /// Every entry up to this one is in the app's document.
    last_seq: u64,
    /// The entry at `last_seq`: each join checks that the relay still holds it there.
    last_entry: Option<EntryId>,
    /// The highest sequence the relay has shown us (acks, entries, heads).
    relay_seen_seq: u64,
    /// The newest of our appends the relay acknowledged: each join checks this one too, since
    /// it may lie past `last_seq` (acknowledged while entries before it were still missing).
    last_own: Option<EntryId>,
    /// The head the relay reported at the latest join.
    head_seq: u64,
    /// Offer a snapshot when our append gets a multiple of this.
    snapshot_every: u64,
    /// The largest frame this relay takes, from `Joined`.
    max_frame: usize,
    /// When to retry what the relay could not take (a join or appends).
    retry_at: Option<Millis>,
    /// A lasting refusal on this connection: nothing more is sent until it ends.
    blocked: Option<ErrorCode>,
    /// The relay refused our token: the link is wrong. Nothing more is sent.
    denied: bool,
    /// An entry could not be opened: our copy lacks it, so we must never offer a snapshot.
    damaged: bool,
    /// Our own presence payload (plaintext), and when to send it next.
    presence: Option<Vec<u8>>,
    presence_due: Option<Millis>,
    presence_sent_at: Millis,
    pub(crate) peers: Peers,
    /// The status last reported, so that only changes are.
    reported: Option<DocStatus>,
    /// The owner's delete token, on the creator's devices only.
    owner: Option<DeleteToken>,
    /// The relay confirmed (`Owned`) that our token's hash is the document's owner.
    owned: bool,
    /// A `Delete` is on its way: an owner refusal now is about it, not about the claim.
    deleting: bool,
    /// The relay deleted the document: nothing is sent for it any more.
    deleted: bool,
    /// The relay moved the document: where it went (opened from the sealed pointer).
    moved_to: Option<MovedTo>,
}

impl DocSync {
    pub fn new(
        doc: DocId,
        secret: &Secret,
        stored: Stored,
        outbox: Vec<Pending>,
        snapshot_every: u64,
    ) -> Self {
        DocSync {
            doc,
            key: secret.doc_key(doc),
            token: secret.access_token(),
            outbox: Outbox::new(outbox),
            phase: Phase::Offline,
            last_seq: stored.last_seq,
            last_entry: stored.last_entry,
            relay_seen_seq: stored.relay_seen_seq.max(stored.last_seq),
            last_own: stored.last_own,
            head_seq: 0,
            snapshot_every: snapshot_every.max(1),
            max_frame: tandem_protocol::limits::DEFAULT_MAX_FRAME_BYTES,
            retry_at: None,
            blocked: None,
            denied: false,
            damaged: false,
            presence: None,
            presence_due: None,
            presence_sent_at: 0,
            peers: Peers::default(),
            reported: None,
            owner: None,
            owned: false,
            deleting: false,
            deleted: false,
            moved_to: None,
        }
    }

    /// Whether the document waits for an answer from the relay (for the heartbeat).
    pub fn awaits_answer(&self) -> bool {
        self.phase == Phase::Joining || self.outbox.in_flight() > 0
    }

    // ---- connection ------------------------------------------------------------------------

    pub fn connected(&mut self, io: &mut Io) {
        self.join(io);
    }

    fn join(&mut self, io: &mut Io) {
        if self.denied || self.deleted {
            return;
        }
        io.send(
            &ClientMsg::Join {
                doc: self.doc,
                token: self.token.clone(),
                since_seq: self.last_seq,
                expect: self.last_entry.into_iter().chain(self.last_own).collect(),
            },
            true,
        );
        self.phase = Phase::Joining;
    }

    pub fn disconnected(&mut self, io: &mut Io) {
        self.phase = Phase::Offline;
        self.outbox.connection_lost();
        self.blocked = None;
        self.retry_at = None;
        self.presence_due = None;
        if self.peers.connection_lost(io.now) {
            io.event(Event::PeersChanged { doc: self.doc });
        }
    }

    /// Leaving: the relay tells the others at once.
    pub fn close(&mut self, io: &mut Io) {
        if self.phase != Phase::Offline {
            io.send(&ClientMsg::Leave { doc: self.doc }, false);
        }
    }

    // ---- from the app ----------------------------------------------------------------------

    /// This device created the document: claim it at the relay on every join (and now, if
    /// joined already).
    pub fn set_owner(&mut self, token: DeleteToken, io: &mut Io) {
        self.owner = Some(token);
        if self.phase == Phase::Joined {
            self.claim(io);
        }
    }

    fn claim(&mut self, io: &mut Io) {
        if let Some(token) = &self.owner {
            let msg = ClientMsg::Own {
                doc: self.doc,
                delete_hash: token.hash(),
            };
            io.send(&msg, false);
        }
    }

    /// Asks the relay to delete the document for everyone. False when it cannot be sent now:
    /// not the owner, or not joined (offline).
    pub fn delete(&mut self, io: &mut Io) -> bool {
        let Some(token) = self.owner.clone() else {
            return false;
        };
        if self.phase != Phase::Joined || self.deleted {
            return false;
        }
        self.deleting = true;
        io.send(
            &ClientMsg::Delete {
                doc: self.doc,
                token,
            },
            true,
        );
        true
    }

    /// Asks the relay to move the document for everyone to the one `to` opens: the old log is
    /// deleted, and its members are sent there. False when it cannot be sent now, as for
    /// [`Self::delete`].
    pub fn move_to(&mut self, to: &MovedTo, io: &mut Io) -> bool {
        let Some(token) = self.owner.clone() else {
            return false;
        };
        if self.phase != Phase::Joined || self.deleted {
            return false;
        }
        self.deleting = true;
        let pointer = self.key.seal_moved_to(to);
        io.send(
            &ClientMsg::Move {
                doc: self.doc,
                token,
                pointer,
            },
            true,
        );
        true
    }

    /// The relay moved the document: where to, if the pointer opens (a pointer that does not
    /// is reported like any unreadable data, and the document is simply gone).
    fn moved(&mut self, pointer: &[u8], io: &mut Io) {
        match self.key.open_moved_to(pointer) {
            Ok(to) => self.moved_to = Some(to),
            Err(_) => self.unreadable(io),
        }
        self.gone(io);
    }

    /// The relay deleted the document: stop syncing it, for good. Nobody is "here" any more.
    fn gone(&mut self, io: &mut Io) {
        self.deleted = true;
        self.deleting = false;
        self.phase = Phase::Offline;
        self.retry_at = None;
        self.presence_due = None;
        if self.peers.connection_lost(io.now) {
            io.event(Event::PeersChanged { doc: self.doc });
        }
    }

    pub fn local_change(&mut self, item: Pending, io: &mut Io) {
        self.outbox.push(item);
        self.pump(io);
    }

    pub fn set_presence(&mut self, payload: Vec<u8>, urgent: bool, io: &mut Io) {
        if self.presence.as_ref() != Some(&payload) {
            self.presence = Some(payload);
            if urgent && self.phase == Phase::Joined {
                self.presence_due = Some(io.now);
            }
        }
    }

    /// Seals and sends a snapshot the app saved for `covers_seq`, if it fits in a frame.
    pub fn offer_snapshot(&mut self, covers_seq: u64, bytes: &[u8], io: &mut Io) {
        if self.phase != Phase::Joined || self.damaged || covers_seq > self.last_seq {
            return;
        }
        let sealed = self.key.seal_snapshot(covers_seq, bytes);
        if sealed.len() + FRAME_OVERHEAD_BYTES > self.max_frame {
            return; // It stays local; late joiners download the log instead.
        }
        let msg = ClientMsg::Snapshot {
            doc: self.doc,
            covers_seq,
            ciphertext: sealed,
        };
        io.send(&msg, false);
    }

    // ---- from the relay --------------------------------------------------------------------

    pub fn receive(&mut self, msg: RelayMsg, io: &mut Io) {
        if self.deleted {
            return; // Presence of members who have not heard yet, say: nothing to do.
        }
        match msg {
            RelayMsg::Joined {
                head_seq,
                max_frame_bytes,
                lost,
                ..
            } => self.on_joined(head_seq, max_frame_bytes, lost, io),
            RelayMsg::Entries {
                snapshot, entries, ..
            } => self.on_entries(snapshot, entries, io),
            RelayMsg::Broadcast {
                seq,
                client_msg_id,
                ciphertext,
                ..
            } => {
                let entry = Entry {
                    seq,
                    client_msg_id,
                    ciphertext,
                };
                self.on_entries(None, vec![entry], io)
            }
            RelayMsg::Ack {
                client_msg_id, seq, ..
            } => self.on_ack(client_msg_id, seq, io),
            RelayMsg::Presence {
                from, ciphertext, ..
            } => self.on_presence(from, &ciphertext, io),
            RelayMsg::PeerLeft { from, .. } => {
                if self.peers.left(from, io.now) {
                    io.event(Event::PeersChanged { doc: self.doc });
                }
            }
            RelayMsg::Error {
                code,
                client_msg_id,
                ..
            } => self.on_refusal(code, client_msg_id, io),
            RelayMsg::Owned { .. } => self.owned = true,
            RelayMsg::Deleted { .. } => self.gone(io),
            RelayMsg::Moved { pointer, .. } => self.moved(&pointer, io),
            RelayMsg::Pong { .. } => {}
        }
    }

    fn on_joined(&mut self, head_seq: u64, max_frame_bytes: u64, lost: bool, io: &mut Io) {
        self.max_frame = usize::try_from(max_frame_bytes).unwrap_or(usize::MAX);
        self.head_seq = head_seq;
        if head_seq < self.relay_seen_seq || lost {
            // The relay lost entries it had shown us, or one we hold or made. Give it everything
            // we have, and take everything it has, from the start: what it holds now may differ
            // from what it held under the same numbers before.
            self.relay_seen_seq = head_seq;
            self.last_seq = 0;
            self.last_entry = None;
            self.last_own = None;
            io.event(Event::UploadWhole { doc: self.doc });
            self.join(io);
            return;
        }
        self.phase = Phase::Joined;
        if self.presence.is_some() {
            self.presence_due = Some(io.now);
        }
        // Before any append: the relay takes a claim only while the document is empty.
        self.claim(io);
        self.pump(io);
    }

    /// Takes entries in order (a snapshot first stands for every entry up to its sequence).
    fn on_entries(&mut self, snapshot: Option<StoredSnapshot>, entries: Vec<Entry>, io: &mut Io) {
        let before = self.last_seq;
        let mut changes = Vec::new();
        let mut gap = false;
        if let Some(s) = snapshot {
            self.relay_seen_seq = self.relay_seen_seq.max(s.covers_seq);
            if s.covers_seq > self.last_seq {
                match self.key.open_snapshot(s.covers_seq, &s.ciphertext) {
                    Ok(bytes) => changes.push(bytes),
                    Err(_) => self.unreadable(io),
                }
                self.last_seq = s.covers_seq;
                self.last_entry = Some(EntryId {
                    seq: s.covers_seq,
                    client_msg_id: s.covers_id,
                });
            }
        }
        for entry in entries {
            self.relay_seen_seq = self.relay_seen_seq.max(entry.seq);
            if entry.seq <= self.last_seq {
                continue; // Already here (a catch-up overlapping a broadcast).
            }
            if entry.seq > self.last_seq + 1 {
                gap = true;
                break;
            }
            match self.key.open(Purpose::Change, &entry.ciphertext) {
                Ok(bytes) => changes.push(bytes),
                Err(_) => self.unreadable(io),
            }
            self.last_seq = entry.seq;
            self.last_entry = Some(EntryId {
                seq: entry.seq,
                client_msg_id: entry.client_msg_id,
            });
        }
        if self.last_seq > before || !changes.is_empty() {
            io.event(Event::Changes {
                doc: self.doc,
                changes,
                stored: self.stored(),
            });
        }
        if gap {
            self.lost_something(io);
        }
    }

    fn on_ack(&mut self, id: ClientMsgId, seq: u64, io: &mut Io) {
        self.relay_seen_seq = self.relay_seen_seq.max(seq);
        let ids = self.outbox.acked(&id);
        if !ids.is_empty() && self.last_own.is_none_or(|own| own.seq < seq) {
            self.last_own = Some(EntryId {
                seq,
                client_msg_id: id,
            });
        }
        // Our own change is in our document already; it only moves `last_seq` on if nothing
        // before it is missing (the relay sends every earlier entry before our ack).
        let gap = seq > self.last_seq + 1;
        if seq == self.last_seq + 1 {
            self.last_seq = seq;
            self.last_entry = Some(EntryId {
                seq,
                client_msg_id: id,
            });
        }
        io.event(Event::Acked {
            doc: self.doc,
            ids,
            stored: self.stored(),
        });
        if gap {
            self.lost_something(io);
        } else if seq.is_multiple_of(self.snapshot_every) && !self.damaged {
            io.event(Event::SnapshotWanted {
                doc: self.doc,
                covers_seq: seq,
            });
        }
        self.pump(io);
    }

    fn on_presence(&mut self, from: ConnNo, ciphertext: &[u8], io: &mut Io) {
        // Presence that does not open is dropped quietly: it is never stored, and a bad one
        // says nothing about the document.
        let Ok(payload) = self.key.open(Purpose::Presence, ciphertext) else {
            return;
        };
        match self.peers.heard(from, payload, io.now) {
            Heard::Newcomer => {
                // Answer at once (but not faster than a flood could make us), so both sides
                // see each other without waiting for the next round.
                if self.phase == Phase::Joined && self.presence.is_some() {
                    let soonest = self.presence_sent_at + ANSWER_AT_MOST_EVERY_MS;
                    let due = io.now.max(soonest);
                    self.presence_due = Some(self.presence_due.map_or(due, |d| d.min(due)));
                }
                io.event(Event::PeersChanged { doc: self.doc });
            }
            Heard::Known => io.event(Event::PeersChanged { doc: self.doc }),
            Heard::Ignored => {}
        }
    }

    fn on_refusal(&mut self, code: ErrorCode, id: Option<ClientMsgId>, io: &mut Io) {
        if let Some(id) = id {
            self.outbox.not_taken(&id);
        }
        match code {
            ErrorCode::BadToken => {
                self.denied = true;
                self.phase = Phase::Offline;
            }
            ErrorCode::NotFound => self.gone(io),
            // A refused delete is the user's to hear; a refused claim only means this vacancy
            // cannot be deleted for everyone (it is from before owners, or not ours).
            ErrorCode::NotOwner | ErrorCode::NoOwner => {
                self.owned = false;
                if std::mem::take(&mut self.deleting) {
                    self.problem(Problem::Refused(code), io);
                }
            }
            // Our own snapshot offer raced the log; nothing is lost. Presence is best effort and
            // the next one goes out on its own schedule.
            ErrorCode::SnapshotAhead | ErrorCode::PresenceRefused => {}
            // The relay is full or this connection made too many new documents: the changes
            // stay in the outbox and are offered again much later, not every few seconds.
            ErrorCode::QuotaExceeded => {
                self.retry_at = Some(io.now + QUOTA_RETRY_MS);
                self.problem(Problem::Refused(code), io);
            }
            ErrorCode::RateLimited | ErrorCode::Internal | ErrorCode::NotJoined => {
                if id.is_none() && self.phase == Phase::Joining || code == ErrorCode::NotJoined {
                    self.phase = Phase::JoinLater;
                }
                self.retry_at = Some(io.now + RETRY_MS);
                if code == ErrorCode::Internal {
                    self.problem(Problem::Refused(code), io);
                }
            }
            ErrorCode::FrameTooLarge
            | ErrorCode::DocumentTooLarge
            | ErrorCode::Malformed
            | ErrorCode::UnsupportedVersion => {
                self.blocked = Some(code);
                self.problem(Problem::Refused(code), io);
            }
        }
    }

    fn unreadable(&mut self, io: &mut Io) {
        self.damaged = true;
        self.problem(Problem::Unreadable, io);
    }

    fn problem(&self, problem: Problem, io: &mut Io) {
        io.event(Event::Problem {
            doc: Some(self.doc),
            problem,
        });
    }

    /// Something between `last_seq` and what arrived went missing: join again from what we
    /// have. While a join is under way its catch-up covers the gap already.
    fn lost_something(&mut self, io: &mut Io) {
        if self.phase == Phase::Joined {
            self.join(io);
        }
    }

    // ---- sending ---------------------------------------------------------------------------

    /// Sends waiting changes, oldest first, within the window and the send rate.
    fn pump(&mut self, io: &mut Io) {
        if self.phase != Phase::Joined || self.blocked.is_some() || self.denied || self.deleted {
            return;
        }
        if self.retry_at.is_some_and(|t| t > io.now) {
            return;
        }
        // The overhead allowance covers the envelope's nonce and tag as well.
        let room = self.max_frame.saturating_sub(FRAME_OVERHEAD_BYTES);
        while self.outbox.has_unsent() && !self.outbox.window_full() {
            if let Err(next) = io.take_token() {
                self.retry_at = Some(next);
                return;
            }
            let Some(batch) = self.outbox.next_batch(room) else {
                return;
            };
            if batch.change.len() > room {
                self.outbox.not_taken(&batch.id);
                self.blocked = Some(ErrorCode::FrameTooLarge);
                self.problem(Problem::ChangeTooLarge, io);
                return;
            }
            let msg = ClientMsg::Append {
                doc: self.doc,
                client_msg_id: batch.id,
                ciphertext: self.key.seal(Purpose::Change, &batch.change),
            };
            io.send(&msg, true);
        }
    }

    // ---- time ------------------------------------------------------------------------------

    pub fn handle_timeout(&mut self, io: &mut Io) {
        if self.retry_at.is_some_and(|t| t <= io.now) {
            self.retry_at = None;
            match self.phase {
                Phase::JoinLater => self.join(io),
                Phase::Joined => self.pump(io),
                Phase::Offline | Phase::Joining => {}
            }
        }
        if self.phase == Phase::Joined && self.presence_due.is_some_and(|t| t <= io.now) {
            if let Some(payload) = &self.presence {
                let msg = ClientMsg::Presence {
                    doc: self.doc,
                    ciphertext: self.key.seal(Purpose::Presence, payload),
                };
                io.send(&msg, false);
                self.presence_sent_at = io.now;
            }
            self.presence_due = Some(io.now + PRESENCE_EVERY_MS);
        }
        if self.peers.expire(io.now) {
            io.event(Event::PeersChanged { doc: self.doc });
        }
    }

    pub fn next_timeout(&self) -> Option<Millis> {
        let presence = self.presence_due.filter(|_| self.phase == Phase::Joined);
        [self.retry_at, presence, self.peers.next_expiry()]
            .into_iter()
            .flatten()
            .min()
    }

    // ---- what the views show ---------------------------------------------------------------

    pub fn status(&self, link: Link) -> DocStatus {
        let joined = self.phase == Phase::Joined;
        let caught_up = joined && self.last_seq >= self.head_seq;
        DocStatus {
            link,
            caught_up,
            unsent: self.outbox.len(),
            oldest_unsent_at: self.outbox.oldest_at(),
            relay_empty: caught_up && self.head_seq == 0,
            denied: self.denied,
            blocked: self.blocked,
            owned: self.owned,
            deleted: self.deleted,
            moved_to: self.moved_to.clone(),
        }
    }

    /// Reports the status if it changed since last time.
    pub fn report_status(&mut self, link: Link, io: &mut Io) {
        let now = self.status(link);
        if self.reported.as_ref() != Some(&now) {
            self.reported = Some(now);
            io.event(Event::StatusChanged { doc: self.doc });
        }
    }

    /// What the device should store about how far this document got.
    pub fn stored(&self) -> Stored {
        Stored {
            last_seq: self.last_seq,
            last_entry: self.last_entry,
            relay_seen_seq: self.relay_seen_seq,
            last_own: self.last_own,
        }
    }
}
