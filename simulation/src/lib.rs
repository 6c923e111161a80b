//! A deterministic simulation of Tandem's sync, in the spirit of FoundationDB's: the real sync
//! engine and the real vacancy document on each replica, the real relay core over SQLite,
//! and one seeded scheduler that decides everything else. The same seed gives the same run, so
//! a failing seed replays alone.
//!
//! - [`rng`]: the seeded random source.
//! - [`replica`]: one device: engine, document, a disk that survives a crash, random edits.
//! - [`world`]: the relay, the connections, and the faults: reordering across connections,
//!   cut connections (retries become duplicates), long offline spells, device crashes, relay
//!   restarts, and relay restores from older backups.
//!
//! [`run`] plays one seed and then lets the world heal: at the end every replica must hold the
//! same document (same heads, same content) and every change any replica made must be in it.

pub mod replica;
pub mod rng;
pub mod world;

use tandem_domain::ChangeHash;

pub use world::Tally;
use world::World;

/// Deliveries and ticks allowed for the healed world to settle before the run counts as stuck.
const SETTLE_LIMIT: u32 = 200_000;

/// Plays one seed; the error says what diverged.
pub fn run(seed: u64) -> Result<Tally, String> {
    let replicas = rng::Rng::new(seed).between(2, 4) as u8;
    let mut world = World::new(seed, replicas);
    let n = replicas as u64;
    let steps = world.rng.between(150, 500);
    for _ in 0..steps {
        let r = world.rng.below(n) as usize;
        match world.rng.below(1000) {
            0..=479 => deliver_any(&mut world),
            480..=649 => {
                // People type in bursts.
                for _ in 0..world.rng.between(1, 6) {
                    world.edit(r);
                }
            }
            650..=819 => {
                let ms = world.rng.between(1, 1500);
                world.advance(ms);
            }
            820..=859 => world.cut(r),
            860..=879 => {
                let ms = world.rng.between(2_000, 120_000);
                world.go_offline(r, ms);
            }
            880..=889 => world.crash(r),
            890..=904 => world.back_up_relay(),
            905..=912 => world.restart_relay(),
            913..=917 => world.restore_relay(),
            _ => deliver_any(&mut world),
        }
    }
    world.heal();
    let mut settled = false;
    for _ in 0..SETTLE_LIMIT {
        if !world.busy().is_empty() {
            deliver_any(&mut world);
        } else if world.quiet() {
            settled = true;
            break;
        } else {
            world.advance(250);
        }
    }
    if !settled {
        return Err(format!(
            "the healed world never settled ({:?})",
            world.tally
        ));
    }
    check(&mut world)?;
    Ok(world.tally)
}

fn deliver_any(world: &mut World) {
    let busy = world.busy();
    if let Some(&r) = world.rng.pick(&busy) {
        world.deliver(r);
    }
}

/// Every replica holds the same document, with every change anyone made.
fn check(world: &mut World) -> Result<(), String> {
    let heads: Vec<Vec<ChangeHash>> = world
        .replicas
        .iter_mut()
        .map(|r| {
            let mut h = r.vacancy.heads();
            h.sort();
            h
        })
        .collect();
    for (i, h) in heads.iter().enumerate().skip(1) {
        if *h != heads[0] {
            let authors: Vec<String> = heads
                .iter()
                .flatten()
                .map(|hash| {
                    let by = world.replicas.iter().find(|r| r.made.contains(hash));
                    format!("{hash} by {:?}", by.map(|r| r.id))
                })
                .collect();
            return Err(format!(
                "replica {i} has heads {h:?}, replica 0 {:?} ({:?}); authors: {authors:?}; {}",
                heads[0],
                world.tally,
                world.describe()
            ));
        }
    }
    let first = world.replicas[0].content();
    for r in &world.replicas[1..] {
        if r.content() != first {
            return Err(format!(
                "replica {} shows {:?}, replica 0 {:?}",
                r.id,
                r.content(),
                first
            ));
        }
    }
    let made: Vec<(u8, ChangeHash)> = world
        .replicas
        .iter()
        .flat_map(|r| r.made.iter().map(move |h| (r.id, *h)))
        .collect();
    for r in &mut world.replicas {
        for (author, hash) in &made {
            if !r.vacancy.has_change(hash) {
                return Err(format!(
                    "replica {} lacks change {hash} made by replica {author}",
                    r.id
                ));
            }
        }
    }
    Ok(())
}
