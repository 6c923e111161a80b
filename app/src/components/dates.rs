//! Dates and times as the pages show them: the local wall-clock "now" the deadline rules take,
//! and a stored due date in the reader's language (through the browser's `Intl`, not shipped
//! locale data).

use tandem_domain::deadlines::{self, Datelike, Due, NaiveDate, NaiveDateTime, Timelike};

use crate::i18n::*;

type I18n = leptos_i18n::I18nContext<Locale>;

/// The local wall-clock time now, as the deadline rules take it.
pub fn local_now() -> NaiveDateTime {
    local_date_time(js_sys::Date::now() as i64).unwrap_or_default()
}

/// A stored moment (ms since the epoch) as the local wall-clock time, at this browser's
/// offset from UTC now.
pub fn local_date_time(at_ms: i64) -> Option<NaiveDateTime> {
    deadlines::local_time(at_ms, offset_east())
}

/// The browser's offset from UTC now, in minutes east.
pub fn offset_east() -> i32 {
    -(js_sys::Date::new_0().get_timezone_offset() as i32)
}

pub fn js_locale(i18n: I18n) -> &'static str {
    match i18n.get_locale() {
        Locale::nl => "nl-NL",
        Locale::en => "en-GB",
    }
}

/// A due date as the document stores it, in the reader's language ("3 Dec 2026", or with the
/// time for a due moment); the stored text itself if it does not read as one.
pub fn due_text(i18n: I18n, due: &str) -> String {
    let Ok(parsed) = Due::parse(due) else {
        return due.to_string();
    };
    let moment = parsed.last_moment();
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    let (hour, minute) = match parsed {
        Due::At(at) => {
            let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
            (at.hour() as i32, at.minute() as i32)
        }
        Due::On(_) => (12, 0),
    };
    js_sys::Date::new_with_year_month_day_hr_min(
        moment.year() as u32,
        moment.month0() as i32,
        moment.day() as i32,
        hour,
        minute,
    )
    .to_locale_string(js_locale(i18n), &options)
    .into()
}

/// A date in the reader's language: "Tuesday 1 December 2026" (`long`, with the weekday) or
/// "1 Dec 2026".
pub fn date_text(i18n: I18n, date: NaiveDate, long: bool) -> String {
    let options = js_sys::Object::new();
    let style = if long { "full" } else { "medium" };
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &style.into());
    js_sys::Date::new_with_year_month_day(
        date.year() as u32,
        date.month0() as i32,
        date.day() as i32,
    )
    .to_locale_date_string(js_locale(i18n), &options)
    .into()
}

/// A moment (ms since the epoch) in the reader's language: "30 Nov 2026, 10:05".
pub fn when_text(i18n: I18n, at_ms: i64) -> String {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at_ms as f64))
        .to_locale_string(js_locale(i18n), &options)
        .into()
}
