//! Hired staff (inhuur): contracts lined up with invoices, and the signals an auditor looks for
//! (docs/inhuur.md). Money is held in whole cents (`i64`) from the moment it is read, so every
//! sum is exact; output turns cents back into euros with two decimals.
//!
//! Contracts and invoices are small tables (hundreds to tens of thousands of rows): they are
//! read into plain structs and the rules are plain Rust, one function per rule.
//!
//! The parts: `read` turns frames into contracts and invoices, `book` links them, `findings`
//! lists the signals of `rules` (per contract and invoice), `dba` (the same person hired for
//! long) and `suppliers` (the EU threshold); `costs` and `timeline` are the other sections.

mod book;
mod costs;
mod dba;
mod findings;
mod read;
mod rules;
mod suppliers;
mod timeline;

pub use book::{Book, supplier_key};
pub use costs::{Budget, costs, overview};
pub use findings::{Finding, Rule, findings, findings_frame};
pub use read::{contracts_from, invoices_from, is_european};
pub use rules::NO_INVOICE_DAYS;
pub use suppliers::{SupplierSpend, supplier_spend, suppliers};
pub use timeline::timeline;

use crate::lang::{Lang, money_text};
use chrono::{Datelike, Months, NaiveDate};

/// One contract of hired staff.
#[derive(Debug, Clone, PartialEq)]
pub struct Contract {
    /// The municipality, when the warehouse holds more than one: ids are unique within one.
    pub gemeente: Option<String>,
    pub id: String,
    pub supplier: String,
    /// The person, as the keyed hash stored at ingest (`None` when the export had no name or
    /// no key was given).
    pub person: Option<String>,
    pub function: Option<String>,
    pub department: Option<String>,
    pub start: NaiveDate,
    /// `None`: open-ended ("tot nader order").
    pub end: Option<NaiveDate>,
    pub rate: Option<i64>,
    pub max_hours: Option<f64>,
    pub value: Option<i64>,
    /// Procured by a European tender: outside the threshold check.
    pub european: bool,
}

/// One invoice line from the finance system.
#[derive(Debug, Clone, PartialEq)]
pub struct Invoice {
    pub gemeente: Option<String>,
    pub id: String,
    pub contract: Option<String>,
    pub supplier: String,
    pub date: NaiveDate,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Cents; negative for a credit note.
    pub amount: i64,
    pub department: Option<String>,
}

/// What the signals check against: the as-of date, horizons, the Wet DBA limits, the EU threshold.
#[derive(Debug, Clone)]
pub struct Checks {
    pub as_of: NaiveDate,
    /// "Starting / ending soon": within this many days after as-of.
    pub horizon_days: i64,
    /// Wet DBA signal: the same person hired without a break for longer than this.
    pub dba_months: u32,
    /// Breaks up to this many days between two contracts do not count as a break.
    pub dba_break_days: i64,
    /// EU threshold in cents; `None`: the one valid on the as-of date.
    pub threshold: Option<i64>,
    pub lang: Lang,
}

impl Checks {
    /// The EU threshold that applies: the one given, else the one valid on the as-of date.
    pub fn limit(&self) -> i64 {
        self.threshold.unwrap_or_else(|| eu_threshold(self.as_of))
    }
}

/// Euros (as read, a float) to cents: exact for any amount with at most two decimals below
/// 90 trillion euros, because the float is the nearest double to that decimal.
pub fn cents(euros: f64) -> i64 {
    (euros * 100.0).round() as i64
}

pub fn euros(cents: i64) -> f64 {
    cents as f64 / 100.0
}

/// The EU threshold for services of decentralised authorities (excl. VAT) in cents, valid on
/// a date (European Commission delegated regulations; docs/inhuur.md).
pub fn eu_threshold(on: NaiveDate) -> i64 {
    let euros = match on.year() {
        ..=2017 => 209_000,
        2018 | 2019 => 221_000,
        2020 | 2021 => 214_000,
        2022 | 2023 => 215_000,
        2024 | 2025 => 221_000,
        _ => 216_000,
    };
    euros * 100
}

/// The first day of the `months` months up to and including `as_of`.
fn window_start(as_of: NaiveDate, months: u32) -> NaiveDate {
    as_of
        .succ_opt()
        .and_then(|d| d.checked_sub_months(Months::new(months)))
        .unwrap_or(NaiveDate::MIN)
}

/// An amount in cents as a person reads it: "€ 1.234,56" (Dutch) or "€ 1,234.56".
fn eur(cents: i64, lang: Lang) -> String {
    format!("€ {}", money_text(euros(cents), lang == Lang::Nl))
}

/// A date as a person reads it: 31-12-2025 (Dutch) or 2025-12-31.
fn day(d: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Nl => d.format("%d-%m-%Y").to_string(),
        Lang::En => d.format("%Y-%m-%d").to_string(),
    }
}

/// A percentage with one decimal, with a decimal comma in Dutch.
fn pct_text(x: f64, lang: Lang) -> String {
    let t = format!("{x:.1}");
    if lang == Lang::Nl {
        t.replace('.', ",")
    } else {
        t
    }
}

/// `part` as a percentage of `whole`, rounded to one decimal (0 when `whole` is 0).
fn pct(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 * 1000.0 / whole as f64).round() / 10.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn thresholds_by_date() {
        assert_eq!(eu_threshold(d(2025, 12, 31)), 22_100_000);
        assert_eq!(eu_threshold(d(2026, 1, 1)), 21_600_000);
        assert_eq!(eu_threshold(d(2023, 6, 1)), 21_500_000);
    }

    #[test]
    fn cents_are_exact() {
        assert_eq!(cents(1234.56), 123_456);
        assert_eq!(cents(-980.0), -98_000);
        assert_eq!(cents(0.1 + 0.2), 30);
        let total: i64 = [20080.0, 18825.0, 9800.0, 4900.0, -980.0, 1234.56, 12.5]
            .iter()
            .map(|x| cents(*x))
            .sum();
        assert_eq!(total, 5_387_206);
    }
}
