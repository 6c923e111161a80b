//! [`Vacancy`]: one vacancy's Automerge document with typed reads and edits.
//!
//! Every edit is committed as its own Automerge change and returns that change's bytes, which
//! the app writes to local storage before it sends them anywhere. Remote bytes go in through
//! [`Vacancy::apply_remote`]. A document written by a newer app is readable but every edit is
//! refused, so an old app can never corrupt it.

use automerge::transaction::Transactable;
use automerge::{
    AutoCommit, ChangeHash, Cursor, MoveCursor, ObjId, ObjType, ReadDoc, ScalarValue, Value, ROOT,
};

use crate::candidates::CandidateId;
use crate::checkin::CheckinId;
use crate::intake::{IntakeText, ItemId, ItemList, RoleText, StageId};
use crate::planning::ActionId;
use crate::schema::{self, SchemaStatus, SCHEMA_VERSION};
use crate::scorecard::{CriterionId, QuestionId};
use crate::text_diff;

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("this vacancy was made with a newer version of Tandem (schema {0}); update the app to edit it")]
    NewerSchema(u64),
    #[error("this vacancy has not been downloaded yet")]
    NotLoaded,
    #[error("the vacancy data is damaged: {0}")]
    Corrupt(#[from] automerge::AutomergeError),
    #[error("there is no {0} in this vacancy (it may have been removed by someone else)")]
    Missing(&'static str),
    #[error(transparent)]
    Invalid(#[from] InvalidValue),
}

/// A value someone entered that the vacancy cannot hold. It is refused before anything is
/// written, and each variant keeps the offending value so a form can say what was wrong; the
/// allowed ranges are public constants in [`crate::planning`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidValue {
    #[error("feedback must be due within {min} to {max} working hours, not {0}",
        min = crate::planning::FEEDBACK_WITHIN_HOURS.start(),
        max = crate::planning::FEEDBACK_WITHIN_HOURS.end())]
    FeedbackWithinHours(u32),
    #[error("a decision must be due within {min} to {max} working days, not {0}",
        min = crate::planning::DECISION_WITHIN_DAYS.start(),
        max = crate::planning::DECISION_WITHIN_DAYS.end())]
    DecisionWithinDays(u32),
    #[error("a weekday is 0 (Monday) to 6 (Sunday), not {0}")]
    Weekday(u8),
    #[error("a time of day is written HH:MM (00:00 to 23:59), not {0:?}")]
    ClockTime(String),
    #[error("a check-in lasts {min} to {max} minutes, not {0}",
        min = crate::planning::CHECKIN_MINUTES.start(),
        max = crate::planning::CHECKIN_MINUTES.end())]
    CheckinMinutes(u32),
    #[error("a date is written YYYY-MM-DD, not {0:?}")]
    Date(String),
    #[error("a due date is written YYYY-MM-DD or YYYY-MM-DDTHH:MM, not {0:?}")]
    Due(String),
    #[error("a criterion's weight is {min} to {max}, not {0}",
        min = crate::scorecard::MIN_WEIGHT, max = crate::scorecard::MAX_WEIGHT)]
    Weight(i64),
    #[error("a CV link starts with https:// or http://, not {0:?}")]
    CvUrl(String),
    #[error("an interview's time is written YYYY-MM-DDTHH:MM, not {0:?}")]
    InterviewTime(String),
    #[error("an interview lasts {min} to {max} minutes, not {0}",
        min = crate::interviews::INTERVIEW_MINUTES.start(),
        max = crate::interviews::INTERVIEW_MINUTES.end())]
    InterviewMinutes(u32),
    #[error("a rating is 1 to the top of the scale, not {0}")]
    Score(i64),
    #[error("feedback needs a recommendation (strong no, no, yes or strong yes)")]
    NoRecommendation,
    #[error("this feedback was already submitted; submitted feedback is not changed")]
    AlreadySubmitted,
    #[error("the voice memo's reference is not valid (hash, length, type or duration)")]
    Memo,
    #[error(
        "the candidate is in the last stage (or already hired or rejected): there is no next stage"
    )]
    NoNextStage,
}

