//! What the two-device tests share: a vacancy on two devices, and delivering changes between
//! them as the relay would.

use tandem_domain::Vacancy;

/// One vacancy, made on the first device and received by the second.
pub fn pair() -> (Vacancy, Vacancy) {
    let (a, first) = Vacancy::create("Senior data engineer", 1_700_000_000_000);
    let mut b = Vacancy::empty();
    b.apply_remote(&first).unwrap();
    (a, b)
}

/// Delivers each side's changes to the other, in the order they were made.
#[allow(dead_code)] // not every test file exchanges changes both ways
pub fn exchange(a: &mut Vacancy, from_a: &[Vec<u8>], b: &mut Vacancy, from_b: &[Vec<u8>]) {
    for c in from_b {
        a.apply_remote(c).unwrap();
    }
    for c in from_a {
        b.apply_remote(c).unwrap();
    }
}
