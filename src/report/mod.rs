//! Reports: a TOML spec (docs/report.md) names a title, an audience, a period and typed
//! sections; each section computes its figures with the same `figures` code and `Options` as
//! its subcommand, and the report writes one Markdown document, the same as self-contained
//! HTML with charts, a CSV (Dutch Excel) per table and optionally a workbook, all atomically.

mod charts;
pub(crate) mod html;
mod people;
pub(crate) mod sources;
pub mod spec;
mod suppress;

use crate::context::{Audience as ForWhom, Context};
use crate::figures::{inhuur, peaks, renewals, sql, timeline, waitlist};
use crate::ingest::request::Request;
use crate::render::{Format, Output, Table};
use anyhow::{Context as _, Result};
use chrono::NaiveDate;
use people::People;
use polars::prelude::DataFrame;
use spec::{Audience, Kind, Language, Section, Spec};
use std::path::{Path, PathBuf};

pub use spec::{PeriodKind, last_complete, period_start};

/// What a section computed: Markdown, or a table and, for some, a chart of its own (SVG).
enum Computed {
    Text(String),
    Table(Table, Option<String>),
}

/// Computes one section.
fn compute(s: &Section, ctx: &Context, start: NaiveDate) -> Result<Computed> {
    let title = |default: &str| s.title.clone().unwrap_or_else(|| default.to_string());
    Ok(match &s.kind {
        Kind::Text(text) => Computed::Text(text.clone()),
        Kind::Sql { query, caption } => {
            Computed::Table(sql_table(ctx, query, caption, start)?, None)
        }
        Kind::Waitlist(o) => {
            let config = waitlist::validate(ctx, o)?;
            let table = waitlist::compute(ctx, &config)?;
            let chart = waitlist_chart(ctx, &config, &table, title("Wachttijd"))?;
            Computed::Table(table, chart)
        }
        Kind::Peaks(o) => {
            let config = peaks::validate(ctx, o)?;
            let table = peaks::compute(ctx, &config)?;
            let chart = if o.forecast.is_none() && !o.correlate {
                let judged = peaks::judged_in_window(ctx, &config)?;
                let t = title("Pieken");
                charts::peaks_chart(&judged, &t, config.period(), ctx.min_cell(), ctx.lang)?
            } else {
                None
            };
            Computed::Table(table, chart)
        }
        Kind::Renewals(o) => {
            Computed::Table(renewals::compute(ctx, &renewals::validate(ctx, o)?)?, None)
        }
        Kind::Inhuur(o) => {
            let table = inhuur::compute(ctx, &inhuur::validate(ctx, o)?)?;
            let chart = match o.section {
                inhuur::View::Costs => {
                    charts::spend_chart(&table.df, &title("Kosten per maand"), ctx.lang)?
                }
                inhuur::View::Timeline => charts::gantt_chart(
                    &table.df,
                    ("contract_id", "start", "end"),
                    &title("Contracten"),
                    ctx.as_of,
                    ctx.lang,
                )?,
                _ => None,
            };
            Computed::Table(table, chart)
        }
        Kind::Timeline(o) => {
            let table = timeline::compute(ctx, o)?;
            let chart = charts::gantt_chart(
                &table.df,
                ("name", "start", "end"),
                &title("Tijdlijn"),
                ctx.as_of,
                ctx.lang,
            )?;
            Computed::Table(table, chart)
        }
    })
}

/// A sql section: `{start}` and `{end}` are the first and last day of the report's period;
/// without ORDER BY the rows are sorted, so that the report's order is fixed.
fn sql_table(ctx: &Context, query: &str, caption: &str, start: NaiveDate) -> Result<Table> {
    let day = |d: NaiveDate| format!("DATE('{}')", d.format("%Y-%m-%d"));
    let query = query
        .replace("{start}", &day(start))
        .replace("{end}", &day(ctx.as_of));
    let mut df = sql::query(ctx, &query, &sql::File::default())?;
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
    Ok(Table::plain(df, caption, &[]))
}

