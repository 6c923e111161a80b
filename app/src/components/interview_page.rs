//! An interview's page: who is interviewed, in which stage and when, and by whom; its kit (what
//! to assess and ask, how to interview well, the notes left by earlier interviewers; printable,
//! `interview_kit`) and the feedback (`feedback_form`: the form for its interviewers, with the
//! draft that stays on this device, and the others' feedback as independent judgement allows).
//!
//! Everything here reads the document through memos made once, so a partner's edit updates the
//! page in place: the form under a thumb is never rebuilt because someone else changed the
//! vacancy.

use leptos::prelude::*;
use tandem_domain::interviews::format_interview_time;
use tandem_domain::{
    Candidate, Criterion, CriterionId, Interview, InterviewId, Person, PersonId, Stage,
};

use super::dates::due_text;
use super::feedback_form::{FeedbackArea, FORM_HEADING_ID};
use super::field_dom;
use super::interview_kit::InterviewKit;
use super::people::{display_name, use_me};
use crate::i18n::*;
use crate::session::SessionHandle;

type I18n = leptos_i18n::I18nContext<Locale>;

/// What the parts of the interview page read, each following the document.
#[derive(Clone, Copy)]
pub struct InterviewData {
    pub id: StoredValue<InterviewId>,
    /// `None` once the interview is gone (removed, or its candidate was).
    pub interview: Memo<Option<Interview>>,
    pub candidate: Memo<Option<Candidate>>,
    pub stage: Memo<Option<Stage>>,
    /// Every criterion of the scorecard, in its order.
    pub criteria: Memo<Vec<Criterion>>,
    /// The stage's focus criteria, in the scorecard's order.
    pub focus: Memo<Vec<Criterion>>,
    pub scale_max: Memo<i64>,
    pub people: Memo<Vec<Person>>,
    /// Who has submitted feedback for this interview.
    pub submitted: Memo<Vec<PersonId>>,
}

impl InterviewData {
    fn new(session: SessionHandle, id: InterviewId) -> Self {
        let version = session.with_value(|s| s.version);
        let id = StoredValue::new(id);
        let interview = Memo::new(move |_| {
            version.track();
            session.with_value(|s| s.vacancy.borrow().interview(&id.get_value()))
        });
        let candidate = Memo::new(move |_| {
            let c = interview.with(|i| i.as_ref().map(|i| i.candidate.clone()))?;
            version.track();
            session.with_value(|s| s.vacancy.borrow().candidate(&c))
        });
        let stage = Memo::new(move |_| {
            let st = interview.with(|i| i.as_ref().map(|i| i.stage.clone()))?;
            version.track();
            session.with_value(|s| s.vacancy.borrow().stages().into_iter().find(|x| x.id == st))
        });
        let criteria = Memo::new(move |_| {
            version.track();
            session.with_value(|s| s.vacancy.borrow().criteria())
        });
        let focus = Memo::new(move |_| {
            let chosen = stage.with(|s| s.as_ref().map(|s| s.focus_criteria.clone()));
            let chosen = chosen.unwrap_or_default();
            criteria.with(|all| {
                all.iter()
                    .filter(|c| chosen.contains(&c.id))
                    .cloned()
                    .collect()
            })
        });
        let scale_max = Memo::new(move |_| {
            version.track();
            session.with_value(|s| s.vacancy.borrow().scale_max())
        });
        let people = Memo::new(move |_| {
            version.track();
            session.with_value(|s| s.vacancy.borrow().people())
        });
        let submitted = Memo::new(move |_| {
            version.track();
            let here = id.get_value();
            session.with_value(|s| {
                s.vacancy
                    .borrow()
                    .feedback()
                    .into_iter()
                    .filter(|f| f.interview == here)
                    .map(|f| f.interviewer)
                    .collect()
            })
        });
        InterviewData {
            id,
            interview,
            candidate,
            stage,
            criteria,
            focus,
            scale_max,
            people,
            submitted,
        }
    }

    /// A person's name as shown, for anyone who was ever in the vacancy.
    pub fn name_of(&self, i18n: I18n, id: &PersonId) -> String {
        self.people
            .with(|people| match people.iter().find(|p| &p.id == id) {
                Some(p) => display_name(i18n, p),
                None => t_string!(i18n, unnamed_item).to_string(),
            })
    }