/// A text field of the document that people edit live.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TextField {
    Title,
    CriterionName(CriterionId),
    CriterionDescription(CriterionId),
    /// What a level of a criterion's rating scale looks like (level 1 ..= scale max).
    Anchor(CriterionId, i64),
    /// A suggested interview question for a criterion.
    Question(CriterionId, QuestionId),
    /// One of the role's fields in the intake: title, team, location …
    Role(RoleText),
    /// One of the intake's free texts: profile, target group …
    Intake(IntakeText),
    /// The text of a must-have or nice-to-have.
    IntakeItem(ItemList, ItemId),
    StageName(StageId),
    /// Who interviews in this stage.
    StageInterviewers(StageId),
    /// What this stage assesses, in words (the criteria it assesses are its focus criteria).
    StageAssesses(StageId),
    /// The agreements' "who does what", in words.
    AgreementNotes,
    ActionTitle(ActionId),
    CheckinNotes(CheckinId),
    CandidateName(CandidateId),
    /// How to reach a candidate: e-mail, phone, as typed.
    CandidateContact(CandidateId),
    CandidateNotes(CandidateId),
}

pub struct Vacancy {
    pub(crate) doc: AutoCommit,
    /// Where new map-entry ids come from: random, except in a deterministic simulation, which
    /// needs the same ids for the same seed to replay a failure.
    ids: IdSource,
    /// Who this replica's edits are by, recorded in each change it makes (see `authors`).
    pub(crate) author: Option<crate::people::PersonId>,
}

enum IdSource {
    Random,
    Counter { prefix: String, next: u64 },
}

impl Vacancy {
    /// A new vacancy with the whole schema's skeleton, written as its first change.
    pub fn create(title: &str, now_ms: i64) -> (Self, Vec<u8>) {
        let mut v = Vacancy::empty();
        let change = v
            .write_skeleton(title, now_ms)
            .expect("writing a skeleton to a fresh in-memory document cannot fail");
        (v, change)
    }

    fn write_skeleton(&mut self, title: &str, now_ms: i64) -> Result<Vec<u8>, DomainError> {
        let d = &mut self.doc;
        d.put(ROOT, "schema_version", SCHEMA_VERSION)?;
        d.put(ROOT, "created_at", ScalarValue::Timestamp(now_ms))?;
        for name in schema::TOP_LEVEL_MAPS {
            d.put_object(ROOT, *name, ObjType::Map)?;
        }
        let vacancy = map(d, &ROOT, "vacancy")?;
        let t = d.put_object(&vacancy, "title", ObjType::Text)?;
        d.splice_text(&t, 0, 0, title)?;
        d.put(&vacancy, "status", "draft")?;
        let intake = map(d, &ROOT, "intake")?;
        let role = d.put_object(&intake, "role", ObjType::Map)?;
        for field in RoleText::ALL {
            d.put_object(&role, field.key(), ObjType::Text)?;
        }
        for field in IntakeText::ALL {
            d.put_object(&intake, field.key(), ObjType::Text)?;
        }
        for name in schema::INTAKE_MAPS {
            d.put_object(&intake, *name, ObjType::Map)?;
        }
        let agreements = map(d, &ROOT, "agreements")?;
        d.put(
            &agreements,
            "feedback_within_hours",
            schema::DEFAULT_FEEDBACK_WITHIN_HOURS,
        )?;
        d.put(
            &agreements,
            "decision_within_days",
            schema::DEFAULT_DECISION_WITHIN_DAYS,
        )?;
        d.put(
            &agreements,
            "checkin_minutes",
            schema::DEFAULT_CHECKIN_MINUTES,
        )?;
        d.put_object(&agreements, "notes", ObjType::Text)?;
        let planning = map(d, &ROOT, "planning")?;
        d.put_object(&planning, "stage_targets", ObjType::Map)?;
        d.put_object(&planning, "actions", ObjType::Map)?;
        let scorecard = map(d, &ROOT, "scorecard")?;
        d.put(&scorecard, "scale_max", schema::DEFAULT_SCALE_MAX)?;
        d.put_object(&scorecard, "criteria", ObjType::Map)?;
        Ok(self.commit_since(&[]))
    }

