//! One simulated device: the real sync engine and the real vacancy document, with a "disk" that
//! survives a crash, driven as the app drives them (hand a change to the engine and store it;
//! merge and store what the engine reports).

use tandem_domain::vacancy::test_support::{create_deterministic, make_deterministic};
use tandem_domain::{Category, ChangeHash, Criterion, SchemaStatus, TextField, Vacancy};
use tandem_protocol::{DocId, Secret};
use tandem_sync_engine::document::Stored;
use tandem_sync_engine::{Engine, Event, Output, Pending};

use crate::rng::Rng;

/// What a device keeps across a crash: every change it stored, the outbox,
/// and how far it got with the relay.
#[derive(Default)]
struct Disk {
    chunks: Vec<Vec<u8>>,
    outbox: Vec<Pending>,
    stored: Stored,
}

pub struct Replica {
    pub id: u8,
    doc: DocId,
    secret: Secret,
    pub engine: Engine,
    pub vacancy: Vacancy,
    disk: Disk,
    /// Every change this replica made: each must end up everywhere.
    pub made: Vec<ChangeHash>,
    /// Criteria this replica removed, which it may restore (its "undo").
    removed: Vec<Criterion>,
    snapshot_every: u64,
}

impl Replica {
    /// A device with the vacancy open; the creator has made it, the others join by link.
    pub fn new(
        id: u8,
        doc: DocId,
        secret: Secret,
        creator: bool,
        snapshot_every: u64,
        now: u64,
    ) -> Self {
        let mut engine = Engine::new(now);
        engine.set_snapshot_every(snapshot_every);
        let mut replica = Replica {
            id,
            doc,
            secret,
            engine,
            vacancy: Vacancy::empty(),
            disk: Disk::default(),
            made: Vec::new(),
            removed: Vec::new(),
            snapshot_every,
        };
        make_deterministic(&mut replica.vacancy, id);
        if creator {
            let (vacancy, first) = create_deterministic("Vacature", 0, id);
            replica.vacancy = vacancy;
            replica.local_change(first, 0, now, true);
        }
        replica.open(now);
        replica
    }

    fn open(&mut self, now: u64) {
        let outbox = self.disk.outbox.clone();
        self.engine
            .open(self.doc, &self.secret, self.disk.stored, outbox, now);
        // Presence flows as in the app, so its traffic shares the connections and the limits.
        self.engine.set_presence(self.doc, vec![self.id], true, now);
    }

    /// A crash and a restart: everything in memory is gone; the disk is read back.
    pub fn restart(&mut self, now: u64) {
        self.engine = Engine::new(now);
        self.engine.set_snapshot_every(self.snapshot_every);
        self.vacancy = Vacancy::empty();
        make_deterministic(&mut self.vacancy, self.id);
        for chunk in &self.disk.chunks {
            self.vacancy
                .apply_remote(chunk)
                .expect("what this replica stored loads again");
        }
        self.open(now);
    }

    /// Hands a change to the engine and stores it (chunk and outbox entry), as the app does.
    fn local_change(&mut self, change: Vec<u8>, id_seed: u64, now: u64, made: bool) {
        if made {
            self.made.extend(self.vacancy.heads());
        }
        let mut id = [self.id; 16];
        id[..8].copy_from_slice(&id_seed.to_le_bytes());
        let item = Pending {
            id,
            created_at: now,
            change,
        };
        // Handed to the engine first, then written, as the app does; the app's write is not
        // instant, but nothing reaches this replica between the two here.
        self.engine.local_change(self.doc, item.clone(), now);
        self.disk.chunks.push(item.change.clone());
        self.disk.outbox.push(item);
    }

    /// Carries out an event the engine reported; other outputs are the network's.
    pub fn handle(&mut self, event: Event, rng: &mut Rng, now: u64) {
        match event {
            Event::Changes {
                changes, stored, ..
            } => {
                for bytes in &changes {
                    self.vacancy
                        .apply_remote(bytes)
                        .expect("changes from the relay load");
                }
                self.disk.chunks.extend(changes);
                self.disk.stored = stored;
            }
            Event::Acked { ids, stored, .. } => {
                self.disk.outbox.retain(|i| !ids.contains(&i.id));
                self.disk.stored = stored;
            }
            Event::UploadWhole { .. } => {
                let whole = self.vacancy.save();
                self.local_change(whole, rng.next_u64(), now, false);
            }
            Event::SnapshotWanted { covers_seq, .. } => {
                let bytes = self.vacancy.save();
                self.engine
                    .offer_snapshot(self.doc, covers_seq, &bytes, now);
            }
            Event::PeersChanged { .. } | Event::StatusChanged { .. } => {}
            Event::Problem { problem, .. } => panic!("replica {}: {problem:?}", self.id),
        }
    }

