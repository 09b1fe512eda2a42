//! The ingest pipeline: export -> mapped, validated, pseudonymised rows -> Parquet warehouse.
//!
//! Per file: fingerprint (hash, encoding), open and map the header, decide per column how to
//! read it from a sample, stream every row through the parsers into a staging Parquet file
//! (rejects aside with their reason), then commit: write the dataset's new part, the rejects,
//! and last the catalog. Invariant: rows read = rows accepted + rows rejected.

pub mod convert;
pub mod plan;

use crate::schema::{self, Privacy};
use crate::source::values::{DateOrder, NumberStyle};
use crate::source::{self, ReadOptions, Record, Source};
use crate::warehouse::pseudo::Pseudonymiser;
use crate::warehouse::{self, Catalog, ColumnEntry, DatasetEntry, IngestEntry, WriteGuard};
use anyhow::{Context, Result, bail};
use convert::{Builder, Cell, ColumnParser};
use plan::{Mapping, Plan};
use polars::prelude::*;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Rows per batch written to the staging file: bounds memory whatever the file size.
const BATCH_ROWS: usize = 65_536;
/// Rows parsed together on all cores.
const CHUNK_ROWS: usize = 8192;
/// Rows used to decide date order, decimal comma and inferred types.
const SAMPLE_ROWS: usize = 20_000;
/// Technical columns every dataset gets: which ingest brought the row, and from where.
pub const COL_INGEST: &str = "_ingest_id";
pub const COL_POS: &str = "_bron_positie";

/// A rejected row: where it was, which column, which value, and why.
#[derive(Debug, Clone)]
pub struct Reject {
    pub ingest_id: u64,
    pub source: String,
    pub pos: u64,
    pub column: String,
    pub value: String,
    pub reason: String,
    /// The row's fields as JSON, without personal data.
    pub row: String,
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
    pub quiet: bool,
    pub wait: Duration,
    /// Abort without writing when more than this share of the rows is rejected.
    pub max_reject_share: f64,
    /// Load a file again even when the same content was ingested before.
    pub force: bool,
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
    pub new: u64,
    pub replaced: u64,
    pub total_rows: u64,
}

