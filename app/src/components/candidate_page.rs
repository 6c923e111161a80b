//! One candidate: details, stage, interviews, feedback so far and decisions.

use leptos::prelude::*;
use tandem_domain::CandidateId;

use crate::session::SessionHandle;

#[component]
pub fn CandidatePage(session: SessionHandle, candidate: CandidateId) -> impl IntoView {
    let _ = (session, candidate);
    view! { <section class="candidate"></section> }
}
