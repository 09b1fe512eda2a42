//! The charts of a report's sections (SVG), drawn from the tables the sections computed.

use crate::lang::Lang;
use anyhow::Result;

/// One row of a peaks table, as the chart needs it.
struct PeakRow {
    group: String,
    start: i32,
    observed: f64,
    expected: Option<f64>,
    upper: Option<f64>,
    alarm: bool,
}

/// Peaks charts: for each group with an alarm in the window (newest alarm first, at most 4; or
/// the one series when there is only one), the counts with expected value, upper bound and
/// alarms. For the council (`min_cell`), a series with a count below it is left out.
pub fn peaks_chart(
    df: &polars::prelude::DataFrame,
    title: &str,
    period: crate::analysis::peaks::Period,
    min_cell: Option<i64>,
    lang: Lang,
) -> Result<Option<String>> {
    let rows = peak_rows(df)?;
    let mut svgs = String::new();
    for g in charted_groups(&rows) {
        let series: Vec<&PeakRow> = rows.iter().filter(|r| r.group == g).collect();
        // At most the last 26 periods.
        let series = &series[series.len().saturating_sub(26)..];
        if let Some(m) = min_cell
            && series
                .iter()
                .any(|r| r.observed > 0.0 && r.observed < m as f64)
        {
            continue;
        }
        svgs.push_str(&peak_series_chart(
            series,
            &format!("{title}: {g}"),
            period,
            lang,
        )?);
    }
    Ok((!svgs.is_empty()).then_some(svgs))
}

/// The rows of a peaks table with a period start and a count, sorted by group and period.
fn peak_rows(df: &polars::prelude::DataFrame) -> Result<Vec<PeakRow>> {
    use polars::prelude::*;
    let f = |c: &str| -> Result<Vec<Option<f64>>> {
        Ok(df
            .column(c)?
            .cast(&DataType::Float64)?
            .f64()?
            .iter()
            .collect())
    };
    let (observed, expected, upper) = (f("observed")?, f("expected")?, f("upper_bound")?);
    let starts: Vec<Option<i32>> = df
        .column("period_start")?
        .cast(&DataType::Int32)?
        .i32()?
        .iter()
        .collect();
    let alarms: Vec<Option<bool>> = df.column("alarm")?.bool()?.iter().collect();
    let groups = df.column("group")?.cast(&DataType::String)?;
    let mut rows: Vec<PeakRow> = groups
        .str()?
        .iter()
        .enumerate()
        .filter_map(|(i, g)| {
            Some(PeakRow {
                group: g.unwrap_or("").to_string(),
                start: starts[i]?,
                observed: observed[i]?,
                expected: expected[i],
                upper: upper[i],
                alarm: alarms[i].unwrap_or(false),
            })
        })
        .collect();
    rows.sort_by(|a, b| (&a.group, a.start).cmp(&(&b.group, b.start)));
    Ok(rows)
}

/// The groups to chart: by their newest alarm, newest first, at most 4; without alarms the one
/// series when there is only one, else none.
fn charted_groups(rows: &[PeakRow]) -> Vec<&str> {
    let mut alarmed: Vec<(i32, &str)> = Vec::new();
    for r in rows.iter().filter(|r| r.alarm) {
        match alarmed.iter_mut().find(|(_, g)| *g == r.group) {
            Some(a) => a.0 = a.0.max(r.start),
            None => alarmed.push((r.start, &r.group)),
        }
    }
    alarmed.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let chosen: Vec<&str> = alarmed.iter().map(|a| a.1).take(4).collect();
    if !chosen.is_empty() {
        return chosen;
    }
    let mut all: Vec<&str> = rows.iter().map(|r| r.group.as_str()).collect();
    all.dedup();
    if all.len() == 1 { all } else { Vec::new() }
}

