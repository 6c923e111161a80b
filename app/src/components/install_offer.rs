//! A quiet offer to install the app, at the foot of Home: only where the browser can install it,
//! only once the person has a vacancy here, and never again once they said "not now".

use leptos::prelude::*;

use crate::i18n::*;
use crate::pwa::use_pwa;

#[component]
pub fn InstallOffer(
    /// Whether this device has at least one vacancy.
    #[prop(into)]
    has_vacancies: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let pwa = use_pwa();
    view! {
        <Show when=move || pwa.can_install.get() && has_vacancies.get()>
            <footer class="install-offer">
                <p class="hint">{t!(i18n, pwa_install_hint)}</p>
                <div class="install-actions">
                    <button type="button" on:click=move |_| pwa.install()>{t!(i18n, pwa_install_button)}</button>
                    <button type="button" class="quiet" on:click=move |_| pwa.decline_install()>{t!(i18n, pwa_install_not_now)}</button>
                </div>
            </footer>
        </Show>
    }
}
