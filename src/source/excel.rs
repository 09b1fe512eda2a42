//! Excel workbooks (.xlsx, .xlsm, .xls, .xlsb) and OpenDocument (.ods) via calamine. A sheet is
//! chosen by `--sheet NAME|INDEX` (default: the first sheet with data); title rows above the
//! header are skipped. Dates come out as ISO text, numbers with a decimal point.

use super::{Detected, ReadOptions, Record, Source, find_header};
use anyhow::{Context, Result, bail};
use calamine::{Data, Reader, open_workbook_auto};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

/// Renders a cell as the text a CSV export of it would hold (ISO dates, '.' decimals).
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => format!("{f}"),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) if d.is_duration() => format!("{}", d.as_f64()),
        Data::DateTime(d) => {
            // to_ymd_hms_milli knows the workbook's date system (1900, or 1904 on old Macs).
            let (y, mo, da, h, mi, se, _) = d.to_ymd_hms_milli();
            if (h, mi, se) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{da:02}")
            } else {
                format!("{y:04}-{mo:02}-{da:02} {h:02}:{mi:02}:{se:02}")
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// What a file with a workbook's name holds, by its first bytes.
pub enum Content {
    Workbook,
    Text,
}

/// The OLE compound file signature of an .xls.
const OLE_MAGIC: [u8; 4] = [0xD0, 0xCF, 0x11, 0xE0];

/// Whether a file's first bytes are a workbook's: a zip (.xlsx, .xlsb, .ods) or an OLE
/// compound file (.xls).
pub fn is_workbook(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") || head.starts_with(&OLE_MAGIC)
}

/// Tells a workbook (zip: .xlsx, .xlsb, .ods; OLE: .xls) from text saved under a workbook's
/// name (CSV, read as such) and from HTML (refused with what to do).
pub fn sniff(path: &Path) -> Result<Content> {
    use std::io::Read;
    let mut head = [0u8; 512];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .with_context(|| format!("cannot open {}", path.display()))?;
    let head = &head[..n];
    if n == 0 {
        bail!("{} is empty: no sheets, no rows", path.display());
    }
    if is_workbook(head) {
        return Ok(Content::Workbook);
    }
    let text = String::from_utf8_lossy(head)
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_lowercase();
    if text.starts_with('<') {
        bail!(
            "{} is a web page (HTML) saved with a workbook's name, not a workbook. Open it in \
             Excel and save it as .xlsx or as CSV UTF-8, then ingest that",
            path.display()
        );
    }
    if head.iter().filter(|b| **b == 0).count() * 4 < n {
        return Ok(Content::Text);
    }
    bail!(
        "{} is neither a workbook (.xlsx, .xls, .ods) nor text: a damaged file?",
        path.display()
    )
}

/// Opens a workbook by its content, whatever its extension says (a .xls that is an .xlsx).
fn open_by_content(path: &Path) -> Result<calamine::Sheets<std::io::BufReader<std::fs::File>>> {
    use calamine::{Ods, Sheets, Xls, Xlsb, Xlsx, open_workbook};
    use std::io::Read;
    let mut magic = [0u8; 4];
    std::fs::File::open(path)?.read_exact(&mut magic)?;
    let what = || format!("{} is not a readable Excel/ODS workbook", path.display());
    if magic == OLE_MAGIC {
        check_compound_file(path)?;
        return Ok(Sheets::Xls(
            open_workbook::<Xls<_>, _>(path).with_context(what)?,
        ));
    }
    if let Ok(w) = open_workbook::<Xlsx<_>, _>(path) {
        return Ok(Sheets::Xlsx(w));
    }
    if let Ok(w) = open_workbook::<Ods<_>, _>(path) {
        return Ok(Sheets::Ods(w));
    }
    if let Ok(w) = open_workbook::<Xlsb<_>, _>(path) {
        return Ok(Sheets::Xlsb(w));
    }
    open_workbook_auto(path).with_context(what)
}

/// Checks the container of an .xls (an OLE compound file) and reads its workbook stream to
/// the end: a damaged file (sector chains that loop or overlap) is refused here, before the
/// workbook reader walks it.
fn check_compound_file(path: &Path) -> Result<()> {
    let damaged = || {
        format!(
            "{} is a damaged .xls workbook (its internal structure is broken). Open it in \
             Excel and save it again, preferably as .xlsx, then ingest that",
            path.display()
        )
    };
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut cf = cfb::CompoundFile::open(file).with_context(damaged)?;
    for name in ["/Workbook", "/Book"] {
        if cf.is_stream(name) {
            let mut stream = cf.open_stream(name).with_context(damaged)?;
            std::io::copy(&mut stream, &mut std::io::sink()).with_context(damaged)?;
        }
    }
    Ok(())
}

/// Opens a sheet of a workbook: the one `--sheet` names, else the first with data.
pub fn open(path: &Path, opts: &ReadOptions) -> Result<Source> {
    let mut workbook = open_by_content(path)?;
    let names = workbook.sheet_names().to_vec();
    if names.is_empty() {
        bail!("{} has no sheets", path.display());
    }
    let (sheet, range) = choose_sheet(&mut workbook, &names, opts.sheet.as_deref(), path)?;
    let first_row = range.start().map_or(0, |(r, _)| r as u64);
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(cell_text).collect())
        .collect();
    let sniff: Vec<Vec<String>> = rows.iter().take(60).cloned().collect();
    let header_index = find_header(&sniff, &opts.header_hints)
        .with_context(|| format!("{} sheet '{sheet}': no header row found", path.display()))?;
    let headers: Vec<String> = rows[header_index]
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let blank_rows = Arc::new(AtomicU64::new(0));
    let data = data_rows(rows, header_index, first_row, &blank_rows);
    Ok(Source {
        path: path.to_path_buf(),
        headers,
        settings: Detected {
            format: "excel".to_string(),
            encoding: None,
            delimiter: None,
            sheet: Some(sheet),
            header_row: first_row + header_index as u64 + 1,
            columns: Vec::new(),
            note: None,
        },
        rows: Box::new(data.into_iter().map(Ok)),
        blank_rows,
        recycle: None,
        scanned: None,
    })
}

