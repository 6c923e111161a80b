//! How relays on one database hear each other's changes: PostgreSQL's `LISTEN/NOTIFY`.
//!
//! A write that changes a document's log or deletes it also sends a notification in its own
//! transaction (`pg_notify`), which PostgreSQL delivers to every listener when, and only if,
//! the transaction commits. It carries the document, its new head and the sending relay's
//! random instance id (so a relay skips its own, which it delivered itself); never ciphertext:
//! a listener reads what it missed from the tables ([`crate::fanout`]). Presence, which is never
//! stored, travels in the notification itself, sealed as the relay received it.
//!
//! Each relay listens on one connection of its own, outside the pool. PostgreSQL does not keep
//! notifications for a listener that was away, so when that connection is lost the relay
//! connects again, listens again, and then asks for a [`Change::Resync`]: every open document is
//! brought up to its head from the tables, and nothing sent meanwhile is skipped.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use futures_util::StreamExt;
use tandem_protocol::DocId;
use tokio::sync::mpsc::UnboundedSender;
use tokio_postgres::{AsyncMessage, NoTls};
use tracing::{debug, info, warn};

use crate::store::Change;

/// The channel every relay of a database notifies and listens on.
pub(super) const CHANNEL: &str = "tandem_changes";

/// The listening connection's `application_name`: how an operator (or a test) finds it.
const LISTENER_NAME: &str = "tandem-relay-changes";

/// How long a relay waits before connecting again after losing its listening connection.
const RECONNECT_PAUSE: Duration = Duration::from_millis(500);

/// A random id for this relay process, told apart from others on the same database.
pub(super) fn instance_id() -> String {
    // `RandomState` is seeded from the operating system's randomness for each process.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    format!("{:016x}", hasher.finish())
}

/// The notification that `doc`'s log reached `seq`.
pub(super) fn appended(instance: &str, doc: DocId, seq: u64) -> String {
    format!("a {instance} {} {seq}", hex(doc))
}

/// The notification carrying `frame` for `doc`'s subscribers, or `None` if it is too large for
/// a notification (PostgreSQL takes 8000 bytes; presence is limited to far less).
pub(super) fn message(instance: &str, doc: DocId, frame: &[u8]) -> Option<String> {
    let payload = format!("m {instance} {} {}", hex(doc), STANDARD.encode(frame));
    (payload.len() < MAX_PAYLOAD).then_some(payload)
}

/// PostgreSQL's limit on a notification's payload, in bytes.
const MAX_PAYLOAD: usize = 8000;

/// Sends each announcement on `announcements` as a notification, in order, on a connection from
/// the pool. One that fails is dropped: presence is sent again within seconds anyway.
pub(super) async fn announce(
    pool: deadpool_postgres::Pool,
    mut announcements: tokio::sync::mpsc::Receiver<String>,
) {
    while let Some(payload) = announcements.recv().await {
        let sent = async {
            let client = pool.get().await.map_err(|e| e.to_string())?;
            client
                .execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &payload])
                .await
                .map_err(|e| e.to_string())
        };
        if let Err(e) = sent.await {
            debug!(error = %e, "an announcement to other relays was dropped");
        }
    }
}

/// The notification that `doc` was deleted or moved.
pub(super) fn deleted(instance: &str, doc: DocId) -> String {
    format!("d {instance} {}", hex(doc))
}

fn hex(doc: DocId) -> String {
    doc.0.iter().map(|b| format!("{b:02x}")).collect()
}

/// A notification read back; `None` for this relay's own, and for anything malformed (no
/// relay sends it, so it is no change of ours).
fn parse(payload: &str, instance: &str) -> Option<Change> {
    let mut parts = payload.split(' ');
    let kind = parts.next()?;
    if parts.next()? == instance {
        return None;
    }
    let text = parts.next()?;
    let mut doc = [0u8; 16];
    if text.len() != 32 {
        return None;
    }
    for (i, byte) in doc.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    let doc = DocId(doc);
    match kind {
        "a" => Some(Change::Appended {
            doc,
            seq: parts.next()?.parse().ok()?,
        }),
        "d" => Some(Change::Deleted { doc }),
        "m" => Some(Change::Message {
            doc,
            frame: STANDARD.decode(parts.next()?).ok()?,
        }),
        _ => None,
    }
}

/// Listens for other relays' changes and sends them to `changes`, connecting again whenever
/// the connection is lost, until nobody receives any more.
pub(super) async fn listen(
    mut config: tokio_postgres::Config,
    instance: String,
    changes: UnboundedSender<Change>,
) {
    config.application_name(LISTENER_NAME);
    let mut first = true;
    while !changes.is_closed() {
        match listen_once(&config, &instance, &changes, first).await {
            Ok(()) => warn!("the connection that hears other relays' changes closed; reconnecting"),
            Err(e) => warn!(error = %e, "cannot hear other relays' changes; retrying"),
        }
        first = false;
        tokio::time::sleep(RECONNECT_PAUSE).await;
    }
}

/// One listening connection, from connecting to its end. After a reconnect, once listening
/// again, asks for a resync, which covers whatever was sent while nobody listened.
async fn listen_once(
    config: &tokio_postgres::Config,
    instance: &str,
    changes: &UnboundedSender<Change>,
    first: bool,
) -> Result<(), tokio_postgres::Error> {
    let (client, mut connection) = config.connect(NoTls).await?;
    let instance = instance.to_owned();
    let forward = changes.clone();
    // The connection's messages must be read while `LISTEN` runs, so a task of its own reads
    // them, to the connection's end.
    let reader = tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(n)) => {
                    if let Some(change) = parse(n.payload(), &instance) {
                        let _ = forward.send(change);
                    }
                }
                Ok(_) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    });
    client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
    if !first {
        info!("hearing other relays' changes again; bringing open documents up to date");
        let _ = changes.send(Change::Resync);
    }
    let ended = reader.await;
    drop(client);
    match ended {
        Ok(result) => result,
        // The reader panicked or was cancelled: treat it as a lost connection.
        Err(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notifications_read_back_and_a_relay_skips_its_own() {
        let doc = DocId([0xab; 16]);
        let seq = appended("other", doc, 42);
        assert_eq!(parse(&seq, "mine"), Some(Change::Appended { doc, seq: 42 }));
        assert_eq!(parse(&seq, "other"), None);
        assert_eq!(
            parse(&deleted("other", doc), "mine"),
            Some(Change::Deleted { doc })
        );
        let presence = message("other", doc, b"sealed presence").unwrap();
        assert_eq!(
            parse(&presence, "mine"),
            Some(Change::Message {
                doc,
                frame: b"sealed presence".to_vec()
            })
        );
        assert_eq!(message("other", doc, &[0; 6000]), None);
        assert_eq!(parse("a other 00 1", "mine"), None);
        assert_eq!(parse("x other", "mine"), None);
    }
}
