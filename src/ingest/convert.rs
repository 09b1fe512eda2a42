//! Turning text fields into typed values: per-column decisions (date order, decimal comma,
//! inferred kinds) made once from a sample, then a per-row parse into column builders that
//! become a polars `DataFrame` per batch.

use super::plan::ColumnPlan;
use crate::schema::{Kind, Privacy};
use crate::source::values::TrimFast;
use crate::source::values::{self, DateOrder, NumberStyle};
use crate::warehouse::pseudo::Pseudonymiser;
use anyhow::Result;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use polars::prelude::*;
use std::borrow::Cow;

/// How one column is parsed, decided before the rows are read.
#[derive(Debug, Clone)]
pub struct ColumnParser {
    pub plan: ColumnPlan,
    pub order: DateOrder,
    pub style: NumberStyle,
    /// Values masked in this column (BSN, phone, e-mail, IBAN), counted on every thread.
    pub masked: std::sync::Arc<crate::schema::personal::Counter>,
    /// What the user should know about how the column was read (shown with the settings).
    pub note: Option<String>,
}

impl ColumnParser {
    /// Decides the column's date order and number style from sample values (and its kind, when
    /// it is to be inferred). Errors name the column.
    pub fn decide(
        mut plan: ColumnPlan,
        sample: &[&str],
        fallback: NumberStyle,
        forced_style: Option<NumberStyle>,
        forced_order: Option<DateOrder>,
    ) -> Result<ColumnParser, String> {
        let filled: Vec<&str> = sample
            .iter()
            .map(|v| v.trim_fast())
            .filter(|v| !v.is_empty())
            .collect();
        // The date order first: a column of one's own with mixed orders stops being inferred,
        // and is then no number column either.
        let (order, mut note) = decide_order(&mut plan, &filled, forced_order)?;
        let style = decide_style(&plan, &filled, fallback, forced_style)?;
        if plan.infer {
            note = infer_plan_kind(&mut plan, &filled, order, style).or(note);
        }
        Ok(ColumnParser {
            plan,
            order,
            style,
            masked: Default::default(),
            note,
        })
    }

    /// A line for the settings summary, e.g. "datum_melding: datum, dag-maand-jaar".
    pub fn describe(&self) -> String {
        let how = match self.plan.kind {
            Kind::Date | Kind::Datetime => format!(", {}", self.order.describe()),
            Kind::Money | Kind::Number | Kind::Integer => format!(", {}", self.style.describe()),
            _ => String::new(),
        };
        let privacy = match self.plan.privacy {
            Privacy::Pseudonymised => ", gepseudonimiseerd (HMAC)",
            Privacy::Employee => ", persoonsgegeven medewerker",
            Privacy::None => "",
        };
        let note = self
            .note
            .as_ref()
            .map_or(String::new(), |n| format!(" (let op: {n})"));
        format!(
            "{} <- '{}': {}{how}{privacy}{note}",
            self.plan.name,
            self.plan.header,
            self.plan.kind.name()
        )
    }

    /// Parses one raw field. `Ok(Cell::Null)` is an empty optional value.
    pub fn parse<'a>(
        &'a self,
        raw: &'a str,
        pseudo: Option<&Pseudonymiser>,
    ) -> Result<Cell<'a>, String> {
        let mut v = raw.trim_fast();
        if let Some(map) = &self.plan.value_map
            && let Some(mapped) = map.get(v)
        {
            v = mapped.as_str();
        }
        if v.is_empty() {
            return self.empty();
        }
        if v.contains('\0') {
            return Err("bevat een NUL-teken: het bestand is beschadigd of geen tekst".into());
        }
        match self.plan.kind {
            Kind::Text => self.text(v, pseudo),
            Kind::Date => self.date(v),
            Kind::Datetime => self.datetime(v),
            Kind::Money => self.money(v),
            Kind::Number => values::parse_number(v, self.style)
                .map(Cell::Float)
                .ok_or_else(|| not_a(v, "geldig getal")),
            Kind::Integer => values::parse_integer(v, self.style)
                .map(Cell::Int)
                .ok_or_else(|| not_a(v, "geldig geheel getal")),
            Kind::Boolean => values::parse_bool(v)
                .map(Cell::Bool)
                .ok_or_else(|| not_a(v, "geldige ja/nee-waarde")),
        }
    }
}

