//! The frame around every page: language, the device's parts, routes.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;

use crate::components::app_update::UpdateBar;
use crate::components::device_storage::StorageWarning;
use crate::components::settings::{apply_saved_locale, Settings};
use crate::components::toast::{provide_toasts, ToastRegion};
use crate::device::{provide_device, use_device};
use crate::i18n::*;
use crate::pages::{home::Home, vacancy::VacancyPage};
use crate::pwa::provide_pwa;

#[component]
pub fn App() -> impl IntoView {
    view! {
        <I18nContextProvider>
            <Shell />
        </I18nContextProvider>
    }
}

#[component]
fn Shell() -> impl IntoView {
    let i18n = use_i18n();
    // In an effect, so it runs after leptos_i18n's own effect that applies the browser language.
    Effect::new(move |_| apply_saved_locale(i18n));
    provide_device();
    provide_pwa();
    provide_toasts();
    let store_problem = use_device().store_problem;

    view! {
        <Router>
            <header class="topbar">
                <A href="/" attr:class="brand">"Tandem"</A>
                <Settings />
            </header>
            <Show when=move || store_problem.get().is_some()>
                <p class="banner error" role="alert">{move || store_problem.get().map(|p| p.text(i18n))}</p>
            </Show>
            <StorageWarning />
            <main>
                <Routes fallback=move || view! { <p class="empty">{t!(i18n, page_not_found)}</p> }>
                    <Route path=path!("/") view=Home />
                    // One route with an optional section (and an item in it: a candidate, an interview), so moving between sections keeps the page (and its
                    // open session) instead of opening the vacancy again.
                    <Route path=path!("/v/:id/:section?/:item?") view=VacancyPage />
                </Routes>
            </main>
            // One stack at the foot of the screen, so the update offer and a toast never cover
            // each other.
            <div class="screen-foot">
                <UpdateBar />
                <ToastRegion />
            </div>
        </Router>
    }
}
