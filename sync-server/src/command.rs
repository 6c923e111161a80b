//! What a message about one document does, decided once for the server and the in-memory core.
//!
//! A [`Command`] is a client message that passed [`crate::session::Session::screen`]. Running it
//! ([`execute`]) makes the store calls it needs and returns an [`Outcome`]: the sender's new
//! subscription to the document, the replies for the sender, and what every other subscriber
//! gets. The caller carries the outcome out while it holds the document's lock, which is what
//! orders joins, appends and broadcasts (see [`crate::rooms`]): the server with its queues, the
//! core by returning addressed frames. Neither decides anything of its own.
//!
//! `execute` blocks on the store; the server calls it in `spawn_blocking` when
//! [`Command::needs_store`] says so.

use tandem_protocol::message::MAX_EXPECTED;
use tandem_protocol::{AccessToken, ClientMsgId, DeleteToken, DocId, EntryId, ErrorCode, RelayMsg};
use tracing::{debug, info, warn};

use crate::catch_up::Resume;
use crate::limits::{Limits, CATCH_UP_CHUNK_BYTES};
use crate::refusal::{refuse, store_failed, About};
use crate::session::ConnId;
use crate::store::{Appended, Claimed, Quota, Store, StoreError};

/// A screened client message that acts on one document.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Join {
        doc: DocId,
        token: AccessToken,
        since_seq: u64,
        expect: Vec<EntryId>,
        /// Whether the sender is already subscribed: a refused re-join ends that subscription.
        rejoin: bool,
    },
    Append {
        doc: DocId,
        client_msg_id: ClientMsgId,
        ciphertext: Vec<u8>,
        /// Whether the sender may still bring a document into being (its per-connection quota).
        may_create: bool,
    },
    Snapshot {
        doc: DocId,
        covers_seq: u64,
        ciphertext: Vec<u8>,
    },
    Presence {
        doc: DocId,
        ciphertext: Vec<u8>,
    },
    /// Leave a document the sender is in; also sent for each one when a connection ends.
    Leave {
        doc: DocId,
    },
    /// Register the owner's delete-token hash ([`Store::own`]).
    Own {
        doc: DocId,
        delete_hash: [u8; 32],
        /// As for an append: a claim may bring the document into being.
        may_create: bool,
    },
    /// Delete the document for everyone, with the owner's token; with `moved_to`, leave that
    /// sealed pointer for its members (a move).
    Delete {
        doc: DocId,
        token: DeleteToken,
        moved_to: Option<Vec<u8>>,
    },
}

/// How a command changes the sender's subscription to the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subscription {
    Keep,
    /// Subscribe, or stay subscribed: broadcasts for the document reach the sender from now on.
    Subscribe,
    Unsubscribe,
}

/// What running a command decided.
#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Applied before anything is sent, in the same critical section.
    pub subscription: Subscription,
    /// Messages for the sender, in order.
    pub replies: Vec<RelayMsg>,
    /// A message for every other subscriber of the document, queued after the replies, so that
    /// an `Ack` always precedes the `Broadcast`s of its entry.
    pub broadcast: Option<RelayMsg>,
    /// Whether the command brought the document into being, against the sender's quota.
    pub created: bool,
    /// A join's catch-up that did not fit its first message: the caller sends the rest, page
    /// by page ([`crate::catch_up::next_page`]), before anything else for the document reaches
    /// the sender.
    pub catch_up: Option<Resume>,
}

impl Outcome {
    /// Just one message for the sender.
    pub fn reply(msg: RelayMsg) -> Self {
        Outcome {
            subscription: Subscription::Keep,
            replies: vec![msg],
            broadcast: None,
            created: false,
            catch_up: None,
        }
    }

    fn nothing() -> Self {
        Outcome {
            subscription: Subscription::Keep,
            replies: Vec::new(),
            broadcast: None,
            created: false,
            catch_up: None,
        }
    }
}

impl Command {
    pub fn doc(&self) -> DocId {
        match self {
            Command::Join { doc, .. }
            | Command::Append { doc, .. }
            | Command::Snapshot { doc, .. }
            | Command::Presence { doc, .. }
            | Command::Leave { doc }
            | Command::Own { doc, .. }
            | Command::Delete { doc, .. } => *doc,
        }
    }

    /// Whether [`execute`] calls the store (and so blocks) for this command.
    pub fn needs_store(&self) -> bool {
        matches!(
            self,
            Command::Join { .. }
                | Command::Append { .. }
                | Command::Snapshot { .. }
                | Command::Own { .. }
                | Command::Delete { .. }
        )
    }

