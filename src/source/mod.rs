//! Reading exports: CSV/TXT (encoding, delimiter and header row sniffed), Excel (.xlsx, .xls,
//! .ods) and JSON. Every reader yields the same thing: a header and rows of text fields, each
//! row with its position in the file (line or sheet row) so rejects can point back at it.

pub mod excel;
mod fields;
pub mod json;
pub mod knmi;
pub mod stdin;
pub mod text;
pub mod values;

pub use fields::{Fields, NotUtf8};

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// One data row of an export.
#[derive(Debug, Clone)]
pub struct Record {
    /// 1-based line number (CSV), sheet row number (Excel) or object number (JSON).
    pub pos: u64,
    pub fields: Fields,
}

/// What a reader found out about a file: printed to stderr and kept in the lineage.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Detected {
    pub format: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Line or row of the header, 1-based.
    pub header_row: u64,
    /// Per column: how its values were read (date order, decimal comma, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// Anything else worth saying about how the file was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Detected {
    /// "position" word for messages: regel (line) or rij (sheet row) or object.
    pub fn position_word(&self) -> &'static str {
        match self.format.as_str() {
            "csv" => "regel",
            "json" => "object",
            _ => "rij",
        }
    }
}

/// Options the user can set to override what is sniffed.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub encoding: Option<Encoding>,
    pub delimiter: Option<u8>,
    pub sheet: Option<String>,
    /// Header words that identify the header row (the aliases of the dataset).
    pub header_hints: Vec<String>,
    /// Whether a text export's SHA-256 is taken as its rows are read: for an ingest's lineage,
    /// unless it was computed before the rows (a file of an earlier one's size); not for an
    /// ad-hoc read.
    pub sha256: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Windows1252,
    /// Line by line, what a text export is read as when no encoding is given: a line that is
    /// valid UTF-8 as UTF-8, another as Windows-1252 (so a file of either reads as that, and
    /// lines of both pasted together each right); the settings say which the file turned out
    /// to be, or how many lines of each.
    Mixed,
}

impl Encoding {
    pub fn parse(s: &str) -> Result<Encoding> {
        match s.to_lowercase().replace(['-', '_'], "").as_str() {
            "utf8" => Ok(Encoding::Utf8),
            "windows1252" | "cp1252" | "latin1" | "iso88591" | "ansi" => Ok(Encoding::Windows1252),
            other => bail!("unknown encoding '{other}': use utf-8 or windows-1252"),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Windows1252 => "Windows-1252",
            Encoding::Mixed => "gemengd UTF-8 en Windows-1252",
        }
    }
}

/// Size and text facts of a file, from one pass over its bytes.
#[derive(Debug, Clone)]
pub struct Fingerprint {
    pub size: u64,
    pub utf8_bom: bool,
    /// UTF-16 with a byte order mark (Excel's "Unicode-tekst"): "UTF-16LE" or "UTF-16BE". The
    /// other facts are then of the text decoded to UTF-8, as every reader sees it.
    pub utf16: Option<&'static str>,
    /// NUL bytes: none in a text export (UTF-16 without a byte order mark has one in every
    /// other byte).
    pub nul: u64,
    /// Control bytes other than TAB, LF and CR (NUL included): a handful at most in text.
    pub control: u64,
    /// Physical lines: line feeds, or carriage returns in a file without line feeds (old Mac
    /// exports), plus a last line without an end. Rows are counted against them.
    pub lines: u64,
}

/// Reads the whole file once for its size, BOM, lines and control bytes. (A text export read
/// for an ingest takes these facts and its SHA-256 while its rows are read, [`Tap`]; this pass
/// is for UTF-16 text, whose facts are of its decoded text.)
pub fn fingerprint(path: &Path) -> Result<Fingerprint> {
    let utf16 = utf16(path)?.map(|e| e.name());
    let mut scan = Scan::default();
    read_through(open_text(path)?, path, |bytes| scan.add(bytes))?;
    let facts = scan.finish();
    // The size is the file's (lineage, progress), also when it is decoded.
    let size = match utf16 {
        Some(_) => std::fs::metadata(path)?.len(),
        None => facts.size,
    };
    Ok(Fingerprint {
        utf16,
        size,
        ..facts
    })
}

