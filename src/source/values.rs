//! Parsing the values Dutch exports contain: dates in many shapes, money with decimal comma and
//! thousands dots, booleans as ja/nee. Column-wide choices (day-month order, decimal comma) are
//! made once per column by [`DateOrder::detect`] and [`NumberStyle::detect`]; the per-value
//! parsers then only apply them.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// `str::trim` with a fast path: a value that starts and ends with a visible ASCII character
/// (nearly all of them) is returned as it is without decoding characters. Trimming is called
/// for every field of every row.
pub trait TrimFast {
    fn trim_fast(&self) -> &str;
}

impl TrimFast for str {
    #[inline]
    fn trim_fast(&self) -> &str {
        let visible = |b: &u8| b.is_ascii_graphic();
        match (self.as_bytes().first(), self.as_bytes().last()) {
            (Some(f), Some(l)) if visible(f) && visible(l) => self,
            (None, _) => self,
            _ => self.trim(),
        }
    }
}

/// Day-first (Dutch: 4-3-2024 is 4 March) or month-first (US exports: 3/4/2024).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    DayFirst,
    MonthFirst,
}

impl DateOrder {
    /// Decides the order of the numeric `a-b-yyyy` / `a/b/yyyy` dates of a column. A value with
    /// a first part above 12 proves day-first; a second part above 12 proves month-first. Both
    /// in one column is an error; neither is day-first (the Dutch convention).
    pub fn detect<'a>(values: impl Iterator<Item = &'a str>) -> Result<DateOrder, String> {
        let (mut day_first, mut month_first) = (None, None);
        let (mut numeric, mut proofs) = (0usize, 0usize);
        for v in values {
            if let Some((a, b, _)) = numeric_date_parts(v) {
                numeric += 1;
                proofs += usize::from(b > 12 && a <= 12);
                if a > 12 && b <= 12 && day_first.is_none() {
                    day_first = Some(v.to_string());
                }
                if b > 12 && a <= 12 && month_first.is_none() {
                    month_first = Some(v.to_string());
                }
            }
        }
        match (day_first, month_first) {
            (Some(d), Some(m)) => Err(format!(
                "mixes day-month ('{d}') and month-day ('{m}') dates; export the column in one \
                 format or set --date-order"
            )),
            // Month-first only when many values prove it (an American export): one `1-13-2024`
            // among Dutch dates is a typo, and is rejected, rather than turning every date of
            // the column around.
            (None, Some(_)) if proofs * 20 >= numeric.max(1) => Ok(DateOrder::MonthFirst),
            _ => Ok(DateOrder::DayFirst),
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            DateOrder::DayFirst => "dag-maand-jaar",
            DateOrder::MonthFirst => "maand-dag-jaar",
        }
    }
}

/// The two leading numbers and the year of `a-b-yyyy`, `a/b/yyyy` or `a.b.yyyy` (time ignored).
fn numeric_date_parts(v: &str) -> Option<(u32, u32, i32)> {
    let date = v.trim_fast().split([' ', 'T']).next()?;
    let sep = date.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
    let mut parts = date.split(sep);
    let a = parts.next()?;
    let b = parts.next()?;
    let y = parts.next()?;
    if parts.next().is_some() || a.len() > 2 || b.len() > 2 || y.len() != 4 {
        return None;
    }
    Some((a.parse().ok()?, b.parse().ok()?, y.parse().ok()?))
}

const MONTHS_NL: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

fn month_from_name(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    if w.len() < 3 {
        return None;
    }
    let english = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let pos = MONTHS_NL
        .iter()
        .position(|m| m.starts_with(&w) || (w == "mrt" && *m == "maart"))
        .or_else(|| english.iter().position(|m| m.starts_with(&w)))?;
    Some(pos as u32 + 1)
}

/// The years a date may fall in at ingest: anything outside is taken for a typo (0024 for
/// 2024, 2204 for 2024) and the row is rejected, rather than stretching every analysis over
/// centuries. Birth dates are never stored; contracts and documents end before 2100.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

pub fn plausible_year(year: i32) -> bool {
    YEARS.contains(&year)
}

/// Parses a date or date-time in any of the shapes Dutch exports use. Returns the local
/// date-time (midnight when there is no time). ISO values with a `Z` or offset are converted
/// to Dutch local time (Europe/Amsterdam).
pub fn parse_datetime(raw: &str, order: DateOrder) -> Option<NaiveDateTime> {
    let v = raw.trim_fast();
    if v.is_empty() {
        return None;
    }
    if let Some(dt) = parse_numeric_fast(v, order) {
        return Some(dt);
    }
    if let Some(dt) = parse_iso(v) {
        return Some(dt);
    }
    if let Some(dt) = parse_numeric(v, order) {
        return Some(dt);
    }
    if let Some(dt) = parse_month_name(v) {
        return Some(dt);
    }
    parse_excel_serial(v)
}

