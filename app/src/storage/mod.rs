//! The device's own copy of everything: IndexedDB, through the `idb` crate.
//!
//! This module is the database and its transactions; [`document`] is one open vacancy's use of
//! it (which chunks it has, when to compact, what its outbox holds); [`device_data`] is all of
//! it at once (backup, restore).
//!
//! Object stores:
//! - `vacancies`: one record per vacancy on this device (its link, title, and how far it got
//!   with the relay).
//! - `chunks`: the document bytes, keyed `"<doc>:<time>-<tab>-<n>"`: incremental changes as they
//!   happen, compacted now and then into one snapshot (the automerge-repo approach). The tab id
//!   in the key keeps two tabs on one vacancy from overwriting each other's chunks.
//! - `outbox`: changes not yet acknowledged by the relay, keyed `"<doc>:<time>-<client msg id>"`
//!   so that after a reload they are sent again in the order they were made.
//! - `settings`: small device settings (profile, chosen language).
//! - `blobs` and `uploads` (since version 2): sealed attachments (voice memos) and those still
//!   to send to the relay; see [`blobs`].
//!
//! Upgrading the database only adds the stores it lacks: what earlier versions stored stays.
//!
//! Every local change goes to `chunks` and `outbox` in one transaction before it is sent.

pub mod blobs;
pub mod device_data;
pub mod document;
pub mod drafts;
mod record;
pub mod removal;

use idb::{Database, DatabaseEvent, Factory, KeyRange, ObjectStoreParams, Query, TransactionMode};
use js_sys::{Object, Reflect, Uint8Array};
use tandem_protocol::ClientMsgId;
use tandem_sync_engine::Pending;
use wasm_bindgen::{JsCast, JsValue};

pub use record::VacancyRecord;
use record::{record_from_js, record_key, record_to_js};

const DB_NAME: &str = "tandem";
/// 2 added `blobs` and `uploads`.
const DB_VERSION: u32 = 2;
const VACANCIES: &str = "vacancies";
const CHUNKS: &str = "chunks";
const OUTBOX: &str = "outbox";
const SETTINGS: &str = "settings";
const BLOBS: &str = "blobs";
const UPLOADS: &str = "uploads";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("this browser does not allow local storage here (private mode?): {0}")]
    Unavailable(String),
    #[error("the device's storage is full")]
    QuotaExceeded,
    #[error("saving on this device failed: {0}")]
    Failed(String),
}

impl From<idb::Error> for StoreError {
    fn from(e: idb::Error) -> Self {
        let text = e.to_string();
        if text.contains("Quota") {
            StoreError::QuotaExceeded
        } else {
            StoreError::Failed(text)
        }
    }
}

/// The outbox key of a change: time first, so that after a reload the outbox is read back in
/// the order the changes were made.
fn outbox_key(doc: &str, created_at: u64, id: &ClientMsgId) -> JsValue {
    JsValue::from_str(&format!("{doc}:{created_at:013}-{}", hex(id)))
}

