//! A peaks dashboard (Fixi meldingen): per combination of filter values, the figures of
//! `datastroom peaks --filter COLUMN=VALUE ...` with the same options: this week against the
//! expected count, weekly series with expected value, upper bound and alarms (with their
//! drivers and the weather), reports by weekday and hour, the alarms.
//!
//! A filter on the panels' series column (`by`, categorie by default) needs no run of its own:
//! Farrington and EARS judge each series on its own counts, so the series "Afval" of `--by
//! categorie` is the series of `--filter categorie=Afval`. Those views take their series from
//! the view without that filter (tested against the subcommand in tests/dashboard.rs).

use super::spec::{FilterSpec, Panel, PanelKind, PeaksShow};
use super::{Filter, PanelMeta, Rows, Selection, cols, header, rows_of, selection};
use crate::context::Context;
use crate::figures::peaks::{self, LABELS, Options};
use anyhow::Result;
use polars::prelude::*;
use serde_json::{Value, json};
use std::collections::HashMap;

/// Weeks a weekly panel shows by default: two years.
const WEEKS: u32 = 104;

/// Weeks of the tiles' alarm count.
const RECENT: u32 = 4;

pub fn filter(
    f: &FilterSpec,
    (dataset, lf): (&str, &LazyFrame),
    schema: &Schema,
    ctx: &Context,
) -> Result<Filter> {
    super::groupable(dataset, &f.column, "filter")?;
    if schema.get(&f.column).is_none() {
        let names: Vec<&str> = schema.iter_names().map(|n| n.as_str()).collect();
        crate::usage!(
            "filter {}: the data has no such column; its columns are {}",
            f.column,
            names.join(", ")
        );
    }
    let values = match &f.values {
        Some(v) => v.clone(),
        None => super::distinct_values(lf, &f.column, "filter")?,
    };
    let label = f.label.clone().unwrap_or_else(|| {
        let (nl, en) = match f.column.as_str() {
            "gemeente" => ("Gemeente", "Municipality"),
            "categorie" => ("Categorie", "Category"),
            "subcategorie" => ("Subcategorie", "Subcategory"),
            "wijk" => ("Wijk", "District"),
            "kanaal" => ("Kanaal", "Channel"),
            other => (other, other),
        };
        ctx.lang.pick(nl, en).to_string()
    });
    Ok(Filter {
        column: f.column.clone(),
        label,
        shown: values.clone(),
        values,
        all: true,
        contains: false,
    })
}

/// The series column of the panels (one at most), the same for all; the panels' options
/// checked: weekly periods, groups only (by, explain), the window set by the dashboard.
pub fn series_column(panels: &[Panel], dataset: &str, lf: &LazyFrame) -> Result<Option<String>> {
    let mut found: Option<Option<String>> = None;
    for p in panels {
        let PanelKind::Peaks(show, o) = &p.kind else {
            continue;
        };
        if o.period != peaks::Period::Week {
            crate::usage!(
                "panel {}: a dashboard counts per week (weeks_shown); leave period out",
                p.number
            );
        }
        for c in o.by.iter().chain(&o.explain) {
            if !c.eq_ignore_ascii_case("none") {
                super::groupable(dataset, c, &format!("panel {}: by/explain", p.number))?;
            }
        }
        if o.from.is_some() || o.all {
            crate::usage!(
                "panel {}: from and all are set by the dashboard (weeks_shown: the weeks a \
                 panel shows, 104 by default)",
                p.number
            );
        }
        if !o.filter.is_empty() {
            crate::usage!(
                "panel {}: filter is set by the dashboard's [[filter]]s; leave it out",
                p.number
            );
        }
        if *show == PeaksShow::WeekdayHour {
            continue;
        }
        let by: Vec<String> =
            o.by.iter()
                .filter(|b| !b.eq_ignore_ascii_case("none"))
                .cloned()
                .collect();
        if by.len() > 1 {
            crate::usage!(
                "panel {}: by = {:?}: a dashboard panel has one series column at most; filter \
                 on the other",
                p.number,
                by
            );
        }
        let by = by.into_iter().next();
        if let Some(b) = &by {
            super::distinct_values(lf, b, &format!("panel {}: by", p.number))?;
        }
        match &found {
            Some(f) if *f != by => crate::usage!(
                "panel {}: by differs from an earlier panel; the panels of a dashboard share \
                 their series",
                p.number
            ),
            _ => found = Some(by),
        }
    }
    Ok(found.flatten())
}

