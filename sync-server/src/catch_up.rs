//! What a joining client has missed, and how it is sent: in `Entries` messages of about
//! [`CATCH_UP_CHUNK_BYTES`] each, so a large document arrives in pieces a browser can take one by
//! one instead of as one huge frame. Sizes are encoded sizes, so thousands of tiny entries fill
//! a message as surely as a few large ones.

use tandem_protocol::message::{Entry, StoredSnapshot};
use tandem_protocol::{DocId, RelayMsg};

use crate::limits::CATCH_UP_CHUNK_BYTES;

/// What a joining client has missed, as the store reads it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CatchUp {
    pub head_seq: u64,
    /// Present only when the client is behind the snapshot, i.e. the entries it lacks are gone.
    pub snapshot: Option<StoredSnapshot>,
    pub entries: Vec<Entry>,
}

impl CatchUp {
    /// The `Entries` messages to send, in order; the snapshot rides in the first. Nothing to send
    /// means no message at all.
    pub fn into_messages(self, doc: DocId) -> Vec<RelayMsg> {
        let mut messages = Vec::new();
        let mut snapshot: Option<StoredSnapshot> = self.snapshot;
        let mut size = snapshot.as_ref().map_or(0, |s| s.ciphertext.len());
        let mut batch: Vec<Entry> = Vec::new();
        for entry in self.entries {
            let full = size + entry.encoded_len() > CATCH_UP_CHUNK_BYTES;
            if full && (!batch.is_empty() || snapshot.is_some()) {
                messages.push(RelayMsg::Entries {
                    doc,
                    snapshot: snapshot.take(),
                    entries: std::mem::take(&mut batch),
                });
                size = 0;
            }
            size += entry.encoded_len();
            batch.push(entry);
        }
        if !batch.is_empty() || snapshot.is_some() {
            messages.push(RelayMsg::Entries {
                doc,
                snapshot,
                entries: batch,
            });
        }
        messages
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: u64, len: usize) -> Entry {
        Entry {
            seq,
            client_msg_id: [seq as u8; 16],
            ciphertext: vec![0; len],
        }
    }

    #[test]
    fn catch_up_is_chunked_in_order() {
        let doc = DocId([1; 16]);
        assert!(CatchUp::default().into_messages(doc).is_empty());
        // Half a chunk less the sequence, id and length around each entry's ciphertext.
        let half = CATCH_UP_CHUNK_BYTES / 2 - 32;
        let catch_up = CatchUp {
            head_seq: 5,
            snapshot: Some(StoredSnapshot {
                covers_seq: 1,
                covers_id: [1; 16],
                ciphertext: vec![0; half],
            }),
            entries: (2..=5).map(|seq| entry(seq, half)).collect(),
        };
        let messages = catch_up.into_messages(doc);
        let shapes: Vec<(bool, Vec<u64>)> = messages
            .iter()
            .map(|m| match m {
                RelayMsg::Entries {
                    snapshot, entries, ..
                } => (snapshot.is_some(), entries.iter().map(|e| e.seq).collect()),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(
            shapes,
            vec![(true, vec![2]), (false, vec![3, 4]), (false, vec![5])]
        );
    }

    #[test]
    fn tiny_entries_fill_a_message_by_their_encoded_size() {
        let doc = DocId([1; 16]);
        let count = 100_000;
        let catch_up = CatchUp {
            head_seq: count,
            snapshot: None,
            entries: (1..=count).map(|seq| entry(seq, 0)).collect(),
        };
        for message in catch_up.into_messages(doc) {
            assert!(message.encode().len() <= CATCH_UP_CHUNK_BYTES + 64);
        }
    }
}
