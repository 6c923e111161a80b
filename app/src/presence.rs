//! Who else has this vacancy open, and which field they are in.
//!
//! Presence is sealed like everything else and never stored by the relay. Each tab announces
//! itself every few seconds; a peer not heard from for a while is dropped, so closing a tab or
//! losing the network makes a face disappear without any "goodbye" message.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A peer is gone after this long without a word.
pub const PEER_TIMEOUT_MS: f64 = 15_000.0;
/// How often this tab says it is here.
pub const HEARTBEAT_MS: u64 = 5_000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PresencePayload {
    /// Random per tab, so one person with two tabs shows twice rather than flickering.
    pub peer: [u8; 8],
    pub name: String,
    pub colour: String,
    /// The field being edited, e.g. `crit:<id>:description`.
    pub field: Option<String>,
}

impl PresencePayload {
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        postcard::from_bytes(bytes).ok()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Peer {
    pub payload: PresencePayload,
    pub seen_at: f64,
}

/// Records a peer's presence; true when the peer was not known yet.
pub fn upsert(peers: RwSignal<Vec<Peer>>, payload: PresencePayload) -> bool {
    let now = js_sys::Date::now();
    let mut is_new = true;
    peers.update(|list| {
        list.retain(|p| now - p.seen_at < PEER_TIMEOUT_MS);
        if let Some(p) = list.iter_mut().find(|p| p.payload.peer == payload.peer) {
            is_new = false;
            p.payload = payload.clone();
            p.seen_at = now;
        } else {
            list.push(Peer {
                payload: payload.clone(),
                seen_at: now,
            });
        }
    });
    is_new
}

/// Drops peers that went quiet.
pub fn expire(peers: RwSignal<Vec<Peer>>) {
    let now = js_sys::Date::now();
    if peers.with_untracked(|l| l.iter().any(|p| now - p.seen_at >= PEER_TIMEOUT_MS)) {
        peers.update(|l| l.retain(|p| now - p.seen_at < PEER_TIMEOUT_MS));
    }
}

/// The palette people choose their colour from: distinct, and readable as text on white.
pub const COLOURS: &[&str] = &[
    "#c2410c", "#15803d", "#1d4ed8", "#7e22ce", "#be123c", "#0f766e", "#a16207",
];