/// The judged weeks of one run: (series, week) rows as the subcommand gives them.
struct Run {
    df: DataFrame,
}

impl Run {
    /// Rows of the columns given, of one series (or all), oldest first per series.
    fn rows(&self, cols: &[&str], series: Option<&str>, alarms_only: bool) -> Result<Rows> {
        let mut lf = self.df.clone().lazy();
        if let Some(s) = series {
            lf = lf.filter(col("group").eq(lit(s)));
        }
        if alarms_only {
            lf = lf.filter(col("alarm"));
        }
        let df = lf
            .sort(["group", "period_start"], SortMultipleOptions::default())
            .collect()?;
        rows_of(&df, cols)
    }
}

/// Computes every view: per combination, per panel, its rows (None: no events).
pub fn views(
    ctx: &Context,
    panels: &[Panel],
    filters: &[Filter],
    combos: &[Vec<usize>],
    (lf, by): (&LazyFrame, Option<&String>),
) -> Result<Vec<(String, Vec<Option<Rows>>)>> {
    use rayon::prelude::*;
    let by_filter = filters.iter().position(|f| Some(&f.column) == by);
    // The views that share a base (the same values but for the series filter) share its runs:
    // computed together, the bases side by side on all cores.
    let mut bases: Vec<(Vec<usize>, Vec<&Vec<usize>>)> = Vec::new();
    for combo in combos {
        let mut base = combo.clone();
        if let Some(j) = by_filter {
            base[j] = 0;
        }
        match bases.iter_mut().find(|(b, _)| *b == base) {
            Some((_, views)) => views.push(combo),
            None => bases.push((base, vec![combo])),
        }
    }
    let one = |combo: &Vec<usize>, runs: &mut HashMap<String, Option<Run>>| {
        let (key, sel) = selection(filters, combo);
        // The view without the series filter computes the series; this one picks one.
        let series = by_filter.and_then(|j| sel[j].1);
        let mut base = sel.clone();
        if let Some(j) = by_filter {
            base[j].1 = None;
        }
        view(ctx, panels, (&sel, &base, series), lf, runs).map(|rows| (key, rows))
    };
    // The first view says its warnings once, as the subcommand would; the rest are silent.
    if let Some(first) = combos.first() {
        one(first, &mut HashMap::new())?;
    }
    let computed: Vec<Vec<(String, Vec<Option<Rows>>)>> = crate::messages::silenced(|| {
        bases
            .par_iter()
            .map(|(_, views)| {
                let mut runs = HashMap::new();
                views.iter().map(|c| one(c, &mut runs)).collect()
            })
            .collect::<Result<_>>()
    })?;
    let mut by_key: HashMap<String, Vec<Option<Rows>>> = computed.into_iter().flatten().collect();
    Ok(combos
        .iter()
        .filter_map(|c| {
            let (key, _) = selection(filters, c);
            by_key.remove(&key).map(|rows| (key, rows))
        })
        .collect())
}

/// The panel's options for the filter values chosen.
fn options_for(base: &Options, sel: &Selection, ctx: &Context, weeks: u32) -> Options {
    let mut o = base.clone();
    o.filter = sel
        .iter()
        .filter_map(|(c, v)| v.map(|v| (c.to_string(), v.to_string())))
        .collect();
    let to = peaks::window(&o, ctx.as_of).1;
    o.from = Some(to - chrono::Duration::weeks(i64::from(weeks.max(1) - 1)));
    o.all = true;
    o
}

/// A run of the subcommand's figures (memoised: panels and views share them).
fn run<'a>(
    ctx: &Context,
    o: &Options,
    lf: &LazyFrame,
    runs: &'a mut HashMap<String, Option<Run>>,
) -> Result<Option<&'a Run>> {
    let key = format!("{o:?}");
    if !runs.contains_key(&key) {
        let config = peaks::validate(ctx, o)?;
        let t = peaks::compute_on(ctx, &config, lf.clone())?;
        let run = (t.df.height() > 0).then_some(Run { df: t.df });
        runs.insert(key.clone(), run);
    }
    Ok(runs.get(&key).and_then(|r| r.as_ref()))
}