/// The rows below the header as records numbered by their sheet row (`first_row`: the row
/// the sheet's data starts on, 0-based); rows without a value are counted in `blank`.
fn data_rows(
    rows: Vec<Vec<String>>,
    header_index: usize,
    first_row: u64,
    blank: &AtomicU64,
) -> Vec<Record> {
    rows.into_iter()
        .enumerate()
        .skip(header_index + 1)
        .filter_map(|(i, fields)| {
            if fields.iter().all(|f| f.trim().is_empty()) {
                blank.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                return None;
            }
            Some(Record {
                pos: first_row + i as u64 + 1,
                fields: super::Fields::from(fields),
            })
        })
        .collect()
}

type Workbook = calamine::Sheets<std::io::BufReader<std::fs::File>>;

/// The sheet named or numbered (1-based) by `--sheet`, else the first sheet that has data.
fn choose_sheet(
    workbook: &mut Workbook,
    names: &[String],
    wanted: Option<&str>,
    path: &Path,
) -> Result<(String, calamine::Range<Data>)> {
    let read = |wb: &mut Workbook, name: &str| {
        wb.worksheet_range(name)
            .with_context(|| format!("{}: cannot read sheet '{name}'", path.display()))
    };
    if let Some(w) = wanted {
        let name = match w.parse::<usize>() {
            Ok(i) if i >= 1 && i <= names.len() => names[i - 1].clone(),
            _ => names
                .iter()
                .find(|n| n.eq_ignore_ascii_case(w))
                .cloned()
                .with_context(|| {
                    format!(
                        "{} has no sheet '{w}'; its sheets are: {} (or give a number, 1 = first)",
                        path.display(),
                        names.join(", ")
                    )
                })?,
        };
        let range = read(workbook, &name)?;
        return Ok((name, range));
    }
    for name in names {
        let range = read(workbook, name)?;
        if !range.is_empty() {
            return Ok((name.clone(), range));
        }
    }
    bail!("{}: every sheet is empty", path.display())
}
