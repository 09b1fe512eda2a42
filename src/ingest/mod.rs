//! The ingest pipeline: export -> mapped, validated, pseudonymised rows -> Parquet warehouse.
//!
//! Per file: fingerprint (hash, encoding), open and map the header, decide per column how to
//! read it from a sample, stream every row through the parsers into a staging Parquet file
//! (rejects aside with their reason), then commit: write the dataset's new part, the rejects,
//! and last the catalog. Invariant: rows read = rows accepted + rows rejected.

mod adhoc;
mod commit;
pub mod convert;
mod keys;
mod loader;
mod pages;
pub mod plan;
pub mod request;
pub mod retention;
mod staging;
mod upsert;

use crate::schema::{self, Privacy};
use crate::source::values::{DateOrder, NumberStyle};
use crate::source::{self, ReadOptions, Record, Source};
use crate::warehouse::pseudo::Pseudonymiser;
use crate::warehouse::{self, Catalog, ColumnEntry, DatasetEntry, IngestEntry, WriteGuard};
use anyhow::{Context, Result, bail};
use commit::Commit;
use convert::{Builder, Cell, ColumnParser};
use loader::{Loader, Staged, estimate_rows};
use plan::{Mapping, Plan};
use polars::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Rows per batch written to the staging file: bounds memory whatever the file size.
const BATCH_ROWS: usize = 65_536;
/// Rows taken from the reading thread at a time, parsed and accepted in blocks (see
/// `loader::Loader::rows`).
const CHUNK_ROWS: usize = 8192;
/// Cells per batch and per chunk: a wide export (thousands of columns) gets fewer rows per
/// batch, so that memory follows the data, not the number of columns times a fixed row count.
const BATCH_CELLS: usize = BATCH_ROWS * 32;
const CHUNK_CELLS: usize = CHUNK_ROWS * 32;

/// Rows per batch or chunk for a file of `width` columns: `max` rows, or fewer for wide files.
fn rows_for(cells: usize, width: usize, max: usize) -> usize {
    (cells / width.max(1)).clamp(64, max)
}

/// Rows used to decide date order, decimal comma and inferred types.
const SAMPLE_ROWS: usize = 20_000;
pub use crate::schema::{COL_INGEST, COL_POS};

pub use crate::warehouse::Reject;
pub use adhoc::{Adhoc, load_adhoc};

/// Asks the processor to bring the memory at `p` into its cache ahead of use, where memory is
/// read in an order its own prefetcher cannot guess (the duplicate table's buckets). A hint
/// only: nothing is read, and no address can fault.
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `_mm_prefetch` dereferences nothing; SSE, which it needs, is part of x86_64.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// A newer export of a case replaces the older row with the same key (default when the
    /// dataset has a key).
    Upsert,
    /// Rows are added as they are (default for datasets without a key).
    Append,
    /// The whole dataset is replaced by this export.
    Replace,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Upsert => "upsert",
            Mode::Append => "append",
            Mode::Replace => "replace",
        }
    }
}

pub struct Options {
    pub dataset: String,
    pub mode: Option<Mode>,
    pub mapping: Mapping,
    pub gemeente: Option<String>,
    pub read: ReadOptions,
    pub number_style: Option<NumberStyle>,
    pub date_order: Option<DateOrder>,
    pub pseudo: Option<Pseudonymiser>,
    pub dry_run: bool,
    pub wait: Duration,
    /// Abort without writing when more than this share of the rows is rejected.
    pub max_reject_share: f64,
    /// Load a file again even when the same content was ingested before.
    pub force: bool,
    /// A dataset of one's own whose name is close to a canonical one, on purpose.
    pub new_dataset: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Ingested,
    Unchanged,
    DryRun,
}

/// What happened to one file.
#[derive(Debug, Clone)]
pub struct Summary {
    pub file: PathBuf,
    pub dataset: String,
    pub status: Status,
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub blank: u64,
    /// Physical lines of a text export (`None` for Excel and JSON).
    pub lines: Option<u64>,
    /// Values in which a BSN, phone number, e-mail address or IBAN was masked.
    pub masked: u64,
    /// Footer rows below the data ("Totaal"): not rows, not rejects.
    pub footer: u64,
    pub new: u64,
    pub replaced: u64,
    pub total_rows: u64,
}