/// A waiting list's chart: the Kaplan-Meier curves of a summary (not for the council: each step
/// of a curve is the number decided on one day), or the flow's lines.
fn waitlist_chart(
    ctx: &Context,
    config: &waitlist::Config,
    table: &Table,
    title: String,
) -> Result<Option<String>> {
    match config.options.section {
        waitlist::View::Summary | waitlist::View::By if ctx.min_cell().is_some() => Ok(None),
        waitlist::View::Summary | waitlist::View::By => {
            let mut curves = config.options.clone();
            curves.section = waitlist::View::Survival;
            // Its warnings were given with the table.
            let curves = crate::messages::silenced(|| {
                waitlist::compute(ctx, &waitlist::validate(ctx, &curves)?)
            })?;
            charts::km_chart(&curves.df, &title, ctx.lang)
        }
        waitlist::View::Flow => charts::flow_chart(&table.df, &title, ctx.lang),
        _ => Ok(None),
    }
}

/// With `inlezen`, the exports are loaded into a temporary warehouse first; rejected rows are
/// said on stderr (they are not counted).
pub(crate) fn load_exports(
    spec_path: &Path,
    plan: Option<&Path>,
    (made_nl, made_en): (&str, &str),
) -> Result<Option<tempfile::TempDir>> {
    let Some(plan) = plan else {
        return Ok(None);
    };
    let plan = spec_path.parent().unwrap_or(Path::new(".")).join(plan);
    let dir = tempfile::tempdir().context("creating a temporary warehouse")?;
    let summaries = crate::messages::silenced(|| {
        crate::ingest::request::run(&dir.path().join("warehouse"), &Request::plan(&plan))
    })
    .with_context(|| format!("ingesting with the plan {}", plan.display()))?;
    let rejected: Vec<String> = summaries
        .iter()
        .filter(|s| s.rejected > 0)
        .map(|s| {
            let file = s.file.file_name().unwrap_or_default().to_string_lossy();
            format!("{file} {} van {}", s.rejected, s.read)
        })
        .collect();
    if !rejected.is_empty() {
        let total: u64 = summaries.iter().map(|s| s.rejected).sum();
        let list = rejected.join(", ");
        crate::messages::warn(
            format!(
                "bij het inlezen ({}) zijn {total} rijen afgekeurd: {list}; {made_nl} telt ze \
                 niet mee. Bekijk ze met `datastroom ingest --plan` en `datastroom datasets \
                 rejects NAME`",
                plan.display()
            ),
            format!(
                "the ingest ({}) rejected {total} rows: {}; {made_en} does not count them. See \
                 them with `datastroom ingest --plan` and `datastroom datasets rejects NAME`",
                plan.display(),
                list.replace(" van ", " of ")
            ),
        );
    }
    Ok(Some(dir))
}

/// `--snapshot` for a report or dashboard: it applies to the warehouse, not to exports the
/// spec loads itself (`inlezen`).
pub(crate) fn snapshot_of(
    temp: Option<&tempfile::TempDir>,
    ctx: &Context,
) -> Result<Option<crate::warehouse::delta::Snapshot>> {
    if temp.is_some() && ctx.snapshot.is_some() {
        return Err(crate::context::UsageError(
            "--snapshot reads the warehouse as it was, but this spec loads its exports itself \
             (inlezen); leave out one of the two"
                .into(),
        )
        .into());
    }
    Ok(ctx.snapshot.clone())
}

/// The warehouse a spec reads: the temporary one `inlezen` loaded, else the run's.
pub(crate) fn warehouse_of(temp: Option<&tempfile::TempDir>, ctx: &Context) -> PathBuf {
    match temp {
        Some(dir) => dir.path().join("warehouse"),
        None => ctx.warehouse.clone(),
    }
}

