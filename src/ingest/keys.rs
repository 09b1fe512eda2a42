//! Duplicate keys within one export: a row whose key was seen before with the same content is
//! a repeat and rejected; with other content it is rejected and the first row is taken out
//! again. Keys are remembered by their hash, so that millions of them fit in memory: 20 bytes a
//! key (a 96-bit hash of the key, 32 bits of the row's content hash, the line number) in
//! buckets of three to a 64-byte cache line. The table is sized from the export's estimated
//! rows (5% over the sample's bytes per row) to be 80% full at that count, about 28 bytes a
//! key; it doubles only past 90% (12.5% more keys than estimated), and while it doubles it
//! is briefly held three times over. Memory grows with the keys of the export being read,
//! never with the keys already in the warehouse (the upsert compares with those on disk).

use crate::source::Record;
use crate::source::values::TrimFast;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

/// What we remember of a key seen earlier in the same file: 8 bytes.
#[derive(Clone, Copy, Default)]
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
    keys: KeyTable,
    evict: HashMap<u64, String>,
    /// How a position is named in a reason: "regel", "rij" or "object".
    word: &'static str,
}

impl Duplicates {
    pub(super) fn new(word: &'static str) -> Duplicates {
        Duplicates {
            keys: KeyTable::for_keys(0),
            evict: HashMap::new(),
            word,
        }
    }

    /// Sizes the table for `rows` keys at once, before the first key (later calls are
    /// ignored: the table then grows by itself).
    pub(super) fn reserve(&mut self, rows: usize) {
        if self.keys.len == 0 {
            self.keys = KeyTable::for_keys(rows);
        }
    }