/// Ingests every file in turn, each committed on its own, under one warehouse lock.
pub fn run(dir: &Path, files: &[PathBuf], opts: &Options) -> Result<Vec<Summary>> {
    check_dataset_name(&opts.dataset)?;
    let mut guard = if opts.dry_run {
        None
    } else {
        Some(WriteGuard::acquire(dir, opts.wait, opts.quiet)?)
    };
    let mut summaries = Vec::new();
    for file in files {
        let catalog = match &guard {
            Some(g) => g.catalog.clone(),
            None => Catalog::load(dir)?,
        };
        let summary =
            ingest_file(dir, file, &catalog, guard.as_mut(), opts).with_context(|| {
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

fn ingest_file(
    dir: &Path,
    file: &Path,
    catalog: &Catalog,
    guard: Option<&mut WriteGuard>,
    opts: &Options,
) -> Result<Summary> {
    let name = opts.dataset.as_str();
    let fp = source::fingerprint(file)?;
    if let Some(prev) = catalog.seen(name, &fp.sha256).filter(|_| !opts.force) {
        if !opts.quiet {
            eprintln!(
                "datastroom: {} was already ingested into '{name}' (ingest #{} on {}, same \
                 SHA-256); nothing changed. Use --force to load it again (other settings)",
                file.display(),
                prev.id,
                prev.time
            );
        }
        let total = catalog.datasets.get(name).map_or(0, |d| d.rows);
        return Ok(Summary {
            file: file.to_path_buf(),
            dataset: name.to_string(),
            status: Status::Unchanged,
            read: 0,
            accepted: 0,
            rejected: 0,
            blank: 0,
            new: 0,
            replaced: 0,
            total_rows: total,
        });
    }
    let def = schema::dataset(name);
    let existing = catalog.datasets.get(name);
    let mut read = opts.read.clone();
    read.header_hints = header_hints(def, existing);
    let mut src = source::open(file, &fp, &read)?;
    let mut plan = Plan::build(
        def,
        &src.headers,
        &opts.mapping,
        existing,
        opts.gemeente.as_deref(),
    )?;
    let pseudo = check_key(&plan, catalog, opts)?;

    let sample = read_sample(&mut src)?;
    plan.drop_bsn_like(&sample);
    let parsers = decide_parsers(&plan, &sample, &src, opts.number_style, opts.date_order)?;
    check_against_existing(&parsers, existing)?;
    src.settings.columns = parsers.iter().map(ColumnParser::describe).collect();
    if !opts.quiet {
        print_settings(&src, &plan);
    }

    let id = catalog.next_ingest;
    let staging_root = match &guard {
        Some(_) => dir.join(warehouse::STAGING_DIR),
        None => std::env::temp_dir(),
    };
    let staging = tempfile::Builder::new()
        .prefix(&format!("ingest-{id}-"))
        .tempdir_in({
            std::fs::create_dir_all(&staging_root)?;
            &staging_root
        })
        .context("cannot create a staging folder")?;
    let staged_path = staging.path().join("staged.parquet");
    let rest = std::mem::replace(&mut src.rows, Box::new(std::iter::empty()));
    let mut loader = Loader::new(id, file, &src, &plan, parsers, pseudo, &staged_path)?;
    loader.expect_rows(estimate_rows(fp.size, &sample));
    loader.progress_total(fp.size, opts.quiet);
    loader.stream(sample, rest)?;
    let blank = src.blank_rows.load(std::sync::atomic::Ordering::Relaxed);
    let staged = loader.finish()?;
    warehouse::crash_point("staged");
    staged.check_reject_share(opts.max_reject_share, file)?;

    let commit = Commit {
        dir,
        id,
        name,
        def,
        file,
        fp: &fp,
        src: &src,
        plan: &plan,
        staged,
        blank,
        opts,
    };
    match guard {
        Some(g) => commit.apply(g),
        None => commit.preview(catalog),
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
        .filter(|c| c.privacy == Privacy::Pseudonymised)
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

/// The first rows, from which every column's reading is decided.
fn read_sample(src: &mut Source) -> Result<Vec<Record>> {
    src.rows.by_ref().take(SAMPLE_ROWS).collect()
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

fn print_settings(src: &Source, plan: &Plan) {
    let s = &src.settings;
    let mut line = format!("datastroom: {}: {}", src.path.display(), s.format);
    if let Some(e) = &s.encoding {
        line.push_str(&format!(", codering {e}"));
    }
    if let Some(d) = &s.delimiter {
        line.push_str(&format!(", scheidingsteken '{d}'"));
    }
    if let Some(sh) = &s.sheet {
        line.push_str(&format!(", blad '{sh}'"));
    }
    if s.header_row > 0 {
        line.push_str(&format!(
            ", kopregel op {} {}",
            s.position_word(),
            s.header_row
        ));
    }
    eprintln!("{line}");
    for c in &s.columns {
        eprintln!("  {c}");
    }
    for d in &plan.dropped {
        eprintln!("  '{d}': persoonsgegeven, niet opgeslagen");
    }
    for w in &plan.warnings {
        eprintln!("  let op: {w}");
    }
}

/// What parsing one row gave.
enum Parsed<'r> {
    /// The values, and the key's 128-bit hash with the row's content hash (when keyed).
    Cells(Vec<Cell<'r>>, Option<(u128, u64)>),
    /// The first failing column and its value; the reason names every failing column.
    Problems {
        column: String,
        value: String,
        reason: String,
    },
    /// Another number of fields than the header.
    Unaligned(String),
}

/// Parses one row's fields with the column parsers (no state: runs on any thread).
fn parse_row<'r>(
    parsers: &'r [ColumnParser],
    width: usize,
    key: Option<(usize, Option<usize>)>,
    pseudo: Option<&Pseudonymiser>,
    rec: &'r Record,
) -> Parsed<'r> {
    let n = rec.fields.len();
    if n != width {
        let extra_filled = (width..n).any(|i| !rec.fields.get(i).unwrap_or("").trim().is_empty());
        if n < width || extra_filled {
            return Parsed::Unaligned(format!(
                "de rij heeft {n} velden, de kopregel {width}: verschoven kolommen of een \
                 scheidingsteken in een waarde zonder aanhalingstekens"
            ));
        }
    }
    let mut cells = Vec::with_capacity(parsers.len());
    let mut problems: Vec<(&str, &str, String)> = Vec::new();
    for p in parsers {
        let raw = p.plan.source.and_then(|i| rec.fields.get(i)).unwrap_or("");
        match p.parse(raw, pseudo) {
            Ok(c) => cells.push(c),
            Err(reason) => problems.push((p.plan.header.as_str(), raw.trim(), reason)),
        }
    }
    match problems.split_first() {
        None => {
            // A key is unique within its municipality: two municipalities may number alike.
            let municipality = match key.and_then(|(_, g)| g).map(|g| &cells[g]) {
                Some(Cell::Text(t)) => t.as_ref(),
                _ => "",
            };
            let hashes = match key.map(|(k, _)| &cells[k]) {
                Some(Cell::Text(k)) => Some(row_hashes(&[municipality, k], rec, width)),
                _ => None,
            };
            Parsed::Cells(cells, hashes)
        }
        Some(((column, value, first), rest)) => {
            let mut reason = first.clone();
            for (c, _, r) in rest {
                reason.push_str(&format!("; {c}: {r}"));
            }
            Parsed::Problems {
                column: column.to_string(),
                value: value.to_string(),
                reason,
            }
        }
    }
}

/// The number of rows a file probably has, from its size and the sample's bytes per row
/// (at most 100 million: the estimate only sizes a map).
fn estimate_rows(file_size: u64, sample: &[Record]) -> usize {
    let bytes: usize = sample
        .iter()
        .map(|r| r.fields.as_slice().len() + r.fields.len())
        .sum();
    if sample.is_empty() || bytes == 0 {
        return 0;
    }
    let per_row = bytes as f64 / sample.len() as f64;
    ((file_size as f64 / per_row * 1.05) as usize).min(100_000_000)
}

/// Keys seen in a file, by their 128-bit hash.
type KeyMap = HashMap<u128, KeySeen, foldhash::fast::RandomState>;

/// What we remember of a key seen earlier in the same file.
/// 16 bytes, so 10 million keys take about 350 MB with the map's overhead.
struct KeySeen {
    content: u64,
    /// The line of the first row with this key; the top bit marks a key seen with other content.
    pos_and_conflict: u64,
}

const CONFLICT: u64 = 1 << 63;

impl KeySeen {
    fn pos(&self) -> u64 {
        self.pos_and_conflict & !CONFLICT
    }

    fn conflict(&self) -> bool {
        self.pos_and_conflict & CONFLICT != 0
    }
}

/// Streams rows into typed batches and a staging Parquet file.
struct Loader<'a> {
    id: u64,
    source_name: String,
    position_word: &'static str,
    headers: &'a [String],
    /// Source indexes whose values never appear in a reject row (personal data).
    hidden: HashSet<usize>,
    width: usize,
    parsers: Vec<ColumnParser>,
    key: Option<usize>,
    /// The gemeente column, part of the key when there is one.
    gemeente: Option<usize>,
    pseudo: Option<&'a Pseudonymiser>,
    builders: Vec<Builder>,
    positions: Vec<u64>,
    /// Batches go to a thread that compresses and writes them, while the next rows are parsed.
    writer: Option<std::sync::mpsc::SyncSender<DataFrame>>,
    writer_thread: Option<std::thread::JoinHandle<Result<()>>>,
    staged_path: PathBuf,
    keys: KeyMap,
    evict: HashMap<u64, String>,
    rejects: Vec<Reject>,
    read: u64,
    accepted: u64,
    progress: Option<indicatif::ProgressBar>,
}

/// The result of streaming one file.
struct Staged {
    path: PathBuf,
    rejects: Vec<Reject>,
    /// Rows staged but to be taken out again: their key appeared later with other content.
    evict: HashMap<u64, String>,
    read: u64,
    accepted: u64,
    schema: Vec<(String, schema::Kind, Privacy)>,
}

impl<'a> Loader<'a> {
    fn new(
        id: u64,
        file: &Path,
        src: &'a Source,
        plan: &Plan,
        parsers: Vec<ColumnParser>,
        pseudo: Option<&'a Pseudonymiser>,
        staged_path: &Path,
    ) -> Result<Loader<'a>> {
        let mut fields: Vec<Field> = parsers
            .iter()
            .map(|p| Field::new(p.plan.name.as_str().into(), convert::dtype(p.plan.kind)))
            .collect();
        fields.push(Field::new(COL_INGEST.into(), DataType::UInt64));
        fields.push(Field::new(COL_POS.into(), DataType::UInt64));
        let schema = Schema::from_iter(fields);
        let f = std::fs::File::create(staged_path)
            .with_context(|| format!("cannot write {}", staged_path.display()))?;
        let mut batched = ParquetWriter::new(f)
            .with_compression(warehouse::compression())
            .batched(&schema)?;
        let (writer, batches) = std::sync::mpsc::sync_channel::<DataFrame>(2);
        let writer_thread = std::thread::spawn(move || -> Result<()> {
            for df in batches {
                batched.write_batch(&df)?;
            }
            batched.finish()?;
            Ok(())
        });
        let dropped: HashSet<&String> = plan.dropped.iter().collect();
        let hidden = src
            .headers
            .iter()
            .enumerate()
            .filter(|(_, h)| dropped.contains(h))
            .map(|(i, _)| i)
            .chain(
                parsers
                    .iter()
                    .filter(|p| p.plan.privacy == Privacy::Pseudonymised)
                    .filter_map(|p| p.plan.source),
            )
            .collect();
        Ok(Loader {
            id,
            source_name: file.display().to_string(),
            position_word: src.settings.position_word(),
            headers: &src.headers,
            hidden,
            width: src.headers.len(),
            builders: parsers
                .iter()
                .map(|p| Builder::new(p.plan.kind, BATCH_ROWS))
                .collect(),
            key: plan.key,
            gemeente: parsers.iter().position(|p| p.plan.name == "gemeente"),
            parsers,
            pseudo,
            positions: Vec::with_capacity(BATCH_ROWS),
            writer: Some(writer),
            writer_thread: Some(writer_thread),
            staged_path: staged_path.to_path_buf(),
            keys: KeyMap::default(),
            evict: HashMap::new(),
            rejects: Vec::new(),
            read: 0,
            accepted: 0,
            progress: None,
        })
    }

    /// Sizes the duplicate-key map once, instead of growing it (and briefly holding it twice)
    /// while the rows come in.
    fn expect_rows(&mut self, rows: usize) {
        if self.key.is_some() {
            self.keys.reserve(rows);
        }
    }

    fn progress_total(&mut self, bytes: u64, quiet: bool) {
        use std::io::IsTerminal;
        if !quiet && bytes > 8 * 1024 * 1024 && std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new_spinner();
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} {msg}: {human_pos} rijen ({per_sec}, {elapsed})",
            ) {
                bar.set_style(style);
            }
            bar.set_message(format!("inlezen {}", self.source_name));
            self.progress = Some(bar);
        }
    }

    fn reject(&mut self, rec: &Record, column: &str, value: &str, reason: String) {
        let hidden_value = self
            .headers
            .iter()
            .position(|h| h == column)
            .is_some_and(|i| self.hidden.contains(&i));
        let row: serde_json::Map<String, serde_json::Value> = self
            .headers
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.hidden.contains(i))
            .map(|(i, h)| (h.clone(), rec.fields.get(i).unwrap_or("").into()))
            .collect();
        self.rejects.push(Reject {
            ingest_id: self.id,
            source: self.source_name.clone(),
            pos: rec.pos,
            column: column.to_string(),
            value: if hidden_value {
                "<persoonsgegeven>".to_string()
            } else {
                value.to_string()
            },
            reason,
            row: serde_json::Value::Object(row).to_string(),
        });
    }

    /// Takes the sample, then the rest of the rows (read ahead on a second thread), in chunks.
    fn stream(
        &mut self,
        sample: Vec<Record>,
        rest: Box<dyn Iterator<Item = Result<Record>> + Send>,
    ) -> Result<()> {
        self.rows(sample)?;
        let mut rest = source::prefetch(rest, 4096);
        loop {
            let chunk = rest
                .by_ref()
                .take(CHUNK_ROWS)
                .collect::<Result<Vec<Record>>>()?;
            if chunk.is_empty() {
                return Ok(());
            }
            self.rows(chunk)?;
        }
    }

    /// Takes a chunk of rows: values are parsed on all cores, then each row is accepted or
    /// rejected in file order (the duplicate check needs that order).
    fn rows(&mut self, chunk: Vec<Record>) -> Result<()> {
        use rayon::prelude::*;
        self.read += chunk.len() as u64;
        if let Some(bar) = &self.progress {
            bar.set_position(self.read);
        }
        let parsers = std::mem::take(&mut self.parsers);
        let (width, pseudo) = (self.width, self.pseudo);
        let key = self.key.map(|k| (k, self.gemeente));
        let parsed: Vec<Parsed> = chunk
            .par_iter()
            .map(|rec| parse_row(&parsers, width, key, pseudo, rec))
            .collect();
        // In file order: rejects and the duplicate check. Then the accepted rows' values go
        // into the column builders, a column per core.
        let mut accepted: Vec<&[Cell]> = Vec::with_capacity(chunk.len());
        for (rec, outcome) in chunk.iter().zip(&parsed) {
            match outcome {
                Parsed::Unaligned(reason) => {
                    // The fields are shifted, so none can be trusted to be in its column: keep
                    // no values (a personal value could land under a harmless header).
                    self.rejects.push(Reject {
                        ingest_id: self.id,
                        source: self.source_name.clone(),
                        pos: rec.pos,
                        column: String::new(),
                        value: String::new(),
                        reason: reason.clone(),
                        row: String::new(),
                    });
                }
                Parsed::Problems {
                    column,
                    value,
                    reason,
                } => self.reject(rec, column, value, reason.clone()),
                Parsed::Cells(cells, hashes) => {
                    let duplicate = match (self.key.map(|k| &cells[k]), hashes) {
                        (Some(Cell::Text(k)), Some(h)) => check_duplicate(
                            &mut self.keys,
                            &mut self.evict,
                            self.position_word,
                            rec,
                            k,
                            *h,
                        ),
                        _ => None,
                    };
                    if let (Some(k), Some(reason)) = (self.key, duplicate) {
                        let value = match &cells[k] {
                            Cell::Text(s) => s.to_string(),
                            _ => String::new(),
                        };
                        self.reject(rec, &parsers[k].plan.header, &value, reason);
                        continue;
                    }
                    accepted.push(cells);
                    self.positions.push(rec.pos);
                }
            }
        }
        self.builders.par_iter_mut().enumerate().for_each(|(j, b)| {
            for cells in &accepted {
                b.push(&cells[j]);
            }
        });
        self.accepted += accepted.len() as u64;
        drop(accepted);
        if self.positions.len() >= BATCH_ROWS {
            self.flush_with(&parsers)?;
        }
        self.parsers = parsers;
        Ok(())
    }

    /// Closes the batch channel and waits for the writing thread; its error, if any.
    fn join_writer(&mut self) -> Result<()> {
        self.writer = None;
        match self.writer_thread.take().map(std::thread::JoinHandle::join) {
            None | Some(Ok(Ok(()))) => Ok(()),
            Some(Ok(Err(e))) => Err(e.context("writing the staging file")),
            Some(Err(_)) => bail!("the thread writing the staging file stopped unexpectedly"),
        }
    }

    fn flush(&mut self) -> Result<()> {
        let parsers = std::mem::take(&mut self.parsers);
        let result = self.flush_with(&parsers);
        self.parsers = parsers;
        result
    }

    fn flush_with(&mut self, parsers: &[ColumnParser]) -> Result<()> {
        if self.positions.is_empty() {
            return Ok(());
        }
        let mut columns: Vec<Column> = self
            .builders
            .iter_mut()
            .zip(parsers)
            .map(|(b, p)| b.take(&p.plan.name))
            .collect();
        let n = self.positions.len();
        columns.push(Column::new(COL_INGEST.into(), vec![self.id; n]));
        columns.push(Column::new(
            COL_POS.into(),
            std::mem::take(&mut self.positions),
        ));
        let df = DataFrame::new_infer_height(columns)?;
        let sent = self.writer.as_ref().is_some_and(|w| w.send(df).is_ok());
        if !sent {
            // The writing thread stopped: its error says why.
            return self
                .join_writer()
                .and_then(|()| bail!("the staging writer stopped early"));
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Staged> {
        self.flush()?;
        self.join_writer()?;
        // Synced, so that it can become a dataset part by a rename.
        std::fs::File::open(&self.staged_path)?.sync_all()?;
        if let Some(bar) = &self.progress {
            bar.finish_and_clear();
        }
        Ok(Staged {
            path: self.staged_path,
            rejects: self.rejects,
            evict: self.evict,
            read: self.read,
            accepted: self.accepted,
            schema: self
                .parsers
                .iter()
                .map(|p| (p.plan.name.clone(), p.plan.kind, p.plan.privacy))
                .collect(),
        })
    }
}

/// The key's 128-bit hash (two seeded foldhash runs: collisions among even 100 million keys
/// are vanishingly unlikely, and 24 bytes a key keep 10 million keys in about 400 MB) and a
/// hash of the whole row, to tell a repeated row from a changed one.
fn row_hashes(key: &[&str], rec: &Record, width: usize) -> (u128, u64) {
    let hash = |seed: u64, parts: &mut dyn Iterator<Item = &str>| {
        let mut h = foldhash::quality::FixedState::with_seed(seed).build_hasher();
        for p in parts {
            h.write(p.as_bytes());
            h.write_u8(0xff);
        }
        h.finish()
    };
    let key_hash = (u128::from(hash(1, &mut key.iter().copied())) << 64)
        | u128::from(hash(2, &mut key.iter().copied()));
    // The same row from a CRLF and an LF export, or with a trailing ';', is the same row.
    (
        key_hash,
        hash(3, &mut rec.fields.iter().take(width).map(str::trim)),
    )
}

/// The reason to reject a row whose key was seen before in this file, if it was. A key seen
/// with other content marks its first row for eviction too.
fn check_duplicate(
    keys: &mut KeyMap,
    evict: &mut HashMap<u64, String>,
    word: &str,
    rec: &Record,
    key: &str,
    (key_hash, content): (u128, u64),
) -> Option<String> {
    let k = key;
    match keys.get_mut(&key_hash) {
        None => {
            keys.insert(
                key_hash,
                KeySeen {
                    content,
                    pos_and_conflict: rec.pos & !CONFLICT,
                },
            );
            None
        }
        Some(seen) if seen.content == content && !seen.conflict() => {
            Some(format!("dubbele rij: gelijk aan {word} {}", seen.pos()))
        }
        Some(seen) => {
            if !seen.conflict() {
                seen.pos_and_conflict |= CONFLICT;
                evict.insert(
                    seen.pos(),
                    format!(
                        "sleutel '{k}' komt ook voor op {word} {} met andere inhoud",
                        rec.pos
                    ),
                );
            }
            Some(format!(
                "sleutel '{k}' komt ook voor op {word} {} met andere inhoud",
                seen.pos()
            ))
        }
    }
}

impl Staged {
    fn rejected(&self) -> u64 {
        self.rejects.len() as u64 + self.evict.len() as u64
    }

    fn accepted(&self) -> u64 {
        self.accepted - self.evict.len() as u64
    }

    fn check_reject_share(&self, max: f64, file: &Path) -> Result<()> {
        if self.read == 0 || (self.rejected() as f64) / (self.read as f64) <= max {
            return Ok(());
        }
        let mut reasons: HashMap<&str, u64> = HashMap::new();
        for r in &self.rejects {
            let short = r.reason.split(['\'', ';']).next().unwrap_or(&r.reason);
            *reasons
                .entry(if short.is_empty() { &r.reason } else { short })
                .or_default() += 1;
        }
        let mut top: Vec<_> = reasons.into_iter().collect();
        top.sort_by_key(|b| std::cmp::Reverse(b.1));
        let first = self.rejects.first().map_or(String::new(), |r| {
            format!(
                "\n  first: {} {}, column '{}', value '{}': {}",
                "row", r.pos, r.column, r.value, r.reason
            )
        });
        bail!(
            "{} of {} rows of {} would be rejected (more than {:.0}%); is this the right \
             --dataset, --mapping or --sheet? Nothing was written.{first}\n  most common: {}\n\
             To load it anyway, raise --max-rejects",
            self.rejected(),
            self.read,
            file.display(),
            max * 100.0,
            top.iter()
                .take(3)
                .map(|(r, n)| format!("{n}x {r}"))
                .collect::<Vec<_>>()
                .join("; ")
        )
    }
}

/// Everything needed to turn a staged file into a committed ingest.
struct Commit<'a> {
    dir: &'a Path,
    id: u64,
    name: &'a str,
    def: Option<&'static schema::Dataset>,
    file: &'a Path,
    fp: &'a source::Fingerprint,
    src: &'a Source,
    plan: &'a Plan,
    staged: Staged,
    blank: u64,
    opts: &'a Options,
}

