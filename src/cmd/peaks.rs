//! `datastroom peaks`: when do reports (or any dated events) peak? Glue only: counts from the
//! warehouse or a file, judged by `analysis::peaks`.

use crate::analysis::farrington;
use crate::analysis::peaks::{self, MethodChoice, Period, Settings};
use crate::cli::Global;
use crate::lang::Lang;
use crate::warehouse::Warehouse;
use anyhow::{Result, bail};
use chrono::NaiveDate;
use std::path::PathBuf;

/// Peaks ("pieken") in dated events: is this week's count higher than this time of year
/// normally brings? Farrington flexible (the outbreak-detection standard) for series with at
/// least 2 years of history, EARS C2 for daily data and short series.
///
/// Examples:
///   datastroom peaks                                   # meldingen per categorie, last 12 weeks
///   datastroom peaks --by none --period month --all
///   datastroom peaks --input reports.csv --date-column datum --method ears-c3 --period day
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub what: Option<What>,

    /// The dataset with the events.
    #[arg(long, default_value = "meldingen")]
    pub dataset: String,

    /// Read the events from this export instead of the warehouse.
    #[arg(long)]
    pub input: Option<PathBuf>,

    /// The date (or date-time) column of the events.
    #[arg(long, default_value = "datum_melding")]
    pub date_column: String,

    /// For counts that come aggregated (a weekly series with a count per row, as RKI data and
    /// call-centre figures come): the column holding the count. Default: each row is one event.
    #[arg(long)]
    pub count_column: Option<String>,

    /// Series per value of these columns (comma-separated); "none" for the total.
    #[arg(long, default_value = "categorie", value_delimiter = ',')]
    pub by: Vec<String>,

    /// day, week (ISO weeks, Monday to Sunday) or month.
    #[arg(long, value_enum, default_value = "week")]
    pub period: Period,

    /// The first period to judge (default: 12 periods before --to).
    #[arg(long, value_parser = crate::dates::parse_date)]
    pub from: Option<NaiveDate>,

    /// The last period to judge (default: the last complete one up to --as-of; a period that
    /// --as-of falls inside is not complete and is not judged).
    #[arg(long, value_parser = crate::dates::parse_date)]
    pub to: Option<NaiveDate>,

    /// List every judged period, alarm or not; without --from, judge every period that has
    /// enough history.
    #[arg(long)]
    pub all: bool,

    /// auto, farrington, ears-c1, ears-c2 or ears-c3.
    #[arg(long, value_enum, default_value = "auto")]
    pub method: MethodChoice,

    /// Farrington: one-sided alpha of the upper bound (0.05: a 95% bound). EARS: its alpha
    /// (default CDC's: 0.001 for C1 and C2, 0.025 for C3).
    #[arg(long)]
    pub alpha: Option<f64>,

    /// Farrington: years of history (fewer when the series is shorter).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub years: u32,

    /// Farrington: periods on either side of the same period in past years.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=26))]
    pub window: u32,

    /// Farrington: 10 (improved method: all past data in 10 periods) or 1 (original).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub no_periods: u32,

    /// Farrington: Anscombe residuals above this are down-weighted (improved 2.58, original 1).
    #[arg(long, default_value_t = 2.58)]
    pub reweight_threshold: f64,

    /// Farrington: the most recent weeks left out of the fit (improved 26; for months scaled
    /// to 6).
    #[arg(long, default_value_t = 26, value_parser = clap::value_parser!(u32).range(0..=104))]
    pub past_weeks_not_included: u32,

    /// Farrington: keep the time trend only when its p-value is below this (and b >= 3, and
    /// the prediction stays under the largest count).
    #[arg(long, default_value_t = 0.05)]
    pub p_threshold_trend: f64,

    /// Farrington: never fit a time trend.
    #[arg(long)]
    pub no_trend: bool,

    /// Farrington: no alarm with fewer than CASES reports in the last PERIODS periods,
    /// written CASES,PERIODS (default 5,4).
    #[arg(long, default_value = "5,4", value_parser = parse_limit54)]
    pub limit54: (f64, usize),

    /// EARS: the smallest standard deviation used, so one report in a quiet series does not
    /// alarm.
    #[arg(long, default_value_t = 0.5)]
    pub min_sigma: f64,

    /// Columns whose levels explain each alarm (comma-separated): the 3 levels with the most
    /// reports above their usual share. Default: subcategorie, wijk and kanaal where present;
    /// "none" for no explanation.
    #[arg(long, value_delimiter = ',')]
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
}

