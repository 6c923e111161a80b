//! The weekly check-in: its agenda, generated from the live state, and when the next one is.
//!
//! The check-in is where the partners look at what is late and what is next, so the agenda is
//! not typed by anyone: [`agenda`] builds it from the deadlines, the action items and the
//! pipeline at the moment it is shown. Each item appears once, in its most pressing section:
//! overdue first, then due soon, then the other open action items, then the other pending
//! decisions. The pipeline lists every stage of the process, with zero where nobody is yet, so
//! the same rows are there from the first check-in on.
//!
//! [`next_checkin`] finds the next meeting from the agreement (weekday, start time, length,
//! 30 minutes unless agreed otherwise). A meeting that is going on is the "next" one until it
//! ends, so the page shows the meeting in progress rather than next week's.

use chrono::{Datelike, NaiveDateTime, NaiveTime, TimeDelta, Weekday};

use crate::deadlines::{Dated, Due, DueState, Kind};
use crate::working_time::{self, Holiday};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgendaError {
    /// A meeting length of zero or more than a day, which the agreement cannot mean.
    #[error("a check-in of {0} minutes is not possible (1 to 1440)")]
    BadLength(u32),
    /// The next meeting would fall beyond the end of the calendar chrono can represent.
    #[error("the next check-in falls outside the calendar")]
    OutOfRange,
}

/// The agreed weekly check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckinAgreement {
    pub weekday: Weekday,
    /// Its start, local wall-clock time.
    pub time: NaiveTime,
    pub minutes: u32,
}

impl CheckinAgreement {
    /// How long the check-in lasts unless agreed otherwise.
    pub const DEFAULT_MINUTES: u32 = 30;

    /// A check-in of the default length.
    pub fn new(weekday: Weekday, time: NaiveTime) -> Self {
        CheckinAgreement {
            weekday,
            time,
            minutes: Self::DEFAULT_MINUTES,
        }
    }

    /// The meeting's length, refused when it is zero or longer than a day.
    pub fn length(&self) -> Result<TimeDelta, AgendaError> {
        if (1..=24 * 60).contains(&self.minutes) {
            Ok(TimeDelta::minutes(i64::from(self.minutes)))
        } else {
            Err(AgendaError::BadLength(self.minutes))
        }
    }
}

/// One check-in meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckinSlot {
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    /// The public holiday it falls on, if any, so the page can suggest moving it.
    pub holiday: Option<Holiday>,
}

/// The check-in that has not ended yet at `now`: the one going on, or the next one.
pub fn next_checkin(
    agreement: &CheckinAgreement,
    now: NaiveDateTime,
) -> Result<CheckinSlot, AgendaError> {
    let length = agreement.length()?;
    let mut date = now.date();
    // Today's meeting may be over: then a week later, so at most eight days ahead.
    for _ in 0..8 {
        if date.weekday() == agreement.weekday {
            let start = date.and_time(agreement.time);
            let end = start
                .checked_add_signed(length)
                .ok_or(AgendaError::OutOfRange)?;
            if end > now {
                return Ok(CheckinSlot {
                    start,
                    end,
                    holiday: working_time::holiday(date),
                });
            }
        }
        date = date.succ_opt().ok_or(AgendaError::OutOfRange)?;
    }
    Err(AgendaError::OutOfRange)
}

/// An action item as plain data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionItem {
    pub id: String,
    pub title: String,
    pub owner: Option<String>,
    pub due: Option<Due>,
    pub done: bool,
}

impl ActionItem {
    /// The action as a deadline, when it has a due date.
    pub fn dated(&self) -> Option<Dated> {
        Some(Dated {
            kind: Kind::Action,
            id: self.id.clone(),
            title: self.title.clone(),
            owner: self.owner.clone(),
            due: self.due?,
            done: self.done,
        })
    }
}

/// A stage of the process, in the intake's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageRef {
    pub id: String,
    pub name: String,
}

