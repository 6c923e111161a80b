//! The rules read from a real document: a vacancy filled in through its edits, asked what keeps
//! it from opening, what is late, what is on the agenda, and for its calendar.

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use tandem_domain::deadlines::{DueState, Kind};
use tandem_domain::gate::{Missing, StatusError};
use tandem_domain::overview::listed_summary;
use tandem_domain::{
    IntakeText, ItemList, PersonId, RoleText, SignOffRole, Status, StatusChangeError, TextField,
    Vacancy,
};

/// Friday 7 November 2025, in ms since the epoch.
const CREATED_MS: i64 = 1_762_500_000_000;

fn t(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap()
}

fn rana() -> PersonId {
    PersonId("rana".into())
}

fn henk() -> PersonId {
    PersonId("henk".into())
}

/// Fills every required part, in page order, checking after each step that exactly that part
/// left the gate's list.
fn fill_required_parts(v: &mut Vacancy) {
    let mut expected = v.gate().missing;
    assert_eq!(
        expected,
        vec![
            Missing::RoleTitle,
            Missing::Profile,
            Missing::MustHave,
            Missing::Stage,
            Missing::ContactAgreements,
            Missing::Criterion,
            Missing::SignOff(SignOffRole::Recruiter),
            Missing::SignOff(SignOffRole::HiringManager),
        ]
    );
    let mut filled = |v: &mut Vacancy, part: Missing| {
        expected.retain(|m| *m != part);
        assert_eq!(v.gate().missing, expected, "after filling {part:?}");
    };
    v.set_text(&TextField::Role(RoleText::Title), "Data engineer")
        .unwrap();
    filled(v, Missing::RoleTitle);
    v.set_text(
        &TextField::Intake(IntakeText::Profile),
        "Builds and runs our data pipelines.",
    )
    .unwrap();
    filled(v, Missing::Profile);
    let (sql, _) = v.add_intake_item(ItemList::MustHaves, "SQL").unwrap();
    filled(v, Missing::MustHave);
    v.add_stage("First interview").unwrap();
    filled(v, Missing::Stage);
    v.set_text(
        &TextField::Intake(IntakeText::ContactAgreements),
        "Rana calls every candidate back within two days.",
    )
    .unwrap();
    filled(v, Missing::ContactAgreements);
    v.make_criterion(ItemList::MustHaves, &sql).unwrap();
    filled(v, Missing::Criterion);
}

/// A vacancy filled in and signed off by both, the hiring manager on their own device.
fn signed_vacancy() -> Vacancy {
    let (mut v, first) = Vacancy::create("Data engineer", CREATED_MS);
    fill_required_parts(&mut v);
    v.sign_off_now(SignOffRole::Recruiter, &rana(), "Rana", CREATED_MS + 1)
        .unwrap();
    let mut theirs = Vacancy::empty();
    theirs.apply_remote(&first).unwrap();
    theirs.apply_remote(&v.save()).unwrap();
    let signed = theirs
        .sign_off_now(SignOffRole::HiringManager, &henk(), "Henk", CREATED_MS + 2)
        .unwrap();
    v.apply_remote(&signed).unwrap();
    v
}

#[test]
fn the_gate_shrinks_as_the_intake_is_filled_and_both_sign_offs_open_it() {
    let (mut v, _) = Vacancy::create("Data engineer", CREATED_MS);
    fill_required_parts(&mut v);
    match v.change_status(Status::Open) {
        Err(StatusChangeError::Refused(StatusError::GateClosed(missing))) => assert_eq!(
            missing,
            vec![
                Missing::SignOff(SignOffRole::Recruiter),
                Missing::SignOff(SignOffRole::HiringManager),
            ]
        ),
        other => panic!("expected the gate to refuse, got {other:?}"),
    }
    assert_eq!(v.status(), Status::Draft);

    v.sign_off_now(SignOffRole::Recruiter, &rana(), "Rana", CREATED_MS + 1)
        .unwrap();
    assert_eq!(
        v.gate().missing,
        vec![Missing::SignOff(SignOffRole::HiringManager)]
    );
    v.sign_off_now(SignOffRole::HiringManager, &henk(), "Henk", CREATED_MS + 2)
        .unwrap();
    assert!(v.gate().passes());
    assert!(!v.change_status(Status::Open).unwrap().is_empty());
    assert_eq!(v.status(), Status::Open);
    // Opening an open vacancy is no change, and writes nothing.
    assert!(v.change_status(Status::Open).unwrap().is_empty());
}

