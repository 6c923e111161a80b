//! Inputs on which the fuzzer (`fuzz/`, `scripts/fuzz.sh`) once made the domain panic, replayed
//! as the `doc_load` target runs them, so a plain `cargo test` keeps them fixed. Each file in
//! `fuzz_regressions/doc_load/` is one such input, named after what it broke.

#[path = "fuzz_regressions/exercise.rs"]
mod exercise;

use tandem_domain::{Caret, Category, TextField, Vacancy};

#[test]
fn kept_crashing_inputs_no_longer_panic() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions/doc_load");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("the regression inputs folder") {
        let path = entry.expect("a directory entry").path();
        let bytes = std::fs::read(&path).expect("a regression input");
        eprintln!("replaying {}", path.display());
        exercise::document_bytes(&bytes);
        count += 1;
    }
    assert!(count > 0, "no inputs in {}", dir.display());
}

/// The first find: a caret past the start of an empty field (a fresh criterion's description)
/// subtracted one from zero.
#[test]
fn a_caret_in_an_empty_field_is_at_its_start() {
    let (mut v, _) = Vacancy::create("Data engineer", 1_700_000_000_000);
    let (id, _) = v.add_criterion("SQL", Category::Experience).unwrap();
    let field = TextField::CriterionDescription(id);
    assert_eq!(v.caret(&field, 1), Some(Caret::Start));
    assert_eq!(v.caret_position(&field, &Caret::Start), Some(0));
}
