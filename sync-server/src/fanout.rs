//! Relays on one PostgreSQL database, each with its own clients: what the others append to a
//! document is delivered to this relay's clients of it, in sequence order, read from the
//! database; presence and departures, never stored, are passed on as they come.
//!
//! The store hears the other relays' changes ([`crate::store::Change`]: a document and its new
//! head, never ciphertext). For a document some client here has open, the entries after those
//! already delivered ([`Subscribers::delivered`]) up to that head are read from the store and
//! broadcast to every subscriber, under the document's lock and in ticket order with this
//! relay's own appends ([`crate::rooms`]), so the two never overtake each other: an append here
//! that lands after entries from elsewhere first delivers those ([`deliver_missed`]). Entries
//! a joining client's catch-up already held are skipped for it, as with local broadcasts.
//!
//! Notifications are coalesced: whatever waits is read at once and each document is brought to
//! its highest head, so a burst costs a read per document, not one per append. A lost
//! notification connection ends in [`Change::Resync`]: every open document is brought to its
//! head. A document deleted elsewhere is announced to its subscribers here as the owner's relay
//! announces it to its own.
//!
//! If the entries missed were compacted into a snapshot meanwhile, broadcasts cannot carry them;
//! the subscribers are disconnected, and their apps rejoin and catch up from the snapshot.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use tandem_protocol::{DocId, RelayMsg};
use tokio::sync::mpsc::UnboundedReceiver;
use tracing::{debug, warn};

use crate::limits::CATCH_UP_CHUNK_BYTES;
use crate::rooms::{Subscribers, NOBODY};
use crate::server::Relay;
use crate::store::{Change, StoreError};

/// Delivers the changes heard on `changes` until the store stops hearing them.
pub async fn run(relay: Arc<Relay>, mut changes: UnboundedReceiver<Change>) {
    while let Some(first) = changes.recv().await {
        let heard = Instant::now();
        let mut heads: HashMap<DocId, u64> = HashMap::new();
        let mut deleted = Vec::new();
        let mut messages: HashMap<DocId, Vec<Vec<u8>>> = HashMap::new();
        let mut resync = false;
        let mut take = |change| match change {
            Change::Appended { doc, seq } => {
                let head = heads.entry(doc).or_default();
                *head = (*head).max(seq);
            }
            Change::Deleted { doc } => deleted.push(doc),
            Change::Message { doc, frame } => messages.entry(doc).or_default().push(frame),
            Change::Resync => resync = true,
        };
        take(first);
        while let Ok(change) = changes.try_recv() {
            take(change);
        }
        if resync {
            relay.metrics.fanout_resyncs.inc();
            for doc in relay.rooms.docs() {
                heads.entry(doc).or_default();
            }
        }
        for (doc, seq) in heads {
            // Each document on its own: one waiting for its turn holds up no other.
            tokio::spawn(deliver(Arc::clone(&relay), doc, seq, resync, heard));
        }
        for doc in deleted {
            tokio::spawn(tell_deleted(Arc::clone(&relay), doc));
        }
        for (doc, frames) in messages {
            tokio::spawn(pass_on(Arc::clone(&relay), doc, frames));
        }
    }
}

/// Brings `doc`'s subscribers here up to `seq` (up to its head, for a resync), in turn with
/// this relay's own appends to it.
async fn deliver(relay: Arc<Relay>, doc: DocId, seq: u64, to_head: bool, heard: Instant) {
    let Some(mut room) = relay.rooms.lock_existing(doc).await else {
        return;
    };
    if !to_head && room.delivered() >= seq {
        return;
    }
    let ticket = room.take_ticket();
    drop(room);
    let mut room = relay.rooms.lock(doc).await;
    while let Err(turn) = room.my_turn(ticket) {
        drop(room);
        turn.await;
        room = relay.rooms.lock(doc).await;
    }
    let seq = if to_head {
        match blocking(&relay, move |store| store.head_seq(doc)).await {
            Ok(head) => head,
            Err(e) => {
                warn!(%doc, error = %e, "cannot read the head of a document changed elsewhere");
                room.done(ticket);
                return;
            }
        }
    } else {
        seq
    };
    deliver_missed(&relay, &mut room, doc, seq).await;
    room.done(ticket);
    let seconds = heard.elapsed().as_secs_f64();
    relay.metrics.fanout_delivery_seconds.observe(seconds);
}

/// Broadcasts to every subscriber of `doc` the entries after those delivered, up to `seq`,
/// read from the store; the caller holds the document's lock, in its turn. A subscriber that
/// joined at a later head is not sent them again. Nothing to send without subscribers: they
/// will catch up when they join.
pub async fn deliver_missed(relay: &Relay, room: &mut Subscribers, doc: DocId, seq: u64) {
    if !room.has_subscribers() {
        room.delivered_to(seq);
        return;
    }
    while room.delivered() < seq {
        let after = room.delivered();
        let entries = blocking(relay, move |store| {
            store.entries_between(doc, after, seq, CATCH_UP_CHUNK_BYTES)
        })
        .await;
        let entries = match entries {
            Ok(Some(entries)) => entries,
            Ok(None) => {
                debug!(%doc, after, "entries from elsewhere were compacted; subscribers rejoin");
                room.kick_all();
                room.delivered_to(seq);
                return;
            }
            Err(e) => {
                // Left undelivered: the next change to the document, or the next resync,
                // tries again from the same place.
                warn!(%doc, error = %e, "cannot read what another relay appended");
                return;
            }
        };
        let Some(last) = entries.last().map(|e| e.seq) else {
            return;
        };
        for entry in entries {
            let msg = RelayMsg::Broadcast {
                doc,
                seq: entry.seq,
                client_msg_id: entry.client_msg_id,
                ciphertext: entry.ciphertext,
            };
            room.broadcast(NOBODY, &Bytes::from(msg.encode()), Some(entry.seq));
        }
        room.delivered_to(last);
    }
}

/// Tells `doc`'s subscribers here that its owner deleted or moved it through another relay.
async fn tell_deleted(relay: Arc<Relay>, doc: DocId) {
    let Some(mut room) = relay.rooms.lock_existing(doc).await else {
        return;
    };
    let told = match blocking(&relay, move |store| store.moved_to(doc)).await {
        Ok(Some(pointer)) => RelayMsg::Moved { doc, pointer },
        Ok(None) => RelayMsg::Deleted { doc },
        Err(e) => {
            warn!(%doc, error = %e, "cannot read where a document deleted elsewhere went");
            RelayMsg::Deleted { doc }
        }
    };
    room.broadcast(NOBODY, &Bytes::from(told.encode()), None);
}

/// Passes presence and departures from another relay's clients to `doc`'s subscribers here,
/// in the order they were sent.
async fn pass_on(relay: Arc<Relay>, doc: DocId, frames: Vec<Vec<u8>>) {
    let Some(mut room) = relay.rooms.lock_existing(doc).await else {
        return;
    };
    for frame in frames {
        room.broadcast(NOBODY, &Bytes::from(frame), None);
    }
}

/// A store call on the blocking pool.
async fn blocking<T: Send + 'static>(
    relay: &Relay,
    call: impl FnOnce(&dyn crate::store::Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    let store = Arc::clone(&relay.store);
    tokio::task::spawn_blocking(move || call(&*store))
        .await
        .unwrap_or_else(|e| Err(StoreError::Task(e.to_string())))
}
