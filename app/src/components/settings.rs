//! The device profile (name and colour shown to partners) and the language switch.

use leptos::prelude::*;

use crate::components::device_storage::StorageInfo;
use crate::device::{use_device, Profile};
use crate::i18n::*;
use crate::presence::{palette_colour, COLOURS, MAX_NAME_CHARS};

const LOCALE_KEY: &str = "tandem.locale";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The saved choice, else the browser's language: Dutch for any `nl*`, English otherwise.
pub fn apply_saved_locale(i18n: leptos_i18n::I18nContext<Locale>) {
    let saved = local_storage().and_then(|s| s.get_item(LOCALE_KEY).ok().flatten());
    let browser = web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_default();
    let code = saved.unwrap_or(browser);
    let locale = if code.to_lowercase().starts_with("nl") {
        Locale::nl
    } else {
        Locale::en
    };
    i18n.set_locale(locale);
    set_html_lang(locale);
}

fn set_html_lang(locale: Locale) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = el.set_attribute("lang", locale.as_str());
    }
}

/// A palette colour by the name people use for it ("Blue"), not its code.
fn colour_name(i18n: leptos_i18n::I18nContext<Locale>, colour: &str) -> String {
    match colour {
        "#c2410c" => t_string!(i18n, colour_orange),
        "#15803d" => t_string!(i18n, colour_green),
        "#1d4ed8" => t_string!(i18n, colour_blue),
        "#7e22ce" => t_string!(i18n, colour_purple),
        "#be123c" => t_string!(i18n, colour_red),
        "#0f766e" => t_string!(i18n, colour_teal),
        "#a16207" => t_string!(i18n, colour_mustard),
        other => return other.to_string(),
    }
    .to_string()
}

#[component]
pub fn Settings() -> impl IntoView {
    let i18n = use_i18n();
    let device = StoredValue::new_local(use_device());
    let profile = device.with_value(|d| d.profile);
    let name = move || profile.with(|p| p.name.clone());
    let colour = move || profile.with(|p| p.colour.clone());
    let update = move |change: &dyn Fn(&mut Profile)| {
        let mut next = profile.get_untracked();
        change(&mut next);
        device.with_value(|d| d.save_profile(next));
    };
    let switch_locale = move |ev: leptos::ev::Event| {
        let locale = if event_target_value(&ev) == "nl" {
            Locale::nl
        } else {
            Locale::en
        };
        i18n.set_locale(locale);
        set_html_lang(locale);
        if let Some(s) = local_storage() {
            let _ = s.set_item(LOCALE_KEY, locale.as_str());
        }
    };

    view! {
        <details class="settings">
            <summary>
                <span class="swatch" style:background=colour></span>
                <span>{move || {
                    let n = name();
                    if n.is_empty() { t_string!(i18n, profile_heading).to_string() } else { n }
                }}</span>
            </summary>
            <div class="settings-body">
                <label>
                    {t!(i18n, profile_name)}
                    <input
                        type="text"
                        maxlength=MAX_NAME_CHARS
                        prop:value=name
                        on:input=move |ev| { let n = event_target_value(&ev); update(&|p| p.name = n.clone()); }
                    />
                </label>
                <label>
                    {t!(i18n, profile_colour)}
                    <select on:change=move |ev| {
                        // Only the palette's own strings, whatever the element was made to say.
                        if let Some(c) = palette_colour(&event_target_value(&ev)) { update(&|p| p.colour = c.to_string()); }
                    }>
                        {COLOURS.iter().map(|c| view! {
                            <option value=*c selected=move || colour() == *c style:color=*c>{"● "}{move || colour_name(i18n, c)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    {t!(i18n, language)}
                    <select on:change=switch_locale>
                        <option value="en" selected=move || i18n.get_locale() == Locale::en>"English"</option>
                        <option value="nl" selected=move || i18n.get_locale() == Locale::nl>"Nederlands"</option>
                    </select>
                </label>
                <StorageInfo />
            </div>
        </details>
    }
}
