//! The comparison of a vacancy's candidates against the scorecard (candidates × criteria, from
//! submitted feedback only), and below it how the partnership is doing (`partnership`).
//!
//! All the arithmetic (means, weighted totals, knock-outs, ranks and ties, disagreements) and
//! the independent-judgement rule are `Vacancy::comparison_of`; this view only lays them out.
//! One table serves both screens: on a laptop it is a real table, on a phone each row becomes a
//! card (rank, total, recommendations, then the criteria as a list), so the page never scrolls
//! sideways. Each cell carries its criterion's name for the card, hidden while the table's own
//! header names it. Under the table, the voice memos of the feedback shown, to listen to.

use leptos::prelude::*;
use tandem_domain::comparison::{disagreement_threshold, knock_out_below};
use tandem_domain::{
    CandidateId, CandidateStage, Cell, Column, Comparison, MemoRef, PersonId, Row, Tally,
    Visibility,
};

use super::memo_player::MemoPlayer;
use super::partnership::PartnershipSection;
use super::people::{display_name, use_me};
use crate::i18n::*;
use crate::pages::{candidate_path, section_path};
use crate::session::SessionHandle;

type I18n = leptos_i18n::I18nContext<Locale>;

/// What the page shows, read from the document at each change.
#[derive(Clone, PartialEq)]
struct Matrix {
    comparison: Comparison,
    /// Each row's stage, by name.
    stages: Vec<String>,
    /// Per disagreement (in the same order): the lowest and highest score given.
    ranges: Vec<(i64, i64)>,
    /// Rejected candidates, left out unless asked for.
    rejected: usize,
    /// The voice memos of the feedback shown: candidate, interviewer, memo; in the rows' order.
    memos: Vec<(String, String, MemoRef)>,
}

impl Matrix {
    fn column(&self, id: &tandem_domain::CriterionId) -> Option<&Column> {
        self.comparison.columns.iter().find(|c| &c.criterion == id)
    }

    fn name_of(&self, id: &CandidateId) -> String {
        self.comparison
            .rows
            .iter()
            .find(|r| &r.candidate == id)
            .map(|r| shown_name(&r.name))
            .unwrap_or_default()
    }

    /// Nothing submitted on anyone shown, and nobody hidden: there is nothing to compare yet.
    fn no_feedback(&self) -> bool {
        self.comparison.rows.iter().all(|r| {
            r.visibility == Visibility::Shown
                && r.tally.total() == 0
                && r.cells.iter().all(|c| c.count == 0)
        })
    }
}

fn shown_name(name: &str) -> String {
    match name.trim() {
        "" => "?".to_string(),
        n => n.to_string(),
    }
}

/// A number with one decimal, with the reader's decimal sign ("3.5", "3,5").
pub fn one_decimal(i18n: I18n, x: f64) -> String {
    let text = format!("{x:.1}");
    match i18n.get_locale() {
        Locale::nl => text.replace('.', ","),
        Locale::en => text,
    }
}

fn stage_name(i18n: I18n, stages: &[tandem_domain::Stage], stage: &CandidateStage) -> String {
    match stage {
        CandidateStage::Hired => t_string!(i18n, pipeline_hired).to_string(),
        CandidateStage::Rejected => t_string!(i18n, pipeline_rejected).to_string(),
        CandidateStage::Stage(id) => stages
            .iter()
            .find(|s| &s.id == id)
            .map(|s| s.name.trim().to_string())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| t_string!(i18n, pipeline_unnamed_stage).to_string()),
    }
}

