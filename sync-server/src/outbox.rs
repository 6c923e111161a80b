//! A connection's outgoing queue and the writer task that drains it into the socket.
//!
//! The queue is bounded twice: in frames, and in bytes. Counting frames alone is not enough,
//! because a catch-up frame can be a mebibyte: a client that joins a large document again and
//! again without reading would otherwise pin a gigabyte of relay memory before its queue counted
//! as full. Each queued frame holds permits from the connection's byte budget (a semaphore)
//! until the writer has sent it, so the budget counts exactly what is waiting in memory.
//!
//! Sending never waits. A frame that does not fit either bound is not queued, and the
//! connection is kicked instead: the relay never silently drops a frame and carries on, since a
//! client that missed a `Broadcast` would stay out of sync without knowing it.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocket};
use futures_util::stream::SplitSink;
use futures_util::SinkExt;
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{mpsc, Notify, OwnedSemaphorePermit, Semaphore};

use crate::session::ConnId;

/// How often [`Peer::room_for`] looks again.
const ROOM_POLL: Duration = Duration::from_millis(5);

/// How the rest of the relay reaches one connection.
#[derive(Clone, Debug)]
pub struct Peer {
    pub id: ConnId,
    /// The connection's outgoing queue of encoded frames; its writer task drains it.
    tx: mpsc::Sender<Queued>,
    /// Bytes the queue may still take; one permit per byte of each queued frame.
    budget: Arc<Semaphore>,
    /// Woken when a frame does not fit, so the connection ends instead of silently losing frames.
    kick: Arc<Notify>,
}

/// One frame waiting for the writer, with its share of the byte budget.
#[derive(Debug)]
pub struct Queued {
    pub frame: Bytes,
    /// Returns the frame's bytes to the budget when dropped, i.e. once the writer is done with it.
    _budget: OwnedSemaphorePermit,
}

/// Why a frame was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendError {
    /// The queue was full in frames or in bytes; the connection has been told to close.
    TooSlow,
    /// The connection is already gone.
    Closed,
}

impl Peer {
    /// A new connection's sending half, with a queue of at most `max_frames` frames and
    /// `max_bytes` bytes, and the receiving half for its writer task.
    pub fn new(id: ConnId, max_frames: usize, max_bytes: usize) -> (Self, mpsc::Receiver<Queued>) {
        let (tx, rx) = mpsc::channel(max_frames);
        let peer = Peer {
            id,
            tx,
            budget: Arc::new(Semaphore::new(max_bytes)),
            kick: Arc::new(Notify::new()),
        };
        (peer, rx)
    }

    /// Queues one frame without waiting.
    pub fn send(&self, frame: Bytes) -> Result<(), SendError> {
        if self.tx.is_closed() {
            return Err(SendError::Closed);
        }
        let permit = u32::try_from(frame.len())
            .ok()
            .and_then(|len| Arc::clone(&self.budget).try_acquire_many_owned(len).ok());
        let Some(permit) = permit else {
            return Err(self.kick());
        };
        let queued = Queued {
            frame,
            _budget: permit,
        };
        match self.tx.try_send(queued) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => Err(self.kick()),
            Err(TrySendError::Closed(_)) => Err(SendError::Closed),
        }
    }

    /// Completes once the connection has been kicked, even if that happened before the call.
    pub async fn kicked(&self) {
        self.kick.notified().await;
    }

    /// Tells the connection to close because it cannot keep up.
    pub fn kick(&self) -> SendError {
        // notify_one keeps a permit, so the kick is not lost if nobody is waiting yet.
        self.kick.notify_one();
        SendError::TooSlow
    }

    /// Waits until at least `bytes` of the queue's byte budget are free, i.e. the client has
    /// taken enough of what was queued; false if the connection is gone meanwhile. Polls
    /// rather than reserving the budget, since a reservation would make broadcasts queued
    /// meanwhile find it taken and kick the client.
    pub async fn room_for(&self, bytes: usize) -> bool {
        while self.budget.available_permits() < bytes {
            if self.tx.is_closed() {
                return false;
            }
            tokio::time::sleep(ROOM_POLL).await;
        }
        !self.tx.is_closed()
    }
}

/// How the writer paces itself.
#[derive(Debug, Clone, Copy)]
pub struct Writing {
    /// How long one frame may take to be written before the client counts as gone.
    pub timeout: Duration,
    /// How often to ping the client, which must answer for the reader to keep the connection.
    pub ping_every: Duration,
}

/// Frames written to the socket before one flush: what is queued at once (an ack and a few
/// broadcasts under load) goes out in one system call instead of one each.
const FRAMES_PER_FLUSH: usize = 32;

/// The writer task: sends queued frames, and a ping now and then, until the queue closes or the
/// socket fails or stalls.
pub async fn write_frames(
    mut sink: SplitSink<WebSocket, Message>,
    mut rx: mpsc::Receiver<Queued>,
    writing: Writing,
) {
    let mut ping = tokio::time::interval(writing.ping_every);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut sent = Vec::with_capacity(FRAMES_PER_FLUSH);
    loop {
        let first = tokio::select! {
            queued = rx.recv() => match queued {
                Some(queued) => Some(queued),
                None => return,
            },
            _ = ping.tick() => None,
        };
        // Whatever else is queued already joins this write; a frame's budget is returned when
        // its permit drops, once the flush below has sent it.
        let write = async {
            match first {
                Some(queued) => {
                    sink.feed(Message::Binary(queued.frame.clone())).await?;
                    sent.push(queued);
                    while sent.len() < FRAMES_PER_FLUSH {
                        let Ok(queued) = rx.try_recv() else { break };
                        sink.feed(Message::Binary(queued.frame.clone())).await?;
                        sent.push(queued);
                    }
                }
                None => sink.feed(Message::Ping(Bytes::new())).await?,
            }
            sink.flush().await
        };
        match tokio::time::timeout(writing.timeout, write).await {
            Ok(Ok(())) => sent.clear(),
            Ok(Err(_)) | Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_byte_budget_kicks_and_is_returned_once_a_frame_is_sent() {
        let (peer, mut rx) = Peer::new(1, 100, 10);
        assert_eq!(peer.send(Bytes::from_static(b"123456")), Ok(()));
        assert_eq!(
            peer.send(Bytes::from_static(b"12345")),
            Err(SendError::TooSlow)
        );
        peer.kicked().await;
        // The writer has taken the first frame and is done with it: its bytes are free again.
        drop(rx.recv().await);
        assert_eq!(peer.send(Bytes::from_static(b"1234567890")), Ok(()));
        drop(rx);
        assert_eq!(peer.send(Bytes::new()), Err(SendError::Closed));
    }

    #[tokio::test]
    async fn the_frame_bound_kicks_too() {
        let (peer, _rx) = Peer::new(1, 1, 1000);
        assert_eq!(peer.send(Bytes::from_static(b"a")), Ok(()));
        assert_eq!(peer.send(Bytes::from_static(b"b")), Err(SendError::TooSlow));
        peer.kicked().await;
    }
}
