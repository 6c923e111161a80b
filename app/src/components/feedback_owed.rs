//! The feedback still owed on a vacancy, for both partners: who owes it on which candidate, when
//! the interview was, when it is due and its state; with a nudge, a link straight to that
//! interview's feedback form, sent with the system share sheet where the browser has one and
//! copied to the clipboard otherwise.
//!
//! The nudge link carries the vacancy's secret (`/v/<doc>/interview/<id>#<secret>`), as the
//! share link does: the interviewer may not have the vacancy on their phone yet. The vacancy
//! page reads the secret from the fragment and drops it from the address once stored.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tandem_domain::changes::{Area, Section};
use tandem_domain::deadlines::{Due, DueState, NaiveDateTime};
use tandem_domain::interviews::format_interview_time;
use tandem_domain::{InterviewId, PersonId};
use wasm_bindgen::JsValue;

use super::dates::{due_text, local_now};
use super::people::{display_name, use_me};
use super::planning::due_chip;
use crate::i18n::*;
use crate::pages::interview_path;
use crate::session::SessionHandle;

/// One feedback owed, as the list shows it.
#[derive(Clone, PartialEq)]
struct Owed {
    interview: InterviewId,
    interviewer: PersonId,
    person: String,
    candidate: String,
    at: Option<NaiveDateTime>,
    due: Due,
    state: DueState,
}

/// What a nudge has done so far.
#[derive(Clone, PartialEq)]
enum Nudged {
    Not,
    Shared,
    Copied,
    /// Neither sharing nor the clipboard is available: the link, to copy by hand.
    Manual(String),
}

#[component]
pub fn FeedbackOwed(session: SessionHandle) -> impl IntoView {
    let i18n = use_i18n();
    // The states follow the clock as well as the document; the interval stops with the list.
    let now = RwSignal::new(local_now());
    let tick = gloo_timers::callback::Interval::new(30_000, move || now.set(local_now()));
    StoredValue::new_local(tick);
    let owed = Memo::new(move |_| {
        crate::timing::mark("tandem:owed");
        let now = now.get();
        let owed = session.with_value(|s| {
            // Who interviewed, who submitted, who they are, and the agreed hours; of the
            // candidates, which there are and (below) the names of those shown. Not the intake
            // or the scorecard: a keystroke there reads none of this.
            for section in [
                Section::Interviews,
                Section::Feedback,
                Section::People,
                Section::Agreements,
            ] {
                s.track(Area::Section(section));
            }
            s.track(Area::Pipeline);
            let v = s.vacancy.borrow();
            let people = v.people();
            v.feedback_owed(now)
                .into_iter()
                .map(|o| {
                    let person = people
                        .iter()
                        .find(|p| p.id == o.interviewer)
                        .map(|p| display_name(i18n, p))
                        .unwrap_or_else(|| t_string!(i18n, unnamed_item).to_string());
                    s.track(Area::Candidate(o.candidate.clone()));
                    let candidate = v
                        .candidate(&o.candidate)
                        .map(|c| c.name.trim().to_string())
                        .filter(|n| !n.is_empty())
                        .unwrap_or_else(|| t_string!(i18n, unnamed_item).to_string());
                    Owed {
                        at: v.interview(&o.interview).and_then(|i| i.at),
                        interview: o.interview,
                        interviewer: o.interviewer,
                        person,
                        candidate,
                        due: o.due,
                        state: o.state,
                    }
                })
                .collect::<Vec<_>>()
        });
        crate::timing::mark("tandem:owed-read");
        owed
    });

    view! {
        <section class="feedback-owed" aria-labelledby="feedback-owed-heading">
            <h2 id="feedback-owed-heading">{t!(i18n, owed_heading)}</h2>
            <Show when=move || owed.with(|o| !o.is_empty())
                fallback=move || view! { <p class="empty">{t!(i18n, owed_none)}</p> }>
                <ul class="owed-list">
                    <For each=move || owed.get()
                        key=|o| (o.interview.clone(), o.interviewer.clone(), o.person.clone(), o.candidate.clone(), o.at, o.due, o.state)
                        let:o>
                        <OwedRow session o />
                    </For>
                </ul>
            </Show>
        </section>
    }
}

