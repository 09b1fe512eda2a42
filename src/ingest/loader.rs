//! Streaming an export's rows into a staging Parquet file: values parsed on all cores, rows
//! accepted or rejected in file order (duplicate keys), batches written on their own thread.

use super::keys::{Duplicates, Family, KeyRef, MAX_POS, row_hashes};
use super::staging::{Batch, StagingWriter};
use super::*;
use crate::source::values::TrimFast;

/// What parsing one row gave (its values are in the chunk's cell buffer).
enum Parsed {
    /// Values in order; how the key is remembered, with the row's content hash (when keyed).
    Cells(Option<(KeyRef, u64)>),
    /// The first failing column and its value; the reason names every failing column.
    Problems {
        column: String,
        value: String,
        reason: String,
    },
    /// Another number of fields than the header.
    Unaligned(String),
}

/// A block of rows parsed and waiting to be accepted: the rows, their cells (a row of one per
/// parser after the other) and what parsing each gave.
struct ParsedBlock<'r, 'c> {
    records: &'r [Record],
    cells: &'c [Cell<'r>],
    outcomes: Vec<Parsed>,
}

/// A chunk of `chunk_rows` rows is parsed and accepted in blocks of `chunk_rows / BLOCKS`
/// (see [`Loader::rows`]; a longer chunk, such as the sample, in more blocks).
const BLOCKS: usize = 8;

/// The rows of a block of a chunk of `chunk_rows`.
fn block_rows(chunk_rows: usize) -> usize {
    (chunk_rows / BLOCKS).max(1)
}

/// How many rows ahead of the duplicate check a key's place in its table is prefetched: enough
/// for the memory to come while the rows between are checked.
const AHEAD: usize = 16;

/// How many rows ahead of its parsing a record's bytes are prefetched.
const RECORDS_AHEAD: usize = 8;

/// What parsing a row needs: no state, so that rows are parsed on any thread.
#[derive(Clone, Copy)]
struct RowParser<'r> {
    parsers: &'r [ColumnParser],
    /// The number of fields of the header.
    width: usize,
    /// The key's parser, and the gemeente column's (part of the key when there is one).
    key: Option<(usize, Option<usize>)>,
    /// The keys remembered by number, if the sample's keys are numbered.
    family: Option<&'r Family>,
    pseudo: Option<&'r Pseudonymiser>,
}

impl<'r> RowParser<'r> {
    /// Parses one row's fields with the column parsers into `cells` (one slot per parser).
    fn parse(&self, rec: &'r Record, cells: &mut [Cell<'r>]) -> Parsed {
        if let Some(unaligned) = self.unaligned(rec) {
            return unaligned;
        }
        let mut problems: Vec<(&str, &str, String)> = Vec::new();
        for (p, slot) in self.parsers.iter().zip(cells.iter_mut()) {
            let raw = p.plan.source.and_then(|i| rec.fields.get(i)).unwrap_or("");
            match p.parse(raw, self.pseudo) {
                Ok(c) => *slot = c,
                Err(reason) => problems.push((p.plan.header.as_str(), raw.trim_fast(), reason)),
            }
        }
        match problems.split_first() {
            None => Parsed::Cells(self.hashes(rec, cells)),
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

    /// Parses a block of rows on all cores, into `cells` (a row of one per parser after the
    /// other).
    fn parse_block(&self, records: &'r [Record], cells: &mut [Cell<'r>]) -> Vec<Parsed> {
        use rayon::prelude::*;
        cells
            .par_chunks_mut(self.parsers.len().max(1))
            .zip(records.par_iter())
            .enumerate()
            .map(|(i, (slot, rec))| {
                // A record's text and field ends were written on the reading thread's core:
                // prefetched rows ahead (the text's cache lines, the start of the ends), they
                // come while the rows between are parsed.
                if let Some(ahead) = records.get(i + RECORDS_AHEAD) {
                    for p in ahead.fields.addresses() {
                        super::prefetch(p);
                    }
                }
                self.parse(rec, slot)
            })
            .collect()
    }

    /// A row with fewer fields than the header, or more with something in the extra ones.
    fn unaligned(&self, rec: &Record) -> Option<Parsed> {
        let (n, width) = (rec.fields.len(), self.width);
        if n == width {
            return None;
        }
        let extra_filled =
            (width..n).any(|i| !rec.fields.get(i).unwrap_or("").trim_fast().is_empty());
        (n < width || extra_filled).then(|| {
            Parsed::Unaligned(format!(
                "de rij heeft {n} velden, de kopregel {width}: verschoven kolommen of een \
                 scheidingsteken in een waarde zonder aanhalingstekens"
            ))
        })
    }

    /// How a parsed row's key is remembered, and its content's hash, when it has a key.
    fn hashes(&self, rec: &Record, cells: &[Cell]) -> Option<(KeyRef, u64)> {
        // A key is unique within its municipality: two municipalities may number alike.
        let municipality = municipality(self.key.and_then(|(_, g)| g), cells);
        match self.key.map(|(k, _)| &cells[k]) {
            Some(Cell::Text(k)) => {
                Some(row_hashes((municipality, k), self.family, rec, self.width))
            }
            _ => None,
        }
    }
}

