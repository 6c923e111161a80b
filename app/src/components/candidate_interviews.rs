//! A candidate's interviews (stage, date and time, interviewers, the way to the kit and the
//! feedback form) and the feedback on them so far, as the independent-judgement rule allows.

use leptos::prelude::*;
use tandem_domain::changes::{Area, Section};
use tandem_domain::interviews::format_interview_time;
use tandem_domain::{
    CandidateId, CandidateStage, Feedback, InterviewId, Recommendation, StageId, Visibility,
};

use super::candidates::stage_name;
use super::criterion_details::level_name;
use super::dates::{due_text, when_text};
use super::people::{display_name, use_me};
use crate::i18n::*;
use crate::pages::interview_path;
use crate::session::SessionHandle;

#[component]
pub fn CandidateInterviews(
    session: SessionHandle,
    candidate: CandidateId,
    read_only: Memo<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let candidate = StoredValue::new(candidate);
    let interviews = Memo::new(move |_| {
        session.with_value(|s| {
            s.track(Area::Candidate(candidate.get_value()));
            s.vacancy.borrow().interviews_of(&candidate.get_value())
        })
    });
    let stages = Memo::new(move |_| {
        session.with_value(|s| {
            s.track(Area::Stages);
            s.vacancy.borrow().stages()
        })
    });
    // The new interview's stage: the one the candidate is in, unless chosen otherwise.
    let chosen_stage = RwSignal::new(None::<StageId>);
    let current_stage = move || {
        session.with_value(|s| {
            let v = s.vacancy.borrow();
            match v.candidate(&candidate.get_value()).map(|c| c.stage) {
                Some(CandidateStage::Stage(id)) => Some(id),
                _ => v.stages().first().map(|s| s.id.clone()),
            }
        })
    };
    let stage_for_new = move || chosen_stage.get().or_else(current_stage);
    let new_at = RwSignal::new(String::new());
    let plan = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(stage) = stage_for_new() else { return };
        let at = new_at.get_untracked();
        let at = (!at.trim().is_empty()).then_some(at);
        session.get_value().edit(|v| {
            v.add_interview(&candidate.get_value(), &stage, at.as_deref())
                .map(|(_, change)| Some(change))
        });
        new_at.set(String::new());
    };

    view! {
        <section class="interviews card" aria-labelledby="interviews-heading">
            <h3 id="interviews-heading">{t!(i18n, interviews_heading)}</h3>
            <Show when=move || interviews.with(|i| i.is_empty())>
                <p class="muted">{t!(i18n, interviews_none)}</p>
            </Show>
            <ul class="interview-list">
                <For each=move || interviews.get() key=|i| i.id.clone() let:interview>
                    <InterviewEntry session id=interview.id read_only />
                </For>
            </ul>
            <Show when=move || !stages.with(|s| s.is_empty())
                fallback=move || view! { <p class="hint">{t!(i18n, candidates_no_stages)}</p> }>
                <form class="plan-interview" on:submit=plan>
                    <h4>{t!(i18n, interview_new)}</h4>
                    <label for="new-interview-stage">{t!(i18n, interview_stage)}</label>
                    <select id="new-interview-stage" on:change=move |ev| chosen_stage.set(Some(StageId(event_target_value(&ev))))>
                        {move || stages.get().into_iter().map(|s| {
                            let selected = stage_for_new().as_ref() == Some(&s.id);
                            let name = if s.name.trim().is_empty() { t_string!(i18n, pipeline_unnamed_stage).to_string() } else { s.name.clone() };
                            view! { <option value=s.id.as_str().to_string() selected=selected>{name}</option> }
                        }).collect_view()}
                    </select>
                    <label for="new-interview-at">{t!(i18n, interview_at)}</label>
                    <input id="new-interview-at" type="datetime-local"
                        prop:value=move || new_at.get()
                        on:input=move |ev| new_at.set(event_target_value(&ev)) />
                    <button type="submit" disabled=move || read_only.get()>{t!(i18n, interview_plan)}</button>
                </form>
            </Show>
        </section>
    }
}

