//! One candidate: name and contact details, the stage they are in and since when, their
//! interviews (`candidate_interviews`), the feedback so far, and the decisions taken on them;
//! removing them, and erasing them for good (`erase_candidate`).

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use tandem_domain::changes::{Area, Section};
use tandem_domain::{CandidateId, CandidateStage, Decision, DomainError, InvalidValue, TextField};

use super::candidate_interviews::{CandidateFeedback, CandidateInterviews};
use super::candidates::stage_name;
use super::dates::when_text;
use super::erase_candidate::EraseCandidate;
use super::live_text::LiveText;
use super::people::{display_name, use_me};
use crate::i18n::*;
use crate::pages::section_path;
use crate::session::SessionHandle;

/// Where candidates often come from; anything else can be typed.
const SOURCES: [&str; 6] = [
    "LinkedIn",
    "Indeed",
    "Werken bij / careers site",
    "Referral / referentie",
    "Agency / bureau",
    "Open application / open sollicitatie",
];

#[component]
pub fn CandidatePage(session: SessionHandle, candidate: CandidateId) -> impl IntoView {
    let i18n = use_i18n();
    let s = session.get_value();
    let (doc, locked) = (s.doc, s.locked);
    let id = StoredValue::new(candidate);
    // Whether they are still there: removed candidates leave the pipeline.
    let exists = Memo::new(move |_| {
        session.with_value(|s| {
            s.track(Area::Pipeline);
            s.vacancy.borrow().candidate(&id.get_value()).is_some()
        })
    });
    let read_only = Memo::new(move |_| locked.get());
    let back = view! {
        <p class="back"><a href=section_path(doc, "candidates")>{"← "}{t!(i18n, all_candidates)}</a></p>
    };
    view! {
        {back}
        <Show when=move || exists.get()
            fallback=move || view! { <p class="empty">{t!(i18n, candidate_gone)}</p> }>
            <CandidateDetails session id read_only />
            <CandidateInterviews session candidate=id.get_value() read_only />
            <CandidateFeedback session candidate=id.get_value() />
            <Decisions session id read_only />
            <RemoveCandidate session id read_only />
            <EraseCandidate session id read_only />
        </Show>
    }
}

