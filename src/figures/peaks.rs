//! Peaks in dated events (meldingen): counts from the warehouse or a file, judged by
//! `analysis::peaks`; the drivers of each alarm, the weather, forecasts and correlations.

use super::peaks_notes as notes;
use crate::analysis::farrington;
/// The period of the counts (day, week, month), as the options name it.
pub use crate::analysis::peaks::Period;
use crate::analysis::peaks::{self, Detection, MethodChoice};
use crate::context::Context;
use crate::lang::Lang;
use crate::render::Table;
use anyhow::{Result, bail};
use chrono::NaiveDate;
use polars::prelude::{Column, DataFrame, LazyFrame};
use serde::Deserialize;
use std::path::PathBuf;

/// The options of a peaks analysis: `datastroom peaks`' flags and a report section's keys,
/// with one set of defaults (`Default`).
#[derive(Debug, Clone, clap::Args, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// The dataset with the events.
    #[arg(long, default_value_t = Options::default().dataset)]
    pub dataset: String,

    /// Read the events from this export instead of the warehouse.
    #[arg(long)]
    pub input: Option<PathBuf>,

    /// The date (or date-time) column of the events.
    #[arg(long, default_value_t = Options::default().date_column)]
    pub date_column: String,

    /// For counts that come aggregated (a weekly series with a count per row, as RKI data and
    /// call-centre figures come): the column holding the count. Default: each row is one event.
    #[arg(long)]
    pub count_column: Option<String>,

    /// Series per value of these columns (comma-separated); "none" for the total. With two or
    /// more (--by categorie,wijk), also a total per outer group ("Afval / totaal") and an
    /// overall total ("totaal").
    #[arg(long, default_values_t = Options::default().by, value_delimiter = ',')]
    #[serde(deserialize_with = "super::de_list")]
    pub by: Vec<String>,

    /// day, week (ISO weeks, Monday to Sunday) or month.
    #[arg(long, value_enum, default_value_t = Options::default().period)]
    pub period: Period,

    /// The first period to judge (default: 12 periods before --to).
    #[arg(long, value_parser = crate::dates::parse_date)]
    #[serde(deserialize_with = "crate::dates::de_date")]
    pub from: Option<NaiveDate>,

    /// The last period to judge (default: the last complete one up to --as-of; a period that
    /// --as-of falls inside is not complete and is not judged).
    #[arg(long, value_parser = crate::dates::parse_date)]
    #[serde(deserialize_with = "crate::dates::de_date")]
    pub to: Option<NaiveDate>,

    /// List every judged period, alarm or not; without --from, judge every period that has
    /// enough history.
    #[arg(long)]
    pub all: bool,

    /// auto, farrington, ears-c1, ears-c2 or ears-c3.
    #[arg(long, value_enum, default_value_t = Options::default().method)]
    pub method: MethodChoice,

    /// Farrington: one-sided alpha of the upper bound (0.05: a 95% bound). EARS: its alpha
    /// (default CDC's: 0.001 for C1 and C2, 0.025 for C3).
    #[arg(long)]
    pub alpha: Option<f64>,

    /// Farrington: years of history (fewer when the series is shorter).
    #[arg(long, default_value_t = Options::default().years,
          value_parser = clap::value_parser!(u32).range(1..=20))]
    pub years: u32,

    /// Farrington: periods on either side of the same period in past years.
    #[arg(long, default_value_t = Options::default().window,
          value_parser = clap::value_parser!(u32).range(0..=26))]
    pub window: u32,

    /// Farrington: 10 (improved method: all past data in 10 periods) or 1 (original).
    #[arg(long, default_value_t = Options::default().no_periods,
          value_parser = clap::value_parser!(u32).range(1..=20))]
    pub no_periods: u32,

    /// Farrington: Anscombe residuals above this are down-weighted (improved 2.58, original 1).
    #[arg(long, default_value_t = Options::default().reweight_threshold)]
    pub reweight_threshold: f64,

    /// Farrington: the most recent weeks left out of the fit (improved 26; for months scaled
    /// to 6).
    #[arg(long, default_value_t = Options::default().past_weeks_not_included,
          value_parser = clap::value_parser!(u32).range(0..=104))]
    pub past_weeks_not_included: u32,

    /// Farrington: keep the time trend only when its p-value is below this (and b >= 3, and
    /// the prediction stays under the largest count).
    #[arg(long, default_value_t = Options::default().p_threshold_trend)]
    pub p_threshold_trend: f64,

    /// Farrington: never fit a time trend.
    #[arg(long)]
    pub no_trend: bool,

    /// Farrington: no alarm with fewer than CASES reports in the last PERIODS periods,
    /// written CASES,PERIODS (default 5,4).
    #[arg(long, default_value = "5,4", value_parser = parse_limit54)]
    #[serde(deserialize_with = "de_limit54")]
    pub limit54: (f64, usize),

    /// EARS: the smallest standard deviation used, so one report in a quiet series does not
    /// alarm.
    #[arg(long, default_value_t = Options::default().min_sigma)]
    pub min_sigma: f64,

    /// Columns whose levels explain each alarm (comma-separated): the 3 levels with the most
    /// reports above their usual share. Default: subcategorie, wijk and kanaal where present;
    /// "none" for no explanation.
    #[arg(long, value_delimiter = ',')]
    #[serde(deserialize_with = "super::de_list")]
    pub explain: Vec<String>,

    /// A KNMI daily weather file (etmgeg_NNN.txt of the nearest station, e.g. 275 Deelen):
    /// each alarm gets the period's max gust, precipitation and min temperature against normal.
    #[arg(long)]
    pub weather: Option<PathBuf>,

    /// With --weather: instead of alarms, the correlation of each series with the weather.
    #[arg(long, requires = "weather")]
    pub correlate: bool,

    /// Instead of alarms: the expected count and upper bound of the next N periods per series
    /// (for capacity planning).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=104))]
    pub forecast: Option<u32>,

    /// Only the events whose COLUMN equals VALUE, e.g. --filter gemeente=Duiven --filter
    /// wijk=Centrum (repeat for more; all must hold). A dashboard's filters are these.
    #[arg(long = "filter", value_name = "COLUMN=VALUE", value_parser = parse_filter)]
    #[serde(deserialize_with = "de_filters")]
    pub filter: Vec<(String, String)>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            dataset: "meldingen".into(),
            input: None,
            date_column: "datum_melding".into(),
            count_column: None,
            by: vec!["categorie".into()],
            period: Period::Week,
            from: None,
            to: None,
            all: false,
            method: MethodChoice::Auto,
            alpha: None,
            years: 5,
            window: 3,
            no_periods: 10,
            reweight_threshold: 2.58,
            past_weeks_not_included: 26,
            p_threshold_trend: 0.05,
            no_trend: false,
            limit54: (5.0, 4),
            min_sigma: 0.5,
            explain: Vec::new(),
            weather: None,
            correlate: false,
            forecast: None,
            filter: Vec::new(),
        }
    }
}

