//! The client's half of Tandem's relay protocol, as a state machine without I/O.
//!
//! Like quinn-proto or str0m, the engine never touches a socket, a timer or a clock: the app (or
//! a simulation) tells it what happened and asks it what to do.
//!
//! - inputs: a document was opened or closed, a local change was stored, the socket connected
//!   or closed, a frame arrived, the network came or went, and "it is now T"
//!   ([`Engine::handle_timeout`]);
//! - outputs ([`Engine::poll_output`]): frames to send, "open / close the socket", and
//!   [`Event`]s for the app (apply and store these remote changes, these outbox entries are
//!   acknowledged, upload the whole document, offer a snapshot, peers or status changed, a
//!   problem); [`Engine::poll_timeout`] says when to call back.
//!
//! The parts:
//! - [`engine`]: [`Engine`], one connection to the relay and the documents it carries; the
//!   heartbeat that notices a dead connection, and reconnecting with back-off.
//! - [`document`]: one document's protocol: joining, catching up, the contiguous sequence it
//!   has, gap and relay-reset detection, refusals and retries, snapshot offers.
//! - [`outbox`]: local changes waiting for the relay, sent in a bounded window and batched
//!   after an offline spell.
//! - [`presence`]: who else has a document open, and who just left.
//! - [`pace`]: the timing constants, the reconnect back-off and the send-rate bucket.
//! - [`output`]: what the engine hands out: [`Output`], [`Event`], [`DocStatus`].

pub mod document;
pub mod engine;
pub mod outbox;
pub mod output;
pub mod pace;
pub mod presence;

pub use engine::Engine;
pub use outbox::Pending;
pub use output::{DocStatus, Event, Link, Output, Problem};
pub use presence::PeerView;

/// Milliseconds since the Unix epoch, as the app's clock (or a simulation's) reads it.
pub type Millis = u64;
