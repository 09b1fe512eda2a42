//! Duplicate keys within one export: a row whose key was seen before with the same content is
//! a repeat and rejected; with other content it is rejected and the first row is taken out
//! again. Keys are remembered by their hash, so that millions of them fit in memory: 20 bytes a
//! key (a 96-bit hash of the key, 32 bits of the row's content hash, the line number) in
//! buckets of three to a 64-byte cache line. The table is sized from the export's estimated
//! rows (5% over the sample's bytes per row) to be 80% full at that count, about 28 bytes a
//! key; it doubles only past 90% (12.5% more keys than estimated), and while it doubles it
//! is briefly held three times over. Memory grows with the keys of the export being read,
//! never with the keys already in the warehouse (the upsert compares with those on disk).
//!
//! Most exports number their rows (`M-00000001`, `1234`): keys of the sample's first key's
//! form, a [`Family`], are remembered by their number instead, 8 bytes in an array at the
//! number's place (in pages of 4,096 numbers, made when a number in them first comes), an
//! array per municipality (eight at most). Keys in file order then take memory in order, where
//! a hash lands anywhere in a table of hundreds of megabytes, and are not hashed. The arrays
//! together make at most the pages of one window of numbers (4 times the estimated rows wide,
//! at least 2^20): 8 bytes a key when the numbers run without gaps, at most 32 bytes an
//! estimated row (8 MiB at least) however they are spread over the municipalities. The keys of
//! a ninth municipality, and of a page that came after the last page was made, go to the
//! table by their hash. Which way a key goes depends on its text, its municipality and what
//! was decided before it (the family, before the rows; whether its municipality got an array,
//! at its first numbered key; whether its page was made, at the page's first key), so a key
//! and its repeat always meet in the same place. The table is sized for the share of the
//! sample's keys that are not kept by number, and doubles when more come (another prefix later
//! in the file, a ninth municipality, numbers past the window or past the pages).

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
    /// The keys of the family, by municipality and their place in its window of numbers (at
    /// most [`MUNICIPALITIES`]; the keys of the one last looked in are prefetched).
    numbered: Vec<(String, Numbered)>,
    last: usize,
    /// Pages the municipalities' arrays may still make, together: one window's worth.
    pages_left: usize,
    evict: HashMap<u64, String>,
    /// How a position is named in a reason: "regel", "rij" or "object".
    word: &'static str,
}

/// How a key is remembered: by its place among the family's numbers, or by its hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum KeyRef {
    Numbered(u64),
    Hashed(u128),
}

