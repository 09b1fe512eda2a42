//! Peaks in dated events: counts per period (day, ISO week, month) per group, judged by
//! Farrington flexible where a series has years of history, else by EARS C2 (or the method
//! asked for). See docs/peaks.md.

mod count;
mod drivers;
mod weather;

pub use count::{Counts, Measure, count, only_groups};
pub use drivers::{LevelCounts, baseline_start, drivers};
pub use weather::{
    Weather, WeatherDay, WeatherPerPeriod, correlate, correlation, weather_per_period, weather_text,
};

use super::{ears, farrington};
use crate::dates::day_number;
use anyhow::Result;
use chrono::{Datelike, NaiveDate};
use polars::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MethodChoice {
    /// Farrington flexible with at least 2 years of history (weeks, months), else EARS C2.
    Auto,
    Farrington,
    EarsC1,
    EarsC2,
    EarsC3,
}

/// How the peaks are detected: the period, the method and its parameters, the periods judged.
#[derive(Debug, Clone)]
pub struct Detection {
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

/// A complete series: a count for every period from the series' own first event up to `to`
/// (weeks before a category existed are unknown, not zero).
pub struct Series {
    pub group: String,
    pub starts: Vec<NaiveDate>,
    pub counts: Vec<f64>,
}

/// Judges the periods from..=to of every series. Series too short for any method are
/// returned by name in the second list, never silently skipped.
pub fn detect(all: &[Series], s: &Detection) -> (Vec<Judged>, Vec<String>) {
    use rayon::prelude::*;
    // Series are independent: judge them on all cores, then keep the input order.
    let results: Vec<Option<Result<Vec<Judged>, String>>> = all
        .par_iter()
        .map(|series| {
            let idx: Vec<usize> = (0..series.starts.len())
                .filter(|&i| series.starts[i] >= s.from && series.starts[i] <= s.to)
                .collect();
            let (&first, &last) = idx.first().zip(idx.last())?;
            Some(judge(series, first, last + 1, s).ok_or_else(|| series.group.clone()))
        })
        .collect();
    let (mut out, mut short) = (Vec::new(), Vec::new());
    for r in results.into_iter().flatten() {
        match r {
            Ok(rows) => out.extend(rows),
            Err(group) => short.push(group),
        }
    }
    (out, short)
}

/// The Farrington settings for this period length: the periods left out of the fit and the
/// number of blocks are given in weeks and scaled to months (26 weeks: 6 months; at most as
/// many blocks as there are periods between the yearly windows).
fn scaled_control(f: &farrington::Control, period: Period) -> farrington::Control {
    let freq = period.freq();
    let past = f.past_weeks_not_included.unwrap_or(f.w);
    let between = freq.saturating_sub(2 * f.w + 1).max(1);
    farrington::Control {
        freq,
        past_weeks_not_included: Some(if period == Period::Month {
            (past * 12).div_ceil(52)
        } else {
            past
        }),
        no_periods: f.no_periods.min(between + 1),
        ..f.clone()
    }
}

/// Years of history a period has: whole years before it, after the window.
fn years_before(k: usize, w: usize, freq: usize) -> usize {
    k.saturating_sub(w) / freq
}

/// Judges the periods first..end of one series by the method asked for (Auto: EARS C2 until
/// the series has 2 years of history, Farrington flexible from then on); `None` when the
/// series is too short for any of them.
fn judge(series: &Series, first: usize, end: usize, s: &Detection) -> Option<Vec<Judged>> {
    let f = scaled_control(&s.farrington, s.period);
    // The first period with 2 years of history.
    let two_years = 2 * s.period.freq() + f.w;
    let can_farrington = s.period != Period::Day;
    let rows = match s.method {
        MethodChoice::Auto if can_farrington => {
            let split = two_years.clamp(first, end);
            let mut rows = ears_rows(series, ears::Method::C2, first, split, s);
            rows.extend(farrington_rows(series, split, end, &f, s.period));
            rows
        }
        MethodChoice::Auto => ears_rows(series, ears::Method::C2, first, end, s),
        MethodChoice::Farrington if can_farrington => {
            farrington_rows(series, two_years.max(first), end, &f, s.period)
        }
        MethodChoice::Farrington => Vec::new(),
        MethodChoice::EarsC1 => ears_rows(series, ears::Method::C1, first, end, s),
        MethodChoice::EarsC2 => ears_rows(series, ears::Method::C2, first, end, s),
        MethodChoice::EarsC3 => ears_rows(series, ears::Method::C3, first, end, s),
    };
    (!rows.is_empty()).then_some(rows)
}

/// The method's name in the output.
fn ears_name(m: ears::Method) -> &'static str {
    match m {
        ears::Method::C1 => "ears-c1",
        ears::Method::C2 => "ears-c2",
        ears::Method::C3 => "ears-c3",
    }
}