#[component]
fn CandidateDetails(
    session: SessionHandle,
    id: StoredValue<CandidateId>,
    read_only: Memo<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    // Their stage, source and CV link; the texts follow their own fields.
    let this = Memo::new(move |_| {
        session.with_value(|s| {
            s.track(Area::Candidate(id.get_value()));
            s.track(Area::Stages);
            s.vacancy.borrow().candidate(&id.get_value())
        })
    });
    let stages = Memo::new(move |_| {
        session.with_value(|s| {
            s.track(Area::Stages);
            s.vacancy.borrow().stages()
        })
    });
    let stage = move || this.with(|c| c.as_ref().map(|c| c.stage.clone()));
    let move_to = move |ev: leptos::ev::Event| {
        let to = CandidateStage::parse(&event_target_value(&ev));
        session
            .get_value()
            .edit(|v| v.move_candidate(&id.get_value(), &to, js_sys::Date::now() as i64));
    };
    let cv_error = RwSignal::new(false);
    let set_cv = move |ev: leptos::ev::Event| {
        let url = event_target_value(&ev).trim().to_string();
        session
            .get_value()
            .edit(|v| match v.set_candidate_cv_url(&id.get_value(), &url) {
                Err(DomainError::Invalid(InvalidValue::CvUrl(_))) => {
                    cv_error.set(true);
                    Ok(None)
                }
                other => {
                    cv_error.set(false);
                    other
                }
            });
    };
    let set_source = move |ev: leptos::ev::Event| {
        let source = event_target_value(&ev).trim().to_string();
        session
            .get_value()
            .edit(|v| v.set_candidate_source(&id.get_value(), &source));
    };
    let since = move || this.with(|c| c.as_ref().map(|c| when_text(i18n, c.since)));
    let dom = id.with_value(|c| c.as_str().to_string());
    let cv = move || this.with(|c| c.as_ref().map(|c| c.cv_url.clone()).unwrap_or_default());

    view! {
        <section class="candidate card">
            <label id="candidate-name-label" for="candidate-name">{t!(i18n, candidate_name)}</label>
            <LiveText session field=TextField::CandidateName(id.get_value()) id="candidate-name".to_string()
                presence_key=format!("cand:{dom}:name") />
            <label for="candidate-stage">{t!(i18n, candidate_stage)}</label>
            <select id="candidate-stage" disabled=move || read_only.get() on:change=move_to>
                {move || {
                    let mut options: Vec<CandidateStage> = stages.get().into_iter().map(|s| CandidateStage::Stage(s.id)).collect();
                    options.extend([CandidateStage::Hired, CandidateStage::Rejected]);
                    options.into_iter().map(|option| {
                        let selected = stage() == Some(option.clone());
                        let name = stage_name(i18n, session, &option);
                        view! { <option value=option.as_str().to_string() selected=selected>{name}</option> }
                    }).collect_view()
                }}
            </select>
            <p class="hint">{move || since().map(|s| format!("{} {s}", t_string!(i18n, in_stage_since)))}</p>
            <div class="candidate-fields">
                <div>
                    <label for="candidate-contact">{t!(i18n, candidate_contact)}</label>
                    <LiveText session field=TextField::CandidateContact(id.get_value()) id="candidate-contact".to_string()
                        presence_key=format!("cand:{dom}:contact") />
                </div>
                <div>
                    <label for="candidate-source">{t!(i18n, candidate_source)}</label>
                    <input id="candidate-source" type="text" list="candidate-sources" disabled=move || read_only.get()
                        prop:value=move || this.with(|c| c.as_ref().map(|c| c.source.clone()).unwrap_or_default())
                        on:change=set_source />
                    <datalist id="candidate-sources">
                        {SOURCES.iter().map(|s| view! { <option value=*s></option> }).collect_view()}
                    </datalist>
                </div>
                <div>
                    <label for="candidate-cv">{t!(i18n, candidate_cv)}</label>
                    <input id="candidate-cv" type="url" inputmode="url" placeholder="https://…" disabled=move || read_only.get()
                        aria-invalid=move || cv_error.get().then_some("true")
                        prop:value=cv on:change=set_cv />
                    <Show when=move || cv_error.get()>
                        <p class="error" role="alert">{t!(i18n, candidate_cv_invalid)}</p>
                    </Show>
                    <Show when=move || !cv().is_empty()>
                        // Only http(s) links get here: the domain refuses anything else.
                        <a class="cv-link" href=cv target="_blank" rel="noopener noreferrer">{t!(i18n, candidate_cv_open)}</a>
                    </Show>
                </div>
            </div>
            <label for="candidate-notes">{t!(i18n, candidate_notes)}</label>
            <LiveText session field=TextField::CandidateNotes(id.get_value()) id="candidate-notes".to_string()
                presence_key=format!("cand:{dom}:notes") multiline=true />
        </section>
    }
}

