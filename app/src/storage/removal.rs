//! Removing a vacancy from this device: its list entry, its document chunks, its outbox, the
//! feedback drafts kept for it, an erase it started and its attachments (sealed blobs and their
//! upload queue), in one transaction, so a crash leaves either all of it or none.
//!
//! This is the device's side only. What the relay holds is deleted by the creator's "Delete
//! for everyone" (the relay protocol's `Delete`); a partner removes their copy here once told.

use idb::{KeyRange, Query, TransactionMode};
use tandem_protocol::DocId;
use wasm_bindgen::JsValue;

use super::{
    range_for, LocalStore, StoreError, BLOBS, CHUNKS, OUTBOX, SETTINGS, UPLOADS, VACANCIES,
};

/// The keys `"<prefix>…"` of one document in a store whose keys start with `prefix`.
fn prefixed(prefix: &str) -> Result<Query, StoreError> {
    // ';' sorts right after ':', so this range holds exactly the keys starting with `prefix`.
    let upper = format!("{};", prefix.trim_end_matches(':'));
    let range = KeyRange::bound(
        &JsValue::from_str(prefix),
        &JsValue::from_str(&upper),
        Some(false),
        Some(true),
    )?;
    Ok(Query::KeyRange(range))
}

/// The setting that notes an erase this device started (see `crate::moving`).
pub fn erase_note_key(doc: DocId) -> String {
    format!("erasing:{doc}")
}

/// The setting that says this device keeps its copy of a vacancy its creator deleted
/// (`components::delete_vacancy`).
pub fn kept_copy_key(doc: DocId) -> String {
    format!("deleted_kept:{doc}")
}

impl LocalStore {
    /// Removes everything this device stores of `doc`.
    pub async fn remove_vacancy(&self, doc: DocId) -> Result<(), StoreError> {
        let id = doc.to_string();
        let tx = self.db.transaction(
            &[VACANCIES, CHUNKS, OUTBOX, SETTINGS, BLOBS, UPLOADS],
            TransactionMode::ReadWrite,
        )?;
        tx.object_store(VACANCIES)?
            .delete(JsValue::from_str(&id))?
            .await?;
        tx.object_store(CHUNKS)?.delete(range_for(&id)?)?.await?;
        tx.object_store(OUTBOX)?.delete(range_for(&id)?)?.await?;
        tx.object_store(BLOBS)?.delete(range_for(&id)?)?.await?;
        tx.object_store(UPLOADS)?.delete(range_for(&id)?)?.await?;
        let settings = tx.object_store(SETTINGS)?;
        settings.delete(prefixed(&format!("draft:{id}:"))?)?.await?;
        // Its erase note and the choice to keep its copy go with it.
        for key in [erase_note_key(doc), kept_copy_key(doc)] {
            settings.delete(JsValue::from_str(&key))?.await?;
        }
        Self::finish(tx).await
    }
}
