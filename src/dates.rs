//! Days as datastroom counts them: day numbers since 1970-01-01 (how polars stores a date),
//! clock times from polars' integers, the as-of date (peildatum) and dates on the command line.

use chrono::{NaiveDate, NaiveDateTime};
use polars::prelude::TimeUnit;

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("1970-01-01")
}

/// A date as its day number.
pub fn day_number(d: NaiveDate) -> i32 {
    (d - epoch()).num_days() as i32
}

/// A day number as a date; `None` outside chrono's range (about ±262,000 years), which a SQL
/// expression can produce.
pub fn from_day_number(days: i32) -> Option<NaiveDate> {
    epoch().checked_add_signed(chrono::Duration::days(i64::from(days)))
}

/// A polars date-time as a clock time; `None` outside chrono's range.
pub fn from_timestamp(v: i64, unit: TimeUnit) -> Option<NaiveDateTime> {
    let micros = match unit {
        TimeUnit::Nanoseconds => v / 1000,
        TimeUnit::Microseconds => v,
        TimeUnit::Milliseconds => v.checked_mul(1000)?,
    };
    Some(chrono::DateTime::from_timestamp_micros(micros)?.naive_utc())
}

/// The as-of date: the one given, or today.
pub fn as_of_or_today(as_of: Option<NaiveDate>) -> NaiveDate {
    as_of.unwrap_or_else(|| chrono::Local::now().date_naive())
}

/// A date on the command line: 2024-03-31 or 31-3-2024 (day first, the Dutch way).
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    crate::source::values::parse_date(s, crate::source::values::DateOrder::DayFirst)
        .ok_or_else(|| format!("'{s}' is not a date; write it as 2024-03-31 or 31-3-2024"))
}

/// A date and time on the command line, as the exports write them: 2024-03-31T08:00,
/// 2024-03-31 08:00 or 31-3-2024 8:00.
pub fn parse_datetime(s: &str) -> Result<NaiveDateTime, String> {
    crate::source::values::parse_datetime(s, crate::source::values::DateOrder::DayFirst).ok_or_else(
        || format!("'{s}' is not a date and time; write it as 2024-03-31T08:00 or 31-3-2024 8:00"),
    )
}

/// A date in a report spec: a TOML date (2024-03-31) or text as on the command line.
pub fn de_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    use serde::Deserialize;
    let v = toml::Value::deserialize(d)?;
    let text = match &v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Datetime(dt) => dt.to_string(),
        other => return Err(serde::de::Error::custom(format!("{other} is not a date"))),
    };
    parse_date(&text)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_both_ways() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 14).unwrap();
        assert_eq!(day_number(d), 19796);
        assert_eq!(from_day_number(19796), Some(d));
        assert_eq!(from_day_number(i32::MAX), None);
        assert_eq!(parse_date("14-3-2024"), Ok(d));
        assert!(parse_date("14/13/2024").is_err());
    }
}
