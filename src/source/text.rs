//! CSV and other delimited text: encoding (BOM, UTF-8, else Windows-1252), delimiter sniffed
//! among `;` `,` TAB `|`, header row found below title rows. Streams: memory does not grow with
//! the file.

use super::values::TrimFast;
use super::{Detected, Encoding, Fingerprint, ReadOptions, Record, Source, find_header};
use anyhow::{Context, Result, bail};
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// How many lines the sniffer looks at for the delimiter and the header.
const SNIFF_LINES: usize = 60;
const SNIFF_BYTES: usize = 256 * 1024;

/// Wraps a byte reader in an encoding (Windows-1252, UTF-16) and hands out UTF-8.
pub struct DecodeReader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    inbuf: Vec<u8>,
    in_start: usize,
    in_end: usize,
    out: Vec<u8>,
    out_start: usize,
    out_end: usize,
    eof: bool,
    done: bool,
}

impl<R: Read> DecodeReader<R> {
    /// Windows-1252 to UTF-8.
    pub fn new(inner: R) -> Self {
        Self::with(
            inner,
            encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling(),
        )
    }

    /// UTF-16 (little or big endian, as `encoding` says) to UTF-8, its byte order mark left
    /// out.
    pub fn utf16(inner: R, encoding: &'static encoding_rs::Encoding) -> Self {
        Self::with(inner, encoding.new_decoder_with_bom_removal())
    }

    fn with(inner: R, decoder: encoding_rs::Decoder) -> Self {
        DecodeReader {
            inner,
            decoder,
            inbuf: vec![0; 64 * 1024],
            in_start: 0,
            in_end: 0,
            out: vec![0; 3 * 64 * 1024 + 16],
            out_start: 0,
            out_end: 0,
            eof: false,
            done: false,
        }
    }
}

impl<R: Read> Read for DecodeReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.out_start < self.out_end {
                let n = buf.len().min(self.out_end - self.out_start);
                buf[..n].copy_from_slice(&self.out[self.out_start..self.out_start + n]);
                self.out_start += n;
                return Ok(n);
            }
            if self.done {
                return Ok(0);
            }
            if self.in_start == self.in_end && !self.eof {
                let n = self.inner.read(&mut self.inbuf)?;
                self.in_start = 0;
                self.in_end = n;
                self.eof = n == 0;
            }
            let (result, read, written, _) = self.decoder.decode_to_utf8(
                &self.inbuf[self.in_start..self.in_end],
                &mut self.out,
                self.eof,
            );
            self.in_start += read;
            self.out_start = 0;
            self.out_end = written;
            // The last call (`last`: true) has been made: the decoder may not be used again,
            // even when it wrote something (UTF-16 cut in a character gives U+FFFD); what it
            // wrote is handed out above first.
            if self.eof && result == encoding_rs::CoderResult::InputEmpty {
                self.done = true;
            }
        }
    }
}

/// Opens the file as UTF-8 text: transcoded as `encoding` says, a BOM skipped, CRs read as
/// line feeds in a file whose lines end in CR alone, and a line feed added at the end when the
/// last line has none (`head` says whether there is a BOM and how lines end). With a `slot`,
/// the file's facts (and its SHA-256 if `sha256`) are taken on the way ([`super::Tap`]) and
/// the lines' encodings counted.
fn text_reader(
    path: &Path,
    encoding: Encoding,
    head: &Head,
    slot: Option<&super::ScanSlot>,
    sha256: bool,
) -> Result<Box<dyn Read + Send>> {
    let mut file = super::open_text(path)?;
    if let Some(slot) = slot {
        file = Box::new(super::Tap::new(file, slot.clone(), sha256));
    }
    if head.fp.utf8_bom {
        let mut skip = [0u8; 3];
        file.read_exact(&mut skip)?;
    }
    if head.cr_only {
        file = Box::new(CrToLf(file));
    }
    let decoded: Box<dyn Read + Send> = match encoding {
        Encoding::Utf8 => Box::new(BufReader::with_capacity(256 * 1024, file)),
        Encoding::Windows1252 => Box::new(DecodeReader::new(file)),
        Encoding::Mixed => Box::new(LineDecoder::new(file, slot.cloned())),
    };
    // Every record must end in a line feed for the line numbers to be right (see `line_of`).
    Ok(Box::new(EndsInLineFeed {
        inner: decoded,
        last: 0,
        done: false,
    }))
}

/// Adds a line feed after the last byte when that is not one.
struct EndsInLineFeed<R> {
    inner: R,
    last: u8,
    done: bool,
}