/// The columns of a weekly panel and of the alarms table.
const WEEKLY: &[(&str, &str)] = &[
    ("period_start", "date"),
    ("group", "text"),
    ("observed", "int"),
    ("expected", "num"),
    ("upper_bound", "num"),
    ("alarm", "bool"),
    ("drivers", "text"),
    ("weather", "text"),
];
const ALARMS: &[(&str, &str)] = &[
    ("period_start", "date"),
    ("group", "text"),
    ("observed", "int"),
    ("expected", "num"),
    ("upper_bound", "num"),
    ("drivers", "text"),
    ("weather", "text"),
];

type Sel<'s, 'a> = (&'s Selection<'a>, &'s Selection<'a>, Option<&'a str>);

/// One view: the rows of every panel.
fn view(
    ctx: &Context,
    panels: &[Panel],
    (sel, base, series): Sel<'_, '_>,
    lf: &LazyFrame,
    runs: &mut HashMap<String, Option<Run>>,
) -> Result<Vec<Option<Rows>>> {
    let mut out = Vec::new();
    for p in panels {
        let PanelKind::Peaks(show, o) = &p.kind else {
            // Panels of one type only (spec::panels); kept aligned all the same.
            out.push(None);
            continue;
        };
        let weeks = p.span.unwrap_or(WEEKS);
        let rows = match show {
            PeaksShow::Weekly | PeaksShow::Alarms => {
                let o = options_for(o, base, ctx, weeks);
                let names = if *show == PeaksShow::Weekly {
                    WEEKLY
                } else {
                    ALARMS
                };
                let names: Vec<&str> = names.iter().map(|(c, _)| *c).collect();
                match run(ctx, &o, lf, runs)? {
                    Some(r) => {
                        let df = with_text_columns(&r.df)?;
                        let r = Run { df };
                        let rows = r.rows(&names, series, *show == PeaksShow::Alarms)?;
                        (!rows.is_empty() || *show == PeaksShow::Alarms).then_some(rows)
                    }
                    None => None,
                }
            }
            PeaksShow::Tiles => tiles(ctx, o, (sel, base, series), lf, runs)?,
            PeaksShow::WeekdayHour => {
                let o = options_for(o, sel, ctx, weeks);
                let config = peaks::validate(ctx, &o)?;
                peaks::weekday_hour(&config, lf.clone())?
                    .filter(|df| df.height() > 0)
                    .map(|df| rows_of(&df, &["weekday", "hour", "n"]))
                    .transpose()?
            }
        };
        out.push(rows);
    }
    Ok(out)
}

/// The drivers and weather columns, empty where the run has none (no alarms, no KNMI file).
fn with_text_columns(df: &DataFrame) -> Result<DataFrame> {
    let mut df = df.clone();
    for c in ["drivers", "weather"] {
        if df.column(c).is_err() {
            df.with_column(Column::full_null(c.into(), df.height(), &DataType::String))?;
        }
    }
    Ok(df)
}

/// The rows of one series (all without one).
fn only_series(df: &DataFrame, series: Option<&str>) -> Result<DataFrame> {
    Ok(match series {
        Some(s) => df
            .clone()
            .lazy()
            .filter(col("group").eq(lit(s)))
            .collect()?,
        None => df.clone(),
    })
}

/// Tiles: this week's count against the expected count and upper bound (of the total, or of
/// the series chosen), and the alarms this week and in the last 4 weeks.
fn tiles(
    ctx: &Context,
    o: &Options,
    (sel, base, series): Sel<'_, '_>,
    lf: &LazyFrame,
    runs: &mut HashMap<String, Option<Run>>,
) -> Result<Option<Rows>> {
    let mut by = options_for(o, base, ctx, RECENT);
    by.explain = vec!["none".into()];
    // The last complete week, as the subcommand judges it.
    let to = peaks::window(&by, ctx.as_of).1;
    let (alarms_week, alarms_recent) = match run(ctx, &by, lf, runs)? {
        None => return Ok(None),
        Some(r) => {
            let df = only_series(&r.df, series)?;
            let alarm = df.column("alarm")?.bool()?;
            let start = df.column("period_start")?.date()?.physical();
            let to = crate::dates::day_number(to);
            let recent = alarm.iter().flatten().filter(|a| *a).count();
            let week = alarm
                .iter()
                .zip(start.iter())
                .filter(|(a, s)| *a == Some(true) && *s == Some(to))
                .count();
            (week, recent)
        }
    };
    // The total: its own run (--by none), or the series chosen.
    let mut total = options_for(o, sel, ctx, 1);
    if series.is_none() {
        total.by = vec!["none".into()];
    }
    total.explain = vec!["none".into()];
    total.weather = None;
    let lang = ctx.lang;
    let week = format!(
        "{} {} ({})",
        lang.pick("week", "week"),
        chrono::Datelike::iso_week(&to).week(),
        crate::lang::date_text(to, lang)
    );
    // This week's count of the total (or the series): none when the week is not judged (a
    // series without the history a method needs), rather than a guess.
    let this = match run(ctx, &total, lf, runs)? {
        Some(r) => {
            let df = only_series(&r.df, series)?;
            rows_of(&df, &["observed", "expected", "upper_bound"])?
                .into_iter()
                .next()
        }
        None => None,
    };
    let Some([observed, expected, upper]) =
        this.map(|v| [v[0].clone(), v[1].clone(), v[2].clone()])
    else {
        return Ok(None);
    };
    Ok(Some(vec![
        vec![
            json!(format!("{} {week}", lang.pick("Meldingen", "Reports"))),
            observed,
            expected,
            upper,
        ],
        vec![
            json!(lang.pick("Alarmen deze week", "Alarms this week")),
            json!(alarms_week),
            Value::Null,
            Value::Null,
        ],
        vec![
            json!(if lang.is_nl() {
                format!("Alarmen in de laatste {RECENT} weken")
            } else {
                format!("Alarms in the last {RECENT} weeks")
            }),
            json!(alarms_recent),
            Value::Null,
            Value::Null,
        ],
    ]))
}

/// How a panel is shown: its title, columns and chart.
pub fn meta(p: &Panel, show: PeaksShow, ctx: &Context) -> PanelMeta {
    let lang = ctx.lang;
    let t = |nl: &str, en: &str| lang.pick(nl, en).to_string();
    let title = |nl: &str, en: &str| p.title.clone().unwrap_or_else(|| t(nl, en));
    let base = PanelMeta::new(p);
    match show {
        PeaksShow::Tiles => PanelMeta {
            title: title("Deze week", "This week"),
            kind: "tiles",
            columns: vec![
                header(t("maat", "measure"), "text"),
                header(t("aantal", "count"), "int"),
                header(t("verwacht", "expected"), "num"),
                header(t("bovengrens", "upper bound"), "num"),
            ],
            keys: ["this_week", "alarms_week", "alarms_recent"]
                .map(String::from)
                .to_vec(),
            ..base
        },
        PeaksShow::Weekly => PanelMeta {
            title: title("Meldingen per week", "Reports by week"),
            columns: cols(LABELS, lang, WEEKLY),
            chart: Some(json!({
                "x": 0, "xType": "date", "facet": 1, "marks": 5, "info": [6, 7],
                "facets": [{"lines": [
                    {"col": 2, "style": "solid"},
                    {"col": 3, "style": "dot"},
                    {"col": 4, "style": "dash"}
                ]}]
            })),
            split: Some(1),
            ..base
        },
        PeaksShow::WeekdayHour => PanelMeta {
            title: title(
                "Meldingen naar weekdag en uur",
                "Reports by weekday and hour",
            ),
            kind: "heat",
            columns: vec![
                header(t("weekdag", "weekday"), "weekday"),
                header(t("uur", "hour"), "int"),
                header(t("meldingen", "reports"), "int"),
            ],
            ..base
        },
        PeaksShow::Alarms => PanelMeta {
            title: title("Alarmen", "Alarms"),
            kind: "table",
            columns: cols(LABELS, lang, ALARMS),
            split: Some(1),
            newest_first: Some(0),
            ..base
        },
    }
}
