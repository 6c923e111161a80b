//! Who else has this vacancy open right now, and who went offline with changes still to come.

use leptos::prelude::*;

use crate::i18n::*;
use crate::presence::Peer;

/// People shown by name; the rest are counted. A team is two or three people; more than this
/// is a crowd (or someone with the link making one), and chips for all would push the vacancy
/// off a phone's screen.
const SHOWN: usize = 8;

#[component]
pub fn PresenceBar(peers: RwSignal<Vec<Peer>>) -> impl IntoView {
    let i18n = use_i18n();
    let guest = move |p: &Peer| {
        if p.name.is_empty() {
            t_string!(i18n, guest).to_string()
        } else {
            p.name.clone()
        }
    };
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
                {move || peers.get().into_iter().take(SHOWN).map(|p| {
                    let name = guest(&p);
                    let away = p.offline_with_changes;
                    // `p.colour` is always a palette constant (see `presence::people`).
                    view! {
                        <li class="peer" class:away=away style:border-color=p.colour>
                            <span class="swatch" style:background=p.colour></span>
                            <span class="peer-name">{name}</span>
                            <Show when=move || away>
                                " · "<span class="peer-note">{t!(i18n, peer_offline_with_changes)}</span>
                            </Show>
                        </li>
                    }
                }).collect_view()}
                {move || {
                    let list = peers.get();
                    let rest = list.get(SHOWN..).unwrap_or_default();
                    (!rest.is_empty()).then(|| {
                        let names = rest.iter().map(guest).collect::<Vec<_>>().join(", ");
                        let count = rest.len();
                        view! { <li class="peer-more" title=names>{t!(i18n, peers_more, n = move || count)}</li> }
                    })
                }}
            </ul>
        </section>
    }
}
