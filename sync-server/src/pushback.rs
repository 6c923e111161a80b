//! When the append writer ([`crate::writer`]) refuses new appends: a decision on the queue's
//! expected wait, not on one slow commit.
//!
//! A newly admitted append is committed with the batch after the one running now, together with
//! everything queued before it. How long that takes is estimated from what recent batches cost:
//! a commit costs a fixed part (mostly the disk's fsync, the same for one append or a thousand)
//! and a small part per append (its statements). The append is refused (`RateLimited`, which the
//! app retries) when that expected wait exceeds the budget (`--max-append-wait-ms`): then the
//! queue holds more than the writer clears within it, and queueing further only adds latency.
//!
//! A single slow fsync alone refuses nothing: the appends queued meanwhile go into the next
//! batch, which costs hardly more than a small one. Only a commit that stalls for longer than
//! [`STALL_FACTOR`] times the budget refuses appends while it lasts, so a disk that hangs does
//! not collect a queue that would then take seconds to answer.
//!
//! Everything here is arithmetic on numbers passed in (times in nanoseconds), so the decision is
//! tested without a disk or a clock.

/// How many times the budget one commit may run before new appends are refused until it ends.
pub const STALL_FACTOR: u64 = 4;

/// How fast the per-append estimate may drift upwards per batch while no batch shows a lower
/// cost (1/32, about 3%): it follows the lowest recent cost, not every slow one.
const CREEP_SHIFT: u32 = 5;

/// How far the fixed-cost estimate moves towards each new commit (1/8 of itself): a running
/// median, so a stalled fsync moves it no more than an ordinary one.
const MEDIAN_SHIFT: u32 = 3;

/// What recent commits cost, as the writer thread learns it batch by batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommitCost {
    /// What a commit costs whatever its size: the fsync, its median. A stall is not expected
    /// of the next commit (most are not): while one lasts, [`Load::running_ns`] says so.
    pub fixed_ns: u64,
    /// What each append adds to a commit.
    pub per_append_ns: u64,
}

impl CommitCost {
    /// Before the first batch: a commit is taken to cost nothing, so the first appends are
    /// admitted and measured (the queue's bound still holds).
    pub const UNKNOWN: CommitCost = CommitCost {
        fixed_ns: 0,
        per_append_ns: 0,
    };

    /// The estimate after a batch of `size` appends took `took_ns`.
    ///
    /// Every batch bounds the per-append cost from above (`took / size`: the fixed part is in
    /// it too), and large batches bound it tightly, so the estimate is the lowest such bound
    /// seen lately: it drops to a lower one at once and creeps up slowly otherwise, so one
    /// stalled fsync does not make every append look expensive. The fixed part is what is left
    /// of each other commit, its running median.
    #[must_use]
    pub fn after_batch(self, size: usize, took_ns: u64) -> CommitCost {
        let size = size.max(1) as u64;
        let bound = took_ns / size;
        if self == CommitCost::UNKNOWN {
            return CommitCost {
                fixed_ns: 0,
                per_append_ns: bound,
            };
        }
        let crept = self.per_append_ns + (self.per_append_ns >> CREEP_SHIFT).max(1);
        if bound <= crept {
            // This batch sets the per-append bound: all of it counts per append, so it says
            // nothing about the fixed part.
            return CommitCost {
                fixed_ns: self.fixed_ns,
                per_append_ns: bound,
            };
        }
        let per_append_ns = crept;
        let fixed = took_ns.saturating_sub(per_append_ns.saturating_mul(size));
        // A running median: a step of an eighth towards the new figure, however far it is. The
        // first figure is taken as it is.
        let old = self.fixed_ns;
        let step = (old >> MEDIAN_SHIFT).max(1);
        let fixed_ns = if old == 0 {
            fixed
        } else if fixed >= old {
            old + step.min(fixed - old)
        } else {
            old - step.min(old - fixed)
        };
        CommitCost {
            fixed_ns,
            per_append_ns,
        }
    }
}

/// The writer as a new append finds it.
#[derive(Clone, Copy, Debug)]
pub struct Load {
    /// Appends queued and not yet taken into a batch.
    pub queued: usize,
    /// How long the batch being committed has run; `None` while the writer waits for work.
    pub running_ns: Option<u64>,
    pub cost: CommitCost,
}

impl Load {
    /// How long a new append is expected to wait for its ack: what is left of the batch being
    /// committed (expected as a typical commit, less what it has run), then the batches that
    /// take the queue and it, `max_batch` appends at most each.
    pub fn expected_wait_ns(&self, max_batch: usize) -> u64 {
        let rest = self
            .running_ns
            .map_or(0, |ran| self.cost.fixed_ns.saturating_sub(ran));
        let appends = self.queued as u64 + 1;
        let batches = appends.div_ceil(max_batch.max(1) as u64);
        let commits = self.cost.fixed_ns.saturating_mul(batches);
        rest.saturating_add(commits)
            .saturating_add(self.cost.per_append_ns.saturating_mul(appends))
    }