/// Ingests every file in turn, each committed on its own, under one warehouse lock.
pub fn run(dir: &Path, files: &[PathBuf], opts: &Options) -> Result<Vec<Summary>> {
    check_dataset_name(&opts.dataset)?;
    let files = &source::expand_wildcards(files)?;
    let mut guard = if opts.dry_run {
        None
    } else {
        Some(WriteGuard::acquire(dir, opts.wait)?)
    };
    let mut summaries = Vec::new();
    for file in files {
        let catalog = match &guard {
            Some(g) => g.catalog.clone(),
            None => warehouse::load_catalog(dir)?,
        };
        check_new_dataset(&opts.dataset, &catalog, opts.new_dataset)?;
        // `-`: standard input, copied to a private temporary file first (source::stdin).
        let spooled = source::stdin::is_dash(file)
            .then(source::stdin::spool)
            .transpose()?;
        let input = Input {
            path: spooled.as_ref().map_or(file.as_path(), |s| s.path()),
            label: file,
        };
        let summary =
            ingest_file(dir, input, &catalog, guard.as_mut(), opts).with_context(|| {
                format!(
                    "ingest of {} stopped; the warehouse is unchanged",
                    file.display()
                )
            })?;
        summaries.push(summary);
    }
    // The staging folder of this run is empty now; a crashed run's is removed on the next one.
    let _ = std::fs::remove_dir(dir.join(warehouse::STAGING_DIR));
    Ok(summaries)
}

/// A dataset name that is neither canonical nor in the warehouse starts a dataset of one's own,
/// with looser rules (no required columns, no key, inferred types). A name close to a
/// canonical one (`meldngen`) is taken for a typo and refused, unless `--new-dataset` says it
/// is meant.
fn check_new_dataset(name: &str, catalog: &Catalog, on_purpose: bool) -> Result<()> {
    if schema::dataset(name).is_some() || catalog.datasets.contains_key(name) || on_purpose {
        return Ok(());
    }
    let near = schema::DATASETS
        .iter()
        .map(|d| d.name)
        .chain(catalog.datasets.keys().map(String::as_str))
        .map(|d| (schema::edit_distance(name, d), d))
        .filter(|(dist, d)| *dist <= 3 || d.starts_with(name) || name.starts_with(d))
        .min();
    if let Some((_, d)) = near {
        bail!(
            "there is no dataset '{name}'; did you mean {d}? A new name starts a dataset of your \
             own, with looser rules (no required columns, no key, types guessed from the data). \
             If that is what you want, add --new-dataset"
        );
    }
    Ok(())
}

