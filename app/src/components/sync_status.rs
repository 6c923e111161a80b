//! Offline / syncing / up to date, and how many changes wait to be sent.

use leptos::prelude::*;

use crate::i18n::*;
use crate::sync_client::ConnState;

#[component]
pub fn SyncStatus(
    conn: RwSignal<ConnState>,
    caught_up: RwSignal<bool>,
    pending: RwSignal<usize>,
) -> impl IntoView {
    let i18n = use_i18n();
    let state = move || match (conn.get(), caught_up.get() && pending.get() == 0) {
        (ConnState::Online, true) => "up-to-date",
        (ConnState::Online, false) => "syncing",
        _ => "offline",
    };
    view! {
        <p class="sync-status" role="status" aria-label=move || t_string!(i18n, sync_status) data-state=state>
            <span class="dot"></span>
            {move || match state() {
                "up-to-date" => t_string!(i18n, sync_up_to_date),
                "syncing" => t_string!(i18n, sync_syncing),
                _ => t_string!(i18n, sync_offline),
            }}
            <Show when=move || { pending.get() > 0 }>
                " · "<span class="pending">{t!(i18n, sync_waiting, count = move || pending.get())}</span>
            </Show>
        </p>
    }
}
