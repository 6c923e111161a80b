//! A vacancy's entry in the device's list, and how it is kept in IndexedDB.
//!
//! The entry keeps the link as its two strings, as it always has, so that vacancies stored by
//! earlier versions still open; fields added since are optional.

use js_sys::{Array, Object};
use tandem_domain::deadlines::Kind;
use tandem_domain::overview::ListedDeadline;
use tandem_domain::Status;
use tandem_protocol::{EntryId, OwnerSecret, ShareLink};
use tandem_sync_engine::document::Stored;
use wasm_bindgen::{JsCast, JsValue};

use super::{get, hex, parse_hex16, set};

/// A vacancy as listed on this device.
#[derive(Clone, Debug, PartialEq)]
pub struct VacancyRecord {
    /// The link that opens it (and whose secret is known to work).
    pub link: ShareLink,
    pub title: String,
    /// Shown beside the title in the list, so the list says which vacancies are open.
    pub status: Status,
    /// How far it got with the relay: every entry up to `last_seq` is in the stored chunks.
    pub stored: Stored,
    pub opened_at: f64,
    /// The open dated items, so the list shows the next deadline and how many are overdue
    /// without opening every vacancy; empty in entries from before it was kept.
    pub deadlines: Vec<ListedDeadline>,
    /// The creator's owner secret (never in the link): what deletes the vacancy from the relay
    /// for everyone. Only on the creator's devices, and absent in entries from before owners.
    /// A whole-record backup carries it, so a restored device can still delete.
    pub owner: Option<OwnerSecret>,
}

pub(super) fn record_key(r: &VacancyRecord) -> JsValue {
    JsValue::from_str(&r.link.doc.to_string())
}

pub(super) fn record_to_js(r: &VacancyRecord) -> JsValue {
    let obj = Object::new();
    set(&obj, "doc", &JsValue::from_str(&r.link.doc.to_string()));
    set(
        &obj,
        "secret",
        &JsValue::from_str(&r.link.secret.to_base64()),
    );
    set(&obj, "title", &JsValue::from_str(&r.title));
    set(&obj, "status", &JsValue::from_str(r.status.as_str()));
    let number = |n: u64| JsValue::from_f64(n as f64);
    set(&obj, "last_seq", &number(r.stored.last_seq));
    set(&obj, "relay_seen_seq", &number(r.stored.relay_seen_seq));
    if let Some(entry) = r.stored.last_entry {
        set(
            &obj,
            "last_entry_id",
            &JsValue::from_str(&hex(&entry.client_msg_id)),
        );
    }
    if let Some(own) = r.stored.last_own {
        set(&obj, "last_own_seq", &number(own.seq));
        set(
            &obj,
            "last_own_id",
            &JsValue::from_str(&hex(&own.client_msg_id)),
        );
    }
    set(&obj, "opened_at", &JsValue::from_f64(r.opened_at));
    let deadlines: Array = r
        .deadlines
        .iter()
        .map(|d| {
            let item = Object::new();
            set(&item, "kind", &JsValue::from_str(d.kind.as_str()));
            set(&item, "title", &JsValue::from_str(&d.title));
            set(&item, "due", &JsValue::from_str(&d.due));
            JsValue::from(item)
        })
        .collect();
    set(&obj, "deadlines", &deadlines);
    if let Some(owner) = &r.owner {
        set(&obj, "owner", &JsValue::from_str(&owner.to_base64()));
    }
    obj.into()
}

/// The listed deadlines of an entry; an item that does not read is left out, and an entry
/// without any (from before they were listed) has none.
fn deadlines_from_js(v: &JsValue) -> Vec<ListedDeadline> {
    let Some(list) = get(v, "deadlines").dyn_ref::<Array>().cloned() else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|item| {
            Some(ListedDeadline {
                kind: Kind::parse(&get(&item, "kind").as_string()?)?,
                title: get(&item, "title").as_string().unwrap_or_default(),
                due: get(&item, "due").as_string()?,
            })
        })
        .collect()
}

/// A record whose link does not read (damaged storage) is left out rather than shown broken.
pub(super) fn record_from_js(v: &JsValue) -> Option<VacancyRecord> {
    let doc = get(v, "doc").as_string()?;
    let secret = get(v, "secret").as_string()?;
    let last_seq = get(v, "last_seq").as_f64().unwrap_or(0.0) as u64;
    let last_own = match (
        get(v, "last_own_seq").as_f64(),
        get(v, "last_own_id").as_string(),
    ) {
        (Some(seq), Some(id)) => parse_hex16(&id).map(|client_msg_id| EntryId {
            seq: seq as u64,
            client_msg_id,
        }),
        _ => None,
    };
    // The entry at `last_seq`; its sequence is `last_seq` itself.
    let last_entry = get(v, "last_entry_id")
        .as_string()
        .and_then(|id| parse_hex16(&id))
        .map(|client_msg_id| EntryId {
            seq: last_seq,
            client_msg_id,
        });
    Some(VacancyRecord {
        link: ShareLink::from_parts(&doc, &secret).ok()?,
        title: get(v, "title").as_string().unwrap_or_default(),
        // Entries from before the status was listed read as drafts until the vacancy is opened.
        status: Status::parse(&get(v, "status").as_string().unwrap_or_default()),
        stored: Stored {
            last_seq,
            last_entry,
            relay_seen_seq: get(v, "relay_seen_seq")
                .as_f64()
                .map_or(last_seq, |s| s as u64),
            last_own,
        },
        opened_at: get(v, "opened_at").as_f64().unwrap_or(0.0),
        deadlines: deadlines_from_js(v),
        // A damaged owner secret reads as none: the vacancy still opens, it just cannot be
        // deleted for everyone from this device.
        owner: get(v, "owner")
            .as_string()
            .and_then(|s| OwnerSecret::from_base64(&s).ok()),
    })
}
