//! An interview's page: its kit (what to assess and ask, how to interview well, the note left by
//! the previous interviewer; printable) and the interviewer's feedback form.

use leptos::prelude::*;
use tandem_domain::InterviewId;

use crate::session::SessionHandle;

#[component]
pub fn InterviewPage(session: SessionHandle, interview: InterviewId) -> impl IntoView {
    let _ = (session, interview);
    view! { <section class="interview"></section> }
}
