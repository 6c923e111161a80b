//! Who is subscribed to which document, and the per-document lock.
//!
//! Every change to a document's log and every change to its subscriber list happens while holding
//! that document's lock ([`Rooms::lock`]). That one rule gives the ordering guarantees the protocol
//! needs: a joining client's catch-up is read and queued in the same critical section that
//! subscribes it, so an append either lands in the catch-up or arrives as a `Broadcast` after it,
//! never both and never neither; and an `Ack` is queued before any `Broadcast` of the same entry.
//!
//! Sending never waits: frames go into each connection's bounded queue ([`crate::outbox`]), and a
//! connection whose queue is full is told to disconnect, so a slow client cannot stall the lock
//! and with it everyone else on the document.
//!
//! A long catch-up is the one thing sent outside the lock (page by page, see
//! [`crate::catch_up`]): the joiner is subscribed at once, but what is broadcast meanwhile is
//! held for it and released after its last page, so the order above still holds for it.
//!
//! Appends are the other exception: waiting under the lock for the disk would let a document
//! take one append per commit. So an append is submitted to the writer ([`crate::writer`], which
//! stores in submission order) under the lock with a ticket ([`Subscribers::take_ticket`]), the
//! lock is released while the batch commits, and the outcomes are carried out under the lock
//! again strictly in ticket order ([`Subscribers::my_turn`], [`Subscribers::done`]), so acks and
//! broadcasts still go out in sequence order. A join meanwhile may read an entry that is stored
//! but not yet broadcast: each subscriber's catch-up head is kept, and a broadcast of an entry
//! at or below it is not sent to that subscriber again, so it still arrives once, either way.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use tandem_protocol::{DocId, RelayMsg};
use tokio::sync::{Notify, OwnedMutexGuard};

use crate::command::{Outcome, Subscription};
use crate::limits::{OUTGOING_BYTES, OUTGOING_QUEUE};
use crate::outbox::Peer;
use crate::session::ConnId;

/// The connections subscribed to one document.
#[derive(Debug, Default)]
pub struct Subscribers {
    peers: HashMap<ConnId, Peer>,
    /// Subscribers still being sent their catch-up page by page: what is broadcast meanwhile
    /// waits here, so that it reaches them after the catch-up, in order.
    catching_up: HashMap<ConnId, Held>,
    /// The head of each subscriber's catch-up: entries up to it reached it there.
    caught_up_to: HashMap<ConnId, u64>,
    /// Appends submitted to the writer and not yet carried out: tickets `applied..next_ticket`.
    next_ticket: u64,
    applied: u64,
    /// Woken when a ticket is done, for the outcome whose turn is next.
    turn: Arc<Notify>,
    /// Every subscriber has (or is being sent) each entry up to this sequence: what other
    /// relays on the same database appended after it is still to be delivered here
    /// ([`crate::fanout`]).
    delivered: u64,
}

/// A sender no subscriber has: a broadcast "except" it reaches everyone.
pub const NOBODY: ConnId = 0;

/// Broadcasts held for a subscriber until its catch-up is sent.
#[derive(Debug, Default)]
struct Held {
    frames: Vec<Bytes>,
    bytes: usize,
}

impl Subscribers {
    pub fn subscribe(&mut self, peer: Peer) {
        self.catching_up.remove(&peer.id);
        self.peers.insert(peer.id, peer);
    }

    pub fn unsubscribe(&mut self, id: ConnId) {
        self.peers.remove(&id);
        self.catching_up.remove(&id);
        self.caught_up_to.remove(&id);
    }

    /// A ticket for an append just submitted to the writer: its outcome is carried out after
    /// those of every earlier ticket.
    pub fn take_ticket(&mut self) -> u64 {
        self.next_ticket += 1;
        self.next_ticket
    }

    /// Whether `ticket`'s outcome may be carried out now; if not, a wait for the next ticket
    /// to be done, to be awaited after releasing the lock.
    pub fn my_turn(&self, ticket: u64) -> Result<(), tokio::sync::futures::OwnedNotified> {
        if ticket == self.applied + 1 {
            return Ok(());
        }
        Err(Arc::clone(&self.turn).notified_owned())
    }

    /// `ticket`'s outcome was carried out; the next may go.
    pub fn done(&mut self, ticket: u64) {
        self.applied = self.applied.max(ticket);
        self.turn.notify_waiters();
    }

    pub fn is_subscribed(&self, id: ConnId) -> bool {
        self.peers.contains_key(&id)
    }

