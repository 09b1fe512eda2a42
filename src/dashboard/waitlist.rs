//! A waiting-list dashboard: per combination of gemeente, wet (the legal clock), team and
//! product, the figures of `datastroom waitlist` with the same options: tiles and a trend from
//! its summary at earlier as-of dates, Kaplan-Meier curves, the weekly flow, a table per team.

use super::spec::{FilterSpec, Panel, PanelKind, WaitlistShow};
use super::{Filter, PanelMeta, Rows, Selection, cols, header, number, rows_of, selection};
use crate::context::Context;
use crate::figures::waitlist::{self, By, LABELS, Options, Preset, View};
use anyhow::Result;
use chrono::{Months, NaiveDate};
use polars::prelude::*;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The presets offered when a `wet` filter lists none.
const PRESETS: &[&str] = &["wmo-onderzoek", "wmo-beschikking", "jeugd"];

/// The columns a waiting-list dashboard filters on.
const COLUMNS: &[&str] = &["gemeente", "wet", "team", "product"];

/// The legal clock as a reader chooses it.
fn preset_text(p: &str, nl: bool) -> String {
    match (p, nl) {
        ("wmo-onderzoek", true) => "Wmo: onderzoek (6 weken)",
        ("wmo-onderzoek", false) => "Wmo: investigation (6 weeks)",
        ("wmo-beschikking", true) => "Wmo: beschikking (2 weken)",
        ("wmo-beschikking", false) => "Wmo: decision (2 weeks)",
        ("jeugd", true) => "Jeugd: beschikking (8 weken)",
        ("jeugd", false) => "Youth: decision (8 weeks)",
        ("vth-regulier", true) => "VTH: regulier (8 weken)",
        ("vth-regulier", false) => "Permits: regular (8 weeks)",
        ("vth-uitgebreid", true) => "VTH: uitgebreid (26 weken)",
        ("vth-uitgebreid", false) => "Permits: extended (26 weeks)",
        (other, _) => other,
    }
    .to_string()
}

fn preset(value: &str) -> Result<Preset> {
    use clap::ValueEnum;
    Preset::from_str(value, true).map_err(|_| {
        crate::figures::usage(anyhow::anyhow!(
            "filter wet: `{value}` is not a legal clock; use wmo-onderzoek, wmo-beschikking, \
             jeugd, vth-regulier or vth-uitgebreid"
        ))
    })
}

/// A filter of a waiting-list dashboard: wet chooses the preset (no "alle": terms do not mix).
pub fn filter(
    f: &FilterSpec,
    (_, lf): (&str, &LazyFrame),
    schema: &Schema,
    ctx: &Context,
) -> Result<Filter> {
    let nl = ctx.nl();
    if !COLUMNS.contains(&f.column.as_str()) {
        crate::usage!(
            "filter {}: a waiting-list dashboard filters on {} (the options of `datastroom \
             waitlist`)",
            f.column,
            COLUMNS.join(", ")
        );
    }
    let label = |nl_text: &str, en: &str| {
        f.label
            .clone()
            .unwrap_or_else(|| ctx.lang.pick(nl_text, en).to_string())
    };
    if f.column == "wet" {
        let values: Vec<String> = f
            .values
            .clone()
            .unwrap_or_else(|| PRESETS.iter().map(|p| p.to_string()).collect());
        for v in &values {
            preset(v)?;
        }
        return Ok(Filter {
            column: "wet".into(),
            label: label("Wet en termijn", "Law and term"),
            shown: values.iter().map(|v| preset_text(v, nl)).collect(),
            values,
            all: false,
            contains: false,
        });
    }
    if schema.get(&f.column).is_none() {
        crate::usage!("filter {}: the cases have no column {}", f.column, f.column);
    }
    let values = match &f.values {
        Some(v) => v.clone(),
        None => super::distinct_values(lf, &f.column, "filter")?,
    };
    let (nl_label, en_label) = match f.column.as_str() {
        "gemeente" => ("Gemeente", "Municipality"),
        "team" => ("Team", "Team"),
        _ => ("Product", "Product"),
    };
    Ok(Filter {
        column: f.column.clone(),
        label: label(nl_label, en_label),
        shown: values.clone(),
        values,
        all: true,
        contains: true,
    })
}

