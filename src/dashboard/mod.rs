//! Dashboards: a TOML spec (docs/dashboard.md) names filters and panels; for every combination
//! of filter values the panels' figures are computed here by the same `figures` code as the
//! subcommands (Kaplan-Meier, legal terms, Farrington/EARS), and one self-contained HTML file
//! holds them as aggregates, with a small script that only selects and draws.

mod page;
mod peaks;
pub mod spec;
mod waitlist;

use crate::context::Context;
use crate::lang::Lang;
use anyhow::{Context as _, Result};
use polars::prelude::*;
use serde::Serialize;
use serde_json::Value;
use spec::{Analysis, Panel, Spec};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The rows of one panel for one view, as the page's script reads them.
pub(crate) type Rows = Vec<Vec<Value>>;

/// A column of a panel's table: its header and how its values are written.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Col {
    pub label: String,
    /// int, num (two decimals at most), pct, date, text, bool or days (a median: empty is
    /// "not reached").
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// What the page needs to know of a panel besides its rows.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PanelMeta {
    pub title: String,
    pub text: Option<String>,
    /// tiles, chart, table or heat.
    pub kind: &'static str,
    pub columns: Vec<Col>,
    /// How the chart is drawn (see page.js: facets, lines, series, marks).
    pub chart: Option<Value>,
    /// Tiles: the measure each row is (for tests and styles).
    pub keys: Vec<String>,
    /// The rows are stored in blocks per value of this column (shared between views).
    pub split: Option<usize>,
    /// Sort the rows by this column, newest first (alarms).
    pub newest_first: Option<usize>,
}

impl PanelMeta {
    /// A chart panel with the caption of its spec; the rest set by the panel's kind.
    pub(crate) fn new(p: &Panel) -> PanelMeta {
        PanelMeta {
            title: String::new(),
            text: p.text.clone(),
            kind: "chart",
            columns: Vec::new(),
            chart: None,
            keys: Vec::new(),
            split: None,
            newest_first: None,
        }
    }
}

/// A column of a table the dashboard makes itself (tiles, weekday-hour).
pub(crate) fn header(label: String, kind: &'static str) -> Col {
    Col { label, kind }
}

/// A filter as the page shows it: its label and the values to choose from.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FilterOut {
    pub id: String,
    pub label: String,
    /// What the reader sees; index 0 is "alle" when `all`.
    pub values: Vec<String>,
}

/// A filter resolved: the column, the values in the data (or listed), and whether "alle" is
/// offered (not for the legal clock: the terms cannot be mixed).
#[derive(Debug, Clone)]
pub(crate) struct Filter {
    pub column: String,
    pub label: String,
    pub values: Vec<String>,
    pub shown: Vec<String>,
    pub all: bool,
    /// The value is contained in the row's (case-insensitive), as `waitlist --team` filters;
    /// else equal, as `peaks --filter`.
    pub contains: bool,
}

impl Filter {
    /// Whether a row's value falls under the filter value `x`.
    fn matches(&self, x: &str, value: &str) -> bool {
        if self.contains {
            value.to_lowercase().contains(&x.to_lowercase())
        } else {
            value == x
        }
    }

    /// The values the reader can choose: None for "alle".
    fn choices(&self) -> Vec<Option<&str>> {
        let mut c: Vec<Option<&str>> = Vec::new();
        if self.all {
            c.push(None);
        }
        c.extend(self.values.iter().map(|v| Some(v.as_str())));
        c
    }
}

/// One combination of filter values (None = all), in the spec's order of filters.
pub(crate) type Selection<'a> = Vec<(&'a str, Option<&'a str>)>;

/// The dashboard as it is built: per view, per panel, the blocks of its rows.
#[derive(Default)]
struct Built {
    views: std::collections::BTreeMap<String, Vec<Option<Vec<usize>>>>,
    blocks: Vec<Rows>,
    pool: HashMap<String, usize>,
}

impl Built {
    /// Stores a panel's rows in blocks (per value of `split`), each block once.
    fn store(&mut self, rows: Rows, split: Option<usize>) -> Vec<usize> {
        let mut groups: Vec<Rows> = Vec::new();
        match split {
            None => groups.push(rows),
            Some(i) => {
                for r in rows {
                    match groups.last_mut() {
                        Some(g) if g[0].get(i) == r.get(i) => g.push(r),
                        _ => groups.push(vec![r]),
                    }
                }
            }
        }
        groups
            .into_iter()
            .map(|g| {
                let key = serde_json::to_string(&g).unwrap_or_default();
                if let Some(id) = self.pool.get(&key) {
                    return *id;
                }
                self.blocks.push(g);
                self.pool.insert(key, self.blocks.len() - 1);
                self.blocks.len() - 1
            })
            .collect()
    }
}

