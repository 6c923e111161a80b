//! Local changes waiting for the relay's acknowledgement.
//!
//! A change comes here as soon as it is made, while the app writes it (chunk and outbox entry)
//! to the device's storage: the send does not wait for the write. A crash in between loses
//! nothing the relay got: the device's stored sequence is still below the change, so the next
//! join brings it back as an entry like any other. The write lands before the app stores the
//! relay's acknowledgement (the app holds acks back until the writes before them are done), so
//! an ack never meets an outbox entry that is not there yet; should the tab die between the
//! two, the entry is sent again on the next open and the relay, which knows its
//! `client_msg_id`, only acknowledges it again. The queue itself decides what to send next.
//! Changes go out in
//! the order they were made, at most [`SEND_WINDOW`] appends unacknowledged at a time. After
//! an offline spell the waiting changes are batched: consecutive changes travel in one append
//! (Automerge reads concatenated changes as well as single ones), so a sentence typed offline
//! is one message, not one per keystroke.
//!
//! An append's `client_msg_id` makes a retry idempotent at the relay. A batch is named by a
//! hash of the ids it carries, so a retry of the same batch is recognised, while a different
//! batch (say, one more change joined it since) never passes for an earlier one and is never
//! acknowledged for changes it does not hold.

use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest, Sha256};
use tandem_protocol::ClientMsgId;

use crate::pace::SEND_WINDOW;
use crate::Millis;

/// At most this many changes travel in one append.
const MAX_BATCH_CHANGES: usize = 256;
/// At most this many bytes of changes travel in one append (the frame limit may cut it lower).
const MAX_BATCH_BYTES: usize = 256 * 1024;

/// A local change waiting for the relay, as stored on the device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    /// Random per change.
    pub id: ClientMsgId,
    /// When it was made; orders the outbox and dates the oldest unsent change.
    pub created_at: Millis,
    pub change: Vec<u8>,
}

/// One append ready to be sealed and sent.
pub struct Batch {
    pub id: ClientMsgId,
    pub change: Vec<u8>,
}

#[derive(Debug, Default)]
pub struct Outbox {
    /// Oldest first.
    items: Vec<Pending>,
    /// Appends sent on this connection and not acknowledged: append id → the changes it carries.
    in_flight: BTreeMap<ClientMsgId, Vec<ClientMsgId>>,
    /// The changes some in-flight append carries.
    sending: BTreeSet<ClientMsgId>,
}

impl Outbox {
    pub fn new(mut items: Vec<Pending>) -> Self {
        items.sort_by_key(|i| i.created_at);
        Outbox {
            items,
            ..Outbox::default()
        }
    }

