//! The static first paint: `index.html` carries a shell (the frame and the home page's tagline
//! and heading, in the user's language) that the browser paints before the wasm has arrived.
//! The app removes it just before it mounts, in the same task, so the browser never paints a
//! frame with both or with neither; the app's first render fills the same boxes, so nothing
//! moves (no layout shift) when it takes over.

/// The shell's element in `index.html`.
const SHELL_ID: &str = "shell";
/// The attribute on `<html>` by which `index.html`'s script tells the shell which page it is on.
const PAGE_ATTRIBUTE: &str = "data-shell-page";

/// Removes the shell, if the page has one (a page without it, or one already taken over, is
/// left as it is). The language `index.html` set on `<html>` stays: the app chose it the same way.
pub fn take_over() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(shell) = document.get_element_by_id(SHELL_ID) {
        shell.remove();
    }
    if let Some(html) = document.document_element() {
        // Not there to remove is no error worth reporting.
        let _ = html.remove_attribute(PAGE_ATTRIBUTE);
    }
}
