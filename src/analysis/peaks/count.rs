//! Counting the events: one pass over the rows, per group, period and level of each explain
//! column, from which both the series and the drivers are built.

use super::{LevelCounts, Period, Series};
use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use polars::prelude::*;
use std::collections::BTreeMap;

/// Event counts per group, period and level of each explain column: the one pass over the
/// events that both the series and the drivers are built from.
pub struct Counts {
    /// (group, period start, explain levels) -> count
    cells: Vec<(String, NaiveDate, Vec<String>, f64)>,
    /// Events without a date (or one outside the calendar): not counted, but said.
    pub undated: f64,
    /// Events dated after the as-of date: not counted (no analysis reads the future).
    pub after: f64,
    /// Rows without a count (`--count-column`): not counted, but said.
    pub no_count: f64,
}

/// What is counted: each row as one event, or the number in a column of already aggregated
/// rows (a weekly series of counts), and up to which day.
#[derive(Debug, Clone, Default)]
pub struct Measure<'a> {
    /// The column holding a count per row; `None`: each row is one event.
    pub count_column: Option<&'a str>,
    /// Rows dated after this day are left out (and counted as `after`).
    pub as_of: Option<NaiveDate>,
}

/// Keeps the events of these groups (the explanation of alarms needs only their groups).
pub fn only_groups(lf: LazyFrame, by: &[String], groups: &[String]) -> LazyFrame {
    // Several columns: the groups include totals of outer groups, so every event may count.
    let [one] = by else {
        return lf;
    };
    let wanted = polars::prelude::Series::new("groups".into(), groups);
    // Filter on the column itself, so the Parquet reader can skip rows before decoding the
    // other columns.
    let group = if groups.iter().any(|g| g == "(leeg)") {
        col(one.as_str())
            .cast(DataType::String)
            .fill_null(lit("(leeg)"))
    } else {
        col(one.as_str())
    };
    lf.filter(group.is_in(lit(wanted).implode(false), false))
}

/// Counts the events per group (the `by` columns joined with " / "; no `by`: one group named
/// `total`; with several, also a total per outer group and an overall one), period of
/// `date_col`, and level of each `explain` column, in one pass.
pub fn count(
    lf: LazyFrame,
    date_col: &str,
    by: &[String],
    explain: &[String],
    period: Period,
    total: &str,
    measure: &Measure,
) -> Result<Counts> {
    let mut lf = lf;
    let schema = lf.collect_schema().map_err(anyhow::Error::from)?;
    check_columns(&schema, date_col, by, explain)?;
    if let Some(c) = measure.count_column {
        check_count_column(&schema, c)?;
    }
    let mut keys = vec![
        group_key(by, total).alias("group"),
        period_key(date_col, period, measure.as_of).alias("period"),
    ];
    if let Some(c) = measure.count_column {
        keys.push(col(c));
    }
    keys.extend(
        explain
            .iter()
            .enumerate()
            .map(|(i, c)| text(c).alias(format!("level{i}"))),
    );
    let df = aggregate(lf, keys, explain.len(), measure.count_column)?;
    read_counts(&df, explain.len(), by.len() > 1, total)
}

/// Checks that the date column holds dates and that the `by` and `explain` columns exist.
fn check_columns(schema: &Schema, date_col: &str, by: &[String], explain: &[String]) -> Result<()> {
    match schema.get(date_col) {
        Some(DataType::Date | DataType::Datetime(_, _)) => {}
        Some(t) => bail!("column '{date_col}' holds {t}, not dates; choose one with --date-column"),
        None => bail!("the data has no column '{date_col}'; choose the date with --date-column"),
    }
    for b in by.iter().chain(explain) {
        if schema.get(b).is_none() {
            bail!("the data has no column '{b}'");
        }
    }
    Ok(())
}

