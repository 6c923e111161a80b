//! How the partnership is doing: plain numbers both sides see, without blame.
//!
//! - Per person who interviews: how long their feedback took, from the interview's end to its
//!   submission, as the median in **working** minutes (the agreement is in working hours, so an
//!   interview on Friday afternoon with feedback on Monday morning took a few hours, not three
//!   days); how many of their submissions came within the agreement; and how much of what they
//!   owe is overdue now.
//! - Per stage of the process: the median time candidates stayed in it, from the candidates'
//!   histories (each move ends the stay in the stage before). Stays still going on are not in
//!   the median; how many candidates are in the stage now is.
//!
//! Submission times are stored in UTC; interview times are local. The caller passes its offset
//! from UTC (east positive, as [`crate::deadlines::local_time`] takes it) to put both on one
//! clock. Feedback whose interview was removed or never scheduled has no end to count from and
//! is left out.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

use crate::candidates::{CandidateStage, StageVisit};
use crate::deadlines::{self, Due, DueState};
use crate::intake::StageId;
use crate::people::PersonId;
use crate::vacancy::Vacancy;
use crate::working_time;

/// How one person's feedback went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackPace {
    pub person: PersonId,
    /// Submissions that can be timed (their interview is still there and was scheduled).
    pub submitted: usize,
    /// Of those, submitted by the agreed deadline.
    pub on_time: usize,
    /// The median working time from interview end to submission, in minutes.
    pub median_minutes: Option<i64>,
    /// Feedback they owe that is overdue now.
    pub overdue: usize,
}

impl FeedbackPace {
    /// The share submitted within the agreement, 0 ..= 100, rounded; `None` before any.
    pub fn on_time_percent(&self) -> Option<u32> {
        (self.submitted > 0)
            .then(|| ((self.on_time * 100 + self.submitted / 2) / self.submitted) as u32)
    }
}

/// How long candidates stay in a stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagePace {
    pub stage: StageId,
    /// The median of the finished stays, in ms.
    pub median_ms: Option<i64>,
    /// How many finished stays the median is over.
    pub stays: usize,
    /// How many candidates are in the stage now.
    pub now_in: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partnership {
    /// Everyone who interviewed or submitted, in the order of the vacancy's people (others
    /// after, by id).
    pub people: Vec<FeedbackPace>,
    /// Every stage of the process, in the intake's order.
    pub stages: Vec<StagePace>,
}

/// The middle value (the mean of the two middle ones for an even count); `None` when empty.
pub fn median(mut values: Vec<i64>) -> Option<i64> {
    crate::sorting::sort(&mut values);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        // In i128: the two middle values of a hostile document may be i64::MIN and i64::MAX.
        _ => Some(((i128::from(values[n / 2 - 1]) + i128::from(values[n / 2])) / 2) as i64),
    }
}

/// The finished stays of a history (oldest first): each visit's stage and how long it lasted
/// until the next move.
pub fn stays(history: &[StageVisit]) -> Vec<(CandidateStage, i64)> {
    history
        .windows(2)
        .map(|w| (w[0].stage.clone(), w[1].at.saturating_sub(w[0].at).max(0)))
        .collect()
}

impl Vacancy {
    /// How the partnership is doing at local time `now`, for a device `offset_east_minutes`
    /// ahead of UTC.
    pub fn partnership(&self, now: NaiveDateTime, offset_east_minutes: i32) -> Partnership {
        let within = self.agreements().feedback_within_hours;
        let interviews = self.interviews();
        let mut pace: BTreeMap<PersonId, FeedbackPace> = BTreeMap::new();
        let mut took: BTreeMap<PersonId, Vec<i64>> = BTreeMap::new();
        let entry = |pace: &mut BTreeMap<PersonId, FeedbackPace>, p: &PersonId| {
            pace.entry(p.clone()).or_insert_with(|| FeedbackPace {
                person: p.clone(),
                submitted: 0,
                on_time: 0,
                median_minutes: None,
                overdue: 0,
            });
        };
        for i in &interviews {
            for p in &i.interviewers {
                entry(&mut pace, p);
            }
        }
        for f in self.feedback() {
            entry(&mut pace, &f.interviewer);
            let Some(end) = interviews
                .iter()
                .find(|i| i.id == f.interview)
                .and_then(|i| i.end())
            else {
                continue;
            };
            let Some(submitted) = deadlines::local_time(f.submitted_at, offset_east_minutes) else {
                continue;
            };
            let Ok(spent) = working_time::working_time_between(end, submitted) else {
                continue;
            };
            let on_time = deadlines::feedback_due(end, within)
                .is_ok_and(|due: Due| submitted <= due.last_moment());
            if let Some(p) = pace.get_mut(&f.interviewer) {
                p.submitted += 1;
                p.on_time += usize::from(on_time);
            }
            took.entry(f.interviewer)
                .or_default()
                .push(spent.num_minutes());
        }
        for owed in self.feedback_owed(now) {
            if owed.state == DueState::Overdue {
                if let Some(p) = pace.get_mut(&owed.interviewer) {
                    p.overdue += 1;
                }
            }
        }
        for (person, minutes) in took {
            if let Some(p) = pace.get_mut(&person) {
                p.median_minutes = median(minutes);
            }
        }
        let order: Vec<PersonId> = self.people().into_iter().map(|p| p.id).collect();
        let mut people: Vec<FeedbackPace> = pace.into_values().collect();
        crate::sorting::sort_by_key(&mut people, |p| {
            (
                order
                    .iter()
                    .position(|o| o == &p.person)
                    .unwrap_or(usize::MAX),
                p.person.clone(),
            )
        });

        let candidates = self.candidates();
        let all_stays: Vec<(CandidateStage, i64)> =
            candidates.iter().flat_map(|c| stays(&c.history)).collect();
        let stages = self
            .stages()
            .into_iter()
            .map(|s| {
                let here = CandidateStage::Stage(s.id.clone());
                let times: Vec<i64> = all_stays
                    .iter()
                    .filter(|(stage, _)| stage == &here)
                    .map(|(_, ms)| *ms)
                    .collect();
                StagePace {
                    stays: times.len(),
                    median_ms: median(times),
                    now_in: candidates.iter().filter(|c| c.stage == here).count(),
                    stage: s.id,
                }
            })
            .collect();
        Partnership { people, stages }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_odd_and_even_counts() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![7]), Some(7));
        assert_eq!(median(vec![30, 10, 20]), Some(20));
        assert_eq!(median(vec![40, 10, 20, 30]), Some(25));
        assert_eq!(
            median(vec![i64::MAX, i64::MAX]),
            Some(i64::MAX),
            "no overflow"
        );
    }

    #[test]
    fn stays_end_at_the_next_move() {
        let s = |id: &str| CandidateStage::Stage(StageId(id.into()));
        let history = vec![
            StageVisit {
                stage: s("a"),
                at: 0,
            },
            StageVisit {
                stage: s("b"),
                at: 100,
            },
            StageVisit {
                stage: s("a"),
                at: 250,
            },
            StageVisit {
                stage: CandidateStage::Hired,
                at: 300,
            },
        ];
        assert_eq!(
            stays(&history),
            vec![(s("a"), 100), (s("b"), 150), (s("a"), 50)]
        );
        assert!(
            stays(&history[..1]).is_empty(),
            "the stay going on is not finished"
        );
    }
}
