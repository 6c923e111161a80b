//! The intake meeting, with the recruiter and the hiring manager typing into the same intake on
//! two devices: every edit travels as its change bytes, both documents must end up equal, and
//! nothing either of them did that should survive is lost.

use tandem_domain::{
    Category, IntakeText, ItemList, PersonId, Role, RoleText, SchemaStatus, SignOffRole, Status,
    TextField, Vacancy,
};

mod common;
use common::{exchange, pair};

/// Types `typed` one character at a time at `at` (a char index) into what the field reads.
fn type_at(v: &mut Vacancy, field: &TextField, at: usize, typed: &str) -> Vec<Vec<u8>> {
    let mut changes = Vec::new();
    for (i, ch) in typed.chars().enumerate() {
        let mut text: Vec<char> = v.text(field).unwrap().chars().collect();
        text.insert(at + i, ch);
        let text: String = text.into_iter().collect();
        changes.push(v.set_text(field, &text).unwrap().unwrap());
    }
    changes
}

#[test]
fn every_intake_text_is_a_live_field_from_the_start() {
    let (mut a, mut b) = pair();
    let mut fields: Vec<TextField> = RoleText::ALL.into_iter().map(TextField::Role).collect();
    fields.extend(IntakeText::ALL.into_iter().map(TextField::Intake));
    fields.push(TextField::AgreementNotes);
    for (n, field) in fields.iter().enumerate() {
        assert_eq!(b.text(field).as_deref(), Some(""), "{field:?} exists");
        let c = a.set_text(field, &format!("text {n}")).unwrap().unwrap();
        b.apply_remote(&c).unwrap();
        assert_eq!(b.text(field).unwrap(), format!("text {n}"));
        let caret = b.caret(field, 4).unwrap();
        assert_eq!(b.caret_position(field, &caret), Some(4));
    }
}

#[test]
fn both_typing_in_the_profile_at_once_keep_their_words() {
    let (mut a, mut b) = pair();
    let profile = TextField::Intake(IntakeText::Profile);
    let base = a.set_text(&profile, "Builds pipelines.").unwrap().unwrap();
    b.apply_remote(&base).unwrap();

    // The recruiter adds at the end while the hiring manager adds at the start, neither seeing
    // the other's keystrokes until the end.
    let from_a = type_at(&mut a, &profile, 17, " Dutch required.");
    let from_b = type_at(&mut b, &profile, 0, "Owns and ");
    exchange(&mut a, &from_a, &mut b, &from_b);
    assert_eq!(a.text(&profile), b.text(&profile));
    assert_eq!(
        a.text(&profile).unwrap(),
        "Owns and Builds pipelines. Dutch required."
    );

    // And the role's title, typed by both at the very same spot.
    let title = TextField::Role(RoleText::Title);
    let from_a = type_at(&mut a, &title, 0, "Data");
    let from_b = type_at(&mut b, &title, 0, "Lead");
    exchange(&mut a, &from_a, &mut b, &from_b);
    let merged = a.text(&title).unwrap();
    assert_eq!(Some(&merged), b.text(&title).as_ref());
    assert!(
        merged == "DataLead" || merged == "LeadData",
        "both words whole: {merged}"
    );
}

#[test]
fn must_haves_added_on_both_sides_at_once_all_arrive_in_one_order() {
    let (mut a, mut b) = pair();
    let mut from_a = Vec::new();
    let mut from_b = Vec::new();
    for text in ["SQL", "Python"] {
        from_a.push(a.add_intake_item(ItemList::MustHaves, text).unwrap().1);
    }
    for text in ["Dutch", "Airflow"] {
        from_b.push(b.add_intake_item(ItemList::MustHaves, text).unwrap().1);
    }
    from_b.push(b.add_intake_item(ItemList::NiceToHaves, "dbt").unwrap().1);
    exchange(&mut a, &from_a, &mut b, &from_b);

    let list = a.intake_items(ItemList::MustHaves);
    assert_eq!(list, b.intake_items(ItemList::MustHaves));
    let mut texts: Vec<_> = list.iter().map(|i| i.text.as_str()).collect();
    // Both started counting positions from 1, so the two lists interleave; each keeps its order.
    let a_order: Vec<_> = texts
        .iter()
        .filter(|t| ["SQL", "Python"].contains(t))
        .collect();
    assert_eq!(a_order, [&"SQL", &"Python"]);
    texts.sort();
    assert_eq!(texts, ["Airflow", "Dutch", "Python", "SQL"]);
    let nice = a.intake_items(ItemList::NiceToHaves);
    assert_eq!(nice.len(), 1);
    assert_eq!(nice[0].text, "dbt");
}

