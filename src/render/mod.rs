//! The one output layer: every subcommand hands a `DataFrame` here, with the global
//! `--format` and `--output`. Formats: a terminal table, CSV, CSV for Dutch Excel, JSON, Markdown
//! xlsx and Parquet. csv-excel and xlsx never let a cell start a formula (formula injection).

pub mod chart;
mod labels;
mod xlsx;

pub use labels::{WAREHOUSE as WAREHOUSE_LABELS, label};
use xlsx::write_xlsx;
pub use xlsx::{Sheet, workbook_bytes};

use crate::lang::{Lang, human_float, money_text};
use anyhow::{Context, Result, bail};
use chrono::{NaiveDate, NaiveDateTime};
use polars::prelude::*;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for the terminal.
    Table,
    /// Plain CSV: UTF-8, ',' separator, '.' decimals, ISO dates.
    Csv,
    /// CSV that Dutch Excel opens correctly: UTF-8 with BOM, ';' separator, decimal comma.
    CsvExcel,
    /// An array of objects, column names as keys.
    Json,
    /// A Markdown table.
    Markdown,
    /// An Excel workbook (needs --output FILE.xlsx).
    Xlsx,
    /// A Parquet file for Power BI, DuckDB, pandas (needs --output FILE.parquet); money as
    /// Decimal(18,2), dates as dates.
    Parquet,
}

/// Where and how output goes.
#[derive(Debug, Clone)]
pub struct Output {
    pub format: Format,
    pub path: Option<PathBuf>,
    pub lang: Lang,
    /// Column labels of the command at hand, looked up before the shared ones.
    pub labels: Labels,
    /// Columns that hold euros: two decimals always, thousands separated for people and for
    /// Dutch Excel (1.234,56).
    pub money: Vec<String>,
}

/// (column name, Dutch label, English label).
pub type Labels = &'static [(&'static str, &'static str, &'static str)];

/// What an analysis computes before it is written: the frame, the note under it, and how to
/// show it (labels, money columns, and how cells read for people: "niet bereikt" for an empty
/// median, rules in words). Subcommands write it; reports compose it.
pub struct Table {
    pub df: DataFrame,
    pub note: String,
    pub labels: Labels,
    pub money: Vec<String>,
    /// The frame as people read it (tables, Markdown, xlsx, reports); CSV and JSON keep the
    /// frame itself.
    pub for_people: Option<fn(DataFrame, Lang) -> Result<DataFrame>>,
}

impl Table {
    /// A table shown as it is.
    pub fn plain(df: DataFrame, note: impl Into<String>, labels: Labels) -> Table {
        Table {
            df,
            note: note.into(),
            labels,
            money: Vec::new(),
            for_people: None,
        }
    }

    /// The frame as people read it.
    pub fn people_frame(&self, lang: Lang) -> Result<DataFrame> {
        match self.for_people {
            Some(f) => f(self.df.clone(), lang),
            None => Ok(self.df.clone()),
        }
    }
}

impl Format {
    /// A format people read (where cells say "niet bereikt" and rules are words, under the
    /// headers of their language): all but CSV, JSON and Parquet, which are for programs.
    pub fn for_people(self) -> bool {
        !matches!(self, Format::Csv | Format::Json | Format::Parquet)
    }
}

impl Format {
    /// The extensions of the files a format writes, the usual one first.
    fn extensions(self) -> &'static [&'static str] {
        match self {
            Format::Table => &["txt"],
            Format::Csv | Format::CsvExcel => &["csv", "txt"],
            Format::Json => &["json"],
            Format::Markdown => &["md", "markdown"],
            Format::Xlsx => &["xlsx"],
            Format::Parquet => &["parquet"],
        }
    }

    /// The format an output file's extension stands for (`.txt` is CSV).
    fn of_extension(ext: &str) -> Option<Format> {
        let ext = ext.to_ascii_lowercase();
        [
            Format::Csv,
            Format::Json,
            Format::Markdown,
            Format::Xlsx,
            Format::Parquet,
        ]
        .into_iter()
        .find(|f| f.extensions().contains(&ext.as_str()))
    }

    /// The name of the format as `--format` takes it.
    fn name(self) -> String {
        clap::ValueEnum::to_possible_value(&self).map_or_else(String::new, |v| v.get_name().into())
    }
}

