//! The vacancy document: one Automerge document per vacancy, and the domain operations on it.
//!
//! - [`schema`]: the layout of the document for the whole product (intake, agreements, planning,
//!   scorecard, candidates, interviews, feedback, check-ins, decisions) and its version.
//! - [`vacancy`]: [`Vacancy`], the document with typed reads and edits; every edit returns the
//!   change bytes to persist and send.
//! - [`scorecard`]: the scorecard's criteria: read, add, edit, reorder, remove; their anchored
//!   rating levels and suggested interview questions.
//! - [`starters`]: starting text in Dutch and English: anchors and a bank of STAR questions.
//! - [`intake`]: the intake: the role, the free texts, must-haves and nice-to-haves (each can
//!   become a linked criterion), the stages of the process, and the sign-offs.
//! - [`people`]: who is in a vacancy, in which role and colour.
//! - [`planning`]: the agreements (numbers with checked ranges), stage target dates, action items.
//! - [`checkin`]: the weekly check-ins: date, attendance, notes; actions made from the notes.
//! - [`candidates`]: the candidates, their stage and its history, and the pipeline by stage.
//! - [`interviews`]: interviews of a candidate in a stage: interviewers, local time, length.
//! - [`feedback`]: the draft that stays on the device, submitted feedback, the independent-
//!   judgement rule (who may see what), the notes for the next interviewer, feedback owed.
//! - [`comparison`]: candidates × criteria from submitted feedback: means, weighted totals,
//!   knock-outs, disagreements, the tally and the rank, hidden where judgement must stay
//!   independent.
//! - [`partnership`]: how the partnership is doing: feedback pace per person, time per stage.
//! - [`decisions`]: advance, reject or hire, with a reason; recording one moves the candidate.
//! - [`export`]: the vacancy as a readable JSON file, and such a file back into a new vacancy.
//! - [`erasure`]: erasing a candidate for real: the vacancy without them as a new document with
//!   no history, and where their name still appears in other text.
//! - [`changes`]: what a change touched (a text field, a criterion, a list), from Automerge's
//!   patches, so the app re-renders only the views that show it.
//! - [`chunks`]: a guard that refuses stored or received bytes automerge would choke on.
//! - [`sorting`]: stable sorts that compile the standard library's sort once, not per call site.
//! - [`text_diff`]: turns "the field now reads X" into one minimal splice, so two people typing in
//!   the same field both keep their characters.
//!
//! The rules of habits 1 and 2, as plain Rust over plain data (no document in sight):
//! - [`working_time`]: working days and hours, skipping weekends and Dutch public holidays.
//! - [`deadlines`]: every dated thing's state at a moment: on time, due soon, overdue, done.
//! - [`gate`]: "no intake, no vacancy": what is missing before a vacancy may open, the sign-offs'
//!   fingerprint, and the allowed status changes.
//! - [`agenda`]: the weekly check-in's agenda from the live state, and the next check-in.
//! - [`ics`]: the calendar export (.ics) of the weekly check-in and the deadlines.
//!
//! - [`overview`]: the bridge: each rule's input read from the [`Vacancy`], one method per view
//!   (the gate and opening through it, the dated items and their summary, the agenda and the next
//!   check-in, the calendar export).
//!
//! Nothing here knows about browsers, storage or the network: the app and tests drive it natively.

pub mod agenda;
pub mod authors;
pub mod candidates;
pub mod changes;
pub mod checkin;
mod chunks;
pub mod comparison;
pub mod deadlines;
pub mod decisions;
mod doc;
pub mod erasure;
pub mod export;
pub mod feedback;
pub mod gate;
pub mod ics;
pub mod intake;
pub mod interviews;
pub mod overview;
pub mod partnership;
pub mod people;
pub mod planning;
pub mod schema;
pub mod scorecard;
pub mod sorting;
pub mod starters;
pub mod text_diff;
pub mod vacancy;
pub mod working_time;

pub use automerge::ChangeHash;
pub use candidates::{
    time_in_stage, Candidate, CandidateId, CandidateStage, PipelineColumn, StageVisit,
};
pub use checkin::{Checkin, CheckinId};
pub use comparison::{Cell, Column, Comparison, Disagreement, Row, Tally};
pub use decisions::{Decision, DecisionId, DecisionRecord};
pub use feedback::{
    DraftRating, Feedback, FeedbackDraft, FeedbackId, MemoRef, NextNote, OwedFeedback, Rating,
    Recommendation, Visibility, MEMO_MAX_DURATION_MS,
};
pub use intake::{
    IntakeItem, IntakeText, ItemId, ItemList, RoleText, SignOff, SignOffRole, Stage, StageId,
};
pub use interviews::{Interview, InterviewId};
pub use overview::{DeadlineSummary, StatusChangeError};
pub use partnership::{FeedbackPace, Partnership, StagePace};
pub use people::{Person, PersonId, Role};
pub use planning::{Action, ActionId, Agreements, ClockTime, StageTarget};
pub use schema::{SchemaStatus, SCHEMA_VERSION};
pub use scorecard::{Category, Criterion, CriterionId, Question, QuestionId};
pub use vacancy::{Caret, DomainError, InvalidValue, Status, TextField, Vacancy};
