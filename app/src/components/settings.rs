//! The device profile (name and colour shown to partners) and the language switch.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::*;
use crate::local_store::LocalStore;
use crate::presence::COLOURS;
use crate::services::{self, Profile};

const LOCALE_KEY: &str = "tandem.locale";
const PROFILE_KEY: &str = "profile";

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

pub async fn load_profile(store: &LocalStore) {
    let saved = store.setting(PROFILE_KEY).await.ok().flatten();
    let profile = saved
        .and_then(|s| {
            let (colour, name) = s.split_once('|')?;
            Some(Profile {
                name: name.to_string(),
                colour: colour.to_string(),
            })
        })
        .unwrap_or_else(|| {
            let pick = (js_sys::Math::random() * COLOURS.len() as f64) as usize;
            Profile {
                name: String::new(),
                colour: COLOURS[pick.min(COLOURS.len() - 1)].to_string(),
            }
        });
    services::set_profile(profile);
}

fn save_profile(profile: Profile) {
    services::set_profile(profile.clone());
    if let Some(store) = services::store() {
        spawn_local(async move {
            let _ = store
                .set_setting(PROFILE_KEY, &format!("{}|{}", profile.colour, profile.name))
                .await;
        });
    }
}

#[component]
pub fn Settings() -> impl IntoView {
    let i18n = use_i18n();
    let store_state = expect_context::<RwSignal<crate::app::StoreState>>();
    let name = RwSignal::new(String::new());
    let colour = RwSignal::new(COLOURS[0].to_string());
    // The profile arrives with the store; show it once it is there.
    Effect::new(move |_| {
        if store_state.get() == crate::app::StoreState::Ready {
            if let Some(p) = services::profile() {
                name.set(p.name);
                colour.set(p.colour);
            }
        }
    });
    let update = move || {
        save_profile(Profile {
            name: name.get_untracked(),
            colour: colour.get_untracked(),
        })
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
                <span class="swatch" style:background=move || colour.get()></span>
                <span>{move || {
                    let n = name.get();
                    if n.is_empty() { t_string!(i18n, profile_heading).to_string() } else { n }
                }}</span>
            </summary>
            <div class="settings-body">
                <label>
                    {t!(i18n, profile_name)}
                    <input
                        type="text"
                        prop:value=move || name.get()
                        on:input=move |ev| { name.set(event_target_value(&ev)); update(); }
                    />
                </label>
                <label>
                    {t!(i18n, profile_colour)}
                    <select on:change=move |ev| { colour.set(event_target_value(&ev)); update(); }>
                        {COLOURS.iter().map(|c| view! {
                            <option value=*c selected=move || colour.get() == *c style:color=*c>{"● "}{*c}</option>
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
            </div>
        </details>
    }
}