    /// Whether anyone here is subscribed.
    pub fn has_subscribers(&self) -> bool {
        !self.peers.is_empty()
    }

    /// The sequence every subscriber has everything up to ([`Subscribers::delivered`]).
    pub fn delivered(&self) -> u64 {
        self.delivered
    }

    /// Entries up to `seq` were delivered to every subscriber.
    pub fn delivered_to(&mut self, seq: u64) {
        self.delivered = self.delivered.max(seq);
    }

    /// Disconnects every subscriber (each rejoins and catches up): for when what they missed
    /// can no longer be sent as broadcasts.
    pub fn kick_all(&mut self) {
        for (_, peer) in self.peers.drain() {
            peer.kick();
        }
        self.catching_up.clear();
        self.caught_up_to.clear();
    }

    /// Queues `frame` for every subscriber except `except` (the sender, who gets an Ack instead)
    /// and those whose catch-up already held entry `seq`, if it is one.
    /// Peers that are gone or too slow are dropped from the document right away; so is one
    /// whose held broadcasts outgrow what its queue could take.
    pub fn broadcast(&mut self, except: ConnId, frame: &Bytes, seq: Option<u64>) {
        let catching_up = &mut self.catching_up;
        let caught_up_to = &self.caught_up_to;
        self.peers.retain(|&id, peer| {
            if id == except {
                return true;
            }
            if seq.is_some_and(|seq| caught_up_to.get(&id).is_some_and(|&head| seq <= head)) {
                return true;
            }
            let Some(held) = catching_up.get_mut(&id) else {
                return peer.send(frame.clone()).is_ok();
            };
            held.bytes += frame.len();
            held.frames.push(frame.clone());
            if held.bytes > OUTGOING_BYTES || held.frames.len() > OUTGOING_QUEUE {
                catching_up.remove(&id);
                peer.kick();
                return false;
            }
            true
        });
    }

    /// `id`'s catch-up has been sent: what was held for it goes out now, and from now on
    /// broadcasts reach it directly. Nothing happens for a connection no longer subscribed.
    pub fn caught_up(&mut self, id: ConnId) {
        let Some(held) = self.catching_up.remove(&id) else {
            return;
        };
        let Some(peer) = self.peers.get(&id) else {
            return;
        };
        for frame in held.frames {
            if peer.send(frame).is_err() {
                self.peers.remove(&id);
                return;
            }
        }
    }

    /// Carries out a command's outcome for `peer` (see [`crate::command`]): its subscription,
    /// its replies, then the broadcast to everyone else. The caller holds the document's lock.
    /// If the outcome has more catch-up to come, broadcasts to `peer` are held until
    /// [`Subscribers::caught_up`].
    pub fn apply(&mut self, peer: &Peer, outcome: Outcome) {
        match outcome.subscription {
            Subscription::Keep => {}
            Subscription::Subscribe => {
                let first = self.peers.is_empty();
                self.subscribe(peer.clone());
                for reply in &outcome.replies {
                    if let RelayMsg::Joined { head_seq, .. } = reply {
                        self.caught_up_to.insert(peer.id, *head_seq);
                        // The only subscriber has everything up to the head it joined at.
                        if first {
                            self.delivered_to(*head_seq);
                        }
                    }
                }
            }
            Subscription::Unsubscribe => self.unsubscribe(peer.id),
        }
        if outcome.catch_up.is_some() && self.is_subscribed(peer.id) {
            self.catching_up.insert(peer.id, Held::default());
        }
        for reply in outcome.replies {
            // A refused reply has kicked the connection, which is closing: skip encoding the
            // rest of, say, a large catch-up. The broadcast below still goes out.
            if peer.send(Bytes::from(reply.encode())).is_err() {
                break;
            }
        }
        if let Some(msg) = outcome.broadcast {
            let seq = match &msg {
                RelayMsg::Broadcast { seq, .. } => Some(*seq),
                _ => None,
            };
            self.broadcast(peer.id, &Bytes::from(msg.encode()), seq);
            if let Some(seq) = seq {
                self.delivered_to(seq);
            }
        }
    }

    /// Nobody subscribed and no append on its way: the room may be forgotten.
    fn is_empty(&self) -> bool {
        self.peers.is_empty() && self.applied == self.next_ticket
    }
}

type Room = Arc<tokio::sync::Mutex<Subscribers>>;

