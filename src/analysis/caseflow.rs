//! Case flow for waiting lists and legal terms: which cases are open on the as-of date, how
//! long each waited (net of recorded suspension), which are past their term, weekly inflow,
//! outflow and backlog, and the Kaplan-Meier waiting time in which open and withdrawn cases are
//! censored. Pure functions over frames; `cmd/waitlist.rs` decides the settings.

use super::survival::{CiMethod, KaplanMeier, Tally};
use anyhow::{Context, Result, bail};
use chrono::{Datelike, Months, NaiveDate};
use polars::prelude::*;

/// The clock a legal term runs on: from the start column to the end column, `term_days`
/// long, `extension_days` longer when the case records an extension (verdaagd).
#[derive(Debug, Clone)]
pub struct Clock {
    pub start: String,
    pub end: String,
    pub term_days: i64,
    pub extension_days: i64,
    /// Subtract `opschorting_dagen` (Awb 4:15) from the waiting time.
    pub subtract_suspension: bool,
}

/// Which cases, measured how.
#[derive(Debug, Clone)]
pub struct Settings {
    pub clock: Clock,
    pub as_of: NaiveDate,
    /// Case-insensitive "contains" filters: (column, text).
    pub filters: Vec<(String, String)>,
    /// Only cases that started on or after this date (the cohort).
    pub since: Option<NaiveDate>,
    /// Group by this column; `None` gives one group called `total_label`.
    pub by: Option<String>,
    pub total_label: String,
    pub ci: CiMethod,
    pub alpha: f64,
}

/// Cases that could not be measured, reported instead of dropped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Excluded {
    pub no_start: usize,
    pub after_as_of: usize,
    /// zaak_id of cases whose end date lies before their start date.
    pub end_before_start: Vec<String>,
    /// Withdrawn cases without an end date: when the wait ended is unknown.
    pub withdrawn_undated: usize,
    /// Cases whose recorded suspension was longer than the wait itself (capped at the wait).
    pub suspension_capped: usize,
}

/// The cases in scope, one row each. Columns: `group`, `zaak_id`, `start`, `end` (day numbers
/// since 1970-01-01; `end` empty when open on the as-of date), `gross`, `suspension`, `net`,
/// `term`, `open`, `event` (decided), `withdrawn`, `verdaagd`, plus the passed-through columns.
pub struct Cases {
    pub df: DataFrame,
    pub excluded: Excluded,
    pub as_of: i32,
}

/// Words in `uitkomst` that mark a withdrawn application: the wait ended without a decision.
pub const WITHDRAWN_PATTERN: &str = "ingetrokken|intrekking|withdrawn";

pub fn day_number(d: NaiveDate) -> i32 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days() as i32
}

fn date_of(days: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch") + chrono::Duration::days(days.into())
}

/// Selects, filters and measures the cases. `keep` are extra columns to pass through when
/// present (for the open-case list).
pub fn prepare(lf: LazyFrame, s: &Settings, keep: &[&str]) -> Result<Cases> {
    let mut lf = lf;
    let schema = lf.collect_schema().map_err(anyhow::Error::from)?;
    for c in [&s.clock.start, &s.clock.end] {
        check_date_column(&schema, c)?;
    }
    let has = |c: &str| schema.get(c).is_some();
    for (c, text) in &s.filters {
        if !has(c) {
            bail!("cannot filter on '{c}': the data has no such column");
        }
        lf = lf.filter(
            col(c.as_str())
                .cast(DataType::String)
                .str()
                .to_lowercase()
                .str()
                .contains_literal(lit(text.to_lowercase())),
        );
    }
    let group = match &s.by {
        Some(c) if !has(c) => bail!("cannot group by '{c}': the data has no such column"),
        Some(c) => col(c.as_str())
            .cast(DataType::String)
            .fill_null(lit("(leeg)")),
        None => lit(s.total_label.clone()),
    };
    let id = if has("zaak_id") {
        col("zaak_id").cast(DataType::String)
    } else {
        (int_range(lit(1), len() + lit(1), 1, DataType::Int64)).cast(DataType::String)
    };
    let day = |c: &str| col(c).cast(DataType::Date).cast(DataType::Int32);
    let suspension = if s.clock.subtract_suspension && has("opschorting_dagen") {
        col("opschorting_dagen")
            .cast(DataType::Int64)
            .fill_null(lit(0))
            .clip_min(lit(0))
    } else {
        lit(0i64)
    };
    let flag = |c: &str, e: Expr| if has(c) { e } else { lit(false) };
    let mut exprs = vec![
        group.alias("group"),
        id.alias("zaak_id"),
        day(&s.clock.start).alias("start"),
        day(&s.clock.end).alias("end"),
        suspension.alias("suspension"),
        flag("verdaagd", col("verdaagd").fill_null(lit(false))).alias("verdaagd"),
        flag(
            "uitkomst",
            col("uitkomst")
                .cast(DataType::String)
                .str()
                .to_lowercase()
                .str()
                .contains(lit(WITHDRAWN_PATTERN), false)
                .fill_null(lit(false)),
        )
        .alias("withdrawn"),
    ];
    let reserved = ["group", "zaak_id", "start", "end", "verdaagd", "withdrawn"];
    for k in keep.iter().filter(|k| has(k) && !reserved.contains(k)) {
        exprs.push(col(*k));
    }
    let raw = lf
        .select(exprs)
        .collect()
        .map_err(anyhow::Error::from)
        .context("reading the cases")?;
    measure(raw, s)
}

