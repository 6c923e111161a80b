//! The weekly check-ins: per meeting its date, who attended, and the notes, kept as `Text` so
//! both partners can write them at once. An action item can be made from a line of the notes.
//!
//! The agenda of a check-in is not stored: it is generated from the live state (`agenda.rs`).

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType};

use crate::people::PersonId;
use crate::planning::{check_date, ActionId};
use crate::vacancy::{
    bool_at, entries, entry_id, keys, map, path, str_at, text_at, DomainError, TextField, Vacancy,
};

entry_id!(
    /// A check-in's id within its vacancy.
    CheckinId
);

/// A non-empty line of a check-in's notes, as the view offers it for an action item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteLine {
    /// The line as typed.
    pub text: String,
    /// The action item made from this line of this check-in, when there is one.
    pub action: Option<ActionId>,
}

/// What an action item made from a line of notes is called: the line without a leading list
/// marker ("- ", "* ", "• ", "– ") and without surrounding whitespace.
pub fn line_title(line: &str) -> &str {
    line.trim()
        .trim_start_matches(['-', '*', '•', '–'])
        .trim_start()
}

/// A check-in as read from the document.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkin {
    pub id: CheckinId,
    /// "YYYY-MM-DD".
    pub date: String,
    /// Who was there, by person id, in id order.
    pub attended: Vec<PersonId>,
    pub notes: String,
}

impl Vacancy {
    fn checkins_obj(&self) -> Result<ObjId, DomainError> {
        path(&self.doc, &["checkins"]).ok_or(DomainError::Missing("check-ins"))
    }

    /// Every check-in, oldest first (by date, then id so that one day's two meetings keep an
    /// order everywhere).
    pub fn checkins(&self) -> Vec<Checkin> {
        let Ok(obj) = self.checkins_obj() else {
            return Vec::new();
        };
        let d = &self.doc;
        let mut out: Vec<Checkin> = entries(d, &obj)
            .into_iter()
            .map(|(id, c)| Checkin {
                date: str_at(d, &c, "date").unwrap_or_default(),
                attended: map(d, &c, "attended")
                    .map(|a| {
                        keys(d, &a)
                            .into_iter()
                            .filter(|k| bool_at(d, &a, k))
                            .map(PersonId)
                            .collect()
                    })
                    .unwrap_or_default(),
                notes: text_at(d, &c, "notes"),
                id: CheckinId(id),
            })
            .collect();
        crate::sorting::sort_by(&mut out, |a, b| {
            a.date.cmp(&b.date).then_with(|| a.id.cmp(&b.id))
        });
        out
    }

    /// Adds the check-in held (or to be held) on `date`, "YYYY-MM-DD".
    pub fn add_checkin(&mut self, date: &str) -> Result<(CheckinId, Vec<u8>), DomainError> {
        check_date(date)?;
        let checkin = Checkin {
            id: CheckinId(self.new_id()),
            date: date.to_string(),
            attended: Vec::new(),
            notes: String::new(),
        };
        let change = self.put_checkin(&checkin)?;
        Ok((checkin.id, change))
    }

    /// Puts a removed check-in back as it was, notes and all.
    pub fn restore_checkin(&mut self, checkin: &Checkin) -> Result<Vec<u8>, DomainError> {
        self.put_checkin(checkin)
    }

    fn put_checkin(&mut self, c: &Checkin) -> Result<Vec<u8>, DomainError> {
        let obj = self.checkins_obj()?;
        let ((), change) = self.edit(|d| {
            let m = d.put_object(&obj, c.id.as_str(), ObjType::Map)?;
            d.put(&m, "date", c.date.as_str())?;
            let attended = d.put_object(&m, "attended", ObjType::Map)?;
            for person in &c.attended {
                d.put(&attended, person.as_str(), true)?;
            }
            let notes = d.put_object(&m, "notes", ObjType::Text)?;
            d.splice_text(&notes, 0, 0, &c.notes)?;
            Ok(())
        })?;
        Ok(change)
    }

    fn checkin_obj(&self, id: &CheckinId) -> Result<ObjId, DomainError> {
        let obj = self.checkins_obj()?;
        map(&self.doc, &obj, id.as_str()).map_err(|_| DomainError::Missing("check-in"))
    }

    pub fn set_checkin_date(&mut self, id: &CheckinId, date: &str) -> Result<Vec<u8>, DomainError> {
        check_date(date)?;
        let c = self.checkin_obj(id)?;
        Ok(self.edit(|d| Ok(d.put(&c, "date", date)?))?.1)
    }

    /// Marks whether a person attended a check-in. Each person is their own key, so two people
    /// ticking the list at once both count.
    pub fn set_attended(
        &mut self,
        id: &CheckinId,
        person: &PersonId,
        attended: bool,
    ) -> Result<Vec<u8>, DomainError> {
        let c = self.checkin_obj(id)?;
        let list = map(&self.doc, &c, "attended")?;
        Ok(self
            .edit(|d| Ok(d.put(&list, person.as_str(), attended)?))?
            .1)
    }

    pub fn remove_checkin(&mut self, id: &CheckinId) -> Result<Vec<u8>, DomainError> {
        let obj = self.checkins_obj()?;
        self.checkin_obj(id)?;
        Ok(self.edit(|d| Ok(d.delete(&obj, id.as_str())?))?.1)
    }

    /// Makes an action item from a line of a check-in's notes: the line, without a leading list
    /// marker, becomes its title, and the action remembers the check-in it came from.
    pub fn action_from_checkin_line(
        &mut self,
        checkin: &CheckinId,
        line: &str,
        owner: Option<&PersonId>,
        due: Option<&str>,
    ) -> Result<(ActionId, Vec<u8>), DomainError> {
        self.checkin_obj(checkin)?;
        self.add_action_from(line_title(line), owner, due, Some(checkin.clone()))
    }

    /// The lines of a check-in's notes that can become action items (those with a title), each
    /// with the action already made from it: an action of this check-in with that title.
    pub fn checkin_lines(&self, checkin: &CheckinId) -> Vec<NoteLine> {
        let notes = self
            .text(&TextField::CheckinNotes(checkin.clone()))
            .unwrap_or_default();
        let made: Vec<(String, ActionId)> = self
            .actions()
            .into_iter()
            .filter(|a| a.from_checkin.as_ref() == Some(checkin))
            .map(|a| (a.title, a.id))
            .collect();
        notes
            .lines()
            .filter(|line| !line_title(line).is_empty())
            .map(|line| NoteLine {
                text: line.to_string(),
                action: made
                    .iter()
                    .find(|(title, _)| title.trim() == line_title(line))
                    .map(|(_, id)| id.clone()),
            })
            .collect()
    }

    /// The check-in held on `date` ("YYYY-MM-DD"); of two on one day, the same one everywhere.
    pub fn checkin_on(&self, date: &str) -> Option<CheckinId> {
        self.checkins()
            .into_iter()
            .find(|c| c.date == date)
            .map(|c| c.id)
    }
}