/// The panel's options for a selection of filter values.
fn options_for(base: &Options, sel: &Selection) -> Result<Options> {
    let mut o = base.clone();
    for (column, value) in sel {
        let value = value.map(String::from);
        match *column {
            "wet" => o.preset = value.as_deref().map(preset).transpose()?,
            "gemeente" => o.gemeente = value,
            "team" => o.team = value,
            _ => o.product = value,
        }
    }
    Ok(o)
}

/// A filter column set in a panel too would be overruled silently: an error instead.
pub fn check_overlap(panels: &[Panel], filters: &[Filter]) -> Result<()> {
    for p in panels {
        let PanelKind::Waitlist(_, o) = &p.kind else {
            continue;
        };
        for f in filters {
            let set = match f.column.as_str() {
                "wet" => o.preset.is_some() || o.wet.is_some(),
                "gemeente" => o.gemeente.is_some(),
                "team" => o.team.is_some(),
                _ => o.product.is_some(),
            };
            if set {
                crate::usage!(
                    "panel {}: {} is both a filter and a key of the panel; leave it out of the \
                     panel (the filter sets it)",
                    p.number,
                    f.column
                );
            }
        }
    }
    Ok(())
}

/// The summary columns the tiles and the trend read.
const POINT: &[&str] = &[
    "median_days",
    "median_ci_lower",
    "median_ci_upper",
    "within_term_pct_3m",
    "within_term_pct",
    "open",
    "open_past_term",
];

/// Computes every view: per combination, per panel, its rows (None: no cases).
pub fn views(
    ctx: &Context,
    panels: &[Panel],
    filters: &[Filter],
    combos: &[Vec<usize>],
    lf: &LazyFrame,
) -> Result<Vec<(String, Vec<Option<Rows>>)>> {
    // The first view's summary says its warnings once, as the subcommand would; the rest of
    // the computations are silent.
    if let (Some(combo), Some(PanelKind::Waitlist(_, base))) =
        (combos.first(), panels.first().map(|p| &p.kind))
    {
        let (_, sel) = selection(filters, combo);
        summary_point(ctx, &options_for(base, &sel)?, 0, lf)?;
    }
    use rayon::prelude::*;
    crate::messages::silenced(|| {
        combos
            .par_iter()
            .map(|combo| {
                let (key, sel) = selection(filters, combo);
                Ok((key, view(ctx, panels, &sel, lf)?))
            })
            .collect()
    })
}

/// One view: the rows of every panel, or None for all when no case matches.
fn view(
    ctx: &Context,
    panels: &[Panel],
    sel: &Selection,
    lf: &LazyFrame,
) -> Result<Vec<Option<Rows>>> {
    let mut points: HashMap<(String, u32), Option<Vec<Value>>> = HashMap::new();
    let mut out = Vec::new();
    for p in panels {
        let PanelKind::Waitlist(show, base) = &p.kind else {
            // Panels of one type only (spec::panels); kept aligned all the same.
            out.push(None);
            continue;
        };
        let o = options_for(base, sel)?;
        let mut point = |months: u32| -> Result<Option<Vec<Value>>> {
            let k = (format!("{o:?}"), months);
            if let Some(v) = points.get(&k) {
                return Ok(v.clone());
            }
            let v = summary_point(ctx, &o, months, lf)?;
            points.insert(k, v.clone());
            Ok(v)
        };
        if point(0)?.is_none() {
            out.push(None);
            continue;
        }
        let rows = match show {
            WaitlistShow::Tiles => Some(tiles(point(0)?, point(3)?, ctx)),
            WaitlistShow::Trend => {
                let months = p.span.unwrap_or(24);
                let mut rows = Vec::new();
                for m in (0..=months).rev() {
                    if let Some(v) = point(m)? {
                        let mut row = vec![json!(back(ctx.as_of, m).to_string())];
                        row.extend(v);
                        rows.push(row);
                    }
                }
                Some(rows)
            }
            WaitlistShow::Curves => table(ctx, &o, View::Survival, lf, CURVES)?,
            WaitlistShow::Flow => table(ctx, &o, View::Flow, lf, FLOW)?,
            WaitlistShow::Table => table(ctx, &o, View::By, lf, TABLE)?,
        };
        out.push(rows);
    }
    Ok(out)
}

