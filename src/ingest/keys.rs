//! Duplicate keys within one export: a row whose key was seen before with the same content is
//! a repeat and rejected; with other content it is rejected and the first row is taken out
//! again. Keys are remembered by their hash, so that millions of them fit in memory: 20 bytes a
//! key (a 96-bit hash of the key, 32 bits of the row's content hash, the line number), plus the
//! map's overhead: about 21 bytes a slot, with between 1.14 and 2.3 slots a key (the map
//! doubles). Memory grows with the keys of the export being read, never with the keys already
//! in the warehouse (the upsert compares with those on disk).

use crate::source::Record;
use crate::source::values::TrimFast;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

/// Keys seen in a file, by 96 bits of their hash (collisions among 100 million keys: about
/// one chance in 10^13).
type KeyMap = HashMap<[u32; 3], KeySeen, foldhash::fast::RandomState>;

/// What we remember of a key seen earlier in the same file: 8 bytes.
struct KeySeen {
    /// 32 bits of the hash of the row's content: a changed row that hashes alike counts as a
    /// repeat of the first (rejected, the first kept) once in four billion.
    content: u32,
    /// The line of the first row with this key; the top bit marks a key seen with other content.
    pos_and_conflict: u32,
}

const CONFLICT: u32 = 1 << 31;

/// The highest line number the duplicate check can remember (31 bits).
pub(super) const MAX_POS: u64 = (CONFLICT - 1) as u64;

impl KeySeen {
    fn pos(&self) -> u64 {
        u64::from(self.pos_and_conflict & !CONFLICT)
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
        // The low 96 bits of the key's hash and 32 of the content's; the loader stops before a
        // line number above MAX_POS.
        let key_hash = [
            key_hash as u32,
            (key_hash >> 32) as u32,
            (key_hash >> 64) as u32,
        ];
        let content = content as u32;
        // One probe of the map: most keys are new.
        let seen = match self.keys.entry(key_hash) {
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(KeySeen {
                    content,
                    pos_and_conflict: u32::try_from(rec.pos.min(MAX_POS)).unwrap_or(0),
                });
                return None;
            }
            std::collections::hash_map::Entry::Occupied(slot) => slot.into_mut(),
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
