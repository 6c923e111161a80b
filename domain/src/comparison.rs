//! The comparison that decides: candidates × criteria, from submitted feedback only.
//!
//! The arithmetic is [`compare`], over plain data; [`Vacancy::comparison`] reads its input from
//! the document and applies the independent-judgement rule per candidate. The rules:
//! - A **cell** (candidate × criterion) is the mean of the scores submitted for it, with how
//!   many there are and their spread (highest − lowest). Evidence without a score counts for
//!   nothing here.
//! - The **weighted total** is Σ(weight × mean) / Σ(weight) over the criteria the candidate was
//!   rated on (unrated criteria are left out, not counted as zero), and as a share of the scale:
//!   0 at the bottom level (1), 100 at the top.
//! - **Knock-out**: a must-have criterion whose mean is below the middle of the scale,
//!   (scale_max + 1) / 2 (2.5 on 1–4), fails. An unrated must-have does not fail; it is listed
//!   among the candidate's unrated criteria.
//! - **Rank**: candidates without a knock-out first, then by weighted total high to low (no
//!   total last), then by more yes (yes + strong yes), then more strong yes. Candidates equal on
//!   all of these share a rank and are marked tied (ranks go 1, 1, 3).
//! - **Disagreement**: a cell whose spread is at least half the scale (2 on 1–4), largest first.
//! - A candidate whose feedback is hidden from the viewer has no cells, tally, total or rank
//!   (their place in a ranking would tell what is hidden); the row says how many submitted.

use std::cmp::Ordering;

use crate::candidates::{CandidateId, CandidateStage};
use crate::feedback::{Recommendation, Visibility};
use crate::people::PersonId;
use crate::scorecard::CriterionId;
use crate::vacancy::Vacancy;

/// A criterion as the comparison weighs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub criterion: CriterionId,
    pub name: String,
    pub weight: i64,
    pub must_have: bool,
}

/// One submitted feedback, as the comparison uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scores {
    pub recommendation: Recommendation,
    /// Scored criteria only.
    pub scores: Vec<(CriterionId, i64)>,
}

/// A candidate's input to [`compare`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateInput {
    pub candidate: CandidateId,
    pub name: String,
    pub stage: CandidateStage,
    pub visibility: Visibility,
    pub feedback: Vec<Scores>,
}

/// A candidate × criterion cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub criterion: CriterionId,
    /// `None` while nobody scored it.
    pub mean: Option<f64>,
    pub count: usize,
    /// Highest − lowest score; 0 with fewer than two.
    pub spread: i64,
    /// A must-have whose mean is below the middle of the scale.
    pub knock_out: bool,
}

/// How the recommendations fell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub strong_no: usize,
    pub no: usize,
    pub yes: usize,
    pub strong_yes: usize,
}

impl Tally {
    pub fn add(&mut self, r: Recommendation) {
        match r {
            Recommendation::StrongNo => self.strong_no += 1,
            Recommendation::No => self.no += 1,
            Recommendation::Yes => self.yes += 1,
            Recommendation::StrongYes => self.strong_yes += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.strong_no + self.no + self.yes + self.strong_yes
    }
}

/// A candidate's row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub candidate: CandidateId,
    pub name: String,
    pub stage: CandidateStage,
    pub visibility: Visibility,
    /// One per column, in the columns' order; empty while hidden.
    pub cells: Vec<Cell>,
    /// Σ(weight × mean) / Σ(weight) over rated criteria; `None` with nothing rated (or hidden).
    pub weighted_total: Option<f64>,
    /// The weighted total on 0 ..= 100 (bottom of the scale to its top).
    pub share: Option<f64>,
    /// The must-haves that fail.
    pub knock_outs: Vec<CriterionId>,
    /// The criteria nobody scored for this candidate yet.
    pub unrated: Vec<CriterionId>,
    pub tally: Tally,
    /// 1-based; `None` while hidden.
    pub rank: Option<usize>,
    /// Shares its rank with another candidate.
    pub tied: bool,
}