/// Where a candidate is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// In the stage with this id.
    Stage(String),
    Hired,
    Rejected,
}

/// The live state the agenda is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaInput {
    pub now: NaiveDateTime,
    /// Stage targets, feedback owed and decisions owed (action items come in [`Self::actions`]).
    pub deadlines: Vec<Dated>,
    /// Every action item, with or without a due date.
    pub actions: Vec<ActionItem>,
    pub stages: Vec<StageRef>,
    pub candidates: Vec<Placement>,
}

/// A dated item with its state at the time the agenda was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub item: Dated,
    pub state: DueState,
}

/// A row of the pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Stage(StageRef),
    Hired,
    Rejected,
    /// Candidates in a stage that has since been removed from the process.
    Unplaced,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageCount {
    pub step: Step,
    pub count: usize,
}

/// The check-in's agenda, section by section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agenda {
    /// Everything overdue, the longest overdue first.
    pub overdue: Vec<Entry>,
    /// Everything due soon, the soonest first.
    pub due_soon: Vec<Entry>,
    /// Open action items not already listed above: dated ones first by date, then the rest.
    pub open_actions: Vec<ActionItem>,
    /// Decisions owed that are not already listed above, by date.
    pub pending_decisions: Vec<Entry>,
    /// Every stage in process order, then hired and rejected (and unplaced, when any).
    pub pipeline: Vec<StageCount>,
}

/// The agenda for the state in `input`.
pub fn agenda(input: &AgendaInput) -> Agenda {
    let now = input.now;
    let mut entries: Vec<Entry> = input
        .deadlines
        .iter()
        .cloned()
        .chain(input.actions.iter().filter_map(ActionItem::dated))
        .filter(|item| !item.done)
        .map(|item| Entry {
            state: item.state(now),
            item,
        })
        .collect();
    crate::sorting::sort_by(&mut entries, |a, b| order(&a.item).cmp(&order(&b.item)));

    let in_state = |state| -> Vec<Entry> {
        entries
            .iter()
            .filter(|e| e.state == state)
            .cloned()
            .collect()
    };
    let overdue = in_state(DueState::Overdue);
    let due_soon = in_state(DueState::DueSoon);
    let pending_decisions = entries
        .iter()
        .filter(|e| e.item.kind == Kind::Decision && e.state == DueState::OnTime)
        .cloned()
        .collect();
    let listed = |action: &ActionItem| {
        action
            .dated()
            .is_some_and(|d| matches!(d.state(now), DueState::Overdue | DueState::DueSoon))
    };
    let mut open_actions: Vec<ActionItem> = input
        .actions
        .iter()
        .filter(|a| !a.done && !listed(a))
        .cloned()
        .collect();
    crate::sorting::sort_by(&mut open_actions, |a, b| {
        let key = |x: &ActionItem| {
            (
                x.due.is_none(),
                x.due.map(|d| d.last_moment()),
                x.title.clone(),
                x.id.clone(),
            )
        };
        key(a).cmp(&key(b))
    });

    Agenda {
        overdue,
        due_soon,
        open_actions,
        pending_decisions,
        pipeline: pipeline(&input.stages, &input.candidates),
    }
}

/// Chronological, and stable for items due at the same moment.
fn order(item: &Dated) -> (NaiveDateTime, Kind, &str, &str) {
    (item.due.last_moment(), item.kind, &item.title, &item.id)
}

