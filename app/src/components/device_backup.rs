//! "Back up this device" and "Restore a backup" on the home page: every vacancy on this device
//! with its link and its stored document bytes (so history and what the relay already has
//! survive), the outbox, the device's settings and its sealed voice memos with the uploads still
//! owed, in one file sealed with a passphrase (`tandem_protocol::backup`); and such a file added
//! back, merging vacancies the device has.
//!
//! The key derivation takes a second or two on purpose and blocks the tab while it runs, so the
//! page first says it is working and lets the browser paint that before it starts.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};
use tandem_protocol::backup::{self, BackupError, MIN_PASSPHRASE_CHARS};

use crate::device::{use_device, Device, StoreState};
use crate::files::{download, read_chosen, ReadError};
use crate::i18n::*;
use crate::problem::Problem;
use crate::storage::device_data::{AttachmentData, Restored, VacancyData};

/// The content's own version, inside the sealed file. Version 2 added the attachments.
const CONTENT_VERSION: u32 = 2;

/// What a backup holds, before it is sealed (postcard: compact, and the chunks stay bytes).
/// Postcard is not self-describing, so each version has its own shape, told apart by the
/// `version` that leads both.
#[derive(Serialize, Deserialize)]
struct BackupContent {
    version: u32,
    /// When it was made, in ms since the epoch.
    made_at: f64,
    vacancies: Vec<VacancyData>,
    settings: Vec<(String, String)>,
    attachments: AttachmentData,
}

/// Version 1: a backup from before voice memos, which has no attachments.
#[derive(Deserialize)]
struct BackupContentV1 {
    #[allow(dead_code)]
    version: u32,
    made_at: f64,
    vacancies: Vec<VacancyData>,
    settings: Vec<(String, String)>,
}

impl BackupContent {
    /// Reads an opened backup of any version this app knows.
    fn read(plain: &[u8]) -> Result<Self, BackupError> {
        let (version, _) =
            postcard::take_from_bytes::<u32>(plain).map_err(|_| BackupError::Damaged)?;
        match version {
            1 => {
                let v1: BackupContentV1 =
                    postcard::from_bytes(plain).map_err(|_| BackupError::Damaged)?;
                Ok(BackupContent {
                    version,
                    made_at: v1.made_at,
                    vacancies: v1.vacancies,
                    settings: v1.settings,
                    attachments: AttachmentData::default(),
                })
            }
            CONTENT_VERSION => postcard::from_bytes(plain).map_err(|_| BackupError::Damaged),
            _ if version > CONTENT_VERSION => Err(BackupError::NewerFormat(0)),
            _ => Err(BackupError::Damaged),
        }
    }
}

/// Why a backup could not be made or restored, in the user's language.
fn backup_error_text(i18n: leptos_i18n::I18nContext<Locale>, e: &BackupError) -> String {
    match e {
        BackupError::PassphraseTooShort => t_string!(i18n, backup_too_short).to_string(),
        BackupError::NotABackup => t_string!(i18n, restore_not_backup).to_string(),
        BackupError::NewerFormat(_) => t_string!(i18n, restore_newer).to_string(),
        BackupError::Damaged => t_string!(i18n, restore_damaged).to_string(),
        BackupError::WrongPassphrase => t_string!(i18n, restore_wrong_passphrase).to_string(),
    }
}

/// Lets the browser paint what the page just said before the tab is busy for a while.
async fn let_the_page_paint() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 50);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

fn now() -> f64 {
    js_sys::Date::now()
}

/// Makes the sealed backup of this device: the file's name and bytes.
async fn make_backup(device: &Device, passphrase: &str) -> Result<(String, Vec<u8>), String> {
    let store = device.store().ok_or_else(|| "no storage".to_string())?;
    let content = BackupContent {
        version: CONTENT_VERSION,
        made_at: now(),
        vacancies: store.all_vacancy_data().await.map_err(|e| e.to_string())?,
        settings: store.all_settings().await.map_err(|e| e.to_string())?,
        attachments: store.all_attachments().await.map_err(|e| e.to_string())?,
    };
    let plain = postcard::to_allocvec(&content).map_err(|e| e.to_string())?;
    let started = now();
    let sealed = backup::seal(&plain, passphrase).map_err(|e| e.to_string())?;
    leptos::logging::log!("backup sealed in {} ms", (now() - started).round());
    let date = js_sys::Date::new_0()
        .to_iso_string()
        .as_string()
        .unwrap_or_default();
    Ok((
        format!("tandem-backup-{}.tandem", date.get(..10).unwrap_or("")),
        sealed,
    ))
}

