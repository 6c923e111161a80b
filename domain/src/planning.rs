//! The agreements and the planning: the numbers both partners hold each other to, a target date
//! per stage, and action items with an owner, a due date and a done state.
//!
//! Dates stay strings in the document ("YYYY-MM-DD", or "YYYY-MM-DDTHH:MM" for a due moment),
//! checked here before they are written. What is due when, and whether it is late, is worked out
//! from these by the deadline rules (`deadlines.rs`), not here.

use std::fmt;
use std::ops::RangeInclusive;

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ScalarValue};

use crate::checkin::CheckinId;
use crate::intake::StageId;
use crate::people::PersonId;
use crate::schema;
use crate::vacancy::{
    bool_at, entries, entry_id, int_at, map, path, position_at, sort_by_position, str_at, text_at,
    DomainError, InvalidValue, Vacancy,
};

/// Feedback may be agreed due within this many working hours after an interview.
pub const FEEDBACK_WITHIN_HOURS: RangeInclusive<u32> = 1..=120;
/// A decision may be agreed due within this many working days after the last stage.
pub const DECISION_WITHIN_DAYS: RangeInclusive<u32> = 1..=30;
/// How long the weekly check-in may be agreed to last, in minutes.
pub const CHECKIN_MINUTES: RangeInclusive<u32> = 5..=240;

/// A time of day, as the check-in's time is agreed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ClockTime {
    pub hour: u8,
    pub minute: u8,
}

impl ClockTime {
    /// Reads "HH:MM" (or "H:MM"), 00:00 to 23:59.
    pub fn parse(s: &str) -> Result<ClockTime, InvalidValue> {
        let invalid = || InvalidValue::ClockTime(s.to_string());
        let (h, m) = s.split_once(':').ok_or_else(invalid)?;
        let digits = |part: &str, len: RangeInclusive<usize>| {
            (len.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse::<u8>().ok())
                .flatten()
        };
        match (digits(h, 1..=2), digits(m, 2..=2)) {
            (Some(hour), Some(minute)) if hour < 24 && minute < 60 => {
                Ok(ClockTime { hour, minute })
            }
            _ => Err(invalid()),
        }
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

/// The agreements as read from the document. Values out of range (written by another app) are
/// brought into range; missing ones read as their defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Agreements {
    pub feedback_within_hours: u32,
    pub decision_within_days: u32,
    /// The weekly check-in's day: 0 = Monday … 6 = Sunday; `None` until agreed.
    pub checkin_weekday: Option<u8>,
    /// The weekly check-in's start; `None` until agreed.
    pub checkin_time: Option<ClockTime>,
    pub checkin_minutes: u32,
}

/// A stage's planned target date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageTarget {
    pub stage: StageId,
    /// "YYYY-MM-DD".
    pub date: String,
}

entry_id!(
    /// An action item's id within its vacancy.
    ActionId
);

/// An action item as read from the document.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub id: ActionId,
    pub title: String,
    /// One of the vacancy's people; `None` until someone takes it.
    pub owner: Option<PersonId>,
    /// "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM"; `None` when it has no due date.
    pub due: Option<String>,
    pub done: bool,
    pub position: f64,
    /// The check-in whose notes it was made from.
    pub from_checkin: Option<CheckinId>,
}

/// Checks a date written "YYYY-MM-DD" that exists in the calendar.
pub(crate) fn check_date(s: &str) -> Result<(), InvalidValue> {
    is_date(s)
        .then_some(())
        .ok_or_else(|| InvalidValue::Date(s.to_string()))
}

/// Checks a due moment: a date, or a date and a time "YYYY-MM-DDTHH:MM".
fn check_due(s: &str) -> Result<(), InvalidValue> {
    let ok = match s.split_once('T') {
        None => is_date(s),
        Some((date, time)) => is_date(date) && time.len() == 5 && ClockTime::parse(time).is_ok(),
    };
    ok.then_some(())
        .ok_or_else(|| InvalidValue::Due(s.to_string()))
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return false;
    }
    let number = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