#[derive(Clone)]
pub struct LocalStore {
    db: std::rc::Rc<Database>,
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

pub(super) fn set(obj: &Object, key: &str, value: &JsValue) {
    // Setting a property on a plain new object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

fn bytes_of(v: &JsValue) -> Vec<u8> {
    v.dyn_ref::<Uint8Array>()
        .map(|a| a.to_vec())
        .unwrap_or_default()
}

fn range_for(doc: &str) -> Result<Query, StoreError> {
    // ';' sorts right after ':', so this range holds exactly the keys "<doc>:…".
    let range = KeyRange::bound(
        &JsValue::from_str(&format!("{doc}:")),
        &JsValue::from_str(&format!("{doc};")),
        Some(false),
        Some(true),
    )?;
    Ok(Query::KeyRange(range))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl LocalStore {
    pub async fn open() -> Result<Self, StoreError> {
        let factory = Factory::new().map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let mut request = factory
            .open(DB_NAME, Some(DB_VERSION))
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        request.on_upgrade_needed(|event| {
            let Ok(db) = event.database() else { return };
            for name in [VACANCIES, CHUNKS, OUTBOX, SETTINGS, BLOBS, UPLOADS] {
                if !db.store_names().iter().any(|n| n == name) {
                    let _ = db.create_object_store(name, ObjectStoreParams::new());
                }
            }
        });
        let db = request
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        request_persistence();
        Ok(LocalStore {
            db: std::rc::Rc::new(db),
        })
    }

    async fn finish(tx: idb::Transaction) -> Result<(), StoreError> {
        let result = tx.await?;
        if result.is_committed() {
            Ok(())
        } else {
            // The browser aborted the transaction after every request succeeded; running out of
            // space at commit time is the usual reason, but not the only one.
            Err(StoreError::Failed("the browser aborted the save".into()))
        }
    }

    // ---- vacancies ---------------------------------------------------------------------------

    pub async fn vacancies(&self) -> Result<Vec<VacancyRecord>, StoreError> {
        let tx = self
            .db
            .transaction(&[VACANCIES], TransactionMode::ReadOnly)?;
        let values = tx.object_store(VACANCIES)?.get_all(None, None)?.await?;
        let mut out: Vec<VacancyRecord> = values.iter().filter_map(record_from_js).collect();
        tandem_domain::sorting::sort_by(&mut out, |a, b| b.opened_at.total_cmp(&a.opened_at));
        Ok(out)
    }

    /// One value by key, in its own read-only transaction.
    async fn get_one(&self, store: &str, key: &str) -> Result<Option<JsValue>, StoreError> {
        let tx = self.db.transaction(&[store], TransactionMode::ReadOnly)?;
        Ok(tx.object_store(store)?.get(JsValue::from_str(key))?.await?)
    }

    pub async fn vacancy(&self, doc: &str) -> Result<Option<VacancyRecord>, StoreError> {
        Ok(self
            .get_one(VACANCIES, doc)
            .await?
            .as_ref()
            .and_then(record_from_js))
    }

    pub async fn put_vacancy(&self, r: &VacancyRecord) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(&[VACANCIES], TransactionMode::ReadWrite)?;
        tx.object_store(VACANCIES)?
            .put(&record_to_js(r), Some(&record_key(r)))?
            .await?;
        Self::finish(tx).await
    }

    // ---- document bytes ----------------------------------------------------------------------

    /// All stored chunks of a document with their keys, in the order written.
    pub async fn chunks(&self, doc: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        self.doc_entries(CHUNKS, doc).await
    }

    /// Every (key, bytes) of one document in a store keyed `"<doc>:…"`, in key order.
    async fn doc_entries(
        &self,
        store: &str,
        doc: &str,
    ) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let tx = self.db.transaction(&[store], TransactionMode::ReadOnly)?;
        let store = tx.object_store(store)?;
        let keys = store.get_all_keys(Some(range_for(doc)?), None)?.await?;
        let values = store.get_all(Some(range_for(doc)?), None)?.await?;
        Ok(keys
            .iter()
            .zip(values.iter())
            .filter_map(|(k, v)| Some((k.as_string()?, bytes_of(v))))
            .collect())
    }

    /// Stores a local change, queues it for the relay and updates the list entry (when the
    /// vacancy is listed), atomically.
    pub async fn save_local_change(
        &self,
        chunk_key: &str,
        item: &Pending,
        record: &VacancyRecord,
        listed: bool,
    ) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(&[CHUNKS, OUTBOX, VACANCIES], TransactionMode::ReadWrite)?;
        let bytes = Uint8Array::from(item.change.as_slice());
        let doc = record.link.doc.to_string();
        tx.object_store(CHUNKS)?
            .put(&bytes, Some(&JsValue::from_str(chunk_key)))?
            .await?;
        tx.object_store(OUTBOX)?
            .put(&bytes, Some(&outbox_key(&doc, item.created_at, &item.id)))?
            .await?;
        if listed {
            tx.object_store(VACANCIES)?
                .put(&record_to_js(record), Some(&record_key(record)))?
                .await?;
        }
        Self::finish(tx).await
    }

