//! Interviews: a candidate, a stage of the process, who interviews, and when.
//!
//! The time is local wall-clock time written "YYYY-MM-DDTHH:MM", as a due moment in the
//! planning: the app passes local times and the deadline rules read them as such. An interview
//! without a time is planned but not yet scheduled. Its interviewers are a map of person id →
//! true made with the interview, so two people adding interviewers at once both land.

use std::ops::RangeInclusive;

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType};
use chrono::{NaiveDateTime, TimeDelta};

use crate::candidates::CandidateId;
use crate::intake::StageId;
use crate::people::PersonId;
use crate::vacancy::{
    bool_at, entries, entry_id, int_at, keys, map, path, str_at, DomainError, InvalidValue, Vacancy,
};

entry_id!(
    /// An interview's id within its vacancy.
    InterviewId
);

/// How long an interview may be, in minutes.
pub const INTERVIEW_MINUTES: RangeInclusive<u32> = 5..=480;
/// How long an interview is unless set otherwise.
pub const DEFAULT_INTERVIEW_MINUTES: i64 = 60;

/// An interview as read from the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interview {
    pub id: InterviewId,
    pub candidate: CandidateId,
    /// The stage of the process it belongs to (its focus criteria are what it assesses).
    pub stage: StageId,
    /// Who interviews, in id order.
    pub interviewers: Vec<PersonId>,
    /// When it starts, local wall-clock time; `None` until scheduled.
    pub at: Option<NaiveDateTime>,
    /// How long it lasts.
    pub minutes: i64,
}

impl Interview {
    /// When it ends (start plus its length); `None` until scheduled.
    pub fn end(&self) -> Option<NaiveDateTime> {
        self.at?
            .checked_add_signed(TimeDelta::minutes(self.minutes))
    }
}

