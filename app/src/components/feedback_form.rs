//! The feedback of an interview: the one-minute form for its interviewers, what they submitted,
//! and the other interviewers' feedback on the candidate as independent judgement allows.
//!
//! The draft never leaves the device: every change to the form is written to this device's
//! storage (`storage::drafts`), not to the document, so nothing of it is synced. Submitting
//! hands the draft to `Vacancy::submit_feedback`, which writes it into the document in one
//! change, and only then is the local draft deleted. Opening the page again (after a reload, or
//! offline) restores the draft from storage.
//!
//! A voice memo (`memo_recorder`) is part of the draft: sealed and kept on the device as it is
//! recorded, its reference in the draft. Submitting writes the reference into the document and
//! queues the sealed audio for the relay (`attachments::upload`). Submitted feedback plays its
//! memo (`memo_player`), for its author and for whoever may see it.

use leptos::prelude::*;
use leptos::task::{spawn_local, spawn_local_scoped};
use tandem_domain::{
    CriterionId, DomainError, Feedback, FeedbackDraft, InvalidValue, PersonId, Recommendation,
    Visibility,
};

use super::criterion_details::level_name;
use super::dates::when_text;
use super::field_dom;
use super::interview_kit::recommendation_text;
use super::interview_page::InterviewData;
use super::memo_player::MemoPlayer;
use super::memo_recorder::MemoRecorder;
use super::people::use_me;
use crate::device::use_device;
use crate::i18n::*;
use crate::session::SessionHandle;
use crate::storage::blobs::QueuedUpload;
use crate::storage::drafts::draft_key;

type I18n = leptos_i18n::I18nContext<Locale>;

/// The form's heading, where "to the feedback form" and a nudge's link (`?feedback`) land.
pub const FORM_HEADING_ID: &str = "feedback-heading";

/// Whether the address asks for the form (a nudge's link does: `…/interview/<id>?feedback`).
fn address_asks_for_form() -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|q| {
            q.trim_start_matches('?')
                .split('&')
                .any(|p| p == "feedback")
        })
}

/// Why a submission was refused, in the form's words.
#[derive(Clone, Copy, PartialEq)]
enum Refusal {
    NoRecommendation,
    AlreadySubmitted,
    InterviewGone,
    CriterionGone,
    Score,
    Other,
}

impl Refusal {
    fn of(e: &DomainError) -> Refusal {
        match e {
            DomainError::Invalid(InvalidValue::NoRecommendation) => Refusal::NoRecommendation,
            DomainError::Invalid(InvalidValue::AlreadySubmitted) => Refusal::AlreadySubmitted,
            DomainError::Invalid(InvalidValue::Score(_)) => Refusal::Score,
            DomainError::Missing("interview") => Refusal::InterviewGone,
            DomainError::Missing("criterion") => Refusal::CriterionGone,
            _ => Refusal::Other,
        }
    }

    fn text(self, i18n: I18n) -> &'static str {
        match self {
            Refusal::NoRecommendation => t_string!(i18n, form_err_recommendation),
            Refusal::AlreadySubmitted => t_string!(i18n, form_err_already),
            Refusal::InterviewGone => t_string!(i18n, form_err_gone),
            Refusal::CriterionGone => t_string!(i18n, form_err_criterion),
            Refusal::Score => t_string!(i18n, form_err_score),
            Refusal::Other => t_string!(i18n, form_err_other),
        }
    }
}

/// Whether the draft reached this device's storage.
#[derive(Clone, Copy, PartialEq)]
enum DraftState {
    Untouched,
    Kept,
    NotKept,
}

/// The feedback part of the interview page, for whoever opens it.
#[component]
pub fn FeedbackArea(session: SessionHandle, data: InterviewData) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let me_id = Memo::new(move |_| me.with(|m| m.as_ref().map(|m| m.id.clone())));
    let is_interviewer = Memo::new(move |_| {
        let Some(id) = me_id.get() else { return false };
        data.interview
            .with(|i| i.as_ref().is_some_and(|i| i.interviewers.contains(&id)))
    });
    let version = session.with_value(|s| s.version);
    let mine = Memo::new(move |_| {
        let id = me_id.get()?;
        version.track();
        let here = data.id.get_value();
        session.with_value(|s| {
            s.vacancy
                .borrow()
                .feedback()
                .into_iter()
                .find(|f| f.interview == here && f.interviewer == id)
        })
    });
    let has_mine = Memo::new(move |_| mine.with(|m| m.is_some()));
    // Set by this page's submission, for the confirmation.
    let sent = RwSignal::new(false);
    let link = StoredValue::new(session.with_value(|s| s.link.clone()));

    view! {
        {move || {
            if has_mine.get() {
                view! {
                    <section class="feedback-done" id="feedback">
                        <Show when=move || sent.get()>
                            <p class="banner ok" role="status">{t!(i18n, form_sent)}</p>
                        </Show>
                        <h2>{t!(i18n, form_yours_heading)}</h2>
                        {move || mine.get().map(|f| feedback_view(i18n, data, link, f, false))}
                    </section>
                }.into_any()
            } else if is_interviewer.get() {
                match me_id.get_untracked() {
                    Some(me) => view! { <FeedbackForm session data me sent /> }.into_any(),
                    None => ().into_any(),
                }
            } else {
                view! { <p class="hint not-interviewer">{t!(i18n, form_not_interviewer)}</p> }.into_any()
            }
        }}
        <OthersFeedback session data me_id />
    }
}

