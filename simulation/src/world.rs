//! The world a seed builds: replicas, the relay core over SQLite on a temporary disk, and the
//! connections between them, run by one seeded scheduler.
//!
//! Each connection is two FIFO queues, as a WebSocket is; the scheduler delivers from any
//! connection in any order, so messages are reordered across connections, never within one.
//! It also cuts connections (losing whatever was on its way, say an append the relay stored but
//! whose ack never arrived, so the retry is a duplicate), takes devices offline for long spells,
//! crashes devices, restarts the relay, and restores the relay from an older backup of its
//! database.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;

use tandem_protocol::{DocId, Secret};
use tandem_sync_engine::{Link, Output};
use tandem_sync_server::limits::Limits;
use tandem_sync_server::relay_core::{Outgoing, RelayCore};
use tandem_sync_server::session::ConnId;
use tandem_sync_server::store::SqliteStore;

use crate::replica::Replica;
use crate::rng::Rng;

/// One open socket between a replica and the relay.
struct Conn {
    id: ConnId,
    /// Frames on their way to the relay.
    up: VecDeque<Vec<u8>>,
    /// Frames on their way to the replica.
    down: VecDeque<Vec<u8>>,
}

/// What happened in a run, for the report.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub edits: u64,
    pub frames: u64,
    pub cuts: u64,
    pub relay_restarts: u64,
    pub relay_restores: u64,
    pub crashes: u64,
}

impl Tally {
    pub fn add(&mut self, other: &Tally) {
        self.edits += other.edits;
        self.frames += other.frames;
        self.cuts += other.cuts;
        self.relay_restarts += other.relay_restarts;
        self.relay_restores += other.relay_restores;
        self.crashes += other.crashes;
    }
}

pub struct World {
    pub rng: Rng,
    pub now: u64,
    dir: tempfile::TempDir,
    /// `None` while the relay is down.
    relay: Option<(RelayCore, Arc<SqliteStore>)>,
    backups: Vec<PathBuf>,
    pub replicas: Vec<Replica>,
    conns: Vec<Option<Conn>>,
    /// Replicas whose engine asked for a socket that has not opened or failed yet.
    connecting: Vec<bool>,
    /// Until when each replica's network is gone.
    offline_until: Vec<u64>,
    pub tally: Tally,
}

impl World {
    pub fn new(seed: u64, replicas: u8) -> Self {
        let mut rng = Rng::new(seed);
        // On a RAM disk where there is one: the relay fsyncs every append.
        let dir = match std::path::Path::new("/dev/shm").is_dir() {
            true => tempfile::tempdir_in("/dev/shm"),
            false => tempfile::tempdir(),
        }
        .expect("a temporary directory");
        // The secret is random rather than seeded: the relay only sees the id it derives, and
        // nothing the simulation decides depends on either.
        let secret = Secret::random();
        let doc = secret.doc_id();
        let snapshot_every = rng.between(4, 40);
        let now = 1_000_000;
        let replicas = (0..replicas)
            .map(|id| Replica::new(id, doc, secret.clone(), id == 0, snapshot_every, now))
            .collect::<Vec<_>>();
        let n = replicas.len();
        let mut world = World {
            rng,
            now,
            dir,
            relay: None,
            backups: Vec::new(),
            replicas,
            conns: (0..n).map(|_| None).collect(),
            connecting: vec![false; n],
            offline_until: vec![0; n],
            tally: Tally::default(),
        };
        world.start_relay();
        for r in 0..n {
            world.pump(r);
        }
        world
    }

    // ---- the relay's life ------------------------------------------------------------------

    fn start_relay(&mut self) {
        let store = Arc::new(SqliteStore::open(self.dir.path()).expect("the relay's store opens"));
        self.relay = Some((RelayCore::new(store.clone(), Limits::default()), store));
    }

    /// The relay process stops: every connection ends, the database is closed.
    fn stop_relay(&mut self) {
        self.relay = None;
        for r in 0..self.replicas.len() {
            if self.conns[r].take().is_some() {
                self.replicas[r].engine.disconnected(self.now);
                self.pump(r);
            }
        }
    }

    pub fn restart_relay(&mut self) {
        self.tally.relay_restarts += 1;
        self.stop_relay();
        self.start_relay();
    }

    pub fn back_up_relay(&mut self) {
        if let Some((_, store)) = &self.relay {
            let path = self
                .dir
                .path()
                .join(format!("backup-{}.sqlite3", self.backups.len()));
            store.backup_to(&path).expect("a backup is written");
            self.backups.push(path);
        }
    }

    /// The relay comes back from one of its older backups, losing what came after it.
    pub fn restore_relay(&mut self) {
        let Some(backup) = self.rng.pick(&self.backups).cloned() else {
            return;
        };
        self.tally.relay_restores += 1;
        self.stop_relay();
        SqliteStore::restore_backup(&backup, self.dir.path()).expect("the backup restores");
        self.start_relay();
    }

    // ---- the replicas' side ----------------------------------------------------------------

    /// Carries out everything replica `r`'s engine asks for.
    fn pump(&mut self, r: usize) {
        while let Some(output) = self.replicas[r].poll() {
            match output {
                Output::Connect => self.connecting[r] = true,
                Output::Disconnect => self.close(r),
                Output::Send(frame) => {
                    if let Some(conn) = &mut self.conns[r] {
                        conn.up.push_back(frame);
                    }
                }
                Output::Event(event) => {
                    let now = self.now;
                    self.replicas[r].handle(event, &mut self.rng, now);
                }
            }
        }
    }

