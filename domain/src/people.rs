//! The people of a vacancy: who is in it, in which role, in which colour.
//!
//! Each person is keyed by their device's person id and writes only their own entry, so people
//! joining at once never write the same keys. Sign-offs, action owners, check-in attendance and
//! (later) interviewers refer to people by this id.
//!
//! `people` came after the first documents: in one made before it, the first person to join
//! makes the map, and when two do that at once, automerge keeps both maps as a conflict. Reads
//! take the people of both, so nobody who joined is lost; writes go to the map that won.

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ReadDoc, ScalarValue, Value, ROOT};

use crate::intake::SignOffRole;
use crate::vacancy::{entries, entry_id, map, str_at, timestamp_at, DomainError, Vacancy};

entry_id!(
    /// A person's id: chosen by their device, the same in every vacancy they are in.
    PersonId
);

/// What a person does in this vacancy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Recruiter,
    HiringManager,
    Interviewer,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Recruiter, Role::HiringManager, Role::Interviewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Recruiter => "recruiter",
            Role::HiringManager => "hiring_manager",
            Role::Interviewer => "interviewer",
        }
    }

    /// The sign-off of the intake this role gives: the recruiter's by a recruiter, the hiring
    /// manager's by a hiring manager; an interviewer signs no intake off.
    pub fn sign_off_role(self) -> Option<SignOffRole> {
        match self {
            Role::Recruiter => Some(SignOffRole::Recruiter),
            Role::HiringManager => Some(SignOffRole::HiringManager),
            Role::Interviewer => None,
        }
    }

    /// Unknown values (from a newer app) read as interviewer: the role asked the least of.
    pub fn parse(s: &str) -> Role {
        match s {
            "recruiter" => Role::Recruiter,
            "hiring_manager" => Role::HiringManager,
            _ => Role::Interviewer,
        }
    }
}

/// A person as read from the document.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub id: PersonId,
    pub name: String,
    pub role: Role,
    /// Their presence colour, as their device chose it; the app shows only palette colours.
    pub colour: String,
    /// When they first joined this vacancy, in ms since the epoch.
    pub joined_at: i64,
}

impl Vacancy {
    /// The `people` maps, the winning one first; see the module comment for why there can be two.
    fn people_maps(&self) -> Vec<ObjId> {
        let mut maps: Vec<ObjId> = self
            .doc
            .get_all(ROOT, "people")
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(v, id)| matches!(v, Value::Object(ObjType::Map)).then_some(id))
            .collect();
        if let Ok(winner) = map(&self.doc, &ROOT, "people") {
            if let Some(i) = maps.iter().position(|m| m == &winner) {
                maps.swap(0, i);
            }
        }
        maps
    }

    /// Everyone in the vacancy, in the order they joined.
    pub fn people(&self) -> Vec<Person> {
        let d = &self.doc;
        let mut out: Vec<Person> = Vec::new();
        for people in self.people_maps() {
            for (id, p) in entries(d, &people) {
                if out.iter().any(|known| known.id.as_str() == id) {
                    continue;
                }
                out.push(Person {
                    name: str_at(d, &p, "name").unwrap_or_default(),
                    role: Role::parse(&str_at(d, &p, "role").unwrap_or_default()),
                    colour: str_at(d, &p, "colour").unwrap_or_default(),
                    joined_at: timestamp_at(d, &p, "joined_at").unwrap_or_default(),
                    id: PersonId(id),
                });
            }
        }
        crate::sorting::sort_by(&mut out, |a, b| {
            a.joined_at.cmp(&b.joined_at).then_with(|| a.id.cmp(&b.id))
        });
        out
    }

    pub fn person(&self, id: &PersonId) -> Option<Person> {
        self.people().into_iter().find(|p| &p.id == id)
    }

    /// Adds this device's person to the vacancy, or updates their name, role and colour; `None`
    /// when nothing changed. When they first joined is kept from their first entry.
    pub fn set_person(
        &mut self,
        id: &PersonId,
        name: &str,
        role: Role,
        colour: &str,
        now_ms: i64,
    ) -> Result<Option<Vec<u8>>, DomainError> {
        let winner = map(&self.doc, &ROOT, "people").ok();
        let entry = winner
            .as_ref()
            .and_then(|people| map(&self.doc, people, id.as_str()).ok());
        let known = self.person(id);
        if entry.is_some()
            && known
                .as_ref()
                .is_some_and(|p| p.name == name && p.role == role && p.colour == colour)
        {
            return Ok(None);
        }
        let joined_at = known.map_or(now_ms, |p| p.joined_at);
        let ((), change) = self.edit(|d| {
            let people = match winner {
                Some(people) => people,
                None => d.put_object(ROOT, "people", ObjType::Map)?,
            };
            let p = match entry {
                Some(p) => p,
                None => {
                    let p = d.put_object(&people, id.as_str(), ObjType::Map)?;
                    d.put(&p, "joined_at", ScalarValue::Timestamp(joined_at))?;
                    p
                }
            };
            d.put(&p, "name", name)?;
            d.put(&p, "role", role.as_str())?;
            d.put(&p, "colour", colour)?;
            Ok(())
        })?;
        Ok(Some(change))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_partner_gives_their_own_sign_off_and_an_interviewer_none() {
        assert_eq!(
            Role::Recruiter.sign_off_role(),
            Some(SignOffRole::Recruiter)
        );
        assert_eq!(
            Role::HiringManager.sign_off_role(),
            Some(SignOffRole::HiringManager)
        );
        assert_eq!(Role::Interviewer.sign_off_role(), None);
    }

    #[test]
    fn two_people_joining_an_older_document_at_once_are_both_kept() {
        // A vacancy made before `people` was part of the skeleton.
        let (mut a, _) = Vacancy::create("Data engineer", 0);
        a.doc.delete(ROOT, "people").unwrap();
        a.doc.commit();
        let mut b = Vacancy::load(&a.save()).unwrap();

        let (sanne, joost) = (PersonId("p1".into()), PersonId("p2".into()));
        let from_a = a
            .set_person(&sanne, "Sanne", Role::Recruiter, "#111", 1)
            .unwrap()
            .unwrap();
        let from_b = b
            .set_person(&joost, "Joost", Role::HiringManager, "#222", 2)
            .unwrap()
            .unwrap();
        a.apply_remote(&from_b).unwrap();
        b.apply_remote(&from_a).unwrap();
        assert_eq!(a.people(), b.people());
        let names: Vec<_> = a.people().into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["Sanne", "Joost"], "both maps are read");

        // An edit of someone whose entry may be in the losing map lands in the winning one,
        // and is what everyone reads from then on.
        let c = a
            .set_person(&joost, "Joost B.", Role::HiringManager, "#222", 9)
            .unwrap()
            .unwrap();
        b.apply_remote(&c).unwrap();
        let joost_now = b.person(&joost).unwrap();
        assert_eq!(
            (joost_now.name.as_str(), joost_now.joined_at),
            ("Joost B.", 2)
        );
        assert_eq!(a.people(), b.people());
        assert_eq!(a.people().len(), 2);
    }
}
