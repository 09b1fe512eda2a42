//! The renewal forecast for ID documents: every passport and identity card comes back when
//! it expires. Expected applications per month from the issuance records: the recorded
//! `geldig_tot`, else the issue date plus the validity (10 years for adults and 5 for minors
//! for documents issued from 9 March 2014, 5 years before).

use anyhow::{Result, bail};
use chrono::{Datelike, Months, NaiveDate};
use polars::prelude::*;
use std::collections::BTreeMap;

/// The day the 10-year validity for adults began (Paspoortwet change of 9 March 2014).
pub fn ten_years_from() -> NaiveDate {
    NaiveDate::from_ymd_opt(2014, 3, 9).expect("a date")
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Document {
    pub issued: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    /// `None`: age unknown (counted as adult).
    pub adult: Option<bool>,
}

impl Document {
    /// When it expires: the recorded date, else issue + validity.
    pub fn expires(&self, adult_years: u32, minor_years: u32) -> Option<NaiveDate> {
        if let Some(v) = self.valid_until {
            return Some(v);
        }
        let adult = self.adult.unwrap_or(true);
        let years = if !adult {
            minor_years
        } else if self.issued >= ten_years_from() {
            adult_years
        } else {
            5
        };
        self.issued.checked_add_months(Months::new(12 * years))
    }
}

/// Documents from a frame with the canonical columns of `reisdocumenten`.
pub fn documents(df: &DataFrame) -> Result<Vec<Document>> {
    if df.column("datum_uitgifte").is_err() {
        bail!("the data has no column datum_uitgifte (the issue date of each document)");
    }
    let date = |name: &str| -> Result<Vec<Option<NaiveDate>>> {
        match df.column(name) {
            Ok(c) => Ok(c
                .cast(&DataType::Date)?
                .cast(&DataType::Int32)?
                .i32()?
                .iter()
                .map(|v| v.and_then(crate::dates::from_day_number))
                .collect()),
            Err(_) => Ok(vec![None; df.height()]),
        }
    };
    let (issued, until) = (date("datum_uitgifte")?, date("geldig_tot")?);
    let adult_flag: Vec<Option<bool>> = match df.column("meerderjarig") {
        Ok(c) => c.cast(&DataType::Boolean)?.bool()?.iter().collect(),
        Err(_) => vec![None; df.height()],
    };
    let age: Vec<Option<i64>> = match df.column("leeftijd_bij_uitgifte") {
        Ok(c) => c.cast(&DataType::Int64)?.i64()?.iter().collect(),
        Err(_) => vec![None; df.height()],
    };
    Ok((0..df.height())
        .filter_map(|i| {
            Some(Document {
                issued: issued[i]?,
                valid_until: until[i],
                adult: adult_flag[i].or(age[i].map(|a| a >= 18)),
            })
        })
        .collect())
}

/// Per month from the as-of month on, `horizon` months: expected applications (documents
/// expiring that month), of which issued to minors, the ratio to the horizon's monthly average, and
/// whether it is a peak month (at least `peak_ratio` times the average).
pub fn forecast(
    docs: &[Document],
    as_of: NaiveDate,
    horizon: u32,
    adult_years: u32,
    minor_years: u32,
    peak_ratio: f64,
) -> Result<DataFrame> {
    let first = as_of.with_day(1).expect("day 1");
    let months: Vec<NaiveDate> = (0..horizon)
        .filter_map(|m| first.checked_add_months(Months::new(m)))
        .collect();
    let counts = expiring(docs, &months, adult_years, minor_years);
    let total: i64 = counts.values().map(|c| c.0).sum();
    let average = total as f64 / f64::from(horizon.max(1));
    let ratio: Vec<Option<f64>> = counts
        .values()
        .map(|c| (average > 0.0).then(|| (c.0 as f64 / average * 100.0).round() / 100.0))
        .collect();
    forecast_frame(&counts, ratio, peak_ratio)
}

/// Per month: the documents expiring in it, and of those the ones issued to minors.
fn expiring(
    docs: &[Document],
    months: &[NaiveDate],
    adult_years: u32,
    minor_years: u32,
) -> BTreeMap<NaiveDate, (i64, i64)> {
    let mut counts: BTreeMap<NaiveDate, (i64, i64)> = months.iter().map(|m| (*m, (0, 0))).collect();
    for d in docs {
        let Some(e) = d.expires(adult_years, minor_years) else {
            continue;
        };
        if let Some(slot) = counts.get_mut(&e.with_day(1).expect("day 1")) {
            slot.0 += 1;
            slot.1 += i64::from(d.adult == Some(false));
        }
    }
    counts
}

/// The forecast's frame: month, expected, issued to minors, ratio to the average, peak.
fn forecast_frame(
    counts: &BTreeMap<NaiveDate, (i64, i64)>,
    ratio: Vec<Option<f64>>,
    peak_ratio: f64,
) -> Result<DataFrame> {
    let peak: Vec<bool> = ratio
        .iter()
        .map(|r| r.is_some_and(|r| r >= peak_ratio))
        .collect();
    Ok(DataFrame::new_infer_height(vec![
        Column::new(
            "month".into(),
            counts
                .keys()
                .map(|m| m.format("%Y-%m").to_string())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "expected".into(),
            counts.values().map(|c| c.0).collect::<Vec<_>>(),
        ),
        Column::new(
            "issued_to_minors".into(),
            counts.values().map(|c| c.1).collect::<Vec<_>>(),
        ),
        Column::new("ratio_to_average".into(), ratio),
        Column::new("peak".into(), peak),
    ])?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Adult after 9-3-2014: 10 years; before: 5; minor: 5; a recorded geldig_tot wins.
    #[test]
    fn validity_rules() {
        let doc = |issued, adult| Document {
            issued,
            valid_until: None,
            adult,
        };
        assert_eq!(
            doc(d(2014, 3, 10), Some(true)).expires(10, 5),
            Some(d(2024, 3, 10))
        );
        assert_eq!(
            doc(d(2014, 3, 8), Some(true)).expires(10, 5),
            Some(d(2019, 3, 8))
        );
        assert_eq!(
            doc(d(2019, 5, 2), Some(false)).expires(10, 5),
            Some(d(2024, 5, 2))
        );
        assert_eq!(doc(d(2016, 1, 1), None).expires(10, 5), Some(d(2026, 1, 1)));
        let recorded = Document {
            issued: d(2016, 1, 1),
            valid_until: Some(d(2020, 1, 1)),
            adult: Some(true),
        };
        assert_eq!(recorded.expires(10, 5), Some(d(2020, 1, 1)));
    }

    /// 2014's issue wave comes back in 2024: 6 documents issued March 2014 (adults), 1 each in
    /// April and May 2014, and a minor's card of May 2019. Horizon March-June 2024 (4
    /// months): March 6, April 1, May 2 (1 minor), June 0; average 9/4 = 2.25; March is 2.67
    /// times the average: the only peak (ratio >= 1.5).
    #[test]
    fn the_2014_wave_returns() {
        let mut docs: Vec<Document> = (0..6)
            .map(|i| Document {
                issued: d(2014, 3, 10 + i),
                valid_until: None,
                adult: Some(true),
            })
            .collect();
        docs.push(Document {
            issued: d(2014, 4, 2),
            valid_until: None,
            adult: Some(true),
        });
        docs.push(Document {
            issued: d(2014, 5, 2),
            valid_until: None,
            adult: Some(true),
        });
        docs.push(Document {
            issued: d(2019, 5, 20),
            valid_until: None,
            adult: Some(false),
        });
        let df = forecast(&docs, d(2024, 3, 15), 4, 10, 5, 1.5).unwrap();
        let get = |c: &str| df.column(c).unwrap().as_materialized_series().clone();
        assert!(df.column("issued_to_minors").is_ok());
        assert_eq!(
            get("expected")
                .i64()
                .unwrap()
                .into_no_null_iter()
                .collect::<Vec<_>>(),
            [6, 1, 2, 0]
        );
        assert_eq!(
            get("issued_to_minors")
                .i64()
                .unwrap()
                .into_no_null_iter()
                .collect::<Vec<_>>(),
            [0, 0, 1, 0]
        );
        assert_eq!(
            get("peak")
                .bool()
                .unwrap()
                .iter()
                .map(|b| b.unwrap())
                .collect::<Vec<_>>(),
            [true, false, false, false]
        );
        assert_eq!(get("ratio_to_average").f64().unwrap().get(0), Some(2.67));
    }
}
