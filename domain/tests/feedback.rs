//! Feedback: the on-device draft, submitting it, independent judgement, and feedback owed.

mod common;

use chrono::{NaiveDate, NaiveDateTime};
use common::{exchange, pair};
use tandem_domain::deadlines::{Due, DueState};
use tandem_domain::{
    Category, CriterionId, DomainError, DraftRating, FeedbackDraft, InterviewId, InvalidValue,
    MemoRef, PersonId, Recommendation, StageId, Vacancy, Visibility,
};

const T0: i64 = 1_700_000_000_000;

fn t(m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2025, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap()
}

fn person(id: &str) -> PersonId {
    PersonId(id.into())
}

struct Setup {
    v: Vacancy,
    stages: Vec<StageId>,
    criteria: Vec<CriterionId>,
    candidate: tandem_domain::CandidateId,
    interview: InterviewId,
}

/// A vacancy with two stages, two criteria, a candidate, and a first interview on Friday
/// 7 November 2025 at 15:00 (an hour) with Henk and Joost.
fn setup() -> Setup {
    setup_on(Vacancy::create("Data engineer", T0).0)
}

fn setup_on(mut v: Vacancy) -> Setup {
    let stages = vec![
        v.add_stage("Phone screen").unwrap().0,
        v.add_stage("Case").unwrap().0,
    ];
    let criteria = vec![
        v.add_criterion("SQL", Category::Competency).unwrap().0,
        v.add_criterion("Ownership", Category::Trait).unwrap().0,
    ];
    let (candidate, _) = v.add_candidate("Ada", T0).unwrap();
    let (interview, _) = v
        .add_interview(&candidate, &stages[0], Some("2025-11-07T15:00"))
        .unwrap();
    for p in ["henk", "joost"] {
        v.set_interviewer(&interview, &person(p), true).unwrap();
    }
    Setup {
        v,
        stages,
        criteria,
        candidate,
        interview,
    }
}

fn draft(s: &Setup, score: i64, rec: Recommendation, note: &str) -> FeedbackDraft {
    let mut d = FeedbackDraft::new(s.interview.clone());
    *d.rating_mut(&s.criteria[0]) = DraftRating {
        score: Some(score),
        evidence: "Wrote the window query unaided".into(),
    };
    d.recommendation = Some(rec);
    d.note = note.into();
    d
}