impl<R: Read> Read for EndsInLineFeed<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        if n > 0 {
            self.last = buf[n - 1];
            return Ok(n);
        }
        self.done = true;
        if self.last == b'\n' {
            return Ok(0);
        }
        buf[0] = b'\n';
        Ok(1)
    }
}

/// Reads line by line: a line that is valid UTF-8 as it is, another as Windows-1252, counting
/// the lines of each (a file is one or the other, or lines of both pasted together; either
/// way each line is read as it was written). Lines are found in blocks of 256 KiB; only the
/// line cut by a block's end is carried to the next.
struct LineDecoder<R> {
    inner: R,
    /// Bytes read and not yet decoded: whole lines and, at the end, a line cut short.
    raw: Vec<u8>,
    filled: usize,
    out: Vec<u8>,
    at: usize,
    decoder: encoding_rs::Decoder,
    lines: LineEncodings,
    /// Where the counts go at the end of the file, if anyone waits for them.
    slot: Option<super::ScanSlot>,
    eof: bool,
}

impl<R: Read> LineDecoder<R> {
    const BLOCK: usize = 256 * 1024;
    /// The longest line read: 64 MiB (a line of a real export is a few hundred bytes; a
    /// quoted comment over many lines is many lines here). 1 MiB in the unit tests, which
    /// reach it.
    const LONGEST: usize = if cfg!(test) {
        Self::BLOCK << 2
    } else {
        Self::BLOCK << 8
    };

    fn new(inner: R, slot: Option<super::ScanSlot>) -> Self {
        LineDecoder {
            inner,
            raw: vec![0; Self::BLOCK],
            filled: 0,
            out: Vec::with_capacity(3 * Self::BLOCK),
            at: 0,
            decoder: encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling(),
            lines: LineEncodings::default(),
            slot,
            eof: false,
        }
    }

    /// Reads the next block and decodes its whole lines into `out` (at the end of the file,
    /// the last line too); `out` may stay empty when a line is longer than what was read.
    fn fill(&mut self) -> std::io::Result<()> {
        if self.filled == self.raw.len() {
            // A line longer than the buffer: room for more of it, up to a limit (a file
            // without line ends would otherwise be held whole, several times over).
            if self.raw.len() >= Self::LONGEST {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(
                        "line {} runs past {} MiB without a line end: not a text export with \
                         rows (a file without line ends?)",
                        self.lines.lines + 1,
                        Self::LONGEST >> 20
                    ),
                ));
            }
            self.raw.resize(2 * self.raw.len(), 0);
        }
        let n = self.inner.read(&mut self.raw[self.filled..])?;
        let mut start = self.filled;
        self.filled += n;
        self.out.clear();
        self.at = 0;
        if n == 0 {
            self.eof = true;
            if self.filled > 0 {
                let last = std::mem::take(&mut self.raw);
                self.line(&last[..self.filled]);
                self.filled = 0;
            }
            if let Some(slot) = &self.slot
                && let Ok(mut s) = slot.lock()
            {
                s.lines = Some(std::mem::take(&mut self.lines));
            }
            return Ok(());
        }
        // Lines only end in the bytes just read: the carried part has no line feed.
        let raw = std::mem::take(&mut self.raw);
        let mut line_start = 0;
        for end in memchr::memchr_iter(b'\n', &raw[start..self.filled]) {
            let end = start + end;
            self.line(&raw[line_start..=end]);
            line_start = end + 1;
        }
        start = line_start;
        self.raw = raw;
        self.raw.copy_within(start..self.filled, 0);
        self.filled -= start;
        Ok(())
    }

    /// Decodes one line (with its line feed, if it has one) into `out`.
    fn line(&mut self, line: &[u8]) {
        if self.lines.add(line) {
            self.out.extend_from_slice(line);
            return;
        }
        // A Windows-1252 byte becomes at most three bytes of UTF-8 (0x80: the euro sign).
        let from = self.out.len();
        self.out.resize(from + 3 * line.len(), 0);
        // A single-byte decoder keeps no state between calls: `last` need not be set.
        let (_, read, written, _) = self
            .decoder
            .decode_to_utf8(line, &mut self.out[from..], false);
        debug_assert_eq!(read, line.len());
        self.out.truncate(from + written);
    }
}

