//! The state of every dated thing at a given moment: on time, due soon, overdue, or done.
//!
//! Stage targets, action items, feedback owed after an interview and decisions owed after the
//! last stage all get their chip from [`state`], so a deadline reads the same on every screen and
//! on both partners' devices. "Now" is always passed in: the rule never reads a clock, and the
//! tests pin its boundaries to the second.
//!
//! The boundaries, in working time (see [`crate::working_time`]):
//! - A **timed** deadline ([`Due::At`]) is *due soon* once at most one working day
//!   ([`DUE_SOON_WORKING_HOURS`] = 8 working hours) is left before it, *due* up to and including
//!   the deadline itself, and *overdue* from the first moment after it. Counting working time
//!   means a Monday-morning deadline is already due soon on Friday afternoon.
//! - A **dated** deadline ([`Due::On`]) is met by the end of that day. It is *due soon* from the
//!   working day before it (Friday, for a Monday date) and on the day itself, and *overdue* from
//!   the next day on.
//! - A done thing is [`DueState::Done`], whatever its date.

use std::fmt;

/// The time types the rules take and give, for callers without chrono of their own (the app).
pub use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};
use chrono::{NaiveTime, TimeDelta};

use crate::working_time::{self, WorkingTimeError};

/// How much working time before a timed deadline it becomes due soon: one working day.
pub const DUE_SOON_WORKING_HOURS: i64 = working_time::HOURS_PER_DAY;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    /// A due date as stored in the document that is neither `YYYY-MM-DD` nor `YYYY-MM-DDTHH:MM`.
    #[error("{0:?} is not a date (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM)")]
    BadDate(String),
    #[error(transparent)]
    WorkingTime(#[from] WorkingTimeError),
}

/// When something is due: by the end of a day, or at a moment (local wall-clock time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Due {
    On(NaiveDate),
    At(NaiveDateTime),
}

impl Due {
    /// Reads a due date as the document stores it: `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM` for a
    /// moment. Surrounding whitespace is ignored; anything else is refused.
    pub fn parse(text: &str) -> Result<Due, DeadlineError> {
        let text = text.trim();
        if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Ok(Due::On(date));
        }
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
            .map(Due::At)
            .map_err(|_| DeadlineError::BadDate(text.to_owned()))
    }

    /// The last moment that is not yet overdue; also what deadlines are sorted by.
    pub fn last_moment(&self) -> NaiveDateTime {
        match *self {
            Due::At(moment) => moment,
            Due::On(date) => date.and_time(END_OF_DAY),
        }
    }
}

/// Written back as the document stores it, so `Due::parse` reads it again.
impl fmt::Display for Due {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Due::On(date) => write!(f, "{}", date.format("%Y-%m-%d")),
            Due::At(moment) => write!(f, "{}", moment.format("%Y-%m-%dT%H:%M")),
        }
    }
}

/// The local wall-clock time at the Unix time `utc_ms`, in a zone `offset_east_minutes` ahead
/// of UTC (a browser's `Date` gives both); `None` for a time chrono cannot hold.
pub fn local_time(utc_ms: i64, offset_east_minutes: i32) -> Option<NaiveDateTime> {
    let utc = DateTime::from_timestamp_millis(utc_ms)?.naive_utc();
    utc.checked_add_signed(TimeDelta::minutes(offset_east_minutes.into()))
}

const END_OF_DAY: NaiveTime = match NaiveTime::from_hms_nano_opt(23, 59, 59, 999_999_999) {
    Some(t) => t,
    None => panic!("23:59:59.999999999 is a valid time"),
};

/// A dated thing's chip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DueState {
    OnTime,
    DueSoon,
    Overdue,
    Done,
}

/// What a dated thing is; views pick their wording and link by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A stage of the process should be finished by its target date.
    StageTarget,
    /// An action item with a due date.
    Action,
    /// Feedback owed by an interviewer after an interview.
    Feedback,
    /// A decision owed on a candidate after the last stage.
    Decision,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::StageTarget,
        Kind::Action,
        Kind::Feedback,
        Kind::Decision,
    ];

    /// A short stable key, for storage outside the document (the device's vacancy list).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::StageTarget => "stage",
            Kind::Action => "action",
            Kind::Feedback => "feedback",
            Kind::Decision => "decision",
        }
    }

    pub fn parse(key: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == key)
    }
}

/// Anything with a deadline, as plain data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dated {
    pub kind: Kind,
    /// The id of the thing in the document (stage, action, interview, candidate), so a view can
    /// link to it and a calendar export can give it a stable identity.
    pub id: String,
    /// What to call it, as the view shows it.
    pub title: String,
    /// Who owes it (a person of the vacancy), when someone does.
    pub owner: Option<String>,
    pub due: Due,
    pub done: bool,
}

