//! Document ids and the share link.
//!
//! A link looks like `https://host/v/<doc-id>#<secret>`, both parts base64url without padding.
//! The secret sits in the fragment because browsers never send the fragment to a server.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::crypto::Secret;

/// A vacancy document's id: 128 random bits, so ids cannot be guessed or enumerated.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DocId(pub [u8; 16]);

/// Why a link or id could not be read. The app shows these to the user, so each says what is off.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LinkError {
    #[error("the link has no /v/<id> part")]
    NoDocId,
    #[error("the vacancy id in the link is damaged")]
    BadDocId,
    #[error("the link has no secret after '#' (it may have been cut off)")]
    NoSecret,
    #[error("the secret in the link is damaged or incomplete")]
    BadSecret,
    #[error("the link's vacancy id and secret do not belong together (the link is damaged)")]
    Mismatched,
}

impl DocId {
    /// An id that no secret is known to derive: for tests that need an unknown document. Real
    /// documents get theirs from their secret ([`Secret::doc_id`]).
    pub fn random() -> Self {
        let mut bytes = [0u8; 16];
        crate::crypto::fill_random(&mut bytes);
        DocId(bytes)
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&URL_SAFE_NO_PAD.encode(self.0))
    }
}

impl fmt::Debug for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocId({self})")
    }
}

impl FromStr for DocId {
    type Err = LinkError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| LinkError::BadDocId)?;
        let bytes: [u8; 16] = bytes.try_into().map_err(|_| LinkError::BadDocId)?;
        Ok(DocId(bytes))
    }
}

/// Everything a device needs to open a shared vacancy.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ShareLink {
    pub doc: DocId,
    pub secret: Secret,
}

impl ShareLink {
    /// A new document: a fresh secret and the id derived from it.
    pub fn random() -> Self {
        let secret = Secret::random();
        ShareLink {
            doc: secret.doc_id(),
            secret,
        }
    }

    /// The link to send to a partner, e.g. `https://tandem.example/v/<id>#<secret>`.
    pub fn to_url(&self, origin: &str) -> String {
        format!(
            "{}/v/{}#{}",
            origin.trim_end_matches('/'),
            self.doc,
            self.secret.to_base64()
        )
    }

    /// Reads a full link, a path with fragment (`/v/<id>#<secret>`), or anything pasted that
    /// contains one; surrounding whitespace is ignored.
    pub fn parse(input: &str) -> Result<Self, LinkError> {
        let input = input.trim();
        let after_v = input
            .rsplit_once("/v/")
            .map(|(_, rest)| rest)
            .ok_or(LinkError::NoDocId)?;
        let (id_part, secret_part) = match after_v.split_once('#') {
            Some((id, secret)) => (id, Some(secret)),
            None => (after_v, None),
        };
        let id_part = id_part.split(['?', '/']).next().unwrap_or_default();
        if id_part.is_empty() {
            return Err(LinkError::NoDocId);
        }
        Self::from_parts(id_part, secret_part.unwrap_or_default())
    }

    /// Reads a link from the two halves a browser holds apart: the id from the address's path
    /// and the secret from its fragment (with or without the leading '#').
    pub fn from_parts(doc: &str, fragment: &str) -> Result<Self, LinkError> {
        let doc = doc.parse()?;
        let secret = match fragment.trim_start_matches('#') {
            "" => return Err(LinkError::NoSecret),
            s => Secret::from_base64(s).map_err(|_| LinkError::BadSecret)?,
        };
        if secret.doc_id() != doc {
            return Err(LinkError::Mismatched);
        }
        Ok(ShareLink { doc, secret })
    }

    /// The link without an origin (`/v/<id>#<secret>`), for moving within the app.
    pub fn path(&self) -> String {
        self.to_url("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_round_trips() {
        let link = ShareLink::random();
        let url = link.to_url("http://127.0.0.1:8080/");
        assert!(url.starts_with("http://127.0.0.1:8080/v/"));
        assert_eq!(ShareLink::parse(&url), Ok(link.clone()));
        assert_eq!(ShareLink::parse(&format!("  {url}\n")), Ok(link));
    }

    #[test]
    fn damaged_links_say_what_is_wrong() {
        let link = ShareLink::random();
        let url = link.to_url("https://x.example");
        assert_eq!(
            ShareLink::parse("https://x.example/"),
            Err(LinkError::NoDocId)
        );
        let no_secret = url.split('#').next().unwrap();
        assert_eq!(ShareLink::parse(no_secret), Err(LinkError::NoSecret));
        assert_eq!(
            ShareLink::parse(&format!("{no_secret}#")),
            Err(LinkError::NoSecret)
        );
        let truncated = &url[..url.len() - 5];
        assert_eq!(ShareLink::parse(truncated), Err(LinkError::BadSecret));
        let bad_id = url.replacen("/v/", "/v/x", 1);
        assert_eq!(ShareLink::parse(&bad_id), Err(LinkError::BadDocId));
        let other = ShareLink::random();
        let swapped = format!("/v/{}#{}", other.doc, link.secret.to_base64());
        assert_eq!(ShareLink::parse(&swapped), Err(LinkError::Mismatched));
    }

    #[test]
    fn a_link_reads_from_its_halves_as_the_browser_holds_them() {
        let link = ShareLink::random();
        let doc = link.doc.to_string();
        let fragment = format!("#{}", link.secret.to_base64());
        assert_eq!(ShareLink::from_parts(&doc, &fragment), Ok(link.clone()));
        assert_eq!(
            ShareLink::from_parts(&doc, &fragment[1..]),
            Ok(link.clone())
        );
        assert_eq!(ShareLink::from_parts(&doc, ""), Err(LinkError::NoSecret));
        assert_eq!(
            ShareLink::from_parts("zz", &fragment),
            Err(LinkError::BadDocId)
        );
        assert_eq!(ShareLink::parse(&link.path()), Ok(link));
    }
}
