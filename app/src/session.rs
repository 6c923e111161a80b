//! One open vacancy: its document, its keys, and its place in the sync flow.
//!
//! A local edit changes the document, bumps `version` (so views re-read the document), is
//! written to IndexedDB with its outbox entry, and only then is sent. Remote changes are opened
//! with the vacancy key, merged, and stored. The views never keep their own copy of the truth:
//! they read the document whenever `version` changes.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use tandem_domain::{DomainError, SchemaStatus, Vacancy};
use tandem_protocol::crypto::Purpose;
use tandem_protocol::message::{Entry, StoredSnapshot};
use tandem_protocol::{AccessToken, ClientMsg, DocId, DocKey, ErrorCode, RelayMsg, Secret};

use crate::local_store::{OutboxItem, VacancyRecord};
use crate::presence::{Peer, PresencePayload};
use crate::services;

/// Compact the local chunks into one snapshot after this many writes.
const COMPACT_EVERY: u32 = 64;
/// Offer the relay a snapshot each time the log grows by this many entries, so a device that
/// joins late downloads one snapshot instead of every keystroke ever typed.
const RELAY_SNAPSHOT_EVERY: u64 = 256;
/// Snapshots larger than this stay local: the relay's frame limit is 2 MiB.
const MAX_RELAY_SNAPSHOT: usize = 1536 * 1024;

/// What the vacancy page can show.
#[derive(Clone, Debug, PartialEq)]
pub enum Availability {
    /// Reading from this device.
    Loading,
    /// The document is here.
    Ready,
    /// Joined by link and nothing has arrived yet.
    Waiting,
    /// The relay has no vacancy under this link.
    NotFound,
    /// The relay refused the link's token.
    Denied,
}

pub struct DocSession {
    pub doc: DocId,
    pub doc_str: String,
    secret: Secret,
    key: DocKey,
    token: AccessToken,
    pub vacancy: RefCell<Vacancy>,
    /// Bumped on every change, local or remote: the one signal the views follow.
    pub version: RwSignal<u64>,
    pub availability: RwSignal<Availability>,
    /// Changes written here but not yet acknowledged by the relay.
    pub pending: RwSignal<usize>,
    /// Whether everything the relay had when we joined has arrived.
    pub caught_up: RwSignal<bool>,
    pub peers: RwSignal<Vec<Peer>>,
    /// A problem the user must know about (storage full, damaged data, refused link).
    pub problem: RwSignal<Option<String>>,
    outbox: RefCell<Vec<OutboxItem>>,
    joined: Cell<bool>,
    head_seq: Cell<u64>,
    last_seq: Cell<u64>,
    /// Keys of the stored chunks this document includes: what a compaction may replace.
    chunk_keys: RefCell<Vec<String>>,
    chunk_counter: Cell<u64>,
    writes_since_compact: Cell<u32>,
    /// Set once the vacancy is in this device's list (the creator at once, a joiner on arrival).
    listed: Cell<bool>,
    opened_at: f64,
    /// The field this tab is editing, sent with presence.
    pub my_field: RefCell<Option<String>>,
}

impl DocSession {
    /// Opens a vacancy from this device's storage, and joins it on the relay.
    pub async fn open(doc: DocId, secret: Secret) -> Rc<Self> {
        let store = services::store();
        let doc_str = doc.to_string();
        let session = Rc::new(Self::new(doc, secret, doc_str.clone()));
        if let Some(store) = store {
            let record = store.vacancy(&doc_str).await.ok().flatten();
            if let Some(r) = &record {
                session.last_seq.set(r.last_seq);
                session.listed.set(true);
            }
            match store.chunks(&doc_str).await {
                Ok(chunks) => {
                    let mut v = session.vacancy.borrow_mut();
                    for (key, chunk) in chunks {
                        match v.apply_remote(&chunk) {
                            Ok(()) => session.chunk_keys.borrow_mut().push(key),
                            // A damaged chunk is kept on disk (not compacted away) and reported.
                            Err(e) => session.problem.set(Some(e.to_string())),
                        }
                    }
                }
                Err(e) => session.problem.set(Some(e.to_string())),
            }
            if let Ok(outbox) = store.outbox(&doc_str).await {
                session.pending.set(outbox.len());
                *session.outbox.borrow_mut() = outbox;
            }
        }
        session.refresh_availability();
        session.touch_record();
        session.version.update(|v| *v += 1);
        if let Some(client) = services::client() {
            client.register(&session);
        }
        session
    }

    fn new(doc: DocId, secret: Secret, doc_str: String) -> Self {
        DocSession {
            doc,
            doc_str,
            key: secret.doc_key(doc),
            token: secret.access_token(doc),
            secret,
            vacancy: RefCell::new(Vacancy::empty()),
            version: RwSignal::new(0),
            availability: RwSignal::new(Availability::Loading),
            pending: RwSignal::new(0),
            caught_up: RwSignal::new(false),
            peers: RwSignal::new(Vec::new()),
            problem: RwSignal::new(None),
            outbox: RefCell::new(Vec::new()),
            joined: Cell::new(false),
            head_seq: Cell::new(0),
            last_seq: Cell::new(0),
            chunk_keys: RefCell::new(Vec::new()),
            chunk_counter: Cell::new(0),
            writes_since_compact: Cell::new(0),
            listed: Cell::new(false),
            opened_at: js_sys::Date::now(),
            my_field: RefCell::new(None),
        }
    }

