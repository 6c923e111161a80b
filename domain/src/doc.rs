//! Small helpers for walking an Automerge document: follow a path of map keys, read a scalar of
//! a given type, list a map's entries, order entries by their fractional `position`. Each reads
//! around damaged or hostile data (a missing key or a value of the wrong type is `None`, never a
//! panic), so the typed readers in the other modules can stay short.

use automerge::{AutoCommit, ObjId, ObjType, ReadDoc, ScalarValue, Value, ROOT};

use crate::vacancy::DomainError;

pub(crate) fn map(d: &AutoCommit, parent: &ObjId, key: &str) -> Result<ObjId, DomainError> {
    match d.get(parent, key)? {
        Some((Value::Object(_), id)) => Ok(id),
        _ => Err(DomainError::Missing("section")),
    }
}

/// Follows a chain of map keys from the root to an object.
pub(crate) fn path(d: &AutoCommit, keys: &[&str]) -> Option<ObjId> {
    path_from(d, ROOT, keys)
}

pub(crate) fn scalar(d: &AutoCommit, obj: &ObjId, key: &str) -> Option<ScalarValue> {
    match d.get(obj, key).ok()?? {
        (Value::Scalar(s), _) => Some(s.into_owned()),
        _ => None,
    }
}

pub(crate) fn str_at(d: &AutoCommit, obj: &ObjId, key: &str) -> Option<String> {
    match scalar(d, obj, key)? {
        ScalarValue::Str(s) => Some(s.to_string()),
        _ => None,
    }
}

/// An integer, whichever integer type the writer used.
pub(crate) fn int_at(d: &AutoCommit, obj: &ObjId, key: &str) -> Option<i64> {
    match scalar(d, obj, key)? {
        ScalarValue::Int(n) => Some(n),
        ScalarValue::Uint(n) => i64::try_from(n).ok(),
        _ => None,
    }
}

pub(crate) fn bool_at(d: &AutoCommit, obj: &ObjId, key: &str) -> bool {
    matches!(scalar(d, obj, key), Some(ScalarValue::Boolean(true)))
}

pub(crate) fn timestamp_at(d: &AutoCommit, obj: &ObjId, key: &str) -> Option<i64> {
    match scalar(d, obj, key)? {
        ScalarValue::Timestamp(t) | ScalarValue::Int(t) => Some(t),
        _ => None,
    }
}

/// An entry's place in its ordered map; a missing or odd one sorts first rather than failing.
pub(crate) fn position_at(d: &AutoCommit, obj: &ObjId) -> f64 {
    match scalar(d, obj, "position") {
        Some(ScalarValue::F64(p)) if p.is_finite() => p,
        _ => 0.0,
    }
}

/// Orders entries read from an ordered map: by position, and by id where two devices picked the
/// same position at once, so every device shows the same order.
pub(crate) fn sort_by_position<T, K: Ord>(entries: &mut [T], key: impl Fn(&T) -> (f64, &K)) {
    crate::sorting::sort_by(entries, |a, b| {
        let ((pa, ia), (pb, ib)) = (key(a), key(b));
        pa.total_cmp(&pb).then_with(|| ia.cmp(ib))
    });
}

/// The position that puts an entry at `to_index` among `others` (the positions of the rest of
/// its list, in order): between its new neighbours, so a move rewrites one number.
pub(crate) fn position_between(others: &[f64], to_index: usize) -> f64 {
    let i = to_index.min(others.len());
    match (i.checked_sub(1).map(|j| others[j]), others.get(i)) {
        (None, None) => 1.0,
        (None, Some(next)) => next - 1.0,
        (Some(prev), None) => prev + 1.0,
        (Some(prev), Some(next)) => (prev + next) / 2.0,
    }
}

/// Follows a chain of map keys from an object to an object.
pub(crate) fn path_from(d: &AutoCommit, from: ObjId, keys: &[&str]) -> Option<ObjId> {
    let mut obj = from;
    for key in keys {
        obj = match d.get(&obj, *key).ok()?? {
            (Value::Object(_), id) => id,
            _ => return None,
        };
    }
    Some(obj)
}

/// The keys of a map, or none when `obj` is not a map (a damaged or hostile document).
pub(crate) fn keys(d: &AutoCommit, obj: &ObjId) -> Vec<String> {
    if d.object_type(obj).ok() != Some(ObjType::Map) {
        return Vec::new();
    }
    d.map_range(obj, ..).map(|i| i.key.to_string()).collect()
}

/// The entries of a map that are maps, as (key, object): the items of an ordered map.
pub(crate) fn entries(d: &AutoCommit, obj: &ObjId) -> Vec<(String, ObjId)> {
    let keys = keys(d, obj);
    keys.into_iter()
        .filter_map(|k| match d.get(obj, k.as_str()).ok()?? {
            (Value::Object(ObjType::Map), id) => Some((k, id)),
            _ => None,
        })
        .collect()
}

pub(crate) fn text_at(d: &AutoCommit, obj: &ObjId, key: &str) -> String {
    match d.get(obj, key) {
        Ok(Some((Value::Object(ObjType::Text), id))) => d.text(&id).unwrap_or_default(),
        _ => String::new(),
    }
}

/// Declares the id type of one kind of map entry (a stage, an action …): a string newtype, so
/// that ids of different kinds cannot be mixed up.
macro_rules! entry_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
}
pub(crate) use entry_id;
