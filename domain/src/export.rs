//! A vacancy as a readable JSON file, and such a file back into a new vacancy.
//!
//! The export is the document's content as plain JSON: every map a JSON object under the keys
//! of the schema (see [`crate::schema`]), every text its current string, every timestamp an
//! RFC 3339 moment, wrapped as `{"format": "tandem-vacancy", "version": 1, "exported_at": …,
//! "vacancy": {…}}`. It holds the holder's whole copy: no hiding rule applies (feedback others
//! may not see yet is in it), so the app says it contains personal data.
//!
//! Why a walk of our own and not automerge's `AutoSerde`: `AutoSerde` writes a `Text` and a
//! string scalar alike and a timestamp as a bare number, so its JSON cannot be written back
//! faithfully (the domain reads free text only from `Text`, which merges per character, and
//! names and ids only from string scalars). Nor is the import rebuilt through the domain's
//! writers one section at a time: that would be a second copy of the schema to keep in step.
//! Instead the schema's one fact the JSON cannot carry — which strings are `Text` — is
//! [`is_text`], checked by a test against a document that uses every writer.
//!
//! Importing makes a NEW document (the app gives it a new id and secret) holding the content
//! as one change; its history stays behind in the original. Concurrent maps that Automerge
//! keeps side by side (two `people` maps made at once) are exported merged, as the domain reads
//! them.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ReadDoc, ScalarValue, Value, ROOT};
use chrono::{DateTime, SecondsFormat};
use serde_json::{Map, Number, Value as Json};

use crate::feedback::{Feedback, MemoRef};
use crate::schema::SCHEMA_VERSION;
use crate::vacancy::Vacancy;

/// The marker that says a JSON file is a vacancy export.
pub const FORMAT: &str = "tandem-vacancy";
/// The export format's version; a file of a higher one is refused, not misread.
pub const FORMAT_VERSION: u64 = 1;

/// Why a file could not be imported. Nothing is made in any of these cases.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("this file is not JSON ({0})")]
    NotJson(String),
    #[error("this file is not a Tandem vacancy export")]
    Foreign,
    #[error("this export was made by a newer version of Tandem (format version {0})")]
    NewerFormat(u64),
    #[error("the vacancy in this export was made by a newer version of Tandem (schema {0})")]
    NewerSchema(u64),
    #[error("the export is damaged: {0}")]
    Malformed(&'static str),
}

/// Whether the string at `path` (map keys from the root) is free text (`Text`) in the schema;
/// every other string is a scalar (an id, a status, a date).
fn is_text(path: &[&str]) -> bool {
    matches!(
        path,
        ["vacancy", "title"]
            | ["intake", "role", _]
            | [
                "intake",
                "profile"
                    | "target_group"
                    | "labour_market"
                    | "selling_points"
                    | "contact_agreements"
            ]
            | ["intake", "must_haves" | "nice_to_haves", _, "text"]
            | [
                "intake",
                "stages",
                _,
                "name" | "interviewers" | "assesses" | "next_interviewer_note"
            ]
            | ["intake", "stages", _, "questions", _, "text"]
            | ["agreements", "notes"]
            | ["planning", "actions", _, "title"]
            | ["scorecard", "criteria", _, "name" | "description"]
            | ["scorecard", "criteria", _, "anchors", _]
            | ["scorecard", "criteria", _, "questions", _, "text"]
            | ["candidates", _, "name" | "contact" | "notes"]
            | ["feedback", _, "ratings", _, "evidence"]
            | ["feedback", _, "note"]
            | ["checkins", _, "notes"]
            | ["decisions", _, "reason"]
    )
}

/// Keys whose timestamps the export writes as moments; only there is a moment read back as one.
const TIMESTAMP_KEYS: &[&str] = &["created_at", "joined_at", "added_at", "submitted_at", "at"];