/// The fingerprint and SHA-256 of a file in one pass over it (a workbook or JSON file, after
/// its rows); UTF-16 text's fingerprint is of its decoded text, so that is a pass of its own.
fn facts_of(path: &Path) -> Result<(Fingerprint, Option<String>)> {
    if utf16(path)?.is_some() {
        return Ok((fingerprint(path)?, None));
    }
    let (mut scan, mut sha) = (Scan::default(), Sha256::new());
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    read_through(file, path, |bytes| {
        scan.add(bytes);
        sha.update(bytes);
    })?;
    Ok((scan.finish(), Some(hex(&sha.finalize()))))
}

/// Reads `reader` (the file at `path`) to its end in blocks of 1 MiB, each handed to `take`.
fn read_through(mut reader: impl Read, path: &Path, mut take: impl FnMut(&[u8])) -> Result<()> {
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = reader
            .read(&mut buf)
            .with_context(|| format!("reading {}", path.display()))?;
        if n == 0 {
            return Ok(());
        }
        take(&buf[..n]);
    }
}

/// The size of a file in bytes.
pub fn file_size(path: &Path) -> Result<u64> {
    Ok(std::fs::metadata(path)
        .with_context(|| format!("cannot open {}", path.display()))?
        .len())
}

/// Whether a file is UTF-16 text with a byte order mark (read decoded, see [`open_text`]).
pub fn is_utf16(path: &Path) -> Result<bool> {
    Ok(utf16(path)?.is_some())
}

/// The UTF-16 encoding a file's byte order mark names (`FF FE`: little endian, as Excel's
/// "Unicode-tekst" on Windows; `FE FF`: big endian), if it starts with one.
fn utf16(path: &Path) -> Result<Option<&'static encoding_rs::Encoding>> {
    let mut head = [0u8; 2];
    let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let n = file.read(&mut head)?;
    let n = n + if n == 1 {
        file.read(&mut head[1..])?
    } else {
        0
    };
    Ok(match (n, head) {
        (2, [0xFF, 0xFE]) => Some(encoding_rs::UTF_16LE),
        (2, [0xFE, 0xFF]) => Some(encoding_rs::UTF_16BE),
        _ => None,
    })
}

/// The bytes of a text file as every reader sees them: UTF-16 with a byte order mark decoded
/// to UTF-8 as it is read (the mark left out), any other file as it is.
pub fn open_text(path: &Path) -> Result<Box<dyn Read + Send>> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(match utf16(path)? {
        Some(e) => Box::new(text::DecodeReader::utf16(
            std::io::BufReader::with_capacity(256 * 1024, file),
            e,
        )),
        None => Box::new(file),
    })
}

/// What [`fingerprint`] (or a [`Tap`]) has found in the bytes read so far. (Whether a text
/// export is UTF-8 is told line by line as it is read, `text::LineEncodings`.)
#[derive(Default)]
struct Scan {
    size: u64,
    /// The first three bytes (a UTF-8 byte order mark?).
    head: Vec<u8>,
    last: u8,
    lf: u64,
    cr: u64,
    nul: u64,
    control: u64,
}

