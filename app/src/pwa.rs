//! The app as an installed web app that starts offline: the service worker and its updates, the
//! browser's install prompt, and persistent storage with how much of it is used.
//!
//! Browser objects here are not `Send`, so they live in `StoredValue`s local to this thread; the
//! pages follow the signals in [`Pwa`], provided through Leptos context by [`provide_pwa`].
//!
//! The worker itself (`sw.js`, written per build by `scripts/write-sw.mjs` from
//! `app/sw.template.js`) keeps the app shell; the vacancies stay in IndexedDB.

use gloo_events::EventListener;
use gloo_timers::callback::Interval;
use js_sys::{Function, Promise, Reflect};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    RegistrationOptions, ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState,
    ServiceWorkerUpdateViaCache, StorageEstimate, StorageManager,
};

/// Whether this build registers the service worker. Only release builds do: `trunk serve`
/// makes debug builds and rebuilds them on every save, and a worker would keep answering with
/// the shell it cached first, so a developer would see a stale build. Release builds come from
/// `scripts/build.sh`, the one path that writes `sw.js` (a `trunk serve --release` has none, so
/// registering there fails harmlessly with a 404 and caches nothing).
const REGISTER_WORKER: bool = !cfg!(debug_assertions);

/// How often an open tab asks the relay whether there is a new build (the browser also asks on
/// every page load).
const UPDATE_CHECK_MS: u32 = 60 * 60 * 1000;

/// How often the storage figures shown in the settings are read again.
const STORAGE_CHECK_MS: u32 = 60 * 1000;

/// Above this share of the quota, the app warns that the device's storage is nearly full.
pub const NEARLY_FULL: f64 = 0.8;

/// The message the worker takes as "take over now" (see `app/sw.template.js`).
const SKIP_WAITING: &str = "skip-waiting";

/// Where a declined install offer is remembered, so it is not made again.
const INSTALL_DISMISSED_KEY: &str = "tandem.install-dismissed";

/// How much of the device's storage this app uses, and whether the browser keeps it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StorageUse {
    /// Bytes used by this site.
    pub usage: f64,
    /// Bytes this site may use.
    pub quota: f64,
    /// Whether the browser keeps the data even when space runs low.
    pub persisted: bool,
}

impl StorageUse {
    pub fn nearly_full(&self) -> bool {
        self.quota > 0.0 && self.usage / self.quota > NEARLY_FULL
    }
}

/// What the pages follow: a new build waiting, the install offer, storage use.
#[derive(Clone, Copy)]
pub struct Pwa {
    /// A new build's worker is installed and waiting for this page to let it take over.
    pub update_ready: RwSignal<bool>,
    /// The browser offered to install the app and the user has not declined it here.
    pub can_install: RwSignal<bool>,
    /// The latest storage figures, once read.
    pub storage: RwSignal<Option<StorageUse>>,
    registration: StoredValue<Option<ServiceWorkerRegistration>, LocalStorage>,
    install_event: StoredValue<Option<JsValue>, LocalStorage>,
    reloading: StoredValue<bool>,
    asked_persistence: StoredValue<bool>,
}

/// Sets up the worker, the install offer and the storage figures, and provides [`Pwa`].
pub fn provide_pwa() {
    let pwa = Pwa {
        update_ready: RwSignal::new(false),
        can_install: RwSignal::new(false),
        storage: RwSignal::new(None),
        registration: StoredValue::new_local(None),
        install_event: StoredValue::new_local(None),
        reloading: StoredValue::new(false),
        asked_persistence: StoredValue::new(false),
    };
    provide_context(pwa);
    listen_for_install_offer(pwa);
    if REGISTER_WORKER {
        spawn_local(register_worker(pwa));
    }
    pwa.refresh_storage();
    Interval::new(STORAGE_CHECK_MS, move || pwa.refresh_storage()).forget();
}

pub fn use_pwa() -> Pwa {
    expect_context::<Pwa>()
}

/// The worker container, where there is one: not outside a secure context (plain http to a
/// LAN address), where `navigator.serviceWorker` is undefined.
fn worker_container() -> Option<ServiceWorkerContainer> {
    let window = web_sys::window()?;
    if !window.is_secure_context() {
        return None;
    }
    let navigator = window.navigator();
    let present = Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false);
    present.then(|| navigator.service_worker())
}

async fn register_worker(pwa: Pwa) {
    let Some(container) = worker_container() else {
        return;
    };
    // Reload once, and only when the user asked for the new build: the first worker taking over
    // a page also changes its controller, and that page is already the current build.
    EventListener::new(&container, "controllerchange", move |_| {
        if pwa.reloading.get_value() {
            pwa.reloading.set_value(false);
            if let Some(window) = web_sys::window() {
                let _ = window.location().reload();
            }
        }
    })
    .forget();

    let options = RegistrationOptions::new();
    options.set_scope("/");
    // The worker script is always fetched from the relay, never from the HTTP cache, so a new
    // build is seen on the next check.
    options.set_update_via_cache(ServiceWorkerUpdateViaCache::None);
    let registration = match JsFuture::from(container.register_with_options("/sw.js", &options))
        .await
        .map(|r| r.dyn_into::<ServiceWorkerRegistration>())
    {
        Ok(Ok(registration)) => registration,
        // The app works without it, only not offline from a cold start; nothing to tell the
        // user that they could act on.
        Ok(Err(_)) | Err(_) => {
            web_sys::console::warn_1(&JsValue::from_str(
                "Tandem: the service worker could not be registered; no offline start",
            ));
            return;
        }
    };
    pwa.registration.set_value(Some(registration.clone()));

    // A new build that finished installing while no page of ours was open, or in another tab.
    let has_controller = move || worker_container().and_then(|c| c.controller()).is_some();
    if registration.waiting().is_some() && has_controller() {
        pwa.update_ready.set(true);
    }
    let reg = registration.clone();
    EventListener::new(&registration, "updatefound", move |_| {
        let Some(worker) = reg.installing() else {
            return;
        };
        let watched = worker.clone();
        EventListener::new(&worker, "statechange", move |_| {
            // Installed while a page is controlled: a new build, not the first install.
            if watched.state() == ServiceWorkerState::Installed && has_controller() {
                pwa.update_ready.set(true);
            }
        })
        .forget();
    })
    .forget();

    // A tab left open for days still hears of new builds.
    Interval::new(UPDATE_CHECK_MS, move || {
        if let Some(Ok(check)) = pwa
            .registration
            .with_value(|r| r.as_ref().map(|r| r.update()))
        {
            spawn_local(async move {
                // Offline or the relay down: the next check will do.
                let _ = JsFuture::from(check).await;
            });
        }
    })
    .forget();
}