/// Parses a date; a time part, if any, must be midnight-agnostic (it is dropped).
pub fn parse_date(raw: &str, order: DateOrder) -> Option<NaiveDate> {
    parse_datetime(raw, order).map(|dt| dt.date())
}

fn parse_time(t: &str) -> Option<NaiveTime> {
    let t = t.trim_fast();
    if t.is_empty() {
        return Some(NaiveTime::MIN);
    }
    let t = t.trim_end_matches('Z');
    let (hms, frac) = match t.split_once(['.', ',']) {
        Some((a, b)) => (a, Some(b)),
        None => (t, None),
    };
    let mut it = hms.split(':');
    let h: u32 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let s: u32 = match it.next() {
        Some(s) => s.parse().ok()?,
        None => 0,
    };
    if it.next().is_some() {
        return None;
    }
    let micro = match frac {
        Some(f) if f.chars().all(|c| c.is_ascii_digit()) && !f.is_empty() => {
            let digits: String = f.chars().chain(std::iter::repeat('0')).take(6).collect();
            digits.parse().ok()?
        }
        Some(_) => return None,
        None => 0,
    };
    NaiveTime::from_hms_micro_opt(h, m, s, micro)
}

fn parse_iso(v: &str) -> Option<NaiveDateTime> {
    let b = v.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' || !b[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(
        v.get(..4)?.parse().ok()?,
        v.get(5..7)?.parse().ok()?,
        v.get(8..10)?.parse().ok()?,
    )?;
    let rest = v.get(10..)?;
    if rest.is_empty() {
        return Some(date.and_time(NaiveTime::MIN));
    }
    let rest = rest.strip_prefix(['T', ' '])?;
    // An explicit offset or 'Z' means the clock is not Dutch local time: convert.
    let (time_part, offset) = split_offset(rest)?;
    let naive = date.and_time(parse_time(time_part)?);
    match offset {
        None => Some(naive),
        Some(seconds) => Some(utc_to_amsterdam(naive - chrono::Duration::seconds(seconds))),
    }
}

/// Splits `09:31:00+02:00` / `09:31:00Z` into the time and the offset in seconds.
fn split_offset(rest: &str) -> Option<(&str, Option<i64>)> {
    if let Some(t) = rest.strip_suffix('Z') {
        return Some((t, Some(0)));
    }
    if let Some(pos) = rest.rfind(['+', '-']) {
        let (t, off) = rest.split_at(pos);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let digits: String = off[1..].chars().filter(char::is_ascii_digit).collect();
        if digits.len() != 4 && digits.len() != 2 {
            return None;
        }
        let hours: i64 = digits[..2].parse().ok()?;
        let minutes: i64 = if digits.len() == 4 {
            digits[2..].parse().ok()?
        } else {
            0
        };
        return Some((t, Some(sign * (hours * 3600 + minutes * 60))));
    }
    Some((rest, None))
}

/// Converts a UTC clock time to Dutch local time (CET/CEST, EU summer-time rules).
pub fn utc_to_amsterdam(utc: NaiveDateTime) -> NaiveDateTime {
    let year = utc.date().year_ce().1 as i32;
    let last_sunday = |month: u32| {
        let last =
            NaiveDate::from_ymd_opt(year, month, 31).expect("March and October have 31 days");
        let back = last.weekday().num_days_from_sunday();
        last - chrono::Duration::days(i64::from(back))
    };
    let start = last_sunday(3).and_hms_opt(1, 0, 0).expect("valid time");
    let end = last_sunday(10).and_hms_opt(1, 0, 0).expect("valid time");
    let offset = if utc >= start && utc < end { 2 } else { 1 };
    utc + chrono::Duration::hours(offset)
}

use chrono::Datelike;

fn parse_numeric(v: &str, order: DateOrder) -> Option<NaiveDateTime> {
    let (date, time) = match v.split_once([' ', 'T']) {
        Some((d, t)) => (d, t),
        None => (v, ""),
    };
    let (a, b, y) = numeric_date_parts(date)?;
    let (d, m) = match order {
        DateOrder::DayFirst => (a, b),
        DateOrder::MonthFirst => (b, a),
    };
    Some(NaiveDate::from_ymd_opt(y, m, d)?.and_time(parse_time(time)?))
}

