//! Candidates, their moves through the stages, interviews and recorded decisions, through the
//! public face of the vacancy document.

mod common;

use common::{exchange, pair};
use tandem_domain::{
    time_in_stage, CandidateStage, Decision, DomainError, InvalidValue, PersonId, StageId,
    TextField, Vacancy,
};

const HOUR: i64 = 3_600_000;
const T0: i64 = 1_700_000_000_000;

fn with_stages(names: &[&str]) -> (Vacancy, Vec<StageId>) {
    let (mut v, _) = Vacancy::create("Data engineer", T0);
    let ids = names.iter().map(|n| v.add_stage(n).unwrap().0).collect();
    (v, ids)
}

fn stage(id: &StageId) -> CandidateStage {
    CandidateStage::Stage(id.clone())
}

#[test]
fn a_candidate_starts_in_the_first_stage_and_needs_stages_to_exist() {
    let (mut empty, _) = Vacancy::create("No process yet", T0);
    assert!(matches!(
        empty.add_candidate("Ada", T0),
        Err(DomainError::Missing("stage"))
    ));
    assert!(empty.candidates().is_empty());

    let (mut v, s) = with_stages(&["Phone screen", "Case"]);
    let (ada, _) = v.add_candidate("Ada Lovelace", T0 + HOUR).unwrap();
    let c = v.candidate(&ada).unwrap();
    assert_eq!(c.name, "Ada Lovelace");
    assert_eq!(c.stage, stage(&s[0]));
    assert_eq!((c.since, c.added_at), (T0 + HOUR, T0 + HOUR));
    assert_eq!(c.history.len(), 1);
    assert_eq!(
        v.text(&TextField::CandidateContact(ada.clone())).unwrap(),
        ""
    );
    v.set_text(&TextField::CandidateNotes(ada.clone()), "Referred by Joost")
        .unwrap();
    assert_eq!(v.candidate(&ada).unwrap().notes, "Referred by Joost");
    assert!(v.set_candidate_source(&ada, "referral").unwrap().is_some());
    assert!(v.set_candidate_source(&ada, "referral").unwrap().is_none());
    assert_eq!(v.candidate(&ada).unwrap().source, "referral");
}

#[test]
fn a_cv_link_must_be_a_web_link() {
    let (mut v, _) = with_stages(&["Phone screen"]);
    let (ada, _) = v.add_candidate("Ada", T0).unwrap();
    v.set_candidate_cv_url(&ada, "https://example.com/ada.pdf")
        .unwrap();
    let refused = v.set_candidate_cv_url(&ada, "javascript:alert(document.cookie)");
    assert!(matches!(
        refused,
        Err(DomainError::Invalid(InvalidValue::CvUrl(ref url))) if url == "javascript:alert(document.cookie)"
    ));
    assert_eq!(
        v.candidate(&ada).unwrap().cv_url,
        "https://example.com/ada.pdf"
    );
    v.set_candidate_cv_url(&ada, "").unwrap();
    assert_eq!(v.candidate(&ada).unwrap().cv_url, "");
}

#[test]
fn moving_records_when_and_time_in_stage_counts_from_there() {
    let (mut v, s) = with_stages(&["Phone screen", "Case"]);
    let (ada, _) = v.add_candidate("Ada", T0).unwrap();
    assert!(v
        .move_candidate(&ada, &stage(&s[0]), T0 + HOUR)
        .unwrap()
        .is_none());
    v.move_candidate(&ada, &stage(&s[1]), T0 + 5 * HOUR)
        .unwrap()
        .unwrap();
    let c = v.candidate(&ada).unwrap();
    assert_eq!(c.stage, stage(&s[1]));
    assert_eq!(c.since, T0 + 5 * HOUR);
    assert_eq!(time_in_stage(&c, T0 + 7 * HOUR), 2 * HOUR);
    assert_eq!(
        c.time_in_stage(T0),
        0,
        "a clock behind never gives a negative time"
    );
    let visits: Vec<_> = c.history.iter().map(|h| (h.stage.clone(), h.at)).collect();
    assert_eq!(
        visits,
        vec![(stage(&s[0]), T0), (stage(&s[1]), T0 + 5 * HOUR)]
    );
    // Back to a stage it was in before: since is the latest arrival there.
    v.move_candidate(&ada, &stage(&s[0]), T0 + 9 * HOUR)
        .unwrap();
    assert_eq!(v.candidate(&ada).unwrap().since, T0 + 9 * HOUR);
    assert!(matches!(
        v.move_candidate(&ada, &stage(&StageId("gone".into())), T0),
        Err(DomainError::Missing("stage"))
    ));
}