/// Writes the dashboard into `out_dir`; returns the path written.
pub fn run(spec_path: &Path, out_dir: &Path, ctx: &Context) -> Result<PathBuf> {
    let spec: Spec =
        crate::source::read_toml(spec_path, "dashboard spec", "See docs/dashboard.md")?;
    spec::check(&spec)?;
    let panels = spec.panels()?;
    let temp = crate::report::load_exports(
        spec_path,
        spec.inlezen.as_deref(),
        ("het dashboard", "the dashboard"),
    )?;
    let ctx = Context {
        warehouse: crate::report::warehouse_of(temp.as_ref(), ctx),
        snapshot: crate::report::snapshot_of(temp.as_ref(), ctx)?,
        lang: spec.language.lang(),
        ..ctx.clone()
    };
    let analysis = panels[0].kind.analysis();
    let (dataset, lf) = read_rows(&ctx, &panels)?;
    let filters = resolve_filters(&spec, analysis, (&dataset, &lf), &ctx)?;
    let metas: Vec<PanelMeta> = panels
        .iter()
        .map(|p| match &p.kind {
            spec::PanelKind::Waitlist(show, _) => waitlist::meta(p, *show, &ctx),
            spec::PanelKind::Peaks(show, _) => peaks::meta(p, *show, &ctx),
        })
        .collect();
    // The panels' options against the filters and the data, before anything is computed.
    let series = match analysis {
        Analysis::Waitlist => {
            waitlist::check_overlap(&panels, &filters)?;
            None
        }
        Analysis::Peaks => peaks::series_column(&panels, &dataset, &lf)?,
    };
    let present = present_combinations(&lf, &filters)?;
    warn_absent(&spec, &filters, &present);
    let combos = combinations(&filters, &present, spec.max_views)?;
    let mut built = Built::default();
    let rows = match analysis {
        Analysis::Waitlist => waitlist::views(&ctx, &panels, &filters, &combos, &lf)?,
        Analysis::Peaks => peaks::views(&ctx, &panels, &filters, &combos, (&lf, series.as_ref()))?,
    };
    for (key, per_panel) in rows {
        let ids = per_panel
            .into_iter()
            .zip(&metas)
            .map(|(r, m)| r.map(|r| built.store(r, m.split)))
            .collect();
        built.views.insert(key, ids);
    }
    let html = page::html(&spec, &ctx, &dataset, &filters, &metas, &built)?;
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("creating the folder {}", out_dir.display()))?;
    let path = out_dir.join(format!("{}.html", spec.name));
    crate::report::publish_all(&[(path.clone(), html.into_bytes())])?;
    Ok(path)
}

/// The dataset the panels read, read once for all views (aggregated per view below).
fn read_rows(ctx: &Context, panels: &[Panel]) -> Result<(String, LazyFrame)> {
    let dataset = match &panels[0].kind {
        spec::PanelKind::Waitlist(_, o) => o.dataset.clone(),
        spec::PanelKind::Peaks(_, o) => o.dataset.clone(),
    };
    let other = panels.iter().find(|p| match &p.kind {
        spec::PanelKind::Waitlist(_, o) => o.dataset != dataset,
        spec::PanelKind::Peaks(_, o) => o.dataset != dataset,
    });
    if let Some(p) = other {
        crate::usage!(
            "panel {} reads another dataset than panel 1 ({dataset}); a dashboard's filters \
             apply to one dataset",
            p.number
        );
    }
    let df = ctx
        .open()?
        .scan(&dataset)?
        .collect()
        .map_err(anyhow::Error::from)
        .with_context(|| format!("reading the dataset {dataset}"))?;
    Ok((dataset, df.lazy()))
}

/// The filters with their values: listed in the spec, or every value in the data.
fn resolve_filters(
    spec: &Spec,
    analysis: Analysis,
    (dataset, lf): (&str, &LazyFrame),
    ctx: &Context,
) -> Result<Vec<Filter>> {
    let schema = lf.clone().collect_schema()?;
    let mut out: Vec<Filter> = Vec::new();
    for f in &spec.filters {
        if out.iter().any(|o| o.column == f.column) {
            crate::usage!("filter {} is given twice", f.column);
        }
        let filter = match analysis {
            Analysis::Waitlist => waitlist::filter(f, (dataset, lf), &schema, ctx)?,
            Analysis::Peaks => peaks::filter(f, (dataset, lf), &schema, ctx)?,
        };
        out.push(filter);
    }
    Ok(out)
}