    /// Takes the engine's next output.
    pub fn poll(&mut self) -> Option<Output> {
        self.engine.poll_output()
    }

    pub fn doc(&self) -> DocId {
        self.doc
    }

    pub fn loaded(&self) -> bool {
        self.vacancy.schema_status() == SchemaStatus::Current
    }

    /// One random edit, of the kinds people make: typing into the same text at the same
    /// places, adding, editing, moving, removing and restoring criteria.
    pub fn edit(&mut self, rng: &mut Rng, now: u64) {
        if !self.loaded() {
            return;
        }
        let criteria = self.vacancy.criteria();
        let pick = rng.pick(&criteria).map(|c| c.id.clone());
        let letter = (b'a' + rng.below(26) as u8) as char;
        let v = &mut self.vacancy;
        let change = match (rng.below(100), pick) {
            (0..=29, _) => type_into(v, &TextField::Title, letter, rng),
            (30..=44, _) => v
                .add_criterion(&format!("c{}", rng.below(100)), Category::Competency)
                .map(|(_, c)| Some(c)),
            (45..=59, Some(id)) => {
                let field = if rng.chance(50) {
                    TextField::CriterionName(id)
                } else {
                    TextField::CriterionDescription(id)
                };
                type_into(v, &field, letter, rng)
            }
            (60..=69, Some(id)) => {
                let to = rng.below(criteria.len() as u64) as usize;
                v.move_criterion(&id, to).map(Some)
            }
            (70..=77, Some(id)) => {
                if let Some(c) = criteria.iter().find(|c| c.id == id) {
                    self.removed.push(c.clone());
                }
                v.remove_criterion(&id).map(Some)
            }
            (78..=82, _) if !self.removed.is_empty() => {
                let i = rng.below(self.removed.len() as u64) as usize;
                let c = self.removed.remove(i);
                v.restore_criterion(&c).map(Some)
            }
            (83..=89, Some(id)) => v.set_weight(&id, rng.between(1, 5) as i64).map(Some),
            (90..=94, Some(id)) => {
                let cat = *rng.pick(&Category::ALL).unwrap_or(&Category::Trait);
                v.set_category(&id, cat).map(Some)
            }
            (_, Some(id)) => v.set_must_have(&id, rng.chance(50)).map(Some),
            (_, None) => type_into(v, &TextField::Title, letter, rng),
        };
        match change {
            Ok(Some(change)) => self.local_change(change, rng.next_u64(), now, true),
            Ok(None) => {}
            // The criterion was removed by a merge a moment ago: a person would see it vanish.
            Err(tandem_domain::DomainError::Missing(_)) => {}
            Err(e) => panic!("replica {}: edit failed: {e}", self.id),
        }
    }

    /// What the replica shows: the title and the scorecard.
    pub fn content(&self) -> (String, Vec<Criterion>) {
        (self.vacancy.title(), self.vacancy.criteria())
    }
}

/// Types one letter into a text: mostly at its start or end, where two people typing at once
/// meet, sometimes in the middle.
fn type_into(
    v: &mut Vacancy,
    field: &TextField,
    letter: char,
    rng: &mut Rng,
) -> Result<Option<Vec<u8>>, tandem_domain::DomainError> {
    let Some(text) = v.text(field) else {
        return Ok(None);
    };
    let chars: Vec<char> = text.chars().collect();
    let at = match rng.below(3) {
        0 => 0,
        1 => chars.len(),
        _ => rng.below(chars.len() as u64 + 1) as usize,
    };
    let mut next: String = chars[..at].iter().collect();
    next.push(letter);
    next.extend(&chars[at..]);
    v.set_text(field, &next)
}