#[component]
fn Decisions(
    session: SessionHandle,
    id: StoredValue<CandidateId>,
    read_only: Memo<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let decisions = Memo::new(move |_| {
        session.with_value(|s| {
            s.track(Area::Section(Section::Decisions));
            s.vacancy.borrow().decisions(&id.get_value())
        })
    });
    let people = Memo::new(move |_| {
        session.with_value(|s| {
            s.track(Area::Section(Section::People));
            s.vacancy.borrow().people()
        })
    });
    let choice = RwSignal::new(None::<Decision>);
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let record = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(decision) = choice.get_untracked() else {
            error.set(Some(t_string!(i18n, decision_choose).to_string()));
            return;
        };
        let Some(me) = me.get_untracked() else { return };
        let why = reason.get_untracked();
        if why.trim().is_empty() {
            error.set(Some(t_string!(i18n, decision_reason_needed).to_string()));
            return;
        }
        let mut done = false;
        session.get_value().edit(|v| {
            match v.record_decision(
                &id.get_value(),
                decision,
                why.trim(),
                &me.id,
                js_sys::Date::now() as i64,
            ) {
                Ok(change) => {
                    done = true;
                    Ok(Some(change))
                }
                Err(DomainError::Invalid(InvalidValue::NoNextStage)) => {
                    error.set(Some(t_string!(i18n, decision_no_next_stage).to_string()));
                    Ok(None)
                }
                Err(e) => Err(e),
            }
        });
        if done {
            choice.set(None);
            reason.set(String::new());
            error.set(None);
        }
    };
    let decision_text = move |d: Decision| match d {
        Decision::Advance => t_string!(i18n, decision_advance),
        Decision::Reject => t_string!(i18n, decision_reject),
        Decision::Hire => t_string!(i18n, decision_hire),
    };

    view! {
        <section class="decisions card" aria-labelledby="decisions-heading">
            <h3 id="decisions-heading">{t!(i18n, decisions_heading)}</h3>
            <ul class="decision-list">
                {move || decisions.get().into_iter().rev().map(|d| {
                    let by = people.with(|p| p.iter().find(|p| p.id == d.by).map(|p| display_name(i18n, p))).unwrap_or_default();
                    view! {
                        <li>
                            <strong>{decision_text(d.decision)}</strong>
                            <span class="meta">{format!(" · {by} · {}", when_text(i18n, d.at))}</span>
                            <p>{d.reason}</p>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <form class="decision-form" on:submit=record>
                <fieldset>
                    <legend>{t!(i18n, decision_new)}</legend>
                    {Decision::ALL.into_iter().map(|d| view! {
                        <label class="choice">
                            <input type="radio" name="decision" value=d.as_str()
                                prop:checked=move || choice.get() == Some(d)
                                on:change=move |_| choice.set(Some(d)) />
                            {move || decision_text(d)}
                        </label>
                    }).collect_view()}
                </fieldset>
                <label for="decision-reason">{t!(i18n, decision_reason)}</label>
                <textarea id="decision-reason" rows="2"
                    prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                <Show when=move || error.with(|e| e.is_some())>
                    <p class="error" role="alert">{move || error.get()}</p>
                </Show>
                <button type="submit" disabled=move || read_only.get()>{t!(i18n, decision_record)}</button>
            </form>
        </section>
    }
}

/// Removing a candidate is for good (their personal data goes, with their interviews and
/// feedback), so it asks first, in place.
#[component]
fn RemoveCandidate(
    session: SessionHandle,
    id: StoredValue<CandidateId>,
    read_only: Memo<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let doc = session.with_value(|s| s.doc);
    let confirming = RwSignal::new(false);
    let navigate = use_navigate();
    let remove = move |_| {
        let mut removed = false;
        session.get_value().edit(|v| {
            let change = v.remove_candidate(&id.get_value())?;
            removed = true;
            Ok(Some(change))
        });
        if removed {
            navigate(&section_path(doc, "candidates"), Default::default());
        }
    };
    view! {
        <section class="remove-candidate">
            <Show when=move || confirming.get()
                fallback=move || view! {
                    <button type="button" class="secondary danger-text" disabled=move || read_only.get()
                        on:click=move |_| confirming.set(true)>{t!(i18n, candidate_remove)}</button>
                }>
                <p class="confirm" role="alert">
                    {t!(i18n, candidate_remove_confirm)}" "
                    <button type="button" class="danger" on:click=remove.clone()>{t!(i18n, candidate_remove_yes)}</button>
                    " "<button type="button" class="secondary" on:click=move |_| confirming.set(false)>{t!(i18n, cancel)}</button>
                </p>
            </Show>
        </section>
    }
}