/// The chart of one series: counts, expected value, upper bound and alarms per period.
fn peak_series_chart(
    series: &[&PeakRow],
    title: &str,
    period: crate::analysis::peaks::Period,
    lang: Lang,
) -> Result<String> {
    use crate::analysis::peaks::Period;
    let nl = lang == Lang::Nl;
    let periods: Vec<String> = series
        .iter()
        .map(|r| {
            crate::dates::from_day_number(r.start)
                .map(|d| match period {
                    Period::Month => d.format("%m-%Y").to_string(),
                    _ if nl => d.format("%d-%m").to_string(),
                    _ => d.format("%m-%d").to_string(),
                })
                .unwrap_or_default()
        })
        .collect();
    let x_unit = match (period, nl) {
        (Period::Day, true) => "dag",
        (Period::Day, false) => "day",
        (Period::Week, true) => "week (maandag)",
        (Period::Week, false) => "week (Monday)",
        (Period::Month, true) => "maand",
        (Period::Month, false) => "month",
    };
    crate::render::chart::peaks(
        &crate::render::chart::PeakSeries {
            title,
            x_unit,
            y_unit: if nl { "aantal" } else { "count" },
            periods: &periods,
            observed: &series.iter().map(|r| r.observed).collect::<Vec<_>>(),
            expected: &series.iter().map(|r| r.expected).collect::<Vec<_>>(),
            upper: &series.iter().map(|r| r.upper).collect::<Vec<_>>(),
            alarm: &series.iter().map(|r| r.alarm).collect::<Vec<_>>(),
        },
        nl,
    )
}

/// A Gantt chart of a table with a name column and start and end dates.
pub fn gantt_chart(
    df: &polars::prelude::DataFrame,
    (name, start, end): (&str, &str, &str),
    title: &str,
    today: chrono::NaiveDate,
    lang: Lang,
) -> Result<Option<String>> {
    use polars::prelude::*;
    if df.height() == 0 || df.height() > 60 {
        return Ok(None);
    }
    let names = df.column(name)?.cast(&DataType::String)?;
    let day = |c: &str| -> Result<Vec<Option<i32>>> {
        Ok(df
            .column(c)?
            .cast(&DataType::Int32)?
            .i32()?
            .iter()
            .collect())
    };
    let (starts, ends) = (day(start)?, day(end)?);
    let items: Vec<(String, i32, Option<i32>)> = names
        .str()?
        .iter()
        .zip(starts.iter().zip(&ends))
        .filter_map(|(n, (s, e))| Some((n.unwrap_or("").to_string(), (*s)?, *e)))
        .collect();
    let today = crate::dates::day_number(today);
    crate::render::chart::gantt(title, &items, today, lang == Lang::Nl).map(Some)
}

/// Spend per month of an inhuur costs table (a column per month, yyyy-mm) as a line per
/// afdeling.
pub fn spend_chart(
    df: &polars::prelude::DataFrame,
    title: &str,
    lang: Lang,
) -> Result<Option<String>> {
    use polars::prelude::*;
    let months: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .filter(|c| {
            let b = c.as_bytes();
            b.len() == 7 && b[4] == b'-' && c.chars().filter(|ch| ch.is_ascii_digit()).count() == 6
        })
        .collect();
    if df.height() == 0 || df.height() > 9 || months.is_empty() {
        return Ok(None);
    }
    let names = df.column("afdeling")?.cast(&DataType::String)?;
    let mut series: Vec<(String, Vec<f64>)> = names
        .str()?
        .iter()
        .map(|n| (n.unwrap_or("").to_string(), Vec::new()))
        .collect();
    for m in &months {
        for (k, v) in df
            .column(m)?
            .cast(&DataType::Float64)?
            .f64()?
            .iter()
            .enumerate()
        {
            series[k].1.push(v.unwrap_or(0.0));
        }
    }
    let nl = lang == Lang::Nl;
    let labels: Vec<String> = months
        .iter()
        .map(|m| {
            if nl {
                format!("{}-{}", &m[5..], &m[..4])
            } else {
                m.clone()
            }
        })
        .collect();
    let (x, y) = if nl {
        ("maand", "EUR")
    } else {
        ("month", "EUR")
    };
    crate::render::chart::lines(title, x, y, &labels, &series, nl).map(Some)
}