/// Where interviewers disagree on a candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement {
    pub candidate: CandidateId,
    pub criterion: CriterionId,
    pub spread: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub scale_max: i64,
    pub columns: Vec<Column>,
    /// Ranked rows first, best first; then hidden rows in the order given.
    pub rows: Vec<Row>,
    /// Criteria no candidate shown here was scored on yet.
    pub unrated: Vec<CriterionId>,
    /// Spreads of at least [`disagreement_threshold`], largest first.
    pub disagreements: Vec<Disagreement>,
}

/// The middle of a 1 ..= scale_max scale: a must-have's mean below it fails.
pub fn knock_out_below(scale_max: i64) -> f64 {
    (scale_max + 1) as f64 / 2.0
}

/// The spread from which interviewers count as disagreeing: half the scale (2 on 1–4).
pub fn disagreement_threshold(scale_max: i64) -> i64 {
    (scale_max / 2).max(1)
}

/// Two totals this close are the same total (means of integers, summed in another order).
const SAME: f64 = 1e-9;

/// The comparison of `candidates` on `columns`, on a 1 ..= `scale_max` scale.
pub fn compare(columns: &[Column], scale_max: i64, candidates: &[CandidateInput]) -> Comparison {
    let mut rows: Vec<Row> = candidates
        .iter()
        .map(|c| row(columns, scale_max, c))
        .collect();
    // Hidden rows keep their given order after the ranked ones (a stable sort).
    crate::sorting::sort_by(&mut rows, |a, b| match (a.visibility, b.visibility) {
        (Visibility::Shown, Visibility::Shown) => rank_order(a, b),
        (Visibility::Shown, _) => Ordering::Less,
        (_, Visibility::Shown) => Ordering::Greater,
        _ => Ordering::Equal,
    });
    let shown = rows
        .iter()
        .filter(|r| r.visibility == Visibility::Shown)
        .count();
    for i in 0..shown {
        let same_as_previous = i > 0 && rank_order(&rows[i - 1], &rows[i]) == Ordering::Equal;
        rows[i].rank = Some(match same_as_previous {
            true => rows[i - 1].rank.unwrap_or(i + 1),
            false => i + 1,
        });
        if same_as_previous {
            rows[i - 1].tied = true;
            rows[i].tied = true;
        }
    }
    let visible = || rows.iter().filter(|r| r.visibility == Visibility::Shown);
    let unrated = columns
        .iter()
        .filter(|col| {
            !visible().any(|r| {
                r.cells
                    .iter()
                    .any(|c| c.criterion == col.criterion && c.count > 0)
            })
        })
        .map(|col| col.criterion.clone())
        .collect();
    let threshold = disagreement_threshold(scale_max);
    let mut disagreements: Vec<Disagreement> = visible()
        .flat_map(|r| {
            r.cells
                .iter()
                .filter(|c| c.spread >= threshold)
                .map(|c| Disagreement {
                    candidate: r.candidate.clone(),
                    criterion: c.criterion.clone(),
                    spread: c.spread,
                })
        })
        .collect();
    // Largest first; equal spreads keep the rows' (rank) and columns' order.
    crate::sorting::sort_by_key(&mut disagreements, |d| std::cmp::Reverse(d.spread));
    Comparison {
        scale_max,
        columns: columns.to_vec(),
        rows,
        unrated,
        disagreements,
    }
}

