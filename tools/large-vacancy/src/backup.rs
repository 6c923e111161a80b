//! The generated vacancy as a device backup file, the one "Restore a backup" on the home page
//! takes: `tandem_protocol::backup` sealing a postcard `BackupContent` of content version 2.
//!
//! The app keeps that content's shape in `app/src/components/device_backup.rs` and
//! `app/src/storage/device_data.rs` (the app crate builds only for the browser, so it cannot be
//! shared from here); the structs below mirror them field for field, in the same order, as
//! postcard is not self-describing. The large-vacancy benchmark restores the file through the
//! app, so a drift shows there as a restore that fails.
//!
//! The vacancy is stored as one chunk: the compacted document (`Vacancy::save`), which is what
//! a device holds after its compaction. Its list entry says nothing was synced yet (sequence 0):
//! the relay has never seen this vacancy, and the benchmarks do not need it to.

use serde::Serialize;
use tandem_protocol::backup::{self as sealed, BackupError};
use tandem_protocol::ShareLink;

use crate::Large;

/// `CONTENT_VERSION` in the app's device_backup.rs.
const CONTENT_VERSION: u32 = 2;

/// The app's `BackupContent`.
#[derive(Serialize)]
struct BackupContent {
    version: u32,
    made_at: f64,
    vacancies: Vec<VacancyData>,
    settings: Vec<(String, String)>,
    attachments: AttachmentData,
}

/// The app's `storage::device_data::VacancyData`.
#[derive(Serialize)]
struct VacancyData {
    doc: String,
    record_json: String,
    chunks: Vec<(String, Vec<u8>)>,
    outbox: Vec<(String, Vec<u8>)>,
}

/// The app's `storage::device_data::AttachmentData`: none here.
#[derive(Serialize, Default)]
struct AttachmentData {
    blobs: Vec<(String, Vec<u8>)>,
    uploads: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("sealing the backup: {0}")]
    Seal(#[from] BackupError),
    #[error("encoding the backup: {0}")]
    Encode(#[from] postcard::Error),
}

/// The backup's plain content (before sealing): the vacancy under `link`, listed as this
/// device's, and the recruiter as this device's person, so a new device that restores it opens
/// the vacancy as the recruiter, without the first-open welcome.
pub fn content(
    large: &mut Large,
    link: &ShareLink,
    made_at_ms: f64,
) -> Result<Vec<u8>, WriteError> {
    let doc = link.doc.to_string();
    let title = large.vacancy.title();
    // The list entry as `storage::record::record_to_js` writes it.
    let record = serde_json::json!({
        "doc": doc,
        "secret": link.secret.to_base64(),
        "title": title,
        "status": large.vacancy.status().as_str(),
        "last_seq": 0,
        "relay_seen_seq": 0,
        "opened_at": made_at_ms,
        "deadlines": [],
    });
    let snapshot = large.vacancy.save();
    let content = BackupContent {
        version: CONTENT_VERSION,
        made_at: made_at_ms,
        vacancies: vec![VacancyData {
            // A chunk key as `storage::document` makes them: doc, time, tab, counter.
            chunks: vec![(
                format!("{doc}:{:013}-{:016}-{:06}", made_at_ms as u64, 0, 0),
                snapshot,
            )],
            doc,
            record_json: record.to_string(),
            outbox: Vec::new(),
        }],
        settings: vec![
            (
                "profile".to_string(),
                format!("{}|{}", large.recruiter_colour, large.recruiter_name),
            ),
            (
                "person-id".to_string(),
                large.recruiter.as_str().to_string(),
            ),
        ],
        attachments: AttachmentData::default(),
    };
    Ok(postcard::to_allocvec(&content)?)
}

/// The whole file: [`content`] sealed with `passphrase` and `iterations` of the key derivation.
pub fn file(
    large: &mut Large,
    link: &ShareLink,
    made_at_ms: f64,
    passphrase: &str,
    iterations: u32,
) -> Result<Vec<u8>, WriteError> {
    let plain = content(large, link, made_at_ms)?;
    Ok(sealed::seal_with(&plain, passphrase, iterations)?)
}
