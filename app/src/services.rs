//! The app's long-lived parts, one of each per tab: local storage, the relay connection and the
//! device profile.
//!
//! They hold browser objects that are not `Send`, which Leptos contexts require, so they live in
//! thread-locals (a wasm tab has exactly one thread) and are reached through these functions.

use std::cell::RefCell;
use std::rc::Rc;

use crate::local_store::LocalStore;
use crate::sync_client::SyncClient;

#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    pub name: String,
    pub colour: String,
}

thread_local! {
    static STORE: RefCell<Option<LocalStore>> = const { RefCell::new(None) };
    static CLIENT: RefCell<Option<Rc<SyncClient>>> = const { RefCell::new(None) };
    static PROFILE: RefCell<Option<Profile>> = const { RefCell::new(None) };
    static TAB_ID: [u8; 8] = {
        let mut id = [0u8; 8];
        tandem_protocol::crypto::fill_random(&mut id);
        id
    };
}

pub fn store() -> Option<LocalStore> {
    STORE.with(|s| s.borrow().clone())
}

pub fn set_store(store: LocalStore) {
    STORE.with(|s| *s.borrow_mut() = Some(store));
}

pub fn client() -> Option<Rc<SyncClient>> {
    CLIENT.with(|c| c.borrow().clone())
}

pub fn set_client(client: Rc<SyncClient>) {
    CLIENT.with(|c| *c.borrow_mut() = Some(client));
}

pub fn profile() -> Option<Profile> {
    PROFILE.with(|p| p.borrow().clone())
}

pub fn set_profile(profile: Profile) {
    PROFILE.with(|p| *p.borrow_mut() = Some(profile));
}

pub fn tab_id() -> [u8; 8] {
    TAB_ID.with(|t| *t)
}