impl Duplicates {
    pub(super) fn new(word: &'static str) -> Duplicates {
        Duplicates {
            keys: KeyTable::for_keys(0),
            numbered: Vec::new(),
            last: 0,
            pages_left: 0,
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

    /// Lets the municipalities' arrays of numbered keys make the pages of one window of the
    /// family together (8 bytes a number in it, however many municipalities share it).
    pub(super) fn number_by(&mut self, family: &Family) {
        self.pages_left = usize::try_from(family.span.div_ceil(PAGE)).unwrap_or(0);
    }

    /// Asks for the memory of a key's place ahead of [`Duplicates::check`], so that the rows
    /// between are checked while it comes.
    pub(super) fn prefetch(&self, municipality: &str, key: KeyRef) {
        match key {
            KeyRef::Hashed(h) => self.keys.prefetch(&table_key(h)),
            KeyRef::Numbered(i) => {
                if let Some(at) = self.array_of(municipality) {
                    self.numbered[at].1.prefetch(i);
                }
            }
        }
    }

    /// Where a municipality's numbered keys are, if it has an array: most often the one last
    /// checked.
    fn array_of(&self, municipality: &str) -> Option<usize> {
        match self.numbered.get(self.last) {
            Some((m, _)) if same(m, municipality) => Some(self.last),
            _ => self
                .numbered
                .iter()
                .position(|(m, _)| same(m, municipality)),
        }
    }

    /// Where a municipality's numbered keys are, made at its first key while there are fewer
    /// than [`MUNICIPALITIES`]; none past that (its keys are then hashed, all of them: a
    /// municipality without a place never gets one later).
    fn numbered_of(&mut self, municipality: &str) -> Option<usize> {
        let at = match self.array_of(municipality) {
            Some(at) => at,
            None if self.numbered.len() < MUNICIPALITIES => {
                self.numbered
                    .push((municipality.to_string(), Numbered::new()));
                self.numbered.len() - 1
            }
            None => return None,
        };
        self.last = at;
        Some(at)
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
        (municipality, key_text): (&str, &str),
        (key, content): (KeyRef, u64),
    ) -> Option<String> {
        let word = self.word;
        // 32 bits of the content's hash; the loader stops before a line number above MAX_POS.
        let fresh = KeySeen {
            content: content as u32,
            // Line 0 marks a number not seen (no reader gives it: lines start at 1).
            pos_and_conflict: u32::try_from(rec.pos.clamp(1, MAX_POS)).unwrap_or(1),
        };
        // Most keys are new: one look finds their place or their first row.
        let numbered = match key {
            KeyRef::Numbered(i) => self.numbered_of(municipality).map(|at| (at, i)),
            KeyRef::Hashed(_) => None,
        };
        let entry = numbered.and_then(|(at, i)| self.numbered[at].1.entry(i, &mut self.pages_left));
        let seen = match (entry, key) {
            (Some(entry), _) if entry.pos_and_conflict == 0 => {
                *entry = fresh;
                return None;
            }
            (Some(entry), _) => entry,
            (None, KeyRef::Hashed(h)) => self.keys.get_or_insert(table_key(h), fresh)?,
            // A ninth municipality's, or one whose page was not made: by the hash of its text.
            (None, KeyRef::Numbered(_)) => self
                .keys
                .get_or_insert(table_key(key_hash(municipality, key_text)), fresh)?,
        };
        let content = fresh.content;
        if seen.content == content && !seen.conflict() {
            return Some(format!("dubbele rij: gelijk aan {word} {}", seen.pos()));
        }
        if !seen.conflict() {
            seen.pos_and_conflict |= CONFLICT;
            self.evict
                .insert(seen.pos(), other_content(key_text, word, rec.pos));
        }
        Some(other_content(key_text, word, seen.pos()))
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

/// The form of the keys remembered by number: a text before the digits and the digits' form,
/// with the window of numbers they may have (`lo..lo + span`), the same for every
/// municipality (each has its own numbers). A key of another form or outside the window is
/// hashed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Family {
    prefix: String,
    /// The number of digits, leading zeros included (`M-00000001`: 8), or 0: digits without
    /// leading zeros (`1234`). Either way a number is written one way only, so two keys of the
    /// family are the same text exactly when they have the same number.
    width: usize,
    lo: u64,
    span: u64,
}

/// At most 18 digits: every such number fits in 64 bits.
const MAX_DIGITS: usize = 18;

/// Municipalities whose keys are kept by number (a region's export has a handful).
const MUNICIPALITIES: usize = 8;

impl Family {
    /// The family of the sample's first key, with a window 4 times the expected rows wide (at
    /// least 2^20 numbers) around the numbers of the sample's keys of that form; none when
    /// the first key does not end in 1 to 18 digits, or when the sample's numbers of the family lie
    /// half the window or more apart (sparse numbers: their pages would hold few keys each).
    pub(super) fn of_sample<'k>(
        mut keys: impl Iterator<Item = &'k str>,
        rows: usize,
    ) -> Option<Family> {
        let first = keys.next()?;
        let (prefix, digits) = split_digits(first)?;
        let mut family = Family {
            prefix: prefix.to_string(),
            width: if digits.starts_with('0') && digits.len() > 1 {
                digits.len()
            } else {
                0
            },
            lo: 0,
            span: u64::MAX,
        };
        let (mut min, mut max) = (u64::MAX, 0);
        for n in std::iter::once(first)
            .chain(keys)
            .filter_map(|k| family.number(k))
        {
            (min, max) = (min.min(n), max.max(n));
        }
        let span = (rows as u64).saturating_mul(4).max(1 << 20);
        if min > max || max - min >= span / 2 {
            // Numbers this far apart in the sample are too sparse to keep by place.
            return None;
        }
        family.lo = (min / 2 + max / 2).saturating_sub(span / 2);
        family.span = span;
        Some(family)
    }

    /// How many of these (municipality, key) pairs, taken in order, are kept by number: of the
    /// family and in its window, in one of the first [`MUNICIPALITIES`] municipalities to have
    /// such a key, as [`Duplicates::check`] takes them (the pages' limit aside).
    pub(super) fn kept_by_number(&self, keys: &[(String, String)]) -> usize {
        let mut towns: Vec<&str> = Vec::new();
        keys.iter()
            .filter(|(m, k)| {
                if self.place(k).is_none() {
                    return false;
                }
                if !towns.contains(&m.as_str()) && towns.len() < MUNICIPALITIES {
                    towns.push(m);
                }
                towns.contains(&m.as_str())
            })
            .count()
    }

    /// The key's place in the family's window, if it is of the family and in the window.
    pub(super) fn place(&self, key: &str) -> Option<u64> {
        let i = self.number(key)?.checked_sub(self.lo)?;
        (i < self.span).then_some(i)
    }

    /// The key's number, if it has the family's form.
    fn number(&self, key: &str) -> Option<u64> {
        // Most families have no prefix (plain numbers): nothing to compare then (see `same`).
        let digits = if self.prefix.is_empty() {
            key
        } else {
            key.strip_prefix(self.prefix.as_str())?
        };
        let form = match self.width {
            0 => digits.len() == 1 || !digits.starts_with('0'),
            w => digits.len() == w,
        };
        if !form
            || digits.is_empty()
            || digits.len() > MAX_DIGITS
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        digits.parse().ok()
    }
}

/// Whether two texts are equal, for the comparisons made at every row: two empty texts never
/// reach `memcmp`. An empty `String` points nowhere (a dangling address), and glibc's EVEX
/// `memcmp` reads even zero bytes with a masked load; on the machine this was measured on
/// (AMD EPYC) the suppressed fault on that address cost hundreds of cycles a call (the
/// municipalities' memcmp, "" for most exports, and the empty prefix's: about 5% of the CPU
/// time of an ingest of plain-numbered rows, docs/performance.md).
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && (a.is_empty() || a == b)
}

/// A key's text before its last run of digits, and those digits (1 to 18 of them).
fn split_digits(key: &str) -> Option<(&str, &str)> {
    let start = key.len() - key.bytes().rev().take_while(u8::is_ascii_digit).count();
    let digits = &key[start..];
    (!digits.is_empty() && digits.len() <= MAX_DIGITS).then(|| (&key[..start], digits))
}

/// Numbers per page of [`Numbered`]: 32 KiB.
const PAGE: u64 = 4096;

/// What was seen of the family's keys, by place: pages of [`PAGE`] entries (a [`KeySeen`]
/// each, 8 bytes; a line of 0 marks a number not seen), each made when a key in it first comes
/// while the pages of one window have not all been made (by all municipalities together);
/// else the page's keys are hashed, now and later.
struct Numbered {
    pages: Vec<Page>,
}

#[derive(Clone)]
enum Page {
    NotYet,
    Kept(Box<[KeySeen]>),
    Hashed,
}

impl Numbered {
    fn new() -> Numbered {
        Numbered { pages: Vec::new() }
    }

