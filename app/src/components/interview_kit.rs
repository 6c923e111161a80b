//! The interview kit of an interview's stage: the notes earlier interviewers left, how to
//! interview well, and per focus criterion its questions and anchored scale. It is printable
//! (the print stylesheet in style/main.css): on paper it also gets boxes for a score and lines
//! for the evidence, which the screen leaves to the feedback form.

use leptos::prelude::*;
use tandem_domain::{Criterion, NextNote, Recommendation};

use super::criterion_details::level_name;
use super::dates::when_text;
use super::interview_page::InterviewData;
use crate::i18n::*;
use crate::pages::section_path;
use crate::session::SessionHandle;

type I18n = leptos_i18n::I18nContext<Locale>;

/// How many lines to write on, per criterion, on paper.
const PAPER_LINES: usize = 4;

pub fn recommendation_text(i18n: I18n, r: Recommendation) -> String {
    match r {
        Recommendation::StrongNo => t_string!(i18n, form_rec_strong_no),
        Recommendation::No => t_string!(i18n, form_rec_no),
        Recommendation::Yes => t_string!(i18n, form_rec_yes),
        Recommendation::StrongYes => t_string!(i18n, form_rec_strong_yes),
    }
    .to_string()
}

/// Blank lines to write on, printed only.
fn paper_lines(n: usize) -> impl IntoView {
    view! {
        <div class="paper-lines print-only" aria-hidden="true">
            {(0..n).map(|_| view! { <span></span> }).collect_view()}
        </div>
    }
}

#[component]
pub fn InterviewKit(session: SessionHandle, data: InterviewData) -> impl IntoView {
    let i18n = use_i18n();
    let version = session.with_value(|s| s.version);
    let doc = session.with_value(|s| s.doc);
    let notes = Memo::new(move |_| {
        let (candidate, stage) = data
            .interview
            .with(|i| i.as_ref().map(|i| (i.candidate.clone(), i.stage.clone())))?;
        version.track();
        Some(session.with_value(|s| s.vacancy.borrow().notes_for_next(&candidate, &stage)))
    });
    let print = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };

    view! {
        <section class="kit" aria-labelledby="kit-heading">
            <div class="kit-title">
                <h2 id="kit-heading">{t!(i18n, kit_heading)}</h2>
                <button type="button" class="secondary" on:click=print>{t!(i18n, kit_print)}</button>
            </div>

            <section class="kit-notes">
                <h3>{t!(i18n, kit_notes_heading)}</h3>
                {move || {
                    let list = notes.get().unwrap_or_default();
                    if list.is_empty() {
                        view! { <p class="empty">{t!(i18n, kit_notes_none)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="next-notes">
                                {list.into_iter().map(|n| next_note(i18n, session, data, n)).collect_view()}
                            </ul>
                        }.into_any()
                    }
                }}
            </section>

            <section class="guidance">
                <h3>{t!(i18n, kit_guidance_heading)}</h3>
                <ul>
                    <li>{t!(i18n, kit_guidance_open)}</li>
                    <li>{t!(i18n, kit_guidance_listen)}</li>
                    <li>{t!(i18n, kit_guidance_examples)}</li>
                    <li>{t!(i18n, kit_guidance_evidence)}</li>
                </ul>
                <h4>{t!(i18n, kit_bias_heading)}</h4>
                <ul class="biases">
                    <li>{t!(i18n, kit_bias_halo)}</li>
                    <li>{t!(i18n, kit_bias_similarity)}</li>
                    <li>{t!(i18n, kit_bias_contrast)}</li>
                </ul>
            </section>

            <section class="kit-focus">
                <h3>{t!(i18n, kit_focus_heading)}</h3>
                <Show when=move || data.focus.with(|f| !f.is_empty())
                    fallback=move || view! {
                        <p class="empty">{t!(i18n, kit_no_focus)}" "
                            <a href=section_path(doc, "intake")>{t!(i18n, kit_choose_focus)}</a>
                        </p>
                    }>
                    <ol class="kit-criteria">
                        {move || {
                            let scale = data.scale_max.get();
                            data.focus.get().into_iter().map(|c| kit_criterion(i18n, scale, c)).collect_view()
                        }}
                    </ol>
                </Show>
            </section>

            // On paper, the overall verdict and the note for the next one get room too.
            <section class="kit-paper-verdict print-only">
                <h3>{t!(i18n, form_recommendation)}</h3>
                <p class="paper-boxes">
                    {Recommendation::ALL.into_iter().map(|r| view! {
                        <span>{"☐ "}{move || recommendation_text(i18n, r)}</span>
                    }).collect_view()}
                </p>
                <h3>{t!(i18n, form_note)}</h3>
                {paper_lines(3)}
            </section>
        </section>
    }
}

fn next_note(
    i18n: I18n,
    session: SessionHandle,
    data: InterviewData,
    n: NextNote,
) -> impl IntoView {
    let stage = session.with_value(|s| {
        s.vacancy
            .borrow()
            .stages()
            .into_iter()
            .find(|x| x.id == n.stage)
            .map(|x| x.name)
    });
    let by = data.name_of(i18n, &n.by);
    let when = when_text(i18n, n.submitted_at);
    let meta = match stage.filter(|s| !s.trim().is_empty()) {
        Some(stage) => format!("{by} · {stage} · {when}"),
        None => format!("{by} · {when}"),
    };
    view! {
        <li class="next-note">
            <p class="next-note-text">{n.note}</p>
            <p class="hint">{meta}</p>
        </li>
    }
}

fn kit_criterion(i18n: I18n, scale: i64, c: Criterion) -> impl IntoView {
    let name = if c.name.trim().is_empty() {
        t_string!(i18n, unnamed_criterion).to_string()
    } else {
        c.name.clone()
    };
    let levels = (1..=scale)
        .map(|level| {
            // An anchor not written (or a scale longer than its anchors) shows the level alone.
            let anchor = c
                .anchors
                .get(level as usize - 1)
                .map(|a| a.trim().to_string())
                .unwrap_or_default();
            view! {
                <li>
                    <strong>{move || level_name(i18n, level, scale)}</strong>
                    {(!anchor.is_empty()).then(|| view! { <span class="anchor">{anchor}</span> })}
                </li>
            }
        })
        .collect_view();
    let questions = c.questions.clone();
    view! {
        <li class="kit-criterion" data-criterion=c.id.as_str().to_string()>
            <h4>{name}{c.must_have.then(|| view! { " " <span class="chip" data-state="overdue">{t!(i18n, must_have)}</span> })}</h4>
            {(!c.description.trim().is_empty()).then(|| view! { <p class="kit-description">{c.description.clone()}</p> })}
            <h5>{t!(i18n, questions_heading)}</h5>
            {if questions.is_empty() {
                view! { <p class="empty">{t!(i18n, kit_no_questions)}</p> }.into_any()
            } else {
                view! {
                    <ul class="kit-questions">
                        {questions.into_iter().map(|q| view! { <li>{q.text}</li> }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <h5>{t!(i18n, anchors_heading)}</h5>
            <ol class="kit-scale">{levels}</ol>
            <p class="paper-boxes print-only">
                <strong>{t!(i18n, kit_paper_score)}": "</strong>
                {(1..=scale).map(|level| view! { <span>{format!("☐ {level}")}</span> }).collect_view()}
            </p>
            <p class="paper-label print-only">{t!(i18n, form_evidence)}</p>
            {paper_lines(PAPER_LINES)}
        </li>
    }
}