/// The municipality of a parsed row: its gemeente column's value, "" without one. Part of its
/// key (two municipalities may number alike).
fn municipality<'c>(gemeente: Option<usize>, cells: &'c [Cell]) -> &'c str {
    match gemeente.and_then(|g| cells.get(g)) {
        Some(Cell::Text(t)) => t.as_ref(),
        _ => "",
    }
}

/// An empty vector of cells with the room of another (of another lifetime): collected in place,
/// so the allocation is kept.
fn reuse<'x>(mut cells: Vec<Cell<'_>>) -> Vec<Cell<'x>> {
    cells.clear();
    cells.into_iter().map(|_| Cell::Null).collect()
}

/// The number of rows a file probably has, from its size and the sample's bytes per row
/// (at most 100 million: the estimate only sizes the duplicate-key table).
pub(super) fn estimate_rows(file_size: u64, sample: &[Record]) -> usize {
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

/// Streams rows into typed batches and a staging Parquet file.
pub(super) struct Loader<'a> {
    id: u64,
    source_name: String,
    headers: &'a [String],
    /// Source indexes whose values never appear in a reject row (personal data).
    hidden: HashSet<usize>,
    width: usize,
    parsers: Vec<ColumnParser>,
    key: Option<usize>,
    /// The gemeente column, part of the key when there is one.
    gemeente: Option<usize>,
    pseudo: Option<&'a Pseudonymiser>,
    batch: Batch,
    /// Rows per batch written, and per chunk parsed (fewer for wide files).
    batch_rows: usize,
    chunk_rows: usize,
    /// The rejected rows since the last accepted one (at most a few): footers are among them.
    tail: Vec<(u64, String, usize)>,
    writer: StagingWriter,
    duplicates: Duplicates,
    /// The keys remembered by number (see [`Family`]); shared with the parsing threads.
    family: Option<std::sync::Arc<Family>>,
    rejects: Vec<Reject>,
    read: u64,
    accepted: u64,
    progress: Option<indicatif::ProgressBar>,
    /// Where the rows of a chunk go once parsed, to be read into again.
    recycle: Option<source::Recycle>,
    /// The room of the last chunk's cells, empty: the next chunk parses into it.
    cells: Vec<Cell<'static>>,
}

/// The result of streaming one file.
pub(super) struct Staged {
    /// The staging files, each of at most [`super::staging::file_rows`] rows (one, maybe
    /// empty, at least).
    pub(super) paths: Vec<PathBuf>,
    /// The statistics of each staging file, gathered while it was written.
    pub(super) stats: Vec<crate::warehouse::stats::Gathered>,
    pub(super) rejects: Vec<Reject>,
    /// Rows staged but to be taken out again: their key appeared later with other content.
    pub(super) evict: HashMap<u64, String>,
    pub(super) read: u64,
    pub(super) accepted: u64,
    pub(super) schema: Vec<(String, schema::Kind, Privacy)>,
    /// Per column, the values whose BSNs, phone numbers, e-mail addresses or IBANs were masked.
    pub(super) masked: Vec<(String, crate::schema::personal::Masked)>,
    /// The first field of each footer row found below the data ("Totaal").
    pub(super) footers: Vec<String>,
}

/// How many rows at the end of an export may be footers.
const FOOTER_ROWS: usize = 10;

/// The first word of a footer row (a total or count below the data of an Excel export).
const FOOTER_WORDS: &[&str] = &[
    "totaal",
    "totalen",
    "eindtotaal",
    "subtotaal",
    "total",
    "aantal",
    "gemiddelde",
    "gemiddeld",
    "som",
    "count",
];