impl Commit<'_> {
    fn mode(&self) -> Mode {
        self.opts.mode.unwrap_or(if self.plan.key.is_some() {
            Mode::Upsert
        } else {
            Mode::Append
        })
    }

    fn key_name(&self) -> Option<String> {
        self.plan.key.map(|k| self.plan.columns[k].name.clone())
    }

    /// The accepted rows of this file, with the technical columns.
    fn new_rows(&self) -> Result<LazyFrame> {
        let lf = LazyFrame::scan_parquet(
            PlRefPath::new(self.staged.path.to_string_lossy()),
            ScanArgsParquet::default(),
        )?;
        let evict: Vec<u64> = self.staged.evict.keys().copied().collect();
        let lf = if evict.is_empty() {
            lf
        } else {
            let list = Series::new("evict".into(), evict);
            lf.filter(col(COL_POS).is_in(lit(list).implode(false), false).not())
        };
        Ok(lf)
    }

    /// The rejects of this file, including rows taken out again for a conflicting key.
    fn all_rejects(&self) -> Vec<Reject> {
        let mut rejects = self.staged.rejects.clone();
        let key_header = self
            .plan
            .key
            .map(|k| self.plan.columns[k].header.clone())
            .unwrap_or_default();
        for (pos, reason) in &self.staged.evict {
            rejects.push(Reject {
                ingest_id: self.id,
                source: self.file.display().to_string(),
                pos: *pos,
                column: key_header.clone(),
                value: String::new(),
                reason: reason.clone(),
                row: String::new(),
            });
        }
        rejects.sort_by_key(|r| r.pos);
        rejects
    }

    /// The columns an upsert matches rows on: the key, and the municipality when both the
    /// dataset and this export have one (two municipalities may number their cases alike).
    fn join_keys(&self, existing: &DatasetEntry) -> Option<Vec<String>> {
        let key = self.key_name()?;
        let mut keys = vec![key];
        if existing.columns.iter().any(|c| c.name == "gemeente")
            || self.plan.columns.iter().any(|c| c.name == "gemeente")
        {
            keys.insert(0, "gemeente".to_string());
        }
        Some(keys)
    }

    /// How an upsert meets the dataset: old rows it replaces, and new rows whose key existed.
    fn upsert_counts(&self, existing: &DatasetEntry, new: LazyFrame) -> Result<UpsertCounts> {
        let Some(keys) = self.join_keys(existing) else {
            return Ok(UpsertCounts::default());
        };
        if existing.files.is_empty() {
            return Ok(UpsertCounts::default());
        }
        let old = warehouse::scan_files(self.dir, &existing.files)?;
        let count = |lf: LazyFrame| -> Result<u64> {
            let n = lf.select([len()]).collect()?;
            Ok(u64::from(n.column("len")?.u32()?.get(0).unwrap_or(0)))
        };
        Ok(UpsertCounts {
            old_removed: count(key_join(old.clone(), new.clone(), &keys, JoinType::Semi)?)?,
            new_matched: count(key_join(new, old, &keys, JoinType::Semi)?)?,
        })
    }

    fn preview(self, catalog: &Catalog) -> Result<Summary> {
        let mode = self.mode();
        let counts = match catalog.datasets.get(self.name) {
            Some(e) if mode == Mode::Upsert => self.upsert_counts(e, self.new_rows()?)?,
            _ => UpsertCounts::default(),
        };
        let replaced = counts.new_matched;
        let old = catalog.datasets.get(self.name).map_or(0, |d| d.rows);
        let accepted = self.staged.accepted();
        let total = match mode {
            Mode::Replace => accepted,
            Mode::Append => old + accepted,
            Mode::Upsert => (old + accepted).saturating_sub(counts.old_removed),
        };
        if !self.opts.quiet {
            eprintln!(
                "datastroom: proefdraai (--dry-run): {mode} zou {} rijen toevoegen of vervangen; er \
                 is niets geschreven",
                accepted,
                mode = mode.name()
            );
        }
        Ok(self.summary(
            Status::DryRun,
            accepted.saturating_sub(replaced),
            replaced,
            total,
        ))
    }

    fn summary(&self, status: Status, new: u64, replaced: u64, total: u64) -> Summary {
        Summary {
            file: self.file.to_path_buf(),
            dataset: self.name.to_string(),
            status,
            read: self.staged.read,
            accepted: self.staged.accepted(),
            rejected: self.staged.rejected(),
            blank: self.blank,
            new,
            replaced,
            total_rows: total,
        }
    }

    /// Commits, and on an error removes this ingest's part and rejects file again (their
    /// number was never committed), so that no reader globbing the folder sees them.
    fn apply(self, guard: &mut WriteGuard) -> Result<Summary> {
        let part = self
            .dir
            .join(self.name)
            .join(format!("part-{:06}.parquet", self.id));
        let rejects = self
            .dir
            .join(warehouse::REJECTS_DIR)
            .join(self.name)
            .join(format!("rejects-{:06}.parquet", self.id));
        let result = self.apply_inner(guard);
        if result.is_err() {
            let _ = std::fs::remove_file(part);
            let _ = std::fs::remove_file(rejects);
        }
        result
    }

    fn apply_inner(self, guard: &mut WriteGuard) -> Result<Summary> {
        let mode = self.mode();
        let mut catalog = guard.catalog.clone();
        let key = self.key_name();
        let entry = catalog
            .datasets
            .entry(self.name.to_string())
            .or_insert_with(|| DatasetEntry {
                canonical: self.def.is_some(),
                key: key.clone(),
                rows: 0,
                columns: Vec::new(),
                files: Vec::new(),
                reject_files: Vec::new(),
                rejected_rows: 0,
                ingests: Vec::new(),
            });
        let dataset_dir = self.dir.join(self.name);
        warehouse::create_dir_synced(&dataset_dir)?;
        let part_rel = format!("{}/part-{:06}.parquet", self.name, self.id);
        let part = self.dir.join(&part_rel);
        let new = self.new_rows()?;
        let accepted = self.staged.accepted();
        let counts = if mode == Mode::Upsert {
            self.upsert_counts(entry, new.clone())?
        } else {
            UpsertCounts::default()
        };
        let replaced = counts.new_matched;
        let (frame, files, total) = match mode {
            Mode::Replace => (new, vec![part_rel.clone()], accepted),
            Mode::Append => {
                let mut files = entry.files.clone();
                files.push(part_rel.clone());
                (new, files, entry.rows + accepted)
            }
            Mode::Upsert => {
                let keys = self
                    .join_keys(entry)
                    .context("upsert needs a key column; use --mode append")?;
                let frame = if entry.files.is_empty() {
                    new
                } else {
                    let old = warehouse::scan_files(self.dir, &entry.files)?;
                    let kept = key_join(old, new.clone(), &keys, JoinType::Anti)?;
                    concat_lf_diagonal([kept, new], UnionArgs::default())?
                };
                let total = (entry.rows + accepted).saturating_sub(counts.old_removed);
                (frame, vec![part_rel.clone()], total)
            }
        };
        // Nothing to merge or take out: the staged file is the new part as it is.
        let as_staged = self.staged.evict.is_empty()
            && (accepted > 0 || mode == Mode::Replace)
            && (mode != Mode::Upsert || entry.files.is_empty());
        if as_staged {
            warehouse::publish(&self.staged.path, &part)?;
        } else if accepted > 0 || mode == Mode::Replace {
            warehouse::sink_parquet_atomic(frame, &part)?;
        }
        let files = if accepted > 0 || mode == Mode::Replace || as_staged {
            files
        } else {
            entry.files.clone()
        };
        warehouse::crash_point("part-written");

        let rejects = self.all_rejects();
        if !rejects.is_empty() {
            let rel = format!(
                "{}/{}/rejects-{:06}.parquet",
                warehouse::REJECTS_DIR,
                self.name,
                self.id
            );
            let path = self.dir.join(&rel);
            warehouse::create_dir_synced(&self.dir.join(warehouse::REJECTS_DIR))?;
            warehouse::create_dir_synced(path.parent().expect("rejects folder"))?;
            warehouse::write_parquet_atomic(&mut warehouse::rejects_frame(rejects)?, &path)?;
            entry.reject_files.push(rel);
        }
        entry.files = files;
        entry.rows = total;
        entry.rejected_rows += self.staged.rejected();
        merge_columns(&mut entry.columns, &self.staged.schema);
        entry.ingests.push(self.lineage(mode, replaced));
        catalog.next_ingest = self.id + 1;
        if let Some(p) = self.opts.pseudo.as_ref()
            && self
                .staged
                .schema
                .iter()
                .any(|(_, _, pr)| *pr == Privacy::Pseudonymised)
        {
            catalog.key_fingerprint = Some(p.fingerprint());
        }
        guard.commit(catalog)?;
        Ok(self.summary(
            Status::Ingested,
            accepted.saturating_sub(replaced),
            replaced,
            total,
        ))
    }

    fn lineage(&self, mode: Mode, replaced: u64) -> IngestEntry {
        let source = std::fs::canonicalize(self.file).unwrap_or_else(|_| self.file.to_path_buf());
        IngestEntry {
            id: self.id,
            time: chrono::Local::now()
                .format("%Y-%m-%dT%H:%M:%S%:z")
                .to_string(),
            source: source.display().to_string(),
            sha256: self.fp.sha256.clone(),
            size: self.fp.size,
            mode: mode.name().to_string(),
            settings: self.src.settings.clone(),
            rows_read: self.staged.read,
            rows_accepted: self.staged.accepted(),
            rows_rejected: self.staged.rejected(),
            blank_rows: self.blank,
            rows_new: self.staged.accepted().saturating_sub(replaced),
            rows_replaced: replaced,
            dropped_columns: self.plan.dropped.clone(),
            pseudonymised_columns: self
                .plan
                .columns
                .iter()
                .filter(|c| c.privacy == Privacy::Pseudonymised)
                .map(|c| c.header.clone())
                .collect(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct UpsertCounts {
    /// Rows of the dataset that a row of the new export replaces.
    old_removed: u64,
    /// Rows of the new export whose key was already in the dataset.
    new_matched: u64,
}

/// `a` joined to the distinct keys of `b` (semi: rows of `a` with a match; anti: without).
/// Empty municipalities match each other; a side without a gemeente column has none.
fn key_join(a: LazyFrame, b: LazyFrame, keys: &[String], how: JoinType) -> Result<LazyFrame> {
    let (a, b) = (with_key_columns(a, keys)?, with_key_columns(b, keys)?);
    let on: Vec<Expr> = keys.iter().map(|k| col(k.as_str())).collect();
    let mut args = JoinArgs::new(how);
    args.nulls_equal = true;
    Ok(a.join(
        b.select(on.clone()).unique(None, UniqueKeepStrategy::Any),
        on.clone(),
        on,
        args,
    ))
}

/// Adds the key columns a frame lacks, as empty text.
fn with_key_columns(mut lf: LazyFrame, keys: &[String]) -> Result<LazyFrame> {
    let schema = lf.collect_schema()?;
    for k in keys.iter().filter(|k| !schema.contains(k.as_str())) {
        lf = lf.with_column(lit(NULL).cast(DataType::String).alias(k.as_str()));
    }
    Ok(lf)
}

/// Adds columns seen for the first time to the dataset's column list.
fn merge_columns(columns: &mut Vec<ColumnEntry>, schema: &[(String, schema::Kind, Privacy)]) {
    for (name, kind, privacy) in schema {
        if !columns.iter().any(|c| &c.name == name) {
            columns.push(ColumnEntry {
                name: name.clone(),
                kind: *kind,
                privacy: *privacy,
            });
        }
    }
}

/// Reads a file for `sql --input` without touching the warehouse: the same reading, typing and
/// privacy rules as an ingest into a new dataset, staged in a temporary folder that lives as
/// long as the returned guard.
pub fn load_adhoc(path: &Path, quiet: bool) -> Result<(LazyFrame, tempfile::TempDir)> {
    let tmp = tempfile::tempdir().context("cannot create a temporary folder")?;
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
    {
        let mut lf = LazyFrame::scan_parquet(
            PlRefPath::new(path.to_string_lossy()),
            ScanArgsParquet::default(),
        )
        .map_err(anyhow::Error::from)
        .with_context(|| format!("reading {}", path.display()))?;
        // The same privacy rule as for any other file: personal columns are left out.
        let schema = lf.collect_schema().map_err(anyhow::Error::from)?;
        let personal: Vec<String> = schema
            .iter_names()
            .filter(|n| schema::is_personal_header(None, n))
            .map(|n| n.to_string())
            .collect();
        if !personal.is_empty() {
            if !quiet {
                eprintln!(
                    "datastroom: personal columns left out of {}: {}",
                    path.display(),
                    personal.join(", ")
                );
            }
            lf = lf.drop(cols(personal));
        }
        return Ok((lf, tmp));
    }
    let fp = source::fingerprint(path)?;
    let mut src = source::open(path, &fp, &ReadOptions::default())?;
    let mut plan = Plan::build(None, &src.headers, &Mapping::default(), None, None)?;
    let sample = read_sample(&mut src)?;
    plan.drop_bsn_like(&sample);
    let parsers = decide_parsers(&plan, &sample, &src, None, None)?;
    src.settings.columns = parsers.iter().map(ColumnParser::describe).collect();
    if !quiet {
        print_settings(&src, &plan);
    }
    let staged_path = tmp.path().join("input.parquet");
    let rest = std::mem::replace(&mut src.rows, Box::new(std::iter::empty()));
    let mut loader = Loader::new(0, path, &src, &plan, parsers, None, &staged_path)?;
    loader.stream(sample, rest)?;
    let staged = loader.finish()?;
    if staged.rejected() > 0 && !quiet {
        eprintln!(
            "datastroom: {} of {} rows of {} could not be read and are left out of the query",
            staged.rejected(),
            staged.read,
            path.display()
        );
    }
    let lf = LazyFrame::scan_parquet(
        PlRefPath::new(staged.path.to_string_lossy()),
        ScanArgsParquet::default(),
    )?
    .drop(cols([COL_POS, COL_INGEST]));
    Ok((lf, tmp))
}
