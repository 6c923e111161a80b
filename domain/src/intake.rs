//! The intake: the first meeting of recruiter and hiring manager, written down together.
//!
//! The role and the free texts are Automerge `Text`, typed into live through [`TextField`].
//! Must-haves, nice-to-haves and the stages of the process are maps keyed by random ids and
//! ordered by a fractional `position`, like the scorecard's criteria (see `scorecard.rs` for why),
//! with the same add, move, remove and restore-for-undo.
//!
//! A must-have or nice-to-have can become a scorecard criterion. Item and criterion then name
//! each other, and count as linked only while both do: the link comes back when either side's
//! removal is undone, and when two people make a criterion from the same item at once, the item
//! keeps one of the two and the other criterion is simply unlinked.
//!
//! The sign-offs of the gate are kept here too. What the gate requires, and the fingerprint of
//! the required parts, are the gate's (`gate.rs`); the caller checks it before opening.

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType};

use crate::people::PersonId;
use crate::scorecard::{write_criterion, Category, Criterion, CriterionId, MIN_WEIGHT};
use crate::vacancy::{
    bool_at, entries, entry_id, map, path, position_at, position_between, sort_by_position, str_at,
    text_at, timestamp_at, DomainError, TextField, Vacancy,
};

/// One of the role's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoleText {
    Title,
    Team,
    Location,
    Hours,
    SalaryBand,
    /// Free text on purpose: "1 March, or sooner" is a real answer.
    StartDate,
}

impl RoleText {
    pub const ALL: [RoleText; 6] = [
        RoleText::Title,
        RoleText::Team,
        RoleText::Location,
        RoleText::Hours,
        RoleText::SalaryBand,
        RoleText::StartDate,
    ];

    pub fn key(self) -> &'static str {
        match self {
            RoleText::Title => "title",
            RoleText::Team => "team",
            RoleText::Location => "location",
            RoleText::Hours => "hours",
            RoleText::SalaryBand => "salary_band",
            RoleText::StartDate => "start_date",
        }
    }
}

/// One of the intake's free texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntakeText {
    Profile,
    TargetGroup,
    LabourMarket,
    SellingPoints,
    /// Who calls the candidate back, who gives feedback to whom, and how.
    ContactAgreements,
}

impl IntakeText {
    pub const ALL: [IntakeText; 5] = [
        IntakeText::Profile,
        IntakeText::TargetGroup,
        IntakeText::LabourMarket,
        IntakeText::SellingPoints,
        IntakeText::ContactAgreements,
    ];

    pub fn key(self) -> &'static str {
        match self {
            IntakeText::Profile => "profile",
            IntakeText::TargetGroup => "target_group",
            IntakeText::LabourMarket => "labour_market",
            IntakeText::SellingPoints => "selling_points",
            IntakeText::ContactAgreements => "contact_agreements",
        }
    }
}

/// Which of the intake's two lists an item is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemList {
    MustHaves,
    NiceToHaves,
}

impl ItemList {
    pub const ALL: [ItemList; 2] = [ItemList::MustHaves, ItemList::NiceToHaves];

    pub fn key(self) -> &'static str {
        match self {
            ItemList::MustHaves => "must_haves",
            ItemList::NiceToHaves => "nice_to_haves",
        }
    }
}

entry_id!(
    /// A must-have's or nice-to-have's id within its vacancy.
    ItemId
);
entry_id!(
    /// A stage's id within its vacancy.
    StageId
);

/// A must-have or nice-to-have as read from the document.
#[derive(Debug, Clone, PartialEq)]
pub struct IntakeItem {
    pub id: ItemId,
    pub text: String,
    pub position: f64,
    /// The scorecard criterion made from this item, while the two are linked.
    pub criterion: Option<CriterionId>,
}

/// A stage of the process as read from the document.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub id: StageId,
    pub name: String,
    pub interviewers: String,
    pub assesses: String,
    pub position: f64,
    /// The criteria this stage assesses, in the scorecard's order. A removed criterion is left
    /// out here but stays chosen in the document, so undoing its removal brings it back.
    pub focus_criteria: Vec<CriterionId>,
}

