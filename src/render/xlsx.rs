//! Workbooks: a table as an xlsx file (`--format xlsx`), and a report's workbook with a sheet
//! per table and a native Excel chart beside the tables whose sections have a chart. Text is
//! always written as text (never a formula); the header row is frozen and has filter buttons.

use super::{CsvStyle, Human, Output, cell, headers};
use anyhow::{Context, Result};
use chrono::{NaiveDate, NaiveDateTime};
use polars::prelude::*;
use std::path::Path;

pub(super) fn write_xlsx(df: &DataFrame, path: &Path, h: Human<'_>) -> Result<()> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    fill_sheet(wb.add_worksheet(), df, h)?;
    save_workbook(&mut wb, path)
}

/// A sheet of a report's workbook: its name, its table, the table's output settings, and the
/// title of the section's chart when the section has one (a native Excel chart goes beside
/// the table, see [`native_chart`]).
pub struct Sheet<'a> {
    pub name: &'a str,
    pub df: &'a DataFrame,
    pub out: &'a Output,
    pub chart: Option<&'a str>,
}

/// One workbook with a sheet per table (a report's `xlsx = true`).
/// `created` is written as the workbook's creation date, so that the same report gives the
/// same bytes.
pub fn workbook_bytes(sheets: &[Sheet<'_>], created: NaiveDate) -> Result<Vec<u8>> {
    use chrono::Datelike;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(
        created.year() as u16,
        created.month() as u8,
        created.day() as u8,
    )?;
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&date));
    for s in sheets {
        let sheet = wb.add_worksheet();
        // Excel allows 31 characters, no []:*?/\ and no apostrophe at either end.
        let clean: String = s
            .name
            .chars()
            .filter(|c| !"[]:*?/\\".contains(*c))
            .take(31)
            .collect();
        let clean = clean.trim_matches(|c: char| c == '\'' || c.is_whitespace());
        let name = if clean.is_empty() { "tabel" } else { clean };
        sheet.set_name(name)?;
        fill_sheet(sheet, s.df, s.out.human())?;
        if let Some(chart) = s.chart.and_then(|t| native_chart(s.df, name, t)) {
            sheet.insert_chart(1, s.df.width() as u16 + 1, &chart)?;
        }
    }
    Ok(wb.save_to_buffer()?)
}

fn save_workbook(wb: &mut rust_xlsxwriter::Workbook, path: &Path) -> Result<()> {
    let tmp = crate::fsio::tmp_path(path);
    wb.save(&tmp)
        .with_context(|| format!("writing {}", tmp.display()))?;
    crate::fsio::publish(&tmp, path)
}

fn fill_sheet(sheet: &mut rust_xlsxwriter::Worksheet, df: &DataFrame, h: Human<'_>) -> Result<()> {
    use rust_xlsxwriter::Format as XFormat;
    let bold = XFormat::new().set_bold();
    let date_fmt = XFormat::new().set_num_format("dd-mm-yyyy");
    let dt_fmt = XFormat::new().set_num_format("dd-mm-yyyy hh:mm:ss");
    let money_fmt = XFormat::new().set_num_format("#,##0.00");
    for (j, name) in headers(df, h.lang, h.labels).iter().enumerate() {
        sheet.write_string_with_format(0, j as u16, name.as_str(), &bold)?;
    }
    for (j, c) in df.columns().iter().enumerate() {
        let j = j as u16;
        for i in 0..df.height() {
            let r = i as u32 + 1;
            match c.get(i)? {
                AnyValue::Null => {}
                AnyValue::Boolean(b) => {
                    sheet.write_boolean(r, j, b)?;
                }
                // Excel knows dates from 1900 to 9999; others are written as text.
                AnyValue::Date(d)
                    if let Some(xd) = crate::dates::from_day_number(d).and_then(excel_date) =>
                {
                    sheet.write_datetime_with_format(r, j, &xd, &date_fmt)?;
                }
                AnyValue::Datetime(v, unit, _)
                    if let Some(xd) =
                        crate::dates::from_timestamp(v, unit).and_then(excel_datetime) =>
                {
                    sheet.write_datetime_with_format(r, j, &xd, &dt_fmt)?;
                }
                AnyValue::Float64(x) if h.is_money(c) => {
                    sheet.write_number_with_format(r, j, x, &money_fmt)?;
                }
                v if c.dtype().is_primitive_numeric() => {
                    let x: f64 = v.extract().unwrap_or(f64::NAN);
                    sheet.write_number(r, j, x)?;
                }
                v => {
                    // write_string stores text, never a formula: no injection possible.
                    let text = cell(&v, CsvStyle::Plain, false).unwrap_or_default();
                    sheet.write_string(r, j, text)?;
                }
            }
        }
    }
    // The header row stays in view and gets filter buttons; columns as wide as their text,
    // up to 300 pixels (a long explanation wraps in the cell's tooltip, not across the screen).
    sheet.set_freeze_panes(1, 0)?;
    if df.width() > 0 {
        sheet.autofilter(0, 0, df.height() as u32, df.width() as u16 - 1)?;
    }
    sheet.autofit_to_max_width(300);
    Ok(())
}

