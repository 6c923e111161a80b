//! Who else has a document open, and who just left.
//!
//! Presence payloads are the app's (sealed on the wire, opened here into plaintext bytes the
//! engine does not read). The relay numbers each connection, so a peer is known by its
//! connection number: when it leaves, cleanly or because its socket died, the relay says
//! `PeerLeft` and the peer is marked as gone at once. A peer that merely falls silent (its
//! network vanished without the relay noticing yet) is marked gone after [`PEER_TIMEOUT_MS`].
//! Gone peers are kept a while with the time they left, so the app can say "went offline"
//! (and, from the peer's last payload, whether changes of theirs are still to come).

use std::collections::BTreeMap;

use tandem_protocol::ConnNo;

use crate::Millis;

/// How often a device says it is here.
pub const PRESENCE_EVERY_MS: Millis = 5_000;
/// A peer not heard from for this long counts as gone.
pub const PEER_TIMEOUT_MS: Millis = 15_000;
/// How long a gone peer is remembered.
pub const KEEP_GONE_MS: Millis = 10 * 60_000;
/// At most this many peers per document: more is not a team but an attack, and each new
/// peer would cost memory and a reply.
pub const MAX_PEERS: usize = 32;
/// A newcomer is answered at once, but not more often than this.
pub const ANSWER_AT_MOST_EVERY_MS: Millis = 1_000;

/// One peer as the app sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerView {
    pub from: ConnNo,
    /// The peer's latest presence payload, opened.
    pub payload: Vec<u8>,
    pub seen_at: Millis,
    /// When the peer left or fell silent; `None` while it is here.
    pub gone_at: Option<Millis>,
}

/// What hearing from a peer meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard {
    /// Someone new (or back): answer, so they see us without waiting for our next turn.
    Newcomer,
    /// Someone already here.
    Known,
    /// Over [`MAX_PEERS`]: not recorded.
    Ignored,
}

#[derive(Debug, Default)]
pub struct Peers {
    by_conn: BTreeMap<ConnNo, PeerView>,
}

impl Peers {
    pub fn heard(&mut self, from: ConnNo, payload: Vec<u8>, now: Millis) -> Heard {
        if let Some(peer) = self.by_conn.get_mut(&from) {
            let was_gone = peer.gone_at.take().is_some();
            peer.payload = payload;
            peer.seen_at = now;
            return if was_gone {
                Heard::Newcomer
            } else {
                Heard::Known
            };
        }
        if self.by_conn.len() >= MAX_PEERS {
            // Make room by forgetting the longest-gone peer, never one who is here.
            let oldest_gone = self
                .by_conn
                .values()
                .filter_map(|p| Some((p.gone_at?, p.from)))
                .min();
            match oldest_gone {
                Some((_, conn)) => {
                    self.by_conn.remove(&conn);
                }
                None => return Heard::Ignored,
            }
        }
        self.by_conn.insert(
            from,
            PeerView {
                from,
                payload,
                seen_at: now,
                gone_at: None,
            },
        );
        Heard::Newcomer
    }

    /// The relay says `from` left; true if that changed anything.
    pub fn left(&mut self, from: ConnNo, now: Millis) -> bool {
        match self.by_conn.get_mut(&from) {
            Some(peer) if peer.gone_at.is_none() => {
                peer.gone_at = Some(now);
                true
            }
            _ => false,
        }
    }

    /// Marks silent peers as gone and forgets long-gone ones; true if that changed anything.
    pub fn expire(&mut self, now: Millis) -> bool {
        let mut changed = false;
        self.by_conn.retain(|_, peer| match peer.gone_at {
            None if now.saturating_sub(peer.seen_at) >= PEER_TIMEOUT_MS => {
                peer.gone_at = Some(now);
                changed = true;
                true
            }
            Some(gone) if now.saturating_sub(gone) >= KEEP_GONE_MS => {
                changed = true;
                false
            }
            _ => true,
        });
        changed
    }

    /// Our own connection ended: we no longer know who is here. Everyone counts as gone, and
    /// is back as soon as they are heard again.
    pub fn connection_lost(&mut self, now: Millis) -> bool {
        let mut changed = false;
        for peer in self.by_conn.values_mut().filter(|p| p.gone_at.is_none()) {
            peer.gone_at = Some(now);
            changed = true;
        }
        changed
    }

    /// When [`Self::expire`] next has something to do.
    pub fn next_expiry(&self) -> Option<Millis> {
        self.by_conn
            .values()
            .map(|p| match p.gone_at {
                None => p.seen_at + PEER_TIMEOUT_MS,
                Some(gone) => gone + KEEP_GONE_MS,
            })
            .min()
    }

    pub fn list(&self) -> Vec<PeerView> {
        self.by_conn.values().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peer_arrives_leaves_and_comes_back() {
        let mut peers = Peers::default();
        assert_eq!(peers.heard(7, b"anna".to_vec(), 0), Heard::Newcomer);
        assert_eq!(peers.heard(7, b"anna, title".to_vec(), 10), Heard::Known);
        assert!(peers.left(7, 20));
        assert!(!peers.left(7, 21), "leaving twice changes nothing");
        assert_eq!(peers.list()[0].gone_at, Some(20));
        assert_eq!(peers.heard(7, b"anna".to_vec(), 30), Heard::Newcomer);
        assert_eq!(peers.list()[0].gone_at, None);
    }

    #[test]
    fn silence_counts_as_gone_and_the_gone_are_forgotten_later() {
        let mut peers = Peers::default();
        peers.heard(1, vec![], 0);
        assert_eq!(peers.next_expiry(), Some(PEER_TIMEOUT_MS));
        assert!(!peers.expire(PEER_TIMEOUT_MS - 1));
        assert!(peers.expire(PEER_TIMEOUT_MS));
        assert_eq!(peers.list()[0].gone_at, Some(PEER_TIMEOUT_MS));
        assert!(peers.expire(PEER_TIMEOUT_MS + KEEP_GONE_MS));
        assert!(peers.list().is_empty());
    }

    #[test]
    fn a_flood_of_strangers_is_capped_but_the_present_are_kept() {
        let mut peers = Peers::default();
        for conn in 0..MAX_PEERS as u64 {
            peers.heard(conn, vec![], 0);
        }
        assert_eq!(peers.heard(1000, vec![], 1), Heard::Ignored);
        assert_eq!(peers.list().len(), MAX_PEERS);
        peers.left(3, 2);
        assert_eq!(peers.heard(1001, vec![], 3), Heard::Newcomer);
        assert!(peers.list().iter().all(|p| p.from != 3));
    }
}
