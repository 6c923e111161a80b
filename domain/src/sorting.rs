//! Stable sorting without a copy of the standard library's sort per call site.
//!
//! `slice::sort_by` is generic over the element and over the comparison closure, so every call
//! site compiles its own copy of the stable sort (a few KiB of wasm each: the sorts of the
//! shipped app came to 141 KiB before this, BENCHMARKS.md "Size of the shipped app"). Here the
//! sort itself is compiled once, over positions with a `dyn` comparison; only the small shell
//! that puts the items in that order is generic. The lists sorted here are short (people,
//! candidates, dates), so the extra indirection costs nothing anyone could notice.

use std::cmp::Ordering;

/// Sorts `items` by `compare`, keeping equal items in their order: what `slice::sort_by` does.
pub fn sort_by<T>(items: &mut [T], compare: impl Fn(&T, &T) -> Ordering) {
    let mut order = sorted_positions(items.len(), &|a, b| compare(&items[a], &items[b]));
    // Place `i` must receive the item now at `order[i]`. Follow each cycle of that permutation
    // with swaps; a place that holds its item is marked by `order[place] == place`.
    for start in 0..order.len() {
        let mut place = start;
        while order[place] != place {
            let from = order[place];
            order[place] = place;
            if from == start {
                break;
            }
            items.swap(place, from);
            place = from;
        }
    }
}

/// Sorts `items` by `key`, keeping equal items in their order: what `slice::sort_by_key` does.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `items` by their own order (`slice::sort`).
pub fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

/// The positions `0..len` in the order `compare` gives them; the one place a sort is compiled.
fn sorted_positions(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| compare(a, b));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_the_standard_library_and_keeps_equal_items_in_order() {
        let items: Vec<(u8, char)> =
            vec![(3, 'a'), (1, 'b'), (3, 'c'), (0, 'd'), (1, 'e'), (2, 'f')];
        let mut ours = items.clone();
        sort_by_key(&mut ours, |&(k, _)| k);
        let mut std = items.clone();
        std.sort_by_key(|&(k, _)| k);
        assert_eq!(ours, std);
        assert_eq!(
            ours,
            [(0, 'd'), (1, 'b'), (1, 'e'), (2, 'f'), (3, 'a'), (3, 'c')]
        );

        let mut reversed = items.clone();
        sort_by(&mut reversed, |a, b| b.0.cmp(&a.0));
        assert_eq!(
            reversed,
            [(3, 'a'), (3, 'c'), (2, 'f'), (1, 'b'), (1, 'e'), (0, 'd')]
        );

        let mut words = vec!["pear", "apple", "fig"];
        sort(&mut words);
        assert_eq!(words, ["apple", "fig", "pear"]);

        // Longer cycles and fixed points, checked against the standard library.
        for seed in 0u32..200 {
            let items: Vec<(u32, u32)> = (0..(seed % 23))
                .map(|i| ((i.wrapping_mul(2_654_435_761) ^ seed) % 7, i))
                .collect();
            let mut ours = items.clone();
            sort_by_key(&mut ours, |&(k, _)| k);
            let mut std = items;
            std.sort_by_key(|&(k, _)| k);
            assert_eq!(ours, std, "seed {seed}");
        }
    }

    #[test]
    fn empty_and_single_lists_stay_as_they_are() {
        let mut none: Vec<String> = Vec::new();
        sort(&mut none);
        assert!(none.is_empty());
        let mut one = vec![String::from("only")];
        sort(&mut one);
        assert_eq!(one, ["only"]);
    }
}