/// `wijk=Centrum`: a column and the value its events must have.
fn parse_filter(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((c, v)) if !c.trim().is_empty() => Ok((c.trim().to_string(), v.trim().to_string())),
        _ => Err(format!(
            "'{s}' is not COLUMN=VALUE, e.g. wijk=Centrum or gemeente=Duiven"
        )),
    }
}

/// `filter = ["wijk=Centrum", "kanaal=App"]` (or one text) in a spec.
fn de_filters<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
    super::de_list(d)?
        .iter()
        .map(|f| parse_filter(f).map_err(serde::de::Error::custom))
        .collect()
}

fn parse_limit54(s: &str) -> Result<(f64, usize), String> {
    let err = || format!("'{s}' is not CASES,PERIODS, e.g. 5,4");
    let (c, p) = s.split_once(',').ok_or_else(err)?;
    let cases: f64 = c.trim().parse().map_err(|_| err())?;
    let periods: usize = p.trim().parse().map_err(|_| err())?;
    if cases < 0.0 || periods == 0 {
        return Err(err());
    }
    Ok((cases, periods))
}

/// `limit54 = "5,4"` or `limit54 = [5, 4]` in a report spec.
fn de_limit54<'de, D: serde::Deserializer<'de>>(d: D) -> Result<(f64, usize), D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Limit {
        Text(String),
        Pair(f64, usize),
    }
    match Limit::deserialize(d) {
        Ok(Limit::Text(s)) => parse_limit54(&s).map_err(serde::de::Error::custom),
        Ok(Limit::Pair(c, p)) => {
            parse_limit54(&format!("{c},{p}")).map_err(serde::de::Error::custom)
        }
        Err(_) => Err(serde::de::Error::custom(
            "expected CASES,PERIODS as \"5,4\" or [5, 4]",
        )),
    }
}

