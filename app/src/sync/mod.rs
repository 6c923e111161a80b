//! The tab's one connection to the relay: the sans-IO [`Engine`] driven by the browser.
//!
//! Everything the engine decides comes out of [`Engine::poll_output`] and is carried out here:
//! open or close the [`socket::Socket`], send a frame, or hand an [`Event`] to the open
//! document it is about. Time reaches the engine through one gloo timer, set to whatever
//! [`Engine::poll_timeout`] asks for; the browser's online and offline events reach it at once.

mod socket;

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::{Rc, Weak};

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use tandem_protocol::limits::SYNC_PATH;
use tandem_protocol::{DeleteToken, DocId, MovedTo, Secret};
use tandem_sync_engine::document::Stored;
use tandem_sync_engine::{DocStatus, Engine, Event, Link, Output, PeerView, Pending};

use socket::{Socket, SocketEvent};

/// Where an open document hears its events.
pub type Listener = Rc<dyn Fn(Event)>;

pub struct Sync {
    engine: RefCell<Engine>,
    url: String,
    socket: RefCell<Option<Socket>>,
    /// Counts sockets, so that news from one already given up on is ignored.
    generation: Cell<u64>,
    listeners: RefCell<BTreeMap<DocId, Listener>>,
    /// The one pending wake-up for the engine, and when it fires.
    timer: RefCell<Option<(u64, Timeout)>>,
    /// The connection's state, for the views.
    pub link: RwSignal<Link>,
    me: Weak<Sync>,
    _network: Vec<EventListener>,
}

fn now() -> u64 {
    js_sys::Date::now() as u64
}

