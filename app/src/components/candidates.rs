//! The Candidates section: the pipeline by stage (a column per stage on a laptop, one below the
//! other on a phone), adding a candidate, the way to the comparison, and the feedback owed.
//!
//! The board follows the document finely (see `watch`): the columns follow which candidates
//! are in which stage ([`Area::Pipeline`]) and the stages, and each card follows its own
//! candidate ([`Area::Candidate`]: their name, their interviews and feedback). A change to one
//! candidate re-reads that card alone; a keystroke elsewhere (the intake) wakes none of it.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use tandem_domain::changes::Area;
use tandem_domain::{Candidate, CandidateId, CandidateStage, PipelineColumn};

use super::dates::{date_text, local_date_time, local_now};
use super::feedback_owed::FeedbackOwed;
use crate::i18n::*;
use crate::pages::{candidate_path, section_path};
use crate::session::SessionHandle;

/// Feedback submitted and expected by candidate, read once for the board's first render
/// ([`tandem_domain::Vacancy::submitted_counts`]) and dropped after it: a card made later
/// (a new candidate, one moved to another column) reads its own.
type FirstCounts = StoredValue<Option<BTreeMap<CandidateId, (usize, usize)>>>;

#[component]
pub fn CandidatesSection(session: SessionHandle) -> impl IntoView {
    let i18n = use_i18n();
    // The marks split opening the large vacancy's board for the bench (tests/bench/large.mjs).
    crate::timing::mark("tandem:board");
    let (doc, locked) = session.with_value(|s| (s.doc, s.locked));
    let columns = Memo::new(move |_| {
        crate::timing::mark("tandem:columns");
        session.with_value(|s| {
            s.track(Area::Pipeline);
            // Stage names, their order, and a removed stage's candidates reading as the first's.
            s.track(Area::Stages);
            let columns = s.vacancy.borrow().pipeline();
            crate::timing::mark("tandem:columned");
            columns
        })
    });
    let stages = Memo::new(move |_| {
        columns.with(|cs| cs.iter().map(|c| c.stage.clone()).collect::<Vec<_>>())
    });
    // Hired and rejected are always there; the intake's stages come before them.
    let no_stages = Memo::new(move |_| stages.with(|s| s.iter().all(CandidateStage::is_final)));
    let read_only = Memo::new(move |_| locked.get());
    // Once for the whole board, not once a card.
    let first_counts: FirstCounts = StoredValue::new(Some(
        session.with_value(|s| s.vacancy.borrow().submitted_counts()),
    ));
    crate::timing::mark("tandem:counted");
    // Effects run after the render they follow: by then every first card has taken its count.
    Effect::new(move |_| first_counts.set_value(None));
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
                <For each=move || stages.get() key=|stage| stage.clone() let:stage>
                    <PipelineColumnView session columns stage first_counts />
                </For>
            </ol>
        </section>
        <FeedbackOwed session />
    }
}

#[component]
fn PipelineColumnView(
    session: SessionHandle,
    columns: Memo<Vec<PipelineColumn>>,
    stage: CandidateStage,
    first_counts: FirstCounts,
) -> impl IntoView {
    let i18n = use_i18n();
    let rejected = stage == CandidateStage::Rejected;
    let is_final = stage.is_final();
    let stage_for_name = stage.clone();
    let name = Memo::new(move |_| {
        session.with_value(|s| s.track(Area::Stages));
        stage_name(i18n, session, &stage_for_name)
    });
    // This column's candidates; the other columns' moves leave it equal, so its cards alone.
    let cards = Memo::new(move |_| {
        columns.with(|cs| {
            cs.iter()
                .find(|c| c.stage == stage)
                .map(|c| c.candidates.clone())
                .unwrap_or_default()
        })
    });
    let list = move || {
        view! {
            <ul class="candidate-cards">
                <For each=move || cards.get() key=|c| c.id.clone() let:candidate>
                    <li><CandidateCard session candidate first_counts /></li>
                </For>
            </ul>
        }
    };
    view! {
        <li class="pipeline-column" class:final=is_final>
            <h3>{move || name.get()}" "<span class="count">{move || cards.with(Vec::len)}</span></h3>
            <Show when=move || cards.with(|c| !c.is_empty())
                fallback=move || view! { <p class="muted">{t!(i18n, pipeline_empty)}</p> }>
                {if rejected {
                    // Out of the process: kept, but out of the way.
                    view! {
                        <details class="rejected-list">
                            <summary>{t!(i18n, show_rejected)}</summary>
                            {list()}
                        </details>
                    }.into_any()
                } else {
                    list().into_any()
                }}
            </Show>
        </li>
    }
}

/// What a card shows, and how often it read the document for it.
#[derive(Clone, PartialEq)]
struct CardData {
    candidate: Option<Candidate>,
    /// Feedback submitted and expected.
    feedback: (usize, usize),
    /// Shown as `data-reads`, for the tests that prove the other cards were not woken.
    reads: u32,
}

#[component]
fn CandidateCard(
    session: SessionHandle,
    /// As the board read it when the card was made; the card follows the document from there.
    candidate: Candidate,
    first_counts: FirstCounts,
) -> impl IntoView {
    let i18n = use_i18n();
    let doc = session.with_value(|s| s.doc);
    let id = candidate.id.clone();
    let href = candidate_path(doc, &id);
    let first = StoredValue::new(Some(candidate));
    let data = Memo::new(move |prev: Option<&CardData>| {
        session.with_value(|s| {
            s.track(Area::Candidate(id.clone()));
            let reads = prev.map_or(1, |p| p.reads + 1);
            let v = s.vacancy.borrow();
            let counted = || v.submitted_count(&id);
            match first.try_update_value(Option::take).flatten() {
                Some(candidate) => CardData {
                    feedback: first_counts
                        .with_value(|m| m.as_ref().map(|m| m.get(&id).copied().unwrap_or_default()))
                        .unwrap_or_else(counted),
                    candidate: Some(candidate),
                    reads,
                },
                None => CardData {
                    candidate: v.candidate(&id),
                    feedback: counted(),
                    reads,
                },
            }
        })
    });
    let name = move || {
        data.with(|d| d.candidate.as_ref().map(|c| c.name.trim().to_string()))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| t_string!(i18n, unnamed_candidate).to_string())
    };
    let since = move || {
        let entered = data.with(|d| d.candidate.as_ref().and_then(|c| local_date_time(c.since)));
        if entered.is_some_and(|t| t.date() == local_now().date()) {
            t_string!(i18n, in_stage_since_today).to_string()
        } else {
            let since = entered
                .map(|t| date_text(i18n, t.date(), false))
                .unwrap_or_default();
            format!("{} {since}", t_string!(i18n, in_stage_since))
        }
    };
    let feedback = move || data.with(|d| d.feedback);
    view! {
        <a class="candidate-card" href=href data-reads=move || data.with(|d| d.reads)>
            <span class="name">{name}</span>
            <span class="meta">
                {since}
                {move || {
                    let (submitted, expected) = feedback();
                    (expected > 0).then(|| view! {
                        " · "{t!(i18n, feedback_count, submitted = submitted, expected = expected)}
                    })
                }}
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
