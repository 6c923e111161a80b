//! A voice memo to listen to: its length at once, the audio when it is first played (or ahead of
//! time on a Wi-Fi-like connection that does not ask to save data), and a plain message when it
//! cannot be played. For its author, also whether it has reached the relay.
//!
//! The audio is opened in memory and played from a Blob URL, revoked when the player goes.
//! Chromium's recordings (WebM from `MediaRecorder`) carry no duration: the element reports an
//! infinite one until it has seen the end, so the player seeks far ahead once to learn it, then
//! back to the start, and only then plays; the seek bar then works.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tandem_domain::MemoRef;
use tandem_protocol::ShareLink;
use wasm_bindgen::JsValue;

use crate::attachments::download::{open_memo, MemoError};
use crate::device::use_device;
use crate::i18n::*;

/// `m:ss`, in whole seconds as audio players count them (a 2.9 s memo is 0:02).
pub fn clock(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    format!("{}:{:02}", s / 60, s % 60)
}

#[derive(Clone, Copy, PartialEq)]
enum Load {
    Idle,
    Loading,
    Failed(MemoError),
}

/// Whether the connection is Wi-Fi-like and the person has not asked to save data: then a memo
/// is fetched as soon as it is shown. Without `navigator.connection` (Firefox, Safari) we do not
/// guess, and wait for a press.
fn wifi_like() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let get = |obj: &JsValue, key: &str| {
        js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    };
    let connection = get(&window.navigator(), "connection");
    if connection.is_undefined() || get(&connection, "saveData").as_bool() == Some(true) {
        return false;
    }
    match get(&connection, "type").as_string().as_deref() {
        Some("wifi" | "ethernet") => true,
        Some(_) => false,
        // Desktop Chromium says only how fast it is.
        None => get(&connection, "effectiveType").as_string().as_deref() == Some("4g"),
    }
}

#[component]
pub fn MemoPlayer(
    link: ShareLink,
    memo: MemoRef,
    /// Open it at once (the recorder's own memo, which is on this device).
    #[prop(optional)]
    eager: bool,
    /// This device made it: say whether it has reached the relay.
    #[prop(optional)]
    author: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let device = use_device();
    let store = device.store();
    let (pending, refused) = (device.uploads.pending, device.uploads.refused);
    // The upload queue's key, as `storage::blobs::blob_key` writes it.
    let key = format!("{}:{}", link.doc, memo.hash);
    let length = StoredValue::new(clock(memo.duration_ms));
    let url = RwSignal::new(None::<String>);
    let state = RwSignal::new(Load::Idle);
    let want_play = StoredValue::new(false);
    let fixing = StoredValue::new(false);
    let audio = NodeRef::<leptos::html::Audio>::new();
    let link = StoredValue::new(link);
    let memo = StoredValue::new(memo);
    let store = StoredValue::new_local(store);

    let play_now = move || {
        if let Some(el) = audio.get_untracked() {
            if let Ok(p) = el.play() {
                spawn_local(async move {
                    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
                });
            }
        }
    };
    // `quiet`: fetched ahead of time; a failure then says nothing (the press will say it).
    let load = move |play: bool, quiet: bool| {
        if url.get_untracked().is_some() {
            if play {
                play_now();
            }
            return;
        }
        if state.get_untracked() == Load::Loading {
            want_play.set_value(want_play.get_value() || play);
            return;
        }
        want_play.set_value(play);
        state.set(Load::Loading);
        let (store, link, memo) = (store.get_value(), link.get_value(), memo.get_value());
        spawn_local(async move {
            match open_memo(store, &link, &memo).await {
                Ok(audio) => {
                    let made = web_sys::Blob::new_with_u8_array_sequence_and_options(
                        &js_sys::Array::of1(&js_sys::Uint8Array::from(audio.as_slice())),
                        &{
                            let bag = web_sys::BlobPropertyBag::new();
                            bag.set_type(&memo.mime);
                            bag
                        },
                    )
                    .and_then(|b| web_sys::Url::create_object_url_with_blob(&b));
                    match made {
                        Ok(u) => {
                            let _ = state.try_set(Load::Idle);
                            if url.try_set(Some(u.clone())).is_some() {
                                // The player went while this was loading.
                                let _ = web_sys::Url::revoke_object_url(&u);
                            }
                        }
                        Err(_) => {
                            let _ = state.try_set(Load::Failed(MemoError::CannotOpen));
                        }
                    }
                }
                Err(e) => {
                    let _ = state.try_set(if quiet { Load::Idle } else { Load::Failed(e) });
                }
            }
        });
    };
    on_cleanup(move || {
        if let Some(Some(u)) = url.try_get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&u);
        }
    });
    if eager || wifi_like() {
        load(false, !eager);
    }

    let on_metadata = move |_| {
        let Some(el) = audio.get_untracked() else {
            return;
        };
        if !el.duration().is_finite() {
            fixing.set_value(true);
            el.set_current_time(1e9);
        } else if want_play.get_value() {
            want_play.set_value(false);
            play_now();
        }
    };
    let on_duration = move |_| {
        let Some(el) = audio.get_untracked() else {
            return;
        };
        if fixing.get_value() && el.duration().is_finite() {
            fixing.set_value(false);
            el.set_current_time(0.0);
            if want_play.get_value() {
                want_play.set_value(false);
                play_now();
            }
        }
    };
    let upload_key = key.clone();
    let upload_state = move || {
        if !author {
            return None;
        }
        if pending.with(|p| p.contains(&upload_key)) {
            return Some(t_string!(i18n, memo_waiting));
        }
        refused.with(|r| r.get(&upload_key).copied()).map(|status| {
            if status == 413 {
                t_string!(i18n, memo_refused_large)
            } else {
                t_string!(i18n, memo_refused)
            }
        })
    };

    view! {
        <div class="memo-player">
            <p class="memo-label">
                {t!(i18n, memo_length, length = move || length.get_value())}
            </p>
            <Show when=move || url.with(Option::is_none)>
                <button type="button" class="memo-play" disabled=move || state.get() == Load::Loading
                    on:click=move |_| load(true, false)>
                    <span aria-hidden="true">"▶ "</span>{t!(i18n, memo_play)}
                </button>
            </Show>
            <Show when=move || url.with(Option::is_some)>
                <audio controls preload="metadata" node_ref=audio
                    aria-label=move || format!("{} · {}", t_string!(i18n, memo_play), length.get_value())
                    src=move || url.get().unwrap_or_default()
                    on:loadedmetadata=on_metadata on:durationchange=on_duration></audio>
            </Show>
            <p class="memo-state" role="status">
                {move || match state.get() {
                    Load::Idle => "",
                    Load::Loading => t_string!(i18n, memo_loading),
                    Load::Failed(MemoError::NotUploaded) => t_string!(i18n, memo_not_uploaded),
                    Load::Failed(MemoError::Offline) => t_string!(i18n, memo_offline),
                    Load::Failed(MemoError::CannotOpen) => t_string!(i18n, memo_cannot_open),
                }}
            </p>
            {move || upload_state().map(|text| view! { <p class="memo-upload hint">{text}</p> })}
        </div>
    }
}