    /// A copy to change and throw away (it shares this replica's actor id, so its changes must
    /// never be stored or sent).
    pub(crate) fn scratch_copy(&self) -> Self {
        Vacancy {
            doc: self.doc.clone(),
            ids: IdSource::Random,
            author: None,
        }
    }

    /// An empty document for a vacancy joined by link, filled by [`Self::apply_remote`].
    pub fn empty() -> Self {
        Vacancy {
            doc: AutoCommit::new(),
            ids: IdSource::Random,
            author: None,
        }
    }

    /// Loads saved bytes: a snapshot, incremental chunks, or both concatenated.
    pub fn load(bytes: &[u8]) -> Result<Self, DomainError> {
        crate::chunks::refuse_bundles(bytes)?;
        let mut v = Self::empty();
        v.doc.load_incremental(bytes)?;
        Ok(v)
    }

    /// Merges changes that came from storage or another device. Applying the same bytes twice is
    /// harmless; changes whose dependencies have not arrived yet wait inside automerge.
    pub fn apply_remote(&mut self, bytes: &[u8]) -> Result<(), DomainError> {
        crate::chunks::refuse_bundles(bytes)?;
        self.doc.load_incremental(bytes)?;
        Ok(())
    }

    /// The whole document, compacted: what local compaction and relay snapshots store.
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// Whether the change with this hash is part of the document.
    pub fn has_change(&mut self, hash: &ChangeHash) -> bool {
        self.doc.get_change_by_hash(hash).is_some()
    }

    /// A new id for a map entry (a criterion, a stage, a candidate …).
    pub(crate) fn new_id(&mut self) -> String {
        match &mut self.ids {
            IdSource::Random => random_id(),
            IdSource::Counter { prefix, next } => {
                *next += 1;
                format!("{prefix}{next:04}")
            }
        }
    }

