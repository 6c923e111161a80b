//! "No intake, no vacancy": whether a vacancy may open, and which status changes are allowed.
//!
//! A vacancy can only become *open* when the intake's required parts are filled in and both the
//! recruiter and the hiring manager have signed it off. [`gate`] is that rule, in one place, and
//! says exactly what is still missing so the page can link each item to its field.
//!
//! A sign-off is a promise about what the intake said at the time. It records a [`fingerprint`]
//! of the required parts; when someone edits a required part afterwards, the fingerprint no
//! longer matches and the sign-off reads as "given before the last change"
//! ([`Missing::SignOffStale`]) until its signer confirms it again. The fingerprint is SHA-256 over
//! a fixed encoding of the parts, so every device (and every future build) computes the same
//! value for the same intake. Text is compared as people read it: surrounding whitespace and
//! runs of whitespace do not count, and a whitespace-only field is empty.
//!
//! Status changes ([`can_change_status`]): a vacancy starts as a draft; any move *to* open passes
//! the gate, also coming back from on hold, filled or closed, because the intake may have changed
//! in the meantime; an open vacancy can be put on hold, filled or closed; one on hold can be
//! filled or closed; a draft can be closed (abandoned) but not filled or put on hold, since it was
//! never open. Filled and closed are ends, left only by reopening. Nothing goes back to draft.

use sha2::{Digest, Sha256};

use crate::intake::{SignOff, SignOffRole};
use crate::vacancy::Status;

/// The required parts of an intake, as plain text read from the document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequiredParts {
    pub role_title: String,
    pub profile: String,
    /// The must-haves' texts; their order does not matter.
    pub must_haves: Vec<String>,
    /// The stages' names, in the order of the process (which matters).
    pub stages: Vec<String>,
    pub contact_agreements: String,
    /// The scorecard's criteria, in scorecard order.
    pub criteria: Vec<CriterionPart>,
}

/// What of a scorecard criterion the sign-off covers: its name and whether it is a knock-out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CriterionPart {
    pub name: String,
    pub must_have: bool,
}

/// What the gate looks at: the required parts and the sign-offs as the document has them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GateInput {
    pub parts: RequiredParts,
    /// At most one per role (the document keeps them under the role's key).
    pub sign_offs: Vec<SignOff>,
}

/// One thing that keeps a vacancy from opening; each maps to one field or button on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Missing {
    RoleTitle,
    Profile,
    MustHave,
    Stage,
    ContactAgreements,
    Criterion,
    /// This person has not signed off.
    SignOff(SignOffRole),
    /// This person signed off before the last change to a required part: to confirm again.
    SignOffStale(SignOffRole),
}

/// What [`gate`] found: everything missing, in the order of the page (the intake's parts top to
/// bottom, then the recruiter's sign-off, then the hiring manager's).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GateResult {
    pub missing: Vec<Missing>,
}

impl GateResult {
    /// Whether the vacancy may be opened.
    pub fn passes(&self) -> bool {
        self.missing.is_empty()
    }
}

/// Whether the intake is complete and signed off by both, and if not, what is missing.
pub fn gate(input: &GateInput) -> GateResult {
    let parts = &input.parts;
    let mut missing = Vec::new();
    if is_blank(&parts.role_title) {
        missing.push(Missing::RoleTitle);
    }
    if is_blank(&parts.profile) {
        missing.push(Missing::Profile);
    }
    if parts.must_haves.iter().all(|m| is_blank(m)) {
        missing.push(Missing::MustHave);
    }
    if parts.stages.iter().all(|s| is_blank(s)) {
        missing.push(Missing::Stage);
    }
    if is_blank(&parts.contact_agreements) {
        missing.push(Missing::ContactAgreements);
    }
    if parts.criteria.iter().all(|c| is_blank(&c.name)) {
        missing.push(Missing::Criterion);
    }
    let current = fingerprint(parts);
    for role in SignOffRole::ALL {
        match input
            .sign_offs
            .iter()
            .find(|s| s.role == role && !is_blank(&s.name))
        {
            Some(s) if s.fingerprint == current => {}
            Some(_) => missing.push(Missing::SignOffStale(role)),
            None => missing.push(Missing::SignOff(role)),
        }
    }
    GateResult { missing }
}

