//! One open vacancy: its document, the signals its views follow, and the operations they call.
//!
//! A local edit changes the document, wakes the views of what it touched (see `watch`), is
//! handed to the sync engine and written with its outbox entry alongside. What the engine
//! reports comes back through [`Session::on_event`]: remote changes are merged and stored,
//! acknowledged changes leave the outbox, presence and status update their signals. The views
//! never keep their own copy of the truth: they read the document again when what they follow
//! changes ([`Session::track`]), or, for the few that show everything, when `version` moves.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use tandem_domain::changes::{Area, Touched};
use tandem_domain::{DomainError, SchemaStatus, Vacancy};
use tandem_protocol::{DocId, MovedTo, OwnerSecret, ShareLink};
use tandem_sync_engine::document::Stored;
use tandem_sync_engine::{DocStatus, Event, Link, Pending};

use crate::device::Device;
use crate::notices::{self, Inventory, News};
use crate::presence::{self, Peer, PresencePayload};
use crate::problem::Problem;
use crate::storage::document::DocStorage;
use crate::storage::{StoreError, VacancyRecord};
use crate::watch::Watch;

/// What the vacancy page can show.
#[derive(Clone, Debug, PartialEq)]
pub enum Availability {
    /// The document is here.
    Ready,
    /// Joined by link and nothing has arrived yet.
    Waiting,
    /// The relay has no vacancy under this link.
    NotFound,
    /// The relay refused the link's token.
    Denied,
    /// The creator deleted the vacancy for everyone, and nothing of it is on this device.
    Deleted,
}

/// Whether this device's changes have reached the relay, for the sync indicator.
#[derive(Clone, Debug, PartialEq)]
pub struct SyncView {
    pub link: Link,
    /// Joined and holding everything the relay had.
    pub caught_up: bool,
    /// When the oldest change the relay has not acknowledged was made, if there is one.
    pub unsent_since: Option<f64>,
}

pub struct Session {
    pub doc: DocId,
    pub link: ShareLink,
    pub(crate) device: Rc<Device>,
    /// `None` when this browser gives no local storage: the session then lives in memory.
    pub(crate) storage: Option<DocStorage>,
    pub vacancy: RefCell<Vacancy>,
    /// Bumped on every change, local or remote: for the few views that show everything (the
    /// overview, the export). The others follow what they show, through [`Session::track`].
    pub version: RwSignal<u64>,
    /// Which views follow which part of the document.
    watch: Watch,
    /// Whether this app must not edit the document (see [`Session::read_only`]), as a signal.
    pub locked: RwSignal<bool>,
    pub availability: RwSignal<Availability>,
    pub sync: RwSignal<SyncView>,
    pub peers: RwSignal<Vec<Peer>>,
    /// Whether this device's storage holds the vacancy's link: from then on, the secret is not
    /// needed in the address bar.
    pub link_kept: RwSignal<bool>,
    /// Something the user must know about (storage full, damaged data, a refusal).
    pub problem: RwSignal<Option<Problem>>,
    /// The creator deleted the vacancy for everyone: nothing here reaches anyone any more,
    /// and the document is read-only.
    pub deleted: RwSignal<bool>,
    /// This device asked the relay to delete the vacancy (so `deleted` is its own doing).
    pub deleting: RwSignal<bool>,
    /// This device asked the relay to move the vacancy, to erase a candidate (see `moving`).
    pub erasing: RwSignal<bool>,
    /// The vacancy moved (a candidate was erased): where to. The page follows it.
    pub moved: RwSignal<Option<MovedTo>>,
    /// The owner secret, on the creator's devices only.
    pub(crate) owner: Option<OwnerSecret>,
    /// What partners' changes did that this person should be told (see `notices`); the
    /// partner notices component takes them from here.
    pub news: RwSignal<Vec<News>>,
    /// The field this tab is editing, sent with presence.
    my_field: RefCell<Option<String>>,
    /// What partners could remove, as of the last merge (see `merge`); `None` once a change
    /// may have changed it.
    inventory: RefCell<Option<Inventory>>,
}

fn now() -> f64 {
    js_sys::Date::now()
}