impl Vacancy {
    /// The whole vacancy as an export, made at `now_ms`.
    pub fn export(&self, now_ms: i64) -> Json {
        let mut out = Map::new();
        out.insert("format".into(), FORMAT.into());
        out.insert("version".into(), FORMAT_VERSION.into());
        out.insert("exported_at".into(), moment(now_ms));
        out.insert("vacancy".into(), walk(&self.doc, &ROOT));
        Json::Object(out)
    }

    /// The export as indented JSON text, as the file holds it.
    pub fn export_string(&self, now_ms: i64) -> String {
        // Serialising a `serde_json::Value` cannot fail (its keys are strings).
        serde_json::to_string_pretty(&self.export(now_ms)).unwrap_or_default()
    }

    /// A new vacancy from an export's text, and the bytes of the one change that holds it.
    pub fn import(text: &str) -> Result<(Vacancy, Vec<u8>), ImportError> {
        let json: Json =
            serde_json::from_str(text).map_err(|e| ImportError::NotJson(e.to_string()))?;
        Vacancy::from_export(&json)
    }

    /// As [`Self::import`], with the feedback's voice memos named anew: a memo whose hash is a
    /// key of `memos` names that one (its audio sealed again for the new vacancy), and any
    /// other is left out. The export holds no audio, only references sealed under the old
    /// vacancy's key, which the new one cannot open: a reference kept would name a memo that
    /// can never be played.
    pub fn import_with_memos(
        text: &str,
        memos: &BTreeMap<String, MemoRef>,
    ) -> Result<(Vacancy, Vec<u8>), ImportError> {
        let mut json: Json =
            serde_json::from_str(text).map_err(|e| ImportError::NotJson(e.to_string()))?;
        rename_memos(&mut json, memos);
        Vacancy::from_export(&json)
    }

    /// Every voice memo the feedback names, each once.
    pub fn memos(&self) -> Vec<MemoRef> {
        self.memos_of(|_| true)
    }

    /// The voice memos of the feedback `keep` accepts, each once (by hash: two pieces of feedback
    /// may name the same sealed bytes), in the order of their hashes.
    pub(crate) fn memos_of(&self, keep: impl Fn(&Feedback) -> bool) -> Vec<MemoRef> {
        let mut memos: Vec<MemoRef> = self
            .feedback()
            .into_iter()
            .filter(|f| keep(f))
            .filter_map(|f| f.memo)
            .collect();
        crate::sorting::sort_by(&mut memos, |a, b| a.hash.cmp(&b.hash));
        memos.dedup_by(|a, b| a.hash == b.hash);
        memos
    }

    /// A new vacancy from an export (as [`Self::export`] makes it), and its one change.
    pub fn from_export(json: &Json) -> Result<(Vacancy, Vec<u8>), ImportError> {
        let top = json.as_object().ok_or(ImportError::Foreign)?;
        if top.get("format").and_then(Json::as_str) != Some(FORMAT) {
            return Err(ImportError::Foreign);
        }
        let version = top
            .get("version")
            .and_then(Json::as_u64)
            .ok_or(ImportError::Malformed("no format version"))?;
        if version > FORMAT_VERSION {
            return Err(ImportError::NewerFormat(version));
        }
        let content = top
            .get("vacancy")
            .and_then(Json::as_object)
            .ok_or(ImportError::Malformed("no vacancy"))?;
        match content.get("schema_version").and_then(Json::as_u64) {
            Some(v) if v > SCHEMA_VERSION => return Err(ImportError::NewerSchema(v)),
            Some(_) => {}
            None => return Err(ImportError::Malformed("no schema version")),
        }
        let has_title = content
            .get("vacancy")
            .and_then(Json::as_object)
            .is_some_and(|v| v.get("title").is_some_and(Json::is_string));
        if !has_title {
            return Err(ImportError::Malformed("no vacancy title"));
        }
        let mut v = Vacancy::empty();
        let mut path = Vec::new();
        write_map(&mut v.doc, &ROOT, content, &mut path)
            .map_err(|_| ImportError::Malformed("a value the document cannot hold"))?;
        let change = v.commit_since(&[]);
        Ok((v, change))
    }
}

