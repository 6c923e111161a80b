//! The WebSocket to the relay: the browser's socket, with its events heard through
//! gloo-events listeners that live exactly as long as the socket does.

use std::rc::Rc;

use gloo_events::EventListener;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, MessageEvent, WebSocket};

pub struct Socket {
    ws: WebSocket,
    /// Dropping these stops the events; they go when the socket is given up.
    _listeners: [EventListener; 3],
}

/// What the socket reports, in this order: `Open` once (or never), frames, then `Closed` once.
pub enum SocketEvent {
    Open,
    Frame(Vec<u8>),
    Closed,
}

impl Socket {
    /// Starts opening a socket to `url`; `on_event` hears how it goes.
    pub fn open(url: &str, on_event: impl Fn(SocketEvent) + 'static) -> Result<Self, String> {
        let ws = WebSocket::new(url).map_err(|e| format!("{e:?}"))?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        let on_event = Rc::new(on_event);
        let listen = |name: &'static str, f: Box<dyn Fn(&web_sys::Event)>| {
            EventListener::new(&ws, name, move |event| f(event))
        };
        let open = {
            let on_event = Rc::clone(&on_event);
            listen("open", Box::new(move |_| on_event(SocketEvent::Open)))
        };
        let message = {
            let on_event = Rc::clone(&on_event);
            listen(
                "message",
                Box::new(move |event| {
                    let data = event.dyn_ref::<MessageEvent>().map(MessageEvent::data);
                    // Text frames are not part of the protocol; only binary ones are read.
                    if let Some(buffer) =
                        data.and_then(|d| d.dyn_into::<js_sys::ArrayBuffer>().ok())
                    {
                        on_event(SocketEvent::Frame(
                            js_sys::Uint8Array::new(&buffer).to_vec(),
                        ));
                    }
                }),
            )
        };
        // An error is always followed by close; close alone reports the end.
        let close = listen("close", Box::new(move |_| on_event(SocketEvent::Closed)));
        Ok(Socket {
            ws,
            _listeners: [open, message, close],
        })
    }

    /// Sends a frame if the socket is open; a closed socket reports itself through `Closed`.
    pub fn send(&self, frame: &[u8]) {
        if self.ws.ready_state() == WebSocket::OPEN {
            let _ = self.ws.send_with_u8_array(frame);
        }
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        let _ = self.ws.close();
    }
}