impl ColumnParser {
    /// An empty field: the constant (`--gemeente`), a reject in a required column, else null.
    fn empty(&self) -> Result<Cell<'_>, String> {
        if let Some(c) = &self.plan.constant {
            return Ok(Cell::Text(Cow::Borrowed(c)));
        }
        if self.plan.required {
            return Err("verplicht veld is leeg".to_string());
        }
        Ok(Cell::Null)
    }

    /// A text value: pseudonymised (which needs the key), masked, or as it is.
    fn text<'a>(&'a self, v: &'a str, pseudo: Option<&Pseudonymiser>) -> Result<Cell<'a>, String> {
        Ok(Cell::Text(match (self.plan.privacy, pseudo) {
            (Privacy::Pseudonymised, Some(p)) => {
                Cow::Owned(p.code(v, self.plan.name == "client_id"))
            }
            (Privacy::Pseudonymised, None) => {
                return Err("geen sleutel voor pseudonimisering".into());
            }
            _ if self.plan.mask => {
                crate::schema::personal::mask_counted(v, self.plan.bsn_tokens, &self.masked)
            }
            _ => Cow::Borrowed(v),
        }))
    }

    /// A date in the column's order, within the plausible years; an open end of an optional
    /// `einddatum` is no date.
    fn date(&self, v: &str) -> Result<Cell<'static>, String> {
        match values::parse_date(v, self.order) {
            Some(d) if self.open_end(d.year()) => Ok(Cell::Null),
            Some(d) if !values::plausible_year(d.year()) => implausible(v, d.year()),
            Some(d) => Ok(Cell::Date(days_since_epoch(d))),
            // "tot nader order" as an end date: no end (an open-ended contract).
            None if !self.plan.required
                && self.plan.name == "einddatum"
                && values::is_open_ended(v) =>
            {
                Ok(Cell::Null)
            }
            None => bad_date(v, self.order, "geldige datum"),
        }
    }

    /// A date and time in the column's order, within the plausible years.
    fn datetime(&self, v: &str) -> Result<Cell<'static>, String> {
        match values::parse_datetime(v, self.order) {
            Some(dt) if !values::plausible_year(dt.year()) => implausible(v, dt.year()),
            Some(dt) => Ok(Cell::Datetime(dt.and_utc().timestamp_micros())),
            None => bad_date(v, self.order, "geldige datum/tijd"),
        }
    }

    /// An amount of money; one too long to keep to the cent is refused as such.
    fn money(&self, v: &str) -> Result<Cell<'static>, String> {
        match values::parse_money(v, self.style) {
            Some(x) => Ok(Cell::Float(x)),
            None if !values::exact_cents(v) => Err(format!(
                "'{v}' heeft meer dan 15 cijfers: te groot om tot op de cent te bewaren"
            )),
            None => Err(not_a(v, "geldig geldbedrag")),
        }
    }

    /// An end date in the year 9000 or later on an optional `einddatum` means "no end": the
    /// way finance systems (SAP and others) write an open-ended contract (31-12-9999).
    fn open_end(&self, year: i32) -> bool {
        year >= 9000 && !self.plan.required && self.plan.name == "einddatum"
    }
}

/// The column's date order: forced, detected in a column of dates (or one whose kind is still
/// to be inferred), else day first. A column of one's own that mixes both orders is read as
/// text, with a note saying so.
fn decide_order(
    plan: &mut ColumnPlan,
    filled: &[&str],
    forced: Option<DateOrder>,
) -> Result<(DateOrder, Option<String>), String> {
    let dated = matches!(plan.kind, Kind::Date | Kind::Datetime) || plan.infer;
    let order = match forced {
        Some(o) => o,
        None if dated => match DateOrder::detect(filled.iter().copied()) {
            Ok(o) => o,
            Err(e) if !plan.infer => return Err(format!("column '{}' {e}", plan.header)),
            Err(e) => {
                plan.infer = false;
                return Ok((DateOrder::DayFirst, Some(format!("{e}: als tekst gelezen"))));
            }
        },
        None => DateOrder::DayFirst,
    };
    Ok((order, None))
}

/// The column's number style: forced, detected in a column of numbers (or one whose kind is
/// still to be inferred, which falls back without an error), else the export's fallback.
fn decide_style(
    plan: &ColumnPlan,
    filled: &[&str],
    fallback: NumberStyle,
    forced: Option<NumberStyle>,
) -> Result<NumberStyle, String> {
    let numeric = matches!(plan.kind, Kind::Money | Kind::Number | Kind::Integer) || plan.infer;
    Ok(match forced {
        Some(s) => s,
        None if numeric => match NumberStyle::detect(filled.iter().copied(), fallback) {
            Ok(s) => s,
            Err(e) if !plan.infer => return Err(format!("column '{}' {e}", plan.header)),
            Err(_) => fallback,
        },
        None => fallback,
    })
}

