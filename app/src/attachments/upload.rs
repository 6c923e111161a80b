//! Sending queued blobs to the relay, in the background, from the device that made them.
//!
//! The queue lives in IndexedDB (`storage::blobs`), so a reload or a closed tab loses nothing:
//! the next start sends what is left. One run at a time goes through the queue; each blob is
//! sent in chunks of `BLOB_CHUNK_BYTES`, resuming where the relay says it is (`HEAD` first, and
//! a `409` carries the offset to go on from), so a dropped connection costs one chunk at most.
//!
//! When to try again:
//! - offline (the browser says so), nothing is tried; the `online` event starts a run;
//! - no answer, or a `5xx`: again after a pause that doubles up to a minute;
//! - a refusal that will not change by waiting (too large, wrong token, document deleted, bytes
//!   that do not match their name): the entry leaves the queue and the author is told, for as
//!   long as the tab is open.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::{Rc, Weak};

use gloo_events::EventListener;
use leptos::prelude::*;
use leptos::task::spawn_local;
use tandem_protocol::blob::BLOB_CHUNK_BYTES;

use super::http::{self, Answer};
use crate::storage::blobs::QueuedUpload;
use crate::storage::LocalStore;

const FIRST_PAUSE_MS: u32 = 2_000;
const LONGEST_PAUSE_MS: u32 = 60_000;

/// How one blob's upload ended.
enum Outcome {
    Done,
    /// Try again later.
    Later,
    /// Refused for good, with the relay's status (0: the blob is gone from this device).
    Refused(u16),
}

pub struct Uploads {
    store: RefCell<Option<LocalStore>>,
    /// Keys (`"<doc>:<hash>"`) still to send, for the author's "waiting to be sent".
    pub pending: RwSignal<BTreeSet<String>>,
    /// Keys the relay refused for good, with its status.
    pub refused: RwSignal<BTreeMap<String, u16>>,
    running: Cell<bool>,
    /// A kick came during a run: go through the queue once more (it may hold a new entry).
    again: Cell<bool>,
    pause_ms: Cell<u32>,
    retry: RefCell<Option<gloo_timers::callback::Timeout>>,
    _online: RefCell<Option<EventListener>>,
}

impl Uploads {
    pub fn new() -> Rc<Self> {
        Rc::new(Uploads {
            store: RefCell::new(None),
            pending: RwSignal::new(BTreeSet::new()),
            refused: RwSignal::new(BTreeMap::new()),
            running: Cell::new(false),
            again: Cell::new(false),
            pause_ms: Cell::new(FIRST_PAUSE_MS),
            retry: RefCell::new(None),
            _online: RefCell::new(None),
        })
    }

    /// Local storage is open: send what an earlier visit left, and again whenever the browser
    /// comes back online.
    pub fn start(self: &Rc<Self>, store: LocalStore) {
        *self.store.borrow_mut() = Some(store);
        if let Some(window) = web_sys::window() {
            let me = Rc::downgrade(self);
            *self._online.borrow_mut() = Some(EventListener::new(&window, "online", move |_| {
                if let Some(me) = me.upgrade() {
                    me.pause_ms.set(FIRST_PAUSE_MS);
                    me.kick();
                }
            }));
        }
        self.kick();
    }

    /// Queues a blob this device holds and starts sending it.
    pub async fn queue(
        self: &Rc<Self>,
        item: QueuedUpload,
    ) -> Result<(), crate::storage::StoreError> {
        let store = self
            .store
            .borrow()
            .clone()
            .ok_or(crate::storage::StoreError::Unavailable(String::new()))?;
        self.pending.update(|p| {
            p.insert(item.key());
        });
        store.queue_upload(&item).await?;
        self.kick();
        Ok(())
    }

    /// Goes through the queue now (or right after the run under way).
    pub fn kick(self: &Rc<Self>) {
        if self.running.replace(true) {
            self.again.set(true);
            return;
        }
        self.retry.borrow_mut().take();
        let me = Rc::downgrade(self);
        spawn_local(async move { run(me).await });
    }