#[test]
fn an_item_edited_on_one_side_and_moved_on_the_other_keeps_both() {
    let (mut a, mut b) = pair();
    let mut ids = Vec::new();
    for text in ["SQL", "Python", "Dutch"] {
        let (id, c) = a.add_intake_item(ItemList::MustHaves, text).unwrap();
        b.apply_remote(&c).unwrap();
        ids.push(id);
    }
    let field = TextField::IntakeItem(ItemList::MustHaves, ids[2].clone());
    let from_a = vec![a.move_intake_item(ItemList::MustHaves, &ids[2], 0).unwrap()];
    let from_b = type_at(&mut b, &field, 5, " (C1)");
    exchange(&mut a, &from_a, &mut b, &from_b);
    let list = a.intake_items(ItemList::MustHaves);
    assert_eq!(list, b.intake_items(ItemList::MustHaves));
    let texts: Vec<_> = list.iter().map(|i| i.text.as_str()).collect();
    assert_eq!(texts, ["Dutch (C1)", "SQL", "Python"]);
}

#[test]
fn a_removal_wins_over_an_edit_and_its_undo_brings_the_item_back() {
    let (mut a, mut b) = pair();
    let (keep, c1) = a.add_intake_item(ItemList::MustHaves, "SQL").unwrap();
    let (gone, c2) = a.add_intake_item(ItemList::MustHaves, "Python").unwrap();
    exchange(&mut a, &[c1, c2], &mut b, &[]);

    let removed = a.intake_items(ItemList::MustHaves)[1].clone();
    let from_a = vec![a.remove_intake_item(ItemList::MustHaves, &gone).unwrap()];
    // B edits the item being removed, and the one that stays.
    let mut from_b = type_at(
        &mut b,
        &TextField::IntakeItem(ItemList::MustHaves, gone.clone()),
        6,
        " 3",
    );
    from_b.extend(type_at(
        &mut b,
        &TextField::IntakeItem(ItemList::MustHaves, keep.clone()),
        3,
        " (window functions)",
    ));
    exchange(&mut a, &from_a, &mut b, &from_b);
    let list = a.intake_items(ItemList::MustHaves);
    assert_eq!(list, b.intake_items(ItemList::MustHaves));
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].text, "SQL (window functions)");
    // Editing what is gone is refused as gone, not as damage.
    let err = b
        .set_text(
            &TextField::IntakeItem(ItemList::MustHaves, gone.clone()),
            "x",
        )
        .unwrap_err();
    assert!(
        matches!(err, tandem_domain::DomainError::Missing(_)),
        "{err}"
    );

    let back = a
        .restore_intake_item(ItemList::MustHaves, &removed)
        .unwrap();
    b.apply_remote(&back).unwrap();
    let texts: Vec<_> = b
        .intake_items(ItemList::MustHaves)
        .into_iter()
        .map(|i| i.text)
        .collect();
    assert_eq!(texts, ["SQL (window functions)", "Python"]);
    assert_eq!(
        a.intake_items(ItemList::MustHaves),
        b.intake_items(ItemList::MustHaves)
    );
}

