//! Reports: a TOML spec (docs/report.md) names a title, an audience, a period and sections;
//! the runner computes each section with the same code and options as its subcommand and
//! writes one Markdown document plus a CSV (Dutch Excel) per table, each file atomically.

use crate::cli::Global;
use crate::cmd::{self, Table};
use crate::lang::Lang;
use crate::render::{Format, Output};
use crate::warehouse::Warehouse;
use anyhow::{Context, Result, bail};
use chrono::{Datelike, NaiveDate};
use clap::Parser;
use serde::Deserialize;
use std::path::{Path, PathBuf};

mod html;
mod suppress;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The base of the file names: `<name>-<period>.md`.
    pub name: String,
    pub title: String,
    #[serde(default)]
    pub audience: Audience,
    pub period: PeriodKind,
    #[serde(default)]
    pub language: Language,
    #[serde(default)]
    pub privacy: Privacy,
    /// Also one Excel workbook with a sheet per table.
    #[serde(default)]
    pub xlsx: bool,
    /// An ingest plan (relative to the spec) to load into a temporary warehouse first, so
    /// that the report runs end to end on exports (the README's example).
    #[serde(default)]
    pub inlezen: Option<PathBuf>,
    #[serde(rename = "section", default)]
    pub sections: Vec<SectionSpec>,
}

/// Publication safety: for audience `raad`, counts below `min_cell` are hidden.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Privacy {
    #[serde(default = "default_min_cell")]
    pub min_cell: i64,
}

fn default_min_cell() -> i64 {
    5
}

