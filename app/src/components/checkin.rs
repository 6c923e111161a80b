//! The Check-in section: the weekly check-in's agenda from the live state, and the notes of
//! each check-in with who attended.

use leptos::prelude::*;

use crate::session::SessionHandle;

#[component]
pub fn CheckinSection(session: SessionHandle) -> impl IntoView {
    let _ = session;
}
