//! Runs the simulation over many seeds. `TANDEM_SIM_SEEDS=N` sets how many (CI runs a few
//! hundred; `scripts/bench.sh` runs ten thousand); `TANDEM_SIM_SEED=S` replays one seed alone.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use tandem_simulation::{run, Tally};

fn env(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

#[test]
fn every_replica_converges_with_every_change_under_hostile_schedules() {
    let seeds: Vec<u64> = match env("TANDEM_SIM_SEED") {
        Some(seed) => vec![seed],
        None => (0..env("TANDEM_SIM_SEEDS").unwrap_or(300)).collect(),
    };
    // Seeds are independent: each worker takes the next one until none are left or one fails.
    let next = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    let failure = Mutex::new(None::<String>);
    let total = Mutex::new(Tally::default());
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let Some(&seed) = seeds.get(next.fetch_add(1, Ordering::Relaxed)) else {
                    return;
                };
                if failure.lock().map_or(true, |f| f.is_some()) {
                    return;
                }
                let replay = format!("replay it alone: TANDEM_SIM_SEED={seed} cargo test -p tandem-simulation -- --nocapture");
                let outcome = catch_unwind(AssertUnwindSafe(|| run(seed)));
                let why = match outcome {
                    Ok(Ok(tally)) => {
                        let done = finished.fetch_add(1, Ordering::Relaxed) + 1;
                        if done.is_multiple_of(1000) {
                            println!("simulation: {done} of {} seeds converged", seeds.len());
                        }
                        if let Ok(mut total) = total.lock() {
                            total.add(&tally);
                        }
                        continue;
                    }
                    Ok(Err(why)) => format!("seed {seed} failed: {why}\n{replay}"),
                    Err(_) => format!("seed {seed} panicked (see above)\n{replay}"),
                };
                if let Ok(mut f) = failure.lock() {
                    f.get_or_insert(why);
                }
            });
        }
    });
    if let Some(why) = failure.into_inner().ok().flatten() {
        panic!("{why}");
    }
    let total = total.into_inner().unwrap_or_default();
    println!(
        "simulation: {} seeds converged ({} edits, {} frames, {} cut connections, {} device crashes, {} relay restarts, {} relay restores from backup)",
        seeds.len(),
        total.edits,
        total.frames,
        total.cuts,
        total.crashes,
        total.relay_restarts,
        total.relay_restores
    );
}