impl Session {
    /// A brand-new vacancy, stored and listed on this device; the page then opens it by link.
    pub async fn create(device: &Device, title: &str) -> Result<ShareLink, StoreError> {
        let (vacancy, first) = Vacancy::create(title, now() as i64);
        Self::create_from(device, &vacancy, first).await
    }

    /// A new vacancy (new id, new secret) holding `vacancy`, whose whole content is the change
    /// `first`: a brand-new one, or one imported from an export. Stored and listed on this
    /// device and queued for the relay, as creating one does.
    pub async fn create_from(
        device: &Device,
        vacancy: &Vacancy,
        first: Vec<u8>,
    ) -> Result<ShareLink, StoreError> {
        let link = ShareLink::random();
        // The owner secret is made here, kept in the list entry only, and never in the link:
        // whoever creates the vacancy (or imports it as a new one) owns it.
        Self::create_at(device, link.clone(), OwnerSecret::random(), vacancy, first).await?;
        Ok(link)
    }

    /// Stores and lists `vacancy` (whose whole content is `first`) under `link`, owned with
    /// `owner`, and queues it for the relay.
    pub async fn create_at(
        device: &Device,
        link: ShareLink,
        owner: OwnerSecret,
        vacancy: &Vacancy,
        first: Vec<u8>,
    ) -> Result<(), StoreError> {
        let store = device
            .store()
            .ok_or(StoreError::Unavailable(String::new()))?;
        let storage = DocStorage::new(store, device.tab_id, link, None);
        storage.set_owner(owner);
        storage.set_listing(vacancy);
        storage.list(vacancy.title()).await?;
        storage.save_local_change(&pending(first)).await
    }

    /// Opens a vacancy from this device's storage and starts syncing it. `record` is the
    /// device's list entry for it, if it has one.
    pub async fn open(
        device: Rc<Device>,
        link: ShareLink,
        record: Option<VacancyRecord>,
    ) -> Rc<Self> {
        let link_kept = RwSignal::new(record.is_some());
        let owner = record.as_ref().and_then(|r| r.owner.clone());
        let storage = device
            .store()
            .map(|store| DocStorage::new(store, device.tab_id, link.clone(), record));
        let session = Rc::new(Session {
            doc: link.doc,
            link,
            device,
            storage,
            vacancy: RefCell::new(Vacancy::empty()),
            version: RwSignal::new(0),
            watch: Watch::default(),
            locked: RwSignal::new(false),
            availability: RwSignal::new(Availability::Waiting),
            sync: RwSignal::new(SyncView {
                link: Link::Offline,
                caught_up: false,
                unsent_since: None,
            }),
            peers: RwSignal::new(Vec::new()),
            link_kept,
            problem: RwSignal::new(None),
            deleted: RwSignal::new(false),
            deleting: RwSignal::new(false),
            erasing: RwSignal::new(false),
            moved: RwSignal::new(None),
            owner,
            news: RwSignal::new(Vec::new()),
            my_field: RefCell::new(None),
            inventory: RefCell::new(None),
        });
        let mut outbox = Vec::new();
        if let Some(storage) = &session.storage {
            match storage.chunks().await {
                Ok(chunks) => {
                    if storage.load_into(&mut session.vacancy.borrow_mut(), chunks) {
                        session.problem.set(Some(Problem::DamagedData));
                    }
                }
                Err(e) => session.problem.set(Some(Problem::from(&e))),
            }
            // An outbox that cannot be read stays on disk and is sent after the next reload.
            match storage.outbox().await {
                Ok(waiting) => outbox = waiting,
                Err(e) => session.problem.set(Some(Problem::from(&e))),
            }
        }
        // From here on each change is told by what it touched; the load itself was everything.
        session.vacancy.borrow_mut().keep_track();
        session.version.update(|v| *v += 1);
        session.watch.notify_all();
        session.update_locked();
        let weak = Rc::downgrade(&session);
        let stored = session
            .storage
            .as_ref()
            .map(DocStorage::stored)
            .unwrap_or_default();
        session.device.sync.open(
            session.doc,
            &session.link.secret,
            stored,
            outbox,
            Rc::new(move |event| {
                if let Some(s) = weak.upgrade() {
                    s.on_event(event);
                }
            }),
        );
        if let Some(owner) = &session.owner {
            let token = owner.delete_token(session.doc);
            session.device.sync.set_owner(session.doc, token);
        }
        session.refresh();
        session.announce();
        session
    }