fn check_dataset_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    if !ok {
        bail!(
            "'{name}' is not a usable dataset name: use lower-case letters, digits and '_', \
             starting with a letter (for example: meldingen, wmo_wachtlijst). Canonical \
             datasets: {}",
            schema::DATASETS
                .iter()
                .map(|d| d.name)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

/// Normalised header words that identify a header row for this dataset.
fn header_hints(def: Option<&schema::Dataset>, existing: Option<&DatasetEntry>) -> Vec<String> {
    let mut hints = Vec::new();
    if let Some(d) = def {
        for c in d.columns {
            hints.push(schema::normalise(c.name));
            hints.extend(c.aliases.iter().map(|a| schema::normalise(a)));
        }
    }
    if let Some(e) = existing {
        hints.extend(e.columns.iter().map(|c| schema::normalise(&c.name)));
    }
    hints
}

/// The file an ingest reads, and the name it is known by in messages, rejects and the
/// lineage: the same, but `-` for standard input (read from its temporary copy).
#[derive(Clone, Copy)]
struct Input<'a> {
    path: &'a Path,
    label: &'a Path,
}

fn ingest_file(
    dir: &Path,
    input: Input<'_>,
    catalog: &Catalog,
    guard: Option<&mut WriteGuard>,
    opts: &Options,
) -> Result<Summary> {
    let (file, label) = (input.path, input.label);
    let name = opts.dataset.as_str();
    let size = source::file_size(file)?;
    crate::warehouse::pseudo::refuse_key_file(file, size, opts.pseudo.as_ref())?;
    // A file of the size of one ingested before may be the same file: its SHA-256 first.
    let same_size = catalog
        .datasets
        .get(name)
        .is_some_and(|d| d.ingests.iter().any(|i| i.size == size));
    let known = same_size.then(|| source::sha256_file(file)).transpose()?;
    if let Some(hash) = &known
        && let Some(prev) = catalog.seen(name, hash).filter(|_| !opts.force)
    {
        return Ok(unchanged(label, name, prev, catalog));
    }
    let staging_root = match &guard {
        Some(_) => dir.join(warehouse::STAGING_DIR),
        None => std::env::temp_dir(),
    };
    let staging = stage_export(input, size, catalog, opts, &staging_root, known.is_none())?;
    // A file's SHA-256 was computed before the rows (a file of an earlier one's size), taken as
    // its rows were read (a text export) or with its facts after them (a workbook, JSON); only
    // UTF-16 text's is read now.
    let sha256 = match known.or(staging.sha256) {
        Some(hash) => hash,
        None => source::sha256_file(file)?,
    };
    let commit = Commit {
        dir,
        id: catalog.next_ingest,
        name,
        def: schema::dataset(name),
        file: label,
        fp: &staging.fp,
        sha256,
        src: &staging.src,
        plan: &staging.plan,
        staged: staging.staged,
        blank: staging.blank,
        opts,
    };
    match guard {
        Some(g) => commit.apply(g),
        None => commit.preview(catalog),
    }
}

/// An export read into its staging folder, ready to commit: its source and plan, the whole
/// file's facts (and SHA-256, when its reading took it), what was staged, and the blank rows
/// skipped. The folder goes when this is dropped, after the commit.
struct Staging {
    src: Source,
    fp: source::Fingerprint,
    sha256: Option<String>,
    plan: Plan,
    staged: Staged,
    blank: u64,
    _folder: tempfile::TempDir,
}

/// Reads an export into a new staging folder under `staging_root`: its columns mapped and
/// decided (and checked against the dataset), its rows parsed and staged. Refused when too
/// many rows are rejected.
fn stage_export(
    input: Input<'_>,
    size: u64,
    catalog: &Catalog,
    opts: &Options,
    staging_root: &Path,
    sha256: bool,
) -> Result<Staging> {
    let (file, label) = (input.path, input.label);
    let (mut src, mut plan) = open_export(file, catalog, opts, sha256)?;
    let pseudo = check_key(&plan, catalog, opts)?;
    let prepared = prepare(&mut src, &mut plan, opts.number_style, opts.date_order)?;
    check_against_existing(&prepared.1, catalog.datasets.get(&opts.dataset))?;
    let id = catalog.next_ingest;
    let folder = staging_folder(staging_root, id)?;
    let target = Target {
        id,
        file: label,
        path: folder.path().join("staged.parquet"),
        // UTF-16 takes two bytes per character where the sample's text counts one.
        size: Some(if source::is_utf16(file)? {
            size / 2
        } else {
            size
        }),
    };
    let staged = stream_rows(&mut src, &plan, prepared, pseudo, &target)?;
    let first_lines = src.settings.encoding.clone();
    let (fp, sha256) = src.finish()?;
    // The settings were printed with the encoding of the first lines.
    if let Some(e) = src
        .settings
        .encoding
        .as_ref()
        .filter(|e| Some(*e) != first_lines.as_ref())
    {
        crate::messages::detail(format!("codering van het hele bestand: {e}"));
    }
    let blank = src.blank_rows.load(std::sync::atomic::Ordering::Relaxed);
    report_staged(&staged);
    warehouse::crash_point("staged");
    staged.check_reject_share(opts.max_reject_share, label)?;
    Ok(Staging {
        src,
        fp,
        sha256,
        plan,
        staged,
        blank,
        _folder: folder,
    })
}

/// Opens the export (its header row found with the dataset's header words) and maps its
/// headers onto the dataset; a text export's SHA-256 is taken as its rows are read if `sha256`.
fn open_export(
    file: &Path,
    catalog: &Catalog,
    opts: &Options,
    sha256: bool,
) -> Result<(Source, Plan)> {
    let def = schema::dataset(&opts.dataset);
    let existing = catalog.datasets.get(&opts.dataset);
    let mut read = opts.read.clone();
    read.header_hints = header_hints(def, existing);
    read.sha256 = sha256;
    let src = source::open(file, &read)?;
    source::check_header(&src.headers, file)?;
    let plan = Plan::build(
        def,
        &src.headers,
        &opts.mapping,
        existing,
        opts.gemeente.as_deref(),
    )?;
    Ok((src, plan))
}

/// A new staging folder for ingest `id` under `root`, which is created if need be.
fn staging_folder(root: &Path, id: u64) -> Result<tempfile::TempDir> {
    std::fs::create_dir_all(root)?;
    tempfile::Builder::new()
        .prefix(&format!("ingest-{id}-"))
        .tempdir_in(root)
        .context("cannot create a staging folder")
}

/// Where an export's rows are staged, and as which ingest.
struct Target<'a> {
    id: u64,
    file: &'a Path,
    path: PathBuf,
    /// The export's size, for an ingest: the duplicate-key table is sized from it at once, and a
    /// large file shows progress.
    size: Option<u64>,
}