#[test]
fn signed_on_two_devices_the_fingerprints_agree() {
    let v = signed_vacancy();
    let sign_offs = v.sign_offs();
    assert_eq!(sign_offs.len(), 2);
    assert!(sign_offs.iter().all(|s| s.fingerprint == v.fingerprint()));
    assert!(v.gate().passes());
}

#[test]
fn an_edit_after_the_sign_offs_makes_them_stale_and_keeps_the_vacancy_closed() {
    let mut v = signed_vacancy();
    v.set_text(
        &TextField::Intake(IntakeText::Profile),
        "Builds and runs our data pipelines, and is on call one week in six.",
    )
    .unwrap();
    let stale = vec![
        Missing::SignOffStale(SignOffRole::Recruiter),
        Missing::SignOffStale(SignOffRole::HiringManager),
    ];
    assert_eq!(v.gate().missing, stale);
    match v.change_status(Status::Open) {
        Err(StatusChangeError::Refused(StatusError::GateClosed(missing))) => {
            assert_eq!(missing, stale)
        }
        other => panic!("expected the gate to refuse, got {other:?}"),
    }
    assert_eq!(v.status(), Status::Draft);
    // A status change the vacancy's life does not have is refused as such.
    assert!(matches!(
        v.change_status(Status::Filled),
        Err(StatusChangeError::Refused(StatusError::NotAllowed { .. }))
    ));
    // Both confirm again, and it opens.
    v.sign_off_now(SignOffRole::Recruiter, &rana(), "Rana", CREATED_MS + 3)
        .unwrap();
    v.sign_off_now(SignOffRole::HiringManager, &henk(), "Henk", CREATED_MS + 4)
        .unwrap();
    v.change_status(Status::Open).unwrap();
    assert_eq!(v.status(), Status::Open);
}

#[test]
fn an_action_past_its_due_date_is_overdue_everywhere() {
    let mut v = signed_vacancy();
    let stage = v.stages()[0].id.clone();
    v.set_stage_target(&stage, Some("2025-11-28")).unwrap();
    let (late, _) = v
        .add_action("Post the ad", Some(&henk()), Some("2025-11-03"))
        .unwrap();
    let (booked, _) = v
        .add_action("Book a room", None, Some("2025-11-01"))
        .unwrap();
    v.set_action_done(&booked, true).unwrap();
    v.add_action("Ask the team", None, None).unwrap();
    // Monday 10 November 2025, noon.
    let now = t(2025, 11, 10, 12, 0);

    let items = v.dated_items();
    let states: Vec<(Kind, &str, DueState)> = items
        .iter()
        .map(|d| (d.kind, d.title.as_str(), d.state(now)))
        .collect();
    assert_eq!(
        states,
        vec![
            (Kind::StageTarget, "First interview", DueState::OnTime),
            (Kind::Action, "Post the ad", DueState::Overdue),
            (Kind::Action, "Book a room", DueState::Done),
        ],
        "undated actions are not dated items"
    );
    assert_eq!(items[1].id, late.0);
    assert_eq!(items[1].owner.as_deref(), Some("henk"));

    let summary = v.deadline_summary(now);
    assert_eq!(
        summary.next.as_ref().map(|d| d.title.as_str()),
        Some("Post the ad")
    );
    assert_eq!((summary.overdue, summary.due_soon), (1, 0));

    let agenda = v.agenda(now);
    let overdue: Vec<&str> = agenda
        .overdue
        .iter()
        .map(|e| e.item.title.as_str())
        .collect();
    assert_eq!(overdue, vec!["Post the ad"]);
    let open: Vec<&str> = agenda
        .open_actions
        .iter()
        .map(|a| a.title.as_str())
        .collect();
    assert_eq!(open, vec!["Ask the team"], "the overdue one is listed once");
    assert!(agenda.pending_decisions.is_empty());
    let counts: Vec<usize> = agenda.pipeline.iter().map(|r| r.count).collect();
    assert_eq!(
        counts,
        vec![0, 0, 0],
        "one stage, hired, rejected: all empty"
    );
}