impl<'a> Loader<'a> {
    pub(super) fn new(
        id: u64,
        file: &Path,
        src: &'a Source,
        plan: &Plan,
        parsers: Vec<ColumnParser>,
        pseudo: Option<&'a Pseudonymiser>,
        staged_path: &Path,
    ) -> Result<Loader<'a>> {
        // The columns whose statistics the dataset's files get (the key, and gemeente).
        let key = plan
            .key
            .and_then(|k| plan.columns.get(k))
            .map(|c| c.name.clone());
        let gemeente = parsers.iter().position(|p| p.plan.name == "gemeente");
        let stats_columns = crate::warehouse::stats::columns(key, gemeente.is_some());
        let writer = StagingWriter::start(staged_path, &parsers, stats_columns)?;
        let batch_rows = rows_for(BATCH_CELLS, parsers.len(), BATCH_ROWS);
        let chunk_rows = rows_for(CHUNK_CELLS, parsers.len(), CHUNK_ROWS);
        Ok(Loader {
            id,
            source_name: file.display().to_string(),
            headers: &src.headers,
            hidden: hidden_fields(src, plan, &parsers),
            width: src.headers.len(),
            // A batch is written once it holds `batch_rows`, after the block that filled it: its
            // builders have room for one block more, so that their views and value vectors
            // never grow (a copy of the column so far, and fresh pages, at every batch).
            batch: Batch::new(&parsers, batch_rows + block_rows(chunk_rows)),
            batch_rows,
            chunk_rows,
            key: plan.key,
            gemeente,
            parsers,
            pseudo,
            tail: Vec::new(),
            writer,
            duplicates: Duplicates::new(src.settings.position_word()),
            family: None,
            rejects: Vec::new(),
            read: 0,
            accepted: 0,
            progress: None,
            recycle: src.recycle.clone(),
            cells: Vec::new(),
        })
    }

    /// Sizes the duplicate-key table once, instead of growing it (and briefly holding it three
    /// times over) while the rows come in: for the share of the sample's keys that are not
    /// remembered by number, when the sample's keys are numbered (the family, from the sample's
    /// keys as parsed; the same in every municipality).
    pub(super) fn expect_rows(&mut self, rows: usize, sample: &[Record]) {
        let Some(k) = self.key else {
            return;
        };
        // The family decides where keys go: fixed before the first row is checked.
        debug_assert_eq!(self.read, 0);
        let text = |p: Option<&ColumnParser>, rec: &Record| -> String {
            let Some(p) = p else {
                return String::new();
            };
            let raw = p.plan.source.and_then(|i| rec.fields.get(i)).unwrap_or("");
            match p.parse(raw, self.pseudo) {
                Ok(Cell::Text(t)) => t.to_string(),
                _ => String::new(),
            }
        };
        let gemeente = self.gemeente.and_then(|g| self.parsers.get(g));
        let keys: Vec<(String, String)> = sample
            .iter()
            .map(|rec| (text(gemeente, rec), text(self.parsers.get(k), rec)))
            .filter(|(_, key)| !key.is_empty())
            .collect();
        let family = Family::of_sample(keys.iter().map(|(_, k)| k.as_str()), rows);
        let hashed = keys.len() - family.as_ref().map_or(0, |f| f.kept_by_number(&keys));
        let share = (rows as u64).saturating_mul(hashed as u64) / keys.len().max(1) as u64;
        self.duplicates
            .reserve(usize::try_from(share).unwrap_or(rows) + 1024);
        if let Some(f) = &family {
            self.duplicates.number_by(f);
        }
        self.family = family.map(std::sync::Arc::new);
    }

    /// Progress on stderr for a large export, only on a terminal: a bar with the percentage
    /// and the time left when the rows are estimated from the size of a text export
    /// (`rows`), else a counter.
    pub(super) fn progress_total(&mut self, bytes: u64, rows: Option<u64>) {
        use std::io::IsTerminal;
        if !(crate::messages::shown() && bytes > 8 * 1024 * 1024 && std::io::stderr().is_terminal())
        {
            return;
        }
        let nl = crate::messages::lang() == crate::lang::Lang::Nl;
        let (bar, template) = match rows.filter(|r| *r > 0) {
            Some(n) => (
                indicatif::ProgressBar::new(n),
                if nl {
                    "{msg} [{bar:30}] {percent}% ({rows} van ~{total} rijen, nog {eta})"
                } else {
                    "{msg} [{bar:30}] {percent}% ({rows} of ~{total} rows, {eta} left)"
                },
            ),
            None => (
                indicatif::ProgressBar::new_spinner(),
                if nl {
                    "{spinner} {msg}: {rows} rijen ({elapsed})"
                } else {
                    "{spinner} {msg}: {rows} rows ({elapsed})"
                },
            ),
        };
        // Numbers as the language writes them (315.003 in Dutch, 315,003 in English).
        let count = move |n: u64| crate::lang::grouped(n as f64, nl);
        if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
            bar.set_style(
                style
                    .progress_chars("=> ")
                    .with_key(
                        "rows",
                        move |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                            let _ = w.write_str(&count(s.pos()));
                        },
                    )
                    .with_key(
                        "total",
                        move |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                            let _ = w.write_str(&count(s.len().unwrap_or(0)));
                        },
                    ),
            );
        }
        let verb = if nl { "inlezen" } else { "reading" };
        bar.set_message(format!("{verb} {}", self.source_name));
        self.progress = Some(bar);
    }

    fn reject(&mut self, rec: &Record, column: &str, value: &str, reason: String) {
        let hidden_value = self
            .headers
            .iter()
            .position(|h| h == column)
            .is_some_and(|i| self.hidden.contains(&i));
        // What the rejects keep is masked like what the dataset keeps.
        let masked = |v: &str| {
            crate::schema::personal::mask(v, true).map_or_else(|| v.to_string(), |(m, _)| m)
        };
        let row: serde_json::Map<String, serde_json::Value> = self
            .headers
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.hidden.contains(i))
            .map(|(i, h)| (h.clone(), masked(rec.fields.get(i).unwrap_or("")).into()))
            .collect();
        self.rejects.push(Reject {
            ingest_id: self.id,
            source: self.source_name.clone(),
            pos: rec.pos,
            column: column.to_string(),
            value: if hidden_value {
                "<persoonsgegeven>".to_string()
            } else {
                masked(value)
            },
            reason: masked(&reason),
            row: serde_json::Value::Object(row).to_string(),
        });
    }

    /// Rejects a row whose fields are shifted: none can be trusted to be in its column, so it
    /// keeps no values (a personal value could land under a harmless header).
    fn reject_unaligned(&mut self, rec: &Record, reason: &str) {
        self.rejects.push(Reject {
            ingest_id: self.id,
            source: self.source_name.clone(),
            pos: rec.pos,
            column: String::new(),
            value: String::new(),
            reason: reason.to_string(),
            row: String::new(),
        });
    }

    /// Takes the sample, then the rest of the rows (read ahead on a second thread), in chunks.
    pub(super) fn stream(
        &mut self,
        sample: Vec<Record>,
        rest: Box<dyn Iterator<Item = Result<Record>> + Send>,
    ) -> Result<()> {
        self.rows(sample)?;
        let mut rest = source::prefetch(rest, 4096);
        loop {
            let chunk = rest
                .by_ref()
                .take(self.chunk_rows)
                .collect::<Result<Vec<Record>>>()?;
            if chunk.is_empty() {
                return Ok(());
            }
            self.rows(chunk)?;
        }
    }

    /// Takes a chunk of rows: values are parsed on all cores, then each row is accepted or
    /// rejected in file order (the duplicate check needs that order). The chunk goes in blocks,
    /// one stage behind the other: while a block is accepted (rejects and duplicate check in
    /// order, then the builders a column per core), the next is parsed, so that the cores do
    /// not wait for the in-order step.
    fn rows(&mut self, chunk: Vec<Record>) -> Result<()> {
        if let Some(last) = chunk
            .last()
            .filter(|r| self.key.is_some() && r.pos > MAX_POS)
        {
            bail!(
                "line {} of this export is past the {MAX_POS} lines whose keys datastroom can \
                 check for duplicates; split the export into smaller files",
                last.pos
            );
        }
        self.read += chunk.len() as u64;
        if let Some(bar) = &self.progress {
            // The number of rows was estimated: a longer file moves the end.
            if bar.length().is_some_and(|len| self.read > len) {
                bar.set_length(self.read + self.read / 20);
            }
            bar.set_position(self.read);
        }
        let parsers = std::mem::take(&mut self.parsers);
        let family = self.family.clone();
        let row_parser = RowParser {
            parsers: &parsers,
            width: self.width,
            key: self.key.map(|k| (k, self.gemeente)),
            family: family.as_deref(),
            pseudo: self.pseudo,
        };
        // One buffer of cells for the whole chunk, a row of `n` after the other: no allocation
        // per row.
        let n = parsers.len().max(1);
        let mut cells: Vec<Cell> = reuse(std::mem::take(&mut self.cells));
        cells.resize(chunk.len() * n, Cell::Null);
        let block = block_rows(self.chunk_rows);
        let mut parsed: Option<ParsedBlock> = None;
        for (records, slots) in chunk.chunks(block).zip(cells.chunks_mut(block * n)) {
            let (outcomes, accepted) = rayon::join(
                || row_parser.parse_block(records, &mut *slots),
                || match parsed.take() {
                    Some(p) => self.accept_block(&p, &parsers),
                    None => Ok(()),
                },
            );
            accepted?;
            parsed = Some(ParsedBlock {
                records,
                cells: slots,
                outcomes,
            });
        }
        if let Some(p) = parsed {
            self.accept_block(&p, &parsers)?;
        }
        self.cells = reuse(cells);
        if let Some(r) = &self.recycle {
            r.give(chunk);
        }
        self.parsers = parsers;
        Ok(())
    }

    /// Accepts or rejects the rows of a parsed block in file order, and puts the accepted rows'
    /// values into the column builders (a column per core); a full batch goes to the writer.
    fn accept_block(&mut self, block: &ParsedBlock, parsers: &[ColumnParser]) -> Result<()> {
        let n = parsers.len().max(1);
        let mut accepted: Vec<&[Cell]> = Vec::with_capacity(block.records.len());
        // The keys' places in the duplicate table are asked from memory rows ahead.
        let gemeente = self.gemeente;
        let prefetch = |duplicates: &Duplicates, i: usize| {
            let row = (block.outcomes.get(i), block.cells.get(i * n..(i + 1) * n));
            if let (Some(Parsed::Cells(Some((key, _)))), Some(cells)) = row {
                duplicates.prefetch(municipality(gemeente, cells), *key);
            }
        };
        for i in 0..AHEAD {
            prefetch(&self.duplicates, i);
        }
        let rows = block.records.iter().zip(&block.outcomes);
        for (i, ((rec, outcome), cells)) in rows.zip(block.cells.chunks(n)).enumerate() {
            prefetch(&self.duplicates, i + AHEAD);
            if self.accept(rec, outcome, cells, parsers) {
                accepted.push(cells);
            }
        }
        self.batch.push(&accepted);
        self.accepted += accepted.len() as u64;
        if self.batch.positions.len() >= self.batch_rows {
            self.flush_with(parsers)?;
        }
        Ok(())
    }

    /// Rejects a row that could not be parsed or repeats a key, or takes its position into the
    /// batch; whether it was accepted.
    fn accept(
        &mut self,
        rec: &Record,
        outcome: &Parsed,
        cells: &[Cell],
        parsers: &[ColumnParser],
    ) -> bool {
        match outcome {
            Parsed::Unaligned(reason) => {
                self.note_tail(rec);
                self.reject_unaligned(rec, reason);
                false
            }
            Parsed::Problems {
                column,
                value,
                reason,
            } => {
                self.note_tail(rec);
                self.reject(rec, column, value, reason.clone());
                false
            }
            Parsed::Cells(hashes) => {
                if let (Some(k), Some(reason)) = (self.key, self.duplicate(rec, cells, *hashes)) {
                    let value = match &cells[k] {
                        Cell::Text(s) => s.to_string(),
                        _ => String::new(),
                    };
                    self.reject(rec, &parsers[k].plan.header, &value, reason);
                    return false;
                }
                self.batch.positions.push(rec.pos);
                self.tail.clear();
                true
            }
        }
    }

    /// The reason to reject a parsed row whose key was seen before in this file, if it was.
    fn duplicate(
        &mut self,
        rec: &Record,
        cells: &[Cell],
        hashes: Option<(KeyRef, u64)>,
    ) -> Option<String> {
        let municipality = municipality(self.gemeente, cells);
        match (self.key.map(|k| &cells[k]), hashes) {
            (Some(Cell::Text(k)), Some(h)) => self.duplicates.check(rec, (municipality, k), h),
            _ => None,
        }
    }

    fn flush(&mut self) -> Result<()> {
        let parsers = std::mem::take(&mut self.parsers);
        let result = self.flush_with(&parsers);
        self.parsers = parsers;
        result
    }

    fn flush_with(&mut self, parsers: &[ColumnParser]) -> Result<()> {
        match self.batch.take(parsers, self.id)? {
            Some(df) => self.writer.send(df),
            None => Ok(()),
        }
    }

    /// Remembers a rejected row while it may be part of a footer: its position, its first
    /// filled field and how many fields are filled.
    fn note_tail(&mut self, rec: &Record) {
        if self.tail.len() > FOOTER_ROWS {
            return;
        }
        let filled: Vec<&str> = rec
            .fields
            .iter()
            .map(TrimFast::trim_fast)
            .filter(|f| !f.is_empty())
            .collect();
        let first = filled.first().map_or(String::new(), |f| f.to_string());
        self.tail.push((rec.pos, first, filled.len()));
    }
    /// Footer rows of an export ("Totaal", "Aantal zaken: 62"): the rejected rows at its very
    /// end that start with such a word and fill at most half the columns. They are no data:
    /// taken out of the rejects and out of the rows read, and named.
    fn take_footers(&mut self) -> Vec<String> {
        if self.tail.len() > FOOTER_ROWS {
            return Vec::new();
        }
        let footer = |(_, first, filled): &(u64, String, usize)| {
            let word = first
                .split(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or("")
                .to_lowercase();
            FOOTER_WORDS.contains(&word.as_str()) && *filled <= (self.width / 2).max(2)
        };
        let start = self
            .tail
            .iter()
            .rposition(|t| !footer(t))
            .map_or(0, |i| i + 1);
        let footers: Vec<(u64, String, usize)> = self.tail.split_off(start);
        let positions: HashSet<u64> = footers.iter().map(|f| f.0).collect();
        self.rejects.retain(|r| !positions.contains(&r.pos));
        self.read -= footers.len() as u64;
        footers
            .into_iter()
            .map(|(_, first, _)| {
                crate::schema::personal::mask(&first, true).map_or(first, |(m, _)| m)
            })
            .collect()
    }

    pub(super) fn finish(mut self) -> Result<Staged> {
        self.flush()?;
        let footers = self.take_footers();
        self.writer.join()?;
        // Synced, so that they can become dataset parts by a rename. Opened for writing:
        // Windows refuses to flush a file opened only to read ("Access denied").
        for (path, _) in &self.writer.files {
            std::fs::OpenOptions::new()
                .write(true)
                .open(path)?
                .sync_all()?;
        }
        if let Some(bar) = &self.progress {
            bar.finish_and_clear();
        }
        let (paths, stats) = std::mem::take(&mut self.writer.files).into_iter().unzip();
        Ok(Staged {
            paths,
            stats,
            rejects: self.rejects,
            evict: self.duplicates.into_evict(),
            read: self.read,
            accepted: self.accepted,
            schema: self
                .parsers
                .iter()
                .map(|p| (p.plan.name.clone(), p.plan.kind, p.plan.privacy))
                .collect(),
            masked: self
                .parsers
                .iter()
                .map(|p| (p.plan.name.clone(), p.masked.get()))
                .filter(|(_, m)| m.total() > 0)
                .collect(),
            footers,
        })
    }
}

