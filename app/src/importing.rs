//! Importing a vacancy export as a new vacancy on this device, voice memos included where this
//! device can carry them.
//!
//! An export holds the memos' references, not their audio: the audio is sealed with the old
//! vacancy's key, which the new vacancy (new link, new key) cannot open. So each memo whose
//! sealed audio this device holds under a vacancy it still has (the usual case: the export was
//! made here, or the memo was played here) is opened with that vacancy's key, sealed anew for
//! the new one, kept on the device and queued for the relay, as erasing does. A memo this device
//! does not hold is left out of the new vacancy, and the person is told: a reference kept would
//! name audio that can never be played.

use std::collections::BTreeMap;

use tandem_domain::export::ImportError;
use tandem_domain::{MemoRef, Vacancy};
use tandem_protocol::blob::BlobHash;
use tandem_protocol::crypto::Purpose;
use tandem_protocol::{DocId, OwnerSecret, ShareLink};

use crate::attachments::{bearer_token, seal_memo};
use crate::device::Device;
use crate::session::Session;
use crate::storage::blobs::QueuedUpload;
use crate::storage::{LocalStore, StoreError};

/// Why an import made nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    #[error(transparent)]
    File(#[from] ImportError),
    #[error(transparent)]
    Storage(#[from] StoreError),
}

/// The new vacancy an import made.
pub struct Imported {
    pub doc: DocId,
    /// Memos named in the export whose audio this device does not hold: not carried over.
    pub memos_left_behind: usize,
}

/// Imports the export `text` as a new vacancy, as described in the module's overview.
pub async fn import(device: &Device, text: &str) -> Result<Imported, ImportFailure> {
    // Read once first: a file that does not import makes nothing, memos included.
    let (found, _) = Vacancy::import(text)?;
    let store = device
        .store()
        .ok_or(StoreError::Unavailable(String::new()))?;
    let link = ShareLink::random();
    let wanted = found.memos();
    let mut carried = BTreeMap::new();
    for memo in &wanted {
        if let Some(new) = carry(&store, memo, &link).await? {
            carried.insert(memo.hash.clone(), new);
        }
    }
    let (vacancy, first) = Vacancy::import_with_memos(text, &carried)?;
    Session::create_at(device, link.clone(), OwnerSecret::random(), &vacancy, first).await?;
    for memo in carried.values() {
        let Ok(hash) = memo.hash.parse() else {
            continue;
        };
        let upload = QueuedUpload {
            doc: link.doc,
            hash,
            token: bearer_token(&link),
        };
        device.uploads.queue(upload).await?;
    }
    Ok(Imported {
        doc: link.doc,
        memos_left_behind: wanted.len() - carried.len(),
    })
}

/// The memo sealed anew for `link` and kept on this device, if its audio is here under a
/// vacancy this device still has.
async fn carry(
    store: &LocalStore,
    memo: &MemoRef,
    link: &ShareLink,
) -> Result<Option<MemoRef>, StoreError> {
    let Ok(hash) = memo.hash.parse::<BlobHash>() else {
        return Ok(None);
    };
    let Some((doc, sealed)) = store.find_blob(&hash).await? else {
        return Ok(None);
    };
    let Some(record) = store.vacancy(&doc.to_string()).await? else {
        return Ok(None);
    };
    let Ok(audio) = record
        .link
        .secret
        .doc_key(doc)
        .open(Purpose::Attachment, &sealed)
    else {
        return Ok(None);
    };
    let (sealed, new) = seal_memo(link, &audio, &memo.mime, memo.duration_ms);
    let Ok(new_hash) = new.hash.parse::<BlobHash>() else {
        return Ok(None);
    };
    store.put_blob(link.doc, &new_hash, &sealed).await?;
    Ok(Some(new))
}