    /// A criterion's name as shown; `None` once it is gone from the scorecard.
    pub fn criterion_name(&self, i18n: I18n, id: &CriterionId) -> Option<String> {
        self.criteria.with(|all| {
            all.iter().find(|c| &c.id == id).map(|c| {
                if c.name.trim().is_empty() {
                    t_string!(i18n, unnamed_criterion).to_string()
                } else {
                    c.name.clone()
                }
            })
        })
    }

    pub fn candidate_name(&self, i18n: I18n) -> String {
        self.candidate
            .with(|c| c.as_ref().map(|c| c.name.trim().to_string()))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| t_string!(i18n, unnamed_item).to_string())
    }

    pub fn stage_name(&self, i18n: I18n) -> String {
        self.stage
            .with(|s| s.as_ref().map(|s| s.name.trim().to_string()))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| t_string!(i18n, unnamed_item).to_string())
    }
}

/// When an interview is, in the reader's language, with its length.
pub fn interview_time_text(i18n: I18n, interview: &Interview) -> String {
    match interview.at {
        Some(at) => format!(
            "{} · {} min",
            due_text(i18n, &format_interview_time(at)),
            interview.minutes
        ),
        None => t_string!(i18n, kit_not_scheduled).to_string(),
    }
}

#[component]
pub fn InterviewPage(session: SessionHandle, interview: InterviewId) -> impl IntoView {
    let i18n = use_i18n();
    let data = InterviewData::new(session, interview);
    let exists = Memo::new(move |_| data.interview.with(|i| i.is_some()));
    // An interviewer who still owes feedback gets a way past the kit, straight to the form.
    let me = use_me();
    let owes = Memo::new(move |_| {
        let Some(id) = me.with(|m| m.as_ref().map(|m| m.id.clone())) else {
            return false;
        };
        let listed = data
            .interview
            .with(|i| i.as_ref().is_some_and(|i| i.interviewers.contains(&id)));
        listed && !data.submitted.with(|s| s.contains(&id))
    });
    let title = Memo::new(move |_| {
        data.interview.track();
        session.with_value(|s| s.vacancy.borrow().title())
    });

    view! {
        <Show when=move || exists.get()
            fallback=move || view! { <p class="banner error" role="alert">{t!(i18n, kit_interview_gone)}</p> }>
            <section class="interview">
                <header class="interview-head">
                    <p class="interview-vacancy">{move || title.get()}</p>
                    <h2>{t!(i18n, kit_interview_with, name = move || data.candidate_name(i18n))}</h2>
                    <p class="interview-meta">
                        <span>{move || data.stage_name(i18n)}</span>
                        " · "
                        <span>{move || data.interview.with(|i| i.as_ref().map(|i| interview_time_text(i18n, i)).unwrap_or_default())}</span>
                    </p>
                    <Interviewers data />
                    <Show when=move || owes.get()>
                        <button type="button" class="to-form" on:click=|_| field_dom::focus_element(FORM_HEADING_ID)>
                            {t!(i18n, kit_to_form)}
                        </button>
                    </Show>
                </header>
                <InterviewKit session data />
                <FeedbackArea session data />
            </section>
        </Show>
    }
}

/// Who interviews, and whether each has given their feedback (that much is no secret: only the
/// ratings are, see `feedback_form`).
#[component]
fn Interviewers(data: InterviewData) -> impl IntoView {
    let i18n = use_i18n();
    let list = Memo::new(move |_| {
        data.interview
            .with(|i| i.as_ref().map(|i| i.interviewers.clone()))
            .unwrap_or_default()
    });
    view! {
        <div class="interview-people">
            <h3>{t!(i18n, kit_interviewers)}</h3>
            <Show when=move || list.with(|l| !l.is_empty())
                fallback=move || view! { <p class="empty">{t!(i18n, kit_no_interviewers)}</p> }>
                <ul class="interviewer-list">
                    <For each=move || list.get() key=|p| p.clone() let:person>
                        {
                            let id = person.clone();
                            let given = Memo::new(move |_| data.submitted.with(|s| s.contains(&person)));
                            view! {
                                <li class="interviewer" data-given=move || given.get().to_string()>
                                    <span class="interviewer-name">{move || data.name_of(i18n, &id)}</span>
                                    <span class="chip" data-state=move || if given.get() { "on-time" } else { "" }>
                                        {move || if given.get() { t_string!(i18n, kit_feedback_given) } else { t_string!(i18n, kit_feedback_not_yet) }}
                                    </span>
                                </li>
                            }
                        }
                    </For>
                </ul>
            </Show>
        </div>
    }
}