#[test]
fn stages_moved_and_removed_at_once_converge_and_the_removal_can_be_undone() {
    let (mut a, mut b) = pair();
    let mut ids = Vec::new();
    for name in ["Screening call", "First interview", "Case", "Final"] {
        let (id, c) = a.add_stage(name).unwrap();
        b.apply_remote(&c).unwrap();
        ids.push(id);
    }
    let (criterion, c) = a.add_criterion("SQL", Category::Experience).unwrap();
    b.apply_remote(&c).unwrap();
    let c = a.set_focus_criterion(&ids[2], &criterion, true).unwrap();
    b.apply_remote(&c).unwrap();
    let case = b.stages()[2].clone();
    assert_eq!(case.focus_criteria, std::slice::from_ref(&criterion));

    // A moves "Case" to the front and names its interviewers; B removes "Case", and moves
    // "Final" before "First interview".
    let mut from_a = vec![a.move_stage(&ids[2], 0).unwrap()];
    from_a.extend(type_at(
        &mut a,
        &TextField::StageInterviewers(ids[2].clone()),
        0,
        "Eva",
    ));
    let from_b = vec![
        b.remove_stage(&ids[2]).unwrap(),
        b.move_stage(&ids[3], 1).unwrap(),
    ];
    exchange(&mut a, &from_a, &mut b, &from_b);
    let stages = a.stages();
    assert_eq!(stages, b.stages());
    let names: Vec<_> = stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Screening call", "Final", "First interview"]);

    // B undoes the removal: the stage comes back at its old position (after "First interview",
    // now that "Final" moved up), with what it assessed.
    let back = b.restore_stage(&case).unwrap();
    a.apply_remote(&back).unwrap();
    let names: Vec<_> = a.stages().iter().map(|s| s.name.clone()).collect();
    assert_eq!(
        names,
        ["Screening call", "Final", "First interview", "Case"]
    );
    assert_eq!(a.stages()[3].focus_criteria, [criterion]);
    assert_eq!(a.stages(), b.stages());
}

#[test]
fn a_stage_assesses_only_criteria_that_exist_in_the_scorecards_order() {
    let (mut a, _) = pair();
    let (stage, _) = a.add_stage("Interview").unwrap();
    let (sql, _) = a.add_criterion("SQL", Category::Experience).unwrap();
    let (curious, _) = a.add_criterion("Curiosity", Category::Trait).unwrap();
    a.set_focus_criterion(&stage, &curious, true).unwrap();
    a.set_focus_criterion(&stage, &sql, true).unwrap();
    assert_eq!(a.stages()[0].focus_criteria, [sql.clone(), curious.clone()]);
    a.set_focus_criterion(&stage, &sql, false).unwrap();
    assert_eq!(a.stages()[0].focus_criteria, std::slice::from_ref(&curious));

    let removed = a.criteria()[1].clone();
    a.remove_criterion(&curious).unwrap();
    assert!(a.stages()[0].focus_criteria.is_empty());
    a.restore_criterion(&removed).unwrap();
    assert_eq!(
        a.stages()[0].focus_criteria,
        [curious],
        "chosen again after undo"
    );
    for field in [
        TextField::StageName(stage.clone()),
        TextField::StageInterviewers(stage.clone()),
        TextField::StageAssesses(stage.clone()),
    ] {
        assert!(a.set_text(&field, "x").unwrap().is_some(), "{field:?}");
    }
}

