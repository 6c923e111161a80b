//! The tab's long-lived parts, shared with every page through Leptos context: local storage
//! (once it is open), the relay connection, the attachment uploads, this device's profile, its
//! person id and the tab's id.
//!
//! They hold browser objects that are not `Send`, so the context carries a `StoredValue` with
//! local storage, which is `Copy` and lives as long as the app.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use tandem_domain::PersonId;

use crate::attachments::upload::Uploads;
use crate::presence::{palette_colour, safe_name, COLOURS};
use crate::problem::Problem;
use crate::storage::LocalStore;
use crate::sync::Sync;

/// Whether local storage is open: pages wait for it so they render the device's data at once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StoreState {
    Opening,
    Ready,
    Failed,
}

/// The name and colour this device shows to partners.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    pub name: String,
    pub colour: String,
}

const PROFILE_KEY: &str = "profile";
const PERSON_KEY: &str = "person-id";

/// A fresh random person id (128 bits, hex).
fn random_person_id() -> PersonId {
    let mut bytes = [0u8; 16];
    tandem_protocol::crypto::fill_random(&mut bytes);
    PersonId(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

pub struct Device {
    store: RefCell<Option<LocalStore>>,
    pub store_state: RwSignal<StoreState>,
    /// Why local storage could not be opened, if it could not.
    pub store_problem: RwSignal<Option<Problem>>,
    pub sync: Rc<Sync>,
    /// Voice memos on their way to the relay, sent in the background from any page.
    pub uploads: Rc<Uploads>,
    pub profile: RwSignal<Profile>,
    /// Random per tab: names this tab's chunks in storage and its presence.
    pub tab_id: [u8; 8],
    /// Who this device is in the vacancies it opens (see `tandem_domain::people`): made once
    /// per device and kept, so the same person comes back after a reload.
    pub person: RwSignal<PersonId>,
}

#[derive(Clone, Copy)]
struct DeviceContext(StoredValue<Rc<Device>, LocalStorage>);

/// Creates the device's parts, provides them to every page, and opens local storage.
pub fn provide_device() {
    let mut tab_id = [0u8; 8];
    tandem_protocol::crypto::fill_random(&mut tab_id);
    let pick = (js_sys::Math::random() * COLOURS.len() as f64) as usize;
    let device = Rc::new(Device {
        store: RefCell::new(None),
        store_state: RwSignal::new(StoreState::Opening),
        store_problem: RwSignal::new(None),
        sync: Sync::new(),
        uploads: Uploads::new(),
        profile: RwSignal::new(Profile {
            name: String::new(),
            colour: COLOURS[pick.min(COLOURS.len() - 1)].to_string(),
        }),
        tab_id,
        person: RwSignal::new(random_person_id()),
    });
    provide_context(DeviceContext(StoredValue::new_local(Rc::clone(&device))));
    spawn_local(async move {
        match LocalStore::open().await {
            Ok(store) => {
                device.read_identity(&store).await;
                device.uploads.start(store.clone());
                *device.store.borrow_mut() = Some(store);
                device.store_state.set(StoreState::Ready);
            }
            Err(e) => {
                device.store_problem.set(Some(Problem::from(&e)));
                device.store_state.set(StoreState::Failed);
            }
        }
    });
}

fn is_person_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The device's parts, from any component under the app.
pub fn use_device() -> Rc<Device> {
    expect_context::<DeviceContext>().0.get_value()
}

impl Device {
    pub fn store(&self) -> Option<LocalStore> {
        self.store.borrow().clone()
    }

    /// Reads who this device is (profile and person id) from storage, making the person id
    /// when there is none: at start, and again after a backup brought another device's.
    pub async fn read_identity(&self, store: &LocalStore) {
        if let Ok(Some(saved)) = store.setting(PROFILE_KEY).await {
            if let Some((colour, name)) = saved.split_once('|') {
                // Anything on this device (or an older app) may have written it, and the
                // colour goes into style attributes here and on partners' screens: only a
                // palette colour replaces the one picked at start.
                self.profile.update(|p| {
                    p.name = safe_name(name);
                    if let Some(colour) = palette_colour(colour) {
                        p.colour = colour.to_string();
                    }
                });
            }
        }
        // Anything else that once wrote this key is replaced by an id of our own shape.
        match store.setting(PERSON_KEY).await {
            Ok(Some(id)) if is_person_id(&id) => self.person.set(PersonId(id)),
            _ => {
                let id = self.person.get_untracked();
                // Not kept, this device is a new person at each start; the pages still
                // work, and storage that cannot write is reported when a vacancy is saved.
                let _ = store.set_setting(PERSON_KEY, id.as_str()).await;
            }
        }
    }

    /// Changes the profile here and remembers it on the device.
    pub fn save_profile(&self, profile: Profile) {
        self.profile.set(profile.clone());
        if let Some(store) = self.store() {
            spawn_local(async move {
                let value = format!("{}|{}", profile.colour, profile.name);
                let _ = store.set_setting(PROFILE_KEY, &value).await;
            });
        }
    }
}
