//! The bridge between the document and the rules: one method per view.
//!
//! The rules of habits 1 and 2 (`gate`, `deadlines`, `agenda`, `ics`) work on plain data and know
//! nothing of Automerge; the document's reads (`intake`, `planning`, `people` …) know nothing of
//! the rules. This module reads what each rule needs from the [`Vacancy`] and hands it over, so a
//! view asks one question ("what keeps this vacancy from opening?", "what is on the agenda?") and
//! the conversion lives here, tested once, instead of in every view.
//!
//! Dates in the document are strings a person typed through a checked form, but another app may
//! have written something else: a date that does not parse is left out of the deadlines rather
//! than failing the whole view. "Now" is local wall-clock time, passed in as everywhere else.
//!
//! Owners of dated things are person ids ([`crate::PersonId`]); the view looks the person up for
//! their name and colour.

use automerge::ROOT;
use chrono::{DateTime, NaiveDateTime, NaiveTime, Utc, Weekday};

use crate::agenda::{self, ActionItem, Agenda, AgendaInput, CheckinAgreement, CheckinSlot};
use crate::candidates::{CandidateId, CandidateStage};
use crate::deadlines::{self, Dated, Due, Kind, Summary};
use crate::gate::{self, CriterionPart, GateInput, GateResult, RequiredParts, StatusError};
use crate::ics::{self, CalendarInput, CheckinEvent, IcsError};
use crate::intake::{IntakeText, ItemList, RoleText, SignOffRole};
use crate::people::PersonId;
use crate::vacancy::{timestamp_at, DomainError, Status, TextField, Vacancy};

/// Why [`Vacancy::change_status`] did not change the status. Two causes with different remedies:
/// the rules refused (the page lists what is missing), or the document could not take the edit
/// (a newer schema, not loaded yet).
#[derive(Debug, thiserror::Error)]
pub enum StatusChangeError {
    #[error(transparent)]
    Refused(#[from] StatusError),
    #[error(transparent)]
    Domain(#[from] DomainError),
}

/// [`deadlines::Summary`] owning its item, since the items it borrows from are read on the spot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineSummary {
    /// The open item whose deadline comes first (overdue ones included).
    pub next: Option<Dated>,
    pub overdue: usize,
    pub due_soon: usize,
}

/// An open dated item as the device's vacancy list keeps it, so the list can show each
/// vacancy's next deadline and overdue count without opening every document. Its state is not
/// kept: that depends on the moment the list is shown, and is worked out then by
/// [`listed_summary`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedDeadline {
    pub kind: Kind,
    pub title: String,
    /// As the document stores it: "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM".
    pub due: String,
}

/// What the vacancy list shows for one vacancy at `now`, from its listed deadlines: the same
/// [`deadlines::summarize`] as inside the vacancy. An item whose due date does not read (a list
/// entry written by another version) is left out.
pub fn listed_summary(items: &[ListedDeadline], now: NaiveDateTime) -> DeadlineSummary {
    let dated: Vec<Dated> = items
        .iter()
        .filter_map(|item| {
            Some(Dated {
                kind: item.kind,
                id: String::new(),
                title: item.title.clone(),
                owner: None,
                due: Due::parse(&item.due).ok()?,
                done: false,
            })
        })
        .collect();
    let Summary {
        next,
        overdue,
        due_soon,
    } = deadlines::summarize(&dated, now);
    DeadlineSummary {
        next: next.cloned(),
        overdue,
        due_soon,
    }
}

impl Vacancy {
    // ---- the gate -----------------------------------------------------------------------------

    /// The parts of the intake the gate requires and the sign-offs cover, as they read now.
    pub fn required_parts(&self) -> RequiredParts {
        let items = |list| {
            self.intake_items(list)
                .into_iter()
                .map(|item| item.text)
                .collect()
        };
        RequiredParts {
            role_title: self
                .text(&TextField::Role(RoleText::Title))
                .unwrap_or_default(),
            profile: self
                .text(&TextField::Intake(IntakeText::Profile))
                .unwrap_or_default(),
            must_haves: items(ItemList::MustHaves),
            stages: self.stages().into_iter().map(|s| s.name).collect(),
            contact_agreements: self
                .text(&TextField::Intake(IntakeText::ContactAgreements))
                .unwrap_or_default(),
            criteria: self
                .criteria()
                .into_iter()
                .map(|c| CriterionPart {
                    name: c.name,
                    must_have: c.must_have,
                })
                .collect(),
        }
    }

