//! The scorecard's criteria: what candidates are rated against.
//!
//! Criteria live in a map keyed by a random id, ordered by a fractional `position`: moving a
//! criterion rewrites one number, so a move on one device and an edit of the same criterion on
//! another both survive the merge (a list would delete and re-insert it, losing the edit).
//!
//! Each criterion carries its anchored scale (what each rating level looks like, so that a 3
//! means the same to everyone) and its suggested interview questions. `questions` came after
//! the first criteria: for an older criterion the first question made also makes the map, and
//! when two devices do that at once automerge keeps both maps; reads take the questions of both,
//! as `people` does.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ReadDoc, ScalarValue, Value};

use crate::intake::ItemId;
use crate::vacancy::{
    entries, entry_id, map, path, position_at, position_between, scalar, sort_by_position, str_at,
    text_at, DomainError, InvalidValue, Vacancy,
};

entry_id!(
    /// A suggested interview question's id within its criterion.
    QuestionId
);

/// A suggested interview question for a criterion.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub id: QuestionId,
    pub text: String,
    pub position: f64,
}

/// A criterion's id within its vacancy.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CriterionId(pub String);

impl CriterionId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Competency,
    Experience,
    Trait,
}

impl Category {
    pub const ALL: [Category; 3] = [Category::Competency, Category::Experience, Category::Trait];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Competency => "competency",
            Category::Experience => "experience",
            Category::Trait => "trait",
        }
    }

    /// Unknown values (from a newer app) read as competency rather than failing the whole view.
    pub fn parse(s: &str) -> Category {
        match s {
            "experience" => Category::Experience,
            "trait" => Category::Trait,
            _ => Category::Competency,
        }
    }
}

pub const MIN_WEIGHT: i64 = 1;
pub const MAX_WEIGHT: i64 = 5;

/// A criterion as read from the document.
#[derive(Debug, Clone, PartialEq)]
pub struct Criterion {
    pub id: CriterionId,
    pub name: String,
    pub description: String,
    pub category: Category,
    pub weight: i64,
    pub must_have: bool,
    pub position: f64,
    /// What each level of the rating scale means for this criterion, level 1 first.
    pub anchors: Vec<String>,
    /// Suggested interview questions, in their shown order.
    pub questions: Vec<Question>,
    /// The must-have or nice-to-have it was made from, kept so that an undone removal comes
    /// back linked; whether the link still holds is [`Vacancy::criterion_item`].
    pub from_intake: Option<ItemId>,
}

impl Vacancy {
    pub(crate) fn criteria_obj(&self) -> Result<automerge::ObjId, DomainError> {
        path(&self.doc, &["scorecard", "criteria"]).ok_or(DomainError::Missing("scorecard"))
    }

    /// The top of the rating scale (1..=scale_max), 4 unless the vacancy says otherwise.
    pub fn scale_max(&self) -> i64 {
        path(&self.doc, &["scorecard"])
            .and_then(|s| match scalar(&self.doc, &s, "scale_max") {
                Some(ScalarValue::Int(n)) => Some(n),
                Some(ScalarValue::Uint(n)) => Some(n as i64),
                _ => None,
            })
            .unwrap_or(crate::schema::DEFAULT_SCALE_MAX)
            .clamp(2, 10)
    }

    /// All criteria in their shown order (position, then id so that ties order the same everywhere).
    pub fn criteria(&self) -> Vec<Criterion> {
        let Ok(obj) = self.criteria_obj() else {
            return Vec::new();
        };
        let scale_max = self.scale_max();
        let mut out: Vec<Criterion> = self
            .doc
            .map_range(&obj, ..)
            .filter_map(|item| self.read_criterion(item.key.to_string(), scale_max))
            .collect();
        sort_by_position(&mut out, |e| (e.position, &e.id));
        out
    }

    /// One criterion, read on its own: what a row of the scorecard shows.
    pub fn criterion(&self, id: &CriterionId) -> Option<Criterion> {
        self.read_criterion(id.0.clone(), self.scale_max())
    }

