//! Whether this device's changes have reached the server, in words a person can act on: "all
//! changes are on the server", or "changes not yet sent" with the age of the oldest.

use leptos::prelude::*;
use tandem_sync_engine::Link;

use crate::i18n::*;
use crate::session::SyncView;

/// How often the age of the oldest unsent change is brought up to date.
const AGE_TICK_MS: u64 = 15_000;

#[component]
pub fn SyncStatus(sync: RwSignal<SyncView>) -> impl IntoView {
    let i18n = use_i18n();
    let now = RwSignal::new(js_sys::Date::now());
    let tick = set_interval_with_handle(
        move || now.set(js_sys::Date::now()),
        std::time::Duration::from_millis(AGE_TICK_MS),
    )
    .ok();
    on_cleanup(move || {
        if let Some(t) = tick {
            t.clear();
        }
    });
    let state = move || {
        sync.with(
            |s| match (s.link, s.caught_up && s.unsent_since.is_none()) {
                (Link::Online, true) => "up-to-date",
                (Link::Online, false) | (Link::Connecting, _) => "syncing",
                (Link::Offline, _) => "offline",
            },
        )
    };
    let headline = move || match state() {
        "up-to-date" => t_string!(i18n, sync_up_to_date),
        "syncing" => t_string!(i18n, sync_syncing),
        _ => t_string!(i18n, sync_offline),
    };
    let has_detail = move || state() == "up-to-date" || sync.with(|s| s.unsent_since.is_some());
    let detail = move || match sync.with(|s| s.unsent_since) {
        None => t!(i18n, sync_all_saved).into_any(),
        Some(since) => {
            let minutes = ((now.get().max(since) - since) / 60_000.0).floor() as u64;
            match minutes {
                0 => t!(i18n, sync_unsent_just_now).into_any(),
                1..=59 => t!(i18n, sync_unsent_minutes, minutes = move || minutes).into_any(),
                _ => t!(i18n, sync_unsent_hours, hours = move || minutes / 60).into_any(),
            }
        }
    };
    view! {
        <p class="sync-status" role="status" aria-label=move || t_string!(i18n, sync_status) data-state=state>
            <span class="dot"></span>
            <span class="headline">{headline}</span>
            // On a phone, in the section bar, only the headline shows; the detail is still read out.
            <Show when=has_detail>
                <span class="detail-wrap">" · "<span class="detail">{detail}</span></span>
            </Show>
        </p>
    }
}
