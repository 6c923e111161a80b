//! The vacancy's data page (`/v/<doc>/data`): everything the holder of the vacancy can do with
//! their copy of it — take it out (a JSON export, a printable report), remove it from this
//! device — and, for the person who created it, delete it for everyone.
//!
//! Each block is its own `<section class="data-block">`, so the blocks stay independent: the
//! "Delete for everyone" block (the relay deletion) plugs into the marked spot below.

use leptos::prelude::*;

use crate::components::delete_vacancy::DeleteVacancy;
use crate::i18n::*;
use crate::session::SessionHandle;

#[component]
pub fn VacancyData(session: SessionHandle) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="vacancy-data" aria-labelledby="data-heading">
            <h2 id="data-heading">{t!(i18n, data_heading)}</h2>
            <p class="hint">{t!(i18n, data_intro)}</p>
            // Export, print report and remove from this device are added here, one block each.

            // "Delete for everyone" (the relay deletion), after "Remove from this device".
            <DeleteVacancy session />
        </section>
    }
}