/// Column labels for people; JSON and CSV keep the names.
pub const LABELS: crate::render::Labels = &[
    ("period_start", "periode", "period"),
    ("group", "groep", "group"),
    ("observed", "aantal", "observed"),
    ("expected", "verwacht", "expected"),
    ("upper_bound", "bovengrens", "upper bound"),
    ("alarm", "piek", "alarm"),
    ("score", "score", "score"),
    ("method", "methode", "method"),
    ("drivers", "verklaring", "drivers"),
    ("weather", "weer", "weather"),
    ("periods", "perioden", "periods"),
    ("corr_max_gust", "correlatie windstoot", "corr. max gust"),
    (
        "corr_precipitation",
        "correlatie neerslag",
        "corr. precipitation",
    ),
    ("corr_min_temp", "correlatie min. temp.", "corr. min temp"),
];

/// Checked options: the detection settings and the window judged.
pub struct Config {
    pub options: Options,
    pub settings: Detection,
    /// The columns of the series (without "none").
    pub by: Vec<String>,
}

impl Config {
    pub fn period(&self) -> Period {
        self.options.period
    }
}

/// Checks the options (an error is a usage error, exit code 2) and resolves the window.
pub fn validate(ctx: &Context, o: &Options) -> Result<Config> {
    if let Some(a) = o.alpha
        && !(a > 0.0 && a < 0.5)
    {
        return Err(super::usage(anyhow::anyhow!(
            "--alpha must lie between 0 and 0.5, e.g. 0.05"
        )));
    }
    if o.correlate && o.weather.is_none() {
        return Err(super::usage(anyhow::anyhow!(
            "correlate needs a KNMI weather file (--weather etmgeg_275.txt)"
        )));
    }
    let (from, to) = window(o, ctx.as_of);
    let settings = Detection {
        period: o.period,
        method: o.method,
        farrington: farrington_control(o),
        ears_alpha: o.alpha,
        min_sigma: o.min_sigma,
        from,
        to,
    };
    let by =
        o.by.iter()
            .filter(|b| !b.eq_ignore_ascii_case("none"))
            .cloned()
            .collect();
    Ok(Config {
        options: o.clone(),
        settings,
        by,
    })
}

/// Farrington flexible's settings from the options (the improved method's otherwise).
fn farrington_control(o: &Options) -> farrington::Control {
    farrington::Control {
        b: o.years as usize,
        w: o.window as usize,
        weights_threshold: o.reweight_threshold,
        alpha: o.alpha.unwrap_or(0.05),
        no_periods: o.no_periods as usize,
        past_weeks_not_included: Some(o.past_weeks_not_included as usize),
        p_threshold_trend: o.p_threshold_trend,
        trend: !o.no_trend,
        limit54: o.limit54,
        ..farrington::Control::improved()
    }
}

/// The events counted per series and period, and the file's weather when asked.
struct Counted {
    lf: LazyFrame,
    counts: peaks::Counts,
    series: Vec<peaks::Series>,
    weather: Option<peaks::WeatherPerPeriod>,
    /// What the weather file lacks of the judged periods (said in the note).
    weather_gap: Option<String>,
}

/// The peaks (or forecast, or correlations) asked for, as a table with its note.
pub fn compute(ctx: &Context, c: &Config) -> Result<Table> {
    let o = &c.options;
    let input = super::Input {
        dataset: &o.dataset,
        file: o.input.as_deref(),
        read_as: None,
        mapping: None,
    };
    let rows = input.rows(ctx, None)?;
    compute_on(ctx, c, rows.lf)
}

/// The figures of `compute` on rows already read (a dashboard reads them once for all its
/// views): `--filter` is applied here.
pub fn compute_on(ctx: &Context, c: &Config, lf: LazyFrame) -> Result<Table> {
    let o = &c.options;
    let lf = only_matching(lf, &o.filter)?;
    let counted = count(ctx, c, lf)?;
    if let (true, Some(w)) = (o.correlate, &counted.weather) {
        let df = peaks::correlate(&counted.series, w)?;
        return Ok(Table::plain(df, notes::correlate(ctx.lang), LABELS));
    }
    if let Some(n) = o.forecast {
        let mut rows = peaks::forecast(&counted.series, n as usize, &c.settings);
        rows.sort_by(|a, b| (&a.group, a.period_start).cmp(&(&b.group, b.period_start)));
        let df = peaks::frame(&rows)?.drop_many(["observed", "alarm", "score"]);
        return Ok(Table::plain(df, notes::forecast(ctx.lang), LABELS));
    }
    alarms(ctx, c, counted)
}

