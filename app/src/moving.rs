//! Erasing a candidate for real, and following a vacancy that moved.
//!
//! Automerge keeps every change, so a candidate removed from a vacancy is still in its history,
//! on every device and at the relay. Erasing makes a new vacancy without them and without
//! history (`Vacancy::erased_copy`), under a new link, and moves everyone there:
//!
//! 1. [`start_erase`], on the creator's device, online and with nothing unsent: it notes the
//!    erase on the device (the candidate and the new link, under `erasing:<doc>` in settings),
//!    then asks the relay to move the vacancy, with a pointer to the new link sealed with the
//!    old key (the relay protocol's `Move`). The relay deletes the old log and tells everyone.
//! 2. [`follow`], on every device that hears `Moved` (now, or at its next join: the relay keeps
//!    the pointer). The device that noted the erase writes the copy from its own document,
//!    which by then holds everything the relay had, since the relay delivers in order; it is
//!    the new vacancy's creator, with the same owner secret (delete tokens are per document).
//!    Every other device lists the new link, carries its feedback drafts over (except those
//!    about the erased candidate) and fetches the new vacancy from the relay. Then each removes
//!    its copy of the old one.
//!
//! A crash between the two steps is safe: the note stays, and the next join hears `Moved` again
//! and finishes; a copy already written is not written twice. Changes a member had not sent
//! when the vacancy moved cannot be carried over (they belong to the old history); the member
//! is told. Copies on devices that never come online again cannot be erased; the interface
//! says so before anyone erases.

use std::collections::BTreeMap;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use tandem_domain::erasure::EraseError;
use tandem_domain::{CandidateId, FeedbackDraft, MemoRef, Status};
use tandem_protocol::blob::BlobHash;
use tandem_protocol::crypto::Purpose;
use tandem_protocol::{MovedTo, OwnerSecret, Secret, ShareLink};

use leptos::prelude::*;
use tandem_sync_engine::Link;

use crate::attachments::download::{open_memo, MemoError};
use crate::attachments::{bearer_token, seal_memo};
use crate::session::Session;
use crate::storage::blobs::QueuedUpload;
use crate::storage::removal::erase_note_key;
use crate::storage::{LocalStore, StoreError, VacancyRecord};

