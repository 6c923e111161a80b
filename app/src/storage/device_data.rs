//! The device's data as a whole, for the backup and the restore: every
//! vacancy's list entry (as stored, so fields added later travel with it), its document chunks
//! and outbox, the device's settings (profile, person id, feedback drafts), and its attachments:
//! the sealed voice memos and the uploads still owed to the relay (a memo recorded offline on
//! the old phone exists nowhere else).
//!
//! Restoring merges: a vacancy this device lacks is added as it was; one it has keeps its own
//! entry (gaining only fields it lacks) and gains the backup's chunks beside its own, so loading
//! it merges the two documents (Automerge merges whatever chunks it is given). Nothing is ever
//! overwritten.

use idb::TransactionMode;
use js_sys::{Object, Uint8Array};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};

use super::{
    bytes_of, get, set, LocalStore, StoreError, BLOBS, CHUNKS, OUTBOX, SETTINGS, UPLOADS, VACANCIES,
};

/// Settings that say who this device is: restored only onto a device with no vacancies yet
/// (a new phone), so a device already in use stays the person it is.
pub const IDENTITY_SETTINGS: &[&str] = &["profile", "person-id"];

/// One vacancy as this device keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VacancyData {
    pub doc: String,
    /// The list entry exactly as stored, as JSON (the link's secret among it).
    pub record_json: String,
    /// The document chunks, with their keys.
    pub chunks: Vec<(String, Vec<u8>)>,
    /// Changes the relay had not acknowledged, with their keys.
    pub outbox: Vec<(String, Vec<u8>)>,
}

/// The device's attachments, with their keys (`"<doc>:<hash>"`, see `storage::blobs`).
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttachmentData {
    /// Sealed blobs: only sealed bytes are ever kept, so the backup holds nothing readable.
    pub blobs: Vec<(String, Vec<u8>)>,
    /// Uploads still to send, with the document's access token: the restored device sends them.
    pub uploads: Vec<(String, String)>,
}

/// What a restore added.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Restored {
    /// Vacancies this device did not have.
    pub added: usize,
    /// Vacancies it had, merged with the backup's copy.
    pub merged: usize,
}

fn failed(e: impl std::fmt::Display) -> StoreError {
    StoreError::Failed(e.to_string())
}

impl LocalStore {
    /// Every vacancy on this device with all its stored bytes.
    pub async fn all_vacancy_data(&self) -> Result<Vec<VacancyData>, StoreError> {
        let tx = self
            .db
            .transaction(&[VACANCIES], TransactionMode::ReadOnly)?;
        let store = tx.object_store(VACANCIES)?;
        let keys = store.get_all_keys(None, None)?.await?;
        let values = store.get_all(None, None)?.await?;
        drop(tx);
        let mut out = Vec::new();
        for (key, value) in keys.iter().zip(values.iter()) {
            let Some(doc) = key.as_string() else { continue };
            let record_json = js_sys::JSON::stringify(value)
                .map_err(|_| failed("a vacancy entry does not read as JSON"))?
                .as_string()
                .unwrap_or_default();
            out.push(VacancyData {
                chunks: self.doc_entries(CHUNKS, &doc).await?,
                outbox: self.doc_entries(OUTBOX, &doc).await?,
                doc,
                record_json,
            });
        }
        Ok(out)
    }

    /// Every setting of this device, as (key, value).
    pub async fn all_settings(&self) -> Result<Vec<(String, String)>, StoreError> {
        let tx = self
            .db
            .transaction(&[SETTINGS], TransactionMode::ReadOnly)?;
        let store = tx.object_store(SETTINGS)?;
        let keys = store.get_all_keys(None, None)?.await?;
        let values = store.get_all(None, None)?.await?;
        Ok(keys
            .iter()
            .zip(values.iter())
            .filter_map(|(k, v)| Some((k.as_string()?, v.as_string()?)))
            .collect())
    }

