//! Peaks in dated events: counts per period (day, ISO week, month) per group, judged by
//! Farrington flexible where a series has years of history, else by EARS C2 (or the method
//! asked for). See docs/peaks.md.

use super::{ears, farrington};
use crate::analysis::caseflow::day_number;
use anyhow::{Context, Result, bail};
use chrono::{Datelike, NaiveDate};
use polars::prelude::*;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Period {
    Day,
    Week,
    Month,
}

impl Period {
    fn freq(self) -> usize {
        match self {
            Period::Day => 365,
            Period::Week => 52,
            Period::Month => 12,
        }
    }

    /// The start of the period a day lies in (weeks start on Monday, ISO).
    pub fn start(self, d: NaiveDate) -> NaiveDate {
        match self {
            Period::Day => d,
            Period::Week => d - chrono::Duration::days(d.weekday().num_days_from_monday().into()),
            Period::Month => d.with_day(1).expect("day 1 exists"),
        }
    }

    pub fn next(self, d: NaiveDate) -> NaiveDate {
        match self {
            Period::Day => d + chrono::Duration::days(1),
            Period::Week => d + chrono::Duration::days(7),
            Period::Month => d
                .checked_add_months(chrono::Months::new(1))
                .expect("a next month"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MethodChoice {
    /// Farrington flexible with at least 2 years of history (weeks, months), else EARS C2.
    Auto,
    Farrington,
    EarsC1,
    EarsC2,
    EarsC3,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub period: Period,
    pub method: MethodChoice,
    /// Farrington's settings (b is the most years used; fewer when the series is shorter).
    pub farrington: farrington::Control,
    /// EARS alpha; `None`: CDC's default per method.
    pub ears_alpha: Option<f64>,
    /// EARS minimum standard deviation, so that single reports in a quiet series do not alarm.
    pub min_sigma: f64,
    /// The periods to judge: from..=to (period starts; `from` may be `NaiveDate::MIN`: all).
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// One judged period of one series.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    pub group: String,
    pub period_start: NaiveDate,
    pub observed: f64,
    pub expected: Option<f64>,
    pub upper: Option<f64>,
    pub alarm: bool,
    pub score: Option<f64>,
    pub method: &'static str,
}

/// A complete series: a count for every period from the first event in the data up to `to`.
pub struct Series {
    pub group: String,
    pub starts: Vec<NaiveDate>,
    pub counts: Vec<f64>,
}

/// Counts per group and period from dated events. `by` columns are joined with " / " into the
/// group name; no `by`: one group named `total`.
pub fn series(
    lf: LazyFrame,
    date_col: &str,
    by: &[String],
    period: Period,
    to: NaiveDate,
    total: &str,
) -> Result<Vec<Series>> {
    let mut lf = lf;
    let schema = lf.collect_schema().map_err(anyhow::Error::from)?;
    match schema.get(date_col) {
        Some(DataType::Date | DataType::Datetime(_, _)) => {}
        Some(t) => bail!("column '{date_col}' holds {t}, not dates; choose one with --date-column"),
        None => bail!("the data has no column '{date_col}'; choose the date with --date-column"),
    }
    for b in by {
        if schema.get(b).is_none() {
            bail!("cannot group by '{b}': the data has no such column");
        }
    }
    let group = if by.is_empty() {
        lit(total.to_string())
    } else {
        concat_str(
            by.iter()
                .map(|b| {
                    col(b.as_str())
                        .cast(DataType::String)
                        .fill_null(lit("(leeg)"))
                })
                .collect::<Vec<_>>(),
            " / ",
            false,
        )
    };
    let counts = lf
        .select([
            group.alias("group"),
            col(date_col)
                .cast(DataType::Date)
                .cast(DataType::Int32)
                .alias("day"),
        ])
        .filter(col("day").is_not_null())
        .group_by([col("group"), col("day")])
        .agg([len().cast(DataType::Float64).alias("n")])
        .collect()
        .map_err(anyhow::Error::from)
        .context("counting the events")?;
    let (g, d, n) = (
        counts.column("group")?.str()?,
        counts.column("day")?.i32()?,
        counts.column("n")?.f64()?,
    );
    let mut per: BTreeMap<String, BTreeMap<NaiveDate, f64>> = BTreeMap::new();
    for i in 0..counts.height() {
        let (Some(g), Some(d), Some(n)) = (g.get(i), d.get(i), n.get(i)) else {
            continue;
        };
        let Some(day) = crate::render::epoch_date(d) else {
            continue;
        };
        *per.entry(g.to_string())
            .or_default()
            .entry(period.start(day))
            .or_default() += n;
    }
    let last = period.start(to);
    // Every series starts at the first period of the data: a category without reports in
    // its first months had zero reports then, which is history too.
    let Some(first) = per.values().filter_map(|m| m.keys().next()).min().copied() else {
        return Ok(Vec::new());
    };
    Ok(per
        .into_iter()
        .map(|(group, m)| {
            let mut starts = Vec::new();
            let mut counts = Vec::new();
            let mut p = first;
            while p <= last {
                starts.push(p);
                counts.push(m.get(&p).copied().unwrap_or(0.0));
                p = period.next(p);
            }
            Series {
                group,
                starts,
                counts,
            }
        })
        .collect())
}

/// Judges the periods from..=to of every series. Series too short for any method are
/// returned by name in the second list, never silently skipped.
pub fn detect(all: &[Series], s: &Settings) -> (Vec<Judged>, Vec<String>) {
    let mut out = Vec::new();
    let mut short = Vec::new();
    for series in all {
        let idx: Vec<usize> = (0..series.starts.len())
            .filter(|&i| series.starts[i] >= s.from && series.starts[i] <= s.to)
            .collect();
        let Some((&first, &last)) = idx.first().zip(idx.last()) else {
            continue;
        };
        match judge(series, first, last + 1, s) {
            Some(rows) => out.extend(rows),
            None => short.push(series.group.clone()),
        }
    }
    (out, short)
}

fn judge(series: &Series, first: usize, end: usize, s: &Settings) -> Option<Vec<Judged>> {
    let f = &s.farrington;
    // Farrington needs b years plus w periods before a judged period; with fewer years,
    // as many as the last judged period has (at least 2). Earlier periods are not judged.
    let years = (end - 1).saturating_sub(f.w) / s.period.freq();
    let b = f.b.min(years);
    let farrington_ok = s.period != Period::Day && years >= 2;
    let farrington_first = first.max(b * s.period.freq() + f.w);
    let ears_method = |m: ears::Method| -> Option<Vec<Judged>> {
        let first = first.max(m.history(7));
        if first >= end {
            return None;
        }
        let alpha = s.ears_alpha.unwrap_or(m.default_alpha());
        let name = match m {
            ears::Method::C1 => "ears-c1",
            ears::Method::C2 => "ears-c2",
            ears::Method::C3 => "ears-c3",
        };
        let points = ears::run(&series.counts, m, alpha, s.min_sigma, 7, first..end);
        Some(
            points
                .into_iter()
                .zip(first..end)
                .map(|(p, i)| Judged {
                    group: series.group.clone(),
                    period_start: series.starts[i],
                    observed: series.counts[i],
                    expected: Some(p.expected),
                    upper: p.upper,
                    alarm: p.alarm,
                    score: p
                        .upper
                        .map(|u| (series.counts[i] - p.expected) / (u - p.expected)),
                    method: name,
                })
                .collect(),
        )
    };
    let run_farrington = || -> Option<Vec<Judged>> {
        let first = farrington_first;
        if first >= end {
            return None;
        }
        let control = farrington::Control {
            b,
            freq: s.period.freq(),
            ..f.clone()
        };
        let dates: Vec<i32> = series.starts.iter().map(|d| day_number(*d)).collect();
        let points = farrington::run(&series.counts, Some(&dates), first..end, &control);
        Some(
            points
                .into_iter()
                .zip(first..end)
                .map(|(p, i)| Judged {
                    group: series.group.clone(),
                    period_start: series.starts[i],
                    observed: series.counts[i],
                    expected: p.as_ref().map(|p| p.mu0),
                    upper: p.as_ref().and_then(|p| p.upper),
                    alarm: p.as_ref().is_some_and(|p| p.alarm),
                    score: p.as_ref().and_then(|p| p.score),
                    method: "farrington",
                })
                .collect(),
        )
    };
    match s.method {
        MethodChoice::Auto if farrington_ok => run_farrington(),
        MethodChoice::Auto => ears_method(ears::Method::C2),
        MethodChoice::Farrington if farrington_ok => run_farrington(),
        MethodChoice::Farrington => None,
        MethodChoice::EarsC1 => ears_method(ears::Method::C1),
        MethodChoice::EarsC2 => ears_method(ears::Method::C2),
        MethodChoice::EarsC3 => ears_method(ears::Method::C3),
    }
}

/// The judged periods as a frame, newest first, then by group.
pub fn frame(rows: &[Judged]) -> Result<DataFrame> {
    let mut rows: Vec<&Judged> = rows.iter().collect();
    rows.sort_by(|a, b| {
        b.period_start
            .cmp(&a.period_start)
            .then_with(|| a.group.cmp(&b.group))
    });
    Ok(DataFrame::new_infer_height(vec![
        Column::new(
            "period_start".into(),
            rows.iter()
                .map(|r| day_number(r.period_start))
                .collect::<Vec<_>>(),
        )
        .cast(&DataType::Date)?,
        Column::new(
            "group".into(),
            rows.iter().map(|r| r.group.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "observed".into(),
            rows.iter().map(|r| r.observed as i64).collect::<Vec<_>>(),
        ),
        Column::new(
            "expected".into(),
            rows.iter().map(|r| r.expected).collect::<Vec<_>>(),
        ),
        Column::new(
            "upper_bound".into(),
            rows.iter().map(|r| r.upper).collect::<Vec<_>>(),
        ),
        Column::new(
            "alarm".into(),
            rows.iter().map(|r| r.alarm).collect::<Vec<_>>(),
        ),
        Column::new(
            "score".into(),
            rows.iter().map(|r| r.score).collect::<Vec<_>>(),
        ),
        Column::new(
            "method".into(),
            rows.iter().map(|r| r.method).collect::<Vec<_>>(),
        ),
    ])?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_starts() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 14).unwrap(); // a Thursday
        assert_eq!(
            Period::Week.start(d),
            NaiveDate::from_ymd_opt(2024, 3, 11).unwrap()
        );
        assert_eq!(
            Period::Month.start(d),
            NaiveDate::from_ymd_opt(2024, 3, 1).unwrap()
        );
        assert_eq!(Period::Day.start(d), d);
    }
}
