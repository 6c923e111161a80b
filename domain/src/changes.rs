//! What a change touched, in the app's terms: which text field, which criterion, which list.
//!
//! After a local edit or a remote merge the app asks the document what changed (Automerge's
//! patches between two sets of heads) and wakes only the views that show it, so a keystroke in
//! one criterion's description re-renders that field and nothing else. This module knows the
//! document's layout (see `schema`), so the app never has to: it gets [`Area`]s.
//!
//! Every change reports the [`Section`] it is in, for views that show a whole section (they
//! re-run on every keystroke in it, so few do), and finer areas below it: a text field, one
//! criterion, one candidate, a list's membership and order. A text reports its [`Area::Text`]
//! and nothing of the list it is shown in, except where that list shows it everywhere (stage
//! names). An interview, a piece of feedback or a decision names its candidate inside it rather
//! than in its path, so for those the document is asked whose it is (as it was before the
//! change, for one that was removed).

use std::collections::HashSet;

use automerge::{ChangeHash, Patch, PatchAction, Prop, ReadDoc, ScalarValue, Value};

use crate::candidates::CandidateId;
use crate::checkin::CheckinId;
use crate::intake::{IntakeText, ItemId, ItemList, RoleText, StageId};
use crate::planning::ActionId;
use crate::scorecard::{CriterionId, QuestionId};
use crate::vacancy::{TextField, Vacancy};

/// The top-level parts of the document (see `schema`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Section {
    /// The title and the status.
    Vacancy,
    People,
    Intake,
    Agreements,
    Planning,
    Scorecard,
    Candidates,
    Interviews,
    Feedback,
    Checkins,
    Decisions,
    /// Anything outside the known layout: the root's own keys, or what a newer app added.
    Other,
}

impl Section {
    fn of(key: &str) -> Section {
        match key {
            "vacancy" => Section::Vacancy,
            "people" => Section::People,
            "intake" => Section::Intake,
            "agreements" => Section::Agreements,
            "planning" => Section::Planning,
            "scorecard" => Section::Scorecard,
            "candidates" => Section::Candidates,
            "interviews" => Section::Interviews,
            "feedback" => Section::Feedback,
            "checkins" => Section::Checkins,
            "decisions" => Section::Decisions,
            _ => Section::Other,
        }
    }
}

/// A part of the vacancy a view can follow.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Area {
    /// Anything in one section.
    Section(Section),
    /// One co-edited text, character by character.
    Text(TextField),
    /// The vacancy's status (its title is [`TextField::Title`]).
    Status,
    /// A list of the intake: which items it holds, their order, and their links to criteria
    /// (not the items' texts).
    Items(ItemList),
    /// The stages: which, their order, names, focus criteria and questions (not what is typed
    /// about who interviews and what a stage assesses).
    Stages,
    /// The intake's sign-offs.
    SignOffs,
    /// The scorecard: which criteria, their order, and the rating scale.
    Criteria,
    /// One criterion's own values: category, weight, must-have, its link to the intake, which
    /// questions it has and their order (not its texts).
    Criterion(CriterionId),
    /// One candidate, anything about them, their interviews, feedback and decisions included
    /// (the section follows every candidate).
    Candidate(CandidateId),
    /// Which candidates there are, their stages and their order: the pipeline's columns (not
    /// what the cards show of each candidate).
    Pipeline,
}

/// The areas one change touched; empty when it changed nothing anyone can see.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Touched(HashSet<Area>);

impl Touched {
    pub fn areas(&self) -> impl Iterator<Item = &Area> {
        self.0.iter()
    }

    pub fn contains(&self, area: &Area) -> bool {
        self.0.contains(area)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds what a change at `path` (map keys from the root; `None` for a list index) touched.
    pub fn add_path(&mut self, path: &[Option<&str>]) {
        self.0.extend(areas_at(path));
    }
}

impl Vacancy {
    /// Starts an index of what changes from here on, so that [`Self::touched`] costs what
    /// changed rather than a walk of the whole document. Call it once the document is loaded:
    /// indexing the load itself would cost as much as the walk it saves.
    pub fn keep_track(&mut self) {
        self.doc.update_diff_cursor();
    }