/// The two people whose sign-off the gate asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignOffRole {
    Recruiter,
    HiringManager,
}

impl SignOffRole {
    pub const ALL: [SignOffRole; 2] = [SignOffRole::Recruiter, SignOffRole::HiringManager];

    pub fn as_str(self) -> &'static str {
        match self {
            SignOffRole::Recruiter => "recruiter",
            SignOffRole::HiringManager => "hiring_manager",
        }
    }
}

/// A sign-off of the intake as read from the document.
#[derive(Debug, Clone, PartialEq)]
pub struct SignOff {
    pub role: SignOffRole,
    /// The name as it was when signed, so the record stands if the person renames themselves.
    pub name: String,
    pub person: Option<PersonId>,
    /// When, in ms since the epoch.
    pub at: i64,
    /// The gate's fingerprint of the required parts when signed: a later edit changes it, and
    /// the sign-off then reads as given before that change.
    pub fingerprint: String,
}

impl Vacancy {
    fn intake_map(&self, key: &str) -> Result<ObjId, DomainError> {
        path(&self.doc, &["intake", key]).ok_or(DomainError::Missing("intake"))
    }

    // ---- must-haves and nice-to-haves ---------------------------------------------------------

    /// A list's items in their shown order (position, then id so ties order the same everywhere).
    pub fn intake_items(&self, list: ItemList) -> Vec<IntakeItem> {
        let Ok(obj) = self.intake_map(list.key()) else {
            return Vec::new();
        };
        let d = &self.doc;
        let mut out: Vec<IntakeItem> = entries(d, &obj)
            .into_iter()
            .map(|(id, item)| {
                let id = ItemId(id);
                IntakeItem {
                    text: text_at(d, &item, "text"),
                    position: position_at(d, &item),
                    criterion: self.item_criterion(list, &id),
                    id,
                }
            })
            .collect();
        sort_by_position(&mut out, |e| (e.position, &e.id));
        out
    }

    /// Adds an item at the end of its list.
    pub fn add_intake_item(
        &mut self,
        list: ItemList,
        text: &str,
    ) -> Result<(ItemId, Vec<u8>), DomainError> {
        let item = IntakeItem {
            id: ItemId(self.new_id()),
            text: text.to_string(),
            position: self
                .intake_items(list)
                .last()
                .map_or(1.0, |i| i.position + 1.0),
            criterion: None,
        };
        let change = self.put_intake_item(list, &item)?;
        Ok((item.id, change))
    }

    /// Puts a removed item back as it was, under its old id, in its old place, and linked again
    /// if its criterion is still there.
    pub fn restore_intake_item(
        &mut self,
        list: ItemList,
        item: &IntakeItem,
    ) -> Result<Vec<u8>, DomainError> {
        self.put_intake_item(list, item)
    }

    fn put_intake_item(
        &mut self,
        list: ItemList,
        item: &IntakeItem,
    ) -> Result<Vec<u8>, DomainError> {
        let obj = self.intake_map(list.key())?;
        let ((), change) = self.edit(|d| {
            let m = d.put_object(&obj, item.id.as_str(), ObjType::Map)?;
            let text = d.put_object(&m, "text", ObjType::Text)?;
            d.splice_text(&text, 0, 0, &item.text)?;
            d.put(&m, "position", item.position)?;
            if let Some(c) = &item.criterion {
                d.put(&m, "criterion", c.as_str())?;
            }
            Ok(())
        })?;
        Ok(change)
    }

    fn intake_item_obj(&self, list: ItemList, id: &ItemId) -> Result<ObjId, DomainError> {
        let obj = self.intake_map(list.key())?;
        map(&self.doc, &obj, id.as_str()).map_err(|_| DomainError::Missing("intake item"))
    }