    pub fn schema_status(&self) -> SchemaStatus {
        match self.doc.get(ROOT, "schema_version") {
            Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
                ScalarValue::Uint(v) if *v > SCHEMA_VERSION => SchemaStatus::Newer(*v),
                ScalarValue::Int(v) if *v as u64 > SCHEMA_VERSION => SchemaStatus::Newer(*v as u64),
                _ => SchemaStatus::Current,
            },
            _ => SchemaStatus::Empty,
        }
    }

    /// Runs an edit as one change and returns that change's bytes, or refuses when the document
    /// is not ours to edit. The bytes hold only this edit, not remote changes merged before it.
    pub(crate) fn edit<T>(
        &mut self,
        f: impl FnOnce(&mut AutoCommit) -> Result<T, DomainError>,
    ) -> Result<(T, Vec<u8>), DomainError> {
        match self.schema_status() {
            SchemaStatus::Empty => return Err(DomainError::NotLoaded),
            SchemaStatus::Newer(v) => return Err(DomainError::NewerSchema(v)),
            SchemaStatus::Current => {}
        }
        let before = self.doc.get_heads();
        match f(&mut self.doc) {
            Ok(out) => Ok((out, self.commit_since(&before))),
            Err(e) => {
                // Leave no half-made edit behind to be committed with the next one.
                self.doc.rollback();
                Err(e)
            }
        }
    }

    pub(crate) fn commit_since(&mut self, before: &[ChangeHash]) -> Vec<u8> {
        self.doc
            .commit_with(crate::authors::commit_options(self.author.as_ref()));
        self.doc.save_after(before)
    }

    // ---- reads -------------------------------------------------------------------------------

    pub fn title(&self) -> String {
        self.text(&TextField::Title).unwrap_or_default()
    }

    pub fn status(&self) -> Status {
        Status::parse(
            &path(&self.doc, &["vacancy"])
                .and_then(|v| str_at(&self.doc, &v, "status"))
                .unwrap_or_default(),
        )
    }

    /// Sets the status as it is. Whether the vacancy may open (the gate) is the caller's check.
    pub fn set_status(&mut self, status: Status) -> Result<Vec<u8>, DomainError> {
        let v = map(&self.doc, &ROOT, "vacancy")?;
        Ok(self.edit(|d| Ok(d.put(&v, "status", status.as_str())?))?.1)
    }

    /// The current text of a field, or `None` when the field is gone (e.g. its criterion was
    /// removed on another device).
    pub fn text(&self, field: &TextField) -> Option<String> {
        let obj = self.text_obj(field)?;
        self.doc.text(&obj).ok()
    }

    pub(crate) fn text_obj(&self, field: &TextField) -> Option<ObjId> {
        match field {
            TextField::Title => path(&self.doc, &["vacancy", "title"]),
            TextField::CriterionName(id) => {
                path(&self.doc, &["scorecard", "criteria", id.as_str(), "name"])
            }
            TextField::CriterionDescription(id) => path(
                &self.doc,
                &["scorecard", "criteria", id.as_str(), "description"],
            ),
            TextField::Anchor(id, level) => path(
                &self.doc,
                &[
                    "scorecard",
                    "criteria",
                    id.as_str(),
                    "anchors",
                    &level.to_string(),
                ],
            ),
            TextField::Question(criterion, id) => self
                .question_obj(criterion, id)
                .and_then(|q| crate::doc::path_from(&self.doc, q, &["text"])),
            TextField::Role(f) => path(&self.doc, &["intake", "role", f.key()]),
            TextField::Intake(f) => path(&self.doc, &["intake", f.key()]),
            TextField::IntakeItem(list, id) => {
                path(&self.doc, &["intake", list.key(), id.as_str(), "text"])
            }
            TextField::StageName(id) => path(&self.doc, &["intake", "stages", id.as_str(), "name"]),
            TextField::StageInterviewers(id) => path(
                &self.doc,
                &["intake", "stages", id.as_str(), "interviewers"],
            ),
            TextField::StageAssesses(id) => {
                path(&self.doc, &["intake", "stages", id.as_str(), "assesses"])
            }
            TextField::AgreementNotes => path(&self.doc, &["agreements", "notes"]),
            TextField::ActionTitle(id) => {
                path(&self.doc, &["planning", "actions", id.as_str(), "title"])
            }
            TextField::CheckinNotes(id) => path(&self.doc, &["checkins", id.as_str(), "notes"]),
            TextField::CandidateName(id) => path(&self.doc, &["candidates", id.as_str(), "name"]),
            TextField::CandidateContact(id) => {
                path(&self.doc, &["candidates", id.as_str(), "contact"])
            }
            TextField::CandidateNotes(id) => path(&self.doc, &["candidates", id.as_str(), "notes"]),
        }
    }

    // ---- live text ---------------------------------------------------------------------------

    /// Makes `field` read `new_value` with the smallest splice, so concurrent typing merges.
    pub fn set_text(
        &mut self,
        field: &TextField,
        new_value: &str,
    ) -> Result<Option<Vec<u8>>, DomainError> {
        let obj = self.text_obj(field).ok_or(DomainError::Missing("field"))?;
        let old = self.doc.text(&obj)?;
        let Some(splice) = text_diff::diff(&old, new_value) else {
            return Ok(None);
        };
        let ((), change) = self.edit(|d| {
            d.splice_text(&obj, splice.pos, splice.delete as isize, &splice.insert)?;
            Ok(())
        })?;
        Ok(Some(change))
    }

    /// A stable position in a field that survives remote edits (for carets and presence).
    ///
    /// The caret is anchored to the character on its left, so when the partner types at the
    /// very same spot, their text lands after this caret instead of pushing it along: each
    /// person's caret stays at the end of their own words.
    pub fn caret(&self, field: &TextField, pos: usize) -> Option<Caret> {
        if pos == 0 {
            return Some(Caret::Start);
        }
        let obj = self.text_obj(field)?;
        // A position past the end (a stale caret, or text the partner removed) is the end; in a
        // field that is now empty, that is the start.
        let Some(left) = pos.min(self.doc.length(&obj)).checked_sub(1) else {
            return Some(Caret::Start);
        };
        let cursor = self
            .doc
            .get_cursor_moving(&obj, left, None, MoveCursor::Before)
            .ok()?;
        Some(Caret::After(cursor))
    }

    /// Where a caret is now, in UTF-16 code units.
    pub fn caret_position(&self, field: &TextField, caret: &Caret) -> Option<usize> {
        let obj = self.text_obj(field)?;
        match caret {
            Caret::Start => Some(0),
            Caret::After(cursor) => {
                let at = self.doc.get_cursor_position(&obj, cursor, None).ok()?;
                Some((at + 1).min(self.doc.length(&obj)))
            }
        }
    }
}