#[test]
fn two_devices_moving_a_candidate_at_once_keep_both_moves() {
    let (mut a, mut b) = pair();
    let (s1, c1) = a.add_stage("Phone screen").unwrap();
    let (s2, c2) = a.add_stage("Case").unwrap();
    let (ada, c3) = a.add_candidate("Ada", T0).unwrap();
    exchange(&mut a, &[c1, c2, c3], &mut b, &[]);
    let from_a = a
        .move_candidate(&ada, &stage(&s2), T0 + HOUR)
        .unwrap()
        .unwrap();
    let from_b = b
        .move_candidate(&ada, &CandidateStage::Rejected, T0 + 2 * HOUR)
        .unwrap()
        .unwrap();
    exchange(&mut a, &[from_a], &mut b, &[from_b]);
    let (ca, cb) = (a.candidate(&ada).unwrap(), b.candidate(&ada).unwrap());
    assert_eq!(ca, cb, "both devices read the same candidate");
    let stages: Vec<_> = ca.history.iter().map(|h| h.stage.clone()).collect();
    assert_eq!(
        stages,
        vec![stage(&s1), stage(&s2), CandidateStage::Rejected]
    );
    // The stage that won is one of the two, and `since` is when it was entered.
    let entered = ca
        .history
        .iter()
        .rev()
        .find(|h| h.stage == ca.stage)
        .unwrap();
    assert_eq!(ca.since, entered.at);
}

#[test]
fn the_pipeline_has_a_column_per_stage_then_hired_and_rejected() {
    let (mut v, s) = with_stages(&["Phone screen", "Case", "Final"]);
    let (ada, _) = v.add_candidate("Ada", T0).unwrap();
    let (bob, _) = v.add_candidate("Bob", T0 + 1).unwrap();
    let (cy, _) = v.add_candidate("Cy", T0 + 2).unwrap();
    v.move_candidate(&bob, &stage(&s[1]), T0 + 3).unwrap();
    v.move_candidate(&cy, &CandidateStage::Hired, T0 + 4)
        .unwrap();
    let names = |v: &Vacancy| -> Vec<(CandidateStage, Vec<String>)> {
        v.pipeline()
            .into_iter()
            .map(|col| {
                (
                    col.stage,
                    col.candidates.into_iter().map(|c| c.name).collect(),
                )
            })
            .collect()
    };
    assert_eq!(
        names(&v),
        vec![
            (stage(&s[0]), vec!["Ada".to_string()]),
            (stage(&s[1]), vec!["Bob".to_string()]),
            (stage(&s[2]), vec![]),
            (CandidateStage::Hired, vec!["Cy".to_string()]),
            (CandidateStage::Rejected, vec![]),
        ]
    );
    // The stage Bob is in is removed: he shows in the first column, in the order added.
    v.remove_stage(&s[1]).unwrap();
    assert_eq!(v.candidate(&bob).unwrap().stage, stage(&s[0]));
    let first = &names(&v)[0];
    assert_eq!(first.1, vec!["Ada".to_string(), "Bob".to_string()]);
    let _ = ada;
}

#[test]
fn decisions_move_the_candidate_in_the_same_change() {
    let (mut v, s) = with_stages(&["Phone screen", "Final"]);
    let sanne = PersonId("sanne".into());
    let (ada, _) = v.add_candidate("Ada", T0).unwrap();
    let (bob, _) = v.add_candidate("Bob", T0).unwrap();

    let change = v
        .record_decision(&ada, Decision::Advance, "Strong case", &sanne, T0 + HOUR)
        .unwrap();
    // Another device receiving just that change sees both the record and the move.
    let mut other = Vacancy::load(&v.save()).unwrap();
    other.apply_remote(&change).unwrap();
    assert_eq!(other.candidate(&ada).unwrap().stage, stage(&s[1]));
    let refused = v.record_decision(&ada, Decision::Advance, "", &sanne, T0 + 2 * HOUR);
    assert!(matches!(
        refused,
        Err(DomainError::Invalid(InvalidValue::NoNextStage))
    ));
    v.record_decision(&ada, Decision::Hire, "Great fit", &sanne, T0 + 3 * HOUR)
        .unwrap();
    v.record_decision(&bob, Decision::Reject, "No SQL", &sanne, T0 + 4 * HOUR)
        .unwrap();
    assert_eq!(v.candidate(&ada).unwrap().stage, CandidateStage::Hired);
    assert_eq!(v.candidate(&bob).unwrap().stage, CandidateStage::Rejected);
    let records: Vec<_> = v
        .decisions(&ada)
        .into_iter()
        .map(|r| (r.decision, r.reason, r.by, r.at))
        .collect();
    assert_eq!(
        records,
        vec![
            (
                Decision::Advance,
                "Strong case".into(),
                sanne.clone(),
                T0 + HOUR
            ),
            (
                Decision::Hire,
                "Great fit".into(),
                sanne.clone(),
                T0 + 3 * HOUR
            ),
        ]
    );
    assert!(matches!(
        v.record_decision(&ada, Decision::Advance, "", &sanne, T0),
        Err(DomainError::Invalid(InvalidValue::NoNextStage))
    ));
}