/// Columns no dashboard groups by, although the schema does not mark them personal: an
/// address or a point on the map is one household.
const NOT_GROUPS: &[&str] = &[
    "adres",
    "lat",
    "lon",
    "x",
    "y",
    "omschrijving",
    "toelichting",
];

/// A dashboard may filter, draw series or explain alarms by a column only when its values are
/// groups: a canonical column of the dataset (docs/datasets.md) holding text, not its key,
/// not personal (pseudonymised, an employee), not an address or coordinate. A column the
/// schema does not know is refused too: the dashboard cannot tell whether it names people.
pub(crate) fn groupable(dataset: &str, column: &str, what: &str) -> Result<()> {
    use crate::schema::{Kind, Privacy};
    let ds = crate::schema::dataset(dataset);
    let Some(c) = ds.and_then(|d| d.column(column)) else {
        crate::usage!(
            "{what} {column}: not a column of the canonical dataset {dataset}              (docs/datasets.md); a dashboard groups only by columns it knows hold groups, not              people (a column kept from the export could name a behandelaar or a client)"
        );
    };
    let key = ds.and_then(|d| d.key) == Some(column) || column.ends_with("_id");
    if key || c.privacy != Privacy::None || c.kind != Kind::Text || NOT_GROUPS.contains(&column) {
        crate::usage!(
            "{what} {column}: a dashboard holds aggregates only, and a view or series per              {column} would show single records, people or addresses; use a group such as              gemeente, categorie, wijk, kanaal or team"
        );
    }
    Ok(())
}

/// The distinct values of a column (as text, sorted, without empty ones); an error when there
/// are more than 60, which no list box serves.
pub(crate) fn distinct_values(lf: &LazyFrame, column: &str, what: &str) -> Result<Vec<String>> {
    let df = lf
        .clone()
        .select([col(column).cast(DataType::String)])
        .unique(None, UniqueKeepStrategy::Any)
        .collect()?;
    let mut values: Vec<String> = df
        .column(column)?
        .str()?
        .iter()
        .flatten()
        .filter(|v| !v.trim().is_empty())
        .map(String::from)
        .collect();
    values.sort();
    if values.len() > 60 {
        crate::usage!(
            "{what} {column}: the data has {} values, too many to choose from in a list or to \
             draw as series; (for a filter) list the ones to offer with values = [...], or use \
             a coarser column",
            values.len()
        );
    }
    Ok(values)
}

/// The combinations of values of the column filters that occur in the data (a view for a
/// combination that does not occur would be empty, and is not computed).
fn present_combinations(lf: &LazyFrame, filters: &[Filter]) -> Result<Vec<Vec<Option<String>>>> {
    let cols: Vec<&Filter> = filters.iter().filter(|f| f.all).collect();
    if cols.is_empty() {
        return Ok(vec![Vec::new()]);
    }
    let exprs: Vec<Expr> = cols
        .iter()
        .map(|f| col(f.column.as_str()).cast(DataType::String))
        .collect();
    let df = lf
        .clone()
        .select(exprs)
        .unique(None, UniqueKeepStrategy::Any)
        .collect()?;
    let columns: Vec<&StringChunked> = cols
        .iter()
        .map(|f| df.column(&f.column).and_then(|c| c.str()))
        .collect::<PolarsResult<_>>()?;
    Ok((0..df.height())
        .map(|i| columns.iter().map(|c| c.get(i).map(String::from)).collect())
        .collect())
}

/// A value listed in a filter that no row has gives an empty view: said, so that a misspelt
/// value ("Team Nord") is noticed.
fn warn_absent(spec: &Spec, filters: &[Filter], present: &[Vec<Option<String>>]) {
    let listed = |column: &str| {
        spec.filters
            .iter()
            .any(|f| f.column == column && f.values.is_some())
    };
    for (j, f) in filters.iter().filter(|f| f.all).enumerate() {
        if !listed(&f.column) {
            continue;
        }
        for x in &f.values {
            let seen = present
                .iter()
                .any(|row| row[j].as_deref().is_some_and(|v| f.matches(x, v)));
            if !seen {
                let (nl, en) = (
                    format!(
                        "filter {}: geen rij heeft de waarde \"{x}\"; die keuze toont niets",
                        f.column
                    ),
                    format!(
                        "filter {}: no row has the value \"{x}\"; that choice shows nothing",
                        f.column
                    ),
                );
                crate::messages::warn(nl, en);
            }
        }
    }
}

