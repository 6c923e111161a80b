//! What a joining client has missed, read from the store and sent one page at a time.
//!
//! A page is one `Entries` message of about [`CATCH_UP_CHUNK_BYTES`] (encoded sizes, so thousands
//! of tiny entries fill a page as surely as a few large ones), so a large document arrives in
//! pieces a browser can take one by one, and the relay never holds more than a page of it in
//! memory per joiner: the next page is read only once the client has taken the last ones
//! ([`crate::connection`]). The join reads the first page under the document's lock; a
//! [`Resume`] says where the rest continues, up to the head the join announced.

use tandem_protocol::message::{Entry, StoredSnapshot};
use tandem_protocol::{DocId, RelayMsg};

use crate::limits::CATCH_UP_CHUNK_BYTES;
use crate::store::{Store, StoreError};

/// Everything after a sequence at once: the head, the snapshot if the sequence is behind it,
/// and every live entry after that. For tests and tools; the relay itself sends pages.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CatchUp {
    pub head_seq: u64,
    pub snapshot: Option<StoredSnapshot>,
    pub entries: Vec<Entry>,
}

/// One message's worth of catch-up, as the store reads it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Page {
    /// Present only when the client is behind the snapshot, i.e. the entries it lacks are gone.
    pub snapshot: Option<StoredSnapshot>,
    pub entries: Vec<Entry>,
    /// Where a client that applied this page stands: the last entry's sequence, or the end of
    /// the range asked for when nothing more is left in it.
    pub reached: u64,
}

/// Where a catch-up continues: after `after`, up to `until` (the head announced in `Joined`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resume {
    pub doc: DocId,
    pub after: u64,
    pub until: u64,
}

impl Page {
    /// The `Entries` message for this page; none for an empty page.
    pub fn into_message(self, doc: DocId) -> Option<RelayMsg> {
        if self.snapshot.is_none() && self.entries.is_empty() {
            return None;
        }
        Some(RelayMsg::Entries {
            doc,
            snapshot: self.snapshot,
            entries: self.entries,
        })
    }

    /// Where the catch-up goes on after this page, if it is not done.
    pub fn resume(&self, doc: DocId, until: u64) -> Option<Resume> {
        (self.reached < until).then_some(Resume {
            doc,
            after: self.reached,
            until,
        })
    }
}

/// The next page of `resume` from the store, and where the catch-up goes on after it.
pub fn next_page(
    store: &dyn Store,
    resume: Resume,
) -> Result<(Option<RelayMsg>, Option<Resume>), StoreError> {
    let Resume { doc, after, until } = resume;
    let page = store.catch_up_page(doc, after, until, CATCH_UP_CHUNK_BYTES)?;
    let next = page.resume(doc, until);
    Ok((page.into_message(doc), next))
}

/// A page as [`fill_page`] filled it, before the store says how far it reaches.
#[derive(Debug)]
pub struct Filled {
    pub snapshot: Option<StoredSnapshot>,
    pub entries: Vec<Entry>,
    /// The sequence of the first entry that did not fit, if one did not.
    pub left: Option<u64>,
}

/// Fills a page from entries in sequence order: at least one entry, then more while the page
/// stays within `budget` encoded bytes (the snapshot counts too).
pub fn fill_page(
    snapshot: Option<StoredSnapshot>,
    entries: impl Iterator<Item = Result<Entry, StoreError>>,
    budget: usize,
) -> Result<Filled, StoreError> {
    let mut size = snapshot.as_ref().map_or(0, |s| s.ciphertext.len());
    let mut page = Vec::new();
    for entry in entries {
        let entry = entry?;
        let full = size + entry.encoded_len() > budget;
        if full && (!page.is_empty() || snapshot.is_some()) {
            return Ok(Filled {
                snapshot,
                entries: page,
                left: Some(entry.seq),
            });
        }
        size += entry.encoded_len();
        page.push(entry);
    }
    Ok(Filled {
        snapshot,
        entries: page,
        left: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: u64, len: usize) -> Result<Entry, StoreError> {
        Ok(Entry {
            seq,
            client_msg_id: [seq as u8; 16],
            ciphertext: vec![0; len],
        })
    }

    fn seqs(entries: &[Entry]) -> Vec<u64> {
        entries.iter().map(|e| e.seq).collect()
    }

    #[test]
    fn a_page_takes_entries_up_to_its_budget_but_always_one() {
        let page = fill_page(None, (1..=5).map(|s| entry(s, 40)), 130).unwrap();
        // Each entry is 40 bytes of ciphertext plus a sequence, an id and a length: 58.
        assert_eq!((seqs(&page.entries), page.left), (vec![1, 2], Some(3)));
        let page = fill_page(None, (1..=2).map(|s| entry(s, 500)), 130).unwrap();
        assert_eq!((seqs(&page.entries), page.left), (vec![1], Some(2)));
        let snapshot = StoredSnapshot {
            covers_seq: 9,
            covers_id: [9; 16],
            ciphertext: vec![0; 500],
        };
        let page = fill_page(Some(snapshot), (10..=11).map(|s| entry(s, 40)), 130).unwrap();
        assert!(page.snapshot.is_some());
        assert_eq!((seqs(&page.entries), page.left), (vec![], Some(10)));
    }

    #[test]
    fn tiny_entries_fill_a_page_by_their_encoded_size() {
        let page = fill_page(
            None,
            (1..=100_000).map(|s| entry(s, 0)),
            CATCH_UP_CHUNK_BYTES,
        )
        .unwrap();
        assert!(page.left.is_some());
        let message = Page {
            snapshot: None,
            entries: page.entries,
            reached: 0,
        }
        .into_message(DocId([1; 16]))
        .expect("a message");
        assert!(message.encode().len() <= CATCH_UP_CHUNK_BYTES + 64);
    }
}