    /// Moves an item to `to_index` in its list's shown order.
    pub fn move_intake_item(
        &mut self,
        list: ItemList,
        id: &ItemId,
        to_index: usize,
    ) -> Result<Vec<u8>, DomainError> {
        let item = self.intake_item_obj(list, id)?;
        let others: Vec<f64> = self
            .intake_items(list)
            .into_iter()
            .filter(|i| &i.id != id)
            .map(|i| i.position)
            .collect();
        let position = position_between(&others, to_index);
        Ok(self.edit(|d| Ok(d.put(&item, "position", position)?))?.1)
    }

    /// Removes an item. Its criterion, if it has one, stays on the scorecard.
    pub fn remove_intake_item(
        &mut self,
        list: ItemList,
        id: &ItemId,
    ) -> Result<Vec<u8>, DomainError> {
        let obj = self.intake_map(list.key())?;
        self.intake_item_obj(list, id)?;
        Ok(self.edit(|d| Ok(d.delete(&obj, id.as_str())?))?.1)
    }

    // ---- items and their criteria -------------------------------------------------------------

    /// Makes a scorecard criterion from an item, named after it and linked to it both ways: a
    /// must-have becomes a must-have (knock-out) criterion. For an item that is already linked,
    /// its criterion and no change.
    pub fn make_criterion(
        &mut self,
        list: ItemList,
        id: &ItemId,
    ) -> Result<(CriterionId, Option<Vec<u8>>), DomainError> {
        let item = self.intake_item_obj(list, id)?;
        if let Some(c) = self.item_criterion(list, id) {
            return Ok((c, None));
        }
        let criteria = self.criteria_obj()?;
        let criterion = Criterion {
            id: CriterionId(self.new_id()),
            name: text_at(&self.doc, &item, "text"),
            description: String::new(),
            category: Category::Competency,
            weight: MIN_WEIGHT,
            must_have: list == ItemList::MustHaves,
            position: self.next_criterion_position(),
            anchors: Vec::new(),
            questions: Vec::new(),
            from_intake: Some(id.clone()),
        };
        let scale_max = self.scale_max();
        let ((), change) = self.edit(|d| {
            write_criterion(d, &criteria, &criterion, scale_max)?;
            d.put(&item, "criterion", criterion.id.as_str())?;
            Ok(())
        })?;
        Ok((criterion.id, Some(change)))
    }

    /// The criterion linked with an item, if any.
    pub fn item_criterion(&self, list: ItemList, id: &ItemId) -> Option<CriterionId> {
        let item = path(&self.doc, &["intake", list.key(), id.as_str()])?;
        let c = CriterionId(str_at(&self.doc, &item, "criterion")?);
        let back = path(&self.doc, &["scorecard", "criteria", c.as_str()])?;
        (str_at(&self.doc, &back, "from_intake").as_deref() == Some(id.as_str())).then_some(c)
    }

    /// The must-have or nice-to-have linked with a criterion, if any.
    pub fn criterion_item(&self, criterion: &CriterionId) -> Option<(ItemList, ItemId)> {
        let c = path(&self.doc, &["scorecard", "criteria", criterion.as_str()])?;
        let item = ItemId(str_at(&self.doc, &c, "from_intake")?);
        ItemList::ALL
            .into_iter()
            .find(|list| self.item_criterion(*list, &item).as_ref() == Some(criterion))
            .map(|list| (list, item))
    }

    /// The field to offer the same rename after someone renamed `field`: a linked item's
    /// criterion name, or a linked criterion's item.
    pub fn linked_field(&self, field: &TextField) -> Option<TextField> {
        match field {
            TextField::IntakeItem(list, id) => {
                self.item_criterion(*list, id).map(TextField::CriterionName)
            }
            TextField::CriterionName(c) => self
                .criterion_item(c)
                .map(|(list, id)| TextField::IntakeItem(list, id)),
            _ => None,
        }
    }

    // ---- stages -------------------------------------------------------------------------------