    /// What changed since the last call (or since [`Self::keep_track`]).
    pub fn touched(&mut self) -> Touched {
        let before = self.doc.diff_cursor();
        let patches = self.doc.diff_incremental();
        self.touched_by(&patches, &before)
    }

    /// What changed between `before` and now: a walk of the document unless `before` is where
    /// [`Self::touched`] last stopped. For tests and one-off questions.
    pub fn touched_since(&mut self, before: &[ChangeHash]) -> Touched {
        let after = self.doc.get_heads();
        if before == after.as_slice() {
            return Touched::default();
        }
        let patches = self.doc.diff(before, &after);
        self.touched_by(&patches, before)
    }

    fn touched_by(&self, patches: &[Patch], before: &[ChangeHash]) -> Touched {
        let mut touched = Touched::default();
        for keys in patches.iter().map(patch_keys) {
            let keys: Vec<Option<&str>> = keys.iter().map(Option::as_deref).collect();
            touched.add_path(&keys);
            if let [Some(top), Some(id), ..] = keys[..] {
                if let Some(candidate) = self.candidate_of(top, id, before) {
                    touched.0.insert(Area::Candidate(candidate));
                }
            }
        }
        touched
    }

    /// Whose an interview, a piece of feedback or a decision is: now, or before the change
    /// when it was removed. `None` for other sections' entries.
    fn candidate_of(&self, top: &str, id: &str, before: &[ChangeHash]) -> Option<CandidateId> {
        if !matches!(top, "interviews" | "feedback" | "decisions") {
            return None;
        }
        let d = &self.doc;
        let (_, list) = d.get(automerge::ROOT, top).ok()??;
        let entry = match d.get(&list, id).ok()? {
            Some((_, entry)) => Some(entry),
            None => d.get_at(&list, id, before).ok()?.map(|(_, e)| e),
        }?;
        let candidate = d
            .get(&entry, "candidate")
            .ok()
            .flatten()
            .or_else(|| d.get_at(&entry, "candidate", before).ok().flatten());
        match candidate {
            Some((Value::Scalar(s), _)) => match s.as_ref() {
                ScalarValue::Str(c) => Some(CandidateId(c.to_string())),
                _ => None,
            },
            _ => None,
        }
    }
}

/// The map keys from the root to what a patch changed (`None` for a list index).
fn patch_keys(patch: &Patch) -> Vec<Option<String>> {
    let mut keys: Vec<Option<String>> = patch.path.iter().map(|(_, prop)| prop_key(prop)).collect();
    // A map's own key is in the action; a text's or list's place is the path itself.
    match &patch.action {
        PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } => {
            keys.push(Some(key.clone()))
        }
        PatchAction::Increment { prop, .. } | PatchAction::Conflict { prop } => {
            keys.push(prop_key(prop))
        }
        _ => {}
    }
    keys
}

fn prop_key(prop: &Prop) -> Option<String> {
    match prop {
        Prop::Map(key) => Some(key.to_string()),
        Prop::Seq(_) => None,
    }
}