/// Streams the sample and then the rest of the export's rows through the parsers into the
/// staging file.
fn stream_rows(
    src: &mut Source,
    plan: &Plan,
    (sample, parsers): (Vec<Record>, Vec<ColumnParser>),
    pseudo: Option<&Pseudonymiser>,
    to: &Target,
) -> Result<Staged> {
    let rest = std::mem::replace(&mut src.rows, Box::new(std::iter::empty()));
    let mut loader = Loader::new(to.id, to.file, src, plan, parsers, pseudo, &to.path)?;
    if let Some(size) = to.size {
        let rows = estimate_rows(size, &sample);
        loader.expect_rows(rows, &sample);
        // A text export's rows are estimated well from its size; a workbook's (compressed)
        // or JSON's are not: those get a counter instead of a bar.
        let text = src.settings.format == "csv";
        loader.progress_total(size, text.then_some(rows as u64));
    }
    loader.stream(sample, rest)?;
    loader.finish()
}

/// Says which values were masked, and which footer rows below the data were left out.
fn report_staged(staged: &Staged) {
    for (column, m) in &staged.masked {
        crate::messages::detail(format!(
            "'{column}': gemaskeerd in de waarden: {}",
            m.describe()
        ));
    }
    if !staged.footers.is_empty() {
        let names: Vec<String> = staged.footers.iter().map(|f| format!("'{f}'")).collect();
        crate::messages::detail(format!(
            "{} voetregel(s) onder de gegevens niet ingelezen: {}",
            staged.footers.len(),
            names.join(", ")
        ));
    }
}

/// The summary of a file ingested before with the same content: nothing changes.
fn unchanged(file: &Path, name: &str, prev: &IngestEntry, catalog: &Catalog) -> Summary {
    let (f, id, time) = (file.display(), prev.id, &prev.time);
    crate::messages::info(match crate::messages::lang() {
        crate::lang::Lang::Nl => format!(
            "{f} is al ingelezen in '{name}' (inlading #{id} op {time}, dezelfde SHA-256); er \
             verandert niets. Met --force leest u het opnieuw in (andere instellingen)"
        ),
        crate::lang::Lang::En => format!(
            "{f} was already ingested into '{name}' (ingest #{id} on {time}, same SHA-256); \
             nothing changed. Use --force to load it again (other settings)"
        ),
    });
    Summary {
        file: file.to_path_buf(),
        dataset: name.to_string(),
        status: Status::Unchanged,
        read: 0,
        accepted: 0,
        rejected: 0,
        blank: 0,
        lines: None,
        masked: 0,
        footer: 0,
        new: 0,
        replaced: 0,
        total_rows: catalog.datasets.get(name).map_or(0, |d| d.rows),
    }
}

/// Refuses to run without a key when the export has a column to pseudonymise, and refuses a
/// key other than the one the warehouse was built with.
fn check_key<'a>(
    plan: &Plan,
    catalog: &Catalog,
    opts: &'a Options,
) -> Result<Option<&'a Pseudonymiser>> {
    let needs: Vec<&str> = plan
        .columns
        .iter()
        .filter(|c| c.privacy == Privacy::Pseudonymised && c.source.is_some())
        .map(|c| c.header.as_str())
        .collect();
    if needs.is_empty() {
        return Ok(opts.pseudo.as_ref());
    }
    let Some(p) = &opts.pseudo else {
        bail!(
            "the export has personal link keys ({}) that are stored only as a keyed hash, and no \
             key is set.\nSet one: export DATASTROOM_KEY=\"$(openssl rand -hex 32)\" (keep it \
             safe and outside the warehouse; the same key must be used for every ingest), or \
             pass --key-file FILE. See docs/privacy.md",
            needs.join(", ")
        );
    };
    if let Some(known) = &catalog.key_fingerprint
        && *known != p.fingerprint()
    {
        bail!(
            "this key is not the one the warehouse was built with (key fingerprint {} instead of \
             {known}); with another key the same BSN gets another code and links break. Use the \
             original key",
            p.fingerprint()
        );
    }
    Ok(Some(p))
}