    pub fn close(&self) {
        self.device.sync.close(self.doc);
    }

    /// True when this app must not edit the document (written by a newer app, not here yet,
    /// or deleted by its creator).
    pub fn read_only(&self) -> bool {
        self.vacancy.borrow().schema_status() != SchemaStatus::Current
            || self.deleted.get_untracked()
    }

    /// Makes the running view (a memo or an effect) re-run when `area` changes.
    pub fn track(&self, area: Area) {
        self.watch.track(area);
    }

    /// Tells the views what a change touched.
    fn changed(&self, touched: &Touched) {
        self.version.update(|v| *v += 1);
        self.watch.notify(touched);
        self.update_locked();
    }

    fn update_locked(&self) {
        let now = self.read_only();
        if self.locked.get_untracked() != now {
            self.locked.set(now);
        }
    }

    /// Whether this device created the vacancy (and so may delete it for everyone).
    pub fn is_creator(&self) -> bool {
        self.owner.is_some()
    }

    /// Asks the relay to delete the vacancy for everyone. False when that cannot be sent now
    /// (offline, or not the creator); the relay's answer arrives as `deleted`, or a problem.
    pub fn delete_for_everyone(&self) -> bool {
        let sent = self.device.sync.delete_for_everyone(self.doc);
        if sent {
            self.deleting.set(true);
        }
        sent
    }

    /// Removes everything this device stores of the vacancy, and stops syncing it.
    pub async fn remove_from_device(&self) -> Result<(), StoreError> {
        self.close();
        match self.device.store() {
            Some(store) => store.remove_vacancy(self.doc).await,
            None => Ok(()),
        }
    }

    // ---- local edits -----------------------------------------------------------------------

    /// Runs an edit; its change is stored, queued and sent. Errors are shown, never swallowed.
    pub fn edit<F>(self: &Rc<Self>, f: F)
    where
        F: FnOnce(&mut Vacancy) -> Result<Option<Vec<u8>>, DomainError>,
    {
        crate::timing::mark("tandem:edit");
        let result = {
            let mut v = self.vacancy.borrow_mut();
            // Partners are told who made the change (see `tandem_domain::authors`).
            v.set_author(Some(self.device.person.get_untracked()));
            f(&mut v).map(|change| change.map(|c| (c, v.touched())))
        };
        crate::timing::mark("tandem:spliced");
        match result {
            Ok(Some((change, touched))) => {
                if !notices::inventory_unchanged_by(&touched) {
                    self.inventory.borrow_mut().take();
                }
                self.changed(&touched);
                crate::timing::mark("tandem:notified");
                self.store_and_send(change, !listing_unchanged_by(&touched));
            }
            Ok(None) => {}
            Err(e) => self.problem.set(Some(Problem::from(&e))),
        }
    }

    /// Hands a change to the engine and stores it with its outbox entry. The send does not
    /// wait for the write (about half the keystroke's way to a partner): the change is in the
    /// document already, and should the tab die before the write lands, the relay has it and
    /// gives it back on the next open. The write is begun first, so that the relay's answer
    /// waits for it (see `storage::document`).
    fn store_and_send(self: &Rc<Self>, change: Vec<u8>, relisted: bool) {
        let item = pending(change);
        let write = self.storage.as_ref().map(|storage| {
            if relisted {
                storage.set_listing(&self.vacancy.borrow());
            }
            storage.begin_local_change(&item)
        });
        self.device.sync.local_change(self.doc, item.clone());
        self.refresh();
        let me = Rc::clone(self);
        spawn_local(async move {
            if let (Some(storage), Some(write)) = (&me.storage, write) {
                match storage.write_local_change(write, &item).await {
                    Ok(()) => me.note_link_kept(storage),
                    // It went out all the same, and the relay keeps it for us; the user is
                    // told it is not safe on this device.
                    Err(e) => me.problem.set(Some(Problem::from(&e))),
                }
            }
            me.compact_maybe().await;
        });
    }

    /// A write that lists the vacancy stores its link with it.
    fn note_link_kept(&self, storage: &DocStorage) {
        if storage.is_listed() && !self.link_kept.get_untracked() {
            self.link_kept.set(true);
        }
    }

