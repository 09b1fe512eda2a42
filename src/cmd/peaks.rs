//! `datastroom peaks`: when do reports (or any dated events) peak? Glue only: counts from the
//! warehouse or a file, judged by `analysis::peaks`.

use crate::analysis::farrington;
use crate::analysis::peaks::{self, MethodChoice, Period, Settings};
use crate::cli::Global;
use crate::render::Lang;
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

    /// Series per value of these columns (comma-separated); "none" for the total.
    #[arg(long, default_value = "categorie", value_delimiter = ',')]
    pub by: Vec<String>,

    /// day, week (ISO weeks, Monday to Sunday) or month.
    #[arg(long, value_enum, default_value = "week")]
    pub period: Period,

    /// The first period to judge (default: 12 periods before --to).
    #[arg(long, value_parser = crate::cli::parse_date)]
    pub from: Option<NaiveDate>,

    /// The last period to judge (default: the one holding --as-of).
    #[arg(long, value_parser = crate::cli::parse_date)]
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
    let counts = peaks::count(lf.clone(), &args.date_column, &by, &[], args.period, total)?;
    let series = counts.series(args.period, to);
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
            Some(peaks::weather_per_period(&days, args.period))
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
        let counts = peaks::count(lf, &args.date_column, &by, &explain, args.period, total)?;
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
    if counts.undated > 0.0 {
        let n = global.count_text(counts.undated as i64);
        text.push_str(&match global.lang {
            Lang::Nl => format!(" {n} zonder {} tellen niet mee.", args.date_column),
            Lang::En => format!(" {n} without {} are not counted.", args.date_column),
        });
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
/// periods up to the as-of date.
pub fn window(args: &Args, as_of: NaiveDate) -> (NaiveDate, NaiveDate) {
    let to = args.period.start(args.to.unwrap_or(as_of));
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
            f.weights_threshold,
            f.past_weeks_not_included.unwrap_or(f.w),
            f.alpha,
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
