//! The printable report of a vacancy (`/v/<doc>/report`): the intake, the scorecard, and every
//! candidate with their stage, the feedback on them and the decisions taken, laid out for paper
//! by the print stylesheet (style/main.css, as the interview kit's). "Print report" calls the
//! browser's print dialog, which also saves as PDF.
//!
//! Feedback follows the same rule as on screen: where this person may not see it yet (their own
//! is owed), the report says how many have submitted instead.

use leptos::prelude::*;
use tandem_domain::{Decision, IntakeText, ItemList, RoleText, Visibility};

use crate::components::candidate_interviews::recommendation_text;
use crate::components::candidates::stage_name;
use crate::components::dates::when_text;
use crate::components::gate_panel::status_text;
use crate::components::intake::{intake_text_label, role_label};
use crate::components::people::{display_name, use_me};
use crate::i18n::*;
use crate::pages::section_path;
use crate::session::SessionHandle;

fn or_dash(text: String) -> String {
    if text.trim().is_empty() {
        "—".to_string()
    } else {
        text
    }
}

#[component]
pub fn VacancyReport(session: SessionHandle) -> impl IntoView {
    let i18n = use_i18n();
    let version = session.with_value(|s| s.version);
    let doc = session.with_value(|s| s.doc);
    let me = use_me();
    let print = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    let decision_text = move |d: Decision| match d {
        Decision::Advance => t_string!(i18n, decision_advance),
        Decision::Reject => t_string!(i18n, decision_reject),
        Decision::Hire => t_string!(i18n, decision_hire),
    };

    let body = move || {
        version.track();
        let (title, status, roles, texts, musts, nices, stages, criteria, candidates, people) =
            session.with_value(|s| {
                let v = s.vacancy.borrow();
                (
                    v.title(),
                    v.status(),
                    RoleText::ALL.map(|f| {
                        (
                            f,
                            v.text(&tandem_domain::TextField::Role(f))
                                .unwrap_or_default(),
                        )
                    }),
                    IntakeText::ALL.map(|f| {
                        (
                            f,
                            v.text(&tandem_domain::TextField::Intake(f))
                                .unwrap_or_default(),
                        )
                    }),
                    v.intake_items(ItemList::MustHaves),
                    v.intake_items(ItemList::NiceToHaves),
                    v.stages(),
                    v.criteria(),
                    v.candidates(),
                    v.people(),
                )
            });
        let me = me.get();
        let name_of = |id: &tandem_domain::PersonId| {
            people
                .iter()
                .find(|p| &p.id == id)
                .map(|p| display_name(i18n, p))
                .unwrap_or_default()
        };
        let criterion_name = |id: &tandem_domain::CriterionId| {
            criteria
                .iter()
                .find(|c| &c.id == id)
                .map(|c| c.name.clone())
                .unwrap_or_default()
        };
        let candidate_views = candidates
            .iter()
            .map(|c| {
                let (feedback, decisions, visibility) = session.with_value(|s| {
                    let v = s.vacancy.borrow();
                    let visibility = me
                        .as_ref()
                        .map(|m| v.feedback_visible_to(&m.id, &c.id))
                        .unwrap_or(Visibility::Shown);
                    (v.feedback_for(&c.id), v.decisions(&c.id), visibility)
                });
                let feedback_view = match visibility {
                    Visibility::Hidden { submitted, .. } => view! {
                        <p class="hint">{t!(i18n, report_feedback_hidden, n = move || submitted.to_string())}</p>
                    }
                    .into_any(),
                    Visibility::Shown => feedback
                        .iter()
                        .map(|f| {
                            let ratings = f
                                .ratings
                                .iter()
                                .map(|(cid, r)| {
                                    let score = r.score.map(|s| s.to_string()).unwrap_or_else(|| "—".into());
                                    view! {
                                        <li>{criterion_name(cid)}": "{score}
                                            {(!r.evidence.trim().is_empty()).then(|| view! { <span class="report-evidence">" — "{r.evidence.clone()}</span> })}
                                        </li>
                                    }
                                })
                                .collect_view();
                            view! {
                                <div class="report-feedback">
                                    <p><strong>{name_of(&f.interviewer)}</strong>" · "{recommendation_text(i18n, f.recommendation)}" · "{when_text(i18n, f.submitted_at)}</p>
                                    <ul>{ratings}</ul>
                                </div>
                            }
                        })
                        .collect_view()
                        .into_any(),
                };
                let decision_views = decisions
                    .iter()
                    .map(|d| {
                        view! {
                            <li>{decision_text(d.decision)}" · "{name_of(&d.by)}" · "{when_text(i18n, d.at)}
                                {(!d.reason.trim().is_empty()).then(|| view! { <span>": "{d.reason.clone()}</span> })}
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <section class="report-candidate">
                        <h4>{or_dash(c.name.clone())}</h4>
                        <p>{t!(i18n, report_stage)}": "{stage_name(i18n, session, &c.stage)}</p>
                        <h5>{t!(i18n, report_feedback)}</h5>
                        {if feedback.is_empty() && matches!(visibility, Visibility::Shown) {
                            view! { <p class="hint">{t!(i18n, report_none)}</p> }.into_any()
                        } else {
                            feedback_view
                        }}
                        <h5>{t!(i18n, report_decisions)}</h5>
                        {if decisions.is_empty() {
                            view! { <p class="hint">{t!(i18n, report_none)}</p> }.into_any()
                        } else {
                            view! { <ul>{decision_views}</ul> }.into_any()
                        }}
                    </section>
                }
            })
            .collect_view();
        let items = |list: Vec<tandem_domain::IntakeItem>| {
            if list.is_empty() {
                view! { <p class="hint">{t!(i18n, report_none)}</p> }.into_any()
            } else {
                view! { <ul>{list.into_iter().map(|i| view! { <li>{i.text}</li> }).collect_view()}</ul> }.into_any()
            }
        };
        view! {
            <h2 id="report-heading">{or_dash(title)}</h2>
            <p>{t!(i18n, report_status)}": "{status_text(i18n, status)}" · "{t!(i18n, report_printed)}" "{when_text(i18n, js_sys::Date::now() as i64)}</p>
            <section class="report-part">
                <h3>{t!(i18n, intake)}</h3>
                <dl class="report-fields">
                    {roles.into_iter().map(|(f, text)| view! { <dt>{role_label(i18n, f)}</dt><dd>{or_dash(text)}</dd> }).collect_view()}
                    {texts.into_iter().map(|(f, text)| view! { <dt>{intake_text_label(i18n, f)}</dt><dd class="report-text">{or_dash(text)}</dd> }).collect_view()}
                </dl>
                <h4>{t!(i18n, must_haves)}</h4>
                {items(musts)}
                <h4>{t!(i18n, nice_to_haves)}</h4>
                {items(nices)}
                <h4>{t!(i18n, stages)}</h4>
                <ol>{stages.into_iter().map(|s| view! { <li>{or_dash(s.name)}</li> }).collect_view()}</ol>
            </section>
            <section class="report-part">
                <h3>{t!(i18n, scorecard)}</h3>
                {if criteria.is_empty() {
                    view! { <p class="hint">{t!(i18n, report_none)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="report-criteria">
                            {criteria.iter().map(|c| {
                                let weight = c.weight.to_string();
                                view! {
                                    <li>
                                        <strong>{or_dash(c.name.clone())}</strong>
                                        " · "{t!(i18n, compare_weight, n = move || weight.clone())}
                                        {c.must_have.then(|| view! { " · "{t!(i18n, must_have_item)} })}
                                        {(!c.description.trim().is_empty()).then(|| view! { <p class="report-text">{c.description.clone()}</p> })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
            <section class="report-part">
                <h3>{t!(i18n, candidates)}</h3>
                {if candidates.is_empty() {
                    view! { <p class="hint">{t!(i18n, report_none)}</p> }.into_any()
                } else {
                    candidate_views.into_any()
                }}
            </section>
        }
    };

    view! {
        <section class="vacancy-report" aria-labelledby="report-heading">
            <div class="kit-title report-actions">
                <a class="back-link" href=section_path(doc, "data")>{"← "}{t!(i18n, data_heading)}</a>
                <button type="button" on:click=print>{t!(i18n, report_print)}</button>
            </div>
            {body}
        </section>
    }
}