/// The areas a change at `path` touched. Pure, so the layout's mapping is tested on its own.
pub fn areas_at(path: &[Option<&str>]) -> Vec<Area> {
    let Some(Some(top)) = path.first() else {
        return vec![Area::Section(Section::Other)];
    };
    let section = Section::of(top);
    let mut out = vec![Area::Section(section)];
    let key = |i: usize| path.get(i).copied().flatten();
    let text = |field: TextField| Area::Text(field);
    match section {
        Section::Vacancy => out.push(match key(1) {
            Some("title") => text(TextField::Title),
            _ => Area::Status,
        }),
        Section::Intake => out.extend(intake_areas(path)),
        Section::Scorecard => out.extend(scorecard_areas(path)),
        Section::Agreements if key(1) == Some("notes") => {
            out.push(text(TextField::AgreementNotes));
        }
        Section::Planning => {
            if let (Some("actions"), Some(id), Some("title")) = (key(1), key(2), key(3)) {
                out.push(text(TextField::ActionTitle(ActionId(id.to_string()))));
            }
        }
        Section::Checkins => {
            if let (Some(id), Some("notes")) = (key(1), key(2)) {
                out.push(text(TextField::CheckinNotes(CheckinId(id.to_string()))));
            }
        }
        Section::Candidates => match key(1) {
            None => out.push(Area::Pipeline),
            Some(id) => {
                let id = CandidateId(id.to_string());
                out.push(Area::Candidate(id.clone()));
                match key(2) {
                    Some("name") => out.push(text(TextField::CandidateName(id))),
                    Some("contact") => out.push(text(TextField::CandidateContact(id))),
                    Some("notes") => out.push(text(TextField::CandidateNotes(id))),
                    // Added or removed, moved, or their place in the order.
                    None | Some("stage" | "added_at") => out.push(Area::Pipeline),
                    _ => {}
                }
            }
        },
        _ => {}
    }
    out
}

/// Within the intake: a field's text alone, or the list or the stages.
fn intake_areas(path: &[Option<&str>]) -> Vec<Area> {
    let key = |i: usize| path.get(i).copied().flatten();
    let role = |k: &str| RoleText::ALL.into_iter().find(|f| f.key() == k);
    let free = |k: &str| IntakeText::ALL.into_iter().find(|f| f.key() == k);
    let list = |k: &str| ItemList::ALL.into_iter().find(|l| l.key() == k);
    match (key(1), key(2), key(3)) {
        (Some("role"), Some(k), _) => match role(k) {
            Some(f) => vec![Area::Text(TextField::Role(f))],
            None => Vec::new(),
        },
        (Some("stages"), Some(id), field) => {
            let id = StageId(id.to_string());
            match field {
                Some("interviewers") => vec![Area::Text(TextField::StageInterviewers(id))],
                Some("assesses") => vec![Area::Text(TextField::StageAssesses(id))],
                // Stage names are shown in lists all over (candidates, planning, the agenda).
                Some("name") => vec![Area::Stages, Area::Text(TextField::StageName(id))],
                _ => vec![Area::Stages],
            }
        }
        (Some("stages"), None, _) => vec![Area::Stages],
        (Some("sign_offs"), _, _) => vec![Area::SignOffs],
        (Some(k), id, field) => {
            if let Some(l) = list(k) {
                match (id, field) {
                    (Some(id), Some("text")) => {
                        vec![Area::Text(TextField::IntakeItem(l, ItemId(id.to_string())))]
                    }
                    _ => vec![Area::Items(l)],
                }
            } else if let Some(f) = free(k) {
                vec![Area::Text(TextField::Intake(f))]
            } else {
                Vec::new()
            }
        }
        _ => Vec::new(),
    }
}

/// Within the scorecard: one criterion's text, one criterion, or the list of criteria.
fn scorecard_areas(path: &[Option<&str>]) -> Vec<Area> {
    let key = |i: usize| path.get(i).copied().flatten();
    let (Some("criteria"), Some(id)) = (key(1), key(2)) else {
        // The scale, or the criteria map itself.
        return vec![Area::Criteria];
    };
    let id = CriterionId(id.to_string());
    let field = match (key(3), key(4), key(5)) {
        (Some("name"), _, _) => Some(TextField::CriterionName(id.clone())),
        (Some("description"), _, _) => Some(TextField::CriterionDescription(id.clone())),
        (Some("anchors"), Some(level), _) => level
            .parse()
            .ok()
            .map(|level| TextField::Anchor(id.clone(), level)),
        (Some("questions"), Some(q), Some("text")) => {
            Some(TextField::Question(id.clone(), QuestionId(q.to_string())))
        }
        _ => None,
    };
    match (field, key(3)) {
        (Some(field), _) => vec![Area::Text(field)],
        // A criterion added or removed, or moved: the list changes, and the criterion.
        (None, None | Some("position")) => vec![Area::Criteria, Area::Criterion(id)],
        (None, Some(_)) => vec![Area::Criterion(id)],
    }
}