/// An RFC 3339 moment in UTC with milliseconds; a number where chrono cannot represent it.
fn moment(ms: i64) -> Json {
    match DateTime::from_timestamp_millis(ms) {
        Some(t) => t.to_rfc3339_opts(SecondsFormat::Millis, true).into(),
        None => ms.into(),
    }
}

/// An object of the document as JSON.
fn walk(d: &AutoCommit, obj: &ObjId) -> Json {
    match d.object_type(obj) {
        Ok(ObjType::Map | ObjType::Table) => {
            let mut out = Map::new();
            for key in d.map_range(obj, ..).map(|i| i.key.to_string()) {
                if let Some(value) = map_value(d, obj, &key) {
                    out.insert(key, value);
                }
            }
            Json::Object(out)
        }
        Ok(ObjType::List) => Json::Array(
            (0..d.length(obj))
                .filter_map(|i| match d.get(obj, i).ok()?? {
                    (Value::Object(_), id) => Some(walk(d, &id)),
                    (Value::Scalar(s), _) => scalar(&s, false),
                })
                .collect(),
        ),
        Ok(ObjType::Text) => Json::String(d.text(obj).unwrap_or_default()),
        Err(_) => Json::Null,
    }
}

/// The value under `key`: the winner, or where Automerge keeps maps made at once side by side,
/// all of them merged (the winner's entries first), as the domain's reads take them.
fn map_value(d: &AutoCommit, obj: &ObjId, key: &str) -> Option<Json> {
    let all = d.get_all(obj, key).ok()?;
    let (winner, winner_id) = d.get(obj, key).ok()??;
    match winner {
        Value::Scalar(s) => scalar(&s, TIMESTAMP_KEYS.contains(&key)),
        Value::Object(ObjType::Map) if all.len() > 1 => {
            let mut merged = match walk(d, &winner_id) {
                Json::Object(m) => m,
                _ => Map::new(),
            };
            for (value, id) in all {
                if id == winner_id || !matches!(value, Value::Object(ObjType::Map)) {
                    continue;
                }
                if let Json::Object(other) = walk(d, &id) {
                    for (k, v) in other {
                        merged.entry(k).or_insert(v);
                    }
                }
            }
            Some(Json::Object(merged))
        }
        Value::Object(_) => Some(walk(d, &winner_id)),
    }
}

fn scalar(s: &ScalarValue, timestamp_key: bool) -> Option<Json> {
    Some(match s {
        ScalarValue::Str(s) => Json::String(s.to_string()),
        ScalarValue::Int(n) => (*n).into(),
        ScalarValue::Uint(n) => (*n).into(),
        ScalarValue::F64(f) => Number::from_f64(*f).map_or(Json::Null, Json::Number),
        ScalarValue::Counter(c) => i64::from(c).into(),
        ScalarValue::Timestamp(t) if timestamp_key => moment(*t),
        ScalarValue::Timestamp(t) => (*t).into(),
        ScalarValue::Boolean(b) => Json::Bool(*b),
        ScalarValue::Null => Json::Null,
        // The schema has no bytes; an unknown type from a newer automerge is left out.
        ScalarValue::Bytes(_) | ScalarValue::Unknown { .. } => return None,
    })
}

/// Writes a JSON object's entries into the map `obj`, `path` being the keys that lead to it.
fn write_map(
    d: &mut AutoCommit,
    obj: &ObjId,
    entries: &Map<String, Json>,
    path: &mut Vec<String>,
) -> Result<(), automerge::AutomergeError> {
    for (key, value) in entries {
        path.push(key.clone());
        let keys: Vec<&str> = path.iter().map(String::as_str).collect();
        match value {
            Json::Object(inner) => {
                let child = d.put_object(obj, key.as_str(), ObjType::Map)?;
                write_map(d, &child, inner, path)?;
            }
            Json::Array(items) => {
                let child = d.put_object(obj, key.as_str(), ObjType::List)?;
                write_list(d, &child, items)?;
            }
            Json::String(s) if is_text(&keys) => {
                let t = d.put_object(obj, key.as_str(), ObjType::Text)?;
                d.splice_text(&t, 0, 0, s)?;
            }
            other => {
                let is_moment = TIMESTAMP_KEYS.contains(&key.as_str());
                d.put(obj, key.as_str(), scalar_of(other, &keys, is_moment))?;
            }
        }
        path.pop();
    }
    Ok(())
}

