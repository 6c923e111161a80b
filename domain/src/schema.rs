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
//! ├─ people: { person id → { name: str, role: "recruiter" | "hiring_manager" | "interviewer",
//! │                          colour: str, joined_at: timestamp } }
//! │     The person id is the device's own, so each person writes only their own entry.
//! ├─ intake
//! │  ├─ role: { title, team, location, hours, salary_band, start_date: Text }
//! │  ├─ profile, target_group, labour_market, selling_points, contact_agreements: Text
//! │  ├─ must_haves, nice_to_haves: { id → { text: Text, position: f64,
//! │  │                                       criterion: criterion id (made from this item) } }
//! │  ├─ stages: { id → { name: Text, interviewers: Text, assesses: Text, position: f64,
//! │  │                    focus_criteria: { criterion id → bool (true: assessed here) },
//! │  │                    questions: { id → { criterion: id, text: Text, position: f64 } },
//! │  │                    next_interviewer_note: Text } }   (all made with the stage)
//! │  └─ sign_offs: { "recruiter" | "hiring_manager" → { name: str, person: person id,
//! │                                                      at: timestamp, fingerprint: str } }
//! │        fingerprint: what the intake's required parts were when signed (see the gate)
//! ├─ agreements: { feedback_within_hours: int (working hours), decision_within_days: int
//! │                (working days), checkin_weekday: int 0 = Monday ..= 6, checkin_time: "HH:MM",
//! │                checkin_minutes: int, notes: Text }
//! ├─ planning: { stage_targets: { stage id → "YYYY-MM-DD" },
//! │              actions: { id → { title: Text, owner: person id, done: bool, position: f64,
//! │                                due: "YYYY-MM-DD" | "YYYY-MM-DDTHH:MM",
//! │                                from_checkin: check-in id (made from its notes) } } }
//! ├─ scorecard: { scale_max: int, criteria: { id → Criterion } }
//! │     Criterion: { name: Text, description: Text, category: "competency" | "experience" |
//! │                  "trait", weight: int 1..=5, must_have: bool, position: f64,
//! │                  anchors: { "1".."scale_max" → Text },   (all levels made with the criterion)
//! │                  questions: { id → { text: Text, position: f64 } },   (suggested questions)
//! │                  from_intake: must-have or nice-to-have id (made from that item) }
//! ├─ candidates: { id → { name, contact, notes: Text, source: str, cv_url: str (http(s) or ""),
//! │                       stage: stage id | "hired" | "rejected", added_at: timestamp,
//! │                       history: { id → { stage: str, at: timestamp } } } }   (one entry a move)
//! ├─ interviews: { id → { candidate: id, stage: id, interviewers: { person id → bool },
//! │                       at: "YYYY-MM-DDTHH:MM" (local time; absent until scheduled),
//! │                       minutes: int } }
//! ├─ feedback: { id → { interview: id, candidate: id, stage: id, interviewer: person id,
//! │                     submitted_at: timestamp,
//! │                     recommendation: "strong_no" | "no" | "yes" | "strong_yes",
//! │                     ratings: { criterion id → { score: int (absent: not rated), evidence: Text } },
//! │                     note: Text (for the next interviewer),
//! │                     voice_memo: str (content hash of the sealed blob stored beside) } }
//! ├─ checkins: { id → { date: "YYYY-MM-DD", attended: { person id → bool }, notes: Text } }
//! └─ decisions: { id → { candidate: id, decision: "advance" | "reject" | "hire", by: person id,
//!                        at: timestamp, reason: Text } }
//! ```
//!
//! Keys added after the first documents were made, and how older documents cope: `people` is
//! made by the first person to join (two devices doing that at once each make one; reads take
//! both), `checkin_minutes` reads as 30 where it is missing; a criterion's `questions` is made by its first
//! question when the criterion is older (reads take both maps, as for `people`); the rest are scalars, or objects made
//! together with the entry they belong to. An item and its criterion count as linked only while
//! each names the other.
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
    "people",
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

pub(crate) const INTAKE_MAPS: &[&str] = &["must_haves", "nice_to_haves", "stages", "sign_offs"];

/// Default agreements: feedback within one working day, a decision within three days.
pub(crate) const DEFAULT_FEEDBACK_WITHIN_HOURS: i64 = 24;
pub(crate) const DEFAULT_DECISION_WITHIN_DAYS: i64 = 3;
pub(crate) const DEFAULT_SCALE_MAX: i64 = 4;
/// The weekly check-in is a 30-minute meeting unless agreed otherwise.
pub(crate) const DEFAULT_CHECKIN_MINUTES: i64 = 30;
