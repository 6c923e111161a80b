//! Home: the vacancies on this device, creating one, and opening one by its link.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use tandem_protocol::ShareLink;

use tandem_domain::export::ImportError;
use tandem_domain::overview::listed_summary;

use crate::components::dates::{due_text, local_now};
use crate::components::device_backup::DeviceBackup;
use crate::components::gate_panel::status_text;
use crate::components::install_offer::InstallOffer;
use crate::components::toast::use_toasts;
use crate::device::{use_device, Device, StoreState};
use crate::files::{read_chosen, ReadError};
use crate::i18n::*;
use crate::importing::{self, ImportFailure, Imported};
use crate::pages::vacancy_path;
use crate::problem::{link_error_text, Problem};
use crate::session::Session;
use crate::storage::VacancyRecord;

#[component]
pub fn Home() -> impl IntoView {
    let i18n = use_i18n();
    let device = StoredValue::new_local(use_device());
    let store_state = device.with_value(|d| d.store_state);
    let vacancies = RwSignal::new(None::<Vec<VacancyRecord>>);
    // Deadlines are read against the clock when the list is shown.
    let now = local_now();
    let reload_list = move || {
        if let Some(store) = device.with_value(|d| d.store()) {
            spawn_local(async move {
                let list = store.vacancies().await.unwrap_or_default();
                remember_listed(!list.is_empty());
                vacancies.set(Some(list));
            });
        }
    };
    Effect::new(move |_| {
        if store_state.get() == StoreState::Ready {
            reload_list();
        }
    });

    let navigate = use_navigate();
    let title = RwSignal::new(String::new());
    let create_error = RwSignal::new(None::<Problem>);
    let nav = navigate.clone();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = title.get_untracked().trim().to_string();
        let nav = nav.clone();
        let device = device.get_value();
        spawn_local(async move {
            match Session::create(&device, &t).await {
                // Stored already: the page opens it from storage, so the secret stays out
                // of the address.
                Ok(link) => nav(&vacancy_path(link.doc), Default::default()),
                Err(e) => create_error.set(Some(Problem::from(&e))),
            }
        });
    };
    // A vacancy is created only where it can be kept: not before local storage is open.
    let cannot_create = move || store_state.get() != StoreState::Ready;
    // A device that listed nothing last time (a new user) gets the rest at once, as index.html's
    // shell drew it; storage that cannot open never lists anything, and the page still offers
    // what works without it.
    let expect_list = listed_before();
    let list_known = move || {
        !expect_list || vacancies.with(Option::is_some) || store_state.get() == StoreState::Failed
    };

    let link = RwSignal::new(String::new());
    let link_error = RwSignal::new(None::<String>);
    let join = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match ShareLink::parse(&link.get_untracked()) {
            Ok(l) => navigate(&l.path(), Default::default()),
            Err(e) => link_error.set(Some(link_error_text(i18n, &e))),
        }
    };

    // Importing an export makes a new vacancy, as creating one does, and opens it.
    let import_error = RwSignal::new(None::<String>);
    let toasts = use_toasts();
    let nav = use_navigate();
    let import = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        import_error.set(None);
        let nav = nav.clone();
        let device = device.get_value();
        spawn_local(async move {
            let result = match read_chosen(&input).await {
                Ok(Some(bytes)) => import_file(&device, i18n, &bytes).await,
                Ok(None) => return,
                Err(ReadError::TooLarge) => Err(t_string!(i18n, import_too_large).to_string()),
                Err(ReadError::Failed(e)) => {
                    Err(format!("{} {e}", t_string!(i18n, data_file_failed)))
                }
            };
            // The same file may be chosen again after a fix.
            input.set_value("");
            match result {
                Ok(imported) => {
                    let left = imported.memos_left_behind;
                    if left > 0 {
                        toasts.notice(move || {
                            if left == 1 {
                                view! { <span>{t!(i18n, import_memos_left_behind_one)}</span> }.into_any()
                            } else {
                                view! { <span>{t!(i18n, import_memos_left_behind, n = move || left.to_string())}</span> }
                                    .into_any()
                            }
                        });
                    }
                    nav(&vacancy_path(imported.doc), Default::default())
                }
                Err(text) => import_error.set(Some(text)),
            }
        });
    };
    view! {
        <p class="tagline">{t!(i18n, tagline)}</p>
        <section aria-labelledby="list-heading">
            <h1 id="list-heading">{t!(i18n, vacancies_heading)}</h1>
            {move || match vacancies.get() {
                None => view! { <p class="muted">{t!(i18n, loading)}</p> }.into_any(),
                Some(list) if list.is_empty() => view! { <p class="empty">{t!(i18n, no_vacancies)}</p> }.into_any(),
                Some(list) => view! {
                    <ul class="vacancy-list">
                        {list.into_iter().map(|r| {
                            let href = vacancy_path(r.link.doc);
                            let title = if r.title.trim().is_empty() { t_string!(i18n, untitled).to_string() } else { r.title };
                            let status = r.status;
                            let summary = listed_summary(&r.deadlines, now);
                            let next = summary.next.map(|d| {
                                let due = d.due.to_string();
                                // A stage or action without a name still says which deadline.
                                let title = d.title.trim().to_string();
                                let title = move || if title.is_empty() { t_string!(i18n, unnamed_item).to_string() } else { title.clone() };
                                view! {
                                    <span class="listing-next">
                                        {t!(i18n, plan_next_deadline)}": "{title}" · "{move || due_text(i18n, &due)}
                                    </span>
                                }
                            });
                            let overdue = summary.overdue;
                            view! {
                                <li><A href=href>
                                    <span class="vacancy-name">{title}</span>
                                    <span class="listing-chips">
                                        {(overdue > 0).then(|| view! {
                                            <span class="status-chip" data-due="overdue">{t!(i18n, plan_overdue_count, n = move || overdue.to_string())}</span>
                                        })}
                                        <span class="status-chip" data-status=status.as_str()>{move || status_text(i18n, status)}</span>
                                    </span>
                                    {next}
                                </A></li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
        // Where a list is expected, the rest waits for it: drawn below a list still loading, it
        // would be pushed down (out of sight, on a phone) when the list arrives, a layout shift
        // on every start. Appearing below the list moves nothing.
        <Show when=list_known>
            <section class="card">
                <form on:submit=create.clone()>
                    <label for="new-title">{t!(i18n, new_vacancy_label)}</label>
                    <input id="new-title" type="text" required prop:value=move || title.get()
                        on:input=move |ev| title.set(event_target_value(&ev)) />
                    <button type="submit" disabled=cannot_create>{t!(i18n, create_vacancy)}</button>
                    <Show when=move || create_error.get().is_some()>
                        <p class="error" role="alert">{move || create_error.get().map(|p| p.text(i18n))}</p>
                    </Show>
                </form>
            </section>
            <section class="card">
                <form on:submit=join.clone()>
                    <label for="join-link">{t!(i18n, join_label)}</label>
                    <p class="hint">{t!(i18n, join_hint)}</p>
                    <input id="join-link" type="url" required prop:value=move || link.get()
                        aria-invalid=move || link_error.get().is_some().then_some("true")
                        on:input=move |ev| { link.set(event_target_value(&ev)); link_error.set(None); } />
                    <button type="submit">{t!(i18n, join_button)}</button>
                    <Show when=move || link_error.get().is_some()>
                        <p class="error" role="alert">{move || link_error.get()}</p>
                    </Show>
                </form>
            </section>
            <InstallOffer has_vacancies=Signal::derive(move || vacancies.with(|v| v.as_ref().is_some_and(|l| !l.is_empty()))) />
            <section class="card data-home" aria-labelledby="data-home-heading">
                <h2 id="data-home-heading">{t!(i18n, data_heading)}</h2>
                <div class="data-block">
                    <label for="import-file">{t!(i18n, import_label)}</label>
                    <p class="hint" id="import-hint">{t!(i18n, import_hint)}</p>
                    <input id="import-file" type="file" accept=".json,application/json" aria-describedby="import-hint"
                        disabled=cannot_create on:change=import.clone() />
                    <Show when=move || import_error.get().is_some()>
                        <p class="error" role="alert">{move || import_error.get()}</p>
                    </Show>
                </div>
                <DeviceBackup on_restored=move |_| reload_list() />
            </section>
        </Show>
    }
}

/// Kept on the device (localStorage, which index.html's script can read before any wasm): set
/// while the home page last listed any vacancy, so the next start draws what will likely come.
const LISTED_KEY: &str = "tandem.listed";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Whether the home page listed any vacancy last time.
fn listed_before() -> bool {
    local_storage()
        .and_then(|s| s.get_item(LISTED_KEY).ok().flatten())
        .is_some()
}

/// Remembers whether the list has any vacancy. Only a guess for the next start's first paint:
/// storage that refuses it costs a layout shift then, nothing else.
fn remember_listed(any: bool) {
    if let Some(s) = local_storage() {
        let _ = if any {
            s.set_item(LISTED_KEY, "1")
        } else {
            s.remove_item(LISTED_KEY)
        };
    }
}

/// Imports an export as a new vacancy on this device: what it made, or what went wrong.
async fn import_file(
    device: &Device,
    i18n: leptos_i18n::I18nContext<Locale>,
    bytes: &[u8],
) -> Result<Imported, String> {
    let text = String::from_utf8_lossy(bytes);
    importing::import(device, &text).await.map_err(|e| match e {
        ImportFailure::File(e) => import_error_text(i18n, &e),
        ImportFailure::Storage(e) => Problem::from(&e).text(i18n),
    })
}

/// Why an export could not be imported, in the user's language.
fn import_error_text(i18n: leptos_i18n::I18nContext<Locale>, e: &ImportError) -> String {
    match e {
        ImportError::NotJson(_) | ImportError::Foreign => t_string!(i18n, import_foreign),
        ImportError::NewerFormat(_) | ImportError::NewerSchema(_) => t_string!(i18n, import_newer),
        ImportError::Malformed(_) => t_string!(i18n, import_damaged),
    }
    .to_string()
}
