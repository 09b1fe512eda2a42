//! Personal data inside values, whatever the header says: BSNs (`123456782`, `123.456.782`,
//! `1234 56 782`), Dutch phone numbers (`06-12345678`, `+31 (0)6 1234 5678`, `010 123 45 67`),
//! e-mail addresses and IBANs. Free text (toelichting, omschrijving, opmerking) carries them in
//! real exports: at ingest they are replaced by `<bsn>`, `<telefoon>`, `<e-mail>` and `<iban>`,
//! and counted in the lineage. A column whose values mostly *are* such data is dropped whole.

use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// How many values of each kind were masked (per column, in the lineage).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Masked {
    #[serde(default)]
    pub bsn: u64,
    #[serde(default)]
    pub telefoon: u64,
    #[serde(default, rename = "e-mail")]
    pub email: u64,
    #[serde(default)]
    pub iban: u64,
}

impl Masked {
    pub fn total(&self) -> u64 {
        self.bsn + self.telefoon + self.email + self.iban
    }

    /// "3 bsn, 1 e-mail" (kinds with a count only).
    pub fn describe(&self) -> String {
        [
            (self.bsn, "bsn"),
            (self.telefoon, "telefoon"),
            (self.email, "e-mail"),
            (self.iban, "iban"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// Counters shared by the threads that parse one column.
#[derive(Debug, Default)]
pub struct Counter([AtomicU64; 4]);

impl Counter {
    fn add(&self, m: &Masked) {
        for (slot, n) in self.0.iter().zip([m.bsn, m.telefoon, m.email, m.iban]) {
            if n > 0 {
                slot.fetch_add(n, Ordering::Relaxed);
            }
        }
    }

    pub fn get(&self) -> Masked {
        let n = |i: usize| self.0[i].load(Ordering::Relaxed);
        Masked {
            bsn: n(0),
            telefoon: n(1),
            email: n(2),
            iban: n(3),
        }
    }
}

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}").expect("regex")
});
/// Compact (NL91ABNA0417164300) or in groups of four (NL91 ABNA 0417 1643 00).
static IBAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[A-Za-z]{2}[0-9]{2}(?:[A-Za-z0-9]{11,30}|(?: [A-Za-z0-9]{4}){2,7}(?: [A-Za-z0-9]{1,3})?)\b")
        .expect("regex")
});
static BSN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:[0-9]{8,9}|[0-9]{3}[. ][0-9]{3}[. ][0-9]{3}|[0-9]{4} [0-9]{2} [0-9]{3})\b")
        .expect("regex")
});
/// 0, +31 or 0031, then nine digits with single spaces or dashes between them.
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\+31|\b0031|\b0)[ \-]?(?:\(0\)[ \-]?)?[1-9](?:[ \-]?[0-9]){8}\b")
        .expect("regex")
});
static DATE_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{2,4}").expect("regex"));

/// Whether a text is a valid BSN: nine digits passing the eleven test (elfproef).
pub fn is_bsn(v: &str) -> bool {
    let d: Vec<u32> = v.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() != 9 || v.trim().len() != 9 {
        return false;
    }
    let sum: i64 = d[..8]
        .iter()
        .enumerate()
        .map(|(i, x)| (9 - i as i64) * i64::from(*x))
        .sum::<i64>()
        - i64::from(d[8]);
    sum % 11 == 0 && sum != 0
}

/// A BSN's digits pass the eleven test (a BSN that lost its leading zero in Excel too).
pub fn is_bsn_digits(digits: &str) -> bool {
    match digits.len() {
        9 => is_bsn(digits),
        8 => is_bsn(&format!("0{digits}")),
        _ => false,
    }
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// IBAN check digits (ISO 13616, mod 97).
fn is_iban(candidate: &str) -> bool {
    let compact: String = candidate
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if !(15..=34).contains(&compact.len()) {
        return false;
    }
    let (head, tail) = compact.split_at(4);
    let mut rest = 0u32;
    for c in tail.chars().chain(head.chars()) {
        let v = match c.to_digit(36) {
            Some(v) => v,
            None => return false,
        };
        for d in if v >= 10 {
            vec![v / 10, v % 10]
        } else {
            vec![v]
        } {
            rest = (rest * 10 + d) % 97;
        }
    }
    rest == 1
}

/// The kinds of personal data a whole value is (`None` when it is not only that).
pub fn whole_value(value: &str) -> Option<&'static str> {
    let v = value.trim();
    // The quick look of `mask`: a value without what an e-mail address, BSN, phone number or
    // IBAN needs (most values of most columns) is none of them, without the four searches
    // (which took a tenth of a 1M-row ingest's time, on the sample before any row was read).
    let (digits, at) = first_look(v);
    if digits < 8 && !at && !has_iban_start(v, digits) {
        return None;
    }
    searched_whole_value(v)
}

