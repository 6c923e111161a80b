//! The vacancy page: title, share link, presence, sync state and the scorecard.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local_scoped;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use tandem_domain::TextField;
use tandem_protocol::ShareLink;

use crate::app::StoreState;
use crate::components::{
    live_text::LiveText, presence_bar::PresenceBar, scorecard::ScorecardEditor,
    share_box::ShareBox, sync_status::SyncStatus,
};
use crate::i18n::*;
use crate::pages::home::link_error_text;
use crate::presence;
use crate::services;
use crate::session::{Availability, DocSession};
use crate::sync_client::ConnState;

type SessionHandle = StoredValue<Rc<DocSession>, LocalStorage>;

#[component]
pub fn VacancyPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let store_state = expect_context::<RwSignal<StoreState>>();
    let session = RwSignal::new(None::<SessionHandle>);
    let error = RwSignal::new(None::<String>);

    // Open the vacancy named in the address once storage is ready; close it when leaving.
    Effect::new(move |prev: Option<Option<String>>| {
        let id = params.with(|p| p.get("id"));
        if store_state.get() == StoreState::Opening {
            // Nothing opened yet: returning None makes the run after "ready" open it.
            return None;
        }
        if prev.as_ref() == Some(&id) {
            return id;
        }
        if let Some(old) = session.get_untracked() {
            old.with_value(|s| s.close());
            session.set(None);
        }
        let Some(doc) = id.clone() else { return id };
        error.set(None);
        // Scoped to this page, so the session's signals are disposed with it.
        spawn_local_scoped(async move {
            let id = doc;
            let hash = web_sys::window()
                .and_then(|w| w.location().hash().ok())
                .unwrap_or_default();
            let record = match services::store() {
                Some(store) => store.vacancy(&id).await.ok().flatten(),
                None => None,
            };
            // A vacancy this device already has opens with the secret that is known to work,
            // whatever the address says: a bookmark without '#…' or a mistyped link must not
            // replace it.
            let secret = match &record {
                Some(r) => r.secret.clone(),
                None => hash.trim_start_matches('#').to_string(),
            };
            match ShareLink::parse(&format!("/v/{id}#{secret}")) {
                Ok(link) => {
                    let s = DocSession::open(link.doc, link.secret, record).await;
                    session.set(Some(StoredValue::new_local(s)));
                }
                Err(e) => error.set(Some(link_error_text(i18n, &e))),
            }
        });
        id
    });
    on_cleanup(move || {
        if let Some(s) = session.get_untracked() {
            s.with_value(|s| s.close());
        }
    });

    // Say "I am here" now and then, and forget peers who went quiet.
    let heartbeat = set_interval_with_handle(
        move || {
            if let Some(s) = session.get_untracked() {
                s.with_value(|s| {
                    s.send_presence();
                    presence::expire(s.peers);
                });
            }
        },
        std::time::Duration::from_millis(presence::HEARTBEAT_MS),
    )
    .ok();
    on_cleanup(move || {
        if let Some(h) = heartbeat {
            h.clear();
        }
    });

    view! {
        <nav><A href="/">{"← "}{t!(i18n, back_home)}</A></nav>
        {move || {
            if let Some(e) = error.get() {
                return view! {
                    <section class="banner error" role="alert">
                        <h1>{t!(i18n, bad_link)}</h1>
                        <p>{e}</p>
                    </section>
                }.into_any();
            }
            match session.get() {
                None => view! { <p class="muted">{t!(i18n, loading)}</p> }.into_any(),
                Some(s) => view! { <VacancyView session=s /> }.into_any(),
            }
        }}
    }
}

#[component]
fn VacancyView(session: SessionHandle) -> impl IntoView {
    let i18n = use_i18n();
    let s = session.get_value();
    let availability = s.availability;
    let problem = s.problem;
    let conn = services::client()
        .map(|c| c.state)
        .unwrap_or_else(|| RwSignal::new(ConnState::Offline));
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let link = s.share_link(&origin);
    let (caught_up, pending, peers) = (s.caught_up, s.pending, s.peers);
    // The tab shows which vacancy it holds, which helps with several open.
    let version = s.version;
    Effect::new(move |_| {
        version.track();
        let title = session.with_value(|s| s.vacancy.borrow().title());
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            doc.set_title(&if title.trim().is_empty() {
                "Tandem".to_string()
            } else {
                format!("{title} · Tandem")
            });
        }
    });
    on_cleanup(|| {
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            doc.set_title("Tandem");
        }
    });

    view! {
        <div class="vacancy-top">
            <SyncStatus conn caught_up pending />
            <PresenceBar peers />
        </div>
        <Show when=move || problem.get().is_some()>
            <p class="banner error" role="alert">
                {move || problem.get().map(|p| p.text(i18n))}
                " "<button type="button" on:click=move |_| problem.set(None)>{t!(i18n, dismiss)}</button>
            </p>
        </Show>
        {move || match availability.get() {
            Availability::Loading => view! { <p class="muted">{t!(i18n, loading)}</p> }.into_any(),
            Availability::Waiting => view! { <p class="banner" role="status">{t!(i18n, waiting_download)}</p> }.into_any(),
            Availability::NotFound => view! { <p class="banner error" role="alert">{t!(i18n, not_found)}</p> }.into_any(),
            Availability::Denied => view! { <p class="banner error" role="alert">{t!(i18n, denied)}</p> }.into_any(),
            Availability::Ready => view! {
                <header class="vacancy-header">
                    <label for="vacancy-title">{t!(i18n, title_label)}</label>
                    <LiveText session field=TextField::Title id="vacancy-title".to_string() presence_key="title".to_string() />
                </header>
                <ScorecardEditor session />
            }.into_any(),
        }}
        <ShareBox link />
    }
}