/// The rows whose columns equal the `--filter` values (compared as text).
fn only_matching(lf: LazyFrame, filter: &[(String, String)]) -> Result<LazyFrame> {
    use polars::prelude::{DataType, col, lit};
    if filter.is_empty() {
        return Ok(lf);
    }
    let schema = lf.clone().collect_schema().map_err(anyhow::Error::from)?;
    let mut lf = lf;
    for (column, value) in filter {
        if schema.get(column).is_none() {
            let names: Vec<&str> = schema.iter_names().map(|n| n.as_str()).collect();
            bail!(
                "--filter {column}={value}: the data has no column {column}; its columns are {}",
                names.join(", ")
            );
        }
        lf = lf.filter(
            col(column.as_str())
                .cast(DataType::String)
                .eq(lit(value.as_str())),
        );
    }
    Ok(lf)
}

fn total_word(lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => "totaal",
        Lang::En => "total",
    }
}

fn count(ctx: &Context, c: &Config, lf: LazyFrame) -> Result<Counted> {
    let o = &c.options;
    let measure = peaks::Measure {
        count_column: o.count_column.as_deref(),
        as_of: Some(ctx.as_of),
    };
    let counts = peaks::count(
        lf.clone(),
        &o.date_column,
        &c.by,
        &[],
        o.period,
        total_word(ctx.lang),
        &measure,
    )?;
    let series = counts.series(o.period, c.settings.to);
    let (weather, weather_gap) = match &o.weather {
        Some(path) => {
            let first = first_start(&series);
            let (per, gap) = weather(ctx, c, path, first)?;
            (Some(per), gap)
        }
        None => (None, None),
    };
    Ok(Counted {
        lf,
        counts,
        series,
        weather,
        weather_gap,
    })
}

/// The KNMI file per period, and what it lacks of the judged window.
fn weather(
    ctx: &Context,
    c: &Config,
    path: &std::path::Path,
    first: NaiveDate,
) -> Result<(peaks::WeatherPerPeriod, Option<String>)> {
    let days = crate::source::knmi::read(path)?;
    let mut stations: Vec<&str> = days.iter().map(|d| d.station.as_str()).collect();
    stations.sort_unstable();
    stations.dedup();
    if stations.len() > 1 {
        bail!(
            "{} holds {} stations ({}); give the file of one station",
            path.display(),
            stations.len(),
            stations.join(", ")
        );
    }
    let weather_days: Vec<peaks::WeatherDay> = days
        .iter()
        .map(|d| peaks::WeatherDay {
            date: d.date,
            max_gust: d.max_gust,
            precipitation: d.precipitation,
            min_temp: d.min_temp,
        })
        .collect();
    let per = peaks::weather_per_period(&weather_days, c.options.period);
    let span = (c.settings.from.max(first), c.settings.to);
    let dates: Vec<NaiveDate> = days.iter().map(|d| d.date).collect();
    let gap = notes::weather_coverage(&dates, span, c.options.period, ctx.lang);
    Ok((per, gap))
}

/// The alarms (every judged period with `all`), their drivers and weather, and the note.
fn alarms(ctx: &Context, c: &Config, counted: Counted) -> Result<Table> {
    let o = &c.options;
    let (judged, short) = peaks::detect(&counted.series, &c.settings);
    let mut shown: Vec<peaks::Judged> = judged
        .iter()
        .filter(|j| o.all || j.alarm)
        .cloned()
        .collect();
    peaks::sort_newest_first(&mut shown);
    let mut df = peaks::frame(&shown)?;
    let explain = explain_columns(&o.explain, &counted.lf)?;
    if !explain.is_empty() && shown.iter().any(|j| j.alarm) {
        let texts = drivers(ctx, c, &counted.lf, &shown, &explain)?;
        df.with_column(Column::new("drivers".into(), texts))?;
    }
    if let Some(w) = &counted.weather {
        let nl = ctx.nl();
        let texts: Vec<Option<String>> = shown
            .iter()
            .map(|j| {
                j.alarm
                    .then(|| peaks::weather_text(j.period_start, w, o.period, nl))
                    .flatten()
            })
            .collect();
        df.with_column(Column::new("weather".into(), texts))?;
    }
    let to = c.settings.to;
    let mut text = notes::judged(&judged, &short, &c.settings, ctx.lang);
    text.push_str(&notes::history(&counted.series, to, &c.settings, ctx));
    text.push_str(&notes::left_out(&counted.counts, o, to, ctx));
    if let Some(gap) = counted.weather_gap {
        crate::messages::warn(gap.trim(), gap.trim());
        text.push_str(&gap);
    }
    Ok(Table::plain(df, text, LABELS))
}

