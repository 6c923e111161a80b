//! Agreements, planning and the weekly check-in, edited on two devices at once: every edit
//! travels as its change bytes, and both documents must end up equal with nothing lost.

use tandem_domain::{Agreements, ClockTime, DomainError, InvalidValue, PersonId, TextField};

mod common;
use common::{exchange, pair};

fn invalid(result: Result<Vec<u8>, DomainError>) -> InvalidValue {
    match result {
        Err(DomainError::Invalid(e)) => e,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn agreements_start_with_defaults_and_refuse_values_out_of_range() {
    let (mut a, mut b) = pair();
    assert_eq!(
        a.agreements(),
        Agreements {
            feedback_within_hours: 24,
            decision_within_days: 3,
            checkin_weekday: None,
            checkin_time: None,
            checkin_minutes: 30,
        }
    );
    // Set on both sides at once, each a different agreement: all kept.
    let from_a = vec![
        a.set_feedback_within_hours(8).unwrap(),
        a.set_checkin_weekday(0).unwrap(),
    ];
    let from_b = vec![
        b.set_decision_within_days(5).unwrap(),
        b.set_checkin_time("9:30").unwrap(),
        b.set_checkin_minutes(45).unwrap(),
    ];
    exchange(&mut a, &from_a, &mut b, &from_b);
    let agreed = Agreements {
        feedback_within_hours: 8,
        decision_within_days: 5,
        checkin_weekday: Some(0),
        checkin_time: Some(ClockTime {
            hour: 9,
            minute: 30,
        }),
        checkin_minutes: 45,
    };
    assert_eq!(a.agreements(), agreed);
    assert_eq!(b.agreements(), agreed);

    assert_eq!(
        invalid(a.set_feedback_within_hours(0)),
        InvalidValue::FeedbackWithinHours(0)
    );
    assert_eq!(
        invalid(a.set_decision_within_days(31)),
        InvalidValue::DecisionWithinDays(31)
    );
    assert_eq!(invalid(a.set_checkin_weekday(7)), InvalidValue::Weekday(7));
    assert_eq!(
        invalid(a.set_checkin_time("25:00")),
        InvalidValue::ClockTime("25:00".into())
    );
    assert_eq!(
        invalid(a.set_checkin_minutes(0)),
        InvalidValue::CheckinMinutes(0)
    );
    let message = a.set_feedback_within_hours(500).unwrap_err().to_string();
    assert!(
        message.contains("1 to 120") && message.contains("500"),
        "{message}"
    );
    assert_eq!(a.agreements(), agreed, "refused values are not written");
}

#[test]
fn stage_targets_follow_their_stage() {
    let (mut a, mut b) = pair();
    let (screening, c1) = a.add_stage("Screening").unwrap();
    let (interview, c2) = a.add_stage("Interview").unwrap();
    exchange(&mut a, &[c1, c2], &mut b, &[]);
    let from_a = vec![a
        .set_stage_target(&interview, Some("2025-03-14"))
        .unwrap()
        .unwrap()];
    let from_b = vec![b
        .set_stage_target(&screening, Some("2025-03-07"))
        .unwrap()
        .unwrap()];
    exchange(&mut a, &from_a, &mut b, &from_b);
    let targets = a.stage_targets();
    assert_eq!(targets, b.stage_targets());
    let dates: Vec<_> = targets.iter().map(|t| t.date.as_str()).collect();
    assert_eq!(dates, ["2025-03-07", "2025-03-14"]);
    assert_eq!(targets[0].stage, screening);

    assert!(matches!(
        a.set_stage_target(&screening, Some("2025-02-30")),
        Err(DomainError::Invalid(InvalidValue::Date(_)))
    ));
    // The target of a removed stage is hidden, and back with the stage's undo.
    let stage = a.stages()[1].clone();
    a.remove_stage(&interview).unwrap();
    assert_eq!(a.stage_targets().len(), 1);
    assert!(matches!(
        a.set_stage_target(&interview, Some("2025-03-20")),
        Err(DomainError::Missing(_))
    ));
    a.restore_stage(&stage).unwrap();
    assert_eq!(a.stage_targets().len(), 2);

    assert!(a.set_stage_target(&screening, None).unwrap().is_some());
    assert!(
        a.set_stage_target(&screening, None).unwrap().is_none(),
        "nothing to clear"
    );
    assert_eq!(a.stage_targets().len(), 1);
}

#[test]
fn action_items_edited_on_both_sides_at_once_keep_every_edit() {
    let (mut a, mut b) = pair();
    let sanne = PersonId("p1".into());
    let joost = PersonId("p2".into());
    let (call, c1) = a
        .add_action("Call the agency", Some(&sanne), Some("2025-03-10"))
        .unwrap();
    let (post, c2) = a.add_action("Post the vacancy", None, None).unwrap();
    exchange(&mut a, &[c1, c2], &mut b, &[]);

    // A ticks "call" off and retitles "post"; B moves "call"'s due time and gives "post" to Joost.
    let from_a = vec![
        a.set_action_done(&call, true).unwrap(),
        a.set_text(
            &TextField::ActionTitle(post.clone()),
            "Post the vacancy on LinkedIn",
        )
        .unwrap()
        .unwrap(),
    ];
    let from_b = vec![
        b.set_action_due(&call, Some("2025-03-11T14:00"))
            .unwrap()
            .unwrap(),
        b.set_action_owner(&post, Some(&joost)).unwrap().unwrap(),
    ];
    exchange(&mut a, &from_a, &mut b, &from_b);
    let actions = a.actions();
    assert_eq!(actions, b.actions());
    assert_eq!(actions[0].id, call);
    assert!(actions[0].done);
    assert_eq!(actions[0].due.as_deref(), Some("2025-03-11T14:00"));
    assert_eq!(actions[0].owner, Some(sanne));
    assert_eq!(actions[1].title, "Post the vacancy on LinkedIn");
    assert_eq!(actions[1].owner, Some(joost));
    assert_eq!(actions[1].due, None);

    assert!(matches!(
        a.set_action_due(&call, Some("11-03-2025")),
        Err(DomainError::Invalid(InvalidValue::Due(_)))
    ));
    assert!(a.add_action("x", None, Some("tomorrow")).is_err());
    let cleared = a.set_action_owner(&call, None).unwrap().unwrap();
    b.apply_remote(&cleared).unwrap();
    assert_eq!(b.actions()[0].owner, None);
    assert!(
        a.set_action_owner(&call, None).unwrap().is_none(),
        "nothing to clear"
    );

    // Removed on one side while edited on the other: removed on both; undo puts it back.
    let removed = a.actions()[1].clone();
    let gone = a.remove_action(&post).unwrap();
    let done = b.set_action_done(&post, true).unwrap();
    exchange(&mut a, &[gone], &mut b, &[done]);
    assert_eq!(a.actions(), b.actions());
    assert_eq!(a.actions().len(), 1);
    let back = a.restore_action(&removed).unwrap();
    b.apply_remote(&back).unwrap();
    assert_eq!(b.actions()[1], removed);
    assert!(matches!(
        b.set_action_done(&tandem_domain::ActionId("no-such-action".into()), true),
        Err(DomainError::Missing(_))
    ));
}

#[test]
fn a_check_in_is_kept_by_both_and_its_notes_become_actions() {
    let (mut a, mut b) = pair();
    let sanne = PersonId("p1".into());
    let joost = PersonId("p2".into());
    let (later, c1) = a.add_checkin("2025-03-17").unwrap();
    let (first, c2) = a.add_checkin("2025-03-10").unwrap();
    exchange(&mut a, &[c1, c2], &mut b, &[]);
    assert!(matches!(
        a.add_checkin("2025-3-10"),
        Err(DomainError::Invalid(InvalidValue::Date(_)))
    ));

    // Each ticks themselves present and both write notes at once.
    let notes = TextField::CheckinNotes(first.clone());
    let from_a = vec![
        a.set_attended(&first, &sanne, true).unwrap(),
        a.set_text(&notes, "- Ask Eva about the case\n")
            .unwrap()
            .unwrap(),
    ];
    let from_b = vec![
        b.set_attended(&first, &joost, true).unwrap(),
        b.set_text(&notes, "Pipeline is thin.").unwrap().unwrap(),
    ];
    exchange(&mut a, &from_a, &mut b, &from_b);
    let list = a.checkins();
    assert_eq!(list, b.checkins());
    assert_eq!(list[0].id, first, "oldest first");
    assert_eq!(list[1].id, later);
    assert_eq!(list[0].attended, [sanne.clone(), joost.clone()]);
    assert!(list[0].notes.contains("- Ask Eva about the case\n"));
    assert!(list[0].notes.contains("Pipeline is thin."));

    let c = a.set_attended(&first, &joost, false).unwrap();
    b.apply_remote(&c).unwrap();
    assert_eq!(b.checkins()[0].attended, std::slice::from_ref(&sanne));

    let (action, c) = b
        .action_from_checkin_line(&first, "- Ask Eva about the case", Some(&sanne), None)
        .unwrap();
    a.apply_remote(&c).unwrap();
    let made = a.actions();
    assert_eq!(made.len(), 1);
    assert_eq!(made[0].id, action);
    assert_eq!(made[0].title, "Ask Eva about the case");
    assert_eq!(made[0].from_checkin, Some(first.clone()));
    assert_eq!(made[0].owner, Some(sanne));

    // Moving a check-in's date reorders the list; removing it can be undone.
    let c = a.set_checkin_date(&first, "2025-03-24").unwrap();
    b.apply_remote(&c).unwrap();
    assert_eq!(b.checkins()[1].id, first);
    let removed = b.checkins()[1].clone();
    let c = b.remove_checkin(&first).unwrap();
    a.apply_remote(&c).unwrap();
    assert_eq!(a.checkins().len(), 1);
    let c = b.restore_checkin(&removed).unwrap();
    a.apply_remote(&c).unwrap();
    assert_eq!(a.checkins(), b.checkins());
    assert_eq!(a.checkins()[1], removed);
    assert!(matches!(
        a.action_from_checkin_line(&tandem_domain::CheckinId("gone".into()), "x", None, None),
        Err(DomainError::Missing(_))
    ));
}
