//! Feedback after an interview: the draft that stays on the device, the submission that writes
//! it into the document, who may see what (independent judgement), and the feedback still owed.
//!
//! Rules, decided here:
//! - A [`FeedbackDraft`] is plain data, never in the document. The app keeps it on the device
//!   (as JSON, through its serde derives) until [`Vacancy::submit_feedback`] writes it, whole,
//!   in one change. Submitted feedback is a record and is not edited afterwards.
//! - Submitting needs a recommendation; every score is 1 ..= the scale's top; every rated
//!   criterion exists (it need not be one of the stage's focus criteria). A rating with neither
//!   a score nor evidence is left out.
//! - Someone who submits for an interview they were not listed on (they stood in for a
//!   colleague) is added to its interviewers in the same change: who interviewed is what the
//!   counts and the deadlines go by, and refusing would only lose their feedback.
//! - One submission per interviewer per interview; a second is refused. Should two devices of
//!   the same person submit at once, offline, the earliest counts (then by id) and the other is
//!   not read.
//! - **Independent judgement** ([`Vacancy::feedback_visible_to`]): an interviewer of any of a
//!   candidate's interviews sees nobody's ratings or recommendation for that candidate until
//!   they have submitted their own feedback for that candidate; until then they see only how
//!   many have submitted. The notes for the next interviewer are meant to be read and are not
//!   hidden ([`Vacancy::notes_for_next`]).
//! - A feedback may carry one voice memo. Only its [`MemoRef`] (the content address of the
//!   sealed audio, its sealed length, its type and its duration) is in the document; the audio
//!   itself travels and is kept as a sealed blob beside it. A reference that does not look like
//!   one (see [`MemoRef::is_valid`]) is refused on submitting and not read from the document.

use std::collections::{BTreeMap, BTreeSet};

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ScalarValue};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::candidates::CandidateId;
use crate::deadlines::{self, Due, DueState};
use crate::intake::StageId;
use crate::interviews::InterviewId;
use crate::people::PersonId;
use crate::scorecard::CriterionId;
use crate::vacancy::{
    bool_at, entries, entry_id, int_at, keys, map, path, str_at, text_at, timestamp_at,
    DomainError, InvalidValue, Vacancy,
};

entry_id!(
    /// A submitted feedback's id within its vacancy.
    FeedbackId
);

/// The overall recommendation; there is deliberately no neutral option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    StrongNo,
    No,
    Yes,
    StrongYes,
}

impl Recommendation {
    pub const ALL: [Recommendation; 4] = [
        Recommendation::StrongNo,
        Recommendation::No,
        Recommendation::Yes,
        Recommendation::StrongYes,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Recommendation::StrongNo => "strong_no",
            Recommendation::No => "no",
            Recommendation::Yes => "yes",
            Recommendation::StrongYes => "strong_yes",
        }
    }

    pub fn parse(s: &str) -> Option<Recommendation> {
        Recommendation::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn is_yes(self) -> bool {
        matches!(self, Recommendation::Yes | Recommendation::StrongYes)
    }
}

/// A rating in a draft: a score not yet chosen is `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftRating {
    #[serde(default)]
    pub score: Option<i64>,
    #[serde(default)]
    pub evidence: String,
}

impl DraftRating {
    /// Neither a score nor evidence: nothing to submit.
    pub fn is_empty(&self) -> bool {
        self.score.is_none() && self.evidence.trim().is_empty()
    }
}

/// The longest voice memo, in ms: the recorder stops at it, and a longer one is refused.
pub const MEMO_MAX_DURATION_MS: i64 = 3 * 60 * 1000;

/// A voice memo attached to feedback, as the document holds it: where the sealed audio is, not
/// the audio.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoRef {
    /// Lowercase hex SHA-256 of the sealed bytes: the blob's name at the relay and on devices,
    /// and the check that what was downloaded is what was recorded.
    pub hash: String,
    /// How many sealed bytes there are, so a download's progress and size are known up front.
    pub sealed_len: i64,
    /// The recording's type as the recorder made it (`audio/webm;codecs=opus` and the like), to
    /// play it back as such.
    pub mime: String,
    /// Shown before the audio is downloaded.
    pub duration_ms: i64,
}

impl MemoRef {
    /// A hash of 64 lowercase hex digits, a positive length, an audio type of sane length and
    /// a duration within the limit (a little over it is allowed: the recorder's own timer and
    /// the encoder's count differ by a frame or two).
    pub fn is_valid(&self) -> bool {
        self.hash.len() == 64
            && self
                .hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            && self.sealed_len > 0
            && self.mime.starts_with("audio/")
            && self.mime.len() <= 100
            && (0..=MEMO_MAX_DURATION_MS + 5_000).contains(&self.duration_ms)
    }
}

