//! Attachments on this device: the sealed blobs themselves, and the upload queue of those that
//! still have to reach the relay.
//!
//! - `blobs`: sealed bytes keyed `"<doc>:<hash>"` (the hash of the sealed bytes, as at the
//!   relay). Only sealed bytes are kept: the audio is opened with the vacancy's key when it is
//!   played, so nothing readable of it lies on the disk.
//! - `uploads`: one entry per blob to send, under the same key, holding the document's access
//!   token (as URL-safe base64): the uploader needs nothing else, and the token opens nothing the
//!   vacancy's stored link does not already open. An entry is removed once the relay holds the
//!   whole blob (or refused it for good).
//!
//! A draft's memo has a blob but no upload entry: a draft never leaves the device. Submitting
//! queues it.

use idb::TransactionMode;
use js_sys::Uint8Array;
use tandem_protocol::blob::BlobHash;
use tandem_protocol::DocId;
use wasm_bindgen::JsValue;

use super::{bytes_of, LocalStore, StoreError, BLOBS, UPLOADS};

/// The key of one blob of one document, in both stores.
pub fn blob_key(doc: DocId, hash: &BlobHash) -> String {
    format!("{doc}:{hash}")
}

/// A blob waiting to be sent.
#[derive(Clone, Debug)]
pub struct QueuedUpload {
    pub doc: DocId,
    pub hash: BlobHash,
    /// The document's access token, URL-safe base64, as the relay's `Authorization` wants it.
    pub token: String,
}

impl QueuedUpload {
    pub fn key(&self) -> String {
        blob_key(self.doc, &self.hash)
    }
}

impl LocalStore {
    /// Keeps sealed bytes under their content address.
    pub async fn put_blob(
        &self,
        doc: DocId,
        hash: &BlobHash,
        sealed: &[u8],
    ) -> Result<(), StoreError> {
        let tx = self.db.transaction(&[BLOBS], TransactionMode::ReadWrite)?;
        tx.object_store(BLOBS)?
            .put(
                &Uint8Array::from(sealed),
                Some(&JsValue::from_str(&blob_key(doc, hash))),
            )?
            .await?;
        Self::finish(tx).await
    }

    /// The sealed bytes of a blob, if this device has them.
    pub async fn blob(&self, doc: DocId, hash: &BlobHash) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .get_one(BLOBS, &blob_key(doc, hash))
            .await?
            .map(|v| bytes_of(&v)))
    }

    /// A blob with this hash under any vacancy on this device: which one, and its sealed bytes.
    pub async fn find_blob(&self, hash: &BlobHash) -> Result<Option<(DocId, Vec<u8>)>, StoreError> {
        let tx = self.db.transaction(&[BLOBS], TransactionMode::ReadOnly)?;
        let store = tx.object_store(BLOBS)?;
        let suffix = format!(":{hash}");
        let keys = store.get_all_keys(None, None)?.await?;
        let Some(key) = keys
            .iter()
            .filter_map(|k| k.as_string())
            .find(|k| k.ends_with(&suffix))
        else {
            return Ok(None);
        };
        let Some(doc) = key
            .split_once(':')
            .and_then(|(doc, _)| doc.parse::<DocId>().ok())
        else {
            return Ok(None);
        };
        let bytes = store.get(JsValue::from_str(&key))?.await?;
        Ok(bytes.map(|v| (doc, bytes_of(&v))))
    }

    /// Forgets a blob (a draft's memo that was removed or recorded again) and any upload of it.
    pub async fn delete_blob(&self, doc: DocId, hash: &BlobHash) -> Result<(), StoreError> {
        let key = JsValue::from_str(&blob_key(doc, hash));
        let tx = self
            .db
            .transaction(&[BLOBS, UPLOADS], TransactionMode::ReadWrite)?;
        tx.object_store(BLOBS)?.delete(key.clone())?.await?;
        tx.object_store(UPLOADS)?.delete(key)?.await?;
        Self::finish(tx).await
    }

    /// Queues a blob this device holds for the relay.
    pub async fn queue_upload(&self, item: &QueuedUpload) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(&[UPLOADS], TransactionMode::ReadWrite)?;
        tx.object_store(UPLOADS)?
            .put(
                &JsValue::from_str(&item.token),
                Some(&JsValue::from_str(&item.key())),
            )?
            .await?;
        Self::finish(tx).await
    }

    /// Everything still to send, in key order. Entries that cannot be read are left out.
    pub async fn queued_uploads(&self) -> Result<Vec<QueuedUpload>, StoreError> {
        let tx = self.db.transaction(&[UPLOADS], TransactionMode::ReadOnly)?;
        let store = tx.object_store(UPLOADS)?;
        let keys = store.get_all_keys(None, None)?.await?;
        let values = store.get_all(None, None)?.await?;
        Ok(keys
            .iter()
            .zip(values.iter())
            .filter_map(|(k, v)| {
                let key = k.as_string()?;
                let (doc, hash) = key.split_once(':')?;
                Some(QueuedUpload {
                    doc: doc.parse().ok()?,
                    hash: hash.parse().ok()?,
                    token: v.as_string()?,
                })
            })
            .collect())
    }

    /// The relay holds the whole blob (or refused it for good): nothing more to send.
    pub async fn upload_finished(&self, key: &str) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(&[UPLOADS], TransactionMode::ReadWrite)?;
        tx.object_store(UPLOADS)?
            .delete(JsValue::from_str(key))?
            .await?;
        Self::finish(tx).await
    }
}