/// The drivers of each alarm: a second pass over the events of the groups with alarms only,
/// from the year before the first alarm (the drivers' baseline) to the last alarm.
fn drivers(
    ctx: &Context,
    c: &Config,
    lf: &LazyFrame,
    shown: &[peaks::Judged],
    explain: &[String],
) -> Result<Vec<Option<String>>> {
    let o = &c.options;
    let measure = peaks::Measure {
        count_column: o.count_column.as_deref(),
        as_of: Some(ctx.as_of),
    };
    let lf = alarm_events(c, lf, shown);
    let counts = peaks::count(
        lf,
        &o.date_column,
        &c.by,
        explain,
        o.period,
        total_word(ctx.lang),
        &measure,
    )?;
    let counts: Vec<(String, peaks::LevelCounts)> = explain
        .iter()
        .enumerate()
        .map(|(i, col)| (col.clone(), counts.levels(i)))
        .collect();
    Ok(shown
        .iter()
        .map(|j| {
            let parts: Vec<String> = counts
                .iter()
                .filter(|_| j.alarm)
                .filter_map(|(col, lc)| peaks::drivers(j, col, lc, ctx.nl(), ctx.min_cell()))
                .collect();
            (!parts.is_empty()).then(|| parts.join("; "))
        })
        .collect())
}

/// The events of the groups with alarms, from the year before the first alarm (the drivers'
/// baseline) to the end of the last.
fn alarm_events(c: &Config, lf: &LazyFrame, shown: &[peaks::Judged]) -> LazyFrame {
    use polars::prelude::{DataType, col, lit};
    let mut alarmed: Vec<String> = shown
        .iter()
        .filter(|j| j.alarm)
        .map(|j| j.group.clone())
        .collect();
    alarmed.sort();
    alarmed.dedup();
    let starts = shown.iter().filter(|j| j.alarm).map(|j| j.period_start);
    let first = starts.clone().min().map(peaks::baseline_start);
    let last = starts.max().map(|d| c.options.period.next(d));
    let lf = peaks::only_groups(lf.clone(), &c.by, &alarmed);
    match (first, last) {
        (Some(first), Some(last)) => {
            let day = col(c.options.date_column.as_str()).cast(DataType::Date);
            lf.filter(day.clone().gt_eq(lit(first)).and(day.lt(lit(last))))
        }
        _ => lf,
    }
}

/// --explain, or by default the meldingen columns that are there.
fn explain_columns(asked: &[String], lf: &LazyFrame) -> Result<Vec<String>> {
    if asked.iter().any(|c| c.eq_ignore_ascii_case("none")) {
        return Ok(Vec::new());
    }
    let schema = lf.clone().collect_schema().map_err(anyhow::Error::from)?;
    if asked.is_empty() {
        return Ok(["subcategorie", "wijk", "kanaal"]
            .iter()
            .filter(|c| schema.get(c).is_some())
            .map(|c| c.to_string())
            .collect());
    }
    for c in asked {
        if schema.get(c).is_none() {
            bail!("--explain {c}: the data has no such column");
        }
    }
    Ok(asked.to_vec())
}

/// The events of the judged window (`--filter` applied) by weekday (1 = Monday) and hour of
/// the date column: a dashboard's heat map. None when the column holds dates without times.
pub fn weekday_hour(c: &Config, lf: LazyFrame) -> Result<Option<DataFrame>> {
    use polars::prelude::{DataType, SortMultipleOptions, col, lit};
    let o = &c.options;
    let lf = only_matching(lf, &o.filter)?;
    let schema = lf.clone().collect_schema().map_err(anyhow::Error::from)?;
    if !matches!(schema.get(&o.date_column), Some(DataType::Datetime(..))) {
        return Ok(None);
    }
    let t = col(o.date_column.as_str());
    let end = o.period.next(c.settings.to);
    let day = t.clone().cast(DataType::Date);
    let weight = match &o.count_column {
        Some(n) => col(n.as_str()).cast(DataType::Int64),
        None => lit(1i64),
    };
    let df = lf
        .filter(
            day.clone()
                .gt_eq(lit(c.settings.from))
                .and(day.lt(lit(end))),
        )
        .select([
            t.clone()
                .dt()
                .weekday()
                .cast(DataType::Int32)
                .alias("weekday"),
            t.dt().hour().cast(DataType::Int32).alias("hour"),
            weight.alias("_w"),
        ])
        .group_by([col("weekday"), col("hour")])
        .agg([col("_w").sum().alias("n")])
        .sort(["weekday", "hour"], SortMultipleOptions::default())
        .collect()?;
    Ok(Some(df))
}