fn row(columns: &[Column], scale_max: i64, input: &CandidateInput) -> Row {
    let mut row = Row {
        candidate: input.candidate.clone(),
        name: input.name.clone(),
        stage: input.stage.clone(),
        visibility: input.visibility,
        cells: Vec::new(),
        weighted_total: None,
        share: None,
        knock_outs: Vec::new(),
        unrated: Vec::new(),
        tally: Tally::default(),
        rank: None,
        tied: false,
    };
    if input.visibility != Visibility::Shown {
        return row;
    }
    for f in &input.feedback {
        row.tally.add(f.recommendation);
    }
    let (mut weighted, mut weights) = (0.0, 0i64);
    for col in columns {
        let scores: Vec<i64> = input
            .feedback
            .iter()
            .flat_map(|f| &f.scores)
            .filter(|(c, s)| *c == col.criterion && (1..=scale_max).contains(s))
            .map(|(_, s)| *s)
            .collect();
        let mean =
            (!scores.is_empty()).then(|| scores.iter().sum::<i64>() as f64 / scores.len() as f64);
        let spread = match (scores.iter().max(), scores.iter().min()) {
            (Some(max), Some(min)) => max - min,
            _ => 0,
        };
        let knock_out = col.must_have && mean.is_some_and(|m| m < knock_out_below(scale_max));
        match mean {
            Some(m) => {
                weighted += col.weight as f64 * m;
                weights += col.weight;
            }
            None => row.unrated.push(col.criterion.clone()),
        }
        if knock_out {
            row.knock_outs.push(col.criterion.clone());
        }
        row.cells.push(Cell {
            criterion: col.criterion.clone(),
            mean,
            count: scores.len(),
            spread,
            knock_out,
        });
    }
    if weights > 0 {
        let total = weighted / weights as f64;
        row.weighted_total = Some(total);
        row.share = Some((total - 1.0) / (scale_max - 1) as f64 * 100.0);
    }
    row
}

/// Best first: no knock-out, higher total, more yes, more strong yes.
fn rank_order(a: &Row, b: &Row) -> Ordering {
    let total = |r: &Row| r.weighted_total.unwrap_or(f64::NEG_INFINITY);
    let by_total = match (total(a), total(b)) {
        (x, y) if (x - y).abs() < SAME || x == y => Ordering::Equal,
        (x, y) => y.total_cmp(&x),
    };
    a.knock_outs
        .is_empty()
        .cmp(&b.knock_outs.is_empty())
        .reverse()
        .then(by_total)
        .then_with(|| {
            let yes = |r: &Row| (r.tally.yes + r.tally.strong_yes, r.tally.strong_yes);
            yes(b).cmp(&yes(a))
        })
}

impl Vacancy {
    /// The comparison of the candidates not rejected, as `viewer` may see it.
    pub fn comparison(&self, viewer: &PersonId) -> Comparison {
        self.comparison_of(viewer, false)
    }