impl Scan {
    /// Takes in the next bytes of the file.
    fn add(&mut self, bytes: &[u8]) {
        let Some(&last) = bytes.last() else {
            return;
        };
        if self.head.len() < 3 {
            let k = (3 - self.head.len()).min(bytes.len());
            self.head.extend_from_slice(&bytes[..k]);
        }
        self.size += bytes.len() as u64;
        self.last = last;
        // Counted in 8-bit lanes over 255 bytes at a time, which the compiler turns into
        // vector instructions.
        for block in bytes.chunks(255) {
            let (mut lf, mut cr, mut nul, mut control) = (0u8, 0u8, 0u8, 0u8);
            for &b in block {
                lf += u8::from(b == b'\n');
                cr += u8::from(b == b'\r');
                nul += u8::from(b == 0);
                control += u8::from(b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r');
            }
            self.lf += u64::from(lf);
            self.cr += u64::from(cr);
            self.nul += u64::from(nul);
            self.control += u64::from(control);
        }
    }

    /// The facts of the file, once it is read to the end.
    fn finish(self) -> Fingerprint {
        let ends = if self.lf > 0 {
            self.last == b'\n'
        } else {
            self.last == b'\r'
        };
        Fingerprint {
            size: self.size,
            utf8_bom: self.head == [0xEF, 0xBB, 0xBF],
            utf16: None,
            nul: self.nul,
            control: self.control,
            lines: if self.lf > 0 { self.lf } else { self.cr } + u64::from(self.size > 0 && !ends),
        }
    }
}

/// What reading a text export learns of the whole file as its bytes pass: its fingerprint and
/// SHA-256 (from the [`Tap`]), and how many of its lines were UTF-8 and how many
/// Windows-1252 (from the line decoder, when the encoding was not given). Filled in when the
/// reading reaches the end of the file.
#[derive(Default)]
pub struct Scanned {
    pub facts: Option<(Fingerprint, Option<String>)>,
    pub lines: Option<text::LineEncodings>,
}

/// Shared between the reader (on its own thread) and the ingest that waits for the end.
pub type ScanSlot = std::sync::Arc<std::sync::Mutex<Scanned>>;

/// A file's bytes on their way to the text reader, its facts taken as they pass: the
/// [`Fingerprint`] and the SHA-256 come from the one pass that reads the rows (three passes
/// before: the fingerprint and the encoding of the lines before the rows, the SHA-256 beside
/// them).
pub struct Tap<R> {
    inner: R,
    scan: Scan,
    /// None: the SHA-256 is not wanted.
    sha: Option<Sha256>,
    slot: ScanSlot,
    done: bool,
}

impl<R: Read> Tap<R> {
    pub fn new(inner: R, slot: ScanSlot, sha256: bool) -> Tap<R> {
        Tap {
            inner,
            scan: Scan::default(),
            sha: sha256.then(Sha256::new),
            slot,
            done: false,
        }
    }
}

impl<R: Read> Read for Tap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            self.scan.add(&buf[..n]);
            if let Some(sha) = &mut self.sha {
                sha.update(&buf[..n]);
            }
        } else if !buf.is_empty() && !self.done {
            self.done = true;
            let fp = std::mem::take(&mut self.scan).finish();
            let sha = self.sha.take().map(|sha| hex(&sha.finalize()));
            if let Ok(mut slot) = self.slot.lock() {
                slot.facts = Some((fp, sha));
            }
        }
        Ok(n)
    }
}

/// File arguments with wildcards (`C:\Data\meldingen-*.csv`, `exports/*.xlsx`) expanded into
/// the files they match, in alphabetical order (so week 01 is loaded before week 02).
/// cmd.exe and PowerShell pass a wildcard on as it is, where a Unix shell expands it first. A
/// name that exists as it is, and `-` (standard input), stay; a pattern that matches no file is
/// an error, not a silent no-op.
pub fn expand_wildcards(files: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for f in files {
        let text = f.to_string_lossy();
        let pattern = text.contains(['*', '?', '[']);
        if !pattern || f.exists() || stdin::is_dash(f) {
            out.push(f.clone());
            continue;
        }
        let paths = glob::glob(&text).with_context(|| {
            format!(
                "{text} is not a usable wildcard pattern (use * for any text, ? for a character)"
            )
        })?;
        let mut found: Vec<PathBuf> = paths
            .filter_map(|p| p.ok())
            .filter(|p| p.is_file())
            .collect();
        if found.is_empty() {
            bail!("no file matches {text}; check the folder and the name (* stands for any text)");
        }
        found.sort();
        out.extend(found);
    }
    Ok(out)
}