/// The fields whose values never appear in a reject row: those of the columns dropped as
/// personal data, and those pseudonymised.
fn hidden_fields(src: &Source, plan: &Plan, parsers: &[ColumnParser]) -> HashSet<usize> {
    let dropped: HashSet<&String> = plan.dropped.iter().collect();
    src.headers
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
        .collect()
}

impl Staged {
    /// The staged rows, all files in order.
    pub(super) fn scan(&self) -> Result<LazyFrame> {
        // One scan of all files (they have the same columns): a concatenation of scans fails
        // on COUNT(*) in polars 0.55.
        let paths = self
            .paths
            .iter()
            .map(|p| PlRefPath::new(p.to_string_lossy()))
            .collect();
        Ok(LazyFrame::scan_parquet_files(
            paths,
            ScanArgsParquet::default(),
        )?)
    }

    pub(super) fn rejected(&self) -> u64 {
        self.rejects.len() as u64 + self.evict.len() as u64
    }

    pub(super) fn accepted(&self) -> u64 {
        self.accepted - self.evict.len() as u64
    }

    pub(super) fn check_reject_share(&self, max: f64, file: &Path) -> Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn reuse_keeps_the_room_of_the_cells() {
        let text = String::from("Grofvuil");
        let mut cells: Vec<Cell> = Vec::with_capacity(4096);
        cells.resize(3000, Cell::Text(Cow::Borrowed(text.as_str())));
        let cap = cells.capacity();
        let again: Vec<Cell<'static>> = reuse(cells);
        assert!(again.is_empty());
        assert_eq!(again.capacity(), cap, "the allocation must be kept");
    }
}
