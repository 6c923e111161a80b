//! Erasing a candidate for real (the right to erasure): a new document without them.
//!
//! Removing a candidate ([`Vacancy::remove_candidate`]) deletes their entries from the current
//! state, but Automerge keeps every change ever made, so their name, notes and feedback stay in
//! the history and in every copy of it. Erasing therefore makes a NEW document: the vacancy as
//! it is now, without the candidate and everything that names them (the same rule as removing:
//! their interviews, feedback and decisions), written as one change with no history, through
//! the export's path ([`crate::export`]), so ids, people and dates carry over. The app gives it
//! a new key and moves everyone to it; the old document is deleted at the relay.
//!
//! Voice memos belong to their document: their sealed audio is stored beside it under the
//! document's key and deleted with it. So the memos of the feedback that stays are sealed anew
//! for the new document by the app ([`Vacancy::kept_memos`] lists them) and the copy names
//! them by their new hashes (the `memos` given to [`Vacancy::erased_copy`]).
//!
//! What erasing cannot reach is the candidate's name typed into other text (check-in notes, an
//! action, another candidate's notes): [`Vacancy::mentions`] says where it still appears, so
//! the person erasing can clear it first.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::candidates::CandidateId;
use crate::export::{rename_memos, ImportError};
use crate::feedback::MemoRef;
use crate::vacancy::{DomainError, Vacancy};

/// Why a candidate could not be erased. Nothing is changed in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum EraseError {
    #[error("there is no such candidate in this vacancy")]
    NoSuchCandidate,
    #[error("the vacancy could not be copied without the candidate: {0}")]
    Copy(String),
}

impl From<DomainError> for EraseError {
    fn from(e: DomainError) -> Self {
        EraseError::Copy(e.to_string())
    }
}

impl From<ImportError> for EraseError {
    fn from(e: ImportError) -> Self {
        EraseError::Copy(e.to_string())
    }
}

/// A top-level part of the vacancy where a name still appears after erasing.
pub type Section = String;

impl Vacancy {
    /// The vacancy without `candidate`, as a new document with no history, and the bytes of
    /// its one change. Feedback whose memo's hash is a key of `memos` names that memo instead
    /// (sealed anew for the new document). `self` is not changed.
    pub fn erased_copy(
        &self,
        candidate: &CandidateId,
        now_ms: i64,
        memos: &BTreeMap<String, MemoRef>,
    ) -> Result<(Vacancy, Vec<u8>), EraseError> {
        let mut export = self.without(candidate)?.export(now_ms);
        rename_memos(&mut export, memos);
        Ok(Vacancy::from_export(&export)?)
    }

    /// The memos of the feedback that stays when `candidate` is erased, each once.
    pub fn kept_memos(&self, candidate: &CandidateId) -> Vec<MemoRef> {
        self.memos_of(|f| &f.candidate != candidate)
    }

    /// The sections (top-level keys of the schema: "checkins", "planning", …) whose text
    /// still holds `candidate`'s name once they are erased. Case is ignored; a name shorter
    /// than two letters matches nothing, as it would match everywhere.
    pub fn mentions(&self, candidate: &CandidateId) -> Result<Vec<Section>, EraseError> {
        let name = self
            .candidate(candidate)
            .ok_or(EraseError::NoSuchCandidate)?
            .name
            .trim()
            .to_lowercase();
        if name.chars().count() < 2 {
            return Ok(Vec::new());
        }
        let without = self.without(candidate)?.export(0);
        let mut found = Vec::new();
        if let Some(Json::Object(sections)) = without.get("vacancy") {
            for (section, value) in sections {
                if holds(value, &name) {
                    found.push(section.clone());
                }
            }
        }
        Ok(found)
    }

    /// A copy of this document (history and all) with the candidate removed.
    fn without(&self, candidate: &CandidateId) -> Result<Vacancy, EraseError> {
        if self.candidate(candidate).is_none() {
            return Err(EraseError::NoSuchCandidate);
        }
        let mut copy = self.scratch_copy();
        copy.remove_candidate(candidate)?;
        Ok(copy)
    }
}