/// Feedback being written, kept on the interviewer's device only until submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredDraft", into = "StoredDraft")]
pub struct FeedbackDraft {
    pub interview: InterviewId,
    pub ratings: BTreeMap<CriterionId, DraftRating>,
    pub recommendation: Option<Recommendation>,
    /// For the next interviewer.
    pub note: String,
    /// The voice memo recorded for this feedback; its sealed audio is on the device.
    pub memo: Option<MemoRef>,
}

impl FeedbackDraft {
    pub fn new(interview: InterviewId) -> Self {
        FeedbackDraft {
            interview,
            ratings: BTreeMap::new(),
            recommendation: None,
            note: String::new(),
            memo: None,
        }
    }

    /// The rating of one criterion, to change in place.
    pub fn rating_mut(&mut self, criterion: &CriterionId) -> &mut DraftRating {
        self.ratings.entry(criterion.clone()).or_default()
    }
}

/// The draft as stored on the device: plain strings, every field optional, so a draft saved
/// by another version of the app still loads.
#[derive(Serialize, Deserialize)]
struct StoredDraft {
    #[serde(default)]
    interview: String,
    #[serde(default)]
    ratings: BTreeMap<String, DraftRating>,
    #[serde(default)]
    recommendation: Option<Recommendation>,
    #[serde(default)]
    note: String,
    #[serde(default)]
    memo: Option<MemoRef>,
}

impl From<StoredDraft> for FeedbackDraft {
    fn from(s: StoredDraft) -> Self {
        FeedbackDraft {
            interview: InterviewId(s.interview),
            ratings: s
                .ratings
                .into_iter()
                .map(|(k, v)| (CriterionId(k), v))
                .collect(),
            recommendation: s.recommendation,
            note: s.note,
            memo: s.memo,
        }
    }
}

impl From<FeedbackDraft> for StoredDraft {
    fn from(d: FeedbackDraft) -> Self {
        StoredDraft {
            interview: d.interview.0,
            ratings: d.ratings.into_iter().map(|(k, v)| (k.0, v)).collect(),
            recommendation: d.recommendation,
            note: d.note,
            memo: d.memo,
        }
    }
}

/// A submitted rating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rating {
    /// `None`: evidence written without a score.
    pub score: Option<i64>,
    pub evidence: String,
}

/// Submitted feedback as read from the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub id: FeedbackId,
    pub interview: InterviewId,
    pub candidate: CandidateId,
    pub stage: StageId,
    pub interviewer: PersonId,
    /// ms since the epoch.
    pub submitted_at: i64,
    pub recommendation: Recommendation,
    /// In the scorecard's order; ratings of criteria since removed come last.
    pub ratings: Vec<(CriterionId, Rating)>,
    /// For the next interviewer.
    pub note: String,
    /// The voice memo, if one was attached.
    pub memo: Option<MemoRef>,
}

/// Whether a viewer may see the feedback on a candidate (see the module comment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Shown,
    /// Hidden until the viewer submits their own; how many of the expected have submitted.
    Hidden {
        submitted: usize,
        expected: usize,
    },
}

/// A note left for the next interviewer, with who left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextNote {
    pub by: PersonId,
    pub stage: StageId,
    pub note: String,
    pub submitted_at: i64,
}

/// Feedback an interviewer owes after an interview that has ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwedFeedback {
    pub interview: InterviewId,
    pub candidate: CandidateId,
    pub interviewer: PersonId,
    /// The interview's end plus the agreed working hours.
    pub due: Due,
    pub state: DueState,
}

/// The memo reference of a feedback object; `None` when there is none or it is not a valid one.
fn memo_at(d: &automerge::AutoCommit, f: &ObjId) -> Option<MemoRef> {
    let m = map(d, f, "memo").ok()?;
    let memo = MemoRef {
        hash: str_at(d, &m, "hash")?,
        sealed_len: int_at(d, &m, "sealed_len")?,
        mime: str_at(d, &m, "mime")?,
        duration_ms: int_at(d, &m, "duration_ms")?,
    };
    memo.is_valid().then_some(memo)
}

impl Vacancy {
    fn feedback_obj(&self) -> Result<ObjId, DomainError> {
        path(&self.doc, &["feedback"]).ok_or(DomainError::Missing("feedback"))
    }