/// Checks the extension of an `--output` file against `--format`: an extension that no format
/// writes (`.parquet`, `.xls`), or that another format writes than the one asked for, is
/// refused, so that a file never holds what its name does not say. A name without an extension
/// is written as `--format` (or CSV) says.
pub fn check_output_extension(format: Option<Format>, path: &Path) -> Result<()> {
    let Some(ext) = path.extension().map(|e| e.to_string_lossy().into_owned()) else {
        return Ok(());
    };
    let p = path.display();
    match (format, Format::of_extension(&ext)) {
        (_, None) => bail!(
            "--output {p}: datastroom does not write .{ext} files; end the name in .csv, .json, \
             .md, .xlsx or .parquet (the format follows it), or leave the extension out and \
             choose --format"
        ),
        (Some(f), Some(_)) if !f.extensions().contains(&ext.to_ascii_lowercase().as_str()) => {
            bail!(
                "--output {p} ends in .{ext}, but --format {} writes .{} files: name the file \
                 {} or leave --format out",
                f.name(),
                f.extensions()[0],
                path.with_extension(f.extensions()[0]).display()
            )
        }
        _ => Ok(()),
    }
}

impl Output {
    /// `--format` or the default: a table on a terminal, CSV otherwise (or by the extension
    /// of `--output`, see [`check_output_extension`]).
    pub fn new(format: Option<Format>, path: Option<PathBuf>, lang: Lang) -> Output {
        let by_extension = path
            .as_ref()
            .and_then(|p| p.extension())
            .and_then(|e| Format::of_extension(&e.to_string_lossy()));
        let format = format.or(by_extension).unwrap_or_else(|| {
            if path.is_none() && std::io::stdout().is_terminal() {
                Format::Table
            } else {
                Format::Csv
            }
        });
        Output {
            format,
            path,
            lang,
            labels: &[],
            money: Vec::new(),
        }
    }

    /// Writes a frame in the chosen format. `note` is printed under human-facing tables.
    pub fn write(&self, df: &DataFrame, note: Option<&str>) -> Result<()> {
        if self.format == Format::Xlsx {
            let path = self.path.as_deref().context(
                "--format xlsx writes a file: add --output FILE.xlsx (a workbook cannot go to the terminal)",
            )?;
            return write_xlsx(df, path, self.human());
        }
        if self.format == Format::Parquet {
            let path = self
                .path
                .as_deref()
                .context("--format parquet writes a file: add --output FILE.parquet")?;
            return write_parquet(df, path, &self.money);
        }
        let mut buf = Vec::new();
        match self.format {
            Format::Table => write_table(df, &mut buf, self.human())?,
            Format::Csv => write_csv(df, &mut buf, CsvStyle::Plain, &self.money, self.lang)?,
            Format::CsvExcel => {
                // For people in Excel: the headers they read (labels), the values in full.
                let names = headers(df, self.lang, self.labels);
                let money: Vec<String> = df
                    .get_column_names()
                    .iter()
                    .zip(&names)
                    .filter(|(n, _)| self.money.iter().any(|m| m == n.as_str()))
                    .map(|(_, label)| label.clone())
                    .collect();
                let mut named = df.clone();
                named.set_column_names(&names)?;
                write_csv(&named, &mut buf, CsvStyle::Excel, &money, self.lang)?
            }
            Format::Json => write_json(df, &mut buf)?,
            Format::Markdown => write_markdown(df, &mut buf, self.human())?,
            Format::Xlsx | Format::Parquet => unreachable!("handled above"),
        }
        if let Some(n) = note
            && matches!(self.format, Format::Table | Format::Markdown)
        {
            writeln!(buf, "\n{n}")?;
        }
        self.emit(&buf)
    }

