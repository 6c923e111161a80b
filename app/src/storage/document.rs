//! One open vacancy's share of the device's storage, as automerge-repo's storage subsystem
//! keeps it: the document as a snapshot plus incremental chunks, compacted when the chunks have
//! piled up; the outbox of changes the relay has not acknowledged; and the list entry that says
//! how far this device got with the relay.
//!
//! The list entry never claims more than is on disk: after a failed write it is capped at the
//! sequence that was surely saved, so a reload fetches again what was lost.
//!
//! A local change is sent before its write lands (see the engine's `outbox`). So the relay's
//! acknowledgement may come first; it is stored only once every write begun before it has
//! ended ([`DocStorage::acknowledged`]; the same for changes from the relay, whose stored
//! sequence may count the acknowledged change), because the ack moves the stored sequence past
//! the change: were the change's write still to fail, the entry would claim a change that is not
//! on disk, and a reload would never fetch it back.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use tandem_domain::{Status, Vacancy};
use tandem_protocol::{ClientMsgId, OwnerSecret, ShareLink};
use tandem_sync_engine::document::Stored;
use tandem_sync_engine::Pending;

use super::{hex, LocalStore, StoreError, VacancyRecord};

/// Compact the chunks into one snapshot after this many writes.
const COMPACT_EVERY: u32 = 64;

pub struct DocStorage {
    store: LocalStore,
    /// This tab's id in chunk keys, so two tabs on one vacancy never overwrite each other's.
    tab: String,
    /// The list entry as this tab knows it.
    record: RefCell<VacancyRecord>,
    /// Whether the vacancy is in this device's list: the creator's at once, a joiner's once
    /// something arrived (a wrong link must not add an empty entry).
    listed: Cell<bool>,
    /// Keys of the stored chunks the open document includes: what a compaction may replace.
    chunk_keys: RefCell<Vec<String>>,
    chunk_counter: Cell<u64>,
    writes_since_compact: Cell<u32>,
    /// When each waiting change was made: its outbox key needs it.
    outbox_times: RefCell<BTreeMap<ClientMsgId, u64>>,
    /// Set at the first failed write: the sequence up to which entries are surely on disk.
    stored_seq_cap: Cell<Option<u64>>,
    /// Local writes: how many were begun, which of them have not ended, and who waits for them.
    writes_begun: Cell<u64>,
    writes_open: RefCell<BTreeSet<u64>>,
    write_waiters: RefCell<Vec<Waker>>,
}

/// A local change's write, begun: its place among the writes, its chunk key, and the list
/// entry as it was when the change was made.
pub struct LocalWrite {
    number: u64,
    key: String,
    record: VacancyRecord,
    listed: bool,
}

impl DocStorage {
    /// The storage of a vacancy, listed or not yet.
    pub fn new(
        store: LocalStore,
        tab: [u8; 8],
        link: ShareLink,
        known: Option<VacancyRecord>,
    ) -> Self {
        let listed = known.is_some();
        let record = known.unwrap_or(VacancyRecord {
            link,
            title: String::new(),
            status: Status::Draft,
            stored: Stored::default(),
            opened_at: js_sys::Date::now(),
            deadlines: Vec::new(),
            owner: None,
        });
        DocStorage {
            store,
            tab: hex(&tab),
            record: RefCell::new(record),
            listed: Cell::new(listed),
            chunk_keys: RefCell::new(Vec::new()),
            chunk_counter: Cell::new(0),
            writes_since_compact: Cell::new(0),
            outbox_times: RefCell::new(BTreeMap::new()),
            stored_seq_cap: Cell::new(None),
            writes_begun: Cell::new(0),
            writes_open: RefCell::new(BTreeSet::new()),
            write_waiters: RefCell::new(Vec::new()),
        }
    }

    fn doc(&self) -> String {
        self.record.borrow().link.doc.to_string()
    }

    /// Whether the vacancy, and so its link, is in this device's list.
    pub fn is_listed(&self) -> bool {
        self.listed.get()
    }