    pub fn gate_input(&self) -> GateInput {
        GateInput {
            parts: self.required_parts(),
            sign_offs: self.sign_offs(),
        }
    }

    /// What keeps this vacancy from opening, in the order of the page; empty when it may open.
    pub fn gate(&self) -> GateResult {
        gate::gate(&self.gate_input())
    }

    /// The fingerprint a sign-off given now would record.
    pub fn fingerprint(&self) -> String {
        gate::fingerprint(&self.required_parts())
    }

    /// Signs the intake off as it reads now (see [`Self::sign_off`]).
    pub fn sign_off_now(
        &mut self,
        role: SignOffRole,
        person: &PersonId,
        name: &str,
        now_ms: i64,
    ) -> Result<Vec<u8>, DomainError> {
        let fingerprint = self.fingerprint();
        self.sign_off(role, person, name, now_ms, &fingerprint)
    }

    /// Changes the status if the vacancy's life allows it, and opens it only through the gate.
    /// Staying in the same status writes nothing and returns no bytes.
    pub fn change_status(&mut self, to: Status) -> Result<Vec<u8>, StatusChangeError> {
        let from = self.status();
        gate::can_change_status(from, to, &self.gate())?;
        if from == to {
            return Ok(Vec::new());
        }
        Ok(self.set_status(to)?)
    }

    // ---- deadlines ----------------------------------------------------------------------------

    /// Every dated thing of the vacancy: the stages' target dates (titled by the stage's name),
    /// the action items with a due date, the feedback each interviewer owes after a scheduled
    /// interview, and the decision owed on each candidate in the last stage. Done ones are
    /// included with `done` set.
    ///
    /// Once the vacancy is filled or closed its stages are over, so their target dates count as
    /// done: a finished vacancy must not stay "overdue" in the list for good. Action items keep
    /// their own state (sending the rejections is still work after closing).
    ///
    /// Feedback is titled by the candidate's name, owned by the interviewer, and its id is
    /// "interview id/person id" (one per interviewer, so each has its own identity in the
    /// calendar and the notices). A decision is due the agreed working days after the day of
    /// the candidate's latest scheduled interview in the last stage; its id is the candidate's.
    pub fn dated_items(&self) -> Vec<Dated> {
        let finished = matches!(self.status(), Status::Filled | Status::Closed);
        let stages = self.stages();
        let targets = self.stage_targets().into_iter().filter_map(|target| {
            Some(Dated {
                kind: Kind::StageTarget,
                title: stages
                    .iter()
                    .find(|s| s.id == target.stage)
                    .map(|s| s.name.clone())
                    .unwrap_or_default(),
                id: target.stage.0,
                owner: None,
                due: Due::parse(&target.date).ok()?,
                done: finished,
            })
        });
        let actions = self.action_items().into_iter().filter_map(|a| a.dated());
        let candidates = self.candidates();
        let name = |id: &CandidateId| {
            candidates
                .iter()
                .find(|c| &c.id == id)
                .map(|c| c.name.clone())
                .unwrap_or_default()
        };
        let feedback = self.feedback_deadlines().into_iter().map(
            |(interview, candidate, person, due, done)| Dated {
                kind: Kind::Feedback,
                id: format!("{}/{}", interview.0, person.0),
                title: name(&candidate),
                owner: Some(person.0),
                due,
                done,
            },
        );
        let within_days = self.agreements().decision_within_days;
        let interviews = self.interviews();
        let decisions = stages.last().into_iter().flat_map(|last| {
            let last = CandidateStage::Stage(last.id.clone());
            candidates
                .iter()
                .filter(|c| c.stage == last)
                .filter_map(|c| {
                    let day = interviews
                        .iter()
                        .filter(|i| {
                            i.candidate == c.id && last == CandidateStage::Stage(i.stage.clone())
                        })
                        .filter_map(|i| i.at)
                        .max()?
                        .date();
                    Some(Dated {
                        kind: Kind::Decision,
                        id: c.id.0.clone(),
                        title: c.name.clone(),
                        owner: None,
                        due: deadlines::decision_due(day, within_days).ok()?,
                        done: false,
                    })
                })
                .collect::<Vec<_>>()
        });
        targets
            .chain(actions)
            .chain(feedback)
            .chain(decisions)
            .collect()
    }