impl Dated {
    pub fn state(&self, now: NaiveDateTime) -> DueState {
        state(self.due, self.done, now)
    }
}

/// The state of something due at `due` (and done or not) at the moment `now`.
pub fn state(due: Due, done: bool, now: NaiveDateTime) -> DueState {
    if done {
        return DueState::Done;
    }
    match due {
        Due::At(deadline) => {
            if now > deadline {
                return DueState::Overdue;
            }
            // One working day never spans more than a week of calendar days (the longest run
            // of days off is four), so anything further is on time without walking the calendar.
            if deadline - now > TimeDelta::days(14) {
                return DueState::OnTime;
            }
            match working_time::working_time_between(now, deadline) {
                Ok(left) if left <= TimeDelta::hours(DUE_SOON_WORKING_HOURS) => DueState::DueSoon,
                _ => DueState::OnTime,
            }
        }
        Due::On(date) => {
            let today = now.date();
            if today > date {
                DueState::Overdue
            } else if today == date {
                DueState::DueSoon
            } else {
                match working_time::next_working_day(today) {
                    Ok(next) if date <= next => DueState::DueSoon,
                    _ => DueState::OnTime,
                }
            }
        }
    }
}

/// When feedback is due after an interview: `within_hours` working hours after it ended.
pub fn feedback_due(interview_end: NaiveDateTime, within_hours: u32) -> Result<Due, DeadlineError> {
    Ok(Due::At(working_time::add_working_hours(
        interview_end,
        within_hours,
    )?))
}

/// When a decision is due: `within_days` working days after the day of the last stage.
pub fn decision_due(last_stage_on: NaiveDate, within_days: u32) -> Result<Due, DeadlineError> {
    Ok(Due::On(working_time::add_working_days(
        last_stage_on,
        within_days,
    )?))
}

/// What the vacancy list shows per vacancy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary<'a> {
    /// The open item whose deadline comes first (overdue ones included).
    pub next: Option<&'a Dated>,
    pub overdue: usize,
    pub due_soon: usize,
}