fn write_list(
    d: &mut AutoCommit,
    list: &ObjId,
    items: &[Json],
) -> Result<(), automerge::AutomergeError> {
    for (i, item) in items.iter().enumerate() {
        match item {
            Json::Object(inner) => {
                let child = d.insert_object(list, i, ObjType::Map)?;
                // Lists are not part of the schema: their maps' strings stay scalars.
                write_map(d, &child, inner, &mut vec!["[list]".to_string()])?;
            }
            Json::Array(inner) => {
                let child = d.insert_object(list, i, ObjType::List)?;
                write_list(d, &child, inner)?;
            }
            other => d.insert(list, i, scalar_of(other, &[], false))?,
        }
    }
    Ok(())
}

/// A JSON value that is no object, array or text as the scalar the document held.
fn scalar_of(value: &Json, path: &[&str], timestamp_key: bool) -> ScalarValue {
    match value {
        Json::String(s) if timestamp_key => DateTime::parse_from_rfc3339(s).map_or_else(
            |_| ScalarValue::Str(s.as_str().into()),
            |t| ScalarValue::Timestamp(t.timestamp_millis()),
        ),
        Json::String(s) => ScalarValue::Str(s.as_str().into()),
        Json::Bool(b) => ScalarValue::Boolean(*b),
        // The creator writes the schema version unsigned.
        Json::Number(n) if path == ["schema_version"] && n.is_u64() => {
            ScalarValue::Uint(n.as_u64().unwrap_or_default())
        }
        Json::Number(n) if timestamp_key && n.is_i64() => {
            ScalarValue::Timestamp(n.as_i64().unwrap_or_default())
        }
        Json::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) if !n.is_f64() => ScalarValue::Int(i),
            (None, Some(u), _) if !n.is_f64() => ScalarValue::Uint(u),
            (_, _, Some(f)) => ScalarValue::F64(f),
            _ => ScalarValue::Null,
        },
        Json::Null | Json::Object(_) | Json::Array(_) => ScalarValue::Null,
    }
}