/// Reads the sample (the first rows), drops BSN-like columns, decides how to read each column,
/// and prints (unless quiet) and keeps those decisions in the source's settings.
fn prepare(
    src: &mut Source,
    plan: &mut Plan,
    number_style: Option<NumberStyle>,
    date_order: Option<DateOrder>,
) -> Result<(Vec<Record>, Vec<ColumnParser>)> {
    let sample: Vec<Record> = src.rows.by_ref().take(SAMPLE_ROWS).collect::<Result<_>>()?;
    plan.drop_personal_values(&sample);
    let parsers = decide_parsers(plan, &sample, src, number_style, date_order)?;
    src.settings.columns = parsers
        .iter()
        .filter(|p| p.plan.source.is_some() || p.plan.constant.is_some())
        .map(ColumnParser::describe)
        .collect();
    let missing: Vec<&str> = parsers
        .iter()
        .filter(|p| p.plan.source.is_none() && p.plan.constant.is_none())
        .map(|p| p.plan.name.as_str())
        .collect();
    if !missing.is_empty() {
        src.settings.columns.push(format!(
            "niet in de export, leeg opgeslagen: {}",
            missing.join(", ")
        ));
    }
    if crate::messages::shown() {
        print_settings(src, plan);
    }
    Ok((sample, parsers))
}

/// Decides how to read each column from the sample. Without proof either way, exports
/// separated by ';' or TAB (Dutch Excel) use a decimal comma, others a decimal point.
fn decide_parsers(
    plan: &Plan,
    sample: &[Record],
    src: &Source,
    number_style: Option<NumberStyle>,
    date_order: Option<DateOrder>,
) -> Result<Vec<ColumnParser>> {
    let fallback = match src.settings.delimiter.as_deref() {
        Some(";") | Some("TAB") => NumberStyle::DecimalComma,
        _ => NumberStyle::DecimalPoint,
    };
    let mut parsers = Vec::new();
    let mut problems = Vec::new();
    for col in &plan.columns {
        let values: Vec<&str> = match col.source {
            Some(i) => sample
                .iter()
                .map(|r| r.fields.get(i).unwrap_or(""))
                .collect(),
            None => Vec::new(),
        };
        match ColumnParser::decide(col.clone(), &values, fallback, number_style, date_order) {
            Ok(p) => parsers.push(p),
            Err(e) => problems.push(e),
        }
    }
    if !problems.is_empty() {
        bail!(
            "cannot decide how to read some columns:\n  {}",
            problems.join("\n  ")
        );
    }
    Ok(parsers)
}

/// A dataset keeps its column types: an export whose column now reads as another type is
/// refused with both types named.
fn check_against_existing(parsers: &[ColumnParser], existing: Option<&DatasetEntry>) -> Result<()> {
    let Some(e) = existing else { return Ok(()) };
    for p in parsers {
        if let Some(c) = e.columns.iter().find(|c| c.name == p.plan.name)
            && c.kind != p.plan.kind
        {
            bail!(
                "column '{}' is {} in the warehouse but {} in this export",
                p.plan.name,
                c.kind.name(),
                p.plan.kind.name()
            );
        }
    }
    Ok(())
}

/// Prints how the export is read: format and settings, then per column, then what was dropped
/// and what to look out for.
fn print_settings(src: &Source, plan: &Plan) {
    crate::messages::info(settings_line(src).trim_start_matches("datastroom: "));
    for c in &src.settings.columns {
        crate::messages::detail(c);
    }
    for d in &plan.dropped {
        crate::messages::detail(format!("'{d}': persoonsgegeven, niet opgeslagen"));
    }
    if let Some(d) = plan.dropped.first() {
        crate::messages::detail(format!(
            "(een kolom die geen persoonsgegeven is, zoals 'Naam' met de naam van een \
             gemeente, houdt u met een mapping: [kolommen] \"{d}\" = \"<andere naam>\"; \
             docs/ingest.md)"
        ));
    }
    for w in &plan.warnings {
        crate::messages::detail(format!("let op: {w}"));
    }
}

/// The line that says how the export is read: "datastroom: FILE: csv, codering ..., ...".
fn settings_line(src: &Source) -> String {
    let s = &src.settings;
    let mut line = format!("datastroom: {}: {}", src.path.display(), s.format);
    let parts = [
        s.encoding.as_ref().map(|e| format!(", codering {e}")),
        s.delimiter
            .as_ref()
            .map(|d| format!(", scheidingsteken '{d}'")),
        s.sheet.as_ref().map(|sh| format!(", blad '{sh}'")),
        s.note.as_ref().map(|n| format!(" ({n})")),
        (s.header_row > 0).then(|| format!(", kopregel op {} {}", s.position_word(), s.header_row)),
    ];
    line.extend(parts.into_iter().flatten());
    line
}