/// Gives a column of one's own its kind, from its filled sample values; a note when values
/// that are no date did not make a date column text.
fn infer_plan_kind(
    plan: &mut ColumnPlan,
    filled: &[&str],
    order: DateOrder,
    style: NumberStyle,
) -> Option<String> {
    plan.kind = infer_kind(filled, order, style);
    plan.infer = false;
    if plan.kind != Kind::Text {
        return None;
    }
    // A few values that are no date do not make a date column text: it stays a date column
    // and those rows are rejected with their reason.
    let (kind, bad) = mostly_dates(filled, order)?;
    plan.kind = kind;
    let undated = filled
        .iter()
        .filter(|v| values::parse_datetime(v, order).is_none())
        .count();
    Some(format!(
        "{undated} van {} waarden in de steekproef zijn geen datum (bijvoorbeeld '{bad}'): \
         de kolom blijft een datum, die rijen worden afgekeurd",
        filled.len()
    ))
}

/// The reason a value of another kind is rejected: "'x' is geen geldig getal".
fn not_a(v: &str, what: &str) -> String {
    format!("'{v}' is geen {what}")
}

/// The reason a date outside the plausible years is rejected.
fn implausible(v: &str, year: i32) -> Result<Cell<'static>, String> {
    Err(format!(
        "'{v}' valt in het jaar {year}, buiten {}-{}: een tikfout in het jaartal?",
        values::YEARS.start(),
        values::YEARS.end()
    ))
}

/// The reason a date is rejected; for one that reads only the other way round ("1-13-2024" in
/// a day-month column) it says so.
fn bad_date(v: &str, order: DateOrder, what: &str) -> Result<Cell<'static>, String> {
    let other = match order {
        DateOrder::DayFirst => DateOrder::MonthFirst,
        DateOrder::MonthFirst => DateOrder::DayFirst,
    };
    if values::parse_datetime(v, other).is_some() {
        return Err(format!(
            "'{v}' is geen {what} in de volgorde van de kolom ({}); alleen andersom te lezen. \
             Een tikfout, of gebruik --date-order",
            order.describe()
        ));
    }
    Err(not_a(v, what))
}

fn days_since_epoch(d: NaiveDate) -> i32 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days() as i32
}

/// A date written with separators or a month name (never a bare number: that is a count).
fn looks_like_date(v: &str) -> bool {
    v.chars().any(|c| c == '-' || c == '/' || c.is_alphabetic()) || v.matches('.').count() == 2
}

/// Datetime when any of the dates has a time of day, else date.
fn date_kind(mut dates: impl Iterator<Item = NaiveDateTime>) -> Kind {
    if dates.any(|dt| dt.time() != chrono::NaiveTime::MIN) {
        Kind::Datetime
    } else {
        Kind::Date
    }
}

/// A column whose values are nearly all dates (at least 5, and 90%): its kind, and a value that
/// is not one.
fn mostly_dates(filled: &[&str], order: DateOrder) -> Option<(Kind, String)> {
    let dates: Vec<NaiveDateTime> = filled
        .iter()
        .filter(|v| looks_like_date(v))
        .filter_map(|v| values::parse_datetime(v, order))
        .collect();
    if dates.len() < 5 || dates.len() * 10 < filled.len() * 9 || dates.len() == filled.len() {
        return None;
    }
    let bad = filled
        .iter()
        .find(|v| values::parse_datetime(v, order).is_none())?
        .to_string();
    Some((date_kind(dates.into_iter()), bad))
}

/// The words a yes/no column is written with.
const BOOLEAN_WORDS: &[&str] = &["ja", "nee", "j", "n", "true", "false", "waar", "onwaar"];