fn back(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(months)).unwrap_or(d)
}

/// The summary `datastroom waitlist --as-of (as-of minus months)` gives: the POINT columns,
/// or None when no case matches.
fn summary_point(
    ctx: &Context,
    o: &Options,
    months: u32,
    lf: &LazyFrame,
) -> Result<Option<Vec<Value>>> {
    let ctx = Context {
        as_of: back(ctx.as_of, months),
        ..ctx.clone()
    };
    let mut o = o.clone();
    o.section = View::Summary;
    o.by = Vec::new();
    let config = waitlist::validate(&ctx, &o)?;
    let t = waitlist::compute_on(&ctx, &config, lf.clone(), 0, false)?;
    if t.df.height() == 0 || t.df.column("median_days").is_err() {
        return Ok(None);
    }
    let n = t.df.column("n")?.get(0)?.extract::<i64>().unwrap_or(0);
    if n == 0 {
        return Ok(None);
    }
    Ok(rows_of(&t.df, POINT)?.into_iter().next())
}

/// Tiles: open, open past the term, % within term (3 months) and the median with its
/// interval, each with its value a quarter (3 months) earlier and the change.
fn tiles(now: Option<Vec<Value>>, before: Option<Vec<Value>>, ctx: &Context) -> Rows {
    let (now, before) = (now.unwrap_or_default(), before.unwrap_or_default());
    let at = |v: &[Value], i: usize| v.get(i).cloned().unwrap_or(Value::Null);
    let lang = ctx.lang;
    let row = |i: usize, label: &str, unit: &str, interval: bool| -> Vec<Value> {
        let (value, prev) = (at(&now, i), at(&before, i));
        let change = match (value.as_f64(), prev.as_f64()) {
            (Some(a), Some(b)) => number(a - b),
            _ => Value::Null,
        };
        let (lo, hi) = if interval {
            (at(&now, 1), at(&now, 2))
        } else {
            (Value::Null, Value::Null)
        };
        vec![json!(label), value, json!(unit), lo, hi, prev, change]
    };
    vec![
        row(5, lang.pick("Open zaken", "Open cases"), "", false),
        row(
            6,
            lang.pick("Open, termijn verstreken", "Open past the term"),
            "",
            false,
        ),
        row(
            3,
            lang.pick(
                "Binnen de termijn besloten (3 mnd)",
                "Decided within the term (3 mo)",
            ),
            "%",
            false,
        ),
        row(
            0,
            lang.pick("Mediane wachttijd", "Median wait"),
            lang.pick("dagen", "days"),
            true,
        ),
    ]
}

const CURVES: &[(&str, &str)] = &[
    ("group", "text"),
    ("time", "int"),
    ("survival", "num"),
    ("lower", "num"),
    ("upper", "num"),
    ("at_risk", "int"),
    ("events", "int"),
    ("censored", "int"),
];

const FLOW: &[(&str, &str)] = &[
    ("week_start", "date"),
    ("week", "text"),
    ("inflow", "int"),
    ("outflow", "int"),
    ("backlog", "int"),
];

const TABLE: &[(&str, &str)] = &[
    ("group", "text"),
    ("n", "int"),
    ("open", "int"),
    ("open_past_term", "int"),
    ("within_term_pct", "pct"),
    ("within_term_pct_3m", "pct"),
    ("median_days", "days"),
    ("p90_days", "days"),
];

/// A table of the subcommand (`--section survival|flow|by`) with the columns given.
fn table(
    ctx: &Context,
    o: &Options,
    view: View,
    lf: &LazyFrame,
    columns: &[(&str, &str)],
) -> Result<Option<Rows>> {
    let mut o = o.clone();
    o.section = view;
    if view != View::Flow && o.by.is_empty() {
        o.by = vec![By::Team];
    }
    let config = waitlist::validate(ctx, &o)?;
    let t = waitlist::compute_on(ctx, &config, lf.clone(), 0, false)?;
    let names: Vec<&str> = columns.iter().map(|(c, _)| *c).collect();
    if t.df.height() == 0 {
        return Ok(None);
    }
    Ok(Some(rows_of(&t.df, &names)?))
}

