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

/// A person as the presence bar and the fields show them. Everything here came from another
/// device and is shown to this one's user, so it is made safe on the way in (see [`people`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Peer {
    /// At most [`MAX_NAME_CHARS`], without control or direction-changing characters.
    pub name: String,
    /// Always one of ours, never the sender's text: it goes into a `style` attribute.
    pub colour: &'static str,
    pub field: Option<String>,
    /// Gone from the connection with changes still to come: shown as offline, not as here.
    pub offline_with_changes: bool,
}

/// The people to show: those here, and those who went offline with changes still to come.
/// Someone who left with nothing unsent is simply no longer shown.
///
/// Any member with the link can put anything in a payload, so nothing of it is shown as it
/// came: the colour must be one of [`COLOURS`] (a colour of `url(…)` would make every browser
/// that draws it fetch an address of the sender's choosing), the name is cut short and cleaned,
/// and a field key too long to be one of ours is dropped.
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
            shown.then(|| Peer {
                name: safe_name(&payload.name),
                colour: safe_colour(&payload.colour),
                field: if gone {
                    None
                } else {
                    payload.field.filter(|f| f.len() <= MAX_FIELD_BYTES)
                },
                offline_with_changes: gone,
            })
        })
        .collect()
}

/// The palette people choose their colour from: distinct, and readable as text on white.
pub const COLOURS: &[&str] = &[
    "#c2410c", "#15803d", "#1d4ed8", "#7e22ce", "#be123c", "#0f766e", "#a16207",
];

/// The colour of someone whose colour is not one of [`COLOURS`]: the app's muted grey, which
/// white text is readable on too.
pub const NEUTRAL_COLOUR: &str = "#5b6470";

/// A name longer than this is cut (with "…"): a name is a chip, not a message.
pub const MAX_NAME_CHARS: usize = 60;

/// Our field keys (`title`, `crit:<uuid>:description`) are far shorter; a longer one cannot
/// name a field here.
const MAX_FIELD_BYTES: usize = 100;

/// The palette's own constant for `colour`, if it is one of [`COLOURS`].
pub fn palette_colour(colour: &str) -> Option<&'static str> {
    COLOURS
        .iter()
        .find(|c| c.eq_ignore_ascii_case(colour.trim()))
        .copied()
}

/// `colour` if it is one of the palette's, else [`NEUTRAL_COLOUR`]; always a constant of ours.
pub fn safe_colour(colour: &str) -> &'static str {
    palette_colour(colour).unwrap_or(NEUTRAL_COLOUR)
}

/// `name` without control characters or the invisible marks that turn text around (which
/// would let a name pose as another), trimmed, and cut to [`MAX_NAME_CHARS`].
pub fn safe_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .filter(|c| {
            !c.is_control() && !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect();
    let clean = clean.trim();
    if clean.chars().count() <= MAX_NAME_CHARS {
        return clean.to_string();
    }
    let cut: String = clean.chars().take(MAX_NAME_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(payload: &PresencePayload) -> PeerView {
        PeerView {
            from: 1,
            payload: payload.encode(),
            seen_at: 0,
            gone_at: None,
        }
    }

    fn payload(name: &str, colour: &str, field: Option<&str>) -> PresencePayload {
        PresencePayload {
            peer: [1; 8],
            name: name.to_string(),
            colour: colour.to_string(),
            field: field.map(str::to_string),
            unsent: false,
        }
    }

    #[test]
    fn a_palette_colour_is_shown_and_anything_else_is_neutral() {
        assert_eq!(safe_colour("#15803D"), "#15803d");
        for hostile in [
            "url(https://evil.example/x.png)",
            "#15803d; background-image: url(x)",
            "red",
            "#123456",
            "",
        ] {
            assert_eq!(safe_colour(hostile), NEUTRAL_COLOUR, "{hostile}");
        }
        let shown = people(&[view(&payload("Mallory", "url(x)", None))]);
        assert_eq!(shown[0].colour, NEUTRAL_COLOUR);
    }

    #[test]
    fn a_long_or_disguised_name_is_cut_and_cleaned() {
        let long = "x".repeat(500);
        let name = safe_name(&long);
        assert_eq!(name.chars().count(), MAX_NAME_CHARS);
        assert!(name.ends_with('…'));
        assert_eq!(safe_name(" Anna\u{202e}nimda\n "), "Annanimda");
        assert_eq!(
            safe_name(&"é".repeat(MAX_NAME_CHARS)),
            "é".repeat(MAX_NAME_CHARS)
        );
    }

    #[test]
    fn a_field_key_too_long_to_be_ours_is_dropped() {
        let long = "f".repeat(5_000);
        let shown = people(&[
            view(&payload("A", "#15803d", Some(&long))),
            view(&PresencePayload {
                peer: [2; 8],
                ..payload("B", "#15803d", Some("title"))
            }),
        ]);
        assert_eq!(shown[0].field, None);
        assert_eq!(shown[1].field.as_deref(), Some("title"));
    }
}
