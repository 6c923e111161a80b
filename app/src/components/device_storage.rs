//! How much of the device's storage Tandem uses and whether the browser keeps it (in the
//! settings), and the warning shown on every page when it is nearly full.

use leptos::prelude::*;

use crate::i18n::*;
use crate::pwa::use_pwa;

/// A byte count as people read it, with the language's decimal mark: "812 kB", "2.4 MB".
fn size_text(bytes: f64, locale: Locale) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    let mut value = bytes / 1000.0;
    let mut unit = UNITS[0];
    for next in &UNITS[1..] {
        if value < 1000.0 {
            break;
        }
        value /= 1000.0;
        unit = next;
    }
    let text = if value < 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.0}")
    };
    let text = if locale == Locale::nl {
        text.replace('.', ",")
    } else {
        text
    };
    format!("{text} {unit}")
}

/// In the settings: the storage used and whether it is kept.
#[component]
pub fn StorageInfo() -> impl IntoView {
    let i18n = use_i18n();
    let pwa = use_pwa();
    view! {
        <div class="storage-info">
            <h2 class="settings-heading">{t!(i18n, pwa_storage_heading)}</h2>
            {move || match pwa.storage.get() {
                None => view! { <p class="hint">{t!(i18n, pwa_storage_unknown)}</p> }.into_any(),
                Some(s) => {
                    let used = move || size_text(s.usage, i18n.get_locale());
                    let quota = move || size_text(s.quota, i18n.get_locale());
                    view! {
                        <p class="hint" data-testid="storage-used">{t!(i18n, pwa_storage_used, used = used, quota = quota)}</p>
                        <p class="hint" data-persisted=s.persisted.to_string()>
                            {move || if s.persisted { t_string!(i18n, pwa_storage_persistent) } else { t_string!(i18n, pwa_storage_not_persistent) }}
                        </p>
                    }.into_any()
                }
            }}
        </div>
    }
}

/// On every page, when the storage is nearly full: before a write fails, not after.
#[component]
pub fn StorageWarning() -> impl IntoView {
    let i18n = use_i18n();
    let pwa = use_pwa();
    let nearly_full = move || pwa.storage.get().filter(|s| s.nearly_full());
    view! {
        <Show when=move || nearly_full().is_some()>
            <p class="banner warning" role="alert">
                {t!(i18n, pwa_storage_nearly_full, percent = move || {
                    nearly_full().map(|s| format!("{:.0}", 100.0 * s.usage / s.quota)).unwrap_or_default()
                })}
            </p>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::size_text;
    use crate::i18n::Locale;

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(size_text(812_000.0, Locale::en), "812 kB");
        assert_eq!(size_text(2_400_000.0, Locale::en), "2.4 MB");
        assert_eq!(size_text(2_400_000.0, Locale::nl), "2,4 MB");
        assert_eq!(size_text(300_000_000_000.0, Locale::en), "300 GB");
    }
}