    /// Writes a draft as submitted feedback, in one change (see the module comment for what is
    /// refused). Nothing is written when it is refused.
    pub fn submit_feedback(
        &mut self,
        draft: &FeedbackDraft,
        interviewer: &PersonId,
        now_ms: i64,
    ) -> Result<(FeedbackId, Vec<u8>), DomainError> {
        let recommendation = draft.recommendation.ok_or(InvalidValue::NoRecommendation)?;
        let scale_max = self.scale_max();
        for rating in draft.ratings.values() {
            if let Some(score) = rating.score.filter(|s| !(1..=scale_max).contains(s)) {
                return Err(InvalidValue::Score(score).into());
            }
        }
        if draft.memo.as_ref().is_some_and(|m| !m.is_valid()) {
            return Err(InvalidValue::Memo.into());
        }
        let interview = self
            .interview(&draft.interview)
            .ok_or(DomainError::Missing("interview"))?;
        let criteria = self.criteria();
        if draft
            .ratings
            .iter()
            .filter(|(_, r)| !r.is_empty())
            .any(|(c, _)| !criteria.iter().any(|k| &k.id == c))
        {
            return Err(DomainError::Missing("criterion"));
        }
        if self
            .feedback()
            .iter()
            .any(|f| f.interview == interview.id && &f.interviewer == interviewer)
        {
            return Err(InvalidValue::AlreadySubmitted.into());
        }
        let listed = interview.interviewers.contains(interviewer);
        let interview_obj = self.interview_obj(&interview.id)?;
        let interviewers = map(&self.doc, &interview_obj, "interviewers").ok();
        let obj = self.feedback_obj()?;
        let id = FeedbackId(self.new_id());
        let ((), change) = self.edit(|d| {
            if !listed {
                let m = match interviewers {
                    Some(m) => m,
                    None => d.put_object(&interview_obj, "interviewers", ObjType::Map)?,
                };
                d.put(&m, interviewer.as_str(), true)?;
            }
            let f = d.put_object(&obj, id.as_str(), ObjType::Map)?;
            d.put(&f, "interview", interview.id.as_str())?;
            d.put(&f, "candidate", interview.candidate.as_str())?;
            d.put(&f, "stage", interview.stage.as_str())?;
            d.put(&f, "interviewer", interviewer.as_str())?;
            d.put(&f, "submitted_at", ScalarValue::Timestamp(now_ms))?;
            d.put(&f, "recommendation", recommendation.as_str())?;
            let ratings = d.put_object(&f, "ratings", ObjType::Map)?;
            for (criterion, rating) in &draft.ratings {
                if rating.is_empty() {
                    continue;
                }
                let evidence = rating.evidence.trim();
                let r = d.put_object(&ratings, criterion.as_str(), ObjType::Map)?;
                if let Some(score) = rating.score {
                    d.put(&r, "score", score)?;
                }
                let t = d.put_object(&r, "evidence", ObjType::Text)?;
                d.splice_text(&t, 0, 0, evidence)?;
            }
            let note = d.put_object(&f, "note", ObjType::Text)?;
            d.splice_text(&note, 0, 0, draft.note.trim())?;
            if let Some(memo) = &draft.memo {
                let m = d.put_object(&f, "memo", ObjType::Map)?;
                d.put(&m, "hash", memo.hash.as_str())?;
                d.put(&m, "sealed_len", memo.sealed_len)?;
                d.put(&m, "mime", memo.mime.as_str())?;
                d.put(&m, "duration_ms", memo.duration_ms)?;
            }
            Ok(())
        })?;
        Ok((id, change))
    }

