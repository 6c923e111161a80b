//! A vacancy's candidates: who they are, where they are in the process, and since when.
//!
//! A candidate's stage is one of the intake's stages, or hired, or rejected. Every move is also
//! written as an entry of the candidate's `history`, a map keyed by a new id per move: two
//! devices moving the same candidate at once each keep their entry (the stage itself is one
//! value, and automerge picks the same winner everywhere). Reads order the history by time.
//!
//! Rules, decided here:
//! - A candidate starts in the intake's first stage. Adding one to a vacancy without stages is
//!   refused (`Missing("stage")`): there is no pipeline to put them in yet, and a vacancy cannot
//!   open without stages anyway.
//! - A candidate whose stage was removed from the intake reads as being in the first stage (so
//!   they stay visible in the pipeline); their history keeps what happened.
//! - Candidates are personal data: removing one really deletes their entry, together with their
//!   interviews, submitted feedback and recorded decisions, in one change.

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ScalarValue};

use crate::intake::StageId;
use crate::vacancy::{
    entries, entry_id, map, path, str_at, text_at, timestamp_at, DomainError, InvalidValue, Vacancy,
};

entry_id!(
    /// A candidate's id within its vacancy.
    CandidateId
);

/// Where a candidate is: in a stage of the intake's process, or out of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CandidateStage {
    Stage(StageId),
    Hired,
    Rejected,
}

impl CandidateStage {
    /// As the document stores it: the stage's id, or "hired" / "rejected".
    pub fn as_str(&self) -> &str {
        match self {
            CandidateStage::Stage(id) => id.as_str(),
            CandidateStage::Hired => "hired",
            CandidateStage::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> CandidateStage {
        match s {
            "hired" => CandidateStage::Hired,
            "rejected" => CandidateStage::Rejected,
            id => CandidateStage::Stage(StageId(id.to_string())),
        }
    }

    /// Hired or rejected: the candidate's process is over.
    pub fn is_final(&self) -> bool {
        !matches!(self, CandidateStage::Stage(_))
    }
}

/// One move of a candidate: into which stage, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageVisit {
    pub stage: CandidateStage,
    /// ms since the epoch.
    pub at: i64,
}

/// A candidate as read from the document.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: CandidateId,
    pub name: String,
    pub contact: String,
    /// Where they came from (a job board, a referral …), as picked or typed.
    pub source: String,
    /// A link to their CV: empty, or an http(s) URL (checked when written and when read).
    pub cv_url: String,
    pub notes: String,
    /// Where they are now; a removed stage reads as the first stage (see the module comment).
    pub stage: CandidateStage,
    /// When they entered their current stage, ms since the epoch.
    pub since: i64,
    /// Every move, oldest first; the first entry is when they were added.
    pub history: Vec<StageVisit>,
    /// When they were added, ms since the epoch.
    pub added_at: i64,
}

/// How long a candidate has been in their current stage at `now_ms`, in ms (never negative,
/// even when another device's clock ran ahead).
pub fn time_in_stage(candidate: &Candidate, now_ms: i64) -> i64 {
    now_ms.saturating_sub(candidate.since).max(0)
}

impl Candidate {
    /// See [`time_in_stage`].
    pub fn time_in_stage(&self, now_ms: i64) -> i64 {
        time_in_stage(self, now_ms)
    }
}

/// A column of the pipeline: a stage and the candidates in it, in the order they were added.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineColumn {
    pub stage: CandidateStage,
    pub candidates: Vec<Candidate>,
}

/// A CV link the app may render as a link: http(s) only, so `javascript:` and the like never
/// reach an `href`. Empty clears it.
fn check_cv_url(url: &str) -> Result<(), InvalidValue> {
    let lower = url.to_ascii_lowercase();
    let ok = url.is_empty()
        || ((lower.starts_with("https://") && url.len() > 8)
            || (lower.starts_with("http://") && url.len() > 7))
            && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    ok.then_some(())
        .ok_or_else(|| InvalidValue::CvUrl(url.to_string()))
}

impl Vacancy {
    pub(crate) fn candidates_obj(&self) -> Result<ObjId, DomainError> {
        path(&self.doc, &["candidates"]).ok_or(DomainError::Missing("candidates"))
    }

    pub(crate) fn candidate_obj(&self, id: &CandidateId) -> Result<ObjId, DomainError> {
        let obj = self.candidates_obj()?;
        map(&self.doc, &obj, id.as_str()).map_err(|_| DomainError::Missing("candidate"))
    }

    /// Every candidate, in the order they were added (then by id, the same on every device).
    pub fn candidates(&self) -> Vec<Candidate> {
        let Ok(obj) = self.candidates_obj() else {
            return Vec::new();
        };
        let stages: Vec<StageId> = self.stages().into_iter().map(|s| s.id).collect();
        let mut out: Vec<Candidate> = entries(&self.doc, &obj)
            .into_iter()
            .map(|(id, c)| self.read_candidate(CandidateId(id), &c, &stages))
            .collect();
        crate::sorting::sort_by(&mut out, |a, b| {
            a.added_at.cmp(&b.added_at).then_with(|| a.id.cmp(&b.id))
        });
        out
    }