pub fn summarize(items: &[Dated], now: NaiveDateTime) -> Summary<'_> {
    let open = || items.iter().filter(|item| !item.done);
    Summary {
        next: open().min_by_key(|item| (item.due.last_moment(), item.kind, &item.title, &item.id)),
        overdue: open().filter(|i| i.state(now) == DueState::Overdue).count(),
        due_soon: open().filter(|i| i.state(now) == DueState::DueSoon).count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn t(y: i32, m: u32, day: u32, h: u32, min: u32, s: u32) -> NaiveDateTime {
        d(y, m, day).and_hms_opt(h, min, s).unwrap()
    }

    #[test]
    fn a_timed_deadline_to_the_second() {
        // Due Wednesday 12 November 2025 at 14:00.
        let due = Due::At(t(2025, 11, 12, 14, 0, 0));
        assert_eq!(
            state(due, false, t(2025, 11, 12, 13, 59, 59)),
            DueState::DueSoon
        );
        assert_eq!(
            state(due, false, t(2025, 11, 12, 14, 0, 0)),
            DueState::DueSoon,
            "at the deadline it is due"
        );
        assert_eq!(
            state(due, false, t(2025, 11, 12, 14, 0, 1)),
            DueState::Overdue
        );
        // Exactly one working day before (Tuesday 14:00) is due soon; a second earlier is not.
        assert_eq!(
            state(due, false, t(2025, 11, 11, 14, 0, 0)),
            DueState::DueSoon
        );
        assert_eq!(
            state(due, false, t(2025, 11, 11, 13, 59, 59)),
            DueState::OnTime
        );
        assert_eq!(state(due, false, t(2025, 11, 1, 9, 0, 0)), DueState::OnTime);
        assert_eq!(state(due, true, t(2025, 11, 20, 9, 0, 0)), DueState::Done);
    }

    #[test]
    fn the_due_soon_window_skips_the_weekend() {
        // Due Monday 10 November 2025 at 17:00: one working day before is Friday 17:00.
        let due = Due::At(t(2025, 11, 10, 17, 0, 0));
        assert_eq!(
            state(due, false, t(2025, 11, 7, 16, 59, 59)),
            DueState::OnTime
        );
        assert_eq!(
            state(due, false, t(2025, 11, 7, 17, 0, 0)),
            DueState::DueSoon
        );
        assert_eq!(
            state(due, false, t(2025, 11, 8, 12, 0, 0)),
            DueState::DueSoon
        );
        // And the Easter holidays: due Tuesday 22 April 2025 at 12:00, due soon from Friday
        // 18 April at 12:00 (5 h Friday, 3 h Tuesday; Easter Monday is off).
        let due = Due::At(t(2025, 4, 22, 12, 0, 0));
        assert_eq!(
            state(due, false, t(2025, 4, 18, 11, 59, 59)),
            DueState::OnTime
        );
        assert_eq!(
            state(due, false, t(2025, 4, 18, 12, 0, 0)),
            DueState::DueSoon
        );
    }

    #[test]
    fn a_dated_deadline_by_the_day() {
        // Due on Monday 10 November 2025.
        let due = Due::On(d(2025, 11, 10));
        assert_eq!(
            state(due, false, t(2025, 11, 6, 23, 59, 59)),
            DueState::OnTime,
            "Thursday"
        );
        assert_eq!(
            state(due, false, t(2025, 11, 7, 0, 0, 0)),
            DueState::DueSoon,
            "the working day before"
        );
        assert_eq!(
            state(due, false, t(2025, 11, 9, 12, 0, 0)),
            DueState::DueSoon,
            "Sunday"
        );
        assert_eq!(
            state(due, false, t(2025, 11, 10, 23, 59, 59)),
            DueState::DueSoon,
            "the day itself"
        );
        assert_eq!(
            state(due, false, t(2025, 11, 11, 0, 0, 0)),
            DueState::Overdue,
            "the next day"
        );
        assert_eq!(state(due, true, t(2025, 11, 11, 0, 0, 0)), DueState::Done);
        // A date after a holiday: due Tuesday 22 April 2025 is due soon from Friday 18 April.
        let due = Due::On(d(2025, 4, 22));
        assert_eq!(
            state(due, false, t(2025, 4, 17, 23, 59, 59)),
            DueState::OnTime
        );
        assert_eq!(
            state(due, false, t(2025, 4, 18, 0, 0, 0)),
            DueState::DueSoon
        );
    }

    #[test]
    fn parses_what_the_document_stores() {
        assert_eq!(Due::parse("2025-11-10"), Ok(Due::On(d(2025, 11, 10))));
        assert_eq!(
            Due::parse(" 2025-11-10T14:30 "),
            Ok(Due::At(t(2025, 11, 10, 14, 30, 0)))
        );
        for bad in ["", "10-11-2025", "2025-02-30", "2025-11-10T25:00", "morgen"] {
            assert!(
                matches!(Due::parse(bad), Err(DeadlineError::BadDate(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn deadlines_from_the_agreements() {
        // An interview that ends Friday 7 November 2025 at 16:00, feedback within 16 working hours.
        assert_eq!(
            feedback_due(t(2025, 11, 7, 16, 0, 0), 16),
            Ok(Due::At(t(2025, 11, 11, 16, 0, 0)))
        );
        // The last stage on Wednesday 24 December 2025, a decision within 3 working days.
        assert_eq!(
            decision_due(d(2025, 12, 24), 3),
            Ok(Due::On(d(2025, 12, 31)))
        );
        assert!(feedback_due(t(2025, 11, 7, 16, 0, 0), u32::MAX).is_err());
    }

    #[test]
    fn the_summary_for_the_vacancy_list() {
        let item = |id: &str, due, done| Dated {
            kind: Kind::Action,
            id: id.into(),
            title: id.into(),
            owner: None,
            due,
            done,
        };
        let items = vec![
            item("later", Due::On(d(2025, 12, 1)), false),
            item("late", Due::On(d(2025, 11, 3)), false),
            item("finished", Due::On(d(2025, 10, 1)), true),
            item("soon", Due::At(t(2025, 11, 10, 15, 0, 0)), false),
            item("also-late", Due::At(t(2025, 11, 10, 9, 0, 0)), false),
        ];
        let s = summarize(&items, t(2025, 11, 10, 12, 0, 0));
        assert_eq!(s.next.map(|i| i.id.as_str()), Some("late"));
        assert_eq!((s.overdue, s.due_soon), (2, 1));
        assert_eq!(summarize(&[], t(2025, 11, 10, 12, 0, 0)).next, None);
    }

    #[test]
    fn due_moments_and_kinds_are_written_back_as_stored() {
        for text in ["2025-11-10", "2025-11-10T09:05"] {
            assert_eq!(Due::parse(text).unwrap().to_string(), text);
        }
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(Kind::parse("meeting"), None);
    }

    #[test]
    fn local_time_from_a_browser_clock() {
        // 30 November 2026 11:00 UTC is 12:00 in Amsterdam (UTC+1 in winter).
        let ms = t(2026, 11, 30, 11, 0, 0).and_utc().timestamp_millis();
        assert_eq!(local_time(ms, 60), Some(t(2026, 11, 30, 12, 0, 0)));
        assert_eq!(local_time(ms, -300), Some(t(2026, 11, 30, 6, 0, 0)));
        assert_eq!(local_time(i64::MAX, 0), None);
    }
}
