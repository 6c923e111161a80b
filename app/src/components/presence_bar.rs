//! Who else has this vacancy open right now, and who went offline with changes still to come.

use leptos::prelude::*;

use crate::i18n::*;
use crate::presence::Peer;

#[component]
pub fn PresenceBar(peers: RwSignal<Vec<Peer>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="presence" aria-label=move || t_string!(i18n, here_now)>
            <span class="presence-label">{t!(i18n, here_now)}":"</span>
            <ul>
                {move || {
                    let list = peers.get();
                    if list.iter().all(|p| p.offline_with_changes) {
                        view! { <li class="muted">{t!(i18n, only_you)}</li> }.into_any()
                    } else {
                        ().into_any()
                    }
                }}
                {move || peers.get().into_iter().map(|p| {
                    let name = if p.name.trim().is_empty() {
                        t_string!(i18n, guest).to_string()
                    } else {
                        p.name.clone()
                    };
                    let away = p.offline_with_changes;
                    view! {
                        <li class="peer" class:away=away style:border-color=p.colour.clone()>
                            <span class="swatch" style:background=p.colour.clone()></span>
                            {name}
                            <Show when=move || away>
                                " · "<span class="peer-note">{t!(i18n, peer_offline_with_changes)}</span>
                            </Show>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