#[component]
fn InterviewEntry(session: SessionHandle, id: InterviewId, read_only: Memo<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let s = session.get_value();
    let doc = s.doc;
    let id = StoredValue::new(id);
    let this = Memo::new(move |_| {
        session.with_value(|s| {
            s.track(Area::Section(Section::Interviews));
            s.vacancy.borrow().interview(&id.get_value())
        })
    });
    let people = Memo::new(move |_| {
        session.with_value(|s| {
            s.track(Area::Section(Section::People));
            s.vacancy.borrow().people()
        })
    });
    let submitted_by = Memo::new(move |_| {
        session.with_value(|s| {
            s.track(Area::Section(Section::Feedback));
            s.track(Area::Section(Section::Interviews));
            let v = s.vacancy.borrow();
            let Some(i) = v.interview(&id.get_value()) else {
                return Vec::new();
            };
            v.feedback_for(&i.candidate)
                .into_iter()
                .filter(|f| f.interview == i.id)
                .map(|f| f.interviewer)
                .collect::<Vec<_>>()
        })
    });
    let stage_label = move || {
        this.with(|i| {
            i.as_ref()
                .map(|i| stage_name(i18n, session, &CandidateStage::Stage(i.stage.clone())))
        })
        .unwrap_or_default()
    };
    let when = move || {
        this.with(|i| i.as_ref().and_then(|i| i.at))
            .map(|at| due_text(i18n, &format_interview_time(at)))
            .unwrap_or_else(|| t_string!(i18n, interview_unscheduled).to_string())
    };
    let dom = id.with_value(|i| i.as_str().to_string());
    let at_id = format!("interview-{dom}-at");
    let set_at = move |ev: leptos::ev::Event| {
        let at = event_target_value(&ev);
        session
            .get_value()
            .edit(|v| v.set_interview_time(&id.get_value(), &at).map(Some));
    };

    view! {
        <li class="interview-entry">
            <p class="interview-title"><strong>{stage_label}</strong>" · "{when}</p>
            <label for=at_id.clone()>{t!(i18n, interview_at)}</label>
            <input id=at_id type="datetime-local" disabled=move || read_only.get()
                prop:value=move || this.with(|i| i.as_ref().and_then(|i| i.at).map(format_interview_time).unwrap_or_default())
                on:change=set_at />
            <fieldset class="interviewers">
                <legend>{t!(i18n, interviewers)}</legend>
                {move || people.get().into_iter().map(|p| {
                    let person = p.id.clone();
                    let checked = this.with(|i| i.as_ref().is_some_and(|i| i.interviewers.contains(&p.id)));
                    let done = submitted_by.with(|s| s.contains(&p.id));
                    view! {
                        <label class="check-inline">
                            <input type="checkbox" checked=checked disabled=move || read_only.get()
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    let person = person.clone();
                                    session.get_value().edit(|v| v.set_interviewer(&id.get_value(), &person, on).map(Some));
                                } />
                            {display_name(i18n, &p)}
                            {done.then(|| view! { <span class="status-chip" data-due="done">{t!(i18n, feedback_submitted)}</span> })}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <a class="button" href=move || interview_path(doc, &id.get_value())>{t!(i18n, interview_kit_link)}</a>
        </li>
    }
}

/// What a recommendation is called.
pub fn recommendation_text(
    i18n: leptos_i18n::I18nContext<Locale>,
    r: Recommendation,
) -> &'static str {
    match r {
        Recommendation::StrongNo => t_string!(i18n, feedback_rec_strong_no),
        Recommendation::No => t_string!(i18n, feedback_rec_no),
        Recommendation::Yes => t_string!(i18n, feedback_rec_yes),
        Recommendation::StrongYes => t_string!(i18n, feedback_rec_strong_yes),
    }
}

/// The feedback on a candidate: everything submitted, or — for an interviewer who has not
/// submitted their own yet — only how many have (independent judgement).
#[component]
pub fn CandidateFeedback(session: SessionHandle, candidate: CandidateId) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let candidate = StoredValue::new(candidate);
    let seen = Memo::new(move |_| {
        let me = me.get()?;
        Some(session.with_value(|s| {
            // The feedback on them and who interviewed them (see `feedback_visible_to`); the
            // entries show the interviewers' names and the criteria's.
            s.track(Area::Candidate(candidate.get_value()));
            s.track(Area::Section(Section::People));
            s.track(Area::Section(Section::Scorecard));
            let v = s.vacancy.borrow();
            let c = candidate.get_value();
            (
                v.feedback_visible_to(&me.id, &c),
                v.visible_feedback_for(&me.id, &c),
            )
        }))
    });
    view! {
        <section class="candidate-feedback card" aria-labelledby="candidate-feedback-heading">
            <h3 id="candidate-feedback-heading">{t!(i18n, feedback_heading)}</h3>
            {move || match seen.get() {
                None => ().into_any(),
                Some((Visibility::Hidden { submitted, expected }, _)) => view! {
                    <p class="hidden-feedback">{t!(i18n, feedback_hidden, submitted = submitted, expected = expected)}</p>
                }.into_any(),
                Some((Visibility::Shown, list)) if list.is_empty() => view! {
                    <p class="muted">{t!(i18n, feedback_none)}</p>
                }.into_any(),
                Some((Visibility::Shown, list)) => view! {
                    <ul class="feedback-list">
                        {list.into_iter().map(|f| view! { <FeedbackEntry session feedback=f /> }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn FeedbackEntry(session: SessionHandle, feedback: Feedback) -> impl IntoView {
    let i18n = use_i18n();
    let (by, criteria, scale_max) = session.with_value(|s| {
        let v = s.vacancy.borrow();
        let by = v
            .person(&feedback.interviewer)
            .map(|p| display_name(i18n, &p))
            .unwrap_or_default();
        (by, v.criteria(), v.scale_max())
    });
    let ratings = feedback
        .ratings
        .iter()
        .filter_map(|(id, r)| {
            let name = criteria.iter().find(|c| &c.id == id)?.name.clone();
            let score = r
                .score
                .map(|s| level_name(i18n, s, scale_max))
                .unwrap_or_else(|| "–".to_string());
            Some(view! {
                <li><strong>{name}</strong>" · "{score}
                    {(!r.evidence.trim().is_empty()).then(|| view! { <p class="evidence">{r.evidence.clone()}</p> })}
                </li>
            })
        })
        .collect_view();
    view! {
        <li class="feedback-entry">
            <p class="feedback-by">
                <strong>{by}</strong>" · "
                <span class=format!("recommendation {}", feedback.recommendation.as_str())>{recommendation_text(i18n, feedback.recommendation)}</span>
                <span class="meta">{format!(" · {}", when_text(i18n, feedback.submitted_at))}</span>
            </p>
            <ul class="ratings">{ratings}</ul>
            {(!feedback.note.trim().is_empty()).then(|| view! {
                <p class="note"><span class="muted">{t!(i18n, feedback_note_label)}</span>" "{feedback.note.clone()}</p>
            })}
        </li>
    }
}