/// Where a vacancy is in its life. Opening it is guarded by the intake's gate, in the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Draft,
    Open,
    OnHold,
    Filled,
    Closed,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Draft,
        Status::Open,
        Status::OnHold,
        Status::Filled,
        Status::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Open => "open",
            Status::OnHold => "on_hold",
            Status::Filled => "filled",
            Status::Closed => "closed",
        }
    }

    /// Unknown values (from a newer app) read as draft: never as open to candidates.
    pub fn parse(s: &str) -> Status {
        match s {
            "open" => Status::Open,
            "on_hold" => Status::OnHold,
            "filled" => Status::Filled,
            "closed" => Status::Closed,
            _ => Status::Draft,
        }
    }
}

/// A caret that follows the text it sits in; see [`Vacancy::caret`].
#[derive(Clone, Debug, PartialEq)]
pub enum Caret {
    /// Before the first character.
    Start,
    /// Right after the character this cursor points at.
    After(Cursor),
}

// The helpers that walk the document live in `doc`; re-exported so every module keeps its path.
pub(crate) use crate::doc::{
    bool_at, entries, entry_id, int_at, keys, map, path, position_at, position_between, scalar,
    sort_by_position, str_at, text_at, timestamp_at,
};

/// A random id for a new map entry: 64 bits is plenty within one vacancy.
fn random_id() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the platform has no secure random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// For tests in other crates: a document written by a future app.
#[doc(hidden)]
pub mod test_support {
    use super::*;

    /// Makes a replica's edits reproducible: a fixed actor id and counted map-entry ids, so a
    /// simulation replays a seed exactly (random ones would change merge order between runs).
    pub fn make_deterministic(v: &mut Vacancy, replica: u8) {
        v.doc.set_actor(automerge::ActorId::from(
            [replica.wrapping_add(1); 16].as_slice(),
        ));
        v.ids = IdSource::Counter {
            prefix: format!("r{replica}-"),
            next: 0,
        };
    }

    /// [`Vacancy::create`], deterministically (see [`make_deterministic`]).
    pub fn create_deterministic(title: &str, now_ms: i64, replica: u8) -> (Vacancy, Vec<u8>) {
        let mut v = Vacancy::empty();
        make_deterministic(&mut v, replica);
        let change = v
            .write_skeleton(title, now_ms)
            .expect("writing a skeleton to a fresh in-memory document cannot fail");
        (v, change)
    }

    pub fn bump_schema(v: &mut Vacancy, version: u64) -> Vec<u8> {
        let before = v.doc.get_heads();
        v.doc
            .put(ROOT, "schema_version", version)
            .expect("root is always a map");
        v.commit_since(&before)
    }
}