    fn schedule_retry(self: &Rc<Self>) {
        let pause = self.pause_ms.get();
        self.pause_ms.set((pause * 2).min(LONGEST_PAUSE_MS));
        let me = Rc::downgrade(self);
        *self.retry.borrow_mut() = Some(gloo_timers::callback::Timeout::new(pause, move || {
            if let Some(me) = me.upgrade() {
                me.kick();
            }
        }));
    }
}

async fn run(me: Weak<Uploads>) {
    loop {
        let Some(store) = me.upgrade().and_then(|u| u.store.borrow().clone()) else {
            return;
        };
        let queue = store.queued_uploads().await.unwrap_or_default();
        if let Some(u) = me.upgrade() {
            u.pending.set(queue.iter().map(QueuedUpload::key).collect());
        }
        let mut wait = false;
        for item in &queue {
            if !http::online() {
                wait = true;
                break;
            }
            match send(&store, item).await {
                Outcome::Done => {
                    let _ = store.upload_finished(&item.key()).await;
                    if let Some(u) = me.upgrade() {
                        u.pause_ms.set(FIRST_PAUSE_MS);
                        u.pending.update(|p| {
                            p.remove(&item.key());
                        });
                    }
                }
                Outcome::Refused(status) => {
                    let _ = store.upload_finished(&item.key()).await;
                    if let Some(u) = me.upgrade() {
                        u.pending.update(|p| {
                            p.remove(&item.key());
                        });
                        u.refused.update(|r| {
                            r.insert(item.key(), status);
                        });
                    }
                }
                Outcome::Later => wait = true,
            }
        }
        let Some(u) = me.upgrade() else { return };
        if u.again.replace(false) {
            continue;
        }
        u.running.set(false);
        // Offline, the `online` event starts the next run; otherwise a timer does.
        if wait && http::online() {
            u.schedule_retry();
        }
        return;
    }
}

/// Sends one blob, from wherever the relay is with it.
async fn send(store: &LocalStore, item: &QueuedUpload) -> Outcome {
    let sealed = match store.blob(item.doc, &item.hash).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Outcome::Refused(0),
        Err(_) => return Outcome::Later,
    };
    let total = sealed.len() as u64;
    let ask = |method: &'static str, query: String, body: Option<Vec<u8>>| {
        let (doc, hash, token) = (item.doc, item.hash, item.token.clone());
        async move { http::request(method, doc, &hash, &query, &token, body.as_deref()).await }
    };
    let mut offset = match ask("HEAD", String::new(), None).await {
        Ok(Answer { status: 200, .. }) => return Outcome::Done,
        Ok(Answer {
            status: 404,
            upload_offset,
            ..
        }) => upload_offset.unwrap_or(0),
        Ok(a) => return judge(a),
        Err(_) => return Outcome::Later,
    };
    // Every round either moves on or learns the relay's offset; a relay that keeps answering
    // 409 with an offset that does not help would otherwise keep us here forever.
    let rounds = sealed.len() / BLOB_CHUNK_BYTES + 8;
    for _ in 0..rounds {
        if offset >= total {
            return Outcome::Done;
        }
        let start = offset as usize;
        let end = (start + BLOB_CHUNK_BYTES).min(sealed.len());
        let query = format!("?offset={start}&total={total}");
        match ask("PUT", query, sealed.get(start..end).map(<[u8]>::to_vec)).await {
            Ok(Answer {
                status: 204,
                upload_offset,
                ..
            }) => offset = upload_offset.unwrap_or(end as u64),
            Ok(Answer {
                status: 409,
                upload_offset: Some(at),
                ..
            }) if at <= total => offset = at,
            Ok(a) => return judge(a),
            Err(_) => return Outcome::Later,
        }
    }
    if offset >= total {
        Outcome::Done
    } else {
        Outcome::Later
    }
}

/// An answer that is neither progress nor done: worth waiting for, or refused for good.
fn judge(a: Answer) -> Outcome {
    match a.status {
        // The relay is struggling, or something in between is: it may pass.
        408 | 429 | 500..=599 => Outcome::Later,
        status => {
            web_sys::console::warn_1(&format!("memo upload refused: {status} {}", a.text()).into());
            Outcome::Refused(status)
        }
    }
}
