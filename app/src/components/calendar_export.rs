//! The calendar export: one .ics file with the weekly check-in and every open deadline, made by
//! the domain (`Vacancy::calendar_export`) in the browser's time zone and handed to the browser
//! as a download, so reminders live in the calendar people already use, without a server of ours.

use leptos::prelude::*;
use tandem_domain::deadlines::DateTime;
use wasm_bindgen::{JsCast, JsValue};

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

/// A file name from the vacancy's title: letters, digits, spaces, dashes and dots kept.
fn file_name(title: &str) -> String {
    let cleaned: String = title
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_matches('.').trim();
    let base = if cleaned.is_empty() {
        "tandem"
    } else {
        cleaned
    };
    format!("{base}.ics")
}

fn js_error(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

/// Hands `text` to the browser as a file download named `name`.
fn download(name: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/calendar;charset=utf-8");
    let blob =
        web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(js_error)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(js_error)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| "no document".to_string())?;
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(js_error)?
        .dyn_into()
        .map_err(|_| "no link element".to_string())?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    // The browser has read the file by the time this runs; the URL would otherwise hold the
    // file in memory until the page closes.
    gloo_timers::callback::Timeout::new(60_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
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
            .map(|text| (file_name(&title), text))
        });
        error.set(result.and_then(|(name, text)| download(&name, &text)).err());
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