    /// The table as Markdown and its note, for a report (always Markdown, whatever --format).
    pub fn markdown(&self, df: &DataFrame) -> Result<String> {
        let mut buf = Vec::new();
        write_markdown(df, &mut buf, self.human())?;
        Ok(String::from_utf8(buf)?)
    }

    /// A report's table as CSV for Dutch Excel, as the Markdown shows it: the same headers,
    /// numbers rounded to 2 decimals, ja/nee; in the report's language.
    pub fn csv_report(&self, df: &DataFrame) -> Result<Vec<u8>> {
        let mut buf = Vec::new();
        write_csv_as(
            df,
            &mut buf,
            (CsvStyle::Excel, self.lang),
            &self.money,
            Some(self.human()),
        )?;
        Ok(buf)
    }

    fn human(&self) -> Human<'_> {
        Human {
            lang: self.lang,
            labels: self.labels,
            money: &self.money,
        }
    }

    fn emit(&self, bytes: &[u8]) -> Result<()> {
        match &self.path {
            Some(p) => crate::fsio::write_atomic(p, bytes)
                .with_context(|| format!("writing {}", p.display())),
            None => {
                use std::io::IsTerminal;
                let stdout = std::io::stdout();
                let terminal = stdout.is_terminal();
                let mut out = BufWriter::new(stdout.lock());
                // On a terminal, escape sequences in the data are shown, not obeyed.
                match std::str::from_utf8(bytes) {
                    Ok(text) if terminal => out.write_all(visible(text).as_bytes())?,
                    _ => out.write_all(bytes)?,
                }
                out.flush()?;
                Ok(())
            }
        }
    }
}

/// How tables for people are written: language, labels, money columns.
#[derive(Clone, Copy)]
struct Human<'a> {
    lang: Lang,
    labels: Labels,
    money: &'a [String],
}

impl Human<'_> {
    fn is_money(&self, c: &Column) -> bool {
        self.money.iter().any(|m| m == c.name().as_str())
    }
}

/// One cell as text, in a given style.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CsvStyle {
    Plain,
    Excel,
}

/// Text a spreadsheet could take for a formula gets a leading apostrophe: Excel then shows it as
/// text (OWASP CSV injection advice).
pub fn defuse(s: &str) -> std::borrow::Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}").into(),
        _ => s.into(),
    }
}

fn date_text(d: NaiveDate, style: CsvStyle) -> String {
    match style {
        CsvStyle::Plain => d.format("%Y-%m-%d").to_string(),
        CsvStyle::Excel => d.format("%d-%m-%Y").to_string(),
    }
}

fn datetime_text(dt: NaiveDateTime, style: CsvStyle) -> String {
    match style {
        CsvStyle::Plain => dt.format("%Y-%m-%d %H:%M:%S").to_string(),
        CsvStyle::Excel => dt.format("%d-%m-%Y %H:%M:%S").to_string(),
    }
}

fn float_text(x: f64, decimal_comma: bool) -> String {
    let s = if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    };
    if decimal_comma {
        s.replace('.', ",")
    } else {
        s
    }
}

/// Renders one value as text; `None` for null. Strings are returned as they are (the caller
/// defuses them where needed).
fn cell(value: &AnyValue, style: CsvStyle, decimal_comma: bool) -> Option<String> {
    Some(match value {
        AnyValue::Null => return None,
        AnyValue::String(s) => s.to_string(),
        AnyValue::StringOwned(s) => s.to_string(),
        AnyValue::Boolean(b) => b.to_string(),
        AnyValue::Float64(x) => float_text(*x, decimal_comma),
        AnyValue::Float32(x) => float_text(f64::from(*x), decimal_comma),
        // Outside chrono's range (only SQL can make such values): the raw number.
        AnyValue::Date(days) => {
            crate::dates::from_day_number(*days).map_or(days.to_string(), |d| date_text(d, style))
        }
        AnyValue::Datetime(v, unit, _) | AnyValue::DatetimeOwned(v, unit, _) => {
            crate::dates::from_timestamp(*v, *unit)
                .map_or(v.to_string(), |dt| datetime_text(dt, style))
        }
        other => {
            let s = other.to_string();
            s.trim_matches('"').to_string()
        }
    })
}