#[test]
fn a_must_have_becomes_a_linked_knock_out_criterion() {
    let (mut a, mut b) = pair();
    let (must, c1) = a.add_intake_item(ItemList::MustHaves, "SQL").unwrap();
    let (nice, c2) = a.add_intake_item(ItemList::NiceToHaves, "dbt").unwrap();
    exchange(&mut a, &[c1, c2], &mut b, &[]);

    let (from_must, change) = b.make_criterion(ItemList::MustHaves, &must).unwrap();
    a.apply_remote(&change.expect("a new criterion")).unwrap();
    let (from_nice, change) = a.make_criterion(ItemList::NiceToHaves, &nice).unwrap();
    b.apply_remote(&change.unwrap()).unwrap();
    assert_eq!(a.criteria(), b.criteria());
    let criteria = a.criteria();
    assert_eq!(criteria.len(), 2);
    assert_eq!(
        (criteria[0].name.as_str(), criteria[0].must_have),
        ("SQL", true)
    );
    assert_eq!(
        (criteria[1].name.as_str(), criteria[1].must_have),
        ("dbt", false)
    );

    // Linked both ways, and asking again changes nothing.
    assert_eq!(
        a.intake_items(ItemList::MustHaves)[0].criterion,
        Some(from_must.clone())
    );
    assert_eq!(
        a.criterion_item(&from_nice),
        Some((ItemList::NiceToHaves, nice.clone()))
    );
    assert_eq!(
        a.make_criterion(ItemList::MustHaves, &must).unwrap(),
        (from_must.clone(), None)
    );
    // Renaming one offers the other.
    let item_field = TextField::IntakeItem(ItemList::MustHaves, must.clone());
    let criterion_field = TextField::CriterionName(from_must.clone());
    assert_eq!(a.linked_field(&item_field), Some(criterion_field.clone()));
    assert_eq!(a.linked_field(&criterion_field), Some(item_field.clone()));
    assert_eq!(a.linked_field(&TextField::Title), None);

    // Removing the criterion unlinks the item; undoing the removal links it again.
    let removed = a.criteria()[0].clone();
    a.remove_criterion(&from_must).unwrap();
    assert_eq!(a.linked_field(&item_field), None);
    assert_eq!(a.intake_items(ItemList::MustHaves)[0].criterion, None);
    a.restore_criterion(&removed).unwrap();
    assert_eq!(a.linked_field(&item_field), Some(criterion_field.clone()));

    // And the same from the item's side.
    let item = a.intake_items(ItemList::MustHaves)[0].clone();
    a.remove_intake_item(ItemList::MustHaves, &must).unwrap();
    assert_eq!(a.linked_field(&criterion_field), None);
    assert_eq!(
        a.criteria().len(),
        2,
        "the criterion stays on the scorecard"
    );
    a.restore_intake_item(ItemList::MustHaves, &item).unwrap();
    assert_eq!(a.linked_field(&criterion_field), Some(item_field));
}

#[test]
fn an_item_made_a_criterion_on_both_sides_at_once_keeps_one_linked_pair() {
    let (mut a, mut b) = pair();
    let (must, c) = a.add_intake_item(ItemList::MustHaves, "SQL").unwrap();
    b.apply_remote(&c).unwrap();
    let (ca, change_a) = a.make_criterion(ItemList::MustHaves, &must).unwrap();
    let (cb, change_b) = b.make_criterion(ItemList::MustHaves, &must).unwrap();
    exchange(&mut a, &[change_a.unwrap()], &mut b, &[change_b.unwrap()]);

    assert_eq!(a.criteria(), b.criteria());
    assert_eq!(a.criteria().len(), 2, "nothing made is lost");
    let linked = a.item_criterion(ItemList::MustHaves, &must).unwrap();
    assert_eq!(
        b.item_criterion(ItemList::MustHaves, &must),
        Some(linked.clone())
    );
    let other = if linked == ca { cb } else { ca };
    assert_eq!(
        a.criterion_item(&other),
        None,
        "the other is plainly unlinked"
    );
    assert_eq!(a.criterion_item(&linked), Some((ItemList::MustHaves, must)));
}

#[test]
fn people_joining_at_once_are_all_listed_and_update_their_own_entry() {
    let (mut a, mut b) = pair();
    let recruiter = PersonId("p-recruiter".into());
    let manager = PersonId("p-manager".into());
    let from_a = vec![a
        .set_person(&recruiter, "Sanne", Role::Recruiter, "#2a9d8f", 1_000)
        .unwrap()
        .unwrap()];
    let from_b = vec![b
        .set_person(&manager, "Joost", Role::HiringManager, "#e76f51", 2_000)
        .unwrap()
        .unwrap()];
    exchange(&mut a, &from_a, &mut b, &from_b);
    let people = a.people();
    assert_eq!(people, b.people());
    let names: Vec<_> = people.iter().map(|p| (p.name.as_str(), p.role)).collect();
    assert_eq!(
        names,
        [("Sanne", Role::Recruiter), ("Joost", Role::HiringManager)]
    );

    // Nothing new: no change. A new name: one change, joined_at kept.
    assert!(a
        .set_person(&recruiter, "Sanne", Role::Recruiter, "#2a9d8f", 5_000)
        .unwrap()
        .is_none());
    let c = a
        .set_person(
            &recruiter,
            "Sanne de Vries",
            Role::Recruiter,
            "#2a9d8f",
            5_000,
        )
        .unwrap()
        .unwrap();
    b.apply_remote(&c).unwrap();
    let sanne = b.person(&recruiter).unwrap();
    assert_eq!(
        (sanne.name.as_str(), sanne.joined_at),
        ("Sanne de Vries", 1_000)
    );
    assert_eq!(b.person(&PersonId("nobody".into())), None);

    assert_eq!(Role::parse("hiring_manager"), Role::HiringManager);
    assert_eq!(
        Role::parse("sourcer"),
        Role::Interviewer,
        "unknown roles read leniently"
    );
}

