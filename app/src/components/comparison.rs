//! The comparison of a vacancy's candidates against the scorecard, and how the partnership is
//! doing.

use leptos::prelude::*;

use crate::session::SessionHandle;

#[component]
pub fn ComparisonPage(session: SessionHandle) -> impl IntoView {
    let _ = session;
    view! { <section class="comparison"></section> }
}