fn is_text(dtype: &DataType) -> bool {
    matches!(
        dtype,
        DataType::String | DataType::Categorical(..) | DataType::Enum(..)
    )
}

fn write_csv(
    df: &DataFrame,
    out: &mut Vec<u8>,
    style: CsvStyle,
    money: &[String],
    lang: Lang,
) -> Result<()> {
    write_csv_as(df, out, (style, lang), money, None)
}

/// CSV; with `human`, as people read the table (a report's CSV): the labels as headers,
/// numbers rounded to 2 decimals. For Excel, booleans are ja/nee (yes/no in English) and text
/// that could start a formula is defused; plain CSV keeps every value exactly.
fn write_csv_as(
    df: &DataFrame,
    out: &mut Vec<u8>,
    (style, lang): (CsvStyle, Lang),
    money: &[String],
    human: Option<Human<'_>>,
) -> Result<()> {
    let excel = style == CsvStyle::Excel;
    if excel {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    let mut w = csv::WriterBuilder::new()
        .delimiter(if excel { b';' } else { b',' })
        .from_writer(out);
    let names: Vec<String> = match human {
        Some(h) => headers(df, h.lang, h.labels),
        None => df
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect(),
    };
    // Only a spreadsheet runs formulas: plain CSV (for scripts) keeps every value exactly.
    let guard = |t: String| if excel { defuse(&t).into_owned() } else { t };
    w.write_record(names.into_iter().map(guard))?;
    // Column by column (a sequential walk per column is much faster than a lookup per cell).
    let texts: Vec<Vec<String>> = df
        .columns()
        .iter()
        .map(|c| {
            let text = is_text(c.dtype());
            let euros = money.iter().any(|m| m == c.name().as_str());
            c.as_materialized_series()
                .iter()
                .map(|v| match v {
                    AnyValue::Float64(x) if euros => money_text(x, excel),
                    AnyValue::Float64(x) if human.is_some() => {
                        float_text((x * 100.0).round() / 100.0, excel)
                    }
                    // Dutch Excel reads ja/nee as people do (docs: csv-excel).
                    AnyValue::Boolean(_) if human.is_some() || excel => human_cell(&v, lang),
                    v => {
                        let t = cell(&v, style, excel).unwrap_or_default();
                        if text { guard(t) } else { t }
                    }
                })
                .collect()
        })
        .collect();
    for i in 0..df.height() {
        w.write_record(texts.iter().map(|c| c[i].as_str()))?;
    }
    w.flush()?;
    Ok(())
}

fn write_json(df: &DataFrame, out: &mut Vec<u8>) -> Result<()> {
    let names = df.get_column_names();
    let columns = df.columns();
    let mut rows = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let mut obj = serde_json::Map::new();
        for (name, c) in names.iter().zip(columns) {
            let v = c.get(i)?;
            let json = match &v {
                AnyValue::Null => serde_json::Value::Null,
                AnyValue::Boolean(b) => (*b).into(),
                AnyValue::Float64(x) if x.is_finite() => (*x).into(),
                AnyValue::Float32(x) if x.is_finite() => f64::from(*x).into(),
                AnyValue::Float64(_) | AnyValue::Float32(_) => serde_json::Value::Null,
                AnyValue::Int64(x) => (*x).into(),
                AnyValue::Int32(x) => (*x).into(),
                AnyValue::Int16(x) => (*x).into(),
                AnyValue::Int8(x) => (*x).into(),
                AnyValue::UInt64(x) => (*x).into(),
                AnyValue::UInt32(x) => (*x).into(),
                AnyValue::UInt16(x) => (*x).into(),
                AnyValue::UInt8(x) => (*x).into(),
                other => cell(other, CsvStyle::Plain, false)
                    .unwrap_or_default()
                    .into(),
            };
            obj.insert(name.to_string(), json);
        }
        rows.push(serde_json::Value::Object(obj));
    }
    serde_json::to_writer_pretty(&mut *out, &rows)?;
    out.push(b'\n');
    Ok(())
}

