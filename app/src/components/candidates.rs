//! The Candidates section: the pipeline by stage, adding a candidate, and the feedback owed.

use leptos::prelude::*;

use crate::session::SessionHandle;

#[component]
pub fn CandidatesSection(session: SessionHandle) -> impl IntoView {
    let _ = session;
    view! { <section class="candidates"></section> }
}