    async fn compact_maybe(&self) {
        if let Some(storage) = &self.storage {
            let saved = storage
                .maybe_compact(|| self.vacancy.borrow_mut().save())
                .await;
            if let Err(e) = saved {
                self.problem.set(Some(Problem::from(&e)));
            }
        }
    }

    // ---- what the sync engine reports ------------------------------------------------------

    fn on_event(self: &Rc<Self>, event: Event) {
        match event {
            Event::Changes {
                changes, stored, ..
            } => self.merge(changes, stored),
            Event::Acked { ids, stored, .. } => {
                let me = Rc::clone(self);
                spawn_local(async move {
                    if let Some(storage) = &me.storage {
                        let saved = storage.acknowledged(&ids, stored).await;
                        if let Err(e) = saved {
                            me.problem.set(Some(Problem::from(&e)));
                        }
                    }
                });
            }
            Event::UploadWhole { .. } => {
                let whole = self.vacancy.borrow_mut().save();
                self.store_and_send(whole, true);
            }
            Event::SnapshotWanted { covers_seq, .. } => {
                let bytes = self.vacancy.borrow_mut().save();
                self.device
                    .sync
                    .offer_snapshot(self.doc, covers_seq, &bytes);
            }
            Event::PeersChanged { .. } => {
                self.peers
                    .set(presence::people(&self.device.sync.peers(self.doc)));
            }
            Event::StatusChanged { .. } => self.refresh(),
            Event::Problem { problem, .. } => {
                if let tandem_sync_engine::Problem::Refused(
                    tandem_protocol::ErrorCode::NotOwner | tandem_protocol::ErrorCode::NoOwner,
                ) = problem
                {
                    // The relay refused the delete or move (the problem says why): nothing is
                    // on its way.
                    self.deleting.set(false);
                    self.erasing.set(false);
                }
                self.problem.set(Some(Problem::from(problem)));
            }
        }
    }

    /// Merges changes from the relay, then stores them with how far they bring us.
    fn merge(self: &Rc<Self>, changes: Vec<Vec<u8>>, stored: Stored) {
        crate::timing::mark("tandem:merge");
        let touched = {
            let mut v = self.vacancy.borrow_mut();
            // What there was, to tell what partners removed or added; not while the vacancy
            // is still arriving (everything is new then). Kept from the last time while
            // nothing it holds changed, so a partner's keystroke costs no read of everything.
            let before = (self.availability.get_untracked() == Availability::Ready).then(|| {
                let kept = self.inventory.borrow_mut().take();
                (kept.unwrap_or_else(|| Inventory::of(&v)), v.heads())
            });
            for bytes in &changes {
                if v.apply_remote(bytes).is_err() {
                    self.problem.set(Some(Problem::DamagedData));
                }
            }
            crate::timing::mark("tandem:applied");
            let touched = v.touched();
            if let Some((inventory, heads)) = before {
                if notices::inventory_unchanged_by(&touched) {
                    *self.inventory.borrow_mut() = Some(inventory);
                } else {
                    let after = Inventory::of(&v);
                    let authors = v.authors_since(&heads);
                    let me = self.device.person.get_untracked();
                    let told = notices::news(&inventory, &after, &v, &authors, &me);
                    if !told.is_empty() {
                        self.news.update(|n| n.extend(told));
                    }
                    *self.inventory.borrow_mut() = Some(after);
                }
            }
            touched
        };
        crate::timing::mark("tandem:told");
        self.changed(&touched);
        self.refresh();
        crate::timing::mark("tandem:merged");
        let relisted = !listing_unchanged_by(&touched);
        let me = Rc::clone(self);
        spawn_local(async move {
            if let Some(storage) = &me.storage {
                if relisted {
                    storage.set_listing(&me.vacancy.borrow());
                }
                match storage.save_remote(&changes, stored).await {
                    Ok(()) => me.note_link_kept(storage),
                    Err(e) => me.problem.set(Some(Problem::from(&e))),
                }
            }
            me.compact_maybe().await;
        });
    }

