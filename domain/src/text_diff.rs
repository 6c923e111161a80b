//! The smallest single splice that turns one string into another.
//!
//! Browsers report an input field's whole new value, not the keystroke. Replacing the whole text
//! in the document would make the last writer win; instead we find the common prefix and suffix
//! and splice only the middle. Positions are UTF-16 code units, as in the DOM and in documents
//! built with automerge's `utf16-indexing`.

/// One splice: at `pos`, delete `delete` code units, then insert `insert`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Splice {
    pub pos: usize,
    pub delete: usize,
    pub insert: String,
}

/// The splice that turns `old` into `new`, or `None` when they are equal.
pub fn diff(old: &str, new: &str) -> Option<Splice> {
    if old == new {
        return None;
    }
    let a: Vec<u16> = old.encode_utf16().collect();
    let b: Vec<u16> = new.encode_utf16().collect();
    let mut prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    // Never cut a surrogate pair in two: back up to the pair's start.
    if prefix > 0 && is_high_surrogate(a[prefix - 1]) {
        prefix -= 1;
    }
    let max_suffix = a.len().min(b.len()) - prefix;
    let mut suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(max_suffix)
        .take_while(|(x, y)| x == y)
        .count();
    if suffix > 0 && is_low_surrogate(a[a.len() - suffix]) {
        suffix -= 1;
    }
    let insert = String::from_utf16_lossy(&b[prefix..b.len() - suffix]);
    Some(Splice {
        pos: prefix,
        delete: a.len() - suffix - prefix,
        insert,
    })
}

fn is_high_surrogate(u: u16) -> bool {
    (0xD800..0xDC00).contains(&u)
}

fn is_low_surrogate(u: u16) -> bool {
    (0xDC00..0xE000).contains(&u)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(old: &str, s: &Splice) -> String {
        let a: Vec<u16> = old.encode_utf16().collect();
        let mut out: Vec<u16> = a[..s.pos].to_vec();
        out.extend(s.insert.encode_utf16());
        out.extend(&a[s.pos + s.delete..]);
        String::from_utf16(&out).unwrap()
    }

    #[test]
    fn finds_minimal_splices() {
        assert_eq!(diff("abc", "abc"), None);
        assert_eq!(
            diff("hello world", "hello brave world"),
            Some(Splice {
                pos: 6,
                delete: 0,
                insert: "brave ".into()
            })
        );
        assert_eq!(
            diff("abcdef", "abef"),
            Some(Splice {
                pos: 2,
                delete: 2,
                insert: String::new()
            })
        );
        // Typing a repeated letter: the splice is one character wherever it lands.
        let s = diff("aa", "aaa").unwrap();
        assert_eq!((s.delete, s.insert.as_str()), (0, "a"));
    }

    #[test]
    fn respects_surrogate_pairs() {
        for (old, new) in [
            ("a😀b", "a😃b"),
            ("😀", "😀😀"),
            ("x😀", "x"),
            ("", "🎉 Dag"),
            ("café 😀", "cafe 😀!"),
        ] {
            let s = diff(old, new).unwrap();
            assert_eq!(apply(old, &s), new, "{old:?} -> {new:?}");
            assert!(!s.insert.contains('\u{FFFD}'), "{old:?} -> {new:?}");
        }
    }
}