    /// The replica closes its socket; the relay notices.
    fn close(&mut self, r: usize) {
        self.connecting[r] = false;
        if let Some(conn) = self.conns[r].take() {
            if let Some((relay, _)) = &mut self.relay {
                let out = relay.disconnect(conn.id);
                self.route(out);
            }
        }
    }

    /// A socket the replica asked for opens, or fails (no network, or no relay).
    pub fn finish_connecting(&mut self, r: usize) {
        if !std::mem::take(&mut self.connecting[r]) {
            return;
        }
        let reachable = self.now >= self.offline_until[r];
        match (&mut self.relay, reachable) {
            (Some((relay, _)), true) => {
                let id = relay.connect(self.now);
                self.conns[r] = Some(Conn {
                    id,
                    up: VecDeque::new(),
                    down: VecDeque::new(),
                });
                self.replicas[r].engine.connected(self.now);
            }
            _ => self.replicas[r].engine.disconnected(self.now),
        }
        self.pump(r);
    }

    /// The network drops the connection, with whatever was on its way.
    pub fn cut(&mut self, r: usize) {
        if self.conns[r].is_some() {
            self.tally.cuts += 1;
            self.close(r);
            self.replicas[r].engine.disconnected(self.now);
            self.pump(r);
        }
    }

    /// The replica's network is gone for a while (and the browser says so).
    pub fn go_offline(&mut self, r: usize, for_ms: u64) {
        self.offline_until[r] = self.now + for_ms;
        self.cut(r);
        self.replicas[r].engine.network_changed(false, self.now);
        self.pump(r);
    }

    pub fn crash(&mut self, r: usize) {
        self.tally.crashes += 1;
        self.close(r);
        self.replicas[r].restart(self.now);
        self.pump(r);
    }

    pub fn edit(&mut self, r: usize) {
        self.tally.edits += 1;
        let now = self.now;
        self.replicas[r].edit(&mut self.rng, now);
        self.pump(r);
    }

    // ---- the network -----------------------------------------------------------------------

    /// Connections with something on its way, in either direction.
    pub fn busy(&self) -> Vec<usize> {
        (0..self.conns.len())
            .filter(|&r| {
                self.connecting[r]
                    || self.conns[r]
                        .as_ref()
                        .is_some_and(|c| !c.up.is_empty() || !c.down.is_empty())
            })
            .collect()
    }

    /// Delivers the next frame one way or the other on replica `r`'s connection.
    pub fn deliver(&mut self, r: usize) {
        if self.connecting[r] {
            return self.finish_connecting(r);
        }
        let Some(conn) = &mut self.conns[r] else {
            return;
        };
        let upward = match (conn.up.is_empty(), conn.down.is_empty()) {
            (false, false) => self.rng.chance(50),
            (up_empty, _) => !up_empty,
        };
        self.tally.frames += 1;
        if upward {
            let (id, frame) = (conn.id, conn.up.pop_front().unwrap_or_default());
            if let Some((relay, _)) = &mut self.relay {
                let out = relay.receive(id, &frame, self.now);
                self.route(out);
            }
        } else if let Some(frame) = conn.down.pop_front() {
            self.replicas[r].engine.receive(&frame, self.now);
            self.pump(r);
        }
    }

    fn route(&mut self, out: Vec<Outgoing>) {
        for Outgoing { to, frame } in out {
            if let Some(conn) = self.conns.iter_mut().flatten().find(|c| c.id == to) {
                conn.down.push_back(frame.to_vec());
            }
        }
    }

    /// Time passes: timers fire, networks come back.
    pub fn advance(&mut self, ms: u64) {
        self.now += ms;
        for r in 0..self.replicas.len() {
            let back = self.offline_until[r];
            if back != 0 && self.now >= back {
                self.offline_until[r] = 0;
                self.replicas[r].engine.network_changed(true, self.now);
            }
            self.replicas[r].engine.handle_timeout(self.now);
            self.pump(r);
        }
    }

    // ---- the end ---------------------------------------------------------------------------

    /// Network back everywhere, relay up.
    pub fn heal(&mut self) {
        if self.relay.is_none() {
            self.start_relay();
        }
        for until in &mut self.offline_until {
            if *until != 0 {
                *until = self.now;
            }
        }
        self.advance(0);
    }

    /// Every replica online, joined, caught up, with nothing unsent, and nothing on its way.
    pub fn quiet(&self) -> bool {
        self.busy().is_empty()
            && self.replicas.iter().all(|r| {
                r.engine
                    .status(doc_of(r))
                    .is_some_and(|s| s.link == Link::Online && s.caught_up && s.unsent == 0)
            })
    }
}

impl World {
    /// Each replica's sync state, for a failure report.
    pub fn describe(&self) -> String {
        self.replicas
            .iter()
            .map(|r| {
                format!(
                    "replica {}: {:?} {:?}",
                    r.id,
                    r.engine.stored(r.doc()),
                    r.engine.status(r.doc())
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

fn doc_of(r: &Replica) -> DocId {
    r.doc()
}