/// The shapes nearly every Dutch export writes, `d-m-yyyy`, `d-m-yyyy h:mm` and
/// `d-m-yyyy h:mm:ss` (also with `/` or `.`), read in one pass over the bytes; `None` for
/// anything else, and for an impossible date or time, which the general parsers then try. For
/// these shapes it gives what [`parse_numeric`] gives (a test compares the two), without its
/// splitting and searching, which was 5% of an ingest's CPU time. Never an ISO date: those
/// start with four digits, these with one or two and a separator.
fn parse_numeric_fast(v: &str, order: DateOrder) -> Option<NaiveDateTime> {
    let b = v.as_bytes();
    let mut i = 0;
    let a = ascii_number(b, &mut i, 1, 2)?;
    let sep = *b.get(i)?;
    if !matches!(sep, b'-' | b'/' | b'.') {
        return None;
    }
    i += 1;
    let c = ascii_number(b, &mut i, 1, 2)?;
    if b.get(i) != Some(&sep) {
        return None;
    }
    i += 1;
    let year = ascii_number(b, &mut i, 4, 4)?;
    let (mut h, mut m, mut s) = (0, 0, 0);
    if i < b.len() {
        if b[i] != b' ' {
            return None;
        }
        i += 1;
        h = ascii_number(b, &mut i, 1, 2)?;
        if b.get(i) != Some(&b':') {
            return None;
        }
        i += 1;
        m = ascii_number(b, &mut i, 2, 2)?;
        if i < b.len() {
            if b[i] != b':' {
                return None;
            }
            i += 1;
            s = ascii_number(b, &mut i, 2, 2)?;
        }
        if i != b.len() {
            return None;
        }
    }
    let (day, month) = match order {
        DateOrder::DayFirst => (a, c),
        DateOrder::MonthFirst => (c, a),
    };
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    Some(date.and_time(NaiveTime::from_hms_opt(h, m, s)?))
}

/// The number of `min` to `max` ASCII digits at `b[*i..]` (which moves past them).
fn ascii_number(b: &[u8], i: &mut usize, min: usize, max: usize) -> Option<u32> {
    let start = *i;
    let mut n = 0u32;
    while *i < b.len() && *i - start < max && b[*i].is_ascii_digit() {
        n = n * 10 + u32::from(b[*i] - b'0');
        *i += 1;
    }
    (*i - start >= min).then_some(n)
}

/// "14 maart 2024", "14 mrt. 2024", "maandag 14 maart 2024 09:30".
fn parse_month_name(v: &str) -> Option<NaiveDateTime> {
    let words: Vec<&str> = v.split_whitespace().collect();
    let start = usize::from(words.first()?.chars().next()?.is_alphabetic() && words.len() >= 4);
    let day: u32 = words.get(start)?.parse().ok()?;
    let month = month_from_name(words.get(start + 1)?)?;
    let year_text = words.get(start + 2)?;
    if year_text.len() != 4 {
        return None;
    }
    let year: i32 = year_text.parse().ok()?;
    let time = match words.get(start + 3) {
        Some(t) => parse_time(t)?,
        None => NaiveTime::MIN,
    };
    if words.len() > start + 4 {
        return None;
    }
    Some(NaiveDate::from_ymd_opt(year, month, day)?.and_time(time))
}

/// Excel serial day numbers (1900 system): 45366 is 2024-03-15. Only 20000..=80000 (1954 to
/// 2119) are taken as dates, so an ordinary count is never mistaken for one.
fn parse_excel_serial(v: &str) -> Option<NaiveDateTime> {
    let serial: f64 = v.parse().ok()?;
    if !(20000.0..=80000.0).contains(&serial) {
        return None;
    }
    excel_serial_to_datetime(serial)
}

pub fn excel_serial_to_datetime(serial: f64) -> Option<NaiveDateTime> {
    // Excel's own range: 1900-01-01 .. 9999-12-31.
    if !(0.0..=2_958_466.0).contains(&serial) {
        return None;
    }
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_time(NaiveTime::MIN);
    // Round to the second: Excel stores times as binary fractions of a day.
    let secs = (serial * 86_400.0).round() as i64;
    base.checked_add_signed(chrono::Duration::try_seconds(secs)?)
}

/// How a column writes numbers: which character is the decimal separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberStyle {
    /// 1.234,56
    DecimalComma,
    /// 1,234.56 or 1234.56
    DecimalPoint,
}

impl NumberStyle {
    /// Decides from a column's values. A value with both separators shows which comes last;
    /// a lone ',' or '.' followed by other than three digits is a decimal separator. When the
    /// values prove nothing (integers, or only `1.234`), `fallback` decides: decimal comma for
    /// ';'-separated exports from Dutch Excel.
    pub fn detect<'a>(
        values: impl Iterator<Item = &'a str>,
        fallback: NumberStyle,
    ) -> Result<NumberStyle, String> {
        let (mut comma, mut point) = (None, None);
        for v in values {
            let digits = strip_money_decoration(v.trim_fast());
            let last_comma = digits.rfind(',');
            let last_point = digits.rfind('.');
            let evidence = match (last_comma, last_point) {
                (Some(c), Some(p)) if c > p => Some(NumberStyle::DecimalComma),
                (Some(_), Some(_)) => Some(NumberStyle::DecimalPoint),
                (Some(c), None) if digits.len() - c - 1 != 3 || digits[..c].contains(',') => {
                    (digits.matches(',').count() == 1).then_some(NumberStyle::DecimalComma)
                }
                (None, Some(p)) if digits.len() - p - 1 != 3 => {
                    (digits.matches('.').count() == 1).then_some(NumberStyle::DecimalPoint)
                }
                _ => None,
            };
            match evidence {
                Some(NumberStyle::DecimalComma) if comma.is_none() => comma = Some(v.to_string()),
                Some(NumberStyle::DecimalPoint) if point.is_none() => point = Some(v.to_string()),
                _ => {}
            }
        }
        match (comma, point) {
            (Some(c), Some(p)) => Err(format!(
                "mixes decimal comma ('{c}') and decimal point ('{p}'); set --decimal-comma or \
                 --decimal-point"
            )),
            (Some(_), None) => Ok(NumberStyle::DecimalComma),
            (None, Some(_)) => Ok(NumberStyle::DecimalPoint),
            (None, None) => Ok(fallback),
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            NumberStyle::DecimalComma => "decimale komma (1.234,56)",
            NumberStyle::DecimalPoint => "decimale punt (1,234.56)",
        }
    }
}

