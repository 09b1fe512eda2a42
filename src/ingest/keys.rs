//! Duplicate keys within one export: a row whose key was seen before with the same content is
//! a repeat and rejected; with other content it is rejected and the first row is taken out
//! again. Keys are remembered by their hash, so that millions of them fit in memory.

use crate::source::Record;
use crate::source::values::TrimFast;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

/// Keys seen in a file, by their 128-bit hash.
type KeyMap = HashMap<u128, KeySeen, foldhash::fast::RandomState>;

/// What we remember of a key seen earlier in the same file.
/// 16 bytes, so 10 million keys take about 350 MB with the map's overhead.
struct KeySeen {
    content: u64,
    /// The line of the first row with this key; the top bit marks a key seen with other content.
    pos_and_conflict: u64,
}

const CONFLICT: u64 = 1 << 63;

impl KeySeen {
    fn pos(&self) -> u64 {
        self.pos_and_conflict & !CONFLICT
    }

    fn conflict(&self) -> bool {
        self.pos_and_conflict & CONFLICT != 0
    }
}

/// The keys seen in a file, and the rows to take out again because their key came back with
/// other content.
pub(super) struct Duplicates {
    keys: KeyMap,
    evict: HashMap<u64, String>,
    /// How a position is named in a reason: "regel", "rij" or "object".
    word: &'static str,
}

impl Duplicates {
    pub(super) fn new(word: &'static str) -> Duplicates {
        Duplicates {
            keys: KeyMap::default(),
            evict: HashMap::new(),
            word,
        }
    }

    /// Sizes the map for `rows` keys at once.
    pub(super) fn reserve(&mut self, rows: usize) {
        self.keys.reserve(rows);
    }

    /// The rows staged but to be taken out again, by position, with their reason.
    pub(super) fn into_evict(self) -> HashMap<u64, String> {
        self.evict
    }

    /// The reason to reject a row whose key was seen before in this file, if it was. A key seen
    /// with other content marks its first row for eviction too.
    pub(super) fn check(
        &mut self,
        rec: &Record,
        key: &str,
        (key_hash, content): (u128, u64),
    ) -> Option<String> {
        let word = self.word;
        let Some(seen) = self.keys.get_mut(&key_hash) else {
            self.keys.insert(
                key_hash,
                KeySeen {
                    content,
                    pos_and_conflict: rec.pos & !CONFLICT,
                },
            );
            return None;
        };
        if seen.content == content && !seen.conflict() {
            return Some(format!("dubbele rij: gelijk aan {word} {}", seen.pos()));
        }
        if !seen.conflict() {
            seen.pos_and_conflict |= CONFLICT;
            self.evict
                .insert(seen.pos(), other_content(key, word, rec.pos));
        }
        Some(other_content(key, word, seen.pos()))
    }
}

/// The reason a row goes whose key also appears at `pos` with other content.
fn other_content(key: &str, word: &str, pos: u64) -> String {
    format!("sleutel '{key}' komt ook voor op {word} {pos} met andere inhoud")
}

/// The key's 128-bit hash (two seeded foldhash runs: collisions among even 100 million keys
/// are vanishingly unlikely, and 24 bytes a key keep 10 million keys in about 400 MB) and a
/// hash of the whole row, to tell a repeated row from a changed one.
pub(super) fn row_hashes(key: &[&str], rec: &Record, width: usize) -> (u128, u64) {
    let hash = |seed: u64, parts: &mut dyn Iterator<Item = &str>| {
        let mut h = foldhash::quality::FixedState::with_seed(seed).build_hasher();
        for p in parts {
            h.write(p.as_bytes());
            h.write_u8(0xff);
        }
        h.finish()
    };
    let key_hash = (u128::from(hash(1, &mut key.iter().copied())) << 64)
        | u128::from(hash(2, &mut key.iter().copied()));
    // The same row from a CRLF and an LF export, or with a trailing ';', is the same row.
    (
        key_hash,
        hash(
            3,
            &mut rec.fields.iter().take(width).map(TrimFast::trim_fast),
        ),
    )
}