#[component]
fn OwedRow(session: SessionHandle, o: Owed) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let s = session.get_value();
    let path = interview_path(s.doc, &o.interview);
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    // `?feedback` takes the page straight to the form (see `feedback_form`).
    let url = format!("{origin}{path}?feedback#{}", s.link.secret.to_base64());
    let mine = me.with_untracked(|m| m.as_ref().is_some_and(|m| m.id == o.interviewer));
    let nudged = RwSignal::new(Nudged::Not);
    let candidate = o.candidate.clone();
    let nudge = move |_| {
        let url = url.clone();
        let title = candidate.clone();
        let text = t_string!(i18n, nudge_text).to_string();
        spawn_local(async move {
            let result = send_link(&url, &title, &text).await;
            let _ = nudged.try_set(result);
        });
    };
    let when = o.at.map(|at| due_text(i18n, &format_interview_time(at)));
    let due = due_text(i18n, &o.due.to_string());
    let person = o.person.clone();
    let label = move || format!("{} ({})", t_string!(i18n, nudge), person);

    view! {
        <li class="owed" data-due=match o.state { DueState::Overdue => "overdue", DueState::DueSoon => "due-soon", _ => "on-time" }>
            <div class="owed-text">
                <p class="owed-title">
                    <strong>{o.person.clone()}</strong>" · "
                    <a href=path.clone()>{o.candidate.clone()}</a>
                </p>
                <p class="owed-meta">
                    {when.map(|w| view! { <span>{t!(i18n, owed_interview, when = move || w.clone())}</span>" · " })}
                    <span>{t!(i18n, owed_due, when = move || due.clone())}</span>
                    " "{due_chip(i18n, o.state)}
                </p>
            </div>
            {if mine {
                view! { <a class="owed-action" href=path>{t!(i18n, owed_give_yours)}</a> }.into_any()
            } else {
                view! {
                    <button type="button" class="owed-action secondary" on:click=nudge aria-label=label>
                        {t!(i18n, nudge)}
                    </button>
                }.into_any()
            }}
            <p class="owed-nudged" role="status">
                {move || match nudged.get() {
                    Nudged::Not => ().into_any(),
                    Nudged::Shared => t!(i18n, nudge_shared).into_any(),
                    Nudged::Copied => t!(i18n, link_copied).into_any(),
                    Nudged::Manual(url) => view! {
                        <label>{t!(i18n, nudge_copy_manually)}
                            <input type="text" readonly prop:value=url
                                on:focus=|ev| {
                                    if let Some(el) = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok()) { el.select() }
                                } />
                        </label>
                    }.into_any(),
                }}
            </p>
        </li>
    }
}

/// Sends a link with the system share sheet if the browser has one, else copies it. A share the
/// person cancels is no failure and copies nothing.
async fn send_link(url: &str, title: &str, text: &str) -> Nudged {
    let Some(window) = web_sys::window() else {
        return Nudged::Manual(url.to_string());
    };
    let navigator = window.navigator();
    // Both exist only in secure contexts (https or localhost); calling a missing one throws.
    let has =
        |name: &str| js_sys::Reflect::has(&navigator, &JsValue::from_str(name)).unwrap_or(false);
    if has("share") {
        let data = web_sys::ShareData::new();
        data.set_url(url);
        data.set_title(title);
        data.set_text(text);
        match wasm_bindgen_futures::JsFuture::from(navigator.share_with_data(&data)).await {
            Ok(_) => return Nudged::Shared,
            Err(e) => {
                let name = js_sys::Reflect::get(&e, &JsValue::from_str("name"))
                    .ok()
                    .and_then(|n| n.as_string());
                if name.as_deref() == Some("AbortError") {
                    return Nudged::Not;
                }
            }
        }
    }
    if has("clipboard") {
        let promise = navigator.clipboard().write_text(url);
        if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
            return Nudged::Copied;
        }
    }
    Nudged::Manual(url.to_string())
}
