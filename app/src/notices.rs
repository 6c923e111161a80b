//! What a partner's changes did that this device should be told about: something removed
//! ("Sanne removed the criterion ‘Rust’"), the intake signed off, feedback submitted.
//!
//! Before remote changes are merged, the session takes an [`Inventory`] of the things that can
//! go or arrive; after, [`news`] compares the two. Who removed something comes from the
//! changes' authors (see `tandem_domain::authors`); who signed off or gave feedback comes from
//! the record itself. Nothing here touches the page: the partner notices component shows it.

use tandem_domain::changes::{Area, Section, Touched};
use tandem_domain::intake::SignOffRole;
use tandem_domain::{ItemList, PersonId, TextField, Vacancy};

/// What kind of thing a partner removed, for the wording of the notice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Criterion,
    Candidate,
    /// A must-have, a nice-to-have, a stage or an action item: named by its own text.
    Item,
    /// Named by its date.
    Checkin,
}

/// One thing to tell.
#[derive(Clone, Debug, PartialEq)]
pub enum News {
    /// `by` is the names of who did it; empty when the changes do not say.
    Removed {
        by: Vec<String>,
        kind: Kind,
        name: String,
    },
    SignedOff {
        name: String,
    },
    Feedback {
        name: String,
        candidate: String,
    },
}

/// More than this from one batch of changes and the rest are left out: a notice is not a log.
const MAX_NEWS: usize = 3;

/// The things a partner can remove or add that matter, by id, as they were at one moment.
#[derive(Default, Debug, Clone)]
pub struct Inventory {
    removable: Vec<(Kind, String, String)>,
    sign_offs: Vec<(SignOffRole, i64, Option<PersonId>, String)>,
    feedback: Vec<(String, PersonId, String)>,
}

impl Inventory {
    pub fn of(v: &Vacancy) -> Self {
        let mut removable = Vec::new();
        for c in v.criteria() {
            removable.push((Kind::Criterion, c.id.as_str().to_string(), c.name));
        }
        let candidates = v.candidates();
        for c in &candidates {
            removable.push((Kind::Candidate, c.id.as_str().to_string(), c.name.clone()));
        }
        for list in [ItemList::MustHaves, ItemList::NiceToHaves] {
            for i in v.intake_items(list) {
                removable.push((Kind::Item, i.id.as_str().to_string(), i.text));
            }
        }
        for s in v.stages() {
            removable.push((Kind::Item, s.id.as_str().to_string(), s.name));
        }
        for a in v.actions() {
            removable.push((Kind::Item, a.id.as_str().to_string(), a.title));
        }
        for c in v.checkins() {
            removable.push((Kind::Checkin, c.id.as_str().to_string(), c.date));
        }
        let sign_offs = v
            .sign_offs()
            .into_iter()
            .map(|s| (s.role, s.at, s.person, s.name))
            .collect();
        let feedback = v
            .feedback()
            .into_iter()
            .map(|f| {
                let candidate = candidates
                    .iter()
                    .find(|c| c.id == f.candidate)
                    .map(|c| c.name.clone())
                    .unwrap_or_default();
                (f.id.as_str().to_string(), f.interviewer, candidate)
            })
            .collect();
        Inventory {
            removable,
            sign_offs,
            feedback,
        }
    }
}

/// Whether a change that touched only `touched` leaves an [`Inventory`] as it was: true for
/// the keystroke path (the intake's texts, a criterion's description, anchors and questions, a
/// weight), so the session keeps its inventory instead of reading the whole vacancy twice per
/// partner's keystroke. Anything else, or anything unknown, says no.
pub fn inventory_unchanged_by(touched: &Touched) -> bool {
    touched.areas().all(|area| match area {
        Area::Section(s) => matches!(
            s,
            Section::Vacancy
                | Section::Intake
                | Section::Scorecard
                | Section::Agreements
                | Section::Interviews
        ),
        // A candidate's own area comes with the part that names them (their name's text, the
        // pipeline, the feedback or decisions section) when the inventory can change.
        Area::Status | Area::Criterion(_) | Area::Candidate(_) => true,
        Area::Text(field) => matches!(
            field,
            TextField::Title
                | TextField::CriterionDescription(_)
                | TextField::Anchor(..)
                | TextField::Question(..)
                | TextField::Role(_)
                | TextField::Intake(_)
                | TextField::StageInterviewers(_)
                | TextField::StageAssesses(_)
                | TextField::AgreementNotes
        ),
        // The lists whose entries are named in it, sign-offs, and whatever is added later.
        _ => false,
    })
}