/// [`whole_value`] by the four searches alone, of a trimmed value.
fn searched_whole_value(v: &str) -> Option<&'static str> {
    let whole = |m: Option<regex::Match>| m.is_some_and(|m| m.start() == 0 && m.end() == v.len());
    if whole(EMAIL.find(v)) {
        return Some("e-mail");
    }
    if whole(IBAN.find(v)) && is_iban(v) {
        return Some("iban");
    }
    if whole(BSN.find(v)) && is_bsn_digits(&digits(v)) {
        return Some("bsn");
    }
    if whole(PHONE.find(v)) && phone_ok(v, v.len()) {
        return Some("telefoon");
    }
    None
}

/// A phone candidate is no date with a time after it ("01-02-2024 10:00") nor a part of one.
fn phone_ok(text: &str, end: usize) -> bool {
    !DATE_START.is_match(text) && !text[end..].starts_with(':')
}

/// The text with every BSN, phone number, e-mail address and IBAN replaced, and what was
/// replaced; `None` when there was nothing to replace. `bsn_tokens`: whether a value that is
/// only a number passing the eleven test counts as a BSN (false for a column of identifiers,
/// where one in eleven numbers passes by chance).
pub fn mask(text: &str, bsn_tokens: bool) -> Option<(String, Masked)> {
    // Fast path: no '@', fewer than 8 digits and no IBAN's start (two letters, two digits: an
    // IBAN's other characters may all be letters) cannot hold any of them.
    let (digit_count, at) = first_look(text);
    if digit_count < 8 && !at && !has_iban_start(text, digit_count) {
        return None;
    }
    searched_mask(text, bsn_tokens)
}

/// [`mask`] by the four searches alone.
fn searched_mask(text: &str, bsn_tokens: bool) -> Option<(String, Masked)> {
    let mut masked = Masked::default();
    let mut out = text.to_string();
    if out.contains('@') {
        let n = EMAIL.find_iter(&out).count() as u64;
        if n > 0 {
            out = EMAIL.replace_all(&out, "<e-mail>").into_owned();
            masked.email = n;
        }
    }
    out = replace_checked(&out, &IBAN, "<iban>", &mut masked.iban, |m, _| is_iban(m));
    let only_number = text
        .trim()
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ' ');
    if bsn_tokens || !only_number {
        out = replace_checked(&out, &BSN, "<bsn>", &mut masked.bsn, |m, _| {
            is_bsn_digits(&digits(m))
        });
    }
    out = replace_checked(
        &out,
        &PHONE,
        "<telefoon>",
        &mut masked.telefoon,
        |m, after| !DATE_START.is_match(m) && !after.starts_with(':'),
    );
    (masked.total() > 0).then_some((out, masked))
}

/// The digits of a text, and whether it has an '@': one pass over the bytes for both, without
/// branches and counted in bytes (255 at a time, so that a byte counter cannot overflow),
/// which the compiler may run on many bytes at once. This look is taken at every text value.
fn first_look(text: &str) -> (usize, bool) {
    let (mut digit_count, mut at) = (0usize, 0u8);
    for chunk in text.as_bytes().chunks(255) {
        let (d, a) = chunk.iter().fold((0u8, 0u8), |(d, a), &b| {
            (d + u8::from(b.is_ascii_digit()), a | u8::from(b == b'@'))
        });
        digit_count += usize::from(d);
        at |= a;
    }
    (digit_count, at != 0)
}

/// Whether two ASCII letters followed by two ASCII digits occur anywhere in the text (of
/// `digits` digits), as an IBAN starts; not looked for in a text too short to hold the
/// shortest IBAN the search takes (14 bytes: `AB12 CDEF GHIJ`).
fn has_iban_start(text: &str, digits: usize) -> bool {
    if digits < 2 || text.len() < 14 {
        return false;
    }
    text.as_bytes().windows(4).any(|w| {
        w[0].is_ascii_alphabetic()
            && w[1].is_ascii_alphabetic()
            && w[2].is_ascii_digit()
            && w[3].is_ascii_digit()
    })
}

