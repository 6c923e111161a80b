//! One module per page.

pub mod home;
pub mod vacancy;

use tandem_domain::{CandidateId, InterviewId};
use tandem_protocol::DocId;

/// The address of a vacancy this device has: without the secret, which the device keeps in
/// storage and which has no business in the address bar or the browser's history.
pub fn vacancy_path(doc: DocId) -> String {
    format!("/v/{doc}")
}

/// The address of one section of a vacancy (`intake`, `scorecard`), also without the secret.
pub fn section_path(doc: DocId, section: &str) -> String {
    format!("/v/{doc}/{section}")
}

/// The address of one candidate of a vacancy.
pub fn candidate_path(doc: DocId, candidate: &CandidateId) -> String {
    format!("/v/{doc}/candidates/{}", candidate.as_str())
}

/// The address of one interview: its kit and its feedback form.
pub fn interview_path(doc: DocId, interview: &InterviewId) -> String {
    format!("/v/{doc}/interview/{}", interview.as_str())
}