/// Drops a currency sign, spaces and accounting parentheses; keeps digits, separators, sign.
fn strip_money_decoration(v: &str) -> &str {
    let v = v
        .trim_start_matches(['(', '-', '+'])
        .trim_end_matches([')', '-']);
    let v = v
        .trim_start_matches("EUR")
        .trim_start_matches("eur")
        .trim_start_matches('€')
        .trim_end_matches("EUR")
        .trim_end_matches('€')
        .trim_fast();
    v.trim_start_matches(['(', '-', '+'])
}

/// Parses a number in the given style: "1.234,56", "EUR -1.234,56", "(1.234,56)" (negative),
/// "€ 12,50", "1234.56". Returns `None` for anything else.
pub fn parse_number(raw: &str, style: NumberStyle) -> Option<f64> {
    parse_number_decimals(raw, style).map(|(n, _)| n)
}

/// [`parse_number`], also returning how many decimals the text had.
fn parse_number_decimals(raw: &str, style: NumberStyle) -> Option<(f64, usize)> {
    let v = raw.trim_fast();
    if v.is_empty() {
        return None;
    }
    let decimal = match style {
        NumberStyle::DecimalComma => b',',
        NumberStyle::DecimalPoint => b'.',
    };
    plain_decimal(v, decimal).or_else(|| any_number(v, style))
}

/// A trimmed, filled value in any shape [`parse_number`] takes, with its number of decimals.
fn any_number(v: &str, style: NumberStyle) -> Option<(f64, usize)> {
    let (thousands, decimal) = match style {
        NumberStyle::DecimalComma => ('.', ','),
        NumberStyle::DecimalPoint => (',', '.'),
    };
    let (negative, s) = sign_and_amount(v)?;
    let (int_part, frac_part) = match s.split_once(decimal) {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    if int_part.is_empty() && frac_part.is_none() {
        return None;
    }
    if !valid_grouping(int_part, thousands) {
        return None;
    }
    let decimals = frac_part.map_or(0, str::len);
    if let Some(f) = frac_part
        && (f.is_empty() || !f.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let n = match exact_decimal(int_part, frac_part.unwrap_or(""), thousands) {
        Some(n) => n,
        None => general_decimal(int_part, frac_part, thousands)?,
    };
    Some((if negative { -n } else { n }, decimals))
}

/// The shape most numbers of an export have: an optional `-`, digits, and optionally the
/// decimal separator with more digits ("203898,28", "-12", "0,5" with a decimal comma), read
/// by [`exact_decimal`] without the general path's sign, currency and grouping checks. `None`
/// for anything else (thousands separators, currency, parentheses, a leading separator, more
/// than 15 digits), which the general path then reads; for this shape it gives what the
/// general path gives (a test compares them).
fn plain_decimal(v: &str, decimal: u8) -> Option<(f64, usize)> {
    let (negative, digits) = match v.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, v),
    };
    let (int, frac) = match digits.bytes().position(|b| b == decimal) {
        Some(p) => (&digits[..p], Some(&digits[p + 1..])),
        None => (digits, None),
    };
    let plain = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !plain(int) || frac.is_some_and(|f| !plain(f)) {
        return None;
    }
    let frac = frac.unwrap_or("");
    // No thousands separator is left in a plain value: the one passed is never met.
    let n = exact_decimal(int, frac, char::from(decimal))?;
    Some((if negative { -n } else { n }, frac.len()))
}

/// Whether a value is negative, and its amount without sign, currency and accounting
/// parentheses: "(1.234,56)", "EUR -1.234,56", "-€ 12,50", "12,50 EUR". `None` for a double
/// negative.
fn sign_and_amount(v: &str) -> Option<(bool, &str)> {
    let mut negative = false;
    let mut s = v;
    if s.starts_with('(') && s.ends_with(')') {
        negative = true;
        s = &s[1..s.len() - 1];
        if s.contains('-') {
            return None; // "(-980,00)": a double negative is a typo, not a number
        }
    }
    let s = s.trim_fast();
    let s = s
        .strip_prefix("EUR")
        .or_else(|| s.strip_prefix("eur"))
        .or_else(|| s.strip_prefix('€'))
        .unwrap_or(s)
        .trim_fast();
    let s = s
        .strip_suffix("EUR")
        .or_else(|| s.strip_suffix('€'))
        .unwrap_or(s)
        .trim_fast();
    let s = match s.strip_prefix('-') {
        Some(rest) => {
            negative = !negative;
            rest.trim_fast()
        }
        None => s.strip_prefix('+').unwrap_or(s),
    };
    let s = match s.strip_prefix("EUR").or_else(|| s.strip_prefix('€')) {
        Some(rest) => rest.trim_fast(),
        None => s,
    };
    Some((negative, s))
}