    /// The stages of the process in their order.
    pub fn stages(&self) -> Vec<Stage> {
        let Ok(obj) = self.intake_map("stages") else {
            return Vec::new();
        };
        let d = &self.doc;
        let criteria = self.criteria();
        let mut out: Vec<Stage> = entries(d, &obj)
            .into_iter()
            .map(|(id, s)| {
                let focus = map(d, &s, "focus_criteria").ok();
                Stage {
                    name: text_at(d, &s, "name"),
                    interviewers: text_at(d, &s, "interviewers"),
                    assesses: text_at(d, &s, "assesses"),
                    position: position_at(d, &s),
                    focus_criteria: criteria
                        .iter()
                        .filter(|c| focus.as_ref().is_some_and(|f| bool_at(d, f, c.id.as_str())))
                        .map(|c| c.id.clone())
                        .collect(),
                    id: StageId(id),
                }
            })
            .collect();
        sort_by_position(&mut out, |e| (e.position, &e.id));
        out
    }

    /// Adds a stage at the end of the process.
    pub fn add_stage(&mut self, name: &str) -> Result<(StageId, Vec<u8>), DomainError> {
        let stage = Stage {
            id: StageId(self.new_id()),
            name: name.to_string(),
            interviewers: String::new(),
            assesses: String::new(),
            position: self.stages().last().map_or(1.0, |s| s.position + 1.0),
            focus_criteria: Vec::new(),
        };
        let change = self.put_stage(&stage)?;
        Ok((stage.id, change))
    }

    /// Puts a removed stage back as it was, under its old id and in its old place (its planned
    /// target date, kept apart in the planning, comes back with it).
    pub fn restore_stage(&mut self, stage: &Stage) -> Result<Vec<u8>, DomainError> {
        self.put_stage(stage)
    }

    fn put_stage(&mut self, s: &Stage) -> Result<Vec<u8>, DomainError> {
        let obj = self.intake_map("stages")?;
        let ((), change) = self.edit(|d| {
            let m = d.put_object(&obj, s.id.as_str(), ObjType::Map)?;
            for (key, value) in [
                ("name", &s.name),
                ("interviewers", &s.interviewers),
                ("assesses", &s.assesses),
            ] {
                let t = d.put_object(&m, key, ObjType::Text)?;
                d.splice_text(&t, 0, 0, value)?;
            }
            d.put(&m, "position", s.position)?;
            let focus = d.put_object(&m, "focus_criteria", ObjType::Map)?;
            for c in &s.focus_criteria {
                d.put(&focus, c.as_str(), true)?;
            }
            // The interview kit's places, made with the stage so that two people filling them
            // for the first time at once write into one object instead of each making their own.
            d.put_object(&m, "questions", ObjType::Map)?;
            d.put_object(&m, "next_interviewer_note", ObjType::Text)?;
            Ok(())
        })?;
        Ok(change)
    }

    fn stage_obj(&self, id: &StageId) -> Result<ObjId, DomainError> {
        let obj = self.intake_map("stages")?;
        map(&self.doc, &obj, id.as_str()).map_err(|_| DomainError::Missing("stage"))
    }

    /// Moves a stage to `to_index` in the process.
    pub fn move_stage(&mut self, id: &StageId, to_index: usize) -> Result<Vec<u8>, DomainError> {
        let stage = self.stage_obj(id)?;
        let others: Vec<f64> = self
            .stages()
            .into_iter()
            .filter(|s| &s.id != id)
            .map(|s| s.position)
            .collect();
        let position = position_between(&others, to_index);
        Ok(self.edit(|d| Ok(d.put(&stage, "position", position)?))?.1)
    }

    pub fn remove_stage(&mut self, id: &StageId) -> Result<Vec<u8>, DomainError> {
        let obj = self.intake_map("stages")?;
        self.stage_obj(id)?;
        Ok(self.edit(|d| Ok(d.delete(&obj, id.as_str())?))?.1)
    }