/// What changed from `before` to `after` that `me` did not do. `authors` made the changes in
/// between; `v` is the document after them (for people's names).
pub fn news(
    before: &Inventory,
    after: &Inventory,
    v: &Vacancy,
    authors: &[PersonId],
    me: &PersonId,
) -> Vec<News> {
    let mut out = Vec::new();
    // A change only this person made (on another device or tab) is no news to them.
    let by_me_only = !authors.is_empty() && authors.iter().all(|a| a == me);
    if !by_me_only {
        let people = v.people();
        let by: Vec<String> = authors
            .iter()
            .filter(|a| *a != me)
            .filter_map(|a| people.iter().find(|p| &p.id == a))
            .map(|p| p.name.clone())
            .filter(|n| !n.trim().is_empty())
            .collect();
        for (kind, id, name) in &before.removable {
            let still_there = after.removable.iter().any(|(k, i, _)| k == kind && i == id);
            if !still_there {
                out.push(News::Removed {
                    by: by.clone(),
                    kind: *kind,
                    name: name.clone(),
                });
            }
        }
    }
    for (role, at, person, name) in &after.sign_offs {
        let new = !before
            .sign_offs
            .iter()
            .any(|(r, a, _, _)| r == role && a == at);
        if new && person.as_ref() != Some(me) {
            out.push(News::SignedOff { name: name.clone() });
        }
    }
    let people = v.people();
    for (id, who, candidate) in &after.feedback {
        let new = !before.feedback.iter().any(|(i, _, _)| i == id);
        if new && who != me {
            let name = people
                .iter()
                .find(|p| &p.id == who)
                .map(|p| p.name.clone())
                .unwrap_or_default();
            out.push(News::Feedback {
                name,
                candidate: candidate.clone(),
            });
        }
    }
    out.truncate(MAX_NEWS);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_domain::{Category, Role};

    fn pair() -> (Vacancy, Vacancy, PersonId, PersonId) {
        let (mut mine, first) = Vacancy::create("Backend developer", 0);
        let mut theirs = Vacancy::load(&first).unwrap();
        let (me, sanne) = (PersonId("aa".into()), PersonId("bb".into()));
        let joined = mine
            .set_person(&me, "Rita", Role::Recruiter, "#1d4ed8", 1)
            .unwrap()
            .unwrap();
        theirs.apply_remote(&joined).unwrap();
        let joined = theirs
            .set_person(&sanne, "Sanne", Role::HiringManager, "#15803d", 2)
            .unwrap()
            .unwrap();
        mine.apply_remote(&joined).unwrap();
        theirs.set_author(Some(sanne.clone()));
        mine.set_author(Some(me.clone()));
        (mine, theirs, me, sanne)
    }

    #[test]
    fn a_criterion_a_partner_removed_is_told_with_their_name() {
        let (mut mine, mut theirs, me, _) = pair();
        let (id, added) = mine.add_criterion("Rust", Category::Competency).unwrap();
        theirs.apply_remote(&added).unwrap();
        let removed = theirs.remove_criterion(&id).unwrap();

        let before = Inventory::of(&mine);
        let heads = mine.heads();
        mine.apply_remote(&removed).unwrap();
        let authors = mine.authors_since(&heads);
        let told = news(&before, &Inventory::of(&mine), &mine, &authors, &me);
        assert_eq!(
            told,
            vec![News::Removed {
                by: vec!["Sanne".into()],
                kind: Kind::Criterion,
                name: "Rust".into()
            }]
        );
    }

    #[test]
    fn what_i_removed_myself_is_no_news() {
        let (mut mine, _, me, _) = pair();
        let (id, _) = mine.add_criterion("Rust", Category::Competency).unwrap();
        let before = Inventory::of(&mine);
        let heads = mine.heads();
        mine.remove_criterion(&id).unwrap();
        let authors = mine.authors_since(&heads);
        assert!(news(&before, &Inventory::of(&mine), &mine, &authors, &me).is_empty());
    }

    #[test]
    fn nothing_removed_is_nothing_to_tell() {
        let (mut mine, mut theirs, me, _) = pair();
        let (_, added) = theirs.add_criterion("Rust", Category::Competency).unwrap();
        let before = Inventory::of(&mine);
        let heads = mine.heads();
        mine.apply_remote(&added).unwrap();
        let authors = mine.authors_since(&heads);
        assert!(news(&before, &Inventory::of(&mine), &mine, &authors, &me).is_empty());
    }
}