/// Lower-case hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The SHA-256 of a file, as hex.
pub fn sha256_file(path: &Path) -> Result<String> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut hasher = Sha256::new();
    read_through(file, path, |bytes| hasher.update(bytes))?;
    Ok(hex(&hasher.finalize()))
}

/// Refuses a header row that is data: a file exported without column names would otherwise
/// turn its first row (a BSN, a client's name, an e-mail address) into column names that
/// end up in the catalog and in messages. The values are never printed.
pub fn check_header(headers: &[String], path: &Path) -> Result<()> {
    let filled: Vec<&str> = headers
        .iter()
        .map(|h| h.trim())
        .filter(|h| !h.is_empty())
        .collect();
    let personal = filled
        .iter()
        .filter(|h| crate::schema::personal::whole_value(h).is_some())
        .count();
    let values = filled
        .iter()
        .filter(|h| {
            // A year names a column of a cross table ("Wijk;2023;2024").
            let year = h.parse::<i32>().is_ok_and(values::plausible_year);
            let numeric = h.chars().all(|c| c.is_ascii_digit() || ".,-+ ".contains(c));
            !year && (numeric || values::parse_date(h, values::DateOrder::DayFirst).is_some())
        })
        .count();
    if headers.iter().any(|h| h.contains('\0')) {
        bail!(
            "{}: the header row holds NUL characters: the file is damaged or not text",
            path.display()
        );
    }
    if personal > 0 || (filled.len() >= 2 && values * 2 >= filled.len()) {
        bail!(
            "{}: the header row holds values (numbers, dates or personal data), not column \
             names; the export seems to have no header row. Export it again with column names \
             (in Excel: a first row with the names). Its values are not shown here",
            path.display()
        );
    }
    Ok(())
}

/// Reads a TOML file of ours (report spec, ingest plan, mapping). An error names the file,
/// line and column and says what was expected, but never quotes the file: a wrong path (an
/// export, a key file) must not end up on screen or in a cron mail.
pub fn read_toml<T: serde::de::DeserializeOwned>(
    path: &Path,
    what: &str,
    expected: &str,
) -> Result<T> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read the {what} {}", path.display()))?;
    let Ok(text) = String::from_utf8(bytes) else {
        bail!(
            "the {what} {} is not a TOML text file (it is not UTF-8 text). {expected}",
            path.display()
        );
    };
    toml::from_str(&text).map_err(|e| {
        let place = e.span().map_or(String::new(), |span| {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!(" (line {line}, column {column})")
        });
        let message = e.message().trim().trim_end_matches('.');
        anyhow::anyhow!(
            "the {what} {} is not valid{place}: {message}. {expected}",
            path.display()
        )
    })
}

/// The kinds of file we read, by extension (content decides within CSV).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Text,
    Excel,
    Json,
}

pub fn file_kind(path: &Path) -> Result<FileKind> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_lowercase();
    match ext.as_str() {
        "csv" | "txt" | "tsv" | "tab" | "" => Ok(FileKind::Text),
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => Ok(FileKind::Excel),
        "json" => Ok(FileKind::Json),
        "parquet" => bail!(
            "{} is a Parquet file; ingest reads exports (CSV, Excel, JSON). Query it with \
             `datastroom sql --input {}`",
            path.display(),
            path.display()
        ),
        other => bail!(
            "{}: unknown file type '.{other}'. Supported: .csv .txt .tsv .xlsx .xls .ods .json",
            path.display()
        ),
    }
}