    /// Chooses whether a stage assesses a criterion (makes it one of the stage's focus criteria).
    pub fn set_focus_criterion(
        &mut self,
        stage: &StageId,
        criterion: &CriterionId,
        assessed: bool,
    ) -> Result<Vec<u8>, DomainError> {
        let s = self.stage_obj(stage)?;
        let focus = map(&self.doc, &s, "focus_criteria")?;
        Ok(self
            .edit(|d| Ok(d.put(&focus, criterion.as_str(), assessed)?))?
            .1)
    }

    // ---- sign-offs ----------------------------------------------------------------------------

    /// The sign-offs given, recruiter first.
    pub fn sign_offs(&self) -> Vec<SignOff> {
        let Ok(obj) = self.intake_map("sign_offs") else {
            return Vec::new();
        };
        let d = &self.doc;
        SignOffRole::ALL
            .into_iter()
            .filter_map(|role| {
                let s = map(d, &obj, role.as_str()).ok()?;
                Some(SignOff {
                    role,
                    name: str_at(d, &s, "name").unwrap_or_default(),
                    person: str_at(d, &s, "person").map(PersonId),
                    at: timestamp_at(d, &s, "at").unwrap_or_default(),
                    fingerprint: str_at(d, &s, "fingerprint").unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Records a sign-off, replacing an earlier one for the same role. The record is written
    /// whole, so two sign-offs for one role at once leave one of them, never a mix of both.
    pub fn sign_off(
        &mut self,
        role: SignOffRole,
        person: &PersonId,
        name: &str,
        now_ms: i64,
        fingerprint: &str,
    ) -> Result<Vec<u8>, DomainError> {
        let obj = self.intake_map("sign_offs")?;
        let ((), change) = self.edit(|d| {
            let s = d.put_object(&obj, role.as_str(), ObjType::Map)?;
            d.put(&s, "name", name)?;
            d.put(&s, "person", person.as_str())?;
            d.put(&s, "at", automerge::ScalarValue::Timestamp(now_ms))?;
            d.put(&s, "fingerprint", fingerprint)?;
            Ok(())
        })?;
        Ok(change)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::ROOT;

    /// What another app (newer, or broken) may leave in the intake reads as well as it can: the
    /// view still shows everything it understands.
    #[test]
    fn odd_values_in_the_intake_read_leniently() {
        let (mut v, _) = Vacancy::create("Data engineer", 0);
        let (sql, _) = v.add_intake_item(ItemList::MustHaves, "SQL").unwrap();
        let (stage, _) = v.add_stage("Interview").unwrap();
        let d = &mut v.doc;
        let musts = path(d, &["intake", "must_haves"]).unwrap();
        d.put_object(&musts, "a-text-not-a-map", ObjType::Text)
            .unwrap();
        let item = map(d, &musts, sql.as_str()).unwrap();
        d.put(&item, "position", "first").unwrap();
        d.put(&item, "criterion", 42).unwrap();
        let s = path(d, &["intake", "stages", stage.as_str()]).unwrap();
        d.put_object(&s, "focus_criteria", ObjType::List).unwrap();
        d.put(&s, "name", "a plain string").unwrap();
        let sign_offs = path(d, &["intake", "sign_offs"]).unwrap();
        let so = d.put_object(&sign_offs, "recruiter", ObjType::Map).unwrap();
        d.put(&so, "at", "yesterday").unwrap();
        d.put_object(&sign_offs, "auditor", ObjType::Map).unwrap();
        d.put(ROOT, "people", "nobody").unwrap();
        d.commit();

        let items = v.intake_items(ItemList::MustHaves);
        assert_eq!(items.len(), 1);
        assert_eq!((items[0].position, items[0].criterion.clone()), (0.0, None));
        let stages = v.stages();
        assert_eq!(stages[0].name, "", "a name that is not text reads as empty");
        assert!(stages[0].focus_criteria.is_empty());
        let signed = v.sign_offs();
        assert_eq!(signed.len(), 1, "an unknown role is skipped");
        assert_eq!(signed[0].at, 0);
        assert!(v.people().is_empty());
    }
}
