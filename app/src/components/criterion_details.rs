//! A criterion's anchored rating scale and its suggested interview questions, folded under the
//! criterion in the scorecard: what each level looks like in an answer, and what to ask.

use leptos::prelude::*;
use tandem_domain::changes::Area;
use tandem_domain::starters::{self, Lang};
use tandem_domain::{Category, Criterion, CriterionId, TextField};

use super::live_text::LiveText;
use super::toast::use_toasts;
use crate::i18n::*;
use crate::session::SessionHandle;

/// The interface's language, for starting text.
pub fn lang(i18n: leptos_i18n::I18nContext<Locale>) -> Lang {
    match i18n.get_locale_untracked() {
        Locale::nl => Lang::Nl,
        Locale::en => Lang::En,
    }
}

/// Starting text for a new criterion's anchors, in the language of whoever made it.
pub fn starter_anchors(i18n: leptos_i18n::I18nContext<Locale>, scale_max: i64) -> Vec<String> {
    starters::anchors(lang(i18n), scale_max)
}

/// What a level of the scale is called; only the four-level scale has names.
pub fn level_name(i18n: leptos_i18n::I18nContext<Locale>, level: i64, scale_max: i64) -> String {
    let name = match (scale_max, level) {
        (4, 1) => t_string!(i18n, level_1),
        (4, 2) => t_string!(i18n, level_2),
        (4, 3) => t_string!(i18n, level_3),
        (4, 4) => t_string!(i18n, level_4),
        _ => return level.to_string(),
    };
    format!("{level} · {name}")
}

