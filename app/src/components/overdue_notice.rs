//! While a vacancy is open: a notice when one of its dated items becomes overdue.

use leptos::prelude::*;

use crate::session::SessionHandle;

#[component]
pub fn OverdueNotice(session: SessionHandle) -> impl IntoView {
    let _ = session;
}
