//! Deleting a vacancy for everyone, from both sides.
//!
//! - [`DeleteVacancy`], on the vacancy's data page, only on the creator's devices (those that
//!   hold the owner secret): it asks first (type the title), sends the delete to the relay, and
//!   once the relay confirms, removes this device's copy and goes home. Offline it says that
//!   deleting needs the relay, and sends nothing.
//! - [`DeletedNotice`], on every page of a vacancy the relay says was deleted: the partner's
//!   app, whether it was connected at the time or hears it at its next join. It offers to keep
//!   the local copy (read-only from then on) or remove it from the device.
//!
//! Both say plainly what cannot be erased: copies on devices that never come online again, and
//! files or printouts made of the vacancy.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::i18n::*;
use crate::problem::Problem;
use crate::session::{Availability, SessionHandle};
use crate::storage::removal::kept_copy_key;

/// Removes the vacancy from this device and goes to the list; a storage failure is shown and
/// the page stays. `navigate` is the router's, taken while the component was made.
fn remove_and_go_home(
    session: SessionHandle,
    navigate: impl Fn(&str, leptos_router::NavigateOptions) + 'static,
) {
    spawn_local(async move {
        let s = session.get_value();
        match s.remove_from_device().await {
            Ok(()) => navigate("/", Default::default()),
            Err(e) => s.problem.set(Some(Problem::from(&e))),
        }
    });
}

/// "Delete for everyone": nothing at all for anyone but the vacancy's creator.
#[component]
pub fn DeleteVacancy(session: SessionHandle) -> impl IntoView {
    let i18n = use_i18n();
    let s = session.get_value();
    if !s.is_creator() {
        return ().into_any();
    }
    let (version, deleted, deleting) = (s.version, s.deleted, s.deleting);
    let title = Memo::new(move |_| {
        version.track();
        session.with_value(|s| s.vacancy.borrow().title().trim().to_string())
    });
    let asking = RwSignal::new(false);
    let typed = RwSignal::new(String::new());
    let offline = RwSignal::new(false);
    let confirmed = move || typed.with(|t| t.trim() == title.get());
    // The relay confirmed: this device's copy goes too, and the list is where to go next.
    let navigate = use_navigate();
    Effect::new(move |_| {
        if deleted.get() && deleting.get_untracked() {
            remove_and_go_home(session, navigate.clone());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !confirmed() || deleting.get_untracked() {
            return;
        }
        let sent = session.with_value(|s| s.delete_for_everyone());
        offline.set(!sent);
    };
    view! {
        <section class="data-block delete-everyone" aria-labelledby="delete-everyone-heading">
            <h3 id="delete-everyone-heading">{t!(i18n, delete_everyone_heading)}</h3>
            <p>{t!(i18n, delete_everyone_intro)}</p>
            <p class="hint">{t!(i18n, delete_everyone_cannot)}</p>
            <Show
                when=move || asking.get()
                fallback=move || view! {
                    <button type="button" class="danger" on:click=move |_| asking.set(true)>
                        {t!(i18n, delete_everyone_button)}
                    </button>
                }
            >
                <form class="delete-everyone-confirm" on:submit=submit>
                    <label for="delete-everyone-title">{t!(i18n, delete_everyone_confirm_label)}</label>
                    <input id="delete-everyone-title" type="text" autocomplete="off" spellcheck="false"
                        prop:value=move || typed.get()
                        on:input=move |ev| typed.set(event_target_value(&ev)) />
                    <div class="delete-everyone-actions">
                        <button type="submit" class="danger-solid"
                            disabled=move || !confirmed() || deleting.get()>
                            {move || if deleting.get() {
                                t_string!(i18n, delete_everyone_busy)
                            } else {
                                t_string!(i18n, delete_everyone_button)
                            }}
                        </button>
                        <button type="button" class="secondary" on:click=move |_| {
                            asking.set(false);
                            typed.set(String::new());
                            offline.set(false);
                        }>
                            {t!(i18n, cancel)}
                        </button>
                    </div>
                </form>
            </Show>
            <Show when=move || offline.get()>
                <p class="banner error" role="alert">{t!(i18n, delete_everyone_offline)}</p>
            </Show>
        </section>
    }
    .into_any()
}

/// What a member sees once the creator deleted the vacancy (not the creator's own device,
/// which removes its copy itself).
#[component]
pub fn DeletedNotice(session: SessionHandle) -> impl IntoView {
    let i18n = use_i18n();
    let s = session.get_value();
    let (deleted, deleting, availability) = (s.deleted, s.deleting, s.availability);
    // A vacancy that moved (a candidate was erased) is followed, not mourned: see `FollowMove`.
    let moved = s.moved;
    // "Keep my copy" is remembered on the device, so the choice is not asked again at every
    // visit; removing the vacancy from the device forgets it (`storage::removal`).
    let kept = RwSignal::new(false);
    let kept_key = StoredValue::new(kept_copy_key(s.doc));
    if let Some(store) = s.device.store() {
        spawn_local(async move {
            let key = kept_key.get_value();
            if let Ok(Some(_)) = store.setting(&key).await {
                kept.set(true);
            }
        });
    }
    let keep = move |_| {
        kept.set(true);
        if let Some(store) = session.with_value(|s| s.device.store()) {
            spawn_local(async move {
                // Not remembered (storage full) only means the question comes back next time.
                let _ = store.set_setting(&kept_key.get_value(), "1").await;
            });
        }
    };
    // Held in a stored value so the button's handler stays `Copy` inside `Show`.
    let navigate = StoredValue::new_local(use_navigate());
    view! {
        // A device with nothing of the vacancy (a fresh browser opening the link) has no copy to
        // keep: the page says "deleted" in place of the vacancy instead.
        <Show when=move || {
            deleted.get()
                && !deleting.get()
                && moved.with(Option::is_none)
                && availability.get() == Availability::Ready
        }>
            <section class="deleted-notice" role="alert" aria-labelledby="deleted-heading">
                <h2 id="deleted-heading">{t!(i18n, deleted_heading)}</h2>
                <p>
                    {move || if kept.get() {
                        t_string!(i18n, deleted_kept)
                    } else {
                        t_string!(i18n, deleted_body)
                    }}
                </p>
                <div class="deleted-actions">
                    <Show when=move || !kept.get()>
                        <button type="button" class="secondary" on:click=keep>
                            {t!(i18n, deleted_keep)}
                        </button>
                    </Show>
                    <button type="button" class="danger" on:click=move |_| remove_and_go_home(session, navigate.get_value())>
                        {t!(i18n, deleted_remove)}
                    </button>
                </div>
                <p class="hint">{t!(i18n, delete_everyone_cannot)}</p>
            </section>
        </Show>
    }
}