    /// Brings the availability and the sync indicator up to date, and tells partners when
    /// this device starts or stops having unsent changes.
    fn refresh(&self) {
        let Some(status) = self.device.sync.status(self.doc) else {
            return;
        };
        let unsent_since = status.oldest_unsent_at.map(|t| t as f64);
        let view = SyncView {
            link: status.link,
            caught_up: status.caught_up,
            unsent_since,
        };
        let unsent_changed =
            self.sync.with_untracked(|s| s.unsent_since.is_some()) != unsent_since.is_some();
        if self.sync.get_untracked() != view {
            self.sync.set(view);
        }
        if status.moved_to.is_some() && self.moved.with_untracked(Option::is_none) {
            self.moved.set(status.moved_to.clone());
        }
        if status.deleted && !self.deleted.get_untracked() {
            self.deleted.set(true);
            // Views follow `locked`; the ones that show everything, the version.
            self.update_locked();
            self.version.update(|v| *v += 1);
        }
        let listed = self.storage.as_ref().is_some_and(DocStorage::is_listed);
        let next = availability(self.vacancy.borrow().schema_status(), &status, listed);
        if self.availability.get_untracked() != next {
            self.availability.set(next);
        }
        if matches!(
            self.vacancy.borrow().schema_status(),
            SchemaStatus::Newer(_)
        ) && self.problem.get_untracked().is_none()
        {
            self.problem.set(Some(Problem::NewerSchema));
        }
        if unsent_changed {
            self.update_presence(false);
        }
    }

    // ---- presence --------------------------------------------------------------------------

    pub fn set_my_field(&self, field: Option<String>) {
        if *self.my_field.borrow() != field {
            *self.my_field.borrow_mut() = field;
            self.announce();
        }
    }

    /// Tells the others about this device at once (its name, colour or field changed).
    pub fn announce(&self) {
        self.update_presence(true);
    }

    /// Tells the engine what to say about this device: at once when `urgent`, else with the
    /// next regular announcement.
    fn update_presence(&self, urgent: bool) {
        let profile = self.device.profile.get_untracked();
        let payload = PresencePayload {
            peer: self.device.tab_id,
            name: profile.name,
            colour: profile.colour,
            field: self.my_field.borrow().clone(),
            unsent: self.sync.with_untracked(|s| s.unsent_since.is_some()),
        };
        self.device
            .sync
            .set_presence(self.doc, payload.encode(), urgent);
    }
}

/// What the page can show, from the document and the engine's status. A listed vacancy with
/// nothing in it yet is one this device followed when it moved (see `moving`): its creator's
/// copy is on its way, so the relay having nothing yet is a wait, not a wrong link.
fn availability(schema: SchemaStatus, status: &DocStatus, listed: bool) -> Availability {
    match schema {
        SchemaStatus::Empty if status.deleted => Availability::Deleted,
        SchemaStatus::Empty if status.denied => Availability::Denied,
        SchemaStatus::Empty if status.relay_empty && !listed => Availability::NotFound,
        SchemaStatus::Empty => Availability::Waiting,
        _ => Availability::Ready,
    }
}

/// Whether the device's list entry (title, status, deadlines: see `DocStorage::set_listing`)
/// stays as it was after a change that touched only `touched`: true for the intake's and the
/// scorecard's own texts and values, so a keystroke there does not work out every deadline.
fn listing_unchanged_by(touched: &Touched) -> bool {
    use tandem_domain::changes::Section;
    use tandem_domain::TextField;
    touched.areas().all(|area| match area {
        Area::Section(s) => matches!(s, Section::Intake | Section::Scorecard),
        Area::Criteria | Area::Criterion(_) | Area::Items(_) => true,
        Area::Text(field) => matches!(
            field,
            TextField::CriterionName(_)
                | TextField::CriterionDescription(_)
                | TextField::Anchor(..)
                | TextField::Question(..)
                | TextField::Role(_)
                | TextField::Intake(_)
                | TextField::IntakeItem(..)
                | TextField::StageInterviewers(_)
                | TextField::StageAssesses(_)
        ),
        _ => false,
    })
}

/// A local change with a fresh random id, which makes its append idempotent at the relay.
fn pending(change: Vec<u8>) -> Pending {
    let mut id = [0u8; 16];
    tandem_protocol::crypto::fill_random(&mut id);
    Pending {
        id,
        created_at: now() as u64,
        change,
    }
}

/// How components hold the open session: `Copy`, and disposed with the page.
pub type SessionHandle = StoredValue<Rc<Session>, LocalStorage>;