    pub fn candidate(&self, id: &CandidateId) -> Option<Candidate> {
        let c = self.candidate_obj(id).ok()?;
        let stages: Vec<StageId> = self.stages().into_iter().map(|s| s.id).collect();
        Some(self.read_candidate(id.clone(), &c, &stages))
    }

    fn read_candidate(&self, id: CandidateId, c: &ObjId, stages: &[StageId]) -> Candidate {
        let d = &self.doc;
        let mut history: Vec<(i64, String, CandidateStage)> = map(d, c, "history")
            .map(|h| {
                entries(d, &h)
                    .into_iter()
                    .filter_map(|(key, e)| {
                        let stage = CandidateStage::parse(&str_at(d, &e, "stage")?);
                        Some((timestamp_at(d, &e, "at")?, key, stage))
                    })
                    .collect()
            })
            .unwrap_or_default();
        crate::sorting::sort_by(&mut history, |a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        let stored = CandidateStage::parse(&str_at(d, c, "stage").unwrap_or_default());
        let added_at = timestamp_at(d, c, "added_at")
            .or_else(|| history.first().map(|h| h.0))
            .unwrap_or_default();
        let since = history
            .iter()
            .rev()
            .find(|h| h.2 == stored)
            .map_or(added_at, |h| h.0);
        let stage = match &stored {
            CandidateStage::Stage(s) if !stages.contains(s) => stages
                .first()
                .map_or(stored.clone(), |first| CandidateStage::Stage(first.clone())),
            _ => stored,
        };
        let cv_url = str_at(d, c, "cv_url").unwrap_or_default();
        Candidate {
            name: text_at(d, c, "name"),
            contact: text_at(d, c, "contact"),
            source: str_at(d, c, "source").unwrap_or_default(),
            cv_url: if check_cv_url(&cv_url).is_ok() {
                cv_url
            } else {
                String::new()
            },
            notes: text_at(d, c, "notes"),
            stage,
            since,
            history: history
                .into_iter()
                .map(|(at, _, stage)| StageVisit { stage, at })
                .collect(),
            added_at,
            id,
        }
    }

    /// Adds a candidate in the intake's first stage; refused when the intake has no stages yet.
    pub fn add_candidate(
        &mut self,
        name: &str,
        now_ms: i64,
    ) -> Result<(CandidateId, Vec<u8>), DomainError> {
        let first = self
            .stages()
            .into_iter()
            .next()
            .ok_or(DomainError::Missing("stage"))?;
        let obj = self.candidates_obj()?;
        let id = CandidateId(self.new_id());
        let visit = self.new_id();
        let ((), change) = self.edit(|d| {
            let c = d.put_object(&obj, id.as_str(), ObjType::Map)?;
            let n = d.put_object(&c, "name", ObjType::Text)?;
            d.splice_text(&n, 0, 0, name)?;
            d.put_object(&c, "contact", ObjType::Text)?;
            d.put_object(&c, "notes", ObjType::Text)?;
            d.put(&c, "source", "")?;
            d.put(&c, "cv_url", "")?;
            d.put(&c, "stage", first.id.as_str())?;
            d.put(&c, "added_at", ScalarValue::Timestamp(now_ms))?;
            let history = d.put_object(&c, "history", ObjType::Map)?;
            put_visit(d, &history, &visit, first.id.as_str(), now_ms)?;
            Ok(())
        })?;
        Ok((id, change))
    }

    /// Where the candidate came from; `None` when it already said so.
    pub fn set_candidate_source(
        &mut self,
        id: &CandidateId,
        source: &str,
    ) -> Result<Option<Vec<u8>>, DomainError> {
        self.put_candidate_str(id, "source", source)
    }

    /// The link to the candidate's CV: an `https://` or `http://` URL, or empty to clear it.
    /// Anything else is refused with [`InvalidValue::CvUrl`]; `None` when it already said so.
    pub fn set_candidate_cv_url(
        &mut self,
        id: &CandidateId,
        url: &str,
    ) -> Result<Option<Vec<u8>>, DomainError> {
        let url = url.trim();
        check_cv_url(url)?;
        self.put_candidate_str(id, "cv_url", url)
    }

    fn put_candidate_str(
        &mut self,
        id: &CandidateId,
        key: &str,
        value: &str,
    ) -> Result<Option<Vec<u8>>, DomainError> {
        let c = self.candidate_obj(id)?;
        if str_at(&self.doc, &c, key).as_deref() == Some(value) {
            return Ok(None);
        }
        Ok(Some(self.edit(|d| Ok(d.put(&c, key, value)?))?.1))
    }

    /// Moves a candidate to `to` and records the move; `None` when they are already there.
    pub fn move_candidate(
        &mut self,
        id: &CandidateId,
        to: &CandidateStage,
        now_ms: i64,
    ) -> Result<Option<Vec<u8>>, DomainError> {
        let current = self
            .candidate(id)
            .ok_or(DomainError::Missing("candidate"))?;
        if &current.stage == to {
            return Ok(None);
        }
        self.check_stage(to)?;
        let visit = self.new_id();
        let c = self.candidate_obj(id)?;
        let ((), change) = self.edit(|d| write_move(d, &c, &visit, to, now_ms))?;
        Ok(Some(change))
    }

    /// Refuses a move into a stage that is not (or no longer) in the intake.
    pub(crate) fn check_stage(&self, to: &CandidateStage) -> Result<(), DomainError> {
        match to {
            CandidateStage::Stage(s) if !self.stages().iter().any(|st| &st.id == s) => {
                Err(DomainError::Missing("stage"))
            }
            _ => Ok(()),
        }
    }

    /// Deletes a candidate and, in the same change, their interviews, feedback and decisions.
    pub fn remove_candidate(&mut self, id: &CandidateId) -> Result<Vec<u8>, DomainError> {
        let obj = self.candidates_obj()?;
        self.candidate_obj(id)?;
        let d = &self.doc;
        // Everything elsewhere in the document that names this candidate.
        let mut linked: Vec<(ObjId, String)> = Vec::new();
        for section in ["interviews", "feedback", "decisions"] {
            if let Some(s) = path(d, &[section]) {
                for (key, e) in entries(d, &s) {
                    if str_at(d, &e, "candidate").as_deref() == Some(id.as_str()) {
                        linked.push((s.clone(), key));
                    }
                }
            }
        }
        let ((), change) = self.edit(|d| {
            for (section, key) in &linked {
                d.delete(section, key.as_str())?;
            }
            d.delete(&obj, id.as_str())?;
            Ok(())
        })?;
        Ok(change)
    }

    /// The pipeline: one column per intake stage in the intake's order, then hired, then
    /// rejected. A candidate whose stage was removed is in the first column.
    pub fn pipeline(&self) -> Vec<PipelineColumn> {
        let mut columns: Vec<PipelineColumn> = self
            .stages()
            .into_iter()
            .map(|s| CandidateStage::Stage(s.id))
            .chain([CandidateStage::Hired, CandidateStage::Rejected])
            .map(|stage| PipelineColumn {
                stage,
                candidates: Vec::new(),
            })
            .collect();
        for c in self.candidates() {
            // Only with no stages at all can a stage be unknown here; then the candidate has
            // no column, as there is none to show.
            if let Some(col) = columns.iter_mut().find(|col| col.stage == c.stage) {
                col.candidates.push(c);
            }
        }
        columns
    }
}

fn put_visit(
    d: &mut automerge::AutoCommit,
    history: &ObjId,
    key: &str,
    stage: &str,
    at: i64,
) -> Result<(), DomainError> {
    let v = d.put_object(history, key, ObjType::Map)?;
    d.put(&v, "stage", stage)?;
    d.put(&v, "at", ScalarValue::Timestamp(at))?;
    Ok(())
}

/// Sets a candidate's stage and records the move in their history, inside an edit.
pub(crate) fn write_move(
    d: &mut automerge::AutoCommit,
    candidate: &ObjId,
    visit: &str,
    to: &CandidateStage,
    now_ms: i64,
) -> Result<(), DomainError> {
    d.put(candidate, "stage", to.as_str())?;
    let history = match map(d, candidate, "history") {
        Ok(h) => h,
        Err(_) => d.put_object(candidate, "history", ObjType::Map)?,
    };
    put_visit(d, &history, visit, to.as_str(), now_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_links_are_accepted_as_a_cv() {
        for ok in [
            "",
            "https://example.com/cv.pdf",
            "http://example.com/cv",
            "HTTPS://EXAMPLE.COM",
        ] {
            assert_eq!(check_cv_url(ok), Ok(()), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<script>",
            "example.com/cv.pdf",
            "https://",
            "ftp://example.com/cv",
            "https://exa mple.com",
            " javascript:alert(1)",
        ] {
            assert_eq!(
                check_cv_url(bad),
                Err(InvalidValue::CvUrl(bad.to_string())),
                "{bad}"
            );
        }
    }

    #[test]
    fn stages_are_stored_as_their_id_or_hired_or_rejected() {
        for s in [
            CandidateStage::Stage(StageId("a1b2".into())),
            CandidateStage::Hired,
            CandidateStage::Rejected,
        ] {
            assert_eq!(CandidateStage::parse(s.as_str()), s);
        }
        assert!(CandidateStage::Hired.is_final());
        assert!(!CandidateStage::Stage(StageId("x".into())).is_final());
    }
}
