//! Retention (bewaartermijn): a dataset keeps its records no longer than its purpose needs.
//! The period is set in the ingest plan or mapping (`bewaartermijn = "7 jaar"`), counted from
//! a date column (`bewaartermijn_vanaf`, or the dataset's end date), and enforced at every
//! ingest: older records are removed and the removal is recorded in the lineage.

use anyhow::{Result, bail};
use chrono::{Months, NaiveDate};

/// A retention period: a number of years, months or days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Years(u32),
    Months(u32),
    Days(u32),
}

impl Period {
    /// "7 jaar", "18 maanden", "90 dagen" (or years, months, days).
    pub fn parse(text: &str) -> Result<Period> {
        let t = text.trim().to_lowercase();
        let (n, unit) = t
            .split_once(char::is_whitespace)
            .map(|(n, u)| (n.trim(), u.trim()))
            .unwrap_or((t.as_str(), ""));
        let Ok(n) = n.parse::<u32>() else {
            bail!(
                "bewaartermijn = \"{text}\": write it as \"7 jaar\", \"18 maanden\" or \"90 dagen\""
            );
        };
        if n == 0 {
            bail!("bewaartermijn = \"{text}\": a period of 0 would remove every record");
        }
        Ok(match unit {
            "jaar" | "jaren" | "year" | "years" => Period::Years(n),
            "maand" | "maanden" | "month" | "months" => Period::Months(n),
            "dag" | "dagen" | "day" | "days" => Period::Days(n),
            _ => bail!(
                "bewaartermijn = \"{text}\": the unit must be jaar, maanden or dagen (\"7 jaar\")"
            ),
        })
    }

    /// The period as the catalog and the privacy overview write it.
    pub fn describe(self) -> String {
        match self {
            Period::Years(n) => format!("{n} jaar"),
            Period::Months(1) => "1 maand".to_string(),
            Period::Months(n) => format!("{n} maanden"),
            Period::Days(1) => "1 dag".to_string(),
            Period::Days(n) => format!("{n} dagen"),
        }
    }

    /// The first day that is still kept on `today`: records dated before it are removed.
    pub fn cutoff(self, today: NaiveDate) -> NaiveDate {
        match self {
            Period::Years(n) => today.checked_sub_months(Months::new(12 * n)),
            Period::Months(n) => today.checked_sub_months(Months::new(n)),
            Period::Days(n) => today.checked_sub_days(chrono::Days::new(u64::from(n))),
        }
        .unwrap_or(NaiveDate::MIN)
    }
}

/// The date a canonical dataset's retention counts from: the end of the record (a report
/// closed, a decision taken, a contract or project ended, a document expired; an invoice's
/// date). Records without it (still open) are never removed.
pub fn default_column(dataset: &str) -> Option<&'static str> {
    Some(match dataset {
        "meldingen" => "datum_afgehandeld",
        "zaken_sociaal" => "datum_beschikking",
        "inhuur_contracten" | "projecten" => "einddatum",
        "inhuur_facturen" => "factuurdatum",
        "reisdocumenten" => "geldig_tot",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periods_and_cutoffs() {
        let today = d(2026, 12, 2);
        assert_eq!(
            Period::parse("7 jaar").unwrap().cutoff(today),
            d(2019, 12, 2)
        );
        assert_eq!(
            Period::parse("18 maanden").unwrap().cutoff(today),
            d(2025, 6, 2)
        );
        assert_eq!(
            Period::parse(" 90 Dagen ").unwrap().cutoff(today),
            d(2026, 9, 3)
        );
        assert_eq!(Period::parse("2 years").unwrap().describe(), "2 jaar");
        // 29 February falls back to the 28th.
        assert_eq!(Period::Years(1).cutoff(d(2024, 2, 29)), d(2023, 2, 28));
        for bad in ["zeven jaar", "7", "7 weken", "0 jaar", ""] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
    }
}