impl Vacancy {
    fn agreements_obj(&self) -> Result<ObjId, DomainError> {
        path(&self.doc, &["agreements"]).ok_or(DomainError::Missing("agreements"))
    }

    // ---- agreements ---------------------------------------------------------------------------

    pub fn agreements(&self) -> Agreements {
        let d = &self.doc;
        let a = self.agreements_obj().ok();
        let int = |key: &str| a.as_ref().and_then(|a| int_at(d, a, key));
        let within = |key: &str, default: i64, range: RangeInclusive<u32>| {
            let n = int(key).unwrap_or(default);
            n.clamp(i64::from(*range.start()), i64::from(*range.end())) as u32
        };
        Agreements {
            feedback_within_hours: within(
                "feedback_within_hours",
                schema::DEFAULT_FEEDBACK_WITHIN_HOURS,
                FEEDBACK_WITHIN_HOURS,
            ),
            decision_within_days: within(
                "decision_within_days",
                schema::DEFAULT_DECISION_WITHIN_DAYS,
                DECISION_WITHIN_DAYS,
            ),
            checkin_weekday: int("checkin_weekday")
                .filter(|w| (0..=6).contains(w))
                .map(|w| w as u8),
            checkin_time: a
                .as_ref()
                .and_then(|a| str_at(d, a, "checkin_time"))
                .and_then(|t| ClockTime::parse(&t).ok()),
            checkin_minutes: within(
                "checkin_minutes",
                schema::DEFAULT_CHECKIN_MINUTES,
                CHECKIN_MINUTES,
            ),
        }
    }

    fn put_agreement(
        &mut self,
        key: &str,
        value: impl Into<ScalarValue>,
    ) -> Result<Vec<u8>, DomainError> {
        let a = self.agreements_obj()?;
        let value = value.into();
        Ok(self.edit(|d| Ok(d.put(&a, key, value)?))?.1)
    }

    pub fn set_feedback_within_hours(&mut self, hours: u32) -> Result<Vec<u8>, DomainError> {
        if !FEEDBACK_WITHIN_HOURS.contains(&hours) {
            return Err(InvalidValue::FeedbackWithinHours(hours).into());
        }
        self.put_agreement("feedback_within_hours", i64::from(hours))
    }

    pub fn set_decision_within_days(&mut self, days: u32) -> Result<Vec<u8>, DomainError> {
        if !DECISION_WITHIN_DAYS.contains(&days) {
            return Err(InvalidValue::DecisionWithinDays(days).into());
        }
        self.put_agreement("decision_within_days", i64::from(days))
    }

    /// Sets the check-in's day: 0 = Monday … 6 = Sunday.
    pub fn set_checkin_weekday(&mut self, weekday: u8) -> Result<Vec<u8>, DomainError> {
        if weekday > 6 {
            return Err(InvalidValue::Weekday(weekday).into());
        }
        self.put_agreement("checkin_weekday", i64::from(weekday))
    }

    /// Sets the check-in's start from "HH:MM"; it is stored as two-digit hours and minutes.
    pub fn set_checkin_time(&mut self, time: &str) -> Result<Vec<u8>, DomainError> {
        let time = ClockTime::parse(time)?;
        self.put_agreement("checkin_time", time.to_string())
    }

    pub fn set_checkin_minutes(&mut self, minutes: u32) -> Result<Vec<u8>, DomainError> {
        if !CHECKIN_MINUTES.contains(&minutes) {
            return Err(InvalidValue::CheckinMinutes(minutes).into());
        }
        self.put_agreement("checkin_minutes", i64::from(minutes))
    }

    // ---- stage targets ------------------------------------------------------------------------

