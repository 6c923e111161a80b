//! What a change touched: a keystroke in one criterion reports that criterion's field and
//! nothing of the others, locally and after merging it on the partner's device.

use std::collections::HashSet;

use tandem_domain::changes::{areas_at, Area, Section, Touched};
use tandem_domain::{Category, CriterionId, IntakeText, ItemList, TextField, Vacancy};

fn pair() -> (Vacancy, Vacancy) {
    let (a, first) = Vacancy::create("Senior data engineer", 1_700_000_000_000);
    let mut b = Vacancy::empty();
    b.apply_remote(&first).unwrap();
    (a, b)
}

fn set(t: &Touched) -> HashSet<Area> {
    t.areas().cloned().collect()
}

fn criterion(a: &mut Vacancy, b: &mut Vacancy, name: &str) -> CriterionId {
    let (id, c) = a.add_criterion(name, Category::Competency).unwrap();
    b.apply_remote(&c).unwrap();
    id
}

#[test]
fn a_splice_in_one_description_reports_only_that_description() {
    let (mut a, mut b) = pair();
    let one = criterion(&mut a, &mut b, "SQL");
    let other = criterion(&mut a, &mut b, "Python");
    let field = TextField::CriterionDescription(one.clone());
    // As the app does it: the index starts once the document is loaded.
    a.keep_track();
    b.keep_track();
    let before_b = b.heads();
    let change = a
        .set_text(&field, "Writes window functions")
        .unwrap()
        .unwrap();
    let expected: HashSet<Area> = [Area::Section(Section::Scorecard), Area::Text(field.clone())]
        .into_iter()
        .collect();
    assert_eq!(set(&a.touched()), expected);
    // Asked again, nothing more has changed.
    assert!(a.touched().is_empty());

    // The partner merges the same keystroke and is told the same, by the index and by a walk
    // of the document.
    b.apply_remote(&change).unwrap();
    assert_eq!(set(&b.touched_since(&before_b)), expected);
    let remote = b.touched();
    assert_eq!(set(&remote), expected);
    assert!(!remote.contains(&Area::Criterion(other.clone())));
    assert!(!remote.contains(&Area::Text(TextField::CriterionDescription(other))));
    assert!(!remote.contains(&Area::Criteria));
}

#[test]
fn a_weight_reports_the_criterion_and_a_move_reports_the_list() {
    let (mut a, mut b) = pair();
    let one = criterion(&mut a, &mut b, "SQL");
    let _two = criterion(&mut a, &mut b, "Python");
    let before = a.heads();
    a.set_weight(&one, 5).unwrap();
    let t = a.touched_since(&before);
    assert!(t.contains(&Area::Criterion(one.clone())));
    assert!(!t.contains(&Area::Criteria), "a weight keeps the order");

    let before = a.heads();
    a.move_criterion(&one, 1).unwrap();
    let t = a.touched_since(&before);
    assert!(t.contains(&Area::Criteria));
    assert!(t.contains(&Area::Criterion(one)));
}

#[test]
fn adding_a_criterion_reports_the_list_and_its_texts() {
    let (mut a, mut b) = pair();
    let before = b.heads();
    let id = criterion(&mut a, &mut b, "SQL");
    let t = b.touched_since(&before);
    assert!(t.contains(&Area::Criteria));
    assert!(t.contains(&Area::Criterion(id.clone())));
    assert!(t.contains(&Area::Text(TextField::CriterionName(id))));
}

#[test]
fn intake_texts_and_lists_are_told_apart() {
    let (mut a, _) = pair();
    let before = a.heads();
    a.set_text(&TextField::Intake(IntakeText::Profile), "Hands-on")
        .unwrap();
    let t = a.touched_since(&before);
    let expected: HashSet<Area> = [
        Area::Section(Section::Intake),
        Area::Text(TextField::Intake(IntakeText::Profile)),
    ]
    .into_iter()
    .collect();
    assert_eq!(set(&t), expected);

    let before = a.heads();
    let (item, _) = a.add_intake_item(ItemList::MustHaves, "SQL").unwrap();
    let t = a.touched_since(&before);
    assert!(t.contains(&Area::Items(ItemList::MustHaves)));
    assert!(!t.contains(&Area::Items(ItemList::NiceToHaves)));

    let before = a.heads();
    let field = TextField::IntakeItem(ItemList::MustHaves, item);
    a.set_text(&field, "SQL, daily").unwrap();
    let t = a.touched_since(&before);
    assert!(t.contains(&Area::Text(field)));
    assert!(!t.contains(&Area::Items(ItemList::MustHaves)));
}

