//! Who made a change: each change this replica commits carries its author's person id in the
//! change's message, so a partner's device can say "Sanne removed the criterion ‘Rust’" when
//! the change arrives.
//!
//! The message is the change's own metadata, not part of the document's data: no view reads it
//! and no merge depends on it. A change without one (older apps, a replica that has not said
//! who it is) has no known author, and the app then names nobody.

use automerge::transaction::CommitOptions;
use automerge::ChangeHash;

use crate::people::PersonId;
use crate::vacancy::Vacancy;

/// What an authored change's message starts with; the person id follows.
const PREFIX: &str = "by:";

/// A person id is short (a device's id is 32 hex digits); a longer message is no author of ours.
const MAX_ID_BYTES: usize = 64;

/// The commit options for a change by `author`, if known.
pub(crate) fn commit_options(author: Option<&PersonId>) -> CommitOptions {
    match author {
        Some(id) => CommitOptions::default().with_message(format!("{PREFIX}{}", id.as_str())),
        None => CommitOptions::default(),
    }
}

/// The author a change's message names, if it names one.
fn author_in(message: &str) -> Option<PersonId> {
    let id = message.strip_prefix(PREFIX)?;
    let plausible = !id.is_empty()
        && id.len() <= MAX_ID_BYTES
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    plausible.then(|| PersonId(id.to_string()))
}

impl Vacancy {
    /// Says who this replica's next changes are by (`None`: nobody named).
    pub fn set_author(&mut self, author: Option<PersonId>) {
        self.author = author;
    }

    /// The authors of the changes made after `before` (heads taken earlier), each once, in the
    /// order their first change is found; changes that name no author are left out.
    pub fn authors_since(&mut self, before: &[ChangeHash]) -> Vec<PersonId> {
        let mut out: Vec<PersonId> = Vec::new();
        for change in self.doc.get_changes_meta(before) {
            if let Some(id) = change.message.as_deref().and_then(author_in) {
                if !out.contains(&id) {
                    out.push(id);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Category;

    #[test]
    fn a_partner_sees_who_made_the_changes_that_reached_them() {
        let (mut mine, first) = Vacancy::create("Backend developer", 0);
        let mut theirs = Vacancy::load(&first).unwrap();
        let sanne = PersonId("5a4e".to_string());
        theirs.set_author(Some(sanne.clone()));
        let (_, added) = theirs.add_criterion("Rust", Category::Competency).unwrap();

        let before = mine.heads();
        mine.apply_remote(&added).unwrap();
        assert_eq!(mine.authors_since(&before), vec![sanne]);
        // Nothing new since now.
        let now = mine.heads();
        assert!(mine.authors_since(&now).is_empty());
    }

    #[test]
    fn a_change_without_an_author_names_nobody() {
        let (mut mine, first) = Vacancy::create("Backend developer", 0);
        let mut theirs = Vacancy::load(&first).unwrap();
        let (_, added) = theirs.add_criterion("Rust", Category::Competency).unwrap();
        let before = mine.heads();
        mine.apply_remote(&added).unwrap();
        assert!(mine.authors_since(&before).is_empty());
    }

    #[test]
    fn only_a_plausible_person_id_is_an_author() {
        assert_eq!(author_in("by:abc-12"), Some(PersonId("abc-12".to_string())));
        assert_eq!(author_in("by:"), None);
        assert_eq!(author_in("by:<script>"), None);
        assert_eq!(author_in("hello"), None);
        assert_eq!(author_in(&format!("by:{}", "a".repeat(65))), None);
    }
}
