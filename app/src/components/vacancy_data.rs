//! The vacancy's data page (`/v/<doc>/data`): everything the holder of the vacancy can do with
//! their copy of it — take it out (a JSON export, a printable report), remove it from this
//! device — and, for the person who created it, delete it for everyone.
//!
//! Each block is its own `<section class="data-block">`, so the blocks stay independent: the
//! "Delete for everyone" block (the relay deletion) plugs into the marked spot below.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::components::delete_vacancy::DeleteVacancy;
use crate::device::use_device;
use crate::files::{download, file_name};
use crate::i18n::*;
use crate::pages::section_path;
use crate::problem::Problem;
use crate::session::SessionHandle;

#[component]
pub fn VacancyData(session: SessionHandle) -> impl IntoView {
    let i18n = use_i18n();
    let export_error = RwSignal::new(None::<String>);
    let export = move |_| {
        let (title, text) = session.with_value(|s| {
            let v = s.vacancy.borrow();
            (v.title(), v.export_string(js_sys::Date::now() as i64))
        });
        let name = file_name(&title, "json");
        export_error.set(download(&name, "application/json", text.as_bytes()).err());
    };

    // Removing asks first; the session is closed before the data goes, so nothing it receives
    // meanwhile is written back.
    let confirming = RwSignal::new(false);
    let remove_error = RwSignal::new(None::<Problem>);
    let unsent = move || session.with_value(|s| s.sync.get().unsent_since.is_some());
    let navigate = use_navigate();
    let device = StoredValue::new_local(use_device());
    let doc = session.with_value(|s| s.doc);
    let remove = move |_| {
        if device.with_value(|d| d.store()).is_none() {
            remove_error.set(Some(Problem::StorageUnavailable));
            return;
        }
        let s = session.get_value();
        let navigate = navigate.clone();
        spawn_local(async move {
            match s.remove_from_device().await {
                Ok(()) => navigate("/", Default::default()),
                Err(e) => remove_error.set(Some(Problem::from(&e))),
            }
        });
    };
    view! {
        <section class="vacancy-data" aria-labelledby="data-heading">
            <h2 id="data-heading">{t!(i18n, data_heading)}</h2>
            <p class="hint">{t!(i18n, data_intro)}</p>
            <section class="data-block" aria-labelledby="export-heading">
                <h3 id="export-heading">{t!(i18n, data_export_heading)}</h3>
                <p class="hint">{t!(i18n, data_export_hint)}</p>
                <button type="button" on:click=export>{t!(i18n, data_export_button)}</button>
                <Show when=move || export_error.get().is_some()>
                    <p class="error" role="alert">{t!(i18n, data_file_failed)}" "{move || export_error.get()}</p>
                </Show>
            </section>

            <section class="data-block" aria-labelledby="report-block-heading">
                <h3 id="report-block-heading">{t!(i18n, report_heading)}</h3>
                <p class="hint">{t!(i18n, report_hint)}</p>
                <a class="button secondary" href=section_path(doc, "report")>{t!(i18n, report_open)}</a>
            </section>
            <section class="data-block" aria-labelledby="remove-heading">
                <h3 id="remove-heading">{t!(i18n, remove_heading)}</h3>
                <p class="hint">{t!(i18n, remove_hint)}</p>
                <Show when=move || confirming.get()
                    fallback=move || view! {
                        <button type="button" class="secondary" on:click=move |_| confirming.set(true)>{t!(i18n, remove_button)}</button>
                    }>
                    <div class="confirm-remove" role="group" aria-labelledby="remove-question">
                        <p id="remove-question"><strong>{t!(i18n, remove_device_question)}</strong></p>
                        <Show when=unsent>
                            <p class="error">{t!(i18n, remove_unsent)}</p>
                        </Show>
                        <div class="confirm-buttons">
                            <button type="button" class="danger" on:click=remove.clone()>{t!(i18n, remove_confirm)}</button>
                            <button type="button" class="secondary" on:click=move |_| confirming.set(false)>{t!(i18n, cancel_remove)}</button>
                        </div>
                    </div>
                </Show>
                <Show when=move || remove_error.get().is_some()>
                    <p class="error" role="alert">{move || remove_error.get().map(|p| p.text(i18n))}</p>
                </Show>
            </section>

            // "Delete for everyone" (the relay deletion), after "Remove from this device".
            <DeleteVacancy session />
        </section>
    }
}