/// Whether any string in `value` contains `needle` (already lower case).
fn holds(value: &Json, needle: &str) -> bool {
    match value {
        Json::String(s) => s.to_lowercase().contains(needle),
        Json::Array(items) => items.iter().any(|v| holds(v, needle)),
        Json::Object(map) => map.values().any(|v| holds(v, needle)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::tests::{full_vacancy, NOW};
    use crate::feedback::{DraftRating, FeedbackDraft, Recommendation};
    use crate::people::PersonId;
    use crate::TextField;

    /// The full vacancy with a second candidate, Grace, who has an interview and feedback.
    fn with_two_candidates() -> (Vacancy, CandidateId, CandidateId) {
        let mut v = full_vacancy();
        let ada = v.candidates()[0].id.clone();
        let (grace, _) = v.add_candidate("Grace Hopper", NOW).unwrap();
        let stage = v.stages()[0].id.clone();
        let (interview, _) = v.add_interview(&grace, &stage, None).unwrap();
        let hans = PersonId("b".repeat(32));
        v.set_interviewer(&interview, &hans, true).unwrap();
        let mut draft = FeedbackDraft::new(interview);
        draft.recommendation = Some(Recommendation::StrongYes);
        let sql = v.criteria()[0].id.clone();
        *draft.rating_mut(&sql) = DraftRating {
            score: Some(4),
            evidence: "Compilers".into(),
        };
        v.submit_feedback(&draft, &hans, NOW + 5).unwrap();
        (v, ada, grace)
    }

    #[test]
    fn the_copy_holds_everything_but_the_candidate_and_no_history() {
        let (v, ada, grace) = with_two_candidates();
        let (mut copy, change) = v.erased_copy(&ada, NOW + 10, &BTreeMap::new()).unwrap();

        let names: Vec<String> = copy.candidates().into_iter().map(|c| c.name).collect();
        assert_eq!(names, ["Grace Hopper"]);
        assert_eq!(copy.feedback_for(&grace).len(), 1);
        assert!(copy.feedback_for(&ada).is_empty());
        assert_eq!(copy.title(), v.title());
        assert_eq!(copy.people(), v.people());
        assert_eq!(copy.criteria(), v.criteria());
        assert_eq!(copy.stages(), v.stages());
        let text = copy.export_string(NOW).to_lowercase();
        for trace in ["lovelace", "ada@example.org", "indexes", "strong sql"] {
            assert!(!text.contains(trace), "{trace} is still in the copy");
        }
        assert!(text.contains("compilers"));
        // One change, and it is the copy's whole history: nothing of Ada's behind it.
        assert_eq!(copy.doc.get_changes(&[]).len(), 1);
        let mut again = Vacancy::empty();
        again.apply_remote(&change).unwrap();
        assert_eq!(again.export_string(NOW), copy.export_string(NOW));
        // The original is untouched.
        assert!(v.candidate(&ada).is_some());
    }

    fn memo(hash: char) -> MemoRef {
        MemoRef {
            hash: hash.to_string().repeat(64),
            sealed_len: 1000,
            mime: "audio/webm".into(),
            duration_ms: 30_000,
        }
    }

    #[test]
    fn the_memos_that_stay_are_renamed_in_the_copy_and_the_erased_ones_go() {
        let mut v = full_vacancy();
        let ada = v.candidates()[0].id.clone();
        let (grace, _) = v.add_candidate("Grace Hopper", NOW).unwrap();
        let stage = v.stages()[0].id.clone();
        let hans = PersonId("b".repeat(32));
        for (who, memo_of) in [(&grace, memo('a')), (&ada, memo('b'))] {
            let (interview, _) = v.add_interview(who, &stage, None).unwrap();
            v.set_interviewer(&interview, &hans, true).unwrap();
            let mut draft = FeedbackDraft::new(interview);
            draft.recommendation = Some(Recommendation::Yes);
            draft.memo = Some(memo_of);
            v.submit_feedback(&draft, &hans, NOW + 5).unwrap();
        }
        // Ada's memo is not kept; Grace's is, once.
        assert_eq!(v.kept_memos(&ada), [memo('a')]);
        let renamed = BTreeMap::from([(memo('a').hash, memo('c'))]);
        let (copy, _) = v.erased_copy(&ada, NOW, &renamed).unwrap();
        let memos: Vec<MemoRef> = copy.feedback().into_iter().filter_map(|f| f.memo).collect();
        assert_eq!(memos, [memo('c')]);
        assert!(!copy.export_string(NOW).contains(&memo('b').hash));
    }

    #[test]
    fn mentions_name_the_sections_where_the_name_is_still_typed() {
        let (mut v, ada, _) = with_two_candidates();
        assert_eq!(v.mentions(&ada).unwrap(), Vec::<String>::new());
        let checkin = v.checkins()[0].id.clone();
        v.set_text(
            &TextField::CheckinNotes(checkin),
            "Call ADA LOVELACE back on Monday",
        )
        .unwrap();
        v.add_action("Send Ada Lovelace the offer", None, None)
            .unwrap();
        assert_eq!(v.mentions(&ada).unwrap(), ["checkins", "planning"]);
    }

    #[test]
    fn an_unknown_candidate_is_refused() {
        let (v, _, _) = with_two_candidates();
        let nobody = CandidateId("nobody".into());
        assert!(matches!(
            v.erased_copy(&nobody, NOW, &BTreeMap::new()),
            Err(EraseError::NoSuchCandidate)
        ));
        assert!(matches!(
            v.mentions(&nobody),
            Err(EraseError::NoSuchCandidate)
        ));
    }
}
