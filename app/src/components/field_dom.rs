//! Reading and writing a text input or textarea's value and selection, whichever it is, and
//! moving the focus to a field by its id.

use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};

pub fn value(el: &web_sys::Element) -> String {
    if let Some(t) = el.dyn_ref::<HtmlTextAreaElement>() {
        t.value()
    } else if let Some(i) = el.dyn_ref::<HtmlInputElement>() {
        i.value()
    } else {
        String::new()
    }
}

pub fn set_value(el: &web_sys::Element, v: &str) {
    if let Some(t) = el.dyn_ref::<HtmlTextAreaElement>() {
        t.set_value(v)
    } else if let Some(i) = el.dyn_ref::<HtmlInputElement>() {
        i.set_value(v)
    }
}

/// The selection as UTF-16 offsets, as the DOM counts them.
pub fn selection(el: &web_sys::Element) -> Option<(usize, usize)> {
    let (s, e) = if let Some(t) = el.dyn_ref::<HtmlTextAreaElement>() {
        (t.selection_start().ok()??, t.selection_end().ok()??)
    } else {
        let i = el.dyn_ref::<HtmlInputElement>()?;
        (i.selection_start().ok()??, i.selection_end().ok()??)
    };
    Some((s as usize, e as usize))
}

pub fn set_selection(el: &web_sys::Element, start: usize, end: usize) {
    if let Some(t) = el.dyn_ref::<HtmlTextAreaElement>() {
        let _ = t.set_selection_range(start as u32, end as u32);
    } else if let Some(i) = el.dyn_ref::<HtmlInputElement>() {
        let _ = i.set_selection_range(start as u32, end as u32);
    }
}

pub fn has_focus(el: &web_sys::Element) -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .is_some_and(|a| &a == el)
}

/// Moves the focus to an element and brings it into view; nothing if it is not on the page.
pub fn focus_element(id: &str) {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(e) = element {
        e.scroll_into_view();
        let _ = e.focus();
    }
}