    /// The criteria's ids in their shown order, without reading their texts: the list a
    /// keystroke in one of them leaves alone.
    pub fn criterion_ids(&self) -> Vec<CriterionId> {
        let Ok(obj) = self.criteria_obj() else {
            return Vec::new();
        };
        let d = &self.doc;
        // Read as `criteria` reads them, so both give the same order.
        let mut out: Vec<(f64, CriterionId)> = d
            .map_range(&obj, ..)
            .filter_map(|item| {
                let id = item.key.to_string();
                let c = crate::vacancy::path(d, &["scorecard", "criteria", &id])?;
                let position = match scalar(d, &c, "position") {
                    Some(ScalarValue::F64(p)) => p,
                    _ => 0.0,
                };
                Some((position, CriterionId(id)))
            })
            .collect();
        sort_by_position(&mut out, |(p, id)| (*p, id));
        out.into_iter().map(|(_, id)| id).collect()
    }

    fn read_criterion(&self, id: String, scale_max: i64) -> Option<Criterion> {
        let d = &self.doc;
        let c = crate::vacancy::path(d, &["scorecard", "criteria", &id])?;
        Some(Criterion {
            name: text_at(d, &c, "name"),
            description: text_at(d, &c, "description"),
            category: Category::parse(&str_at(d, &c, "category").unwrap_or_default()),
            // Another app may have written a weight off the scale; it reads as the nearest
            // one on it, so every view and the comparison agree.
            weight: match scalar(d, &c, "weight") {
                Some(ScalarValue::Int(w)) => w,
                Some(ScalarValue::Uint(w)) => i64::try_from(w).unwrap_or(MAX_WEIGHT),
                _ => MIN_WEIGHT,
            }
            .clamp(MIN_WEIGHT, MAX_WEIGHT),
            must_have: matches!(scalar(d, &c, "must_have"), Some(ScalarValue::Boolean(true))),
            position: match scalar(d, &c, "position") {
                Some(ScalarValue::F64(p)) => p,
                _ => 0.0,
            },
            anchors: (1..=scale_max)
                .map(|level| {
                    path(d, &["scorecard", "criteria", &id, "anchors"])
                        .map(|a| text_at(d, &a, &level.to_string()))
                        .unwrap_or_default()
                })
                .collect(),
            from_intake: str_at(d, &c, "from_intake").map(ItemId),
            questions: read_questions(d, &c),
            id: CriterionId(id),
        })
    }

    /// Adds a criterion at the end of the list.
    pub fn add_criterion(
        &mut self,
        name: &str,
        category: Category,
    ) -> Result<(CriterionId, Vec<u8>), DomainError> {
        let criterion = Criterion {
            id: CriterionId(self.new_id()),
            name: name.to_string(),
            description: String::new(),
            category,
            weight: MIN_WEIGHT,
            must_have: false,
            position: self.next_criterion_position(),
            anchors: Vec::new(),
            questions: Vec::new(),
            from_intake: None,
        };
        let change = self.put_criterion(&criterion)?;
        Ok((criterion.id, change))
    }

    /// Puts a removed criterion back as it was (the "undo" of a removal), under its old id and
    /// in its old place.
    pub fn restore_criterion(&mut self, criterion: &Criterion) -> Result<Vec<u8>, DomainError> {
        self.put_criterion(criterion)
    }

    /// Where a criterion added now goes: after the last one.
    pub(crate) fn next_criterion_position(&self) -> f64 {
        self.criteria().last().map_or(1.0, |c| c.position + 1.0)
    }

    fn put_criterion(&mut self, c: &Criterion) -> Result<Vec<u8>, DomainError> {
        let obj = self.criteria_obj()?;
        let scale_max = self.scale_max();
        Ok(self.edit(|d| write_criterion(d, &obj, c, scale_max))?.1)
    }

    fn criterion_obj(&self, id: &CriterionId) -> Result<automerge::ObjId, DomainError> {
        let obj = self.criteria_obj()?;
        map(&self.doc, &obj, id.as_str()).map_err(|_| DomainError::Missing("criterion"))
    }

    pub fn set_category(
        &mut self,
        id: &CriterionId,
        category: Category,
    ) -> Result<Vec<u8>, DomainError> {
        let c = self.criterion_obj(id)?;
        Ok(self
            .edit(|d| Ok(d.put(&c, "category", category.as_str())?))?
            .1)
    }

    /// Sets the weight on the scale the comparison uses (1 = nice to know … 5 = decisive); a
    /// weight off the scale is refused, not quietly changed into another.
    pub fn set_weight(&mut self, id: &CriterionId, weight: i64) -> Result<Vec<u8>, DomainError> {
        if !(MIN_WEIGHT..=MAX_WEIGHT).contains(&weight) {
            return Err(InvalidValue::Weight(weight).into());
        }
        let c = self.criterion_obj(id)?;
        Ok(self.edit(|d| Ok(d.put(&c, "weight", weight)?))?.1)
    }