fn check_date_column(schema: &Schema, name: &str) -> Result<()> {
    match schema.get(name) {
        Some(DataType::Date | DataType::Datetime(_, _)) => Ok(()),
        Some(other) => {
            bail!("column '{name}' holds {other}, not dates; pick a date column with --start/--end")
        }
        None => {
            let dates: Vec<String> = schema
                .iter()
                .filter(|(_, t)| matches!(t, DataType::Date | DataType::Datetime(_, _)))
                .map(|(n, _)| n.to_string())
                .collect();
            bail!(
                "the data has no column '{name}'; date columns present: {}",
                if dates.is_empty() {
                    "none".to_string()
                } else {
                    dates.join(", ")
                }
            )
        }
    }
}

/// Applies the as-of date, the validity rules and the term to the raw case rows.
fn measure(raw: DataFrame, s: &Settings) -> Result<Cases> {
    let as_of = day_number(s.as_of);
    let since = s.since.map(day_number).unwrap_or(i32::MIN);
    let count = |df: &DataFrame, e: Expr| -> Result<usize> {
        Ok(df.clone().lazy().filter(e).collect()?.height())
    };
    let mut excluded = Excluded {
        no_start: count(&raw, col("start").is_null())?,
        after_as_of: count(&raw, col("start").gt(lit(as_of)))?,
        ..Excluded::default()
    };
    let bad = raw
        .clone()
        .lazy()
        .filter(col("end").lt(col("start")))
        .select([col("zaak_id")])
        .collect()?;
    excluded.end_before_start = bad
        .column("zaak_id")?
        .str()?
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect();
    let end_eff = when(col("end").lt_eq(lit(as_of)))
        .then(col("end"))
        .otherwise(lit(NULL).cast(DataType::Int32));
    let valid = col("start")
        .is_not_null()
        .and(col("start").lt_eq(lit(as_of)))
        .and(col("start").gt_eq(lit(since)))
        .and(col("end").is_null().or(col("end").gt_eq(col("start"))));
    // A withdrawn case without an end date has no known end of its wait.
    let undated = col("withdrawn").and(col("end").is_null());
    let valid_rows = raw.lazy().filter(valid);
    excluded.withdrawn_undated = count(&valid_rows.clone().collect()?, undated.clone())?;
    let scoped = valid_rows
        .filter(undated.not())
        .with_column(end_eff.alias("end"));
    let gross = (coalesce(&[col("end"), lit(as_of)]) - col("start")).cast(DataType::Int64);
    let df = scoped
        .with_column(gross.alias("gross"))
        .with_columns([
            col("suspension").clip_max(col("gross")).alias("suspension"),
            col("suspension").gt(col("gross")).alias("capped"),
        ])
        .with_columns([
            (col("gross") - col("suspension")).alias("net"),
            (lit(s.clock.term_days)
                + when(col("verdaagd"))
                    .then(lit(s.clock.extension_days))
                    .otherwise(lit(0i64)))
            .alias("term"),
            col("end").is_null().alias("open"),
        ])
        .with_column(col("open").not().and(col("withdrawn").not()).alias("event"))
        .with_column(col("withdrawn").and(col("open").not()).alias("withdrawn"))
        .collect()?;
    excluded.suspension_capped = count(&df, col("capped"))?;
    let df = df.drop("capped")?;
    Ok(Cases {
        df,
        excluded,
        as_of,
    })
}