/// A stable fingerprint of the required parts: 64 lowercase hex digits of SHA-256.
///
/// The encoding is versioned and length-prefixed, so no two different intakes encode alike.
/// Blank list items are left out, must-haves are sorted (their order is presentation), stages and
/// criteria keep their order.
pub fn fingerprint(parts: &RequiredParts) -> String {
    let mut enc = Encoder(Sha256::new());
    enc.field(b"tandem/intake-sign-off/v1");
    enc.text(&parts.role_title);
    enc.text(&parts.profile);
    enc.text(&parts.contact_agreements);
    let mut must_haves = non_blank(parts.must_haves.iter().map(String::as_str));
    crate::sorting::sort(&mut must_haves);
    enc.list(&must_haves);
    enc.list(&non_blank(parts.stages.iter().map(String::as_str)));
    let criteria: Vec<&CriterionPart> = parts
        .criteria
        .iter()
        .filter(|c| !is_blank(&c.name))
        .collect();
    enc.count(criteria.len());
    for c in criteria {
        enc.text(&c.name);
        enc.field(if c.must_have {
            b"knock-out".as_slice()
        } else {
            b"weighted".as_slice()
        });
    }
    enc.0
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The fingerprint's encoding: every field length-prefixed, every list counted.
struct Encoder(Sha256);

impl Encoder {
    fn field(&mut self, bytes: &[u8]) {
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    fn text(&mut self, s: &str) {
        self.field(normalize(s).as_bytes());
    }

    fn count(&mut self, n: usize) {
        self.0.update((n as u64).to_le_bytes());
    }

    fn list(&mut self, items: &[String]) {
        self.count(items.len());
        for item in items {
            self.text(item);
        }
    }
}

fn is_blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// Text as a reader sees it: trimmed, every run of whitespace one space.
fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn non_blank<'a>(items: impl Iterator<Item = &'a str>) -> Vec<String> {
    items.filter(|s| !is_blank(s)).map(normalize).collect()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    /// A change the life of a vacancy does not have (a draft cannot be filled, say).
    #[error("a vacancy cannot go from {} to {}", .from.as_str(), .to.as_str())]
    NotAllowed { from: Status, to: Status },
    /// Opening is refused until the gate passes; carries what is missing, for the page.
    #[error("the intake is not complete and signed off yet")]
    GateClosed(Vec<Missing>),
}

/// Whether a vacancy may go from `from` to `to`, given the gate's verdict. Staying in the same
/// status is no change and always allowed.
pub fn can_change_status(from: Status, to: Status, gate: &GateResult) -> Result<(), StatusError> {
    use Status::*;
    if from == to {
        return Ok(());
    }
    let allowed = matches!(
        (from, to),
        (Draft | OnHold | Filled | Closed, Open)
            | (Draft, Closed)
            | (Open, OnHold | Filled | Closed)
            | (OnHold, Filled | Closed)
    );
    if !allowed {
        return Err(StatusError::NotAllowed { from, to });
    }
    if to == Open && !gate.passes() {
        return Err(StatusError::GateClosed(gate.missing.clone()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete() -> RequiredParts {
        RequiredParts {
            role_title: "Backend developer".into(),
            profile: "Builds and runs our payment services.".into(),
            must_haves: vec!["Rust in production".into(), "Dutch or English".into()],
            stages: vec!["First interview".into(), "Case".into()],
            contact_agreements: "The recruiter calls every candidate back within two days.".into(),
            criteria: vec![CriterionPart {
                name: "Rust".into(),
                must_have: true,
            }],
        }
    }

    fn signed(role: SignOffRole, name: &str, parts: &RequiredParts) -> SignOff {
        SignOff {
            role,
            name: name.into(),
            person: None,
            at: 1_762_500_000_000,
            fingerprint: fingerprint(parts),
        }
    }

    fn signed_by_both(parts: RequiredParts) -> GateInput {
        GateInput {
            sign_offs: vec![
                signed(SignOffRole::Recruiter, "Rana", &parts),
                signed(SignOffRole::HiringManager, "Henk", &parts),
            ],
            parts,
        }
    }

    /// Replaces the sign-off of `s.role`.
    fn sign(input: &mut GateInput, s: SignOff) {
        input.sign_offs.retain(|x| x.role != s.role);
        input.sign_offs.push(s);
    }

    #[test]
    fn a_complete_intake_signed_by_both_opens() {
        let result = gate(&signed_by_both(complete()));
        assert_eq!(result.missing, vec![]);
        assert!(result.passes());
    }

    #[test]
    fn an_empty_intake_names_everything_in_page_order() {
        assert_eq!(
            gate(&GateInput::default()).missing,
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
    }

    #[test]
    fn each_missing_part_is_named() {
        type Removal = fn(&mut RequiredParts);
        let cases: [(Removal, Missing); 6] = [
            (|p| p.role_title.clear(), Missing::RoleTitle),
            (|p| p.profile.clear(), Missing::Profile),
            (|p| p.must_haves.clear(), Missing::MustHave),
            (|p| p.stages.clear(), Missing::Stage),
            (|p| p.contact_agreements.clear(), Missing::ContactAgreements),
            (|p| p.criteria.clear(), Missing::Criterion),
        ];
        for (remove, expected) in cases {
            let mut parts = complete();
            remove(&mut parts);
            // Signed after the removal, so only the part itself is missing.
            assert_eq!(gate(&signed_by_both(parts)).missing, vec![expected]);
        }
    }

    #[test]
    fn whitespace_is_empty() {
        let mut parts = complete();
        parts.role_title = "  \t".into();
        parts.profile = "\n\n".into();
        parts.must_haves = vec![" ".into(), "".into()];
        parts.stages = vec!["\u{a0}".into()];
        parts.contact_agreements = " \r\n ".into();
        parts.criteria = vec![CriterionPart {
            name: "   ".into(),
            must_have: true,
        }];
        assert_eq!(
            gate(&signed_by_both(parts)).missing,
            vec![
                Missing::RoleTitle,
                Missing::Profile,
                Missing::MustHave,
                Missing::Stage,
                Missing::ContactAgreements,
                Missing::Criterion,
            ]
        );
    }

    #[test]
    fn both_must_sign_off_by_name() {
        let parts = complete();
        let mut input = signed_by_both(parts.clone());
        input.sign_offs.retain(|s| s.role != SignOffRole::Recruiter);
        assert_eq!(
            gate(&input).missing,
            vec![Missing::SignOff(SignOffRole::Recruiter)]
        );
        let mut input = signed_by_both(parts.clone());
        sign(&mut input, signed(SignOffRole::HiringManager, "  ", &parts));
        assert_eq!(
            gate(&input).missing,
            vec![Missing::SignOff(SignOffRole::HiringManager)]
        );
    }

    #[test]
    fn a_sign_off_before_a_later_change_no_longer_counts() {
        let mut input = signed_by_both(complete());
        input
            .parts
            .profile
            .push_str(" Also on call one week in six.");
        assert_eq!(
            gate(&input).missing,
            vec![
                Missing::SignOffStale(SignOffRole::Recruiter),
                Missing::SignOffStale(SignOffRole::HiringManager),
            ]
        );
        // The hiring manager confirms again; the recruiter's is still from before.
        let again = signed(SignOffRole::HiringManager, "Henk", &input.parts);
        sign(&mut input, again);
        assert_eq!(
            gate(&input).missing,
            vec![Missing::SignOffStale(SignOffRole::Recruiter)]
        );
        let again = signed(SignOffRole::Recruiter, "Rana", &input.parts);
        sign(&mut input, again);
        assert!(gate(&input).passes());
    }

    #[test]
    fn the_fingerprint_follows_content_not_presentation() {
        let base = fingerprint(&complete());
        assert_eq!(base.len(), 64);
        assert!(base
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        let same = |f: fn(&mut RequiredParts)| {
            let mut p = complete();
            f(&mut p);
            fingerprint(&p) == base
        };
        assert!(
            same(|p| p.profile = format!("  {}\n", p.profile)),
            "surrounding whitespace"
        );
        assert!(
            same(|p| p.role_title = "Backend   developer".into()),
            "a run of spaces"
        );
        assert!(same(|p| p.must_haves.reverse()), "must-haves reordered");
        assert!(same(|p| p.stages.push("  ".into())), "a blank stage");
        assert!(!same(|p| p.stages.reverse()), "stages reordered");
        assert!(!same(|p| p.criteria[0].must_have = false), "knock-out flag");
        assert!(!same(|p| p.role_title.push('s')), "one letter");
        // Moving text between fields is a change, even though the concatenation is the same.
        let mut a = complete();
        a.must_haves = vec!["ab".into(), "c".into()];
        let mut b = complete();
        b.must_haves = vec!["a".into(), "bc".into()];
        assert_ne!(fingerprint(&a), fingerprint(&b));
    }

    #[test]
    fn the_fingerprint_is_pinned() {
        // The same on every device and in every future build: a change here invalidates every
        // sign-off ever given, so it needs a new version tag, not a new expected value. The
        // value was checked against a separate implementation of the encoding (Python hashlib).
        assert_eq!(
            fingerprint(&complete()),
            "a9e14b3e81243f7909d8fb57590093adfd19889e3eea1642f122c96b6d21dfed"
        );
    }

    #[test]
    fn status_changes() {
        use Status::*;
        let open = GateResult::default();
        let closed = gate(&GateInput::default());
        assert_eq!(can_change_status(Draft, Open, &open), Ok(()));
        assert_eq!(
            can_change_status(Draft, Open, &closed),
            Err(StatusError::GateClosed(closed.missing.clone()))
        );
        for (from, to) in [
            (Open, OnHold),
            (Open, Filled),
            (Open, Closed),
            (OnHold, Filled),
            (OnHold, Closed),
            (Draft, Closed),
        ] {
            assert_eq!(
                can_change_status(from, to, &closed),
                Ok(()),
                "{from:?} -> {to:?}"
            );
        }
        for from in [OnHold, Filled, Closed] {
            assert_eq!(
                can_change_status(from, Open, &open),
                Ok(()),
                "{from:?} reopens"
            );
            assert!(matches!(
                can_change_status(from, Open, &closed),
                Err(StatusError::GateClosed(_))
            ));
        }
        for (from, to) in [
            (Draft, OnHold),
            (Draft, Filled),
            (Open, Draft),
            (Filled, Closed),
            (Closed, Filled),
            (Closed, Draft),
        ] {
            assert_eq!(
                can_change_status(from, to, &open),
                Err(StatusError::NotAllowed { from, to })
            );
        }
        assert_eq!(can_change_status(Open, Open, &closed), Ok(()));
    }
}