#[test]
fn sign_offs_are_recorded_whole_and_replaced_by_a_new_one() {
    let (mut a, mut b) = pair();
    let sanne = PersonId("p1".into());
    let joost = PersonId("p2".into());
    assert!(a.sign_offs().is_empty());
    let c1 = a
        .sign_off(SignOffRole::Recruiter, &sanne, "Sanne", 1_000, "fp-1")
        .unwrap();
    let c2 = b
        .sign_off(SignOffRole::HiringManager, &joost, "Joost", 2_000, "fp-1")
        .unwrap();
    exchange(&mut a, &[c1], &mut b, &[c2]);
    let both = a.sign_offs();
    assert_eq!(both, b.sign_offs());
    assert_eq!(both.len(), 2);
    assert_eq!(both[0].role, SignOffRole::Recruiter);
    assert_eq!(
        (
            both[1].name.as_str(),
            both[1].at,
            both[1].fingerprint.as_str()
        ),
        ("Joost", 2_000, "fp-1")
    );
    assert_eq!(both[1].person, Some(joost.clone()));

    // Both confirm the hiring manager's sign-off again at once (say on two devices): one record
    // wins whole, never the time of one with the fingerprint of the other.
    let c1 = a
        .sign_off(SignOffRole::HiringManager, &joost, "Joost", 3_000, "fp-2")
        .unwrap();
    let c2 = b
        .sign_off(SignOffRole::HiringManager, &joost, "Joost", 4_000, "fp-3")
        .unwrap();
    exchange(&mut a, &[c1], &mut b, &[c2]);
    let hm = a.sign_offs()[1].clone();
    assert_eq!(a.sign_offs(), b.sign_offs());
    assert!(
        (hm.at, hm.fingerprint.as_str()) == (3_000, "fp-2")
            || (hm.at, hm.fingerprint.as_str()) == (4_000, "fp-3"),
        "{hm:?}"
    );
}

#[test]
fn the_status_is_read_and_set_and_unknown_values_read_as_draft() {
    let (mut a, mut b) = pair();
    assert_eq!(a.status(), Status::Draft);
    for status in Status::ALL {
        let c = a.set_status(status).unwrap();
        b.apply_remote(&c).unwrap();
        assert_eq!(b.status(), status);
        assert_eq!(Status::parse(status.as_str()), status);
    }
    assert_eq!(Status::parse("archived"), Status::Draft);
}

#[test]
fn a_document_from_a_newer_app_refuses_intake_edits() {
    let (mut a, _) = pair();
    let (must, _) = a.add_intake_item(ItemList::MustHaves, "SQL").unwrap();
    let bytes = a.save();
    let future = tandem_domain::vacancy::test_support::bump_schema(&mut a, 99);
    let mut old = Vacancy::load(&bytes).unwrap();
    old.apply_remote(&future).unwrap();
    assert_eq!(old.schema_status(), SchemaStatus::Newer(99));
    assert_eq!(
        old.intake_items(ItemList::MustHaves).len(),
        1,
        "still readable"
    );
    assert!(old.add_stage("x").is_err());
    assert!(old.make_criterion(ItemList::MustHaves, &must).is_err());
    assert!(old.set_status(Status::Open).is_err());
    assert!(
        old.criteria().is_empty(),
        "a refused edit leaves nothing behind"
    );
}