fn pipeline(stages: &[StageRef], candidates: &[Placement]) -> Vec<StageCount> {
    let count = |p: &dyn Fn(&Placement) -> bool| candidates.iter().filter(|c| p(c)).count();
    let mut rows: Vec<StageCount> = stages
        .iter()
        .map(|stage| StageCount {
            step: Step::Stage(stage.clone()),
            count: count(&|c| matches!(c, Placement::Stage(id) if *id == stage.id)),
        })
        .collect();
    rows.push(StageCount {
        step: Step::Hired,
        count: count(&|c| *c == Placement::Hired),
    });
    rows.push(StageCount {
        step: Step::Rejected,
        count: count(&|c| *c == Placement::Rejected),
    });
    let unplaced =
        count(&|c| matches!(c, Placement::Stage(id) if !stages.iter().any(|s| s.id == *id)));
    if unplaced > 0 {
        rows.push(StageCount {
            step: Step::Unplaced,
            count: unplaced,
        });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn t(y: i32, m: u32, day: u32, h: u32, min: u32) -> NaiveDateTime {
        d(y, m, day).and_hms_opt(h, min, 0).unwrap()
    }

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn the_next_checkin() {
        // Tuesdays at 10:00, 30 minutes. Monday 10 November 2025 at noon: tomorrow.
        let tuesday = CheckinAgreement::new(Weekday::Tue, hm(10, 0));
        let slot = next_checkin(&tuesday, t(2025, 11, 10, 12, 0)).unwrap();
        assert_eq!(
            (slot.start, slot.end),
            (t(2025, 11, 11, 10, 0), t(2025, 11, 11, 10, 30))
        );
        assert_eq!(slot.holiday, None);
        // During the meeting it is still this one; at its end, next week's.
        assert_eq!(
            next_checkin(&tuesday, t(2025, 11, 11, 10, 29))
                .unwrap()
                .start,
            t(2025, 11, 11, 10, 0)
        );
        assert_eq!(
            next_checkin(&tuesday, t(2025, 11, 11, 10, 30))
                .unwrap()
                .start,
            t(2025, 11, 18, 10, 0)
        );
        // Before it starts on the day itself.
        assert_eq!(
            next_checkin(&tuesday, t(2025, 11, 11, 9, 0)).unwrap().start,
            t(2025, 11, 11, 10, 0)
        );
        // An agreed length.
        let long = CheckinAgreement {
            minutes: 45,
            ..tuesday
        };
        assert_eq!(
            next_checkin(&long, t(2025, 11, 10, 12, 0)).unwrap().end,
            t(2025, 11, 11, 10, 45)
        );
    }

    #[test]
    fn a_checkin_on_a_holiday_says_so() {
        // Mondays at 09:30; Monday 21 April 2025 is Tweede Paasdag.
        let monday = CheckinAgreement::new(Weekday::Mon, hm(9, 30));
        let slot = next_checkin(&monday, t(2025, 4, 17, 12, 0)).unwrap();
        assert_eq!(slot.start, t(2025, 4, 21, 9, 30));
        assert_eq!(slot.holiday, Some(Holiday::TweedePaasdag));
    }

    #[test]
    fn refuses_impossible_lengths() {
        let zero = CheckinAgreement {
            minutes: 0,
            ..CheckinAgreement::new(Weekday::Mon, hm(9, 0))
        };
        assert_eq!(
            next_checkin(&zero, t(2025, 1, 1, 0, 0)),
            Err(AgendaError::BadLength(0))
        );
        let endless = CheckinAgreement {
            minutes: u32::MAX,
            ..zero
        };
        assert_eq!(
            next_checkin(&endless, t(2025, 1, 1, 0, 0)),
            Err(AgendaError::BadLength(u32::MAX))
        );
        let at_the_end = CheckinAgreement::new(NaiveDate::MAX.weekday().succ(), hm(9, 0));
        assert_eq!(
            next_checkin(&at_the_end, NaiveDate::MAX.and_time(hm(12, 0))),
            Err(AgendaError::OutOfRange)
        );
    }

    fn dated(kind: Kind, id: &str, due: Due) -> Dated {
        Dated {
            kind,
            id: id.into(),
            title: id.into(),
            owner: None,
            due,
            done: false,
        }
    }

    fn action(id: &str, due: Option<Due>, done: bool) -> ActionItem {
        ActionItem {
            id: id.into(),
            title: id.into(),
            owner: Some("henk".into()),
            due,
            done,
        }
    }

    fn ids(entries: &[Entry]) -> Vec<&str> {
        entries.iter().map(|e| e.item.id.as_str()).collect()
    }

    #[test]
    fn an_empty_vacancy_has_an_empty_agenda_with_its_stages() {
        let input = AgendaInput {
            now: t(2025, 11, 10, 12, 0),
            deadlines: vec![],
            actions: vec![],
            stages: vec![
                StageRef {
                    id: "s1".into(),
                    name: "First interview".into(),
                },
                StageRef {
                    id: "s2".into(),
                    name: "Case".into(),
                },
            ],
            candidates: vec![],
        };
        let a = agenda(&input);
        assert!(a.overdue.is_empty() && a.due_soon.is_empty() && a.open_actions.is_empty());
        assert!(a.pending_decisions.is_empty());
        let rows: Vec<(Step, usize)> = a.pipeline.into_iter().map(|r| (r.step, r.count)).collect();
        assert_eq!(
            rows,
            vec![
                (Step::Stage(input.stages[0].clone()), 0),
                (Step::Stage(input.stages[1].clone()), 0),
                (Step::Hired, 0),
                (Step::Rejected, 0),
            ]
        );
    }

    #[test]
    fn the_agenda_from_the_live_state() {
        // Monday 10 November 2025, noon.
        let now = t(2025, 11, 10, 12, 0);
        let input = AgendaInput {
            now,
            deadlines: vec![
                dated(
                    Kind::Feedback,
                    "feedback-late",
                    Due::At(t(2025, 11, 7, 17, 0)),
                ),
                dated(Kind::StageTarget, "target-soon", Due::On(d(2025, 11, 11))),
                dated(Kind::Decision, "decision-later", Due::On(d(2025, 11, 20))),
                dated(Kind::Decision, "decision-late", Due::On(d(2025, 11, 3))),
                dated(Kind::StageTarget, "target-later", Due::On(d(2025, 12, 1))),
                Dated {
                    done: true,
                    ..dated(Kind::Feedback, "feedback-given", Due::On(d(2025, 11, 1)))
                },
            ],
            actions: vec![
                action("call-back", Some(Due::At(t(2025, 11, 10, 15, 0))), false),
                action("book-room", None, false),
                action("post-ad", Some(Due::On(d(2025, 11, 28))), false),
                action("old-late", Some(Due::On(d(2025, 10, 31))), false),
                action("done-one", Some(Due::On(d(2025, 10, 1))), true),
            ],
            stages: vec![
                StageRef {
                    id: "s1".into(),
                    name: "First interview".into(),
                },
                StageRef {
                    id: "s2".into(),
                    name: "Case".into(),
                },
            ],
            candidates: vec![
                Placement::Stage("s1".into()),
                Placement::Stage("s1".into()),
                Placement::Stage("s2".into()),
                Placement::Rejected,
                Placement::Stage("removed".into()),
            ],
        };
        let a = agenda(&input);
        assert_eq!(
            ids(&a.overdue),
            vec!["old-late", "decision-late", "feedback-late"]
        );
        assert!(a.overdue.iter().all(|e| e.state == DueState::Overdue));
        assert_eq!(ids(&a.due_soon), vec!["call-back", "target-soon"]);
        let open: Vec<&str> = a.open_actions.iter().map(|x| x.id.as_str()).collect();
        assert_eq!(
            open,
            vec!["post-ad", "book-room"],
            "listed once; undated last"
        );
        assert_eq!(ids(&a.pending_decisions), vec!["decision-later"]);
        let counts: Vec<usize> = a.pipeline.iter().map(|r| r.count).collect();
        assert_eq!(counts, vec![2, 1, 0, 1, 1]);
        assert_eq!(a.pipeline[4].step, Step::Unplaced);
    }
}
