//! Feedback drafts: kept on this device only, in the `settings` store under
//! `"draft:<doc>:<interview>:<person>"`, as the domain's `FeedbackDraft` in JSON.
//!
//! A draft is never part of the vacancy's document, so nothing of it is synced or sent to the
//! relay: submitting writes it into the document (`Vacancy::submit_feedback`) and then deletes it
//! here.

use idb::TransactionMode;
use tandem_domain::{FeedbackDraft, InterviewId, PersonId};
use tandem_protocol::DocId;
use wasm_bindgen::JsValue;

use super::{LocalStore, StoreError, SETTINGS};

/// The key of one person's draft for one interview of one vacancy.
pub fn draft_key(doc: DocId, interview: &InterviewId, person: &PersonId) -> String {
    format!("draft:{doc}:{}:{}", interview.as_str(), person.as_str())
}

impl LocalStore {
    /// The draft under `key`; `None` when there is none or it cannot be read (a damaged draft
    /// is not worth blocking the form for: the person starts again).
    pub async fn draft(&self, key: &str) -> Result<Option<FeedbackDraft>, StoreError> {
        Ok(self
            .setting(key)
            .await?
            .and_then(|json| serde_json::from_str(&json).ok()))
    }

    pub async fn save_draft(&self, key: &str, draft: &FeedbackDraft) -> Result<(), StoreError> {
        let json = serde_json::to_string(draft).map_err(|e| StoreError::Failed(e.to_string()))?;
        self.set_setting(key, &json).await
    }

    pub async fn delete_draft(&self, key: &str) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(&[SETTINGS], TransactionMode::ReadWrite)?;
        tx.object_store(SETTINGS)?
            .delete(JsValue::from_str(key))?
            .await?;
        Self::finish(tx).await
    }
}
