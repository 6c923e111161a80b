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

    /// Carries this device's drafts for vacancy `from` over to `to`, the vacancy it moved to,
    /// leaving out the drafts for `dropped` interviews (an erased candidate's): those go with
    /// the old vacancy when it is removed. One transaction: all carried, or none.
    pub async fn carry_drafts(
        &self,
        from: DocId,
        to: DocId,
        dropped: &[InterviewId],
    ) -> Result<(), StoreError> {
        let prefix = format!("draft:{from}:");
        let drafts: Vec<(String, String)> = self
            .all_settings()
            .await?
            .into_iter()
            .filter(|(key, _)| key.starts_with(&prefix))
            .collect();
        let tx = self
            .db
            .transaction(&[SETTINGS], TransactionMode::ReadWrite)?;
        let settings = tx.object_store(SETTINGS)?;
        for (key, value) in drafts {
            let rest = &key[prefix.len()..];
            let interview = rest.split(':').next().unwrap_or_default();
            if dropped.iter().any(|d| d.as_str() == interview) {
                continue;
            }
            let moved = format!("draft:{to}:{rest}");
            settings
                .put(&JsValue::from_str(&value), Some(&JsValue::from_str(&moved)))?
                .await?;
        }
        Self::finish(tx).await
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