    pub fn set_must_have(
        &mut self,
        id: &CriterionId,
        must_have: bool,
    ) -> Result<Vec<u8>, DomainError> {
        let c = self.criterion_obj(id)?;
        Ok(self.edit(|d| Ok(d.put(&c, "must_have", must_have)?))?.1)
    }

    pub fn remove_criterion(&mut self, id: &CriterionId) -> Result<Vec<u8>, DomainError> {
        let obj = self.criteria_obj()?;
        self.criterion_obj(id)?;
        Ok(self.edit(|d| Ok(d.delete(&obj, id.as_str())?))?.1)
    }

    /// Moves a criterion to `to_index` in the shown order, between its new neighbours.
    pub fn move_criterion(
        &mut self,
        id: &CriterionId,
        to_index: usize,
    ) -> Result<Vec<u8>, DomainError> {
        let c = self.criterion_obj(id)?;
        let others: Vec<f64> = self
            .criteria()
            .into_iter()
            .filter(|x| &x.id != id)
            .map(|x| x.position)
            .collect();
        let position = position_between(&others, to_index);
        Ok(self.edit(|d| Ok(d.put(&c, "position", position)?))?.1)
    }

    // ---- anchors -----------------------------------------------------------------------------

    /// Writes starting text into the levels whose anchor is still empty (the app passes the
    /// starter texts in the user's language); `None` when every level already has its own.
    /// Levels someone already wrote are never touched.
    pub fn fill_empty_anchors(
        &mut self,
        id: &CriterionId,
        texts: &[String],
    ) -> Result<Option<Vec<u8>>, DomainError> {
        let c = self.criterion_obj(id)?;
        let anchors = map(&self.doc, &c, "anchors").map_err(|_| DomainError::Missing("anchors"))?;
        let empty: Vec<(ObjId, &String)> = (1..=self.scale_max())
            .zip(texts)
            .filter(|(_, text)| !text.is_empty())
            .filter_map(
                |(level, text)| match self.doc.get(&anchors, level.to_string()) {
                    Ok(Some((Value::Object(ObjType::Text), t)))
                        if self.doc.text(&t).is_ok_and(|now| now.trim().is_empty()) =>
                    {
                        Some((t, text))
                    }
                    _ => None,
                },
            )
            .collect();
        if empty.is_empty() {
            return Ok(None);
        }
        let ((), change) = self.edit(|d| {
            for (t, text) in &empty {
                let len = d.length(t) as isize;
                d.splice_text(t, 0, len, text)?;
            }
            Ok(())
        })?;
        Ok(Some(change))
    }

    // ---- suggested questions ------------------------------------------------------------------

    /// A criterion's `questions` maps, the winning one first (see the module comment).
    fn question_maps(&self, criterion: &ObjId) -> Vec<ObjId> {
        question_maps(&self.doc, criterion)
    }

    pub(crate) fn question_obj(&self, criterion: &CriterionId, id: &QuestionId) -> Option<ObjId> {
        let c = self.criterion_obj(criterion).ok()?;
        self.question_maps(&c)
            .into_iter()
            .find_map(|m| map(&self.doc, &m, id.as_str()).ok())
    }

    /// Adds a suggested question at the end of a criterion's list.
    pub fn add_question(
        &mut self,
        criterion: &CriterionId,
        text: &str,
    ) -> Result<(QuestionId, Vec<u8>), DomainError> {
        let position = self
            .criteria()
            .into_iter()
            .find(|c| &c.id == criterion)
            .and_then(|c| c.questions.last().map(|q| q.position + 1.0))
            .unwrap_or(1.0);
        let question = Question {
            id: QuestionId(self.new_id()),
            text: text.to_string(),
            position,
        };
        let change = self.restore_question(criterion, &question)?;
        Ok((question.id, change))
    }

