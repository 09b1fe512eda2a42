//! Streaming an export's rows into a staging Parquet file: values parsed on all cores, rows
//! accepted or rejected in file order (duplicate keys), batches written on their own thread.

use super::*;
use crate::source::values::TrimFast;
use std::hash::{BuildHasher, Hasher};

/// What parsing one row gave (its values are in the chunk's cell buffer).
enum Parsed {
    /// Values in order; the key's 128-bit hash with the row's content hash (when keyed).
    Cells(Option<(u128, u64)>),
    /// The first failing column and its value; the reason names every failing column.
    Problems {
        column: String,
        value: String,
        reason: String,
    },
    /// Another number of fields than the header.
    Unaligned(String),
}

/// Parses one row's fields with the column parsers into `cells` (one slot per parser; no
/// state: runs on any thread).
fn parse_row<'r>(
    parsers: &'r [ColumnParser],
    width: usize,
    key: Option<(usize, Option<usize>)>,
    pseudo: Option<&Pseudonymiser>,
    rec: &'r Record,
    cells: &mut [Cell<'r>],
) -> Parsed {
    let n = rec.fields.len();
    if n != width {
        let extra_filled =
            (width..n).any(|i| !rec.fields.get(i).unwrap_or("").trim_fast().is_empty());
        if n < width || extra_filled {
            return Parsed::Unaligned(format!(
                "de rij heeft {n} velden, de kopregel {width}: verschoven kolommen of een \
                 scheidingsteken in een waarde zonder aanhalingstekens"
            ));
        }
    }
    let mut problems: Vec<(&str, &str, String)> = Vec::new();
    for (p, slot) in parsers.iter().zip(cells.iter_mut()) {
        let raw = p.plan.source.and_then(|i| rec.fields.get(i)).unwrap_or("");
        match p.parse(raw, pseudo) {
            Ok(c) => *slot = c,
            Err(reason) => problems.push((p.plan.header.as_str(), raw.trim_fast(), reason)),
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
            Parsed::Cells(hashes)
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
pub(super) struct Loader<'a> {
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
    /// Rows per batch written, and per chunk parsed (fewer for wide files).
    batch_rows: usize,
    chunk_rows: usize,
    /// The rejected rows since the last accepted one (at most a few): footers are among them.
    tail: Vec<(u64, String, usize)>,
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
pub(super) struct Staged {
    pub(super) path: PathBuf,
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
        let mut fields: Vec<Field> = parsers
            .iter()
            .map(|p| Field::new(p.plan.name.as_str().into(), p.plan.kind.dtype()))
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
        let parsers_len = parsers.len();
        let batch_rows = rows_for(BATCH_CELLS, parsers_len, BATCH_ROWS);
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
                .map(|p| Builder::new(p.plan.kind, batch_rows))
                .collect(),
            key: plan.key,
            gemeente: parsers.iter().position(|p| p.plan.name == "gemeente"),
            parsers,
            pseudo,
            positions: Vec::with_capacity(batch_rows),
            batch_rows,
            chunk_rows: rows_for(CHUNK_CELLS, parsers_len, CHUNK_ROWS),
            tail: Vec::new(),
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
    pub(super) fn expect_rows(&mut self, rows: usize) {
        if self.key.is_some() {
            self.keys.reserve(rows);
        }
    }

    pub(super) fn progress_total(&mut self, bytes: u64) {
        use std::io::IsTerminal;
        if crate::messages::shown() && bytes > 8 * 1024 * 1024 && std::io::stderr().is_terminal() {
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
        // One buffer of cells for the whole chunk, a row of `n` after the other: no allocation
        // per row.
        let n = parsers.len().max(1);
        let mut cells: Vec<Cell> = vec![Cell::Null; chunk.len() * n];
        let parsed: Vec<Parsed> = cells
            .par_chunks_mut(n)
            .zip(chunk.par_iter())
            .map(|(slot, rec)| parse_row(&parsers, width, key, pseudo, rec, slot))
            .collect();
        // In file order: rejects and the duplicate check. Then the accepted rows' values go
        // into the column builders, a column per core.
        let mut accepted: Vec<&[Cell]> = Vec::with_capacity(chunk.len());
        for ((rec, outcome), cells) in chunk.iter().zip(&parsed).zip(cells.chunks(n)) {
            match outcome {
                Parsed::Unaligned(reason) => {
                    self.note_tail(rec);
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
                } => {
                    self.note_tail(rec);
                    self.reject(rec, column, value, reason.clone());
                }
                Parsed::Cells(hashes) => {
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
                    self.tail.clear();
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
        if self.positions.len() >= self.batch_rows {
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
        hash(
            3,
            &mut rec.fields.iter().take(width).map(TrimFast::trim_fast),
        ),
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