/// Reads an interview time "YYYY-MM-DDTHH:MM" (exactly so, a date that exists).
pub fn parse_interview_time(s: &str) -> Result<NaiveDateTime, InvalidValue> {
    let shaped = s.len() == 16 && s.as_bytes()[10] == b'T' && s.is_ascii();
    shaped
        .then(|| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").ok())
        .flatten()
        .ok_or_else(|| InvalidValue::InterviewTime(s.to_string()))
}

/// Writes an interview time as the document stores it.
pub fn format_interview_time(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M").to_string()
}

impl Vacancy {
    pub(crate) fn interviews_obj(&self) -> Result<ObjId, DomainError> {
        path(&self.doc, &["interviews"]).ok_or(DomainError::Missing("interviews"))
    }

    pub(crate) fn interview_obj(&self, id: &InterviewId) -> Result<ObjId, DomainError> {
        let obj = self.interviews_obj()?;
        map(&self.doc, &obj, id.as_str()).map_err(|_| DomainError::Missing("interview"))
    }

    /// Every interview, by time (then id); unscheduled ones last.
    pub fn interviews(&self) -> Vec<Interview> {
        let Ok(obj) = self.interviews_obj() else {
            return Vec::new();
        };
        let mut out: Vec<Interview> = entries(&self.doc, &obj)
            .into_iter()
            .filter_map(|(id, i)| self.read_interview(InterviewId(id), &i))
            .collect();
        crate::sorting::sort_by(&mut out, |a, b| {
            (a.at.is_none(), a.at, &a.id).cmp(&(b.at.is_none(), b.at, &b.id))
        });
        out
    }

    pub fn interview(&self, id: &InterviewId) -> Option<Interview> {
        let i = self.interview_obj(id).ok()?;
        self.read_interview(id.clone(), &i)
    }

    /// A candidate's interviews, by time; unscheduled ones last.
    pub fn interviews_of(&self, candidate: &CandidateId) -> Vec<Interview> {
        self.interviews()
            .into_iter()
            .filter(|i| &i.candidate == candidate)
            .collect()
    }

    /// An interview without a candidate or stage (another app's, or damaged) is left out.
    fn read_interview(&self, id: InterviewId, i: &ObjId) -> Option<Interview> {
        let d = &self.doc;
        Some(Interview {
            candidate: CandidateId(str_at(d, i, "candidate")?),
            stage: StageId(str_at(d, i, "stage")?),
            interviewers: map(d, i, "interviewers")
                .map(|m| {
                    keys(d, &m)
                        .into_iter()
                        .filter(|k| bool_at(d, &m, k))
                        .map(PersonId)
                        .collect()
                })
                .unwrap_or_default(),
            at: str_at(d, i, "at").and_then(|s| parse_interview_time(&s).ok()),
            minutes: int_at(d, i, "minutes")
                .filter(|m| {
                    (i64::from(*INTERVIEW_MINUTES.start())..=i64::from(*INTERVIEW_MINUTES.end()))
                        .contains(m)
                })
                .unwrap_or(DEFAULT_INTERVIEW_MINUTES),
            id,
        })
    }

    /// Plans an interview of a candidate in a stage, at a local time "YYYY-MM-DDTHH:MM" or not
    /// yet scheduled; it lasts [`DEFAULT_INTERVIEW_MINUTES`] and has no interviewers yet.
    pub fn add_interview(
        &mut self,
        candidate: &CandidateId,
        stage: &StageId,
        at: Option<&str>,
    ) -> Result<(InterviewId, Vec<u8>), DomainError> {
        if let Some(at) = at {
            parse_interview_time(at)?;
        }
        self.candidate_obj(candidate)?;
        if !self.stages().iter().any(|s| &s.id == stage) {
            return Err(DomainError::Missing("stage"));
        }
        let obj = self.interviews_obj()?;
        let id = InterviewId(self.new_id());
        let ((), change) = self.edit(|d| {
            let i = d.put_object(&obj, id.as_str(), ObjType::Map)?;
            d.put(&i, "candidate", candidate.as_str())?;
            d.put(&i, "stage", stage.as_str())?;
            d.put_object(&i, "interviewers", ObjType::Map)?;
            if let Some(at) = at {
                d.put(&i, "at", at)?;
            }
            d.put(&i, "minutes", DEFAULT_INTERVIEW_MINUTES)?;
            Ok(())
        })?;
        Ok((id, change))
    }

    /// Schedules an interview at a local time "YYYY-MM-DDTHH:MM"; an empty string makes it
    /// unscheduled again (no bytes back when it already was). A badly written time is refused
    /// with [`InvalidValue::InterviewTime`].
    pub fn set_interview_time(
        &mut self,
        id: &InterviewId,
        at: &str,
    ) -> Result<Vec<u8>, DomainError> {
        let at = at.trim();
        if !at.is_empty() {
            parse_interview_time(at)?;
        }
        let i = self.interview_obj(id)?;
        if at.is_empty() && str_at(&self.doc, &i, "at").is_none() {
            return Ok(Vec::new());
        }
        Ok(self
            .edit(|d| {
                match at.is_empty() {
                    false => d.put(&i, "at", at)?,
                    true => d.delete(&i, "at")?,
                }
                Ok(())
            })?
            .1)
    }

    /// Sets how long an interview lasts, [`INTERVIEW_MINUTES`].
    pub fn set_interview_minutes(
        &mut self,
        id: &InterviewId,
        minutes: u32,
    ) -> Result<Vec<u8>, DomainError> {
        if !INTERVIEW_MINUTES.contains(&minutes) {
            return Err(InvalidValue::InterviewMinutes(minutes).into());
        }
        let i = self.interview_obj(id)?;
        Ok(self
            .edit(|d| Ok(d.put(&i, "minutes", i64::from(minutes))?))?
            .1)
    }

    /// Makes a person one of an interview's interviewers, or not.
    pub fn set_interviewer(
        &mut self,
        id: &InterviewId,
        person: &PersonId,
        interviews: bool,
    ) -> Result<Vec<u8>, DomainError> {
        let i = self.interview_obj(id)?;
        let existing = map(&self.doc, &i, "interviewers").ok();
        Ok(self
            .edit(|d| {
                let m = match existing {
                    Some(m) => m,
                    None => d.put_object(&i, "interviewers", ObjType::Map)?,
                };
                Ok(d.put(&m, person.as_str(), interviews)?)
            })?
            .1)
    }

    /// Removes an interview. Feedback already submitted for it stays (it is a record).
    pub fn remove_interview(&mut self, id: &InterviewId) -> Result<Vec<u8>, DomainError> {
        let obj = self.interviews_obj()?;
        self.interview_obj(id)?;
        Ok(self.edit(|d| Ok(d.delete(&obj, id.as_str())?))?.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interview_times_are_local_and_exactly_written() {
        let at = parse_interview_time("2025-11-10T14:30").unwrap();
        assert_eq!(format_interview_time(at), "2025-11-10T14:30");
        for bad in [
            "2025-11-10",
            "2025-11-10 14:30",
            "2025-11-10T9:30",
            "2025-02-30T10:00",
            "2025-11-10T24:00",
            "2025-11-10T14:30:00",
            "",
        ] {
            assert_eq!(
                parse_interview_time(bad),
                Err(InvalidValue::InterviewTime(bad.to_string())),
                "{bad}"
            );
        }
    }
}