fn listen_for_install_offer(pwa: Pwa) {
    let Some(window) = web_sys::window() else {
        return;
    };
    EventListener::new(&window, "beforeinstallprompt", move |event| {
        // Keep the browser's own mini-infobar away: the app offers it at a moment that suits.
        event.prevent_default();
        pwa.install_event.set_value(Some(event.clone().into()));
        pwa.can_install.set(!install_dismissed());
    })
    .forget();
    EventListener::new(&window, "appinstalled", move |_| {
        pwa.install_event.set_value(None);
        pwa.can_install.set(false);
    })
    .forget();
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn install_dismissed() -> bool {
    local_storage()
        .and_then(|s| s.get_item(INSTALL_DISMISSED_KEY).ok().flatten())
        .is_some()
}

fn storage_manager() -> Option<StorageManager> {
    let navigator = web_sys::window()?.navigator();
    Reflect::has(&navigator, &JsValue::from_str("storage"))
        .unwrap_or(false)
        .then(|| navigator.storage())
}

async fn promised(promise: Result<Promise, JsValue>) -> Option<JsValue> {
    JsFuture::from(promise.ok()?).await.ok()
}

impl Pwa {
    /// Lets the waiting build take over; the page reloads once it has.
    pub fn apply_update(&self) {
        let waiting = self
            .registration
            .with_value(|r| r.as_ref().and_then(|r| r.waiting()));
        match waiting {
            Some(worker) => {
                self.reloading.set_value(true);
                if worker
                    .post_message(&JsValue::from_str(SKIP_WAITING))
                    .is_err()
                {
                    self.reloading.set_value(false);
                }
            }
            // Taken over already (by another tab): a reload gets the new build.
            None => {
                if let Some(window) = web_sys::window() {
                    let _ = window.location().reload();
                }
            }
        }
    }

    /// Shows the browser's install dialog; a "no" there is remembered like [`Self::decline_install`].
    pub fn install(&self) {
        let Some(event) = self.install_event.get_value() else {
            return;
        };
        let this = *self;
        spawn_local(async move {
            let prompt = Reflect::get(&event, &JsValue::from_str("prompt"))
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok());
            let Some(shown) = prompt.and_then(|f| f.call0(&event).ok()) else {
                return;
            };
            // The event can prompt once only.
            this.install_event.set_value(None);
            this.can_install.set(false);
            let _ = JsFuture::from(Promise::resolve(&shown)).await;
            let choice = Reflect::get(&event, &JsValue::from_str("userChoice"))
                .ok()
                .and_then(|p| p.dyn_into::<Promise>().ok());
            if let Some(choice) = choice {
                if let Ok(result) = JsFuture::from(choice).await {
                    let outcome = Reflect::get(&result, &JsValue::from_str("outcome"))
                        .ok()
                        .and_then(|o| o.as_string());
                    if outcome.as_deref() == Some("dismissed") {
                        remember_install_declined();
                    }
                }
            }
        });
    }

    /// The user does not want the app installed: the offer is not made again on this device.
    pub fn decline_install(&self) {
        remember_install_declined();
        self.can_install.set(false);
    }

    /// Asks the browser to keep this site's data when space runs low; once per tab, and only
    /// once the user has something worth keeping (a vacancy is open).
    pub fn ask_persistent_storage(&self) {
        if self.asked_persistence.get_value() {
            return;
        }
        self.asked_persistence.set_value(true);
        let this = *self;
        spawn_local(async move {
            let Some(storage) = storage_manager() else {
                return;
            };
            let already = promised(storage.persisted())
                .await
                .and_then(|v| v.as_bool());
            if already != Some(true) {
                // Chromium decides without asking (by how much the site is used); Firefox asks.
                let _ = promised(storage.persist()).await;
            }
            this.refresh_storage();
        });
    }

    /// Reads how much storage is used again.
    pub fn refresh_storage(&self) {
        let storage = self.storage;
        spawn_local(async move {
            let Some(manager) = storage_manager() else {
                return;
            };
            let Some(estimate) = promised(manager.estimate()).await else {
                return;
            };
            let estimate: StorageEstimate = estimate.unchecked_into();
            let persisted = promised(manager.persisted())
                .await
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            storage.set(Some(StorageUse {
                usage: estimate.get_usage().unwrap_or(0.0),
                quota: estimate.get_quota().unwrap_or(0.0),
                persisted,
            }));
        });
    }
}

fn remember_install_declined() {
    if let Some(s) = local_storage() {
        let _ = s.set_item(INSTALL_DISMISSED_KEY, "1");
    }
}