/// An open export: its header, its settings, and an iterator over its rows.
pub struct Source {
    pub path: PathBuf,
    pub headers: Vec<String>,
    pub settings: Detected,
    pub rows: Box<dyn Iterator<Item = Result<Record>> + Send>,
    /// Rows skipped because every field was empty (not data; counted for the summary).
    pub blank_rows: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Where used rows go back to be filled again (text exports), if the reader takes them.
    pub recycle: Option<Recycle>,
    /// The whole file's facts as its reading finds them (text exports), see [`Source::finish`].
    pub scanned: Option<ScanSlot>,
}

impl Source {
    /// The facts of the whole file, once every row has been read: its fingerprint, and for a
    /// text export its SHA-256 and the encoding in the settings as the whole file has it (not
    /// only its first lines). A workbook or JSON file is read once more for them. Refuses a
    /// text file that turned out to be mostly control characters.
    pub fn finish(&mut self) -> Result<(Fingerprint, Option<String>)> {
        let Some(slot) = &self.scanned else {
            return facts_of(&self.path);
        };
        let scanned = std::mem::take(
            &mut *slot
                .lock()
                .map_err(|_| anyhow::anyhow!("the reading thread stopped"))?,
        );
        let Some((fp, sha)) = scanned.facts else {
            bail!(
                "{}: the file was not read to its end (an internal error; nothing was written)",
                self.path.display()
            );
        };
        text::refuse_control(&self.path, fp.control, fp.size)?;
        if let Some(lines) = scanned.lines {
            self.settings.encoding = Some(text::encoding_label(&fp, &lines));
        }
        Ok((fp, sha))
    }
}

/// Rows handed back after use, for the reader to fill again: a text export then costs no
/// allocation per row, nor a free on another thread than the one that allocated (with the
/// column builders grown anew every batch, that churn had the kernel zeroing fresh pages for
/// 14% of the CPU time of a 1M-row ingest).
#[derive(Clone, Default)]
pub struct Recycle(std::sync::Arc<std::sync::Mutex<Vec<Fields>>>);

impl Recycle {
    /// At most this many rows wait to be filled again: a few chunks' worth.
    const MAX: usize = 65_536;

    /// Hands rows back (beyond [`Recycle::MAX`] waiting, they are freed).
    pub fn give(&self, rows: Vec<Record>) {
        if let Ok(mut pool) = self.0.lock() {
            let room = Self::MAX.saturating_sub(pool.len());
            pool.extend(rows.into_iter().take(room).map(|r| r.fields));
        }
    }

    /// Moves every waiting row into `into` (which is empty: the reader has used its own).
    pub fn take_all(&self, into: &mut Vec<Fields>) {
        if let Ok(mut pool) = self.0.lock() {
            std::mem::swap(&mut *pool, into);
        }
    }
}

/// Opens any supported export.
pub fn open(path: &Path, opts: &ReadOptions) -> Result<Source> {
    match file_kind(path)? {
        FileKind::Text => text::open(path, opts),
        FileKind::Excel => match excel::sniff(path)? {
            excel::Content::Workbook => excel::open(path, opts),
            // "Export to Excel" in many web applications writes CSV with an Excel name.
            excel::Content::Text => {
                let mut src = text::open(path, opts)?;
                src.settings.note =
                    Some("tekst met de naam van een werkboek: als CSV gelezen".to_string());
                Ok(src)
            }
        },
        FileKind::Json => json::open(path),
    }
}

/// Finds the header among the first rows: the row matching most of `hints` (normalised), or,
/// when none matches, the first row with as many filled cells as the widest row.
pub fn find_header(rows: &[Vec<String>], hints: &[String]) -> Option<usize> {
    let filled = |r: &Vec<String>| r.iter().filter(|f| !f.trim().is_empty()).count();
    let score = |r: &Vec<String>| {
        r.iter()
            .filter(|f| hints.contains(&crate::schema::normalise(f)))
            .count()
    };
    let best = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (score(r), i))
        .max_by_key(|(s, i)| (*s, usize::MAX - i));
    if let Some((s, i)) = best
        && s > 0
    {
        return Some(i);
    }
    let widest = rows.iter().map(filled).max()?;
    if widest == 0 {
        return None;
    }
    // A header may have one empty cell (an unnamed last column); a title row has far fewer.
    let enough = if widest >= 3 { widest - 1 } else { widest };
    rows.iter().position(|r| filled(r) >= enough)
}