#[test]
fn a_filled_vacancy_is_not_overdue_for_its_stage_targets_forever() {
    let mut v = signed_vacancy();
    let stage = v.stages()[0].id.clone();
    v.set_stage_target(&stage, Some("2025-11-03")).unwrap();
    let (send, _) = v
        .add_action("Send the rejections", None, Some("2025-11-05"))
        .unwrap();
    let now = t(2025, 11, 10, 12, 0);
    v.change_status(Status::Open).unwrap();
    assert_eq!(
        v.deadline_summary(now).overdue,
        2,
        "while open, both are late"
    );

    v.change_status(Status::Filled).unwrap();
    let summary = v.deadline_summary(now);
    assert_eq!(summary.overdue, 1, "the stage is over; the action is not");
    assert_eq!(
        summary.next.map(|d| d.id),
        Some(send.0.clone()),
        "the list points at what is still to do"
    );
    let overdue: Vec<String> = v
        .agenda(now)
        .overdue
        .into_iter()
        .map(|e| e.item.title)
        .collect();
    assert_eq!(
        overdue,
        vec!["Send the rejections".to_string()],
        "no stage target"
    );
    assert_eq!(
        v.listed_deadlines()
            .into_iter()
            .map(|d| d.title)
            .collect::<Vec<_>>(),
        vec!["Send the rejections".to_string()]
    );
}

#[test]
fn the_vacancy_list_summarizes_what_it_keeps_as_the_vacancy_does() {
    let mut v = signed_vacancy();
    let stage = v.stages()[0].id.clone();
    v.set_stage_target(&stage, Some("2025-11-11")).unwrap();
    v.add_action("Post the ad", Some(&henk()), Some("2025-11-03"))
        .unwrap();
    v.add_action("Call the agency", None, Some("2025-11-07T16:00"))
        .unwrap();
    let (booked, _) = v
        .add_action("Book a room", None, Some("2025-11-01"))
        .unwrap();
    v.set_action_done(&booked, true).unwrap();
    let now = t(2025, 11, 10, 12, 0);

    let listed = v.listed_deadlines();
    let kept: Vec<(Kind, &str, &str)> = listed
        .iter()
        .map(|l| (l.kind, l.title.as_str(), l.due.as_str()))
        .collect();
    assert_eq!(
        kept,
        vec![
            (Kind::StageTarget, "First interview", "2025-11-11"),
            (Kind::Action, "Post the ad", "2025-11-03"),
            (Kind::Action, "Call the agency", "2025-11-07T16:00"),
        ],
        "open items only, due as the document stores it"
    );
    let from_list = listed_summary(&listed, now);
    let inside = v.deadline_summary(now);
    assert_eq!((from_list.overdue, from_list.due_soon), (2, 1));
    assert_eq!(
        (inside.overdue, inside.due_soon),
        (from_list.overdue, from_list.due_soon)
    );
    let next = from_list.next.unwrap();
    assert_eq!(
        (next.title.as_str(), next.due),
        ("Post the ad", inside.next.unwrap().due)
    );

    // An entry written by another version, with a due date this one does not read, is skipped.
    let mut odd = listed;
    odd[0].due = "next week".into();
    assert_eq!(listed_summary(&odd, now).overdue, 2);
    assert_eq!(listed_summary(&[], now).next, None);
}

#[test]
fn the_next_checkin_waits_for_its_day_and_time() {
    let mut v = signed_vacancy();
    let now = t(2025, 11, 10, 12, 0);
    assert_eq!(v.next_checkin(now), None);
    v.set_checkin_weekday(1).unwrap();
    assert_eq!(v.next_checkin(now), None, "a day without a time");
    v.set_checkin_time("10:00").unwrap();
    let slot = v.next_checkin(now).unwrap();
    assert_eq!(
        (slot.start, slot.end),
        (t(2025, 11, 11, 10, 0), t(2025, 11, 11, 10, 30))
    );
}

#[test]
fn the_calendar_of_a_filled_vacancy() {
    let mut v = signed_vacancy();
    v.set_checkin_weekday(1).unwrap();
    v.set_checkin_time("10:00").unwrap();
    v.add_action("Post the ad", Some(&henk()), Some("2025-11-03T14:30"))
        .unwrap();
    let stamp = DateTime::from_timestamp(1_762_800_000, 0).unwrap();
    let ics = v
        .calendar_export("vacancy-id", "Weekly check-in", "Europe/Amsterdam", stamp)
        .unwrap();
    for line in [
        "RRULE:FREQ=WEEKLY;BYDAY=TU",
        // The first Tuesday from the vacancy's creation on Friday 7 November.
        "DTSTART;TZID=Europe/Amsterdam:20251111T100000",
        "SUMMARY:Weekly check-in",
        "SUMMARY:Post the ad",
        "DTSTART;TZID=Europe/Amsterdam:20251103T143000",
        "BEGIN:VTIMEZONE",
    ] {
        assert!(
            ics.contains(&format!("\r\n{line}\r\n")),
            "{line} missing in\n{ics}"
        );
    }
    assert!(!ics.contains("vacancy-id"), "only a hash of the id");
}
