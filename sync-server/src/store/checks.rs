//! The size refusals every store makes the same way, from the sums it read.

use super::{Quota, StoreError};

/// Refuses a write that would take a document's stored bytes past the limit.
pub(super) fn check_doc_size(would_be: u64, limit: u64) -> Result<(), StoreError> {
    if would_be > limit {
        return Err(StoreError::DocumentTooLarge { would_be, limit });
    }
    Ok(())
}

/// Refuses a write that would take the relay's stored bytes past its limit.
pub(super) fn check_total_size(would_be: u64, quota: &Quota) -> Result<(), StoreError> {
    if would_be > quota.max_total_bytes {
        let limit = quota.max_total_bytes;
        return Err(StoreError::RelayFullOfBytes { would_be, limit });
    }
    Ok(())
}