/// Reads rows on a second thread, in chunks, so that parsing the text (CSV, transcoding) and
/// converting the values run on two cores at once. The thread stops when the rows end or when
/// the returned iterator is dropped.
pub fn prefetch(rows: Box<dyn Iterator<Item = Result<Record>> + Send>, chunk: usize) -> Prefetch {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Result<Record>>>(4);
    let handle = std::thread::spawn(move || {
        let mut rows = rows;
        loop {
            let batch: Vec<Result<Record>> = rows.by_ref().take(chunk).collect();
            let done = batch.len() < chunk || batch.last().is_some_and(|r| r.is_err());
            if batch.is_empty() || tx.send(batch).is_err() || done {
                return;
            }
        }
    });
    Prefetch {
        rx,
        current: Vec::new().into_iter(),
        handle: Some(handle),
    }
}

/// Rows coming from the reading thread. When the channel closes, the thread is joined: if it
/// died, that is an error, never a silently shorter file.
pub struct Prefetch {
    rx: std::sync::mpsc::Receiver<Vec<Result<Record>>>,
    current: std::vec::IntoIter<Result<Record>>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Iterator for Prefetch {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Result<Record>> {
        loop {
            if let Some(r) = self.current.next() {
                return Some(r);
            }
            match self.rx.recv() {
                Ok(batch) => self.current = batch.into_iter(),
                Err(_) => {
                    let handle = self.handle.take()?;
                    return match handle.join() {
                        Ok(()) => None,
                        Err(_) => Some(Err(anyhow::anyhow!(
                            "the thread reading the file stopped unexpectedly; nothing was written"
                        ))),
                    };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_expand_in_order_and_must_match() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["week-02.csv", "week-01.csv", "notities.txt"] {
            std::fs::write(dir.path().join(name), "a\n").unwrap();
        }
        let pattern = dir.path().join("week-*.csv");
        let plain = dir.path().join("notities.txt");
        let got = expand_wildcards(&[pattern, plain.clone(), PathBuf::from("-")]).unwrap();
        assert_eq!(
            got,
            [
                dir.path().join("week-01.csv"),
                dir.path().join("week-02.csv"),
                plain,
                PathBuf::from("-")
            ]
        );
        let none = dir.path().join("maand-*.csv");
        let err = expand_wildcards(&[none]).unwrap_err().to_string();
        assert!(
            err.contains("no file matches") && err.contains("maand-*.csv"),
            "{err}"
        );
    }

    fn row(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn header_below_title_rows_by_hints() {
        let rows = vec![
            row(&["Overzicht Wmo-zaken 2024", "", ""]),
            row(&["Gemaakt op 1-2-2024", "", ""]),
            row(&["", "", ""]),
            row(&["Zaaknummer", "BSN", "Wet"]),
            row(&["Z1", "123", "Wmo"]),
        ];
        let hints = vec!["zaaknummer".to_string(), "wet".to_string()];
        assert_eq!(find_header(&rows, &hints), Some(3));
        assert_eq!(find_header(&rows, &[]), Some(3), "widest row without hints");
        let rows = vec![row(&["Wijk", "Aantal", ""]), row(&["Noord", "3", "x"])];
        assert_eq!(
            find_header(&rows, &[]),
            Some(0),
            "a header with an unnamed column"
        );
    }

    /// The bytes of a text export reach the scan in reads of any size (a `Tap` sees what its
    /// reader asks for): the byte order mark is found and the lines and control bytes
    /// counted however the reads cut them.
    #[test]
    fn scan_of_bytes_in_reads_of_any_size() {
        let mut bytes = b"\xEF\xBB\xBFnaam;plaats\r\n".to_vec();
        bytes.extend_from_slice("Ren\u{e9};Zevenaar\r\nA\x01;B\x02\r\nlaatste".as_bytes());
        for size in 1..=5 {
            let mut scan = Scan::default();
            for piece in bytes.chunks(size) {
                scan.add(piece);
            }
            let fp = scan.finish();
            // By hand: three line feeds and a last line without one; 0x01 and 0x02.
            assert_eq!(
                (fp.utf8_bom, fp.size, fp.lines, fp.control, fp.nul),
                (true, bytes.len() as u64, 4, 2, 0),
                "reads of {size}"
            );
        }
        let mut scan = Scan::default();
        scan.add(b"\xEF\xBB");
        scan.add(b"x\n");
        assert!(!scan.finish().utf8_bom, "EF BB and then not BF");
    }

    #[test]
    fn line_and_control_counts_over_the_lane_blocks() {
        // Bytes of every value in a fixed pseudo-random order, over several blocks of 255 and
        // with a block cut short: the counts equal one comparison a byte.
        let mut x: u32 = 12345;
        let bytes: Vec<u8> = (0..10_000)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (x >> 16) as u8
            })
            .collect();
        let mut scan = Scan::default();
        scan.add(&bytes);
        let count = |f: &dyn Fn(u8) -> bool| bytes.iter().filter(|b| f(**b)).count() as u64;
        assert_eq!(scan.lf, count(&|b| b == b'\n'));
        assert_eq!(scan.cr, count(&|b| b == b'\r'));
        assert_eq!(scan.nul, count(&|b| b == 0));
        assert_eq!(
            scan.control,
            count(&|b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
        );
        assert!(scan.lf > 30 && scan.control > 1000, "the data has them");
    }

    #[test]
    fn fingerprint_finds_the_bom_and_sha256_file_hashes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        std::fs::write(&p, b"\xEF\xBB\xBFa;b\n1;2\n").unwrap();
        let fp = fingerprint(&p).unwrap();
        assert!(fp.utf8_bom);
        assert_eq!((fp.size, fp.lines), (11, 2));
        std::fs::write(&p, b"naam;plaats\nJos\xe9;Zevenaar\n").unwrap();
        let fp = fingerprint(&p).unwrap();
        assert!(!fp.utf8_bom);
        // printf 'naam;plaats\nJos\xe9;Zevenaar\n' | sha256sum
        assert_eq!(
            sha256_file(&p).unwrap(),
            "f2c9eeff6b3b4fc659c74e35d3080b2870cbb6e9b12d979415cfe709ecb8b10d"
        );
    }

    /// UTF-16 with its mark is read as UTF-8; a file cut inside a character ends in U+FFFD
    /// (found by fuzzing: the decoder was used again after its last call, a panic).
    #[test]
    fn utf16_is_decoded_even_when_cut() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        for (bytes, text) in [
            (&b"\xFF\xFEa\x00;\x00\xE9\x00\n\x00"[..], "a;\u{e9}\n"),
            (&b"\xFE\xFF\x00a\x00;\x00\xE9\x00\n"[..], "a;\u{e9}\n"),
            (&b"\xFF\xFEa\x00b"[..], "a\u{fffd}"),
        ] {
            std::fs::write(&p, bytes).unwrap();
            let mut read = String::new();
            open_text(&p).unwrap().read_to_string(&mut read).unwrap();
            assert_eq!(read, text);
            let fp = fingerprint(&p).unwrap();
            assert!(fp.utf16.is_some() && !fp.utf8_bom);
            assert_eq!(fp.size, bytes.len() as u64);
        }
    }
}