#[derive(Debug, clap::Subcommand)]
pub enum What {
    /// The ID-card and passport renewal forecast ("vernieuwingsprognose"): expected
    /// applications per month from the issuance records, peak months flagged.
    Renewals(RenewalsArgs),
}

#[derive(Debug, clap::Args)]
pub struct RenewalsArgs {
    /// The dataset with the issued documents.
    #[arg(long, default_value = "reisdocumenten")]
    pub dataset: String,

    /// Read the documents from this export instead of the warehouse.
    #[arg(long)]
    pub input: Option<PathBuf>,

    /// Months ahead, from the month of --as-of.
    #[arg(long, default_value_t = 36, value_parser = clap::value_parser!(u32).range(1..=240))]
    pub horizon: u32,

    /// Validity for adults (documents issued from 9 March 2014; before: 5 years).
    #[arg(long, default_value_t = 10)]
    pub adult_years: u32,

    /// Validity for minors.
    #[arg(long, default_value_t = 5)]
    pub minor_years: u32,

    /// A month is a peak at this many times the monthly average of the horizon.
    #[arg(long, default_value_t = 1.5)]
    pub peak_ratio: f64,
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

const LABELS: crate::render::Labels = &[
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

pub fn run(args: &Args, global: &Global) -> Result<u8> {
    super::emit(&table(args, global)?, global)
}

fn plain(df: polars::prelude::DataFrame, note: &str) -> super::Table {
    super::Table {
        df,
        note: note.to_string(),
        labels: LABELS,
        money: Vec::new(),
    }
}

/// The peaks (or forecast, correlations, renewals) asked for, as a table with its note.
pub fn table(args: &Args, global: &Global) -> Result<super::Table> {
    let as_of = global
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    if let Some(What::Renewals(r)) = &args.what {
        return renewals(r, as_of, global);
    }
    if let Some(a) = args.alpha
        && !(a > 0.0 && a < 0.5)
    {
        bail!("--alpha must lie between 0 and 0.5, e.g. 0.05");
    }
    let (from, to) = window(args, as_of);
    let settings = Settings {
        period: args.period,
        method: args.method,
        farrington: farrington::Control {
            b: args.years as usize,
            w: args.window as usize,
            weights_threshold: args.reweight_threshold,
            alpha: args.alpha.unwrap_or(0.05),
            no_periods: args.no_periods as usize,
            past_weeks_not_included: Some(args.past_weeks_not_included as usize),
            p_threshold_trend: args.p_threshold_trend,
            trend: !args.no_trend,
            limit54: args.limit54,
            ..farrington::Control::improved()
        },
        ears_alpha: args.alpha,
        min_sigma: args.min_sigma,
        from,
        to,
    };
    let _adhoc;
    let lf = match &args.input {
        Some(path) => {
            let adhoc = crate::ingest::load_adhoc(path, None, None, None, global.quiet)?;
            let lf = adhoc.lf.clone();
            _adhoc = adhoc;
            lf
        }
        None => Warehouse::open(&global.warehouse)?.scan(&args.dataset)?,
    };
    let by: Vec<String> = args
        .by
        .iter()
        .filter(|b| !b.eq_ignore_ascii_case("none"))
        .cloned()
        .collect();
    let total = match global.lang {
        Lang::Nl => "totaal",
        Lang::En => "total",
    };
    let explain = explain_columns(&args.explain, &lf)?;
    let measure = peaks::Measure {
        count_column: args.count_column.as_deref(),
        as_of: Some(as_of),
    };
    let counts = peaks::count(
        lf.clone(),
        &args.date_column,
        &by,
        &[],
        args.period,
        total,
        &measure,
    )?;
    let series = counts.series(args.period, to);
    let mut weather_gap = None;
    let weather = match &args.weather {
        Some(path) => {
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
            let per = peaks::weather_per_period(&weather_days, args.period);
            weather_gap = weather_coverage(
                &days,
                (from.max(first_start(&series)), to),
                args.period,
                global.lang,
            );
            Some(per)
        }
        None => None,
    };
    if let (true, Some(w)) = (args.correlate, &weather) {
        return Ok(plain(
            peaks::correlate(&series, w)?,
            correlate_note(global.lang),
        ));
    }
    if let Some(n) = args.forecast {
        let mut rows = peaks::forecast(&series, n as usize, &settings);
        rows.sort_by(|a, b| (&a.group, a.period_start).cmp(&(&b.group, b.period_start)));
        let df = peaks::frame(&rows)?.drop_many(["observed", "alarm", "score"]);
        return Ok(plain(df, forecast_note(global.lang)));
    }
    let (judged, short) = peaks::detect(&series, &settings);
    let mut shown: Vec<peaks::Judged> = judged
        .iter()
        .filter(|j| args.all || j.alarm)
        .cloned()
        .collect();
    peaks::sort_newest_first(&mut shown);
    let mut df = peaks::frame(&shown)?;
    let nl = global.lang == Lang::Nl;
    let alarmed: Vec<String> = {
        let mut g: Vec<String> = shown
            .iter()
            .filter(|j| j.alarm)
            .map(|j| j.group.clone())
            .collect();
        g.sort();
        g.dedup();
        g
    };
    if !explain.is_empty() && !alarmed.is_empty() {
        // A second pass over the events of the groups with alarms only, from the year before
        // the first alarm (the drivers' baseline) to the last alarm.
        let starts = shown.iter().filter(|j| j.alarm).map(|j| j.period_start);
        let first = starts.clone().min().map(peaks::baseline_start);
        let last = starts.max().map(|d| args.period.next(d));
        let mut lf = peaks::only_groups(lf.clone(), &by, &alarmed);
        if let (Some(first), Some(last)) = (first, last) {
            use polars::prelude::{DataType, col, lit};
            let day = col(args.date_column.as_str()).cast(DataType::Date);
            lf = lf.filter(day.clone().gt_eq(lit(first)).and(day.lt(lit(last))));
        }
        let counts = peaks::count(
            lf,
            &args.date_column,
            &by,
            &explain,
            args.period,
            total,
            &measure,
        )?;
        let counts: Vec<(String, peaks::LevelCounts)> = explain
            .iter()
            .enumerate()
            .map(|(i, c)| (c.clone(), counts.levels(i)))
            .collect();
        let texts: Vec<Option<String>> = shown
            .iter()
            .map(|j| {
                let parts: Vec<String> = counts
                    .iter()
                    .filter(|_| j.alarm)
                    .filter_map(|(c, lc)| peaks::drivers(j, c, lc, nl, global.publish_min_cell))
                    .collect();
                (!parts.is_empty()).then(|| parts.join("; "))
            })
            .collect();
        df.with_column(polars::prelude::Column::new("drivers".into(), texts))?;
    }
    if let Some(w) = &weather {
        let texts: Vec<Option<String>> = shown
            .iter()
            .map(|j| {
                j.alarm
                    .then(|| peaks::weather_text(j.period_start, w, args.period, nl))
                    .flatten()
            })
            .collect();
        df.with_column(polars::prelude::Column::new("weather".into(), texts))?;
    }
    let mut text = note(&judged, &short, &settings, global.lang);
    text.push_str(&history_note(&series, to, &settings, global));
    text.push_str(&left_out_note(&counts, args, as_of, to, global));
    if let Some(gap) = weather_gap {
        if !global.quiet {
            eprintln!("datastroom: let op: {}", gap.trim());
        }
        text.push_str(&gap);
    }
    Ok(plain(df, &text))
}

/// --explain, or by default the meldingen columns that are there.
fn explain_columns(asked: &[String], lf: &polars::prelude::LazyFrame) -> Result<Vec<String>> {
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

fn forecast_note(lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => {
            "Verwachting per periode met bovengrens: Farrington flexible (zelfde model als bij \
             pieken) waar de reeks 2 jaar of meer historie heeft, anders het gemiddelde van de \
             laatste 7 perioden (vlak)."
        }
        Lang::En => {
            "Expected count per period with its upper bound: Farrington flexible (the model \
             of the peaks) where the series has 2 years of history or more, else the mean of \
             the last 7 periods (flat)."
        }
    }
}

fn correlate_note(lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => {
            "Pearson-correlatie van het aantal meldingen per periode met de hoogste windstoot, \
             de neerslag en de laagste temperatuur in die periode (KNMI). Rond 0: geen verband; \
             boven 0,5 of onder -0,5: een duidelijk verband (geen bewijs van oorzaak)."
        }
        Lang::En => {
            "Pearson correlation of the number of reports per period with the highest gust, the \
             precipitation and the lowest temperature in that period (KNMI). Near 0: no relation; \
             above 0.5 or below -0.5: a clear relation (no proof of cause)."
        }
    }
}

fn renewals(r: &RenewalsArgs, as_of: NaiveDate, global: &Global) -> Result<super::Table> {
    let _adhoc;
    let lf = match &r.input {
        Some(path) => {
            let key = crate::warehouse::pseudo::Pseudonymiser::from_env_or_file(None)?;
            let adhoc = crate::ingest::load_adhoc(
                path,
                Some("reisdocumenten"),
                None,
                key.as_ref(),
                global.quiet,
            )?;
            let lf = adhoc.lf.clone();
            _adhoc = adhoc;
            lf
        }
        None => Warehouse::open(&global.warehouse)?.scan(&r.dataset)?,
    };
    let df = lf.collect().map_err(anyhow::Error::from)?;
    let docs = crate::analysis::renewals::documents(&df)?;
    let unknown = docs
        .iter()
        .filter(|d| d.adult.is_none() && d.valid_until.is_none())
        .count();
    let table = crate::analysis::renewals::forecast(
        &docs,
        as_of,
        r.horizon,
        r.adult_years,
        r.minor_years,
        r.peak_ratio,
    )?;
    let labels: crate::render::Labels = &[
        ("month", "maand", "month"),
        ("expected", "verwachte aanvragen", "expected applications"),
        (
            "issued_to_minors",
            "uitgegeven aan minderjarigen",
            "issued to minors",
        ),
        ("ratio_to_average", "x gemiddelde", "x average"),
        ("peak", "piekmaand", "peak month"),
    ];
    let note = match global.lang {
        Lang::Nl => format!(
            "{} documenten. Verloopdatum: geldig_tot, anders uitgifte + {} jaar (volwassen, \
             uitgegeven vanaf 9-3-2014; daarvoor 5) of {} jaar (minderjarig). Aanvraag verwacht in \
             de maand van verlopen (wie eerder vernieuwt, telt te laat). Piekmaand: {} keer het \
             maandgemiddelde van de {} maanden of meer.{}",
            docs.len(),
            r.adult_years,
            r.minor_years,
            r.peak_ratio,
            r.horizon,
            if unknown > 0 {
                format!(" {unknown} documenten zonder leeftijd zijn als volwassen geteld.")
            } else {
                String::new()
            }
        ),
        Lang::En => format!(
            "{} documents. Expiry: geldig_tot, else issue + {} years (adult, issued from \
             2014-03-09; before: 5) or {} years (minor). Applications expected in the month of \
             expiry (early renewals count too late). Peak month: {} times the monthly average \
             of the {} months or more.{}",
            docs.len(),
            r.adult_years,
            r.minor_years,
            r.peak_ratio,
            r.horizon,
            if unknown > 0 {
                format!(" {unknown} documents without an age are counted as adult.")
            } else {
                String::new()
            }
        ),
    };
    Ok(super::Table {
        df: table,
        note,
        labels,
        money: Vec::new(),
    })
}

/// The first and last period judged: --from/--to, or every period with --all, or the last 12
/// periods up to the as-of date. The last is complete: a period that the as-of date falls
/// inside (a week of which only Monday has passed) is never judged.
pub fn window(args: &Args, as_of: NaiveDate) -> (NaiveDate, NaiveDate) {
    let complete = last_complete(args.period, as_of);
    let to = args
        .to
        .map_or(complete, |t| args.period.start(t).min(complete));
    let from = match (args.from, args.all) {
        (Some(f), _) => args.period.start(f),
        (None, true) => NaiveDate::MIN,
        (None, false) => {
            let mut f = to;
            for _ in 0..11 {
                f = back(args.period, f);
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

/// "week van 01-07-2024" / "week of 2024-07-01" and the like.
fn period_name(p: Period, start: NaiveDate, lang: Lang) -> String {
    let day = |d: NaiveDate| match lang {
        Lang::Nl => d.format("%d-%m-%Y").to_string(),
        Lang::En => d.format("%Y-%m-%d").to_string(),
    };
    match (p, lang) {
        (Period::Day, Lang::Nl) => day(start),
        (Period::Week, Lang::Nl) => format!("de week van {}", day(start)),
        (Period::Month, Lang::Nl) => format!("de maand {}", start.format("%m-%Y")),
        (Period::Day, Lang::En) => day(start),
        (Period::Week, Lang::En) => format!("the week of {}", day(start)),
        (Period::Month, Lang::En) => format!("the month {}", start.format("%Y-%m")),
    }
}

/// What was not counted and why: events without a date, after the as-of date, rows without a
/// count, and the period that the as-of date falls inside (not yet complete).
fn left_out_note(
    counts: &peaks::Counts,
    args: &Args,
    as_of: NaiveDate,
    to: NaiveDate,
    global: &Global,
) -> String {
    let nl = global.lang == Lang::Nl;
    let mut text = String::new();
    let current = args.period.start(as_of);
    if current > to && args.to.is_none_or(|t| args.period.start(t) >= current) {
        let day = if nl {
            as_of.format("%d-%m-%Y").to_string()
        } else {
            as_of.to_string()
        };
        let what = period_name(args.period, current, global.lang);
        text.push_str(&if nl {
            format!(" {what} is op de peildatum ({day}) nog niet compleet en is niet beoordeeld.")
        } else {
            format!(" {what} is not complete on the as-of date ({day}) and is not judged.")
        });
    }
    if counts.after > 0.0 {
        let n = global.count_text(counts.after as i64);
        text.push_str(&if nl {
            format!(" {n} van na de peildatum tellen niet mee.")
        } else {
            format!(" {n} dated after the as-of date are not counted.")
        });
    }
    if counts.undated > 0.0 {
        let n = global.count_text(counts.undated as i64);
        text.push_str(&if nl {
            format!(" {n} zonder {} tellen niet mee.", args.date_column)
        } else {
            format!(" {n} without {} are not counted.", args.date_column)
        });
    }
    if counts.no_count > 0.0 {
        let n = global.count_text(counts.no_count as i64);
        let c = args.count_column.as_deref().unwrap_or("");
        text.push_str(&if nl {
            format!(" {n} rijen zonder {c} tellen niet mee.")
        } else {
            format!(" {n} rows without {c} are not counted.")
        });
    }
    text
}

/// Where a series' history is shorter than the method's: the data starts recently (a system
/// taken into use: its first months often look like peaks), or a series (a category) started
/// later than the data.
fn history_note(series: &[peaks::Series], to: NaiveDate, s: &Settings, global: &Global) -> String {
    let nl = global.lang == Lang::Nl;
    let day = |d: NaiveDate| {
        if nl {
            d.format("%d-%m-%Y").to_string()
        } else {
            d.to_string()
        }
    };
    let Some(first) = series
        .iter()
        .filter_map(|x| x.starts.first())
        .min()
        .copied()
    else {
        return String::new();
    };
    let mut text = String::new();
    let years = (to - first).num_days() as f64 / 365.25;
    if years < 2.0 && s.period != Period::Day {
        text.push_str(&if nl {
            format!(
                " De gegevens beginnen op {} ({} jaar voor de laatste periode): minder dan 2 \
                 jaar historie, dus EARS (korte termijn) in plaats van Farrington; pieken in de \
                 eerste maanden kunnen de opstart van het systeem zijn.",
                day(first),
                format!("{years:.1}").replace('.', ",")
            )
        } else {
            format!(
                " The data starts on {} ({years:.1} years before the last period): less than 2 \
                 years of history, so EARS (short term) instead of Farrington; peaks in the \
                 first months may be the system's start-up.",
                day(first)
            )
        });
    }
    // Series that began more than a few periods after the data: their history starts there.
    let mut late: Vec<String> = series
        .iter()
        .filter_map(|x| {
            let start = *x.starts.first()?;
            let gap = (start - first).num_days();
            let slack = match s.period {
                Period::Day => 14,
                Period::Week => 56,
                Period::Month => 92,
            };
            (gap > slack).then(|| format!("{} ({})", x.group, day(start)))
        })
        .collect();
    late.sort();
    if !late.is_empty() {
        let shown: Vec<&String> = late.iter().take(10).collect();
        let more = late.len().saturating_sub(10);
        let list = shown
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        text.push_str(&match (nl, more) {
            (true, 0) => format!(" Historie vanaf de eerste melding: {list}."),
            (true, m) => format!(" Historie vanaf de eerste melding: {list} en {m} andere."),
            (false, 0) => format!(" History from the first report: {list}."),
            (false, m) => format!(" History from the first report: {list} and {m} others."),
        });
    }
    text
}

/// Which judged periods a KNMI file lacks: `None` when it covers them all.
fn weather_coverage(
    days: &[crate::source::knmi::Day],
    (from, to): (NaiveDate, NaiveDate),
    period: Period,
    lang: Lang,
) -> Option<String> {
    let nl = lang == Lang::Nl;
    let end = period.next(to) - chrono::Duration::days(1);
    let first = days.iter().map(|d| d.date).min();
    let last = days.iter().map(|d| d.date).max();
    let (Some(first), Some(last)) = (first, last) else {
        return Some(if nl {
            " Het weerbestand bevat geen dagen: geen weer bij de pieken.".into()
        } else {
            " The weather file holds no days: no weather with the alarms.".into()
        });
    };
    if first <= from && last >= end {
        return None;
    }
    let f = |d: NaiveDate| {
        if nl {
            d.format("%d-%m-%Y").to_string()
        } else {
            d.to_string()
        }
    };
    let one_day = chrono::Duration::days(1);
    let (to_word, and) = if nl { ("t/m", "en") } else { ("to", "and") };
    let span = |a: NaiveDate, b: NaiveDate| format!("{} {to_word} {}", f(a), f(b));
    let mut gaps = Vec::new();
    if first > from {
        gaps.push(span(from, first - one_day));
    }
    if last < end {
        gaps.push(span((last + one_day).max(from), end));
    }
    let gaps = gaps.join(&format!(" {and} "));
    Some(if nl {
        format!(
            " Het weerbestand loopt van {}; voor {gaps} is er geen weer (haal een recenter \
             bestand bij het KNMI).",
            span(first, last)
        )
    } else {
        format!(
            " The weather file covers {}; it has no weather for {gaps} (get a more recent file \
             from the KNMI).",
            span(first, last)
        )
    })
}

fn back(p: Period, d: NaiveDate) -> NaiveDate {
    match p {
        Period::Day => d - chrono::Duration::days(1),
        Period::Week => d - chrono::Duration::days(7),
        Period::Month => d.checked_sub_months(chrono::Months::new(1)).unwrap_or(d),
    }
}

fn note(judged: &[peaks::Judged], short: &[String], s: &Settings, lang: Lang) -> String {
    let alarms = judged.iter().filter(|j| j.alarm).count();
    let no_model = judged
        .iter()
        .filter(|j| j.method == "farrington (geen model)")
        .count();
    let mut methods: Vec<&str> = judged.iter().map(|j| j.method).collect();
    methods.sort_unstable();
    methods.dedup();
    let f = &s.farrington;
    let mut text = match lang {
        Lang::Nl => format!(
            "{alarms} pieken in {} beoordeelde perioden (methode: {}). Farrington flexible: {} \
             jaar historie (of minder), venster {}, {} perioden, drempel herweging {}, laatste \
             {} perioden niet in het model, alpha {}; geen piek bij minder dan {} meldingen in {} \
             perioden.",
            judged.len(),
            methods.join(", "),
            f.b,
            f.w,
            f.no_periods,
            f.weights_threshold.to_string().replace('.', ","),
            f.past_weeks_not_included.unwrap_or(f.w),
            f.alpha.to_string().replace('.', ","),
            f.limit54.0,
            f.limit54.1
        ),
        Lang::En => format!(
            "{alarms} alarms in {} judged periods (method: {}). Farrington flexible: {} years of \
             history (or fewer), window {}, {} periods, reweighting threshold {}, last {} \
             periods left out of the fit, alpha {}; no alarm below {} reports in {} periods.",
            judged.len(),
            methods.join(", "),
            f.b,
            f.w,
            f.no_periods,
            f.weights_threshold,
            f.past_weeks_not_included.unwrap_or(f.w),
            f.alpha,
            f.limit54.0,
            f.limit54.1
        ),
    };
    if no_model > 0 {
        text.push_str(&match lang {
            Lang::Nl => format!(
                " {no_model} perioden zonder uitkomst: het model convergeerde niet (methode \
                 'farrington (geen model)')."
            ),
            Lang::En => format!(
                " {no_model} periods without a result: the model did not converge (method \
                 'farrington (geen model)')."
            ),
        });
    }
    if !short.is_empty() {
        text.push_str(&match lang {
            Lang::Nl => format!(
                " Te weinig historie om te beoordelen: {}.",
                short.join(", ")
            ),
            Lang::En => format!(" Too little history to judge: {}.", short.join(", ")),
        });
    }
    text
}

#[cfg(test)]
mod tests {
    use super::parse_limit54;

    #[test]
    fn limit54_is_cases_and_periods() {
        assert_eq!(parse_limit54("5,4"), Ok((5.0, 4)));
        assert_eq!(parse_limit54(" 3 , 2 "), Ok((3.0, 2)));
        assert!(parse_limit54("5").is_err());
        assert!(parse_limit54("5,0").is_err());
        assert!(parse_limit54("-1,4").is_err());
    }
}