/// Why an erase could not start. Nothing was changed or sent in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum EraseRefusal {
    #[error("only the person who created the vacancy can erase a candidate")]
    NotCreator,
    #[error("erasing needs the relay: this device is offline")]
    Offline,
    #[error("some changes have not reached the relay yet")]
    Unsent,
    #[error("a voice memo that stays cannot be carried over: {0}")]
    Memo(#[from] MemoError),
    #[error(transparent)]
    Storage(#[from] StoreError),
}

/// Why following a move failed; the old vacancy then stays on this device.
#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    #[error(transparent)]
    Storage(#[from] StoreError),
    #[error(transparent)]
    Copy(#[from] EraseError),
}

/// What this device noted before asking the relay to move the vacancy.
#[derive(Serialize, Deserialize)]
struct EraseNote {
    candidate: String,
    /// The new vacancy's secret, as in its link.
    secret: String,
    /// The memos that stay, sealed anew for the new vacancy, by their old hash.
    #[serde(default)]
    memos: BTreeMap<String, MemoRef>,
}

fn store_of(session: &Session) -> Result<LocalStore, StoreError> {
    session
        .device
        .store()
        .ok_or(StoreError::Unavailable(String::new()))
}

/// Starts erasing `candidate`: seals the memos that stay anew for the new vacancy, notes the
/// erase on this device, then asks the relay to move the vacancy. The relay's answer arrives
/// as `Session::moved`, which the page follows.
pub async fn start_erase(
    session: &Rc<Session>,
    candidate: &CandidateId,
) -> Result<(), EraseRefusal> {
    if !session.is_creator() {
        return Err(EraseRefusal::NotCreator);
    }
    let sync = session.sync.get_untracked();
    if sync.link != Link::Online || !sync.caught_up {
        return Err(EraseRefusal::Offline);
    }
    if sync.unsent_since.is_some() {
        return Err(EraseRefusal::Unsent);
    }
    let store = store_of(session)?;
    let to = Secret::random();
    let new_link = ShareLink {
        doc: to.doc_id(),
        secret: to.clone(),
    };
    let memos = reseal_memos(session, &store, candidate, &new_link).await?;
    let note = EraseNote {
        candidate: candidate.as_str().to_string(),
        secret: to.to_base64(),
        memos,
    };
    let json = serde_json::to_string(&note).map_err(|e| StoreError::Failed(e.to_string()))?;
    store
        .set_setting(&erase_note_key(session.doc), &json)
        .await?;
    let moved = MovedTo {
        secret: to,
        note: candidate.as_str().as_bytes().to_vec(),
    };
    if !session.device.sync.move_for_everyone(session.doc, &moved) {
        return Err(EraseRefusal::Offline);
    }
    session.erasing.set(true);
    Ok(())
}

/// The memos of the feedback that stays, sealed anew with the new vacancy's key and kept on
/// this device under it, by their old hash. They must be here or on the relay now: once the
/// vacancy moves, the relay deletes the old ones.
async fn reseal_memos(
    session: &Session,
    store: &LocalStore,
    candidate: &CandidateId,
    new_link: &ShareLink,
) -> Result<BTreeMap<String, MemoRef>, EraseRefusal> {
    let kept = session.vacancy.borrow().kept_memos(candidate);
    let mut memos = BTreeMap::new();
    for memo in kept {
        let audio = open_memo(Some(store.clone()), &session.link, &memo)
            .await
            .map_err(EraseRefusal::Memo)?;
        let (sealed, new) = seal_memo(new_link, &audio, &memo.mime, memo.duration_ms);
        let hash: BlobHash = new.hash.parse().map_err(|_| MemoError::CannotOpen)?;
        store.put_blob(new_link.doc, &hash, &sealed).await?;
        memos.insert(memo.hash.clone(), new);
    }
    Ok(memos)
}

/// Where a device went when it followed a move.
pub struct Followed {
    pub link: ShareLink,
    /// This device erased the candidate (and wrote the new vacancy).
    pub erased_here: bool,
    /// Changes made here that had not reached the relay were left behind with the old vacancy.
    pub unsent_left_behind: bool,
}

/// Follows the vacancy to where it moved, as described in the module's overview.
pub async fn follow(session: &Rc<Session>, moved: &MovedTo) -> Result<Followed, FollowError> {
    let link = ShareLink {
        doc: moved.secret.doc_id(),
        secret: moved.secret.clone(),
    };
    let candidate = CandidateId(String::from_utf8_lossy(&moved.note).into_owned());
    let listed = session.storage.as_ref().is_some_and(|s| s.is_listed());
    let Ok(store) = store_of(session) else {
        // Nothing of it is kept on this device: there is nothing to carry over or remove.
        return Ok(Followed {
            link,
            erased_here: false,
            unsent_left_behind: false,
        });
    };
    let note: Option<EraseNote> = store
        .setting(&erase_note_key(session.doc))
        .await?
        .and_then(|json| serde_json::from_str::<EraseNote>(&json).ok())
        .filter(|n| n.secret == moved.secret.to_base64());
    let erased_here = note.is_some();
    if let Some(note) = &note {
        // Written once: a crash after writing it must not make a second, duplicate copy.
        if store.chunks(&link.doc.to_string()).await?.is_empty() {
            let (copy, first) = session.vacancy.borrow().erased_copy(
                &candidate,
                js_sys::Date::now() as i64,
                &note.memos,
            )?;
            // `start_erase` runs only where the owner secret is; a fresh one would still make
            // this device the new vacancy's owner.
            let owner = session.owner.clone().unwrap_or_else(OwnerSecret::random);
            Session::create_at(&session.device, link.clone(), owner, &copy, first).await?;
        }
        for memo in note.memos.values() {
            let hash = memo.hash.parse().map_err(|_| EraseError::NoSuchCandidate)?;
            let upload = QueuedUpload {
                doc: link.doc,
                hash,
                token: bearer_token(&link),
            };
            session.device.uploads.queue(upload).await?;
        }
    } else if listed && store.vacancy(&link.doc.to_string()).await?.is_none() {
        let old = session.storage.as_ref().map(|s| s.record());
        let record = VacancyRecord {
            link: link.clone(),
            title: old.as_ref().map(|r| r.title.clone()).unwrap_or_default(),
            status: old.as_ref().map_or(Status::Draft, |r| r.status),
            stored: Default::default(),
            opened_at: js_sys::Date::now(),
            deadlines: Vec::new(),
            // The creator's other devices stay its owners.
            owner: session.owner.clone(),
        };
        store.put_vacancy(&record).await?;
    }
    let mut unsent_left_behind = false;
    if listed || erased_here {
        let dropped: Vec<_> = session
            .vacancy
            .borrow()
            .interviews_of(&candidate)
            .into_iter()
            .map(|i| i.id)
            .collect();
        store.carry_drafts(session.doc, link.doc, &dropped).await?;
        carry_draft_memos(&store, &session.link, &link).await?;
        unsent_left_behind =
            !erased_here && session.sync.with_untracked(|s| s.unsent_since.is_some());
    }
    session.remove_from_device().await?;
    Ok(Followed {
        link,
        erased_here,
        unsent_left_behind,
    })
}

/// A draft's memo is sealed with the old vacancy's key and kept under it (drafts stay on the
/// device until submitted): seal it anew for the new vacancy, so the carried draft keeps it.
async fn carry_draft_memos(
    store: &LocalStore,
    old: &ShareLink,
    new: &ShareLink,
) -> Result<(), StoreError> {
    let prefix = format!("draft:{}:", new.doc);
    let old_key = old.secret.doc_key(old.doc);
    for (key, json) in store.all_settings().await? {
        if !key.starts_with(&prefix) {
            continue;
        }
        let Ok(mut draft) = serde_json::from_str::<FeedbackDraft>(&json) else {
            continue;
        };
        let Some(memo) = draft.memo.take() else {
            continue;
        };
        let Ok(hash) = memo.hash.parse::<BlobHash>() else {
            continue;
        };
        // A memo that is not here or does not open was lost before; the draft goes on without.
        let audio = match store.blob(old.doc, &hash).await? {
            Some(sealed) => old_key.open(Purpose::Attachment, &sealed).ok(),
            None => None,
        };
        if let Some(audio) = audio {
            let (sealed, new_ref) = seal_memo(new, &audio, &memo.mime, memo.duration_ms);
            if let Ok(new_hash) = new_ref.hash.parse::<BlobHash>() {
                store.put_blob(new.doc, &new_hash, &sealed).await?;
                draft.memo = Some(new_ref);
            }
        }
        store.save_draft(&key, &draft).await?;
    }
    Ok(())
}
