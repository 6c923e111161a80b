//! Two devices editing one vacancy: every edit travels as change bytes, as it does through the
//! relay, and both documents must end up equal with nobody's work lost.

use tandem_domain::{Category, SchemaStatus, TextField, Vacancy};

fn pair() -> (Vacancy, Vacancy) {
    let (mut a, first) = Vacancy::create("Senior data engineer", 1_700_000_000_000);
    let mut b = Vacancy::empty();
    assert_eq!(b.schema_status(), SchemaStatus::Empty);
    b.apply_remote(&first).unwrap();
    assert_eq!(b.title(), "Senior data engineer");
    let _ = a.save();
    (a, b)
}

#[test]
fn concurrent_typing_in_one_description_keeps_both_texts() {
    let (mut a, mut b) = pair();
    let (id, add) = a
        .add_criterion("Stakeholder management", Category::Competency)
        .unwrap();
    b.apply_remote(&add).unwrap();
    let field = TextField::CriterionDescription(id.clone());
    let base = a.set_text(&field, "Explains trade-offs.").unwrap().unwrap();
    b.apply_remote(&base).unwrap();

    // Both type at the same time, neither having seen the other's keystrokes.
    let mut from_a = Vec::new();
    let mut text_a = "Explains trade-offs.".to_string();
    for ch in " To managers".chars() {
        text_a.push(ch);
        from_a.push(a.set_text(&field, &text_a).unwrap().unwrap());
    }
    let mut from_b = Vec::new();
    let mut text_b = "Explains trade-offs.".to_string();
    for ch in "Clearly e".chars().rev() {
        text_b.insert(0, ch);
        from_b.push(b.set_text(&field, &text_b).unwrap().unwrap());
    }
    // Deliver in different orders on each side.
    for c in from_b.iter().rev() {
        a.apply_remote(c).unwrap();
    }
    for c in &from_a {
        b.apply_remote(c).unwrap();
    }
    let merged = a.text(&field).unwrap();
    assert_eq!(merged, b.text(&field).unwrap());
    assert_eq!(merged, "Clearly eExplains trade-offs. To managers");
}

#[test]
fn scorecard_edits_merge_with_a_concurrent_move_and_remove() {
    let (mut a, mut b) = pair();
    let mut ids = Vec::new();
    for name in ["SQL", "Python", "Curiosity"] {
        let (id, c) = a.add_criterion(name, Category::Experience).unwrap();
        b.apply_remote(&c).unwrap();
        ids.push(id);
    }
    // A moves "Curiosity" to the top and makes it a trait; B renames it and raises its weight,
    // and removes "SQL".
    let c1 = a.move_criterion(&ids[2], 0).unwrap();
    let c2 = a.set_category(&ids[2], Category::Trait).unwrap();
    let c3 = b
        .set_text(
            &TextField::CriterionName(ids[2].clone()),
            "Curiosity & drive",
        )
        .unwrap()
        .unwrap();
    let c4 = b.set_weight(&ids[2], 4).unwrap();
    let c5 = b.remove_criterion(&ids[0]).unwrap();
    let c6 = b.set_must_have(&ids[1], true).unwrap();
    for c in [&c3, &c4, &c5, &c6] {
        a.apply_remote(c).unwrap();
    }
    for c in [&c1, &c2] {
        b.apply_remote(c).unwrap();
    }
    let list = a.criteria();
    assert_eq!(list, b.criteria());
    let names: Vec<_> = list.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Curiosity & drive", "Python"]);
    assert_eq!(list[0].category, Category::Trait);
    assert_eq!(list[0].weight, 4);
    assert!(list[1].must_have);
}

#[test]
fn a_removed_criterion_can_be_put_back_as_it_was() {
    let (mut a, mut b) = pair();
    let (id, c1) = a.add_criterion("SQL", Category::Experience).unwrap();
    let (_, c2) = a.add_criterion("Python", Category::Experience).unwrap();
    let c3 = a
        .set_text(
            &TextField::CriterionDescription(id.clone()),
            "Window functions",
        )
        .unwrap()
        .unwrap();
    let c4 = a.set_must_have(&id, true).unwrap();
    for c in [&c1, &c2, &c3, &c4] {
        b.apply_remote(c).unwrap();
    }
    let before = a.criteria();
    let removed = before[0].clone();
    let gone = a.remove_criterion(&id).unwrap();
    b.apply_remote(&gone).unwrap();
    assert_eq!(b.criteria().len(), 1);
    let back = a.restore_criterion(&removed).unwrap();
    b.apply_remote(&back).unwrap();
    assert_eq!(a.criteria(), before);
    assert_eq!(b.criteria(), before);
    assert_eq!(
        before[0].anchors.len(),
        4,
        "one anchor text per scale level"
    );
}