#[test]
fn the_index_reports_each_change_once_in_turn() {
    let (mut a, mut b) = pair();
    let one = criterion(&mut a, &mut b, "SQL");
    a.keep_track();
    a.set_weight(&one, 4).unwrap();
    assert!(a.touched().contains(&Area::Criterion(one.clone())));
    a.set_text(&TextField::CriterionName(one.clone()), "SQL and dbt")
        .unwrap();
    let t = a.touched();
    assert!(t.contains(&Area::Text(TextField::CriterionName(one.clone()))));
    assert!(
        !t.contains(&Area::Criterion(one)),
        "the weight was told before"
    );
}

#[test]
fn nothing_new_reports_nothing() {
    let (mut a, _) = pair();
    let heads = a.heads();
    assert!(a.touched_since(&heads).is_empty());
}

#[test]
fn paths_outside_the_layout_are_other() {
    assert_eq!(areas_at(&[]), vec![Area::Section(Section::Other)]);
    assert_eq!(
        areas_at(&[Some("something_new"), Some("x")]),
        vec![Area::Section(Section::Other)]
    );
    // A list index inside a text's path (automerge never makes one here, but a hostile
    // document may) reads as no key rather than failing.
    assert_eq!(
        areas_at(&[Some("scorecard"), Some("criteria"), None]),
        vec![Area::Section(Section::Scorecard), Area::Criteria]
    );
}

#[test]
fn a_move_reports_the_pipeline_and_a_name_only_that_candidate() {
    use tandem_domain::{CandidateStage, FeedbackDraft, PersonId, Recommendation};
    let (mut a, mut b) = pair();
    let (first, c) = a.add_stage("Phone screen").unwrap();
    b.apply_remote(&c).unwrap();
    let (second, c) = a.add_stage("Case").unwrap();
    b.apply_remote(&c).unwrap();
    let before = b.heads();
    let (ada, c) = a.add_candidate("Ada", 1_700_000_000_000).unwrap();
    b.apply_remote(&c).unwrap();
    let (bob, c) = a.add_candidate("Bob", 1_700_000_000_001).unwrap();
    b.apply_remote(&c).unwrap();
    let t = b.touched_since(&before);
    assert!(
        t.contains(&Area::Pipeline),
        "new candidates change the columns"
    );
    assert!(t.contains(&Area::Candidate(ada.clone())));
    a.keep_track();
    b.keep_track();

    // A keystroke in a name: that candidate and that text, not the columns nor the other.
    let change = a
        .set_text(&TextField::CandidateName(ada.clone()), "Ada L.")
        .unwrap()
        .unwrap();
    b.apply_remote(&change).unwrap();
    let expected: HashSet<Area> = [
        Area::Section(Section::Candidates),
        Area::Candidate(ada.clone()),
        Area::Text(TextField::CandidateName(ada.clone())),
    ]
    .into_iter()
    .collect();
    assert_eq!(set(&a.touched()), expected);
    assert_eq!(set(&b.touched()), expected);

    // A move: that candidate and the columns.
    let to = CandidateStage::Stage(second.clone());
    let change = a
        .move_candidate(&bob, &to, 1_700_000_000_002)
        .unwrap()
        .unwrap();
    b.apply_remote(&change).unwrap();
    for t in [a.touched(), b.touched()] {
        assert!(t.contains(&Area::Pipeline));
        assert!(t.contains(&Area::Candidate(bob.clone())));
        assert!(!t.contains(&Area::Candidate(ada.clone())));
    }

    // An interview, its interviewers and the feedback on it name the candidate inside them,
    // not in their path: they report that candidate all the same, and not the columns.
    let (interview, change) = a.add_interview(&ada, &first, None).unwrap();
    b.apply_remote(&change).unwrap();
    let henk = PersonId("henk".into());
    let change = a.set_interviewer(&interview, &henk, true).unwrap();
    b.apply_remote(&change).unwrap();
    for t in [a.touched(), b.touched()] {
        assert!(t.contains(&Area::Candidate(ada.clone())));
        assert!(t.contains(&Area::Section(Section::Interviews)));
        assert!(!t.contains(&Area::Candidate(bob.clone())));
        assert!(!t.contains(&Area::Pipeline));
    }
    let mut draft = FeedbackDraft::new(interview.clone());
    draft.recommendation = Some(Recommendation::Yes);
    let (_, change) = a.submit_feedback(&draft, &henk, 1_700_000_000_003).unwrap();
    b.apply_remote(&change).unwrap();
    assert_eq!(b.submitted_count(&ada), (1, 1));
    for t in [a.touched(), b.touched()] {
        assert!(t.contains(&Area::Candidate(ada.clone())));
        assert!(!t.contains(&Area::Candidate(bob.clone())));
    }

    // Removed, the interview is no longer there to ask: whose it was is read from before.
    let before = b.heads();
    let change = a.remove_interview(&interview).unwrap();
    b.apply_remote(&change).unwrap();
    assert!(a.touched().contains(&Area::Candidate(ada.clone())));
    assert!(b
        .touched_since(&before)
        .contains(&Area::Candidate(ada.clone())));
    assert_eq!(b.submitted_count(&ada), (0, 0));
}