    /// All submitted feedback, oldest first; one per interviewer per interview (the earliest).
    pub fn feedback(&self) -> Vec<Feedback> {
        let Ok(obj) = self.feedback_obj() else {
            return Vec::new();
        };
        let d = &self.doc;
        let scale_max = self.scale_max();
        let order: Vec<CriterionId> = self.criteria().into_iter().map(|c| c.id).collect();
        let mut out: Vec<Feedback> = entries(d, &obj)
            .into_iter()
            .filter_map(|(id, f)| {
                let mut ratings: Vec<(CriterionId, Rating)> = map(d, &f, "ratings")
                    .map(|r| entries(d, &r))
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(criterion, r)| {
                        let rating = Rating {
                            score: int_at(d, &r, "score").filter(|s| (1..=scale_max).contains(s)),
                            evidence: text_at(d, &r, "evidence"),
                        };
                        (CriterionId(criterion), rating)
                    })
                    .collect();
                crate::sorting::sort_by_key(&mut ratings, |(c, _)| {
                    (
                        order.iter().position(|o| o == c).unwrap_or(usize::MAX),
                        c.clone(),
                    )
                });
                Some(Feedback {
                    interview: InterviewId(str_at(d, &f, "interview")?),
                    candidate: CandidateId(str_at(d, &f, "candidate")?),
                    stage: StageId(str_at(d, &f, "stage").unwrap_or_default()),
                    interviewer: PersonId(str_at(d, &f, "interviewer")?),
                    submitted_at: timestamp_at(d, &f, "submitted_at").unwrap_or_default(),
                    recommendation: Recommendation::parse(&str_at(d, &f, "recommendation")?)?,
                    ratings,
                    note: text_at(d, &f, "note"),
                    memo: memo_at(d, &f),
                    id: FeedbackId(id),
                })
            })
            .collect();
        crate::sorting::sort_by(&mut out, |a, b| {
            (a.submitted_at, &a.id).cmp(&(b.submitted_at, &b.id))
        });
        let mut seen = BTreeSet::new();
        out.retain(|f| seen.insert((f.interview.clone(), f.interviewer.clone())));
        out
    }

    /// The submitted feedback on one candidate, oldest first. Whether the viewer may see it is
    /// [`Self::feedback_visible_to`]; [`Self::visible_feedback_for`] applies that rule.
    pub fn feedback_for(&self, candidate: &CandidateId) -> Vec<Feedback> {
        self.feedback()
            .into_iter()
            .filter(|f| &f.candidate == candidate)
            .collect()
    }

    /// The (interview, interviewer) pairs of a candidate's interviews, and how many of them
    /// have submitted: (submitted, expected).
    pub fn submitted_count(&self, candidate: &CandidateId) -> (usize, usize) {
        self.counts_of(Some(candidate))
            .remove(candidate)
            .unwrap_or((0, 0))
    }

    /// [`Self::submitted_count`] for every candidate with an interview, reading the feedback and
    /// the interviews once: a pipeline of 200 candidates asking one by one read all 800 pieces
    /// of feedback, ratings and texts, 200 times, and never finished painting.
    pub fn submitted_counts(&self) -> BTreeMap<CandidateId, (usize, usize)> {
        self.counts_of(None)
    }

    /// The counts of every candidate, or of `only` one. Reads the few scalars a count needs
    /// and skips the ratings and texts: a card's count is asked again on every change to its
    /// candidate, and the large vacancy holds 8,000 ratings. What counts is what
    /// [`Self::feedback`] and [`Self::interviews`] would read.
    fn counts_of(&self, only: Option<&CandidateId>) -> BTreeMap<CandidateId, (usize, usize)> {
        let d = &self.doc;
        let wanted = |c: &str| only.is_none_or(|o| o.as_str() == c);
        let all = |obj: Result<ObjId, DomainError>| obj.map(|o| entries(d, &o)).unwrap_or_default();
        let given = self.given(only);
        let mut counts: BTreeMap<CandidateId, (usize, usize)> = BTreeMap::new();
        for (id, i) in all(self.interviews_obj()) {
            let Some(candidate) = str_at(d, &i, "candidate").filter(|c| wanted(c)) else {
                continue;
            };
            // An interview without a stage is left out, as everywhere (see `interviews`).
            if str_at(d, &i, "stage").is_none() {
                continue;
            }
            let interviewers = map(d, &i, "interviewers")
                .map(|m| {
                    keys(d, &m)
                        .into_iter()
                        .filter(|k| bool_at(d, &m, k))
                        .collect()
                })
                .unwrap_or_else(|_| Vec::new());
            let (submitted, expected) = counts.entry(CandidateId(candidate.clone())).or_default();
            for person in interviewers {
                *expected += 1;
                if given.contains(&(candidate.clone(), id.clone(), person)) {
                    *submitted += 1;
                }
            }
        }
        counts
    }

    /// Who submitted for which interview, as (candidate, interview, interviewer), of every
    /// candidate or of `only` one: the scalars [`Self::feedback`] checks, without its ratings
    /// and texts (8,000 ratings in the large vacancy made the feedback owed take 470 ms).
    fn given(&self, only: Option<&CandidateId>) -> BTreeSet<(String, String, String)> {
        let d = &self.doc;
        let wanted = |c: &str| only.is_none_or(|o| o.as_str() == c);
        let all = self
            .feedback_obj()
            .map(|o| entries(d, &o))
            .unwrap_or_default();
        all.into_iter()
            .filter_map(|(_, f)| {
                let candidate = str_at(d, &f, "candidate").filter(|c| wanted(c))?;
                Recommendation::parse(&str_at(d, &f, "recommendation")?)?;
                Some((
                    candidate,
                    str_at(d, &f, "interview")?,
                    str_at(d, &f, "interviewer")?,
                ))
            })
            .collect()
    }

    /// The independent-judgement rule, in one place: hidden from an interviewer of this
    /// candidate until they have submitted their own feedback on them.
    pub fn feedback_visible_to(&self, viewer: &PersonId, candidate: &CandidateId) -> Visibility {
        let interviews = self
            .interviews_of(candidate)
            .iter()
            .any(|i| i.interviewers.contains(viewer));
        let submitted_own = self
            .feedback_for(candidate)
            .iter()
            .any(|f| &f.interviewer == viewer);
        if interviews && !submitted_own {
            let (submitted, expected) = self.submitted_count(candidate);
            Visibility::Hidden {
                submitted,
                expected,
            }
        } else {
            Visibility::Shown
        }
    }

    /// The feedback on a candidate the viewer may see: all of it, or none while it is hidden.
    pub fn visible_feedback_for(
        &self,
        viewer: &PersonId,
        candidate: &CandidateId,
    ) -> Vec<Feedback> {
        match self.feedback_visible_to(viewer, candidate) {
            Visibility::Shown => self.feedback_for(candidate),
            Visibility::Hidden { .. } => Vec::new(),
        }
    }

    /// The notes left for the next interviewer by feedback on this candidate from the stages
    /// before `stage` (in the intake's order; stages since removed count as before), oldest
    /// first. Empty notes are left out.
    pub fn notes_for_next(&self, candidate: &CandidateId, stage: &StageId) -> Vec<NextNote> {
        let stages: Vec<StageId> = self.stages().into_iter().map(|s| s.id).collect();
        let index = |s: &StageId| stages.iter().position(|x| x == s);
        let here = index(stage);
        self.feedback_for(candidate)
            .into_iter()
            .filter(|f| {
                &f.stage != stage
                    && !f.note.trim().is_empty()
                    && match (index(&f.stage), here) {
                        (Some(theirs), Some(here)) => theirs < here,
                        _ => true,
                    }
            })
            .map(|f| NextNote {
                by: f.interviewer,
                stage: f.stage,
                note: f.note,
                submitted_at: f.submitted_at,
            })
            .collect()
    }

    /// Every (interview, interviewer) whose feedback is due at all: for each scheduled
    /// interview and each of its interviewers, when it is due and whether it was submitted.
    /// Interviews whose deadline cannot be worked out (beyond the calendar) are left out.
    pub(crate) fn feedback_deadlines(
        &self,
    ) -> Vec<(InterviewId, CandidateId, PersonId, Due, bool)> {
        let within = self.agreements().feedback_within_hours;
        let given: BTreeSet<(InterviewId, PersonId)> = self
            .given(None)
            .into_iter()
            .map(|(_, interview, person)| (InterviewId(interview), PersonId(person)))
            .collect();
        let mut out = Vec::new();
        for interview in self.interviews() {
            let Some(end) = interview.end() else { continue };
            let Ok(due) = deadlines::feedback_due(end, within) else {
                continue;
            };
            for person in &interview.interviewers {
                let done = given.contains(&(interview.id.clone(), person.clone()));
                out.push((
                    interview.id.clone(),
                    interview.candidate.clone(),
                    person.clone(),
                    due,
                    done,
                ));
            }
        }
        out
    }

    /// The feedback still owed at local time `now`: per interviewer of each interview that has
    /// ended and who has not submitted, due the agreed working hours after its end; soonest
    /// due first.
    pub fn feedback_owed(&self, now: NaiveDateTime) -> Vec<OwedFeedback> {
        let ended: BTreeSet<InterviewId> = self
            .interviews()
            .into_iter()
            .filter(|i| i.end().is_some_and(|end| end <= now))
            .map(|i| i.id)
            .collect();
        let mut out: Vec<OwedFeedback> = self
            .feedback_deadlines()
            .into_iter()
            .filter(|(interview, _, _, _, done)| !done && ended.contains(interview))
            .map(|(interview, candidate, interviewer, due, _)| OwedFeedback {
                state: deadlines::state(due, false, now),
                interview,
                candidate,
                interviewer,
                due,
            })
            .collect();
        crate::sorting::sort_by(&mut out, |a, b| {
            (a.due.last_moment(), &a.interview, &a.interviewer).cmp(&(
                b.due.last_moment(),
                &b.interview,
                &b.interviewer,
            ))
        });
        out
    }
}