/// Every combination of choices (indices into each filter's choices, 0 = "alle" where there
/// is one) that matches a row of the data, in the order of the list boxes; built from the
/// rows, so that the count is known before anything is computed, and refused above `limit`.
fn combinations(
    filters: &[Filter],
    present: &[Vec<Option<String>>],
    limit: usize,
) -> Result<Vec<Vec<usize>>> {
    let mut out: std::collections::BTreeSet<Vec<usize>> = Default::default();
    for row in present {
        // Per filter, the choices this row falls under: "alle" and the values it matches.
        let mut values = row.iter();
        let mut partial: Vec<Vec<usize>> = vec![Vec::new()];
        for f in filters {
            let fits: Vec<usize> = if f.all {
                let v = values.next().cloned().flatten();
                let mut fits = vec![0];
                if let Some(v) = v {
                    let hits = f
                        .values
                        .iter()
                        .enumerate()
                        .filter(|(_, x)| f.matches(x, &v));
                    fits.extend(hits.map(|(i, _)| i + 1));
                }
                fits
            } else {
                (0..f.values.len()).collect()
            };
            partial = partial
                .into_iter()
                .flat_map(|c| {
                    fits.iter().map(move |i| {
                        let mut c = c.clone();
                        c.push(*i);
                        c
                    })
                })
                .collect();
        }
        out.extend(partial);
        if out.len() > limit {
            crate::usage!(
                "the filters give more than max_views = {limit} combinations: leave out a \
                 filter, list fewer values (values = [...]), or raise max_views (each \
                 combination is computed and stored in the file)"
            );
        }
    }
    Ok(out.into_iter().collect())
}

/// The view key of a combination ("0-2-1") and its selection.
pub(crate) fn selection<'a>(filters: &'a [Filter], combo: &[usize]) -> (String, Selection<'a>) {
    let key = combo
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join("-");
    let sel = filters
        .iter()
        .zip(combo)
        .map(|(f, i)| (f.column.as_str(), f.choices()[*i]))
        .collect();
    (key, sel)
}

/// A frame's columns as rows of JSON values: numbers rounded to two decimals (as tables for
/// people show them), dates as YYYY-MM-DD.
pub(crate) fn rows_of(df: &DataFrame, cols: &[&str]) -> Result<Rows> {
    let columns: Vec<&Column> = cols
        .iter()
        .map(|c| df.column(c))
        .collect::<PolarsResult<_>>()?;
    (0..df.height())
        .map(|i| {
            columns
                .iter()
                .map(|c| Ok(json_value(c.get(i)?)))
                .collect::<Result<Vec<Value>>>()
        })
        .collect()
}

pub(crate) fn json_value(v: AnyValue<'_>) -> Value {
    match v {
        AnyValue::Null => Value::Null,
        AnyValue::Boolean(b) => Value::Bool(b),
        AnyValue::String(s) => Value::String(s.to_string()),
        AnyValue::StringOwned(s) => Value::String(s.to_string()),
        AnyValue::Date(d) => crate::dates::from_day_number(d)
            .map(|d| Value::String(d.to_string()))
            .unwrap_or(Value::Null),
        AnyValue::Float64(x) => number(x),
        AnyValue::Float32(x) => number(f64::from(x)),
        other => match other.extract::<i64>() {
            Some(n) => Value::from(n),
            None => Value::String(other.to_string()),
        },
    }
}

/// A float rounded to two decimals; NaN and infinities are empty.
pub(crate) fn number(x: f64) -> Value {
    if !x.is_finite() {
        return Value::Null;
    }
    let r = (x * 100.0).round() / 100.0;
    if r.fract() == 0.0 && r.abs() < 1e15 {
        Value::from(r as i64)
    } else {
        serde_json::Number::from_f64(r).map_or(Value::Null, Value::Number)
    }
}

/// Column headers from an analysis' labels (key, Dutch, English).
pub(crate) fn cols(
    labels: crate::render::Labels,
    lang: Lang,
    spec: &[(&str, &'static str)],
) -> Vec<Col> {
    spec.iter()
        .map(|(key, kind)| Col {
            label: labels
                .iter()
                .find(|(k, _, _)| k == key)
                .map_or(key.to_string(), |(_, nl, en)| lang.pick(nl, en).to_string()),
            kind,
        })
        .collect()
}