    /// Every attachment on this device, and the uploads still owed.
    pub async fn all_attachments(&self) -> Result<AttachmentData, StoreError> {
        let tx = self
            .db
            .transaction(&[BLOBS, UPLOADS], TransactionMode::ReadOnly)?;
        let blobs = tx.object_store(BLOBS)?;
        let (keys, values) = (
            blobs.get_all_keys(None, None)?.await?,
            blobs.get_all(None, None)?.await?,
        );
        let blobs = keys
            .iter()
            .zip(values.iter())
            .filter_map(|(k, v)| Some((k.as_string()?, bytes_of(v))))
            .collect();
        let uploads = tx.object_store(UPLOADS)?;
        let (keys, values) = (
            uploads.get_all_keys(None, None)?.await?,
            uploads.get_all(None, None)?.await?,
        );
        let uploads = keys
            .iter()
            .zip(values.iter())
            .filter_map(|(k, v)| Some((k.as_string()?, v.as_string()?)))
            .collect();
        Ok(AttachmentData { blobs, uploads })
    }

    /// Adds the backup's vacancies, settings and attachments to this device, merging where it
    /// has them; in one transaction, so a failed restore adds nothing.
    pub async fn restore(
        &self,
        vacancies: &[VacancyData],
        settings: &[(String, String)],
        attachments: &AttachmentData,
    ) -> Result<Restored, StoreError> {
        let had_vacancies = !self.vacancies().await?.is_empty();
        let tx = self.db.transaction(
            &[VACANCIES, CHUNKS, OUTBOX, SETTINGS, BLOBS, UPLOADS],
            TransactionMode::ReadWrite,
        )?;
        let list = tx.object_store(VACANCIES)?;
        let mut restored = Restored::default();
        for v in vacancies {
            let incoming = js_sys::JSON::parse(&v.record_json)
                .map_err(|_| failed("a vacancy entry in the backup does not read"))?;
            let key = JsValue::from_str(&v.doc);
            let record = match list.get(key.clone())?.await? {
                Some(mine) => {
                    restored.merged += 1;
                    with_missing_fields(&mine, &incoming)
                }
                None => {
                    restored.added += 1;
                    incoming
                }
            };
            list.put(&record, Some(&key))?.await?;
            for (name, entries) in [(CHUNKS, &v.chunks), (OUTBOX, &v.outbox)] {
                let store = tx.object_store(name)?;
                for (k, bytes) in entries {
                    // Keys hold the writing tab's random id: one already here is the same chunk.
                    store
                        .put(
                            &Uint8Array::from(bytes.as_slice()),
                            Some(&JsValue::from_str(k)),
                        )?
                        .await?;
                }
            }
        }
        // Blobs are named by the hash of their bytes: one already here is the same blob.
        let blobs = tx.object_store(BLOBS)?;
        for (k, bytes) in &attachments.blobs {
            blobs
                .put(
                    &Uint8Array::from(bytes.as_slice()),
                    Some(&JsValue::from_str(k)),
                )?
                .await?;
        }
        // An upload the relay already finished is found so at once (its answer says complete).
        let uploads = tx.object_store(UPLOADS)?;
        for (k, token) in &attachments.uploads {
            uploads
                .put(&JsValue::from_str(token), Some(&JsValue::from_str(k)))?
                .await?;
        }
        let store = tx.object_store(SETTINGS)?;
        for (k, value) in settings {
            let identity = IDENTITY_SETTINGS.contains(&k.as_str());
            let key = JsValue::from_str(k);
            let missing = store.get(key.clone())?.await?.is_none();
            if (identity && !had_vacancies) || (!identity && missing) {
                store.put(&JsValue::from_str(value), Some(&key))?.await?;
            }
        }
        Self::finish(tx).await?;
        Ok(restored)
    }
}

/// `mine` with every field of `theirs` it lacks: what this device knows wins, and what only the
/// backup knows (an owner secret kept on the other device) is added.
fn with_missing_fields(mine: &JsValue, theirs: &JsValue) -> JsValue {
    let Some(mine_obj) = mine.dyn_ref::<Object>() else {
        return theirs.clone();
    };
    let Some(theirs_obj) = theirs.dyn_ref::<Object>() else {
        return mine.clone();
    };
    for key in Object::keys(theirs_obj).iter() {
        let Some(k) = key.as_string() else { continue };
        if get(mine, &k).is_undefined() {
            set(mine_obj, &k, &get(theirs, &k));
        }
    }
    mine.clone()
}