    /// What the sync engine needs to know about the stored copy.
    pub fn stored(&self) -> Stored {
        self.record().stored
    }

    /// The stored chunks of the document, for [`Self::load_into`].
    pub async fn chunks(&self) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        crate::timing::mark("tandem:read");
        let chunks = self.store.chunks(&self.doc()).await;
        crate::timing::mark("tandem:load");
        chunks
    }

    /// Loads stored chunks into `vacancy`. A chunk that does not load stays on disk (it is never
    /// compacted away) and is reported by returning true.
    pub fn load_into(&self, vacancy: &mut Vacancy, chunks: Vec<(String, Vec<u8>)>) -> bool {
        let mut damaged = false;
        for (key, chunk) in chunks {
            match vacancy.apply_remote(&chunk) {
                Ok(()) => self.chunk_keys.borrow_mut().push(key),
                Err(_) => damaged = true,
            }
        }
        crate::timing::mark("tandem:loaded");
        damaged
    }

    /// The changes still waiting for the relay, oldest first.
    pub async fn outbox(&self) -> Result<Vec<Pending>, StoreError> {
        let items = self.store.outbox(&self.doc()).await?;
        let mut times = self.outbox_times.borrow_mut();
        for item in &items {
            times.insert(item.id, item.created_at);
        }
        Ok(items)
    }

    /// This device created the vacancy: its owner secret goes into the list entry (written
    /// with the next write, e.g. [`Self::list`]).
    pub fn set_owner(&self, owner: OwnerSecret) {
        self.record.borrow_mut().owner = Some(owner);
    }

    /// Lists the vacancy (a new one, or one whose content has arrived) under `title`.
    pub async fn list(&self, title: String) -> Result<(), StoreError> {
        self.listed.set(true);
        self.record.borrow_mut().title = title;
        self.store.put_vacancy(&self.record()).await
    }

    /// Updates what the list shows of the vacancy (written with the next change stored).
    pub fn set_listing(&self, vacancy: &Vacancy) {
        crate::timing::mark("tandem:listing");
        let mut record = self.record.borrow_mut();
        record.title = vacancy.title();
        record.status = vacancy.status();
        record.deadlines = vacancy.listed_deadlines();
    }

    /// Stores a local change and its outbox entry.
    pub async fn save_local_change(&self, item: &Pending) -> Result<(), StoreError> {
        let write = self.begin_local_change(item);
        self.write_local_change(write, item).await
    }

    /// Takes note of a local change about to be sent, before anything the relay answers can
    /// arrive; [`Self::write_local_change`] then stores it.
    pub fn begin_local_change(&self, item: &Pending) -> LocalWrite {
        self.outbox_times
            .borrow_mut()
            .insert(item.id, item.created_at);
        let number = self.writes_begun.get() + 1;
        self.writes_begun.set(number);
        self.writes_open.borrow_mut().insert(number);
        LocalWrite {
            number,
            key: self.new_chunk_key(),
            record: self.record(),
            listed: self.listed.get(),
        }
    }

    /// Stores a local change (chunk and outbox entry, with the list entry) in one transaction.
    pub async fn write_local_change(
        &self,
        write: LocalWrite,
        item: &Pending,
    ) -> Result<(), StoreError> {
        crate::timing::mark("tandem:write");
        let result = self
            .store
            .save_local_change(&write.key, item, &write.record, write.listed)
            .await;
        crate::timing::mark("tandem:written");
        self.after_write(&result, self.record.borrow().stored.last_seq);
        self.writes_open.borrow_mut().remove(&write.number);
        for waiter in self.write_waiters.take() {
            waiter.wake();
        }
        result
    }

    /// Stores changes from the relay with how far they bring the stored copy, in one
    /// transaction: a crash never leaves a sequence recorded whose entries are not on disk.
    pub async fn save_remote(&self, changes: &[Vec<u8>], stored: Stored) -> Result<(), StoreError> {
        // `stored` may count an acknowledged change of ours whose write has not ended: as for
        // an ack (see `acknowledged`), that write ends first.
        self.writes_ended().await;
        let seq_before = self.record.borrow().stored.last_seq;
        self.listed.set(true);
        self.record.borrow_mut().stored = stored;
        let chunks: Vec<(String, Vec<u8>)> = changes
            .iter()
            .map(|bytes| (self.new_chunk_key(), bytes.clone()))
            .collect();
        let result = self.store.save_remote(&chunks, &self.record()).await;
        self.after_write(&result, seq_before);
        result
    }

    /// The relay has these changes: they leave the outbox, and the record moves on.
    pub async fn acknowledged(
        &self,
        ids: &[ClientMsgId],
        stored: Stored,
    ) -> Result<(), StoreError> {
        // The changes acknowledged were all begun by now (they were sent); their writes, and
        // any begun since, end first. Acks wait in the order they came, so none is overtaken.
        self.writes_ended().await;
        let acked: Vec<(u64, ClientMsgId)> = {
            let mut times = self.outbox_times.borrow_mut();
            ids.iter()
                .filter_map(|id| Some((times.remove(id)?, *id)))
                .collect()
        };
        self.record.borrow_mut().stored = stored;
        if !self.listed.get() {
            return Ok(());
        }
        self.store.acknowledged(&acked, &self.record()).await
    }

    /// Once every local write begun so far has ended (stored or failed).
    fn writes_ended(&self) -> WritesEnded<'_> {
        WritesEnded {
            storage: self,
            through: self.writes_begun.get(),
        }
    }

    /// After enough writes, replaces the chunks this tab knows of by one snapshot (`save`
    /// makes it only when it is needed).
    pub async fn maybe_compact(&self, save: impl FnOnce() -> Vec<u8>) -> Result<(), StoreError> {
        let n = self.writes_since_compact.get() + 1;
        self.writes_since_compact.set(n);
        if n < COMPACT_EVERY {
            return Ok(());
        }
        self.writes_since_compact.set(0);
        let snapshot = save();
        let included = self.chunk_keys.take();
        let key = self.new_chunk_key();
        let result = self.store.compact(&included, &key, &snapshot).await;
        if result.is_err() {
            // The old chunks are still there; keep knowing about them.
            self.chunk_keys.borrow_mut().extend(included);
        }
        result
    }

    /// The list entry as it may be stored: never ahead of what is surely on disk.
    pub fn record(&self) -> VacancyRecord {
        let mut r = self.record.borrow().clone();
        if let Some(cap) = self.stored_seq_cap.get().filter(|&c| c < r.stored.last_seq) {
            // The entry at the capped sequence is not known here: claim none.
            r.stored.last_seq = cap;
            r.stored.last_entry = None;
        }
        r
    }

    fn after_write(&self, result: &Result<(), StoreError>, safe_seq: u64) {
        if result.is_err() {
            let cap = self
                .stored_seq_cap
                .get()
                .map_or(safe_seq, |c| c.min(safe_seq));
            self.stored_seq_cap.set(Some(cap));
        }
    }

    /// A new chunk key, unique across tabs, sorting roughly in the order written.
    fn new_chunk_key(&self) -> String {
        let n = self.chunk_counter.replace(self.chunk_counter.get() + 1);
        let key = format!(
            "{}:{:013}-{}-{n:06}",
            self.doc(),
            js_sys::Date::now() as u64,
            self.tab
        );
        self.chunk_keys.borrow_mut().push(key.clone());
        key
    }
}

/// Ready once every local write up to number `through` has ended (stored or failed).
struct WritesEnded<'a> {
    storage: &'a DocStorage,
    through: u64,
}

impl Future for WritesEnded<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let open = self.storage.writes_open.borrow();
        if open.first().is_none_or(|&oldest| oldest > self.through) {
            Poll::Ready(())
        } else {
            self.storage
                .write_waiters
                .borrow_mut()
                .push(cx.waker().clone());
            Poll::Pending
        }
    }
}
