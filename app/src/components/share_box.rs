//! The share link, with a copy button (and the system share sheet where the browser has one).

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

use crate::i18n::*;

#[component]
pub fn ShareBox(link: String) -> impl IntoView {
    let i18n = use_i18n();
    let copied = RwSignal::new(false);
    let link_input: NodeRef<leptos::html::Input> = NodeRef::new();
    let link_for_click = link.clone();
    let share = move |_| {
        let link = link_for_click.clone();
        let Some(window) = web_sys::window() else {
            return;
        };
        let navigator = window.navigator();
        // Both APIs exist only in secure contexts (https or localhost); calling a missing one
        // throws, so look first.
        let has = |name: &str| {
            js_sys::Reflect::has(&navigator, &JsValue::from_str(name)).unwrap_or(false)
        };
        let (has_share, has_clipboard) = (has("share"), has("clipboard"));
        spawn_local(async move {
            if has_share {
                let data = web_sys::ShareData::new();
                data.set_url(&link);
                let _ =
                    wasm_bindgen_futures::JsFuture::from(navigator.share_with_data(&data)).await;
            }
            let written = if has_clipboard {
                let promise = navigator.clipboard().write_text(&link);
                wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
            } else {
                false
            };
            if written {
                copied.set(true);
            } else if let Some(input) = link_input.get_untracked() {
                // No clipboard: select the link so the user can copy it themselves.
                let _ = input.focus();
                input.select();
            }
        });
    };
    view! {
        <section class="share">
            <label for="share-link">{t!(i18n, share_label)}</label>
            <div class="share-row">
                <input id="share-link" type="text" readonly prop:value=link node_ref=link_input
                    on:focus=|ev| { if let Some(el) = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok()) { el.select() } } />
                <button type="button" on:click=share>{t!(i18n, share_button)}</button>
            </div>
            <p class="hint">
                {move || if copied.get() { t_string!(i18n, link_copied).to_string() } else { t_string!(i18n, share_hint).to_string() }}
            </p>
        </section>
    }
}