/// The one-minute form: a level and a line of evidence per focus criterion, the overall
/// recommendation and a note for the next interviewer.
#[component]
fn FeedbackForm(
    session: SessionHandle,
    data: InterviewData,
    me: PersonId,
    sent: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let device = use_device();
    let store = device.store();
    let uploads = StoredValue::new_local(device.uploads.clone());
    let s = session.get_value();
    let link = StoredValue::new(s.link.clone());
    let version = s.version;
    let key = draft_key(s.doc, &data.id.get_value(), &me);
    let me = StoredValue::new(me);
    let read_only = Memo::new(move |_| {
        version.track();
        session.with_value(|s| s.read_only())
    });
    // `None` until the stored draft (if any) is read: the form waits for it, so that typing
    // cannot race the restore.
    let draft = RwSignal::new(None::<FeedbackDraft>);
    let saved = RwSignal::new(DraftState::Untouched);
    let refusal = RwSignal::new(None::<Refusal>);
    {
        let store = store.clone();
        let key = key.clone();
        let fresh = FeedbackDraft::new(data.id.get_value());
        spawn_local_scoped(async move {
            let stored = match &store {
                Some(store) => store.draft(&key).await.ok().flatten(),
                None => None,
            };
            draft.set(Some(stored.unwrap_or(fresh)));
        });
    }
    let key = StoredValue::new(key);
    let store = StoredValue::new_local(store);
    // Every change: into the signal, then onto this device (and nowhere else).
    let change = move |f: Box<dyn FnOnce(&mut FeedbackDraft)>| {
        draft.update(|d| {
            if let Some(d) = d {
                f(d);
            }
        });
        let Some(d) = draft.get_untracked() else {
            return;
        };
        match store.get_value() {
            Some(store) => {
                let key = key.get_value();
                spawn_local(async move {
                    let ok = store.save_draft(&key, &d).await.is_ok();
                    let _ = saved.try_set(if ok {
                        DraftState::Kept
                    } else {
                        DraftState::NotKept
                    });
                });
            }
            None => saved.set(DraftState::NotKept),
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(d) = draft.get_untracked() else {
            return;
        };
        let now = js_sys::Date::now() as i64;
        let me = me.get_value();
        let mut refused = None;
        session
            .get_value()
            .edit(|v| match v.submit_feedback(&d, &me, now) {
                Ok((_, change)) => Ok(Some(change)),
                Err(e) => {
                    refused = Some(e);
                    Ok(None)
                }
            });
        match refused {
            None => {
                refusal.set(None);
                sent.set(true);
                // Its memo, sealed on this device, goes to the relay in the background.
                if let Some(memo) = d.memo.as_ref() {
                    if let Ok(hash) = memo.hash.parse() {
                        let link = link.get_value();
                        let item = QueuedUpload {
                            doc: link.doc,
                            hash,
                            token: crate::attachments::bearer_token(&link),
                        };
                        let uploads = uploads.get_value();
                        spawn_local(async move {
                            let _ = uploads.queue(item).await;
                        });
                    }
                }
                // In the document now: the local draft has done its work.
                if let Some(store) = store.get_value() {
                    let key = key.get_value();
                    spawn_local(async move {
                        let _ = store.delete_draft(&key).await;
                    });
                }
            }
            Some(e) => {
                let why = Refusal::of(&e);
                if why == Refusal::CriterionGone {
                    // Left out, as the message says; the rest stays as it was.
                    let known: Vec<CriterionId> = session.with_value(|s| {
                        s.vacancy
                            .borrow()
                            .criteria()
                            .into_iter()
                            .map(|c| c.id)
                            .collect()
                    });
                    change(Box::new(move |d| {
                        d.ratings.retain(|c, _| known.contains(c))
                    }));
                }
                refusal.set(Some(why));
            }
        }
    };
    let loaded = move || draft.with(|d| d.is_some());
    // Opened from a nudge: once the draft is back and the form is drawn, go to it (once).
    let jumped = StoredValue::new(false);
    Effect::new(move |_| {
        if loaded() && !jumped.get_value() && address_asks_for_form() {
            jumped.set_value(true);
            gloo_timers::callback::Timeout::new(50, || field_dom::focus_element(FORM_HEADING_ID))
                .forget();
        }
    });

    view! {
        <Show when=loaded fallback=|| ()>
            <form class="feedback-form" id="feedback" on:submit=submit novalidate>
                <h2 id=FORM_HEADING_ID tabindex="-1">{t!(i18n, form_heading)}</h2>
                <p class="hint">{t!(i18n, form_draft_hint)}</p>
                {move || {
                    let scale = data.scale_max.get();
                    data.focus.get().into_iter().map(|c| {
                        let id = c.id.clone();
                        let dom = id.as_str().to_string();
                        let evidence_id = format!("evidence-{dom}");
                        // Read once: the textarea then owns its text, and every keystroke goes
                        // to the draft (so a change elsewhere never moves the caret).
                        let evidence = draft.with_untracked(|d| {
                            d.as_ref().and_then(|d| d.ratings.get(&id)).map(|r| r.evidence.clone()).unwrap_or_default()
                        });
                        let name = if c.name.trim().is_empty() { t_string!(i18n, unnamed_criterion).to_string() } else { c.name.clone() };
                        let levels = (1..=scale).map(|level| {
                            let anchor = c.anchors.get(level as usize - 1).map(|a| a.trim().to_string()).unwrap_or_default();
                            let for_check = id.clone();
                            let for_change = id.clone();
                            view! {
                                <label class="level">
                                    <input type="radio" name=format!("score-{dom}") value=level.to_string()
                                        prop:checked=move || draft.with(|d| d.as_ref().and_then(|d| d.ratings.get(&for_check)).and_then(|r| r.score) == Some(level))
                                        on:change=move |_| {
                                            let c = for_change.clone();
                                            change(Box::new(move |d| d.rating_mut(&c).score = Some(level)));
                                        } />
                                    <span class="level-text">
                                        <span class="level-name">{move || level_name(i18n, level, scale)}</span>
                                        {(!anchor.is_empty()).then(|| view! { <span class="anchor">{anchor}</span> })}
                                    </span>
                                </label>
                            }
                        }).collect_view();
                        let for_evidence = id.clone();
                        view! {
                            <fieldset class="rating" data-criterion=dom.clone()>
                                <legend>{name}</legend>
                                <div class="levels">{levels}</div>
                                <label for=evidence_id.clone()>{t!(i18n, form_evidence)}</label>
                                <textarea id=evidence_id rows="2" prop:value=evidence
                                    on:input=move |ev| {
                                        let text = event_target_value(&ev);
                                        let c = for_evidence.clone();
                                        change(Box::new(move |d| d.rating_mut(&c).evidence = text));
                                    }></textarea>
                            </fieldset>
                        }
                    }).collect_view()
                }}
                <fieldset class="verdict" aria-describedby="recommendation-error">
                    <legend>{t!(i18n, form_recommendation)}</legend>
                    <div class="rec-choices">
                        {Recommendation::ALL.into_iter().map(|r| view! {
                            <label class="rec-choice" data-value=r.as_str()>
                                <input type="radio" name="recommendation" value=r.as_str()
                                    prop:checked=move || draft.with(|d| d.as_ref().and_then(|d| d.recommendation) == Some(r))
                                    on:change=move |_| {
                                        change(Box::new(move |d| d.recommendation = Some(r)));
                                        if refusal.get_untracked() == Some(Refusal::NoRecommendation) {
                                            refusal.set(None);
                                        }
                                    } />
                                <span>{move || recommendation_text(i18n, r)}</span>
                            </label>
                        }).collect_view()}
                    </div>
                </fieldset>
                <MemoRecorder link=link.get_value()
                    memo=Signal::derive(move || draft.with(|d| d.as_ref().and_then(|d| d.memo.clone())))
                    set_memo=Callback::new(move |m| change(Box::new(move |d| d.memo = m))) />
                <label for="feedback-note">{t!(i18n, form_note)}</label>
                <p class="hint" id="feedback-note-hint">{t!(i18n, form_note_hint)}</p>
                <textarea id="feedback-note" rows="2" aria-describedby="feedback-note-hint"
                    prop:value=draft.with_untracked(|d| d.as_ref().map(|d| d.note.clone()).unwrap_or_default())
                    on:input=move |ev| {
                        let text = event_target_value(&ev);
                        change(Box::new(move |d| d.note = text));
                    }></textarea>
                <p class="field-error error" id="recommendation-error" role="alert">
                    {move || refusal.get().map(|r| r.text(i18n))}
                </p>
                <button type="submit" class="submit-feedback" disabled=move || read_only.get()>{t!(i18n, form_submit)}</button>
                <p class="hint draft-state" role="status">
                    {move || match saved.get() {
                        DraftState::Untouched => "",
                        DraftState::Kept => t_string!(i18n, form_draft_saved),
                        DraftState::NotKept => t_string!(i18n, form_draft_not_saved),
                    }}
                </p>
            </form>
        </Show>
    }
}

/// Submitted feedback as a record: the recommendation, each rating with its level and evidence,
/// and the note; `by` adds who gave it and when.
fn feedback_view(
    i18n: I18n,
    data: InterviewData,
    link: StoredValue<tandem_protocol::ShareLink>,
    f: Feedback,
    by: bool,
) -> impl IntoView {
    let scale = data.scale_max.get_untracked();
    let who = by.then(|| data.name_of(i18n, &f.interviewer));
    let when = when_text(i18n, f.submitted_at);
    let rec = f.recommendation;
    let names: Vec<(CriterionId, String)> = f
        .ratings
        .iter()
        .map(|(c, _)| {
            (
                c.clone(),
                data.criterion_name(i18n, c)
                    .unwrap_or_else(|| t_string!(i18n, kit_removed_criterion).to_string()),
            )
        })
        .collect();
    view! {
        <article class="feedback-record" data-recommendation=rec.as_str()>
            <p class="feedback-who">
                {who.map(|w| view! { <strong>{w}</strong>" · " })}
                <span class="chip recommendation-chip" data-value=rec.as_str()>{move || recommendation_text(i18n, rec)}</span>
                " "<span class="hint">{t!(i18n, form_submitted_at, when = move || when.clone())}</span>
            </p>
            <dl class="feedback-ratings">
                {f.ratings.into_iter().zip(names).map(|((_, r), (_, name))| view! {
                    <dt>{name}</dt>
                    <dd>
                        <strong class="score">{match r.score {
                            Some(s) => level_name(i18n, s, scale),
                            None => t_string!(i18n, form_no_score).to_string(),
                        }}</strong>
                        {(!r.evidence.trim().is_empty()).then(|| view! { <span class="rating-evidence">{r.evidence}</span> })}
                    </dd>
                }).collect_view()}
            </dl>
            {(!f.note.trim().is_empty()).then(|| view! {
                <p class="feedback-note"><strong>{t!(i18n, form_note)}": "</strong>{f.note}</p>
            })}
            {f.memo.map(|memo| view! { <MemoPlayer link=link.get_value() memo author=!by /> })}
        </article>
    }
}

/// The other interviewers' feedback on this candidate (all their interviews), shown only as
/// `Vacancy::feedback_visible_to` allows: to an interviewer who has not submitted their own,
/// only how many have.
#[component]
fn OthersFeedback(
    session: SessionHandle,
    data: InterviewData,
    me_id: Memo<Option<PersonId>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let version = session.with_value(|s| s.version);
    let link = StoredValue::new(session.with_value(|s| s.link.clone()));
    let shown = Memo::new(move |_| {
        let me = me_id.get()?;
        let candidate = data
            .interview
            .with(|i| i.as_ref().map(|i| i.candidate.clone()))?;
        version.track();
        let here = data.id.get_value();
        session.with_value(|s| {
            let v = s.vacancy.borrow();
            Some(match v.feedback_visible_to(&me, &candidate) {
                Visibility::Shown => Ok(v
                    .visible_feedback_for(&me, &candidate)
                    .into_iter()
                    .filter(|f| !(f.interviewer == me && f.interview == here))
                    .collect::<Vec<_>>()),
                Visibility::Hidden {
                    submitted,
                    expected,
                } => Err((submitted, expected)),
            })
        })
    });
    view! {
        <section class="others-feedback">
            <h2>{t!(i18n, form_others_heading, name = move || data.candidate_name(i18n))}</h2>
            {move || match shown.get() {
                None => ().into_any(),
                Some(Err((submitted, expected))) => view! {
                    <p class="feedback-hidden">{t!(i18n, form_hidden, submitted = move || submitted, expected = move || expected)}</p>
                }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="empty">{t!(i18n, form_none_from_others)}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="others-list">
                        {list.into_iter().map(|f| feedback_view(i18n, data, link, f, true)).collect_view()}
                    </div>
                }.into_any(),
            }}
        </section>
    }
}