/// Weekly inflow, outflow and backlog of a flow table as lines.
pub fn flow_chart(
    df: &polars::prelude::DataFrame,
    title: &str,
    lang: Lang,
) -> Result<Option<String>> {
    use polars::prelude::*;
    if df.height() == 0 {
        return Ok(None);
    }
    let weeks: Vec<String> = df
        .column("week")?
        .str()?
        .iter()
        .map(|w| w.unwrap_or("").rsplit('-').next().unwrap_or("").to_string())
        .collect();
    let values = |c: &str| -> Result<Vec<f64>> {
        Ok(df
            .column(c)?
            .cast(&DataType::Float64)?
            .f64()?
            .iter()
            .map(|v| v.unwrap_or(0.0))
            .collect())
    };
    let nl = lang == Lang::Nl;
    let names = if nl {
        ["instroom", "uitstroom", "werkvoorraad"]
    } else {
        ["inflow", "outflow", "backlog"]
    };
    let series = vec![
        (names[0].to_string(), values("inflow")?),
        (names[1].to_string(), values("outflow")?),
        (names[2].to_string(), values("backlog")?),
    ];
    let (x, y) = if nl {
        ("week", "zaken")
    } else {
        ("week", "cases")
    };
    crate::render::chart::lines(title, x, y, &weeks, &series, nl).map(Some)
}

/// The Kaplan-Meier curves of a survival table (group, time, survival) as a step chart.
pub fn km_chart(
    df: &polars::prelude::DataFrame,
    title: &str,
    lang: Lang,
) -> Result<Option<String>> {
    use polars::prelude::*;
    if df.height() == 0 {
        return Ok(None);
    }
    let group = df.column("group")?.str()?;
    let time = df.column("time")?.cast(&DataType::Float64)?;
    let surv = df.column("survival")?.cast(&DataType::Float64)?;
    let (time, surv) = (time.f64()?, surv.f64()?);
    let mut curves: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    for i in 0..df.height() {
        let (Some(g), Some(t), Some(v)) = (group.get(i), time.get(i), surv.get(i)) else {
            continue;
        };
        if curves.last().is_none_or(|c| c.0 != g) {
            curves.push((g.to_string(), Vec::new()));
        }
        curves.last_mut().expect("pushed").1.push((t, v));
    }
    let nl = lang == Lang::Nl;
    let (x, y) = if nl {
        ("dagen sinds de start", "nog wachtend")
    } else {
        ("days since the start", "still waiting")
    };
    crate::render::chart::steps(title, x, y, &curves, nl).map(Some)
}

/// A bar chart for a table with one text column and one numeric column (a measure over
/// categories), up to 40 rows; `None` for other tables.
pub fn bar_chart(
    df: &polars::prelude::DataFrame,
    title: &str,
    labels: crate::render::Labels,
    lang: Lang,
) -> Result<Option<String>> {
    use polars::prelude::*;
    let text: Vec<&Column> = df
        .columns()
        .iter()
        .filter(|c| c.dtype() == &DataType::String)
        .collect();
    let nums: Vec<&Column> = df
        .columns()
        .iter()
        .filter(|c| c.dtype().is_primitive_numeric())
        .collect();
    if text.len() != 1 || nums.len() != 1 || df.height() == 0 || df.height() > 40 {
        return Ok(None);
    }
    let cats: Vec<String> = text[0]
        .str()?
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect();
    let vals: Vec<f64> = nums[0]
        .cast(&DataType::Float64)?
        .f64()?
        .iter()
        .map(|v| v.unwrap_or(0.0))
        .collect();
    let name = nums[0].name().as_str();
    let unit = labels
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, nl, en)| if lang == Lang::Nl { *nl } else { *en })
        .unwrap_or(name);
    crate::render::chart::bars(title, unit, &cats, &vals, lang == Lang::Nl).map(Some)
}