/// The general path for what [`exact_decimal`] leaves: the thousands separators dropped, the
/// rest parsed by Rust (correctly rounded, however many digits).
fn general_decimal(int_part: &str, frac_part: Option<&str>, thousands: char) -> Option<f64> {
    let mut clean: String = int_part.chars().filter(|c| *c != thousands).collect();
    if let Some(f) = frac_part {
        clean.push('.');
        clean.push_str(f);
    }
    if clean.is_empty() || clean.starts_with('.') && clean.len() == 1 {
        return None;
    }
    clean.parse().ok()
}

/// The fast path for ordinary values: all digits fit in 2^53 and there are at most 22
/// decimals, so mantissa / 10^decimals is exactly one correctly rounded division (Clinger).
/// `None` sends the value to the general parser.
fn exact_decimal(int_part: &str, frac: &str, thousands: char) -> Option<f64> {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let mut mantissa: u64 = 0;
    let mut digits = 0;
    for b in int_part.bytes().chain(frac.bytes()) {
        if b == thousands as u8 {
            continue;
        }
        if !b.is_ascii_digit() {
            return None;
        }
        mantissa = mantissa * 10 + u64::from(b - b'0');
        digits += 1;
        if digits > 15 {
            return None;
        }
    }
    if digits == 0 {
        return None;
    }
    Some(mantissa as f64 / POW10.get(frac.len())?)
}

/// Digits, optionally grouped by `sep` in threes ("1.234.567" but not "12.34").
fn valid_grouping(int_part: &str, sep: char) -> bool {
    if int_part.is_empty() {
        return true;
    }
    if !int_part.contains(sep) {
        return int_part.chars().all(|c| c.is_ascii_digit());
    }
    let groups: Vec<&str> = int_part.split(sep).collect();
    let first = groups[0];
    !first.is_empty()
        && first.len() <= 3
        && first.chars().all(|c| c.is_ascii_digit())
        && groups[1..]
            .iter()
            .all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()))
}

/// Words that, in an end-date column (`einddatum`, not required), mean "no date: open-ended"
/// (a contract "tot nader order"). Compared case-insensitively.
pub const OPEN_ENDED: &[&str] = &[
    "tot nader order",
    "t.n.o.",
    "onbepaald",
    "onbepaalde tijd",
    "voor onbepaalde tijd",
    "open einde",
    "doorlopend",
];

pub fn is_open_ended(v: &str) -> bool {
    OPEN_ENDED.iter().any(|w| w.eq_ignore_ascii_case(v.trim()))
}

/// Money: like [`parse_number`], rounded to whole cents (values with more than two decimals are
/// rejected, since they are not amounts of money).
pub fn parse_money(raw: &str, style: NumberStyle) -> Option<f64> {
    let (n, decimals) = parse_number_decimals(raw, style)?;
    if decimals > 2 || !exact_cents(raw) {
        return None;
    }
    Some((n * 100.0).round() / 100.0)
}

/// Whether an amount fits a Float64 to the cent: at most 15 digits (below 10^13 euros). More
/// digits would lose cents silently above 2^53.
pub fn exact_cents(raw: &str) -> bool {
    raw.bytes().filter(u8::is_ascii_digit).count() <= 15
}

/// An integer: "12", "1.234" (with decimal comma style), "12,0".
pub fn parse_integer(raw: &str, style: NumberStyle) -> Option<i64> {
    let n = parse_number(raw, style)?;
    (n.fract() == 0.0 && n.abs() < 9.0e15).then_some(n as i64)
}