/// A cell for people, money in euros when `euros`.
fn human_text(v: &AnyValue, h: Human<'_>, euros: bool) -> String {
    match v {
        AnyValue::Float64(x) if euros => money_text(*x, h.lang == Lang::Nl),
        v => human_cell(v, h.lang),
    }
}

/// Human-facing text of a cell: decimal comma, dates as dd-mm-yyyy and ja/nee in Dutch.
fn human_cell(v: &AnyValue, lang: Lang) -> String {
    let nl = lang == Lang::Nl;
    let style = if nl { CsvStyle::Excel } else { CsvStyle::Plain };
    match v {
        AnyValue::Float64(x) => human_float(*x, nl),
        AnyValue::Float32(x) => human_float(f64::from(*x), nl),
        AnyValue::Boolean(b) => match (b, nl) {
            (true, true) => "ja",
            (false, true) => "nee",
            (true, false) => "yes",
            (false, false) => "no",
        }
        .to_string(),
        other => cell(other, style, nl).unwrap_or_default(),
    }
}

fn headers(df: &DataFrame, lang: Lang, extra: Labels) -> Vec<String> {
    df.get_column_names()
        .iter()
        .map(
            |n| match extra.iter().find(|(name, _, _)| *name == n.as_str()) {
                Some((_, nl, en)) => if lang == Lang::Nl { nl } else { en }.to_string(),
                None => label(n, lang),
            },
        )
        .collect()
}

fn write_table(df: &DataFrame, out: &mut Vec<u8>, h: Human<'_>) -> Result<()> {
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    table.set_header(headers(df, h.lang, h.labels));
    let columns = df.columns();
    for (j, c) in columns.iter().enumerate() {
        if c.dtype().is_primitive_numeric()
            && let Some(col) = table.column_mut(j)
        {
            col.set_cell_alignment(comfy_table::CellAlignment::Right);
        }
    }
    for i in 0..df.height() {
        let row: Vec<String> = columns
            .iter()
            .map(|c| {
                c.get(i)
                    .map(|v| visible(&human_text(&v, h, h.is_money(c))).into_owned())
                    .unwrap_or_default()
            })
            .collect();
        table.add_row(row);
    }
    writeln!(out, "{table}")?;
    Ok(())
}