/// Names the feedback's memos in an export anew: one whose hash is a key of `memos` names that
/// memo instead, and any other is left out (see [`Vacancy::import_with_memos`]).
pub(crate) fn rename_memos(export: &mut Json, memos: &BTreeMap<String, MemoRef>) {
    let feedback = export
        .get_mut("vacancy")
        .and_then(|v| v.get_mut("feedback"))
        .and_then(Json::as_object_mut);
    for entry in feedback.into_iter().flat_map(|f| f.values_mut()) {
        let Some(entry) = entry.as_object_mut() else {
            continue;
        };
        let Some(memo) = entry.get("memo") else {
            continue;
        };
        let hash = memo.get("hash").and_then(Json::as_str).unwrap_or_default();
        match memos.get(hash) {
            Some(new) => {
                entry.insert(
                    "memo".into(),
                    serde_json::json!({
                        "hash": new.hash,
                        "sealed_len": new.sealed_len,
                        "mime": new.mime,
                        "duration_ms": new.duration_ms,
                    }),
                );
            }
            None => {
                entry.remove("memo");
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{
        Category, Decision, DraftRating, FeedbackDraft, ItemList, PersonId, Recommendation, Role,
        SignOffRole, TextField,
    };

    pub(crate) const NOW: i64 = 1_764_500_000_000;

    /// A vacancy that every writer of the domain has touched.
    /// A vacancy that uses every writer of the domain; its one candidate is Ada Lovelace.
    pub(crate) fn full_vacancy() -> Vacancy {
        let (mut v, _) = Vacancy::create("Backend developer", NOW);
        let rita = PersonId("a".repeat(32));
        let hans = PersonId("b".repeat(32));
        v.set_person(&rita, "Rita", Role::Recruiter, "blue", NOW)
            .unwrap();
        v.set_person(&hans, "Hans", Role::HiringManager, "green", NOW)
            .unwrap();
        v.set_text(&TextField::Role(crate::RoleText::Team), "Platform")
            .unwrap();
        v.set_text(
            &TextField::Intake(crate::IntakeText::Profile),
            "Curious, calm.",
        )
        .unwrap();
        let (must, _) = v.add_intake_item(ItemList::MustHaves, "Rust").unwrap();
        v.add_intake_item(ItemList::NiceToHaves, "SQL").unwrap();
        let (stage, _) = v.add_stage("First talk").unwrap();
        v.add_stage("Second talk").unwrap();
        v.set_text(
            &TextField::StageInterviewers(stage.clone()),
            "Rita and Hans",
        )
        .unwrap();
        let (sql, _) = v.add_criterion("SQL", Category::Competency).unwrap();
        v.set_text(
            &TextField::CriterionDescription(sql.clone()),
            "Writes queries",
        )
        .unwrap();
        v.set_text(&TextField::Anchor(sql.clone(), 1), "Never wrote one")
            .unwrap();
        v.set_must_have(&sql, true).unwrap();
        v.set_weight(&sql, 3).unwrap();
        v.add_question(&sql, "Tell me about a slow query.").unwrap();
        v.set_focus_criterion(&stage, &sql, true).unwrap();
        v.set_stage_target(&stage, Some("2026-12-15")).unwrap();
        v.add_action("Post the ad", Some(&rita), Some("2026-12-02"))
            .unwrap();
        v.set_feedback_within_hours(16).unwrap();
        v.set_checkin_time("09:30").unwrap();
        let (checkin, _) = v.add_checkin("2026-12-01").unwrap();
        v.set_attended(&checkin, &hans, true).unwrap();
        v.set_text(&TextField::CheckinNotes(checkin), "All good")
            .unwrap();
        let (ada, _) = v.add_candidate("Ada Lovelace", NOW).unwrap();
        v.set_text(&TextField::CandidateContact(ada.clone()), "ada@example.org")
            .unwrap();
        let (interview, _) = v
            .add_interview(&ada, &stage, Some("2026-12-03T10:00"))
            .unwrap();
        v.set_interviewer(&interview, &hans, true).unwrap();
        let mut draft = FeedbackDraft::new(interview);
        draft.recommendation = Some(Recommendation::Yes);
        draft.note = "Ask about teams".into();
        draft.memo = Some(crate::MemoRef {
            hash: "ab".repeat(32),
            sealed_len: 48_213,
            mime: "audio/webm;codecs=opus".into(),
            duration_ms: 31_250,
        });
        *draft.rating_mut(&sql) = DraftRating {
            score: Some(3),
            evidence: "Indexes".into(),
        };
        v.submit_feedback(&draft, &hans, NOW + 1).unwrap();
        v.record_decision(&ada, Decision::Advance, "Strong SQL", &hans, NOW + 2)
            .unwrap();
        v.sign_off(SignOffRole::Recruiter, &rita, "Rita", NOW + 3, "print")
            .unwrap();
        let _ = must;
        v
    }

    /// The document as JSON whose leaves say their Automerge type, so that a text written back
    /// as a string scalar (or a timestamp as a number) shows as a difference.
    fn typed(d: &AutoCommit, obj: &ObjId) -> Json {
        match d.object_type(obj).unwrap() {
            ObjType::Text => serde_json::json!({ "text": d.text(obj).unwrap() }),
            ObjType::List => Json::Array(
                (0..d.length(obj))
                    .map(|i| leaf(d, d.get(obj, i).unwrap().unwrap()))
                    .collect(),
            ),
            ObjType::Map | ObjType::Table => Json::Object(
                d.map_range(obj, ..)
                    .map(|i| i.key.to_string())
                    .map(|k| {
                        let v = leaf(d, d.get(obj, k.as_str()).unwrap().unwrap());
                        (k, v)
                    })
                    .collect(),
            ),
        }
    }

    fn leaf(d: &AutoCommit, (value, id): (Value<'_>, ObjId)) -> Json {
        match value {
            Value::Object(_) => typed(d, &id),
            Value::Scalar(s) => Json::String(format!("{:?}", s.as_ref())),
        }
    }

    #[test]
    fn an_export_imported_again_is_the_same_vacancy_with_the_same_types() {
        let original = full_vacancy();
        let text = original.export_string(NOW);
        let (imported, change) = Vacancy::import(&text).unwrap();
        assert_eq!(typed(&original.doc, &ROOT), typed(&imported.doc, &ROOT));
        // What the views read is the same too.
        assert_eq!(imported.title(), "Backend developer");
        assert_eq!(imported.criteria(), original.criteria());
        assert_eq!(imported.candidates(), original.candidates());
        assert_eq!(imported.feedback(), original.feedback());
        // The memo's reference comes along (the audio does not: it is sealed with the old key).
        assert_eq!(
            imported.feedback()[0].memo.as_ref().map(|m| m.duration_ms),
            Some(31_250)
        );
        assert_eq!(imported.people(), original.people());
        assert_eq!(imported.stages(), original.stages());
        assert_eq!(imported.actions(), original.actions());
        assert_eq!(imported.checkins(), original.checkins());
        assert_eq!(imported.agreements(), original.agreements());
        assert_eq!(imported.sign_offs(), original.sign_offs());
        let ada = &original.candidates()[0].id;
        assert_eq!(imported.decisions(ada), original.decisions(ada));
        // The change is the whole vacancy: another device loads it from those bytes alone.
        let mut elsewhere = Vacancy::empty();
        elsewhere.apply_remote(&change).unwrap();
        assert_eq!(typed(&elsewhere.doc, &ROOT), typed(&original.doc, &ROOT));
        assert_eq!(elsewhere.schema_status(), crate::SchemaStatus::Current);
    }

    #[test]
    fn an_import_names_the_memos_sealed_anew_and_leaves_out_those_it_could_not_carry() {
        let original = full_vacancy();
        let old = original.memos();
        assert_eq!(old.len(), 1);
        let text = original.export_string(NOW);
        let renamed = crate::MemoRef {
            hash: "cd".repeat(32),
            sealed_len: 48_300,
            ..old[0].clone()
        };
        let map = BTreeMap::from([(old[0].hash.clone(), renamed.clone())]);
        let (carried, _) = Vacancy::import_with_memos(&text, &map).unwrap();
        assert_eq!(carried.memos(), [renamed]);
        assert_eq!(carried.feedback()[0].note, original.feedback()[0].note);
        // Not carried: the feedback stays, without a memo that could never be played.
        let (without, _) = Vacancy::import_with_memos(&text, &BTreeMap::new()).unwrap();
        assert!(without.memos().is_empty());
        assert_eq!(without.feedback().len(), original.feedback().len());
        assert!(!without.export_string(NOW).contains(&old[0].hash));
    }

    #[test]
    fn the_export_reads_as_the_schema_with_moments_and_plain_text() {
        let v = full_vacancy();
        let json = v.export(NOW);
        assert_eq!(json["format"], "tandem-vacancy");
        assert_eq!(json["version"], 1);
        assert_eq!(json["exported_at"], "2025-11-30T10:53:20.000Z");
        let content = &json["vacancy"];
        assert_eq!(content["vacancy"]["title"], "Backend developer");
        assert_eq!(content["created_at"], "2025-11-30T10:53:20.000Z");
        let candidate = content["candidates"]
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap();
        assert_eq!(candidate["name"], "Ada Lovelace");
        assert_eq!(candidate["contact"], "ada@example.org");
        let criterion = content["scorecard"]["criteria"]
            .as_object()
            .unwrap()
            .values()
            .next();
        assert_eq!(criterion.unwrap()["anchors"]["1"], "Never wrote one");
    }

    #[test]
    fn every_text_of_the_document_is_known_as_text() {
        fn visit(d: &AutoCommit, obj: &ObjId, path: &mut Vec<String>) {
            for key in d
                .map_range(obj, ..)
                .map(|i| i.key.to_string())
                .collect::<Vec<_>>()
            {
                path.push(key.clone());
                let keys: Vec<&str> = path.iter().map(String::as_str).collect();
                match d.get(obj, key.as_str()).unwrap().unwrap() {
                    (Value::Object(ObjType::Text), _) => assert!(is_text(&keys), "{keys:?}"),
                    (Value::Object(ObjType::Map), id) => visit(d, &id, path),
                    (Value::Scalar(s), _) if s.is_str() => assert!(!is_text(&keys), "{keys:?}"),
                    _ => {}
                }
                path.pop();
            }
        }
        visit(&full_vacancy().doc, &ROOT, &mut Vec::new());
    }

    #[test]
    fn maps_made_at_once_are_exported_merged() {
        let (mut a, first) = Vacancy::create("Shared", NOW);
        let mut b = Vacancy::empty();
        b.apply_remote(&first).unwrap();
        // Two devices each make a `people` map at once (older documents had none).
        let people_a = a.doc.put_object(ROOT, "people", ObjType::Map).unwrap();
        a.doc.put(&people_a, "x", "A").unwrap();
        let people_b = b.doc.put_object(ROOT, "people", ObjType::Map).unwrap();
        b.doc.put(&people_b, "y", "B").unwrap();
        a.doc.merge(&mut b.doc).unwrap();
        let people = &a.export(NOW)["vacancy"]["people"];
        assert_eq!(
            (people["x"].as_str(), people["y"].as_str()),
            (Some("A"), Some("B"))
        );
    }

    #[test]
    fn what_is_no_export_is_refused_with_a_reason() {
        let refused = |text: &str| Vacancy::import(text).err();
        assert!(matches!(
            refused("not json at all"),
            Some(ImportError::NotJson(_))
        ));
        assert!(matches!(refused(""), Some(ImportError::NotJson(_))));
        assert_eq!(refused("[1, 2]"), Some(ImportError::Foreign));
        assert_eq!(
            refused(r#"{"name": "a contact list"}"#),
            Some(ImportError::Foreign)
        );
        assert_eq!(
            refused(r#"{"format": "tandem-vacancy", "version": 7, "vacancy": {}}"#),
            Some(ImportError::NewerFormat(7))
        );
        assert_eq!(
            refused(r#"{"format": "tandem-vacancy", "version": 1}"#),
            Some(ImportError::Malformed("no vacancy"))
        );
        assert_eq!(
            refused(
                r#"{"format": "tandem-vacancy", "version": 1, "vacancy": {"schema_version": 9, "vacancy": {"title": "x"}}}"#
            ),
            Some(ImportError::NewerSchema(9))
        );
        assert_eq!(
            refused(
                r#"{"format": "tandem-vacancy", "version": 1, "vacancy": {"schema_version": 1}}"#
            ),
            Some(ImportError::Malformed("no vacancy title"))
        );
        // A truncated export is no JSON.
        let text = full_vacancy().export_string(NOW);
        assert!(matches!(
            refused(&text[..text.len() / 2]),
            Some(ImportError::NotJson(_))
        ));
    }

    #[test]
    fn odd_values_in_an_export_are_read_around_not_panicked_on() {
        let text = r#"{"format": "tandem-vacancy", "version": 1, "vacancy": {
            "schema_version": 1, "vacancy": {"title": "Odd", "status": 3},
            "candidates": "not a map", "scorecard": {"criteria": {"c": {"name": 5, "anchors": [1, {"a": null}, [true]]}}},
            "people": {"p": {"joined_at": "yesterday"}}, "created_at": 1.5e300}}"#;
        let (v, _) = Vacancy::import(text).unwrap();
        assert_eq!(v.title(), "Odd");
        assert!(v.candidates().is_empty());
        let _ = (v.criteria(), v.people(), v.status());
    }
}