    /// Puts a removed question back under its old id and in its old place (undo).
    pub fn restore_question(
        &mut self,
        criterion: &CriterionId,
        question: &Question,
    ) -> Result<Vec<u8>, DomainError> {
        let c = self.criterion_obj(criterion)?;
        let existing = self.question_maps(&c).into_iter().next();
        Ok(self
            .edit(|d| {
                let questions = match existing {
                    Some(m) => m,
                    None => d.put_object(&c, "questions", ObjType::Map)?,
                };
                let q = d.put_object(&questions, question.id.as_str(), ObjType::Map)?;
                let t = d.put_object(&q, "text", ObjType::Text)?;
                d.splice_text(&t, 0, 0, &question.text)?;
                d.put(&q, "position", question.position)?;
                Ok(())
            })?
            .1)
    }

    pub fn remove_question(
        &mut self,
        criterion: &CriterionId,
        id: &QuestionId,
    ) -> Result<Vec<u8>, DomainError> {
        let c = self.criterion_obj(criterion)?;
        let holder = self
            .question_maps(&c)
            .into_iter()
            .find(|m| map(&self.doc, m, id.as_str()).is_ok())
            .ok_or(DomainError::Missing("question"))?;
        Ok(self.edit(|d| Ok(d.delete(&holder, id.as_str())?))?.1)
    }
}

fn question_maps(d: &AutoCommit, criterion: &ObjId) -> Vec<ObjId> {
    let mut maps: Vec<ObjId> = d
        .get_all(criterion, "questions")
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(v, id)| matches!(v, Value::Object(ObjType::Map)).then_some(id))
        .collect();
    if let Ok(winner) = map(d, criterion, "questions") {
        if let Some(i) = maps.iter().position(|m| m == &winner) {
            maps.swap(0, i);
        }
    }
    maps
}

fn read_questions(d: &AutoCommit, criterion: &ObjId) -> Vec<Question> {
    let mut out: Vec<Question> = Vec::new();
    for m in question_maps(d, criterion) {
        for (id, q) in entries(d, &m) {
            if out.iter().any(|known| known.id.as_str() == id) {
                continue;
            }
            out.push(Question {
                text: text_at(d, &q, "text"),
                position: position_at(d, &q),
                id: QuestionId(id),
            });
        }
    }
    sort_by_position(&mut out, |q| (q.position, &q.id));
    out
}

