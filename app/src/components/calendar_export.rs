//! The calendar export: one .ics file with the weekly check-in and every open deadline, made by
//! the domain (`Vacancy::calendar_export`) in the browser's time zone and handed to the browser
//! as a download, so reminders live in the calendar people already use, without a server of ours.

use leptos::prelude::*;
use tandem_domain::deadlines::DateTime;

use crate::files::{download, file_name};
use crate::i18n::*;
use crate::session::SessionHandle;

/// The browser's IANA time zone ("Europe/Amsterdam"); empty when it does not say.
fn browser_time_zone() -> String {
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    js_sys::Reflect::get(&format.resolved_options(), &"timeZone".into())
        .ok()
        .and_then(|z| z.as_string())
        .unwrap_or_default()
}

#[component]
pub fn CalendarExport(session: SessionHandle) -> impl IntoView {
    let i18n = use_i18n();
    let version = session.with_value(|s| s.version);
    let checkin_agreed = Memo::new(move |_| {
        version.track();
        session.with_value(|s| s.vacancy.borrow().checkin_agreement().is_some())
    });
    let error = RwSignal::new(None::<String>);
    let export = move |_| {
        let result = session.with_value(|s| {
            let v = s.vacancy.borrow();
            let title = v.title();
            let checkin_title = format!("{}: {title}", t_string!(i18n, plan_ics_checkin_title));
            let stamp =
                DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default();
            v.calendar_export(
                &s.doc.to_string(),
                &checkin_title,
                &browser_time_zone(),
                stamp,
            )
            .map_err(|e| e.to_string())
            .map(|text| (file_name(&title, "ics"), text))
        });
        error.set(
            result
                .and_then(|(name, text)| {
                    download(&name, "text/calendar;charset=utf-8", text.as_bytes())
                })
                .err(),
        );
    };

    view! {
        <section class="intake planning" aria-labelledby="calendar-heading">
            <h2 id="calendar-heading">{t!(i18n, plan_calendar_heading)}</h2>
            <p class="hint">{t!(i18n, plan_calendar_hint)}</p>
            <Show when=move || !checkin_agreed.get()>
                <p class="hint">{t!(i18n, plan_calendar_no_checkin)}</p>
            </Show>
            <button type="button" on:click=export>{t!(i18n, plan_calendar_button)}</button>
            <Show when=move || error.with(|e| e.is_some())>
                <p class="error" role="alert">{t!(i18n, plan_calendar_failed)}" "{move || error.get()}</p>
            </Show>
        </section>
    }
}