#[test]
fn reorder_places_between_neighbours() {
    let (mut a, _) = pair();
    let ids: Vec<_> = ["a", "b", "c", "d"]
        .iter()
        .map(|n| a.add_criterion(n, Category::Competency).unwrap().0)
        .collect();
    a.move_criterion(&ids[0], 2).unwrap();
    a.move_criterion(&ids[3], 0).unwrap();
    let names: String = a.criteria().iter().map(|c| c.name.clone()).collect();
    assert_eq!(names, "dbca");
    a.move_criterion(&ids[1], 99).unwrap();
    let names: String = a.criteria().iter().map(|c| c.name.clone()).collect();
    assert_eq!(names, "dcab");
}

#[test]
fn saved_documents_reload_and_a_newer_schema_is_read_only() {
    let (mut a, _) = pair();
    a.add_criterion("Ownership", Category::Trait).unwrap();
    let bytes = a.save();
    let mut reloaded = Vacancy::load(&bytes).unwrap();
    assert_eq!(reloaded.criteria().len(), 1);
    assert_eq!(reloaded.schema_status(), SchemaStatus::Current);

    // Simulate a document written by a future app.
    let future = tandem_domain::vacancy::test_support::bump_schema(&mut reloaded, 99);
    let mut old_app = Vacancy::load(&bytes).unwrap();
    old_app.apply_remote(&future).unwrap();
    assert_eq!(old_app.schema_status(), SchemaStatus::Newer(99));
    assert_eq!(old_app.criteria().len(), 1, "still readable");
    let err = old_app.add_criterion("x", Category::Trait).unwrap_err();
    assert!(err.to_string().contains("newer version"), "{err}");
    assert!(old_app.set_text(&TextField::Title, "changed").is_err());
}

#[test]
fn damaged_bytes_are_an_error_not_a_panic() {
    let (mut a, _) = pair();
    let mut bytes = a.save();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    bytes.truncate(mid + 3);
    // A damaged save must never panic; whatever loads is the valid part.
    let _ = Vacancy::load(&bytes);
    let mut b = Vacancy::empty();
    assert!(b.apply_remote(b"not automerge at all").is_err());
}

#[test]
fn carets_follow_remote_edits() {
    let (mut a, mut b) = pair();
    let title = TextField::Title;
    // B's caret sits after "data" in "Senior data engineer".
    let caret = b.caret(&title, 11).unwrap();
    let c = a
        .set_text(&title, "Lead senior data engineer")
        .unwrap()
        .unwrap();
    b.apply_remote(&c).unwrap();
    assert_eq!(b.caret_position(&title, &caret), Some(16));
    let start = b.caret(&title, 0).unwrap();
    assert_eq!(b.caret_position(&title, &start), Some(0));
    let end = b.caret(&title, 25).unwrap();
    assert_eq!(b.caret_position(&title, &end), Some(25));
}

#[test]
fn a_partner_typing_at_my_caret_does_not_push_it() {
    let (mut a, mut b) = pair();
    let title = TextField::Title;
    // Both carets after "Senior"; A types " lead" there, B's caret must stay after "Senior".
    let caret = b.caret(&title, 6).unwrap();
    let c = a
        .set_text(&title, "Senior lead data engineer")
        .unwrap()
        .unwrap();
    b.apply_remote(&c).unwrap();
    assert_eq!(b.caret_position(&title, &caret), Some(6));
    // And if the character left of the caret is deleted, the caret stays where it was.
    let caret = b.caret(&title, 11).unwrap(); // after "Senior lead"
    let c = a
        .set_text(&title, "Senior lea data engineer")
        .unwrap()
        .unwrap();
    b.apply_remote(&c).unwrap();
    assert_eq!(b.caret_position(&title, &caret), Some(10));
}