/// Writes a whole criterion into `criteria` as part of an edit in progress (adding, restoring,
/// or making one from an intake item together with the item's side of the link).
pub(crate) fn write_criterion(
    d: &mut AutoCommit,
    criteria: &ObjId,
    c: &Criterion,
    scale_max: i64,
) -> Result<(), DomainError> {
    let m = d.put_object(criteria, c.id.as_str(), ObjType::Map)?;
    let name = d.put_object(&m, "name", ObjType::Text)?;
    d.splice_text(&name, 0, 0, &c.name)?;
    let description = d.put_object(&m, "description", ObjType::Text)?;
    d.splice_text(&description, 0, 0, &c.description)?;
    d.put(&m, "category", c.category.as_str())?;
    d.put(&m, "weight", c.weight)?;
    d.put(&m, "must_have", c.must_have)?;
    d.put(&m, "position", c.position)?;
    // Every level's anchor text exists from the start: two people writing the first anchor at
    // once would otherwise each create a Text, and one of them would be lost.
    let anchors = d.put_object(&m, "anchors", ObjType::Map)?;
    for level in 1..=scale_max {
        let t = d.put_object(&anchors, level.to_string(), ObjType::Text)?;
        if let Some(text) = c.anchors.get(level as usize - 1) {
            d.splice_text(&t, 0, 0, text)?;
        }
    }
    if let Some(item) = &c.from_intake {
        d.put(&m, "from_intake", item.as_str())?;
    }
    let questions = d.put_object(&m, "questions", ObjType::Map)?;
    for q in &c.questions {
        let entry = d.put_object(&questions, q.id.as_str(), ObjType::Map)?;
        let t = d.put_object(&entry, "text", ObjType::Text)?;
        d.splice_text(&t, 0, 0, &q.text)?;
        d.put(&entry, "position", q.position)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vacancy::TextField;

    #[test]
    fn a_weight_off_the_scale_is_refused_and_the_weight_stays() {
        let (mut v, _) = Vacancy::create("Data engineer", 0);
        let (id, _) = v.add_criterion("SQL", Category::Experience).unwrap();
        v.set_weight(&id, 4).unwrap();
        for off in [0, 6, 9, -1] {
            let refused = v.set_weight(&id, off);
            assert!(
                matches!(refused, Err(DomainError::Invalid(InvalidValue::Weight(w))) if w == off),
                "{off}: {refused:?}"
            );
        }
        assert_eq!(v.criteria()[0].weight, 4, "not clamped, not changed");
    }

    #[test]
    fn a_weight_another_app_wrote_off_the_scale_reads_as_the_nearest_on_it() {
        let (mut v, _) = Vacancy::create("Data engineer", 0);
        let (id, _) = v.add_criterion("SQL", Category::Experience).unwrap();
        let c = v.criterion_obj(&id).unwrap();
        v.doc.put(&c, "weight", 9_i64).unwrap();
        assert_eq!(v.criteria()[0].weight, MAX_WEIGHT);
        v.doc.put(&c, "weight", -3_i64).unwrap();
        assert_eq!(v.criteria()[0].weight, MIN_WEIGHT);
    }

    #[test]
    fn starting_text_fills_only_the_empty_levels() {
        let (mut v, _) = Vacancy::create("Data engineer", 0);
        let (id, _) = v.add_criterion("SQL", Category::Experience).unwrap();
        v.set_text(&TextField::Anchor(id.clone(), 2), "Writes joins with help")
            .unwrap();
        let starters: Vec<String> = (1..=4).map(|l| format!("level {l}")).collect();
        assert!(v.fill_empty_anchors(&id, &starters).unwrap().is_some());
        assert_eq!(
            v.criteria()[0].anchors,
            ["level 1", "Writes joins with help", "level 3", "level 4"]
        );
        assert!(
            v.fill_empty_anchors(&id, &starters).unwrap().is_none(),
            "nothing left to fill: no change"
        );
    }

    #[test]
    fn questions_are_added_edited_removed_and_restored_in_order() {
        let (mut v, _) = Vacancy::create("Data engineer", 0);
        let (id, _) = v.add_criterion("SQL", Category::Experience).unwrap();
        let (q1, _) = v.add_question(&id, "Tell me about a slow query").unwrap();
        let (q2, _) = v.add_question(&id, "A schema you designed?").unwrap();
        v.set_text(
            &TextField::Question(id.clone(), q1.clone()),
            "Tell me about a slow query you fixed",
        )
        .unwrap();
        let texts = |v: &Vacancy| -> Vec<String> {
            v.criteria()[0]
                .questions
                .iter()
                .map(|q| q.text.clone())
                .collect()
        };
        assert_eq!(
            texts(&v),
            [
                "Tell me about a slow query you fixed",
                "A schema you designed?"
            ]
        );
        let removed = v.criteria()[0].questions[0].clone();
        v.remove_question(&id, &q1).unwrap();
        assert_eq!(texts(&v), ["A schema you designed?"]);
        v.restore_question(&id, &removed).unwrap();
        assert_eq!(texts(&v)[0], "Tell me about a slow query you fixed");
        assert_eq!(v.criteria()[0].questions[1].id, q2);
    }

    #[test]
    fn questions_two_devices_add_to_an_older_criterion_at_once_are_both_kept() {
        // A criterion made before questions existed has no `questions` map.
        let (mut a, _) = Vacancy::create("Data engineer", 0);
        let (id, _) = a.add_criterion("SQL", Category::Experience).unwrap();
        let c = a.criterion_obj(&id).unwrap();
        a.doc.delete(&c, "questions").unwrap();
        a.doc.commit();
        let mut b = Vacancy::load(&a.save()).unwrap();
        a.add_question(&id, "From a").unwrap();
        b.add_question(&id, "From b").unwrap();
        let (ab, ba) = (a.save(), b.save());
        a.apply_remote(&ba).unwrap();
        b.apply_remote(&ab).unwrap();
        for v in [&a, &b] {
            let mut texts: Vec<String> = v.criteria()[0]
                .questions
                .iter()
                .map(|q| q.text.clone())
                .collect();
            texts.sort();
            assert_eq!(texts, ["From a", "From b"]);
        }
        // And a question in the losing map can still be edited and removed.
        let loser = a.criteria()[0].questions.clone();
        for q in loser {
            a.set_text(&TextField::Question(id.clone(), q.id.clone()), "edited")
                .unwrap();
            assert!(a.criteria()[0].questions.iter().any(|x| x.text == "edited"));
            a.remove_question(&id, &q.id).unwrap();
        }
        assert!(a.criteria()[0].questions.is_empty());
    }
}
