//! Who else has this vacancy open right now.

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
                    if list.is_empty() {
                        view! { <li class="muted">{t!(i18n, only_you)}</li> }.into_any()
                    } else {
                        list.into_iter().map(|p| {
                            let name = if p.payload.name.trim().is_empty() {
                                t_string!(i18n, guest).to_string()
                            } else {
                                p.payload.name.clone()
                            };
                            view! {
                                <li class="peer" style:border-color=p.payload.colour.clone()>
                                    <span class="swatch" style:background=p.payload.colour.clone()></span>
                                    {name}
                                </li>
                            }
                        }).collect_view().into_any()
                    }
                }}
            </ul>
        </section>
    }
}