/// Replaces the matches that pass `ok(match, text after it)`, counting them.
fn replace_checked(
    text: &str,
    re: &Regex,
    token: &str,
    count: &mut u64,
    ok: impl Fn(&str, &str) -> bool,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for m in re.find_iter(text) {
        if ok(m.as_str(), &text[m.end()..]) {
            out.push_str(&text[last..m.start()]);
            out.push_str(token);
            last = m.end();
            *count += 1;
        }
    }
    out.push_str(&text[last..]);
    out
}

/// Masks one value of a column, counting into the column's counter.
pub fn mask_counted<'a>(
    text: &'a str,
    bsn_tokens: bool,
    counter: &Counter,
) -> std::borrow::Cow<'a, str> {
    match mask(text, bsn_tokens) {
        Some((out, m)) => {
            counter.add(&m);
            std::borrow::Cow::Owned(out)
        }
        None => std::borrow::Cow::Borrowed(text),
    }
}

/// What a column's sample says about it: `Some(kind)` when at least half of its filled values
/// are each a BSN, phone number, e-mail address or IBAN (a personal column under a harmless
/// header, dropped whole), and whether lone numbers passing the eleven test are BSNs in it.
pub fn judge_column(values: &[&str]) -> (Option<&'static str>, bool) {
    let filled: Vec<&str> = values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .collect();
    if filled.is_empty() {
        return (None, true);
    }
    let mut kinds: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for v in &filled {
        if let Some(k) = whole_value(v) {
            *kinds.entry(k).or_default() += 1;
        }
    }
    let personal: usize = kinds.values().sum();
    let main = kinds.iter().max_by_key(|(_, n)| **n).map(|(k, _)| *k);
    // A column of 8-9 digit numbers of which few pass the eleven test: identifiers, where a
    // number passes by chance (one in eleven); those are not masked one by one.
    let numbers = filled
        .iter()
        .filter(|v| {
            let (d, _) = first_look(v);
            (8..=9).contains(&d) && v.chars().all(|c| c.is_ascii_digit() || ". -".contains(c))
        })
        .count();
    let passing = kinds.get("bsn").copied().unwrap_or(0);
    let identifiers = numbers * 5 >= filled.len() * 4 && passing * 5 < numbers;
    (
        (personal * 2 >= filled.len()).then_some(main).flatten(),
        !identifiers,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> String {
        mask(s, true).map_or_else(|| s.to_string(), |(o, _)| o)
    }

    #[test]
    fn digits_are_counted_across_long_values() {
        // The first look counts digits 255 bytes at a time: a number straddling byte 255 of a
        // long comment has 4 digits in the first part, 6 in the second, and is still found.
        let long = format!("{} belt terug op 0612345678", "x".repeat(236));
        assert_eq!(long.find('0'), Some(251));
        assert_eq!(
            m(&long),
            format!("{} belt terug op <telefoon>", "x".repeat(236))
        );
    }

    /// The first look that spares most values the four searches changes no judgement: on
    /// values put together from pieces of personal data and of ordinary text, `whole_value`
    /// says what the searches alone say, and `mask` masks what they alone mask.
    #[test]
    fn the_first_look_changes_no_whole_value() {
        const PIECES: &[&str] = &[
            "NL91ABNA0417164300",
            "NL91 ABNA 0417 1643 00",
            "GB82WEST12345698765432",
            // IBANs with only their check digits as digits: no 8 digits, still IBANs; the
            // second of 15 bytes, the shortest the IBAN check takes.
            "NL19ABCDEFGHIJKLM",
            "NL18ABCDEFGHIJK",
            "111222333",
            // A BSN that lost its leading zero: 8 digits.
            "10000021",
            "123.456.782",
            "1234 56 782",
            "06-12345678",
            "+31 6 12345678",
            "0031201234567",
            "020-1234567",
            "j.de.vries@example.nl",
            "info@",
            "@",
            "Café-overlast",
            "Zuïd",
            "AB12",
            "ab12CDEFGHIJKLMNOP",
            "1234567",
            "12",
            "01-02-2024 10:00",
            "(0)",
            " ",
            "-",
            ".",
        ];
        let mut state = 0x2024_1204_u64;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize % n
        };
        let mut kinds = std::collections::BTreeMap::new();
        for _ in 0..20_000 {
            let v: String = (0..=next(3)).map(|_| PIECES[next(PIECES.len())]).collect();
            let searched = searched_whole_value(v.trim());
            assert_eq!(whole_value(&v), searched, "{v:?}");
            // Free text too: the pieces between words.
            let text = format!("zie {v} graag");
            for bsn_tokens in [false, true] {
                let quick = mask(&text, bsn_tokens).map(|(m, _)| m);
                let slow = searched_mask(&text, bsn_tokens).map(|(m, _)| m);
                assert_eq!(quick, slow, "{text:?}");
            }
            *kinds.entry(searched).or_insert(0) += 1;
        }
        // Every kind, and values of no kind, were among them.
        let seen: Vec<Option<&str>> = kinds.keys().copied().collect();
        assert_eq!(
            seen,
            [
                None,
                Some("bsn"),
                Some("e-mail"),
                Some("iban"),
                Some("telefoon")
            ]
        );
    }

    #[test]
    fn masks_what_free_text_carries() {
        assert_eq!(
            m("Client (BSN 123456782) belde vanaf 06-12345678, mail k.visser@example.nl"),
            "Client (BSN <bsn>) belde vanaf <telefoon>, mail <e-mail>"
        );
        assert_eq!(m("bsn 123.456.782 en 1234 56 782"), "bsn <bsn> en <bsn>");
        assert_eq!(
            m("Graag storten op NL91 ABNA 0417 1643 00."),
            "Graag storten op <iban>."
        );
        assert_eq!(m("NL91ABNA0417164300"), "<iban>");
        assert_eq!(
            m("bel +31 (0)6 1234 5678 of 010 123 45 67"),
            "bel <telefoon> of <telefoon>"
        );
        assert_eq!(m("0031612345678"), "<telefoon>");
        // Excel drops a BSN's leading zero: 8 digits that pass with a zero in front.
        assert_eq!(m("bsn 12345672"), "bsn <bsn>");
        // An IBAN whose only digits are its check digits (letters are allowed after them).
        assert_eq!(
            m("betaald van NL19ABCDEFGHIJKLM op 3-4"),
            "betaald van <iban> op 3-4"
        );
        // The shortest: 15 bytes, nothing around it.
        assert_eq!(m("NL18ABCDEFGHIJK"), "<iban>");
    }

    #[test]
    fn leaves_what_is_not_personal() {
        for s in [
            "Melding 01-02-2024 10:00 over de lantaarnpaal",
            "Zaak 2024-0012345 is afgehandeld",
            "123456789 (faalt de elfproef)",
            "NL00 ABCD 1234 5678 90 (geen geldig IBAN)",
            "Kosten 1.234.567,89",
            "Afval naast de container",
            "",
        ] {
            assert_eq!(mask(s, true), None, "{s}");
        }
        // A lone identifier that passes the eleven test by chance, in a column of identifiers.
        assert_eq!(mask("123456782", false), None);
        assert_eq!(mask("zie 123456782", false).unwrap().0, "zie <bsn>");
    }

    #[test]
    fn counts_per_kind() {
        let (_, c) = mask("a@b.nl, c@d.nl en 06 12345678", true).unwrap();
        assert_eq!((c.email, c.telefoon, c.bsn), (2, 1, 0));
        assert_eq!(c.describe(), "1 telefoon, 2 e-mail");
    }

    #[test]
    fn columns_that_are_personal_data() {
        // Below the old 80% share: 3 of 5 BSNs, written three ways.
        let v = ["123456782", "123.456.782", "1234 56 782", "999999999", ""];
        assert_eq!(judge_column(&v), (Some("bsn"), true));
        let v = ["a@b.nl", "c@d.nl", "geen"];
        assert_eq!(judge_column(&v).0, Some("e-mail"));
        // Case numbers: 8-9 digits, one in eleven passing by chance.
        let ids: Vec<String> = (0..22).map(|i| format!("2024{:05}", i * 37)).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        assert_eq!(judge_column(&refs), (None, false));
        assert_eq!(judge_column(&["Afval", "Groen"]), (None, true));
    }
}