#[component]
pub fn CriterionDetails(
    session: SessionHandle,
    /// This criterion's own values as last read (its texts may be older); `None` once it is gone.
    criterion: Memo<Option<Criterion>>,
    id: CriterionId,
    read_only: Memo<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let scale_max = Memo::new(move |_| {
        session.with_value(|s| {
            s.track(Area::Criteria);
            s.vacancy.borrow().scale_max()
        })
    });
    let dom = id.as_str().to_string();
    let crit = StoredValue::new(id.clone());
    // Which anchors are still empty, and the questions' texts: followed text by text, so
    // typing in one wakes these (and not the row) and they stop there when nothing changed.
    let empty_anchor = Memo::new(move |_| {
        let id = crit.get_value();
        session.with_value(|s| {
            let v = s.vacancy.borrow();
            (1..=scale_max.get()).any(|level| {
                let field = TextField::Anchor(id.clone(), level);
                s.track(Area::Text(field.clone()));
                v.text(&field).unwrap_or_default().trim().is_empty()
            })
        })
    });
    let questions =
        move || criterion.with(|c| c.as_ref().map(|c| c.questions.clone()).unwrap_or_default());
    let question_texts = Memo::new(move |_| {
        let id = crit.get_value();
        session.with_value(|s| {
            let v = s.vacancy.borrow();
            criterion.with(|c| {
                c.iter()
                    .flat_map(|c| &c.questions)
                    .map(|q| {
                        let field = TextField::Question(id.clone(), q.id.clone());
                        s.track(Area::Text(field.clone()));
                        v.text(&field).unwrap_or_default().trim().to_string()
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    let category =
        move || criterion.with(|c| c.as_ref().map_or(Category::Competency, |c| c.category));
    let can_fill =
        move || !starters::anchors(lang(i18n), scale_max.get()).is_empty() && empty_anchor.get();
    let fill = move |_| {
        let texts = starter_anchors(i18n, scale_max.get_untracked());
        let id = crit.get_value();
        session
            .get_value()
            .edit(|v| v.fill_empty_anchors(&id, &texts));
    };
    let toasts = use_toasts();
    let new_question = RwSignal::new(String::new());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = new_question.get_untracked();
        if text.trim().is_empty() {
            return;
        }
        let id = crit.get_value();
        session
            .get_value()
            .edit(|v| v.add_question(&id, text.trim()).map(|(_, c)| Some(c)));
        new_question.set(String::new());
    };
    let take = move |text: &'static str| {
        let id = crit.get_value();
        session
            .get_value()
            .edit(|v| v.add_question(&id, text).map(|(_, c)| Some(c)));
    };
    let question_count = move || criterion.with(|c| c.as_ref().map_or(0, |c| c.questions.len()));
    let new_id = format!("crit-{dom}-new-question");
    let dom_q = dom.clone();

    view! {
        <details class="criterion-more">
            <summary>
                {t!(i18n, scale_and_questions)}
                <span class="count">{move || format!(" ({})", question_count())}</span>
            </summary>
            <h4>{t!(i18n, anchors_heading)}</h4>
            <p class="hint">{t!(i18n, anchors_hint)}</p>
            <ol class="anchors">
                {move || (1..=scale_max.get()).map(|level| {
                    let field_id = format!("crit-{dom}-anchor-{level}");
                    view! {
                        <li>
                            <label for=field_id.clone()>{level_name(i18n, level, scale_max.get())}</label>
                            <LiveText session field=TextField::Anchor(crit.get_value(), level) id=field_id
                                presence_key=format!("crit:{dom}:anchor:{level}") multiline=true />
                        </li>
                    }
                }).collect_view()}
            </ol>
            <Show when=can_fill>
                <button type="button" class="secondary" disabled=move || read_only.get() on:click=fill>
                    {t!(i18n, anchors_fill)}
                </button>
            </Show>

            <h4>{t!(i18n, questions_heading)}</h4>
            <p class="hint">{t!(i18n, questions_hint)}</p>
            <ol class="questions">
                <For each=questions key=|q| q.id.clone() let:q>
                    {
                        let field_id = format!("crit-{dom_q}-q-{}", q.id.as_str());
                        let label = field_id.clone();
                        let removing = q.id.clone();
                        view! {
                            <li class="question">
                                <label for=label class="visually-hidden">{t!(i18n, question)}</label>
                                <LiveText session field=TextField::Question(crit.get_value(), q.id.clone()) id=field_id
                                    presence_key=format!("crit:{dom_q}:q:{}", q.id.as_str()) multiline=true />
                                <button type="button" class="danger icon" disabled=move || read_only.get()
                                    aria-label=move || t_string!(i18n, remove_question)
                                    on:click=move |_| {
                                        let id = crit.get_value();
                                        // As it is now, for the undo: the list's copy of its text may be older.
                                        let Some(q) = session.with_value(|s| {
                                            let c = s.vacancy.borrow().criterion(&id)?;
                                            c.questions.into_iter().find(|q| q.id == removing)
                                        }) else { return };
                                        session.get_value().edit(|v| v.remove_question(&id, &q.id).map(Some));
                                        // A slip of the finger can be undone, from where the person is looking
                                        // (the toast outlives this row, so it keeps its own copies).
                                        toasts.offer_undo(
                                            move || t!(i18n, removed_question).into_any(),
                                            move || {
                                                if let Some(s) = session.try_get_value() {
                                                    s.edit(|v| v.restore_question(&id, &q).map(Some));
                                                }
                                            },
                                        );
                                    }>"✕"</button>
                            </li>
                        }
                    }
                </For>
            </ol>
            <form class="add-question" on:submit=add>
                <label for=new_id.clone()>{t!(i18n, new_question)}</label>
                <textarea id=new_id rows="2"
                    prop:value=move || new_question.get()
                    on:input=move |ev| new_question.set(event_target_value(&ev))></textarea>
                <button type="submit" disabled=move || read_only.get()>{t!(i18n, add_question)}</button>
            </form>
            <details class="question-bank">
                <summary>{t!(i18n, question_bank)}</summary>
                <ul>
                    {move || starters::questions(lang(i18n), category()).into_iter().map(|q| {
                        let taken = move || question_texts.with(|t| t.iter().any(|x| x.as_str() == q.text));
                        view! {
                            <li>
                                <p>{q.text}</p>
                                <button type="button" class="secondary" disabled=move || read_only.get() || taken()
                                    on:click=move |_| take(q.text)>
                                    {move || if taken() { t_string!(i18n, question_taken) } else { t_string!(i18n, question_take) }}
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </details>
        </details>
    }
}
