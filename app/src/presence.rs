//! What a device says about itself to the others on a vacancy, and how the others are shown.
//!
//! The sync engine carries presence (sealed, never stored) and knows who is here and who left;
//! this module only gives the payload its meaning: a name, a colour, the field being edited,
//! and whether changes of this device's are still on their way. That last one lets a partner
//! read "offline · changes still to come" when someone's connection drops with work unsent.

use serde::{Deserialize, Serialize};
use tandem_sync_engine::PeerView;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PresencePayload {
    /// Random per tab, so one person with two tabs shows twice rather than flickering.
    pub peer: [u8; 8],
    pub name: String,
    pub colour: String,
    /// The field being edited, e.g. `crit:<id>:description`.
    pub field: Option<String>,
    /// Whether this device has changes the relay has not acknowledged.
    pub unsent: bool,
}

impl PresencePayload {
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        postcard::from_bytes(bytes).ok()
    }
}

/// A person as the presence bar and the fields show them.
#[derive(Clone, Debug, PartialEq)]
pub struct Peer {
    pub name: String,
    pub colour: String,
    pub field: Option<String>,
    /// Gone from the connection with changes still to come: shown as offline, not as here.
    pub offline_with_changes: bool,
}

/// The people to show: those here, and those who went offline with changes still to come.
/// Someone who left with nothing unsent is simply no longer shown.
pub fn people(views: &[PeerView]) -> Vec<Peer> {
    let mut latest: Vec<(PresencePayload, &PeerView)> = Vec::new();
    for view in views {
        let Some(payload) = PresencePayload::decode(&view.payload) else {
            continue;
        };
        // One entry per tab: its newest connection wins.
        match latest.iter_mut().find(|(p, _)| p.peer == payload.peer) {
            Some(slot) if slot.1.seen_at <= view.seen_at => *slot = (payload, view),
            Some(_) => {}
            None => latest.push((payload, view)),
        }
    }
    latest
        .into_iter()
        .filter_map(|(payload, view)| {
            let gone = view.gone_at.is_some();
            let shown = !gone || payload.unsent;
            shown.then_some(Peer {
                name: payload.name,
                colour: payload.colour,
                field: if gone { None } else { payload.field },
                offline_with_changes: gone,
            })
        })
        .collect()
}

/// The palette people choose their colour from: distinct, and readable as text on white.
pub const COLOURS: &[&str] = &[
    "#c2410c", "#15803d", "#1d4ed8", "#7e22ce", "#be123c", "#0f766e", "#a16207",
];