/// Checks that the `--count-column` exists and holds numbers.
fn check_count_column(schema: &Schema, c: &str) -> Result<()> {
    match schema.get(c) {
        Some(t) if t.is_primitive_numeric() => Ok(()),
        Some(t) => bail!("--count-column '{c}' holds {t}, not counts"),
        None => bail!(
            "the data has no column '{c}' (--count-column); its columns: {}",
            schema
                .iter_names()
                .map(|n| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A column as text, an empty value as "(leeg)".
fn text(c: &str) -> Expr {
    col(c).cast(DataType::String).fill_null(lit("(leeg)"))
}

/// The group of a row: `total`, the one `by` column, or the levels of several joined by
/// `LEVELS` (so that outer groups can be totalled).
fn group_key(by: &[String], total: &str) -> Expr {
    match by {
        [] => lit(total.to_string()),
        [one] => text(one),
        many => concat_str(
            many.iter().map(|b| text(b)).collect::<Vec<_>>(),
            LEVELS,
            false,
        ),
    }
}

/// The period start as a day number, computed in the query so that few rows come back; rows
/// after `as_of` get a period of their own (AFTER), to be counted and named.
fn period_key(date_col: &str, period: Period, as_of: Option<NaiveDate>) -> Expr {
    let date = col(date_col).cast(DataType::Date);
    let day = date.clone().cast(DataType::Int32);
    let start = match period {
        Period::Day => day,
        // 1970-01-01 was a Thursday: (d + 3) mod 7 days since Monday.
        Period::Week => day.clone() - ((day + lit(3)) % lit(7) + lit(7)) % lit(7),
        Period::Month => date.clone().dt().month_start().cast(DataType::Int32),
    };
    match as_of {
        Some(d) => when(date.gt(lit(d))).then(lit(AFTER)).otherwise(start),
        None => start,
    }
}

/// The count per key (`n`) and the rows without a count (`missing`): the sum of the count
/// column, or the number of rows.
fn count_exprs(count_column: Option<&str>) -> (Expr, Expr) {
    match count_column {
        Some(c) => (
            col(c).cast(DataType::Float64).sum().alias("n"),
            col(c)
                .is_null()
                .sum()
                .cast(DataType::Float64)
                .alias("missing"),
        ),
        None => (
            len().cast(DataType::Float64).alias("n"),
            lit(0.0).alias("missing"),
        ),
    }
}

/// The query: the keys (group, period, [count column], levels) of every row, counted per
/// group, period and levels.
fn aggregate(
    lf: LazyFrame,
    keys: Vec<Expr>,
    levels: usize,
    count_column: Option<&str>,
) -> Result<DataFrame> {
    let (weight, missing) = count_exprs(count_column);
    let mut key_names = vec![col("group"), col("period")];
    key_names.extend((0..levels).map(|i| col(format!("level{i}"))));
    // Undated events stay in as a group of their own, so that they can be named.
    lf.select(keys)
        .group_by(key_names)
        .agg([weight, missing])
        .collect_with_engine(Engine::Streaming)
        .map(|r| r.unwrap_single())
        .map_err(anyhow::Error::from)
        .context("counting the events")
}

/// The cells of the counted frame, and the events not counted (undated, after the as-of date,
/// without a count). With `totals` (several `by` columns), each cell also counts in the totals
/// of its outer groups.
fn read_counts(df: &DataFrame, levels: usize, totals: bool, total: &str) -> Result<Counts> {
    let g = df.column("group")?.str()?;
    let p = df.column("period")?.i32()?;
    let n = df.column("n")?.f64()?;
    let missing = df.column("missing")?.f64()?;
    let levels: Vec<&StringChunked> = (0..levels)
        .map(|i| df.column(&format!("level{i}")).and_then(|c| c.str()))
        .collect::<PolarsResult<_>>()?;
    let mut cells = Vec::with_capacity(df.height());
    let (mut undated, mut after, mut no_count) = (0.0, 0.0, 0.0);
    for i in 0..df.height() {
        let (Some(g), Some(n)) = (g.get(i), n.get(i)) else {
            continue;
        };
        if p.get(i) == Some(AFTER) {
            after += n;
            continue;
        }
        no_count += missing.get(i).unwrap_or(0.0);
        let Some(day) = p.get(i).and_then(crate::dates::from_day_number) else {
            undated += n;
            continue;
        };
        let lv: Vec<String> = levels
            .iter()
            .map(|l| l.get(i).unwrap_or("").to_string())
            .collect();
        if totals {
            cells.extend(outer_totals(g, total).map(|t| (t, day, lv.clone(), n)));
        }
        cells.push((g.replace(LEVELS, " / "), day, lv, n));
    }
    Ok(Counts {
        cells,
        undated,
        after,
        no_count,
    })
}

/// Between the levels of a group of several `by` columns, until the names are shown with " / ".
const LEVELS: &str = "\u{1f}";

/// The totals a group of several levels counts in: of each outer group ("Afval / totaal",
/// "Afval / Noord / totaal") and overall ("totaal").
fn outer_totals<'a>(group: &'a str, total: &'a str) -> impl Iterator<Item = String> + 'a {
    let parts: Vec<&str> = group.split(LEVELS).collect();
    (0..parts.len()).map(move |d| match d {
        0 => total.to_string(),
        d => format!("{} / {total}", parts[..d].join(" / ")),
    })
}

/// The period number given to rows after the as-of date.
const AFTER: i32 = i32::MAX;

impl Counts {
    /// The complete series per group, from the first period of the data to the period of
    /// `to`, zeros filled in.
    pub fn series(&self, period: Period, to: NaiveDate) -> Vec<Series> {
        let mut per: BTreeMap<&str, BTreeMap<NaiveDate, f64>> = BTreeMap::new();
        for (g, d, _, n) in &self.cells {
            *per.entry(g.as_str()).or_default().entry(*d).or_default() += n;
        }
        let last = period.start(to);
        // A series starts at its own first event: weeks before a category existed (or before
        // a system was taken into use) are unknown, not zero (docs/peaks.md).
        per.into_iter()
            .filter_map(|(group, m)| Some((group, *m.keys().next()?, m)))
            .map(|(group, first, m)| {
                let (mut starts, mut counts) = (Vec::new(), Vec::new());
                let mut p = first;
                while p <= last {
                    starts.push(p);
                    counts.push(m.get(&p).copied().unwrap_or(0.0));
                    p = period.next(p);
                }
                Series {
                    group: group.to_string(),
                    starts,
                    counts,
                }
            })
            .collect()
    }

    /// The counts per group, level and period of explain column `i`.
    pub fn levels(&self, i: usize) -> LevelCounts {
        let mut out: LevelCounts = BTreeMap::new();
        for (g, d, lv, n) in &self.cells {
            *out.entry(g.clone())
                .or_default()
                .entry(lv[i].clone())
                .or_default()
                .entry(*d)
                .or_default() += n;
        }
        out
    }
}