impl<R: Read> Read for LineDecoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.out.len() {
            if self.eof {
                return Ok(0);
            }
            self.fill()?;
        }
        let n = buf.len().min(self.out.len() - self.at);
        buf[..n].copy_from_slice(&self.out[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// The lines of a text export by encoding: how many lines with other than ASCII are valid
/// UTF-8, how many are not, and the first line of each kind (1-based).
#[derive(Debug, Default, Clone)]
pub struct LineEncodings {
    lines: u64,
    utf8: u64,
    other: u64,
    first_utf8: u64,
    first_other: u64,
}

impl LineEncodings {
    /// Takes in the next line (with its line feed, if it has one): whether it is UTF-8.
    fn add(&mut self, line: &[u8]) -> bool {
        self.lines += 1;
        // The ASCII start is UTF-8 as it is: only the rest is checked, from the first byte
        // that is not ASCII (where a character starts, if the line is UTF-8).
        let ascii = encoding_rs::Encoding::ascii_valid_up_to(line);
        if ascii == line.len() {
            return true;
        }
        if std::str::from_utf8(&line[ascii..]).is_ok() {
            self.utf8 += 1;
            if self.first_utf8 == 0 {
                self.first_utf8 = self.lines;
            }
            true
        } else {
            self.other += 1;
            if self.first_other == 0 {
                self.first_other = self.lines;
            }
            false
        }
    }
}

/// The encoding of a text export read line by line, as the settings and the lineage name it:
/// UTF-8 when no line needed Windows-1252, Windows-1252 when no line with other than ASCII
/// was UTF-8, else both with how many lines of each.
pub fn encoding_label(fp: &Fingerprint, lines: &LineEncodings) -> String {
    match (lines.utf8, lines.other) {
        (_, 0) => named(Encoding::Utf8, fp),
        (0, _) => named(Encoding::Windows1252, fp),
        (utf8, other) => format!(
            "{}: {utf8} regel(s) UTF-8 (vanaf regel {}), {other} Windows-1252 (vanaf regel {})",
            named(Encoding::Mixed, fp),
            lines.first_utf8,
            lines.first_other
        ),
    }
}

/// An encoding's name as the settings give it, with " (met BOM)" after it when the file
/// starts with a UTF-8 byte order mark.
fn named(encoding: Encoding, fp: &Fingerprint) -> String {
    let bom = if fp.utf8_bom { " (met BOM)" } else { "" };
    format!("{}{bom}", encoding.name())
}

/// Turns every CR into a line feed (for files whose lines end in CR alone).
struct CrToLf<R>(R);

impl<R: Read> Read for CrToLf<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.read(buf)?;
        for b in &mut buf[..n] {
            if *b == b'\r' {
                *b = b'\n';
            }
        }
        Ok(n)
    }
}

/// A text export holds no NUL bytes. UTF-16 without a byte order mark has one in every other
/// byte of Western text (with the mark it is read, see `open_text`); other NULs mean a damaged
/// file. Both are refused with what to do. Judged on the file's start (its control bytes on
/// the whole file when it is UTF-16); the whole file is checked once read, [`refuse_control`].
/// A start of which one byte in twenty is a control character has the whole file counted
/// before it is refused: a long export whose first rows are full of them (vertical tabs in
/// the comments) may pass as a whole, as it did when the whole file was read first.
fn refuse_binary(path: &Path, head: &Head) -> Result<()> {
    let fp = &head.fp;
    if fp.nul == 0 && fp.control < 10 {
        return Ok(());
    }
    let first = &head.bytes[..head.bytes.len().min(4096)];
    let nuls = first.iter().filter(|b| **b == 0).count();
    if nuls * 4 >= first.len() {
        bail!(
            "{} looks like UTF-16 text without a byte order mark (BOM), which cannot be told \
             apart from a damaged file. Save it from Excel as \"Unicode-tekst\" (with the mark) \
             or as \"CSV UTF-8 (door komma's gescheiden)\" and ingest that",
            path.display()
        );
    }
    if looks_binary(fp.control, fp.size) && head.bytes.len() == SNIFF_BYTES && fp.utf16.is_none() {
        // The whole file has at least the start's: refused at once when that is enough.
        let size = super::file_size(path)?;
        if looks_binary(fp.control, size) {
            return refuse_control(path, fp.control, size);
        }
        let whole = super::fingerprint(path)?;
        return refuse_control(path, whole.control, whole.size);
    }
    // A few stray NULs: the rows holding one are rejected with that reason.
    refuse_control(path, fp.control, fp.size)
}

/// Whether (the start of) a file is one byte in twenty or more control characters.
fn looks_binary(control: u64, size: u64) -> bool {
    control >= 10 && control * 20 >= size
}