/// The kind of a column of a dataset that is not canonical, from its filled sample values.
/// Identifiers with leading zeros or many digits stay text (BSN, case numbers, postcodes).
pub fn infer_kind(filled: &[&str], order: DateOrder, style: NumberStyle) -> Kind {
    if filled.is_empty() {
        return Kind::Text;
    }
    let all = |f: &dyn Fn(&str) -> bool| filled.iter().all(|v| f(v));
    if all(&|v| looks_like_date(v) && values::parse_datetime(v, order).is_some()) {
        return date_kind(
            filled
                .iter()
                .filter_map(|v| values::parse_datetime(v, order)),
        );
    }
    if all(&|v| whole_number(v, style)) {
        return Kind::Integer;
    }
    if all(&|v| number_not_identifier(v) && values::parse_number(v, style).is_some()) {
        return Kind::Number;
    }
    if all(&|v| BOOLEAN_WORDS.contains(&v.to_lowercase().as_str())) {
        return Kind::Boolean;
    }
    Kind::Text
}

/// A whole number, with thousands separators of the column's style ("45.106" in a
/// decimal-comma column); at most 9 digits and no leading zero, else it is an identifier.
fn whole_number(v: &str, style: NumberStyle) -> bool {
    let decimal = match style {
        NumberStyle::DecimalComma => ',',
        NumberStyle::DecimalPoint => '.',
    };
    let digits = v.strip_prefix('-').unwrap_or(v);
    let count = digits.chars().filter(char::is_ascii_digit).count();
    !digits.is_empty()
        && !digits.contains(decimal)
        && count <= 9
        && digits.chars().next().is_some_and(|c| c.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && values::parse_integer(v, style).is_some()
}

/// A value that may be a number rather than an identifier: no more than 9 bare digits, and no
/// leading zero except in "0" and a fraction ("0,5").
fn number_not_identifier(v: &str) -> bool {
    let long_digits = v.len() > 9 && v.chars().all(|c| c.is_ascii_digit());
    !long_digits && (!v.starts_with('0') || v.starts_with("0,") || v.starts_with("0.") || v == "0")
}
/// One parsed value; text borrows from the row where it can.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    Null,
    Text(Cow<'a, str>),
    Date(i32),
    Datetime(i64),
    Float(f64),
    Int(i64),
    Bool(bool),
}

/// Collects one column of a batch.
pub enum Builder {
    Text(StringChunkedBuilder),
    Date(Vec<Option<i32>>),
    Datetime(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    Int(Vec<Option<i64>>),
    Bool(Vec<Option<bool>>),
}

impl Builder {
    pub fn new(kind: Kind, capacity: usize) -> Builder {
        match kind {
            Kind::Text => Builder::Text(StringChunkedBuilder::new(PlSmallStr::EMPTY, capacity)),
            Kind::Date => Builder::Date(Vec::with_capacity(capacity)),
            Kind::Datetime => Builder::Datetime(Vec::with_capacity(capacity)),
            Kind::Money | Kind::Number => Builder::Float(Vec::with_capacity(capacity)),
            Kind::Integer => Builder::Int(Vec::with_capacity(capacity)),
            Kind::Boolean => Builder::Bool(Vec::with_capacity(capacity)),
        }
    }

    /// Adds one value (a row of one column).
    pub fn push(&mut self, cell: &Cell) {
        self.extend(&[std::slice::from_ref(cell)], 0);
    }

    /// Adds column `j` of each row: the builder's kind decided once, not per value.
    pub fn extend(&mut self, rows: &[&[Cell]], j: usize) {
        /// The values of one kind, `None` for a null.
        fn values<'r, T>(
            rows: &'r [&[Cell]],
            j: usize,
            pick: impl Fn(&Cell) -> Option<T> + 'r,
        ) -> impl Iterator<Item = Option<T>> + 'r {
            rows.iter().map(move |cells| match &cells[j] {
                Cell::Null => None,
                other => Some(pick(other).unwrap_or_else(|| {
                    unreachable!("parser produced {other:?} for another column kind")
                })),
            })
        }
        // The values of cells of one variant into a vector of options.
        macro_rules! column {
            ($v:expr, $variant:ident) => {
                $v.extend(values(rows, j, |c| match c {
                    Cell::$variant(x) => Some(*x),
                    _ => None,
                }))
            };
        }
        match self {
            Builder::Text(b) => {
                for cells in rows {
                    match &cells[j] {
                        Cell::Text(s) => b.append_value(s.as_ref()),
                        Cell::Null => b.append_null(),
                        other => unreachable!("parser produced {other:?} for another column kind"),
                    }
                }
            }
            Builder::Date(v) => column!(v, Date),
            Builder::Datetime(v) => column!(v, Datetime),
            Builder::Float(v) => column!(v, Float),
            Builder::Int(v) => column!(v, Int),
            Builder::Bool(v) => column!(v, Bool),
        }
    }

    /// Empties the builder into a polars column. The builder keeps room for `capacity` rows,
    /// so that the next batch writes into memory already there: growing from nothing every
    /// batch cost a copy per doubling and fresh pages, which the kernel zeroes (with the rows
    /// allocated one by one, see `source::Recycle`, 14% of the CPU time of a 1M-row ingest).
    pub fn take(&mut self, name: &str, capacity: usize) -> Column {
        let name: PlSmallStr = name.into();
        let series = match self {
            Builder::Text(b) => {
                let empty = StringChunkedBuilder::new(PlSmallStr::EMPTY, capacity);
                let full = std::mem::replace(b, empty);
                full.finish().with_name(name).into_series()
            }
            Builder::Date(v) => drain(name, v, capacity).into_date(),
            Builder::Datetime(v) => {
                drain(name, v, capacity).into_datetime(TimeUnit::Microseconds, None)
            }
            Builder::Float(v) => drain(name, v, capacity),
            Builder::Int(v) => drain(name, v, capacity),
            Builder::Bool(v) => drain(name, v, capacity),
        };
        series.into_column()
    }
}