    /// A brand-new vacancy: its first change is stored and queued like any other edit.
    pub async fn create(title: &str) -> Rc<Self> {
        let doc = DocId::random();
        let secret = Secret::random();
        let (vacancy, first) = Vacancy::create(title, js_sys::Date::now() as i64);
        let session = Rc::new(Self::new(doc, secret, doc.to_string()));
        *session.vacancy.borrow_mut() = vacancy;
        session.listed.set(true);
        session.touch_record();
        session.record_local_change(first).await;
        session.refresh_availability();
        session
    }

    pub fn share_link(&self, origin: &str) -> String {
        tandem_protocol::ShareLink {
            doc: self.doc,
            secret: self.secret.clone(),
        }
        .to_url(origin)
    }

    fn refresh_availability(&self) {
        let status = self.vacancy.borrow().schema_status();
        let next = match status {
            SchemaStatus::Empty => match self.availability.get_untracked() {
                Availability::NotFound | Availability::Denied => return,
                _ if self.joined.get()
                    && self.head_seq.get() == 0
                    && self.caught_up.get_untracked() =>
                {
                    Availability::NotFound
                }
                _ => Availability::Waiting,
            },
            _ => Availability::Ready,
        };
        if self.availability.get_untracked() != next {
            self.availability.set(next);
        }
        if let SchemaStatus::Newer(v) = status {
            if self.problem.get_untracked().is_none() {
                self.problem
                    .set(Some(DomainError::NewerSchema(v).to_string()));
            }
        }
    }

    // ---- local edits -------------------------------------------------------------------------

    /// Runs an edit; its change is stored, queued and sent. Errors are shown, never swallowed.
    pub fn edit<F>(self: &Rc<Self>, f: F)
    where
        F: FnOnce(&mut Vacancy) -> Result<Option<Vec<u8>>, DomainError>,
    {
        let result = f(&mut self.vacancy.borrow_mut());
        match result {
            Ok(Some(change)) => {
                self.version.update(|v| *v += 1);
                let me = self.clone();
                spawn_local(async move { me.record_local_change(change).await });
            }
            Ok(None) => {}
            Err(e) => self.problem.set(Some(e.to_string())),
        }
    }

    async fn record_local_change(self: &Rc<Self>, change: Vec<u8>) {
        let mut id = [0u8; 16];
        tandem_protocol::crypto::fill_random(&mut id);
        let item = OutboxItem { id, change };
        self.outbox.borrow_mut().push(item.clone());
        self.pending.set(self.outbox.borrow().len());
        let chunk = self.new_chunk_key();
        if let Some(store) = services::store() {
            if let Err(e) = store.save_local_change(&self.doc_str, &chunk, &item).await {
                // The change stays in memory and in the outbox, so it still reaches the relay
                // while this tab is open; the user is told it is not safe on this device.
                self.problem.set(Some(e.to_string()));
            }
        }
        self.send_append(&item);
        self.touch_record();
        self.maybe_compact().await;
    }

    fn send_append(&self, item: &OutboxItem) {
        if !self.joined.get() {
            return;
        }
        if let Some(client) = services::client() {
            client.send(&ClientMsg::Append {
                doc: self.doc,
                client_msg_id: item.id,
                ciphertext: self.key.seal(Purpose::Change, &item.change),
            });
        }
    }

    /// Keeps the device's list entry (title, last sequence) current.
    fn touch_record(&self) {
        if !self.listed.get() && self.vacancy.borrow().schema_status() == SchemaStatus::Empty {
            return;
        }
        self.listed.set(true);
        let record = self.record();
        if let Some(store) = services::store() {
            spawn_local(async move {
                let _ = store.put_vacancy(&record).await;
            });
        }
    }

    fn record(&self) -> VacancyRecord {
        VacancyRecord {
            doc: self.doc_str.clone(),
            secret: self.secret.to_base64(),
            title: self.vacancy.borrow().title(),
            last_seq: self.last_seq.get(),
            opened_at: self.opened_at,
        }
    }

    async fn maybe_compact(&self) {
        let n = self.writes_since_compact.get() + 1;
        self.writes_since_compact.set(n);
        if n < COMPACT_EVERY {
            return;
        }
        self.writes_since_compact.set(0);
        let snapshot = self.vacancy.borrow_mut().save();
        let included = self.chunk_keys.take();
        let key = self.new_chunk_key();
        if let Some(store) = services::store() {
            if let Err(e) = store.compact(&included, &key, &snapshot).await {
                // The old chunks are still there; keep knowing about them.
                self.chunk_keys.borrow_mut().extend(included);
                self.problem.set(Some(e.to_string()));
            }
        }
    }

