//! What can go wrong that the user must know about, in words of their language.
//!
//! Lower layers report typed errors; the session turns them into a [`Problem`], and the page
//! shows its translated text. Nothing here is ever silently dropped.

use tandem_domain::DomainError;
use tandem_protocol::{ErrorCode, LinkError};

use crate::i18n::*;
use crate::storage::StoreError;

#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// Local storage cannot be opened at all (e.g. a private window that forbids it).
    StorageUnavailable,
    /// The device is out of space: changes live in memory only until space is freed.
    StorageFull,
    /// Another local storage failure; changes live in memory only for now.
    StorageFailed,
    /// Stored or received data could not be read as part of this vacancy.
    DamagedData,
    /// Data from the relay failed authentication: altered, or sealed with another key.
    Refused,
    /// The vacancy was written by a newer app: shown, not editable.
    NewerSchema,
    /// The thing being edited was removed, probably by the partner.
    Gone,
    /// A value out of its range (a date, a time, a number of hours): refused, not saved.
    InvalidValue,
    /// The relay refused something.
    Relay(ErrorCode),
}

impl From<&StoreError> for Problem {
    fn from(e: &StoreError) -> Self {
        match e {
            StoreError::Unavailable(_) => Problem::StorageUnavailable,
            StoreError::QuotaExceeded => Problem::StorageFull,
            StoreError::Failed(_) => Problem::StorageFailed,
        }
    }
}

impl From<&DomainError> for Problem {
    fn from(e: &DomainError) -> Self {
        match e {
            DomainError::NewerSchema(_) => Problem::NewerSchema,
            // Edits are only offered once the document is here; seeing this means it vanished.
            DomainError::NotLoaded | DomainError::Missing(_) => Problem::Gone,
            DomainError::Corrupt(_) => Problem::DamagedData,
            DomainError::Invalid(_) => Problem::InvalidValue,
        }
    }
}

impl From<tandem_sync_engine::Problem> for Problem {
    fn from(p: tandem_sync_engine::Problem) -> Self {
        match p {
            tandem_sync_engine::Problem::Refused(code) => Problem::Relay(code),
            tandem_sync_engine::Problem::Unreadable => Problem::Refused,
            tandem_sync_engine::Problem::ChangeTooLarge => Problem::Relay(ErrorCode::FrameTooLarge),
        }
    }
}

/// What is wrong with a link, in the user's words.
pub fn link_error_text(i18n: leptos_i18n::I18nContext<Locale>, e: &LinkError) -> String {
    match e {
        LinkError::NoDocId => t_string!(i18n, link_no_id),
        LinkError::BadDocId => t_string!(i18n, link_bad_id),
        LinkError::NoSecret => t_string!(i18n, link_no_secret),
        LinkError::BadSecret => t_string!(i18n, link_bad_secret),
        LinkError::Mismatched => t_string!(i18n, link_mismatched),
    }
    .to_string()
}

impl Problem {
    pub fn text(&self, i18n: leptos_i18n::I18nContext<Locale>) -> String {
        match self {
            Problem::StorageUnavailable => t_string!(i18n, problem_storage_unavailable),
            Problem::StorageFull => t_string!(i18n, problem_storage_full),
            Problem::StorageFailed => t_string!(i18n, problem_storage_failed),
            Problem::DamagedData => t_string!(i18n, problem_damaged),
            Problem::Refused => t_string!(i18n, problem_refused),
            Problem::NewerSchema => t_string!(i18n, problem_newer_schema),
            Problem::Gone => t_string!(i18n, problem_gone),
            Problem::InvalidValue => t_string!(i18n, problem_invalid_value),
            Problem::Relay(code) => match code {
                ErrorCode::FrameTooLarge => t_string!(i18n, problem_change_too_large),
                ErrorCode::DocumentTooLarge => t_string!(i18n, problem_document_too_large),
                ErrorCode::Malformed | ErrorCode::UnsupportedVersion => {
                    t_string!(i18n, problem_old_app)
                }
                ErrorCode::RateLimited | ErrorCode::PresenceRefused => {
                    t_string!(i18n, problem_rate_limited)
                }
                ErrorCode::QuotaExceeded => t_string!(i18n, problem_relay_full),
                ErrorCode::NotFound => t_string!(i18n, deleted_not_found),
                ErrorCode::NotOwner => t_string!(i18n, problem_not_owner),
                ErrorCode::NoOwner => t_string!(i18n, problem_no_owner),
                ErrorCode::BadToken
                | ErrorCode::NotJoined
                | ErrorCode::SnapshotAhead
                | ErrorCode::Internal => t_string!(i18n, problem_relay_failed),
            },
        }
        .to_string()
    }
}