    /// What a refusal of this command names.
    pub fn about(&self) -> About {
        let (client_msg_id, what) = match self {
            Command::Join { .. } => (None, "join"),
            Command::Append { client_msg_id, .. } => (Some(*client_msg_id), "append"),
            Command::Snapshot { .. } => (None, "snapshot"),
            Command::Presence { .. } => (None, "presence"),
            Command::Leave { .. } => (None, "leave"),
            Command::Own { .. } => (None, "owner claim"),
            Command::Delete { moved_to: None, .. } => (None, "delete"),
            Command::Delete { .. } => (None, "move"),
        };
        About {
            doc: self.doc(),
            client_msg_id,
            what,
        }
    }
}

/// Runs `command` from connection `conn`. A store error becomes the sender's refusal
/// ([`store_failed`]); nothing else is done then.
pub fn execute(store: &dyn Store, limits: &Limits, conn: ConnId, command: Command) -> Outcome {
    let about = command.about();
    let result = match command {
        Command::Join {
            doc,
            token,
            since_seq,
            expect,
            rejoin,
        } => {
            let joining = Joining {
                doc,
                since_seq,
                expect,
                rejoin,
            };
            join(store, limits, conn, &token, joining)
        }
        Command::Append {
            doc,
            client_msg_id,
            ciphertext,
            may_create,
        } => {
            let quota = Quota::new(limits, may_create);
            append(store, &quota, conn, doc, client_msg_id, ciphertext)
        }
        Command::Snapshot {
            doc,
            covers_seq,
            ciphertext,
        } => {
            let quota = Quota::new(limits, false);
            snapshot(store, &quota, conn, doc, covers_seq, &ciphertext)
        }
        Command::Presence { doc, ciphertext } => Ok(Outcome {
            broadcast: Some(RelayMsg::Presence {
                doc,
                from: conn,
                ciphertext,
            }),
            ..Outcome::nothing()
        }),
        Command::Leave { doc } => {
            info!(conn, %doc, "left");
            Ok(left(conn, doc, Vec::new()))
        }
        Command::Own {
            doc,
            delete_hash,
            may_create,
        } => {
            let quota = Quota::new(limits, may_create);
            own(store, &quota, conn, doc, delete_hash)
        }
        Command::Delete {
            doc,
            token,
            moved_to,
        } => delete(store, conn, doc, &token, moved_to),
    };
    result.unwrap_or_else(|e| Outcome::reply(store_failed(conn, about, &e)))
}

/// Checks that the token derives the document's id and reads the catch-up. Joining a document
/// again is a clean re-join: the catch-up is sent anew. Nothing is stored: a document comes
/// into being with its first entry, so joins of made-up ids cost the relay nothing.
struct Joining {
    doc: DocId,
    since_seq: u64,
    expect: Vec<EntryId>,
    rejoin: bool,
}

fn join(
    store: &dyn Store,
    limits: &Limits,
    conn: ConnId,
    token: &AccessToken,
    joining: Joining,
) -> Result<Outcome, StoreError> {
    let Joining {
        doc,
        since_seq,
        expect,
        rejoin,
    } = joining;
    // The id is public (it is in the app's addresses), the token is not; comparing the id
    // derived from the token leaks nothing about the token, so no constant-time compare is due.
    if token.doc_id() != doc {
        warn!(conn, %doc, "join refused: wrong access token");
        let text = "the access token does not belong to this document";
        let refusal = refuse(Some(doc), None, ErrorCode::BadToken, text);
        return Ok(if rejoin {
            left(conn, doc, vec![refusal])
        } else {
            Outcome::reply(refusal)
        });
    }
    if let Some(pointer) = store.moved_to(doc)? {
        info!(conn, %doc, "join answered: the document moved");
        let moved = RelayMsg::Moved { doc, pointer };
        return Ok(if rejoin {
            left(conn, doc, vec![moved])
        } else {
            Outcome::reply(moved)
        });
    }
    if store.is_deleted(doc)? {
        info!(conn, %doc, "join refused: the document was deleted");
        let text = "this vacancy was deleted by its creator; the relay keeps nothing of it";
        let refusal = refuse(Some(doc), None, ErrorCode::NotFound, text);
        return Ok(if rejoin {
            left(conn, doc, vec![refusal])
        } else {
            Outcome::reply(refusal)
        });
    }
    let mut lost = false;
    for entry in expect.iter().take(MAX_EXPECTED) {
        lost |= store.append_id_at(doc, entry.seq)? != Some(entry.client_msg_id);
    }
    // Under the document's lock: the head and the first page agree with what is broadcast
    // after the lock is released. The rest of a long catch-up is read page by page afterwards
    // ([`crate::catch_up`]); the entries up to the head stay put meanwhile, or are replaced by
    // a snapshot that the next page then brings instead.
    let head_seq = store.head_seq(doc)?;
    let page = store.catch_up_page(doc, since_seq, head_seq, CATCH_UP_CHUNK_BYTES)?;
    let resume = page.resume(doc, head_seq);
    info!(conn, %doc, since_seq, head_seq, lost, "joined");
    let joined = RelayMsg::Joined {
        doc,
        head_seq,
        max_frame_bytes: limits.max_frame_bytes as u64,
        lost,
    };
    let mut replies = vec![joined];
    replies.extend(page.into_message(doc));
    Ok(Outcome {
        subscription: Subscription::Subscribe,
        replies,
        catch_up: resume,
        ..Outcome::nothing()
    })
}