/// A series of the values (copied: polars keeps values and validity apart), the vector left
/// empty with its room, at least `capacity`.
fn drain<T>(name: PlSmallStr, v: &mut Vec<Option<T>>, capacity: usize) -> Series
where
    Series: for<'a> NamedFrom<&'a [Option<T>], [Option<T>]>,
    T: Copy,
{
    let series = Series::new(name, v.as_slice());
    v.clear();
    v.reserve(capacity);
    series
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inference_keeps_identifiers_as_text() {
        let o = DateOrder::DayFirst;
        let c = NumberStyle::DecimalComma;
        assert_eq!(infer_kind(&["12", "7", "-3"], o, c), Kind::Integer);
        assert_eq!(
            infer_kind(&["012345678", "123456782"], o, c),
            Kind::Text,
            "BSN-like"
        );
        assert_eq!(
            infer_kind(&["2024001234567"], o, c),
            Kind::Text,
            "long case number"
        );
        assert_eq!(infer_kind(&["45.106,00", "12,5"], o, c), Kind::Number);
        assert_eq!(
            infer_kind(&["45.106", "7"], o, c),
            Kind::Integer,
            "thousands dot"
        );
        assert_eq!(infer_kind(&["1-2-2024", "2024-03-04"], o, c), Kind::Date);
        assert_eq!(infer_kind(&["1-2-2024 10:00"], o, c), Kind::Datetime);
        assert_eq!(infer_kind(&["ja", "Nee"], o, c), Kind::Boolean);
        assert_eq!(infer_kind(&["6901 AB"], o, c), Kind::Text);
        assert_eq!(infer_kind(&[], o, c), Kind::Text);
    }

    fn parser(kind: Kind, required: bool) -> ColumnParser {
        ColumnParser {
            plan: ColumnPlan {
                source: Some(0),
                header: "x".into(),
                name: "x".into(),
                kind,
                privacy: Privacy::None,
                required,
                infer: false,
                value_map: None,
                constant: None,
                mask: true,
                bsn_tokens: true,
            },
            order: DateOrder::DayFirst,
            style: NumberStyle::DecimalComma,
            masked: Default::default(),
            note: None,
        }
    }

    #[test]
    fn parse_gives_typed_cells_or_dutch_reasons() {
        assert_eq!(
            parser(Kind::Date, false).parse("2-1-1970", None),
            Ok(Cell::Date(1))
        );
        assert_eq!(
            parser(Kind::Money, false).parse("1.234,50", None),
            Ok(Cell::Float(1234.5))
        );
        assert_eq!(
            parser(Kind::Integer, false).parse(" ", None),
            Ok(Cell::Null)
        );
        assert_eq!(
            parser(Kind::Text, true).parse("", None),
            Err("verplicht veld is leeg".into())
        );
        assert_eq!(
            parser(Kind::Date, false).parse("31-02-2024", None),
            Err("'31-02-2024' is geen geldige datum".into())
        );
        // 1970-01-01 00:00:01 local clock time, stored without time zone.
        assert_eq!(
            parser(Kind::Datetime, false).parse("1-1-1970 00:00:01", None),
            Ok(Cell::Datetime(1_000_000))
        );
    }

    /// A builder emptied into a column gives the values pushed, in order with their nulls, and
    /// starts the next batch empty with room for `capacity` rows; a second batch holds only its
    /// own values.
    #[test]
    fn take_gives_the_batch_and_keeps_room() {
        let mut b = Builder::new(Kind::Date, 4);
        for cell in [Cell::Date(19_783), Cell::Null, Cell::Date(0)] {
            b.push(&cell);
        }
        let first = b.take("datum", 1000);
        let days: Vec<Option<i32>> = first.date().unwrap().physical().iter().collect();
        assert_eq!(days, [Some(19_783), None, Some(0)]);
        assert_eq!(first.name().as_str(), "datum");
        match &b {
            Builder::Date(v) => assert!(v.is_empty() && v.capacity() >= 1000),
            _ => unreachable!(),
        }
        b.push(&Cell::Date(1));
        let second = b.take("datum", 1000);
        let days: Vec<Option<i32>> = second.date().unwrap().physical().iter().collect();
        assert_eq!(days, [Some(1)]);

        let mut t = Builder::new(Kind::Text, 4);
        t.push(&Cell::Text("Grofvuil".into()));
        t.push(&Cell::Null);
        let text = t.take("categorie", 1000);
        let got: Vec<Option<&str>> = text.str().unwrap().iter().collect();
        assert_eq!(got, [Some("Grofvuil"), None]);
        t.push(&Cell::Text("Groen".into()));
        let got: Vec<Option<String>> = t
            .take("categorie", 1000)
            .str()
            .unwrap()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect();
        assert_eq!(got, [Some("Groen".to_string())]);
    }

    /// `extend` takes column `j` of each row, in order with its nulls, for every kind.
    #[test]
    fn extend_takes_one_column_of_the_rows() {
        let rows: Vec<Vec<Cell>> = vec![
            vec![
                Cell::Text("Grofvuil".into()),
                Cell::Float(203_898.28),
                Cell::Int(3),
            ],
            vec![Cell::Null, Cell::Null, Cell::Int(-1)],
            vec![Cell::Text("Groen".into()), Cell::Float(-0.5), Cell::Null],
        ];
        let refs: Vec<&[Cell]> = rows.iter().map(Vec::as_slice).collect();
        let mut text = Builder::new(Kind::Text, 4);
        text.extend(&refs, 0);
        let got: Vec<Option<String>> = (text.take("categorie", 4).str().unwrap().iter())
            .map(|v| v.map(str::to_string))
            .collect();
        assert_eq!(got, [Some("Grofvuil".into()), None, Some("Groen".into())]);
        let mut float = Builder::new(Kind::Number, 4);
        float.extend(&refs, 1);
        let got: Vec<Option<f64>> = float.take("x", 4).f64().unwrap().iter().collect();
        assert_eq!(got, [Some(203_898.28), None, Some(-0.5)]);
        let mut int = Builder::new(Kind::Integer, 4);
        int.extend(&refs, 2);
        let got: Vec<Option<i64>> = int.take("n", 4).i64().unwrap().iter().collect();
        assert_eq!(got, [Some(3), Some(-1), None]);
        let more: Vec<Vec<Cell>> = vec![
            vec![Cell::Date(19_783), Cell::Datetime(1_000_000), Cell::Null],
            vec![Cell::Null, Cell::Null, Cell::Bool(true)],
            vec![Cell::Date(0), Cell::Datetime(-1), Cell::Bool(false)],
        ];
        let refs: Vec<&[Cell]> = more.iter().map(Vec::as_slice).collect();
        let mut date = Builder::new(Kind::Date, 4);
        date.extend(&refs, 0);
        let days: Vec<Option<i32>> = date
            .take("d", 4)
            .date()
            .unwrap()
            .physical()
            .iter()
            .collect();
        assert_eq!(days, [Some(19_783), None, Some(0)]);
        let mut datetime = Builder::new(Kind::Datetime, 4);
        datetime.extend(&refs, 1);
        let column = datetime.take("t", 4);
        let micros: Vec<Option<i64>> = column.datetime().unwrap().physical().iter().collect();
        assert_eq!(micros, [Some(1_000_000), None, Some(-1)]);
        let mut bool = Builder::new(Kind::Boolean, 4);
        bool.extend(&refs, 2);
        let got: Vec<Option<bool>> = bool.take("b", 4).bool().unwrap().iter().collect();
        assert_eq!(got, [None, Some(true), Some(false)]);
    }
}