impl Cases {
    /// One Kaplan-Meier fit per group, on the net waiting days; with `total`, one over all.
    pub fn fits(&self, s: &Settings, total: bool) -> Result<Vec<(String, KaplanMeier)>> {
        let lf = self.df.clone().lazy();
        let lf = if total {
            lf.with_column(lit(s.total_label.clone()).alias("group"))
        } else {
            lf
        };
        let t = lf
            .group_by([col("group"), col("net")])
            .agg([
                col("event").sum().cast(DataType::UInt64).alias("events"),
                col("event")
                    .not()
                    .sum()
                    .cast(DataType::UInt64)
                    .alias("censored"),
            ])
            .sort(["group", "net"], SortMultipleOptions::default())
            .collect()?;
        let (g, net, ev, ce) = (
            t.column("group")?.str()?,
            t.column("net")?.i64()?,
            t.column("events")?.u64()?,
            t.column("censored")?.u64()?,
        );
        let mut out: Vec<(String, KaplanMeier)> = Vec::new();
        let mut current: Option<String> = None;
        let mut tallies: Vec<Tally> = Vec::new();
        for i in 0..t.height() {
            let name = g.get(i).unwrap_or("").to_string();
            if current.as_ref() != Some(&name) {
                if let Some(done) = current.take() {
                    out.push((done, KaplanMeier::fit(&tallies, s.ci, s.alpha)));
                }
                tallies.clear();
                current = Some(name);
            }
            let (n, e, c) = (net.get(i), ev.get(i), ce.get(i));
            tallies.push((n.unwrap_or(0) as f64, e.unwrap_or(0), c.unwrap_or(0)));
        }
        if let Some(done) = current {
            out.push((done, KaplanMeier::fit(&tallies, s.ci, s.alpha)));
        }
        Ok(out)
    }
}

/// The summary figures per group (and a total row last when grouped): see docs/waitlist.md.
pub fn summary(cases: &Cases, s: &Settings) -> Result<DataFrame> {
    let mut df = summary_counts(cases, s, false)?;
    let mut fits = cases.fits(s, false)?;
    if s.by.is_some() {
        df.vstack_mut(&summary_counts(cases, s, true)?)?;
        fits.extend(cases.fits(s, true)?);
    }
    let quantile_col = |name: &str, f: &dyn Fn(&KaplanMeier) -> Option<f64>| -> Result<Column> {
        let groups = df.column("group")?.str()?;
        let vals: Vec<Option<i64>> = groups
            .iter()
            .map(|g| {
                fits.iter()
                    .find(|(n, _)| Some(n.as_str()) == g)
                    .and_then(|(_, km)| f(km))
                    .map(|t| t as i64)
            })
            .collect();
        Ok(Column::new(name.into(), vals))
    };
    let extra = vec![
        quantile_col("median_days", &|km| km.quantile(0.5))?,
        quantile_col("median_ci_lower", &|km| km.quantile_ci(0.5).0)?,
        quantile_col("median_ci_upper", &|km| km.quantile_ci(0.5).1)?,
        quantile_col("p75_days", &|km| km.quantile(0.75))?,
        quantile_col("p90_days", &|km| km.quantile(0.9))?,
    ];
    for c in extra {
        df.with_column(c)?;
    }
    Ok(df)
}

fn summary_counts(cases: &Cases, s: &Settings, total: bool) -> Result<DataFrame> {
    let as_of = cases.as_of;
    let back = |months: u32| {
        s.as_of
            .checked_sub_months(Months::new(months))
            .map(day_number)
            .unwrap_or(i32::MIN)
    };
    let (year, quarter) = (back(12), back(3));
    let in_window = |from: i32| col("end").gt(lit(from)).and(col("end").lt_eq(lit(as_of)));
    let pct = |from: i32| {
        let decided = col("event").and(in_window(from));
        let within = decided.clone().and(col("net").lt_eq(col("term")));
        let (d, w) = (
            decided.sum().cast(DataType::Float64),
            within.sum().cast(DataType::Float64),
        );
        when(d.clone().gt(lit(0.0)))
            .then((w * lit(100.0) / d).round(1, RoundMode::HalfAwayFromZero))
            .otherwise(lit(NULL).cast(DataType::Float64))
    };
    let int = |e: Expr| e.cast(DataType::Int64);
    let lf = cases.df.clone().lazy();
    let lf = if total {
        lf.with_column(lit(s.total_label.clone()).alias("group"))
    } else {
        lf
    };
    let df = lf
        .group_by([col("group")])
        .agg([
            int(len()).alias("n"),
            int(col("start").gt(lit(year)).sum()).alias("started_12m"),
            int(col("open").not().and(in_window(year)).sum()).alias("closed_12m"),
            int(col("open").sum()).alias("open"),
            int(col("open").and(col("net").gt(col("term"))).sum()).alias("open_past_term"),
            pct(year).alias("within_term_pct"),
            pct(quarter).alias("within_term_pct_3m"),
            int(col("withdrawn").sum()).alias("withdrawn"),
        ])
        .sort(["group"], SortMultipleOptions::default())
        .collect()?;
    Ok(df)
}

