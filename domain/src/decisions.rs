//! Recorded decisions: advance, reject or hire a candidate, with a reason, by whom and when.
//!
//! Recording a decision also moves the candidate, in the same change, so the record and the
//! pipeline never disagree: advance moves them to the intake's next stage, reject to rejected,
//! hire to hired. Advancing from the last stage (or from hired or rejected) is refused with
//! [`InvalidValue::NoNextStage`]: the decision there is to hire or reject, and saying so is
//! clearer than a silent hire.

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ScalarValue};

use crate::candidates::{write_move, CandidateId, CandidateStage};
use crate::people::PersonId;
use crate::vacancy::{
    entries, entry_id, path, str_at, text_at, timestamp_at, DomainError, InvalidValue, Vacancy,
};

entry_id!(
    /// A recorded decision's id within its vacancy.
    DecisionId
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    Advance,
    Reject,
    Hire,
}

impl Decision {
    pub const ALL: [Decision; 3] = [Decision::Advance, Decision::Reject, Decision::Hire];

    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Advance => "advance",
            Decision::Reject => "reject",
            Decision::Hire => "hire",
        }
    }

    pub fn parse(s: &str) -> Option<Decision> {
        Decision::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// A decision as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRecord {
    pub id: DecisionId,
    pub candidate: CandidateId,
    pub decision: Decision,
    pub reason: String,
    /// Who decided (empty when another app's record names nobody).
    pub by: PersonId,
    /// ms since the epoch.
    pub at: i64,
}

impl Vacancy {
    fn decisions_obj(&self) -> Result<ObjId, DomainError> {
        path(&self.doc, &["decisions"]).ok_or(DomainError::Missing("decisions"))
    }

    /// Records a decision on a candidate and moves them accordingly, in one change.
    pub fn record_decision(
        &mut self,
        candidate: &CandidateId,
        decision: Decision,
        reason: &str,
        by: &PersonId,
        now_ms: i64,
    ) -> Result<Vec<u8>, DomainError> {
        let current = self
            .candidate(candidate)
            .ok_or(DomainError::Missing("candidate"))?;
        let to = match decision {
            Decision::Reject => CandidateStage::Rejected,
            Decision::Hire => CandidateStage::Hired,
            Decision::Advance => {
                let stages = self.stages();
                let CandidateStage::Stage(now_in) = &current.stage else {
                    return Err(InvalidValue::NoNextStage.into());
                };
                let i = stages
                    .iter()
                    .position(|s| &s.id == now_in)
                    .ok_or(InvalidValue::NoNextStage)?;
                let next = stages.get(i + 1).ok_or(InvalidValue::NoNextStage)?;
                CandidateStage::Stage(next.id.clone())
            }
        };
        let obj = self.decisions_obj()?;
        let c = self.candidate_obj(candidate)?;
        let id = DecisionId(self.new_id());
        let visit = self.new_id();
        let moves = current.stage != to;
        let ((), change) = self.edit(|d| {
            let r = d.put_object(&obj, id.as_str(), ObjType::Map)?;
            d.put(&r, "candidate", candidate.as_str())?;
            d.put(&r, "decision", decision.as_str())?;
            d.put(&r, "by", by.as_str())?;
            d.put(&r, "at", ScalarValue::Timestamp(now_ms))?;
            let t = d.put_object(&r, "reason", ObjType::Text)?;
            d.splice_text(&t, 0, 0, reason)?;
            if moves {
                write_move(d, &c, &visit, &to, now_ms)?;
            }
            Ok(())
        })?;
        Ok(change)
    }

    /// Every decision recorded, oldest first (by time, then id).
    pub fn all_decisions(&self) -> Vec<DecisionRecord> {
        let Ok(obj) = self.decisions_obj() else {
            return Vec::new();
        };
        let d = &self.doc;
        let mut out: Vec<DecisionRecord> = entries(d, &obj)
            .into_iter()
            .filter_map(|(id, r)| {
                Some(DecisionRecord {
                    candidate: CandidateId(str_at(d, &r, "candidate")?),
                    decision: Decision::parse(&str_at(d, &r, "decision")?)?,
                    reason: text_at(d, &r, "reason"),
                    by: PersonId(str_at(d, &r, "by").unwrap_or_default()),
                    at: timestamp_at(d, &r, "at").unwrap_or_default(),
                    id: DecisionId(id),
                })
            })
            .collect();
        crate::sorting::sort_by(&mut out, |a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        out
    }

    /// The decisions on one candidate, newest last.
    pub fn decisions(&self, candidate: &CandidateId) -> Vec<DecisionRecord> {
        self.all_decisions()
            .into_iter()
            .filter(|r| &r.candidate == candidate)
            .collect()
    }
}