/// The title, the period and the audience, and the state of the data the sections read.
fn heading(
    spec: &Spec,
    sections: &[Section],
    wh: &crate::warehouse::Warehouse,
    (label, end): (&str, NaiveDate),
    loaded_here: bool,
) -> Result<String> {
    let nl = spec.language == Language::Nl;
    let mut md = format!(
        "# {}\n\n{} {label} ({} {}), {}: {}.\n\n",
        spec.title,
        if nl { "Periode" } else { "Period" },
        if nl { "t/m" } else { "to" },
        end.format(if nl { "%d-%m-%Y" } else { "%Y-%m-%d" }),
        if nl { "publiek" } else { "audience" },
        match (spec.audience, nl) {
            (Audience::Management, _) => "management",
            (Audience::Raad, true) => "gemeenteraad",
            (Audience::Raad, false) => "council",
        }
    );
    md.push_str(if nl {
        "## Stand van de gegevens\n\n| dataset | laatst ingelezen | versie | laatste datum in de gegevens |\n| --- | --- | --- | --- |\n"
    } else {
        "## Data as of\n\n| dataset | last ingest | version | latest date in the data |\n| --- | --- | --- | --- |\n"
    });
    let used = sources::used_datasets(sections, wh);
    let dates = sources::data_dates(wh, &used, loaded_here, nl)?;
    for d in &dates {
        let version = d.version.map(|v| v.to_string()).unwrap_or_default();
        md.push_str(&format!(
            "| {} | {} | {version} | {} |\n",
            d.dataset, d.ingest, d.latest
        ));
    }
    // From a warehouse (not exports loaded for this report), how to make it again from the
    // same data: the auditor's question.
    let pinned: Vec<String> = dates
        .iter()
        .filter_map(|d| Some(format!("{}={}", d.dataset, d.version?)))
        .collect();
    if !loaded_here && !pinned.is_empty() {
        md.push_str(&format!(
            "\n{} `--snapshot {}`.\n",
            if nl {
                "Dezelfde gegevens opnieuw gebruiken (ook na latere inladingen):"
            } else {
                "To use the same data again (also after later ingests):"
            },
            pinned.join(",")
        ));
    }
    md.push('\n');
    Ok(md)
}

/// The report as it is built: its Markdown, the files beside it, the workbook's sheets and the
/// charts the HTML draws.
#[derive(Default)]
struct Built {
    md: String,
    files: Vec<(PathBuf, Vec<u8>)>,
    /// (sheet name, table, its output settings, the title of its chart if it has one).
    sheets: Vec<(String, DataFrame, Output, Option<String>)>,
    charts: Vec<String>,
}

/// Writes the report into `out_dir`; returns the paths written.
pub fn run(spec_path: &Path, out_dir: &Path, ctx: &Context) -> Result<Vec<PathBuf>> {
    let spec: Spec = crate::source::read_toml(spec_path, "report spec", "See docs/report.md")?;
    spec::check_name(&spec.name)?;
    let sections = spec.sections()?;
    let (label, end) = last_complete(spec.period, ctx.as_of);
    let start = period_start(spec.period, end);
    let temp = load_exports(
        spec_path,
        spec.inlezen.as_deref(),
        ("de rapportage", "the report"),
    )?;
    let section_ctx = Context {
        warehouse: warehouse_of(temp.as_ref(), ctx),
        as_of: end,
        lang: spec.language.lang(),
        audience: match spec.audience {
            Audience::Raad => ForWhom::Council {
                min_cell: spec.privacy.min_cell,
            },
            Audience::Management => ForWhom::Management,
        },
        snapshot: snapshot_of(temp.as_ref(), ctx)?,
    };
    let wh = section_ctx.open()?;
    let mut built = Built {
        md: heading(&spec, &sections, &wh, (&label, end), temp.is_some())?,
        ..Built::default()
    };
    let people = match spec.audience {
        Audience::Raad => Some(People::of(&wh)?),
        Audience::Management => None,
    };
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("creating the folder {}", out_dir.display()))?;
    let base = format!("{}-{label}", spec.name);
    for s in &sections {
        add_section(
            &mut built,
            s,
            &section_ctx,
            start,
            people.as_ref(),
            (out_dir, &base),
        )
        .with_context(|| format!("section {} ({})", s.number, s.kind.name()))?;
    }
    let nl = section_ctx.nl();
    let html = html::from_markdown(
        &built.md,
        &spec.title,
        if nl { "nl" } else { "en" },
        &built.charts,
    );
    let mut files = built.files;
    files.push((out_dir.join(format!("{base}.html")), html.into_bytes()));
    files.push((out_dir.join(format!("{base}.md")), built.md.into_bytes()));
    if spec.xlsx {
        let refs: Vec<crate::render::Sheet<'_>> = built
            .sheets
            .iter()
            .map(|(name, df, out, chart)| crate::render::Sheet {
                name,
                df,
                out,
                chart: chart.as_deref(),
            })
            .collect();
        files.push((
            out_dir.join(format!("{base}.xlsx")),
            crate::render::workbook_bytes(&refs, end)?,
        ));
    }
    publish_all(&files)?;
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