    /// A new chunk key, unique across tabs, sorting roughly in the order written.
    fn new_chunk_key(&self) -> String {
        let n = self.chunk_counter.replace(self.chunk_counter.get() + 1);
        let key = format!(
            "{}:{:013}-{}-{n:06}",
            self.doc_str,
            js_sys::Date::now() as u64,
            crate::local_store::hex(&services::tab_id())
        );
        self.chunk_keys.borrow_mut().push(key.clone());
        key
    }

    /// Offers the relay a sealed snapshot of everything up to `seq`. Safe because the relay
    /// delivers a document's messages in sequence order: when our append is acknowledged as
    /// `seq`, every entry before it has already reached us and is in our document.
    fn offer_snapshot(&self, seq: u64) {
        let bytes = self.vacancy.borrow_mut().save();
        let sealed = self.key.seal(Purpose::Snapshot, &bytes);
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

    // ---- the relay ---------------------------------------------------------------------------

    pub fn on_connected(&self) {
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
        self.caught_up.set(false);
        self.peers.set(Vec::new());
    }

    pub fn on_message(self: &Rc<Self>, msg: RelayMsg) {
        match msg {
            RelayMsg::Joined { head_seq, .. } => {
                self.joined.set(true);
                self.head_seq.set(head_seq);
                // Resend everything not yet acknowledged; the relay stores each id once.
                let items = self.outbox.borrow().clone();
                for item in &items {
                    self.send_append(item);
                }
                self.check_caught_up();
                self.send_presence();
            }
            RelayMsg::Entries {
                snapshot, entries, ..
            } => self.receive(snapshot, entries),
            RelayMsg::Broadcast {
                seq, ciphertext, ..
            } => self.receive(None, vec![Entry { seq, ciphertext }]),
            RelayMsg::Ack {
                client_msg_id, seq, ..
            } => {
                self.outbox.borrow_mut().retain(|i| i.id != client_msg_id);
                self.pending.set(self.outbox.borrow().len());
                self.advance(seq);
                self.touch_record();
                if seq % RELAY_SNAPSHOT_EVERY == 0 {
                    self.offer_snapshot(seq);
                }
                if let Some(store) = services::store() {
                    let doc = self.doc_str.clone();
                    spawn_local(async move {
                        let _ = store.remove_from_outbox(&doc, &client_msg_id).await;
                    });
                }
            }
            RelayMsg::Presence { ciphertext, .. } => {
                if let Ok(plain) = self.key.open(Purpose::Presence, &ciphertext) {
                    if let Some(payload) = PresencePayload::decode(&plain) {
                        let is_new = crate::presence::upsert(self.peers, payload);
                        if is_new {
                            // Answer a newcomer at once, so both see each other without waiting.
                            self.send_presence();
                        }
                    }
                }
            }
            RelayMsg::Error { code, message, .. } => self.on_error(code, message),
        }
    }

    fn on_error(&self, code: ErrorCode, message: String) {
        match code {
            ErrorCode::BadToken => {
                self.availability.set(Availability::Denied);
            }
            // A change the relay would not take stays in the outbox and is retried on the next
            // connection; the user sees why it is waiting.
            _ => self.problem.set(Some(message)),
        }
    }

    fn advance(&self, seq: u64) {
        if seq > self.last_seq.get() {
            self.last_seq.set(seq);
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
        let mut top = 0;
        if let Some(s) = snapshot {
            top = s.covers_seq;
            match self.key.open(Purpose::Snapshot, &s.ciphertext) {
                Ok(bytes) => plain.push(bytes),
                Err(e) => self
                    .problem
                    .set(Some(format!("A snapshot from the relay was refused: {e}"))),
            }
        }
        for entry in entries {
            top = top.max(entry.seq);
            match self.key.open(Purpose::Change, &entry.ciphertext) {
                Ok(bytes) => plain.push(bytes),
                Err(e) => self
                    .problem
                    .set(Some(format!("A change from the relay was refused: {e}"))),
            }
        }
        {
            let mut v = self.vacancy.borrow_mut();
            for bytes in &plain {
                if let Err(e) = v.apply_remote(bytes) {
                    self.problem.set(Some(e.to_string()));
                }
            }
        }
        self.advance(top);
        self.version.update(|v| *v += 1);
        self.listed.set(true);
        // The chunks and the sequence they bring us to are stored in one transaction: a crash
        // can never leave a sequence number recorded whose entries are not on disk.
        let chunks: Vec<(String, Vec<u8>)> = plain
            .into_iter()
            .map(|bytes| (self.new_chunk_key(), bytes))
            .collect();
        if let Some(store) = services::store() {
            let me = self.clone();
            let record = self.record();
            spawn_local(async move {
                if let Err(e) = store.save_remote(&chunks, &record).await {
                    me.problem.set(Some(e.to_string()));
                }
                me.maybe_compact().await;
            });
        }
    }

    // ---- presence ----------------------------------------------------------------------------

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

    pub fn set_my_field(&self, field: Option<String>) {
        if *self.my_field.borrow() != field {
            *self.my_field.borrow_mut() = field;
            self.send_presence();
        }
    }

    pub fn close(&self) {
        if let Some(client) = services::client() {
            client.unregister(self.doc);
        }
    }
}
