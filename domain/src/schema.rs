//! The layout of a vacancy document, for the whole product.
//!
//! Every vacancy is one Automerge document. The creator writes this skeleton once, in the first
//! change; later features only fill in what is already there, so no migration is ever needed to
//! add them. Free text is Automerge `Text` (character-level merge); collections that people add
//! to concurrently are maps keyed by random ids (never lists, whose concurrent moves and deletes
//! lose edits), ordered by a fractional `position` number.
//!
//! ```text
//! root
//! ├─ schema_version: int            SCHEMA_VERSION of the app that created the document
//! ├─ created_at: timestamp          ms since the epoch
//! ├─ vacancy: { title: Text, status: "draft" | "open" | "on_hold" | "filled" | "closed" }
//! ├─ intake
//! │  ├─ role: { title, team, location, hours, salary_band, start_date: Text }
//! │  ├─ profile, target_group, labour_market, selling_points, contact_agreements: Text
//! │  ├─ must_haves, nice_to_haves: { id → { text: Text, position: f64 } }
//! │  ├─ stages: { id → { name: Text, interviewers: Text, assesses: Text, position: f64,
//! │  │                    focus_criteria: { criterion id → true },
//! │  │                    questions: { id → { criterion: id, text: Text, position: f64 } },
//! │  │                    next_interviewer_note: Text } }
//! │  └─ sign_offs: { "recruiter" | "hiring_manager" → { name: str, at: timestamp } }
//! ├─ agreements: { feedback_within_hours: int, decision_within_days: int,
//! │                checkin_weekday: int, checkin_time: str, notes: Text }
//! ├─ planning: { stage_targets: { stage id → "YYYY-MM-DD" },
//! │              actions: { id → { title: Text, owner: str, due: str, done: bool } } }
//! ├─ scorecard: { scale_max: int, criteria: { id → Criterion } }
//! │     Criterion: { name: Text, description: Text, category: "competency" | "experience" |
//! │                  "trait", weight: int 1..=5, must_have: bool, position: f64,
//! │                  anchors: { "1".."scale_max" → Text } }   (all levels made with the criterion)
//! ├─ candidates: { id → { name: Text, contact: Text, source: str, cv_url: str, notes: Text,
//! │                       stage: str, stage_history: { seq → { stage: str, at: timestamp } } } }
//! ├─ interviews: { id → { candidate: id, stage: id, interviewer: str, at: timestamp } }
//! ├─ feedback: { id → { candidate: id, stage: id, interviewer: str, submitted_at: timestamp,
//! │                     recommendation: "strong_no" | "no" | "yes" | "strong_yes",
//! │                     ratings: { criterion id → { score: int, evidence: Text } },
//! │                     voice_memo: str (content hash of the sealed blob stored beside) } }
//! ├─ checkins: { id → { date: str, notes: Text } }
//! └─ decisions: { id → { candidate: id, decision: str, by: str, at: timestamp, reason: Text } }
//! ```
//!
//! Feedback *drafts* are not here: they stay on the interviewer's device until submitted.

/// The schema version this build writes and fully understands.
///
/// Raise it only for a change an older app would misread; adding optional keys is not one.
pub const SCHEMA_VERSION: u64 = 1;

/// Whether this app can safely read and write a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaStatus {
    /// Nothing has arrived yet (a vacancy joined by link, before its first sync).
    Empty,
    /// Written by this schema version or an older one: read and write freely.
    Current,
    /// Written by a newer app: shown, but never edited, so it cannot be corrupted.
    Newer(u64),
}

pub(crate) const TOP_LEVEL_MAPS: &[&str] = &[
    "vacancy",
    "intake",
    "agreements",
    "planning",
    "scorecard",
    "candidates",
    "interviews",
    "feedback",
    "checkins",
    "decisions",
];

pub(crate) const INTAKE_TEXTS: &[&str] = &[
    "profile",
    "target_group",
    "labour_market",
    "selling_points",
    "contact_agreements",
];

pub(crate) const ROLE_TEXTS: &[&str] = &[
    "title",
    "team",
    "location",
    "hours",
    "salary_band",
    "start_date",
];

pub(crate) const INTAKE_MAPS: &[&str] = &["must_haves", "nice_to_haves", "stages", "sign_offs"];

/// Default agreements: feedback within one working day, a decision within three days.
pub(crate) const DEFAULT_FEEDBACK_WITHIN_HOURS: i64 = 24;
pub(crate) const DEFAULT_DECISION_WITHIN_DAYS: i64 = 3;
pub(crate) const DEFAULT_SCALE_MAX: i64 = 4;
