//! Candidates, interviews, feedback and decisions as another (or a hostile) app may have written
//! them: every read still works, skips what it cannot read, and never panics.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ReadDoc, ScalarValue, Value, ROOT};
use chrono::NaiveDate;
use tandem_domain::{
    Category, DomainError, FeedbackDraft, PersonId, Recommendation, Vacancy, Visibility,
};

const T0: i64 = 1_700_000_000_000;

fn obj(d: &AutoCommit, parent: &automerge::ObjId, key: &str) -> automerge::ObjId {
    match d.get(parent, key).unwrap() {
        Some((Value::Object(_), id)) => id,
        _ => panic!("no object at {key}"),
    }
}

#[test]
fn odd_values_are_read_around_not_tripped_over() {
    let (mut v, _) = Vacancy::create("Data engineer", T0);
    let (stage, _) = v.add_stage("Phone screen").unwrap();
    let (sql, _) = v.add_criterion("SQL", Category::Competency).unwrap();
    v.set_must_have(&sql, true).unwrap();
    let (ada, _) = v.add_candidate("Ada", T0).unwrap();
    let (interview, _) = v
        .add_interview(&ada, &stage, Some("2025-11-07T15:00"))
        .unwrap();
    let henk = PersonId("henk".into());
    v.set_interviewer(&interview, &henk, true).unwrap();
    let mut draft = FeedbackDraft::new(interview.clone());
    draft.rating_mut(&sql).score = Some(3);
    draft.recommendation = Some(Recommendation::Yes);
    v.submit_feedback(&draft, &henk, T0).unwrap();

    // Another app writes nonsense all over.
    let mut d = AutoCommit::load(&v.save()).unwrap();
    let candidates = obj(&d, &ROOT, "candidates");
    let a = obj(&d, &candidates, ada.as_str());
    d.put(&a, "stage", 42).unwrap();
    d.put(&a, "added_at", ScalarValue::Timestamp(i64::MIN))
        .unwrap();
    d.put(&a, "cv_url", "javascript:alert(1)").unwrap();
    let history = obj(&d, &a, "history");
    let h = d.put_object(&history, "x", ObjType::Map).unwrap();
    d.put(&h, "stage", "hired").unwrap();
    d.put(&h, "at", ScalarValue::Timestamp(i64::MAX)).unwrap();
    d.put(&history, "y", "not a visit").unwrap();
    d.put(&candidates, "garbage", 7).unwrap();
    let broken = d.put_object(&candidates, "empty", ObjType::Map).unwrap();
    d.put(&broken, "history", "none").unwrap();

    let interviews = obj(&d, &ROOT, "interviews");
    let i = obj(&d, &interviews, interview.as_str());
    d.put(&i, "minutes", i64::MAX).unwrap();
    d.put(&i, "interviewers", "henk").unwrap();
    let odd = d.put_object(&interviews, "odd", ObjType::Map).unwrap();
    d.put(&odd, "candidate", ada.as_str()).unwrap();
    d.put(&odd, "stage", stage.as_str()).unwrap();
    d.put(&odd, "at", "+275760-09-13T00:00").unwrap();
    d.put_object(&interviews, "no_candidate", ObjType::Map)
        .unwrap();

    let feedback = obj(&d, &ROOT, "feedback");
    let f = d.put_object(&feedback, "f2", ObjType::Map).unwrap();
    d.put(&f, "interview", interview.as_str()).unwrap();
    d.put(&f, "candidate", ada.as_str()).unwrap();
    d.put(&f, "interviewer", "joost").unwrap();
    d.put(&f, "recommendation", "maybe").unwrap();
    let f = d.put_object(&feedback, "f3", ObjType::Map).unwrap();
    d.put(&f, "interview", "gone").unwrap();
    d.put(&f, "candidate", ada.as_str()).unwrap();
    d.put(&f, "interviewer", "joost").unwrap();
    d.put(&f, "recommendation", "no").unwrap();
    d.put(&f, "submitted_at", ScalarValue::Timestamp(i64::MIN))
        .unwrap();
    let ratings = d.put_object(&f, "ratings", ObjType::Map).unwrap();
    let r = d.put_object(&ratings, sql.as_str(), ObjType::Map).unwrap();
    d.put(&r, "score", 99).unwrap();
    d.put(&r, "evidence", "not text").unwrap();

    let decisions = obj(&d, &ROOT, "decisions");
    let x = d.put_object(&decisions, "d1", ObjType::Map).unwrap();
    d.put(&x, "candidate", ada.as_str()).unwrap();
    d.put(&x, "decision", "promote").unwrap();
    d.commit();
    let v = Vacancy::load(&d.save()).unwrap();

    let c = v.candidate(&ada).unwrap();
    assert_eq!(c.cv_url, "", "a refused link is not read back either");
    assert_eq!(c.history.last().unwrap().at, i64::MAX);
    assert!(c.time_in_stage(0) >= 0);
    assert_eq!(
        v.candidates().len(),
        2,
        "the map without fields reads, the number does not"
    );
    let _ = v.pipeline();
    let all = v.interviews();
    assert_eq!(
        all.len(),
        2,
        "the interview without a candidate is left out"
    );
    assert!(all
        .iter()
        .all(|i| i.minutes == 60 && i.interviewers.is_empty()));
    // The unreadable recommendation is left out; the score off the scale reads as none.
    let read = v.feedback();
    assert_eq!(read.len(), 2);
    assert!(read
        .iter()
        .all(|f| f.ratings.iter().all(|(_, r)| r.score != Some(99))));
    assert!(v.decisions(&ada).is_empty());
    assert_eq!(
        v.feedback_visible_to(&henk, &ada),
        Visibility::Shown,
        "henk is no longer listed"
    );
    let _ = v.comparison(&henk);
    let _ = v.comparison_of(&henk, true);
    let now = NaiveDate::from_ymd_opt(2025, 11, 20)
        .unwrap()
        .and_hms_opt(12, 0, 0)
        .unwrap();
    let _ = v.feedback_owed(now);
    let _ = v.partnership(now, 60);
    let _ = v.partnership(now, i32::MAX);
    let _ = v.dated_items();
    let _ = v.agenda(now);
    let _ = v.notes_for_next(&ada, &stage);
    let _ = v.submitted_count(&ada);
}

#[test]
fn edits_of_gone_entries_say_what_is_missing() {
    let (mut v, _) = Vacancy::create("Data engineer", T0);
    let (stage, _) = v.add_stage("Phone screen").unwrap();
    let (ada, _) = v.add_candidate("Ada", T0).unwrap();
    let (interview, _) = v.add_interview(&ada, &stage, None).unwrap();
    v.remove_candidate(&ada).unwrap();
    assert!(matches!(
        v.set_candidate_source(&ada, "x"),
        Err(DomainError::Missing("candidate"))
    ));
    assert!(matches!(
        v.set_interview_time(&interview, "2025-11-07T15:00"),
        Err(DomainError::Missing("interview"))
    ));
    assert!(matches!(
        v.add_interview(&ada, &stage, None),
        Err(DomainError::Missing("candidate"))
    ));
}