#[component]
pub fn ComparisonPage(session: SessionHandle) -> impl IntoView {
    let i18n = use_i18n();
    let version = session.with_value(|s| s.version);
    let doc = session.with_value(|s| s.doc);
    let link = StoredValue::new(session.with_value(|s| s.link.clone()));
    let me = use_me();
    let include_rejected = RwSignal::new(false);
    let matrix = Memo::new(move |_| {
        version.track();
        // Someone who has not said who they are interviews nobody: they see what is shown.
        let viewer = me
            .with(|m| m.as_ref().map(|p| p.id.clone()))
            .unwrap_or_else(|| PersonId(String::new()));
        let include = include_rejected.get();
        session.with_value(|s| {
            let v = s.vacancy.borrow();
            let comparison = v.comparison_of(&viewer, include);
            let all_stages = v.stages();
            let stages = comparison
                .rows
                .iter()
                .map(|r| stage_name(i18n, &all_stages, &r.stage))
                .collect();
            // The domain gives the spread; the talk is easier with the two ends of it.
            let ranges = comparison
                .disagreements
                .iter()
                .map(|d| {
                    let scores: Vec<i64> = v
                        .visible_feedback_for(&viewer, &d.candidate)
                        .iter()
                        .flat_map(|f| f.ratings.iter())
                        .filter(|(c, _)| c == &d.criterion)
                        .filter_map(|(_, r)| r.score)
                        .collect();
                    let low = scores.iter().copied().min().unwrap_or(0);
                    (low, scores.iter().copied().max().unwrap_or(low + d.spread))
                })
                .collect();
            let rejected = v
                .candidates()
                .iter()
                .filter(|c| c.stage == CandidateStage::Rejected)
                .count();
            let people = v.people();
            let memos = comparison
                .rows
                .iter()
                .filter(|r| r.visibility == Visibility::Shown)
                .flat_map(|r| {
                    v.visible_feedback_for(&viewer, &r.candidate)
                        .into_iter()
                        .filter_map(|f| {
                            let by = people
                                .iter()
                                .find(|p| p.id == f.interviewer)
                                .map(|p| display_name(i18n, p))
                                .unwrap_or_default();
                            Some((shown_name(&r.name), by, f.memo?))
                        })
                })
                .collect();
            Matrix {
                comparison,
                stages,
                ranges,
                rejected,
                memos,
            }
        })
    });
    let candidates_link = section_path(doc, "candidates");
    let scorecard_link = section_path(doc, "scorecard");

    let body = move || {
        let m = matrix.get();
        if m.comparison.columns.is_empty() {
            return view! {
                <p class="empty">
                    {t!(i18n, compare_no_criteria)}" "
                    <a href=scorecard_link.clone()>{t!(i18n, compare_to_scorecard)}" →"</a>
                </p>
            }
            .into_any();
        }
        if m.comparison.rows.is_empty() {
            return view! {
                <p class="empty">
                    {t!(i18n, compare_no_candidates)}" "
                    <a href=candidates_link.clone()>{t!(i18n, compare_to_candidates)}" →"</a>
                </p>
            }
            .into_any();
        }
        if m.no_feedback() {
            return view! {
                <p class="empty">
                    {t!(i18n, compare_no_feedback)}" "
                    <a href=candidates_link.clone()>{t!(i18n, compare_to_candidates)}" →"</a>
                </p>
            }
            .into_any();
        }
        let scale = m.comparison.scale_max;
        let middle = one_decimal(i18n, knock_out_below(scale));
        view! {
            <p class="hint">{t!(i18n, compare_hint, max = move || scale, middle = move || middle.clone())}</p>
            <Disagreements matrix=m.clone() />
            <MatrixTable doc matrix=m.clone() />
            <Unrated matrix=m.clone() />
            <Memos link=link.get_value() matrix=m />
        }
        .into_any()
    };

    view! {
        <section class="comparison" aria-labelledby="comparison-heading">
            <a class="back-link" href=section_path(doc, "candidates")>"← "{t!(i18n, candidates)}</a>
            <h2 id="comparison-heading">{t!(i18n, compare_heading)}</h2>
            <Show when=move || matrix.with(|m| m.rejected > 0)>
                <label class="check include-rejected">
                    <input type="checkbox" prop:checked=move || include_rejected.get()
                        on:change=move |ev| include_rejected.set(event_target_checked(&ev)) />
                    {move || t!(i18n, compare_include_rejected, n = move || matrix.with(|m| m.rejected))}
                </label>
            </Show>
            {body}
        </section>
        <PartnershipSection session />
    }
}

