//! The Planning section: the agreements with numbers, a target date per stage, and the action
//! items with their owners, due dates and state.

use leptos::prelude::*;

use crate::session::SessionHandle;

#[component]
pub fn PlanningSection(session: SessionHandle) -> impl IntoView {
    let _ = session;
}