/// EARS judgements of the periods from..to that have the history the method needs.
fn ears_rows(
    series: &Series,
    m: ears::Method,
    from: usize,
    to: usize,
    s: &Detection,
) -> Vec<Judged> {
    let from = from.max(m.history(7));
    if from >= to {
        return Vec::new();
    }
    let alpha = s.ears_alpha.unwrap_or(m.default_alpha());
    let points = ears::run(&series.counts, m, alpha, s.min_sigma, 7, from..to);
    points
        .into_iter()
        .zip(from..to)
        .map(|(p, i)| Judged {
            group: series.group.clone(),
            period_start: series.starts[i],
            observed: series.counts[i],
            expected: Some(p.expected),
            upper: p.upper,
            alarm: p.alarm,
            // C3's bound includes the count itself: no score.
            score: (m != ears::Method::C3)
                .then(|| {
                    p.upper
                        .map(|u| (series.counts[i] - p.expected) / (u - p.expected))
                })
                .flatten(),
            method: ears_name(m),
        })
        .collect()
}

/// Farrington judgements of the periods from..to. Each period is judged with as many years as
/// it has (up to --years, at least 2); consecutive periods with the same number of years share
/// one control.
fn farrington_rows(
    series: &Series,
    from: usize,
    to: usize,
    f: &farrington::Control,
    period: Period,
) -> Vec<Judged> {
    let freq = period.freq();
    let dates: Vec<i32> = series.starts.iter().map(|d| day_number(*d)).collect();
    let mut out = Vec::new();
    let mut k = from;
    while k < to {
        let b = f.b.min(years_before(k, f.w, freq));
        let mut stop = k + 1;
        while stop < to && f.b.min(years_before(stop, f.w, freq)) == b {
            stop += 1;
        }
        let control = farrington::Control { b, ..f.clone() };
        let points = farrington::run(&series.counts, Some(&dates), k..stop, &control);
        out.extend(
            points
                .into_iter()
                .zip(k..stop)
                .map(|(p, i)| farrington_row(series, i, p.as_ref())),
        );
        k = stop;
    }
    out
}

/// The judgement of period `i` from Farrington's point (`None`: the model did not converge).
fn farrington_row(series: &Series, i: usize, p: Option<&farrington::Point>) -> Judged {
    Judged {
        group: series.group.clone(),
        period_start: series.starts[i],
        observed: series.counts[i],
        expected: p.map(|p| p.mu0),
        upper: p.and_then(|p| p.upper),
        alarm: p.is_some_and(|p| p.alarm),
        score: p.and_then(|p| p.score),
        method: if p.is_some() {
            "farrington"
        } else {
            "farrington (geen model)"
        },
    }
}

/// Expected counts and upper bounds for the `n` periods after the last one of each series:
/// Farrington flexible where the series qualifies (the fit leaves the recent periods out, so a
/// future period is predicted like a current one), else the mean of the last 7 periods with a
/// bound of mean + z sd (EARS C1 held flat).
pub fn forecast(all: &[Series], n: usize, s: &Detection) -> Vec<Judged> {
    let ears_asked = matches!(
        s.method,
        MethodChoice::EarsC1 | MethodChoice::EarsC2 | MethodChoice::EarsC3
    );
    let mut out = Vec::new();
    for series in all {
        let len = series.starts.len();
        let years = years_before(len, s.farrington.w, s.period.freq());
        if !ears_asked && s.period != Period::Day && years >= 2 {
            out.extend(farrington_forecast(series, n, years, s));
        } else if len >= 7 {
            out.extend(flat_forecast(series, n, s));
        }
    }
    out
}

/// The starts of the `n` periods after the last one of a series.
fn future_starts(series: &Series, n: usize, period: Period) -> Vec<NaiveDate> {
    let Some(&last) = series.starts.last() else {
        return Vec::new();
    };
    let mut p = last;
    (0..n)
        .map(|_| {
            p = period.next(p);
            p
        })
        .collect()
}

