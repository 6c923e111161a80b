//! The toast: short messages at the bottom of the screen, where the person is looking, whatever
//! part of the page they are on. A removal offers its undo here ("Criterion ‘Rust’ removed ·
//! Undo"), and a partner's change that matters ("Sanne removed the criterion ‘Rust’") is told
//! here too.
//!
//! The region is one `aria-live="polite"` list for the whole app, each toast `role="status"`,
//! so a screen reader hears them without losing its place. A toast leaves by itself after a few
//! seconds, but not while a pointer rests on the region or focus is inside it (the Undo button
//! must not vanish under a finger or a keyboard).

use std::sync::Arc;

use leptos::prelude::*;

use crate::i18n::*;

/// How long a toast stays once nothing holds it.
const SHOW_MS: f64 = 8_000.0;
/// How long the toasts stay after a pointer or focus leaves them.
const AFTER_HOLD_MS: f64 = 4_000.0;
/// How often expired toasts are cleared.
const TICK_MS: u64 = 500;
/// More than this and the oldest go: the screen is for the page.
const MAX_SHOWN: usize = 3;

/// What the Undo button does. Not a `Callback`: that lives as long as the reactive owner it
/// was made under, which is the row that was just removed, and the undo must outlive the row.
type Undo = Arc<dyn Fn() + Send + Sync>;

#[derive(Clone)]
struct Toast {
    id: u64,
    message: ViewFn,
    undo: Option<Undo>,
    expires_at: f64,
}

/// The app's toasts; [`provide_toasts`] makes them, [`use_toasts`] finds them.
#[derive(Clone, Copy)]
pub struct Toasts {
    list: RwSignal<Vec<Toast>>,
    next: StoredValue<u64>,
    /// A pointer on the region or focus inside it: nothing expires.
    held: RwSignal<bool>,
}

impl Toasts {
    fn push(&self, message: ViewFn, undo: Option<Undo>) {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        let toast = Toast {
            id,
            message,
            undo,
            expires_at: js_sys::Date::now() + SHOW_MS,
        };
        self.list.update(|l| {
            l.push(toast);
            let extra = l.len().saturating_sub(MAX_SHOWN);
            l.drain(..extra);
        });
    }

    /// Tells that something was removed, with the button that puts it back.
    pub fn offer_undo(
        &self,
        message: impl Fn() -> AnyView + Send + Sync + 'static,
        undo: impl Fn() + Send + Sync + 'static,
    ) {
        self.push(ViewFn::from(message), Some(Arc::new(undo)));
    }

    /// Tells something that happened (a partner's change), with nothing to do about it.
    pub fn notice(&self, message: impl Fn() -> AnyView + Send + Sync + 'static) {
        self.push(ViewFn::from(message), None);
    }

    fn dismiss(&self, id: u64) {
        self.list.update(|l| l.retain(|t| t.id != id));
    }
}

/// Makes the app's toasts; call once, above every page.
pub fn provide_toasts() -> Toasts {
    let toasts = Toasts {
        list: RwSignal::new(Vec::new()),
        next: StoredValue::new(0),
        held: RwSignal::new(false),
    };
    provide_context(toasts);
    toasts
}

/// The app's toasts (see [`provide_toasts`]).
pub fn use_toasts() -> Toasts {
    expect_context::<Toasts>()
}

/// Where the toasts show: fixed at the bottom of the screen (above the on-screen keyboard, as
/// the page's viewport shrinks with it; see index.html).
#[component]
pub fn ToastRegion() -> impl IntoView {
    let i18n = use_i18n();
    let toasts = use_toasts();
    let Toasts { list, held, .. } = toasts;
    let tick = set_interval_with_handle(
        move || {
            let now = js_sys::Date::now();
            if held.get_untracked() {
                return;
            }
            if list.with_untracked(|l| l.iter().any(|t| t.expires_at <= now)) {
                list.update(|l| l.retain(|t| t.expires_at > now));
            }
        },
        std::time::Duration::from_millis(TICK_MS),
    )
    .ok();
    on_cleanup(move || {
        if let Some(t) = tick {
            t.clear();
        }
    });
    // Letting go gives every toast a little more time, so it does not vanish the moment the
    // finger lifts.
    let hold = move |on: bool| {
        held.set(on);
        if !on {
            let until = js_sys::Date::now() + AFTER_HOLD_MS;
            list.update(|l| {
                for t in l.iter_mut() {
                    t.expires_at = t.expires_at.max(until);
                }
            });
        }
    };
    let focus_left = move |ev: leptos::ev::FocusEvent| {
        // Focus moving between the toast's own buttons is still focus inside.
        let inside = ev
            .related_target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Node>(t).ok())
            .zip(
                ev.current_target()
                    .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Node>(t).ok()),
            )
            .is_some_and(|(to, region)| region.contains(Some(&to)));
        if !inside {
            hold(false);
        }
    };

    view! {
        <div class="toasts" aria-live="polite"
            on:pointerenter=move |_| hold(true)
            on:pointerleave=move |_| hold(false)
            on:focusin=move |_| hold(true)
            on:focusout=focus_left>
            <For each=move || list.get() key=|t| t.id let:toast>
                <div class="toast" role="status">
                    <span class="toast-text">{toast.message.run()}</span>
                    {toast.undo.map(|undo| {
                        let id = toast.id;
                        view! {
                            <button type="button" class="toast-undo" on:click=move |_| {
                                undo();
                                toasts.dismiss(id);
                                hold(false);
                            }>{t!(i18n, undo)}</button>
                        }
                    })}
                    <button type="button" class="toast-close"
                        aria-label=move || t_string!(i18n, dismiss)
                        on:click=move |_| { toasts.dismiss(toast.id); hold(false); }>"✕"</button>
                </div>
            </For>
        </div>
    }
}