#[test]
fn a_draft_round_trips_through_the_string_the_app_stores() {
    let s = setup();
    let d = draft(&s, 3, Recommendation::StrongYes, "Ask about on-call");
    let json = serde_json::to_string(&d).unwrap();
    assert!(json.contains("\"strong_yes\""), "{json}");
    let back: FeedbackDraft = serde_json::from_str(&json).unwrap();
    assert_eq!(back, d);
    // A draft saved by another version, with fields missing or added, still loads.
    let old: FeedbackDraft =
        serde_json::from_str(r#"{"interview":"i1","ratings":{"c1":{"score":2}},"extra":1}"#)
            .unwrap();
    assert_eq!(old.interview, InterviewId("i1".into()));
    assert_eq!(old.ratings[&CriterionId("c1".into())].score, Some(2));
    assert_eq!(old.recommendation, None);
}

#[test]
fn submitting_writes_everything_in_one_change() {
    let mut s = setup();
    let d = draft(&s, 3, Recommendation::Yes, "Ask about on-call");
    let mut other = Vacancy::load(&s.v.save()).unwrap();
    let (id, change) = s.v.submit_feedback(&d, &person("henk"), T0 + 5).unwrap();
    // A device that had everything but this submission gets it whole from one change.
    other.apply_remote(&change).unwrap();
    let f = &other.feedback()[0];
    assert_eq!(f.id, id);
    assert_eq!(
        (f.candidate.clone(), f.stage.clone()),
        (s.candidate.clone(), s.stages[0].clone())
    );
    assert_eq!(f.interviewer, person("henk"));
    assert_eq!(f.submitted_at, T0 + 5);
    assert_eq!(f.recommendation, Recommendation::Yes);
    assert_eq!(f.ratings.len(), 1);
    assert_eq!(f.ratings[0].0, s.criteria[0]);
    assert_eq!(f.ratings[0].1.score, Some(3));
    assert_eq!(f.ratings[0].1.evidence, "Wrote the window query unaided");
    assert_eq!(f.note, "Ask about on-call");
    assert_eq!(other.feedback(), s.v.feedback());
}

#[test]
fn refused_feedback_writes_nothing() {
    let mut s = setup();
    let heads = s.v.heads();
    let henk = person("henk");

    let mut no_rec = draft(&s, 3, Recommendation::Yes, "");
    no_rec.recommendation = None;
    assert!(matches!(
        s.v.submit_feedback(&no_rec, &henk, T0),
        Err(DomainError::Invalid(InvalidValue::NoRecommendation))
    ));
    for bad in [0, 5, -1] {
        assert!(matches!(
            s.v.submit_feedback(&draft(&s, bad, Recommendation::Yes, ""), &henk, T0),
            Err(DomainError::Invalid(InvalidValue::Score(n))) if n == bad
        ));
    }
    let mut unknown = draft(&s, 3, Recommendation::Yes, "");
    unknown.rating_mut(&CriterionId("gone".into())).score = Some(2);
    assert!(matches!(
        s.v.submit_feedback(&unknown, &henk, T0),
        Err(DomainError::Missing("criterion"))
    ));
    let mut gone = draft(&s, 3, Recommendation::Yes, "");
    gone.interview = InterviewId("gone".into());
    assert!(matches!(
        s.v.submit_feedback(&gone, &henk, T0),
        Err(DomainError::Missing("interview"))
    ));
    assert_eq!(s.v.heads(), heads, "nothing was written");
    assert!(s.v.feedback().is_empty());

    s.v.submit_feedback(&draft(&s, 4, Recommendation::StrongYes, ""), &henk, T0)
        .unwrap();
    let heads = s.v.heads();
    assert!(matches!(
        s.v.submit_feedback(&draft(&s, 1, Recommendation::No, ""), &henk, T0 + 1),
        Err(DomainError::Invalid(InvalidValue::AlreadySubmitted))
    ));
    assert_eq!(s.v.heads(), heads);
}

#[test]
fn someone_standing_in_becomes_an_interviewer_and_ratings_off_focus_are_kept() {
    let mut s = setup();
    // The stage assesses only SQL; rating Ownership too is allowed since it exists.
    s.v.set_focus_criterion(&s.stages[0], &s.criteria[0], true)
        .unwrap();
    let mut d = draft(&s, 2, Recommendation::No, "");
    *d.rating_mut(&s.criteria[1]) = DraftRating {
        score: None,
        evidence: "Took over the demo when it broke".into(),
    };
    // An empty rating is not written.
    d.rating_mut(&CriterionId("untouched".into()));
    s.v.submit_feedback(&d, &person("sanne"), T0).unwrap();
    let interview = s.v.interview(&s.interview).unwrap();
    assert!(interview.interviewers.contains(&person("sanne")));
    let f = &s.v.feedback()[0];
    assert_eq!(f.ratings.len(), 2);
    assert_eq!(f.ratings[1].1.score, None);
    assert_eq!(s.v.submitted_count(&s.candidate), (1, 3));
    // The whole pipeline's counts at once say the same, and nothing for a candidate without
    // interviews.
    let counts = s.v.submitted_counts();
    assert_eq!(counts.get(&s.candidate), Some(&(1, 3)));
    assert_eq!(counts.len(), 1);
}

#[test]
fn an_interviewer_sees_no_one_elses_judgement_until_they_submit_their_own() {
    let mut s = setup();
    let (henk, joost, sanne) = (person("henk"), person("joost"), person("sanne"));
    for p in [&henk, &joost] {
        assert_eq!(
            s.v.feedback_visible_to(p, &s.candidate),
            Visibility::Hidden {
                submitted: 0,
                expected: 2
            }
        );
    }
    s.v.submit_feedback(
        &draft(&s, 4, Recommendation::StrongYes, "Probe on-call"),
        &henk,
        T0,
    )
    .unwrap();
    assert_eq!(
        s.v.feedback_visible_to(&henk, &s.candidate),
        Visibility::Shown
    );
    assert_eq!(
        s.v.feedback_visible_to(&joost, &s.candidate),
        Visibility::Hidden {
            submitted: 1,
            expected: 2
        }
    );
    assert!(s.v.visible_feedback_for(&joost, &s.candidate).is_empty());
    // The recruiter interviews nobody here: she sees it all.
    assert_eq!(
        s.v.feedback_visible_to(&sanne, &s.candidate),
        Visibility::Shown
    );
    assert_eq!(s.v.visible_feedback_for(&sanne, &s.candidate).len(), 1);
    // Joost is also on the next interview: still hidden until he has submitted his own.
    let (next, _) =
        s.v.add_interview(&s.candidate, &s.stages[1], Some("2025-11-12T10:00"))
            .unwrap();
    s.v.set_interviewer(&next, &joost, true).unwrap();
    assert_eq!(
        s.v.feedback_visible_to(&joost, &s.candidate),
        Visibility::Hidden {
            submitted: 1,
            expected: 3
        }
    );
    // The note for the next interviewer is meant for him, though, and is not hidden.
    let notes = s.v.notes_for_next(&s.candidate, &s.stages[1]);
    assert_eq!(notes.len(), 1);
    assert_eq!(
        (notes[0].by.clone(), notes[0].note.as_str()),
        (henk.clone(), "Probe on-call")
    );
    assert!(s.v.notes_for_next(&s.candidate, &s.stages[0]).is_empty());
    s.v.submit_feedback(&draft(&s, 2, Recommendation::No, ""), &joost, T0 + 1)
        .unwrap();
    assert_eq!(
        s.v.feedback_visible_to(&joost, &s.candidate),
        Visibility::Shown
    );
    assert_eq!(s.v.visible_feedback_for(&joost, &s.candidate).len(), 2);
}

#[test]
fn the_same_interviewer_submitting_on_two_devices_at_once_counts_once() {
    let (a, mut b) = pair();
    let mut s = setup_on(a);
    b.apply_remote(&s.v.save()).unwrap();
    let (yes, no) = (
        draft(&s, 3, Recommendation::Yes, ""),
        draft(&s, 1, Recommendation::No, ""),
    );
    let candidate = s.candidate.clone();
    let a = &mut s.v;
    let henk = person("henk");
    let first = a.submit_feedback(&yes, &henk, T0 + 1).unwrap().1;
    let second = b.submit_feedback(&no, &henk, T0 + 2).unwrap().1;
    exchange(a, &[first], &mut b, &[second]);
    assert_eq!(a.feedback(), b.feedback());
    assert_eq!(a.feedback().len(), 1);
    assert_eq!(
        a.feedback()[0].recommendation,
        Recommendation::Yes,
        "the earliest"
    );
    assert_eq!(a.submitted_count(&candidate), (1, 2));
}

#[test]
fn feedback_owed_after_the_interview_ends() {
    let mut s = setup();
    // Feedback within 16 working hours; the interview ends Friday 16:00, so it is due
    // Tuesday 11 November at 16:00.
    s.v.set_feedback_within_hours(16).unwrap();
    assert!(
        s.v.feedback_owed(t(11, 7, 15, 59)).is_empty(),
        "still going on"
    );
    let owed = s.v.feedback_owed(t(11, 7, 16, 0));
    let who: Vec<_> = owed.iter().map(|o| o.interviewer.as_str()).collect();
    assert_eq!(who, vec!["henk", "joost"]);
    assert_eq!(owed[0].due, Due::At(t(11, 11, 16, 0)));
    assert_eq!(owed[0].candidate, s.candidate);
    assert_eq!(owed[0].state, DueState::OnTime);
    assert_eq!(
        s.v.feedback_owed(t(11, 10, 17, 0))[0].state,
        DueState::DueSoon
    );
    s.v.submit_feedback(&draft(&s, 3, Recommendation::Yes, ""), &person("henk"), T0)
        .unwrap();
    let late = s.v.feedback_owed(t(11, 11, 16, 1));
    assert_eq!(late.len(), 1);
    assert_eq!(late[0].interviewer, person("joost"));
    assert_eq!(late[0].state, DueState::Overdue);
    // An unscheduled interview owes nothing.
    let (open, _) = s.v.add_interview(&s.candidate, &s.stages[1], None).unwrap();
    s.v.set_interviewer(&open, &person("henk"), true).unwrap();
    assert_eq!(s.v.feedback_owed(t(12, 1, 9, 0)).len(), 1);
}

#[test]
fn the_comparison_from_the_document_ranks_as_the_ratings_say_and_hides_as_the_rule_says() {
    let mut s = setup();
    s.v.set_weight(&s.criteria[0], 3).unwrap();
    s.v.set_must_have(&s.criteria[1], true).unwrap();
    let (bob, _) = s.v.add_candidate("Bob", T0 + 1).unwrap();
    let (bobs, _) =
        s.v.add_interview(&bob, &s.stages[0], Some("2025-11-07T10:00"))
            .unwrap();
    s.v.set_interviewer(&bobs, &person("henk"), true).unwrap();
    let (cy, _) = s.v.add_candidate("Cy", T0 + 2).unwrap();
    s.v.record_decision(
        &cy,
        tandem_domain::Decision::Reject,
        "",
        &person("sanne"),
        T0,
    )
    .unwrap();
    // Ada: SQL 3, Ownership 3 from Henk; Bob: SQL 4, Ownership 2 (a must-have below 2.5).
    let mut d = draft(&s, 3, Recommendation::Yes, "");
    d.rating_mut(&s.criteria[1]).score = Some(3);
    s.v.submit_feedback(&d, &person("henk"), T0).unwrap();
    let mut d = FeedbackDraft::new(bobs.clone());
    d.rating_mut(&s.criteria[0]).score = Some(4);
    d.rating_mut(&s.criteria[1]).score = Some(2);
    d.recommendation = Some(Recommendation::StrongYes);
    s.v.submit_feedback(&d, &person("henk"), T0).unwrap();

    let c = s.v.comparison(&person("sanne"));
    let names: Vec<_> = c.rows.iter().map(|r| (r.name.as_str(), r.rank)).collect();
    assert_eq!(
        names,
        vec![("Ada", Some(1)), ("Bob", Some(2))],
        "Cy was rejected"
    );
    assert_eq!(c.rows[1].knock_outs, vec![s.criteria[1].clone()]);
    assert_eq!(s.v.comparison_of(&person("sanne"), true).rows.len(), 3);
    // Joost interviews Ada and has not submitted: her row is hidden from him, Bob's is not.
    let c = s.v.comparison(&person("joost"));
    let seen: Vec<_> = c
        .rows
        .iter()
        .map(|r| (r.name.as_str(), r.visibility))
        .collect();
    assert_eq!(
        seen,
        vec![
            ("Bob", Visibility::Shown),
            (
                "Ada",
                Visibility::Hidden {
                    submitted: 1,
                    expected: 2
                }
            )
        ]
    );
}

#[test]
fn how_the_partnership_is_doing_counts_working_time_and_stays() {
    let mut s = setup();
    s.v.set_feedback_within_hours(16).unwrap();
    // Amsterdam in winter: local time is UTC + 60 minutes.
    let utc_ms = |local: NaiveDateTime| local.and_utc().timestamp_millis() - 60 * 60_000;
    // The interview ends Friday 7 November 16:00; feedback is due Tuesday 16:00.
    // Henk submits Monday 10:00: 1 h on Friday + 1 h on Monday = 120 working minutes.
    s.v.submit_feedback(
        &draft(&s, 3, Recommendation::Yes, ""),
        &person("henk"),
        utc_ms(t(11, 10, 10, 0)),
    )
    .unwrap();
    // Joost submits Wednesday 9:30: 60 + 480 + 480 + 30 = 1050 working minutes, late.
    s.v.submit_feedback(
        &draft(&s, 2, Recommendation::No, ""),
        &person("joost"),
        utc_ms(t(11, 12, 9, 30)),
    )
    .unwrap();
    // Joost also owes feedback on a later interview, overdue by Thursday 20 November.
    let (second, _) =
        s.v.add_interview(&s.candidate, &s.stages[1], Some("2025-11-13T10:00"))
            .unwrap();
    s.v.set_interviewer(&second, &person("joost"), true)
        .unwrap();
    // Ada stayed two days in the first stage.
    let day = 24 * 3_600_000;
    s.v.move_candidate(
        &s.candidate,
        &tandem_domain::CandidateStage::Stage(s.stages[1].clone()),
        T0 + 2 * day,
    )
    .unwrap();

    let p = s.v.partnership(t(11, 20, 12, 0), 60);
    let pace: Vec<_> = p
        .people
        .iter()
        .map(|x| {
            (
                x.person.as_str(),
                x.submitted,
                x.on_time,
                x.median_minutes,
                x.overdue,
                x.on_time_percent(),
            )
        })
        .collect();
    assert_eq!(
        pace,
        vec![
            ("henk", 1, 1, Some(120), 0, Some(100)),
            ("joost", 1, 0, Some(1050), 1, Some(0)),
        ]
    );
    let stages: Vec<_> = p
        .stages
        .iter()
        .map(|x| (x.stage.clone(), x.median_ms, x.stays, x.now_in))
        .collect();
    assert_eq!(
        stages,
        vec![
            (s.stages[0].clone(), Some(2 * day), 1, 0),
            (s.stages[1].clone(), None, 0, 1),
        ]
    );
}

#[test]
fn feedback_and_decisions_owed_are_dated_items_on_the_agenda() {
    use tandem_domain::deadlines::Kind;
    let mut s = setup();
    s.v.set_feedback_within_hours(16).unwrap();
    s.v.set_decision_within_days(3).unwrap();
    s.v.submit_feedback(&draft(&s, 3, Recommendation::Yes, ""), &person("henk"), T0)
        .unwrap();
    let feedback: Vec<_> =
        s.v.dated_items()
            .into_iter()
            .filter(|d| d.kind == Kind::Feedback)
            .map(|d| (d.id, d.title, d.owner, d.due, d.done))
            .collect();
    let id = |p: &str| format!("{}/{}", s.interview.as_str(), p);
    let due = Due::At(t(11, 11, 16, 0));
    assert_eq!(
        feedback,
        vec![
            (id("henk"), "Ada".into(), Some("henk".into()), due, true),
            (id("joost"), "Ada".into(), Some("joost".into()), due, false),
        ]
    );
    // Ada reaches the last stage and is interviewed there on Monday 17 November: a decision
    // is due three working days later, on Thursday.
    s.v.record_decision(
        &s.candidate,
        tandem_domain::Decision::Advance,
        "",
        &person("sanne"),
        T0,
    )
    .unwrap();
    s.v.add_interview(&s.candidate, &s.stages[1], Some("2025-11-17T10:00"))
        .unwrap();
    let decision =
        s.v.dated_items()
            .into_iter()
            .find(|d| d.kind == Kind::Decision)
            .unwrap();
    assert_eq!(decision.id, s.candidate.as_str());
    assert_eq!(
        decision.due,
        Due::On(NaiveDate::from_ymd_opt(2025, 11, 20).unwrap())
    );

    let agenda = s.v.agenda(t(11, 12, 9, 0));
    let overdue: Vec<_> = agenda.overdue.iter().map(|e| e.item.id.clone()).collect();
    assert_eq!(overdue, vec![id("joost")], "Joost's feedback is late");
    assert_eq!(agenda.pending_decisions.len(), 1);
    let counts: Vec<usize> = agenda.pipeline.iter().map(|r| r.count).collect();
    assert_eq!(counts, vec![0, 1, 0, 0], "Ada is in the second stage");
    // Once hired, no decision is owed any more.
    s.v.record_decision(
        &s.candidate,
        tandem_domain::Decision::Hire,
        "",
        &person("sanne"),
        T0,
    )
    .unwrap();
    assert!(!s.v.dated_items().iter().any(|d| d.kind == Kind::Decision));
}

fn memo() -> MemoRef {
    MemoRef {
        hash: "0123456789abcdef".repeat(4),
        sealed_len: 20_481,
        mime: "audio/webm;codecs=opus".into(),
        duration_ms: 12_500,
    }
}

#[test]
fn a_memo_reference_travels_with_the_draft_and_the_submission() {
    let mut s = setup();
    let mut d = draft(&s, 3, Recommendation::Yes, "");
    d.memo = Some(memo());
    // On the device, in the draft.
    let back: FeedbackDraft = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
    assert_eq!(back.memo, Some(memo()));
    // In the document, to the other device.
    let mut other = Vacancy::load(&s.v.save()).unwrap();
    let (_, change) = s.v.submit_feedback(&d, &person("henk"), T0 + 5).unwrap();
    other.apply_remote(&change).unwrap();
    assert_eq!(other.feedback()[0].memo, Some(memo()));
    // Feedback without one has none.
    let plain = draft(&s, 2, Recommendation::No, "");
    s.v.submit_feedback(&plain, &person("joost"), T0 + 6)
        .unwrap();
    assert_eq!(s.v.feedback()[1].memo, None);
}

#[test]
fn a_memo_reference_that_is_not_one_is_refused() {
    let mut s = setup();
    let bad = [
        MemoRef {
            hash: "AB".repeat(32),
            ..memo()
        },
        MemoRef {
            hash: "ab".repeat(31),
            ..memo()
        },
        MemoRef {
            hash: "zz".repeat(32),
            ..memo()
        },
        MemoRef {
            sealed_len: 0,
            ..memo()
        },
        MemoRef {
            mime: "text/html".into(),
            ..memo()
        },
        MemoRef {
            duration_ms: -1,
            ..memo()
        },
        MemoRef {
            duration_ms: tandem_domain::MEMO_MAX_DURATION_MS + 60_000,
            ..memo()
        },
    ];
    for m in bad {
        let mut d = draft(&s, 3, Recommendation::Yes, "");
        d.memo = Some(m.clone());
        assert!(
            matches!(
                s.v.submit_feedback(&d, &person("henk"), T0 + 5),
                Err(DomainError::Invalid(InvalidValue::Memo))
            ),
            "{m:?}"
        );
    }
    assert!(s.v.feedback().is_empty(), "nothing written when refused");
}