    /// What the vacancy list shows for this vacancy at `now`, from [`deadlines::summarize`].
    pub fn deadline_summary(&self, now: NaiveDateTime) -> DeadlineSummary {
        let items = self.dated_items();
        let Summary {
            next,
            overdue,
            due_soon,
        } = deadlines::summarize(&items, now);
        DeadlineSummary {
            next: next.cloned(),
            overdue,
            due_soon,
        }
    }

    /// The open dated items, as the device's vacancy list keeps them (see [`ListedDeadline`]).
    pub fn listed_deadlines(&self) -> Vec<ListedDeadline> {
        self.dated_items()
            .into_iter()
            .filter(|item| !item.done)
            .map(|item| ListedDeadline {
                kind: item.kind,
                title: item.title,
                due: item.due.to_string(),
            })
            .collect()
    }

    // ---- the weekly check-in ------------------------------------------------------------------

    /// The live state the agenda is made from.
    pub fn agenda_input(&self, now: NaiveDateTime) -> AgendaInput {
        AgendaInput {
            now,
            // Action items come in `actions`; here the stage targets, feedback and decisions.
            deadlines: self
                .dated_items()
                .into_iter()
                .filter(|d| d.kind != Kind::Action)
                .collect(),
            actions: self.action_items(),
            stages: self
                .stages()
                .into_iter()
                .map(|s| agenda::StageRef {
                    id: s.id.0,
                    name: s.name,
                })
                .collect(),
            candidates: self
                .candidates()
                .into_iter()
                .map(|c| match c.stage {
                    CandidateStage::Stage(id) => agenda::Placement::Stage(id.0),
                    CandidateStage::Hired => agenda::Placement::Hired,
                    CandidateStage::Rejected => agenda::Placement::Rejected,
                })
                .collect(),
        }
    }

    pub fn agenda(&self, now: NaiveDateTime) -> Agenda {
        agenda::agenda(&self.agenda_input(now))
    }

    /// The agreed weekly check-in; `None` until both its weekday and its time are agreed.
    pub fn checkin_agreement(&self) -> Option<CheckinAgreement> {
        let a = self.agreements();
        let weekday = Weekday::try_from(a.checkin_weekday?).ok()?;
        let time = a.checkin_time?;
        Some(CheckinAgreement {
            weekday,
            time: NaiveTime::from_hms_opt(time.hour.into(), time.minute.into(), 0)?,
            minutes: a.checkin_minutes,
        })
    }

    /// The check-in going on or next at `now`; `None` until it is agreed.
    pub fn next_checkin(&self, now: NaiveDateTime) -> Option<CheckinSlot> {
        agenda::next_checkin(&self.checkin_agreement()?, now).ok()
    }

    // ---- calendar export ----------------------------------------------------------------------

    /// The .ics file of the weekly check-in (titled `checkin_title`, in the user's language) and
    /// the open deadlines, in the user's IANA `time_zone`. The vacancy does not know its own id
    /// (that comes from the link), so the caller passes it; only a hash of it is written.
    pub fn calendar_export(
        &self,
        vacancy_id: &str,
        checkin_title: &str,
        time_zone: &str,
        stamp: DateTime<Utc>,
    ) -> Result<String, IcsError> {
        // The series starts from the vacancy's creation, so every export describes the same one.
        let created = timestamp_at(&self.doc, &ROOT, "created_at")
            .and_then(DateTime::from_timestamp_millis)
            .unwrap_or(stamp);
        ics::calendar(&CalendarInput {
            vacancy_id: vacancy_id.to_owned(),
            name: self.title(),
            time_zone: time_zone.to_owned(),
            stamp,
            checkin: self.checkin_agreement().map(|agreement| CheckinEvent {
                agreement,
                from: created.date_naive(),
                title: checkin_title.to_owned(),
            }),
            deadlines: self.dated_items(),
        })
    }

    /// The action items as the rules take them, in the document's order.
    fn action_items(&self) -> Vec<ActionItem> {
        self.actions()
            .into_iter()
            .map(|a| ActionItem {
                id: a.id.0,
                title: a.title,
                owner: a.owner.map(|p| p.0),
                due: a.due.as_deref().and_then(|d| Due::parse(d).ok()),
                done: a.done,
            })
            .collect()
    }
}