/// Farrington's expected count and bound for each future period, from the series extended with
/// NaN counts (left out of the fit, as the recent periods are), with `years` of history.
fn farrington_forecast(series: &Series, n: usize, years: usize, s: &Detection) -> Vec<Judged> {
    let len = series.starts.len();
    let mut starts = series.starts.clone();
    starts.extend(future_starts(series, n, s.period));
    let mut counts = series.counts.clone();
    counts.extend(std::iter::repeat_n(f64::NAN, n));
    let dates: Vec<i32> = starts.iter().map(|d| day_number(*d)).collect();
    let control = farrington::Control {
        b: s.farrington.b.min(years),
        ..scaled_control(&s.farrington, s.period)
    };
    starts
        .iter()
        .enumerate()
        .skip(len)
        .map(|(k, &start)| {
            let bound = farrington::bound(&counts, Some(&dates), k, &control);
            forecast_row(series, start, bound, "farrington")
        })
        .collect()
}

/// EARS C1 held flat: for every future period the mean of the last 7 periods, with a bound of
/// mean + z sd (the sd at least the minimum sigma).
fn flat_forecast(series: &Series, n: usize, s: &Detection) -> Vec<Judged> {
    let alpha = s.ears_alpha.unwrap_or(0.001);
    // The baseline: the last 7 periods.
    let tail = &series.counts[series.starts.len() - 7..];
    let mean = tail.iter().sum::<f64>() / 7.0;
    let sd = (tail.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 6.0).sqrt();
    let z = statrs::distribution::ContinuousCDF::inverse_cdf(
        &statrs::distribution::Normal::standard(),
        1.0 - alpha,
    );
    let upper = mean + z * sd.max(s.min_sigma);
    future_starts(series, n, s.period)
        .into_iter()
        .map(|start| forecast_row(series, start, Some((mean, upper)), "ears-c1"))
        .collect()
}

/// A future period: its expected count and bound, no count yet (so no alarm and no score).
fn forecast_row(
    series: &Series,
    start: NaiveDate,
    bound: Option<(f64, f64)>,
    method: &'static str,
) -> Judged {
    Judged {
        group: series.group.clone(),
        period_start: start,
        observed: f64::NAN,
        expected: bound.map(|b| b.0),
        upper: bound.map(|b| b.1),
        alarm: false,
        score: None,
        method,
    }
}

/// Newest first, then by group: the order of the output.
pub fn sort_newest_first(rows: &mut [Judged]) {
    rows.sort_by(|a, b| {
        b.period_start
            .cmp(&a.period_start)
            .then_with(|| a.group.cmp(&b.group))
    });
}

/// The judged periods as a frame, in the order given.
pub fn frame(rows: &[Judged]) -> Result<DataFrame> {
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

#[cfg(test)]
mod forecast_tests {
    use super::*;
    use crate::analysis::farrington::reference::{close, expected, synthetic};

    /// The fit leaves the recent weeks out, so next week's forecast made today equals the
    /// judgement R makes next week: the last week of the synthetic "stable" and "trend"
    /// series, forecast from the week before, against R's expected and bound for it.
    #[test]
    fn next_week_forecast_equals_next_weeks_judgement() {
        let data = synthetic();
        let reference = expected();
        for name in ["stable", "trend", "winter"] {
            let (dates, counts) = &data[name];
            let n = counts.len();
            let starts: Vec<NaiveDate> = dates
                .iter()
                .map(|d| crate::dates::from_day_number(*d).unwrap())
                .collect();
            let series = Series {
                group: name.into(),
                starts: starts[..n - 1].to_vec(),
                counts: counts[..n - 1].to_vec(),
            };
            let settings = Detection {
                period: Period::Week,
                method: MethodChoice::Farrington,
                farrington: farrington::Control {
                    b: 3,
                    weights_threshold: 1.0,
                    no_periods: 1,
                    past_weeks_not_included: Some(3),
                    ..farrington::Control::improved()
                },
                ears_alpha: None,
                min_sigma: 0.5,
                from: starts[0],
                to: starts[n - 2],
            };
            let f = forecast(&[series], 1, &settings);
            let want = reference[&(name.to_string(), "original".to_string())]
                .last()
                .unwrap()
                .clone();
            assert_eq!(f[0].period_start.format("%Y-%m-%d").to_string(), want.0);
            assert!(
                close(f[0].expected, want.2) && close(f[0].upper, want.3),
                "{name}: {f:?} vs {want:?}"
            );
        }
    }
}