/// Text from the data, made safe for a terminal: control characters (escape sequences that
/// could move the cursor, recolour or retitle the terminal) are shown as `\u{1b}`.
pub fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .map(|c| {
                if c.is_control() && c != '\n' && c != '\t' {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// Text from the data in a Markdown cell: pipes escaped, one line, and no raw HTML (a `<`
/// that would open a tag, comment or declaration becomes `&lt;`; "<5" stays as it is).
pub fn markdown_text(s: &str) -> String {
    let s = visible(s).replace('|', "\\|").replace(['\n', '\r'], " ");
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let opens = c == '<'
            && chars
                .peek()
                .is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?'));
        if opens {
            out.push_str("&lt;");
        } else {
            out.push(c);
        }
    }
    out
}

fn write_markdown(df: &DataFrame, out: &mut Vec<u8>, h: Human<'_>) -> Result<()> {
    let esc = |s: &str| markdown_text(s);
    let hs = headers(df, h.lang, h.labels);
    writeln!(
        out,
        "| {} |",
        hs.iter().map(|h| esc(h)).collect::<Vec<_>>().join(" | ")
    )?;
    let aligns: Vec<&str> = df
        .columns()
        .iter()
        .map(|c| {
            if c.dtype().is_primitive_numeric() {
                "---:"
            } else {
                "---"
            }
        })
        .collect();
    writeln!(
        out,
        "|{}|",
        aligns
            .iter()
            .map(|a| format!(" {a} "))
            .collect::<Vec<_>>()
            .join("|")
    )?;
    for i in 0..df.height() {
        let row: Vec<String> = df
            .columns()
            .iter()
            .map(|c| {
                c.get(i)
                    .map(|v| esc(&human_text(&v, h, h.is_money(c))))
                    .unwrap_or_default()
            })
            .collect();
        writeln!(out, "| {} |", row.join(" | "))?;
    }
    Ok(())
}

/// Writes a table as Parquet, atomically: money as Decimal(18,2), the rest as computed.
fn write_parquet(df: &DataFrame, path: &Path, money: &[String]) -> Result<()> {
    let lf = crate::schema::money_as_decimal(df.clone().lazy(), df.schema(), money);
    crate::fsio::sink_parquet_atomic(lf, path)
        .with_context(|| format!("writing {}", path.display()))
}

/// Refuses an output file inside the warehouse (it would be listed as a leftover and removed).
pub fn check_output_path(path: &Path, warehouse: &Path) -> Result<()> {
    if inside(path, warehouse) {
        bail!(
            "--output {} is inside the warehouse folder; write it elsewhere",
            path.display()
        );
    }
    Ok(())
}

/// Whether `path` (which need not exist yet) lies inside folder `dir`: compared on the nearest
/// folder of it that exists, with links and `..` resolved.
pub fn inside(path: &Path, dir: &Path) -> bool {
    let Ok(dir) = std::fs::canonicalize(dir) else {
        return false;
    };
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    absolute
        .ancestors()
        .skip(1)
        .find_map(|a| std::fs::canonicalize(a).ok())
        .is_some_and(|existing| existing.starts_with(&dir))
}
#[cfg(test)]
mod money_tests {
    use crate::lang::money_text;

    #[test]
    fn euros_with_two_decimals_and_dutch_thousands() {
        assert_eq!(money_text(1234.56, true), "1.234,56");
        assert_eq!(money_text(228500.0, true), "228.500,00");
        assert_eq!(money_text(-1500.0, true), "-1.500,00");
        assert_eq!(money_text(999.995, true), "1.000,00");
        assert_eq!(money_text(12.5, false), "12.50");
        assert_eq!(money_text(-0.001, true), "0,00");
        assert_eq!(money_text(1234567.891, false), "1234567.89");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> DataFrame {
        df!(
            "naam" => ["=SUM(A1)", "Zevenaar"],
            "bedrag" => [1234.5, -7.0],
            "aantal" => [3i64, 4],
        )
        .unwrap()
    }

    #[test]
    fn csv_excel_has_bom_semicolon_decimal_comma_and_no_formulas() {
        let mut buf = Vec::new();
        write_csv(&sample(), &mut buf, CsvStyle::Excel, &[], Lang::Nl).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(
            text,
            "\u{feff}naam;bedrag;aantal\n'=SUM(A1);1234,5;3\nZevenaar;-7;4\n"
        );
    }

    #[test]
    fn plain_csv_keeps_points_negative_numbers_and_every_text_exactly() {
        let mut buf = Vec::new();
        write_csv(&sample(), &mut buf, CsvStyle::Plain, &[], Lang::Nl).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(
            text,
            "naam,bedrag,aantal\n=SUM(A1),1234.5,3\nZevenaar,-7,4\n"
        );
    }

    #[test]
    fn json_is_an_array_of_objects() {
        let mut buf = Vec::new();
        write_json(&sample(), &mut buf).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
        assert_eq!(v[1]["naam"], "Zevenaar");
        assert_eq!(v[0]["bedrag"], 1234.5);
        assert_eq!(v[1]["aantal"], 4);
    }

    #[test]
    fn booleans_read_ja_nee_for_people_and_excel_and_true_false_for_machines() {
        let df = df!("piek" => [true, false]).unwrap();
        let mut buf = Vec::new();
        let human = |lang| Human {
            lang,
            labels: &[],
            money: &[],
        };
        write_markdown(&df, &mut buf, human(Lang::Nl)).unwrap();
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "| piek |\n| --- |\n| ja |\n| nee |\n"
        );
        let mut buf = Vec::new();
        write_markdown(&df, &mut buf, human(Lang::En)).unwrap();
        assert!(
            String::from_utf8(buf)
                .unwrap()
                .ends_with("| yes |\n| no |\n")
        );
        let mut buf = Vec::new();
        write_csv(&df, &mut buf, CsvStyle::Excel, &[], Lang::Nl).unwrap();
        assert_eq!(String::from_utf8(buf).unwrap(), "\u{feff}piek\nja\nnee\n");
        let mut buf = Vec::new();
        write_csv(&df, &mut buf, CsvStyle::Excel, &[], Lang::En).unwrap();
        assert_eq!(String::from_utf8(buf).unwrap(), "\u{feff}piek\nyes\nno\n");
        let mut buf = Vec::new();
        write_csv(&df, &mut buf, CsvStyle::Plain, &[], Lang::Nl).unwrap();
        assert_eq!(String::from_utf8(buf).unwrap(), "piek\ntrue\nfalse\n");
    }

    #[test]
    fn markdown_escapes_pipes_and_uses_dutch_decimals() {
        let df = df!("naam" => ["a|b"], "bedrag" => [1.5]).unwrap();
        let mut buf = Vec::new();
        write_markdown(
            &df,
            &mut buf,
            Human {
                lang: Lang::Nl,
                labels: &[],
                money: &[],
            },
        )
        .unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(
            text,
            "| naam | bedrag |\n| --- | ---: |\n| a\\|b | 1,50 |\n"
        );
    }

    #[test]
    fn dates_outside_excel_or_chrono_do_not_fail() {
        // 1850-01-01 is before Excel's dates; i32::MAX days is beyond chrono's range.
        let days = Column::new("d".into(), [-43_829i32, i32::MAX])
            .cast(&DataType::Date)
            .unwrap();
        let df = DataFrame::new_infer_height(vec![days]).unwrap();
        let mut buf = Vec::new();
        write_csv(&df, &mut buf, CsvStyle::Plain, &[], Lang::Nl).unwrap();
        assert!(
            String::from_utf8(buf)
                .unwrap()
                .starts_with("d\n1850-01-01\n")
        );
        let dir = tempfile::tempdir().unwrap();
        write_xlsx(
            &df,
            &dir.path().join("x.xlsx"),
            Human {
                lang: Lang::Nl,
                labels: &[],
                money: &[],
            },
        )
        .unwrap();
    }

    /// A workbook holds "=SUM(A1)" as text: read back, a string cell and no formula anywhere.
    #[test]
    fn xlsx_stores_formula_text_as_text() {
        use calamine::{Data, Reader};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("uit.xlsx");
        let h = Human {
            lang: Lang::Nl,
            labels: &[],
            money: &[],
        };
        write_xlsx(&sample(), &path, h).unwrap();
        let mut wb = calamine::open_workbook_auto(&path).unwrap();
        let sheet = wb.sheet_names()[0].clone();
        let range = wb.worksheet_range(&sheet).unwrap();
        assert_eq!(range.get((1, 0)), Some(&Data::String("=SUM(A1)".into())));
        let formulas = wb.worksheet_formula(&sheet).unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
    }

    #[test]
    fn defuse_only_formula_starts() {
        assert_eq!(defuse("@cmd"), "'@cmd");
        assert_eq!(defuse("+31 6"), "'+31 6");
        assert_eq!(defuse("Zevenaar"), "Zevenaar");
    }
}
