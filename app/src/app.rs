//! The frame around every page: language, profile, routes.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;

use crate::components::settings::Settings;
use crate::i18n::*;
use crate::local_store::LocalStore;
use crate::pages::{home::Home, vacancy::VacancyPage};
use crate::problem::Problem;
use crate::services;
use crate::sync_client::SyncClient;

/// Whether local storage is open: pages wait for it so they render the device's data at once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StoreState {
    Opening,
    Ready,
    Failed,
}

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
    Effect::new(move |_| crate::components::settings::apply_saved_locale(i18n));

    let store_state = RwSignal::new(StoreState::Opening);
    let store_error = RwSignal::new(None::<Problem>);
    provide_context(store_state);
    services::set_client(SyncClient::new());
    spawn_local(async move {
        match LocalStore::open().await {
            Ok(store) => {
                crate::components::settings::load_profile(&store).await;
                services::set_store(store);
                store_state.set(StoreState::Ready);
            }
            Err(e) => {
                store_error.set(Some(Problem::from(&e)));
                store_state.set(StoreState::Failed);
            }
        }
    });

    view! {
        <Router>
            <header class="topbar">
                <A href="/" attr:class="brand">"Tandem"</A>
                <Settings />
            </header>
            <Show when=move || store_error.get().is_some()>
                <p class="banner error" role="alert">{move || store_error.get().map(|p| p.text(i18n))}</p>
            </Show>
            <main>
                <Routes fallback=move || view! { <p class="empty">{t!(i18n, page_not_found)}</p> }>
                    <Route path=path!("/") view=Home />
                    <Route path=path!("/v/:id") view=VacancyPage />
                </Routes>
            </main>
        </Router>
    }
}