/// All documents that currently have a lock holder or a subscriber.
#[derive(Debug, Default)]
pub struct Rooms {
    /// A std mutex: it is held only to look up or drop an entry, never across an await.
    rooms: Mutex<HashMap<DocId, Room>>,
}

/// A held document lock. Dropping it releases the lock and forgets the room once nobody is
/// subscribed or waiting, so the map does not grow with every document ever seen.
pub struct RoomGuard<'a> {
    guard: Option<OwnedMutexGuard<Subscribers>>,
    doc: DocId,
    rooms: &'a Rooms,
}

impl Rooms {
    /// Waits for the document's lock.
    pub async fn lock(&self, doc: DocId) -> RoomGuard<'_> {
        let room = Arc::clone(self.map().entry(doc).or_default());
        RoomGuard {
            guard: Some(room.lock_owned().await),
            doc,
            rooms: self,
        }
    }

    /// The document's lock, if the document is in memory (someone is subscribed or about to
    /// be); `None` without creating it otherwise.
    pub async fn lock_existing(&self, doc: DocId) -> Option<RoomGuard<'_>> {
        let room = Arc::clone(self.map().get(&doc)?);
        Some(RoomGuard {
            guard: Some(room.lock_owned().await),
            doc,
            rooms: self,
        })
    }

    /// The documents in memory now.
    pub fn docs(&self) -> Vec<DocId> {
        self.map().keys().copied().collect()
    }

    /// How many documents are in memory; for tests and diagnostics.
    pub fn len(&self) -> usize {
        self.map().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<DocId, Room>> {
        // The map is always consistent between statements, so a poisoned lock is still usable.
        self.rooms.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl std::ops::Deref for RoomGuard<'_> {
    type Target = Subscribers;
    fn deref(&self) -> &Subscribers {
        self.guard
            .as_ref()
            .expect("the guard is only taken in drop")
    }
}

impl std::ops::DerefMut for RoomGuard<'_> {
    fn deref_mut(&mut self) -> &mut Subscribers {
        self.guard
            .as_mut()
            .expect("the guard is only taken in drop")
    }
}

impl Drop for RoomGuard<'_> {
    fn drop(&mut self) {
        drop(self.guard.take());
        let mut map = self.rooms.map();
        // Every handle to a room is cloned under the map lock, so a count of one (the map's own)
        // means nobody holds or awaits the lock, and nobody can start to without the map lock.
        let unused = map.get(&self.doc).is_some_and(|room| {
            Arc::strong_count(room) == 1 && room.try_lock().is_ok_and(|subs| subs.is_empty())
        });
        if unused {
            map.remove(&self.doc);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbox::Queued;
    use tokio::sync::mpsc;

    fn peer(id: ConnId, frames: usize) -> (Peer, mpsc::Receiver<Queued>) {
        Peer::new(id, frames, 1 << 20)
    }

    async fn next(rx: &mut mpsc::Receiver<Queued>) -> Option<Bytes> {
        rx.recv().await.map(|queued| queued.frame)
    }

    #[tokio::test]
    async fn broadcast_skips_the_sender_and_drops_slow_peers() {
        let rooms = Rooms::default();
        let doc = DocId([1; 16]);
        let (a, mut a_rx) = peer(1, 4);
        let (b, mut b_rx) = peer(2, 4);
        let (slow, _slow_rx) = peer(3, 1);
        let slow_kicked = slow.clone();
        {
            let mut room = rooms.lock(doc).await;
            room.subscribe(a);
            room.subscribe(b);
            room.subscribe(slow);
            room.broadcast(1, &Bytes::from_static(b"one"), None);
            room.broadcast(1, &Bytes::from_static(b"two"), None);
            assert!(!room.is_subscribed(3), "a full queue ends the subscription");
        }
        slow_kicked.kicked().await;
        assert!(a_rx.try_recv().is_err());
        assert_eq!(next(&mut b_rx).await.as_deref(), Some(&b"one"[..]));
        assert_eq!(next(&mut b_rx).await.as_deref(), Some(&b"two"[..]));
        assert_eq!(rooms.len(), 1);
    }

    #[tokio::test]
    async fn an_empty_room_is_forgotten() {
        let rooms = Rooms::default();
        let doc = DocId([2; 16]);
        let (a, _rx) = peer(1, 4);
        rooms.lock(doc).await.subscribe(a);
        assert_eq!(rooms.len(), 1);
        rooms.lock(doc).await.unsubscribe(1);
        assert!(rooms.is_empty());
    }
}
