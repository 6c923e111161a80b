//! The bar that offers a new build of the app once it is ready: non-blocking, at the foot of the
//! screen, and nothing happens until the user chooses to reload.

use leptos::prelude::*;

use crate::i18n::*;
use crate::pwa::use_pwa;

#[component]
pub fn UpdateBar() -> impl IntoView {
    let i18n = use_i18n();
    let pwa = use_pwa();
    view! {
        <Show when=move || pwa.update_ready.get()>
            <div class="update-bar" role="status">
                <span>{t!(i18n, pwa_update_ready)}</span>
                <button type="button" on:click=move |_| pwa.apply_update()>{t!(i18n, pwa_update_reload)}</button>
            </div>
        </Show>
    }
}