/// Computes a section and adds it to the report: its heading, its table as the readers may see
/// it (people's columns refused, small counts hidden for the council), its chart and its CSV.
fn add_section(
    built: &mut Built,
    s: &Section,
    ctx: &Context,
    start: NaiveDate,
    people: Option<&People>,
    (out_dir, base): (&Path, &str),
) -> Result<()> {
    if let Some(t) = &s.title {
        built.md.push_str(&format!("## {t}\n\n"));
    }
    if let Some(people) = people {
        people.refuse_section(s)?;
    }
    let (mut t, mut own_chart) = match compute(s, ctx, start)? {
        Computed::Text(text) => {
            built.md.push_str(text.trim());
            built.md.push_str("\n\n");
            return Ok(());
        }
        Computed::Table(t, chart) => (t, chart),
    };
    t.df = t.people_frame(ctx.lang)?;
    t.for_people = None;
    if let Some(people) = people {
        people.refuse_table(&t.df)?;
    }
    if let Some(min_cell) = ctx.min_cell()
        && suppress_small(&mut t, min_cell, ctx.nl())?
    {
        // Curves of groups this small would show what the table hides.
        own_chart = None;
    }
    let nl = ctx.nl();
    let mut out = Output::new(Some(Format::Markdown), None, ctx.lang);
    out.labels = t.labels;
    out.money = t.money.clone();
    let csv_name = format!("{base}-{}.csv", s.number);
    let (shown, more) = core_columns(&t.df, s, &csv_name, nl)?;
    built.md.push_str(&out.markdown(&shown)?);
    if !t.note.is_empty() || !more.is_empty() {
        built.md.push_str(&format!("\n{}{more}\n", t.note));
    }
    built.md.push('\n');
    let title = s.title.as_deref().unwrap_or(s.kind.name());
    let chart = match own_chart {
        _ if !s.chart => None,
        Some(svg) => Some(svg),
        None => charts::bar_chart(&t.df, title, t.labels, ctx.lang)?,
    };
    let chart_title = chart.is_some().then(|| title.to_string());
    if let Some(svg) = chart {
        built
            .md
            .push_str(&format!("<!-- chart {} -->\n\n", built.charts.len()));
        built.charts.push(svg);
    }
    built
        .files
        .push((out_dir.join(csv_name), out.csv_report(&t.df)?));
    let sheet = format!("{} {title}", s.number);
    built.sheets.push((sheet, t.df, out, chart_title));
    Ok(())
}

/// Hides small counts of a council table (and what would give them away); returns whether any
/// cell was hidden, and then says so in the note.
fn suppress_small(t: &mut Table, min_cell: i64, nl: bool) -> Result<bool> {
    // The column naming the rows: a known one, or the first text column (a SQL table's GROUP
    // BY column), where a total row may say "totaal".
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
    let s = suppress::suppress(&t.df, nl, min_cell, group, total, size)?;
    t.df = s.df;
    if s.hidden == 0 {
        return Ok(false);
    }
    t.note.push_str(&if nl {
        format!(
            " Aantallen onder {min_cell} staan als <{min_cell}; met x zijn cellen verborgen \
             waaruit een klein aantal terug te rekenen is, en cijfers van groepen kleiner dan \
             {min_cell}."
        )
    } else {
        format!(
            " Counts below {min_cell} are shown as <{min_cell}; x hides cells from which a \
             small count could be recomputed, and figures of groups smaller than {min_cell}."
        )
    });
    Ok(true)
}

/// The columns a waiting-list table shows in the report (its CSV keeps them all), and the
/// sentence that says where the rest are. Other tables are shown whole.
fn core_columns(
    df: &polars::prelude::DataFrame,
    s: &Section,
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
    let summary = matches!(s.kind, Kind::Waitlist(_))
        && df.column("median_days").is_ok()
        && df.column("n").is_ok();
    if s.all_columns || !summary {
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
pub(crate) fn publish_all(files: &[(PathBuf, Vec<u8>)]) -> Result<()> {
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