impl Default for Privacy {
    fn default() -> Self {
        Privacy { min_cell: 5 }
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    #[default]
    Management,
    Raad,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodKind {
    Week,
    Month,
    Quarter,
    Year,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Nl,
    En,
}

/// One section: its type, a heading, and the options of its subcommand (as in
/// `datastroom waitlist --preset jeugd --section by --by team`: `preset = "jeugd"`, ...).
#[derive(Debug, Deserialize)]
pub struct SectionSpec {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub title: Option<String>,
    /// For `text`: Markdown. For `sql`: the caption under the table.
    #[serde(default)]
    pub text: Option<String>,
    /// For `sql`: the query.
    #[serde(default)]
    pub query: Option<String>,
    /// `chart = false`: the table without its chart.
    #[serde(default = "yes")]
    pub chart: bool,
    /// Waiting-list tables: `kolommen = "alle"` shows every column; by default the report
    /// shows the core ones (zaken, open, past the term, % within the term, median, 90%) and
    /// the CSV has them all.
    #[serde(default, rename = "kolommen", alias = "columns")]
    pub columns: Option<String>,
    #[serde(flatten)]
    pub options: toml::Table,
}

fn yes() -> bool {
    true
}

/// The first day of the period that ends on `end`.
pub fn period_start(kind: PeriodKind, end: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    let first = |m: u32| NaiveDate::from_ymd_opt(end.year(), m, 1).unwrap_or(end);
    match kind {
        PeriodKind::Week => end - chrono::Duration::days(6),
        PeriodKind::Month => first(end.month()),
        PeriodKind::Quarter => first((end.month() - 1) / 3 * 3 + 1),
        PeriodKind::Year => first(1),
    }
}

/// The last complete period on or before `as_of`: its label and last day.
pub fn last_complete(kind: PeriodKind, as_of: NaiveDate) -> (String, NaiveDate) {
    let next = as_of.succ_opt().unwrap_or(as_of);
    match kind {
        PeriodKind::Week => {
            let end = next
                - chrono::Duration::days(next.weekday().num_days_from_monday().into())
                - chrono::Duration::days(1);
            let w = end.iso_week();
            (format!("{}-W{:02}", w.year(), w.week()), end)
        }
        PeriodKind::Month => {
            let end = next.with_day(1).expect("day 1") - chrono::Duration::days(1);
            (end.format("%Y-%m").to_string(), end)
        }
        PeriodKind::Quarter => {
            let first_month = (next.month0() / 3) * 3 + 1;
            let start = NaiveDate::from_ymd_opt(next.year(), first_month, 1).expect("a quarter");
            let end = start - chrono::Duration::days(1);
            (format!("{}-Q{}", end.year(), end.month0() / 3 + 1), end)
        }
        PeriodKind::Year => {
            let start = NaiveDate::from_ymd_opt(next.year(), 1, 1).expect("1 January");
            let end = start - chrono::Duration::days(1);
            (end.year().to_string(), end)
        }
    }
}

#[derive(Parser)]
struct IngestArgs {
    #[command(flatten)]
    args: cmd::ingest::Args,
}

#[derive(Parser)]
struct WaitlistArgs {
    #[command(flatten)]
    args: cmd::waitlist::Args,
}

#[derive(Parser)]
struct InhuurArgs {
    #[command(flatten)]
    args: cmd::inhuur::Args,
}

#[derive(Parser)]
struct PeaksArgs {
    #[command(flatten)]
    args: cmd::peaks::Args,
}

/// A section's options as command-line arguments: `by = "team"` -> `--by team`, `all = true`
/// -> `--all`, lists joined by commas.
fn argv(options: &toml::Table) -> Result<Vec<String>> {
    let mut out = vec!["section".to_string()];
    for (k, v) in options {
        let flag = format!("--{}", k.replace('_', "-"));
        match v {
            toml::Value::Boolean(true) => out.push(flag),
            toml::Value::Boolean(false) => {}
            toml::Value::String(s) => out.extend([flag, s.clone()]),
            toml::Value::Integer(i) => out.extend([flag, i.to_string()]),
            toml::Value::Float(f) => out.extend([flag, f.to_string()]),
            toml::Value::Array(a) => {
                let items: Vec<String> = a
                    .iter()
                    .map(|x| match x {
                        toml::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect();
                out.extend([flag, items.join(",")]);
            }
            other => bail!("option {k} = {other}: give a text, number, true/false or a list"),
        }
    }
    Ok(out)
}

/// Computes one section as a table (or Markdown text).
fn section(
    s: &SectionSpec,
    global: &Global,
    start: NaiveDate,
    min_cell: Option<i64>,
) -> Result<Section> {
    let parse_err = |e: clap::Error| anyhow::anyhow!("{}", e.render().to_string().trim());
    Ok(match s.kind.as_str() {
        "text" => Section::Text(s.text.clone().unwrap_or_default()),
        "sql" => {
            let query = s
                .query
                .as_deref()
                .context("a sql section needs query = \"SELECT ...\"")?;
            // {start} and {end}: the first and last day of the report's period.
            let day = |d: NaiveDate| format!("DATE('{}')", d.format("%Y-%m-%d"));
            let end = global.as_of.context("the period's last day")?;
            let query = query
                .replace("{start}", &day(start))
                .replace("{end}", &day(end));
            let mut df = cmd::sql::query(&query, Default::default(), global)?;
            // Without ORDER BY the order of the rows is not fixed; the report's must be.
            let words: Vec<String> = query.split_whitespace().map(|w| w.to_lowercase()).collect();
            let ordered = words.windows(2).any(|w| w[0] == "order" && w[1] == "by");
            if !ordered && df.width() > 0 {
                let names: Vec<String> = df
                    .get_column_names()
                    .iter()
                    .map(|n| n.to_string())
                    .collect();
                df = df.sort(names, Default::default())?;
            }
            Section::Table(
                Table {
                    df,
                    note: s.text.clone().unwrap_or_default(),
                    labels: &[],
                    money: Vec::new(),
                },
                None,
            )
        }
        "waitlist" => {
            let a = WaitlistArgs::try_parse_from(argv(&s.options)?).map_err(parse_err)?;
            let table = cmd::waitlist::table(&a.args, global)?;
            // Summaries get their Kaplan-Meier curves as a chart.
            let chart = match a.args.section {
                // Each step of a curve is the number decided on one day: not for the council.
                cmd::waitlist::Section::Summary | cmd::waitlist::Section::By
                    if min_cell.is_some() =>
                {
                    None
                }
                cmd::waitlist::Section::Summary | cmd::waitlist::Section::By => {
                    let mut curve_args = WaitlistArgs::try_parse_from(argv(&s.options)?)
                        .map_err(parse_err)?
                        .args;
                    curve_args.section = cmd::waitlist::Section::Survival;
                    // Its warnings were given by the table already.
                    let quiet = Global {
                        quiet: true,
                        ..global.clone()
                    };
                    let curves = cmd::waitlist::table(&curve_args, &quiet)?;
                    km_chart(
                        &curves.df,
                        s.title.as_deref().unwrap_or("Wachttijd"),
                        global.lang,
                    )?
                }
                cmd::waitlist::Section::Flow => flow_chart(
                    &table.df,
                    s.title.as_deref().unwrap_or("Werkvoorraad"),
                    global.lang,
                )?,
                _ => None,
            };
            Section::Table(table, chart)
        }
        "inhuur" => {
            let a = InhuurArgs::try_parse_from(argv(&s.options)?).map_err(parse_err)?;
            let table = cmd::inhuur::table(&a.args, global)?;
            let chart = match a.args.section {
                cmd::inhuur::Section::Costs => spend_chart(
                    &table.df,
                    s.title.as_deref().unwrap_or("Kosten per maand"),
                    global.lang,
                )?,
                cmd::inhuur::Section::Timeline => gantt_chart(
                    &table.df,
                    ("contract_id", "start", "end"),
                    s.title.as_deref().unwrap_or("Contracten"),
                    global,
                )?,
                _ => None,
            };
            Section::Table(table, chart)
        }
        "peaks" => {
            let a = PeaksArgs::try_parse_from(argv(&s.options)?).map_err(parse_err)?;
            let table = cmd::peaks::table(&a.args, global)?;
            let chart = if a.args.what.is_none() && a.args.forecast.is_none() && !a.args.correlate {
                // Every judged period of the window, not only the alarms, without drivers.
                let mut all = PeaksArgs::try_parse_from(argv(&s.options)?)
                    .map_err(parse_err)?
                    .args;
                let as_of = global
                    .as_of
                    .unwrap_or_else(|| chrono::Local::now().date_naive());
                all.from = Some(cmd::peaks::window(&all, as_of).0);
                all.all = true;
                all.explain = vec!["none".into()];
                all.weather = None;
                let quiet = Global {
                    quiet: true,
                    ..global.clone()
                };
                let judged = cmd::peaks::table(&all, &quiet)?;
                peaks_chart(
                    &judged.df,
                    s.title.as_deref().unwrap_or("Pieken"),
                    all.period,
                    min_cell,
                    global.lang,
                )?
            } else {
                None
            };
            Section::Table(table, chart)
        }
        "timeline" => {
            let table = timeline(&s.options, global)?;
            let chart = gantt_chart(
                &table.df,
                ("name", "start", "end"),
                s.title.as_deref().unwrap_or("Tijdlijn"),
                global,
            )?;
            Section::Table(table, chart)
        }
        other => bail!(
            "unknown section type '{other}'; known: text, sql, waitlist, inhuur, peaks, timeline"
        ),
    })
}

enum Section {
    Text(String),
    /// A table and, for some sections, a chart of their own (SVG).
    Table(Table, Option<String>),
}

/// Peaks charts: for each group with an alarm in the window (newest alarm first, at most 4; or
/// the one series when there is only one), the counts with expected value, upper bound and
/// alarms. For the council (`min_cell`), a series with a count below it is left out.
fn peaks_chart(
    df: &polars::prelude::DataFrame,
    title: &str,
    period: crate::analysis::peaks::Period,
    min_cell: Option<i64>,
    lang: Lang,
) -> Result<Option<String>> {
    use crate::analysis::peaks::Period;
    use polars::prelude::*;
    struct Row {
        group: String,
        start: i32,
        observed: f64,
        expected: Option<f64>,
        upper: Option<f64>,
        alarm: bool,
    }
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
    let mut rows: Vec<Row> = groups
        .str()?
        .iter()
        .enumerate()
        .filter_map(|(i, g)| {
            Some(Row {
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
    // Groups by their newest alarm, newest first.
    let mut alarmed: Vec<(i32, &str)> = Vec::new();
    for r in rows.iter().filter(|r| r.alarm) {
        match alarmed.iter_mut().find(|(_, g)| *g == r.group) {
            Some(a) => a.0 = a.0.max(r.start),
            None => alarmed.push((r.start, &r.group)),
        }
    }
    alarmed.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let mut chosen: Vec<&str> = alarmed.iter().map(|a| a.1).take(4).collect();
    if chosen.is_empty() {
        let mut all: Vec<&str> = rows.iter().map(|r| r.group.as_str()).collect();
        all.dedup();
        if all.len() == 1 {
            chosen = all;
        }
    }
    let nl = lang == Lang::Nl;
    let mut svgs = String::new();
    for g in chosen {
        let series: Vec<&Row> = rows.iter().filter(|r| r.group == g).collect();
        // At most the last 26 periods.
        let series = &series[series.len().saturating_sub(26)..];
        if let Some(m) = min_cell
            && series
                .iter()
                .any(|r| r.observed > 0.0 && r.observed < m as f64)
        {
            continue;
        }
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
        let chart_title = format!("{title}: {g}");
        svgs.push_str(&crate::render::chart::peaks(
            &crate::render::chart::PeakSeries {
                title: &chart_title,
                x_unit,
                y_unit: if nl { "aantal" } else { "count" },
                periods: &periods,
                observed: &series.iter().map(|r| r.observed).collect::<Vec<_>>(),
                expected: &series.iter().map(|r| r.expected).collect::<Vec<_>>(),
                upper: &series.iter().map(|r| r.upper).collect::<Vec<_>>(),
                alarm: &series.iter().map(|r| r.alarm).collect::<Vec<_>>(),
            },
            nl,
        )?);
    }
    Ok((!svgs.is_empty()).then_some(svgs))
}

/// What a council report must never show: the columns that hold people (employee names,
/// pseudonyms) in any dataset of the warehouse, and the employee names themselves.
struct People {
    columns: std::collections::BTreeSet<String>,
    names: std::collections::BTreeSet<String>,
}

impl People {
    fn of(wh: &Warehouse) -> Result<People> {
        use crate::schema::Privacy;
        use polars::prelude::*;
        let mut columns = std::collections::BTreeSet::new();
        let mut names = std::collections::BTreeSet::new();
        for (dataset, entry) in &wh.catalog.datasets {
            for c in &entry.columns {
                if c.privacy == Privacy::None {
                    continue;
                }
                columns.insert(c.name.clone());
                if c.privacy == Privacy::Employee {
                    let df = wh
                        .scan(dataset)?
                        .select([col(c.name.as_str()).cast(DataType::String).unique()])
                        .collect()?;
                    names.extend(
                        df.column(&c.name)?
                            .str()?
                            .iter()
                            .flatten()
                            .filter(|v| !v.trim().is_empty())
                            .map(String::from),
                    );
                }
            }
        }
        Ok(People { columns, names })
    }

    /// Sections that list people or cases one by one, or group by a person.
    fn refuse_section(&self, s: &SectionSpec) -> Result<()> {
        let text = |k: &str| s.options.get(k).and_then(|v| v.as_str());
        for (option, value) in &s.options {
            // Lists may also be written "wet,consulent", as on the command line.
            let values: Vec<&str> = match value {
                toml::Value::String(v) => v.split(',').map(str::trim).collect(),
                toml::Value::Array(a) => a
                    .iter()
                    .filter_map(|v| v.as_str())
                    .flat_map(|v| v.split(',').map(str::trim))
                    .collect(),
                _ => Vec::new(),
            };
            if let Some(v) = values.iter().find(|v| self.columns.contains(**v)) {
                bail!(
                    "{option} = \"{v}\": figures per employee (or per pseudonymised person) \
                     are for managers; a report with audience = \"raad\" cannot have them"
                );
            }
        }
        if s.options.contains_key("allow_employee_names") || s.options.contains_key("show_personal")
        {
            bail!(
                "allow_employee_names and show_personal are for managers; a report with \
                 audience = \"raad\" cannot have them"
            );
        }
        // A sql section's query is checked column by column when it runs (src/sqlguard.rs).
        let per_case = match (s.kind.as_str(), text("section")) {
            ("waitlist", Some("open")) => Some("one row per open case"),
            ("waitlist", Some("survival")) => {
                Some("each day a decision fell, with the number of cases (a Kaplan-Meier table)")
            }
            ("timeline", _) if text("dataset") == Some("inhuur_contracten") => {
                Some("one row per contract, and so per hired person")
            }
            ("inhuur", Some("findings" | "timeline")) => {
                Some("one row per contract, and so per hired person")
            }
            _ => None,
        };
        if let Some(why) = per_case {
            bail!(
                "section = \"{}\" lists {why}; a report with audience = \"raad\" shows figures \
                 over groups (for example section = \"summary\" or \"by\", or \"costs\")",
                text("section").unwrap_or_default()
            );
        }
        Ok(())
    }

    /// Whether a text holds an employee's name: the whole text, or a name of four or more
    /// characters as a word in it ("Jeugd / K. Visser", "K. VISSER").
    fn names_in(&self, text: &str) -> bool {
        let lower = text.to_lowercase();
        self.names.iter().any(|name| {
            let name = name.to_lowercase();
            if lower == name {
                return true;
            }
            name.chars().count() >= 4
                && lower.match_indices(&name).any(|(k, _)| {
                    let before = lower[..k].chars().next_back();
                    let after = lower[k + name.len()..].chars().next();
                    !before.is_some_and(char::is_alphanumeric)
                        && !after.is_some_and(char::is_alphanumeric)
                })
        })
    }

    /// A table with a person's column or an employee's name in it.
    fn refuse_table(&self, df: &polars::prelude::DataFrame) -> Result<()> {
        use polars::prelude::*;
        for c in df.columns() {
            if self.columns.contains(c.name().as_str()) {
                bail!(
                    "the table has the column '{}', which holds people; a report with \
                     audience = \"raad\" cannot show it",
                    c.name()
                );
            }
            if c.dtype() == &DataType::String
                && let Some(v) = c.str()?.iter().flatten().find(|v| self.names_in(v))
            {
                bail!(
                    "column '{}' holds an employee's name ('{v}'); a report with \
                     audience = \"raad\" cannot show employee names",
                    c.name()
                );
            }
        }
        Ok(())
    }
}

/// A Gantt chart of a table with a name column and start and end dates.
fn gantt_chart(
    df: &polars::prelude::DataFrame,
    (name, start, end): (&str, &str, &str),
    title: &str,
    global: &Global,
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
    let today = global
        .as_of
        .map(crate::dates::day_number)
        .unwrap_or_else(|| crate::dates::day_number(chrono::Local::now().date_naive()));
    crate::render::chart::gantt(title, &items, today, global.lang == Lang::Nl).map(Some)
}

/// Spend per month of an inhuur costs table (a column per month, yyyy-mm) as a line per
/// afdeling.
fn spend_chart(df: &polars::prelude::DataFrame, title: &str, lang: Lang) -> Result<Option<String>> {
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
fn flow_chart(df: &polars::prelude::DataFrame, title: &str, lang: Lang) -> Result<Option<String>> {
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
fn km_chart(df: &polars::prelude::DataFrame, title: &str, lang: Lang) -> Result<Option<String>> {
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
fn bar_chart(
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

/// Words in a status that mean "done".
const DONE: [&str; 6] = [
    "afgerond",
    "gereed",
    "klaar",
    "opgeleverd",
    "closed",
    "done",
];

/// A status that says the item is done: one of the DONE words, and no "niet", "nog", "not" or
/// "bijna" ("Niet gereed", "nog niet afgerond" are not done).
fn status_done(status: &str) -> bool {
    let lower = status.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.iter().any(|w| DONE.contains(w))
        && !words
            .iter()
            .any(|w| ["niet", "nog", "not", "bijna", "half"].contains(w))
}

/// A timeline of any dataset with a start, an end and a status (projects by default): one row
/// per item, by start, with its state on the as-of date. Options: `dataset` (projecten), `id`
/// (project_id), `name` (naam), `start` (startdatum), `end` (einddatum), `status` (status).
fn timeline(options: &toml::Table, global: &Global) -> Result<Table> {
    use polars::prelude::*;
    let opt = |k: &str, default: &str| -> String {
        options
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or(default)
            .to_string()
    };
    for k in options.keys() {
        if !["dataset", "id", "name", "start", "end", "status"].contains(&k.as_str()) {
            bail!("timeline: unknown option '{k}'; known: dataset, id, name, start, end, status");
        }
    }
    let (dataset, id, name) = (
        opt("dataset", "projecten"),
        opt("id", "project_id"),
        opt("name", "naam"),
    );
    let (start, end, status) = (
        opt("start", "startdatum"),
        opt("end", "einddatum"),
        opt("status", "status"),
    );
    let as_of = global
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let wh = Warehouse::open(&global.warehouse)?;
    let mut lf = wh.scan(&dataset)?;
    let schema = lf.collect_schema().map_err(anyhow::Error::from)?;
    for c in [&id, &name, &start, &end] {
        if schema.get(c).is_none() {
            bail!("timeline: the dataset {dataset} has no column '{c}'");
        }
    }
    let status_expr = if schema.get(&status).is_some() {
        col(status.as_str()).cast(DataType::String)
    } else {
        lit(NULL).cast(DataType::String)
    };
    let df = lf
        .select([
            col(id.as_str()).cast(DataType::String).alias("id"),
            col(name.as_str()).cast(DataType::String).alias("name"),
            col(start.as_str()).cast(DataType::Date).alias("start"),
            col(end.as_str()).cast(DataType::Date).alias("end"),
            status_expr.alias("status"),
        ])
        .sort(["start", "id"], SortMultipleOptions::default())
        .collect()?;
    let nl = global.lang == Lang::Nl;
    let day = |c: &str| -> Result<Vec<Option<NaiveDate>>> {
        Ok(df
            .column(c)?
            .cast(&DataType::Int32)?
            .i32()?
            .iter()
            .map(|v| v.and_then(crate::dates::from_day_number))
            .collect())
    };
    let (starts, ends) = (day("start")?, day("end")?);
    let statuses: Vec<Option<String>> = df
        .column("status")?
        .str()?
        .iter()
        .map(|v| v.map(String::from))
        .collect();
    let state: Vec<&str> = (0..df.height())
        .map(|i| {
            let done = statuses[i].as_deref().is_some_and(status_done);
            let (future, overdue) = (
                starts[i].is_some_and(|s| s > as_of),
                ends[i].is_some_and(|e| e < as_of),
            );
            match (done, future, overdue, nl) {
                (true, _, _, true) => "afgerond",
                (true, _, _, false) => "done",
                (_, true, _, true) => "gepland",
                (_, true, _, false) => "planned",
                (_, _, true, true) => "over de einddatum",
                (_, _, true, false) => "past its end date",
                (_, _, _, true) => "lopend",
                (_, _, _, false) => "running",
            }
        })
        .collect();
    let mut df = df;
    df.with_column(Column::new("state".into(), state))?;
    Ok(Table {
        df,
        note: if nl {
            format!(
                "Stand op {}: afgerond volgens de status, gepland (start later), over de \
                 einddatum (niet afgerond en de einddatum voorbij) of lopend.",
                as_of.format("%d-%m-%Y")
            )
        } else {
            format!(
                "State on {}: done by its status, planned (starts later), past its end date \
                 (not done, end date passed) or running.",
                as_of.format("%Y-%m-%d")
            )
        },
        labels: &[
            ("id", "nummer", "id"),
            ("name", "naam", "name"),
            ("start", "start", "start"),
            ("end", "einde", "end"),
            ("status", "status", "status"),
            ("state", "stand", "state"),
        ],
        money: Vec::new(),
    })
}

/// Per dataset: the last ingest (date) and the latest date in its records.
/// The datasets the sections read: a section's `dataset` (`contracts`, `invoices`) option or its
/// type's default, and for SQL every dataset named in the query.
fn used_datasets(spec: &Spec, wh: &Warehouse) -> std::collections::BTreeSet<String> {
    let mut used = std::collections::BTreeSet::new();
    for s in &spec.sections {
        let opt = |k: &str, default: &str| -> Option<String> {
            match s.options.get(k) {
                Some(v) => v.as_str().map(String::from),
                None if s.options.contains_key("input") => None,
                None => Some(default.to_string()),
            }
        };
        let names: Vec<Option<String>> = match s.kind.as_str() {
            "waitlist" => vec![opt("dataset", "zaken_sociaal")],
            "peaks" => vec![opt("dataset", "meldingen")],
            "timeline" => vec![opt("dataset", "projecten")],
            "inhuur" => vec![
                opt("contracts", "inhuur_contracten"),
                opt("invoices", "inhuur_facturen"),
            ],
            "sql" => {
                let q = s.query.as_deref().unwrap_or("").to_lowercase();
                let words: std::collections::BTreeSet<&str> = q
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .collect();
                wh.catalog
                    .datasets
                    .keys()
                    .filter(|d| words.contains(d.to_lowercase().as_str()))
                    .map(|d| Some(d.clone()))
                    .collect()
            }
            _ => Vec::new(),
        };
        used.extend(
            names
                .into_iter()
                .flatten()
                .filter(|n| wh.catalog.datasets.contains_key(n)),
        );
    }
    used
}

/// Per dataset the reports reads: its last ingest ("bij dit rapport" when the report loaded the
/// exports itself) and the latest date in its records, not counting dates that lie ahead by
/// nature (end dates, valid-until dates).
fn data_dates(
    wh: &Warehouse,
    used: &std::collections::BTreeSet<String>,
    loaded_here: bool,
    nl: bool,
) -> Result<Vec<(String, String, String)>> {
    use polars::prelude::*;
    let mut out = Vec::new();
    for (name, entry) in wh
        .catalog
        .datasets
        .iter()
        .filter(|(n, _)| used.contains(*n))
    {
        let last_ingest = match (loaded_here, nl) {
            (true, true) => "bij het maken van dit rapport".to_string(),
            (true, false) => "when this report was made".to_string(),
            (false, _) => entry
                .ingests
                .last()
                .map(|i| i.time.chars().take(10).collect::<String>())
                .unwrap_or_default(),
        };
        let date_cols: Vec<Expr> = entry
            .columns
            .iter()
            .filter(|c| {
                matches!(
                    c.kind,
                    crate::schema::Kind::Date | crate::schema::Kind::Datetime
                ) && !["einddatum", "geldig_tot", "periode_tot"].contains(&c.name.as_str())
            })
            .map(|c| {
                col(c.name.as_str())
                    .cast(DataType::Date)
                    .cast(DataType::Int32)
                    .max()
            })
            .collect();
        let latest = if date_cols.is_empty() {
            String::new()
        } else {
            let df = wh.scan(name)?.select(date_cols).collect()?;
            let max = df
                .columns()
                .iter()
                .filter_map(|c| c.i32().ok().and_then(|v| v.get(0)))
                .max();
            max.and_then(crate::dates::from_day_number)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        };
        out.push((name.clone(), last_ingest, latest));
    }
    Ok(out)
}

/// Writes the report into `out_dir`; returns the paths written.
pub fn run(spec_path: &Path, out_dir: &Path, global: &Global) -> Result<Vec<PathBuf>> {
    let spec: Spec = crate::source::read_toml(spec_path, "report spec", "See docs/report.md")?;
    check_name(&spec.name)?;
    let as_of = global
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let (label, end) = last_complete(spec.period, as_of);
    let start = period_start(spec.period, end);
    let lang = match spec.language {
        Language::Nl => Lang::Nl,
        Language::En => Lang::En,
    };
    // With `inlezen`, the exports are loaded into a temporary warehouse first.
    let temp = match &spec.inlezen {
        Some(plan) => {
            let plan = spec_path.parent().unwrap_or(Path::new(".")).join(plan);
            let dir = tempfile::tempdir().context("creating a temporary warehouse")?;
            let ingest_global = Global {
                warehouse: dir.path().join("warehouse"),
                format: Some(Format::Csv),
                output: Some(dir.path().join("ingest.csv")),
                as_of: None,
                quiet: true,
                lang: Lang::Nl,
                publish_min_cell: None,
            };
            let plan_arg = plan.to_string_lossy().into_owned();
            let a = IngestArgs::try_parse_from(["ingest", "--plan", plan_arg.as_str()])
                .map_err(|e| anyhow::anyhow!("{}", e.render().to_string().trim()))?;
            let summaries = cmd::ingest::summaries(&a.args, &ingest_global)
                .with_context(|| format!("ingesting with the plan {}", plan.display()))?;
            let rejected: Vec<String> = summaries
                .iter()
                .filter(|s| s.rejected > 0)
                .map(|s| {
                    let file = s.file.file_name().unwrap_or_default().to_string_lossy();
                    format!("{file} {} van {}", s.rejected, s.read)
                })
                .collect();
            if !rejected.is_empty() && !global.quiet {
                let total: u64 = summaries.iter().map(|s| s.rejected).sum();
                eprintln!(
                    "datastroom: let op: bij het inlezen ({}) zijn {total} rijen afgekeurd: {}; \
                     de rapportage telt ze niet mee. Bekijk ze met `datastroom ingest --plan` en \
                     `datastroom datasets rejects NAME`",
                    plan.display(),
                    rejected.join(", ")
                );
            }
            Some(dir)
        }
        None => None,
    };
    let warehouse = match &temp {
        Some(dir) => dir.path().join("warehouse"),
        None => global.warehouse.clone(),
    };
    let section_global = Global {
        warehouse: warehouse.clone(),
        format: Some(Format::Markdown),
        output: None,
        as_of: Some(end),
        // The sections' own warnings (cases left out, ...) go to stderr as the report's.
        quiet: global.quiet,
        lang,
        publish_min_cell: (spec.audience == Audience::Raad).then_some(spec.privacy.min_cell),
    };
    let wh = Warehouse::open(&warehouse)?;
    let nl = lang == Lang::Nl;
    let mut md = format!(
        "# {}\n\n{} {label} ({} {}), {}: {}.\n\n",
        spec.title,
        if nl { "Periode" } else { "Period" },
        if nl { "t/m" } else { "to" },
        end.format(if nl { "%d-%m-%Y" } else { "%Y-%m-%d" }),
        if nl { "publiek" } else { "audience" },
        match (spec.audience, nl) {
            (Audience::Management, true) => "management",
            (Audience::Raad, true) => "gemeenteraad",
            (Audience::Management, false) => "management",
            (Audience::Raad, false) => "council",
        }
    );
    md.push_str(if nl {
        "## Stand van de gegevens\n\n| dataset | laatst ingelezen | laatste datum in de gegevens |\n| --- | --- | --- |\n"
    } else {
        "## Data as of\n\n| dataset | last ingest | latest date in the data |\n| --- | --- | --- |\n"
    });
    let used = used_datasets(&spec, &wh);
    for (name, ingest, latest) in data_dates(&wh, &used, temp.is_some(), nl)? {
        md.push_str(&format!("| {name} | {ingest} | {latest} |\n"));
    }
    md.push('\n');
    let people = match spec.audience {
        Audience::Raad => Some(People::of(&wh)?),
        Audience::Management => None,
    };
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("creating the folder {}", out_dir.display()))?;
    let mut written = Vec::new();
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let mut sheets: Vec<(String, polars::prelude::DataFrame, Output)> = Vec::new();
    let mut charts: Vec<String> = Vec::new();
    for (i, s) in spec.sections.iter().enumerate() {
        if let Some(t) = &s.title {
            md.push_str(&format!("## {t}\n\n"));
        }
        if let (Audience::Raad, Some(people)) = (spec.audience, &people) {
            people
                .refuse_section(s)
                .with_context(|| format!("section {} ({})", i + 1, s.kind))?;
        }
        let raad_min_cell = (spec.audience == Audience::Raad).then_some(spec.privacy.min_cell);
        let computed = section(s, &section_global, start, raad_min_cell)
            .with_context(|| format!("section {} ({})", i + 1, s.kind))?;
        if let (Section::Table(t, _), Some(people)) = (&computed, &people) {
            people
                .refuse_table(&t.df)
                .with_context(|| format!("section {} ({})", i + 1, s.kind))?;
        }
        match computed {
            Section::Text(t) => {
                md.push_str(t.trim());
                md.push_str("\n\n");
            }
            Section::Table(mut t, mut own_chart) => {
                if spec.audience == Audience::Raad {
                    // The column naming the rows: a known one, or the first text column (a
                    // SQL table's GROUP BY column), where a total row may say "totaal".
                    let first_text =
                        t.df.columns()
                            .iter()
                            .find(|c| c.dtype() == &polars::prelude::DataType::String)
                            .map(|c| c.name().to_string());
                    let group = ["group", "leverancier", "afdeling", "wet"]
                        .into_iter()
                        .find(|c| t.df.column(c).is_ok())
                        .or(first_text.as_deref());
                    let total = if nl { "totaal" } else { "total" };
                    let size = t.df.column("n").is_ok().then_some("n");
                    let s =
                        suppress::suppress(&t.df, nl, spec.privacy.min_cell, group, total, size)?;
                    if s.hidden > 0 {
                        // Curves of groups this small would show what the table hides.
                        own_chart = None;
                        t.note.push_str(&if nl {
                            format!(
                                " Aantallen onder {m} staan als <{m}; met x zijn cellen verborgen \
                                 waaruit een klein aantal terug te rekenen is, en cijfers van \
                                 groepen kleiner dan {m}.",
                                m = spec.privacy.min_cell
                            )
                        } else {
                            format!(
                                " Counts below {m} are shown as <{m}; x hides cells from which a \
                                 small count could be recomputed, and figures of groups smaller \
                                 than {m}.",
                                m = spec.privacy.min_cell
                            )
                        });
                    }
                    t.df = s.df;
                }
                let mut out = Output::new(Some(Format::Markdown), None, lang);
                out.labels = t.labels;
                out.money = t.money.clone();
                let csv_name = format!("{}-{label}-{}.csv", spec.name, i + 1);
                let (shown, more) = core_columns(&t.df, s, &csv_name, nl)?;
                md.push_str(&out.markdown(&shown)?);
                if !t.note.is_empty() || !more.is_empty() {
                    md.push_str(&format!("\n{}{more}\n", t.note));
                }
                md.push('\n');
                let title = s.title.as_deref().unwrap_or(&s.kind);
                let chart = match own_chart {
                    _ if !s.chart => None,
                    Some(svg) => Some(svg),
                    None => bar_chart(&t.df, title, t.labels, lang)?,
                };
                if let Some(svg) = chart {
                    md.push_str(&format!("<!-- chart {} -->\n\n", charts.len()));
                    charts.push(svg);
                }
                let csv = out_dir.join(csv_name);
                files.push((csv, out.csv_report(&t.df)?));
                let sheet = format!("{} {}", i + 1, s.title.as_deref().unwrap_or(&s.kind));
                sheets.push((sheet, t.df, out));
            }
        }
    }
    let md_path = out_dir.join(format!("{}-{label}.md", spec.name));
    let html = html::from_markdown(&md, &spec.title, if nl { "nl" } else { "en" }, &charts);
    files.push((
        out_dir.join(format!("{}-{label}.html", spec.name)),
        html.into_bytes(),
    ));
    files.push((md_path, md.into_bytes()));
    if spec.xlsx {
        let path = out_dir.join(format!("{}-{label}.xlsx", spec.name));
        let refs: Vec<(String, &polars::prelude::DataFrame, &Output)> =
            sheets.iter().map(|(n, df, o)| (n.clone(), df, o)).collect();
        files.push((path, crate::render::workbook_bytes(&refs, end)?));
    }
    publish_all(&files)?;
    written.extend(files.into_iter().map(|(p, _)| p));
    Ok(written)
}

/// A report's name is the start of its file names, never a path: letters, digits, '-', '_'
/// and '.', not starting with '.', so that every file lands in --out-dir.
fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !ok {
        bail!(
            "name = \"{name}\" is not a usable report name: it becomes the start of the file \
             names (name-2024-W26.md), so use letters, digits, '-', '_' and '.', without '/' \
             or '\\' and not starting with '.' (for example name = \"week-meldingen\")"
        );
    }
    Ok(())
}

/// The columns a waiting-list table shows in the report (its CSV keeps them all), and the
/// sentence that says where the rest are. Other tables are shown whole.
fn core_columns(
    df: &polars::prelude::DataFrame,
    s: &SectionSpec,
    csv: &str,
    nl: bool,
) -> Result<(polars::prelude::DataFrame, String)> {
    const CORE: &[&str] = &[
        "group",
        "n",
        "open",
        "open_past_term",
        "within_term_pct",
        "median_days",
        "p90_days",
    ];
    let all = match s.columns.as_deref().map(str::to_lowercase).as_deref() {
        None | Some("kern" | "core") => false,
        Some("alle" | "all") => true,
        Some(other) => bail!("kolommen = \"{other}\": use \"kern\" (the default) or \"alle\""),
    };
    let summary =
        s.kind == "waitlist" && df.column("median_days").is_ok() && df.column("n").is_ok();
    if all || !summary {
        return Ok((df.clone(), String::new()));
    }
    let keep: Vec<&str> = CORE
        .iter()
        .copied()
        .filter(|c| df.column(c).is_ok())
        .collect();
    let rest = df.width() - keep.len();
    let more = if nl {
        format!(
            " Meer kolommen ({rest}: gestart, afgesloten, besluiten, ingetrokken, de laatste 3 \
             maanden, de grenzen van de mediaan, 75%) staan in {csv}."
        )
    } else {
        format!(
            " More columns ({rest}: started, closed, decisions, withdrawn, the last 3 months, the \
             median's limits, 75%) are in {csv}."
        )
    };
    Ok((df.select(keep)?, more))
}

/// Writes every file of a report next to its place first (synced temporary files), and only
/// when all of them are there renames them into place: a run that fails on the way leaves the
/// previous report as it was, and its temporary files are removed.
fn publish_all(files: &[(PathBuf, Vec<u8>)]) -> Result<()> {
    use std::io::Write;
    let tmps: Vec<PathBuf> = files
        .iter()
        .map(|(p, _)| crate::fsio::tmp_path(p))
        .collect();
    let staged = files
        .iter()
        .zip(&tmps)
        .try_for_each(|((path, bytes), tmp)| {
            let mut f = std::fs::File::create(tmp)
                .with_context(|| format!("writing {} (for {})", tmp.display(), path.display()))?;
            f.write_all(bytes)
                .and_then(|_| f.sync_all())
                .with_context(|| format!("writing {}", tmp.display()))
        });
    if let Err(e) = staged {
        for tmp in &tmps {
            let _ = std::fs::remove_file(tmp);
        }
        return Err(e);
    }
    for ((path, _), tmp) in files.iter().zip(&tmps) {
        crate::fsio::publish(tmp, path)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn employee_names_inside_values() {
        let people = People {
            columns: Default::default(),
            names: ["K. Visser".to_string(), "Ali".to_string()].into(),
        };
        assert!(people.names_in("K. Visser"));
        assert!(people.names_in("Jeugd / k. visser"));
        // Short names only as the whole value: "Ali" is no driver of "Alie" or "Kalibreren".
        assert!(people.names_in("Ali"));
        assert!(!people.names_in("Jeugd / Ali"));
        assert!(!people.names_in("Visserijweg"));
        assert!(!people.names_in("K. Visserman"));
    }

    #[test]
    fn done_statuses() {
        for s in ["Afgerond", "gereed", "Opgeleverd (fase 2)", "Done"] {
            assert!(status_done(s), "{s}");
        }
        for s in [
            "Niet gereed",
            "nog niet afgerond",
            "Uitvoering",
            "Bijna klaar",
            "",
        ] {
            assert!(!status_done(s), "{s}");
        }
    }

    /// The first day of each kind of period.
    #[test]
    fn period_starts() {
        assert_eq!(
            period_start(PeriodKind::Week, d(2024, 6, 30)),
            d(2024, 6, 24)
        );
        assert_eq!(
            period_start(PeriodKind::Month, d(2024, 6, 30)),
            d(2024, 6, 1)
        );
        assert_eq!(
            period_start(PeriodKind::Quarter, d(2024, 6, 30)),
            d(2024, 4, 1)
        );
        assert_eq!(
            period_start(PeriodKind::Quarter, d(2024, 12, 31)),
            d(2024, 10, 1)
        );
        assert_eq!(
            period_start(PeriodKind::Year, d(2023, 12, 31)),
            d(2023, 1, 1)
        );
    }

    /// The last complete period on or before as-of.
    #[test]
    fn last_complete_periods() {
        // Wednesday 3 July 2024: the week of 24-30 June (W26), June, Q2, 2023.
        let as_of = d(2024, 7, 3);
        assert_eq!(
            last_complete(PeriodKind::Week, as_of),
            ("2024-W26".into(), d(2024, 6, 30))
        );
        assert_eq!(
            last_complete(PeriodKind::Month, as_of),
            ("2024-06".into(), d(2024, 6, 30))
        );
        assert_eq!(
            last_complete(PeriodKind::Quarter, as_of),
            ("2024-Q2".into(), d(2024, 6, 30))
        );
        assert_eq!(
            last_complete(PeriodKind::Year, as_of),
            ("2023".into(), d(2023, 12, 31))
        );
        // On a Sunday, that week is complete; on 30 June, June is.
        assert_eq!(
            last_complete(PeriodKind::Week, d(2024, 6, 30)).1,
            d(2024, 6, 30)
        );
        assert_eq!(
            last_complete(PeriodKind::Month, d(2024, 6, 30)).1,
            d(2024, 6, 30)
        );
        assert_eq!(
            last_complete(PeriodKind::Quarter, d(2024, 6, 30)).0,
            "2024-Q2"
        );
    }

    #[test]
    fn options_become_arguments() {
        let t: toml::Table = toml::from_str("preset = \"jeugd\"\nall = true\nweeks = 4\nexplain = [\"wijk\", \"kanaal\"]\nnone = false").unwrap();
        let mut got = argv(&t).unwrap();
        got.remove(0);
        assert_eq!(
            got,
            [
                "--all",
                "--explain",
                "wijk,kanaal",
                "--preset",
                "jeugd",
                "--weeks",
                "4"
            ]
        );
    }
}