/// A file of which one byte in twenty or more is a control character is not a text export.
pub fn refuse_control(path: &Path, control: u64, size: u64) -> Result<()> {
    if looks_binary(control, size) {
        bail!(
            "{} holds {} control characters: it is not a text export (a damaged or binary \
             file?)",
            path.display(),
            control
        );
    }
    Ok(())
}

/// What is known of a text export before its rows are read, from its first [`SNIFF_BYTES`] as
/// every reader sees them (UTF-16 decoded): those bytes, their fingerprint (of the whole file
/// when it is UTF-16: that is read decoded, without a [`super::Tap`]), how the lines there
/// are encoded, and whether lines end in CR alone (old Mac exports, "CSV (Macintosh)": those
/// CRs are read as line feeds).
struct Head {
    bytes: Vec<u8>,
    fp: Fingerprint,
    lines: LineEncodings,
    cr_only: bool,
}

impl Head {
    fn read(path: &Path) -> Result<Head> {
        let mut bytes = Vec::new();
        super::open_text(path)?
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut bytes)
            .with_context(|| format!("reading {}", path.display()))?;
        let mut scan = super::Scan::default();
        scan.add(&bytes);
        let fp = scan.finish();
        let mut lines = LineEncodings::default();
        let text = if fp.utf8_bom { &bytes[3..] } else { &bytes[..] };
        // The last line may be cut by the end of the start read: left out.
        for line in text.split_inclusive(|b| *b == b'\n') {
            if line.ends_with(b"\n") || bytes.len() < SNIFF_BYTES {
                lines.add(line);
            }
        }
        let cr_only = bytes.contains(&b'\r') && !bytes.contains(&b'\n');
        Ok(Head {
            bytes,
            fp,
            lines,
            cr_only,
        })
    }
}

/// Picks the delimiter that splits most sample lines into the same number (> 1) of fields.
pub fn sniff_delimiter(sample: &str) -> u8 {
    let mut best = (0usize, 0usize, b';');
    for delim in [b';', b',', b'\t', b'|'] {
        let mut counts = std::collections::HashMap::new();
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delim)
            .from_reader(sample.as_bytes());
        for rec in rdr.records().take(SNIFF_LINES).flatten() {
            if rec.len() > 1 {
                *counts.entry(rec.len()).or_insert(0usize) += 1;
            }
        }
        if let Some((&width, &lines)) = counts.iter().max_by_key(|(w, l)| (**l, **w))
            && (lines, width) > (best.0, best.1)
        {
            best = (lines, width, delim);
        }
    }
    best.2
}

fn delimiter_name(d: u8) -> String {
    match d {
        b'\t' => "TAB".to_string(),
        other => (other as char).to_string(),
    }
}

/// Opens a delimited text export: its encoding, line ends, delimiter and header found out,
/// its rows read as they are needed.
pub fn open(path: &Path, opts: &ReadOptions) -> Result<Source> {
    let scanned = super::ScanSlot::default();
    let utf16 = super::utf16(path)?.is_some();
    let mut head = Head::read(path)?;
    if utf16 {
        head.fp = super::fingerprint(path)?;
        if let Ok(mut s) = scanned.lock() {
            s.facts = Some((head.fp.clone(), None));
        }
    }
    refuse_binary(path, &head)?;
    let layout = sniff(path, &head, opts)?;
    let tap = (!utf16).then_some(&scanned);
    let text = text_reader(path, layout.encoding, &head, tap, opts.sha256)?;
    let mut reader = reader_builder(layout.delimiter).from_reader(text);
    let (header_line, headers) = read_header(&mut reader, layout.header_index, path)?;
    let blank_rows = Arc::new(AtomicU64::new(0));
    let recycle = super::Recycle::default();
    let rows = Rows {
        reader,
        display: path.display().to_string(),
        blank: blank_rows.clone(),
        width: headers.len(),
        delimiter: layout.delimiter,
        recycle: recycle.clone(),
        spare: Vec::new(),
        raw: csv::ByteRecord::with_capacity(256, 32),
    };
    Ok(Source {
        path: path.to_path_buf(),
        headers,
        settings: layout.settings(header_line),
        rows: Box::new(rows),
        blank_rows,
        recycle: Some(recycle),
        scanned: Some(scanned),
    })
}

/// How a text file is encoded and laid out: what [`sniff`] found out or was told.
struct Layout {
    encoding: Encoding,
    /// The encoding as the settings name it; for a file read line by line, as its start has
    /// it, until [`super::Source::finish`] names the whole file's.
    label: String,
    delimiter: u8,
    /// Which record is the header (0: the first; title rows may stand above it).
    header_index: usize,
}