    /// Asks for the memory of a key's place in the table ahead of [`Duplicates::check`], so
    /// that the rows between are checked while it comes.
    pub(super) fn prefetch(&self, key_hash: u128) {
        self.keys.prefetch(&table_key(key_hash));
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
        // 32 bits of the content's hash; the loader stops before a line number above MAX_POS.
        let fresh = KeySeen {
            content: content as u32,
            pos_and_conflict: u32::try_from(rec.pos.min(MAX_POS)).unwrap_or(0),
        };
        // Most keys are new: one look in the table finds their place or their first row.
        let seen = self.keys.get_or_insert(table_key(key_hash), fresh)?;
        let content = fresh.content;
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

/// What the table keeps of a key's hash: its low 96 bits (collisions among 100 million keys:
/// about one chance in 10^13), never all zero (that marks an empty slot).
fn table_key(key_hash: u128) -> [u32; 3] {
    match [
        key_hash as u32,
        (key_hash >> 32) as u32,
        (key_hash >> 64) as u32,
    ] {
        [0, 0, 0] => [1, 0, 0],
        key => key,
    }
}

/// Keys in a bucket, one bucket a 64-byte cache line.
const SLOTS: usize = 3;

/// Three keys' hashes with what was seen of them: 60 bytes in one cache line. A slot whose key
/// is all zero is empty; slots fill in order.
#[derive(Clone, Copy, Default)]
#[repr(C, align(64))]
struct Bucket {
    keys: [[u32; 3]; SLOTS],
    seen: [KeySeen; SLOTS],
}

/// The keys seen in a file: an open-addressing table of buckets, a key in the first bucket
/// from its home (by a seeded hash) with room, filled to at most 90%. Not the standard map: a key's
/// bucket can be asked from memory rows ahead ([`KeyTable::prefetch`]), and most keys take
/// one cache line, where the map reads its control bytes and its slot from two places. With
/// millions of keys each look in the table waits for memory: that wait is what the prefetch
/// hides.
struct KeyTable {
    buckets: Vec<Bucket>,
    /// Keys in the table.
    len: usize,
    /// A random seed per table for the home buckets, as the standard map has: keys made to
    /// share a home (their hash is not secret) cannot pile up in one run of buckets.
    seed: foldhash::fast::RandomState,
}

impl KeyTable {
    /// A table that holds `keys` keys 80% full (it grows past 90%).
    fn for_keys(keys: usize) -> KeyTable {
        KeyTable {
            buckets: vec![Bucket::default(); (keys * 5 / 4).div_ceil(SLOTS).max(16)],
            len: 0,
            seed: foldhash::fast::RandomState::default(),
        }
    }

    /// The bucket a key's search starts in: 32 bits of its seeded hash scaled to the number of
    /// buckets (no power of two needed, so the table is sized to the keys).
    fn home(&self, key: &[u32; 3]) -> usize {
        let h = self.seed.hash_one(key) >> 32;
        ((h * self.buckets.len() as u64) >> 32) as usize
    }

    fn prefetch(&self, key: &[u32; 3]) {
        super::prefetch(&self.buckets[self.home(key)]);
    }

    /// Where a key is, or the empty slot where it would go: bucket, slot, and whether found.
    fn find(&self, key: &[u32; 3]) -> (usize, usize, bool) {
        let mut b = self.home(key);
        loop {
            let bucket = &self.buckets[b];
            for s in 0..SLOTS {
                if bucket.keys[s] == *key {
                    return (b, s, true);
                }
                if bucket.keys[s] == [0; 3] {
                    return (b, s, false);
                }
            }
            b = if b + 1 == self.buckets.len() {
                0
            } else {
                b + 1
            };
        }
    }

    /// What was seen of a key earlier, or `None` when it is new (it is then put in with
    /// `seen`).
    fn get_or_insert(&mut self, key: [u32; 3], seen: KeySeen) -> Option<&mut KeySeen> {
        let (mut b, mut s, found) = self.find(&key);
        if found {
            return Some(&mut self.buckets[b].seen[s]);
        }
        if (self.len + 1) * 10 > self.buckets.len() * SLOTS * 9 {
            self.grow();
            (b, s, _) = self.find(&key);
        }
        self.buckets[b].keys[s] = key;
        self.buckets[b].seen[s] = seen;
        self.len += 1;
        None
    }

    /// Twice the buckets, every key in its place again.
    fn grow(&mut self) {
        let old = std::mem::take(&mut self.buckets);
        self.buckets = vec![Bucket::default(); old.len() * 2];
        for bucket in &old {
            for s in 0..SLOTS {
                if bucket.keys[s] != [0; 3] {
                    let (b, t, _) = self.find(&bucket.keys[s]);
                    self.buckets[b].keys[t] = bucket.keys[s];
                    self.buckets[b].seen[t] = bucket.seen[s];
                }
            }
        }
    }
}

/// The reason a row goes whose key also appears at `pos` with other content.
fn other_content(key: &str, word: &str, pos: u64) -> String {
    format!("sleutel '{key}' komt ook voor op {word} {pos} met andere inhoud")
}

/// The key's 128-bit hash (two seeded foldhash runs; the table keeps 96 bits of it, see
/// [`table_key`]) and a hash of the whole row, to tell a repeated row from a changed one.
pub(super) fn row_hashes(key: &[&str], rec: &Record, width: usize) -> (u128, u64) {
    let key_hash = (u128::from(hash_parts(1, key.iter().copied())) << 64)
        | u128::from(hash_parts(2, key.iter().copied()));
    // The same row from a CRLF and an LF export, or with a trailing ';', is the same row.
    let fields = rec.fields.iter().take(width).map(TrimFast::trim_fast);
    (key_hash, hash_parts(3, fields))
}

/// A seeded hash of texts in order, each closed by a byte no UTF-8 text holds. Generic, so
/// that the walk over a row's fields is compiled in (a `dyn Iterator` cost a call per field:
/// 2% of an ingest's CPU time).
fn hash_parts<'a>(seed: u64, parts: impl Iterator<Item = &'a str>) -> u64 {
    let mut h = foldhash::quality::FixedState::with_seed(seed).build_hasher();
    for p in parts {
        h.write(p.as_bytes());
        h.write_u8(0xff);
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys spread like hashes (a multiplicative sequence), the line each was first seen on.
    fn key(i: u32) -> [u32; 3] {
        table_key(u128::from(i).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835))
    }

    #[test]
    fn the_table_grows_and_keeps_every_key_with_its_row() {
        // A bucket is one cache line.
        assert_eq!(std::mem::size_of::<Bucket>(), 64);
        // Made for no keys: 16 buckets, so 20,000 keys make it double 9 times.
        let mut table = KeyTable::for_keys(0);
        assert_eq!(table.buckets.len(), 16);
        for i in 0..20_000u32 {
            let seen = KeySeen {
                content: i ^ 0xABCD,
                pos_and_conflict: i + 2,
            };
            assert!(
                table.get_or_insert(key(i), seen).is_none(),
                "key {i} is new"
            );
        }
        assert_eq!(table.len, 20_000);
        // 4,096 buckets hold 11,059 keys at 90%; 8,192 (16 * 2^9) hold 22,118.
        assert_eq!(table.buckets.len(), 16 << 9);
        for i in 0..20_000u32 {
            let other = KeySeen::default();
            let seen = table.get_or_insert(key(i), other).expect("seen before");
            assert_eq!((seen.content, seen.pos()), (i ^ 0xABCD, u64::from(i) + 2));
        }
        assert_eq!(table.len, 20_000, "keys seen again are not added");
    }

    #[test]
    fn a_table_sized_for_its_keys_does_not_grow() {
        // 1,000 keys at 80%: 1,250 slots, 417 buckets; 90% of their 1,251 slots is 1,125.9.
        let mut table = KeyTable::for_keys(1_000);
        assert_eq!(table.buckets.len(), 417);
        for i in 0..1_125u32 {
            table.get_or_insert(key(i), KeySeen::default());
        }
        assert_eq!(table.buckets.len(), 417);
        // A key seen before needs no room: the full table does not grow for it.
        assert!(table.get_or_insert(key(7), KeySeen::default()).is_some());
        assert_eq!(table.buckets.len(), 417);
        // The 1,126th key would fill more than 90% (1,126 * 10 > 417 * 3 * 9 = 11,259).
        table.get_or_insert(key(1_125), KeySeen::default());
        assert_eq!(table.buckets.len(), 834);
        assert_eq!(table.len, 1_126);
    }

    #[test]
    fn a_hash_of_zeros_is_a_key_like_any_other() {
        // All-zero marks an empty slot: such a hash is kept as [1, 0, 0].
        assert_eq!(table_key(0), [1, 0, 0]);
        assert_eq!(
            table_key(1u128 << 96),
            [1, 0, 0],
            "bits above 96 are not kept"
        );
        assert_eq!(table_key(5 | (7u128 << 64)), [5, 0, 7]);
        let mut table = KeyTable::for_keys(4);
        assert!(
            table
                .get_or_insert(table_key(0), KeySeen::default())
                .is_none()
        );
        assert!(
            table
                .get_or_insert(table_key(0), KeySeen::default())
                .is_some()
        );
    }
}