/// The Kaplan-Meier table per group: time, at risk, events, censored, S and its band.
pub fn survival_table(cases: &Cases, s: &Settings) -> Result<DataFrame> {
    let fits = cases.fits(s, false)?;
    let mut group = Vec::new();
    let (mut time, mut at_risk, mut events, mut censored) = (vec![], vec![], vec![], vec![]);
    let (mut surv, mut lower, mut upper) = (vec![], vec![], vec![]);
    for (name, km) in &fits {
        for st in &km.steps {
            group.push(name.clone());
            time.push(st.time as i64);
            at_risk.push(st.at_risk);
            events.push(st.events);
            censored.push(st.censored);
            surv.push(st.survival);
            lower.push(st.lower);
            upper.push(st.upper);
        }
    }
    Ok(DataFrame::new_infer_height(vec![
        Column::new("group".into(), group),
        Column::new("time".into(), time),
        Column::new("at_risk".into(), at_risk),
        Column::new("events".into(), events),
        Column::new("censored".into(), censored),
        Column::new("survival".into(), surv),
        Column::new("lower".into(), lower),
        Column::new("upper".into(), upper),
    ])?)
}

/// Open cases on the as-of date, oldest first, with their age and days past term (negative:
/// days left). `extra` columns (wet, product, team, ...) come after zaak_id when present.
pub fn open_cases(cases: &Cases, extra: &[&str]) -> Result<DataFrame> {
    let present: Vec<&str> = extra
        .iter()
        .copied()
        .filter(|c| cases.df.column(c).is_ok())
        .collect();
    let mut sel = vec![col("zaak_id")];
    sel.extend(present.iter().map(|c| col(*c)));
    sel.extend([
        col("start").cast(DataType::Date).alias("start"),
        col("gross").alias("age_days"),
        col("suspension").alias("suspension_days"),
        col("net").alias("net_days"),
        col("term").alias("term_days"),
        (col("net") - col("term")).alias("days_past_term"),
    ]);
    Ok(cases
        .df
        .clone()
        .lazy()
        .filter(col("open"))
        .sort(["start", "zaak_id"], SortMultipleOptions::default())
        .select(sel)
        .collect()?)
}

/// Per ISO week (Monday to Sunday; the last week ends on the as-of date): inflow, outflow
/// (decided and withdrawn), backlog at the end of the week, the outflow per week over the last
/// 8 weeks, and the weeks that outflow needs to clear the backlog (Little's law).
pub fn flow(cases: &Cases, weeks: u32) -> Result<DataFrame> {
    let mut starts: Vec<i32> = cases
        .df
        .column("start")?
        .i32()?
        .into_no_null_iter()
        .collect();
    let mut ends: Vec<i32> = cases.df.column("end")?.i32()?.iter().flatten().collect();
    starts.sort_unstable();
    ends.sort_unstable();
    let upto = |v: &[i32], d: i32| v.partition_point(|&x| x <= d) as i64;
    let as_of = cases.as_of;
    let last_monday = as_of - date_of(as_of).weekday().num_days_from_monday() as i32;
    let (mut week, mut monday) = (Vec::new(), Vec::new());
    let (mut inflow, mut outflow, mut backlog) = (Vec::new(), Vec::new(), Vec::new());
    let (mut rate, mut clear) = (Vec::new(), Vec::new());
    for k in (0..weeks.max(1) as i32).rev() {
        let mon = last_monday - 7 * k;
        let end = (mon + 6).min(as_of);
        let iso = date_of(mon).iso_week();
        week.push(format!("{}-W{:02}", iso.year(), iso.week()));
        monday.push(mon);
        inflow.push(upto(&starts, end) - upto(&starts, mon - 1));
        outflow.push(upto(&ends, end) - upto(&ends, mon - 1));
        let waiting = upto(&starts, end) - upto(&ends, end);
        backlog.push(waiting);
        let per_week = (upto(&ends, end) - upto(&ends, end - 56)) as f64 / 8.0;
        rate.push(per_week);
        clear.push((per_week > 0.0).then(|| (waiting as f64 / per_week * 10.0).round() / 10.0));
    }
    Ok(DataFrame::new_infer_height(vec![
        Column::new("week".into(), week),
        Column::new("week_start".into(), monday).cast(&DataType::Date)?,
        Column::new("inflow".into(), inflow),
        Column::new("outflow".into(), outflow),
        Column::new("backlog".into(), backlog),
        Column::new("outflow_per_week_8w".into(), rate),
        Column::new("weeks_to_clear".into(), clear),
    ])?)
}
