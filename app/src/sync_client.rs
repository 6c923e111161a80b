//! The one WebSocket to the relay, shared by every open vacancy.
//!
//! It reconnects by itself with a growing back-off (and at once when the browser says it is
//! online again), and hands each decoded relay message to the session of its document. Sessions
//! re-join and resend their outbox whenever the connection comes back.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use leptos::prelude::*;
use tandem_protocol::{ClientMsg, DocId, RelayMsg};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, MessageEvent, WebSocket};

use crate::session::DocSession;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnState {
    Offline,
    Connecting,
    Online,
}

struct Handlers {
    _open: Closure<dyn FnMut()>,
    _message: Closure<dyn FnMut(MessageEvent)>,
    _close: Closure<dyn FnMut()>,
}

pub struct SyncClient {
    url: String,
    ws: RefCell<Option<WebSocket>>,
    /// Kept alive as long as their socket; replaced on each reconnect.
    handlers: RefCell<Option<Handlers>>,
    pub state: RwSignal<ConnState>,
    sessions: RefCell<HashMap<DocId, Weak<DocSession>>>,
    failures: Cell<u32>,
    reconnect_pending: Cell<bool>,
    me: RefCell<Weak<SyncClient>>,
}

impl SyncClient {
    pub fn new() -> Rc<Self> {
        let location = web_sys::window().map(|w| w.location());
        let (protocol, host) = location
            .map(|l| {
                (
                    l.protocol().unwrap_or_default(),
                    l.host().unwrap_or_default(),
                )
            })
            .unwrap_or_default();
        let scheme = if protocol == "https:" { "wss" } else { "ws" };
        let client = Rc::new(SyncClient {
            url: format!("{scheme}://{host}/sync"),
            ws: RefCell::new(None),
            handlers: RefCell::new(None),
            state: RwSignal::new(ConnState::Offline),
            sessions: RefCell::new(HashMap::new()),
            failures: Cell::new(0),
            reconnect_pending: Cell::new(false),
            me: RefCell::new(Weak::new()),
        });
        *client.me.borrow_mut() = Rc::downgrade(&client);
        client.listen_for_online();
        client
    }

    pub fn register(&self, session: &Rc<DocSession>) {
        self.sessions
            .borrow_mut()
            .insert(session.doc, Rc::downgrade(session));
        if self.state.get_untracked() == ConnState::Online {
            session.on_connected();
        } else {
            self.connect();
        }
    }

    pub fn unregister(&self, doc: DocId) {
        self.sessions.borrow_mut().remove(&doc);
        self.send(&ClientMsg::Leave { doc });
    }

    /// Sends if the socket is open; otherwise the caller's outbox keeps the message.
    pub fn send(&self, msg: &ClientMsg) -> bool {
        let ws = self.ws.borrow();
        match ws.as_ref() {
            Some(ws) if ws.ready_state() == WebSocket::OPEN => {
                ws.send_with_u8_array(&msg.encode()).is_ok()
            }
            _ => false,
        }
    }

    pub fn connect(&self) {
        if self.ws.borrow().is_some() {
            return;
        }
        let Ok(ws) = WebSocket::new(&self.url) else {
            self.schedule_reconnect();
            return;
        };
        ws.set_binary_type(BinaryType::Arraybuffer);
        self.state.set(ConnState::Connecting);
        let me = self.me.borrow().clone();

        let on_open = {
            let me = me.clone();
            Closure::<dyn FnMut()>::new(move || {
                if let Some(c) = me.upgrade() {
                    c.failures.set(0);
                    c.state.set(ConnState::Online);
                    for s in c.live_sessions() {
                        s.on_connected();
                    }
                }
            })
        };
        let on_message = {
            let me = me.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                let Some(c) = me.upgrade() else { return };
                let Ok(buf) = e.data().dyn_into::<js_sys::ArrayBuffer>() else {
                    return;
                };
                let bytes = js_sys::Uint8Array::new(&buf).to_vec();
                match RelayMsg::decode(&bytes) {
                    Ok(msg) => c.dispatch(msg),
                    Err(err) => log(&format!("Tandem: unreadable message from relay: {err}")),
                }
            })
        };
        let on_close = {
            let me = me.clone();
            Closure::<dyn FnMut()>::new(move || {
                if let Some(c) = me.upgrade() {
                    c.ws.borrow_mut().take();
                    c.state.set(ConnState::Offline);
                    for s in c.live_sessions() {
                        s.on_disconnected();
                    }
                    c.failures.set(c.failures.get() + 1);
                    c.schedule_reconnect();
                }
            })
        };
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // An error is always followed by close; close alone drives reconnection.
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        *self.handlers.borrow_mut() = Some(Handlers {
            _open: on_open,
            _message: on_message,
            _close: on_close,
        });
        *self.ws.borrow_mut() = Some(ws);
    }

    fn live_sessions(&self) -> Vec<Rc<DocSession>> {
        self.sessions
            .borrow()
            .values()
            .filter_map(Weak::upgrade)
            .collect()
    }

    fn dispatch(&self, msg: RelayMsg) {
        let doc = msg.doc();
        let session = doc.and_then(|d| self.sessions.borrow().get(&d).and_then(Weak::upgrade));
        match (session, msg) {
            (Some(s), msg) => s.on_message(msg),
            (None, RelayMsg::Error { code, message, .. }) => {
                log(&format!("Tandem relay error {code:?}: {message}"))
            }
            (None, _) => {}
        }
    }

    fn schedule_reconnect(&self) {
        if self.reconnect_pending.replace(true) {
            return;
        }
        // 0.5 s, 1 s, 2 s, … up to 10 s: quick after a blip, gentle when the relay is down.
        let delay = (500u32 << self.failures.get().min(5)).min(10_000);
        let me = self.me.borrow().clone();
        set_timeout(
            move || {
                if let Some(c) = me.upgrade() {
                    c.reconnect_pending.set(false);
                    c.connect();
                }
            },
            std::time::Duration::from_millis(delay as u64),
        );
    }

    fn listen_for_online(&self) {
        let me = self.me.borrow().clone();
        let on_online = Closure::<dyn FnMut()>::new(move || {
            if let Some(c) = me.upgrade() {
                c.failures.set(0);
                c.connect();
            }
        });
        if let Some(w) = web_sys::window() {
            let _ =
                w.add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
        }
        // Lives as long as the page, like the client itself.
        on_online.forget();
    }
}

pub fn log(msg: &str) {
    web_sys::console::warn_1(&JsValue::from_str(msg));
}
