//! What the `doc_load` fuzz target does with its input, shared with the regression test so that a
//! kept crashing input is re-checked exactly as the fuzzer ran it.
//!
//! Bytes from storage or the relay are loaded as a document and, separately, merged into an empty
//! one; whenever that works, every read, a caret in every field, a small edit and a save must work
//! without a panic, and the save must load again.

use tandem_domain::vacancy::test_support::make_deterministic;
use tandem_domain::{Category, IntakeText, ItemList, RoleText, TextField, Vacancy};

pub fn document_bytes(bytes: &[u8]) {
    if let Ok(mut v) = Vacancy::load(bytes) {
        read_everything(&mut v);
    }
    let mut v = Vacancy::empty();
    if v.apply_remote(bytes).is_ok() {
        read_everything(&mut v);
    }
}

fn read_everything(v: &mut Vacancy) {
    let _ = v.schema_status();
    let title = v.title();
    let _ = v.status();
    let _ = v.scale_max();
    let _ = v.heads();
    let _ = v.agreements();
    let _ = v.people();
    let _ = v.sign_offs();
    let _ = v.stage_targets();
    let mut fields = vec![TextField::Title, TextField::AgreementNotes];
    fields.extend(RoleText::ALL.map(TextField::Role));
    fields.extend(IntakeText::ALL.map(TextField::Intake));
    for c in v.criteria() {
        fields.push(TextField::CriterionName(c.id.clone()));
        fields.push(TextField::CriterionDescription(c.id));
    }
    for list in ItemList::ALL {
        for item in v.intake_items(list) {
            fields.push(TextField::IntakeItem(list, item.id));
        }
    }
    for s in v.stages() {
        fields.push(TextField::StageName(s.id.clone()));
        fields.push(TextField::StageInterviewers(s.id.clone()));
        fields.push(TextField::StageAssesses(s.id));
    }
    fields.extend(
        v.actions()
            .into_iter()
            .map(|a| TextField::ActionTitle(a.id)),
    );
    fields.extend(
        v.checkins()
            .into_iter()
            .map(|c| TextField::CheckinNotes(c.id)),
    );
    for field in &fields {
        let _ = v.linked_field(field);
        let len = v.text(field).map_or(0, |t| t.encode_utf16().count());
        for pos in [0, 1, len / 2, len, len + 1] {
            if let Some(caret) = v.caret(field, pos) {
                let _ = v.caret_position(field, &caret);
            }
        }
    }
    // An edit of what arrived is reachable too: the user types into it. Deterministic ids and
    // actor keep the fuzzer's runs reproducible.
    make_deterministic(v, 0);
    let _ = v.set_text(&TextField::Title, &format!("{title}!"));
    let _ = v.add_criterion("Fuzzed", Category::Trait);
    let _ = v.criteria();
    if let Ok((item, _)) = v.add_intake_item(ItemList::MustHaves, "Fuzzed") {
        let _ = v.make_criterion(ItemList::MustHaves, &item);
    }
    let _ = v.intake_items(ItemList::MustHaves);

    let saved = v.save();
    if let Err(e) = Vacancy::load(&saved) {
        panic!("a saved document does not load again: {e}");
    }
}