    /// Whether to admit a new append with `budget_ns` of wait allowed: refused while one
    /// commit has stalled past [`STALL_FACTOR`] budgets, or when its expected wait exceeds the
    /// budget. With nothing queued it is admitted whatever the estimate says: a disk slower
    /// than the budget still takes appends one batch at a time (refusing them all would also
    /// stop the estimate from ever learning the disk got faster).
    pub fn admits(&self, budget_ns: u64, max_batch: usize) -> bool {
        let stalled = self
            .running_ns
            .is_some_and(|ran| ran > budget_ns.saturating_mul(STALL_FACTOR));
        !stalled && (self.queued == 0 || self.expected_wait_ns(max_batch) <= budget_ns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;
    const US: u64 = 1_000;
    const BUDGET: u64 = 25 * MS;

    /// A writer that has committed batches of `sizes` with a 0.5 ms fsync and 20 µs an append.
    fn learned(sizes: &[usize]) -> CommitCost {
        sizes.iter().fold(CommitCost::UNKNOWN, |cost, &n| {
            cost.after_batch(n, MS / 2 + 20 * US * n as u64)
        })
    }

    /// The same writer after a while: mostly small batches, now and then a large one.
    fn steady() -> CommitCost {
        let mut sizes = vec![1, 500];
        sizes.extend([1, 2].repeat(15));
        sizes.push(400);
        learned(&sizes)
    }

    fn load(queued: usize, running_ns: Option<u64>, cost: CommitCost) -> Load {
        Load {
            queued,
            running_ns,
            cost,
        }
    }

    #[test]
    fn large_batches_teach_the_per_append_cost_and_small_ones_the_fixed_cost() {
        let cost = steady();
        // 400 appends in 8.5 ms: at most 21.25 µs each.
        assert!(
            (20 * US..=22 * US).contains(&cost.per_append_ns),
            "{cost:?}"
        );
        // The fsync's 0.5 ms, give or take what the per-append estimate still holds.
        assert!((400 * US..=600 * US).contains(&cost.fixed_ns), "{cost:?}");
    }

    #[test]
    fn one_stalled_fsync_does_not_make_appends_look_expensive() {
        let before = steady();
        // A batch of three stuck 40 ms in its fsync.
        let after = before.after_batch(3, 40 * MS);
        assert!(after.per_append_ns <= before.per_append_ns + before.per_append_ns / 16);
        // The fixed part rises by one step, an eighth of itself, as after any slower fsync.
        assert!(after.fixed_ns > before.fixed_ns);
        assert!(after.fixed_ns <= before.fixed_ns + before.fixed_ns / 8);
        // The appends queued during the stall are still admitted into the next batch.
        assert!(load(400, None, after).admits(BUDGET, 1024));
    }

    #[test]
    fn a_commit_that_ran_past_the_old_limit_still_admits_the_next_batch() {
        let cost = steady();
        // The batch has run 30 ms (the old rule refused from 25 ms on); 300 appends wait.
        let now = load(300, Some(30 * MS), cost);
        assert!(now.expected_wait_ns(1024) < 10 * MS, "{now:?}");
        assert!(now.admits(BUDGET, 1024));
    }

    #[test]
    fn a_commit_stalled_past_four_budgets_refuses_until_it_ends() {
        let cost = steady();
        assert!(load(0, Some(4 * BUDGET), cost).admits(BUDGET, 1024));
        assert!(!load(0, Some(4 * BUDGET + 1), cost).admits(BUDGET, 1024));
        assert!(load(0, None, cost).admits(BUDGET, 1024));
    }

    #[test]
    fn a_queue_longer_than_one_budget_clears_is_refused() {
        // 0.5 ms + about 21 µs an append: about 1,150 appends clear within 25 ms, in two
        // batches of at most 1,024 (two fsyncs).
        let cost = steady();
        let admits = |queued| load(queued, None, cost).admits(BUDGET, 1024);
        assert!(admits(0));
        assert!(admits(1000));
        assert!(!admits(1300));
        // With smaller batches, more fsyncs: fewer fit.
        assert!(!load(1000, None, cost).admits(BUDGET, 64));
    }

    #[test]
    fn a_slower_disk_lowers_how_many_are_admitted() {
        let fast = steady();
        // From 0.5 ms to 15 ms an fsync: the median follows within some 30 commits.
        let slow = (0..30).fold(fast, |c, _| c.after_batch(1, 15 * MS));
        assert!(slow.fixed_ns > 10 * MS, "{slow:?}");
        assert!(load(500, None, fast).admits(BUDGET, 1024));
        assert!(!load(500, None, slow).admits(BUDGET, 1024));
        // A disk slower than the whole budget still takes one append at a time.
        let slower = (0..60).fold(fast, |c, _| c.after_batch(1, 40 * MS));
        assert!(load(0, None, slower).admits(BUDGET, 1024));
        assert!(!load(1, None, slower).admits(BUDGET, 1024));
    }

    #[test]
    fn the_first_appends_are_admitted_and_measured() {
        assert!(load(10, None, CommitCost::UNKNOWN).admits(BUDGET, 1024));
        let first = CommitCost::UNKNOWN.after_batch(1, 2 * MS);
        // One batch of one cannot tell the fsync from the append: all of it counts per append
        // until a larger batch says otherwise.
        assert_eq!(first.per_append_ns, 2 * MS);
        assert_eq!(first.fixed_ns, 0);
        let second = first.after_batch(50, 3 * MS);
        assert_eq!(second.per_append_ns, 60 * US);
    }
}
