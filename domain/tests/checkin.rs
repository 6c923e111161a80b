//! The notes of a check-in turned into action items, line by line, on two devices at once: a
//! line made into an action reads as done on both sides, and today's check-in is found again.

use tandem_domain::checkin::{line_title, NoteLine};
use tandem_domain::TextField;

mod common;
use common::pair;

#[test]
fn a_line_title_drops_the_list_marker_and_the_spaces() {
    assert_eq!(line_title("  - Call Anna back "), "Call Anna back");
    assert_eq!(line_title("* Book a room"), "Book a room");
    assert_eq!(line_title("• Post the ad"), "Post the ad");
    assert_eq!(line_title("– Ask finance"), "Ask finance");
    assert_eq!(line_title("Plain line"), "Plain line");
    assert_eq!(line_title(" - "), "");
}

#[test]
fn lines_made_into_actions_are_marked_on_both_sides() {
    let (mut a, mut b) = pair();
    let (checkin, change) = a.add_checkin("2026-11-30").unwrap();
    b.apply_remote(&change).unwrap();
    let notes = TextField::CheckinNotes(checkin.clone());
    let change = a
        .set_text(
            &notes,
            "Pipeline is thin\n\n- Call Anna back\n -  \n* Post the ad on LinkedIn",
        )
        .unwrap()
        .unwrap();
    b.apply_remote(&change).unwrap();

    let lines = b.checkin_lines(&checkin);
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "Pipeline is thin",
            "- Call Anna back",
            "* Post the ad on LinkedIn"
        ],
        "empty lines and bare markers are no action"
    );
    assert!(lines.iter().all(|l| l.action.is_none()));

    let (action, change) = b
        .action_from_checkin_line(&checkin, "- Call Anna back", None, None)
        .unwrap();
    a.apply_remote(&change).unwrap();
    for v in [&a, &b] {
        let made = v.actions();
        assert_eq!(made.len(), 1);
        assert_eq!(made[0].title, "Call Anna back");
        assert_eq!(made[0].from_checkin.as_ref(), Some(&checkin));
        assert_eq!(
            v.checkin_lines(&checkin)[1],
            NoteLine {
                text: "- Call Anna back".into(),
                action: Some(action.clone()),
            }
        );
        assert_eq!(v.checkin_lines(&checkin)[2].action, None);
    }

    // The same line in another check-in's notes is not marked: the action came from this one.
    let (other, _) = a.add_checkin("2026-12-07").unwrap();
    a.set_text(&TextField::CheckinNotes(other.clone()), "Call Anna back")
        .unwrap();
    assert_eq!(a.checkin_lines(&other)[0].action, None);
}

#[test]
fn todays_checkin_is_found_by_its_date() {
    let (mut a, _) = pair();
    assert_eq!(a.checkin_on("2026-11-30"), None);
    let (monday, _) = a.add_checkin("2026-11-30").unwrap();
    a.add_checkin("2026-11-23").unwrap();
    assert_eq!(a.checkin_on("2026-11-30"), Some(monday.clone()));
    a.set_checkin_date(&monday, "2026-12-01").unwrap();
    assert_eq!(a.checkin_on("2026-11-30"), None);
}