impl Sync {
    pub fn new() -> Rc<Self> {
        let location = web_sys::window().map(|w| w.location());
        let protocol = location.as_ref().and_then(|l| l.protocol().ok());
        let host = location.and_then(|l| l.host().ok()).unwrap_or_default();
        let scheme = if protocol.as_deref() == Some("https:") {
            "wss"
        } else {
            "ws"
        };
        Rc::new_cyclic(|me: &Weak<Sync>| {
            let network = web_sys::window()
                .map(|window| {
                    ["online", "offline"]
                        .into_iter()
                        .map(|name| {
                            let me = me.clone();
                            let online = name == "online";
                            EventListener::new(&window, name, move |_| {
                                if let Some(sync) = me.upgrade() {
                                    sync.drive(|e| e.network_changed(online, now()));
                                }
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            Sync {
                engine: RefCell::new(Engine::new(now())),
                url: format!("{scheme}://{host}{SYNC_PATH}"),
                socket: RefCell::new(None),
                generation: Cell::new(0),
                listeners: RefCell::new(BTreeMap::new()),
                timer: RefCell::new(None),
                link: RwSignal::new(Link::Offline),
                me: me.clone(),
                _network: network,
            }
        })
    }

    // ---- what open documents call ----------------------------------------------------------

    pub fn open(
        &self,
        doc: DocId,
        secret: &Secret,
        stored: Stored,
        outbox: Vec<Pending>,
        listener: Listener,
    ) {
        self.listeners.borrow_mut().insert(doc, listener);
        self.drive(|e| e.open(doc, secret, stored, outbox, now()));
    }

    pub fn close(&self, doc: DocId) {
        self.listeners.borrow_mut().remove(&doc);
        self.drive(|e| e.close(doc, now()));
    }

    /// A change made here: sent at once (the document writes it to storage alongside).
    pub fn local_change(&self, doc: DocId, item: Pending) {
        crate::timing::mark("tandem:handed");
        self.drive(|e| e.local_change(doc, item, now()));
    }

    pub fn offer_snapshot(&self, doc: DocId, covers_seq: u64, bytes: &[u8]) {
        self.drive(|e| e.offer_snapshot(doc, covers_seq, bytes, now()));
    }

    pub fn set_presence(&self, doc: DocId, payload: Vec<u8>, urgent: bool) {
        self.drive(|e| e.set_presence(doc, payload, urgent, now()));
    }

    /// This device created `doc`: the engine claims it at the relay on every join.
    pub fn set_owner(&self, doc: DocId, token: DeleteToken) {
        self.drive(|e| e.set_owner(doc, token, now()));
    }

    /// Asks the relay to delete `doc` for everyone; false when that cannot be sent now.
    pub fn delete_for_everyone(&self, doc: DocId) -> bool {
        let mut sent = false;
        self.drive(|e| sent = e.delete_for_everyone(doc, now()));
        sent
    }

    /// Asks the relay to move `doc` for everyone to `to`; false when that cannot be sent now.
    pub fn move_for_everyone(&self, doc: DocId, to: &MovedTo) -> bool {
        let mut sent = false;
        self.drive(|e| sent = e.move_for_everyone(doc, to, now()));
        sent
    }

    pub fn status(&self, doc: DocId) -> Option<DocStatus> {
        self.engine.borrow().status(doc)
    }

    pub fn peers(&self, doc: DocId) -> Vec<PeerView> {
        self.engine.borrow().peers(doc)
    }

    // ---- carrying out what the engine decides ----------------------------------------------

    /// Gives the engine an input, then does everything it asks for.
    fn drive(&self, input: impl FnOnce(&mut Engine)) {
        input(&mut self.engine.borrow_mut());
        // The borrow is released before each output is carried out: a listener may call back
        // into the engine (say, to offer a snapshot), which drives it again.
        loop {
            let next = self.engine.borrow_mut().poll_output();
            match next {
                None => break,
                Some(Output::Connect) => self.connect(),
                Some(Output::Disconnect) => drop(self.socket.borrow_mut().take()),
                Some(Output::Send(frame)) => {
                    if let Some(socket) = self.socket.borrow().as_ref() {
                        socket.send(&frame);
                        crate::timing::mark("tandem:sent");
                    }
                }
                Some(Output::Event(event)) => self.deliver(event),
            }
        }
        let link = self.engine.borrow().link();
        if self.link.get_untracked() != link {
            self.link.set(link);
        }
        self.wake_at(self.engine.borrow().poll_timeout());
    }

    fn deliver(&self, event: Event) {
        let doc = match &event {
            Event::Changes { doc, .. }
            | Event::Acked { doc, .. }
            | Event::UploadWhole { doc }
            | Event::SnapshotWanted { doc, .. }
            | Event::PeersChanged { doc }
            | Event::StatusChanged { doc } => Some(*doc),
            Event::Problem { doc, .. } => *doc,
        };
        let listeners: Vec<Listener> = match doc {
            Some(doc) => self
                .listeners
                .borrow()
                .get(&doc)
                .cloned()
                .into_iter()
                .collect(),
            // A problem with the connection as a whole concerns every open document.
            None => self.listeners.borrow().values().cloned().collect(),
        };
        let changes = matches!(event, Event::Changes { .. });
        if changes {
            crate::timing::mark("tandem:deliver");
        }
        for listener in listeners {
            listener(event.clone());
        }
        if changes {
            crate::timing::mark("tandem:delivered");
        }
    }

    fn connect(&self) {
        let generation = self.generation.get() + 1;
        self.generation.set(generation);
        let me = self.me.clone();
        let opened = Socket::open(&self.url, move |event| {
            let Some(sync) = me.upgrade() else { return };
            if sync.generation.get() != generation {
                return; // A socket we already gave up on.
            }
            match event {
                SocketEvent::Open => sync.drive(|e| e.connected(now())),
                SocketEvent::Frame(frame) => {
                    crate::timing::mark("tandem:frame");
                    sync.drive(|e| e.receive(&frame, now()))
                }
                SocketEvent::Closed => {
                    sync.socket.borrow_mut().take();
                    sync.drive(|e| e.disconnected(now()));
                }
            }
        });
        match opened {
            Ok(socket) => *self.socket.borrow_mut() = Some(socket),
            Err(_) => {
                let me = self.me.clone();
                // Not from inside this drive: report the failure on the next turn.
                leptos::task::spawn_local(async move {
                    if let Some(sync) = me.upgrade() {
                        sync.drive(|e| e.disconnected(now()));
                    }
                });
            }
        }
    }

    fn wake_at(&self, at: Option<u64>) {
        if self.timer.borrow().as_ref().map(|(when, _)| *when) == at {
            return; // Already set for then.
        }
        let timer = at.map(|at| {
            let me = self.me.clone();
            let delay = at.saturating_sub(now()).min(u32::MAX as u64) as u32;
            let timeout = Timeout::new(delay, move || {
                // On the next turn, not in the timer's own callback: driving replaces the timer,
                // which must not drop the callback that is running.
                leptos::task::spawn_local(async move {
                    if let Some(sync) = me.upgrade() {
                        sync.timer.borrow_mut().take();
                        sync.drive(|e| e.handle_timeout(now()));
                    }
                });
            });
            (at, timeout)
        });
        // Replacing the old timeout cancels it.
        *self.timer.borrow_mut() = timer;
    }
}