    pub fn push(&mut self, item: Pending) {
        if !self.items.iter().any(|i| i.id == item.id) {
            self.items.push(item);
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn oldest_at(&self) -> Option<Millis> {
        self.items.iter().map(|i| i.created_at).min()
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    pub fn window_full(&self) -> bool {
        self.in_flight.len() >= SEND_WINDOW
    }

    /// Whether anything waits that is not on its way.
    pub fn has_unsent(&self) -> bool {
        self.items.iter().any(|i| !self.sending.contains(&i.id))
    }

    /// The connection ended: whatever was on its way may or may not have arrived, and is sent
    /// again on the next connection (the relay stores a repeated append once).
    pub fn connection_lost(&mut self) {
        self.in_flight.clear();
        self.sending.clear();
    }

    /// The next append: the oldest waiting changes that are not on their way, up to the batch
    /// limits or `max_bytes`, marked as in flight. A single change over `max_bytes` is returned
    /// alone, for the caller to refuse.
    pub fn next_batch(&mut self, max_bytes: usize) -> Option<Batch> {
        if self.window_full() {
            return None;
        }
        let limit = max_bytes.min(MAX_BATCH_BYTES);
        let mut ids = Vec::new();
        let mut change = Vec::new();
        for item in self.items.iter().filter(|i| !self.sending.contains(&i.id)) {
            let full = ids.len() >= MAX_BATCH_CHANGES || change.len() + item.change.len() > limit;
            if full && !ids.is_empty() {
                break;
            }
            ids.push(item.id);
            change.extend_from_slice(&item.change);
        }
        if ids.is_empty() {
            return None;
        }
        let id = batch_id(&ids);
        self.sending.extend(ids.iter().copied());
        self.in_flight.insert(id, ids);
        Some(Batch { id, change })
    }

    /// The relay stored the append `id`: its changes leave the outbox; returns their ids.
    /// An unknown id (say, a late ack from before a reconnect) acknowledges nothing.
    pub fn acked(&mut self, id: &ClientMsgId) -> Vec<ClientMsgId> {
        let Some(ids) = self.in_flight.remove(id) else {
            return Vec::new();
        };
        for change in &ids {
            self.sending.remove(change);
        }
        self.items.retain(|i| !ids.contains(&i.id));
        ids
    }

    /// The relay did not take the append `id`: its changes wait to be sent again.
    pub fn not_taken(&mut self, id: &ClientMsgId) {
        if let Some(ids) = self.in_flight.remove(id) {
            for change in &ids {
                self.sending.remove(change);
            }
        }
    }
}

/// A lone change keeps its own id; a batch is named by all the ids it carries.
fn batch_id(ids: &[ClientMsgId]) -> ClientMsgId {
    if let [only] = ids {
        return *only;
    }
    let mut hash = Sha256::new();
    for id in ids {
        hash.update(id);
    }
    let mut out = [0u8; 16];
    out.copy_from_slice(&hash.finalize()[..16]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(n: u8, len: usize) -> Pending {
        Pending {
            id: [n; 16],
            created_at: n as Millis,
            change: vec![n; len],
        }
    }

    #[test]
    fn a_lone_change_is_its_own_append() {
        let mut outbox = Outbox::new(vec![item(1, 10)]);
        let batch = outbox.next_batch(1000).expect("a batch");
        assert_eq!((batch.id, batch.change.len()), ([1; 16], 10));
        assert!(outbox.next_batch(1000).is_none(), "nothing else waits");
        assert_eq!(outbox.acked(&[1; 16]), vec![[1; 16]]);
        assert!(outbox.is_empty());
    }

    #[test]
    fn waiting_changes_travel_together_in_order_within_the_byte_limit() {
        let mut outbox = Outbox::new((1..=5).rev().map(|n| item(n, 10)).collect());
        let first = outbox.next_batch(35).expect("a batch");
        assert_eq!(
            first.change,
            [vec![1; 10], vec![2; 10], vec![3; 10]].concat()
        );
        let second = outbox.next_batch(35).expect("a batch");
        assert_eq!(second.change, [vec![4; 10], vec![5; 10]].concat());
        assert_ne!(first.id, second.id);
        // The second is acknowledged first: only its changes leave.
        assert_eq!(outbox.acked(&second.id), vec![[4; 16], [5; 16]]);
        assert_eq!(outbox.len(), 3);
        // A change larger than the limit still goes, alone, so the caller can refuse it.
        outbox.push(item(9, 100));
        outbox.not_taken(&first.id);
        let again = outbox.next_batch(35).expect("a batch");
        assert_eq!(again.id, first.id, "the same batch keeps its id");
        assert_eq!(outbox.next_batch(35).map(|b| b.change.len()), Some(100));
    }

    #[test]
    fn a_different_batch_never_takes_an_earlier_batchs_id() {
        let mut a = Outbox::new(vec![item(1, 1), item(2, 1)]);
        let mut b = Outbox::new(vec![item(1, 1), item(2, 1), item(3, 1)]);
        let (a, b) = (a.next_batch(100).unwrap(), b.next_batch(100).unwrap());
        assert_ne!(a.id, b.id);
    }

    #[test]
    fn the_window_bounds_appends_in_flight_and_a_lost_connection_frees_it() {
        let mut outbox = Outbox::new((0..SEND_WINDOW as u8 + 5).map(|n| item(n, 1)).collect());
        let mut sent = 0;
        // One change per append: the limit of one byte keeps them apart.
        while outbox.next_batch(1).is_some() {
            sent += 1;
        }
        assert_eq!(sent, SEND_WINDOW);
        assert!(outbox.window_full());
        outbox.connection_lost();
        assert_eq!(outbox.in_flight(), 0);
        assert_eq!(outbox.len(), SEND_WINDOW + 5, "nothing is forgotten");
        assert!(outbox.has_unsent());
    }

    #[test]
    fn a_late_ack_from_an_earlier_connection_acknowledges_nothing() {
        let mut outbox = Outbox::new(vec![item(1, 1)]);
        let batch = outbox.next_batch(10).unwrap();
        outbox.connection_lost();
        assert!(outbox.acked(&batch.id).is_empty());
        assert_eq!(outbox.len(), 1);
    }
}