/// The largest disagreements, as something to talk about.
#[component]
fn Disagreements(matrix: Matrix) -> impl IntoView {
    let i18n = use_i18n();
    if matrix.comparison.disagreements.is_empty() {
        return ().into_any();
    }
    let threshold = disagreement_threshold(matrix.comparison.scale_max);
    let items = matrix
        .comparison
        .disagreements
        .iter()
        .zip(&matrix.ranges)
        .map(|(d, (low, high))| {
            let name = matrix.name_of(&d.candidate);
            let criterion = matrix
                .column(&d.criterion)
                .map(|c| shown_name(&c.name))
                .unwrap_or_default();
            let (low, high) = (*low, *high);
            view! {
                <li>
                    {t!(i18n, compare_disagreement, name = move || name.clone(), criterion = move || criterion.clone(), low = move || low, high = move || high)}
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="disagreements" role="note">
            <h3>{t!(i18n, compare_disagreements_heading)}</h3>
            <p class="hint">{t!(i18n, compare_disagreements_hint, n = move || threshold)}</p>
            <ul>{items}</ul>
        </div>
    }
    .into_any()
}

/// The voice memos of the feedback shown, each with whose it is and on whom.
#[component]
fn Memos(link: tandem_protocol::ShareLink, matrix: Matrix) -> impl IntoView {
    let i18n = use_i18n();
    (!matrix.memos.is_empty()).then(|| {
        let items = matrix
            .memos
            .into_iter()
            .map(|(candidate, by, memo)| {
                view! {
                    <li>
                        <p class="memo-who"><strong>{candidate}</strong>" · "{by}</p>
                        <MemoPlayer link=link.clone() memo />
                    </li>
                }
            })
            .collect_view();
        view! {
            <section class="compare-memos" aria-labelledby="compare-memos-heading">
                <h3 id="compare-memos-heading">{t!(i18n, memos_heading)}</h3>
                <ul>{items}</ul>
            </section>
        }
    })
}

/// Criteria nobody has rated on any candidate shown.
#[component]
fn Unrated(matrix: Matrix) -> impl IntoView {
    let i18n = use_i18n();
    let names: Vec<String> = matrix
        .comparison
        .unrated
        .iter()
        .filter_map(|id| matrix.column(id))
        .map(|c| shown_name(&c.name))
        .collect();
    (!names.is_empty()).then(|| {
        let list = names.join(", ");
        view! { <p class="hint unrated-criteria">{t!(i18n, compare_unrated_criteria, names = move || list.clone())}</p> }
    })
}

#[component]
fn MatrixTable(doc: tandem_protocol::DocId, matrix: Matrix) -> impl IntoView {
    let i18n = use_i18n();
    let scale = matrix.comparison.scale_max;
    let columns = matrix.comparison.columns.clone();
    let span = columns.len() + 2;
    let heads = columns
        .iter()
        .map(|c| {
            let name = shown_name(&c.name);
            let (weight, must) = (c.weight, c.must_have);
            view! {
                <th scope="col" class="crit-head">
                    <span class="crit-name">{name}</span>
                    <span class="crit-meta">
                        {t!(i18n, compare_weight, n = move || weight)}
                        {must.then(|| view! { <span class="must">{t!(i18n, compare_must_have)}</span> })}
                    </span>
                </th>
            }
        })
        .collect_view();
    let rows = matrix
        .comparison
        .rows
        .iter()
        .zip(&matrix.stages)
        .map(|(row, stage)| {
            let href = candidate_path(doc, &row.candidate);
            let name = shown_name(&row.name);
            let knock_outs: Vec<String> = row
                .knock_outs
                .iter()
                .filter_map(|id| columns.iter().find(|c| &c.criterion == id))
                .map(|c| shown_name(&c.name))
                .collect();
            let head = view! {
                <th scope="row" class="cand">
                    <a href=href>{name}</a>
                    <span class="cand-stage">{stage.clone()}</span>
                    {(!knock_outs.is_empty()).then(|| {
                        let list = knock_outs.join(", ");
                        view! { <span class="ko-note">"✕ "{t!(i18n, compare_fails_must_have, names = move || list.clone())}</span> }
                    })}
                </th>
            };
            match row.visibility {
                Visibility::Hidden { submitted, expected } => view! {
                    <tr class="cand-row hidden-row" data-candidate=row.candidate.as_str().to_string()>
                        <td class="rank">"–"</td>
                        {head}
                        <td class="hidden-note" colspan=span.to_string()>
                            {t!(i18n, compare_hidden, submitted = move || submitted, expected = move || expected)}
                        </td>
                    </tr>
                }
                .into_any(),
                Visibility::Shown => {
                    let cells = row
                        .cells
                        .iter()
                        .zip(&columns)
                        .map(|(cell, col)| cell_view(i18n, scale, cell, col))
                        .collect_view();
                    view! {
                        <tr class="cand-row" class:knocked-out=!row.knock_outs.is_empty()
                            data-candidate=row.candidate.as_str().to_string()>
                            {rank_view(i18n, row)}
                            {head}
                            {total_view(i18n, row)}
                            {tally_view(i18n, row.tally)}
                            {cells}
                        </tr>
                    }
                    .into_any()
                }
            }
        })
        .collect_view();
    view! {
        <div class="matrix-wrap" role="region" tabindex="0"
            aria-label=move || t_string!(i18n, compare_table_label)>
            <table class="matrix">
                <thead>
                    <tr>
                        <th scope="col" class="rank">{t!(i18n, compare_rank)}</th>
                        <th scope="col" class="cand">{t!(i18n, compare_candidate)}</th>
                        <th scope="col" class="total">{t!(i18n, compare_total)}</th>
                        <th scope="col" class="tally">{t!(i18n, compare_recommendations)}</th>
                        {heads}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

fn rank_view(i18n: I18n, row: &Row) -> impl IntoView {
    let rank = row.rank.unwrap_or(0);
    let tied = row.tied;
    view! {
        <td class="rank">
            <span class="rank-number" aria-label=move || t_string!(i18n, compare_rank).to_string()>{format!("#{rank}")}</span>
            {tied.then(|| view! { <span class="tied">{t!(i18n, compare_tied)}</span> })}
        </td>
    }
}

fn total_view(i18n: I18n, row: &Row) -> impl IntoView {
    match row.share {
        Some(share) => {
            let share = share.round() as i64;
            view! {
                <td class="total">
                    <span class="cell-label">{t!(i18n, compare_total)}</span>
                    <strong class="share-value">{t!(i18n, compare_share, n = move || share)}</strong>
                </td>
            }
            .into_any()
        }
        None => view! {
            <td class="total">
                <span class="cell-label">{t!(i18n, compare_total)}</span>
                <span class="unrated">{t!(i18n, compare_not_rated)}</span>
            </td>
        }
        .into_any(),
    }
}

fn tally_view(i18n: I18n, tally: Tally) -> impl IntoView {
    let item = |n: usize, key: &'static str, label: fn(I18n) -> &'static str| {
        view! {
            <li class:zero=n == 0 data-recommendation=key>
                <strong>{n}</strong>" "{move || label(i18n)}
            </li>
        }
    };
    view! {
        <td class="tally">
            <span class="cell-label">{t!(i18n, compare_recommendations)}</span>
            <ul class="tally-list">
                {item(tally.strong_no, "strong_no", |i| t_string!(i, compare_strong_no))}
                {item(tally.no, "no", |i| t_string!(i, compare_no))}
                {item(tally.yes, "yes", |i| t_string!(i, compare_yes))}
                {item(tally.strong_yes, "strong_yes", |i| t_string!(i, compare_strong_yes))}
            </ul>
        </td>
    }
}

fn cell_view(i18n: I18n, scale: i64, cell: &Cell, col: &Column) -> impl IntoView {
    let name = shown_name(&col.name);
    let disagree = cell.spread >= disagreement_threshold(scale);
    let count = cell.count;
    let value = match cell.mean {
        None => view! { <span class="unrated">{t!(i18n, compare_not_rated)}</span> }.into_any(),
        Some(mean) => {
            let mean = one_decimal(i18n, mean);
            view! {
                <strong class="mean">{mean}</strong>
                <span class="count">
                    {move || if count == 1 {
                        t!(i18n, compare_ratings_one).into_any()
                    } else {
                        t!(i18n, compare_ratings, n = move || count).into_any()
                    }}
                </span>
            }
            .into_any()
        }
    };
    view! {
        <td class="cell" data-criterion=col.criterion.as_str().to_string()
            class:knock-out=cell.knock_out class:disagree=disagree class:unrated-cell=cell.mean.is_none()>
            <span class="cell-label">{name}</span>
            <span class="cell-value">
                {value}
                {cell.knock_out.then(|| view! { <span class="flag ko">"✕ "{t!(i18n, compare_knock_out)}</span> })}
                {disagree.then(|| view! { <span class="flag disagree-flag">"⚠ "{t!(i18n, compare_disagree)}</span> })}
            </span>
        </td>
    }
}