impl Layout {
    /// The settings as printed and kept in the lineage.
    fn settings(&self, header_line: u64) -> Detected {
        Detected {
            format: "csv".to_string(),
            encoding: Some(self.label.clone()),
            delimiter: Some(delimiter_name(self.delimiter)),
            sheet: None,
            header_row: header_line,
            columns: Vec::new(),
            note: None,
        }
    }
}

/// Finds out how a text file is encoded and laid out, from its first [`SNIFF_BYTES`], unless
/// the options say.
fn sniff(path: &Path, head: &Head, opts: &ReadOptions) -> Result<Layout> {
    let fp = &head.fp;
    let encoding = choose_encoding(fp, opts);
    let label = match (fp.utf16, encoding) {
        (Some(name), _) => name.to_string(),
        (None, Encoding::Mixed) => encoding_label(fp, &head.lines),
        (None, e) => named(e, fp),
    };
    let mut text = Vec::new();
    text_reader(path, encoding, head, None, false)?
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut text)
        .with_context(|| format!("reading {}", path.display()))?;
    let text = String::from_utf8_lossy(&text);
    // Drop a possibly cut last line before sniffing.
    let sample = match text.rfind('\n') {
        Some(pos) if text.len() == SNIFF_BYTES => &text[..pos],
        _ => &text[..],
    };
    if sample.trim().is_empty() {
        bail!("{} is empty: no header and no rows", path.display());
    }
    let delimiter = opts.delimiter.unwrap_or_else(|| sniff_delimiter(sample));
    let header_index = find_header(&first_records(sample, delimiter), &opts.header_hints)
        .with_context(|| format!("{}: no header row found in the first lines", path.display()))?;
    Ok(Layout {
        encoding,
        label,
        delimiter,
        header_index,
    })
}

/// The encoding to read with: the one given, else line by line (a line that is valid UTF-8
/// as UTF-8, another as Windows-1252). A file that is UTF-8 throughout reads the same that
/// way, and so does a Windows-1252 file (none of whose lines with other than ASCII is valid
/// UTF-8): the reading need not wait for a pass over the whole file to decide.
fn choose_encoding(fp: &Fingerprint, opts: &ReadOptions) -> Encoding {
    match opts.encoding {
        // UTF-16 is decided by its byte order mark and read as UTF-8 (see `open_text`).
        _ if fp.utf16.is_some() => Encoding::Utf8,
        Some(e) => e,
        None => Encoding::Mixed,
    }
}

/// A csv reader for a delimited file, records as they are (no header, any width).
pub(super) fn reader_builder(delimiter: u8) -> csv::ReaderBuilder {
    let mut b = csv::ReaderBuilder::new();
    // Only a line feed ends a record: a CR before it stays at the end of the last field, and
    // `Fields::fill` takes it off; csv's own CR handling would make line numbers drift.
    b.has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .terminator(csv::Terminator::Any(b'\n'));
    b
}

/// The first [`SNIFF_LINES`] records of the sample, to find the header among.
fn first_records(sample: &str, delimiter: u8) -> Vec<Vec<String>> {
    reader_builder(delimiter)
        .from_reader(sample.as_bytes())
        .records()
        .take(SNIFF_LINES)
        .filter_map(|r| r.ok())
        .map(|r| r.iter().map(str::to_string).collect())
        .collect()
}

/// Reads up to and including the header record: its line, and its names (trimmed).
fn read_header<R: Read>(
    reader: &mut csv::Reader<R>,
    header_index: usize,
    path: &Path,
) -> Result<(u64, Vec<String>)> {
    let mut rec = csv::StringRecord::new();
    let (mut header_line, mut headers) = (0, Vec::new());
    for _ in 0..=header_index {
        let more = reader
            .read_record(&mut rec)
            .with_context(|| format!("reading the header of {}", path.display()))?;
        if !more {
            bail!("{}: the file ended before its header", path.display());
        }
        header_line = line_of(reader, line_feeds(rec.as_slice().as_bytes()));
        headers = rec.iter().map(|h| h.trim().to_string()).collect();
    }
    Ok((header_line, headers))
}

/// The 1-based line a record starts on. csv reports where it stopped reading: just past the
/// record's line feed (every record has one, see `text_reader`), so the record's last line is
/// one less, and its first line is that minus the line feeds inside quoted values. Blank lines
/// before a record are skipped by csv and so do not shift the count, unlike its start position.
fn line_of<R: Read>(reader: &csv::Reader<R>, inner: u64) -> u64 {
    reader.position().line().saturating_sub(1 + inner)
}