    /// The comparison, rejected candidates included when `include_rejected`.
    pub fn comparison_of(&self, viewer: &PersonId, include_rejected: bool) -> Comparison {
        let columns: Vec<Column> = self
            .criteria()
            .into_iter()
            .map(|c| Column {
                criterion: c.id,
                name: c.name,
                weight: c.weight,
                must_have: c.must_have,
            })
            .collect();
        let feedback = self.feedback();
        let candidates: Vec<CandidateInput> = self
            .candidates()
            .into_iter()
            .filter(|c| include_rejected || c.stage != CandidateStage::Rejected)
            .map(|c| CandidateInput {
                visibility: self.feedback_visible_to(viewer, &c.id),
                feedback: feedback
                    .iter()
                    .filter(|f| f.candidate == c.id)
                    .map(|f| Scores {
                        recommendation: f.recommendation,
                        scores: f
                            .ratings
                            .iter()
                            .filter_map(|(id, r)| Some((id.clone(), r.score?)))
                            .collect(),
                    })
                    .collect(),
                candidate: c.id,
                name: c.name,
                stage: c.stage,
            })
            .collect();
        compare(&columns, self.scale_max(), &candidates)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intake::StageId;
    use Recommendation::*;

    fn col(id: &str, weight: i64, must_have: bool) -> Column {
        Column {
            criterion: CriterionId(id.into()),
            name: id.into(),
            weight,
            must_have,
        }
    }

    fn fb(rec: Recommendation, scores: &[(&str, i64)]) -> Scores {
        Scores {
            recommendation: rec,
            scores: scores
                .iter()
                .map(|(c, s)| (CriterionId((*c).into()), *s))
                .collect(),
        }
    }

    fn cand(id: &str, feedback: Vec<Scores>) -> CandidateInput {
        CandidateInput {
            candidate: CandidateId(id.into()),
            name: id.into(),
            stage: CandidateStage::Stage(StageId("s1".into())),
            visibility: Visibility::Shown,
            feedback,
        }
    }

    fn ranking(c: &Comparison) -> Vec<(&str, Option<usize>, bool)> {
        c.rows
            .iter()
            .map(|r| (r.candidate.as_str(), r.rank, r.tied))
            .collect()
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn means_and_the_weighted_total_leave_unrated_criteria_out() {
        let columns = [
            col("sql", 3, false),
            col("comms", 1, false),
            col("python", 2, false),
        ];
        // Two interviewers: SQL 4 and 3, comms 2 once, Python by nobody.
        let ada = cand(
            "ada",
            vec![fb(Yes, &[("sql", 4), ("comms", 2)]), fb(Yes, &[("sql", 3)])],
        );
        let c = compare(&columns, 4, &[ada]);
        let row = &c.rows[0];
        assert!(close(row.cells[0].mean, 3.5));
        assert_eq!((row.cells[0].count, row.cells[0].spread), (2, 1));
        assert!(close(row.cells[1].mean, 2.0));
        assert_eq!((row.cells[2].mean, row.cells[2].count), (None, 0));
        // (3 × 3.5 + 1 × 2) / (3 + 1) = 3.125; on the scale: (3.125 − 1) / 3 = 70.83 %.
        assert!(close(row.weighted_total, 3.125));
        assert!(close(row.share, 2.125 / 3.0 * 100.0));
        assert_eq!(row.unrated, vec![CriterionId("python".into())]);
        assert_eq!(c.unrated, vec![CriterionId("python".into())]);
        assert_eq!(
            row.tally,
            Tally {
                yes: 2,
                ..Tally::default()
            }
        );
        // Nothing rated at all: no total, and every criterion is unrated.
        let empty = compare(&columns, 4, &[cand("bob", vec![fb(No, &[])])]);
        assert_eq!(empty.rows[0].weighted_total, None);
        assert_eq!(empty.unrated.len(), 3);
    }

    #[test]
    fn a_must_have_below_the_middle_of_the_scale_knocks_out() {
        let columns = [col("sql", 1, true), col("comms", 5, false)];
        // Ada: SQL 2 and 3 = 2.5, exactly the middle of 1–4: passes.
        let ada = cand(
            "ada",
            vec![fb(Yes, &[("sql", 2), ("comms", 2)]), fb(No, &[("sql", 3)])],
        );
        // Bob: SQL 2 and 2 = 2.0 fails, though his total is far higher.
        let bob = cand("bob", vec![fb(StrongYes, &[("sql", 2), ("comms", 4)])]);
        // Cy: SQL unrated, which does not fail.
        let cy = cand("cy", vec![fb(Yes, &[("comms", 1)])]);
        let c = compare(&columns, 4, &[bob, ada, cy]);
        assert_eq!(knock_out_below(4), 2.5);
        assert_eq!(knock_out_below(5), 3.0);
        let ids: Vec<&str> = c.rows.iter().map(|r| r.candidate.as_str()).collect();
        assert_eq!(ids, vec!["ada", "cy", "bob"], "a knock-out ranks last");
        let bob = &c.rows[2];
        assert_eq!(bob.knock_outs, vec![CriterionId("sql".into())]);
        assert!(bob.cells[0].knock_out && !bob.cells[1].knock_out);
        assert!(c.rows[0].knock_outs.is_empty());
        assert!(c.rows[1].knock_outs.is_empty());
        assert_eq!(c.rows[1].unrated, vec![CriterionId("sql".into())]);
    }

    #[test]
    fn equal_totals_share_a_rank_unless_the_recommendations_differ() {
        let columns = [col("sql", 2, false), col("comms", 1, false)];
        let ada = cand("ada", vec![fb(Yes, &[("sql", 3), ("comms", 3)])]);
        let cy = cand("cy", vec![fb(Yes, &[("sql", 3), ("comms", 3)])]);
        // The same total 3.0 by another route, (2 × 3.5 + 1 × 2) / 3, with as many yes as
        // Ada and Cy but a strong one: ranks above them.
        let bob = cand(
            "bob",
            vec![
                fb(StrongYes, &[("sql", 4), ("comms", 2)]),
                fb(No, &[("sql", 3)]),
            ],
        );
        let top = cand("top", vec![fb(No, &[("sql", 4), ("comms", 4)])]);
        let c = compare(&columns, 4, &[ada, bob, cy, top]);
        assert!(close(c.rows[1].weighted_total, 3.0));
        assert_eq!(
            ranking(&c),
            vec![
                ("top", Some(1), false),
                ("bob", Some(2), false),
                ("ada", Some(3), true),
                ("cy", Some(3), true),
            ]
        );
        // More yes outranks fewer at an equal total.
        let dee = cand(
            "dee",
            vec![fb(Yes, &[("sql", 3)]), fb(Yes, &[("comms", 3)])],
        );
        let ada = cand("ada", vec![fb(Yes, &[("sql", 3), ("comms", 3)])]);
        let c = compare(&columns, 4, &[ada, dee]);
        assert_eq!(
            ranking(&c),
            vec![("dee", Some(1), false), ("ada", Some(2), false)]
        );
    }

    #[test]
    fn the_largest_disagreements_come_first() {
        let columns = [col("sql", 1, false), col("comms", 1, false)];
        let ada = cand(
            "ada",
            vec![
                fb(Yes, &[("sql", 1), ("comms", 2)]),
                fb(No, &[("sql", 4), ("comms", 3)]),
            ],
        );
        let bob = cand(
            "bob",
            vec![
                fb(Yes, &[("sql", 2), ("comms", 4)]),
                fb(Yes, &[("comms", 2)]),
            ],
        );
        let c = compare(&columns, 4, &[ada, bob]);
        let found: Vec<(&str, &str, i64)> = c
            .disagreements
            .iter()
            .map(|d| (d.candidate.as_str(), d.criterion.as_str(), d.spread))
            .collect();
        assert_eq!(found, vec![("ada", "sql", 3), ("bob", "comms", 2)]);
        assert_eq!(disagreement_threshold(4), 2);
        assert_eq!(disagreement_threshold(10), 5);
    }

    #[test]
    fn a_hidden_candidate_shows_counts_only_and_no_rank() {
        let columns = [col("sql", 1, false)];
        let mut hidden = cand(
            "ada",
            vec![fb(StrongYes, &[("sql", 1)]), fb(No, &[("sql", 4)])],
        );
        hidden.visibility = Visibility::Hidden {
            submitted: 2,
            expected: 3,
        };
        let bob = cand("bob", vec![fb(Yes, &[("sql", 2)])]);
        let c = compare(&columns, 4, &[hidden, bob]);
        assert_eq!(
            ranking(&c),
            vec![("bob", Some(1), false), ("ada", None, false)]
        );
        let ada = &c.rows[1];
        assert!(ada.cells.is_empty() && ada.weighted_total.is_none() && ada.share.is_none());
        assert_eq!(ada.tally.total(), 0);
        assert_eq!(
            ada.visibility,
            Visibility::Hidden {
                submitted: 2,
                expected: 3
            }
        );
        assert!(c.disagreements.is_empty(), "not even where they disagree");
    }
}