/// Stores a change durably, then acks it and forwards it to the others; a retry of a stored
/// change is acked again under its first sequence and forwarded to nobody.
fn append(
    store: &dyn Store,
    quota: &Quota,
    conn: ConnId,
    doc: DocId,
    client_msg_id: ClientMsgId,
    ciphertext: Vec<u8>,
) -> Result<Outcome, StoreError> {
    let appended = store.append(doc, client_msg_id, &ciphertext, quota)?;
    Ok(appended_outcome(
        conn,
        doc,
        client_msg_id,
        ciphertext,
        appended,
    ))
}

/// What a stored append leads to: the sender's ack and, for a new entry, the broadcast. The
/// server's writer stores appends in batches ([`crate::writer`]) and comes here with each.
pub fn appended_outcome(
    conn: ConnId,
    doc: DocId,
    client_msg_id: ClientMsgId,
    ciphertext: Vec<u8>,
    appended: Appended,
) -> Outcome {
    let (Appended::New { seq, .. } | Appended::Duplicate(seq)) = appended;
    let ack = RelayMsg::Ack {
        doc,
        client_msg_id,
        seq,
    };
    let mut outcome = Outcome::reply(ack);
    if let Appended::New { seq, created } = appended {
        debug!(conn, %doc, seq, created, "appended");
        outcome.created = created;
        outcome.broadcast = Some(RelayMsg::Broadcast {
            doc,
            seq,
            client_msg_id,
            ciphertext,
        });
    } else {
        debug!(conn, %doc, seq, "repeated append acknowledged again");
    }
    outcome
}

/// Stores a snapshot; success is silent, as the protocol has no reply for it.
fn snapshot(
    store: &dyn Store,
    quota: &Quota,
    conn: ConnId,
    doc: DocId,
    covers_seq: u64,
    ciphertext: &[u8],
) -> Result<Outcome, StoreError> {
    let stored = store.store_snapshot(doc, covers_seq, ciphertext, quota)?;
    debug!(conn, %doc, covers_seq, ?stored, "snapshot");
    Ok(Outcome::nothing())
}

/// Registers the owner; the answer says the document is (still) theirs.
fn own(
    store: &dyn Store,
    quota: &Quota,
    conn: ConnId,
    doc: DocId,
    delete_hash: [u8; 32],
) -> Result<Outcome, StoreError> {
    let claimed = store.own(doc, delete_hash, quota)?;
    debug!(conn, %doc, ?claimed, "owner claim");
    let mut outcome = Outcome::reply(RelayMsg::Owned { doc });
    outcome.created = matches!(claimed, Claimed::New { created: true });
    Ok(outcome)
}

/// Deletes (or moves) the document for everyone: the owner hears `Deleted` (or `Moved`) and
/// leaves it, and so does everyone else in it, in the same critical section, so no append can
/// slip in between. Other members stay subscribed until they leave (their app does when it
/// hears this), but anything they send for the document from now on is refused as `NotFound`.
fn delete(
    store: &dyn Store,
    conn: ConnId,
    doc: DocId,
    token: &DeleteToken,
    moved_to: Option<Vec<u8>>,
) -> Result<Outcome, StoreError> {
    store.delete(doc, token.hash(), moved_to.as_deref())?;
    let told = match moved_to {
        Some(pointer) => {
            info!(conn, %doc, "moved for everyone by its owner");
            RelayMsg::Moved { doc, pointer }
        }
        None => {
            info!(conn, %doc, "deleted for everyone by its owner");
            RelayMsg::Deleted { doc }
        }
    };
    Ok(Outcome {
        subscription: Subscription::Unsubscribe,
        replies: vec![told.clone()],
        broadcast: Some(told),
        created: false,
        catch_up: None,
    })
}

/// A catch-up the store failed to finish: the client is told (as for a failed join) and taken
/// out of the document, so that its next message for it is refused as not joined and it joins
/// again, instead of believing it has everything.
pub fn catch_up_failed(conn: ConnId, doc: DocId, e: &StoreError) -> Outcome {
    let about = About {
        doc,
        client_msg_id: None,
        what: "join",
    };
    left(conn, doc, vec![store_failed(conn, about, e)])
}

/// The sender leaves the document; the others hear at once that its presence is over.
fn left(conn: ConnId, doc: DocId, replies: Vec<RelayMsg>) -> Outcome {
    Outcome {
        subscription: Subscription::Unsubscribe,
        replies,
        broadcast: Some(RelayMsg::PeerLeft { doc, from: conn }),
        created: false,
        catch_up: None,
    }
}