/// The line feeds inside a record's values (quoted values spanning lines), given the text of
/// its fields; most records have none, which one vectorised search tells.
fn line_feeds(fields: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', fields).count() as u64
}

/// The data rows of a delimited file, as an iterator.
struct Rows {
    reader: csv::Reader<Box<dyn Read + Send>>,
    display: String,
    blank: Arc<AtomicU64>,
    /// Fields of the header, and the delimiter: to tell a quoted value that spans lines (a
    /// comment with a line break) from a stray quote that swallowed the rows after it.
    width: usize,
    delimiter: u8,
    /// Used rows handed back, and those taken from there to fill.
    recycle: super::Recycle,
    spare: Vec<super::Fields>,
    /// The record csv reads into, before its fields are checked as UTF-8 at once.
    raw: csv::ByteRecord,
}

impl Rows {
    /// A record to read into: a used one when there is one.
    fn record(&mut self) -> super::Fields {
        if self.spare.is_empty() {
            self.recycle.take_all(&mut self.spare);
        }
        // Room for a typical row up front: a new record would otherwise grow while the first
        // rows are read into it.
        self.spare
            .pop()
            .unwrap_or_else(|| super::Fields::with_capacity(256, 32))
    }

    /// A record spanning several lines is a stray quote's work when it has another number of
    /// fields than the header, or when a line inside one of its values is a row of its own
    /// (as many delimiters as a row has). Such a file is refused: the rows it swallowed would
    /// otherwise disappear into one value or one rejected row.
    fn check_span(&self, rec: &super::Fields, first: u64, inner: u64) -> Result<()> {
        if inner == 0 {
            return Ok(());
        }
        let needed = self.width.saturating_sub(1).max(2);
        let rowlike = rec.iter().any(|f| {
            f.split('\n')
                .skip(1)
                .any(|line| line.bytes().filter(|b| *b == self.delimiter).count() >= needed)
        });
        if rec.len() == self.width && !rowlike {
            return Ok(());
        }
        bail!(
            "{}: the quote (\") in line {first} opens a value that only closes in line {}, so \
             {inner} line(s) after it became part of one value. Nothing was written. Remove or \
             double the stray quote in line {first} (\"\" inside a quoted value), or export \
             the file again",
            self.display,
            first + inner
        )
    }
}