    /// Stores changes that came from the relay, with the record that says how far we are.
    pub async fn save_remote(
        &self,
        chunks: &[(String, Vec<u8>)],
        record: &VacancyRecord,
    ) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(&[CHUNKS, VACANCIES], TransactionMode::ReadWrite)?;
        let store = tx.object_store(CHUNKS)?;
        for (key, bytes) in chunks {
            store
                .put(
                    &Uint8Array::from(bytes.as_slice()),
                    Some(&JsValue::from_str(key)),
                )?
                .await?;
        }
        tx.object_store(VACANCIES)?
            .put(&record_to_js(record), Some(&record_key(record)))?
            .await?;
        Self::finish(tx).await
    }

    /// Replaces the chunks a snapshot includes by that snapshot, in one transaction, so a crash
    /// leaves either the old chunks or the new snapshot, never neither. Only the given keys are
    /// removed: another tab may have written chunks this snapshot does not include.
    pub async fn compact(
        &self,
        included: &[String],
        snapshot_key: &str,
        snapshot: &[u8],
    ) -> Result<(), StoreError> {
        let tx = self.db.transaction(&[CHUNKS], TransactionMode::ReadWrite)?;
        let store = tx.object_store(CHUNKS)?;
        for key in included {
            store.delete(JsValue::from_str(key))?.await?;
        }
        store
            .put(
                &Uint8Array::from(snapshot),
                Some(&JsValue::from_str(snapshot_key)),
            )?
            .await?;
        Self::finish(tx).await
    }

    // ---- outbox ------------------------------------------------------------------------------

    pub async fn outbox(&self, doc: &str) -> Result<Vec<Pending>, StoreError> {
        let entries = self.doc_entries(OUTBOX, doc).await?;
        Ok(entries
            .into_iter()
            .filter_map(|(key, change)| {
                let (created, id_hex) = key.rsplit_once(':')?.1.split_once('-')?;
                Some(Pending {
                    id: parse_hex16(id_hex)?,
                    created_at: created.parse().ok()?,
                    change,
                })
            })
            .collect())
    }

    /// Removes acknowledged changes from the outbox and records how far the relay got, in one
    /// transaction: a crash can never leave the record claiming more than the outbox shows.
    pub async fn acknowledged(
        &self,
        acked: &[(u64, ClientMsgId)],
        record: &VacancyRecord,
    ) -> Result<(), StoreError> {
        let doc = record.link.doc.to_string();
        let tx = self
            .db
            .transaction(&[OUTBOX, VACANCIES], TransactionMode::ReadWrite)?;
        let outbox = tx.object_store(OUTBOX)?;
        for (created_at, id) in acked {
            outbox.delete(outbox_key(&doc, *created_at, id))?.await?;
        }
        tx.object_store(VACANCIES)?
            .put(&record_to_js(record), Some(&record_key(record)))?
            .await?;
        Self::finish(tx).await
    }

    // ---- settings ----------------------------------------------------------------------------

    pub async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .get_one(SETTINGS, key)
            .await?
            .and_then(|v| v.as_string()))
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(&[SETTINGS], TransactionMode::ReadWrite)?;
        tx.object_store(SETTINGS)?
            .put(&JsValue::from_str(value), Some(&JsValue::from_str(key)))?
            .await?;
        Self::finish(tx).await
    }
}

pub(super) fn parse_hex16(s: &str) -> Option<[u8; 16]> {
    if s.len() != 32 {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Asks the browser not to evict our data under storage pressure. Best effort: a refusal only
/// means the browser may clear data in an emergency, which it tells the user about.
fn request_persistence() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    // Absent outside secure contexts (e.g. plain http on a LAN address): do not call into it.
    if !js_sys::Reflect::has(&navigator, &JsValue::from_str("storage")).unwrap_or(false) {
        return;
    }
    if let Ok(promise) = navigator.storage().persist() {
        wasm_bindgen_futures::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        });
    }
}