#[component]
pub fn DeviceBackup(#[prop(into)] on_restored: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let device = StoredValue::new_local(use_device());
    let store_state = device.with_value(|d| d.store_state);
    let unavailable = move || store_state.get() != StoreState::Ready;

    let pass = RwSignal::new(String::new());
    let pass_again = RwSignal::new(String::new());
    let backup_busy = RwSignal::new(false);
    let backup_error = RwSignal::new(None::<String>);
    let backup_done = RwSignal::new(false);
    let make = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        backup_done.set(false);
        let (p, again) = (pass.get_untracked(), pass_again.get_untracked());
        if p.chars().count() < MIN_PASSPHRASE_CHARS {
            backup_error.set(Some(backup_error_text(
                i18n,
                &BackupError::PassphraseTooShort,
            )));
            return;
        }
        if p != again {
            backup_error.set(Some(t_string!(i18n, backup_mismatch).to_string()));
            return;
        }
        backup_error.set(None);
        backup_busy.set(true);
        let device = device.get_value();
        spawn_local(async move {
            let_the_page_paint().await;
            let result = make_backup(&device, &p)
                .await
                .and_then(|(name, bytes)| download(&name, "application/octet-stream", &bytes));
            backup_busy.set(false);
            match result {
                Ok(()) => {
                    backup_done.set(true);
                    pass.set(String::new());
                    pass_again.set(String::new());
                }
                Err(e) => {
                    backup_error.set(Some(format!("{} {e}", t_string!(i18n, data_file_failed))))
                }
            }
        });
    };

    let restore_file = NodeRef::<leptos::html::Input>::new();
    let restore_pass = RwSignal::new(String::new());
    let restore_busy = RwSignal::new(false);
    let restore_error = RwSignal::new(None::<String>);
    let restored = RwSignal::new(None::<Restored>);
    let restore = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        restored.set(None);
        restore_error.set(None);
        let Some(input) = restore_file.get_untracked() else {
            return;
        };
        let passphrase = restore_pass.get_untracked();
        let device = device.get_value();
        restore_busy.set(true);
        spawn_local(async move {
            let_the_page_paint().await;
            let result = restore_from(&device, i18n, &input, &passphrase).await;
            restore_busy.set(false);
            match result {
                Ok(r) => {
                    restored.set(Some(r));
                    restore_pass.set(String::new());
                    input.set_value("");
                    on_restored.run(());
                }
                Err(text) => restore_error.set(Some(text)),
            }
        });
    };

    view! {
        <div class="data-block">
            <h3 id="backup-heading">{t!(i18n, backup_heading)}</h3>
            <p class="hint">{t!(i18n, backup_hint)}</p>
            <form class="backup-form" on:submit=make aria-labelledby="backup-heading">
                <label for="backup-pass">{t!(i18n, backup_pass_label)}</label>
                <p class="hint" id="backup-pass-hint">{t!(i18n, backup_pass_hint, n = move || MIN_PASSPHRASE_CHARS.to_string())}</p>
                <input id="backup-pass" type="password" autocomplete="new-password" aria-describedby="backup-pass-hint"
                    prop:value=move || pass.get() on:input=move |ev| pass.set(event_target_value(&ev)) />
                <label for="backup-pass-again">{t!(i18n, backup_pass_again_label)}</label>
                <input id="backup-pass-again" type="password" autocomplete="new-password"
                    prop:value=move || pass_again.get() on:input=move |ev| pass_again.set(event_target_value(&ev)) />
                <button type="submit" disabled=move || unavailable() || backup_busy.get()>{t!(i18n, backup_button)}</button>
                <Show when=move || backup_busy.get()>
                    <p class="muted" role="status">{t!(i18n, backup_working)}</p>
                </Show>
                <Show when=move || backup_done.get()>
                    <p class="done" role="status">{t!(i18n, backup_done)}</p>
                </Show>
                <Show when=move || backup_error.get().is_some()>
                    <p class="error" role="alert">{move || backup_error.get()}</p>
                </Show>
            </form>
        </div>
        <div class="data-block">
            <h3 id="restore-heading">{t!(i18n, restore_heading)}</h3>
            <p class="hint">{t!(i18n, restore_hint)}</p>
            <form class="backup-form" on:submit=restore aria-labelledby="restore-heading">
                <label for="restore-file">{t!(i18n, restore_file_label)}</label>
                <input id="restore-file" type="file" accept=".tandem,application/octet-stream" node_ref=restore_file required />
                <label for="restore-pass">{t!(i18n, restore_pass_label)}</label>
                <input id="restore-pass" type="password" autocomplete="current-password" required
                    prop:value=move || restore_pass.get() on:input=move |ev| restore_pass.set(event_target_value(&ev)) />
                <button type="submit" disabled=move || unavailable() || restore_busy.get()>{t!(i18n, restore_button)}</button>
                <Show when=move || restore_busy.get()>
                    <p class="muted" role="status">{t!(i18n, restore_working)}</p>
                </Show>
                {move || restored.get().map(|r| view! {
                    <p class="done" role="status">
                        {t!(i18n, restore_done, added = move || r.added.to_string(), merged = move || r.merged.to_string())}
                    </p>
                })}
                <Show when=move || restore_error.get().is_some()>
                    <p class="error" role="alert">{move || restore_error.get()}</p>
                </Show>
            </form>
        </div>
    }
}

/// Opens the chosen backup with the passphrase and adds what it holds to this device.
async fn restore_from(
    device: &Device,
    i18n: leptos_i18n::I18nContext<Locale>,
    input: &web_sys::HtmlInputElement,
    passphrase: &str,
) -> Result<Restored, String> {
    let bytes = match read_chosen(input).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Err(t_string!(i18n, restore_no_file).to_string()),
        Err(ReadError::TooLarge) => return Err(t_string!(i18n, import_too_large).to_string()),
        Err(ReadError::Failed(e)) => {
            return Err(format!("{} {e}", t_string!(i18n, data_file_failed)))
        }
    };
    let plain = backup::open(&bytes, passphrase).map_err(|e| backup_error_text(i18n, &e))?;
    let content = BackupContent::read(&plain).map_err(|e| backup_error_text(i18n, &e))?;
    let store = device
        .store()
        .ok_or_else(|| Problem::StorageUnavailable.text(i18n))?;
    let restored = store
        .restore(&content.vacancies, &content.settings, &content.attachments)
        .await
        .map_err(|e| Problem::from(&e).text(i18n))?;
    // Memos the old device had not sent yet go from here now.
    device.uploads.kick();
    // A new phone takes on the backed-up device's name, colour and person.
    device.read_identity(&store).await;
    Ok(restored)
}