/// How a panel is shown: its title, columns and chart.
pub fn meta(p: &Panel, show: WaitlistShow, ctx: &Context) -> PanelMeta {
    let lang = ctx.lang;
    let t = |nl: &str, en: &str| lang.pick(nl, en).to_string();
    let title = |nl: &str, en: &str| p.title.clone().unwrap_or_else(|| t(nl, en));
    let base = PanelMeta::new(p);
    match show {
        WaitlistShow::Tiles => PanelMeta {
            title: title("Kerncijfers", "Key figures"),
            kind: "tiles",
            columns: vec![
                header(t("maat", "measure"), "text"),
                header(t("waarde", "value"), "num"),
                header(t("eenheid", "unit"), "text"),
                header(t("95%-interval ondergrens", "95% interval lower"), "days"),
                header(t("95%-interval bovengrens", "95% interval upper"), "days"),
                header(t("vorig kwartaal", "previous quarter"), "num"),
                header(t("verandering", "change"), "num"),
            ],
            keys: [
                "open",
                "open_past_term",
                "within_term_pct_3m",
                "median_days",
            ]
            .map(String::from)
            .to_vec(),
            ..base
        },
        WaitlistShow::Trend => {
            let mut columns = vec![header(t("peildatum", "as of"), "date")];
            columns.extend(cols(
                LABELS,
                lang,
                &[
                    ("median_days", "days"),
                    ("median_ci_lower", "days"),
                    ("median_ci_upper", "days"),
                    ("within_term_pct_3m", "pct"),
                    ("within_term_pct", "pct"),
                    ("open", "int"),
                    ("open_past_term", "int"),
                ],
            ));
            PanelMeta {
                title: title("Wachttijd en termijn per maand", "Wait and term by month"),
                columns,
                chart: Some(json!({
                    "x": 0, "xType": "date",
                    "facets": [
                        {"title": t("Mediane wachttijd (dagen), met 95%-interval", "Median wait (days), with 95% interval"),
                         "lines": [{"col": 1, "style": "solid"}, {"col": 2, "style": "dot"}, {"col": 3, "style": "dot"}]},
                        {"title": t("% binnen de termijn besloten", "% decided within the term"),
                         "lines": [{"col": 4, "style": "solid"}, {"col": 5, "style": "dash"}], "pct": true},
                    ]
                })),
                ..base
            }
        }
        WaitlistShow::Curves => PanelMeta {
            title: title(
                "Aandeel nog wachtend (Kaplan-Meier)",
                "Share still waiting (Kaplan-Meier)",
            ),
            columns: cols(LABELS, lang, CURVES),
            chart: Some(json!({
                "x": 1, "xType": "num", "series": 0, "step": true,
                "xLabel": t("dagen", "days"),
                "facets": [{"title": t("Aandeel nog wachtend na zoveel dagen", "Share still waiting after so many days"),
                            "lines": [{"col": 2, "style": "solid"}], "share": true}]
            })),
            split: Some(0),
            ..base
        },
        WaitlistShow::Flow => PanelMeta {
            title: title(
                "Instroom, uitstroom en werkvoorraad per week",
                "Inflow, outflow and backlog by week",
            ),
            columns: cols(LABELS, lang, FLOW),
            chart: Some(json!({
                "x": 0, "xType": "date",
                "facets": [
                    {"title": t("Instroom en uitstroom", "Inflow and outflow"),
                     "lines": [{"col": 2, "style": "solid"}, {"col": 3, "style": "dash"}]},
                    {"title": t("Werkvoorraad", "Backlog"), "lines": [{"col": 4, "style": "solid"}]},
                ]
            })),
            ..base
        },
        WaitlistShow::Table => PanelMeta {
            title: title("Per team", "By team"),
            kind: "table",
            columns: cols(LABELS, lang, TABLE),
            ..base
        },
    }
}