#[test]
fn interviews_are_ordered_by_time_with_unscheduled_last() {
    let (mut v, s) = with_stages(&["Phone screen", "Case"]);
    let (ada, _) = v.add_candidate("Ada", T0).unwrap();
    let (late, _) = v
        .add_interview(&ada, &s[1], Some("2025-11-12T10:00"))
        .unwrap();
    let (open, _) = v.add_interview(&ada, &s[1], None).unwrap();
    let (early, _) = v
        .add_interview(&ada, &s[0], Some("2025-11-10T09:30"))
        .unwrap();
    let order: Vec<_> = v.interviews().into_iter().map(|i| i.id).collect();
    assert_eq!(order, vec![early.clone(), late.clone(), open.clone()]);
    assert!(matches!(
        v.set_interview_time(&open, "12-11-2025 10:00"),
        Err(DomainError::Invalid(InvalidValue::InterviewTime(_)))
    ));
    assert!(matches!(
        v.add_interview(&ada, &s[0], Some("tomorrow")),
        Err(DomainError::Invalid(InvalidValue::InterviewTime(_)))
    ));
    v.set_interview_time(&open, "2025-11-11T13:00").unwrap();
    v.set_interview_minutes(&open, 90).unwrap();
    let i = v.interview(&open).unwrap();
    assert_eq!(i.minutes, 90);
    assert_eq!(
        i.end().unwrap().format("%Y-%m-%dT%H:%M").to_string(),
        "2025-11-11T14:30"
    );
    v.set_interview_time(&late, "").unwrap();
    assert_eq!(v.interview(&late).unwrap().at, None);
    assert!(
        v.set_interview_time(&late, "").unwrap().is_empty(),
        "nothing to clear"
    );
    assert!(matches!(
        v.set_interview_minutes(&late, 0),
        Err(DomainError::Invalid(InvalidValue::InterviewMinutes(0)))
    ));
    assert_eq!(v.interviews_of(&ada).len(), 3);
    v.remove_interview(&early).unwrap();
    assert!(v.interview(&early).is_none());
    assert!(matches!(
        v.add_interview(&ada, &StageId("gone".into()), None),
        Err(DomainError::Missing("stage"))
    ));
}

#[test]
fn two_people_adding_interviewers_at_once_are_both_kept() {
    let (mut a, mut b) = pair();
    let (s1, c1) = a.add_stage("Phone screen").unwrap();
    let (ada, c2) = a.add_candidate("Ada", T0).unwrap();
    let (interview, c3) = a
        .add_interview(&ada, &s1, Some("2025-11-10T10:00"))
        .unwrap();
    exchange(&mut a, &[c1, c2, c3], &mut b, &[]);
    let (henk, joost) = (PersonId("henk".into()), PersonId("joost".into()));
    let from_a = a.set_interviewer(&interview, &henk, true).unwrap();
    let from_b = b.set_interviewer(&interview, &joost, true).unwrap();
    exchange(&mut a, &[from_a], &mut b, &[from_b]);
    assert_eq!(
        a.interview(&interview).unwrap().interviewers,
        vec![henk.clone(), joost]
    );
    assert_eq!(a.interviews(), b.interviews());
    a.set_interviewer(&interview, &henk, false).unwrap();
    assert_eq!(a.interview(&interview).unwrap().interviewers.len(), 1);
}

#[test]
fn removing_a_candidate_removes_everything_about_them() {
    let (mut v, s) = with_stages(&["Phone screen", "Case"]);
    let sanne = PersonId("sanne".into());
    let (ada, _) = v.add_candidate("Ada", T0).unwrap();
    let (bob, _) = v.add_candidate("Bob", T0).unwrap();
    v.add_interview(&ada, &s[0], None).unwrap();
    let (bobs, _) = v.add_interview(&bob, &s[0], None).unwrap();
    v.record_decision(&ada, Decision::Advance, "ok", &sanne, T0)
        .unwrap();
    v.remove_candidate(&ada).unwrap();
    assert!(v.candidate(&ada).is_none());
    assert!(v.decisions(&ada).is_empty());
    let left: Vec<_> = v.interviews().into_iter().map(|i| i.id).collect();
    assert_eq!(left, vec![bobs]);
    assert!(v.text(&TextField::CandidateName(ada.clone())).is_none());
    assert!(matches!(
        v.remove_candidate(&ada),
        Err(DomainError::Missing("candidate"))
    ));
}
