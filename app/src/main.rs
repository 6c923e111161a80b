//! Tandem's single-page app.
//!
//! - [`app`]: the router, language and page frame.
//! - [`pages`]: the vacancy list (home) and the vacancy page.
//! - [`components`]: the pieces those pages are made of (scorecard editor, live text fields,
//!   presence, sync status, share box, profile and language settings).
//! - [`session`]: one open vacancy: its document, keys, outbox and sync state.
//! - [`sync_client`]: the WebSocket to the relay, shared by all sessions.
//! - [`local_store`]: IndexedDB, the device's own copy of everything.
//! - [`presence`], [`problem`], [`services`]: who is here; what went wrong, in the user's
//!   language; the tab's long-lived parts.

// The macro is deprecated in favour of a build script, which would add a build-time crate for the
// same generated code; revisit when leptos_i18n drops the macro.
#[allow(deprecated)]
mod locales {
    leptos_i18n::load_locales!();
}
use locales::i18n;

mod app;
mod components;
mod local_store;
mod pages;
mod presence;
mod problem;
mod services;
mod session;
mod sync_client;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