    /// The target dates of the stages that have one, in the process's order.
    pub fn stage_targets(&self) -> Vec<StageTarget> {
        let Some(targets) = path(&self.doc, &["planning", "stage_targets"]) else {
            return Vec::new();
        };
        self.stages()
            .into_iter()
            .filter_map(|s| {
                let date = str_at(&self.doc, &targets, s.id.as_str()).filter(|d| is_date(d))?;
                Some(StageTarget { stage: s.id, date })
            })
            .collect()
    }

    /// Sets a stage's target date ("YYYY-MM-DD"), or clears it with `None`; `None` back when
    /// there was nothing to clear.
    pub fn set_stage_target(
        &mut self,
        stage: &StageId,
        date: Option<&str>,
    ) -> Result<Option<Vec<u8>>, DomainError> {
        if let Some(date) = date {
            check_date(date)?;
        }
        self.stage_exists(stage)?;
        let targets = path(&self.doc, &["planning", "stage_targets"])
            .ok_or(DomainError::Missing("planning"))?;
        self.put_or_clear(&targets, stage.as_str(), date)
    }

    fn stage_exists(&self, stage: &StageId) -> Result<(), DomainError> {
        path(&self.doc, &["intake", "stages", stage.as_str()])
            .map(|_| ())
            .ok_or(DomainError::Missing("stage"))
    }

    /// Puts a string, or deletes the key for `None`: `None` back when it was not there.
    fn put_or_clear(
        &mut self,
        obj: &ObjId,
        key: &str,
        value: Option<&str>,
    ) -> Result<Option<Vec<u8>>, DomainError> {
        if value.is_none() && str_at(&self.doc, obj, key).is_none() {
            return Ok(None);
        }
        let ((), change) = self.edit(|d| {
            match value {
                Some(v) => d.put(obj, key, v)?,
                None => d.delete(obj, key)?,
            }
            Ok(())
        })?;
        Ok(Some(change))
    }

    // ---- action items -------------------------------------------------------------------------

    fn actions_obj(&self) -> Result<ObjId, DomainError> {
        path(&self.doc, &["planning", "actions"]).ok_or(DomainError::Missing("planning"))
    }

    /// The action items in the order they were made (position, then id).
    pub fn actions(&self) -> Vec<Action> {
        let Ok(obj) = self.actions_obj() else {
            return Vec::new();
        };
        let d = &self.doc;
        let mut out: Vec<Action> = entries(d, &obj)
            .into_iter()
            .map(|(id, a)| Action {
                title: text_at(d, &a, "title"),
                owner: str_at(d, &a, "owner")
                    .filter(|o| !o.is_empty())
                    .map(PersonId),
                due: str_at(d, &a, "due").filter(|due| check_due(due).is_ok()),
                done: bool_at(d, &a, "done"),
                position: position_at(d, &a),
                from_checkin: str_at(d, &a, "from_checkin").map(CheckinId),
                id: ActionId(id),
            })
            .collect();
        sort_by_position(&mut out, |e| (e.position, &e.id));
        out
    }

    /// Adds an action item at the end; `due` is "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM".
    pub fn add_action(
        &mut self,
        title: &str,
        owner: Option<&PersonId>,
        due: Option<&str>,
    ) -> Result<(ActionId, Vec<u8>), DomainError> {
        self.add_action_from(title, owner, due, None)
    }

    pub(crate) fn add_action_from(
        &mut self,
        title: &str,
        owner: Option<&PersonId>,
        due: Option<&str>,
        from_checkin: Option<CheckinId>,
    ) -> Result<(ActionId, Vec<u8>), DomainError> {
        if let Some(due) = due {
            check_due(due)?;
        }
        let action = Action {
            id: ActionId(self.new_id()),
            title: title.to_string(),
            owner: owner.cloned(),
            due: due.map(str::to_string),
            done: false,
            position: self.actions().last().map_or(1.0, |a| a.position + 1.0),
            from_checkin,
        };
        let change = self.put_action(&action)?;
        Ok((action.id, change))
    }