/// Every judged period of the report's window, not only the alarms and without drivers or
/// weather: the series a report draws. Its warnings were given with the table.
pub fn judged_in_window(ctx: &Context, c: &Config) -> Result<DataFrame> {
    let mut all = c.options.clone();
    all.from = Some(c.settings.from);
    all.all = true;
    all.explain = vec!["none".into()];
    all.weather = None;
    crate::messages::silenced(|| Ok(compute(ctx, &validate(ctx, &all)?)?.df))
}

/// The first and last period judged: --from/--to, or every period with --all, or the last 12
/// periods up to the as-of date. The last is complete: a period that the as-of date falls
/// inside (a week of which only Monday has passed) is never judged.
pub fn window(o: &Options, as_of: NaiveDate) -> (NaiveDate, NaiveDate) {
    let complete = last_complete(o.period, as_of);
    let to = o.to.map_or(complete, |t| o.period.start(t).min(complete));
    let from = match (o.from, o.all) {
        (Some(f), _) => o.period.start(f),
        (None, true) => NaiveDate::MIN,
        (None, false) => {
            let mut f = to;
            for _ in 0..11 {
                f = back(o.period, f);
            }
            f
        }
    };
    (from, to)
}

/// The start of the last period that has ended on `as_of` (its last day at or before it).
pub fn last_complete(p: Period, as_of: NaiveDate) -> NaiveDate {
    let start = p.start(as_of);
    if p.next(start) - chrono::Duration::days(1) <= as_of {
        start
    } else {
        back(p, start)
    }
}

/// The first period of any series (the start of the data).
fn first_start(series: &[peaks::Series]) -> NaiveDate {
    series
        .iter()
        .filter_map(|s| s.starts.first())
        .min()
        .copied()
        .unwrap_or(NaiveDate::MIN)
}

fn back(p: Period, d: NaiveDate) -> NaiveDate {
    match p {
        Period::Day => d - chrono::Duration::days(1),
        Period::Week => d - chrono::Duration::days(7),
        Period::Month => d.checked_sub_months(chrono::Months::new(1)).unwrap_or(d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        options: Options,
    }

    #[test]
    fn limit54_is_cases_and_periods() {
        assert_eq!(parse_limit54("5,4"), Ok((5.0, 4)));
        assert_eq!(parse_limit54(" 3 , 2 "), Ok((3.0, 2)));
        assert!(parse_limit54("5").is_err());
        assert!(parse_limit54("5,0").is_err());
        assert!(parse_limit54("-1,4").is_err());
    }

    #[test]
    fn filters_are_column_and_value() {
        assert_eq!(
            parse_filter("wijk=Centrum"),
            Ok(("wijk".to_string(), "Centrum".to_string()))
        );
        assert_eq!(
            parse_filter(" categorie = Groen = blad "),
            Ok(("categorie".to_string(), "Groen = blad".to_string()))
        );
        assert!(parse_filter("wijk").is_err());
        assert!(parse_filter("=Centrum").is_err());
        let spec: Options = toml::from_str("filter = [\"wijk=Noord\", \"kanaal=App\"]").unwrap();
        assert_eq!(spec.filter.len(), 2);
        assert!(toml::from_str::<Options>("filter = \"wijk\"").is_err());
    }

    /// The command line and a report spec start from the same defaults.
    #[test]
    fn one_set_of_defaults() {
        let cli = Cli::try_parse_from(["peaks"]).unwrap().options;
        let spec: Options = toml::from_str("").unwrap();
        let default = format!("{:?}", Options::default());
        assert_eq!(format!("{cli:?}"), default);
        assert_eq!(format!("{spec:?}"), default);
        let spec: Options =
            toml::from_str("by = \"categorie,wijk\"\nlimit54 = [3, 2]\nfrom = \"1-3-2024\"")
                .unwrap();
        assert_eq!(spec.by, ["categorie", "wijk"]);
        assert_eq!(spec.limit54, (3.0, 2));
        assert_eq!(spec.from, NaiveDate::from_ymd_opt(2024, 3, 1));
    }
}
