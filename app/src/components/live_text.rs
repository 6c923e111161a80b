//! A text field bound live to a document `Text`: what everyone types merges character by character.
//!
//! Input events become minimal splices (see `tandem_domain::text_diff`). When a remote change
//! arrives while the field has focus, the caret is restored from Automerge cursors taken on the
//! text as it was, so the caret stays where the user was typing, even with edits before it.
//!
//! The field follows its own text alone (see `watch`): typing elsewhere does not wake it. How
//! often it re-read the document is in its `data-reads` attribute, which the browser tests
//! read to prove exactly that; one attribute write per read costs next to nothing.

use leptos::html;
use leptos::prelude::*;
use tandem_domain::changes::Area;
use tandem_domain::{Caret, TextField};

use super::field_dom;
use crate::presence::Peer;
use crate::session::SessionHandle;

/// How many people's names a field shows above itself.
const TAGS_SHOWN: usize = 2;

#[component]
pub fn LiveText(
    session: SessionHandle,
    field: TextField,
    /// The element id, for the `<label for>` that names it.
    id: String,
    /// The key this field has in presence messages.
    presence_key: String,
    #[prop(optional)] multiline: bool,
) -> impl IntoView {
    let s = session.get_value();
    let (locked, peers) = (s.locked, s.peers);
    let area: NodeRef<html::Textarea> = NodeRef::new();
    let line: NodeRef<html::Input> = NodeRef::new();
    let element = move || -> Option<web_sys::Element> {
        area.get()
            .map(Into::into)
            .or_else(|| line.get().map(Into::into))
    };
    // Cursors for the current selection, taken on the document as the DOM shows it.
    let carets: StoredValue<Option<(Caret, Caret)>, LocalStorage> = StoredValue::new_local(None);
    let field = StoredValue::new_local(field);

    let remember_selection = move || {
        let Some(el) = element() else { return };
        let Some((start, end)) = field_dom::selection(&el) else {
            return;
        };
        let taken = session.with_value(|s| {
            let v = s.vacancy.borrow();
            field.with_value(|f| Some((v.caret(f, start)?, v.caret(f, end)?)))
        });
        carets.set_value(taken);
    };

    let on_input = move |_ev: leptos::ev::Event| {
        let Some(el) = element() else { return };
        let new_value = field_dom::value(&el);
        let s = session.get_value();
        field.with_value(|f| s.edit(|v| v.set_text(f, &new_value)));
        remember_selection();
    };

    // Follow the document: a remote change rewrites the value and puts the caret back.
    let reads = StoredValue::new(0u32);
    Effect::new(move |_| {
        field.with_value(|f| session.with_value(|s| s.track(Area::Text(f.clone()))));
        let Some(el) = element() else { return };
        reads.update_value(|n| *n += 1);
        let _ = el.set_attribute("data-reads", &reads.get_value().to_string());
        let text = session.with_value(|s| field.with_value(|f| s.vacancy.borrow().text(f)));
        let text = text.unwrap_or_default();
        if field_dom::value(&el) == text {
            return;
        }
        let focused = field_dom::has_focus(&el);
        let restored = focused
            .then(|| {
                carets.with_value(|c| {
                    let (a, b) = c.as_ref()?;
                    session.with_value(|s| {
                        let v = s.vacancy.borrow();
                        field.with_value(|f| {
                            Some((v.caret_position(f, a)?, v.caret_position(f, b)?))
                        })
                    })
                })
            })
            .flatten();
        field_dom::set_value(&el, &text);
        if let Some((start, end)) = restored {
            field_dom::set_selection(&el, start, end);
        }
        remember_selection();
    });

    let key = presence_key.clone();
    let on_focus = move |_| {
        remember_selection();
        session.with_value(|s| s.set_my_field(Some(key.clone())));
    };
    let on_blur = move |_| session.with_value(|s| s.set_my_field(None));
    let select = move |_| remember_selection();

    // Other people in this field: their colour on the border and their name beside it.
    let key = presence_key.clone();
    let here = Memo::new(move |_| {
        peers.with(|list| {
            list.iter()
                .filter(|p: &&Peer| p.field.as_deref() == Some(key.as_str()))
                .map(|p| (p.name.clone(), p.colour))
                .collect::<Vec<_>>()
        })
    });
    let read_only = move || locked.get();
    // The colours are palette constants (see `presence::people`), never a sender's text.
    let border = move || here.with(|h| h.first().map(|(_, c)| *c).unwrap_or_default());
    let initial = session
        .with_value(|s| field.with_value(|f| s.vacancy.borrow().text(f)))
        .unwrap_or_default();

    // What the two kinds of field share; only the element and its node differ.
    let shared = view! {
        <{..}
            id=id
            style:border-color=border
            on:input=on_input
            on:focus=on_focus
            on:blur=on_blur
            on:select=select
            on:keyup=move |_| remember_selection()
            on:click=move |_| remember_selection()
            prop:value=initial
            prop:readOnly=read_only
        />
    };
    let input_view = if multiline {
        view! { <textarea node_ref=area rows="3" {..shared}></textarea> }.into_any()
    } else {
        view! { <input node_ref=line type="text" {..shared} /> }.into_any()
    };

    view! {
        <div class="live-text">
            {input_view}
            <span class="field-peers" aria-live="polite">
                // Two names fit above a field; more (a crowd, or someone making one) are counted.
                {move || here.get().into_iter().take(TAGS_SHOWN).map(|(name, colour)| view! {
                    <span class="peer-tag" style:background=colour>{name}</span>
                }).collect_view()}
                {move || {
                    let rest = here.with(|h| h.len().saturating_sub(TAGS_SHOWN));
                    (rest > 0).then(|| view! { <span class="peer-tag peer-tag-more">{format!("+{rest}")}</span> })
                }}
            </span>
        </div>
    }
}
