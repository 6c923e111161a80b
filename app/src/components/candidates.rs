//! The Candidates section: the pipeline by stage (a column per stage on a laptop, one below the
//! other on a phone), adding a candidate, the way to the comparison, and the feedback owed.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use tandem_domain::{Candidate, CandidateId, CandidateStage, PipelineColumn};

use super::dates::{date_text, local_date_time, local_now};
use super::feedback_owed::FeedbackOwed;
use crate::i18n::*;
use crate::pages::{candidate_path, section_path};
use crate::session::SessionHandle;

#[component]
pub fn CandidatesSection(session: SessionHandle) -> impl IntoView {
    let i18n = use_i18n();
    let s = session.get_value();
    let (version, doc) = (s.version, s.doc);
    let pipeline = Memo::new(move |_| {
        version.track();
        session.with_value(|s| s.vacancy.borrow().pipeline())
    });
    let no_stages = Memo::new(move |_| {
        version.track();
        session.with_value(|s| s.vacancy.borrow().stages().is_empty())
    });
    let read_only = Memo::new(move |_| {
        version.track();
        session.with_value(|s| s.read_only())
    });
    let new_name = RwSignal::new(String::new());
    let navigate = use_navigate();
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = new_name.get_untracked();
        if name.trim().is_empty() {
            return;
        }
        let mut made = None;
        session.get_value().edit(|v| {
            v.add_candidate(name.trim(), js_sys::Date::now() as i64)
                .map(|(id, change)| {
                    made = Some(id);
                    Some(change)
                })
        });
        new_name.set(String::new());
        // Straight to the new candidate: their details and first interview come next.
        if let Some(id) = made {
            navigate(&candidate_path(doc, &id), Default::default());
        }
    };

    view! {
        <section class="candidates" aria-labelledby="candidates-heading">
            <div class="section-head">
                <h2 id="candidates-heading">{t!(i18n, candidates)}</h2>
                <a class="button secondary" href=section_path(doc, "compare")>{t!(i18n, compare_candidates)}</a>
            </div>
            <Show when=move || no_stages.get()>
                <p class="hint">
                    {t!(i18n, candidates_no_stages)}" "
                    <a href=section_path(doc, "intake")>{t!(i18n, candidates_no_stages_link)}</a>
                </p>
            </Show>
            // A candidate starts in the first stage, so there is none to add before there are stages.
            <Show when=move || !no_stages.get()>
                <form class="add-candidate" on:submit=add.clone()>
                    <label for="new-candidate">{t!(i18n, new_candidate_name)}</label>
                    <div class="add-line">
                        <input id="new-candidate" type="text" autocomplete="off" required
                            prop:value=move || new_name.get()
                            on:input=move |ev| new_name.set(event_target_value(&ev)) />
                        <button type="submit" disabled=move || read_only.get()>{t!(i18n, add_candidate)}</button>
                    </div>
                </form>
            </Show>
            <ol class="pipeline-board">
                {move || {
                    let columns = pipeline.get();
                    // Once for the whole board, not once a card.
                    let counts = session.with_value(|s| s.vacancy.borrow().submitted_counts());
                    columns.into_iter().map(|column| {
                        let counts = counts.clone();
                        view! { <PipelineColumnView session column counts /> }
                    }).collect_view()
                }}
            </ol>
        </section>
        <FeedbackOwed session />
    }
}

#[component]
fn PipelineColumnView(
    session: SessionHandle,
    column: PipelineColumn,
    /// Feedback submitted and expected, by candidate ([`tandem_domain::Vacancy::submitted_counts`]).
    counts: BTreeMap<CandidateId, (usize, usize)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let doc = session.with_value(|s| s.doc);
    let name = stage_name(i18n, session, &column.stage);
    let count = column.candidates.len();
    let empty = column.candidates.is_empty();
    let rejected = column.stage == CandidateStage::Rejected;
    let cards = column
        .candidates
        .into_iter()
        .map(|c| {
            let feedback = counts.get(&c.id).copied().unwrap_or((0, 0));
            view! { <li><CandidateCard doc candidate=c feedback /></li> }
        })
        .collect_view();
    let list = view! { <ul class="candidate-cards">{cards}</ul> };
    view! {
        <li class="pipeline-column" class:final=column.stage.is_final()>
            <h3>{name}" "<span class="count">{count}</span></h3>
            {if empty {
                view! { <p class="muted">{t!(i18n, pipeline_empty)}</p> }.into_any()
            } else if rejected {
                // Out of the process: kept, but out of the way.
                view! {
                    <details class="rejected-list">
                        <summary>{t!(i18n, show_rejected)}</summary>
                        {list}
                    </details>
                }.into_any()
            } else {
                list.into_any()
            }}
        </li>
    }
}

#[component]
fn CandidateCard(
    doc: tandem_protocol::DocId,
    candidate: Candidate,
    /// Feedback submitted and expected for this candidate.
    feedback: (usize, usize),
) -> impl IntoView {
    let i18n = use_i18n();
    let (submitted, expected) = feedback;
    let entered = local_date_time(candidate.since);
    let since = entered
        .map(|t| date_text(i18n, t.date(), false))
        .unwrap_or_default();
    let in_stage_today = entered.is_some_and(|t| t.date() == local_now().date());
    let name = if candidate.name.trim().is_empty() {
        t_string!(i18n, unnamed_candidate).to_string()
    } else {
        candidate.name.clone()
    };
    view! {
        <a class="candidate-card" href=candidate_path(doc, &candidate.id)>
            <span class="name">{name}</span>
            <span class="meta">
                {if in_stage_today {
                    t_string!(i18n, in_stage_since_today).to_string()
                } else {
                    format!("{} {since}", t_string!(i18n, in_stage_since))
                }}
                {(expected > 0).then(|| view! {
                    " · "{t!(i18n, feedback_count, submitted = submitted, expected = expected)}
                })}
            </span>
        </a>
    }
}

/// A stage of the pipeline by its name: the intake's stage, or hired / rejected.
pub fn stage_name(
    i18n: leptos_i18n::I18nContext<Locale>,
    session: SessionHandle,
    stage: &CandidateStage,
) -> String {
    match stage {
        CandidateStage::Hired => t_string!(i18n, pipeline_hired).to_string(),
        CandidateStage::Rejected => t_string!(i18n, pipeline_rejected).to_string(),
        CandidateStage::Stage(id) => session
            .with_value(|s| {
                s.vacancy
                    .borrow()
                    .stages()
                    .into_iter()
                    .find(|st| &st.id == id)
                    .map(|st| st.name)
            })
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| t_string!(i18n, pipeline_unnamed_stage).to_string()),
    }
}
