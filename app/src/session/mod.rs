//! One open vacancy: its document, its keys, and its place in the sync flow.
//!
//! A local edit changes the document, bumps `version` (so views re-read the document), is
//! written to IndexedDB with its outbox entry, and only then is sent ([`relay`] sends it). Remote
//! changes are opened with the vacancy key, merged, and stored. The views never keep their own
//! copy of the truth: they read the document whenever `version` changes.

mod relay;

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use tandem_domain::{DomainError, SchemaStatus, Vacancy};
use tandem_protocol::{AccessToken, DocId, DocKey, Secret};

use crate::local_store::{OutboxItem, StoreError, VacancyRecord};
use crate::presence::Peer;
use crate::problem::Problem;
use crate::services;

/// Compact the local chunks into one snapshot after this many writes.
const COMPACT_EVERY: u32 = 64;

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
    /// Changes stored here but not yet acknowledged by the relay.
    pub pending: RwSignal<usize>,
    /// Whether everything the relay had when we joined has arrived.
    pub caught_up: RwSignal<bool>,
    pub peers: RwSignal<Vec<Peer>>,
    /// Something the user must know about (storage full, damaged data, a refusal).
    pub problem: RwSignal<Option<Problem>>,
    /// Changes not yet acknowledged, oldest first; each is in IndexedDB before it is here.
    outbox: RefCell<Vec<OutboxItem>>,
    /// Local changes being written to IndexedDB, not yet in the outbox; they count as waiting.
    writing: Cell<usize>,
    /// Outbox ids sent on the current connection and not yet acknowledged.
    in_flight: RefCell<HashSet<[u8; 16]>>,
    joined: Cell<bool>,
    head_seq: Cell<u64>,
    /// The newest relay sequence up to which every entry is in the document (in memory).
    last_seq: Cell<u64>,
    /// Set at the first failed write: the sequence up to which entries are surely on disk.
    /// The stored record never claims more, so a reload fetches again what was not saved.
    stored_seq_cap: Cell<Option<u64>>,
    /// Keys of the stored chunks this document includes: what a compaction may replace.
    chunk_keys: RefCell<Vec<String>>,
    chunk_counter: Cell<u64>,
    writes_since_compact: Cell<u32>,
    /// Set once the vacancy is in this device's list (the creator at once, a joiner on arrival).
    listed: Cell<bool>,
    opened_at: f64,
    /// The field this tab is editing, sent with presence.
    my_field: RefCell<Option<String>>,
}

impl DocSession {
    /// Opens a vacancy from this device's storage, and joins it on the relay. `record` is the
    /// device's list entry for it, if it has one (the caller has read it to pick the secret).
    pub async fn open(doc: DocId, secret: Secret, record: Option<VacancyRecord>) -> Rc<Self> {
        let doc_str = doc.to_string();
        let session = Rc::new(Self::new(doc, secret, doc_str.clone()));
        if let Some(r) = record {
            session.last_seq.set(r.last_seq);
            session.listed.set(true);
        }
        if let Some(store) = services::store() {
            match store.chunks(&doc_str).await {
                Ok(chunks) => {
                    let mut v = session.vacancy.borrow_mut();
                    for (key, chunk) in chunks {
                        match v.apply_remote(&chunk) {
                            Ok(()) => session.chunk_keys.borrow_mut().push(key),
                            // A damaged chunk stays on disk (never compacted away) and is reported.
                            Err(_) => session.problem.set(Some(Problem::DamagedData)),
                        }
                    }
                }
                Err(e) => session.problem.set(Some(Problem::from(&e))),
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
            writing: Cell::new(0),
            in_flight: RefCell::new(HashSet::new()),
            joined: Cell::new(false),
            head_seq: Cell::new(0),
            last_seq: Cell::new(0),
            stored_seq_cap: Cell::new(None),
            chunk_keys: RefCell::new(Vec::new()),
            chunk_counter: Cell::new(0),
            writes_since_compact: Cell::new(0),
            listed: Cell::new(false),
            opened_at: js_sys::Date::now(),
            my_field: RefCell::new(None),
        }
    }

    /// A brand-new vacancy, stored on this device; the page then opens it like any other.
    pub async fn create(title: &str) -> Result<Rc<Self>, StoreError> {
        let doc = DocId::random();
        let secret = Secret::random();
        let (vacancy, first) = Vacancy::create(title, js_sys::Date::now() as i64);
        let session = Rc::new(Self::new(doc, secret, doc.to_string()));
        *session.vacancy.borrow_mut() = vacancy;
        session.listed.set(true);
        let store = services::store().ok_or(StoreError::Unavailable(String::new()))?;
        store.put_vacancy(&session.record()).await?;
        let item = OutboxItem::new(first);
        store
            .save_local_change(&session.doc_str, &session.new_chunk_key(), &item)
            .await?;
        Ok(session)
    }

    /// True when this app must not edit the document (written by a newer app, or not here yet).
    pub fn read_only(&self) -> bool {
        self.vacancy.borrow().schema_status() != SchemaStatus::Current
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
        if matches!(status, SchemaStatus::Newer(_)) && self.problem.get_untracked().is_none() {
            self.problem.set(Some(Problem::NewerSchema));
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
                self.writing.set(self.writing.get() + 1);
                self.update_pending();
                let me = self.clone();
                spawn_local(async move { me.record_local_change(change).await });
            }
            Ok(None) => {}
            Err(e) => self.problem.set(Some(Problem::from(&e))),
        }
    }

    /// Stores a change with its outbox entry, then queues it for the relay. The caller has
    /// counted it in `writing` already, so the indicator shows it from the first moment.
    async fn record_local_change(self: &Rc<Self>, change: Vec<u8>) {
        let item = OutboxItem::new(change);
        if let Some(store) = services::store() {
            let chunk = self.new_chunk_key();
            if let Err(e) = store.save_local_change(&self.doc_str, &chunk, &item).await {
                // Sending it anyway is the lesser evil: the relay then keeps it for us. The user
                // is told it is not safe on this device.
                self.storage_failed(&e, self.last_seq.get());
            }
        }
        self.outbox.borrow_mut().push(item);
        self.writing.set(self.writing.get().saturating_sub(1));
        self.update_pending();
        self.pump();
        self.touch_record();
        self.maybe_compact().await;
    }

    /// "N waiting" counts what is being saved as well as what awaits the relay's ack, so the
    /// indicator never says "up to date" while a keystroke is still on its way.
    pub(super) fn update_pending(&self) {
        let n = self.outbox.borrow().len() + self.writing.get();
        if self.pending.get_untracked() != n {
            self.pending.set(n);
        }
    }

    fn storage_failed(&self, e: &StoreError, safe_seq: u64) {
        let cap = self
            .stored_seq_cap
            .get()
            .map_or(safe_seq, |c| c.min(safe_seq));
        self.stored_seq_cap.set(Some(cap));
        self.problem.set(Some(Problem::from(e)));
    }

    /// Keeps the device's list entry (title, sequence reached) current.
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
        let seq = self.last_seq.get();
        VacancyRecord {
            doc: self.doc_str.clone(),
            secret: self.secret.to_base64(),
            title: self.vacancy.borrow().title(),
            last_seq: self.stored_seq_cap.get().map_or(seq, |cap| cap.min(seq)),
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
                self.problem.set(Some(Problem::from(&e)));
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