    /// Puts a removed action item back as it was, under its old id and in its old place.
    pub fn restore_action(&mut self, action: &Action) -> Result<Vec<u8>, DomainError> {
        self.put_action(action)
    }

    fn put_action(&mut self, a: &Action) -> Result<Vec<u8>, DomainError> {
        let obj = self.actions_obj()?;
        let ((), change) = self.edit(|d| {
            let m = d.put_object(&obj, a.id.as_str(), ObjType::Map)?;
            let title = d.put_object(&m, "title", ObjType::Text)?;
            d.splice_text(&title, 0, 0, &a.title)?;
            if let Some(owner) = &a.owner {
                d.put(&m, "owner", owner.as_str())?;
            }
            if let Some(due) = &a.due {
                d.put(&m, "due", due.as_str())?;
            }
            d.put(&m, "done", a.done)?;
            d.put(&m, "position", a.position)?;
            if let Some(c) = &a.from_checkin {
                d.put(&m, "from_checkin", c.as_str())?;
            }
            Ok(())
        })?;
        Ok(change)
    }

    fn action_obj(&self, id: &ActionId) -> Result<ObjId, DomainError> {
        let obj = self.actions_obj()?;
        map(&self.doc, &obj, id.as_str()).map_err(|_| DomainError::Missing("action item"))
    }

    /// Gives an action item to one of the vacancy's people, or to nobody; `None` back when it
    /// already had no owner.
    pub fn set_action_owner(
        &mut self,
        id: &ActionId,
        owner: Option<&PersonId>,
    ) -> Result<Option<Vec<u8>>, DomainError> {
        let a = self.action_obj(id)?;
        self.put_or_clear(&a, "owner", owner.map(PersonId::as_str))
    }

    /// Sets when an action item is due ("YYYY-MM-DD" or "YYYY-MM-DDTHH:MM"), or clears it;
    /// `None` back when it already had no due date.
    pub fn set_action_due(
        &mut self,
        id: &ActionId,
        due: Option<&str>,
    ) -> Result<Option<Vec<u8>>, DomainError> {
        if let Some(due) = due {
            check_due(due)?;
        }
        let a = self.action_obj(id)?;
        self.put_or_clear(&a, "due", due)
    }

    pub fn set_action_done(&mut self, id: &ActionId, done: bool) -> Result<Vec<u8>, DomainError> {
        let a = self.action_obj(id)?;
        Ok(self.edit(|d| Ok(d.put(&a, "done", done)?))?.1)
    }

    pub fn remove_action(&mut self, id: &ActionId) -> Result<Vec<u8>, DomainError> {
        let obj = self.actions_obj()?;
        self.action_obj(id)?;
        Ok(self.edit(|d| Ok(d.delete(&obj, id.as_str())?))?.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_are_checked_against_the_calendar() {
        for ok in ["2024-02-29", "2025-12-31", "2000-02-29"] {
            assert!(is_date(ok), "{ok}");
        }
        for bad in [
            "2025-02-29",
            "1900-02-29",
            "2025-13-01",
            "2025-00-10",
            "2025-04-31",
            "2025-4-01",
            "25-04-01",
            "2025/04/01",
            "2025-04-01 ",
            "２０２５-04-01",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
        assert!(check_due("2025-03-03T09:30").is_ok());
        assert!(check_due("2025-03-03").is_ok());
        for bad in [
            "2025-03-03T9:30",
            "2025-03-03T24:00",
            "2025-03-03T",
            "2025-03-03T09:30:00",
        ] {
            assert_eq!(check_due(bad), Err(InvalidValue::Due(bad.to_string())));
        }
        assert_eq!(ClockTime::parse("9:05").unwrap().to_string(), "09:05");
        for bad in ["24:00", "12:60", "12", "12:5", "ab:cd", "-1:30", "+9:30"] {
            assert!(ClockTime::parse(bad).is_err(), "{bad}");
        }
    }
}