/// The measures a native chart shows, when a table has them: a flow (inflow, outflow,
/// backlog) and a waiting list per team (open, open past the term). Other tables get a chart
/// when they have one measure.
const CHART_MEASURES: &[&[&str]] = &[
    &["inflow", "outflow", "backlog"],
    &["open", "open_past_term"],
];

/// A native Excel chart of the table on `sheet`, which users can restyle: the first column
/// (text, a week or a date) along the axis, the measures of [`CHART_MEASURES`] or the one
/// numeric column as series; a line chart over time, columns over categories. A total row at
/// the top or bottom is left out of it. `None` for tables without such columns, with more than
/// 500 rows, or with hidden small counts (their cells are text).
fn native_chart(df: &DataFrame, sheet: &str, title: &str) -> Option<rust_xlsxwriter::Chart> {
    let cat = df.columns().first()?;
    let over_time = matches!(cat.dtype(), DataType::Date) || cat.name().as_str() == "week";
    if !(over_time || cat.dtype() == &DataType::String) || df.height() == 0 || df.height() > 500 {
        return None;
    }
    let numeric = |j: &usize| df.columns()[*j].dtype().is_primitive_numeric();
    let series: Vec<usize> = CHART_MEASURES
        .iter()
        .map(|set| {
            set.iter()
                .filter_map(|n| df.get_column_index(n))
                .filter(numeric)
                .collect::<Vec<_>>()
        })
        .find(|v| !v.is_empty())
        .or_else(|| {
            let nums: Vec<usize> = (1..df.width()).filter(numeric).collect();
            (nums.len() == 1).then_some(nums)
        })?;
    let is_total = |i: usize| {
        cat.get(i).ok().is_some_and(|v| {
            let t = cell(&v, CsvStyle::Plain, false)
                .unwrap_or_default()
                .to_lowercase();
            t == "totaal" || t == "total"
        })
    };
    let n = df.height();
    let first = 1 + u32::from(is_total(0));
    let last = n as u32 - u32::from(n > 1 && is_total(n - 1));
    if first > last {
        return None;
    }
    let mut chart = if over_time {
        rust_xlsxwriter::Chart::new_line()
    } else {
        rust_xlsxwriter::Chart::new_column()
    };
    for j in series {
        let j = j as u16;
        chart
            .add_series()
            .set_categories((sheet, first, 0, last, 0))
            .set_values((sheet, first, j, last, j))
            .set_name((sheet, 0, j));
    }
    chart.title().set_name(title);
    Some(chart)
}

fn excel_date(d: NaiveDate) -> Option<rust_xlsxwriter::ExcelDateTime> {
    rust_xlsxwriter::ExcelDateTime::parse_from_str(&d.format("%Y-%m-%d").to_string()).ok()
}

fn excel_datetime(dt: NaiveDateTime) -> Option<rust_xlsxwriter::ExcelDateTime> {
    rust_xlsxwriter::ExcelDateTime::parse_from_str(&dt.format("%Y-%m-%dT%H:%M:%S").to_string()).ok()
}