impl Iterator for Rows {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Result<Record>> {
        let mut rec = self.record();
        loop {
            let before = self.reader.position().line();
            match self.reader.read_byte_record(&mut self.raw) {
                Ok(false) => {
                    // The record taken for this call goes back with the others.
                    self.spare.push(rec);
                    return None;
                }
                Ok(true) => {
                    // A record that took one line (its own line feed) has none inside: the
                    // count is only needed when it took more (line feeds inside quoted values,
                    // or blank lines before it).
                    let inner = if self.reader.position().line().checked_sub(before) != Some(1) {
                        line_feeds(self.raw.as_slice())
                    } else {
                        0
                    };
                    let pos = line_of(&self.reader, inner);
                    if let Err(e) = rec.fill(&self.raw) {
                        self.spare.push(rec);
                        return Some(Err(anyhow::anyhow!(
                            "{}: line {pos} is not valid UTF-8 (field {}); the file is probably \
                             Windows-1252: pass --encoding windows-1252 (or leave --encoding out)",
                            self.display,
                            e.field + 1
                        )));
                    }
                    if rec.as_slice().trim_fast().is_empty() {
                        self.blank.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                    if let Err(e) = self.check_span(&rec, pos, inner) {
                        return Some(Err(e));
                    }
                    return Some(Ok(Record { pos, fields: rec }));
                }
                Err(e) => {
                    let line = e
                        .position()
                        .map_or(self.reader.position().line(), |p| p.line());
                    let msg = format!("{}: cannot read line {line}", self.display);
                    return Some(Err(anyhow::Error::new(e).context(msg)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_decoded_each_in_its_encoding_across_the_blocks_read() {
        // Line 1: ASCII up to the last byte of the first 256 KiB block, then an "é" in UTF-8
        // cut in two by the block's end; line 2 in Windows-1252 ("café"); line 3 ASCII; line
        // 4 ASCII longer than a block (the buffer grows); line 5 in Windows-1252 again
        // ("été"), without a line feed at the end of the file.
        let block = LineDecoder::<&[u8]>::BLOCK;
        let mut bytes = vec![b'a'; block - 1];
        bytes.extend_from_slice("é\n".as_bytes());
        bytes.extend_from_slice(b"caf\xe9\nok\n");
        bytes.extend(std::iter::repeat_n(b'b', 3 * block));
        bytes.extend_from_slice(b"\n\xe9t\xe9");
        let slot = crate::source::ScanSlot::default();
        let mut out = String::new();
        LineDecoder::new(&bytes[..], Some(slot.clone()))
            .read_to_string(&mut out)
            .unwrap();
        let mut expected = "a".repeat(block - 1);
        expected.push_str("é\ncafé\nok\n");
        expected.push_str(&"b".repeat(3 * block));
        expected.push_str("\nété");
        assert!(out == expected, "decoded text differs");
        let lines = slot.lock().unwrap().lines.clone().unwrap();
        // (lines, UTF-8 lines, other lines, first UTF-8 line, first other line), by hand.
        assert_eq!(
            (
                lines.lines,
                lines.utf8,
                lines.other,
                lines.first_utf8,
                lines.first_other
            ),
            (5, 1, 2, 1, 2)
        );
        let fp = crate::source::Fingerprint {
            size: 0,
            utf8_bom: true,
            utf16: None,
            nul: 0,
            control: 0,
            lines: 5,
        };
        assert_eq!(
            encoding_label(&fp, &lines),
            "gemengd UTF-8 en Windows-1252 (met BOM): 1 regel(s) UTF-8 (vanaf regel 1), 2 \
             Windows-1252 (vanaf regel 2)"
        );
    }

    /// A line that runs on past the limit (a file without line ends) is refused with its
    /// line number, instead of being held whole several times over.
    #[test]
    fn a_line_without_end_past_the_limit_is_refused() {
        let limit = LineDecoder::<&[u8]>::LONGEST;
        let mut bytes = b"a;b\nc;d\n".to_vec();
        bytes.extend(std::iter::repeat_n(b'x', limit + 1));
        let mut out = Vec::new();
        let err = LineDecoder::new(&bytes[..], None)
            .read_to_end(&mut out)
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("line 3 runs past 1 MiB without a line end"),
            "{err}"
        );
        // Up to the limit it is read.
        bytes.truncate(8 + limit - 1);
        let mut out = Vec::new();
        LineDecoder::new(&bytes[..], None)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out.len(), bytes.len());
    }

    /// A text export read for an ingest gives the facts of the whole file, as the separate
    /// passes did: its size, lines and control bytes, its SHA-256, and the encoding named for
    /// all its lines, where its start alone would say UTF-8. Read without the SHA-256 (an
    /// ad-hoc read, or one whose SHA-256 was computed first), the same facts without it.
    #[test]
    fn reading_the_rows_takes_the_facts_of_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gemengd.csv");
        let mut bytes = b"\xEF\xBB\xBFnaam;plaats\r\n".to_vec();
        for i in 0..20_000 {
            bytes.extend_from_slice(format!("Ren\u{e9} {i};Zevenaar\r\n").as_bytes());
        }
        bytes.extend_from_slice(b"Jos\xe9;Duiven\r\nA\x01;B");
        std::fs::write(&path, &bytes).unwrap();
        let opts = ReadOptions {
            sha256: true,
            ..ReadOptions::default()
        };
        let mut src = open(&path, &opts).unwrap();
        assert_eq!(src.settings.encoding.as_deref(), Some("UTF-8 (met BOM)"));
        let rows: Vec<Record> = src.rows.by_ref().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 20_002);
        assert_eq!(rows[20_000].fields.get(0), Some("José"));
        assert_eq!(
            (rows[20_001].pos, rows[20_001].fields.get(1)),
            (20_003, Some("B"))
        );
        let (fp, sha) = src.finish().unwrap();
        // By hand: the BOM, 20,003 lines (the last without a line feed), the one 0x01.
        assert_eq!(
            (fp.utf8_bom, fp.size, fp.lines, fp.control),
            (true, bytes.len() as u64, 20_003, 1)
        );
        assert_eq!(sha, Some(crate::source::sha256_file(&path).unwrap()));
        assert_eq!(
            src.settings.encoding.as_deref(),
            Some(
                "gemengd UTF-8 en Windows-1252 (met BOM): 20000 regel(s) UTF-8 (vanaf regel \
                 2), 1 Windows-1252 (vanaf regel 20002)"
            )
        );
        let mut src = open(&path, &ReadOptions::default()).unwrap();
        assert_eq!(src.rows.by_ref().count(), 20_002);
        let (again, sha) = src.finish().unwrap();
        assert_eq!(
            (again.size, again.lines, again.control, sha),
            (fp.size, 20_003, 1, None)
        );
    }

    #[test]
    fn sniffs_semicolon_despite_decimal_commas() {
        let s = "Nummer;Bedrag;Datum\n1;12,50;1-2-2024\n2;1.234,56;2-2-2024\n";
        assert_eq!(sniff_delimiter(s), b';');
        let s = "a,b,c\n1,2,3\n4,5,6\n";
        assert_eq!(sniff_delimiter(s), b',');
        let s = "a\tb\tc\n1,5\t2\t3\n";
        assert_eq!(sniff_delimiter(s), b'\t');
        let s = "Titel\na|b\n1|2\n";
        assert_eq!(sniff_delimiter(s), b'|');
    }

    /// Rows of a small export: CRLF line ends, blank lines, a row of only delimiters and a
    /// quoted value holding a delimiter and a line feed.
    fn tricky_rows(blank: Arc<AtomicU64>, recycle: crate::source::Recycle) -> Rows {
        let text = "a;1\r\nb;2\n\n;;\nc;3\nd;\"x;\ny\"\ne;5\n\nf;6\n";
        let reader =
            reader_builder(b';')
                .from_reader(Box::new(std::io::Cursor::new(text.as_bytes().to_vec()))
                    as Box<dyn Read + Send>);
        Rows {
            reader,
            display: "t.csv".into(),
            blank,
            width: 2,
            delimiter: b';',
            recycle,
            spare: Vec::new(),
            raw: csv::ByteRecord::new(),
        }
    }

    /// The line numbers and fields of [`tricky_rows`], counted by hand.
    fn tricky_expected() -> Vec<(u64, Vec<String>)> {
        [
            // The CR of the CRLF line end is not part of the value.
            (1, vec!["a", "1"]),
            (2, vec!["b", "2"]),
            (5, vec!["c", "3"]),
            (6, vec!["d", "x;\ny"]),
            (8, vec!["e", "5"]),
            (10, vec!["f", "6"]),
        ]
        .into_iter()
        .map(|(p, f)| (p, f.into_iter().map(str::to_string).collect()))
        .collect()
    }

    /// Line numbers stay right across the tricky rows.
    #[test]
    fn rows_carry_their_line_numbers() {
        let blank = Arc::new(AtomicU64::new(0));
        let rows = tricky_rows(blank.clone(), crate::source::Recycle::default());
        let got: Vec<(u64, Vec<String>)> = rows
            .map(|r| r.unwrap())
            .map(|r| (r.pos, r.fields.iter().map(str::to_string).collect()))
            .collect();
        assert_eq!(got, tricky_expected());
        assert_eq!(blank.load(Ordering::Relaxed), 1, "the ';;' row");
    }

    /// Rows handed back and read into again (longer, with more fields, than the rows they
    /// then hold) give the same rows as fresh records, and the reader does take them.
    #[test]
    fn recycled_records_give_the_same_rows() {
        let recycle = crate::source::Recycle::default();
        let used = crate::source::Fields::from(vec!["langere waarde", "met", "drie velden"]);
        let dirty = || Record {
            pos: 99,
            fields: used.clone(),
        };
        recycle.give(vec![dirty(), dirty(), dirty()]);
        let mut rows = tricky_rows(Arc::new(AtomicU64::new(0)), recycle.clone());
        let mut got = Vec::new();
        for r in rows.by_ref() {
            let r = r.unwrap();
            got.push((r.pos, r.fields.iter().map(str::to_string).collect()));
            recycle.give(vec![r, dirty()]);
        }
        assert_eq!(got, tricky_expected());
        // 3 + 2 x 6 records given, 6 kept (one per row; the one taken for the call that
        // meets the end of the file goes back, and blank lines are read into the same
        // record): 9 wait. A reader that made fresh records would leave all 15.
        let waiting = rows.spare.len() + recycle.0.lock().unwrap().len();
        assert_eq!(waiting, 9);
    }

    #[test]
    fn windows_1252_becomes_utf8() {
        // 0xE9 = é, 0x80 = € in Windows-1252.
        let bytes: &[u8] = b"Caf\xe9;\x80 12,50\n";
        let mut out = String::new();
        DecodeReader::new(bytes).read_to_string(&mut out).unwrap();
        assert_eq!(out, "Café;€ 12,50\n");
    }
}