    fn prefetch(&self, i: u64) {
        if let Some(Page::Kept(page)) = self.pages.get((i / PAGE) as usize) {
            super::prefetch(&page[(i % PAGE) as usize]);
        }
    }

    /// The entry of place `i` (a line of 0: not seen yet), or none when its page's keys are
    /// hashed: decided at the page's first key, by whether `pages_left` allows one more.
    fn entry(&mut self, i: u64, pages_left: &mut usize) -> Option<&mut KeySeen> {
        let p = (i / PAGE) as usize;
        if p >= self.pages.len() {
            self.pages.resize(p + 1, Page::NotYet);
        }
        if let Page::NotYet = self.pages[p] {
            self.pages[p] = match pages_left.checked_sub(1) {
                Some(left) => {
                    *pages_left = left;
                    Page::Kept(vec![KeySeen::default(); PAGE as usize].into())
                }
                None => Page::Hashed,
            };
        }
        match &mut self.pages[p] {
            Page::Kept(page) => Some(&mut page[(i % PAGE) as usize]),
            _ => None,
        }
    }
}

/// The reason a row goes whose key also appears at `pos` with other content.
fn other_content(key: &str, word: &str, pos: u64) -> String {
    format!("sleutel '{key}' komt ook voor op {word} {pos} met andere inhoud")
}

/// How the key of a row in a municipality is remembered: its place among the family's numbers,
/// else its 128-bit hash (two seeded foldhash runs; the table keeps 96 bits of it, see
/// [`table_key`]); and a hash of the whole row, to tell a repeated row from a changed one.
pub(super) fn row_hashes(
    (municipality, key): (&str, &str),
    family: Option<&Family>,
    rec: &Record,
    width: usize,
) -> (KeyRef, u64) {
    let key = match family.and_then(|f| f.place(key)) {
        Some(i) => KeyRef::Numbered(i),
        None => KeyRef::Hashed(key_hash(municipality, key)),
    };
    // The same row from a CRLF and an LF export, or with a trailing ';', is the same row.
    let fields = rec.fields.iter().take(width).map(TrimFast::trim_fast);
    (key, hash_parts(3, fields))
}

/// The 128-bit hash of a key in a municipality: two seeded runs.
fn key_hash(municipality: &str, key: &str) -> u128 {
    let parts = [municipality, key];
    (u128::from(hash_parts(1, parts.iter().copied())) << 64)
        | u128::from(hash_parts(2, parts.iter().copied()))
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

    fn family(keys: &[&str], rows: usize) -> Option<Family> {
        Family::of_sample(keys.iter().copied(), rows)
    }

    #[test]
    fn an_empty_text_is_equal_only_to_an_empty_one() {
        // `same` keeps empty texts from memcmp; it must still tell them from the others.
        assert!(same("", "") && same("Duiven", "Duiven"));
        assert!(!same("", "Duiven") && !same("Duiven", "") && !same("Duiven", "Dieren"));
    }

    #[test]
    fn the_family_is_the_form_of_the_samples_first_key() {
        // Fixi's numbers: "M-" and 8 digits with leading zeros; 100 in the sample, 1,000 rows
        // expected: a window of 2^20 numbers (4,000 is less) around 1..100, from 0.
        let fixi: Vec<String> = (1..=100).map(|i| format!("M-{i:08}")).collect();
        let keys: Vec<&str> = fixi.iter().map(String::as_str).collect();
        let f = family(&keys, 1_000).expect("numbered");
        assert_eq!(
            (f.prefix.as_str(), f.width, f.lo, f.span),
            ("M-", 8, 0, 1 << 20)
        );
        assert_eq!(f.place("M-00000007"), Some(7));
        assert_eq!(f.place("M-10000000"), None, "past the window");
        assert_eq!(f.place("M-00999999"), Some(999_999));
        // Another form of the same number is another key: hashed.
        for other in [
            "M-7",
            "M-000000007",
            "X-00000007",
            "M-0000000a",
            "m-00000007",
            "",
        ] {
            assert_eq!(f.place(other), None, "{other}");
        }
        // Kept by number, as the check takes them: "" and A to G are the first eight
        // municipalities with such a key (8), A's second key too (1); not H's and I's, nor a
        // key of another form or past the window.
        let pairs: Vec<(String, String)> = ["", "A", "B", "C", "D", "E", "F", "G", "H", "I"]
            .iter()
            .enumerate()
            .map(|(i, m)| (m.to_string(), format!("M-{:08}", i + 1)))
            .chain([
                ("A".to_string(), "M-00000020".to_string()),
                ("".to_string(), "X-00000001".to_string()),
                ("".to_string(), "M-99999999".to_string()),
            ])
            .collect();
        assert_eq!(f.kept_by_number(&pairs), 9);
        // 4 million rows expected: 16 million numbers wide.
        assert_eq!(family(&keys, 4_000_000).map(|f| f.span), Some(16_000_000));

        // Numbers without leading zeros, far from 0: the window is centred on the sample's,
        // (5,000,000 + 5,000,099) / 2 - 2^19 = 4,475,761.
        let far: Vec<String> = (5_000_000..5_000_100).map(|i| i.to_string()).collect();
        let keys: Vec<&str> = far.iter().map(String::as_str).collect();
        let f = family(&keys, 10).expect("numbered");
        assert_eq!((f.prefix.as_str(), f.width, f.lo), ("", 0, 4_475_761));
        assert_eq!(f.place("4475761"), Some(0));
        assert_eq!(f.place("4475760"), None, "below the window");
        assert_eq!(f.place("5524336"), Some((1 << 20) - 1));
        assert_eq!(f.place("5524337"), None, "above the window");
        assert_eq!(f.place("05000000"), None, "a leading zero");
        assert_eq!(
            f.place("M-5000000"),
            None,
            "a prefix where the family has none"
        );

        // The digits at the end of a case number; none, or more than 18: no family.
        assert_eq!(split_digits("Z/24/000123"), Some(("Z/24/", "000123")));
        assert_eq!(family(&["Z/24/000123"], 10).map(|f| f.width), Some(6));
        assert_eq!(family(&["0"], 10).map(|f| f.width), Some(0));
        assert_eq!(family(&["ABC"], 10), None);
        assert_eq!(family(&["1234567890123456789"], 10), None);
        assert_eq!(family(&[], 10), None);
        // 1 and 524,289 are half of 2^20 apart: too sparse; one less is not.
        assert_eq!(family(&["1", "524289"], 10), None);
        assert!(family(&["1", "524288"], 10).is_some());
    }

    /// Numbered and hashed keys together give the reasons (and the rows to take out again) that
    /// a map from the key's text gives: 30,000 rows of keys of the family, inside its window
    /// (over many pages) and past it, of other forms of the same numbers and of another
    /// municipality, repeated with the same and with other content.
    #[test]
    fn numbered_and_hashed_keys_give_what_a_map_of_the_texts_gives() {
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let sample: Vec<String> = (1..=50).map(|i| format!("M-{i:08}")).collect();
        let keys: Vec<&str> = sample.iter().map(String::as_str).collect();
        let f = family(&keys, 2_000).expect("numbered");
        // Half the rows without a municipality (that is one too), the others in one of ten:
        // eleven, three more than get an array, so that the keys of the last three to come are
        // hashed.
        let towns = [
            "Duiven",
            "Zevenaar",
            "Westervoort",
            "Montferland",
            "Doesburg",
            "Lingewaard",
            "Rheden",
            "Arnhem",
            "Renkum",
            "Rozendaal",
        ];
        let mut dups = Duplicates::new("regel");
        dups.number_by(&f);
        let mut map: HashMap<(String, String), (String, u64, bool)> = HashMap::new();
        let mut evict = HashMap::new();
        let (mut numbered, mut hashed, mut reasons) = (0, 0, 0);
        // Half the numbers 0 to 2,999,000 in steps of 1,000: a third in the window of 2^20 (in
        // 256 pages), the rest of the family's form past it; half 0 to 5,999, side by side.
        for pos in 2..30_002u64 {
            let n = if next(2) == 0 {
                next(3_000) * 1_000
            } else {
                next(6_000)
            };
            let key = match next(8) {
                0 => format!("M-{n}"),
                1 => format!("M-{n:09}"),
                2 => format!("X-{n:08}"),
                _ => format!("M-{n:08}"),
            };
            let municipality = match next(2) {
                0 => "",
                _ => towns[next(10) as usize],
            };
            let content = format!("inhoud {}", next(2));
            let rec = Record {
                pos,
                fields: crate::source::Fields::from(vec![key.as_str(), content.as_str()]),
            };
            let (key_ref, hash) = row_hashes((municipality, &key), Some(&f), &rec, 2);
            match key_ref {
                KeyRef::Numbered(_) => numbered += 1,
                KeyRef::Hashed(_) => hashed += 1,
            }
            let got = dups.check(&rec, (municipality, &key), (key_ref, hash));
            let want = match map.get_mut(&(municipality.to_string(), key.clone())) {
                None => {
                    map.insert(
                        (municipality.to_string(), key.clone()),
                        (content, pos, false),
                    );
                    None
                }
                Some((c, first, conflict)) => {
                    if *c == content && !*conflict {
                        Some(format!("dubbele rij: gelijk aan regel {first}"))
                    } else {
                        if !*conflict {
                            *conflict = true;
                            evict.insert(*first, other_content(&key, "regel", pos));
                        }
                        Some(other_content(&key, "regel", *first))
                    }
                }
            };
            reasons += usize::from(want.is_some());
            assert_eq!(got, want, "line {pos}, key {key} in '{municipality}'");
        }
        let count = |page: fn(&Page) -> bool| -> usize {
            (dups.numbered.iter())
                .map(|(_, n)| n.pages.iter().filter(|p| page(p)).count())
                .sum()
        };
        assert_eq!(dups.numbered.len(), MUNICIPALITIES);
        // The eight arrays made one window's pages together, and then hashed the keys of pages
        // they came to later.
        assert_eq!(count(|p| matches!(p, Page::Kept(_))), 256);
        assert!(count(|p| matches!(p, Page::Hashed)) > 500);
        assert_eq!(dups.into_evict(), evict);
        // Both ways were taken, and many keys came back (12,600 numbered, 17,400 hashed; 4,945
        // reasons, 2,167 rows to take out: with this seed).
        assert!(
            numbered > 10_000 && hashed > 15_000,
            "{numbered} numbered, {hashed} hashed"
        );
        assert!(reasons > 4_000 && evict.len() > 1_500, "{reasons} reasons");
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
