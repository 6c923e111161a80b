//! Tandem's single-page app.
//!
//! - [`app`]: the router, language and page frame.
//! - [`device`]: the tab's long-lived parts (storage, relay connection, profile), provided to
//!   every page through Leptos context.
//! - [`pages`]: the vacancy list (home) and the vacancy page.
//! - [`components`]: the pieces those pages are made of (scorecard editor, live text fields,
//!   presence, sync status, share box, profile and language settings).
//! - [`session`]: one open vacancy: its document, the signals its views follow, and the
//!   operations they call.
//! - [`sync`]: the sans-IO sync engine (`tandem-sync-engine`) driven by the browser: socket,
//!   timer, online and offline events.
//! - [`storage`]: IndexedDB, the device's own copy of everything, and one vacancy's share of it.
//! - [`files`]: downloads made from bytes, and the bytes of a file the person chose.
//! - [`presence`], [`problem`]: what a device says about itself; what went wrong, in the
//!   user's language.
//! - [`pwa`]: the installed, offline-capable app: service worker and new builds, the install
//!   offer, persistent storage.
//! - [`shell`]: the static first paint in `index.html`, which the app replaces as it mounts.
//! - [`attachments`]: voice memos as sealed blobs: the background upload queue and the download
//!   when one is played; [`recorder`]: the microphone and `MediaRecorder`.
//!
//! Dependencies point one way: pages → components → session → sync, storage → (engine,
//! domain, protocol).

// The macro is deprecated in favour of a build script, which would add a build-time crate for the
// same generated code; revisit when leptos_i18n drops the macro.
#[allow(deprecated)]
mod locales {
    leptos_i18n::load_locales!();
}
use locales::i18n;

mod app;
mod attachments;
mod components;
mod device;
mod files;
mod importing;
mod moving;
mod notices;
mod pages;
mod presence;
mod problem;
mod pwa;
mod recorder;
mod session;
mod shell;
mod storage;
mod sync;
mod timing;
mod watch;

fn main() {
    console_error_panic_hook::set_once();
    shell::take_over();
    leptos::mount::mount_to_body(app::App);
}