/// ja/nee, j/n, true/false, 1/0, x/empty, yes/no, waar/onwaar. Empty is `None` (unknown),
/// except that a column using 'x' as its only mark treats empty as false (caller decides).
pub fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim_fast().to_lowercase().as_str() {
        "ja" | "j" | "true" | "waar" | "1" | "x" | "yes" | "y" | "wel" => Some(true),
        "nee" | "n" | "false" | "onwaar" | "0" | "no" | "niet" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(y: i32, m: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, mi, s)
            .unwrap()
    }

    #[test]
    fn dutch_dates_with_and_without_padding_and_time() {
        let o = DateOrder::DayFirst;
        assert_eq!(
            parse_datetime("14-04-2011", o),
            Some(dt(2011, 4, 14, 0, 0, 0))
        );
        assert_eq!(parse_datetime("4-4-2011", o), Some(dt(2011, 4, 4, 0, 0, 0)));
        assert_eq!(
            parse_datetime("14-04-2011 09:31", o),
            Some(dt(2011, 4, 14, 9, 31, 0))
        );
        assert_eq!(
            parse_datetime("1-1-2020 0:00", o),
            Some(dt(2020, 1, 1, 0, 0, 0))
        );
        assert_eq!(
            parse_datetime("14/03/2024", o),
            Some(dt(2024, 3, 14, 0, 0, 0))
        );
        assert_eq!(
            parse_datetime("14.03.2024 23:59:58", o),
            Some(dt(2024, 3, 14, 23, 59, 58))
        );
        assert_eq!(parse_datetime("31-02-2024", o), None);
        assert_eq!(
            parse_datetime("14-04-11", o),
            None,
            "two-digit years are refused"
        );
    }

    #[test]
    fn month_first_order_swaps() {
        let o = DateOrder::MonthFirst;
        assert_eq!(
            parse_datetime("03/14/2024", o),
            Some(dt(2024, 3, 14, 0, 0, 0))
        );
    }

    #[test]
    fn iso_and_utc_to_local() {
        let o = DateOrder::DayFirst;
        assert_eq!(
            parse_datetime("2024-03-14", o),
            Some(dt(2024, 3, 14, 0, 0, 0))
        );
        assert_eq!(
            parse_datetime("2024-03-14T09:31:05", o),
            Some(dt(2024, 3, 14, 9, 31, 5))
        );
        // Winter: UTC+1; summer: UTC+2; the switch is the last Sunday of March at 01:00 UTC.
        assert_eq!(
            parse_datetime("2024-01-10T08:00:00Z", o),
            Some(dt(2024, 1, 10, 9, 0, 0))
        );
        assert_eq!(
            parse_datetime("2025-07-01T08:00:00.123Z", o)
                .unwrap()
                .time()
                .hour(),
            10
        );
        assert_eq!(
            parse_datetime("2024-03-31T00:59:00Z", o),
            Some(dt(2024, 3, 31, 1, 59, 0))
        );
        assert_eq!(
            parse_datetime("2024-03-31T01:00:00Z", o),
            Some(dt(2024, 3, 31, 3, 0, 0))
        );
        assert_eq!(
            parse_datetime("2024-06-01T10:00:00+02:00", o),
            Some(dt(2024, 6, 1, 10, 0, 0))
        );
    }
    use chrono::Timelike;

    #[test]
    fn month_names_and_excel_serials() {
        let o = DateOrder::DayFirst;
        assert_eq!(
            parse_datetime("14 maart 2024", o),
            Some(dt(2024, 3, 14, 0, 0, 0))
        );
        assert_eq!(
            parse_datetime("1 mrt. 2024", o),
            Some(dt(2024, 3, 1, 0, 0, 0))
        );
        assert_eq!(
            parse_datetime("donderdag 14 maart 2024", o),
            Some(dt(2024, 3, 14, 0, 0, 0))
        );
        assert_eq!(
            parse_datetime("3 okt 2023", o),
            Some(dt(2023, 10, 3, 0, 0, 0))
        );
        // 45366 is 2024-03-15 in Excel's 1900 date system; .5 is noon.
        assert_eq!(parse_datetime("45366", o), Some(dt(2024, 3, 15, 0, 0, 0)));
        assert_eq!(
            parse_datetime("45366.5", o),
            Some(dt(2024, 3, 15, 12, 0, 0))
        );
        assert_eq!(parse_datetime("12", o), None);
    }

    #[test]
    fn date_order_is_decided_per_column() {
        let d = ["1-2-2024", "13-2-2024"];
        assert_eq!(
            DateOrder::detect(d.iter().copied()),
            Ok(DateOrder::DayFirst)
        );
        let m = ["02/13/2024", "2/1/2024"];
        assert_eq!(
            DateOrder::detect(m.iter().copied()),
            Ok(DateOrder::MonthFirst)
        );
        let mixed = ["13/02/2024", "02/13/2024"];
        let err = DateOrder::detect(mixed.iter().copied()).unwrap_err();
        assert!(
            err.contains("13/02/2024") && err.contains("02/13/2024"),
            "{err}"
        );
        let none = ["1-2-2024", "2024-05-05"];
        assert_eq!(
            DateOrder::detect(none.iter().copied()),
            Ok(DateOrder::DayFirst)
        );
        // Issue 10, item 12: one `1-13-2024` among 40 Dutch dates does not turn the column
        // around; it is rejected when parsed. Three of 40 (7.5%) do: an American export.
        let mut dutch: Vec<String> = (1..=39)
            .map(|d| format!("{}-{}-2024", d % 12 + 1, d % 12 + 1))
            .collect();
        dutch.push("1-13-2024".into());
        assert_eq!(
            DateOrder::detect(dutch.iter().map(String::as_str)),
            Ok(DateOrder::DayFirst)
        );
        dutch.extend(["2-14-2024".into(), "3-15-2024".into()]);
        assert_eq!(
            DateOrder::detect(dutch.iter().map(String::as_str)),
            Ok(DateOrder::MonthFirst)
        );
    }

    #[test]
    fn money_in_every_dutch_shape() {
        let c = NumberStyle::DecimalComma;
        assert_eq!(parse_money("1.234,56", c), Some(1234.56));
        assert_eq!(parse_money("EUR 1.234,56", c), Some(1234.56));
        assert_eq!(parse_money("€ 12,5", c), Some(12.5));
        assert_eq!(parse_money("-1.234,56", c), Some(-1234.56));
        assert_eq!(parse_money("(1.234,56)", c), Some(-1234.56));
        assert_eq!(parse_money("EUR -95,00", c), Some(-95.0));
        assert_eq!(parse_money("1.234.567", c), Some(1_234_567.0));
        assert_eq!(
            parse_money("12.34", c),
            None,
            "a point is no decimal in this column"
        );
        assert_eq!(
            parse_money("1,234", c),
            None,
            "three decimals are no amount of money"
        );
        let p = NumberStyle::DecimalPoint;
        assert_eq!(parse_money("1234.56", p), Some(1234.56));
        assert_eq!(parse_money("1,234.56", p), Some(1234.56));
        assert_eq!(parse_money("abc", p), None);
        assert_eq!(parse_money("", p), None);
    }

    #[test]
    fn number_style_is_decided_per_column() {
        let fb = NumberStyle::DecimalPoint;
        let v = ["1.234,56", "12"];
        assert_eq!(
            NumberStyle::detect(v.iter().copied(), fb),
            Ok(NumberStyle::DecimalComma)
        );
        let v = ["12,5"];
        assert_eq!(
            NumberStyle::detect(v.iter().copied(), fb),
            Ok(NumberStyle::DecimalComma)
        );
        let v = ["1,234.56"];
        assert_eq!(
            NumberStyle::detect(v.iter().copied(), fb),
            Ok(NumberStyle::DecimalPoint)
        );
        let v = ["1.234", "5.678"];
        let comma = NumberStyle::DecimalComma;
        assert_eq!(
            NumberStyle::detect(v.iter().copied(), comma),
            Ok(comma),
            "ambiguous: fallback"
        );
        let v = ["12,5", "7.25"];
        assert!(NumberStyle::detect(v.iter().copied(), fb).is_err());
    }

    #[test]
    fn integers_and_booleans() {
        assert_eq!(parse_integer("12", NumberStyle::DecimalComma), Some(12));
        assert_eq!(
            parse_integer("1.200", NumberStyle::DecimalComma),
            Some(1200)
        );
        assert_eq!(parse_integer("12,5", NumberStyle::DecimalComma), None);
        assert_eq!(parse_bool("Ja"), Some(true));
        assert_eq!(parse_bool("n"), Some(false));
        assert_eq!(parse_bool("x"), Some(true));
        assert_eq!(parse_bool("misschien"), None);
    }

    #[test]
    fn fast_path_equals_the_general_parser() {
        for v in [
            "203898,28",
            "0,1",
            "1.234.567,891",
            "12",
            "0,000001",
            "999999999999999",
        ] {
            let fast = parse_number(v, NumberStyle::DecimalComma).unwrap();
            let slow: f64 = v.replace('.', "").replace(',', ".").parse().unwrap();
            assert_eq!(fast, slow, "{v}");
        }
    }

    #[test]
    fn plain_numbers_read_as_the_general_path_reads_them() {
        let ints = [
            "0",
            "7",
            "007",
            "12",
            "203898",
            "999999999999999",
            "1234567890123456",
            "",
        ];
        let fracs = [
            "",
            ",",
            ",0",
            ",5",
            ",28",
            ",125",
            ".5",
            ".28",
            ",1,2",
            ".",
            ",00000001",
        ];
        let (mut plain, mut total) = (0, 0);
        for sign in ["", "-", "+", "--", "- "] {
            for i in ints {
                for f in fracs {
                    let v = format!("{sign}{i}{f}");
                    for style in [NumberStyle::DecimalComma, NumberStyle::DecimalPoint] {
                        total += 1;
                        let decimal = if style == NumberStyle::DecimalComma {
                            b','
                        } else {
                            b'.'
                        };
                        if let Some(fast) = plain_decimal(&v, decimal) {
                            let general = any_number(&v, style).expect("the general path reads it");
                            // Bit for bit: also the sign of a zero.
                            assert_eq!(fast.0.to_bits(), general.0.to_bits(), "{v:?}");
                            assert_eq!(fast.1, general.1, "{v:?}");
                            plain += 1;
                        }
                    }
                }
            }
        }
        // 5 * 8 * 11 * 2 = 880 values; the plain shape: no sign or '-', 1-15 digits, then
        // nothing or the style's separator and digits within 15 in all (counted with Python).
        assert_eq!(total, 880);
        assert_eq!(plain, 94);
        assert_eq!(plain_decimal("203898,28", b','), Some((203898.28, 2)));
        assert_eq!(plain_decimal("-0,5", b','), Some((-0.5, 1)));
        assert_eq!(
            plain_decimal("1.234,5", b','),
            None,
            "thousands: the general path"
        );
    }

    /// What `parse_datetime` gave before its fast path: the general parsers in their order.
    fn without_fast_path(raw: &str, order: DateOrder) -> Option<NaiveDateTime> {
        let v = raw.trim_fast();
        parse_iso(v)
            .or_else(|| parse_numeric(v, order))
            .or_else(|| parse_month_name(v))
            .or_else(|| parse_excel_serial(v))
    }

    #[test]
    fn the_fast_date_path_reads_as_the_general_one() {
        let days = [
            "1", "01", "9", "12", "13", "29", "31", "32", "0", "00", "123", "+1", "",
        ];
        let years = ["2024", "2023", "0999", "20245", "24", "+202"];
        let times = [
            "",
            " 9:05",
            " 09:05",
            " 9:5",
            " 23:59:59",
            " 23:59:60",
            " 24:00",
            " 0:00:00",
            "T9:05",
            "  9:05",
            " 9:05:07.5",
            " 9:05:07,25",
            " 9:05Z",
            " 9:05 ",
            " 19:30:1",
            " 123:00",
            " 9:05:07:01",
            " 9:05+01:00",
        ];
        let (mut fast, mut total) = (0, 0);
        for a in days {
            for b in ["2", "02", "12", "13", "29"] {
                for sep in ["-", "/", ".", ":"] {
                    for y in years {
                        for t in times {
                            let v = format!("{a}{sep}{b}{sep}{y}{t}");
                            for order in [DateOrder::DayFirst, DateOrder::MonthFirst] {
                                total += 1;
                                let general = without_fast_path(&v, order);
                                assert_eq!(parse_datetime(&v, order), general, "{v:?} {order:?}");
                                if let Some(dt) = parse_numeric_fast(&v, order) {
                                    assert_eq!(Some(dt), general, "{v:?} {order:?}");
                                    fast += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        // 13 * 5 * 4 * 6 * 18 * 2 = 56,160 values. The fast path takes those of its shape
        // that are a real date and time: 1,695, counted with Python (a regular expression for
        // the shape, `datetime` for the date).
        assert_eq!(total, 56_160);
        assert_eq!(fast, 1_695);
        let dt = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").ok();
        let d = DateOrder::DayFirst;
        assert_eq!(
            parse_numeric_fast("14-2-2022 9:05", d),
            dt("2022-02-14 09:05:00")
        );
        assert_eq!(
            parse_numeric_fast("3/4/2024", DateOrder::MonthFirst),
            dt("2024-03-04 00:00:00")
        );
        assert_eq!(
            parse_numeric_fast("01.12.2023 23:59:58", d),
            dt("2023-12-01 23:59:58")
        );
        assert_eq!(
            parse_numeric_fast("29-2-2023", d),
            None,
            "no 29 February in 2023"
        );
        assert_eq!(
            parse_numeric_fast("2024-02-14", d),
            None,
            "ISO is not its shape"
        );
    }

    #[test]
    fn trim_fast_trims_like_trim() {
        for v in [
            "",
            " ",
            "a",
            " a ",
            "ab",
            "\u{a0}x\u{a0}",
            "x\r",
            "\tx",
            "é ",
            " é",
            "één",
            "café",
            "\u{3000}x",
            "x\u{2029}",
        ] {
            assert_eq!(v.trim_fast(), v.trim(), "{v:?}");
        }
        // Every character alone, at the start and at the end of a value.
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            for v in [
                format!("{c}"),
                format!("{c}x"),
                format!("x{c}"),
                format!("{c}é{c}"),
            ] {
                assert_eq!(v.trim_fast(), v.trim(), "{:?}", c as u32);
            }
        }
    }

    #[test]
    fn review_cases_are_refused_not_misread() {
        let o = DateOrder::DayFirst;
        let c = NumberStyle::DecimalComma;
        assert_eq!(
            parse_money("750.000,125", c),
            None,
            "three decimals, however large"
        );
        assert_eq!(parse_money("(-980,00)", c), None, "double negative");
        assert_eq!(
            parse_datetime("14 mrt 24", o),
            None,
            "two-digit year written out"
        );
        assert_eq!(
            parse_datetime("14-03-2024T09:31", o),
            Some(dt(2024, 3, 14, 9, 31, 0))
        );
        assert_eq!(parse_datetime("1-2-2024Tx", o), None);
        assert_eq!(
            parse_datetime("2024-03-1é", o),
            None,
            "no panic inside a character"
        );
        assert_eq!(excel_serial_to_datetime(1e8), None, "no overflow");
    }
}
